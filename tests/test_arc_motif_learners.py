"""Motif learners of the arc_dsl expert: each solves a small synthetic task, refuses a corrupted one, and
solves (official scoring) the ARC-AGI-1 training tasks it claims."""

from __future__ import annotations

import numpy as np
from tests.helpers.arc_learners import G, contract_tests, run

from infscale.arc.dsl import motif_learners as mo

# a template (body 1, keys 2 and 3) drawn in the top-left corner of every grid
_TEMPLATE = (".1.. 2113 .1..", 3)


def _with_template(rows: str) -> np.ndarray:
    g = G(rows)
    g[:3, :4] = G(_TEMPLATE[0])
    return g


# ---------------------------------------------------------------- synthetic tasks per learner
def template_complete_task():
    """Two keys of the template mark a copy: as drawn, scaled by 2, or turned upright; the copy is completed."""
    pair1 = (
        _with_template("........ ........ ........ ........ ........ ...2..3. ........ ........"),
        _with_template("........ ........ ........ ........ ....1... ...2113. ....1... ........"),
    )
    pair2 = (
        _with_template(
            "........ ........ ........ ........ ........ 22....33 22....33 ........ ........ ........"
        ),
        _with_template(
            "........ ........ ........ ..11.... ..11.... 22111133 22111133 ..11.... ..11.... ........"
        ),
    )
    test = (
        _with_template("........ ........ ........ ........ .....2.. ........ ........ .....3.. ........"),
        _with_template("........ ........ ........ ........ .....2.. ....111. .....1.. .....3.. ........"),
    )
    return [pair1, pair2], [test]


def marker_motif_task():
    """Each lone cell emits a zigzag downwards (its own colour), period two rows."""
    pairs = [
        (
            G("....2.. ....... ....... ....... ....... ......."),
            G("....2.. ...2.2. ....2.. ...2.2. ....2.. ...2.2."),
        ),
        (G("...4... ....... ....... ......."), G("...4... ..4.4.. ...4... ..4.4..")),
    ]
    tests = [(G("..... ..3.. ..... ..... ....."), G("..... ..3.. .3.3. ..3.. .3.3."))]
    return pairs, tests


def shape_match_recolour_task():
    """Grey objects take the colour of the object of the same shape; a grey shape without a match stays."""
    pairs = [
        (G("22..... ....... .55.5.. ....5.. ....5.."), G("22..... ....... .22.5.. ....5.. ....5..")),
        (G("3...... 3...... ....... ..5.555 ..5...."), G("3...... 3...... ....... ..3.555 ..3....")),
    ]
    tests = [(G("4...... 44..... ....... ...5... ...55.."), G("4...... 44..... ....... ...4... ...44.."))]
    return pairs, tests


def pointer_rays_task():
    """The odd cell of each object shoots a ray away from the object's centre, in its own colour."""
    pairs = [
        (G(".111. ..2.. ..... ..... ....."), G(".111. ..2.. ..2.. ..2.. ..2..")),
        (G("1.... 12... 1.... ....."), G("1.... 12222 1.... .....")),
    ]
    tests = [(G("...... ...... ..3... .444.. ......"), G("..3... ..3... ..3... .444.. ......"))]
    return pairs, tests


def centre_lines_task():
    """Lines of colour 6 through every object's centre row and column, behind the objects."""
    pairs = [
        (G("...... .111.. .1.1.. .111.. ......"), G("..6... .111.. 616166 .111.. ..6...")),
        (G("..... ..... ...2. ....."), G("...6. ...6. 66626 ...6.")),
    ]
    tests = [(G("....... ....... ....3.. ......."), G("....6.. ....6.. 6666366 ....6.."))]
    return pairs, tests


def move_by_extent_task():
    """Every object moves up by its own height."""
    pairs = [
        (G("...... ...... ...... 11..2. 11...."), G("...... 11.... 11..2. ...... ......")),
        (G("..... ..... ..... ..3.. ..3.."), G("..... ..3.. ..3.. ..... .....")),
    ]
    tests = [(G("..... ..... .44.. .44.. ....5"), G(".44.. .44.. ..... ....5 ....."))]
    return pairs, tests


def hole_lines_task():
    """A hole in a band becomes a line across the band (its short way)."""
    pairs = [
        (G("444444 444.44 444444 888888 8.8888"), G("444.44 444.44 444.44 8.8888 8.8888")),
        (G("22233 22233 2.233 22233 22233 22233"), G("22233 22233 ...33 22233 22233 22233")),
    ]
    tests = [(G("5555 55.5 5555 1111 1111 .111"), G("55.5 55.5 55.5 .111 .111 .111"))]
    return pairs, tests


def mirror_side_task():
    """The object is mirrored across the side its grey cells mark; the grey cells are covered."""
    pairs = [
        (G("...... .115.. .1.5.. ...... ......"), G("...... .1111. .1..1. ...... ......")),
        (G("...... ..55.. ..22.. ..2... ......"), G("..2... ..22.. ..22.. ..2... ......")),
    ]
    tests = [(G("...... ...... .5.... .33... .3...."), G("...... .3.... .33... .33... .3...."))]
    return pairs, tests


def meet_halfway_task():
    """Two cells in a row draw lines of their colours towards each other; grey marks an odd middle."""
    pairs = [
        (G("....... 1.....2 ......."), G("....... 1115222 .......")),
        (G("3....4 ...... ......"), G("333444 ...... ......")),
    ]
    tests = [(G("......... ......... 6.......7"), G("......... ......... 666657777"))]
    return pairs, tests


def marker_stamp_task():
    """The multicoloured template is copied centred on every grey cell."""
    pairs = [
        (
            G("1.1.... .2..... 1.1.... ....... ....5.. ....... ......."),
            G("1.1.... .2..... 1.1.... ...1.1. ....2.. ...1.1. ......."),
        ),
        (G("1.1.... .2...5. 1.1.... ......."), G("1.1.1.1 .2...2. 1.1.1.1 .......")),
    ]
    tests = [
        (
            G("3.3.... .4..... 3.3.... ....... ..5.... ....... ......."),
            G("3.3.... .4..... 3.3.... .3.3... ..4.... .3.3... ......."),
        )
    ]
    return pairs, tests


CASES = {
    "template_complete": (mo.fit_template_complete, template_complete_task),
    "marker_motif": (mo.fit_marker_motif, marker_motif_task),
    "shape_match_recolour": (mo.fit_shape_match_recolour, shape_match_recolour_task),
    "pointer_rays": (mo.fit_pointer_rays, pointer_rays_task),
    "centre_lines": (mo.fit_centre_lines, centre_lines_task),
    "move_by_extent": (mo.fit_move_by_extent, move_by_extent_task),
    "hole_lines": (mo.fit_hole_lines, hole_lines_task),
    "mirror_side": (mo.fit_mirror_side, mirror_side_task),
    "meet_halfway": (mo.fit_meet_halfway, meet_halfway_task),
    "marker_stamp": (mo.fit_marker_stamp, marker_stamp_task),
}


def test_semantic_refusals():
    pairs, tests = template_complete_task()
    # an output that only repaints the template is no completion of its copies
    a, b = pairs[0]
    assert run(mo.fit_template_complete, [(a, a)], tests) is None
    # no multicoloured template, nothing to complete
    flat = G("1... .... ..1. ....")
    assert run(mo.fit_template_complete, [(flat, G("11.. .... ..11 ...."))], [(flat, None)]) is None
    # a copy that two templates explain equally well (different completions) has no answer
    two = G("213.... ....... 2.3.... .5..... ....... ...2.3. .......")
    assert mo._complete(two, False) is None
    one = two.copy()
    one[2:4] = 0
    want = one.copy()
    want[5, 4] = 1
    assert np.array_equal(mo._complete(one, False), want)
    # a motif never seen repeating (the grid ends within one period) is no periodic rule
    a, b = G("..... ..2.. ....."), G("..... ..2.. .2.2.")
    assert run(mo.fit_marker_motif, [(a, b)], [(a, None)]) is None
    # a shape matched by objects of two colours is ambiguous: the grey object stays
    g = G("1.2.. ..... ....5")
    assert np.array_equal(mo._match_recolour(g, frozenset({5}), True, False, False), g)
    # with boxed references only the enclosed object counts
    g = G("333.... 323..4. 333.... ......5")
    want = g.copy()
    want[3, 6] = 2
    assert np.array_equal(mo._match_recolour(g, frozenset({5}), True, False, False), g)
    assert np.array_equal(mo._match_recolour(g, frozenset({5}), True, False, True), want)
    # an object whose key cell sits at its centre points nowhere
    assert mo._pointer_draw(G("..... .111. .121. .111. ....."), -1, ("away", "ray", "key")) is None
    # an object of even width has no centre column
    assert mo._centre_lines(G("..... .11.. ....."), 6, "c") is None
    # an object that would leave the grid cannot move by its size
    assert mo._move_by_extent(G(".1. .1. ..."), -1, 0, 1) is None
    # a hole in a square band has no short way across
    assert mo._hole_lines(G("444 4.4 444"), 0, "short") is None
    # key cells on two sides of the object mark no single mirror line
    assert mo._mirror_side(G("..... .515. .111. ....."), 5, 0) is None
    # cells sharing no row or column do not meet, nor do column pairs when only rows are learned
    assert mo._meet_halfway(G("1... .... ...2"), 5, "rc") is None
    assert mo._meet_halfway(G("1.. ... ... 2.."), 5, "r") is None
    # a template copy that would leave the grid is refused
    assert mo._stamp_on_markers(G("1.1.. .2... 1.1.5"), 5) is None


# ---------------------------------------------------------------- the training tasks each learner claims
CLAIMS = {
    "template_complete": ["0e206a2e", "36d67576", "447fd412", "57aa92db", "6aa20dc0", "72322fa7", "82819916"],
    "marker_motif": ["3ac3eb23", "8403a5d5", "d06dbe63"],
    "shape_match_recolour": ["776ffc46"],
    "pointer_rays": ["1f0c79e5", "25d487eb", "6e19193c"],
    "centre_lines": ["41e4d17e", "54d82841"],
    "move_by_extent": ["5521c0d9"],
    "hole_lines": ["855e0971"],
    "mirror_side": ["2bcee788"],
    "meet_halfway": ["29c11459"],
    "marker_stamp": ["363442ee"],
}


(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(mo.MOTIF_LEARNERS, CASES, CLAIMS)
