"""Helpers shared by the strategies: seeds, candidate sources, weighted tallies, the sequential test.

Everything here is pure: it builds actions and reads outcomes, the engine performs them.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..extract import guess_kind, normalize_text
from ..types import Completion, Request, Sample, Usage
from .base import Action, Call, Outcome, Run, RunInfo, Strategy

#: Sampling temperature for strategies that draw several samples when none is configured: at the
#: request's temperature (often 0) every sample would be the same.
DEFAULT_SAMPLING_TEMPERATURE = 0.7


def derive_seed(base: int, *parts: Any) -> int:
    """A seed that depends only on ``base`` and the position ``parts`` (not on completion order)."""
    h = hashlib.blake2b(repr((base, *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") % (2**31 - 1)


def answer_key(answer: Any) -> str:
    """A hashable key under which equal answers meet (numbers by value, text normalised)."""
    if isinstance(answer, bool):
        return json.dumps(answer)
    if isinstance(answer, float) and answer.is_integer():
        answer = int(answer)
    if isinstance(answer, str):
        return json.dumps(normalize_text(answer))
    return json.dumps(answer, sort_keys=True, default=str)


def answers_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return answer_key(a) == answer_key(b)


def answer_kind(info: RunInfo, request: Request) -> str:
    """The effective answer kind of a run (``auto`` resolved from the question)."""
    kind = request.metadata.get("answer_kind", info.answer_kind)
    if kind in (None, "auto"):
        return guess_kind(question_of(info, request))
    return str(kind)


def question_of(info: RunInfo, request: Request) -> str:
    return str(request.metadata.get("question") or info.question or request.user_text())


def valid(samples: Sequence[Sample]) -> list[Sample]:
    return [s for s in samples if s.ok and s.answer is not None]


def confidence_of(s: Sample) -> float:
    """A sample's own confidence: the geometric mean of its tokens' probabilities (1.0 when unknown)."""
    m = s.mean_logprob
    return 1.0 if m is None else math.exp(max(m, -50.0))


@dataclass
class Tally:
    """One distinct answer: its summed weight, how many samples gave it, and its first sample."""

    key: str
    answer: Any
    weight: float
    count: int
    first: Sample


def tally(samples: Sequence[Sample], weight: Callable[[Sample], float] | None = None) -> list[Tally]:
    """Distinct answers, heaviest first (ties: the answer seen first)."""
    out: dict[str, Tally] = {}
    for s in valid(samples):
        k = answer_key(s.answer)
        w = 1.0 if weight is None else max(0.0, weight(s))
        t = out.get(k)
        if t is None:
            out[k] = Tally(k, s.answer, w, 1, s)
        else:
            t.weight += w
            t.count += 1
    return sorted(out.values(), key=lambda t: -t.weight)  # stable: first seen wins ties


def first_ok(samples: Sequence[Sample]) -> Sample | None:
    return next((s for s in samples if s.ok), None)


# -- the sequential test --------------------------------------------------------------------------------


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-12:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b) for a, b > 0."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(lbeta + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def prob_leader_ahead(top: float, second: float) -> float:
    """P(the leader's true share exceeds the runner-up's) under a uniform prior on the two shares.

    With counts ``top`` and ``second``, p_top / (p_top + p_second) ~ Beta(top + 1, second + 1); the
    probability is that this exceeds 1/2 (the stopping rule of Adaptive-Consistency, Aggarwal et al. 2023).
    """
    return 1.0 - betainc(top + 1.0, second + 1.0, 0.5)


# -- candidate sources ----------------------------------------------------------------------------------


def split_counts(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder; ties to the earlier entry)."""
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * len(weights)
    raw = [total * w / s for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def candidate_from(comp: Completion, label: str, index: int) -> Sample:
    """A sub-strategy's completion as one candidate (its usage stays with the samples behind it)."""
    best = next((s for s in comp.samples if s.ok and s.text == comp.text), None)
    return Sample(
        text=comp.text,
        model=label,
        index=index,
        answer=comp.answer,
        usage=Usage(),
        logprob=best.logprob if best else None,
        score=comp.confidence,
        error=None if comp.answer is not None or comp.text else "; ".join(comp.errors) or "no answer",
    )


@dataclass
class Source:
    """Where candidates come from: samples of registry models, or runs of sub-strategies.

    With ``models``, draw ``k`` asks each model for its share (``split``, default even) in ONE call, so a
    local model decodes its samples as one batch. With ``over``, draw ``k`` runs the sub-strategies in
    turn, each run's answer being one candidate. ``via="pal"`` makes each model sample a program-aided one
    (the model writes a Python expression; executing it gives the answer).
    """

    models: list[str] = field(default_factory=list)
    over: list[Strategy] = field(default_factory=list)
    split: list[float] | None = None
    temperature: float | None = None
    via: str = "direct"
    max_tokens: int | None = None

    def names(self) -> list[str]:
        out = list(self.models)
        for s in self.over:
            out.extend(s.models())
        return out

    def describe(self) -> str:
        if self.over:
            return "over=[" + ", ".join(s.describe() for s in self.over) + "]"
        if len(self.models) == 1:
            return f"model={self.models[0]}"
        return "models=[" + ", ".join(self.models) + "]"

    def plan(
        self, k: int, drawn: int, request: Request, info: RunInfo, tag: str, temperature: float | None = None
    ) -> list[Action]:
        """Actions for ``k`` more candidates, ``drawn`` having been drawn before (seeds depend on both)."""
        if k <= 0:
            return []
        if self.over:
            acts: list[Action] = []
            for i in range(drawn, drawn + k):
                strat = self.over[i % len(self.over)]
                acts.append(
                    Run(strat, request, label=f"{tag}[{i}]", seed=derive_seed(info.seed, tag, "run", i))
                )
            return acts
        w = self.split or [1.0] * len(self.models)
        before = split_counts(drawn, w)
        after = split_counts(drawn + k, w)
        temp = temperature if temperature is not None else self.temperature
        if temp is None:
            temp = DEFAULT_SAMPLING_TEMPERATURE if k > 1 or drawn > 0 else request.temperature
        acts = []
        for m, a, b in zip(self.models, before, after, strict=True):
            if b - a <= 0:
                continue
            seed = derive_seed(info.seed, tag, m, a)
            if self.via == "pal":
                from ..verifiers.pal import pal_request

                req = pal_request(question_of(info, request), request, n=b - a, temperature=temp, seed=seed)
            else:
                req = request.with_(n=b - a, temperature=temp, seed=seed)
                if self.max_tokens is not None:
                    req = req.with_(max_tokens=self.max_tokens)
            acts.append(Call(m, req, label=tag))
        return acts

    def collect(self, outcomes: Sequence[Outcome], info: RunInfo, request: Request) -> Collected:
        """Candidates, every sample behind them, and errors, from the outcomes of ``plan``'s actions."""
        got = Collected()
        for o in outcomes:
            if o.error:
                got.errors.append(o.error)
            if isinstance(o.action, Run):
                got.samples.extend(o.samples)
                if o.completion is not None:
                    label = o.action.label or o.action.strategy.describe()
                    got.candidates.append(candidate_from(o.completion, label, len(got.candidates)))
                continue
            samples = list(o.samples)
            if self.via == "pal":
                from ..verifiers.pal import pal_samples

                samples = pal_samples(samples, answer_kind(info, request))
            got.samples.extend(samples)
            got.candidates.extend(samples)
        return got


@dataclass
class Collected:
    candidates: list[Sample] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def with_scores(samples: Sequence[Sample], scores: Sequence[float]) -> list[Sample]:
    return [replace(s, score=float(x)) for s, x in zip(samples, scores, strict=True)]


def derived_request(
    request: Request,
    info: RunInfo,
    prompt: str,
    *,
    system: str | None,
    kind: str | None = None,
    n: int = 1,
    temperature: float = 0.0,
    seed: int,
    max_tokens: int | None = None,
) -> Request:
    """A request for a strategy's own prompt (judge, critique, fuse...): a fresh metadata dict, the
    original question kept for answer extraction unless ``kind`` says otherwise."""
    meta = dict(request.metadata)
    meta["question"] = question_of(info, request)
    if kind is not None:
        meta["answer_kind"] = kind
    return Request(
        prompt=prompt,
        system=system,
        n=n,
        temperature=temperature,
        top_p=request.top_p,
        top_k=request.top_k,
        max_tokens=max_tokens or request.max_tokens,
        seed=seed,
        stop=list(request.stop),
        metadata=meta,
    )


def show_answer(s: Sample, limit: int = 300) -> str:
    """How a candidate is shown to a model in a prompt: its extracted answer, else its text."""
    if s.answer is not None:
        a = s.answer
        if isinstance(a, float) and a.is_integer():
            a = int(a)
        return str(a) if not isinstance(a, list | dict) else json.dumps(a)
    return s.text.strip().replace("\n", " ")[:limit]


def distinct(candidates: Sequence[Sample]) -> list[Sample]:
    """The first candidate of each distinct answer (candidates without an answer left out)."""
    seen: set[str] = set()
    out = []
    for c in valid(candidates):
        k = answer_key(c.answer)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out
