"""The verifier protocol: score candidate samples in [0, 1], possibly with model calls of its own.

Like strategies, verifiers do no I/O. ``plan`` returns the actions a verifier needs (an LLM judge's calls,
the programs of program-aided checking); the strategy hands them to the engine with its own actions and
passes the outcomes to ``finish``, which returns the candidates with ``score`` set. Verifiers that only
look at the samples (exact, Python callable, logprob) plan nothing.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..strategies.base import Action, Outcome, RunInfo
from ..types import Request, Sample


@dataclass
class VerifyContext:
    """What a verifier may read: the run, the original request and question, the answer kind."""

    request: Request
    info: RunInfo
    question: str
    kind: str
    tag: str = "verify"
    models: list[str] = field(default_factory=list)  # the calling strategy's models (a default judge)
    round: int = 0  # distinguishes the seeds of repeated verifications in one run


class Verifier(abc.ABC):
    """Scores candidates in [0, 1]."""

    name: ClassVar[str] = ""
    #: The score at or above which a candidate counts as passing (``refine`` stops there).
    pass_threshold: float = 0.5
    #: True when ``plan`` does not depend on the candidates: a caller may reuse the first outcomes.
    candidate_independent: bool = False

    def models(self) -> list[str]:
        """Registry models this verifier calls (validated with the pipeline)."""
        return []

    def describe(self) -> str:
        return self.name

    def plan(self, candidates: Sequence[Sample], ctx: VerifyContext) -> list[Action]:
        """Actions needed to score ``candidates`` (default: none)."""
        return []

    def followup(
        self, candidates: Sequence[Sample], outcomes: Sequence[Outcome], ctx: VerifyContext
    ) -> list[Action]:
        """More actions after ``plan``'s (e.g. running model-written programs in the sandbox), given every
        outcome so far; must not repeat an action whose outcome is already there. Default: none."""
        return []

    @abc.abstractmethod
    def finish(
        self, candidates: Sequence[Sample], outcomes: Sequence[Outcome], ctx: VerifyContext
    ) -> list[Sample]:
        """The candidates with ``score`` set (copies); a verifier may append candidates it proposes."""

    def label(self, ctx: VerifyContext, i: int | str = 0) -> str:
        return f"{ctx.tag}:{self.name}:{i}"


def label_index(label: str) -> int | None:
    """The index encoded at the end of a verifier action's label."""
    tail = label.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def clamp01(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return 0.0
    if v != v:  # NaN
        return 0.0
    return min(1.0, max(0.0, v))
