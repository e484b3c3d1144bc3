"""Partial fits from learners fitted on all train pairs but one or two (``_Search._held_out_learners``): when no program
fits every pair, a learner that reads all pairs but one exactly is a better guess than a program nearly right
everywhere (444801d8: one pair's cup is clipped; a8c38be5: two pairs only)."""

import numpy as np
import pytest

from infscale.arc import search as S
from infscale.arc.grid import default_data_root, load_task, to_array
from infscale.arc.scoring import score_task
from infscale.arc.solver import DslSolver, answer_order

TRAIN = default_data_root() / "arc" / "ARC-AGI-1" / "data" / "training"


def _search(task_id: str) -> tuple[S._Search, list[np.ndarray]]:
    task = load_task(TRAIN / f"{task_id}.json")
    tr = [to_array(p["input"]) for p in task["train"]]
    outs = [to_array(p["output"]) for p in task["train"]]
    te = [to_array(p["input"]) for p in task["test"]]
    return S._Search(tr, outs, te, 3, float("inf"), 10**6, 1), [to_array(p["output"]) for p in task["test"]]


@pytest.mark.parametrize(
    ("task_id", "learner", "left"),
    [("444801d8", "stamp", 1), ("a8c38be5", "corner_layout", 1), ("ce602527", "object_crop", 2)],
)
def test_a_learner_without_some_pairs_gives_the_right_partial_fit(
    task_id: str, learner: str, left: int
) -> None:
    """444801d8 and a8c38be5 without one pair; ce602527 (4 pairs) only without two."""
    s, expected = _search(task_id)
    s._held_out_learners(float("inf"))
    ours = [c for c in s.fallbacks if c.program.startswith(f"learn_{learner}(without pair")]
    assert ours, [c.program for c in s.fallbacks]
    c = ours[0]
    assert c.pairs_right == (s.n - left) / s.n and c.pairs_right <= c.train_score < 1.0
    assert c.program.count(" ") - 1 == left  # "learn_x(without pair 1 3)": the pairs left out
    assert all(np.array_equal(p, o) for p, o in zip(c.predictions, expected, strict=True))
    # it fills the attempts ahead of every partial program that reproduces fewer pairs
    assert answer_order([], s.fallbacks)[0].pairs_right == c.pairs_right


def test_only_when_nothing_fits(monkeypatch) -> None:
    """A task with a fit never runs the pass (its budget share then goes unused), one without a fit does."""
    calls = []
    real = S._Search._held_out_learners

    def spy(self, deadline):
        calls.append(self.n)
        return real(self, deadline)

    monkeypatch.setattr(S._Search, "_held_out_learners", spy)
    flip = [np.array([[1, 2], [0, 3]], np.uint8), np.array([[4, 0], [5, 6]], np.uint8)]
    S.search(flip, [g[:, ::-1] for g in flip], [flip[0].T], max_depth=1, time_budget_s=2.0)
    assert calls == []
    noise = [np.array([[1, 2], [0, 3]], np.uint8), np.array([[4, 0], [5, 6]], np.uint8)]
    outs = [np.array([[5, 9, 1]], np.uint8), np.array([[2, 2, 8], [3, 0, 1]], np.uint8)]  # no rule at all
    S.search(noise, outs, [noise[0]], max_depth=1, time_budget_s=1.0)
    assert calls == [2]


def test_a_learner_right_on_every_pair_is_no_partial_fit() -> None:
    """Fitted on all pairs but one and right on that one too, a learner refused the whole task for a reason
    (the test input, a check across all pairs): no partial fit comes of it."""
    s, _ = _search("444801d8")
    s._held_out_learners(float("inf"))
    assert all(c.train_score < 1.0 for c in s.fallbacks if "(without pair" in c.program)


def test_partial_fits_of_the_colour_normalised_search_are_kept() -> None:
    """833966f4 (ARC-AGI-2 training: each pair swaps its own colours) has no fit in its own colours or in
    normalised ones; its answer is the local rule learned, in normalised colours, without one pair."""
    root = default_data_root() / "arc" / "ARC-AGI-2" / "data" / "training"
    task = load_task(root / "833966f4.json")
    sol = DslSolver(max_depth=3, time_budget_s=3.0).solve(task)
    assert sol.programs[0].startswith("normalise_colours | learn_local_rule(without pair")
    assert score_task(sol.attempts, task) == 1.0
