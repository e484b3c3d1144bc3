"""Shared helpers for the learner tests: grids from text, fitting and checking a learner on pairs."""

from __future__ import annotations

import numpy as np
import pytest

from infscale.arc.dsl.learners import LEARNERS
from infscale.arc.grid import default_data_root, load_task
from infscale.arc.scoring import score_task

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


TRAIN2 = default_data_root() / "arc" / "ARC-AGI-2" / "data" / "training"


def fits_claimed_task(fit, tid: str, root=TRAIN) -> None:
    """``fit`` on a training task's train pairs (under ``root``) solves its test inputs under official scoring."""
    task = load_task(root / f"{tid}.json")
    arr = [np.array(p["input"], dtype=np.uint8) for p in task["train"]]
    out = [np.array(p["output"], dtype=np.uint8) for p in task["train"]]
    tests = [np.array(p["input"], dtype=np.uint8) for p in task["test"]]
    pred = fit(arr, out, tests)
    assert pred is not None, tid
    answers = [pred(t) for t in tests]
    assert all(a is not None for a in answers), tid
    assert score_task([[a.tolist()] for a in answers], task) == 1.0, tid


def contract_tests(learners, cases, claims):
    """The tests every learner module passes: each learner solves its synthetic task, refuses a corrupted copy,
    is registered in ``LEARNERS``, and solves the training tasks it claims. Assign the returned functions to
    module-level ``test_*`` names."""
    table = dict(learners)

    @pytest.mark.parametrize("name", sorted(cases))
    def test_solves_synthetic_task(name):
        fit, make = cases[name]
        pairs, tests = make()
        assert_solves(fit, pairs, tests)

    @pytest.mark.parametrize("name", sorted(cases))
    def test_refuses_task_it_does_not_explain(name):
        fit, make = cases[name]
        pairs, tests = make()
        assert run(fit, corrupt(pairs), tests) is None

    def test_learners_are_registered():
        registered = dict(LEARNERS)
        for name, fit in learners:
            assert registered.get(name) is fit, name

    @pytest.mark.parametrize("name", sorted(claims))
    def test_solves_claimed_training_tasks(name):
        for tid in claims[name]:
            fits_claimed_task(table[name], tid)

    return (
        test_solves_synthetic_task,
        test_refuses_task_it_does_not_explain,
        test_learners_are_registered,
        test_solves_claimed_training_tasks,
    )
