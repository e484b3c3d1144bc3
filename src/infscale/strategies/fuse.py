"""``fuse``: an aggregator model reads k candidates and writes one answer.

Candidates come from models (``n`` samples) or from sub-strategies (``over``: each run is a candidate;
a sub-strategy that returns several samples, like ``rank(top_k=3)``, contributes all of them). Equal
answers are shown once, with how many candidates gave them. When every candidate agrees there is nothing
to fuse and no aggregator call is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..types import Request, Sample
from .base import Action, Call, Done, Outcome, Run, RunInfo, Strategy
from .common import (
    Source,
    answer_key,
    derive_seed,
    derived_request,
    distinct,
    first_ok,
    question_of,
    show_answer,
    tally,
    valid,
)

FUSE_SYSTEM = (
    "You are given a question and candidate answers from several assistants. Some may be wrong. "
    "Reply with the single correct final answer only."
)


def fuse_prompt(question: str, cands: list[Sample], counts: dict[str, int]) -> str:
    lines = [f"Question: {question}", "Candidate answers:"]
    for i, c in enumerate(cands, 1):
        k = counts.get(answer_key(c.answer), 1)
        lines.append(f"{i}. {show_answer(c)}" + (f" (given {k} times)" if k > 1 else ""))
    lines.append("Final answer:")
    return "\n".join(lines)


@dataclass
class FuseStrategy(Strategy):
    name = "fuse"
    source: Source = field(default_factory=Source)
    aggregator: str | None = None
    n: int = 4
    max_candidates: int = 8

    def models(self) -> list[str]:
        return self.source.names() + ([self.aggregator] if self.aggregator else [])

    def _aggregator(self) -> str:
        if self.aggregator:
            return self.aggregator
        names = self.source.names()
        return names[-1] if names else "?"

    def describe(self) -> str:
        return f"fuse(n={self.n}, {self.source.describe()}, aggregator={self._aggregator()})"

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        return {
            "request": request,
            "info": info,
            "phase": "draw",
            "candidates": [],
            "samples": [],
            "fused": None,
        }

    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        req: Request = state["request"]
        info: RunInfo = state["info"]
        if state["phase"] == "draw":
            state["phase"] = "drawing"
            return self.source.plan(self.n, 0, req, info, "fuse")
        if state["phase"] == "drawing":
            got = self.source.collect(outcomes, info, req)
            # A sub-strategy's completion may carry several ranked candidates (rank(top_k=k)).
            for o in outcomes:
                if isinstance(o.action, Run) and o.completion is not None and len(o.completion.samples) > 1:
                    got.candidates.extend(valid(o.completion.samples))
            state["candidates"].extend(got.candidates)
            state["samples"].extend(got.samples)
            cands = distinct(state["candidates"])[: self.max_candidates]
            if len(cands) < 2:
                return self.best(state)
            state["phase"] = "fusing"
            counts = {t.key: t.count for t in tally(state["candidates"])}
            r = derived_request(
                req,
                info,
                fuse_prompt(question_of(info, req), cands, counts),
                system=FUSE_SYSTEM,
                seed=derive_seed(info.seed, "fuse", "aggregate"),
            )
            return [Call(self._aggregator(), r, label="fuse:aggregate")]
        for o in outcomes:
            for s in o.samples:
                state["samples"].append(s)
                if s.ok and s.answer is not None and state["fused"] is None:
                    state["fused"] = s
        return self.best(state)

    def best(self, state: dict[str, Any]) -> Done:
        fused: Sample | None = state["fused"]
        ranked = tally(state["candidates"])
        total = sum(t.count for t in ranked)
        if fused is not None:
            agree = next((t.count for t in ranked if t.key == answer_key(fused.answer)), 0)
            return Done(
                answer=fused.answer,
                text=fused.text,
                confidence=agree / total if total else None,
                samples=state["samples"],
                info={"fused": True, "candidates": total},
            )
        if ranked:  # no aggregator answer: the candidates' plurality
            top = ranked[0]
            return Done(
                answer=top.answer,
                text=top.first.text,
                confidence=top.count / total,
                samples=state["samples"],
                info={"fused": False, "candidates": total},
            )
        s = first_ok(state["samples"])
        return Done(answer=None, text=s.text if s else "", confidence=0.0, samples=state["samples"])
