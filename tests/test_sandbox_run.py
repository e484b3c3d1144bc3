"""End-to-end behaviour of benign calls, the async and sync APIs, the pool, and weak-mode opt-in."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator

import pytest

from infscale.errors import SandboxError
from infscale.sandbox import Limits, Sandbox, SandboxPool, Status, arun, run
from infscale.sandbox import pool as pool_module


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(limits=Limits(timeout=5)) as sb:
        yield sb


def test_returns_the_value_and_captures_stdout(sandbox: Sandbox) -> None:
    code = "def add(a, b=0):\n    print('adding', a, b)\n    return {'sum': a + b, 'items': [a, b]}\n"
    result = sandbox.run(code, "add", args=[2], kwargs={"b": 3})
    assert result.status is Status.OK and result.ok
    assert result.value == {"sum": 5, "items": [2, 3]}
    assert result.stdout == "adding 2 3\n"
    assert result.stderr == "" and result.error is None
    assert 0 < result.wall_time < 5 and result.cpu_time >= 0
    assert set(result.isolation) >= {"rlimits", "no_new_privs", "seccomp", "landlock", "unprivileged"}
    assert result.missing == () and not result.weak


def test_an_exception_is_an_error_with_its_traceback(sandbox: Sandbox) -> None:
    code = "def helper(x):\n    return 1 / x\n\ndef main():\n    print('before')\n    return helper(0)\n"
    result = sandbox.run(code)
    assert result.status is Status.ERROR and result.value is None
    assert result.error == "ZeroDivisionError: division by zero"
    assert 'File "<sandbox>", line 2, in helper' in result.stderr
    assert "return 1 / x" in result.stderr  # the source line, from the submitted code
    assert result.stdout == "before\n"


def test_syntax_errors_and_missing_functions_are_errors(sandbox: Sandbox) -> None:
    bad = sandbox.run("def main(:\n    pass\n")
    assert bad.status is Status.ERROR and bad.error is not None and bad.error.startswith("SyntaxError")
    missing = sandbox.run("def other():\n    return 1\n", "main")
    assert missing.status is Status.ERROR and "no function named 'main'" in (missing.error or "")


def test_timeout_is_reported_and_bounded(sandbox: Sandbox) -> None:
    start = time.perf_counter()
    result = sandbox.run(
        "import time\ndef main():\n    print('working')\n    time.sleep(60)\n", limits=Limits(timeout=0.5)
    )
    assert result.status is Status.TIMEOUT
    assert 0.5 <= result.wall_time < 3 and time.perf_counter() - start < 3


def test_each_call_is_a_fresh_process(sandbox: Sandbox) -> None:
    """Private dirs are recycled between calls (wiped) and processes never are: over several rotations
    through the slots, every call sees an empty directory and fresh module state."""
    code = (
        "import os\nSEEN = []\ndef main():\n    SEEN.append(1)\n    os.makedirs('d/e')\n"
        "    os.mkdir('locked', 0o500)\n    open('state', 'a').write('x')\n"
        "    return [os.getpid(), len(SEEN), open('state').read(), sorted(os.listdir('.'))]\n"
    )
    results = [sandbox.run(code) for _ in range(6)]
    assert all(r.status is Status.OK for r in results), [r.error for r in results]
    assert len({r.value[0] for r in results}) == 6
    assert all(r.value[1:] == [1, "x", ["d", "locked", "state"]] for r in results)


def test_the_private_dir_is_home_and_cwd(sandbox: Sandbox) -> None:
    code = (
        "import os, tempfile\ndef main():\n    p = tempfile.mkstemp()[1]\n"
        "    return [os.getcwd(), os.environ['HOME'], os.path.dirname(p), os.getuid() != 0]\n"
    )
    result = sandbox.run(code)
    assert result.status is Status.OK
    cwd, home, tmp, unprivileged = result.value
    assert cwd == home == tmp and unprivileged


def test_common_imports_work(sandbox: Sandbox) -> None:
    code = (
        "import re, math, json, itertools, collections, fractions, statistics, heapq, zlib, sqlite3\n"
        "def main():\n    con = sqlite3.connect(':memory:')\n"
        "    return [math.factorial(5), re.findall(r'\\d', 'a1b2'), statistics.mean([1, 2, 3]), "
        "con.execute('select 1').fetchone()[0]]\n"
    )
    result = sandbox.run(code)
    assert (result.status, result.value) == (Status.OK, [120, ["1", "2"], 2, 1])


def test_bad_inputs_raise_typed_errors(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match="JSON-serialisable"):
        sandbox.run("def main(x):\n    return x\n", args=[object()])
    with pytest.raises(SandboxError, match="identifier"):
        sandbox.run("def main():\n    pass\n", "not a name")
    with pytest.raises(SandboxError, match="code must be a str"):
        sandbox.run(b"def main(): pass")  # type: ignore[arg-type]
    with pytest.raises(SandboxError, match="out of range"):
        Limits(timeout=-1)
    with pytest.raises(SandboxError, match="must be a number"):
        Limits(memory_mb="lots")  # type: ignore[arg-type]


async def test_disk_limit_per_call_does_not_leak_into_later_calls() -> None:
    """A call with its own disk_bytes resizes its private tmpfs; the slot must get the pool's size back
    before a spare reuses it (children finishing together make that reuse likely)."""
    code = (
        "import time\ndef main(n):\n    time.sleep(0.2)\n    open('f', 'wb').write(b'0' * n)\n    return n\n"
    )
    small = Limits(timeout=10, disk_bytes=64 << 10)
    async with SandboxPool(limits=Limits(timeout=10), max_concurrency=8) as pool:
        for _ in range(6):
            calls = [pool.run(code, args=[1 << 10]) for _ in range(2)]
            calls += [pool.run(code, args=[1 << 10], limits=small) for _ in range(2)]
            assert [r.status for r in await asyncio.gather(*calls)] == [Status.OK] * 4
            big = await asyncio.gather(*(pool.run(code, args=[1 << 20]) for _ in range(3)))
            assert [(r.status, r.value) for r in big] == [(Status.OK, 1 << 20)] * 3
        tight = await pool.run(code, args=[200 << 10], limits=small)
        assert tight.status is Status.OUTPUT_LIMIT


def test_large_inputs_travel_through_the_pipe(sandbox: Sandbox) -> None:
    grid = [[(i * j) % 10 for j in range(300)] for i in range(300)]  # ~ 200 KB of JSON, not inline
    result = sandbox.run("def main(g):\n    return sum(map(sum, g))\n", args=[grid])
    assert (result.status, result.value) == (Status.OK, sum(map(sum, grid)))


async def test_concurrent_calls_on_one_pool_are_isolated() -> None:
    code = (
        "import os, time\ndef main(i):\n    open('mine', 'w').write(str(i))\n    time.sleep(0.2)\n"
        "    return [i, open('mine').read(), os.getuid(), os.getcwd()]\n"
    )
    async with SandboxPool(max_concurrency=6) as pool:
        results = await asyncio.gather(*(pool.run(code, args=[i]) for i in range(6)))
    assert [r.status for r in results] == [Status.OK] * 6
    assert [r.value[:2] for r in results] == [[i, str(i)] for i in range(6)]
    assert len({r.value[3] for r in results}) == 6  # six private directories at once
    if os.geteuid() == 0:
        assert len({r.value[2] for r in results}) == 6  # and six uids


async def test_module_level_run_and_arun_share_a_default_sandbox() -> None:
    assert run("def main():\n    return 7\n").value == 7
    result = await arun("def f(x):\n    return x * 2\n", "f", args=[21])
    assert (result.status, result.value) == (Status.OK, 42)


@pytest.mark.parametrize("pause", [0.0, 0.3])
def test_the_pool_recovers_when_its_server_is_killed(pause: float) -> None:
    """A call racing the death (pause 0) may be reported crashed; once the host has noticed it, calls
    run on a new server."""
    with Sandbox(limits=Limits(timeout=10)) as sb:
        assert sb.run("def main():\n    return 1\n").value == 1
        first = sb.server_pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        time.sleep(pause)
        racing = sb.run("def main():\n    return 2\n")
        if pause:
            assert (racing.status, racing.value) == (Status.OK, 2)
        else:
            assert racing.status in (Status.OK, Status.CRASHED)
        result = sb.run("def main():\n    return 3\n")
        assert (result.status, result.value) == (Status.OK, 3)
        assert sb.server_pid not in (None, first)


def test_a_call_in_flight_when_the_server_dies_is_crashed() -> None:
    with Sandbox(limits=Limits(timeout=20)) as sb:
        sb.start()
        pid = sb.server_pid
        assert pid is not None

        async def go() -> object:
            task = asyncio.ensure_future(sb.arun("import time\ndef main():\n    time.sleep(30)\n"))
            await asyncio.sleep(0.5)
            os.kill(pid, signal.SIGKILL)
            return await task

        result = asyncio.run(go())
        assert result.status is Status.CRASHED  # type: ignore[attr-defined]
        assert sb.run("def main():\n    return 3\n").value == 3


def test_closing_stops_the_server_and_refuses_more_work() -> None:
    sb = Sandbox()
    sb.start()
    pid = sb.server_pid
    assert pid is not None
    sb.close()
    time.sleep(0.1)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(SandboxError, match="closed"):
        sb.run("def main():\n    return 1\n")


def test_separate_pools_never_share_a_uid() -> None:
    if os.geteuid() != 0:
        pytest.skip("uids per job exist only when the host runs as root")  # ran as root in CI
    code = "import os\ndef main():\n    return os.getuid()\n"
    with Sandbox() as one, Sandbox() as two:
        assert one.run(code).value != two.run(code).value


def test_fork_per_call_without_spares_works() -> None:
    with Sandbox(spares=0) as sb:
        assert [sb.run("def main(x):\n    return x\n", args=[i]).value for i in range(3)] == [0, 1, 2]


def test_strict_mode_refuses_when_seccomp_is_missing_and_weak_mode_reports_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Simulate a machine without libseccomp (the filter compiler fails) and check both modes."""
    monkeypatch.setattr(
        pool_module, "_filter_cache", SandboxError("seccomp unavailable: libseccomp not found")
    )
    with pytest.raises(SandboxError, match="refusing to run untrusted code: missing seccomp"):
        Sandbox().start()
    with Sandbox(allow_weak=True) as weak:
        result = weak.run("import socket\ndef main():\n    socket.socket()\n    return 'socket made'\n")
        assert result.status is Status.OK  # really weaker: no seccomp to kill it
        assert result.weak and result.missing == ("seccomp",)
        assert "seccomp" not in result.isolation
        # Without seccomp a job can fork; whatever it started dies with it.
        forker = (
            "import os, time\ndef main():\n    pid = os.fork()\n    if pid == 0:\n        time.sleep(60)\n"
            "        os._exit(0)\n    return pid\n"
        )
        forked = weak.run(forker)
        assert forked.status is Status.OK and forked.missing == ("seccomp",)  # reported in every result
        deadline = time.time() + 5
        while os.path.exists(f"/proc/{forked.value}") and time.time() < deadline:
            time.sleep(0.05)
        assert not os.path.exists(f"/proc/{forked.value}")
