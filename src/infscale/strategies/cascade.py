"""``cascade``: ordered tiers; run a tier, escalate to the next when its confidence is below the tier's
threshold.

A tier's confidence is, by ``by``:

- ``auto`` (default): the tier's own confidence (vote agreement, verifier score, ...), except that a
  single sample is judged by its token probabilities (agreement of one sample says nothing);
- ``agreement``: the tier's own confidence as it reports it;
- ``logprob``: exp(mean token logprob) of the tier's chosen sample;
- ``verifier``: the cascade's ``verifier`` scores the tier's answer (a program-aided check, a judge).

The last tier never escalates. When the budget runs out, the most confident answer so far is returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..types import Completion, Request, Sample
from ..verifiers.base import Verifier
from .base import Action, Done, Outcome, Run, RunInfo, Strategy
from .best_of_n import verify_context, verify_finish, verify_start
from .common import candidate_from, confidence_of, derive_seed


@dataclass
class Tier:
    strategy: Strategy
    threshold: float | None = None  # None: the last tier (or never escalate)


@dataclass
class CascadeStrategy(Strategy):
    name = "cascade"
    tiers: list[Tier] = field(default_factory=list)
    by: str = "auto"  # auto | agreement | logprob | verifier
    verifier: Verifier | None = None
    default_threshold: float = 0.6

    def models(self) -> list[str]:
        out: list[str] = []
        for t in self.tiers:
            out.extend(t.strategy.models())
        return out + (self.verifier.models() if self.verifier else [])

    def describe(self) -> str:
        parts = []
        for i, t in enumerate(self.tiers):
            d = t.strategy.describe()
            if i < len(self.tiers) - 1:
                d += f" @{self._threshold(t)}"
            parts.append(d)
        if self.verifier:
            parts.append(f"verifier={self.verifier.describe()}")
        return f"cascade({', '.join(parts)})"

    def _threshold(self, t: Tier) -> float:
        return t.threshold if t.threshold is not None else self.default_threshold

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        return {"request": request, "info": info, "tier": -1, "phase": "run", "results": [], "samples": []}

    def _run_tier(self, state: dict[str, Any], i: int) -> list[Action]:
        state["tier"] = i
        state["phase"] = "running"
        t = self.tiers[i]
        seed = derive_seed(state["info"].seed, "cascade", i)
        return [Run(t.strategy, state["request"], label=f"tier {i}: {t.strategy.describe()}", seed=seed)]

    def _confidence(self, comp: Completion) -> float:
        winner = next((s for s in comp.samples if s.ok and s.text == comp.text), None)
        if self.by == "logprob":
            return confidence_of(winner) if winner else 0.0
        single = len([s for s in comp.samples if s.ok]) == 1
        if self.by == "auto" and single and winner is not None and winner.logprob is not None:
            return confidence_of(winner)
        return comp.confidence if comp.confidence is not None else 0.0

    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        if state["phase"] == "run":
            return self._run_tier(state, 0)
        i = state["tier"]
        if state["phase"] == "running":
            comp = next((o.completion for o in outcomes if o.completion is not None), None)
            if comp is None:  # the tier failed outright: escalate
                return self._run_tier(state, i + 1) if i + 1 < len(self.tiers) else self.best(state)
            state["samples"].extend(comp.samples)
            cand = candidate_from(comp, f"tier {i}", i)
            if self.by == "verifier" and self.verifier is not None and comp.answer is not None:
                state["phase"] = "verifying"
                state["pending"] = cand
                ctx = verify_context(self.models(), state["request"], state["info"], f"cascade:{i}", i)
                acts = verify_start(self.verifier, [cand], ctx, state)
                if acts:
                    return acts
                outcomes = []
            else:
                conf = self._confidence(comp) if comp.answer is not None else 0.0
                return self._decide(state, cand, conf)
        if state["phase"] == "verifying":
            assert self.verifier is not None
            ctx = verify_context(self.models(), state["request"], state["info"], f"cascade:{i}", i)
            scored, more = verify_finish(self.verifier, [state["pending"]], outcomes, ctx, state)
            if scored is None:
                return more
            return self._decide(state, state["pending"], scored[0].score or 0.0)
        return self.best(state)

    def _decide(self, state: dict[str, Any], cand: Sample, conf: float) -> list[Action] | Done:
        i = state["tier"]
        state["results"].append((i, cand, conf))
        last = i + 1 >= len(self.tiers)
        if last and cand.answer is None:
            return self.best(state)  # the last tier failed: an earlier tier's answer is better than none
        if last or conf >= self._threshold(self.tiers[i]):
            return self._done(state, (i, cand, conf), "last tier" if last else "confident")
        return self._run_tier(state, i + 1)

    def _done(self, state: dict[str, Any], pick: tuple[int, Sample, float], why: str) -> Done:
        i, cand, conf = pick
        info = {
            "answered_by_tier": i,
            "escalations": max(0, state["tier"]),
            "why": why,
            "confidences": [round(c, 4) for _, _, c in state["results"]],
        }
        return Done(answer=cand.answer, text=cand.text, confidence=conf, samples=state["samples"], info=info)

    def best(self, state: dict[str, Any]) -> Done:
        results = [r for r in state["results"] if r[1].answer is not None]
        if not results:
            return Done(
                answer=None, text="", confidence=0.0, samples=state["samples"], info={"why": "no answer"}
            )
        # The most confident tier so far; among equals the later (stronger) tier.
        pick = max(reversed(results), key=lambda r: r[2])
        return self._done(state, pick, "best so far")
