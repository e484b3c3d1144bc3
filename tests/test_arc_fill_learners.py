"""Fill learners of the arc_dsl expert: each solves a small synthetic task, refuses a corrupted one, and
solves (official scoring) the ARC-AGI-1 training tasks it claims."""

from __future__ import annotations

import numpy as np
from tests.helpers.arc_learners import TRAIN2, G, contract_tests, fits_claimed_task, run

from infscale.arc.dsl import fill_learners as fl
from infscale.arc.dsl import pattern_learners as pl


# ---------------------------------------------------------------- synthetic tasks per learner
def seed_flood_task():
    """The region a 3 sits in is flooded with 3 (the walls stop it)."""
    pairs = [
        (G("5555.. 5.35.. 5..5.. 5555.."), G("5555.. 5335.. 5335.. 5555..")),
        (G("...... .5555. .5..5. .5.35. .5555."), G("...... .5555. .5335. .5335. .5555.")),
    ]
    tests = [(G("5555 5..5 5.35 5..5 5555 ...."), G("5555 5335 5335 5335 5555 ...."))]
    return pairs, tests


def seed_flood_alternate_task():
    """Two seed colours (different in every grid) alternate along the corridor the walls leave."""
    pairs = [
        (G("8888888 32....8 8888888"), G("8888888 3232328 8888888")),
        (G("8.8 818 848 8.8 8.8"), G("848 818 848 818 848")),
    ]
    tests = [(G("88888 ..69. 88888"), G("88888 69696 88888"))]
    return pairs, tests


def container_leak_task():
    """A box is filled with 6, and the fill runs out of the gap in its side to the edge."""
    pairs = [
        (G("...... .1111. .1..1. .1..1. .1.11. ......"), G("...... .1111. .1661. .1661. .1611. ..6...")),
        (
            G("2222... 2..2... 2...... 2..2... 2..2... 2222..."),
            G("2222... 2662... 2666666 2662... 2662... 2222..."),
        ),
    ]
    tests = [(G("..... 3.333 3...3 33333"), G(".6... 36333 36663 33333"))]
    return pairs, tests


def cell_transform_task():
    """The only full cell is mirrored left-right into the next cell and up-down into the last one."""
    pairs = [
        (G("125..5.. 3.5..5.."), G("1252153. 3.5.3512")),
        (G("445..5.. .65..5.."), G("445445.6 .656.544")),
    ]
    tests = [(G("7.5..5.. 895..5.."), G("7.5.7589 8959857."))]
    return pairs, tests


def bridge_task():
    """Two objects facing each other across empty background are joined by a band of 8."""
    pairs = [
        (G("11..22 11..22 ......"), G("118822 118822 ......")),
        (G("333 333 ... ... 444"), G("333 333 888 888 444")),
    ]
    tests = [(G(".5.. .... .... .6.."), G(".5.. .8.. .8.. .6.."))]
    return pairs, tests


def latin_fill_task():
    """Every row and column of the square holds 1, 2 and 3; the 5s are the missing entries."""
    pairs = [
        (G("125 231 312"), G("123 231 312")),
        (G("321 553 152"), G("321 213 132")),
    ]
    tests = [(G("555 231 352"), G("123 231 312"))]
    return pairs, tests


def box_symmetry_task():
    """A shape beside an axis (whose end markers span the grid) is completed by a half turn about the
    middle of the picture, on a grey background."""
    pairs = [
        (G("55855 51855 85858 55855 55855"), G("55855 51855 85858 55815 55855")),
        (
            G("5558555 5228555 5258555 8558558 5558555 5558555 5558555"),
            G("5558555 5228555 5258555 8558558 5558525 5558225 5558555"),
        ),
    ]
    tests = [(G("55855 55855 85858 53855 55855"), G("55855 55835 85858 53855 55855"))]
    return pairs, tests


def shape_trail_task():
    """A shape is repeated through its marker cell to the edge, in the marker's colour."""
    pairs = [
        (G("...... .11... ...2.. ...... ......"), G("...... .11... ..22.. ...22. ....22")),
        (G("...... ...... ..5... ...4.. ...44. ......"), G("5..... .5.... .55... ...4.. ...44. ......")),
    ]
    tests = [(G("3.... 36... ..... ....."), G("3.... 36... .66.. ..66."))]
    return pairs, tests


def move_by_size_task():
    """Objects rise from the floor by as many cells as they have; the floor stays."""
    pairs = [
        (G(".... .... .... .... 1.22 8888"), G(".... .... ..22 1... .... 8888")),
        (G("..... ..... ..... ..... 333.4 88888"), G("..... 333.. ..... ....4 ..... 88888")),
    ]
    tests = [(G(".... .... .... 5... 5.66 8888"), G(".... 5... 5.66 .... .... 8888"))]
    return pairs, tests


def row_automaton_task():
    """Each row below the seed row is the exclusive-or of the two diagonal cells above (rule 90)."""
    pairs = [
        (G("...1... ....... ....... ......."), G("...1... ..1.1.. .1...1. 1.1.1.1")),
        (G("1.1.. ..... ....."), G("1.1.. ...1. ..1.1")),
    ]
    tests = [(G("..11.. ...... ......"), G("..11.. .1111. 11..11"))]
    return pairs, tests


def segment_lines_task():
    """Straight segments grow into full rows and columns, rows drawn last."""
    pairs = [
        (G("..... .22.. ..... ...3. ...3."), G("...3. 22222 ...3. ...3. ...3.")),
        (G("4..... 4..... ...555 ......"), G("4..... 4..... 555555 4.....")),
    ]
    tests = [(G("..6. ..6. .... 77.."), G("..6. ..6. ..6. 7777"))]
    return pairs, tests


def to_own_anchor_task():
    """Objects slide to the wall of their own colour; the nearest arrives first and the next stacks on it."""
    pairs = [
        (G("1....2 1..1.2 1....2 122..2 1....2"), G("1....2 11...2 1....2 1..222 1....2")),
        (G("33333 ..... .3... ..... .3..."), G("33333 .3... .3... ..... .....")),
    ]
    tests = [(G("...5 5..5 ...5 ...5"), G("...5 ..55 ...5 ...5"))]
    return pairs, tests


def position_paint_task():
    """The corners of a grid are painted 1 and its centre 2, whatever its size."""
    pairs = [
        (G("... ... ..."), G("1.1 .2. 1.1")),
        (G("..... ..... ..... ..... ....."), G("1...1 ..... ..2.. ..... 1...1")),
        (G("..... ..... ....."), G("1...1 ..2.. 1...1")),
    ]
    tests = [(G("... ... ... ... ..."), G("1.1 ... .2. ... 1.1"))]
    return pairs, tests


def marker_dye_task():
    """A shape touched by a single cell takes its colour and uses the cell up; other shapes stay."""
    pairs = [
        (G(".3... .55.. .5... ....5 ....5"), G("..... .33.. .3... ....5 ....5")),
        (G("55.. .2.. .... ..55"), G("22.. .... .... ..55")),
    ]
    tests = [(G("..... .555. ..7.. ....."), G("..... .777. ..... ....."))]
    return pairs, tests


def _rings(h: int, w: int, cy: int, cx: int) -> tuple[np.ndarray, np.ndarray]:
    """Rings 1 and 3 (colour 3) around (cy, cx) as the input; every odd ring 3, every even ring 5 as output."""
    ys, xs = np.mgrid[0:h, 0:w]
    d = np.maximum(abs(ys - cy), abs(xs - cx))
    out = np.where(d % 2 == 1, 3, 5).astype(np.uint8)
    return np.where((d % 2 == 1) & (d <= 3), 3, 0).astype(np.uint8), out


def ring_continue_task():
    """Rings drawn around a corner of the grid are continued outwards, the gaps between them painted 5."""
    return [_rings(7, 7, 0, 0), _rings(7, 8, 6, 7)], [_rings(6, 6, 0, 5)]


CASES = {
    "seed_flood": (fl.fit_seed_flood, seed_flood_task),
    "seed_flood_alternate": (fl.fit_seed_flood, seed_flood_alternate_task),
    "container_leak": (fl.fit_container_leak, container_leak_task),
    "cell_transform": (fl.fit_cell_transform, cell_transform_task),
    "bridge": (fl.fit_bridge, bridge_task),
    "latin_fill": (fl.fit_latin_fill, latin_fill_task),
    "box_symmetry": (fl.fit_box_symmetry, box_symmetry_task),
    "shape_trail": (fl.fit_shape_trail, shape_trail_task),
    "move_by_size": (fl.fit_move_by_size, move_by_size_task),
    "row_automaton": (fl.fit_row_automaton, row_automaton_task),
    "segment_lines": (fl.fit_segment_lines, segment_lines_task),
    "to_own_anchor": (fl.fit_to_own_anchor, to_own_anchor_task),
    "position_paint": (fl.fit_position_paint, position_paint_task),
    "marker_dye": (fl.fit_marker_dye, marker_dye_task),
    "ring_continue": (fl.fit_ring_continue, ring_continue_task),
}


def test_semantic_refusals():
    # a seed that changes colour itself is no flood of the background
    assert (
        run(fl.fit_seed_flood, [(G("5555 5.35 5555"), G("5555 5444 5555"))], [(G("5555 5.35 5555"), None)])
        is None
    )
    # a closed box has no gap to leak through: the learned rule does not apply to it
    pairs, _ = container_leak_task()
    pred = run(fl.fit_container_leak, pairs, [(G("..... 33333 3...3 33333"), None)])
    assert pred is None
    # objects that share no row or column face nothing: no bridge
    pairs, _ = bridge_task()
    pred = run(fl.fit_bridge, pairs, [])
    assert pred is not None
    assert pred(G("11.... ....22")) is None
    # a band with something in it is not drawn: the objects bridge to the obstacle instead
    assert np.array_equal(pred(G("1...2 1...2 1.5.2")), G("1...2 1...2 18582"))
    # a sudoku with no group down to a single hole cannot be completed
    pairs, _ = latin_fill_task()
    pred = run(fl.fit_latin_fill, pairs, [])
    assert pred is not None and pred(G("555 555 312")) is None
    # a neighbourhood never seen on train has no rule
    pairs, _ = row_automaton_task()
    pred = run(fl.fit_row_automaton, pairs, [])
    assert pred is not None and pred(G("..2.. ..... .....")) is None
    # a place recoloured in only one train grid is not evidence enough
    one = [(G("... ... ..."), G("1.. ... ...")), (G(".. .."), G(".. .."))]
    assert run(fl.fit_position_paint, one, [(G("... ... ..."), None)]) is None
    # two full cells: no single source to copy from
    pairs, _ = cell_transform_task()
    assert run(fl.fit_cell_transform, pairs, [(G("125..51. 3.5..5.."), None)]) is None


# ---------------------------------------------------------------- the training tasks each learner claims
def test_solves_claimed_arc_agi_2_training_tasks():
    """Tasks of the ARC-AGI-2 training split (not in ARC-AGI-1) that only these learners solve."""
    claims = (
        (fl.fit_latin_fill, "e3fe1151"),
        (fl.fit_box_symmetry, "e729b7be"),
        (fl.fit_move_by_size, "8e301a54"),
        (fl.fit_move_by_size, "b2bc3ffd"),
        (fl.fit_row_automaton, "b5bb5719"),
        (fl.fit_row_automaton, "af726779"),
        (fl.fit_segment_lines, "9344f635"),
        (fl.fit_to_own_anchor, "f0100645"),
        (fl.fit_marker_dye, "b7256dcd"),
    )
    for fit, tid in claims:
        fits_claimed_task(fit, tid, TRAIN2)


def test_position_paint_lifted_to_separator_cells():
    """Through ``cell_lift`` the place rule marks the first, middle and last cells of a separator grid."""
    fits_claimed_task(pl.fit_cell_lift, "941d9a10")


CLAIMS = {
    "seed_flood": ["b782dc8a"],
    "container_leak": ["d4f3cd78", "aba27056"],
    "cell_transform": ["8e5a5113"],
    "bridge": ["d6ad076f"],
    "box_symmetry": ["11852cab"],
    "shape_trail": ["e8dc4411"],
    "row_automaton": ["a65b410d", "db3e9e38"],
    "position_paint": ["6f8cd79b"],
    "ring_continue": ["f8c80d96"],
}


(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(fl.FILL_LEARNERS, CASES, CLAIMS)
