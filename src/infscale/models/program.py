"""Non-LLM solvers as registry models: a Python callable answers the request.

Options: ``callable`` = ``"module:function"``. The function takes ``(request, index)`` and returns the text,
or a dict with ``text`` and optionally ``answer`` and ``score`` (the solver's own confidence in [0, 1], e.g. the
ARC DSL's train-pair score); it may be async. Its wall time is counted as compute
seconds; its money cost is the registry price (normally 0). Used for the ARC DSL search and for tools.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import time
from collections.abc import Callable
from typing import Any

from ..errors import ConfigError, ModelUnavailableError
from ..types import Request, Sample, Usage
from .base import Backend
from .spec import ModelSpec


class ProgramBackend(Backend):
    kind = "program"

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec)
        target = spec.options.get("callable")
        if not isinstance(target, str) or ":" not in target:
            raise ConfigError(f"model {spec.name!r}: program backend needs callable = 'module:function'")
        self.target = target
        self._fn: Callable[..., Any] | None = None

    def _resolve(self) -> Callable[..., Any]:
        if self._fn is None:
            mod, _, attr = self.target.partition(":")
            try:
                self._fn = getattr(importlib.import_module(mod), attr)
            except (ImportError, AttributeError) as e:
                raise ModelUnavailableError(
                    f"model {self.spec.name!r}: cannot load {self.target}: {e}"
                ) from None
        return self._fn

    def availability(self) -> tuple[bool, str]:
        try:
            self._resolve()
        except ModelUnavailableError as e:
            return False, e.message
        return True, ""

    async def generate(self, request: Request) -> list[Sample]:
        request.validate()
        fn = self._resolve()
        out: list[Sample] = []
        for i in range(request.n):
            t0 = time.perf_counter()
            try:
                if inspect.iscoroutinefunction(fn):
                    r = await fn(request, i)
                else:
                    r = await asyncio.to_thread(fn, request, i)
                err = None
            except Exception as e:  # a failing solver is a failed sample, not a failed request
                r, err = "", f"{type(e).__name__}: {e}"
            dt = time.perf_counter() - t0
            text, answer = (r.get("text", ""), r.get("answer")) if isinstance(r, dict) else (str(r), None)
            score = r.get("score") if isinstance(r, dict) else None
            usage = Usage(input_tokens=0, output_tokens=0, calls=1)
            out.append(
                Sample(
                    text=text,
                    model=self.spec.name,
                    index=i,
                    answer=answer,
                    usage=usage,
                    cost=self.spec.cost_of(usage, compute_s=dt),
                    latency_ms=dt * 1000,
                    seed=request.seed,
                    error=err,
                    score=float(score) if score is not None else None,
                )
            )
        return out
