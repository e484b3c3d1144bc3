"""Partial fits (no program reproduces every train pair) rank by the train pairs they get exactly right, then by
the cells they get right: icecuber's order, a program right on 2 of 3 pairs is a better guess than one nearly
right on every pair."""

from __future__ import annotations

import numpy as np

from infscale.arc.search import Candidate, _Search, rank_answers
from infscale.arc.solver import STRONG_PARTIAL, answer_order


def g(rows):
    return np.array(rows, dtype=np.uint8)


def _search() -> _Search:
    train_in = [g([[1, 0], [0, 0]]), g([[0, 1], [0, 0]]), g([[0, 0], [1, 0]])]
    train_out = [g([[1, 2], [2, 2]]), g([[2, 1], [2, 2]]), g([[2, 2], [1, 2]])]
    return _Search(train_in, train_out, [g([[0, 0], [0, 1]])], 3, float("inf"), 10**6, 1)


def test_a_program_right_on_more_pairs_ranks_first() -> None:
    s = _search()
    out = s.train_out
    # no colour map fits either (depth 0: no overlay is tried)
    near = (*(o.copy() for o in out), g([[2, 2], [2, 2]]))
    for o in near[:3]:
        o[1, 1] = 1  # 3 of 4 cells right, no pair exact
    two = (out[0], out[1], g([[0, 0], [0, 0]]), g([[2, 2], [2, 1]]))  # pairs 1 and 2 exact, pair 3 no cell
    s._check(near, ["near"], 0)
    s._check(two, ["two"], 0)
    assert [c.program for c in s.fallbacks] == ["two", "near"]
    assert s.fallbacks[0].pairs_right == 2 / 3 and s.fallbacks[1].pairs_right == 0.0
    assert s.fallbacks[1].train_score > s.fallbacks[0].train_score  # more cells right, fewer pairs
    ranked = rank_answers(list(reversed(s.fallbacks)), s.root[: s.n], s.train_out, s.root[s.n :])
    assert [c.program for c in ranked] == ["two", "near"]


def test_fits_still_rank_before_partial_fits() -> None:
    s = _search()
    fit = Candidate("fit", 3.0, 1.0, [g([[2, 2], [2, 1]])])
    part = Candidate("part", 1.0, 0.9, [g([[2, 2], [2, 1]])], pairs_right=2 / 3)
    assert [c.program for c in rank_answers([part, fit], s.root[: s.n], s.train_out, s.root[s.n :])] == [
        "fit",
        "part",
    ]


def test_a_strong_partial_fit_goes_before_an_unsupported_guess() -> None:
    p = [g([[1]])]
    fit = Candidate("fit", 3.0, 1.0, p)
    supported = Candidate("learn_local_rule_default", 1.5, 1.0, p, weak=True)
    unsupported = Candidate("learn_local_rule_default", 1.5, 0.6, p, weak=True)
    strong = Candidate("half", 2.0, 0.8, p, pairs_right=2 / 3)
    weak_part = Candidate("cells", 1.0, 0.99, p, pairs_right=1 / 3)
    order = answer_order([fit, supported, unsupported], [strong, weak_part])
    assert order == [fit, supported, strong, unsupported, weak_part]
    # below STRONG_PARTIAL, partial fits stay after every verified program and guess
    assert answer_order([unsupported], [weak_part]) == [unsupported, weak_part]
    assert weak_part.pairs_right < STRONG_PARTIAL <= strong.pairs_right
