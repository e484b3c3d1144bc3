"""Run every (pipeline, task) pair of a benchmark with bounded concurrency, recording each as it finishes.

The harness talks to whatever answers requests through the :class:`Runner` protocol: an async callable
``(spec, request, seed) -> Completion``. :class:`EngineRunner` adapts the infscale engine; tests and other
systems pass any function with that signature. A task that raises (or times out) is recorded as failed with
its error and never stops the run.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from ..errors import BackendError, ModelUnavailableError
from ..types import Completion, Cost, Request, Trace, Usage
from .store import SCHEMA_VERSION, Key, ResultStore
from .suites.base import BenchTask, Suite


@runtime_checkable
class Runner(Protocol):
    """Anything that answers a request with a pipeline (or model) spec."""

    async def __call__(self, spec: str, request: Request, seed: int | None) -> Completion: ...


class EngineRunner:
    """The infscale engine as a :class:`Runner`; ``validate`` rejects bad specs before any model runs."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def validate(self, spec: str) -> None:
        """Parse the spec, check its models exist and can run here (no weights are loaded)."""
        strategy = self.engine.validate_spec(spec)
        registry = getattr(self.engine, "registry", None)
        models = strategy.models() if hasattr(strategy, "models") else []
        if registry is not None and hasattr(registry, "availability"):
            for model in dict.fromkeys(models):
                ok, why = registry.availability(model)
                if not ok:
                    raise ModelUnavailableError(
                        f"pipeline {spec!r}: {why or f'model {model!r} is unavailable'}"
                    )

    async def __call__(self, spec: str, request: Request, seed: int | None) -> Completion:
        result: Completion = await self.engine.arun(spec, request, seed=seed)
        return result

    async def aclose(self) -> None:
        """Release backend clients inside the loop that used them."""
        for owner in (self.engine, getattr(self.engine, "registry", None)):
            close = getattr(owner, "aclose", None)
            if close is not None:
                await close()
                return


def task_seed(seed: int, task_id: str) -> int:
    """The seed every pipeline gets for one task: stable across runs, pipelines and processes."""
    digest = hashlib.sha256(f"{seed}:{task_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def trace_summary(trace: Trace) -> dict[str, Any]:
    """A compact view of a trace tree: strategy steps, calls per model, cache hits, errors, depth."""
    calls_by_model: dict[str, int] = {}
    cache_hits: dict[str, int] = {}
    kinds: dict[str, int] = {}
    steps: list[str] = []
    errors: list[str] = []
    depth = 0

    def walk(node: Trace, level: int) -> None:
        nonlocal depth
        depth = max(depth, level)
        kinds[node.kind] = kinds.get(node.kind, 0) + 1
        if node.kind == "strategy" and len(steps) < 50:
            steps.append(node.name)
        if node.kind == "call":
            model = str(node.attrs.get("model", node.name))
            calls_by_model[model] = calls_by_model.get(model, 0) + 1
        if node.cache:
            cache_hits[node.cache] = cache_hits.get(node.cache, 0) + 1
        if node.error and len(errors) < 10:
            errors.append(f"{node.name}: {node.error}")
        for ch in node.children:
            walk(ch, level + 1)

    walk(trace, 1)
    return {
        "root": trace.name,
        "steps": steps,
        "nodes": kinds,
        "depth": depth,
        "calls": sum(calls_by_model.values()),
        "calls_by_model": calls_by_model,
        "cache_hits": cache_hits,
        "errors": errors,
        "usage": trace.usage.to_dict(),
        "cost": trace.cost.to_dict(),
        "latency_ms": round(trace.latency_ms, 3),
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "TimeoutError: the task exceeded its time limit"
    msg = getattr(exc, "message", None) or str(exc) or repr(exc)
    return f"{type(exc).__name__}: {msg}"


def build_record(
    spec: str,
    task: BenchTask,
    seed: int,
    suite: Suite,
    completion: Completion | None,
    error: BaseException | None,
    started: str,
    wall_ms: float,
) -> dict[str, Any]:
    """The results.jsonl line for one (pipeline, task, seed)."""
    rec: dict[str, Any] = {
        "v": SCHEMA_VERSION,
        "pipeline": spec,
        "task_id": task.id,
        "seed": seed,
        "kind": task.kind,
        "started_at": started,
        "finished_at": _now(),
        "wall_ms": round(wall_ms, 3),
    }
    no_sample = completion is not None and not any(s.ok for s in completion.samples)
    if (
        completion is not None
        and error is None
        and no_sample
        and completion.answer is None
        and completion.errors
    ):
        # The engine turned every model failure into an empty completion: the task failed.
        error = BackendError("; ".join(completion.errors)[:2000])
    if completion is not None and error is None:
        try:
            scored = suite.score(task, completion)
        except Exception as exc:  # a scoring bug must not stop the run either
            error = exc
        else:
            correct = [
                i < len(scored.sample_correct) and bool(scored.sample_correct[i])
                for i in range(len(completion.samples))
            ]
            samples = _sample_dicts(completion, correct, scored.sample_answers)
            rec.update(
                status="ok",
                error=None,
                score=scored.score,
                correct=scored.score >= 1.0,
                answer=scored.answer,
                reference=task.reference,
                text=completion.text,
                confidence=completion.confidence,
                sample_correct=correct,
                samples=samples,
                usage=completion.usage.to_dict(),
                cost=completion.cost.to_dict(),
                latency_ms=round(completion.latency_ms, 3),
                calls=completion.usage.calls or len(completion.trace.calls()),
                budget_exhausted=completion.budget_exhausted,
                completion_errors=completion.errors,
                trace=trace_summary(completion.trace),
                details=scored.details,
            )
            return rec
    assert error is not None
    tb = traceback.format_exception(type(error), error, error.__traceback__, limit=-3)
    rec.update(
        status="failed",
        error=_error_text(error),
        error_trace="".join(tb)[-2000:],
        score=0.0,
        correct=False,
        reference=task.reference,
        sample_correct=[],
        # What a failed completion did spend still counts (a timeout's spending is unknown: 0).
        samples=_sample_dicts(completion, None, None) if completion is not None else [],
        usage=completion.usage.to_dict() if completion is not None else Usage().to_dict(),
        cost=completion.cost.to_dict() if completion is not None else Cost().to_dict(),
        calls=completion.usage.calls if completion is not None else 0,
    )
    if completion is not None:
        rec["trace"] = trace_summary(completion.trace)
    return rec


def _sample_dicts(
    completion: Completion, correct: list[bool] | None, answers: list[Any] | None
) -> list[dict[str, Any]]:
    out = []
    for i, s in enumerate(completion.samples):
        d = s.to_dict()
        if answers is not None and i < len(answers) and answers[i] is not None:
            d["answer"] = answers[i]  # the answer as the suite judged it (e.g. normalised ARC attempts)
        d["correct"] = bool(correct[i]) if correct is not None else False
        out.append(d)
    return out


@dataclass
class RunPlan:
    """What to run: the suite and its tasks, the pipelines, the base seed and the limits."""

    suite: Suite
    tasks: Sequence[BenchTask]
    pipelines: Sequence[str]
    seed: int = 0
    concurrency: int = 4
    timeout_s: float | None = None
    retry_failed: bool = False

    def units(self, done: dict[Key, dict[str, Any]]) -> list[tuple[str, BenchTask, int]]:
        """(pipeline, task, seed) still to run, task-major so pipelines progress side by side."""
        out = []
        for task in self.tasks:
            seed = task_seed(self.seed, task.id)
            for spec in self.pipelines:
                rec = done.get((spec, task.id, seed))
                if rec is None or (self.retry_failed and rec.get("status") != "ok"):
                    out.append((spec, task, seed))
        return out


OnResult = Callable[[dict[str, Any]], None]


@dataclass
class RunOutcome:
    ran: int = 0
    failed: int = 0
    records: list[dict[str, Any]] = field(default_factory=list)


async def run_units(
    plan: RunPlan,
    runner: Runner,
    store: ResultStore,
    units: Sequence[tuple[str, BenchTask, int]],
    on_result: OnResult | None = None,
) -> RunOutcome:
    """Run ``units`` at most ``plan.concurrency`` at a time; append each record to ``store`` when done."""
    sem = asyncio.Semaphore(max(1, plan.concurrency))
    outcome = RunOutcome()

    async def one(spec: str, task: BenchTask, seed: int) -> None:
        async with sem:
            started = _now()
            t0 = time.perf_counter()
            completion: Completion | None = None
            error: BaseException | None = None
            # The seed goes to the runner, not into request.seed: the engine treats request.seed as a fixed
            # seed for every call, which would make all samples of a pipeline identical.
            request = task.request.with_(metadata=dict(task.request.metadata))
            try:
                coro = runner(spec, request, seed)
                completion = await (asyncio.wait_for(coro, plan.timeout_s) if plan.timeout_s else coro)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure of one task is recorded, never propagated
                error = exc
            wall_ms = (time.perf_counter() - t0) * 1000.0
            rec = build_record(spec, task, seed, plan.suite, completion, error, started, wall_ms)
            # Written synchronously inside the event loop: lines never interleave.
            store.append(rec)
            outcome.ran += 1
            outcome.failed += rec["status"] != "ok"
            outcome.records.append(rec)
            if on_result is not None:
                on_result(rec)

    tasks = [asyncio.ensure_future(one(*u)) for u in units]
    try:
        await asyncio.gather(*tasks)
    finally:
        for t in tasks:
            t.cancel()
    return outcome
