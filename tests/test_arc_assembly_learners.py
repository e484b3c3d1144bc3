"""Assembly learners of the arc_dsl expert (parts of the input moved together into a new shape, or a
marked region cropped): each solves a small synthetic task, refuses a corrupted one, and solves (official
scoring) the training tasks it claims."""

from __future__ import annotations

import numpy as np
from tests.helpers.arc_learners import TRAIN, G, blank, contract_tests, run

from infscale.arc.dsl import assembly_learners as al
from infscale.arc.grid import load_task
from infscale.arc.scoring import score_task


def place(h: int, w: int, *pieces: tuple[int, int, str]) -> np.ndarray:
    """An h x w empty grid with each piece (rows of digits) pasted at its top-left corner (y, x)."""
    g = blank(h, w)
    for y, x, rows in pieces:
        p = G(rows)
        win = g[y : y + p.shape[0], x : x + p.shape[1]]
        win[p != 0] = p[p != 0]
    return g


def hjoin(sep: int, *panels: str) -> np.ndarray:
    """Panels (rows of digits) side by side, split by one column of colour ``sep``."""
    ps = [G(p) for p in panels]
    bar = np.full((ps[0].shape[0], 1), sep, dtype=np.uint8)
    return np.hstack([x for p in ps for x in (bar, p)][1:])


# ---------------------------------------------------------------- synthetic tasks per learner
def anchor_overlay_task():
    """Every object has one grey (5) cell; the objects are laid over each other at it."""
    pairs = [
        (place(9, 9, (1, 1, "15"), (5, 5, "5 2")), G("15 .2")),
        (place(9, 9, (0, 6, "3 5"), (6, 2, "54")), G("3. 54")),
    ]
    return pairs, [(place(9, 9, (2, 2, "65"), (6, 6, "5 7")), G("65 .7"))]


def anchor_pair_overlay_task():
    """The anchor is a pair of grey cells, alike in every object."""
    pairs = [
        (place(9, 9, (1, 1, "155"), (5, 5, "55 .2")), G("155 ..2")),
        (place(9, 9, (0, 6, "3. 55"), (6, 2, "554")), G("3.. 554")),
    ]
    return pairs, [(place(9, 9, (6, 0, "755"), (1, 5, "55 .8")), G("755 ..8"))]


def centre_overlay_task():
    """Each colour's cells are laid over the others' at their box centres."""
    pairs = [
        (place(9, 9, (0, 0, "1.1 ... 1.1"), (5, 5, "2")), G("1.1 .2. 1.1")),
        (place(9, 9, (1, 4, ".3. 3.3 .3."), (6, 1, "4...4")), G("..3.. 43.34 ..3..")),
    ]
    return pairs, [(place(9, 9, (0, 0, "6...6"), (4, 4, "7")), G("6.7.6"))]


def corner_layout_task():
    """Each L goes to the corner of a 2 x 2 layout its cells lean to (an empty slot stays empty)."""
    pairs = [
        (place(9, 9, (0, 0, "11 1."), (6, 6, ".2 22"), (0, 6, "33 .3")), G("1133 1..3 ...2 ..22")),
        (place(9, 9, (0, 3, "44 4."), (5, 0, "5. 55"), (6, 6, ".6 66")), G("44.. 4... 5..6 5566")),
    ]
    return pairs, [(place(9, 9, (6, 1, "77 .7"), (1, 5, "8. 88")), G("..77 ...7 8... 88.."))]


def jigsaw_task():
    """Two objects are moved together to fill a rectangle."""
    pairs = [
        (place(8, 8, (0, 0, "11 1. 1."), (4, 5, ".2 22 22")), G("112 122 122")),
        (place(8, 8, (5, 1, "55 5."), (1, 6, "6")), G("55 56")),
    ]
    return pairs, [(place(8, 8, (0, 4, "7.. 777"), (5, 0, "88")), G("788 777"))]


def colour_box_crop_task():
    """The box of the red (2) cells, one cell wider on every side."""
    a = place(8, 8, (2, 2, "2.3 ... ..2"), (0, 7, "4"))
    b = place(9, 7, (3, 1, "2.. .1. 2.2"), (8, 0, "6"))
    t = place(9, 9, (4, 3, "2.. .3. ..2"), (0, 0, "5"))
    return [(a, a[1:6, 1:6]), (b, b[2:7, 0:5])], [(t, t[3:8, 2:7])]


def corner_crop_task():
    """The inside of the box whose corners are four cells of one colour (a different colour each time)."""
    a = place(8, 8, (1, 1, "3...3"), (5, 1, "3...3"), (3, 2, "12"), (7, 7, "9"))
    b = place(8, 8, (0, 2, "6...6"), (3, 2, "6...6"), (2, 4, "4"), (6, 0, "9"))
    t = place(8, 8, (2, 0, "8...8"), (6, 0, "8...8"), (4, 2, "7"), (0, 7, "1"))
    return [(a, a[2:5, 2:5]), (b, b[1:3, 3:6])], [(t, t[3:6, 1:4])]


def sep_overlay_task():
    """Two panels split by grey (5) columns, the left over the right; a full red column inside a panel
    does not cut."""
    pairs = [
        (G("1.5.2 ..5.2 .15.2"), G("12 .2 .1")),
        (G("4.54. .45.. ..5.3"), G("4. .4 .3")),
    ]
    return pairs, [(G("6.5.7 ..577 6.5.."), G("67 77 6."))]


def sep_boolean_task():
    """Two panels on an orange (7) background: green (3) where both are coloured."""
    pairs = [
        (hjoin(5, "177 717 777", "177 777 777"), G("3.. ... ...")),
        (hjoin(5, "117 777 771", "117 717 771"), G("33. ... ..3")),
    ]
    return pairs, [(hjoin(5, "771 171 777", "711 177 777"), G("..3 3.. ..."))]


def panel_lookup_task():
    """Each panel's pattern stands for a colour: a diagonal is red, a dot green, a top bar yellow."""
    diag, dot, bar = "1.. .1. ..1", "... .1. ...", "111 ... ..."
    pairs = [(hjoin(5, diag, dot), G("23")), (hjoin(5, dot, diag, bar), G("324"))]
    return pairs, [(hjoin(5, bar, diag), G("42"))]


def frame_fit_task():
    """The box marked by four yellow (4) corners, with the picture outside it scaled up to fill it."""

    def framed(inner: str) -> np.ndarray:
        m = G(inner)
        out = blank(m.shape[0] + 2, m.shape[1] + 2)
        out[1:-1, 1:-1] = m
        out[[0, 0, -1, -1], [0, -1, 0, -1]] = 4
        return out

    pairs = [
        (place(10, 10, (0, 0, "4....4"), (5, 0, "4....4"), (8, 7, "12 3.")), framed("1122 1122 33.. 33..")),
        (place(10, 10, (1, 1, "4...4"), (5, 1, "4...4"), (7, 0, "7.7 .7. 7.7")), framed("7.7 .7. 7.7")),
    ]
    big = np.kron(G("8. .9"), np.ones((3, 3), dtype=np.uint8))
    tests = [
        (
            place(11, 11, (0, 0, "4......4"), (7, 0, "4......4"), (9, 9, "8. .9")),
            framed("\n".join("".join(str(v) if v else "." for v in row) for row in big)),
        )
    ]
    return pairs, tests


def frame_turn_task():
    """The picture fills the frame the way round that puts its colours next to the same colours of the
    frame's sides (mirrored when needed)."""
    pairs = [
        (place(8, 8, (0, 0, "4..4 2..1 2..1 4..4"), (6, 5, "12 .1")), G("4..4 2211 21.1 4..4")),
        (place(8, 8, (0, 0, "4..4 1..2 1..2 4..4"), (5, 6, "12 1.")), G("4..4 1122 11.2 4..4")),
    ]
    return pairs, [(place(8, 8, (2, 2, "4..4 3..5 3..5 4..4"), (0, 6, "53 .3")), G("4..4 3355 33.5 4..4"))]


CASES = {
    "anchor_overlay": (al.fit_anchor_overlay, anchor_overlay_task),
    "anchor_overlay_pair": (al.fit_anchor_overlay, anchor_pair_overlay_task),
    "anchor_overlay_centre": (al.fit_anchor_overlay, centre_overlay_task),
    "corner_layout": (al.fit_corner_layout, corner_layout_task),
    "jigsaw": (al.fit_jigsaw, jigsaw_task),
    "colour_box_crop": (al.fit_colour_box_crop, colour_box_crop_task),
    "colour_box_crop_corners": (al.fit_colour_box_crop, corner_crop_task),
    "sep_overlay": (al.fit_sep_overlay, sep_overlay_task),
    "sep_overlay_boolean": (al.fit_sep_overlay, sep_boolean_task),
    "panel_lookup": (al.fit_panel_lookup, panel_lookup_task),
    "frame_fit": (al.fit_frame_fit, frame_fit_task),
    "frame_fit_turned": (al.fit_frame_fit, frame_turn_task),
}


def test_semantic_refusals():
    # one object is nothing to overlay
    one = place(6, 6, (1, 1, "15"))
    assert al.fit_anchor_overlay([one, one], [G("15"), G("15")], [one]) is None
    # pieces that cannot tile a rectangle (5 cells, no 1 x 5 or 5 x 1 fits a 2 x 2 piece) are no jigsaw
    bad = place(8, 8, (0, 0, "11 11"), (5, 5, "2"))
    assert al.fit_jigsaw([bad], [G("112 11.")], [bad]) is None
    # a template that fits the pieces inside the frame in two places is ambiguous: refused (the same frame
    # with a template that fits one way only is filled)
    amb = place(8, 8, (0, 0, "4..4"), (1, 1, "1"), (2, 0, "4..4"), (6, 6, "11"))
    assert al._frame_fit(amb, "corners") is None
    one_way = place(8, 8, (0, 0, "4..4"), (1, 1, "12"), (2, 0, "4..4"), (6, 6, "12"))
    assert np.array_equal(al._frame_fit(one_way, "corners"), G("4..4 .12. 4..4"))
    # a panel pattern never seen on train has no colour
    pairs, _ = panel_lookup_task()
    assert run(al.fit_panel_lookup, pairs, [(hjoin(5, "... ... 111", "1.. .1. ..1"), None)]) is None
    # panels of different sizes are not stacked
    assert al._panels(G("1.5.2. ..5.2. .15.2."), 5) is None


# ---------------------------------------------------------------- the training tasks each learner claims
CLAIMS = {
    "anchor_overlay": ["137eaa0f", "c8cbb738"],
    "corner_layout": ["a61ba2ce"],
    "jigsaw": ["681b3aeb", "a61ba2ce"],
    "colour_box_crop": ["3f7978a0"],
    "sep_overlay": ["cf98881b"],
    "frame_fit": ["6b9890af", "8a004b2b", "846bdb03"],
    "panel_lookup": ["995c5fa3"],
}


def test_jigsaw_border_on_arc_agi_2_training():
    """The ring variant (pieces tile a rectangle's border) on an ARC-AGI-2 training task."""
    path = TRAIN.parents[2] / "ARC-AGI-2" / "data" / "training" / "83b6b474.json"
    task = load_task(path)
    pairs = [
        (np.array(p["input"], dtype=np.uint8), np.array(p["output"], dtype=np.uint8)) for p in task["train"]
    ]
    tests = [(np.array(p["input"], dtype=np.uint8), None) for p in task["test"]]
    pred = run(al.fit_jigsaw, pairs, tests)
    assert pred is not None
    answers = [pred(t) for t, _ in tests]
    assert all(a is not None for a in answers)
    assert score_task([[a.tolist()] for a in answers if a is not None], task) == 1.0


(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(al.ASSEMBLY_LEARNERS, CASES, CLAIMS)
