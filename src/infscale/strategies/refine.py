"""``refine``: draft, then critique and revise for up to ``rounds`` rounds; stop when the verifier passes.

With a verifier, each answer is scored and the loop stops at the first one scoring at least
``threshold``; the answer is the best-scored one seen (answers the verifier proposes, such as executed
programs, included). Without a verifier, the critic's own verdict
(its reply starts with yes or no) decides, and the answer is the last one the critic accepted, else the
last revision. Answers already rejected are listed in the revision prompt so they are not repeated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..types import Request, Sample
from ..verifiers.base import Verifier
from .base import Action, Call, Done, Outcome, RunInfo, Strategy
from .best_of_n import verify_context, verify_finish, verify_start
from .common import Source, derive_seed, derived_request, question_of, show_answer, valid

CRITIC_SYSTEM = "You check answers to questions carefully and briefly."
REVISE_SYSTEM = "Answer with only the final answer, no explanation."


def critique_prompt(question: str, answer: str) -> str:
    return (
        f"Question: {question}\nProposed answer: {answer}\n"
        "Is the proposed answer correct? Start with yes or no, then give a one-sentence reason."
    )


def revise_prompt(question: str, answer: str, feedback: str, rejected: list[str]) -> str:
    lines = [f"Question: {question}", f"Previous answer: {answer}", f"Feedback: {feedback}"]
    if rejected:
        lines.append("Answers known to be wrong: " + ", ".join(rejected))
    lines.append("Give the correct final answer only.")
    return "\n".join(lines)


@dataclass
class RefineStrategy(Strategy):
    name = "refine"
    source: Source = field(default_factory=Source)
    critic: str | None = None
    reviser: str | None = None
    verifier: Verifier | None = None
    rounds: int = 2
    threshold: float | None = None

    def models(self) -> list[str]:
        extra = [m for m in (self.critic, self.reviser) if m]
        return self.source.names() + extra + (self.verifier.models() if self.verifier else [])

    def _critic(self) -> str:
        return self.critic or self._reviser()

    def _reviser(self) -> str:
        if self.reviser:
            return self.reviser
        names = self.source.names()
        return names[0] if names else "?"

    def describe(self) -> str:
        v = f", verifier={self.verifier.describe()}" if self.verifier else ""
        return f"refine({self.source.describe()}, rounds={self.rounds}, critic={self._critic()}{v})"

    def _passes(self, score: float) -> bool:
        assert self.verifier is not None
        t = self.threshold if self.threshold is not None else self.verifier.pass_threshold
        return score >= t

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        return {
            "request": request,
            "info": info,
            "phase": "draft",
            "round": 0,
            "current": None,
            "history": [],  # (sample, score or None, accepted by critic)
            "samples": [],
            "critique": "",
            "stopped": None,
        }

    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        req: Request = state["request"]
        info: RunInfo = state["info"]
        phase = state["phase"]
        if phase == "draft":
            state["phase"] = "drafting"
            return self.source.plan(1, 0, req, info, "refine:draft")
        if phase in ("drafting", "revising"):
            if phase == "drafting":
                got = self.source.collect(outcomes, info, req)
                state["samples"].extend(got.samples)
                new = valid(got.candidates)
            else:
                new = [s for o in outcomes for s in o.samples]
                state["samples"].extend(new)
                new = valid(new)
            if not new:
                if state["round"] < self.rounds:
                    return self._redraft(state)
                state["stopped"] = "no answer to refine"
                return self.best(state)
            state["current"] = new[0]
            state["history"].append([new[0], None, False])
            if self.verifier is not None:
                state["phase"] = "verifying"
                ctx = verify_context(self.source.models, req, info, "refine", state["round"])
                acts = verify_start(self.verifier, [new[0]], ctx, state)
                if acts:
                    return acts
                outcomes = []
                phase = "verifying"
            else:
                return self._critique(state)
        if phase == "verifying":
            assert self.verifier is not None
            ctx = verify_context(self.source.models, req, info, "refine", state["round"])
            scored, more = verify_finish(self.verifier, [state["current"]], outcomes, ctx, state)
            if scored is None:
                return more
            score = scored[0].score or 0.0
            if len(scored) > 1 and not state.get("proposals"):
                # Answers the verifier proposes (executed programs) compete with the revisions.
                state["proposals"] = [p for p in scored[1:] if p.ok and p.answer is not None]
                state["samples"].extend(state["proposals"])
            state["current"] = scored[0]
            state["history"][-1][0] = scored[0]
            state["history"][-1][1] = score
            if self._passes(score):
                state["stopped"] = "verifier passed"
                return self.best(state)
            if state["round"] >= self.rounds:
                state["stopped"] = "rounds exhausted"
                return self.best(state)
            return self._critique(state)
        if phase == "critiquing":
            verdict = next((s for o in outcomes for s in o.samples if s.ok), None)
            state["samples"].extend(s for o in outcomes for s in o.samples)
            state["critique"] = verdict.text.strip() if verdict else ""
            accepted = verdict is not None and verdict.answer == "yes"
            if self.verifier is None:
                state["history"][-1][2] = accepted
                if accepted:
                    state["stopped"] = "critic accepted"
                    return self.best(state)
                if state["round"] >= self.rounds:
                    state["stopped"] = "rounds exhausted"
                    return self.best(state)
            return self._revise(state)
        return self.best(state)

    def _redraft(self, state: dict[str, Any]) -> list[Action]:
        """The draft (or a revision) failed: the reviser answers the question afresh (uses a round)."""
        req: Request = state["request"]
        info: RunInfo = state["info"]
        state["round"] += 1
        state["phase"] = "revising"
        r = req.with_(n=1, seed=derive_seed(info.seed, "refine", "redraft", state["round"]))
        return [Call(self._reviser(), r, label=f"refine:redraft:{state['round']}")]

    def _critique(self, state: dict[str, Any]) -> list[Action] | Done:
        req: Request = state["request"]
        info: RunInfo = state["info"]
        state["phase"] = "critiquing"
        r = derived_request(
            req,
            info,
            critique_prompt(question_of(info, req), show_answer(state["current"])),
            system=CRITIC_SYSTEM,
            kind="yesno",
            seed=derive_seed(info.seed, "refine", "critique", state["round"]),
            max_tokens=min(req.max_tokens, 48),
        )
        return [Call(self._critic(), r, label=f"refine:critique:{state['round']}")]

    def _revise(self, state: dict[str, Any]) -> list[Action]:
        req: Request = state["request"]
        info: RunInfo = state["info"]
        state["round"] += 1
        state["phase"] = "revising"
        rejected = []
        for s, score, accepted in state["history"]:
            wrong = (score is not None and not self._passes(score)) if self.verifier else not accepted
            if wrong and show_answer(s) not in rejected:
                rejected.append(show_answer(s))
        feedback = state["critique"] or "The previous answer is wrong."
        r = derived_request(
            req,
            info,
            revise_prompt(question_of(info, req), show_answer(state["current"]), feedback, rejected),
            system=REVISE_SYSTEM,
            temperature=0.7 if state["round"] > 1 else 0.3,
            seed=derive_seed(info.seed, "refine", "revise", state["round"]),
        )
        return [Call(self._reviser(), r, label=f"refine:revise:{state['round']}")]

    def best(self, state: dict[str, Any]) -> Done:
        hist = state["history"]
        info = {"rounds": state["round"], "stopped": state["stopped"] or "budget"}
        if not hist:
            return Done(answer=None, text="", confidence=0.0, samples=state["samples"], info=info)
        if self.verifier is not None:
            scored = [[p, p.score or 0.0, False] for p in state.get("proposals", [])]
            scored += [h for h in hist if h[1] is not None]
            # The best-scored answer; among equals the latest revision (proposals only win outright).
            pick = max(reversed(scored), key=lambda h: h[1]) if scored else hist[-1]
            conf = pick[1]
        else:
            accepted = [h for h in hist if h[2]]
            pick = accepted[-1] if accepted else hist[-1]
            conf = 1.0 if accepted else 0.0
        s: Sample = pick[0]
        return Done(answer=s.answer, text=s.text, confidence=conf, samples=state["samples"], info=info)
