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


def ray_task():
    """Every object extends a line straight up in its own colour, to the edge or to the next object (a ray
    channel painted with a colour read from the object, changes far from every object's box)."""
    pairs = [
        (G("...... ...... ...... ....3. .2.... ......"), G(".2..3. .2..3. .2..3. .2..3. .2.... ......")),
        (G("...... ...4.. ...... ...... ...4.. 6....."), G("6..4.. 6..4.. 6..4.. 6..4.. 6..4.. 6.....")),
    ]
    tests = [(G("...... ...... .2.... ...... ....7. ......"), G(".2..7. .2..7. .2..7. ....7. ....7. ......"))]
    return pairs, tests


CASES = {
    "largest": (om.fit_object_map, largest_task),
    "size_table": (om.fit_object_map, size_table_task),
    "hole_fill": (om.fit_object_map, hole_fill_task),
    "ring": (om.fit_object_map, ring_task),
    "marker_colour": (om.fit_object_map, marker_colour_task),
    "ray": (om.fit_object_map, ray_task),
}

CLAIMS = {
    # recolour by size rank (table), smallest / largest, has-hole (on a coloured background), box ring,
    # hole fill by hole size, holes + body; diagonal rays from the box corners (a scene colour, erasing)
    "object_map": [
        "b8cdaf2b",
        "ea786f4a",
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


def test_ray_rule_is_one_action_in_a_ray_channel():
    pairs, _ = ray_task()
    rules = run(om.fit_object_map, pairs, []).__defaults__[1]  # type: ignore[union-attr]
    assert rules == {"su": ("all", None, ("paint", "src", "own"), None)}


def test_ray_cells_stop_at_the_first_other_cell():
    g = G("..... ..3.. ..... ..... .222. ..... ")
    sc = om._Scene(g, True, False, False)
    red = next(i for i, o in enumerate(sc.objs) if o.colour == 2)
    o = sc.objs[red]

    def cells(ch):
        ys, xs = om._ray_cells(g, o, 0, ch)
        return sorted(zip(ys.tolist(), xs.tolist(), strict=True))

    assert cells("su") == [(0, 1), (0, 3), (1, 1), (1, 3), (2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3)]
    assert cells("sd") == [(5, 1), (5, 2), (5, 3)]
    assert cells("sl") == [(4, 0)] and cells("sr") == [(4, 4)]
    assert cells("eul") == [(3, 0)] and cells("edr") == [(5, 4)]


def test_refuses_rays_that_recolour_the_whole_background():
    """Every background cell changes in every pair: that is a background recolouring, not rays."""
    pairs = [
        (G("..... ..... ..2.. ..... ....."), G("33333 33333 33233 33333 33333")),
        (G("..... .2... ..... ..... ....."), G("33333 32333 33333 33333 33333")),
    ]
    assert run(om.fit_object_map, pairs, []) is None


def test_shape_test_refuses_unseen_shapes():
    """A rule testing "shape == s" is not extended to a shape the train pairs never showed."""
    g = G("...... .22... ...... ...... ....3. ......")
    sc = om._Scene(g, True, False, False)
    shape = sc.feats[0]["shape"]
    rules = {"body": ("atom", ("shape", "==", shape), ("paint", "const", 1), ("keep",))}
    got = om._render(g, (True, False, False), rules)
    assert got is not None and (got == 1).sum() == 2
    assert om._render(g, (True, False, False), rules, frozenset([shape])) is None


def test_touching_all_matches_per_object_touching():
    rng = np.random.default_rng(1)
    for _ in range(30):
        g = (rng.integers(0, 4, (9, 11)) * (rng.random((9, 11)) < 0.5)).astype(np.uint8)
        for diag, multi, major in om._READINGS:
            sc = om._Scene(g, diag, multi, major)
            cols = np.array([o.colour for o in sc.objs])
            want = [om._touching(g, o, sc.bg) for o in sc.objs]
            assert om._touching_all(g, sc.bg, diag, multi, cols) == want
