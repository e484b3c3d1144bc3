"""The strategy protocol: configuration plus a pure step function over explicit state.

A strategy never performs I/O. The engine's driver asks it for its next actions, performs them (model calls,
sub-strategies, concurrently), and hands back the outcomes::

    state = strategy.init(request, info)
    actions = strategy.step(state, [])
    while not isinstance(actions, Done):
        outcomes = await run_all(actions)          # the driver: budgets, tracing, caching, concurrency
        actions = strategy.step(state, outcomes)

When the budget runs out mid-way, the driver calls ``strategy.best(state)`` and marks the completion
``budget_exhausted``. Because state is explicit and steps are pure, strategies nest (an action may run
another strategy), replay deterministically under a seed, and are testable without models.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..types import Completion, Request, Sample


@dataclass
class Call:
    """Ask one model for ``request.n`` samples."""

    model: str
    request: Request
    label: str = ""


@dataclass
class Run:
    """Run a sub-strategy on a request; its outcome is a ``Completion``."""

    strategy: Strategy
    request: Request
    label: str = ""
    seed: int | None = None  # the sub-run's seed (``RunInfo.seed``); None: the parent run's seed


Action = Call | Run


@dataclass
class Outcome:
    """What an action produced: samples (for a Call) or a completion (for a Run), or the error."""

    action: Action
    samples: list[Sample] = field(default_factory=list)
    completion: Completion | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Done:
    """The strategy's final answer."""

    answer: Any
    text: str = ""
    confidence: float | None = None
    samples: list[Sample] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunInfo:
    """Read-only facts a strategy may use: the seed, the answer kind, the registry's model names."""

    seed: int
    answer_kind: str | None
    question: str
    models: list[str]


class Strategy(abc.ABC):
    """Configuration (dataclass fields) plus ``init``/``step``/``best`` over an explicit state object."""

    name: ClassVar[str] = ""

    @abc.abstractmethod
    def init(self, request: Request, info: RunInfo) -> Any:
        """A fresh state for one request."""

    @abc.abstractmethod
    def step(self, state: Any, outcomes: list[Outcome]) -> list[Action] | Done:
        """Given the outcomes of the previous actions (empty at first), the next actions or ``Done``."""

    @abc.abstractmethod
    def best(self, state: Any) -> Done:
        """The best answer so far (called when the budget runs out)."""

    def models(self) -> list[str]:
        """Every registry model this strategy (and its sub-strategies) may call; used for validation."""
        return []

    def describe(self) -> str:
        return self.name
