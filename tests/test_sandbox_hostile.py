"""The hostile battery: each program is contained, gets the right status, the host is unaffected, and the
pool still serves a benign call afterwards. These run real code in the real sandbox (no mocks)."""

from __future__ import annotations

import os
import secrets
import socket
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from infscale.sandbox import Limits, Sandbox, SandboxResult, Status

QUICK = Limits(timeout=1.5)


@dataclass
class Host:
    """Things on the host that hostile programs aim at, and the means to check they were not touched."""

    tmp: Path
    marker: str  # a file name in /tmp that nothing may create
    victim: Path  # an existing host file that nothing may change or delete
    victim_dir: Path
    home_secret: Path
    tcp: socket.socket
    udp: socket.socket
    unix: socket.socket
    unix_path: str
    env_secret: str
    fmt: dict[str, object] = field(default_factory=dict)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(limits=QUICK) as sb:
        yield sb


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    marker = f"infscale-hostile-{secrets.token_hex(8)}"
    victim_dir = tmp_path / "victim"
    victim_dir.mkdir()
    victim = victim_dir / "data.txt"
    victim.write_text("precious")
    victim.chmod(0o644)
    # A secret under the real home directory (removed afterwards).
    fd, secret_name = tempfile.mkstemp(prefix=".infscale-secret-", dir=Path.home())
    os.write(fd, b"home-secret-value")
    os.close(fd)
    tcp = socket.create_server(("127.0.0.1", 0))
    tcp.settimeout(0.3)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.3)
    unix_path = str(tmp_path / "host.sock")
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(unix_path)
    unix.listen()
    unix.settimeout(0.3)
    env_secret = f"sk-{secrets.token_hex(12)}"
    os.environ["INFSCALE_TEST_API_KEY"] = env_secret
    h = Host(tmp_path, marker, victim, victim_dir, Path(secret_name), tcp, udp, unix, unix_path, env_secret)
    h.fmt = {
        "marker": f"/tmp/{marker}",
        "victim": str(victim),
        "victim_dir": str(victim_dir),
        "home_secret": secret_name,
        "tcp_port": tcp.getsockname()[1],
        "udp_port": udp.getsockname()[1],
        "unix_path": unix_path,
        "host_pid": os.getpid(),
    }
    try:
        yield h
    finally:
        os.environ.pop("INFSCALE_TEST_API_KEY", None)
        for s in (tcp, udp, unix):
            s.close()
        h.home_secret.unlink(missing_ok=True)
        Path(f"/tmp/{marker}").unlink(missing_ok=True)


def _no_marker(h: Host, r: SandboxResult) -> None:
    assert not Path(f"/tmp/{h.marker}").exists()


def _victim_intact(h: Host, r: SandboxResult) -> None:
    assert h.victim.read_text() == "precious"
    assert stat.S_IMODE(h.victim.stat().st_mode) == 0o644
    assert sorted(p.name for p in h.victim_dir.iterdir()) == ["data.txt"]


def _no_tcp(h: Host, r: SandboxResult) -> None:
    with pytest.raises(TimeoutError):
        h.tcp.accept()


def _no_udp(h: Host, r: SandboxResult) -> None:
    with pytest.raises(TimeoutError):
        h.udp.recvfrom(100)


def _no_unix(h: Host, r: SandboxResult) -> None:
    with pytest.raises(TimeoutError):
        h.unix.accept()


def _no_secret(h: Host, r: SandboxResult) -> None:
    blob = f"{r.value!r}{r.stdout}{r.stderr}{r.error}"
    assert h.env_secret not in blob
    assert "home-secret-value" not in blob
    assert "root:x:0:0" not in blob


@dataclass(frozen=True)
class Hostile:
    name: str
    code: str
    expected: Status
    limits: Limits = QUICK
    check: Callable[[Host, SandboxResult], None] | None = None
    error_has: str = ""


BATTERY = [
    # --- time
    Hostile("infinite loop", "def main():\n    while True:\n        pass\n", Status.TIMEOUT),
    Hostile("sleep forever", "import time\ndef main():\n    time.sleep(3600)\n", Status.TIMEOUT),
    Hostile("infinite loop at import time", "while True:\n    pass\n", Status.TIMEOUT),
    Hostile(
        "ignores SIGTERM and sleeps",
        "import signal, time\ndef main():\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n    time.sleep(3600)\n",
        Status.TIMEOUT,
    ),
    Hostile(
        "CPU limit, SIGXCPU ignored",
        "import signal\ndef main():\n    signal.signal(signal.SIGXCPU, signal.SIG_IGN)\n    while True:\n        pass\n",
        Status.TIMEOUT,
        Limits(timeout=20, cpu_time=0.5),
        error_has="CPU time",
    ),
    Hostile(
        "deadlock",
        "import threading\ndef main():\n    lock = threading.Lock()\n    lock.acquire()\n    lock.acquire()\n",
        Status.TIMEOUT,
    ),
    # --- processes
    Hostile("fork bomb", "import os\ndef main():\n    while True:\n        os.fork()\n", Status.FORBIDDEN),
    Hostile(
        "subprocess.run",
        "import subprocess\ndef main():\n    subprocess.run(['touch', '{marker}'])\n",
        Status.FORBIDDEN,
        check=_no_marker,
    ),
    Hostile(
        "os.system",
        "import os\ndef main():\n    os.system('touch {marker}')\n",
        Status.FORBIDDEN,
        check=_no_marker,
    ),
    Hostile(
        "os.execv",
        "import os\ndef main():\n    os.execv('/bin/sh', ['sh', '-c', 'true'])\n",
        Status.FORBIDDEN,
    ),
    Hostile(
        "ctypes libc system()",
        "import ctypes\ndef main():\n    ctypes.CDLL(None).system(b'touch {marker}')\n",
        Status.FORBIDDEN,
        check=_no_marker,
    ),
    Hostile(
        "ctypes raw fork",
        "import ctypes\ndef main():\n    return ctypes.CDLL(None).fork()\n",
        Status.FORBIDDEN,
    ),
    # --- memory and threads
    Hostile(
        "memory bomb",
        "def main():\n    hog = []\n    while True:\n        hog.append(bytearray(10**7))\n",
        Status.MEMORY,
        Limits(timeout=10, memory_mb=128),
    ),
    Hostile("one huge allocation", "def main():\n    return len(bytearray(10**11))\n", Status.MEMORY),
    Hostile(
        "huge anonymous mmap",
        "import mmap\ndef main():\n    return len(mmap.mmap(-1, 10**11))\n",
        Status.MEMORY,
    ),
    Hostile(
        "thread bomb",
        "import threading, time\ndef main():\n    while True:\n"
        "        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n",
        Status.ERROR,
        error_has="thread",
    ),
    Hostile("recursion bomb", "def main():\n    return main()\n", Status.ERROR, error_has="RecursionError"),
    Hostile(
        "recursion bomb past the C stack",
        "import json, sys\ndef main():\n    sys.setrecursionlimit(10**8)\n    nest = []\n    for _ in range(10**5):\n"
        "        nest = [nest]\n    return json.dumps(nest)\n",
        Status.CRASHED,
        error_has="SIGSEGV",
    ),
    # --- output
    Hostile("huge stdout", "def main():\n    while True:\n        print('x' * 1000)\n", Status.OUTPUT_LIMIT),
    Hostile(
        "huge stderr",
        "import sys\ndef main():\n    while True:\n        sys.stderr.write('y' * 4096)\n",
        Status.OUTPUT_LIMIT,
    ),
    Hostile("very large return value", "def main():\n    return 'v' * 10**7\n", Status.OUTPUT_LIMIT),
    Hostile(
        "flooding the result channel",
        "import os\ndef main():\n    while True:\n        os.write(3, b'z' * 65536)\n",
        Status.OUTPUT_LIMIT,
    ),
    Hostile(
        "filling the disk",
        "def main():\n    with open('big', 'wb') as f:\n        while True:\n            f.write(b'0' * 2**20)\n",
        Status.OUTPUT_LIMIT,
    ),
    # --- files
    Hostile(
        "write a file outside the temp dir",
        "def main():\n    open('{marker}', 'w').write('pwned')\n",
        Status.FORBIDDEN,
        check=_no_marker,
    ),
    Hostile(
        "overwrite a host file",
        "def main():\n    open('{victim}', 'w').write('pwned')\n",
        Status.FORBIDDEN,
        check=_victim_intact,
    ),
    Hostile(
        "delete a host file",
        "import os\ndef main():\n    os.remove('{victim}')\n",
        Status.FORBIDDEN,
        check=_victim_intact,
    ),
    Hostile(
        "delete a host directory tree",
        "import shutil\ndef main():\n    shutil.rmtree('{victim_dir}')\n",
        Status.FORBIDDEN,
        check=_victim_intact,
    ),
    Hostile(
        "rename a host file into the temp dir",
        "import os\ndef main():\n    os.rename('{victim}', 'stolen')\n",
        Status.FORBIDDEN,
        check=_victim_intact,
    ),
    Hostile(
        "chmod a host file",
        "import os\ndef main():\n    os.chmod('{victim}', 0o777)\n",
        Status.FORBIDDEN,
        check=_victim_intact,
    ),
    Hostile(
        "read /etc/passwd",
        "def main():\n    return open('/etc/passwd').read()\n",
        Status.FORBIDDEN,
        check=_no_secret,
    ),
    Hostile(
        "read a file through a symlink",
        "import os\ndef main():\n    os.symlink('/etc/passwd', 'p')\n    return open('p').read()\n",
        Status.FORBIDDEN,
        check=_no_secret,
    ),
    Hostile(
        "list the root directory", "import os\ndef main():\n    return os.listdir('/')\n", Status.FORBIDDEN
    ),
    Hostile(
        "list other jobs' directories",
        "import os\ndef main():\n    return os.listdir('..')\n",
        Status.FORBIDDEN,
    ),
    Hostile(
        "write to /dev/shm",
        "def main():\n    open('/dev/shm/{marker_name}', 'w').write('x')\n",
        Status.FORBIDDEN,
    ),
    # --- secrets and environment
    Hostile(
        "read the environment",
        "import os\ndef main():\n    return dict(os.environ)\n",
        Status.OK,
        check=_no_secret,
    ),
    Hostile(
        "read /proc/self/environ",
        "def main():\n    return open('/proc/self/environ').read()\n",
        Status.FORBIDDEN,
        check=_no_secret,
    ),
    Hostile(
        "read the host process's environ",
        "def main():\n    return open('/proc/{host_pid}/environ').read()\n",
        Status.FORBIDDEN,
        check=_no_secret,
    ),
    # --- network
    Hostile(
        "TCP connect to a host server",
        "import socket\ndef main():\n    socket.create_connection(('127.0.0.1', {tcp_port}), timeout=1)\n",
        Status.FORBIDDEN,
        check=_no_tcp,
    ),
    Hostile(
        "UDP datagram to a host socket",
        "import socket\ndef main():\n    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "    s.sendto(b'x', ('127.0.0.1', {udp_port}))\n",
        Status.FORBIDDEN,
        check=_no_udp,
    ),
    Hostile(
        "unix socket to a host server",
        "import socket\ndef main():\n    s = socket.socket(socket.AF_UNIX)\n    s.connect('{unix_path}')\n",
        Status.FORBIDDEN,
        check=_no_unix,
    ),
    Hostile(
        "DNS lookup",
        "import socket\ndef main():\n    return socket.getaddrinfo('example.com', 80)\n",
        Status.FORBIDDEN,
    ),
    # --- signals, privileges, kernel interfaces
    Hostile(
        "SIGKILL to the parent",
        "import os, signal\ndef main():\n    os.kill(os.getppid(), signal.SIGKILL)\n",
        Status.FORBIDDEN,
    ),
    Hostile("SIGKILL to the host", "import os\ndef main():\n    os.kill({host_pid}, 9)\n", Status.FORBIDDEN),
    Hostile("SIGKILL to every process", "import os\ndef main():\n    os.kill(-1, 9)\n", Status.FORBIDDEN),
    Hostile("become root", "import os\ndef main():\n    os.setuid(0)\n", Status.FORBIDDEN),
    Hostile(
        "ptrace via ctypes",
        "import ctypes\ndef main():\n    return ctypes.CDLL(None).ptrace(0, 0, 0, 0)\n",
        Status.FORBIDDEN,
    ),
    Hostile(
        "new user namespace via ctypes",
        "import ctypes\ndef main():\n    return ctypes.CDLL(None).unshare(0x10000000)\n",
        Status.FORBIDDEN,
    ),
    Hostile(
        "clear the parent-death signal",
        "import ctypes\ndef main():\n    return ctypes.CDLL(None).prctl(1, 0, 0, 0, 0)\n",
        Status.FORBIDDEN,
    ),
    Hostile(
        "System V shared memory that outlives the job",
        "import ctypes\ndef main():\n    return ctypes.CDLL(None).shmget(0, 4096, 0o1600)\n",
        Status.FORBIDDEN,
    ),
    Hostile(
        "io_uring (bypasses syscall filters)",
        "import ctypes\ndef main():\n    return ctypes.CDLL(None).syscall(425, 8, None)\n",
        Status.FORBIDDEN,
    ),
    Hostile(
        "ctypes null pointer read",
        "import ctypes\ndef main():\n    return ctypes.string_at(0)\n",
        Status.CRASHED,
    ),
    Hostile("os.abort", "import os\ndef main():\n    os.abort()\n", Status.CRASHED, error_has="SIGABRT"),
    # --- resource exhaustion
    Hostile(
        "exhaust file descriptors",
        "def main():\n    fds = []\n    while True:\n        fds.append(open('/dev/null'))\n",
        Status.ERROR,
        error_has="Too many open files",
    ),
    # --- escaping the protocol
    Hostile("os._exit(0) before returning", "import os\ndef main():\n    os._exit(0)\n", Status.CRASHED),
    Hostile("os._exit(3)", "import os\ndef main():\n    os._exit(3)\n", Status.CRASHED, error_has="code 3"),
    Hostile(
        "sys.exit(0)", "import sys\ndef main():\n    sys.exit(0)\n", Status.ERROR, error_has="SystemExit"
    ),
    Hostile(
        "tamper with builtins and json to fake a pass",
        "import builtins, json\ndef main():\n"
        '    json.dumps = lambda *a, **k: \'{{"kind": "return", "value": true}}\'\n'
        "    builtins.isinstance = lambda *a: True\n    builtins.print = None\n"
        "    raise AssertionError('the real test failed')\n",
        Status.ERROR,
        error_has="AssertionError",
    ),
    Hostile(
        "rebind the sandbox's own epilogue and BaseException",
        "import builtins, sys\ndef main():\n    worker = sys.modules['__main__']\n"
        '    worker._make_epilogue = lambda: lambda *a: b\'{{"kind": "return", "value": true}}\'\n'
        "    worker._category = lambda exc: 'memory'\n    builtins.BaseException = int\n"
        "    raise ValueError('the real test failed')\n",
        Status.ERROR,
        error_has="ValueError",
    ),
    Hostile(
        "forge a passing frame, then fail",
        'import os\ndef main():\n    os.write(3, b\'{{"kind": "return", "value": true}}\')\n'
        "    raise AssertionError('failed')\n",
        Status.FORBIDDEN,
        error_has="tampered",
    ),
    Hostile(
        "forge a frame claiming status ok",
        'import os\ndef main():\n    os.write(3, b\'{{"kind": "return", "value": true, "status": "ok"}}\')\n'
        "    os._exit(0)\n",
        Status.FORBIDDEN,
        error_has="tampered",
    ),
    Hostile(
        "forge a frame, then hang",
        'import os\ndef main():\n    os.write(3, b\'{{"kind": "return", "value": true}}\')\n    while True:\n        pass\n',
        Status.TIMEOUT,
    ),
    Hostile(
        "close the result channel",
        "import os\ndef main():\n    os.close(3)\n    return True\n",
        Status.CRASHED,
    ),
    Hostile(
        "return an object equal to everything",
        "class Eq:\n    def __eq__(self, other):\n        return True\ndef main():\n    return Eq()\n",
        Status.ERROR,
        error_has="not JSON-serialisable",
    ),
]


def _param(case: Hostile) -> object:
    """Cases that wait out a time limit are marked slow (they still run in CI)."""
    slow = case.expected is Status.TIMEOUT or case.limits.timeout > QUICK.timeout
    return pytest.param(case, id=case.name, marks=[pytest.mark.slow] if slow else [])


@pytest.mark.parametrize("case", [_param(c) for c in BATTERY])
def test_hostile_program_is_contained(sandbox: Sandbox, host: Host, case: Hostile) -> None:
    fmt = dict(host.fmt, marker_name=host.marker)
    server_before = sandbox.server_pid
    result = sandbox.run(case.code.format(**fmt), limits=case.limits)

    assert result.status is case.expected, (result.status, result.error, result.stderr[-500:])
    assert case.error_has in (result.error or "")
    assert not result.weak
    if case.check is not None:
        case.check(host, result)
    _no_secret(host, result)
    # The host and the fork server are unaffected; a fresh child serves the next call.
    assert sandbox.server_pid == server_before
    assert server_before is not None
    os.kill(server_before, 0)
    after = sandbox.run("def main(x):\n    return x + 1\n", args=[41])
    assert (after.status, after.value) == (Status.OK, 42)


def test_the_battery_is_large_enough() -> None:
    assert len(BATTERY) >= 30
    assert len({c.name for c in BATTERY}) == len(BATTERY)


def test_home_directory_files_are_unreadable(sandbox: Sandbox, host: Host) -> None:
    """The real home holds secrets; with a mount namespace it is not even visible (ENOENT), without one
    Landlock refuses the open (EACCES)."""
    result = sandbox.run(f"def main():\n    return open({str(host.home_secret)!r}).read()\n")
    _no_secret(host, result)
    if "mountns" in result.isolation:
        assert result.status is Status.ERROR and "FileNotFoundError" in (result.error or "")
    else:
        assert result.status is Status.FORBIDDEN
    listing = sandbox.run(f"import os\ndef main():\n    return os.listdir({str(Path.home())!r})\n")
    assert listing.status is Status.FORBIDDEN


def test_an_int_that_equals_everything_arrives_as_a_plain_int(sandbox: Sandbox) -> None:
    code = "class Liar(int):\n    def __eq__(self, other):\n        return True\ndef main():\n    return Liar(5)\n"
    result = sandbox.run(code)
    assert result.status is Status.OK
    assert type(result.value) is int and result.value == 5 and result.value != 6


def test_threads_left_running_do_not_outlive_the_call(sandbox: Sandbox) -> None:
    code = (
        "import threading\ndef spin():\n    while True:\n        pass\n"
        "def main():\n    for _ in range(4):\n        threading.Thread(target=spin).start()\n    return 'done'\n"
    )
    result = sandbox.run(code)
    assert (result.status, result.value) == (Status.OK, "done")
