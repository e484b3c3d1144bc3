"""Greedy composition of search states into an output (icecuber's "pieces").

Many outputs are not one program's grid but several programs' grids laid on top of each other: the input
with the lines one transform draws and the fill another computes. The search keeps every state whose train
grids have the train outputs' shapes; a state is a *piece* when, on every train pair, each of its opaque
(non-zero) cells equals the output there. Optionally, a state only partly right gives *colour pieces*:
the cells where it has one colour c, painted the one colour c' the outputs have there on every train pair
(c may be 0: "where the state is blank, the output is c'"). Over a *base* (a state, or an empty grid),
pieces are chosen greedily, each covering the most output cells the base and the pieces so far get wrong,
until every train output is reproduced exactly. The test prediction paints the same pieces, in the same
order, over the base's test grid. Mask states (the internal "new colour" marker) become pieces once per
output colour.

More pieces fit more by accident, so a composition of colour pieces (opt-in: they solved no dev task the
search missed) or of more than ``max_pieces`` (2) pieces must pass a leave-one-pair-out check: the pieces
chosen greedily on the other train pairs alone must reproduce each held-out pair. (A base and three unchecked
pieces, with the wider vocabulary of smears and output-shape transforms, made a wrong fit on ARC-AGI-1
training; every right 3-piece composition of the dev sets passes the check.)

Everything is vectorised over the pool: one packed bit matrix of pieces by train cells; a mask state's
test grids are painted only when it is chosen.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .dsl.primitives import MARK, Grid


@dataclass
class PoolEntry:
    """A search state whose train grids all have the train outputs' shapes."""

    grids: tuple[Grid, ...]  # train grids then test grids
    program: str
    depth: int


@dataclass
class Composition:
    program: str
    complexity: float
    predictions: list[Grid]


@dataclass
class _Pieces:
    """Pieces: image index, source colour (-1: every opaque cell), paint colour (-1: the image's own)."""

    src: np.ndarray
    colour: np.ndarray
    paint: np.ndarray
    bits: np.ndarray  # (P, ceil(L / 8)) packed train cells each piece paints, all correctly


def _colour_pieces(
    flat: np.ndarray, target: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(image, c, c') for every colour c of the given images under which all outputs have one colour c'."""
    code = np.arange(rows.size)[:, None] * 100 + flat[rows].astype(np.int64) * 10 + target[None, :]
    counts = np.bincount(code.ravel(), minlength=rows.size * 100).reshape(rows.size, 10, 10)
    total = counts.sum(axis=2)
    k, c = np.nonzero((total > 0) & (counts.max(axis=2) == total))
    return rows[k], c, counts[k, c].argmax(axis=1)


def _gains(bits: np.ndarray, need: np.ndarray) -> np.ndarray:
    return np.bitwise_count(bits & need).sum(axis=1, dtype=np.int64)


def _greedy(bits: np.ndarray, need: np.ndarray, max_pieces: int) -> list[int] | None:
    """Pieces (rows of ``bits``) covering ``need``, each the largest gain, or None."""
    chosen: list[int] = []
    while need.any():
        if len(chosen) == max_pieces or bits.shape[0] == 0:
            return None
        gains = _gains(bits, need)
        best = int(np.argmax(gains))
        if gains[best] == 0:
            return None
        chosen.append(best)
        need = need & ~bits[best]
    return chosen


def compose(
    pool: Sequence[PoolEntry],
    train_out: Sequence[Grid],
    *,
    max_pieces: int = 2,
    max_bases: int = 24,
    deadline: float | None = None,
    wide_pieces: int = 3,
    colour_pieces: bool = False,
    colour_images: int = 400,
    held_out_check: bool = True,
) -> list[Composition]:
    """Compositions reproducing every train output, simplest first (at most one per base).

    Up to ``max_pieces`` whole pieces need no more evidence; compositions with colour pieces (when
    ``colour_pieces``; from the ``colour_images`` states closest to the outputs; off by default) or with up
    to ``wide_pieces`` pieces must pass the leave-one-pair-out check (see the module docstring)."""
    n = len(train_out)
    if not pool or n == 0:
        return []
    colours = sorted({int(c) for o in train_out for c in np.unique(o) if c != 0})
    flat_target = np.concatenate([o.ravel() for o in train_out])
    # Shallow pieces first, so that argmax prefers them among equal gains.
    entries = sorted(pool, key=lambda e: e.depth)
    flat_entries = np.stack([np.concatenate([g.ravel() for g in e.grids[:n]]) for e in entries])
    # Images: the entries, a mask entry once per output colour its marker cells are painted.
    # (A marker on a test grid alone is caught when painting: such a prediction is dropped.)
    marked = (flat_entries == MARK).any(axis=1)
    images: list[tuple[PoolEntry, int]] = []
    rows: list[np.ndarray] = []
    for e, f, m in zip(entries, flat_entries, marked, strict=True):
        if not m:
            images.append((e, -1))
            rows.append(f)
            continue
        for c in colours:
            images.append((e, c))
            rows.append(np.where(f == MARK, np.uint8(c), f))
    if not images:
        return []
    flat = np.stack(rows)  # (K, L)
    depths = [e.depth for e, _ in images]
    opaque = flat != 0
    agrees = flat == flat_target
    whole = ~(opaque & ~agrees).any(axis=1) & opaque.any(axis=1)

    w = np.flatnonzero(whole)
    src, col, paint = [w], [np.full(w.size, -1)], [np.full(w.size, -1)]
    covers = [opaque[w]]
    clean = np.asarray(np.all(flat < MARK, axis=1))
    acc = agrees.mean(axis=1)
    by_acc = [int(k) for k in np.argsort(-acc, kind="stable") if clean[k]]
    if colour_pieces:
        # From the states closest to the outputs; a whole piece's opaque colours are painted already.
        top = np.array(by_acc[:colour_images], np.int64)
        ks, cs, ps = _colour_pieces(flat, flat_target.astype(np.int64), top)
        new = (cs == 0) | ~whole[ks]
        src.append(ks[new])
        col.append(cs[new])
        paint.append(ps[new])
        covers.append(flat[ks[new]] == cs[new, None])
    cover = np.concatenate(covers)
    if cover.shape[0] == 0:
        return []
    # One piece per set of train cells painted (the first: whole pieces, then the shallowest).
    bits_all = np.packbits(cover, axis=1)
    firsts: dict[bytes, int] = {}
    for i, row in enumerate(bits_all):
        firsts.setdefault(row.tobytes(), i)
    keep = np.fromiter(firsts.values(), np.int64, len(firsts))
    pieces = _Pieces(
        np.concatenate(src)[keep], np.concatenate(col)[keep], np.concatenate(paint)[keep], bits_all[keep]
    )
    # Cells of each train pair, to hold one out.
    pair_of = np.concatenate([np.full(o.size, j) for j, o in enumerate(train_out)])
    pair_bits = [np.packbits(pair_of == j) for j in range(n)]
    # Bases: the empty grid, then the states closest to the outputs (no marker cells left).
    base_order = by_acc[:max_bases]
    results: list[Composition] = []
    seen: set[bytes] = set()
    for b in [-1, *base_order]:
        if deadline is not None and time.perf_counter() > deadline:
            break
        need_cells = (flat_target != 0) if b < 0 else ~agrees[b]
        if not need_cells.any():
            continue  # the base alone fits: the search has it already
        need = np.packbits(need_cells)
        useful = np.flatnonzero(_gains(pieces.bits, need) > 0)
        bits = pieces.bits[useful]
        chosen = _greedy(bits, need, max(max_pieces, wide_pieces))
        if chosen is None:
            continue
        novel = len(chosen) > max_pieces or (pieces.colour[useful[chosen]] >= 0).any()
        if novel and held_out_check and not _held_out_ok(bits, need, pair_bits, max(max_pieces, wide_pieces)):
            continue
        idx = [int(useful[i]) for i in chosen]
        preds = _paint(images, pieces, idx, b, n)
        if preds is None:
            continue
        key = b"|".join(p.tobytes() + bytes(p.shape) for p in preds)
        if key in seen:
            continue
        seen.add(key)
        parts = [_piece_name(images, pieces, i) for i in idx]
        base_name = "empty" if b < 0 else _image_name(images[b])
        program = f"compose(base={base_name}; " + "; ".join(parts) + ")"
        base_depth = 0 if b < 0 else depths[b]
        n_colour = int((pieces.colour[idx] >= 0).sum())
        complexity = (
            max([base_depth, *(depths[pieces.src[i]] for i in idx)]) + 1.0 + 0.5 * len(idx) + 0.25 * n_colour
        )
        results.append(Composition(program, complexity, preds))
    results.sort(key=lambda c: c.complexity)
    return results


def _held_out_ok(
    bits: np.ndarray, need: np.ndarray, pair_bits: Sequence[np.ndarray], max_pieces: int
) -> bool:
    """Each train pair's wrong cells are covered by the pieces chosen greedily on the other pairs alone."""
    if len(pair_bits) < 2:
        return False
    for held in pair_bits:
        chosen = _greedy(bits, need & ~held, max_pieces)
        if chosen is None:
            return False
        left = need & held
        for i in chosen:
            left = left & ~bits[i]
        if left.any():
            return False
    return True


def _image_name(image: tuple[PoolEntry, int]) -> str:
    e, c = image
    return e.program if c < 0 else f"{e.program} | paint{c}"


def _piece_name(images: Sequence[tuple[PoolEntry, int]], pieces: _Pieces, i: int) -> str:
    name = _image_name(images[pieces.src[i]])
    if pieces.colour[i] < 0:
        return name
    return f"{name} | where{pieces.colour[i]}->{pieces.paint[i]}"


def _test_grid(image: tuple[PoolEntry, int], n: int, t: int) -> Grid:
    g = image[0].grids[n + t]
    return g if image[1] < 0 else np.where(g == MARK, np.uint8(image[1]), g)


def _paint(
    images: Sequence[tuple[PoolEntry, int]],
    pieces: _Pieces,
    chosen: Sequence[int],
    base: int,
    n: int,
) -> list[Grid] | None:
    """Test predictions: the base's test grids with the pieces painted, the first chosen on top."""

    def shapes(k: int) -> list[tuple[int, ...]]:
        return [g.shape for g in images[k][0].grids[n:]]

    want = shapes(pieces.src[chosen[0]] if base < 0 else base)
    if any(shapes(pieces.src[k]) != want for k in chosen):
        return None
    preds = []
    for t, shape in enumerate(want):
        out = np.zeros(shape, np.uint8) if base < 0 else _test_grid(images[base], n, t).copy()
        for k in reversed(chosen):
            g = _test_grid(images[pieces.src[k]], n, t)
            c, p = int(pieces.colour[k]), int(pieces.paint[k])
            mask = g != 0 if c < 0 else g == c
            out = np.where(mask, g if p < 0 else np.uint8(p), out)
        if (out >= MARK).any():
            return None
        preds.append(out.astype(np.uint8))
    return preds
