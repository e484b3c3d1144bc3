"""Pattern learners of the arc_dsl expert: each solves a small synthetic task, refuses a corrupted one, and
solves (official scoring) the ARC-AGI-1 training tasks it claims."""

from __future__ import annotations

import itertools

import numpy as np
from tests.helpers.arc_learners import G, contract_tests

from infscale.arc.dsl import pattern_learners as pl


# ---------------------------------------------------------------- synthetic tasks per learner
def template_task():
    """A 3x3 two-colour template is copied centred on every grey cell."""

    def solve(g):
        split = pl._split(g)
        assert split is not None
        _, (t,), markers = split
        out = g.copy()
        for m in markers:
            out[m.r0 - 1 : m.r0 + 2, m.c0 - 1 : m.c0 + 2] = t.patch
        return out

    ins = [
        G("......... .242..... .434..... .242..... ......... ......5.. ......... ......... ........."),
        G("......... ......... ..5...... ......... ......... .....161. .....616. .....161."),
    ]
    test = G("......... ......... .313..... .131..... .313..... ......... ......5.. ......... .........")
    return [(g, solve(g)) for g in ins], [(test, solve(test))]


def cell_lift_task():
    """Cells of a partition (2x2 blocks between grey lines) of one colour in a row are joined."""

    def grow(small):
        n, m = small.shape
        g = np.full((3 * n - 1, 3 * m - 1), 5, dtype=np.uint8)
        for i in range(n):
            for j in range(m):
                g[3 * i : 3 * i + 2, 3 * j : 3 * j + 2] = small[i, j]
        return g

    def solve(small):
        out = small.copy()
        for row in out:
            nz = np.flatnonzero(row)
            for x0, x1 in itertools.pairwise(nz):
                if row[x0] == row[x1]:
                    row[x0:x1] = row[x0]
        return out

    smalls = [G("2...2 ..... .3.3. ....."), G("..... 4..4. ..... .1..1"), G("1.1.. ..... ...6. 2...2")]
    test = G(".7..7 ..... 3...3 .....")
    return [(grow(s), grow(solve(s))) for s in smalls], [(grow(test), grow(solve(test)))]


def cell_template_task():
    """The fullest cell's shape is drawn in grey into the empty part of every other cell."""

    def make(tpl, others):
        g = np.zeros((11, 11), dtype=np.uint8)
        g[3, :] = g[7, :] = g[:, 3] = g[:, 7] = 5
        cells = [(r, c) for r in (0, 4, 8) for c in (0, 4, 8)]
        g[0:3, 0:3] = tpl
        for (r, c), (y, x, v) in zip(cells[1:], others, strict=False):
            g[r + y, c + x] = v
        out = g.copy()
        for r, c in cells:
            view = out[r : r + 3, c : c + 3]
            view[(tpl != 0) & (view == 0)] = 5
        return g, out

    t1, t2, t3 = G("2.2 .2. 2.2"), G(".1. 111 .1."), G("33. 3.. ...")
    p1 = make(t1, [(0, 0, 2), (1, 1, 4), (2, 2, 2)])
    p2 = make(t2, [(1, 1, 1), (0, 1, 6)])
    test = make(t3, [(0, 0, 3), (2, 2, 9)])
    return [p1, p2], [test]


def lines_task():
    """Single cells level with the big block draw a line of their colour up to it."""
    pairs = [
        (
            G("........ .1...... ........ ...33... ...33.2. ........ ........ ....4..."),
            G("........ .1...... ........ ...33... ...3322. ....4... ....4... ....4..."),
        ),
        (
            G("...6.... ........ ........ ..333... ..333... ........ 2....... ........"),
            G("...6.... ...6.... ...6.... ..333... ..333... ........ 2....... ........"),
        ),
    ]
    tests = [
        (
            G("........ .....7.. ........ ........ 1....44. .....44. ........ ........"),
            G("........ .....7.. .....7.. .....7.. 1111144. .....44. ........ ........"),
        )
    ]
    return pairs, tests


def bounce_task():
    """The only cell shoots a diagonal ray upwards that bounces off the side walls."""
    pairs = [
        (G("... ... ... ... ... 2.."), G(".2. 2.. .2. ..2 .2. 2..")),
        (G(".... .... .... .... 3..."), G("..3. ...3 ..3. .3.. 3...")),
    ]
    tests = [(G("... ... ... ... ... ... ... 4.."), G(".4. ..4 .4. 4.. .4. ..4 .4. 4.."))]
    return pairs, tests


def symmetry_task():
    """A left-right symmetric shape with some cells missing is completed about its own axis."""
    pairs = [
        (
            G("........ ..44.4.. ..4..... ..4444.. ........"),
            G("........ ..4444.. ..4..4.. ..4444.. ........"),
        ),
        (G("........ .6.6.... .66..... ........"), G("........ .6.6.... .666.... ........")),
    ]
    tests = [
        (
            G("......... ..5..5... ..55.5... ..5..5... ........."),
            G("......... ..5..5... ..5555... ..5..5... ........."),
        )
    ]
    return pairs, tests


def tails_task():
    """A cell hanging diagonally off a block continues as a diagonal line to the border."""
    pairs = [
        (G("...... ...... ..11.. ..11.. ....1. ......"), G("...... ...... ..11.. ..11.. ....1. .....1")),
        (
            G("....... .2..... ..22... ..22... ....... ......."),
            G("2...... .2..... ..22... ..22... ....... ......."),
        ),
    ]
    tests = [
        (
            G("....... ....... ...33.. ...33.. ..3.... ......."),
            G("....... ....... ...33.. ...33.. ..3.... .3....."),
        )
    ]
    return pairs, tests


def halo_task():
    """Two-cell objects get a green ring (8-neighbours); single cells do not."""
    pairs = [
        (
            G("....... .22.... ....... ....2.. ....2.. ....... 2......"),
            G("3333... 3223... 333333. ...323. ...323. ...333. 2......"),
        ),
        (
            G("....... ....... ..2.... ....... .....22 ....... ......."),
            G("....... ....... ..2.... ....333 ....322 ....333 ......."),
        ),
    ]
    tests = [
        (
            G("2...... ....... ...2... ...2... ....... ......2"),
            G("2...... ..333.. ..323.. ..323.. ..333.. ......2"),
        )
    ]
    return pairs, tests


CASES = {
    "template_stamp": (pl.fit_template_stamp, template_task),
    "cell_lift": (pl.fit_cell_lift, cell_lift_task),
    "cell_template": (pl.fit_cell_template, cell_template_task),
    "lines_to_target": (pl.fit_lines_to_target, lines_task),
    "bounce_ray": (pl.fit_bounce_ray, bounce_task),
    "self_symmetry": (pl.fit_self_symmetry, symmetry_task),
    "extend_tails": (pl.fit_extend_tails, tails_task),
    "halo": (pl.fit_halo, halo_task),
}


def test_semantic_refusals():
    # template stamp: a marker covered by no template placement (even-sized template, one-cell marker)
    a = G("23.... 32.... ...... ....5.")
    assert pl.fit_template_stamp([a], [G("23.... 32.... ...23. ...325")], [a]) is None
    # bounce: two source cells are out of scope
    two = G("... ... 1.1")
    assert pl.fit_bounce_ray([two], [G(".1. 1.1 1.1")], [two]) is None
    # self symmetry: a change on a non-background cell is out of scope
    assert pl.fit_self_symmetry([G("1.1 1..")], [G("2.2 1.1")], [G("1.1 1..")]) is None


# ---------------------------------------------------------------- the training tasks each learner claims
CLAIMS = {
    "template_stamp": ["3e980e27", "88a10436", "e76a88a6"],
    "cell_lift": ["06df4c85", "272f95fa"],
    "cell_template": ["1e32b0e9", "c444b776"],
    "lines_to_target": ["2c608aff", "d43fd935"],
    "bounce_ray": ["a3df8b1e", "e179c5f4"],
    "self_symmetry": ["11852cab", "e40b9e2f"],
    "extend_tails": ["7ddcd7ec"],
    "halo": ["4258a5f9", "b27ca6d3"],
}


(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(pl.PATTERN_LEARNERS, CASES, CLAIMS)
