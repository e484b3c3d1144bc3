"""A rich progress bar for benchmark runs: done/total, ETA, and running accuracy per pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class RunningAccuracy:
    """Mean score so far per pipeline (failed tasks count 0), including results from a resumed run."""

    def __init__(self, pipelines: Sequence[str]) -> None:
        self.pipelines = list(pipelines)
        self.total = {p: 0.0 for p in pipelines}
        self.count = {p: 0 for p in pipelines}
        self.failed = 0

    def add(self, record: dict[str, Any]) -> None:
        p = record["pipeline"]
        if p not in self.total:
            return
        ok = record.get("status") == "ok"
        self.total[p] += float(record.get("score", 0.0)) if ok else 0.0
        self.count[p] += 1
        self.failed += not ok

    def text(self) -> str:
        parts = []
        for i, p in enumerate(self.pipelines):
            n = self.count[p]
            parts.append(f"P{i + 1} {self.total[p] / n:.3f}" if n else f"P{i + 1} -")
        fail = f" [red]failed {self.failed}[/red]" if self.failed else ""
        return "acc " + " | ".join(parts) + fail


class ProgressDisplay:
    """Progress on stderr (stdout stays clean for ``--json``); silent when ``enabled`` is false."""

    def __init__(self, total: int, accuracy: RunningAccuracy, enabled: bool = True) -> None:
        self.accuracy = accuracy
        self.console = Console(stderr=True)
        self._progress = Progress(
            TextColumn("[bold]bench"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[acc]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            disable=not enabled,
            transient=False,
        )
        self._task = self._progress.add_task("bench", total=total, acc=accuracy.text())

    def __enter__(self) -> ProgressDisplay:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, record: dict[str, Any]) -> None:
        self.accuracy.add(record)
        self._progress.update(self._task, advance=1, acc=self.accuracy.text())
