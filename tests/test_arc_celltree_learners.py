"""Cell-tree learner of the arc_dsl expert (each output cell = a small decision tree over input cell
features, leaves literal or relative colours): it solves synthetic tasks that need a conjunction of cell
features and a relative leaf, refuses memorised tables, one-pair tasks, ambiguous and inapplicable ones, and
solves (official scoring) the ARC-AGI-1 training task it claims."""

from __future__ import annotations

import numpy as np
from tests.helpers.arc_learners import TRAIN2, G, contract_tests, fits_claimed_task, run

from infscale.arc.dsl import celltree_learners as ct


# ---------------------------------------------------------------- synthetic tasks
def frame_and_noise_task():
    """Enclosed background takes its frame's colour (a relative leaf), isolated cells vanish, the rest stays."""
    pairs = [
        (
            G("2222.... 2..2...5 2..2.... 2222.... ........ ........ .....5.."),
            G("2222.... 2222...0 2222.... 2222.... ........ ........ ........"),
        ),
        (
            G("........ .33333.. .3...3.. .3...3.. .33333.. ........ 5......5"),
            G("........ .33333.. .33333.. .33333.. .33333.. ........ ........"),
        ),
        (
            G("5....... ........ .44444.. .4...4.. .4...4.. .44444.. ........"),
            G("0....... ........ .44444.. .44444.. .44444.. .44444.. ........"),
        ),
        (
            G("........ ...11111 ...1...1 ...1...1 ...11111 5....... ........"),
            G("........ ...11111 ...11111 ...11111 ...11111 ........ ........"),
        ),
    ]
    tests = [
        (
            G("........ 66666... 6...6... 6...6... 66666... ......5. ........"),
            G("........ 66666... 66666... 66666... 66666... ........ ........"),
        )
    ]
    return pairs, tests


def between_same_colour_task():
    """A background cell between two cells of one colour in its row takes that colour (a conjunction:
    background and same colour left and right); other cells keep theirs."""
    pairs = [
        (G("1...1. ...... .2..3. ......"), G("11111. ...... .2..3. ......")),
        (G("...... 3..3.. ...... .4.4.."), G("...... 3333.. ...... .444..")),
        (G(".2..2. ...... 1....4 ......"), G(".2222. ...... 1....4 ......")),
    ]
    tests = [(G("...... 5...5. .1.2.. ......"), G("...... 55555. .1.2.. ......"))]
    return pairs, tests


def box_column_task():
    """On a background of 7, every object (8-connected, several colours) loses its leftmost column: a split on
    the cell's place in its object's box, learned with the background swapped to 0. Objects to the left in the
    same row rule out "nothing to the left" (two pairs, so leave-one-pair-out sees it)."""
    pairs = [
        (
            G("7777777 7233777 7233777 7777777 5577444 5577444 7777777"),
            G("7777777 7733777 7733777 7777777 7577744 7577744 7777777"),
        ),
        (
            G("7777777 7555777 7777777 7777777 3377227 3377227 7777777"),
            G("7777777 7755777 7777777 7777777 7377727 7377727 7777777"),
        ),
        (
            G("4477777 4477777 7777777 7777357 7777357 7777777 7777777"),
            G("7477777 7477777 7777777 7777757 7777757 7777777 7777777"),
        ),
    ]
    tests = [
        (
            G("7777777 7777777 7253777 7253777 7777777 7777777 7444777"),
            G("7777777 7777777 7753777 7753777 7777777 7777777 7744777"),
        )
    ]
    return pairs, tests


CASES = {
    "frame_and_noise": (ct.fit_cell_tree, frame_and_noise_task),
    "between_same_colour": (ct.fit_cell_tree, between_same_colour_task),
    "box_column": (ct.fit_cell_tree, box_column_task),
}
# isolated noise cells removed, rectangles kept (a neighbour count split), a task the search missed; blue
# cells inside the box of the 8s recoloured (a colour's box, found with the wider root search)
CLAIMS = {"cell_tree": ["7f4411dc", "32597951"]}

(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(ct.CELLTREE_LEARNERS, CASES, CLAIMS)


# ---------------------------------------------------------------- refusals
def test_refuses_a_table_seen_in_one_pair_only():
    """Each pair recolours its own colour: the colour -> colour table fits train but, learned without a pair,
    cannot explain it (leave-one-pair-out), so it is refused."""
    pairs = [
        (G("5... .5.. ...."), G("2... .2.. ....")),
        (G("...6 .... 6..."), G("...3 .... 3...")),
        (G(".... ..7. ..7."), G(".... ..4. ..4.")),
    ]
    tests = [(G("5... .... ..5."), G("2... .... ..2."))]
    assert run(ct.fit_cell_tree, pairs, tests) is None


def test_refuses_one_train_pair():
    pairs, tests = frame_and_noise_task()
    assert run(ct.fit_cell_tree, pairs[:1], tests) is None
    assert run(ct.fit_cell_tree, pairs, tests) is not None


def test_refuses_a_train_colour_its_leaf_never_saw():
    """On train only background cells lie between two blue cells; a blue cell between two blue cells on test
    reaches the "paint" leaf with a colour that leaf never saw: refused rather than guessed."""
    pairs, _ = between_same_colour_task()
    tests = [(G("1.1.1. ...... ...... ......"), None)]
    assert run(ct.fit_cell_tree, pairs, tests) is None


def test_refuses_inapplicable_tasks():
    pairs, tests = frame_and_noise_task()
    same = [(a, a) for a, _ in pairs]
    assert run(ct.fit_cell_tree, same, tests) is None  # nothing changes
    grown = [(a, np.pad(b, 1)) for a, b in pairs]
    assert run(ct.fit_cell_tree, grown, tests) is None  # shape changes


def test_the_search_fits_it_on_its_first_shaped_states_only():
    """A search fits ``cell_tree`` on its first ``STATES_PER_SEARCH`` states with the outputs' shapes (the raw
    task and the closest depth-1 states), then no more: the cap is the search's state, not the learner's."""
    from infscale.arc import search as search_mod

    pairs, tests = between_same_colour_task()
    ins, outs = [a for a, _ in pairs], [b for _, b in pairs]
    calls = []

    def spy(i, o, t):
        calls.append(1)

    spy.max_states = ct.STATES_PER_SEARCH  # type: ignore[attr-defined]
    s = search_mod._Search(ins, outs, [t for t, _ in tests], 1, float("inf"), 10, 1)
    real = search_mod.LEARNERS
    search_mod.LEARNERS = [("spy", spy)]
    try:
        for k in range(ct.STATES_PER_SEARCH + 2):
            state = tuple(np.roll(a, k, axis=1) for a in (*ins, *[t for t, _ in tests]))
            s._learners(state, [], 1)
        # another shape: called (the learner refuses it at no cost) but not counted
        s._learners(tuple(np.pad(a, 1) for a in (*ins, *[t for t, _ in tests])), [], 1)
    finally:
        search_mod.LEARNERS = real
    assert len(calls) == ct.STATES_PER_SEARCH + 1
    assert s.learner_runs == {"spy": ct.STATES_PER_SEARCH}
    assert run(ct.fit_cell_tree, pairs, tests) is not None  # called directly, it always learns


def test_solves_an_arc_agi_2_training_task():
    """52364a65 (ARC-AGI-2 training, not in ARC-AGI-1): on background 8 every object loses its two leftmost
    columns, a box-relative split the search did not find."""
    fits_claimed_task(ct.fit_cell_tree, "52364a65", root=TRAIN2)


def test_background_swapped_only_when_one_colour_covers_most_cells():
    """e9afcf9a: two colours in equal shares, neither is background; read as one, the tree learned without a
    pair fails that pair (the fit is lost)."""
    fits_claimed_task(ct.fit_cell_tree, "e9afcf9a")


def test_colour_box_feature():
    """``cbox_c``: the cell lies in the box spanned by every cell of colour c (wherever they are)."""
    grid = G("1.1.1 .8... 1.1.1 ...8. 1.1.1")
    f, _ = ct._grid_banks(grid)
    names = [n for n, _ in ct._FEATS]
    box8 = f[names.index("cbox_8")].reshape(grid.shape)
    want = np.zeros(grid.shape, dtype=bool)
    want[1:4, 1:4] = True
    assert np.array_equal(box8.astype(bool), want)
    assert not f[names.index("cbox_5")].any()  # an absent colour spans no box
    assert f[names.index("cbox_1")].all()
