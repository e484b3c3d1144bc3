"""Robustness of the arc_dsl solver to a change of frame: solved training tasks, turned, recoloured or re-split.

    python benchmarks/arc_frames.py --budget 3 --frames rot90,flip_h,bg,cv

A rule that is right on a task should stay right when the whole task is turned by 90 degrees, mirrored, drawn
on another background colour, or when another of its pairs is the test pair: ARC's evaluation tasks are such
variations of ideas the training tasks show. The script solves the chosen training tasks in their own frame,
keeps the solved ones, rebuilds each in every frame, and solves the new tasks twice, side by side in one run:
with this solver's frame handling (learners also fitted on the turned task, the background swapped with black,
fragile learner fits not ending the search) and without it (the three switched off). Frames:

* ``rot90`` / ``rot270`` / ``flip_h`` / ``transpose``: every grid turned or mirrored;
* ``bg``: colours renamed so that black becomes another colour (a fixed random renaming of all ten);
* ``perm``: colours 1-9 renamed, black kept;
* ``cv``: the test pair becomes a train pair and the first train pair the test pair (held-out generalisation).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from infscale.arc import search as search_mod
from infscale.arc import solver as solver_mod
from infscale.arc.grid import NamedTask, load_split
from infscale.arc.runner import run_tasks

FRAMES = ("rot90", "rot270", "flip_h", "transpose", "bg", "perm", "cv")


def _grids(task: dict[str, Any], f: Any) -> dict[str, Any]:
    return {
        part: [{k: f(np.array(g, dtype=np.uint8)).tolist() for k, g in pair.items()} for pair in task[part]]
        for part in ("train", "test")
    }


def reframe(task: dict[str, Any], frame: str, rng: random.Random) -> dict[str, Any]:
    """``task`` in ``frame`` (see the module docstring)."""
    if frame == "cv":
        return {"train": task["train"][1:] + task["test"][:1], "test": task["train"][:1]}
    if frame in ("bg", "perm"):
        table = list(range(10))
        while True:
            rng.shuffle(table)
            if (frame == "bg") == (table[0] != 0):
                break
        if frame == "perm":  # black stays black
            table.remove(0)
            table = [0, *table]
        lut = np.array(table, dtype=np.uint8)
        return _grids(task, lambda g: lut[g])
    motions = {
        "rot90": lambda g: np.rot90(g, 1),
        "rot270": lambda g: np.rot90(g, -1),
        "flip_h": lambda g: g[:, ::-1],
        "transpose": lambda g: g.T,
    }
    return _grids(task, motions[frame])


def _switch(on: bool) -> None:
    search_mod.ORIENTED_LEARNERS = on
    search_mod.LOO_CHECK = on
    solver_mod.BG_SWAP = on


def _score(tasks: list[NamedTask], kwargs: dict[str, Any], workers: int) -> dict[str, float]:
    res = run_tasks(tasks, kwargs, workers=workers)
    return {r.task_id: r.score for r in res.results}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default="arc-agi-1", choices=["arc-agi-1", "arc-agi-2"])
    ap.add_argument("--budget", type=float, default=3.0, help="search seconds per task")
    ap.add_argument("--frames", default="rot90,flip_h,bg,cv", help=f"comma-separated, of {', '.join(FRAMES)}")
    ap.add_argument("--limit", type=int, default=0, help="first N training tasks only (0 = all)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--data", default=None, help="data root (default $INFSCALE_DATA or ../shared/data)")
    args = ap.parse_args()
    frames = [f for f in args.frames.split(",") if f]
    if bad := [f for f in frames if f not in FRAMES]:
        sys.exit(f"error: unknown frame(s) {', '.join(bad)}; choose from {', '.join(FRAMES)}")
    kwargs = {"max_depth": 3, "time_budget_s": args.budget}
    tasks = load_split(args.dataset, "training", args.data)
    if args.limit:
        tasks = tasks[: args.limit]
    _switch(True)
    own = _score(tasks, kwargs, args.workers)
    solved = [t for t in tasks if own.get(t.task_id, 0.0) == 1.0]
    print(f"{args.dataset} training: {len(solved)} of {len(tasks)} tasks solved in their own frame")
    print(f"{'frame':<10} {'tasks':>6} {'without':>9} {'with':>9}  (solved in the new frame, side by side)")
    for frame in frames:
        rng = random.Random(0)
        moved = [NamedTask(t.task_id, reframe(t.task, frame, rng)) for t in solved]
        if frame == "cv":
            moved = [m for m in moved if len(m.task["train"]) >= 2]
        row = []
        for on in (False, True):
            _switch(on)
            row.append(sum(_score(moved, kwargs, args.workers).values()))
        print(f"{frame:<10} {len(moved):>6} {row[0]:>9.1f} {row[1]:>9.1f}")
    _switch(True)


if __name__ == "__main__":
    main()
