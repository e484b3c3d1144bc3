"""Run untrusted, model-written Python under limits (see docs/sandbox.md).

>>> from infscale.sandbox import run
>>> run("def add(a, b):\\n    return a + b\\n", "add", args=[1, 2]).value  # doctest: +SKIP
3

Each call runs in a fresh process forked from a warm, confined template: rlimits, seccomp, Landlock,
an unprivileged uid and (as root) private namespaces. ``SandboxResult.status`` is one of ``ok``,
``timeout``, ``memory``, ``output_limit``, ``forbidden``, ``error``, ``crashed``.
"""

from .api import Sandbox, arun, default_sandbox, run
from .policy import Isolation, Limits, SandboxResult, Status
from .pool import SandboxPool

__all__ = [
    "Isolation",
    "Limits",
    "Sandbox",
    "SandboxPool",
    "SandboxResult",
    "Status",
    "arun",
    "default_sandbox",
    "run",
]
