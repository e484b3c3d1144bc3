"""Official ARC scoring, train-pair verification of candidate transforms, and a compact grid diff.

Official rule: each test input gets up to two attempts; it is solved when any attempt equals the expected
grid exactly. A task scores the fraction of its test inputs solved; a split scores the mean over ALL its
tasks, where a failed, skipped or timed-out task counts 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .grid import GridList, Task

MAX_ATTEMPTS = 2


def _same(a: Any, b: Any) -> bool:
    try:
        x, y = np.asarray(a), np.asarray(b)
    except (TypeError, ValueError):
        return False
    return x.ndim == 2 and x.shape == y.shape and bool(np.array_equal(x, y))


def score_test_input(attempts: Sequence[GridList | None], expected: GridList) -> bool:
    """True when one of the first two attempts equals ``expected`` exactly."""
    return any(a is not None and _same(a, expected) for a in list(attempts)[:MAX_ATTEMPTS])


def score_task(attempts: Sequence[Sequence[GridList | None]], task: Task) -> float:
    """Fraction of the task's test inputs solved; ``attempts[i]`` holds the attempts for test input ``i``."""
    tests = task["test"]
    solved = 0
    for i, pair in enumerate(tests):
        if i < len(attempts) and score_test_input(attempts[i], pair["output"]):
            solved += 1
    return solved / len(tests)


def score_split(task_scores: Mapping[str, float], all_task_ids: Iterable[str]) -> float:
    """Mean per-task score over every task of the split (missing ones count 0)."""
    ids = list(all_task_ids)
    if not ids:
        return 0.0
    return sum(float(task_scores.get(t, 0.0)) for t in ids) / len(ids)


@dataclass
class TrainScore:
    """How a candidate transform does on the train pairs."""

    exact: float  # fraction of pairs reproduced exactly
    partial: float  # mean cell accuracy (0 for a wrong shape or a crash)
    errors: list[str]  # one entry per pair that raised

    @property
    def solved(self) -> bool:
        return self.exact == 1.0


def score_transform(transform: Callable[[GridList], Any], task: Task) -> TrainScore:
    """Run ``transform`` on every train input and compare with the outputs (exact and cell-wise credit).

    The callable gets a ``list[list[int]]`` and may return a list of lists or a numpy array; an exception
    or a malformed result scores 0 on that pair.
    """
    pairs = task["train"]
    exact = 0
    partial = 0.0
    errors: list[str] = []
    for pair in pairs:
        try:
            got = transform([list(r) for r in pair["input"]])
            arr = np.asarray(got)
            want = np.asarray(pair["output"])
            if arr.ndim != 2 or arr.shape != want.shape:
                continue
            acc = float(np.mean(arr == want))
        except Exception as exc:  # a candidate program may fail any way it likes
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        partial += acc
        exact += acc == 1.0
    n = len(pairs)
    return TrainScore(exact / n, partial / n, errors)


def diff_text(expected: GridList, produced: Any) -> str:
    """Expected versus produced as compact text for refinement feedback.

    Same shape: the produced grid with every wrong cell shown as ``got/want`` markers and a count.
    Different shape: both shapes and both grids.
    """
    want = np.asarray(expected)
    try:
        got = np.asarray(produced)
        ok = got.ndim == 2 and got.dtype.kind in "iu" and got.size > 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        return f"produced no valid grid; expected {want.shape[0]}x{want.shape[1]}:\n" + _rows(want)
    if got.shape != want.shape:
        return (
            f"wrong shape: produced {got.shape[0]}x{got.shape[1]}, expected {want.shape[0]}x{want.shape[1]}\n"
            f"produced:\n{_rows(got)}\nexpected:\n{_rows(want)}"
        )
    wrong = got != want
    n = int(wrong.sum())
    if n == 0:
        return "identical"
    lines = []
    for r in range(want.shape[0]):
        cells = []
        for c in range(want.shape[1]):
            cells.append(f"{got[r, c]}>{want[r, c]}" if wrong[r, c] else f" {got[r, c]} ")
        lines.append(" ".join(cells))
    return f"{n} of {want.size} cells wrong (shown as produced>expected):\n" + "\n".join(lines)


def _rows(a: np.ndarray) -> str:
    return "\n".join("".join(str(int(v)) for v in row) for row in a)
