"""The learners' cheap refusals and fast paths agree with the slower code they stand for (random grids)."""

from __future__ import annotations

import itertools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from infscale.arc.dsl import marker_learners as mk
from infscale.arc.dsl import motion_learners as mv
from infscale.arc.dsl import object_learners as ol
from infscale.arc.dsl import rule_learners as rl
from infscale.arc.dsl.learners import _is_window, _sorted_unique
from infscale.arc.dsl.objects import objects


def _grids(n: int, colours: int, seed: int, max_side: int = 9) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        h, w = rng.integers(1, max_side + 1, 2)
        g = rng.integers(0, colours, (h, w)).astype(np.uint8)
        g[rng.random((h, w)) < 0.5] = 0  # background-heavy, so that there are objects
        out.append(g)
    return out


def test_matches_equals_window_stack() -> None:
    rng = np.random.default_rng(0)
    for b in _grids(400, 3, 1):
        oh, ow = rng.integers(1, b.shape[0] + 1), rng.integers(1, b.shape[1] + 1)
        patch = rng.integers(0, 3, (oh, ow)).astype(np.uint8)
        mask = rng.random((oh, ow)) < 0.6
        mask[0, 0] = True
        for p, m in ((patch, mask), (patch[::-1], mask[::-1]), (patch[:, ::-1], mask[:, ::-1])):
            ref = np.nonzero((sliding_window_view(b, (oh, ow))[:, :, m] == p[m]).all(axis=-1))
            got = mv._matches(b, p, m)
            assert all(np.array_equal(x, y) for x, y in zip(ref, got, strict=True))


def test_sorted_unique_and_is_window() -> None:
    rng = np.random.default_rng(2)
    for _ in range(200):
        x = rng.integers(0, rng.integers(1, 10**6), rng.integers(0, 50)).astype(np.int64)
        assert np.array_equal(_sorted_unique(x), np.unique(x))
    for a in _grids(200, 3, 3, 6):
        for b in (a[1:, :], a[:, 1:3], a.copy(), np.zeros((2, 2), np.uint8), a[::-1]):
            brute = any(
                np.array_equal(a[r : r + b.shape[0], c : c + b.shape[1]], b)
                for r in range(a.shape[0] - b.shape[0] + 1)
                for c in range(a.shape[1] - b.shape[1] + 1)
            )
            assert _is_window(a, b) == (brute and b.size > 0)


def test_phase_consistency_matches_a_table() -> None:
    ins, outs = _grids(60, 3, 4, 7), _grids(60, 3, 5, 7)
    for k in range(0, 60, 3):
        pairs = [
            (a, b[: a.shape[0], : a.shape[1]]) for a, b in zip(ins[k : k + 3], outs[k : k + 3], strict=True)
        ]
        pairs = [(a[: b.shape[0], : b.shape[1]], b) for a, b in pairs]
        for p, q, er, ec in itertools.product((1, 2, 12), (1, 3, 12), (False, True), (False, True)):
            table: dict[tuple[int, int, int], int] = {}
            ok = True
            for a, b in pairs:
                h, w = a.shape
                for r, c in itertools.product(range(h), range(w)):
                    key = (int(a[r, c]), (h - 1 - r if er else r) % p, (w - 1 - c if ec else c) % q)
                    ok = ok and table.setdefault(key, int(b[r, c])) == int(b[r, c])
            got = mk._consistent([a for a, _ in pairs], [b for _, b in pairs], p, q, er, ec)
            assert got == ok


def test_finer_readings_lie_inside_coarser_boxes() -> None:
    """fit_shape_substitute skips a finer reading when a coarser one leaves a change outside every box."""

    def inside(g: np.ndarray, diag: bool, multi: bool) -> np.ndarray:
        m = np.zeros(g.shape, dtype=bool)
        for o in objects(g, 0, diag, multi):
            m[o.r0 : o.r1, o.c0 : o.c1] = True
        return m

    kinds = [k for k in rl._KINDS if not k[2]]
    for g in _grids(200, 4, 6):
        for (d1, m1, _), (d2, m2, _) in itertools.product(kinds, kinds):
            if d1 >= d2 and m1 >= m2:
                assert not (inside(g, d2, m2) & ~inside(g, d1, m1)).any()


def test_parts_are_smaller_than_the_grid() -> None:
    """fit_part_overlay refuses pairs whose output is not smaller than the input on some side."""
    for g in _grids(300, 3, 7, 12):
        g[g.shape[0] // 2, :] = 5  # a separator row in about half of them
        for how in ("sep", "h2", "v2", "h3", "v3", "h4", "v4", "q4"):
            parts = ol._parts(g, how)
            assert parts is None or all(
                p.shape != g.shape and p.shape[0] <= g.shape[0] and p.shape[1] <= g.shape[1] for p in parts
            )


def test_landing_cover_is_the_union_of_matches() -> None:
    outs = _grids(150, 2, 8)
    for g, b in zip(_grids(150, 2, 9), outs, strict=True):
        for o in objects(g, 0, True, True)[:4]:
            ref = np.zeros(b.shape, dtype=bool)
            if o.shape[0] <= b.shape[0] and o.shape[1] <= b.shape[1]:
                win = sliding_window_view(b, o.shape)
                for p, m in (
                    (o.patch, o.mask),
                    (o.patch[::-1], o.mask[::-1]),
                    (o.patch[:, ::-1], o.mask[:, ::-1]),
                ):
                    for y, x in zip(*np.nonzero((win[:, :, m] == p[m]).all(axis=-1)), strict=True):
                        ref[y : y + o.shape[0], x : x + o.shape[1]] |= m
            assert np.array_equal(mv._landing_cover(o, b), ref)
