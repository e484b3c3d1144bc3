"""Official ARC scoring, candidate-transform scoring on train pairs, and the diff helper."""

import numpy as np

from infscale.arc.scoring import diff_text, score_split, score_task, score_transform

TASK = {
    "train": [
        {"input": [[1, 0], [0, 0]], "output": [[0, 1], [0, 0]]},
        {"input": [[0, 0], [2, 0]], "output": [[0, 0], [0, 2]]},
    ],
    "test": [{"input": [[3, 0]], "output": [[0, 3]]}, {"input": [[4, 5]], "output": [[5, 4]]}],
}


def test_two_attempts_per_test_input():
    assert score_task([[[[0, 3]]], [[[1, 1]], [[5, 4]]]], TASK) == 1.0
    assert score_task([[[[0, 3]]], [[[1, 1]]]], TASK) == 0.5


def test_third_attempt_does_not_count():
    assert score_task([[[[0, 3]]], [[[1, 1]], [[2, 2]], [[5, 4]]]], TASK) == 0.5


def test_missing_and_none_attempts_score_zero():
    assert score_task([], TASK) == 0.0
    assert score_task([[None], [None, [[5, 4]]]], TASK) == 0.5


def test_split_denominator_is_all_tasks():
    assert score_split({"a": 1.0, "b": 0.5}, ["a", "b", "c", "d"]) == 0.375
    assert score_split({}, []) == 0.0


def test_score_transform_exact_and_partial():
    good = score_transform(lambda g: [row[::-1] for row in g], TASK)
    assert good.exact == 1.0 and good.partial == 1.0 and good.solved
    ident = score_transform(lambda g: g, TASK)
    assert ident.exact == 0.0 and ident.partial == 0.5
    wrong_shape = score_transform(lambda g: [[1]], TASK)
    assert wrong_shape.exact == 0.0 and wrong_shape.partial == 0.0


def test_score_transform_survives_crashes():
    def boom(g):
        raise RuntimeError("bad program")

    s = score_transform(boom, TASK)
    assert s.exact == 0.0 and len(s.errors) == 2 and "bad program" in s.errors[0]
    assert score_transform(lambda g: np.array(g)[:, ::-1], TASK).solved


def test_diff_text():
    assert diff_text([[1, 2]], [[1, 2]]) == "identical"
    d = diff_text([[1, 2], [3, 4]], [[1, 0], [3, 4]])
    assert d.startswith("1 of 4 cells wrong") and "0>2" in d
    assert "wrong shape: produced 1x1, expected 2x2" in diff_text([[1, 2], [3, 4]], [[1]])
    assert diff_text([[1]], "garbage").startswith("produced no valid grid")
