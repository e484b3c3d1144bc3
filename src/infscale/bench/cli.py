"""``infscale bench`` and ``infscale scaling``: run benchmark suites and fit inference scaling laws.

``app`` holds both commands; the top-level CLI registers ``bench_command`` and ``scaling_command``.
Every bad input ends with one line on stderr and exit code 2, before any model runs.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from ..errors import InfscaleError
from .harness import BenchSettings, execute, finish, load_run, prepare
from .scaling import ScalingFit, fit_summary
from .suites import SuiteOptions
from .summary import summarize

app = typer.Typer(
    help="Benchmark pipelines and fit inference scaling laws.", no_args_is_help=True, add_completion=False
)

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def _extra(options: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for o in options:
        key, sep, value = o.partition("=")
        if not sep or not key.strip():
            raise _fail(f"--option expects KEY=VALUE, got {o!r}")
        out[key.strip()] = value
    return out


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def bench_command(
    suite: str = typer.Argument(..., help="suite name: " + ", ".join(("qa", "arc")) + " (or a plugin's)"),
    pipeline: list[str] = typer.Option(
        ..., "--pipeline", "-p", help="model name or pipeline spec (repeatable)"
    ),
    out: Path = typer.Option(..., "--out", "-o", help="output directory"),
    data: Path | None = typer.Option(
        None, "--data", help="qa: FILE.jsonl; arc: DIR/data in the official layout"
    ),
    dataset: str | None = typer.Option(None, "--dataset", help="arc: arc-agi-1 or arc-agi-2"),
    split: str | None = typer.Option(None, "--split", help="arc: training or evaluation"),
    tasks: Path | None = typer.Option(
        None, "--tasks", help="file of task ids to run (one per line or a JSON list)"
    ),
    limit: int | None = typer.Option(None, "--limit", help="run only the first N tasks"),
    seed: int = typer.Option(0, "--seed", help="base seed; every pipeline gets the same per-task seeds"),
    concurrency: int = typer.Option(4, "--concurrency", "-c", help="tasks in flight at once"),
    resume: bool = typer.Option(False, "--resume", help="continue the run in --out from results.jsonl"),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="with --resume, rerun tasks that failed"),
    timeout: float | None = typer.Option(
        None, "--timeout", help="seconds per task before it is recorded as failed"
    ),
    max_tokens: int | None = typer.Option(
        None, "--max-tokens", help="max tokens per answer (suite default otherwise)"
    ),
    temperature: float | None = typer.Option(
        None, "--temperature", help="request temperature (pipelines may override)"
    ),
    option: list[str] = typer.Option([], "--option", help="suite option KEY=VALUE (repeatable)"),
    config: Path | None = typer.Option(None, "--config", help="infscale.toml for the engine"),
    runner: str | None = typer.Option(
        None, "--runner", help="module:factory returning a runner to use instead of the engine"
    ),
    target: float = typer.Option(0.9, "--target", help="coverage target for the scaling forecast"),
    no_report: bool = typer.Option(False, "--no-report", help="skip report.html (no matplotlib needed)"),
    json_out: bool = typer.Option(False, "--json", help="print the summary as JSON on stdout"),
) -> None:
    """Run SUITE with every --pipeline on the same tasks and seeds; write results, summary and report to --out."""
    settings = BenchSettings(
        suite=suite,
        pipelines=list(pipeline),
        out_dir=out,
        options=SuiteOptions(
            data=data,
            dataset=dataset,
            split=split,
            tasks=tasks,
            max_tokens=max_tokens,
            temperature=temperature,
            extra=_extra(option),
        ),
        limit=limit,
        seed=seed,
        concurrency=concurrency,
        resume=resume,
        timeout_s=timeout,
        retry_failed=retry_failed,
        report=not no_report,
        target=target,
        config=config,
        runner=runner,
    )
    if retry_failed and not resume:
        raise _fail("--retry-failed needs --resume")
    err = Console(stderr=True)
    try:
        prep = prepare(settings)
    except InfscaleError as exc:
        raise _fail(exc.message) from None
    except OSError as exc:
        raise _fail(f"{exc.filename or out}: {exc.strerror or exc}") from None
    previous_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    interrupted = False
    try:
        if prep.repaired_tail:
            err.print(
                "[yellow]results.jsonl ended in a truncated line (an interrupted write); it will be redone[/yellow]"
            )
        done = len(prep.plan.tasks) * len(settings.pipelines) - len(prep.plan.units(prep.done))
        if resume and done:
            err.print(f"resuming: {done} results already recorded in {out / 'results.jsonl'}")
        try:
            asyncio.run(execute(prep, show_progress=True))
        except KeyboardInterrupt:
            interrupted = True
        try:
            summary, fits, written = finish(prep)
        except InfscaleError as exc:
            raise _fail(exc.message) from None
        except OSError as exc:
            raise _fail(f"cannot write the outputs: {exc.filename or out}: {exc.strerror or exc}") from None
    finally:
        prep.store.close()
        signal.signal(signal.SIGTERM, previous_term)
    if json_out:
        typer.echo(json.dumps(summary, indent=2, default=repr))
    else:
        _print_summary(summary, fits)
        err.print("wrote " + ", ".join(str(p) for p in written))
    if interrupted:
        err.print(
            f"[yellow]interrupted: finished results are saved; continue with --resume --out {out}[/yellow]"
        )
        raise typer.Exit(EXIT_INTERRUPTED)


def _console() -> Console:
    """stdout console; wide enough for the tables when output is not a terminal (pipes, CI logs)."""
    return Console(width=None if sys.stdout.isatty() else 160)


def _print_summary(summary: dict[str, Any], fits: list[ScalingFit]) -> None:
    console = _console()
    for i, p in enumerate(summary["pipelines"]):
        console.print(f"P{i + 1} = {p['pipeline']}", markup=False, highlight=False)
    arc = summary["suite"] == "arc"
    table = Table(title=f"infscale bench {summary['suite']} ({summary['tasks']} tasks)")
    cols = (
        "",
        "score" if arc else "acc",
        "cov@1",
        "cov@n",
        "n",
        "eff",
        "fail",
        "USD",
        "tokens",
        "model-s",
        "p50 ms",
        "p95 ms",
    )
    for col in cols:
        table.add_column(col, justify="right", no_wrap=True)

    def f(v: Any, nd: int = 3) -> str:
        return "-" if v is None else f"{v:.{nd}f}" if isinstance(v, float) else str(v)

    for i, p in enumerate(summary["pipelines"]):
        cov = p["coverage"]["value"]
        table.add_row(
            f"P{i + 1}",
            f(p["selected_accuracy"]),
            f(cov[0] if cov else None),
            f(p["coverage_at_n"]),
            str(p["samples"]["max"]),
            f(p["selection_efficiency"], 2),
            str(p["failed"]),
            f(p["cost"]["usd"], 4),
            str(p["cost"]["total_tokens"]),
            f(p["cost"]["model_seconds"], 1),
            f(p["latency_ms"]["p50"], 0),
            f(p["latency_ms"]["p95"], 0),
        )
    console.print(table)
    if arc:
        for i, p in enumerate(summary["pipelines"]):
            a = p["arc"]
            console.print(
                f"P{i + 1} ARC score {a['score']:.4f} over {a['tasks']} tasks; over the whole split ({a['split_size']}): "
                f"{a['official_score']:.4f}" + ("" if a["full_split"] else " (subset run)")
            )


def _print_fits(fits: list[ScalingFit]) -> None:
    console = _console()
    for i, fit in enumerate(fits):
        console.print(f"P{i + 1} = {fit.pipeline}", markup=False, highlight=False)
    target = fits[0].target if fits else 0.9
    table = Table(title="coverage scaling law: log coverage(k) = a * k^b")
    for col in ("", "status", "a", "b", "R2", "R2 log", "RMSE", "points", "cov@max k", f"k for {target}"):
        table.add_column(col, justify="left" if col == "status" else "right", no_wrap=True)

    def g(v: float | None, nd: int = 4) -> str:
        return "-" if v is None else f"{v:.{nd}f}"

    for i, fit in enumerate(fits):
        k = fit.samples_for_target
        table.add_row(
            f"P{i + 1}",
            fit.status,
            g(fit.a),
            g(fit.b),
            g(fit.r2),
            g(fit.r2_log),
            g(fit.rmse),
            str(fit.points),
            g(fit.coverage_at_max_k, 3),
            "not reachable" if k is None and fit.status == "ok" else g(k, 1),
        )
    console.print(table)
    for i, fit in enumerate(fits):
        if fit.message:
            console.print(f"P{i + 1}: {fit.message}", markup=False, highlight=False)


def scaling_command(
    run_dir: Path = typer.Argument(..., metavar="DIR", help="an infscale bench output directory"),
    target: float = typer.Option(0.9, "--target", help="coverage to forecast the samples for"),
    json_out: bool = typer.Option(False, "--json", help="print the fits as JSON"),
) -> None:
    """Fit coverage versus samples per pipeline (log coverage = a * k^b), report fit quality and forecast k."""
    if not 0.0 < target < 1.0:
        raise _fail(f"--target must be between 0 and 1, got {target}")
    try:
        run, records = load_run(run_dir)
        summary = summarize(run, records)
        try:
            fits = fit_summary(summary, target)
        except ImportError as exc:
            raise _fail(f"scaling fits need scipy: pip install 'infscale[plots]' ({exc})") from None
    except InfscaleError as exc:
        raise _fail(exc.message) from None
    if json_out:
        out = {
            "dir": str(run_dir),
            "suite": summary["suite"],
            "tasks": summary["tasks"],
            "target": target,
            "pipelines": [
                {**f.to_dict(), "coverage": p["coverage"], "selected_accuracy": p["selected_accuracy"]}
                for f, p in zip(fits, summary["pipelines"], strict=True)
            ],
        }
        typer.echo(json.dumps(out, indent=2))
        return
    _print_fits(fits)


app.command("bench")(bench_command)
app.command("scaling")(scaling_command)


def main() -> None:  # pragma: no cover - thin wrapper for `python -m infscale.bench.cli`
    app(prog_name="infscale")


if __name__ == "__main__":  # pragma: no cover
    main()
