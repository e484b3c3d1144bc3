"""Scene learners of the arc_dsl expert (same-shape rules about the whole picture): each solves a small
synthetic task, refuses a corrupted one, and solves (official scoring) the ARC-AGI-1 training tasks it
claims."""

from __future__ import annotations

import numpy as np
from tests.helpers.arc_learners import G, contract_tests, run

from infscale.arc.dsl import scene_learners as sl


# ---------------------------------------------------------------- synthetic tasks per learner
def symmetry_new_colour_task():
    """The left half of a mirror-symmetric picture is given; the right half is drawn in colour 2."""
    pairs = [
        (G("..5.. .15.. 115.. ..5.."), G("..5.. .152. 11522 ..5..")),
        (G("...5... .1.5... 11.5... ...5..."), G("...5... .1.5.2. 11.5.22 ...5...")),
    ]
    tests = [(G("..5.. 1.5.. .15.. ..5.."), G("..5.. 1.5.2 .152. ..5.."))]
    return pairs, tests


def open_lines_task():
    """Rows and columns that are empty inside the frame are painted 3 (the frame is not background)."""
    full, edge = "5555555", "5333335"
    pairs = [
        (
            G("8888888 5.1...5 5.....5 5....15 5.....5 5.....5 8888888"),
            G(f"8888888 53133.5 {edge} 53.3315 {edge} {edge} 8888888"),
        ),
        (
            G("5555555 5.....5 5.....5 5..1..5 5.....5 5.....5 5555555"),
            G(f"{full} {edge} {edge} 5331335 {edge} {edge} {full}"),
        ),
    ]
    tests = [
        (
            G("5555555 5.....5 5.....5 5.....5 51....5 5.....5 5555555"),
            G(f"{full} {edge} {edge} {edge} 5133335 {edge} {full}"),
        )
    ]
    return pairs, tests


def sort_bars_task():
    """Bars fall onto the floor (colour 8), longest lowest, aligned right."""
    pairs = [
        (G("11... ..... 222.. ....3 88888"), G("..... ....3 ...11 ..222 88888")),
        (G(".44.. 6666. ..... 88888"), G("..... ...44 .6666 88888")),
    ]
    tests = [(G("1.... ..... 777.. ..... 22... 88888"), G("..... ..... ....1 ...22 ..777 88888"))]
    return pairs, tests


def template_move_task():
    """The two-coloured template replaces every grey object of its shape and leaves its place."""
    pairs = [
        (G("12.... 1..... ...... ...55. ...5.."), G("...... ...... ...... ...12. ...1..")),
        (G("...... .34... .3.... ...... 55..55 5...5."), G("...... ...... ...... ...... 34..34 3...3.")),
    ]
    tests = [(G("..... .66.. .7... ..... ...55 ...5."), G("..... ..... ..... ..... ...66 ...7."))]
    return pairs, tests


def notch_fill_task():
    """The loose piece slides into the notch of the grey-8 object, completing it to a rectangle."""
    pairs = [
        (G("88.... 8..... 88..3. ......"), G("88.... 83.... 88.... ......")),
        (G("888... 8..... 8..... ...44. ...44. ......"), G("888... 844... 844... ...... ...... ......")),
    ]
    tests = [(G("8.8... 888... ...... ...... ....5."), G("858... 888... ...... ...... ......"))]
    return pairs, tests


def align_task():
    """Objects slide up or down until level with the blue reference object, which stays."""
    pairs = [
        (G("22.... 22..11 ....11 ......"), G("...... 22..11 22..11 ......")),
        (G("33.... 33.... ....1. ....1. ......"), G("...... ...... 33..1. 33..1. ......")),
    ]
    tests = [(G("...... ....44 ....44 1..... 1....."), G("...... ...... ...... 1...44 1...44"))]
    return pairs, tests


def centre_on_task():
    """The shape moves to the centre of the four corner markers."""
    pairs = [
        (G("5...5 ..... ..... ..... 5...5 ....2"), G("5...5 ..... ..2.. ..... 5...5 .....")),
        (G("..... .5..5 ..... .5..5 ..... 22..."), G("..... .5..5 ..22. .5..5 ..... .....")),
    ]
    tests = [(G("5...5. ...... ...... ...... 5...5. .....3"), G("5...5. ...... ..3... ...... 5...5. ......"))]
    return pairs, tests


def notch_fill_pair_task():
    """Two halves of one colour: the left half slides into the right half's notch."""
    pairs = [
        (G("2...22 22...2 2...22"), G("...222 ...222 ...222")),
        (G("..... ...44 4...4 ....."), G("..... ...44 ...44 .....")),
    ]
    tests = [(G("6...666 66...66 ....... ......."), G("...6666 ...6666 ....... ......."))]
    return pairs, tests


def mirror_wall_task():
    """Loose cells are reflected across the back of the grey-8 bracket that spans them."""
    pairs = [
        (G("..... ..... 88888 8...8 ..3.. ..... ....."), G("..3.. ..... 88888 8...8 ..... ..... .....")),
        (G("...... ..8... ..8... ..8.4. ..8... ......"), G("...... ..8... ..8... 4.8... ..8... ......")),
    ]
    tests = [(G("..5.. ..... 88888 8...8 ..... ....."), G("..... ..... 88888 8...8 ..5.. ....."))]
    return pairs, tests


CASES = {
    "symmetry_new_colour": (sl.fit_symmetry_new_colour, symmetry_new_colour_task),
    "open_lines": (sl.fit_open_lines, open_lines_task),
    "sort_bars": (sl.fit_sort_bars, sort_bars_task),
    "template_move": (sl.fit_template_move, template_move_task),
    "notch_fill": (sl.fit_notch_fill, notch_fill_task),
    "notch_fill_pair": (sl.fit_notch_fill, notch_fill_pair_task),
    "align": (sl.fit_align, align_task),
    "align_centre": (sl.fit_align, centre_on_task),
    "mirror_wall": (sl.fit_mirror_wall, mirror_wall_task),
}

# ---------------------------------------------------------------- the training tasks each learner claims
# (notch_fill also solves ARC-AGI-2 training 18447a8d and fe45cba4, outside this ARC-AGI-1 list)
CLAIMS = {
    "symmetry_new_colour": ["1b60fb0c"],
    "open_lines": ["2bee17df"],
    "sort_bars": ["beb8660c"],
    "template_move": ["321b1fc6", "e76a88a6"],
    "align": ["1caeab9d", "a1570a43"],
    "mirror_wall": ["6855a6e4", "f8a8fe49"],
}

(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(sl.SCENE_LEARNERS, CASES, CLAIMS)


def test_sort_bars_refuses_equal_lengths():
    """Two bars of one length leave their order open: no prediction."""
    pairs, _ = sort_bars_task()
    assert sl._sort_bars(G("11... ..... 22... 88888"), 0, True) is None
    assert run(sl.fit_sort_bars, pairs, [(G("11... 22... ..... 88888"), None)]) is None


def test_symmetry_new_colour_keeps_drawn_cells():
    """Only background cells take the new colour; the given half keeps its colours."""
    pairs, tests = symmetry_new_colour_task()
    pred = run(sl.fit_symmetry_new_colour, pairs, tests)
    assert pred is not None
    t = tests[0][0]
    out = pred(t)
    assert out is not None and np.array_equal(out[t != 0], t[t != 0])


def test_notch_fill_refuses_two_equal_ways():
    """A piece that completes either of two identical bases: no single reading, so no move."""
    g = G("88..... 8...... ....... ....88. ....8.. ....... ......3")
    assert sl._notch_fill(g, frozenset({8}), "static") is None
