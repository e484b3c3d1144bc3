"""``vote``: majority / self-consistency over extracted answers, weighted, optionally adaptive.

Votes are weighted by model (``weights``, one per model) and/or by confidence (``by="confidence"``: each
sample counts exp(mean token logprob)). Adaptive voting draws ``batch`` samples at a time and stops once
the leader cannot be overtaken by the draws that remain, or once a sequential test decides it at
``confidence`` (P(leader's true share > runner-up's) under a uniform prior), up to ``n`` samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..types import Request, Sample
from .base import Action, Done, Outcome, RunInfo, Strategy
from .common import Source, Tally, confidence_of, first_ok, prob_leader_ahead, tally


@dataclass
class VoteStrategy(Strategy):
    name = "vote"
    source: Source = field(default_factory=Source)
    n: int = 8
    weights: list[float] | None = None  # vote weight per model (same order as source.models)
    by: str = "count"  # count | confidence
    adaptive: bool = False
    batch: int = 4
    confidence: float = 0.95

    def models(self) -> list[str]:
        return self.source.names()

    def describe(self) -> str:
        parts = [f"n={self.n}", self.source.describe()]
        if self.weights:
            parts.append(f"weights={self.weights}")
        if self.by != "count":
            parts.append(f"by={self.by}")
        if self.adaptive:
            parts.append(f"adaptive, confidence={self.confidence}")
        return f"vote({', '.join(parts)})"

    def weight(self, s: Sample) -> float:
        w = 1.0
        if self.weights and s.model in self.source.models:
            w = self.weights[self.source.models.index(s.model)]
        if self.by == "confidence":
            w *= confidence_of(s)
        return w

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        return {
            "request": request,
            "info": info,
            "drawn": 0,
            "candidates": [],
            "samples": [],
            "errors": [],
            "stopped": None,
        }

    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        req: Request = state["request"]
        if outcomes:
            got = self.source.collect(outcomes, state["info"], req)
            state["candidates"].extend(got.candidates)
            state["samples"].extend(got.samples)
            state["errors"].extend(got.errors)
        drawn = state["drawn"]
        if drawn >= self.n:
            return self.best(state)
        if drawn > 0 and self.adaptive:
            why = self._decided(state["candidates"], self.n - drawn)
            if why:
                state["stopped"] = why
                return self.best(state)
        k = min(self.batch, self.n - drawn) if self.adaptive else self.n - drawn
        state["drawn"] = drawn + k
        return self.source.plan(k, drawn, req, state["info"], "vote")

    def _decided(self, candidates: list[Sample], remaining: int) -> str | None:
        ranked = tally(candidates, self.weight)
        if not ranked:
            return None
        top = ranked[0].weight
        second = ranked[1].weight if len(ranked) > 1 else 0.0
        max_w = max(self.weights) if self.weights else 1.0
        if top - second > remaining * max_w:
            return "leader cannot be overtaken"
        # The test counts votes, rescaled so that weights change the balance but not the sample size.
        total = sum(t.weight for t in ranked)
        n_valid = sum(t.count for t in ranked)
        scale = n_valid / total if total > 0 else 0.0
        if prob_leader_ahead(top * scale, second * scale) >= self.confidence:
            return f"sequential test at {self.confidence}"
        return None

    def best(self, state: dict[str, Any]) -> Done:
        cands: list[Sample] = state["candidates"]
        ranked: list[Tally] = tally(cands, self.weight)
        info: dict[str, Any] = {"drawn": len(cands), "distinct_answers": len(ranked)}
        if state.get("stopped"):
            info["stopped_early"] = state["stopped"]
        if not ranked:
            s = first_ok(cands)
            return Done(
                answer=None, text=s.text if s else "", confidence=0.0, samples=state["samples"], info=info
            )
        total = sum(t.weight for t in ranked)
        top = ranked[0]
        info["votes"] = {str(t.answer): round(t.weight, 4) for t in ranked[:5]}
        return Done(
            answer=top.answer,
            text=top.first.text,
            confidence=top.weight / total if total > 0 else 0.0,
            samples=state["samples"],
            info=info,
        )
