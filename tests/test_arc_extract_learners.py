"""Extract learners of the arc_dsl expert (output shape differs from the input's): each solves a small
synthetic task, refuses a corrupted one, and solves (official scoring) the ARC-AGI-1 training tasks it
claims."""

from __future__ import annotations

import numpy as np
from tests.helpers.arc_learners import G, contract_tests, run

from infscale.arc.dsl import extract_learners as el


def up(g: np.ndarray, k: int) -> np.ndarray:
    return np.repeat(np.repeat(g, k, axis=0), k, axis=1)


# ---------------------------------------------------------------- synthetic tasks per learner
def count_scale_task():
    """Each cell becomes a k x k block, k = the number of colours of the input."""
    a, b, t = G("11 .2"), G("1.3 .2."), G(".5 6.")
    return [(a, up(a, 2)), (b, up(b, 3))], [(t, up(t, 2))]


def grid_extend_task():
    """The grid grows to 6 x 6 by continuing its shifted row period (a staircase keeps descending)."""
    pairs = [
        (G("1..... .1.... ..1..."), G("1..... .1.... ..1... ...1.. ....1. .....1")),
        (G("1.1... .1.... 1.1... .1...."), G("1.1... .1.... 1.1... .1.... 1.1... .1....")),
    ]
    tests = [(G("3..... 3..... .3.... .3...."), G("3..... 3..... .3.... .3.... ..3... ..3..."))]
    return pairs, tests


def kron_task():
    """The single-coloured half is a shape, drawn in the colour of each cell of the other half."""
    pairs = [
        (G("128. .3.8"), G("1.2. .1.2 ..3. ...3")),
        (G("8..4 .85."), G("..4. ...4 5... .5..")),
    ]
    tests = [(G("9.6. .7.6"), G("9... .9.. ..7. ...7"))]
    return pairs, tests


def colour_lookup_task():
    """A fixed picture per input colour (seen repeatedly on train)."""
    a, b = G("55 .."), G(".5 .5")
    pairs = [(G("1.. .1."), a), (G("2. .2"), b), (G(".1 11"), a), (G("22. ..."), b)]
    return pairs, [(G("..1 1.."), a)]


def corner_overlay_task():
    """The four 2 x 2 corner windows laid over each other."""
    pairs = [(G("1..2 .... .... 3..."), G("12 3.")), (G("....5 ..... 6.... ....."), G("65 .."))]
    return pairs, [(G("...7 .... 8... ...9"), G("87 .9"))]


def key_mask_task():
    """A small colour key painted through a grey mask (each key cell colours its block); a separator line is
    removed first."""
    pairs = [
        (G("12..... 34..... ..8888. ..8.88. ..88... ..8..8."), G("1122 1.22 33.. 3..4")),
        (G("69.58. 72.5.8 ...588 ...58."), G("6. .9 72 7.")),
    ]
    return pairs, [(G("4.... 7.... ..88. ..8.. ....."), G("44 7."))]


def canvas_task():
    """The input on a canvas twice its size (top-left), every cell trailing down-right to the edge."""
    pairs = [
        (G("1. .2"), G("1... .2.. ..2. ...2")),
        (G("3.. 4.. ..."), G("3..... 43.... .43... ..43.. ...43. ....43")),
    ]
    return pairs, [(G("5. .."), G("5... .5.. ..5. ...5"))]


CASES = {
    "count_scale": (el.fit_count_scale, count_scale_task),
    "grid_extend": (el.fit_grid_extend, grid_extend_task),
    "kron": (el.fit_kron, kron_task),
    "colour_lookup": (el.fit_colour_lookup, colour_lookup_task),
    "corner_overlay": (el.fit_corner_overlay, corner_overlay_task),
    "key_mask": (el.fit_key_mask, key_mask_task),
    "canvas": (el.fit_canvas, canvas_task),
}


def test_semantic_refusals():
    # a fixed scale factor is a plain transform, not evidence of a counted one
    a, b = G("1. .2"), G("3. .4")
    assert el.fit_count_scale([a, b], [up(a, 2), up(b, 2)], [a]) is None
    # same-shape pairs are no growth
    assert el.fit_grid_extend([a, b], [a, b], [a]) is None
    # an unseen test colour has no entry in the lookup
    pairs, _ = colour_lookup_task()
    assert run(el.fit_colour_lookup, pairs, [(G("3.. ..."), None)]) is None
    # corner windows that clash (two colours on one cell) are no overlay
    assert el.fit_corner_overlay([G("1..2 .... .... ...3")], [G("12 ..")], [G("1..2 .... .... ...3")]) is None


# ---------------------------------------------------------------- the training tasks each learner claims
CLAIMS = {
    "count_scale": ["ac0a08a4", "b91ae062"],
    "grid_extend": ["017c7c7b", "53b68214", "eb281b96", "8be77c9e"],
    "kron": ["b190f7f5", "cce03e0d"],
    "colour_lookup": ["d4469b4b"],
    "corner_overlay": ["bc1d5164", "e98196ab"],
    "key_mask": ["6ecd11f4", "77fdfe62", "7c008303"],
    "canvas": ["49d1d64f", "d13f3404", "feca6190"],
}


(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(el.EXTRACT_LEARNERS, CASES, CLAIMS)
