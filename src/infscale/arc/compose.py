"""Greedy composition of search states into an output (icecuber's "pieces").

Many outputs are not one program's grid but several programs' grids laid on top of each other: the input
with the lines one transform draws and the fill another computes. The search keeps every state whose train
grids have the train outputs' shapes; a state is a *piece* when, on every train pair, each of its opaque
(non-zero) cells equals the output there. Over a *base* (a state, or an empty grid), pieces are chosen
greedily, each covering the most output cells the base and the pieces so far get wrong, until every train
output is reproduced exactly. The test prediction paints the same pieces, in the same order, over the
base's test grid. Mask states (the internal "new colour" marker) become pieces once per output colour.

Everything is vectorised over the pool: one boolean matrix of pieces by train cells.
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


def _variants(entry: PoolEntry, colours: Sequence[int]) -> list[tuple[tuple[Grid, ...], str]]:
    """The entry itself, or, for a mask state, one painted version per output colour."""
    if not any((g == MARK).any() for g in entry.grids):
        return [(entry.grids, entry.program)]
    out = []
    for c in colours:
        painted = tuple(np.where(g == MARK, np.uint8(c), g).astype(np.uint8) for g in entry.grids)
        out.append((painted, f"{entry.program} | paint{c}"))
    return out


def compose(
    pool: Sequence[PoolEntry],
    train_out: Sequence[Grid],
    *,
    max_pieces: int = 3,
    max_bases: int = 24,
    deadline: float | None = None,
) -> list[Composition]:
    """Compositions reproducing every train output, simplest first (at most one per base)."""
    n = len(train_out)
    if not pool or n == 0:
        return []
    colours = sorted({int(c) for o in train_out for c in np.unique(o) if c != 0})
    flat_target = np.concatenate([o.ravel() for o in train_out])
    images: list[tuple[Grid, ...]] = []
    names: list[str] = []
    depths: list[int] = []
    for e in pool:
        for grids, name in _variants(e, colours):
            images.append(grids)
            names.append(name)
            depths.append(e.depth)
    if not images:
        return []
    # Shallow pieces first, so that argmax prefers them among equal gains.
    order = sorted(range(len(images)), key=lambda k: depths[k])
    images = [images[k] for k in order]
    names = [names[k] for k in order]
    depths = [depths[k] for k in order]
    flat = np.stack([np.concatenate([g.ravel() for g in im[:n]]) for im in images])  # (K, L)
    opaque = flat != 0
    agrees = flat == flat_target
    piece = ~(opaque & ~agrees).any(axis=1) & opaque.any(axis=1)
    test_shapes = [tuple(g.shape for g in im[n:]) for im in images]

    piece_idx = np.flatnonzero(piece)
    if piece_idx.size == 0:
        return []
    cover = opaque[piece_idx]  # (P, L): cells each piece paints, all correct
    # Bases: the empty grid, then the states closest to the outputs (no marker cells left).
    clean = np.array([not (im_flat >= MARK).any() for im_flat in flat])
    acc = agrees.mean(axis=1)
    base_order = [k for k in np.argsort(-acc, kind="stable") if clean[k]][:max_bases]
    results: list[Composition] = []
    seen: set[bytes] = set()
    for b in [-1, *base_order]:
        if deadline is not None and time.perf_counter() > deadline:
            break
        need = (flat_target != 0) if b < 0 else ~agrees[b]
        if not need.any():
            continue  # the base alone fits: the search has it already
        chosen: list[int] = []
        while need.any() and len(chosen) < max_pieces:
            gains = (cover & need).sum(axis=1)
            best = int(np.argmax(gains))
            if gains[best] == 0:
                break
            chosen.append(int(piece_idx[best]))
            need = need & ~cover[best]
        if need.any() or not chosen:
            continue
        preds = _paint(images, chosen, b, n, test_shapes)
        if preds is None:
            continue
        key = b"|".join(p.tobytes() + bytes(p.shape) for p in preds)
        if key in seen:
            continue
        seen.add(key)
        parts = [names[k] for k in chosen]
        base_name = "empty" if b < 0 else names[b]
        program = f"compose(base={base_name}; " + "; ".join(parts) + ")"
        base_depth = 0 if b < 0 else depths[b]
        complexity = max([base_depth, *(depths[k] for k in chosen)]) + 1.0 + 0.5 * len(chosen)
        results.append(Composition(program, complexity, preds))
    results.sort(key=lambda c: c.complexity)
    return results


def _paint(
    images: Sequence[tuple[Grid, ...]],
    chosen: Sequence[int],
    base: int,
    n: int,
    test_shapes: Sequence[tuple[tuple[int, ...], ...]],
) -> list[Grid] | None:
    """Test predictions: the base's test grids with the pieces painted, the first chosen on top."""
    shapes = test_shapes[chosen[0]] if base < 0 else test_shapes[base]
    if any(test_shapes[k] != shapes for k in chosen):
        return None
    preds = []
    for t, shape in enumerate(shapes):
        out = np.zeros(shape, np.uint8) if base < 0 else images[base][n + t].copy()
        for k in reversed(chosen):
            g = images[k][n + t]
            out = np.where(g != 0, g, out)
        if (out >= MARK).any():
            return None
        preds.append(out.astype(np.uint8))
    return preds
