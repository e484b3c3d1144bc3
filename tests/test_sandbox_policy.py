"""Unit tests of the host's verdict, the frame parser, limits, the isolation report and the filters."""

from __future__ import annotations

import json
import os
import signal
import struct

import pytest

from infscale.errors import SandboxError
from infscale.sandbox.cli import parse_input
from infscale.sandbox.policy import (
    HEADER,
    REQUIRED,
    Isolation,
    Limits,
    Observation,
    Status,
    TamperedFrame,
    judge,
    parse_frame,
)
from infscale.sandbox.seccomp_filter import PID_PLACEHOLDER, compile_filters

LIM = Limits(timeout=2, cpu_time=1)


def exited(code: int) -> int:
    return code << 8


def killed(sig: int) -> int:
    return int(sig)


def frame(**fields: object) -> bytes:
    return HEADER + json.dumps(fields).encode()


def verdict(wstatus: int | None, result: bytes, killed_for: str | None = None, cpu: float = 0.0):
    return judge(Observation(wstatus, result, killed_for, cpu, LIM))


RAISE = {"kind": "raise", "type": "X", "message": "m", "traceback": "t"}


@pytest.mark.parametrize(
    ("wstatus", "result", "killed_for", "cpu", "status"),
    [
        (exited(0), frame(kind="return", value=[1, 2]), None, 0.0, Status.OK),
        (killed(signal.SIGKILL), HEADER, "timeout", 0.1, Status.TIMEOUT),
        (killed(signal.SIGKILL), HEADER, "output", 0.1, Status.OUTPUT_LIMIT),
        (killed(signal.SIGKILL), HEADER, "result", 0.1, Status.OUTPUT_LIMIT),
        (killed(signal.SIGSYS), HEADER, None, 0.0, Status.FORBIDDEN),
        (killed(signal.SIGXCPU), HEADER, None, 1.0, Status.TIMEOUT),
        (killed(signal.SIGKILL), HEADER, None, 2.0, Status.TIMEOUT),  # the hard CPU limit
        (killed(signal.SIGKILL), HEADER, None, 0.1, Status.CRASHED),  # someone else's SIGKILL
        (killed(signal.SIGSEGV), HEADER, None, 0.0, Status.CRASHED),
        (killed(signal.SIGXFSZ), HEADER, None, 0.0, Status.OUTPUT_LIMIT),
        (exited(0), HEADER, None, 0.0, Status.CRASHED),  # exited without a frame
        (exited(3), frame(kind="return", value=True), None, 0.0, Status.CRASHED),
        (exited(0), frame(**RAISE, category="error"), None, 0.0, Status.ERROR),
        (exited(0), frame(**RAISE, category="memory"), None, 0.0, Status.MEMORY),
        (exited(0), frame(**RAISE, category="permission"), None, 0.0, Status.FORBIDDEN),
        (exited(0), frame(**RAISE, category="disk"), None, 0.0, Status.OUTPUT_LIMIT),
        (exited(0), frame(kind="unserialisable", message="TypeError"), None, 0.0, Status.ERROR),
        (exited(0), frame(kind="oversize", size=10**9), None, 0.0, Status.OUTPUT_LIMIT),
        (None, HEADER, None, 0.0, Status.CRASHED),  # the server died
        (None, HEADER, "timeout", 0.0, Status.TIMEOUT),
    ],
)
def test_judge(
    wstatus: int | None, result: bytes, killed_for: str | None, cpu: float, status: Status
) -> None:
    got, value, error = verdict(wstatus, result, killed_for, cpu)
    assert got is status
    assert (value == [1, 2]) if status is Status.OK else (value is None and error)


def test_the_host_kill_reason_outranks_whatever_the_child_wrote() -> None:
    got, value, _ = verdict(killed(signal.SIGKILL), frame(kind="return", value=True), "timeout")
    assert got is Status.TIMEOUT and value is None


@pytest.mark.parametrize(
    "payload",
    [
        b'{"kind": "return", "value": true}{"kind": "return", "value": true}',  # two frames
        b'{"kind": "return", "value": true, "status": "ok"}',  # an extra field
        b'{"kind": "pass"}',  # an unknown kind
        b"[1, 2]",
        b"garbage",
        b'{"kind": "raise", "category": "ok", "type": "X", "message": "", "traceback": ""}',
        b'{"kind": "oversize", "size": true}',
        b"[" * 100_000 + b"]" * 100_000,  # nesting the host's parser cannot take
    ],
)
def test_tampered_frames_are_forbidden(payload: bytes) -> None:
    with pytest.raises(TamperedFrame):
        parse_frame(payload)
    got, _, error = verdict(exited(0), HEADER + payload)
    assert got is Status.FORBIDDEN and "tampered" in (error or "")


def test_no_header_means_the_sandbox_itself_failed() -> None:
    with pytest.raises(SandboxError, match="could not confine"):
        verdict(exited(121), b"")


def test_limits_validate_and_convert() -> None:
    lim = Limits(timeout=3, memory_mb=64)
    assert lim.effective_cpu_time == 3
    wire = lim.to_wire()
    assert wire["memory_bytes"] == 64 << 20 and wire["cpu_time"] == 3
    for bad in ({"timeout": 0}, {"memory_mb": float("nan")}, {"max_files": 2}, {"cpu_time": True}):
        with pytest.raises(SandboxError):
            Limits(**bad)  # type: ignore[arg-type]


def test_isolation_from_report() -> None:
    full = {
        "root": True,
        "landlock_abi": 6,
        "seccomp": True,
        "uid_drop": True,
        "namespaces": ["net"],
        "tmpfs": True,
    }
    iso = Isolation.from_report(full)
    assert iso.missing == () and not iso.weak
    assert {"landlock_scope", "uid_per_job", "netns"} <= set(iso.in_force)
    weak = Isolation.from_report({"root": True, "landlock_abi": 0, "seccomp": False, "uid_drop": False})
    assert weak.missing == ("seccomp", "landlock", "unprivileged") and weak.weak
    user = Isolation.from_report({"root": False, "landlock_abi": 3, "seccomp": True})
    assert user.missing == () and "uid_per_job" not in user.in_force and "landlock_net" not in user.in_force
    assert set(REQUIRED) <= set(user.in_force)


def test_child_filter_patches_the_pid_into_every_placeholder() -> None:
    filters = compile_filters()
    assert len(filters.server) % 8 == 0 and len(filters.child.bpf) < len(filters.server)
    patched = filters.child.for_pid(4242)
    words = struct.unpack(f"<{len(patched) // 4}I", patched)
    assert PID_PLACEHOLDER not in words[1::2]
    assert all(words[i] == 4242 for i in filters.child.pid_words)


def test_cli_input_parsing() -> None:
    assert parse_input(None) == ([], {})
    assert parse_input("[1, [2, 3]]") == ([1, [2, 3]], {})
    assert parse_input('{"x": 1}') == ([], {"x": 1})
    assert parse_input("5") == ([5], {})
    with pytest.raises(SandboxError, match="not valid JSON"):
        parse_input("[1,")
    with pytest.raises(SandboxError, match="identifiers"):
        parse_input('{"not a name": 1}')


def test_exit_status_helpers_match_the_kernel_encoding() -> None:
    assert os.WEXITSTATUS(exited(3)) == 3 and os.WTERMSIG(killed(signal.SIGSYS)) == signal.SIGSYS
