"""Extract learners: rules whose output shape differs from the input's (growing, scaling, lookups, counts).

Same contract as :mod:`.learners`: ``fit(train_in, train_out, test_in) -> Predictor | None``, a predictor
only when it reproduces every train pair exactly and applies to every test input. Each learner first checks
the output shapes against its rule (the cheapest test, and the one that refuses most of the search's
states), and where few examples leave a choice it takes the reading that generalises.

- :func:`fit_count_scale`: the input upscaled (or tiled) by a factor that is a count of the input (its
  coloured cells, colours or objects), varying between pairs.
- :func:`fit_grid_extend`: the input grown to a learned shape (fixed, or a linear function of its own) by
  continuing it: its smallest row/column period (a shifted repeat, so staircases continue too), a mirror
  or a plain wrap, then a learned colour map.
- :func:`fit_kron`: a fractal product of two grids (the input with itself, or its two halves): block
  (i, j) is the second grid where cell (i, j) of the first is coloured (or has a learned colour), or the
  second grid's shape painted in the colour of cell (i, j).
- :func:`fit_colour_lookup`: a fixed output per set of input colours (or majority colour), confirmed by
  repeated train values.
- :func:`fit_corner_overlay`: the windows of the output's shape in the input's corners, laid over each other.
- :func:`fit_key_mask`: a small multicoloured key painted through a one-colour mask (the key blown up to the
  mask, or the mask shrunk to the key), separator lines removed first.
- :func:`fit_canvas`: the input placed on a bigger empty canvas (fixed, linear or counted size) and smeared
  in a learned direction (diagonal trails, edges stretched outwards).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Sequence

import numpy as np

from .object_learners import _has_mark, _verify
from .objects import objects
from .primitives import MAXSIDE, Grid, halves

Predictor = Callable[[Grid], Grid | None]
Learner = Callable[[Sequence[Grid], Sequence[Grid], Sequence[Grid]], Predictor | None]


# ---------------------------------------------------------------- scale by a counted factor
def _count(g: Grid, name: str) -> int:
    if name == "cells":
        return int((g != 0).sum())
    if name == "colours":
        return int(np.unique(g[g != 0]).size)
    if name == "objects":
        return len(objects(g, 0, True, True))
    return int((g == 0).sum())  # "empty"


_COUNTS = ("colours", "cells", "objects", "empty")


def fit_count_scale(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = the input upscaled (each cell a k x k block) or tiled k x k times, where k is a count of
    the input (colours, coloured cells, objects, empty cells); k must vary across train, otherwise a fixed
    scale (a plain transform of the search) is the simpler reading."""
    if _has_mark(inputs):
        return None
    ks = []
    for a, b in zip(inputs, outputs, strict=True):
        (h, w), (H, W) = a.shape, b.shape
        if H % h or W % w or H // h != W // w or h == H:
            return None
        ks.append(H // h)
    if len(set(ks)) < 2:
        return None
    for name in _COUNTS:
        if any(_count(a, name) != k for a, k in zip(inputs, ks, strict=True)):
            continue
        for mode in ("upscale", "tile"):

            def predict(g: Grid, name: str = name, mode: str = mode) -> Grid | None:
                k = _count(g, name)
                if k < 1 or max(g.shape) * k > MAXSIDE:
                    return None
                if mode == "upscale":
                    return np.repeat(np.repeat(g, k, axis=0), k, axis=1)
                return np.tile(g, (k, k))

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- grow the grid by continuing it
def _side_rule(xs: list[int], ys: list[int]) -> tuple[int, int] | None:
    """(a, b) with y = a * x + b on every pair: the same size, a fixed size (a = 0), a multiple, or a line
    through two distinct sizes (in that order of preference)."""
    cands = [(1, 0)]
    if len(set(ys)) == 1:
        cands.append((0, ys[0]))
    if ys[0] % xs[0] == 0:
        cands.append((ys[0] // xs[0], 0))
    pts = sorted(set(zip(xs, ys, strict=True)))
    if len(pts) >= 2 and pts[1][0] != pts[0][0]:
        (x0, y0), (x1, y1) = pts[0], pts[1]
        if (y1 - y0) % (x1 - x0) == 0:
            a = (y1 - y0) // (x1 - x0)
            cands.append((a, y0 - a * x0))
    for a, b in cands:
        if all(a * x + b == y for x, y in zip(xs, ys, strict=True)):
            return a, b
    return None


def _shift(row: np.ndarray, s: int) -> np.ndarray:
    out = np.zeros_like(row)
    if s >= 0:
        out[s:] = row[: row.size - s]
    else:
        out[:s] = row[-s:]
    return out


def _period(g: Grid) -> tuple[int, int] | None:
    """The smallest row period p (with a column shift s) such that row i = row i - p shifted by s, seen at
    least twice (two rows repeat); the smallest shift first."""
    h, w = g.shape
    for p in range(1, h - 1):
        a, b = g[p:], g[: h - p]
        for s in sorted(range(-w + 1, w), key=lambda v: (abs(v), v < 0)):
            shifted = np.zeros_like(b)
            if s >= 0:
                shifted[:, s:] = b[:, : w - s]
            else:
                shifted[:, :s] = b[:, -s:]
            if np.array_equal(a, shifted):
                return p, s
    return None


def _extend_rows(g: Grid, n: int, mode: str) -> Grid | None:
    h = g.shape[0]
    if n == h:
        return g
    if n < h:
        return None
    if mode == "period":
        ps = _period(g)
        if ps is None:
            return None
        p, s = ps
        out = np.zeros((n, g.shape[1]), dtype=g.dtype)
        out[:h] = g
        for i in range(h, n):
            out[i] = _shift(out[i - p], s)
        return out
    if mode == "reflect" and h < 2:
        return None
    return np.pad(g, ((0, n - h), (0, 0)), mode=mode)  # type: ignore[call-overload,no-any-return]


def fit_grid_extend(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = the input grown down/right to a learned shape by continuing it (smallest shifted period,
    mirror without or with the edge repeated, or a plain wrap), then a learned colour map."""
    if _has_mark(inputs):
        return None
    from .learners import apply_colour_map, fit_colour_map  # imported late: learners imports this module

    if any(b.shape[0] < a.shape[0] or b.shape[1] < a.shape[1] for a, b in zip(inputs, outputs, strict=True)):
        return None
    if all(a.shape == b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    # every continuation keeps the input in the top-left corner (up to the colour map): a cheap refusal
    if (
        fit_colour_map(inputs, [b[: a.shape[0], : a.shape[1]] for a, b in zip(inputs, outputs, strict=True)])
        is None
    ):
        return None
    rules = []
    for ax in (0, 1):
        r = _side_rule([a.shape[ax] for a in inputs], [b.shape[ax] for b in outputs])
        if r is None:
            return None
        rules.append(r)
    (ah, bh), (aw, bw) = rules
    for mode in ("period", "reflect", "symmetric", "wrap"):

        def grow(g: Grid, mode: str = mode) -> Grid | None:
            H, W = ah * g.shape[0] + bh, aw * g.shape[1] + bw
            if not (0 < H <= MAXSIDE and 0 < W <= MAXSIDE):
                return None
            r = _extend_rows(g, H, mode)
            c = None if r is None else _extend_rows(r.T, W, mode)
            return None if c is None else np.ascontiguousarray(c.T)

        grown = [grow(a) for a in inputs]
        if any(g is None or g.shape != b.shape for g, b in zip(grown, outputs, strict=True)):
            continue
        cmap = fit_colour_map(grown, outputs)  # type: ignore[arg-type]
        if cmap is None:
            continue

        # an identity map keeps unseen colours (the rule is colour-blind); a real one must know them all
        strict = any(k != v for k, v in cmap.items())

        def predict(
            g: Grid, grow: Callable[[Grid], Grid | None] = grow, cmap: dict = cmap, strict: bool = strict
        ) -> Grid | None:
            r = grow(g)
            return None if r is None else apply_colour_map(r, cmap, strict)

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- fractal (Kronecker) products
def _sources(g: Grid, how: str) -> tuple[Grid, Grid] | None:
    if how == "self":
        return g, g
    hv = halves(g)
    if hv is None:
        return None
    a, b = hv
    if how == "halves":
        return a, b
    if how == "halves_rev":
        return b, a
    # "by_colours": the half with a single colour is the shape, the other the layout
    na, nb = (np.unique(x[x != 0]).size for x in (a, b))
    if na == 1 and nb > 1:
        return b, a
    if nb == 1 and na > 1:
        return a, b
    return None


def _kron(a: Grid, b: Grid, mode: str, c: int) -> Grid | None:
    (h, w), (hb, wb) = a.shape, b.shape
    if h * hb > MAXSIDE or w * wb > MAXSIDE:
        return None
    if mode == "paint":
        return np.kron(a, (b != 0).astype(np.uint8)).astype(np.uint8)  # type: ignore[no-any-return]
    sel = a != 0 if mode == "copy_nonzero" else (a == 0 if mode == "copy_zero" else a == c)
    return np.kron(sel.astype(np.uint8), b).astype(np.uint8)  # type: ignore[no-any-return]


def fit_kron(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Output = a fractal product of a layout grid and a shape grid (the input twice, or its two halves):
    block (i, j) is the shape grid where layout cell (i, j) is coloured / empty / of a learned colour, or the
    shape grid's coloured cells painted in layout cell (i, j)'s colour."""
    if _has_mark(inputs):
        return None
    for a, b in zip(inputs, outputs, strict=True):
        if b.size <= a.size:
            return None
    colours = sorted(set(np.unique(np.concatenate([a.ravel() for a in inputs])).tolist()) - {0})
    # on one-colour grids the self product is the search's self_tile transform: leave it to the search
    single = all(np.unique(a[a != 0]).size <= 1 for a in inputs)
    for how in ("self", "by_colours", "halves", "halves_rev"):
        if how == "self" and single:
            continue
        srcs = [_sources(a, how) for a in inputs]
        if any(
            s is None or (s[0].shape[0] * s[1].shape[0], s[0].shape[1] * s[1].shape[1]) != b.shape
            for s, b in zip(srcs, outputs, strict=True)
        ):
            continue
        modes = [("copy_nonzero", 0), ("paint", 0), ("copy_zero", 0)] + [("copy_colour", c) for c in colours]
        for mode, c in modes:
            if how == "self" and mode in ("copy_nonzero", "copy_zero"):
                continue  # the search's self_tile / self_tile_inv transforms

            def predict(g: Grid, how: str = how, mode: str = mode, c: int = c) -> Grid | None:
                s = _sources(g, how)
                return None if s is None else _kron(s[0], s[1], mode, c)

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- fixed output per input colours
def _colour_keys(g: Grid) -> dict[str, Hashable]:
    fg = g[g != 0]
    if fg.size == 0:
        return {"set": (), "major": -1}
    cnt = np.bincount(fg, minlength=10)
    return {"set": tuple(np.flatnonzero(cnt).tolist()), "major": int(cnt.argmax())}


def fit_colour_lookup(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = a fixed grid chosen by the input's set of colours (or its majority colour). Accepted only
    when two train pairs repeat a value seen before with the same output, different values give different
    outputs, and every test value was seen."""
    if len(inputs) < 4 or _has_mark(inputs):
        return None
    outs = [b.shape + tuple(b.ravel().tolist()) for b in outputs]
    if len(set(outs)) < 2 or len(set(outs)) == len(outs):
        return None
    keys = [_colour_keys(a) for a in inputs]
    tkeys = [_colour_keys(t) for t in tests]
    for name in ("set", "major"):
        table: dict[Hashable, tuple[int, ...]] = {}
        if any(table.setdefault(k[name], o) != o for k, o in zip(keys, outs, strict=True)):
            continue
        if len(set(table.values())) != len(table) or len(outs) - len(table) < 2:
            continue
        if any(k[name] not in table for k in tkeys):
            continue
        grids = {k: np.array(v[2:], dtype=np.uint8).reshape(v[0], v[1]) for k, v in table.items()}

        def predict(g: Grid, name: str = name, grids: dict[Hashable, np.ndarray] = grids) -> Grid | None:
            v = grids.get(_colour_keys(g)[name])
            return None if v is None else v.copy()

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- corner windows overlaid
def _corner_windows(g: Grid, H: int, W: int) -> list[Grid] | None:
    h, w = g.shape
    if h < H or w < W or (h, w) == (H, W):
        return None
    rows = [0] if h == H else [0, h - H]
    cols = [0] if w == W else [0, w - W]
    return [g[r : r + H, c : c + W] for r in rows for c in cols]


def fit_corner_overlay(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output (a fixed shape) = the windows of that shape in the input's corners laid over each other (a
    cell shows the first coloured one, reading order); the windows must not clash on train."""
    if _has_mark(inputs):
        return None
    H, W = outputs[0].shape
    if any(b.shape != (H, W) for b in outputs):
        return None
    for a, b in zip(inputs, outputs, strict=True):
        wins = _corner_windows(a, H, W)
        if wins is None or len(wins) < 2:
            return None
        # colour-consistent: where two windows are coloured they agree (a clash is no overlay)
        stack = np.stack(wins)
        col = stack != 0
        if (col & (stack != b[None])).any():
            return None

    def predict(g: Grid) -> Grid | None:
        wins = _corner_windows(g, H, W)
        if wins is None or len(wins) < 2:
            return None
        out = np.zeros((H, W), dtype=np.uint8)
        for win in reversed(wins):
            out = np.where(win != 0, win, out)
        return out.astype(np.uint8)

    return predict if _verify(predict, inputs, outputs, tests) else None


# ---------------------------------------------------------------- a colour key painted through a mask
def _key_and_mask(g: Grid, region: str) -> tuple[Grid, np.ndarray] | None:
    """(key, mask): separator lines removed, the mask is the most frequent colour's cells (all of them, or
    its largest object) in their box; the key is the other coloured cells, with empty rows/columns dropped,
    and must be a full grid."""
    # full lines of one non-zero colour (the separator colour may be the majority: no background test)
    rows = np.flatnonzero((g == g[:, :1]).all(axis=1) & (g[:, 0] != 0))
    cols = np.flatnonzero((g == g[:1, :]).all(axis=0) & (g[0] != 0))
    if np.unique(np.concatenate([g[rows, 0], g[0, cols]])).size == 1:
        g = np.delete(np.delete(g, rows, axis=0), cols, axis=1)
        if g.size == 0:
            return None
    cnt = np.bincount(g.ravel(), minlength=10)
    cnt[0] = 0
    if cnt.max() == 0:
        return None
    m = int(cnt.argmax())
    rest = g.copy()
    if region == "all":
        rs, cs = np.nonzero(g == m)
        r0, r1, c0, c1 = rs.min(), rs.max() + 1, cs.min(), cs.max() + 1
        mask = g[r0:r1, c0:c1] == m
        rest[g == m] = 0
    else:
        objs = [o for o in objects(g, 0, True, False) if o.colour == m]
        if not objs:
            return None
        o = max(objs, key=lambda o: o.size)
        r0, r1, c0, c1 = o.r0, o.r1, o.c0, o.c1
        mask = o.mask
        rest[r0:r1, c0:c1][o.mask] = 0
    keep_r, keep_c = (rest != 0).any(axis=1), (rest != 0).any(axis=0)
    key = rest[keep_r][:, keep_c]
    if key.size < 2 or (key == 0).any():
        return None
    return key, mask


def _paint_key(key: Grid, mask: np.ndarray, small: bool) -> Grid | None:
    (kh, kw), (mh, mw) = key.shape, mask.shape
    if mh % kh or mw % kw:
        return None
    fh, fw = mh // kh, mw // kw
    if small:
        # the mask shrunk to the key's shape: its blocks must be uniform
        blocks = mask.reshape(kh, fh, kw, fw)
        full, empty = blocks.all(axis=(1, 3)), ~blocks.any(axis=(1, 3))
        if not (full | empty).all():
            return None
        return np.where(full, key, 0).astype(np.uint8)
    return np.where(mask, np.repeat(np.repeat(key, fh, axis=0), fw, axis=1), 0).astype(np.uint8)


def fit_key_mask(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Output = a small multicoloured key painted through a one-colour mask: the key blown up to the mask's
    shape (or the mask shrunk to the key's), each key cell colouring its block of the mask."""
    if _has_mark(inputs):
        return None
    if any(
        b.shape[0] > a.shape[0] or b.shape[1] > a.shape[1] or b.size >= a.size
        for a, b in zip(inputs, outputs, strict=True)
    ):
        return None
    a0, b0 = inputs[0], outputs[0]
    for region in ("all", "largest"):
        km = _key_and_mask(a0, region)  # computed once on the first pair: the search calls this a lot
        if km is None:
            continue
        for small in (False, True):
            p0 = _paint_key(km[0], km[1], small)
            if p0 is None or p0.shape != b0.shape or not np.array_equal(p0, b0):
                continue

            def predict(g: Grid, region: str = region, small: bool = small) -> Grid | None:
                km = _key_and_mask(g, region)
                return None if km is None else _paint_key(km[0], km[1], small)

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- a bigger canvas, smeared
def _smear(g: Grid, dy: int, dx: int) -> Grid:
    """Every empty cell takes the colour of the nearest coloured cell behind it in direction (dy, dx)."""
    out = g[::-1] if dy < 0 else g
    out = out[:, ::-1] if dx < 0 else out
    out = out.copy()
    if dy == 0:
        out = np.ascontiguousarray(out.T)
    step = 1 if dy != 0 and dx != 0 else 0
    for i in range(1, out.shape[0]):
        row, prev = out[i, step:], out[i - 1, : out.shape[1] - step]
        out[i, step:] = np.where(row == 0, prev, row)
    if dy == 0:
        out = out.T
    out = out[:, ::-1] if dx < 0 else out
    return np.ascontiguousarray(out[::-1] if dy < 0 else out)


_DIRS = {
    "none": (),
    "d": ((1, 0),),
    "u": ((-1, 0),),
    "r": ((0, 1),),
    "l": ((0, -1),),
    "dr": ((1, 1),),
    "dl": ((1, -1),),
    "ur": ((-1, 1),),
    "ul": ((-1, -1),),
    "hv": ((1, 0), (-1, 0), (0, 1), (0, -1)),
}


def _canvas_shape(g: Grid, rule: tuple) -> tuple[int, int]:
    if rule[0] == "count":
        side = _count(g, rule[1]) * max(g.shape)
        return side, side
    (ah, bh), (aw, bw) = rule[1], rule[2]
    return ah * g.shape[0] + bh, aw * g.shape[1] + bw


def _place(g: Grid, H: int, W: int, anchor: str) -> Grid | None:
    h, w = g.shape
    if not (h <= H <= MAXSIDE and w <= W <= MAXSIDE):
        return None
    if anchor == "centre":
        if (H - h) % 2 or (W - w) % 2:
            return None
        r, c = (H - h) // 2, (W - w) // 2
    else:
        r, c = (H - h if anchor[0] == "b" else 0), (W - w if anchor[1] == "r" else 0)
    out = np.zeros((H, W), dtype=np.uint8)
    out[r : r + h, c : c + w] = g
    return out


def fit_canvas(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Output = the input placed on a bigger empty canvas (a corner or the centre; the canvas size fixed, a
    linear function of the input's, or a count of the input times its side), then smeared: every empty cell
    takes the colour of the nearest coloured cell behind it in a learned direction (or four straight ones,
    each from the placed input), inside the input too or only around it."""
    if _has_mark(inputs) or any((g == 0).all() for g in inputs):
        return None
    if any(b.shape[0] < a.shape[0] or b.shape[1] < a.shape[1] for a, b in zip(inputs, outputs, strict=True)):
        return None
    if all(a.shape == b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    rules: list[tuple] = []
    sides = [_side_rule([a.shape[ax] for a in inputs], [b.shape[ax] for b in outputs]) for ax in (0, 1)]
    if sides[0] is not None and sides[1] is not None:
        rules.append(("linear", sides[0], sides[1]))
    if all(b.shape[0] == b.shape[1] for b in outputs):
        for name in ("colours", "cells"):
            if all(
                _count(a, name) * max(a.shape) == b.shape[0] for a, b in zip(inputs, outputs, strict=True)
            ):
                rules.append(("count", name))
                break
    a0, b0 = inputs[0], outputs[0]
    for rule in rules:
        for anchor in ("tl", "tr", "bl", "br", "centre"):
            c0 = _place(a0, b0.shape[0], b0.shape[1], anchor)
            # smearing fills empty cells only: the placed input's coloured cells must be in the output
            if c0 is None or c0.shape != b0.shape or ((c0 != 0) & (c0 != b0)).any():
                continue
            for dirs, outside in itertools.product(_DIRS.values(), (False, True)):
                if outside and not dirs:
                    continue

                def predict(
                    g: Grid,
                    rule: tuple = rule,
                    anchor: str = anchor,
                    dirs: tuple = dirs,
                    outside: bool = outside,
                ) -> Grid | None:
                    H, W = _canvas_shape(g, rule)
                    c = _place(g, H, W, anchor)
                    if c is None:
                        return None
                    out = c.copy()
                    # cells that may be painted: every empty one, or only those outside the placed input
                    free = out == 0
                    if outside:
                        inside = _place(np.ones_like(g), H, W, anchor)
                        free &= inside == 0
                    for dy, dx in dirs:
                        out = np.where(free & (out == 0), _smear(c, dy, dx), out)
                    return out.astype(np.uint8)

                p0 = predict(a0)
                if p0 is None or p0.shape != b0.shape or not np.array_equal(p0, b0):
                    continue
                if _verify(predict, inputs, outputs, tests):
                    return predict
    return None


EXTRACT_LEARNERS: list[tuple[str, Learner]] = [
    ("count_scale", fit_count_scale),
    ("grid_extend", fit_grid_extend),
    ("kron", fit_kron),
    ("colour_lookup", fit_colour_lookup),
    ("corner_overlay", fit_corner_overlay),
    ("key_mask", fit_key_mask),
    ("canvas", fit_canvas),
]
