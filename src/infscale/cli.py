"""The ``infscale`` command line (typer + rich).

Every expected failure prints one line on stderr and exits non-zero; tracebacks are for bugs only.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from .errors import InfscaleError
from .types import Request, Trace

app = typer.Typer(
    name="infscale",
    help="Inference-time scaling over a pool of models: sample, vote, verify, escalate, search.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

ConfigOpt = Annotated[
    str | None,
    typer.Option("--config", help="infscale.toml to read (default: $INFSCALE_CONFIG or ./infscale.toml)"),
]


def fail(message: str, code: int = 2) -> None:
    """One line on stderr, then exit non-zero."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command("models")
def models_cmd(
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List every registered model and whether it is usable here (and why not)."""
    from .models.registry import Registry

    reg = Registry.load(config)
    rows = []
    for name in reg.names():
        spec = reg.get(name)
        ok, why = reg.availability(name)
        rows.append({**spec.to_dict(), "usable": ok, "why_not": why or None})
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    t = Table(title="infscale models")
    for col in ("name", "backend", "tier", "$/M in", "$/M out", "format", "tags", "usable"):
        t.add_column(col)
    for r in rows:
        t.add_row(
            r["name"],
            r["backend"],
            str(r["tier"]),
            f"{r['price_in']:g}",
            f"{r['price_out']:g}",
            r["prompt_format"],
            ",".join(r["tags"]),
            "[green]yes[/]" if r["usable"] else f"[red]no[/]: {r['why_not']}",
        )
    console.print(t)


@app.command("ask")
def ask_cmd(
    prompt: Annotated[str, typer.Argument(help="The question or prompt.")],
    model: Annotated[str | None, typer.Option("--model", "-m", help="A registry model name.")] = None,
    pipeline: Annotated[str | None, typer.Option("--pipeline", "-p", help="A pipeline spec or name.")] = None,
    n: Annotated[int, typer.Option("--n", help="Samples to draw.")] = 1,
    temperature: Annotated[float | None, typer.Option("--temperature", "-t")] = None,
    seed: Annotated[int | None, typer.Option("--seed")] = None,
    max_tokens: Annotated[int, typer.Option("--max-tokens")] = 128,
    answer_kind: Annotated[
        str,
        typer.Option("--answer", help="Answer extraction: auto, number, text, yesno, choice, code, json."),
    ] = "auto",
    system: Annotated[str | None, typer.Option("--system", help="A system prompt.")] = None,
    max_calls: Annotated[int | None, typer.Option("--max-calls", help="Budget: model calls.")] = None,
    max_budget_tokens: Annotated[
        int | None, typer.Option("--max-total-tokens", help="Budget: tokens.")
    ] = None,
    max_usd: Annotated[float | None, typer.Option("--max-usd", help="Budget: money.")] = None,
    deadline: Annotated[float | None, typer.Option("--deadline", help="Budget: seconds.")] = None,
    show_trace: Annotated[bool, typer.Option("--trace", help="Draw the trace tree.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Answer a prompt with a model or a pipeline."""
    from .engine import Engine
    from .monitor.budget import Budget

    if (model is None) == (pipeline is None):
        fail("give exactly one of --model or --pipeline")
    if temperature is None:
        temperature = 0.0 if n == 1 else 0.8
    engine = Engine.from_config(config)
    spec = model or pipeline or ""
    if model is not None:
        engine.registry.get(model)
    else:
        engine.validate_spec(spec)
    request = Request(
        prompt=prompt,
        system=system,
        n=n,
        temperature=temperature,
        seed=seed,
        max_tokens=max_tokens,
        metadata={"answer_kind": answer_kind},
    ).validate()
    budget = Budget(max_calls=max_calls, max_tokens=max_budget_tokens, max_usd=max_usd, deadline_s=deadline)
    comp = engine.run(spec, request, seed=seed, budget=budget)
    if not any(smp.ok for smp in comp.samples) and comp.errors:
        fail(comp.errors[0])  # nothing answered: the failure is the result
    if as_json:
        sys.stdout.write(json.dumps(comp.to_dict(), default=str) + "\n")
        return
    console.print(f"[bold]answer:[/] {comp.answer!r}")
    if comp.text and str(comp.answer) != comp.text:
        console.print(f"[dim]text:[/] {comp.text}")
    u, c = comp.usage, comp.cost
    console.print(
        f"[dim]{len(comp.samples)} samples, {u.calls} calls, {u.input_tokens}+{u.output_tokens} tokens, "
        f"${c.usd:.6f}, {c.compute_s:.2f} compute-s, {comp.latency_ms:.0f} ms"
        + (" [yellow]budget exhausted[/]" if comp.budget_exhausted else "")
        + "[/]"
    )
    if n > 1 or show_trace:
        t = Table(show_header=True)
        for col in ("#", "model", "answer", "tokens", "ms", "text"):
            t.add_column(col)
        for s in comp.samples:
            t.add_row(
                str(s.index),
                s.model,
                repr(s.answer),
                str(s.usage.output_tokens),
                f"{s.latency_ms:.0f}",
                (s.error or s.text).replace("\n", " ")[:70],
            )
        console.print(t)
    if show_trace:
        console.print(render_trace(comp.trace))
    for e in comp.errors:
        err_console.print(f"[yellow]warning:[/] {e}", highlight=False)


def render_trace(trace: Trace, tree: Tree | None = None) -> Tree:
    """The trace as a rich tree: strategy steps, sub-strategies, model calls with tokens, cost and time."""
    label = (
        f"[bold]{trace.name}[/] [dim]{trace.kind}[/] {trace.usage.calls} calls "
        f"{trace.usage.total_tokens} tok ${trace.cost.usd:.6f} {trace.latency_ms:.0f} ms"
    )
    if trace.cache:
        label += f" [cyan]cache:{trace.cache}[/]"
    if trace.error:
        label += f" [red]{trace.error}[/]"
    if "answers" in trace.attrs:
        label += f" [dim]answers={trace.attrs['answers']}[/]"
    node = tree.add(label) if tree is not None else Tree(label)
    for ch in trace.children:
        render_trace(ch, node)
    return node


@app.command("demo")
def demo_cmd(
    config: ConfigOpt = None,
    out: Annotated[
        str | None, typer.Option("--out", help="Output directory (default runs/demo-TIME).")
    ] = None,
    per_kind: Annotated[int, typer.Option("--per-kind", help="Questions of each of the 6 kinds.")] = 5,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    pipeline: Annotated[
        list[str] | None, typer.Option("--pipeline", "-p", help="Replace the demo's pipelines.")
    ] = None,
) -> None:
    """The main job: single local models versus inference-scaling pipelines, with an HTML report."""
    from pathlib import Path

    from .demo import run_demo

    if per_kind < 1:
        fail("--per-kind must be at least 1")
    rc = run_demo(
        config=config,
        out=Path(out) if out else None,
        per_kind=per_kind,
        seed=seed,
        pipelines=pipeline,
        console=console,
    )
    if rc:
        raise typer.Exit(rc)


def _mount_optional() -> None:
    """Sub-apps from other packages of infscale, mounted when present."""
    for mod, attr, name, kind in (
        ("infscale.sandbox.cli", "app", "sandbox", "group"),
        ("infscale.arc.cli", "app", "arc", "group"),
        ("infscale.bench.cli", "bench_command", "bench", "command"),
        ("infscale.bench.cli", "scaling_command", "scaling", "command"),
    ):
        try:
            m = importlib.import_module(mod)
        except ImportError:
            continue
        obj: Any = getattr(m, attr, None)
        if obj is None:
            continue
        if kind == "group":
            app.add_typer(obj, name=name)
        else:
            app.command(name)(obj)


_mount_optional()


def main() -> None:
    """Entry point: run the app; typed errors become one line and exit code 2."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        app(standalone_mode=True)
    except InfscaleError as e:
        err_console.print(f"[bold red]error:[/] {e.message}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]")
        sys.exit(130)


if __name__ == "__main__":
    main()
