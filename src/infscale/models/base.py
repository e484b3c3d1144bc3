"""The backend interface: one abstract async method, ``generate``."""

from __future__ import annotations

import abc
import asyncio
from typing import ClassVar

from ..types import Request, Sample
from .spec import ModelSpec


class Backend(abc.ABC):
    """Runs one registry model. Subclasses implement ``generate``; everything else has defaults.

    ``generate`` returns exactly ``request.n`` samples (indices 0..n-1). A sample whose generation failed
    carries ``error`` instead of raising, so that k failures out of n still leave n-k answers; a failure
    of the whole call (unreachable endpoint, missing model) raises a ``ModelError``.
    """

    kind: ClassVar[str] = ""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.max_concurrency = int(spec.options.get("max_concurrency", 4))
        self._semaphore: asyncio.Semaphore | None = None

    @property
    def semaphore(self) -> asyncio.Semaphore:
        """Bounds concurrent calls to this model (created lazily inside the running loop)."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_concurrency)
        return self._semaphore

    @abc.abstractmethod
    async def generate(self, request: Request) -> list[Sample]:
        """Return ``request.n`` samples for ``request``."""

    def input_bound(self, request: Request) -> int:
        """An upper bound on the input tokens of ``request`` (budgets reserve it before the call)."""
        from ..monitor.budget import input_bound

        return input_bound(request)

    def availability(self) -> tuple[bool, str]:
        """Whether the model can run here, and if not, why (no model is loaded or called)."""
        return True, ""

    async def aclose(self) -> None:
        """Release resources (connections, loaded weights)."""
        return None
