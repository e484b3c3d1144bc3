"""``infscale sandbox run`` and ``infscale sandbox check``.

``run`` exits 0 when the call returned (status ok), 1 for any other status, 2 on bad input or when the
sandbox cannot run here; ``check`` exits 0 when strict isolation is in force and every probe passed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import InfscaleError, SandboxError

app = typer.Typer(
    help="Run untrusted Python under limits (rlimits, seccomp, Landlock, namespaces).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()

EXIT_NOT_OK = 1
EXIT_BAD_INPUT = 2
_STATUS_STYLE = {"ok": "green", "timeout": "yellow", "memory": "yellow", "output_limit": "yellow"}


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def parse_input(text: str | None) -> tuple[list[Any], dict[str, Any]]:
    """``--input``: a JSON array is the positional arguments, an object the keyword arguments, and any
    other JSON value the single argument."""
    if text is None:
        return [], {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise SandboxError(f"--input is not valid JSON: {exc}") from exc
    if isinstance(value, list):
        return value, {}
    if isinstance(value, dict):
        if not all(isinstance(k, str) and k.isidentifier() for k in value):
            raise SandboxError("--input object keys must be Python identifiers (keyword arguments)")
        return [], value
    return [value], {}


@app.command("run")
def run_cmd(
    file: Annotated[Path, typer.Argument(help="A Python file defining the function to call.")],
    function: Annotated[str, typer.Option("--function", "-f", help="The function to call.")] = "main",
    input_json: Annotated[
        str | None,
        typer.Option(
            "--input", "-i", help="JSON: an array of arguments, an object of keyword arguments, or one value."
        ),
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Wall-clock limit, seconds.")] = 10.0,
    memory: Annotated[float, typer.Option("--memory", help="Memory limit, MB.")] = 512.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")] = False,
    allow_weak: Annotated[
        bool, typer.Option("--allow-weak", help="Run even if a required isolation mechanism is missing.")
    ] = False,
) -> None:
    """Call FUNCTION from FILE in the sandbox and print its status, value, output and time used."""
    from .api import Sandbox
    from .policy import Limits

    try:
        try:
            code = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SandboxError(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}") from exc
        args, kwargs = parse_input(input_json)
        limits = Limits(timeout=timeout, memory_mb=memory)
        with Sandbox(limits=limits, allow_weak=allow_weak, spares=0) as sandbox:
            result = sandbox.run(code, function, args, kwargs)
    except InfscaleError as exc:
        raise _fail(exc.message) from None
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), default=repr) + "\n")
    else:
        style = _STATUS_STYLE.get(result.status.value, "red")
        line = f"[bold {style}]{result.status.value}[/]"
        if result.error:
            line += f"  {escape(result.error)}"
        console.print(line, highlight=False)
        if result.ok:
            console.print(f"[bold]value:[/] {escape(json.dumps(result.value))}", highlight=False)
        for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            if text:
                console.print(f"[dim]--- {name} ---[/]")
                sys.stdout.write(text if text.endswith("\n") else text + "\n")
                sys.stdout.flush()
        console.print(f"[dim]{result.wall_time * 1000:.1f} ms wall, {result.cpu_time * 1000:.1f} ms CPU[/]")
        if result.weak:
            console.print(f"[bold yellow]weak isolation:[/] missing {', '.join(result.missing)}")
    if not result.ok:
        raise typer.Exit(EXIT_NOT_OK)


@app.command("check")
def check_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as one JSON object.")] = False,
    no_probes: Annotated[bool, typer.Option("--no-probes", help="Skip the hostile probe programs.")] = False,
) -> None:
    """Show which isolation mechanisms are in force here, and prove them with probe programs."""
    from .check import check_isolation

    report = check_isolation(probes=not no_probes)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        _print_report(report)
    if not report.strict_ok and not (no_probes and report.isolation and not report.isolation.missing):
        raise typer.Exit(EXIT_NOT_OK)


def _print_report(report: Any) -> None:
    iso = report.isolation
    console.print(
        f"[bold]infscale sandbox check[/]  kernel {report.kernel}, Python {report.python}, as {report.user}"
        + (f", Landlock ABI {iso.landlock_abi}" if iso else ""),
        highlight=False,
    )
    if report.error:
        console.print(f"[bold red]cannot start the sandbox:[/] {escape(report.error)}")
        return
    table = Table(title="isolation mechanisms")
    for col in ("mechanism", "kind", "in force", "what it does"):
        table.add_column(col)
    for name, required, in_force, what in report.mechanisms():
        mark = "[green]yes[/]" if in_force else ("[bold red]MISSING[/]" if required else "[yellow]no[/]")
        table.add_row(name, "required" if required else "extra", mark, what)
    console.print(table)
    if report.probes:
        probes = Table(title="probes (each runs in the sandbox)")
        for col in ("probe", "expected", "got", ""):
            probes.add_column(col)
        for p in report.probes:
            probes.add_row(
                p.name, p.expected.value, p.got.value, "[green]pass[/]" if p.passed else "[red]FAIL[/]"
            )
        console.print(probes)
    for note in iso.notes:
        console.print(f"[dim]note: {escape(note)}[/]")
    if report.strict_ok:
        console.print(
            "[bold green]strict mode available:[/] untrusted code runs with every required mechanism."
        )
    elif iso.missing:
        console.print(
            f"[bold red]strict mode refuses to run here:[/] missing {', '.join(iso.missing)}; "
            "`--allow-weak` runs anyway and reports the gap in every result."
        )
    else:
        console.print("[bold red]a probe failed:[/] the sandbox does not behave as required here.")
