"""The main job: a few questions answered by both local models, greedy and n-sampled, as a table."""

from __future__ import annotations

import asyncio
import time

from rich.console import Console
from rich.table import Table

from .engine import Engine
from .strategies.sample import SampleStrategy
from .types import Request

DEMO_QUESTIONS: list[tuple[str, str, str]] = [
    ("What is the capital of France?", "paris", "text"),
    ("What is the capital of Japan?", "tokyo", "text"),
    ("What is 12 plus 7?", "19", "number"),
    ("Which number is larger, 41 or 14?", "41", "number"),
    ("Is 10 an even number? Answer yes or no.", "yes", "yesno"),
]


def run_demo(*, config: str | None = None, n: int = 8, seed: int = 0, console: Console | None = None) -> None:
    console = console or Console()
    engine = Engine.from_config(config)
    models = [m for m in ("smollm2-135m", "gemma3-270m") if engine.registry.availability(m)[0]]
    if not models:
        console.print("[red]no local model is usable here: run the README's setup command[/]")
        raise SystemExit(2)
    table = Table(title=f"infscale demo: greedy vs {n} samples (plurality vote)")
    for col in ("question", "expected", *[f"{m} greedy" for m in models], *[f"{m} vote@{n}" for m in models]):
        table.add_column(col)
    right = {f"{m}/{k}": 0 for m in models for k in ("greedy", "vote")}
    t0 = time.perf_counter()

    async def go() -> None:
        for q, expected, kind in DEMO_QUESTIONS:
            row = [q, expected]
            cells: dict[str, str] = {}
            for m in models:
                for label, req in (
                    (
                        "greedy",
                        Request(prompt=q, max_tokens=24, temperature=0.0, metadata={"answer_kind": kind}),
                    ),
                    (
                        "vote",
                        Request(
                            prompt=q, n=n, max_tokens=24, temperature=0.8, metadata={"answer_kind": kind}
                        ),
                    ),
                ):
                    comp = await engine.arun(SampleStrategy(pool=[m], n=req.n), req, seed=seed)
                    ok = str(comp.answer).lower() == expected
                    right[f"{m}/{label}"] += ok
                    mark = "[green]✓[/]" if ok else "[red]✗[/]"
                    cells[f"{m}/{label}"] = f"{mark} {comp.answer!s:.18}"
            row += [cells[f"{m}/greedy"] for m in models] + [cells[f"{m}/vote"] for m in models]
            table.add_row(*row)

    asyncio.run(go())
    total = len(DEMO_QUESTIONS)
    table.add_row(
        "[bold]accuracy[/]",
        "",
        *[f"{right[f'{m}/greedy']}/{total}" for m in models],
        *[f"{right[f'{m}/vote']}/{total}" for m in models],
    )
    console.print(table)
    console.print(f"[dim]{time.perf_counter() - t0:.1f} s on this machine[/]")
