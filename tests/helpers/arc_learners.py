"""Shared helpers for the learner tests: grids from text, fitting and checking a learner on pairs."""

from __future__ import annotations

import numpy as np

from infscale.arc.grid import default_data_root

TRAIN = default_data_root() / "arc" / "ARC-AGI-1" / "data" / "training"


def G(rows: str) -> np.ndarray:
    """A grid from rows of digits separated by spaces ('.' = 0)."""
    return np.array([[0 if ch == "." else int(ch) for ch in r] for r in rows.split()], dtype=np.uint8)


def blank(h: int, w: int) -> np.ndarray:
    return np.zeros((h, w), dtype=np.uint8)


def run(fit, pairs, tests):
    return fit([a for a, _ in pairs], [b for _, b in pairs], [t for t, _ in tests])


def assert_solves(fit, pairs, tests):
    pred = run(fit, pairs, tests)
    assert pred is not None
    for a, b in pairs:
        assert np.array_equal(pred(a), b)
    for t, want in tests:
        got = pred(t)
        assert got is not None and np.array_equal(got, want), f"\n{got}\n!=\n{want}"


def corrupt(pairs, colour: int = 7):
    """The same task with one output cell of the last pair changed: no learner may explain it."""
    a, b = pairs[-1]
    b = b.copy()
    b[0, 0] = colour if b[0, 0] != colour else 6
    return [*pairs[:-1], (a, b)]
