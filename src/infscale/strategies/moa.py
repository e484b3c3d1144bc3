"""``moa``: mixture of agents. Layers of proposers, each seeing the previous layer's answers, then an
aggregator that synthesises the final answer (Wang et al., 2024).

Layer 1: every proposer answers the question. Layers 2..L: every proposer answers again, shown the
previous layer's answers as references. The aggregator writes the final answer from the last layer's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..types import Request, Sample
from .base import Action, Call, Done, Outcome, RunInfo, Strategy
from .common import (
    DEFAULT_SAMPLING_TEMPERATURE,
    derive_seed,
    derived_request,
    first_ok,
    question_of,
    show_answer,
    tally,
    valid,
)

MOA_SYSTEM = (
    "You have been given answers from several assistants to the question below. Some may be wrong. "
    "Critically evaluate them and reply with the single correct final answer only."
)


def reference_prompt(question: str, answers: list[Sample]) -> str:
    lines = [f"Question: {question}", "Answers from other assistants:"]
    lines += [f"{i}. {show_answer(s)}" for i, s in enumerate(answers, 1)]
    lines.append("Final answer:")
    return "\n".join(lines)


@dataclass
class MoAStrategy(Strategy):
    name = "moa"
    proposers: list[str] = field(default_factory=list)
    aggregator: str | None = None
    layers: int = 2
    temperature: float = DEFAULT_SAMPLING_TEMPERATURE

    def models(self) -> list[str]:
        return list(self.proposers) + ([self.aggregator] if self.aggregator else [])

    def _aggregator(self) -> str:
        return self.aggregator or (self.proposers[-1] if self.proposers else "?")

    def describe(self) -> str:
        return f"moa(proposers=[{', '.join(self.proposers)}], layers={self.layers}, aggregator={self._aggregator()})"

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        return {"request": request, "info": info, "layer": 0, "answers": [], "samples": [], "final": None}

    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        req: Request = state["request"]
        info: RunInfo = state["info"]
        if outcomes:
            got = [s for o in outcomes for s in o.samples]
            state["samples"].extend(got)
            if state["layer"] > self.layers:  # the aggregator answered
                state["final"] = next(iter(valid(got)), None)
                return self.best(state)
            if valid(got):
                state["answers"] = valid(got)
        layer = state["layer"] + 1
        state["layer"] = layer
        q = question_of(info, req)
        if layer == 1:
            return [
                Call(
                    m,
                    req.with_(n=1, temperature=self.temperature, seed=derive_seed(info.seed, "moa", 1, i)),
                    label="moa:layer 1",
                )
                for i, m in enumerate(self.proposers)
            ]
        if not state["answers"]:
            return self.best(state)
        prompt = reference_prompt(q, state["answers"])
        if layer <= self.layers:
            return [
                Call(
                    m,
                    derived_request(
                        req,
                        info,
                        prompt,
                        system=MOA_SYSTEM,
                        temperature=self.temperature,
                        seed=derive_seed(info.seed, "moa", layer, i),
                    ),
                    label=f"moa:layer {layer}",
                )
                for i, m in enumerate(self.proposers)
            ]
        r = derived_request(
            req, info, prompt, system=MOA_SYSTEM, seed=derive_seed(info.seed, "moa", "aggregate")
        )
        return [Call(self._aggregator(), r, label="moa:aggregate")]

    def best(self, state: dict[str, Any]) -> Done:
        final: Sample | None = state["final"]
        answers: list[Sample] = state["answers"]
        ranked = tally(answers)
        total = sum(t.count for t in ranked)
        info = {"layers_run": min(state["layer"], self.layers), "aggregated": final is not None}
        if final is not None:
            agree = next((t.count for t in ranked if t.answer == final.answer), 0)
            conf = agree / total if total else None
            return Done(
                answer=final.answer, text=final.text, confidence=conf, samples=state["samples"], info=info
            )
        if ranked:
            top = ranked[0]
            return Done(
                answer=top.answer,
                text=top.first.text,
                confidence=top.count / total,
                samples=state["samples"],
                info=info,
            )
        s = first_ok(state["samples"])
        return Done(
            answer=None, text=s.text if s else "", confidence=0.0, samples=state["samples"], info=info
        )
