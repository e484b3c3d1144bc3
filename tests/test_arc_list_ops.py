"""List-valued DSL steps (split -> reduce / map in place) as whole-grid transforms."""

import json

import numpy as np
import pytest

from infscale.arc.dsl import list_ops as L
from infscale.arc.dsl.primitives import MARK, transforms_for
from infscale.arc.grid import default_data_root, to_array

TRAIN1 = default_data_root() / "arc" / "ARC-AGI-1" / "data" / "training"
TRAIN2 = default_data_root() / "arc" / "ARC-AGI-2" / "data" / "training"


def g(rows):
    return np.array(rows, dtype=np.uint8)


# three cells split by a column separator of 5: the middle one is the odd one
CELLS = g(
    [
        [1, 0, 5, 1, 1, 5, 1, 0],
        [0, 1, 5, 0, 1, 5, 0, 1],
    ]
)


def t(kind, op):
    return L.split_reduce(kind, op)


def test_cell_picks_and_cellwise_ops():
    assert np.array_equal(t("cells", "unique")(CELLS), g([[1, 1], [0, 1]]))
    assert np.array_equal(t("cells", "common")(CELLS), g([[1, 0], [0, 1]]))
    assert np.array_equal(t("cells", "max_cells")(CELLS), g([[1, 1], [0, 1]]))
    assert t("cells", "min_cells")(CELLS) is None  # two cells tie for the fewest
    assert np.array_equal(t("cells", "and")(CELLS), g([[MARK, 0], [0, MARK]]))
    assert np.array_equal(t("cells", "or")(CELLS), g([[MARK, MARK], [0, MARK]]))
    assert np.array_equal(t("cells", "one")(CELLS), g([[0, MARK], [0, 0]]))
    assert np.array_equal(t("cells", "maj")(CELLS), g([[1, 0], [0, 1]]))
    # the common cell with the odd cell's differences marked
    assert np.array_equal(t("cells", "common_diff")(CELLS), g([[1, MARK], [0, 1]]))
    assert np.array_equal(
        t("cells", "stack_v")(CELLS), np.concatenate([CELLS[:, :2], CELLS[:, 3:5], CELLS[:, 6:]])
    )
    assert np.array_equal(t("cells", "layout")(CELLS), g([[1, 1, 1]]))


def test_objects_stack_grow_and_refusals():
    grid = g(
        [
            [2, 2, 0, 0, 3],
            [2, 2, 0, 0, 0],
            [0, 0, 0, 4, 4],
            [0, 0, 0, 4, 0],
        ]
    )
    # composeGrowing: the largest piece at the bottom, smaller ones painted over it from the top-left
    assert np.array_equal(t("obj8", "grow")(grid), g([[3, 4], [4, 2]]))
    assert np.array_equal(t("cobj8", "min_cells")(grid), g([[3]]))
    assert t("obj8", "stack_h")(grid) is None  # pieces of different heights do not stack in a row
    assert t("obj8", "and")(grid) is None  # cell-wise ops need pieces of one shape
    one = g([[0, 0], [0, 7]])
    for name, f in L.list_transforms():
        assert f(one) is None, name  # a single piece is no list
    assert t("eq", "common")(grid) is None  # 4x5: no equal parts


def test_equal_parts_and_colour_layers():
    grid = g([[1, 0, 0, 1, 1, 0], [0, 1, 1, 0, 0, 1]])  # three 2x2 squares side by side
    assert np.array_equal(t("eq", "common")(grid), g([[1, 0], [0, 1]]))
    assert np.array_equal(t("eq", "unique")(grid), g([[0, 1], [1, 0]]))
    layers = g([[0, 3, 3], [0, 0, 3], [6, 0, 0]])
    assert np.array_equal(t("col", "max_cells")(layers), g([[3, 3], [0, 3]]))
    assert np.array_equal(t("col", "min_cells")(layers), g([[6]]))


def test_maps_in_place():
    grid = g([[1, 2, 0, 0], [0, 0, 0, 0], [0, 0, 3, 0], [0, 0, 3, 4]])
    f = L.split_map("obj8", "flip_h")
    assert np.array_equal(f(grid), g([[2, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 3], [0, 0, 4, 3]]))
    rec = L.split_map("obj8", "recolour_major")
    assert np.array_equal(rec(grid)[2:, 2:], g([[3, 0], [3, 3]]))
    # cells repaired to their cell-wise majority; an unchanged grid is refused (no new state)
    cells = g([[1, 0, 5, 1, 0, 5, 1, 1], [0, 1, 5, 0, 1, 5, 0, 1]])
    rep = L.split_map("cells", "maj")(cells)
    assert np.array_equal(rep, g([[1, 0, 5, 1, 0, 5, 1, 0], [0, 1, 5, 0, 1, 5, 0, 1]]))
    assert L.split_map("cells", "maj")(rep) is None


def test_registered_in_the_search_vocabulary():
    names = [n for n, _ in transforms_for([0, 1, 2])]
    assert len(names) == len(set(names))
    for n in L.SELECTED:
        assert n in names


def _fits(path, name):
    task = json.loads(path.read_text())
    f = dict(transforms_for(list(range(10))))[name]
    for p in task["train"] + task["test"]:
        out = f(to_array(p["input"]))
        if out is None:
            return False
        want = to_array(p["output"])
        if out.shape != want.shape:
            return False
        # a learned colour map finishes MARK outputs: the same partition of cells is enough here
        codes = np.unique(out.astype(int) * 16 + want)
        if np.unique(codes // 16).size != codes.size:
            return False
    return True


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (TRAIN1 / "2dee498d.json", "eq_common"),  # a pattern repeated three times: one copy
        (TRAIN1 / "1190e5a7.json", "cells_layout"),  # the grid of cells as one pixel each
        (TRAIN2 / "e84fef15.json", "cells_common_diff"),  # the repeated cell, the odd one's defects marked
    ],
)
def test_real_tasks(path, name):
    assert _fits(path, name)


def test_repeated_calls_on_one_grid_match_fresh_results():
    # the identity memo must give what a fresh grid with the same cells gives, for every op in a row
    grid = g([[1, 0, 5, 2, 2, 5, 1, 0], [0, 1, 5, 0, 2, 5, 0, 1]])
    ops = L.list_transforms() + L.map_transforms()
    first = [f(grid) for _, f in ops]
    again = [f(grid.copy()) for _, f in ops]
    assert any(r is not None for r in first)
    for (name, _), a, b in zip(ops, first, again, strict=True):
        assert (a is None and b is None) or np.array_equal(a, b), name


def test_first_step_ops_are_the_others():
    first = {n for n, _ in L.first_step_transforms()}
    assert first and not first & set(L.SELECTED)
    assert len(first) + len(L.SELECTED) == len(L.list_transforms()) + len(L.map_transforms())
