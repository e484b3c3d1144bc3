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


# four objects: a ring (one hole, touching the border), an inner square, two squares on the border
OBJS = g(
    [
        [1, 1, 1, 0, 0, 0, 0],
        [1, 0, 1, 0, 2, 2, 0],
        [1, 1, 1, 0, 2, 2, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [3, 3, 0, 0, 0, 4, 4],
        [3, 3, 0, 0, 0, 4, 4],
    ]
)
RING = g([[1, 1, 1], [1, 0, 1], [1, 1, 1]])


def test_new_picks():
    assert np.array_equal(t("obj8", "max_holes")(OBJS), RING)
    assert np.array_equal(t("obj8", "odd_shape")(OBJS), RING)  # the others are 2x2 squares
    assert np.array_equal(t("obj8", "odd_border")(OBJS), g([[2, 2], [2, 2]]))  # the one not on the border
    assert np.array_equal(t("obj8", "max_area")(OBJS), RING)
    assert t("obj8", "min_area")(OBJS) is None  # three 2x2 boxes tie
    assert t("obj8", "odd_colours")(OBJS) is None  # four colours: no common colour set
    assert t("obj8", "rare_colour")(OBJS) is None  # every piece has a colour of its own
    # two pieces of colour 1 and one of 1 and 2: the odd colour set, and the only piece with a colour of its own
    mixed = g([[1, 0, 1, 1, 0, 1, 2], [1, 0, 0, 0, 0, 0, 0]])
    assert np.array_equal(t("obj8", "odd_colours")(mixed), g([[1, 2]]))
    assert np.array_equal(t("obj8", "rare_colour")(mixed), g([[1, 2]]))
    assert np.array_equal(t("obj8", "odd_ncol")(mixed), g([[1, 2]]))


def test_new_overlays_stacks_and_counts():
    # smallest first: the largest piece (the ring) ends on top; by position: the top-left piece first
    assert np.array_equal(t("obj8", "grow_min")(OBJS), g([[1, 1, 1], [1, 4, 1], [1, 1, 1]]))
    assert np.array_equal(t("obj8", "overlay_pos")(OBJS), g([[4, 4, 1], [4, 4, 1], [1, 1, 1]]))
    pad_h = g([[1, 1, 1, 3, 3, 2, 2, 4, 4], [1, 0, 1, 3, 3, 2, 2, 4, 4], [1, 1, 1, 0, 0, 0, 0, 0, 0]])
    assert np.array_equal(t("obj8", "stack_h_pad")(OBJS), pad_h)
    assert np.array_equal(t("obj8", "stack_v_pad")(OBJS)[3:5], g([[2, 2, 0], [2, 2, 0]]))
    assert t("cells", "stack_h_pad")(CELLS) is None  # same heights: plain ``stack_h``
    assert np.array_equal(t("obj8", "count_h")(OBJS), g([[1, 1, 1, 1]]))
    assert np.array_equal(t("obj8", "count_v")(OBJS), g([[1], [1], [1], [1]]))
    sizes = g([[3, 0, 2, 2, 0, 1, 1, 1]])
    assert np.array_equal(t("obj8", "stack_h_size")(sizes), g([[1, 1, 1, 2, 2, 3]]))
    assert t("obj8", "stack_v_size")(sizes) is None  # widths differ


FRAMES = g(
    [
        [5, 5, 5, 5, 0, 0, 0],
        [5, 1, 0, 5, 0, 0, 0],
        [5, 0, 2, 5, 0, 6, 6],
        [5, 5, 5, 5, 0, 6, 6],
        [0, 0, 0, 0, 0, 0, 0],
    ]
)


def test_frame_split():
    # insideMarked: the interior of the outline; the filled 2x2 block is no frame
    assert np.array_equal(t("frame", "max_cells")(FRAMES), g([[1, 0], [0, 2]]))
    assert np.array_equal(t("frame", "max_area")(OBJS), g([[0]]))  # the ring's empty interior: one frame
    assert t("frame", "max_area")(OBJS[3:]) is None  # no frame
    two = np.zeros((5, 9), dtype=np.uint8)
    two[:3, :3] = 5
    two[1, 1] = 3
    two[:5, 4:9] = 7
    two[1:4, 5:8] = 0
    two[2, 6] = 3
    two[1, 5] = 3
    assert np.array_equal(t("frame", "max_cells")(two), g([[3, 0, 0], [0, 3, 0], [0, 0, 0]]))
    assert np.array_equal(t("frame", "min_cells")(two), g([[3]]))


def test_new_maps_in_place():
    hull = L.split_map("frame", "hull")(FRAMES)
    assert np.array_equal(hull[1:3, 1:3], g([[1, 1], [1, 2]]))  # interior filled with its majority colour
    filled = L.split_map("obj8", "fill_holes")(OBJS)
    assert filled[1, 1] == 1 and np.array_equal(np.delete(filled, 1, 0), np.delete(OBJS, 1, 0))
    assert L.split_map("obj8", "hull")(OBJS)[1, 1] == 1
    # gravity inside each frame's interior, the rest unchanged
    down = L.split_map("frame", "gravity_d")(FRAMES)
    assert np.array_equal(down[1:3, 1:3], g([[0, 0], [1, 2]])) and np.array_equal(down[:, 4:], FRAMES[:, 4:])
    left = L.split_map("frame", "gravity_l")(FRAMES)
    assert np.array_equal(left[1:3, 1:3], g([[1, 0], [2, 0]]))
    up = L.split_map("cells", "gravity_u")(g([[0, 0, 5, 0, 0], [3, 4, 5, 0, 6]]))
    assert np.array_equal(up, g([[3, 4, 5, 0, 6], [0, 0, 5, 0, 0]]))
    right = L.split_map("cells", "gravity_r")(g([[3, 0, 5, 6, 0], [0, 0, 5, 0, 0]]))
    assert np.array_equal(right, g([[0, 3, 5, 0, 6], [0, 0, 5, 0, 0]]))
    assert L.split_map("cells", "gravity_r")(right) is None  # nothing moves: no new state
    assert L.split_map("obj8", "fill_holes")(OBJS[3:]) is None  # no holes: no new state


def test_in_place_picks():
    keep = t("obj8", "keep_odd_border")(OBJS)  # the grid with the one piece off the border alone
    want = np.zeros_like(OBJS)
    want[1:3, 4:6] = 2
    assert np.array_equal(keep, want)
    drop = t("obj8", "drop_max_holes")(OBJS)  # the ring erased, the rest in place
    assert np.array_equal(drop, np.where(OBJS == 1, 0, OBJS))
    assert t("col", "keep_max_cells")(OBJS) is None  # colour layers: no in-place picks
    assert t("obj8", "drop_rare_colour")(OBJS) is None  # no pick: nothing kept or dropped


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (TRAIN1 / "88a62173.json", "obj8_odd_shape"),  # four quadrants, one differs: that one
        (TRAIN1 / "5117e062.json", "obj8_odd_ncol"),  # the one shape holding a second colour
        (TRAIN1 / "1c786137.json", "frame_max_cells"),  # the contents of the one-colour rectangle
        (TRAIN1 / "2dc579da.json", "cells_odd_colours"),  # the one cell holding the marked cell
        (TRAIN1 / "aabf363d.json", "obj8_keep_max_cells"),  # in place: the big shape kept, the marker gone
    ],
)
def test_real_tasks_first_steps(path, name):
    ops = dict(L.first_step_transforms())
    assert name in ops and name not in L.SELECTED
    task = json.loads(path.read_text())
    for p in task["train"] + task["test"]:
        out = ops[name](to_array(p["input"]))
        want = to_array(p["output"])
        assert out is not None and out.shape == want.shape
        codes = np.unique(out.astype(int) * 16 + want)  # a colour map away from the output
        assert np.unique(codes // 16).size == codes.size


@pytest.mark.parametrize("to_shape", [True, False])
def test_search_solves_a_task_through_a_new_first_step(monkeypatch, to_shape):
    # 5ad4f10b: the big shape drawn in blocks, marked by the colour with the smaller box (noise elsewhere),
    # shrunk: after the solver's colour normalisation a depth-2 search finds col_min_area | downscale_blocks
    from infscale.arc import search as search_mod
    from infscale.arc.normalise import colour_maps, rename, rename_back
    from infscale.arc.search import search

    if not to_shape:
        monkeypatch.setattr(search_mod, "fixed_out_shape", lambda ins, outs: None)
    task = json.loads((TRAIN1 / "5ad4f10b.json").read_text())
    ins = [to_array(p["input"]) for p in task["train"]]
    outs = [to_array(p["output"]) for p in task["train"]]
    tests = [to_array(p["input"]) for p in task["test"]]
    tables = colour_maps(ins, outs, tests)
    n = len(ins)
    renamed = [rename(x, m) for x, m in zip(ins + tests, tables, strict=True)]
    res = search(
        renamed[:n],
        [rename(y, m) for y, m in zip(outs, tables, strict=False)],
        renamed[n:],
        max_depth=2,
        time_budget_s=30.0,
    )
    good = [c for c in res.candidates if not c.weak]
    # crop_cobj8_largest | scale_to (onto the outputs' fixed shape) gives the same answer and is found first;
    # without the output-shape transforms, the first step col_min_area does
    assert good and good[0].program.startswith(
        "crop_cobj8_largest | scale_to" if to_shape else "col_min_area"
    )
    preds = [rename_back(p, m) for p, m in zip(good[0].predictions, tables[n:], strict=True)]
    assert all(np.array_equal(p, to_array(q["output"])) for p, q in zip(preds, task["test"], strict=True))


# a 2 x 2 lattice of 2 x 2 cells on lines of 5, the commonest colour
LATTICE = g(
    [
        [1, 0, 5, 2, 2],
        [0, 0, 5, 2, 0],
        [5, 5, 5, 5, 5],
        [3, 3, 5, 4, 4],
        [3, 3, 5, 0, 4],
    ]
)


def test_a_lattice_of_the_commonest_colour_splits_into_cells():
    from infscale.arc.dsl.primitives import _separators

    assert (LATTICE == 5).sum() > (LATTICE == 0).sum()  # the lines' colour is the commonest
    assert _separators(LATTICE) == ([2], [2], 5)
    # stripes of the commonest colour that also fills cells, or lines one way only, split nothing
    stripes = g([[5, 5, 5, 5], [1, 5, 2, 5], [5, 5, 5, 5], [3, 5, 4, 5]])
    assert _separators(stripes) is None
    rows_only = g([[1, 2, 3], [5, 5, 5], [5, 5, 5], [4, 5, 6]])
    assert _separators(rows_only) is None


def test_broadcast_and_spread_of_a_picked_cell():
    # the key (the cell with the fewest coloured cells) has the lattice's shape: each cell painted whole in
    # the colour of its place in the key
    spread = t("cells", "spread_min_cells")(LATTICE)
    assert np.array_equal(
        spread, g([[1, 1, 5, 0, 0], [1, 1, 5, 0, 0], [5] * 5, [0, 0, 5, 0, 0], [0, 0, 5, 0, 0]])
    )
    bcast = t("cells", "bcast_max_cells")(LATTICE)  # the full cell everywhere
    assert np.array_equal(bcast, np.where(LATTICE == 5, 5, 3))
    names = dict(L.first_step_transforms())
    assert "cells_spread_min_cells" in names and "eq_bcast_unique" in names
    assert "obj8_spread_min_cells" not in names  # objects are not boxes of a layout
    assert t("cells", "bcast_min_cells")(CELLS) is None  # no single pick: nothing


def test_spread_solves_a_real_lattice_task():
    # 09629e4f: the cell with the fewest coloured cells, each of its cells blown up to a whole cell
    task = json.loads((TRAIN1 / "09629e4f.json").read_text())
    op = dict(L.first_step_transforms())["cells_spread_min_cells"]
    for p in task["train"] + task["test"]:
        assert np.array_equal(op(to_array(p["input"])), to_array(p["output"]))


def test_half_maps_mark_one_half_of_each_piece():
    bars = g([[0, 2, 0, 0], [0, 2, 0, 3], [0, 2, 0, 3], [0, 2, 0, 3], [0, 2, 0, 3]])
    down = L.split_map("obj8", "half_d")(bars)
    # a bar of 5 cells: its lower 2 (the middle cell in neither half); a bar of 4: its lower 2
    assert np.array_equal(down[:, 1], g([2, 2, 2, MARK, MARK])) and np.array_equal(
        down[:, 3], g([0, 3, 3, MARK, MARK])
    )
    up = L.split_map("obj8", "half_u")(bars)
    assert np.array_equal(up[:, 1], g([MARK, MARK, 2, 2, 2]))
    right = L.split_map("obj8", "half_r")(g([[4, 4, 4, 4], [0, 0, 0, 0], [6, 6, 6, 0]]))
    assert np.array_equal(right, g([[4, 4, MARK, MARK], [0, 0, 0, 0], [6, 6, MARK, 0]]))
    assert L.split_map("obj8", "half_l")(g([[4, 0, 0, 0], [0, 0, 0, 4]])) is None  # 1-cell pieces: no half


def test_half_map_solves_a_real_task():
    # ce9e57f2: the lower half of each bar recoloured (a colour map names the marked cells)
    from infscale.arc.dsl.learners import apply_colour_map, fit_colour_map

    task = json.loads((TRAIN1 / "ce9e57f2.json").read_text())
    op = dict(L.first_step_transforms())["obj8_each_half_d"]
    cmap = fit_colour_map(
        [op(to_array(p["input"])) for p in task["train"]], [to_array(p["output"]) for p in task["train"]]
    )
    assert cmap is not None
    for p in task["test"]:
        assert np.array_equal(apply_colour_map(op(to_array(p["input"])), cmap), to_array(p["output"]))


def test_broadcast_into_the_pieces_unlike_the_common_one():
    # cells: two plain (the common cell), one marked with a 0, one patterned (the most colours): the
    # patterned cell replaces the marked one only
    grid = g(
        [
            [7, 7, 5, 7, 0, 5, 7, 7, 5, 2, 7],
            [7, 7, 5, 7, 7, 5, 7, 7, 5, 7, 2],
            [7, 7, 5, 7, 7, 5, 7, 7, 5, 2, 7],
        ]
    )
    out = t("cells", "bcastodd_max_colours")(grid)
    want = grid.copy()
    want[:, 3:5] = grid[:, 9:]
    assert np.array_equal(out, want)
    task = json.loads((TRAIN2 / "e734a0e8.json").read_text())  # the same on a real task
    op = dict(L.first_step_transforms())["cells_bcastodd_max_colours"]
    for p in task["train"] + task["test"]:
        assert np.array_equal(op(to_array(p["input"])), to_array(p["output"]))
