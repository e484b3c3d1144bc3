"""Verifiers that only look at the samples: an exact checker, a Python callable, logprob confidence."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import ConfigError
from ..extract import extract_number, normalize_text
from ..strategies.base import Outcome
from ..types import Sample
from .base import Verifier, VerifyContext, clamp01


def matches(answer: Any, reference: Any) -> bool:
    """An answer against a reference (or a list of acceptable ones): numbers by value, text normalised."""
    if answer is None:
        return False
    refs = reference if isinstance(reference, list | tuple) else [reference]
    for ref in refs:
        if isinstance(answer, int | float) and not isinstance(answer, bool):
            r = ref if isinstance(ref, int | float) else extract_number(str(ref))
            if r is not None and abs(float(answer) - float(r)) <= 1e-9 * max(1.0, abs(float(r))):
                return True
            continue
        if normalize_text(str(answer)) == normalize_text(str(ref)):
            return True
    return False


@dataclass
class ExactVerifier(Verifier):
    """1 when the answer equals ``expected`` (or the request's ``metadata['reference']``), else 0."""

    name = "exact"
    expected: Any = None

    def describe(self) -> str:
        return "exact" if self.expected is None else f"exact(expected={self.expected!r})"

    def finish(
        self, candidates: Sequence[Sample], outcomes: Sequence[Outcome], ctx: VerifyContext
    ) -> list[Sample]:
        ref = self.expected if self.expected is not None else ctx.request.metadata.get("reference")
        if ref is None:
            raise ConfigError("verifier 'exact' needs expected=... or the request's metadata 'reference'")
        return [replace(c, score=1.0 if c.ok and matches(c.answer, ref) else 0.0) for c in candidates]


def load_callable(target: str) -> Callable[..., Any]:
    """``module:function`` -> the function (a clear ConfigError otherwise)."""
    mod, _, attr = target.partition(":")
    if not mod or not attr:
        raise ConfigError(f"python verifier {target!r} must look like 'module:function'")
    try:
        fn = getattr(importlib.import_module(mod), attr)
    except (ImportError, AttributeError) as e:
        raise ConfigError(f"cannot load python verifier {target!r}: {e}") from None
    if not callable(fn):
        raise ConfigError(f"python verifier {target!r} is not callable")
    return fn  # type: ignore[no-any-return]


@dataclass
class CallableVerifier(Verifier):
    """A Python function scores each candidate: ``fn(answer, text, question)`` -> bool or float in [0, 1].

    A function that raises scores the candidate 0 (a broken check must not stop the run).
    """

    name = "python"
    fn: str | Callable[..., Any] = ""

    def __post_init__(self) -> None:
        self._fn = load_callable(self.fn) if isinstance(self.fn, str) else self.fn
        if inspect.iscoroutinefunction(self._fn):
            raise ConfigError("python verifier must be a plain (not async) function")

    def describe(self) -> str:
        target = self.fn if isinstance(self.fn, str) else getattr(self.fn, "__qualname__", "fn")
        return f"python(fn={target})"

    def finish(
        self, candidates: Sequence[Sample], outcomes: Sequence[Outcome], ctx: VerifyContext
    ) -> list[Sample]:
        out = []
        for c in candidates:
            try:
                score = clamp01(self._fn(c.answer, c.text, ctx.question)) if c.ok else 0.0
            except Exception:  # user code: a failing check is a failed check
                score = 0.0
            out.append(replace(c, score=score))
        return out


@dataclass
class LogprobVerifier(Verifier):
    """The sample's own confidence: the geometric mean of its tokens' probabilities."""

    name = "logprob"

    def finish(
        self, candidates: Sequence[Sample], outcomes: Sequence[Outcome], ctx: VerifyContext
    ) -> list[Sample]:
        from ..strategies.common import confidence_of

        return [replace(c, score=confidence_of(c) if c.ok else 0.0) for c in candidates]
