"""The host side: a warm fork server, and one freshly forked, confined child per call.

``SandboxPool`` is asyncio-native and safe to share between tasks of its loop; concurrency is bounded
by a semaphore. A crashed or unresponsive fork server is replaced at the next call.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import SandboxError
from .policy import Isolation, Limits, Observation, SandboxResult, Status, judge
from .seccomp_filter import Filters, compile_filters

WORKER = Path(__file__).with_name("worker.py")
SERVER_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC"}
_STARTUP_TIMEOUT = 60.0
_KILL_GRACE = 5.0  # after SIGKILL, how long the server may take to report the exit
_MAX_MESSAGE = 1 << 20
_INLINE_MAX = 60_000  # a job this small travels in the run message (and fits an empty pipe)
_filter_cache: Filters | SandboxError | None = None


def _seccomp() -> Filters | SandboxError:
    global _filter_cache
    if _filter_cache is None:
        try:
            _filter_cache = compile_filters()
        except SandboxError as exc:
            _filter_cache = exc
    return _filter_cache


_ROOT_PREFIX = "infscale-sandbox-"


def _remove_stale_roots() -> None:
    """Remove the (empty) working dirs of hosts that were killed before they could clean up: named
    after the host's pid, owned by this user, and that pid no longer exists."""
    base = Path(tempfile.gettempdir())
    for path in base.glob(f"{_ROOT_PREFIX}*-*"):
        pid = path.name[len(_ROOT_PREFIX) :].split("-", 1)[0]
        with contextlib.suppress(OSError, ValueError):
            if path.stat().st_uid == os.geteuid() and not Path(f"/proc/{int(pid)}").exists():
                shutil.rmtree(path, ignore_errors=True)


class _ServerGone(SandboxError):
    """The fork server was found dead while handing it a call (the call had not started)."""


class _Job:
    """One call in flight, driven by loop callbacks: ``done`` resolves to the server's exit message
    (None if the server died) once the child has exited and its pipes are drained."""

    def __init__(self, server: _Server, job_id: int, limits: Limits, payload: bytes) -> None:
        self.server, self.id, self.limits, self.payload = server, job_id, limits, payload
        self.loop = server.loop
        self.done: asyncio.Future[dict[str, Any] | None] = self.loop.create_future()
        self.out, self.err, self.res = bytearray(), bytearray(), bytearray()
        self.killed_for: str | None = None
        self.exit_msg: dict[str, Any] | None = None
        self.exited = False
        self.streams_open = 3
        self.fds: list[int] = []  # host ends still open (each closed exactly once, in close())
        self.timers: list[asyncio.TimerHandle] = []
        self.cid: int | None = None  # the server's name for the child, once known
        self.kill_pending = False

    # -- events from the server

    def on_started(self, cid: int, fds: list[int]) -> None:
        """The child and the host's ends of its pipes: [job_w (unless the job went inline), out, err, res]."""
        self.cid, self.fds = cid, fds
        self.server.by_cid[cid] = self
        if self.kill_pending:
            self.kill()
        for fd in fds:
            os.set_blocking(fd, False)
        if len(fds) == 4:  # feed the job to the child's stdin: writing it is what starts the child
            self._feed(memoryview(self.payload))
        out_r, err_r, res_r = fds[-3:]
        caps = (
            (out_r, self.out, self.limits.output_bytes, "output"),
            (err_r, self.err, self.limits.output_bytes, "output"),
            (res_r, self.res, self.limits.result_bytes + 1024, "result"),
        )
        for fd, buf, cap, what in caps:
            self.loop.add_reader(fd, self._drain, fd, buf, cap, what)

    def on_exited(self, msg: dict[str, Any] | None) -> None:
        self.exited, self.exit_msg = True, msg
        if msg is None or self.streams_open == 0:
            self._finish()
        else:  # the pipes close with the child; whatever is left in them arrives at once
            self.timers.append(self.loop.call_later(_KILL_GRACE, self._finish))

    def on_failed(self, exc: BaseException) -> None:
        if not self.done.done():
            self.done.set_exception(exc)

    # -- deadlines and limits

    def on_deadline(self) -> None:
        if self.done.done() or self.killed_for is not None:
            return
        self.killed_for = "timeout"
        self.kill()

    def kill(self) -> None:
        if self.cid is None:  # the server has not named the child yet: kill it when it does
            self.kill_pending = True
            return
        self.loop.create_task(self.server.send({"op": "kill", "cid": self.cid}, quiet=True))
        # A server that does not report the exit of a killed job is broken: replace it.
        self.timers.append(self.loop.call_later(_KILL_GRACE, self._server_unresponsive))

    def _server_unresponsive(self) -> None:
        if not self.done.done():
            self.server.close()

    def _drain(self, fd: int, buf: bytearray, cap: int, what: str) -> None:
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if chunk:
            if len(buf) + len(chunk) <= cap:
                buf += chunk
                return
            buf += chunk[: max(cap - len(buf), 0)]
            if self.killed_for is None:
                self.killed_for = what
                self.kill()
        self.loop.remove_reader(fd)  # EOF, or over the limit: stop reading (the child is being killed)
        self.streams_open -= 1
        if self.streams_open == 0 and self.exited:
            self._finish()

    def _feed(self, view: memoryview) -> None:
        fd = self.fds[0]
        try:
            while view:
                view = view[os.write(fd, view) :]
        except BlockingIOError:  # a big job: the rest when the child has read some
            self.loop.add_writer(fd, self._feed, view)
            return
        except OSError:
            pass  # the child is gone or closed its stdin
        self.loop.remove_writer(fd)
        self.fds[0] = -1
        os.close(fd)  # EOF: the child starts

    def _finish(self) -> None:
        if not self.done.done():
            self.done.set_result(self.exit_msg)

    def close(self) -> None:
        for timer in self.timers:
            timer.cancel()
        for fd in self.fds:
            if fd >= 0:
                self.loop.remove_reader(fd)
                self.loop.remove_writer(fd)
                os.close(fd)
        self.fds = []


class _Server:
    """One fork-server process and its control socket, bound to one event loop."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        namespaces: bool,
        preload: Sequence[str] | None,
        spares: int,
        spare_disk: int,
    ) -> None:
        self.loop = loop
        self.jobs: dict[int, _Job] = {}  # by the host's job id
        self.by_cid: dict[int, _Job] = {}  # by the server's child id, once started
        self.spares: collections.deque[tuple[int, list[int]]] = collections.deque()  # (cid, pipes)
        self.spare_disk = spare_disk
        self.ready: asyncio.Future[dict[str, Any]] = loop.create_future()
        self.dead = False
        _remove_stale_roots()
        self.root = tempfile.mkdtemp(prefix=f"{_ROOT_PREFIX}{os.getpid()}-")
        os.chmod(self.root, 0o711)  # job dirs inside are 0700 and owned by each job's uid
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        flt = _seccomp()
        config: dict[str, Any] = {"root": self.root, "namespaces": namespaces, "spares": spares}
        config["spare_disk"] = spare_disk
        if isinstance(flt, Filters):
            config |= {"server_bpf": flt.server.hex(), "child_bpf": flt.child.bpf.hex()}
            config["pid_words"] = list(flt.child.pid_words)
        if preload is not None:
            config["preload"] = list(preload)
        log = os.open(os.path.join(self.root, "server.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-I",
                    "-B",
                    "-X",
                    "utf8",
                    str(WORKER),
                    str(theirs.fileno()),
                    str(os.getpid()),
                ],
                pass_fds=(theirs.fileno(),),
                env=SERVER_ENV,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                cwd="/",
                start_new_session=True,  # a Ctrl-C at the host's terminal is the host's to handle
            )
        finally:
            os.close(log)
            theirs.close()
        self.sock.send(json.dumps(config).encode())
        self.sock.setblocking(False)
        loop.add_reader(self.sock.fileno(), self._on_readable)

    def log_tail(self) -> str:
        try:
            text = Path(self.root, "server.log").read_text(errors="replace")
        except OSError:
            return ""
        return text.strip().splitlines()[-1] if text.strip() else ""

    def _on_readable(self) -> None:
        while True:
            try:
                data, fds, _flags, _addr = socket.recv_fds(self.sock, _MAX_MESSAGE, 4)
            except BlockingIOError:
                return
            except OSError:
                data, fds = b"", []
            if not data:
                self._died()
                return
            for fd in fds:  # SCM_RIGHTS does not set it; a program the host execs must not hold these
                os.set_inheritable(fd, False)
            msg = json.loads(data)
            ev = msg["ev"]
            if ev == "ready":
                if not self.ready.done():
                    self.ready.set_result(msg["report"])
                continue
            if ev == "spare" and len(fds) == 4:
                self.spares.append((msg["cid"], fds))
                continue
            job = self.jobs.get(msg.get("id", -1))
            if ev == "started" and job is not None and not job.fds and len(fds) in (3, 4):
                job.on_started(msg["cid"], fds)
                continue
            for fd in fds:  # nobody is waiting for these (a cancelled call): the child then gets EOF
                os.close(fd)
            if ev == "exited":
                self._on_exit(msg)
            elif ev == "failed" and job is not None:
                job.on_failed(SandboxError(f"the fork server could not start the job: {msg['error']}"))

    def _on_exit(self, msg: dict[str, Any]) -> None:
        job = self.by_cid.pop(msg["cid"], None)
        if job is not None:
            job.on_exited(msg)
            return
        for spare in self.spares:  # a spare died before it was used (the next call forks anew)
            if spare[0] == msg["cid"]:
                self.spares.remove(spare)
                for fd in spare[1]:
                    os.close(fd)
                break

    def take_spare(self) -> tuple[int, list[int]] | None:
        return self.spares.popleft() if self.spares else None

    def _died(self) -> None:
        if self.dead:
            return
        self.dead = True
        self.loop.remove_reader(self.sock.fileno())
        if not self.ready.done():
            self.ready.set_exception(SandboxError(f"the sandbox server failed to start: {self.log_tail()}"))
        for job in list(self.jobs.values()):
            job.on_exited(None)
        while self.spares:
            for fd in self.spares.popleft()[1]:
                os.close(fd)

    async def send(self, msg: dict[str, Any], payload: bytes = b"", *, quiet: bool = False) -> None:
        """One datagram: the JSON message, then a NUL and the inline payload if any."""
        data = json.dumps(msg).encode() + (b"\0" + payload if payload else b"")
        while not self.dead:
            try:
                self.sock.send(data)
                return
            except BlockingIOError:
                writable = self.loop.create_future()
                self.loop.add_writer(self.sock.fileno(), writable.set_result, None)
                try:
                    await writable
                finally:
                    self.loop.remove_writer(self.sock.fileno())
            except OSError as exc:
                self._died()
                if not quiet:
                    raise _ServerGone(f"the sandbox server is gone: {exc}") from exc
        if not quiet:
            raise _ServerGone("the sandbox server is gone")

    def close(self) -> None:
        if not self.dead:
            self._died()
        self.sock.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)  # its children die with it (parent-death signal)
        # Its exit tears down its namespaces, which a loaded kernel may take a while to do: never
        # hang the host on that (subprocess reaps it later).
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=_KILL_GRACE)
        shutil.rmtree(self.root, ignore_errors=True)


class SandboxPool:
    """Run untrusted Python functions, each in a fresh child forked from one warm, confined template.

    ``spares`` children are kept forked and confined ahead of time (0: fork when a call arrives); each
    runs one call and is gone. Refuses to start when a required isolation mechanism is missing, unless
    ``allow_weak=True``: then every result lists what was missing (``SandboxResult.missing``)."""

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        allow_weak: bool = False,
        max_concurrency: int | None = None,
        namespaces: bool = True,
        preload: Sequence[str] | None = None,
        spares: int = 2,
    ) -> None:
        self.limits = limits or Limits()
        self.allow_weak = allow_weak
        self.max_concurrency = max_concurrency or max(2, os.cpu_count() or 2)
        if not 1 <= self.max_concurrency <= 200:
            raise SandboxError(f"max_concurrency must be in [1, 200], got {self.max_concurrency}")
        if not 0 <= spares <= 64:
            raise SandboxError(f"spares must be in [0, 64], got {spares}")
        self.namespaces = namespaces
        self.preload = preload
        self.spares = spares
        self._server: _Server | None = None
        self._isolation: Isolation | None = None
        self._start_lock: asyncio.Lock | None = None
        self._sem: asyncio.Semaphore | None = None
        self._ids = itertools.count(1)
        self._closed = False

    @property
    def isolation(self) -> Isolation | None:
        return self._isolation

    @property
    def server_pid(self) -> int | None:
        return self._server.proc.pid if self._server is not None and not self._server.dead else None

    async def __aenter__(self) -> SandboxPool:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def start(self) -> Isolation:
        """Start the fork server (if not running) and return what isolation is in force."""
        if self._closed:
            raise SandboxError("this sandbox pool is closed")
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
            self._sem = asyncio.Semaphore(self.max_concurrency)
        async with self._start_lock:
            if self._server is not None and not self._server.dead:
                assert self._isolation is not None
                return self._isolation
            if self._server is not None:
                self._server.close()
                self._server = None
            server = _Server(
                asyncio.get_running_loop(), self.namespaces, self.preload, self.spares, self.limits.disk_bytes
            )
            try:
                report = await asyncio.wait_for(server.ready, _STARTUP_TIMEOUT)
                isolation = Isolation.from_report(report)
                if not report.get("probe"):
                    raise SandboxError(f"the sandbox self-test failed: {'; '.join(isolation.notes)}")
                if isolation.missing and not self.allow_weak:
                    flt = _seccomp()
                    why = (
                        f" ({flt})"
                        if "seccomp" in isolation.missing and isinstance(flt, SandboxError)
                        else ""
                    )
                    raise SandboxError(
                        f"refusing to run untrusted code: missing {', '.join(isolation.missing)}{why}; "
                        "see `infscale sandbox check`, or opt in to weaker isolation with allow_weak=True"
                    )
            except BaseException:
                server.close()
                raise
            self._server, self._isolation = server, isolation
            return isolation

    async def aclose(self) -> None:
        self._closed = True
        if self._server is not None:
            self._server.close()
            self._server = None

    async def run(
        self,
        code: str,
        function: str = "main",
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        limits: Limits | None = None,
    ) -> SandboxResult:
        """Define ``code`` as a module in a fresh sandboxed child, call ``function(*args, **kwargs)``."""
        if not isinstance(code, str):
            raise SandboxError(f"code must be a str, got {type(code).__name__}")
        if not isinstance(function, str) or not function.isidentifier():
            raise SandboxError(f"function must be a Python identifier, got {function!r}")
        if limits is not None and not isinstance(limits, Limits):
            raise SandboxError(f"limits must be a Limits, got {type(limits).__name__}")
        limits = limits or self.limits
        job = {"code": code, "function": function, "limits": limits.to_wire()}
        try:
            payload = json.dumps(
                job | {"args": list(args), "kwargs": dict(kwargs or {})}, allow_nan=False
            ).encode()
        except (TypeError, ValueError) as exc:
            raise SandboxError(f"inputs must be JSON-serialisable: {exc}") from exc
        await self.start()
        assert self._sem is not None
        async with self._sem:
            await self.start()  # the server may have died while this call waited
            assert self._server is not None and self._isolation is not None
            try:
                return await self._run(self._server, self._isolation, payload, limits)
            except _ServerGone:  # died between calls: nothing of this call ran; once more, on a new one
                await self.start()
                assert self._server is not None and self._isolation is not None
                return await self._run(self._server, self._isolation, payload, limits)

    async def _run(self, server: _Server, iso: Isolation, payload: bytes, limits: Limits) -> SandboxResult:
        loop = server.loop
        job = _Job(server, next(self._ids), limits, payload)
        server.jobs[job.id] = job
        inline = len(payload) <= _INLINE_MAX
        t0 = time.perf_counter()
        deadline = loop.call_later(limits.timeout, job.on_deadline)
        try:
            spare = server.take_spare() if limits.disk_bytes == server.spare_disk else None
            if spare is not None:  # start a waiting child directly: writing the job is all it takes
                job.on_started(*spare)
            else:  # have the server fork a child (and size its private dir) for this call
                msg = {"op": "run", "id": job.id, "limits": limits.to_wire(), "inline": inline}
                await server.send(msg, payload if inline else b"")
            exit_msg = await job.done
            wall = time.perf_counter() - t0
        finally:
            deadline.cancel()
            if not job.done.done():  # cancelled by our caller: do not leave the child running
                job.kill()
            job.close()
            server.jobs.pop(job.id, None)
            if job.cid is not None:
                server.by_cid.pop(job.cid, None)
        cpu = float(exit_msg["utime"] + exit_msg["stime"]) if exit_msg else 0.0
        obs = Observation(
            exit_msg["wstatus"] if exit_msg else None, bytes(job.res), job.killed_for, cpu, limits
        )
        status, value, error = judge(obs)
        return SandboxResult(
            status=status,
            value=value if status is Status.OK else None,
            stdout=job.out.decode(errors="replace"),
            stderr=job.err.decode(errors="replace"),
            wall_time=wall,
            cpu_time=cpu,
            error=error,
            isolation=iso.in_force,
            missing=iso.missing,
        )
