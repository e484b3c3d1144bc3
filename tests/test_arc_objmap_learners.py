"""Object-map learner of the arc_dsl expert (each object rewritten in place by an action a learned rule over
object features picks): it solves small synthetic tasks of each rule form and channel, refuses corrupted
ones, memorised tables and inapplicable tasks, and solves (official scoring) the ARC-AGI-1 training tasks
it claims."""

from __future__ import annotations

import numpy as np
from tests.helpers.arc_learners import G, contract_tests, run

from infscale.arc.dsl import objmap_learners as om


# ---------------------------------------------------------------- synthetic tasks
def largest_task():
    """The largest object turns blue, the others stay (a boolean feature splits the objects)."""
    pairs = [
        (G("...... .22... .22.3. ....3. 33.... ......"), G("...... .11... .11.3. ....3. 33.... ......")),
        (G("...... 3..... ..444. ..444. ...... .5...."), G("...... 3..... ..111. ..111. ...... .5....")),
    ]
    tests = [(G("...... .6.... ...... .7777. ...... ......"), G("...... .6.... ...... .1111. ...... ......"))]
    return pairs, tests


def size_table_task():
    """Each grey object takes a colour given by its size (1 -> red, 2 -> green, 3 -> yellow), each size seen
    in more than one pair."""
    pairs = [
        (G("...... .5..55 ...... 555... ......"), G("...... .2..33 ...... 444... ......")),
        (G("...... 55.5.. ...... ..555. ......"), G("...... 33.2.. ...... ..444. ......")),
        (G("...... 5..... ....55 ...... 555..."), G("...... 2..... ....33 ...... 444...")),
    ]
    tests = [(G("...... ..5... ...... 555... ....55"), G("...... ..2... ...... 444... ....33"))]
    return pairs, tests


def hole_fill_task():
    """The holes of every object are filled with yellow (the holes channel)."""
    pairs = [
        (
            G("....... .333... .3.3... .333... ....... ......."),
            G("....... .333... .343... .333... ....... ......."),
        ),
        (
            G("....... ....... .2222.. .2..2.. .2222.. ......."),
            G("....... ....... .2222.. .2442.. .2222.. ......."),
        ),
    ]
    tests = [
        (
            G("....... .111... .1.1... .1.1... .111... ......."),
            G("....... .111... .141... .141... .111... ......."),
        )
    ]
    return pairs, tests


def ring_task():
    """Red objects get a green border around their box; other objects stay (the ring channel, split by
    colour)."""
    pairs = [
        (
            G("....... ....... ..2.... ....... .....6. ......."),
            G("....... .333... .323... .333... .....6. ......."),
        ),
        (
            G("....... ....... ....... ...22.. ....... 1......"),
            G("....... ....... ..3333. ..3223. ..3333. 1......"),
        ),
    ]
    tests = [
        (
            G("....... ....... ..22... ..2.... ....... ....4.."),
            G("....... .3333.. .3223.. .32.3.. .3333.. ....4.."),
        )
    ]
    return pairs, tests


def marker_colour_task():
    """Grey objects take the colour of the grid's single-cell marker, a colour that changes from pair to
    pair (a colour read from the scene, not a constant)."""
    pairs = [
        (G("...... .55... .55..2 ...... ..555. ......"), G("...... .22... .22..2 ...... ..222. ......")),
        (G("...... 4..... ...55. ...55. ...... 55...."), G("...... 4..... ...44. ...44. ...... 44....")),
    ]
    tests = [(G("...... 555... ...... ....7. .5.... .5...."), G("...... 777... ...... ....7. .7.... .7...."))]
    return pairs, tests


CASES = {
    "largest": (om.fit_object_map, largest_task),
    "size_table": (om.fit_object_map, size_table_task),
    "hole_fill": (om.fit_object_map, hole_fill_task),
    "ring": (om.fit_object_map, ring_task),
    "marker_colour": (om.fit_object_map, marker_colour_task),
}

CLAIMS = {
    # recolour by size rank (table), smallest / largest, has-hole (on a coloured background), box ring,
    # hole fill by hole size, holes + body
    "object_map": [
        "08ed6ac7",
        "42a50994",
        "b230c067",
        "810b9b61",
        "b2862040",
        "4258a5f9",
        "c0f76784",
        "d5d6de2d",
    ],
}

(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(om.OBJMAP_LEARNERS, CASES, CLAIMS)


# ---------------------------------------------------------------- refusals
def test_refuses_a_table_seen_in_one_pair_only():
    """Sizes 1, 2, 3 each appear in one pair only: a size -> colour table would be memorised, so the
    leave-one-pair-out check refuses it."""
    pairs = [
        (G("...... .5.... ...... ......"), G("...... .2.... ...... ......")),
        (G("...... ...... ..55.. ......"), G("...... ...... ..33.. ......")),
        (G("...... ...... ...... 555..."), G("...... ...... ...... 444...")),
    ]
    tests = [(G("...... .5.... ...... ......"), G("...... .2.... ...... ......"))]
    assert run(om.fit_object_map, pairs, tests) is None


def test_refuses_inapplicable_tasks():
    a = G("...... .22... ...... ......")
    # shape change, no object at all, nothing changes, a change far from every object
    assert om.fit_object_map([a], [G("22 22")], [a]) is None
    assert om.fit_object_map([G("... ...")], [G("... .1.")], [a]) is None
    assert om.fit_object_map([a], [a.copy()], [a]) is None
    far = a.copy()
    far[3, 5] = 4
    assert om.fit_object_map([a], [far], [a]) is None


def test_rule_forms_are_simplest_first():
    """One action for all objects is preferred to a split; a boolean feature split to a table."""
    pairs, _ = largest_task()
    pred = run(om.fit_object_map, pairs, [])
    assert pred is not None
    rules = pred.__defaults__[1]  # type: ignore[attr-defined]
    assert rules["body"][0] == "atom" and rules["body"][1] == ("largest", "is", True)
    pairs, _ = hole_fill_task()
    rules = run(om.fit_object_map, pairs, []).__defaults__[1]  # type: ignore[union-attr]
    assert rules == {"holes": ("all", None, ("paint", "const", 4), None)}


def test_refuses_fast_on_shape_change():
    """Shape-changing states are refused before any object is extracted."""
    rng = np.random.default_rng(0)
    a = rng.integers(0, 3, (20, 20)).astype(np.uint8)
    assert om.fit_object_map([a], [a[:10]], [a]) is None
