"""Object-motion learner of the arc_dsl expert (objects moved or copied by generators a learned rule over
object features picks): it solves small synthetic tasks (two generators chosen by colour, sliding until
contact, copying vs moving), refuses corrupted tasks, memorised per-pair moves and inapplicable tasks, and
solves (official scoring) the ARC-AGI-1 training tasks it claims."""

from __future__ import annotations

import time

import numpy as np
from tests.helpers.arc_learners import G, contract_tests, run

from infscale.arc.dsl import motion_learners as mv


# ---------------------------------------------------------------- synthetic tasks
def by_colour_task():
    """Red objects slide down, blue ones slide right (two generators split by colour)."""
    pairs = [
        (G("2..... ...... ...1.. ...... ...... ......"), G("...... ...... .....1 ...... ...... 2.....")),
        (G("1..... ....2. ...... ...... ...... ......"), G(".....1 ...... ...... ...... ...... ....2.")),
        (G("..2... ..2... ...... .1.... ...... ......"), G("...... ...... ...... .....1 ..2... ..2...")),
    ]
    tests = [(G("1..... .2.... ...... ...... ...... ..1..."), G(".....1 ...... ...... ...... ...... .2...1"))]
    return pairs, tests


def contact_task():
    """Every object slides down until it touches the grey wall (not to the edge, where the wall is)."""
    pairs = [
        (G(".3.... ...44. ...... ...... ...... 555555"), G("...... ...... ...... ...... .3.44. 555555")),
        (G("...... 6..... ...... ....7. ....7. 555555"), G("...... ...... ...... ....7. 6...7. 555555")),
    ]
    tests = [(G("..88.. ...... 9..... ...... ...... 555555"), G("...... ...... ...... ...... 9.88.. 555555"))]
    return pairs, tests


def copy_task():
    """Every object is copied below itself (one own height down); the original stays."""
    pairs = [
        (G("22.... 22.... ...... ...... ...... ......"), G("22.... 22.... 22.... 22.... ...... ......")),
        (G("...... ..333. ...... ...... ...... ......"), G("...... ..333. ..333. ...... ...... ......")),
    ]
    tests = [(G(".....1 .....1 .....1 ...... ...... ......"), G(".....1 .....1 .....1 .....1 .....1 .....1"))]
    return pairs, tests


def move_task():
    """The same moves as ``copy_task`` but the original is erased."""
    pairs = [
        (G("22.... 22.... ...... ...... ...... ......"), G("...... ...... 22.... 22.... ...... ......")),
        (G("...... ..333. ...... ...... ...... ......"), G("...... ...... ..333. ...... ...... ......")),
    ]
    tests = [(G(".....1 .....1 .....1 ...... ...... ......"), G("...... ...... ...... .....1 .....1 .....1"))]
    return pairs, tests


fit = mv.fit_object_motion
CASES = {
    "by_colour": (fit, by_colour_task),
    "contact": (fit, contact_task),
    "copy": (fit, copy_task),
    "move": (fit, move_task),
}
CLAIMS = {"object_motion": ["a48eeaf7", "228f6490"]}

(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(mv.MOTION_LEARNERS, CASES, CLAIMS)


def test_copy_keeps_and_move_erases_the_original():
    """The same inputs give a copy or a move depending on the train outputs."""
    for make, kept in ((copy_task, True), (move_task, False)):
        pairs, tests = make()
        pred = run(fit, pairs, tests)
        assert pred is not None
        got = pred(tests[0][0])
        assert got is not None and bool(got[0, 5] == 1) is kept


def test_refuses_moves_memorised_per_pair():
    """Each pair moves its one object by a vector no generator explains and no other pair shows: a rule
    learned without a pair cannot explain it (leave one pair out), so nothing is fitted."""
    pairs = [
        (G("...... .2.... ...... ...... ...... ......"), G("...... ...... ...2.. ...... ...... ......")),
        (G("...... ...... ..3... ...... ...... ......"), G("...... ...... ...... ...... ...3.. ......")),
        (G("...... ...... ...... ...4.. ...... ......"), G("...... ...... ....4. ...... ...... ......")),
    ]
    tests = [(G("...... ...... .6.... ...... ...... ......"), G("...... ...... ...... ...... ..6... ......"))]
    assert run(fit, pairs, tests) is None
    # with one pair a constant vector read off it is not trusted either
    assert run(fit, pairs[:1], tests) is None


def test_refuses_inapplicable_tasks_fast():
    """A recolouring (nothing moves) and a shape change are refused, quickly."""
    recolour = [
        (G("...... .22... .22... ...... ....3. ......"), G("...... .11... .11... ...... ....3. ......"))
    ] * 2
    reshape = [(G("2. .."), G("2.. ... ..."))] * 2
    t0 = time.perf_counter()
    for _ in range(20):
        assert run(fit, recolour, [recolour[0]]) is None
        assert run(fit, reshape, [reshape[0]]) is None
    assert (time.perf_counter() - t0) / 40 < 0.005


def test_rules_are_simplest_first():
    """Ranks: stay before move before copy before erase; a slide before a constant vector."""
    opts = [("erase",), ("copy", ("slide", 0)), ("move", ("vec", 1, 0)), ("move", ("slide", 0)), ("stay",)]
    assert sorted(opts, key=mv._rank) == [
        ("stay",),
        ("move", ("slide", 0)),
        ("move", ("vec", 1, 0)),
        ("copy", ("slide", 0)),
        ("erase",),
    ]


def test_movers_are_painted_on_top_of_static_objects():
    """A moved object lands over a static one: the moved object's colours win where they overlap."""
    g = G("2..... ...... 333333 ...... ...... ......")
    rule = ("atom", ("colour", "==", 2), ("move", ("edge", 0)), ("stay",))
    out = mv._render(g, (True, False, False), rule)
    assert out is not None
    assert out[5, 0] == 2 and out[0, 0] == 0 and np.array_equal(out[2], g[2])
