"""``sample``: n samples from one or several models; the answer is the most frequent one."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..types import Request, Sample
from .base import Action, Done, Outcome, RunInfo, Strategy


def answer_key(answer: Any) -> str:
    """A hashable, order-stable key for comparing answers of any JSON-like type."""
    import json

    return json.dumps(answer, sort_keys=True, default=str)


def plurality(samples: list[Sample]) -> tuple[Any, Sample | None, float]:
    """The most frequent extracted answer (ties: the earliest), its first sample, and its share."""
    valid = [s for s in samples if s.ok and s.answer is not None]
    if not valid:
        first = next((s for s in samples if s.ok), None)
        return None, first, 0.0
    counts = Counter(answer_key(s.answer) for s in valid)
    top = max(counts.values())
    winner = next(s for s in valid if counts[answer_key(s.answer)] == top)
    return winner.answer, winner, top / len(valid)


@dataclass
class SampleStrategy(Strategy):
    """Draw ``n`` samples, split across ``models`` in proportion to ``weights``.

    ``via="pal"``: each sample is program-aided (the model writes a Python expression, executing it
    gives the answer; see ``infscale.verifiers.pal``).
    """

    name = "sample"
    pool: list[str] = field(default_factory=list)
    n: int = 1
    weights: list[float] | None = None
    temperature: float | None = None
    via: str = "direct"

    def models(self) -> list[str]:
        return list(self.pool)

    def describe(self) -> str:
        if len(self.pool) == 1 and self.n == 1 and self.via == "direct":
            return self.pool[0]
        extra = f", weights={self.weights}" if self.weights else ""
        extra += f", via={self.via}" if self.via != "direct" else ""
        return f"sample(n={self.n}, models=[{', '.join(self.pool)}]{extra})"

    def split(self) -> list[tuple[str, int]]:
        """How many samples each model draws (largest remainder, every model with weight > 0 gets its share)."""
        w = self.weights or [1.0] * len(self.pool)
        total = sum(w)
        raw = [self.n * x / total for x in w]
        counts = [int(r) for r in raw]
        order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
        for i in order[: self.n - sum(counts)]:
            counts[i] += 1
        return [(m, c) for m, c in zip(self.pool, counts, strict=True) if c > 0]

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        return {"request": request, "info": info, "samples": [], "errors": [], "asked": False}

    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        from .common import Source

        req: Request = state["request"]
        # Models with weight 0 draw nothing; Source splits by the remaining weights.
        source = Source(
            models=[m for m, _ in self.split()],
            split=[float(k) for _, k in self.split()],
            temperature=self.temperature if self.temperature is not None else req.temperature,
            via=self.via,
        )
        if not state["asked"]:
            state["asked"] = True
            return source.plan(self.n, 0, req, state["info"], "sample")
        got = source.collect(outcomes, state["info"], req)
        state["samples"].extend(got.samples)
        state["errors"].extend(got.errors)
        return self.best(state)

    def best(self, state: dict[str, Any]) -> Done:
        samples: list[Sample] = state["samples"]
        answer, winner, share = plurality(samples)
        # One sample has no vote share to speak of: its own score (a solver's confidence), if any, says more.
        scored = len(samples) == 1 and winner is not None and winner.score is not None
        return Done(
            answer=answer,
            text=winner.text if winner else "",
            confidence=(winner.score if scored and winner else share) if samples else None,
            samples=samples,
        )
