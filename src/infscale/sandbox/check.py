"""`infscale sandbox check`: which isolation is in force on this machine, proven by running probes."""

from __future__ import annotations

import os
import platform
import secrets
import sys
from dataclasses import dataclass, field
from typing import Any

from ..errors import SandboxError
from .api import Sandbox
from .policy import DESCRIPTIONS, OPTIONAL, REQUIRED, Isolation, Limits, Status


@dataclass(frozen=True)
class Probe:
    """One hostile or benign program and the status the sandbox must give it."""

    name: str
    code: str
    expected: Status
    limits: Limits = field(default_factory=Limits)


def _probes(marker: str) -> list[Probe]:
    return [
        Probe("a benign call returns its value", "def main():\n    return sum(range(10))\n", Status.OK),
        Probe(
            "no network (a TCP socket)",
            "import socket\ndef main():\n    socket.create_connection(('127.0.0.1', 9))\n",
            Status.FORBIDDEN,
        ),
        Probe("no child processes (fork)", "import os\ndef main():\n    os.fork()\n", Status.FORBIDDEN),
        Probe("no programs (os.system)", "import os\ndef main():\n    os.system('true')\n", Status.FORBIDDEN),
        Probe(
            "no reading /etc/passwd", "def main():\n    return open('/etc/passwd').read()\n", Status.FORBIDDEN
        ),
        Probe(
            "no writing outside the private dir",
            f"def main():\n    open('/tmp/{marker}', 'w').write('x')\n",
            Status.FORBIDDEN,
        ),
        Probe(
            "a clean environment",
            f"import os\ndef main():\n    assert '{marker}' not in str(dict(os.environ))\n    return 1\n",
            Status.OK,
        ),
        Probe(
            "a wall-clock limit",
            "def main():\n    while True:\n        pass\n",
            Status.TIMEOUT,
            Limits(timeout=0.5),
        ),
        Probe(
            "a memory limit",
            "def main():\n    return len(bytearray(1 << 31))\n",
            Status.MEMORY,
            Limits(memory_mb=64),
        ),
    ]


@dataclass(frozen=True)
class ProbeResult:
    name: str
    expected: Status
    got: Status
    detail: str

    @property
    def passed(self) -> bool:
        return self.got is self.expected


@dataclass(frozen=True)
class CheckReport:
    """What ``check`` found: mechanisms (required ones first), probe outcomes, and the verdict."""

    isolation: Isolation | None
    probes: tuple[ProbeResult, ...]
    error: str | None
    kernel: str = field(default_factory=platform.release)
    python: str = field(default_factory=lambda: sys.version.split()[0])
    user: str = field(default_factory=lambda: "root" if os.geteuid() == 0 else f"uid {os.geteuid()}")

    @property
    def strict_ok(self) -> bool:
        """Strict mode would run here: every required mechanism is in force and every probe passed."""
        return self.isolation is not None and not self.isolation.missing and self.probes_ok

    @property
    def probes_ok(self) -> bool:
        return bool(self.probes) and all(p.passed for p in self.probes)

    def mechanisms(self) -> list[tuple[str, bool, bool, str]]:
        """(name, required, in force, what it does) for every mechanism."""
        have = set(self.isolation.in_force) if self.isolation else set()
        return [(n, n in REQUIRED, n in have, DESCRIPTIONS[n]) for n in (*REQUIRED, *OPTIONAL)]

    def to_dict(self) -> dict[str, Any]:
        iso = self.isolation
        return {
            "strict_ok": self.strict_ok,
            "kernel": self.kernel,
            "python": self.python,
            "user": self.user,
            "landlock_abi": iso.landlock_abi if iso else 0,
            "mechanisms": [
                {"name": n, "required": r, "in_force": f, "description": d}
                for n, r, f, d in self.mechanisms()
            ],
            "missing": list(iso.missing) if iso else list(REQUIRED),
            "notes": list(iso.notes) if iso else [],
            "probes": [
                {"name": p.name, "expected": p.expected.value, "got": p.got.value, "passed": p.passed}
                for p in self.probes
            ],
            "error": self.error,
        }


def check_isolation(probes: bool = True) -> CheckReport:
    """Start a sandbox in weak mode (so that it starts even when something is missing), report what is
    in force, and run the probes against it."""
    marker = f"infscale-check-{secrets.token_hex(6)}"
    os.environ[marker] = "1"  # must not be visible inside the sandbox
    try:
        with Sandbox(allow_weak=True, spares=1) as sandbox:
            isolation = sandbox.isolation
            results = []
            for probe in _probes(marker) if probes else []:
                res = sandbox.run(probe.code, limits=probe.limits)
                results.append(ProbeResult(probe.name, probe.expected, res.status, res.error or ""))
            if os.path.exists(f"/tmp/{marker}"):  # the write probe must have left nothing behind
                os.unlink(f"/tmp/{marker}")
                results.append(
                    ProbeResult("no file left outside", Status.FORBIDDEN, Status.OK, "file created")
                )
        return CheckReport(isolation, tuple(results), None)
    except SandboxError as exc:
        return CheckReport(None, (), exc.message)
    finally:
        os.environ.pop(marker, None)
