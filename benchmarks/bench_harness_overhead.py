"""Harness overhead per task: ``infscale bench`` machinery versus calling the runner directly.

Both sides run the same 158 QA tasks x 2 pipelines with an instant in-process runner (a noisy oracle with
4 samples), at concurrency 4, in one process. The harness side adds suite scoring, the results.jsonl line
(flushed and fsynced), progress accounting and the summary. Run:

    .venv/bin/python benchmarks/bench_harness_overhead.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import test_bench_fakes as fakes  # noqa: E402
from infscale.bench.harness import BenchSettings, execute, finish, prepare  # noqa: E402
from infscale.bench.runner import task_seed  # noqa: E402
from infscale.bench.suites import SuiteOptions  # noqa: E402
from infscale.bench.suites.qa import QASuite  # noqa: E402

QA = ROOT.parent / "shared" / "data" / "qa" / "dev.jsonl"
PIPES = ["oracle:n=4,p=0.5", "oracle:n=4,p=0.8"]


async def direct(tasks: list, runner: fakes.OracleRunner) -> None:
    sem = asyncio.Semaphore(4)

    async def one(spec: str, task: object) -> None:
        async with sem:
            await runner(spec, task.request, task_seed(0, task.id))  # type: ignore[attr-defined]

    await asyncio.gather(*(one(s, t) for t in tasks for s in PIPES))


def main() -> None:
    gold = fakes.qa_gold(QA)
    tasks = QASuite(SuiteOptions(data=QA)).load()
    units = len(tasks) * len(PIPES)
    best_direct = best_harness = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        asyncio.run(direct(tasks, fakes.OracleRunner(gold)))
        best_direct = min(best_direct, time.perf_counter() - t0)
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            prep = prepare(
                BenchSettings("qa", PIPES, Path(d), SuiteOptions(data=QA), report=False),
                fakes.OracleRunner(gold),
            )
            asyncio.run(execute(prep, show_progress=False))
            finish(prep)
            prep.store.close()
            best_harness = min(best_harness, time.perf_counter() - t0)
    per = (best_harness - best_direct) / units * 1000
    print(f"units: {units} (158 tasks x 2 pipelines, 4 samples each)")
    print(f"direct runner calls: {best_direct:.3f} s   harness: {best_harness:.3f} s   (best of 3)")
    print(
        f"harness overhead: {per:.3f} ms per (pipeline, task); harness/direct time ratio {best_harness / best_direct:.1f}x"
    )


if __name__ == "__main__":
    main()
