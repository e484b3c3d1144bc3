"""The main job: single local models versus inference-scaling pipelines on a question set infscale writes
itself, through the benchmark harness (summary table, results.jsonl, report.html)."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console

from .bench.builtin_questions import generate, write_jsonl

# Single models first (the baselines), then the pipelines that spend more compute.
DEMO_PIPELINES: list[str] = [
    "smollm2-135m",
    "gemma3-270m",
    "vote(n=8, models=[smollm2-135m, gemma3-270m])",
    # arithmetic to program-aided voting (the models write expressions, a restricted evaluator runs them),
    # everything else to a cross-model vote
    "route(math=vote(n=6, models=[smollm2-135m, gemma3-270m], via=pal), "
    "default=vote(n=8, models=[smollm2-135m, gemma3-270m]))",
]


def run_demo(
    *,
    config: str | None = None,
    out: Path | None = None,
    per_kind: int = 5,
    seed: int = 0,
    pipelines: list[str] | None = None,
    console: Console | None = None,
) -> int:
    """Write the built-in questions, bench every pipeline on them, print the table and the report's path."""
    from .cli import app

    console = console or Console()
    out = out or Path("runs") / time.strftime("demo-%Y%m%d-%H%M%S")
    questions = write_jsonl(out / "questions.jsonl", generate(per_kind, seed=seed))
    console.print(
        f"[bold]infscale demo[/]: {per_kind * 6} built-in questions (capitals, arithmetic, comparisons, parity), "
        f"{len(pipelines or DEMO_PIPELINES)} pipelines on the embedded local models, offline"
    )
    args = [
        "bench",
        "qa",
        "--data",
        str(questions),
        "--out",
        str(out),
        "--seed",
        str(seed),
        "--concurrency",
        "4",
    ]
    for p in pipelines or DEMO_PIPELINES:
        args += ["-p", p]
    if config:
        args += ["--config", config]
    rc = app(args, standalone_mode=False)
    report = out / "report.html"
    if report.is_file():
        console.print(f"[bold]report:[/] {report.resolve()}")
    return int(rc or 0)
