"""Greedy composition of search states (pieces) into outputs."""

import numpy as np
import pytest

from infscale.arc.compose import PoolEntry, compose
from infscale.arc.dsl.primitives import MARK
from infscale.arc.grid import default_data_root, load_task
from infscale.arc.scoring import score_task
from infscale.arc.solver import DslSolver


def g(rows):
    return np.array(rows, dtype=np.uint8)


def entry(grids, name, depth=1):
    return PoolEntry(tuple(grids), name, depth)


def test_two_pieces_over_the_empty_grid_and_the_test_prediction():
    # Output = the left piece's cells and the right piece's cells; each piece alone is wrong.
    out = [g([[1, 2], [0, 0]]), g([[0, 2], [1, 0]])]
    left = entry([g([[1, 0], [0, 0]]), g([[0, 0], [1, 0]]), g([[1, 0], [1, 0]])], "left")
    right = entry([g([[0, 2], [0, 0]]), g([[0, 2], [0, 0]]), g([[0, 0], [0, 2]])], "right")
    wrong = entry([g([[3, 0], [0, 0]]), g([[0, 0], [0, 0]]), g([[3, 3], [3, 3]])], "wrong")
    res = compose([wrong, left, right], out)
    assert res, "the two consistent pieces cover every output cell"
    best = res[0]
    assert "left" in best.program and "right" in best.program and "wrong" not in best.program
    assert np.array_equal(best.predictions[0], g([[1, 0], [1, 2]]))


def test_a_base_with_a_piece_on_top():
    base = entry([g([[5, 5], [5, 5]]), g([[6, 6], [6, 6]])], "base", 0)
    dot = entry([g([[0, 0], [0, 7]]), g([[0, 0], [0, 0]])], "dot")
    out = [g([[5, 5], [5, 7]])]
    res = compose([base, dot], out)
    assert any(r.program.startswith("compose(base=base;") for r in res)
    pick = next(r for r in res if r.program.startswith("compose(base=base;"))
    assert np.array_equal(pick.predictions[0], g([[6, 6], [6, 6]]))


def test_mask_states_are_painted_with_an_output_colour():
    mask = entry([g([[MARK, 0], [0, 0]]), g([[0, MARK], [0, 0]])], "mask")
    out = [g([[4, 0], [0, 0]])]
    res = compose([mask], out)
    assert res and "paint4" in res[0].program
    assert np.array_equal(res[0].predictions[0], g([[0, 4], [0, 0]]))


def test_no_composition_when_the_pieces_cannot_cover_the_output():
    out = [g([[1, 2], [3, 0]])]
    only = entry([g([[1, 0], [0, 0]]), g([[1, 0], [0, 0]])], "only")
    contradicts = entry([g([[1, 9], [3, 0]]), g([[1, 9], [3, 0]])], "contradicts")
    assert compose([only, contradicts], out) == []
    assert compose([], out) == []


def test_pieces_with_test_grids_of_another_shape_are_not_combined():
    out = [g([[1, 2]])]
    a = entry([g([[1, 0]]), g([[1, 0]])], "a")
    b = entry([g([[0, 2]]), g([[0], [2]])], "b")
    assert compose([a, b], out) == []


@pytest.mark.slow
def test_the_search_solves_a_training_task_by_composition():
    # Output = the input's rarest colour with a frame of colour 2 around it: two pieces of the search.
    task = load_task(default_data_root() / "arc" / "ARC-AGI-1" / "data" / "training" / "31aa019c.json")
    sol = DslSolver(max_depth=2, time_budget_s=10.0).solve(task)
    assert score_task(sol.attempts, task) == 1.0
    assert sol.train_score == 1.0


def test_a_colour_piece_of_a_partly_right_state_over_a_base():
    # Output = the input with the cells where state `s` has colour 1 painted 2. `s` is no whole piece
    # (its colour-4 cells are wrong), but "where s is 1, paint 2" holds on both train pairs.
    inp = [g([[5, 0, 0], [0, 5, 0]]), g([[0, 0, 5], [5, 0, 0]]), g([[0, 5, 0], [0, 0, 0]])]
    s = [g([[0, 1, 4], [0, 0, 0]]), g([[4, 0, 0], [0, 1, 1]]), g([[1, 0, 0], [4, 4, 1]])]
    out = [g([[5, 2, 0], [0, 5, 0]]), g([[0, 0, 5], [5, 2, 2]])]
    pool = [entry(inp, "identity", 0), entry(s, "s")]
    assert compose(pool, out) == [], "without colour pieces, nothing fits"
    res = compose(pool, out, colour_pieces=True)
    assert res and "where1->2" in res[0].program
    assert np.array_equal(res[0].predictions[0], g([[2, 5, 0], [0, 0, 2]]))


def test_the_held_out_pair_check_refuses_pieces_fitting_one_pair_each():
    # Piece `a` only fixes pair 0 and piece `b` only pair 1: together they fit train, but the pieces
    # chosen on one pair never reproduce the other, so the leave-one-pair-out check refuses them.
    inp = [g([[5, 0], [0, 0]]), g([[0, 5], [0, 0]]), g([[0, 0], [5, 0]])]
    a = [g([[0, 3], [0, 0]]), g([[0, 0], [0, 0]]), g([[3, 3], [0, 0]])]
    b = [g([[0, 0], [0, 0]]), g([[0, 0], [7, 0]]), g([[0, 0], [0, 7]])]
    out = [g([[5, 1], [0, 0]]), g([[0, 5], [1, 0]])]
    pool = [entry(inp, "identity", 0), entry(a, "a"), entry(b, "b")]
    assert compose(pool, out, colour_pieces=True, held_out_check=False), "the pieces do fit train"
    assert compose(pool, out, colour_pieces=True) == []


def test_three_pieces_need_the_held_out_pair_check():
    # The input (its 5 kept) and three whole pieces fit train together, but `c` only acts on pair 1 and `a`,
    # `b` only on pair 0: any base needs three pieces, and three pieces need the leave-one-pair-out check
    # (more pieces fit more by accident).
    inp = [g([[0, 0, 0, 0, 5]])] * 3
    a = [g([[1, 2, 0, 0, 0]]), g([[0, 0, 0, 0, 0]]), g([[1, 0, 0, 0, 0]])]
    b = [g([[0, 0, 3, 0, 0]]), g([[0, 0, 0, 0, 0]]), g([[0, 0, 3, 0, 0]])]
    c = [g([[0, 0, 0, 0, 0]]), g([[0, 0, 0, 4, 0]]), g([[0, 0, 0, 4, 0]])]
    out = [g([[1, 2, 3, 0, 5]]), g([[0, 0, 0, 4, 5]])]
    pool = [entry(inp, "identity", 0), entry(a, "a"), entry(b, "b"), entry(c, "c")]
    assert compose(pool, out, max_pieces=3), "three pieces fit train"
    assert compose(pool, out) == []
    # the same pieces acting on every pair pass the check
    a2, b2, c2 = [g([[1, 2, 0, 0, 0]])] * 3, [g([[0, 0, 3, 0, 0]])] * 3, [g([[0, 0, 0, 4, 0]])] * 3
    pool = [entry(inp, "identity", 0), entry(a2, "a"), entry(b2, "b"), entry(c2, "c")]
    found = compose(pool, [g([[1, 2, 3, 4, 5]])] * 2)
    assert found and np.array_equal(found[0].predictions[0], g([[1, 2, 3, 4, 5]]))
