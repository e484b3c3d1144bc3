"""The synchronous face of the sandbox, and module-level ``run``/``arun`` over a shared default pool.

A ``Sandbox`` owns a ``SandboxPool`` living on a private event loop in a daemon thread, so that sync
callers and callers on any event loop share one warm fork server.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, TypeVar

from ..errors import SandboxError
from .policy import Isolation, Limits, SandboxResult
from .pool import SandboxPool

T = TypeVar("T")


class Sandbox:
    """Thread-safe synchronous sandbox: ``with Sandbox() as sb: sb.run(code, "f", args=[1])``."""

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        allow_weak: bool = False,
        max_concurrency: int | None = None,
        namespaces: bool = True,
        spares: int = 2,
    ) -> None:
        self._pool = SandboxPool(
            limits=limits,
            allow_weak=allow_weak,
            max_concurrency=max_concurrency,
            namespaces=namespaces,
            spares=spares,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def isolation(self) -> Isolation | None:
        return self._pool.isolation

    @property
    def server_pid(self) -> int | None:
        return self._pool.server_pid

    def _call(self, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        loop = self._ensure_loop()  # first: a closed sandbox must not leave a coroutine unawaited
        return asyncio.run_coroutine_threadsafe(make(), loop).result()

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise SandboxError("this sandbox is closed")
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="infscale-sandbox", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def start(self) -> Isolation:
        """Start the fork server now (it also starts on first use); returns the isolation in force."""
        return self._call(self._pool.start)

    def run(
        self,
        code: str,
        function: str = "main",
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        limits: Limits | None = None,
    ) -> SandboxResult:
        """Define ``code`` in a fresh sandboxed process and return ``function(*args, **kwargs)``."""
        return self._call(lambda: self._pool.run(code, function, args, kwargs, limits=limits))

    async def arun(
        self,
        code: str,
        function: str = "main",
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        limits: Limits | None = None,
    ) -> SandboxResult:
        """``run`` for callers on any event loop."""
        loop = self._ensure_loop()
        coro = self._pool.run(code, function, args, kwargs, limits=limits)
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))

    def close(self) -> None:
        """Stop the fork server (killing any running job) and the loop thread; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._pool.aclose(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


_defaults: dict[bool, Sandbox] = {}
_defaults_lock = threading.Lock()


def default_sandbox(allow_weak: bool = False) -> Sandbox:
    """The process-wide shared sandbox (one per weak/strict setting), closed at interpreter exit."""
    with _defaults_lock:
        sandbox = _defaults.get(allow_weak)
        if sandbox is None:
            sandbox = _defaults[allow_weak] = Sandbox(allow_weak=allow_weak)
        return sandbox


@atexit.register
def _close_defaults() -> None:
    for sandbox in list(_defaults.values()):
        sandbox.close()
    _defaults.clear()


def run(
    code: str,
    function: str = "main",
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    limits: Limits | None = None,
    allow_weak: bool = False,
) -> SandboxResult:
    """Run ``function(*args, **kwargs)`` from untrusted ``code`` in the shared default sandbox."""
    return default_sandbox(allow_weak).run(code, function, args, kwargs, limits=limits)


async def arun(
    code: str,
    function: str = "main",
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    limits: Limits | None = None,
    allow_weak: bool = False,
) -> SandboxResult:
    """Async ``run`` (from any event loop) in the shared default sandbox."""
    return await default_sandbox(allow_weak).arun(code, function, args, kwargs, limits=limits)
