"""Verifiers that ask models: an LLM judge with a rubric, and agreement across different models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import ConfigError
from ..strategies.base import Action, Call, Outcome
from ..types import Sample
from .base import Verifier, VerifyContext, clamp01, label_index

JUDGE_SYSTEM = "You are a strict grader. Judge only whether the proposed answer is correct."
YESNO_RUBRIC = (
    "Question: {question}\nProposed answer: {answer}\nIs the proposed answer correct? Reply with yes or no."
)
GRADE_RUBRIC = (
    "Question: {question}\nProposed answer: {answer}\n"
    "Grade the proposed answer from 1 (wrong) to {scale} (correct). Reply with the number only."
)


@dataclass
class JudgeVerifier(Verifier):
    """A model grades each distinct answer with a rubric prompt.

    ``rubric`` is a template with ``{question}`` and ``{answer}`` (and ``{scale}``). With ``scale=0``
    the judge answers yes/no and the score is the share of ``n`` verdicts that say yes; with a scale
    (e.g. 10) it grades 1..scale and the score is the mean grade mapped to [0, 1].
    """

    name = "judge"
    model: str | None = None
    rubric: str | None = None
    n: int = 1
    scale: int = 0
    temperature: float = 0.7

    def __post_init__(self) -> None:
        if self.scale == 1 or self.scale < 0:
            raise ConfigError("judge scale must be 0 (yes/no) or at least 2")
        template = self.rubric or (GRADE_RUBRIC if self.scale else YESNO_RUBRIC)
        for key in ("{question}", "{answer}"):
            if key not in template:
                raise ConfigError(f"judge rubric must contain {key}")
        self._template = template

    def models(self) -> list[str]:
        return [self.model] if self.model else []

    def describe(self) -> str:
        return f"judge(model={self.model})" if self.model else "judge"

    def _model(self, ctx: VerifyContext) -> str | None:
        return self.model or (ctx.models[-1] if ctx.models else None)

    def plan(self, candidates: Sequence[Sample], ctx: VerifyContext) -> list[Action]:
        from ..strategies.common import derive_seed, derived_request, distinct, show_answer

        model = self._model(ctx)
        if model is None:
            return []
        acts: list[Action] = []
        for i, c in enumerate(distinct(candidates)):
            prompt = self._template.format(question=ctx.question, answer=show_answer(c), scale=self.scale)
            req = derived_request(
                ctx.request,
                ctx.info,
                prompt,
                system=JUDGE_SYSTEM,
                kind="number" if self.scale else "yesno",
                n=self.n,
                temperature=self.temperature if self.n > 1 else 0.0,
                seed=derive_seed(ctx.info.seed, ctx.tag, "judge", ctx.round, i),
                max_tokens=8,
            )
            acts.append(Call(model, req, label=self.label(ctx, i)))
        return acts

    def _verdict(self, s: Sample) -> float | None:
        if not s.ok or s.answer is None:
            return None
        if self.scale:
            try:
                return clamp01((float(s.answer) - 1) / (self.scale - 1))
            except (TypeError, ValueError):
                return None
        return 1.0 if s.answer == "yes" else 0.0

    def finish(
        self, candidates: Sequence[Sample], outcomes: Sequence[Outcome], ctx: VerifyContext
    ) -> list[Sample]:
        from ..strategies.common import answer_key, distinct

        keys = [answer_key(c.answer) for c in distinct(candidates)]
        scores: dict[str, float] = {}
        for o in outcomes:
            i = label_index(o.action.label)
            if i is None or i >= len(keys):
                continue
            verdicts = [v for v in (self._verdict(s) for s in o.samples) if v is not None]
            if verdicts:
                scores[keys[i]] = sum(verdicts) / len(verdicts)
        return [replace(c, score=scores.get(answer_key(c.answer), 0.0) if c.ok else 0.0) for c in candidates]


@dataclass
class AgreementVerifier(Verifier):
    """Agreement across different models: each of ``models`` answers the question (``n`` samples);
    a candidate's score is the share of models whose most frequent answer equals it."""

    name = "agreement"
    candidate_independent = True  # the other models answer the question, not the candidate
    with_models: list[str] | None = None
    n: int = 1
    temperature: float = 0.7

    def models(self) -> list[str]:
        return list(self.with_models or [])

    def describe(self) -> str:
        return f"agreement(models=[{', '.join(self.with_models or [])}])"

    def plan(self, candidates: Sequence[Sample], ctx: VerifyContext) -> list[Action]:
        from ..strategies.common import derive_seed

        acts: list[Action] = []
        for i, m in enumerate(self.with_models or ctx.models):
            req = ctx.request.with_(
                n=self.n,
                temperature=self.temperature if self.n > 1 else 0.0,
                seed=derive_seed(ctx.info.seed, ctx.tag, "agree", ctx.round, i),
            )
            acts.append(Call(m, req, label=self.label(ctx, i)))
        return acts

    def finish(
        self, candidates: Sequence[Sample], outcomes: Sequence[Outcome], ctx: VerifyContext
    ) -> list[Sample]:
        from ..strategies.common import answers_equal, tally

        tops: list[Any] = []
        asked = len(self.with_models or ctx.models)
        for o in outcomes:
            t = tally(o.samples)
            if t:
                tops.append(t[0].answer)
        denom = max(1, asked)

        def score(c: Sample) -> float:
            return sum(1 for a in tops if answers_equal(a, c.answer)) / denom if c.ok else 0.0

        return [replace(c, score=score(c)) for c in candidates]
