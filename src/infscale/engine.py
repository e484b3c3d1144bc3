"""The engine: resolves a spec (a model name or a pipeline) and drives its strategy to a completion.

The driver is the only place that performs I/O on a strategy's behalf: it enforces the budget before
every call, runs actions concurrently (each backend bounds its own concurrency), extracts answers,
records the trace tree and turns budget exhaustion into the strategy's best answer so far.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Callable
from typing import Any

from .errors import BudgetExceededError, InfscaleError, InvalidRequestError, ModelError
from .extract import extract
from .models.registry import Registry
from .monitor.budget import Budget, BudgetTracker
from .strategies.base import Action, Call, Done, Outcome, RunInfo, Strategy
from .strategies.sample import SampleStrategy
from .types import Completion, Cost, Request, Sample, Trace, Usage

StrategyParser = Callable[[str, Registry], Strategy]


def _default_parser(spec: str, registry: Registry) -> Strategy:
    """Resolve a spec: a named pipeline from the config, a pipeline expression, or a model name."""
    try:
        from .pipeline import parse_pipeline
    except ImportError:  # pipelines not available: a spec must be a model name
        registry.get(spec)
        return SampleStrategy(pool=[spec], n=1)
    return parse_pipeline(spec, registry)


def tighter_budget(a: Budget | None, b: Budget | None) -> Budget:
    """Each limit the stricter of two budgets (None: no limit)."""
    if not isinstance(b, Budget):
        return a or Budget()
    if a is None:
        return b

    def lo(x: Any, y: Any) -> Any:
        return y if x is None else x if y is None else min(x, y)

    return Budget(
        max_calls=lo(a.max_calls, b.max_calls),
        max_tokens=lo(a.max_tokens, b.max_tokens),
        max_usd=lo(a.max_usd, b.max_usd),
        deadline_s=lo(a.deadline_s, b.deadline_s),
    )


def _exhausted(result: Outcome | BudgetExceededError) -> bool:
    """Whether an action ran into the budget (directly, or inside a sub-strategy)."""
    if isinstance(result, BudgetExceededError):
        return True
    return result.completion is not None and result.completion.budget_exhausted


class RunState:
    """Everything one request's run shares: budget, seed, answer kind, root trace."""

    def __init__(self, engine: Engine, request: Request, seed: int, budget: Budget) -> None:
        self.engine = engine
        self.request = request
        self.seed = seed
        self.tracker = BudgetTracker(budget)
        self.answer_kind: str | None = request.metadata.get("answer_kind")
        self.question = request.user_text()
        self.errors: list[str] = []
        self._call_counter = 0

    def next_seed(self, request: Request) -> int:
        """A distinct, reproducible seed per call: the run's seed plus the call's order of issue."""
        if request.seed is not None:
            return request.seed
        self._call_counter += 1
        return (self.seed * 1_000_003 + self._call_counter * 7919) % (2**31)


class Engine:
    """Runs specs against a registry. ``arun`` is the async core; ``run`` the sync wrapper."""

    def __init__(self, registry: Registry | None = None, parser: StrategyParser | None = None) -> None:
        self.registry = registry or Registry.load()
        self.parser = parser or _default_parser

    @classmethod
    def from_config(cls, config_path: str | os.PathLike[str] | None = None) -> Engine:
        return cls(Registry.load(config_path))

    def resolve(self, spec: str) -> Strategy:
        """The strategy for a spec (a model name is ``sample`` with one model); raises on bad specs."""
        spec = spec.strip()
        if spec in self.registry:
            return SampleStrategy(pool=[spec], n=1)
        return self.parser(spec, self.registry)

    def validate_spec(self, spec: str) -> Strategy:
        """Parse a spec and check every model it names exists; no model runs."""
        strat = self.resolve(spec)
        for m in strat.models():
            self.registry.get(m)
        return strat

    async def arun(
        self,
        spec: str | Strategy,
        request: Request,
        *,
        seed: int | None = None,
        budget: Budget | None = None,
    ) -> Completion:
        """Answer ``request`` with the pipeline ``spec``."""
        request.validate()
        strategy = self.resolve(spec) if isinstance(spec, str) else spec
        if (
            isinstance(strategy, SampleStrategy)
            and len(strategy.pool) == 1
            and strategy.n == 1
            and request.n > 1
        ):
            strategy = SampleStrategy(pool=strategy.pool, n=request.n)
        if seed is None:
            seed = request.seed if request.seed is not None else random.randrange(2**31)
        # The request's seed seeds the run; every call then gets its own seed derived from it (a seed left
        # on the request would give every call the same samples).
        request = request.with_(seed=None)
        # A pipeline may carry its own budget (``... | calls=20``): the tighter of both limits applies.
        budget = tighter_budget(budget, getattr(strategy, "budget", None))
        state = RunState(self, request, seed, budget)
        t0 = time.perf_counter()
        root = Trace(name=strategy.describe(), kind="strategy", attrs={"seed": seed})
        done, exhausted = await self._drive(state, strategy, request, root)
        root.latency_ms = (time.perf_counter() - t0) * 1000
        root.attrs.update(done.info)
        root.rollup()
        if exhausted or state.tracker.exhausted:
            root.attrs["budget_exhausted"] = True
        return Completion(
            answer=done.answer,
            text=done.text,
            samples=done.samples,
            trace=root,
            usage=root.usage,
            cost=root.cost,
            latency_ms=root.latency_ms,
            budget_exhausted=exhausted or state.tracker.exhausted,
            confidence=done.confidence,
            errors=list(state.errors),
        )

    def run(self, spec: str | Strategy, request: Request, **kw: Any) -> Completion:
        """Synchronous wrapper around ``arun``."""
        return asyncio.run(self.arun(spec, request, **kw))

    async def _drive(
        self, state: RunState, strategy: Strategy, request: Request, node: Trace, seed: int | None = None
    ) -> tuple[Done, bool]:
        info = RunInfo(
            seed=state.seed if seed is None else seed,
            answer_kind=state.answer_kind,
            question=state.question,
            models=self.registry.names(),
        )
        st = strategy.init(request, info)
        outcomes: list[Outcome] = []
        while True:
            nxt = strategy.step(st, outcomes)
            if isinstance(nxt, Done):
                return nxt, False
            results = await asyncio.gather(*(self._perform(state, a, node) for a in nxt))
            if any(_exhausted(r) for r in results):
                # Outcomes that did arrive still count: hand them over, then take the best so far.
                got = [r for r in results if isinstance(r, Outcome)]
                if got:
                    nxt2 = strategy.step(st, got)
                    if isinstance(nxt2, Done):
                        return nxt2, True
                return strategy.best(st), True
            outcomes = [r for r in results if isinstance(r, Outcome)]

    async def _perform(self, state: RunState, action: Action, parent: Trace) -> Outcome | BudgetExceededError:
        try:
            if isinstance(action, Call):
                samples = await self.call(state, action.model, action.request, parent, label=action.label)
                errs = [s.error for s in samples if s.error]
                return Outcome(
                    action,
                    samples=samples,
                    error="; ".join(errs) if errs and len(errs) == len(samples) else None,
                )
            node = parent.add(Trace(name=action.label or action.strategy.describe(), kind="strategy"))
            t0 = time.perf_counter()
            done, exhausted = await self._drive(state, action.strategy, action.request, node, action.seed)
            node.latency_ms = (time.perf_counter() - t0) * 1000
            node.attrs.update(done.info)
            if exhausted:
                node.attrs["budget_exhausted"] = True
            node.rollup()
            comp = Completion(
                answer=done.answer,
                text=done.text,
                samples=done.samples,
                trace=node,
                usage=node.usage,
                cost=node.cost,
                latency_ms=node.latency_ms,
                budget_exhausted=exhausted,
                confidence=done.confidence,
            )
            # An exhausted sub-run still hands over its best answer; the driver stops on its flag.
            return Outcome(action, samples=done.samples, completion=comp)
        except BudgetExceededError as e:
            return e
        except (ModelError, InvalidRequestError) as e:
            # One call a model rejects (e.g. a prompt beyond its context) fails that action, not the run:
            # a cascade keeps its earlier tiers' answers.
            state.errors.append(e.message)
            return Outcome(action, error=e.message)

    async def call(
        self, state: RunState, model: str, request: Request, parent: Trace, label: str = ""
    ) -> list[Sample]:
        """One model call under the budget; answers extracted; a trace leaf added to ``parent``."""
        backend = self.registry.backend(model)
        spec = backend.spec
        request = request.with_(seed=state.next_seed(request))
        fitted, reservation = state.tracker.fit(
            request, backend.input_bound(request), spec.price_in, spec.price_out
        )
        leaf = parent.add(
            Trace(
                name=model,
                kind="call",
                attrs={
                    "label": label,
                    "n": fitted.n,
                    "temperature": fitted.temperature,
                    "max_tokens": fitted.max_tokens,
                    "seed": fitted.seed,
                },
            )
        )
        if fitted.n < request.n or fitted.max_tokens < request.max_tokens:
            # The budget cut this call short: the run is budget-limited even if nothing is refused later.
            state.tracker.exhausted = True
            leaf.attrs["budget_cut"] = {"n": request.n, "max_tokens": request.max_tokens}
        t0 = time.perf_counter()
        samples: list[Sample] = []
        try:
            remaining = state.tracker.remaining_s()
            async with backend.semaphore:
                if remaining is not None:
                    samples = await asyncio.wait_for(backend.generate(fitted), timeout=max(remaining, 0.001))
                else:
                    samples = await backend.generate(fitted)
        except TimeoutError:
            leaf.error = "deadline reached during the call"
            state.tracker.exhausted = True
            raise BudgetExceededError("budget exhausted: deadline reached") from None
        except InfscaleError as e:
            leaf.error = e.message
            raise
        except Exception as e:  # a backend bug must not lose the run: report it as a model error
            leaf.error = f"{type(e).__name__}: {e}"
            raise ModelError(f"{model}: {type(e).__name__}: {e}") from e
        finally:
            state.tracker.settle(reservation, samples)
            leaf.latency_ms = (time.perf_counter() - t0) * 1000
        kind = request.metadata.get("answer_kind", state.answer_kind)
        question = request.metadata.get("question", state.question)
        for s in samples:
            if s.answer is None and s.ok:
                s.answer = extract(s.text, kind, question)
            if s.error:
                state.errors.append(f"{model}[{s.index}]: {s.error}")
        leaf.usage = sum((s.usage for s in samples), Usage())
        leaf.cost = sum((s.cost for s in samples), Cost())
        leaf.attrs["answers"] = [s.answer for s in samples]
        return samples
