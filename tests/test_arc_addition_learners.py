"""Tests for the addition learners (dsl/addition_learners.py): rays that step aside, turn, bounce or aim."""

from __future__ import annotations

import numpy as np
from tests.helpers.arc_learners import TRAIN, G, contract_tests, fits_claimed_task, run

from infscale.arc.dsl import addition_learners as ad


def step_aside_task():
    """On background 7, cells of colour 2 shoot up; a 5 in the way makes the ray step one column right."""
    pairs = [
        (
            G("77777 77777 75777 77777 77777 72777"),
            G("77277 77277 75277 72277 72777 72777"),
        ),
        (
            G("77777 77757 77777 77777 77777 27727"),
            G("27772 27752 27722 27727 27727 27727"),
        ),
    ]
    tests = [(G("77777 77777 77577 77777 77777 77277"), G("77727 77727 77527 77227 77277 77277"))]
    return pairs, tests


def border_turn_task():
    """Every cell shoots right in its own colour and turns down at the border; a later ray paints over."""
    pairs = [
        (G("..... .3... ..... ..... ....."), G("..... .3333 ....3 ....3 ....3")),
        (G("...... 4..... ...... ..6... ......"), G("...... 444444 .....4 ..6666 .....6")),
    ]
    tests = [(G("..... ..... 2.... ..... .8..."), G("..... ..... 22222 ....2 .8888"))]
    return pairs, tests


def bounce_task():
    """A diagonal line continues in colour 3 and bounces off the wall of 2s it meets."""
    pairs = [
        (
            G(".....2 .....2 .....2 .....2 .8...2 8....2"),
            G("...3.2 ....32 ...3.2 ..3..2 .8...2 8....2"),
        ),
        (
            G("222222 ...... ...... ...... .8.... 8....."),
            G("222222 ....3. ...3.3 ..3... .8.... 8....."),
        ),
    ]
    tests = [
        (
            G(".....2 .....2 .....2 .....2 .....2 .8...2 8....2"),
            G("..3..2 ...3.2 ....32 ...3.2 ..3..2 .8...2 8....2"),
        )
    ]
    return pairs, tests


def aim_task():
    """Cells of colour 2 draw a line towards the wall of 5s they see, cells of colour 1 away from it."""
    pairs = [
        (
            G("....... ..2.... ....... 5555555 ....... .1..... ......."),
            G("....... ..2.... ..2.... 5555555 ....... .1..... .1....."),
        ),
        (
            G("....... .1...2. ....... 5555555 ....... ...2... ......."),
            G(".1..... .1...2. .....2. 5555555 ...2... ...2... ......."),
        ),
    ]
    tests = [
        (
            G("..1.... ....... ....... 5555555 ....... ....... ....2.."),
            G("..1.... ....... ....... 5555555 ....2.. ....2.. ....2.."),
        )
    ]
    return pairs, tests


CASES = {
    "step_aside": (ad.fit_ray_paths, step_aside_task),
    "border_turn": (ad.fit_ray_paths, border_turn_task),
    "bounce": (ad.fit_ray_paths, bounce_task),
    "aim": (ad.fit_ray_paths, aim_task),
}
CLAIMS = {"ray_paths": ["d9f24cd1", "99fa7670", "508bd3b6", "8d510a79"]}

(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(ad.ADDITION_LEARNERS, CASES, CLAIMS)


def test_refuses_shape_changes_and_repaints():
    a = G("..... .3... .....")
    assert run(ad.fit_ray_paths, [(a, G("...... .3.... ......"))], [(a, None)]) is None
    # the input's own coloured cell changes: not an addition
    assert run(ad.fit_ray_paths, [(a, G("..... .4444 ....."))], [(a, None)]) is None


def test_policy_train_never_exercised_is_not_learned():
    """Rays that never meet an obstacle on train stop at one on test (no step aside is guessed)."""
    pairs = [
        (G("..... ..... ..... ..2.."), G("..2.. ..2.. ..2.. ..2..")),
        (G("...... ...... ...... .2...."), G(".2.... .2.... .2.... .2....")),
    ]
    test = G("..... ..2.. ..... ..2..")
    pred = run(ad.fit_ray_paths, pairs, [(test, None)])
    assert pred is not None
    assert np.array_equal(pred(test), G("..2.. ..2.. ..2.. ..2.."))
    # a new colour in the way: with one source colour on train, whether it shoots too is a guess
    assert run(ad.fit_ray_paths, pairs, [(G("..... ..5.. ..... ..2.."), None)]) is None


def test_aim_refuses_test_cells_that_see_a_new_colour():
    pairs, tests = aim_task()
    # a 1 that sees another 1 (never seen on train): whether it shoots at it is a guess
    test = G("....... ....... ....... 5555555 ....... .1...1. .......")
    assert run(ad.fit_ray_paths, pairs, [(test, None)]) is None
    assert run(ad.fit_ray_paths, pairs, tests) is not None


def test_prunes_rays_read_off_cells_a_crossing_ray_painted():
    """In the step-aside task the 5s' neighbours are painted by the 2s' rays: the 5s must not shoot."""
    pairs, tests = step_aside_task()
    rays, _, _ = ad._learn_rays([a for a, _ in pairs], [b for _, b in pairs], 7)
    assert 5 in rays  # read off the first cells...
    pred = run(ad.fit_ray_paths, pairs, tests)
    assert pred is not None and np.array_equal(pred(tests[0][0]), tests[0][1])  # ...and dropped


def test_real_task_is_refused_fast_when_not_additive():
    """A real training task that recolours objects (not an addition) is refused."""
    import json

    task = json.loads((TRAIN / "a5313dff.json").read_text())
    ins = [np.array(p["input"], np.uint8) for p in task["train"]]
    outs = [np.array(p["output"], np.uint8) for p in task["train"]]
    ins[0] = ins[0].copy()
    outs[0] = outs[0].copy()
    outs[0][ins[0] != 0] = 9  # repaint the input's own cells
    assert ad.fit_ray_paths(ins, outs, [ins[0]]) is None
    fits_claimed_task(ad.fit_ray_paths, "d9f24cd1")
