"""``rank``: a model ranks the candidates, listwise or pairwise; the top one is the answer.

Listwise: the ranker sees every distinct answer, numbered, and names the best (``votes`` verdicts are
drawn and counted). Pairwise: the ranker compares distinct answers two at a time (positions alternate to
cancel position bias, at most ``max_pairs`` comparisons); answers are ordered by wins. Ties fall to the
answer more candidates gave. ``top_k`` > 0 returns only the first candidate of each of the k best answers
(best first), so that a parent strategy (``fuse``) can take the top k; 0 returns every sample, ranked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from ..types import Request, Sample
from .base import Action, Call, Done, Outcome, RunInfo, Strategy
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
)

RANK_SYSTEM = "You compare candidate answers to a question and pick the correct one."


def listwise_prompt(question: str, cands: list[Sample]) -> str:
    lines = [f"Question: {question}", "Candidate answers:"]
    lines += [f"{i}. {show_answer(c)}" for i, c in enumerate(cands, 1)]
    lines.append("Which candidate answer is correct? Reply with its number only.")
    return "\n".join(lines)


def pairwise_prompt(question: str, a: Sample, b: Sample) -> str:
    return (
        f"Question: {question}\nAnswer A: {show_answer(a)}\nAnswer B: {show_answer(b)}\n"
        "Which answer is correct? Reply with A or B."
    )


@dataclass
class RankStrategy(Strategy):
    name = "rank"
    source: Source = field(default_factory=Source)
    ranker: str | None = None
    n: int = 4
    mode: str = "listwise"  # listwise | pairwise
    votes: int = 1
    max_pairs: int = 10
    top_k: int = 0

    def models(self) -> list[str]:
        return self.source.names() + ([self.ranker] if self.ranker else [])

    def describe(self) -> str:
        return f"rank(n={self.n}, {self.source.describe()}, ranker={self._ranker()}, mode={self.mode})"

    def _ranker(self) -> str:
        if self.ranker:
            return self.ranker
        names = self.source.names()
        return names[-1] if names else "?"

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        return {
            "request": request,
            "info": info,
            "phase": "draw",
            "candidates": [],
            "samples": [],
            "points": {},
            "pairs": [],
        }

    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        req: Request = state["request"]
        info: RunInfo = state["info"]
        if state["phase"] == "draw":
            state["phase"] = "drawing"
            return self.source.plan(self.n, 0, req, info, "rank")
        if state["phase"] == "drawing":
            got = self.source.collect(outcomes, info, req)
            state["candidates"].extend(got.candidates)
            state["samples"].extend(got.samples)
            cands = distinct(state["candidates"])
            if len(cands) < 2:
                return self.best(state)
            state["phase"] = "ranking"
            return self._rank_actions(state, cands)
        self._score(state, outcomes)
        state["phase"] = "done"
        return self.best(state)

    def _rank_actions(self, state: dict[str, Any], cands: list[Sample]) -> list[Action]:
        req: Request = state["request"]
        info: RunInfo = state["info"]
        q = question_of(info, req)
        temp = 0.7 if self.votes > 1 else 0.0
        if self.mode == "listwise":
            r = derived_request(
                req,
                info,
                listwise_prompt(q, cands),
                system=RANK_SYSTEM,
                kind="number",
                n=self.votes,
                temperature=temp,
                seed=derive_seed(info.seed, "rank", "list"),
                max_tokens=6,
            )
            return [Call(self._ranker(), r, label="rank:list")]
        acts: list[Action] = []
        pairs = list(combinations(range(len(cands)), 2))[: self.max_pairs]
        for p, (i, j) in enumerate(pairs):
            a, b = (i, j) if p % 2 == 0 else (j, i)
            state["pairs"].append((a, b))
            r = derived_request(
                req,
                info,
                pairwise_prompt(q, cands[a], cands[b]),
                system=RANK_SYSTEM,
                kind="choice",
                n=self.votes,
                temperature=temp,
                seed=derive_seed(info.seed, "rank", "pair", p),
                max_tokens=4,
            )
            acts.append(Call(self._ranker(), r, label=f"rank:pair:{p}"))
        return acts

    def _score(self, state: dict[str, Any], outcomes: list[Outcome]) -> None:
        cands = distinct(state["candidates"])
        points: dict[str, float] = {answer_key(c.answer): 0.0 for c in cands}
        for o in outcomes:
            label = o.action.label
            for s in o.samples:
                if not s.ok or s.answer is None:
                    continue
                if label == "rank:list":
                    try:
                        k = int(float(s.answer)) - 1
                    except (TypeError, ValueError):
                        continue
                    if 0 <= k < len(cands):
                        points[answer_key(cands[k].answer)] += 1.0
                elif label.startswith("rank:pair:"):
                    a, b = state["pairs"][int(label.rsplit(":", 1)[1])]
                    pick = str(s.answer).upper()
                    if pick in ("A", "B"):
                        winner = cands[a] if pick == "A" else cands[b]
                        points[answer_key(winner.answer)] += 1.0
        state["points"] = points

    def best(self, state: dict[str, Any]) -> Done:
        samples: list[Sample] = state["samples"]
        counts = {t.key: t.count for t in tally(state["candidates"])}
        points: dict[str, float] = state["points"]
        order = sorted(
            distinct(state["candidates"]),
            key=lambda c: (-points.get(answer_key(c.answer), 0.0), -counts.get(answer_key(c.answer), 0)),
        )
        info: dict[str, Any] = {"ranked": [show_answer(c) for c in order[:10]], "mode": self.mode}
        if not order:
            s = first_ok(samples)
            return Done(answer=None, text=s.text if s else "", confidence=0.0, samples=samples, info=info)
        top = order[0]
        total = sum(points.values())
        if total > 0:
            conf = points.get(answer_key(top.answer), 0.0) / total
        else:  # nothing was ranked (one distinct answer, or the ranker failed): candidate agreement
            conf = counts.get(answer_key(top.answer), 0) / max(1, sum(counts.values()))
        if self.top_k > 0:
            ranked = order[: self.top_k]
        else:
            rank_of = {answer_key(c.answer): i for i, c in enumerate(order)}
            ranked = sorted(samples, key=lambda s: rank_of.get(answer_key(s.answer), len(order)))
        return Done(answer=top.answer, text=top.text, confidence=conf, samples=ranked, info=info)
