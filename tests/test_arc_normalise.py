"""Colour normalisation: each pair's own colours renamed alike, predictions renamed back."""

import numpy as np
import pytest

from infscale.arc.grid import default_data_root, load_task
from infscale.arc.normalise import colour_maps, rename, rename_back
from infscale.arc.scoring import score_task
from infscale.arc.solver import DslSolver


def g(rows):
    return np.array(rows, dtype=np.uint8)


def test_pair_specific_colours_get_the_same_names():
    # Background 0 everywhere; the pair's main colour (3, then 7) and the answer colour 4 (outputs only).
    ins = [g([[0, 3, 3], [0, 0, 5]]), g([[7, 7, 7], [0, 2, 0]])]
    outs = [g([[0, 4, 4], [0, 0, 0]]), g([[4, 4, 4], [0, 0, 0]])]
    test = [g([[0, 6, 6], [6, 0, 1]])]
    tables = colour_maps(ins, outs, test)
    assert tables is not None and len(tables) == 3
    renamed = [rename(x, t) for x, t in zip([*ins, *test], tables, strict=True)]
    # The most frequent own colour of every grid gets the same name; 0 and 4 keep theirs.
    main = {int(r[0, 1]) for r in renamed[:1]} | {int(renamed[1][0, 0]), int(renamed[2][0, 1])}
    assert len(main) == 1 and main.isdisjoint({0, 4})
    assert np.array_equal(rename(outs[0], tables[0]), outs[0])
    pred = renamed[2]
    assert np.array_equal(rename_back(pred, tables[2]), test[0])


def test_nothing_to_normalise_when_every_grid_has_the_same_colours():
    ins = [g([[0, 1], [2, 0]]), g([[2, 1], [0, 0]])]
    outs = [g([[1, 0], [0, 2]]), g([[0, 0], [1, 2]])]
    assert colour_maps(ins, outs, [g([[1, 2, 0]])]) is None


def test_an_output_colour_with_no_role_refuses():
    ins = [g([[0, 3]]), g([[0, 7]])]
    outs = [g([[0, 7]]), g([[0, 3]])]  # each output uses the other pair's own colour
    assert colour_maps(ins, outs, [g([[0, 5]])]) is None


def test_a_prediction_with_an_unnamed_colour_cannot_be_renamed_back():
    ins = [g([[0, 3]]), g([[0, 7]])]
    outs = [g([[0, 3]]), g([[0, 7]])]
    tables = colour_maps(ins, outs, [g([[0, 5]])])
    assert tables is not None
    assert rename_back(g([[0, 9]]), tables[2]) is None
    assert np.array_equal(rename_back(rename(g([[5, 0]]), tables[2]), tables[2]), g([[5, 0]]))


@pytest.mark.slow
def test_the_solver_solves_a_task_only_normalised_colours_reach():
    # The output is the inside of a frame whose colour changes from pair to pair, painted that colour.
    task = load_task(default_data_root() / "arc" / "ARC-AGI-1" / "data" / "training" / "3de23699.json")
    plain = DslSolver(time_budget_s=4.0, normalise=False).solve(task)
    assert score_task(plain.attempts, task) == 0.0
    sol = DslSolver(time_budget_s=6.0).solve(task)
    assert score_task(sol.attempts, task) == 1.0
    assert sol.programs[0].startswith("normalise_colours | ")
