"""``route``: send each question to the pipeline for its kind (rules only; learned routers are elsewhere).

The rules read cues, not known phrasings: numbers with operator words or symbols (arithmetic), numbers with
a comparative (comparison), a number with even/odd (parity), listed options (choice), a code request
(code), an auxiliary verb opening a question (yes/no); anything else is knowledge. A question has a most
specific kind and broader ones (parity -> math -> yesno); the first kind that has a route wins, then
``default``. ``policy="module:function"`` replaces the rules with any function ``question -> route name``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..types import Request
from .base import Action, Done, Outcome, Run, RunInfo, Strategy
from .common import derive_seed, question_of

KINDS = ("arithmetic", "comparison", "parity", "math", "yesno", "choice", "code", "knowledge")

_NUMBER_WORDS = (
    "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand"
)
_NUM = re.compile(rf"(?<![\w.])[-+]?\d+(?:[.,]\d+)*(?![\w])|\b(?:{_NUMBER_WORDS})\b", re.I)
_OPERATOR = re.compile(
    r"\b(plus|minus|times|multipl\w*|divid\w*|sum|difference|product|quotient|add\w*|subtract\w*|"
    r"total|squared|cubed|square root|power|remainder|modulo|percent|half|double|twice|triple|"
    r"take away|takes away|less|more than|fewer than|left|remain\w*|altogether|combined|increased|decreased)\b"
    r"|\d\s*[-+*/x×÷^]\s*\d",
    re.I,
)
# With two numbers, a request to work something out is arithmetic whatever the operator's wording.
_COMPUTE = re.compile(
    r"^\s*(what is|what's|how much|how many|calculate|compute|evaluate|work out|find)\b", re.I
)
_COMPARATIVE = re.compile(
    r"\b(larger|largest|greater|greatest|bigger|biggest|smaller|smallest|less|lesser|least|lower|lowest|"
    r"higher|highest|more|fewer|max(imum)?|min(imum)?)\b",
    re.I,
)
_PARITY = re.compile(r"\b(even|odd|divisible by 2|parity)\b", re.I)
_CHOICE = re.compile(r"(^|\s)\(?[A-D]\)\s|\boptions?\s*:|\bchoices?\s*:", re.I | re.M)
_CODE = re.compile(
    r"```|\b(write|implement|code)\b.*\b(function|program|script|class|python|javascript)\b", re.I | re.S
)
_YESNO = re.compile(
    r"^\s*(is|are|was|were|do|does|did|can|could|will|would|should|has|have|had)\b|\byes or no\b|\btrue or false\b",
    re.I,
)


def question_kinds(question: str) -> list[str]:
    """The kinds of a question, most specific first (always ending in a broad kind)."""
    q = question.strip()
    nums = _NUM.findall(q)
    kinds: list[str] = []
    if _CODE.search(q):
        kinds.append("code")
    if _CHOICE.search(q):
        kinds.append("choice")
    if nums and _PARITY.search(q):
        kinds += ["parity", "math"]
    elif len(nums) >= 2 and _COMPARATIVE.search(q) and not _OPERATOR.search(q):
        kinds += ["comparison", "math"]
    elif len(nums) >= 2 and (_OPERATOR.search(q) or _COMPUTE.search(q)):
        kinds += ["arithmetic", "math"]
    if _YESNO.search(q):
        kinds.append("yesno")
    if not kinds:
        kinds.append("knowledge")
    return kinds


def load_policy(target: str) -> Callable[[str], str]:
    import importlib

    mod, _, attr = target.partition(":")
    try:
        fn = getattr(importlib.import_module(mod), attr)
    except (ImportError, AttributeError, ValueError) as e:
        raise ConfigError(f"cannot load route policy {target!r}: {e}") from None
    if not callable(fn):
        raise ConfigError(f"route policy {target!r} is not callable")
    return fn  # type: ignore[no-any-return]


@dataclass
class RouteStrategy(Strategy):
    name = "route"
    routes: dict[str, Strategy] = field(default_factory=dict)
    default: Strategy | None = None
    policy: str | None = None

    def __post_init__(self) -> None:
        self._policy = load_policy(self.policy) if self.policy else None
        if self._policy is None:
            unknown = set(self.routes) - set(KINDS)
            if unknown:
                raise ConfigError(
                    f"route: unknown kind(s) {', '.join(sorted(unknown))} (known: {', '.join(KINDS)})"
                )

    def models(self) -> list[str]:
        out: list[str] = []
        for s in [*self.routes.values(), *([self.default] if self.default else [])]:
            out.extend(s.models())
        return out

    def describe(self) -> str:
        parts = [f"{k}={v.describe()}" for k, v in self.routes.items()]
        if self.default:
            parts.append(f"default={self.default.describe()}")
        return f"route({', '.join(parts)})"

    def choose(self, question: str) -> tuple[str, Strategy | None]:
        if self._policy is not None:
            key = str(self._policy(question))
            return key, self.routes.get(key, self.default)
        for kind in question_kinds(question):
            if kind in self.routes:
                return kind, self.routes[kind]
        return "default", self.default

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        key, strat = self.choose(question_of(info, request))
        return {"request": request, "info": info, "key": key, "strategy": strat, "done": None}

    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        strat: Strategy | None = state["strategy"]
        if strat is None:
            return Done(answer=None, info={"route": state["key"], "error": "no route for this question"})
        if not outcomes and state["done"] is None:
            state["done"] = False
            seed = derive_seed(state["info"].seed, "route", state["key"])
            return [Run(strat, state["request"], label=f"route:{state['key']}", seed=seed)]
        for o in outcomes:
            if o.completion is not None:
                state["done"] = o.completion
        return self.best(state)

    def best(self, state: dict[str, Any]) -> Done:
        comp = state["done"]
        if not comp:
            return Done(answer=None, info={"route": state["key"]})
        return Done(
            answer=comp.answer,
            text=comp.text,
            confidence=comp.confidence,
            samples=comp.samples,
            info={"route": state["key"]},
        )
