"""Rule learners of the arc_dsl expert: each solves a small synthetic task, refuses a corrupted one, and
solves (official scoring) the ARC-AGI-1 training tasks it claims."""

from __future__ import annotations

from tests.helpers.arc_learners import G, contract_tests, run

from infscale.arc.dsl import rule_learners as rl


# ---------------------------------------------------------------- synthetic tasks per learner
def odd_task():
    """Output = the crop of the only object whose shape no other object has."""
    pairs = [
        (G("11..22. 11..22. ....... 33..4.. 33..44."), G("4. 44")),
        (G("5..... 5.66.. ..66.8 .....8"), G("66 66")),
    ]
    tests = [(G("7.7... 7.7... ...... ..99.."), G("99"))]
    return pairs, tests


def substitute_task():
    """Hollow 3x3 squares of blue become red plus signs; blue objects of other shapes stay."""
    pairs = [
        (
            G("111.... 1.1..1. 111..1. ....... ..111.. ..1.1.. ..111.1"),
            G(".2..... 222..1. .2...1. ....... ...2... ..222.. ...2..1"),
        ),
        (
            G("........ .111..11 .1.1.... .111.... ........ 1......."),
            G("........ ..2...11 .222.... ..2..... ........ 1......."),
        ),
    ]
    tests = [(G("111.1 1.1.1 111.. ....1 1..11"), G(".2..1 222.1 .2... ....1 1..11"))]
    return pairs, tests


def empty_rect_task():
    """Empty 2x2 windows, taken greedily in reading order, are painted magenta."""
    pairs = [
        (
            G("5.5.5.5 ....... 5....5. .5.5.5. 5.5.5.. ...5..."),
            G("5.5.5.5 .6666.. 566665. .5.5.5. 5.5.566 ...5.66"),
        ),
        (G(".5...5 .5.5.. ...... 5....5 .5.5.. ......"), G(".5...5 .5.566 .66.66 566..5 .5.566 ....66")),
    ]
    tests = [
        (
            G("5.5.5.5. ........ 5....5.. .5.5.5.5 ......5. 5..5...."),
            G("5.5.5.5. .6666.66 56666566 .5.5.5.5 .66.665. 566566.."),
        )
    ]
    return pairs, tests


def lookup_task():
    """Output = blue 1x1 when the picture is left-right symmetric, else orange."""
    one, seven = G("1"), G("7")
    pairs = [
        (G("2.2 .2. 2.2"), one),
        (G("22. .2. 2.."), seven),
        (G("2.2 2.2 ..."), one),
        (G("2.. ... ..2"), seven),
    ]
    tests = [(G("22. ... .22"), seven), (G("... 222 ..."), one)]
    return pairs, tests


def colour_list_task():
    """Output = the colours of the vertical stripes, left to right."""
    pairs = [
        (G("112233 112233"), G("123").reshape(1, 3)),
        (G("4455 4455 4455"), G("45").reshape(1, 2)),
        (G("8866 8866"), G("86").reshape(1, 2)),
    ]
    tests = [(G("337711 337711"), G("371").reshape(1, 3))]
    return pairs, tests


def histogram_task():
    """Output = one bar per colour, as long as its cell count, tallest first, hanging from the top."""
    pairs = [
        (G("112 123 111"), G("123 12. 1.. 1.. 1.. 1..")),
        (G("44 46 66 68"), G("648 64. 64. 6..")),
    ]
    tests = [(G("55 57 77 77 99"), G("759 759 75. 7.. 7.."))]
    return pairs, tests


def elbow_task():
    """The red cell is joined to the green one by a cyan path leaving it horizontally."""
    pairs = [
        (G("2..... ...... ...... ....3."), G("28888. ....8. ....8. ....3.")),
        (G("...... .3.... ...... ...... .....2"), G("...... .3.... .8.... .8.... .88882")),
    ]
    tests = [(G("...3. ..... ..... 2...."), G("...3. ...8. ...8. 2888."))]
    return pairs, tests


def band_task():
    """The band of rows holding the picture is repeated over the whole grid."""
    pairs = [
        (G(".... .... 1.1. 2222 .... ...."), G("1.1. 2222 1.1. 2222 1.1. 2222")),
        (G("... ... ... 3.. .3. ..3 ..."), G("3.. .3. ..3 3.. .3. ..3 3..")),
    ]
    tests = [(G(".. 4. .4 .. .."), G(".4 4. .4 4. .4"))]
    return pairs, tests


def majority_task():
    """Noisy stripes: every column (here) takes its most frequent colour."""
    pairs = [
        (G("1122 1522 1124 3122"), G("1122 1122 1122 1122")),
        (G("33388 33588 73388"), G("33388 33388 33388")),
    ]
    tests = [(G("2266 2166 2266 5266 2266"), G("2266 2266 2266 2266 2266"))]
    return pairs, tests


CASES = {
    "odd_object": (rl.fit_odd_object, odd_task),
    "shape_substitute": (rl.fit_shape_substitute, substitute_task),
    "empty_rect_fill": (rl.fit_empty_rect_fill, empty_rect_task),
    "feature_lookup": (rl.fit_feature_lookup, lookup_task),
    "colour_list": (rl.fit_colour_list, colour_list_task),
    "colour_histogram": (rl.fit_colour_histogram, histogram_task),
    "marker_elbow": (rl.fit_marker_elbow, elbow_task),
    "band_tile": (rl.fit_band_tile, band_task),
    "line_majority": (rl.fit_line_majority, majority_task),
}


def test_semantic_refusals():
    # shape substitution: a rewritten shape seen in one pair only is no evidence of a rule
    a, b = G("111. 1.1. 111. ...1"), G(".2.. 222. .2.. ...1")
    assert rl.fit_shape_substitute([a, G("1.. ... ..1")], [b, G("1.. ... ..1")], [a]) is None
    # shape substitution: an unseen test shape is refused when train never shows other shapes staying
    pairs = [(G("111 1.1 111"), G(".2. 222 .2.")), (G("111. 1.1. 111."), G(".2.. 222. .2.."))]
    assert run(rl.fit_shape_substitute, pairs, [(G("11. ... ..."), None)]) is None
    # odd object: two objects, each is "the odd one"
    assert rl.fit_odd_object([G("1..22 ...22"), G("3.44")], [G("1"), G("3")], [G("5.66")]) is None
    # feature lookup: a single repeated feature value in train is too weak a sign of a dependence
    ins, outs = [G("1"), G("1"), G("12"), G("123")], [G("1"), G("1"), G("2"), G("3")]
    assert rl.fit_feature_lookup(ins, outs, [G("1")]) is None
    assert rl.fit_feature_lookup([*ins, G("12")], [*outs, G("2")], [G("1")]) is not None
    # elbow: three markers are out of scope
    three = G("2.. ... .33")
    assert rl.fit_marker_elbow([three], [G("288 ..8 .33")], [three]) is None


# ---------------------------------------------------------------- the training tasks each learner claims
CLAIMS = {
    "odd_object": ["39a8645d", "88a62173", "a87f7484", "d9fac9be"],
    "shape_substitute": ["6c434453", "aedd82e4", "c0f76784"],
    "empty_rect_fill": ["3eda0437", "6cf79266"],
    "feature_lookup": ["44f52bb0", "6e02f1e3", "794b24be", "ff28f65a"],
    "colour_list": ["4be741c5", "f8ff0b80"],
    "colour_histogram": ["9af7a82c", "d631b094"],
    "marker_elbow": ["a2fd1cf0", "d4a91cb9"],
    "band_tile": ["8eb1be9a"],
    "line_majority": ["e26a3af2"],
}


(
    test_solves_synthetic_task,
    test_refuses_task_it_does_not_explain,
    test_learners_are_registered,
    test_solves_claimed_training_tasks,
) = contract_tests(rl.RULE_LEARNERS, CASES, CLAIMS)
