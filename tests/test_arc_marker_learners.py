"""Marker learners of the arc_dsl expert: each solves a small synthetic task, refuses a corrupted one, and
solves (official scoring) the ARC-AGI-1 training tasks it claims."""

from __future__ import annotations

from tests.helpers.arc_learners import G, contract_tests, run

from infscale.arc.dsl import marker_learners as ml


# ---------------------------------------------------------------- synthetic tasks per learner
def attract_task():
    """Single cells slide to the line of their own colour; cells with no such line vanish."""
    pairs = [
        (
            G("..3...4.. ..3...... ..3..3... ..3...... ..3.....4 ..3...... ..3....2."),
            G("..3...... ..3...... ..33..... ..3...... ..3...... ..3...... ..3......"),
        ),
        (
            G("2...... ....... 2222222 ....... ...2... ....... .....4."),
            G("....... 2...... 2222222 ...2... ....... ....... ......."),
        ),
    ]
    tests = [
        (
            G("..3... ..3... ..3... 3.3..3 ..3... ..3.1."),
            G("..3... ..3... ..3... .333.. ..3... ..3..."),
        )
    ]
    return pairs, tests


def pattern_rays_task():
    """Every cell shoots a ray to the right alternating grey with its own colour."""
    pairs = [
        (G("...... .2.... ...... ...3.."), G("...... .25252 ...... ...353")),
        (G("....... 6...... ....... ..1...."), G("....... 6565656 ....... ..15151")),
    ]
    tests = [(G("..... ..... 4.... ..8.."), G("..... ..... 45454 ..858"))]
    return pairs, tests


def line_repeat_task():
    """Two markers draw lines across the short side, repeated with period twice their distance."""
    pairs = [
        (G("..2........ ........... ....3......"), G("..2.3.2.3.2 ..2.3.2.3.2 ..2.3.2.3.2")),
        (G(".1....... ......... ....4...."), G(".1..4..1. .1..4..1. .1..4..1.")),
    ]
    tests = [(G("... 6.. ... ... ..7 ... ... ... ..."), G("... 666 ... ... 777 ... ... 666 ..."))]
    return pairs, tests


def midpoint_task():
    """Between two blue cells of a row or column, a green plus is drawn at the midpoint."""
    pairs = [
        (G("....... ....... .1...1. ....... ......."), G("....... ...3... .13331. ...3... .......")),
        (G("..1.... ....... ....... ....... ..1...."), G("..1.... ..3.... .333... ..3.... ..1....")),
    ]
    tests = [(G("...... ...... 1...1. ...... ......"), G("...... ..3... 13331. ..3... ......"))]
    return pairs, tests


def phase_task():
    """Yellow cells in every third column (from the left) turn magenta."""
    pairs = [
        (G("4.4.4.4.4. 4444444444 .4.4.4.4.4"), G("6.4.4.6.4. 6446446446 .4.6.4.4.6")),
        (G(".4.4.4.4 44444444 4.4.4.4."), G(".4.6.4.4 64464464 6.4.4.6.")),
    ]
    tests = [(G("4.4.4.4 4444444 .4.4.4."), G("6.4.4.6 6446446 .4.6.4."))]
    return pairs, tests


def run_continue_task():
    """The run of cells in a row or column is repeated periodically over the whole row or column."""
    pairs = [
        (G("...... ..12.. ...... ......"), G("...... 121212 ...... ......")),
        (G("..... ..... ..3.. ..4.. ..5.. ..... ....."), G("..4.. ..5.. ..3.. ..4.. ..5.. ..3.. ..4..")),
    ]
    tests = [(G("....... ....... 8.6.... 9...... ......."), G("8...... 9...... 8.6.... 9...... 8......"))]
    return pairs, tests


def diagonal_task():
    """A pattern constant along anti-diagonals is completed over the black cells."""
    pairs = [
        (G("123.... 23..... 3...... ....... ......."), G("1231231 2312312 3123123 1231231 2312312")),
        (G("...... ...... ....68 ...68. ..68.."), G("686868 868686 686868 868686 686868")),
    ]
    tests = [(G("..... ..425 .425. 425.. ....."), G("42542 25425 54254 42542 25425"))]
    return pairs, tests


def step_task():
    """The green cell takes one step (diagonals allowed) towards the yellow one."""
    pairs = [
        (G("3.... ..... ....4"), G("..... .3... ....4")),
        (G("..... 3...4 ....."), G("..... .3..4 .....")),
        (G("..4.. ..... ..... ..3.."), G("..4.. ..... ..3.. .....")),
    ]
    tests = [(G("....3 ..... ..... 4...."), G("..... ...3. ..... 4...."))]
    return pairs, tests


CASES = {
    "attract": (ml.fit_attract, attract_task),
    "pattern_rays": (ml.fit_pattern_rays, pattern_rays_task),
    "line_repeat": (ml.fit_line_repeat, line_repeat_task),
    "midpoint_stamp": (ml.fit_midpoint_stamp, midpoint_task),
    "phase_recolour": (ml.fit_phase_recolour, phase_task),
    "run_continue": (ml.fit_run_continue, run_continue_task),
    "diagonal_period": (ml.fit_diagonal_period, diagonal_task),
    "step_toward": (ml.fit_step_toward, step_task),
}


def test_semantic_refusals():
    # attraction: a marker half-way between two anchors has no direction to go
    pairs, _ = attract_task()
    assert run(ml.fit_attract, pairs, [(G("3...3...3 3...3...3"), None)]) is None
    # pattern rays: a constant ray is left to the plain ray learners
    assert (
        ml.fit_pattern_rays([G(".2... ....."), G("3.. ...")], [G(".2222 ....."), G("333 ...")], [G("4..")])
        is None
    )
    # line repeat: a square grid gives no long side to repeat along
    assert ml.fit_line_repeat([G("1.. ... .2.")], [G("1.. 2.. 1..")], [G("1.. ... .2.")]) is None
    # midpoint: markers an odd distance apart have no middle cell
    a = G("1..1 .... ....")
    assert ml.fit_midpoint_stamp([a], [G("1331 .... ....")], [a]) is None
    # phase recolour: a recoloured (colour, phase) seen once would be a memorised cell, not a rule
    assert ml.fit_phase_recolour([G("44 44")], [G("64 44")], [G("44 44")]) is None


# ---------------------------------------------------------------- the training tasks each learner claims
CLAIMS = {
    "attract": ["1a07d186", "4093f84a", "ae3edfdc", "d687bc17"],
    "pattern_rays": ["97999447", "db3e9e38"],
    "line_repeat": ["0a938d79"],
    "midpoint_stamp": ["e9614598"],
    "phase_recolour": ["ba26e723", "d406998b"],
    "run_continue": ["e21d9049"],
    "diagonal_period": ["05269061"],
    "step_toward": ["dc433765"],
}


(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(ml.MARKER_LEARNERS, CASES, CLAIMS)
