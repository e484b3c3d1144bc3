"""Limits, results, isolation mechanisms, and the host's verdict on a finished job.

The verdict is the host's: it rests on what the kernel reports (exit status, signal, CPU time) and on
what the host itself saw (wall clock, bytes on each pipe), never on a status the child claims. The
child's frame only carries a value or an exception description, which the program controls anyway.
"""

from __future__ import annotations

import json
import math
import os
import signal
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from ..errors import SandboxError

HEADER = b"R"  # must match worker.HEADER: the child writes it once confined, before untrusted code
SETUP_FAILED = 121  # must match worker.SETUP_FAILED


class Status(StrEnum):
    OK = "ok"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    OUTPUT_LIMIT = "output_limit"
    FORBIDDEN = "forbidden"
    ERROR = "error"
    CRASHED = "crashed"


# Mechanisms, by the names that results and `infscale sandbox check` report.
REQUIRED = ("rlimits", "no_new_privs", "seccomp", "landlock", "unprivileged")
OPTIONAL = ("landlock_net", "landlock_scope", "uid_per_job", "netns", "ipcns", "mountns", "tmpfs_quota")
DESCRIPTIONS = {
    "rlimits": "CPU time, address space, open files, file size, threads, core dumps",
    "no_new_privs": "no privilege gain through set-uid programs or file capabilities",
    "seccomp": "kills fork/exec/socket/ptrace/mount/... ; threads only; signals only to itself",
    "landlock": "reads only the Python installation and system libraries; writes only its private dir",
    "unprivileged": "runs without any capability (a throwaway uid when the host is root)",
    "landlock_net": "TCP bind/connect denied by Landlock as well (ABI >= 4)",
    "landlock_scope": "signals and abstract unix sockets confined to the job (Landlock ABI >= 6)",
    "uid_per_job": "each concurrent job has its own uid: jobs cannot touch each other",
    "netns": "empty network namespace (no interfaces but a down loopback)",
    "ipcns": "private System V IPC namespace",
    "mountns": "private mount namespace; the rest of a 0700 home holding Python is hidden",
    "tmpfs_quota": "the private dir is a size-limited tmpfs (disk_bytes in total)",
}


@dataclass(frozen=True)
class Limits:
    """Per-job limits. ``cpu_time`` defaults to ``timeout``; ``memory_mb`` is address space beyond the
    warm interpreter's own; ``output_bytes`` bounds stdout+stderr; ``result_bytes`` the JSON value."""

    timeout: float = 10.0
    cpu_time: float | None = None
    memory_mb: float = 512.0
    output_bytes: int = 1 << 20
    result_bytes: int = 1 << 20
    disk_bytes: int = 16 << 20
    max_files: int = 64
    max_threads: int = 32

    def __post_init__(self) -> None:
        checks = {
            "timeout": (self.timeout, 0.001, 86400),
            "cpu_time": (self.cpu_time if self.cpu_time is not None else 1.0, 0.001, 86400),
            "memory_mb": (self.memory_mb, 1, 1 << 20),
            "output_bytes": (self.output_bytes, 0, 1 << 34),
            "result_bytes": (self.result_bytes, 16, 1 << 34),
            "disk_bytes": (self.disk_bytes, 0, 1 << 40),
            "max_files": (self.max_files, 8, 1 << 20),
            "max_threads": (self.max_threads, 1, 1 << 16),
        }
        for name, (value, low, high) in checks.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise SandboxError(f"limit {name} must be a number, got {value!r}")
            if not low <= value <= high:
                raise SandboxError(f"limit {name}={value} is out of range [{low}, {high}]")

    @property
    def effective_cpu_time(self) -> float:
        return self.cpu_time if self.cpu_time is not None else self.timeout

    def to_wire(self) -> dict[str, Any]:
        """What the fork server needs, in the units it uses."""
        return {
            "timeout": self.timeout,
            "cpu_time": self.effective_cpu_time,
            "memory_bytes": int(self.memory_mb * (1 << 20)),
            "output_bytes": self.output_bytes,
            "result_bytes": self.result_bytes,
            "disk_bytes": self.disk_bytes,
            "max_files": self.max_files,
            "max_threads": self.max_threads,
        }


@dataclass(frozen=True)
class Isolation:
    """What is in force for the jobs of one pool; ``missing`` lists required mechanisms that are not
    (non-empty only in the explicitly requested weak mode)."""

    in_force: tuple[str, ...]
    missing: tuple[str, ...]
    notes: tuple[str, ...] = ()
    landlock_abi: int = 0
    root: bool = False

    @property
    def weak(self) -> bool:
        return bool(self.missing)

    @classmethod
    def from_report(cls, report: dict[str, Any]) -> Isolation:
        """Interpret the fork server's ``ready`` report (see worker.Server.report)."""
        abi = int(report.get("landlock_abi", 0))
        root = bool(report.get("root"))
        namespaces = set(report.get("namespaces", []))
        have = {
            "rlimits": True,
            "no_new_privs": True,
            "seccomp": bool(report.get("seccomp")),
            "landlock": abi >= 1,
            "unprivileged": (not root) or bool(report.get("uid_drop")),
            "landlock_net": abi >= 4,
            "landlock_scope": abi >= 6,
            "uid_per_job": root and bool(report.get("uid_drop")),
            "netns": "net" in namespaces,
            "ipcns": "ipc" in namespaces,
            "mountns": "mount" in namespaces,
            "tmpfs_quota": bool(report.get("tmpfs")),
        }
        in_force = tuple(name for name in (*REQUIRED, *OPTIONAL) if have[name])
        missing = tuple(name for name in REQUIRED if not have[name])
        return cls(in_force, missing, tuple(report.get("errors", [])), abi, root)


@dataclass(frozen=True)
class SandboxResult:
    """The outcome of one call. ``value`` is the function's JSON return value when ``status`` is ok.
    ``isolation``/``missing`` say what confined this run: ``missing`` non-empty means a weak mode."""

    status: Status
    value: Any = None
    stdout: str = ""
    stderr: str = ""
    wall_time: float = 0.0
    cpu_time: float = 0.0
    error: str | None = None
    isolation: tuple[str, ...] = ()
    missing: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def weak(self) -> bool:
        return bool(self.missing)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        data["weak"] = self.weak
        return data


# ----------------------------------------------------------------------------------------- verdict

_FRAME_KEYS: dict[str, dict[str, type | None]] = {
    "return": {"kind": None, "value": None},
    "raise": {"kind": str, "category": str, "type": str, "message": str, "traceback": str},
    "unserialisable": {"kind": str, "message": str},
    "oversize": {"kind": str, "size": int},
}
_CATEGORY_STATUS = {
    "memory": Status.MEMORY,
    "permission": Status.FORBIDDEN,
    "disk": Status.OUTPUT_LIMIT,
    "error": Status.ERROR,
}


class TamperedFrame(ValueError):
    """The result pipe holds something the trusted epilogue cannot have written."""


def parse_frame(data: bytes) -> dict[str, Any] | None:
    """The single frame after the header; None when there is none. Anything malformed, duplicated or
    carrying extra fields can only come from the untrusted program writing the pipe itself."""
    if not data:
        return None
    try:
        frame = json.loads(data)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise TamperedFrame(f"result channel holds {len(data)} bytes that are not one JSON frame") from exc
    if not isinstance(frame, dict) or frame.get("kind") not in _FRAME_KEYS:
        raise TamperedFrame("result channel holds a frame of unknown kind")
    schema = _FRAME_KEYS[frame["kind"]]
    if set(frame) != set(schema):
        raise TamperedFrame(f"result frame has fields {sorted(frame)}; expected {sorted(schema)}")
    for key, typ in schema.items():
        if typ is not None and (not isinstance(frame[key], typ) or isinstance(frame[key], bool)):
            raise TamperedFrame(f"result frame field {key!r} has the wrong type")
    if frame["kind"] == "raise" and frame["category"] not in _CATEGORY_STATUS:
        raise TamperedFrame("result frame has an unknown error category")
    return frame


@dataclass(frozen=True)
class Observation:
    """What the host saw of one finished job."""

    wstatus: int | None  # None: the fork server died before reporting the exit
    result: bytes  # raw bytes of the result pipe, header included
    killed_for: str | None  # "timeout", "output" or "result" when the host killed the job
    cpu_time: float
    limits: Limits


def judge(obs: Observation) -> tuple[Status, Any, str | None]:
    """Status, value and a one-line reason, from the observation alone (a pure function)."""
    lim = obs.limits
    if obs.killed_for == "timeout":
        return Status.TIMEOUT, None, f"wall time limit of {lim.timeout:g}s exceeded"
    if obs.killed_for == "output":
        return Status.OUTPUT_LIMIT, None, f"stdout+stderr exceeded {lim.output_bytes} bytes"
    if obs.killed_for == "result":
        return Status.OUTPUT_LIMIT, None, f"return value exceeded {lim.result_bytes} bytes"
    if obs.wstatus is None:
        return Status.CRASHED, None, "the sandbox server died while the job ran"
    if not obs.result.startswith(HEADER):
        code = os.waitstatus_to_exitcode(obs.wstatus)
        raise SandboxError(
            f"the sandbox could not confine the job (worker exit {code}); run `infscale sandbox check`"
        )
    if os.WIFSIGNALED(obs.wstatus):
        sig = os.WTERMSIG(obs.wstatus)
        if sig == signal.SIGSYS:
            return Status.FORBIDDEN, None, "a forbidden system call was attempted (killed by seccomp)"
        # A SIGKILL the host did not ask for is RLIMIT_CPU's hard limit (one second past the soft one),
        # or the kernel's OOM killer; rusage can read below the limit's own accounting, hence the slack.
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and obs.cpu_time >= lim.effective_cpu_time * 0.5):
            return Status.TIMEOUT, None, f"CPU time limit of {lim.effective_cpu_time:g}s exceeded"
        if sig == signal.SIGXFSZ:
            return Status.OUTPUT_LIMIT, None, f"file size limit of {lim.disk_bytes} bytes exceeded"
        return Status.CRASHED, None, f"killed by signal {signal.Signals(sig).name}"
    code = os.waitstatus_to_exitcode(obs.wstatus)
    try:
        frame = parse_frame(obs.result[len(HEADER) :])
    except TamperedFrame as exc:
        return Status.FORBIDDEN, None, f"result channel tampered with: {exc}"
    if code != 0:
        return Status.CRASHED, None, f"the process exited with code {code} before returning"
    if frame is None:
        return Status.CRASHED, None, "the process exited without returning"
    kind = frame["kind"]
    if kind == "return":
        return Status.OK, frame["value"], None
    if kind == "raise":
        message = f"{frame['type']}: {frame['message']}" if frame["message"] else frame["type"]
        return _CATEGORY_STATUS[frame["category"]], None, message
    if kind == "unserialisable":
        return Status.ERROR, None, f"return value is not JSON-serialisable: {frame['message']}"
    return Status.OUTPUT_LIMIT, None, f"return value of {frame['size']} bytes exceeds {lim.result_bytes}"
