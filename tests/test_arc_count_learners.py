"""Count and summary learners of the arc_dsl expert (output shape differs from the input's): each solves a
small synthetic task, refuses a corrupted one, and solves (official scoring) the training tasks it claims,
ARC-AGI-1 ones through the shared contract and ARC-AGI-2-only ones here."""

from __future__ import annotations

import pytest
from tests.helpers.arc_learners import TRAIN2, G, contract_tests, fits_claimed_task, run

from infscale.arc.dsl import count_learners as cl


# ---------------------------------------------------------------- synthetic tasks per learner
def colour_layers_task():
    """Lines cross; the colour drawn at a crossing lies on top. Output = colours bottom to top, as a row."""
    pairs = [
        (G("..1.. ..1.. 22122 ..1.. ..1.."), G("21")),
        (G("..3... ..3... 443444 ..3... ..3... ..3..."), G("43")),
        (G("..5.. 66666 ..5.. 77577 ..5.."), G("756")),
    ]
    tests = [(G(".2... 12111 .2... 33333 .2..."), G("123"))]
    return pairs, tests


def self_kron_task():
    """Block (i, j) holds the input's cells of the colour of cell (i, j)."""
    pairs = [
        (G("12 21"), G("1..2 .12. .21. 2..1")),
        (G("33 34"), G("3333 3.3. 33.. 3..4")),
    ]
    tests = [(G("56 65"), G("5..6 .56. .65. 6..5"))]
    return pairs, tests


def shear_task():
    """Row i shifts right by i cells: a parallelogram."""
    pairs = [
        (G("12 34"), G("12. .34")),
        (G("111 222 333"), G("111.. .222. ..333")),
    ]
    tests = [(G("45 67 89"), G("45.. .67. ..89"))]
    return pairs, tests


def tile_consensus_task():
    """Copies of a tile between separator columns, one cell altered: output = the tile, the altered cell
    marked 4."""
    pairs = [
        (G("12512512 21521522"), G("12 24")),
        (G("36536536 13513563"), G("36 43")),
    ]
    tests = [(G("66566566 11519511"), G("66 14"))]
    return pairs, tests


def cell_list_fold_task():
    """Scattered cells read column by column, written into a 2 x 2 grid in a snake."""
    pairs = [
        (G("1..... ...3.. .....4 .2...."), G("12 43")),
        (G(".5.... ...... ....6. 7....."), G("75 .6")),
    ]
    tests = [(G("...... 8..... ...9.. .....1"), G("89 .1"))]
    return pairs, tests


def largest_bars_task():
    """The largest objects' colours as columns as tall as their size, left to right."""
    pairs = [
        (G("1.2.. 1.2.3 ....."), G("12 12")),
        (G("..4.5 6.4.5 ..4.5"), G("45 45 45")),
    ]
    tests = [(G("7.8.9 7.8.. 7.8.."), G("78 78 78"))]
    return pairs, tests


def staircase_task():
    """A bar at the left of a row grows by one cell per row, for half the row's width."""
    pairs = [
        (G("1....."), G("1..... 11.... 111...")),
        (G("22......"), G("22...... 222..... 2222.... 22222...")),
    ]
    tests = [(G("33.."), G("33.. 333."))]
    return pairs, tests


def line_square_task():
    """Parallel lines, one partly under a block: output = an n x n square of the line colours."""
    pairs = [
        (G("..... 11111 ..... 22.22 ..9.. 33333"), G("111 222 333")),
        (G("4.5. 4.5. 4.5. 4.5."), G("45 45")),
    ]
    tests = [(G("...... 666666 ...... 7799.7 ..99.. 888888 ......"), G("666 777 888"))]
    return pairs, tests


def counted_copies_task():
    """As many copies as coloured cells, in reading order, on a canvas as many slots wide as empty cells."""
    pairs = [
        (G("1. .."), G("1..... ...... ...... ...... ...... ......")),
        (G("22 .."), G("2222 .... .... ....")),
    ]
    tests = [(G("3. .3"), G("3.3. .3.3 .... ...."))]
    return pairs, tests


CASES = {
    "colour_layers": (cl.fit_colour_layers, colour_layers_task),
    "self_kron": (cl.fit_self_kron, self_kron_task),
    "shear": (cl.fit_shear, shear_task),
    "tile_consensus": (cl.fit_tile_consensus, tile_consensus_task),
    "cell_list_fold": (cl.fit_cell_list_fold, cell_list_fold_task),
    "largest_bars": (cl.fit_largest_bars, largest_bars_task),
    "staircase": (cl.fit_staircase, staircase_task),
    "line_square": (cl.fit_line_square, line_square_task),
    "counted_copies": (cl.fit_counted_copies, counted_copies_task),
}


def test_layer_order_needs_a_total_order():
    # two lines that never cross: nothing says which lies on top
    assert cl._layer_order(G("1.... 1.... 1..22 1....")) is None
    # a cycle (1 over 2 here, 2 over 1 there) has no stacking
    assert cl._layer_order(G(".2..1. 11112. .2..1. 22212. .2..1.")) is None
    # a narrow shape of 2 lying on a line of 1 is not read as 1 on top of 2
    assert cl._occlusions(G("11212111"), 0)[1, 2] == 0


def test_semantic_refusals():
    pairs, tests = shear_task()
    # rows shifted the other way round are not this learner's shear with the same fill
    flipped = [(a, b[:, ::-1]) for a, b in pairs]
    assert run(cl.fit_shear, flipped, tests) is None
    # a lattice whose cells agree nowhere has no consensus tile
    assert cl._consensus(G("12534596 78512534"), -1) is None


CLAIMS = {
    "cell_list_fold": ["cdecee7f"],
    "largest_bars": ["a3325580"],
    "staircase": ["bbc9ae5d"],
    "line_square": ["8e1813be"],
    "counted_copies": ["91413438"],
}

CLAIMS2 = {
    "colour_layers": ["68bc2e87"],
    "self_kron": ["973e499e"],
    "shear": ["3cd86f4f"],
    "tile_consensus": ["e84fef15"],
}


(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(cl.COUNT_LEARNERS, CASES, CLAIMS)


@pytest.mark.parametrize("name", sorted(CLAIMS2))
def test_solves_claimed_agi2_training_tasks(name):
    fit = dict(cl.COUNT_LEARNERS)[name]
    for tid in CLAIMS2[name]:
        fits_claimed_task(fit, tid, TRAIN2)
