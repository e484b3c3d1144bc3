"""``best_of_n``: draw n candidates, score each with a verifier, keep the best.

``select="max"`` keeps the highest-scoring candidate (ties: the answer with more votes, then the first);
``select="sum"`` sums the scores of equal answers (a verifier-weighted vote). A verifier may propose
candidates of its own (program-aided checking adds the answers its programs compute).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..types import Request, Sample
from ..verifiers.base import Verifier, VerifyContext
from .base import Action, Done, Outcome, RunInfo, Strategy
from .common import Source, answer_key, answer_kind, first_ok, question_of, tally, valid


def select_best(scored: list[Sample], select: str = "max") -> tuple[Sample | None, float]:
    """The chosen candidate and its score; unscored candidates fall back to plurality."""
    cands = valid(scored)
    if not cands:
        return None, 0.0
    counts = {t.key: t.count for t in tally(cands)}
    if select == "sum":
        sums: dict[str, float] = {}
        for c in cands:
            sums[answer_key(c.answer)] = sums.get(answer_key(c.answer), 0.0) + (c.score or 0.0)
        total = sum(sums.values())
        best = max(cands, key=lambda c: (sums[answer_key(c.answer)], counts[answer_key(c.answer)]))
        share = sums[answer_key(best.answer)] / total if total > 0 else 0.0
        return best, share
    best = max(cands, key=lambda c: (c.score if c.score is not None else -1.0, counts[answer_key(c.answer)]))
    return best, best.score if best.score is not None else 0.0


def verify_context(
    strategy_models: list[str], request: Request, info: RunInfo, tag: str, round: int = 0
) -> VerifyContext:
    return VerifyContext(
        request=request,
        info=info,
        question=question_of(info, request),
        kind=answer_kind(info, request),
        tag=tag,
        models=strategy_models,
        round=round,
    )


def verify_start(
    verifier: Verifier, candidates: list[Sample], ctx: VerifyContext, state: dict[str, Any]
) -> list[Action]:
    """The actions that verifying ``candidates`` needs; none when the verifier is local, or when it does
    not depend on the candidates and its first outcomes are kept in ``state`` (asked once per run)."""
    state["verify_outcomes"] = []
    if verifier.candidate_independent and state.get("verify_cache") is not None:
        return []
    return verifier.plan(candidates, ctx)


def verify_finish(
    verifier: Verifier,
    candidates: list[Sample],
    outcomes: list[Outcome],
    ctx: VerifyContext,
    state: dict[str, Any],
) -> tuple[list[Sample] | None, list[Action]]:
    """(the candidates scored, []) or, when the verifier needs more (``followup``), (None, actions)."""
    got: list[Outcome] = state.setdefault("verify_outcomes", [])
    got.extend(outcomes)
    if verifier.candidate_independent and state.get("verify_cache") is not None:
        got = state["verify_cache"]
    else:
        more = verifier.followup(candidates, got, ctx)
        if more:
            return None, more
        if verifier.candidate_independent:
            state["verify_cache"] = list(got)
    state["verify_outcomes"] = []
    return verifier.finish(candidates, got, ctx), []


@dataclass
class BestOfNStrategy(Strategy):
    name = "best_of_n"
    source: Source = field(default_factory=Source)
    verifier: Verifier | None = None
    n: int = 4
    select: str = "max"

    def models(self) -> list[str]:
        return self.source.names() + (self.verifier.models() if self.verifier else [])

    def describe(self) -> str:
        v = self.verifier.describe() if self.verifier else "none"
        return f"best_of_n(n={self.n}, {self.source.describe()}, verifier={v})"

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        return {
            "request": request,
            "info": info,
            "phase": "draw",
            "candidates": [],
            "scored": None,
            "samples": [],
            "errors": [],
        }

    def _ctx(self, state: dict[str, Any]) -> VerifyContext:
        return verify_context(self.source.models, state["request"], state["info"], "best_of_n")

    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        req: Request = state["request"]
        if state["phase"] == "draw":
            state["phase"] = "drawing"
            return self.source.plan(self.n, 0, req, state["info"], "best_of_n")
        if state["phase"] == "drawing":
            got = self.source.collect(outcomes, state["info"], req)
            state["candidates"].extend(got.candidates)
            state["samples"].extend(got.samples)
            state["errors"].extend(got.errors)
            if self.verifier is None:
                return self.best(state)
            state["phase"] = "verifying"
            acts = verify_start(self.verifier, state["candidates"], self._ctx(state), state)
            if acts:
                return acts
            outcomes = []
        # verifying: the verifier's outcomes (possibly none)
        assert self.verifier is not None
        scored, more = verify_finish(self.verifier, state["candidates"], outcomes, self._ctx(state), state)
        if scored is None:
            return more
        # Proposals (e.g. the verifier's executed programs) are samples of this run too.
        state["samples"].extend(scored[len(state["candidates"]) :])
        state["scored"] = scored
        return self.best(state)

    def best(self, state: dict[str, Any]) -> Done:
        if state["scored"] is None and self.verifier is not None and state.get("verify_outcomes"):
            # The budget ran out during verification: score with the verifier's outcomes that did arrive.
            partial = self.verifier.finish(state["candidates"], state["verify_outcomes"], self._ctx(state))
            state["samples"].extend(partial[len(state["candidates"]) :])
            state["scored"] = partial
        pool: list[Sample] = state["scored"] if state["scored"] is not None else state["candidates"]
        scored = state["scored"] is not None
        if scored:
            # Samples carry their verifier scores in the completion.
            by_id = {(s.model, s.index, s.text): s for s in pool}
            state["samples"] = [by_id.get((s.model, s.index, s.text), s) for s in state["samples"]]
        best, score = select_best(pool, self.select) if scored else select_best(pool, "max")
        info: dict[str, Any] = {"candidates": len(pool), "verified": scored}
        if best is None:
            s = first_ok(pool)
            return Done(
                answer=None, text=s.text if s else "", confidence=0.0, samples=state["samples"], info=info
            )
        if not scored:
            t = tally(pool)
            score = t[0].count / sum(x.count for x in t) if t else 0.0
        info["best_score"] = round(score, 4)
        return Done(answer=best.answer, text=best.text, confidence=score, samples=state["samples"], info=info)
