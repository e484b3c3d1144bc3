"""Run a solver over many tasks: parallel worker processes, an enforced per-task time limit, scoring.

Each task runs in its own forked process (so a runaway task can be killed and scored 0 without taking the
evaluation down, and caches never grow across tasks); at most ``workers`` run at once.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from .dsl import kernels
from .grid import NamedTask
from .scoring import score_task
from .solver import DslSolver, attempts_at_budget


@dataclass
class TaskResult:
    task_id: str
    score: float  # official per-task score (fraction of test inputs solved)
    elapsed_s: float
    train_score: float = 0.0
    programs: list[str] = field(default_factory=list)
    nodes: int = 0
    status: str = "ok"  # ok | timeout | error
    error: str = ""
    found_s: list[float] = field(default_factory=list)
    curve: dict[float, float] = field(default_factory=dict)  # replayed score at smaller budgets
    attempts: list[Any] = field(default_factory=list)
    search_timed_out: bool = False  # the main search stopped at its time limit, not at the end of its depth
    depth_reached: int = 0


@dataclass
class RunSummary:
    results: list[TaskResult]
    n_tasks: int

    @property
    def score(self) -> float:
        """Official split score: mean over all tasks (failed/timed-out count 0)."""
        return sum(r.score for r in self.results) / self.n_tasks if self.n_tasks else 0.0

    @property
    def solved(self) -> float:
        return sum(r.score for r in self.results)

    def curve_score(self, budget: float) -> float:
        """Official score had the search stopped at ``budget`` seconds (replayed, verified programs only)."""
        return sum(r.curve.get(budget, 0.0) for r in self.results) / self.n_tasks if self.n_tasks else 0.0

    def time_quantile(self, q: float) -> float:
        ts = sorted(r.elapsed_s for r in self.results)
        if not ts:
            return 0.0
        if q == 0.5:
            return statistics.median(ts)
        return ts[min(len(ts) - 1, int(q * len(ts)))]


def _child(conn: Connection, nt: NamedTask, solver_kwargs: dict[str, Any], curve: Sequence[float]) -> None:
    try:
        t0 = time.perf_counter()
        sol = DslSolver(**solver_kwargs).solve(nt.task)
        known = all("output" in p for p in nt.task["test"])
        sc = score_task(sol.attempts, nt.task) if known else 0.0
        replay = {b: score_task(attempts_at_budget(sol, b), nt.task) for b in curve} if known else {}
        conn.send(
            TaskResult(
                nt.task_id,
                sc,
                time.perf_counter() - t0,
                sol.train_score,
                sol.programs,
                sol.nodes,
                found_s=sol.extra.get("found_s", []),
                curve=replay,
                attempts=sol.attempts,
                search_timed_out=sol.timed_out,
                depth_reached=sol.depth_reached,
            )
        )
    except Exception as exc:  # recorded, scored 0: one bad task must not stop an evaluation
        conn.send(TaskResult(nt.task_id, 0.0, 0.0, status="error", error=f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_tasks(
    tasks: Sequence[NamedTask],
    solver_kwargs: dict[str, Any],
    workers: int = 2,
    hard_limit_s: float | None = None,
    on_result: Callable[[TaskResult], None] | None = None,
    curve: Sequence[float] = (),
) -> RunSummary:
    """Solve every task with ``DslSolver(**solver_kwargs)``; a task over ``hard_limit_s`` is killed, scored 0."""
    kernels.warmup()  # compiled once here; the forked workers inherit it
    ctx = mp.get_context("fork")
    budget = float(solver_kwargs.get("time_budget_s", 10.0))
    limit = hard_limit_s if hard_limit_s is not None else budget * 1.5 + 2.0
    pending = list(tasks)[::-1]
    running: dict[str, tuple[Any, Connection, float, NamedTask]] = {}
    results: list[TaskResult] = []

    def finish(r: TaskResult) -> None:
        results.append(r)
        if on_result is not None:
            on_result(r)

    while pending or running:
        while pending and len(running) < max(1, workers):
            nt = pending.pop()
            parent, child = ctx.Pipe(duplex=False)
            p = ctx.Process(target=_child, args=(child, nt, solver_kwargs, tuple(curve)), daemon=True)
            p.start()
            child.close()
            running[nt.task_id] = (p, parent, time.perf_counter(), nt)
        ready = mp.connection.wait([v[1] for v in running.values()], timeout=0.05)
        now = time.perf_counter()
        for tid, (p, conn, start, _nt) in list(running.items()):
            if conn in ready:
                try:
                    r = conn.recv()
                except EOFError:
                    r = TaskResult(tid, 0.0, now - start, status="error", error="worker died")
                p.join()
                conn.close()
                del running[tid]
                finish(r)
            elif now - start > limit:
                p.kill()
                p.join()
                conn.close()
                del running[tid]
                finish(TaskResult(tid, 0.0, now - start, status="timeout", error=f"over {limit:.1f}s"))
    order = {nt.task_id: i for i, nt in enumerate(tasks)}
    results.sort(key=lambda r: order[r.task_id])
    return RunSummary(results, len(tasks))
