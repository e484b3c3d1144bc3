"""Answer selection among verified programs: plausibility checks, ranking, per-test attempts, support."""

import numpy as np

from infscale.arc.grid import default_data_root, load_task
from infscale.arc.search import Candidate, SearchResult, implausibility, rank_answers, search
from infscale.arc.search import _expectations as expectations
from infscale.arc.solver import _merge, choose_attempts


def g(rows):
    return np.array(rows, dtype=np.uint8)


def cand(name, preds, complexity=1.0, weak=False, support=1):
    c = Candidate(name, complexity, 1.0, [g(p) for p in preds], weak)
    c.support = support
    return c


# A same-shape task that always changes the grid and only ever uses colours 0, 1, 2.
TRAIN_IN = [g([[1, 0], [0, 0]]), g([[0, 0], [0, 1]])]
TRAIN_OUT = [g([[1, 2], [0, 0]]), g([[0, 0], [2, 1]])]
TEST_IN = [g([[0, 1], [0, 0]])]
RIGHT = [[[2, 1], [0, 0]]]


def rank(cands):
    return [c.program for c in rank_answers(cands, TRAIN_IN, TRAIN_OUT, TEST_IN)]


def test_plausible_output_passes_every_check():
    exp = expectations(TRAIN_IN, TRAIN_OUT, TEST_IN)
    assert implausibility(cand("right", RIGHT), exp, TEST_IN) == 0


def test_each_invariant_is_checked():
    exp = expectations(TRAIN_IN, TRAIN_OUT, TEST_IN)
    assert implausibility(cand("shape", [[[2, 1, 0], [0, 0, 0]]]), exp, TEST_IN) == 1  # not the input's shape
    assert implausibility(cand("unchanged", [[[0, 1], [0, 0]]]), exp, TEST_IN) == 1  # equals the test input
    assert implausibility(cand("colour", [[[5, 1], [0, 0]]]), exp, TEST_IN) == 1  # 5 is in no output/input
    assert implausibility(cand("blank", [[[0, 0], [0, 0]]]), exp, TEST_IN) == 1  # train outputs never blank


def test_implausible_simplest_program_ranks_after_a_plausible_one():
    order = rank([cand("unchanged", [[[0, 1], [0, 0]]], 1.0), cand("right", RIGHT, 2.5)])
    assert order == ["right", "unchanged"]


def test_verified_before_weak_then_simplest_then_support():
    cands = [
        cand("weak", [[[2, 1], [1, 0]]], 0.5, weak=True),
        cand("deep", [[[2, 1], [2, 0]]], 3.0),
        cand("lone", [[[2, 1], [0, 2]]], 1.5),
        cand("backed", RIGHT, 1.5, support=3),
    ]
    assert rank(cands) == ["backed", "lone", "deep", "weak"]


def test_ties_keep_the_search_order():
    assert rank([cand("a", RIGHT), cand("b", [[[2, 1], [0, 2]]])]) == ["a", "b"]


def test_expected_shape_from_a_scale_but_not_from_one_shared_output_shape():
    tin = [g([[1, 2], [3, 4]]), g([[1, 2, 3], [4, 5, 6]])]
    scaled = expectations(tin, [np.kron(t, np.ones((2, 3), np.uint8)) for t in tin], [g([[1, 1, 1]])])
    assert scaled.shapes == [(2, 9)]
    halved = expectations([np.kron(t, np.ones((2, 2), np.uint8)) for t in tin], tin, [g([[1, 1], [1, 1]])])
    assert halved.shapes == [(1, 1)]
    # Every train output is 1x1, yet a test output may be another size (crop tasks): no constraint.
    assert expectations(tin, [g([[1]]), g([[2]])], [g([[1, 1, 1]])]).shapes == [None]
    assert expectations(tin, [g([[1]]), g([[2, 2]])], [g([[1]])]).shapes == [None]


def test_second_attempt_filled_per_test_input():
    # The first two programs agree on test input 0: its second attempt comes from the third program.
    a = cand("a", [[[1]], [[2]]])
    b = cand("b", [[[1]], [[3]]])
    c = cand("c", [[[4]], [[5]]])
    attempts, used = choose_attempts([a, b, c], 2)
    assert attempts == [[[[1]], [[4]]], [[[2]], [[3]]]]
    assert [u.program for u in used] == ["a", "c", "b"]


def test_merge_adds_the_support_of_duplicates():
    res = SearchResult([cand("a", RIGHT, support=2)], [], 0, 1, False)
    _merge(res, [cand("normalised", RIGHT), cand("other", [[[2, 1], [0, 2]]])])
    assert [c.program for c in res.candidates] == ["a", "other"]
    assert res.candidates[0].support == 3


def test_search_counts_programs_that_agree_on_test():
    # Mirror left-right: flip_h, and several other routes (rotation + flip, transpose ...) agree everywhere.
    tin = [g([[1, 2, 0], [0, 0, 0], [0, 0, 0]]), g([[0, 3, 4], [0, 0, 0], [0, 0, 0]])]
    tout = [np.fliplr(t) for t in tin]
    res = search(tin, tout, [g([[5, 0, 0], [0, 6, 0], [0, 0, 0]])], time_budget_s=2.0, stop_after=50)
    assert res.candidates and np.array_equal(
        res.candidates[0].predictions[0], g([[0, 0, 5], [0, 6, 0], [0, 0, 0]])
    )
    assert len({c.predictions[0].tobytes() for c in res.candidates}) == len(res.candidates)
    assert res.candidates[0].support > 1


def test_a_verified_program_lifts_a_weak_guess_with_the_same_predictions():
    from infscale.arc.search import _Search

    s = _Search(TRAIN_IN, TRAIN_OUT, TEST_IN, 1, 0.0, 10, 1)
    s._add("guess", 1.5, [g(RIGHT[0])], weak=True)
    s._add("program", 2.0, [g(RIGHT[0])])
    assert not s.weak and [c.program for c in s.candidates] == ["program"]
    assert not s.candidates[0].weak and s.candidates[0].support == 2


def _real(task_id):
    task = load_task(default_data_root() / "arc" / "ARC-AGI-1" / "data" / "training" / f"{task_id}.json")
    train_in, train_out = [g(p["input"]) for p in task["train"]], [g(p["output"]) for p in task["train"]]
    test_in, test_out = [g(p["input"]) for p in task["test"]], [g(p["output"]) for p in task["test"]]
    return expectations(train_in, train_out, test_in), test_in, test_out


def test_real_tasks_whose_right_answers_must_stay_plausible():
    # c909285e: every train output is 7x7, the test output is 6x6; its right answer must not be demoted.
    exp, test_in, test_out = _real("c909285e")
    assert implausibility(Candidate("right", 1.0, 1.0, test_out), exp, test_in) == 0
    # 3befdf3e: same-shape recolouring; the right answer passes, the test input returned unchanged does not.
    exp, test_in, test_out = _real("3befdf3e")
    assert implausibility(Candidate("right", 1.5, 1.0, test_out), exp, test_in) == 0
    assert implausibility(Candidate("unchanged", 1.5, 1.0, test_in, weak=True), exp, test_in) == 1
