"""Count and summary learners for shape-changing tasks: the output is a short list or small grid that
summarises a relation or a structure of the input.

Same contract as :mod:`.learners`: ``fit(train_in, train_out, test_in) -> Predictor | None``, a predictor
only when it reproduces every train pair exactly and applies to every test input. Each learner refuses
early (output shape, colours) so it stays cheap on the search's intermediate states.

- :func:`fit_colour_layers`: output = the input's non-background colours as a row or column, ordered by
  how they occlude each other (a line or outline of one colour cut by another lies below it).
- :func:`fit_self_kron`: output = the input drawn inside each of its own cells, keeping in each block the
  cells of that cell's colour (or of the other colours): a fractal.
- :func:`fit_shear`: output = the input sheared into a parallelogram (row i shifted by i).
- :func:`fit_line_square`: parallel lines of distinct colours (partly hidden) -> an n x n square of them.
- :func:`fit_tile_consensus`: for a grid split by separators into copies of one tile, output = the tile
  (per-position majority), possibly with the positions where some copy differs marked.
- :func:`fit_cell_list_fold`: scattered cells read column by column, written into a small fixed grid.
- :func:`fit_largest_bars`: the largest objects' colours as bars as long as their size.
- :func:`fit_staircase`: a bar at a row's start grown by one cell per row.
- :func:`fit_counted_copies`: k copies of the input in reading order on an n x n canvas of slots, k and n
  counts of the input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .learners import Learner
from .object_learners import _cell_grid, _first_fit, _has_mark, _verify
from .objects import objects
from .primitives import Grid

Predictor = Callable[[Grid], Grid | None]


# ---------------------------------------------------------------- stacking order of colours
def _occlusions(g: Grid, bg: int, max_run: int = 3) -> np.ndarray:
    """votes[c, d] = how many runs of colour ``c`` (up to ``max_run`` long, along a row, column or
    diagonal) have colour ``d`` on both sides, two cells deep on one side at least: ``c`` cuts through a
    line of ``d``, so it lies on top (one cell each side is not enough: a narrow shape of ``d`` lying on
    ``c`` looks so)."""
    h, w = g.shape
    o = max_run + 2
    p = np.pad(g.astype(np.int64), o, constant_values=-1)
    votes = np.zeros((10, 10), dtype=np.int64)

    def at(k: int, dy: int, dx: int) -> np.ndarray:
        return p[o + k * dy : o + k * dy + h, o + k * dx : o + k * dx + w]

    centre = at(0, 0, 0)
    for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
        before = at(-1, dy, dx)
        # a line that meets the border counts as long, except along diagonals (an L corner's two arms
        # are diagonal neighbours of the cell inside the corner)
        edge = -1 if dy == 0 or dx == 0 else -2
        long_before = (before == at(-2, dy, dx)) | (at(-2, dy, dx) == edge)
        run_ok = (centre != bg) & (centre >= 0) & (before != centre) & (before != bg) & (before >= 0)
        for k in range(1, max_run + 1):
            if k > 1:
                run_ok &= at(k - 1, dy, dx) == centre
            hit = (
                run_ok
                & (at(k, dy, dx) == before)
                & (long_before | (at(k + 1, dy, dx) == before) | (at(k + 1, dy, dx) == edge))
            )
            if hit.any():
                np.add.at(votes, (centre[hit], before[hit]), 1)
    return votes


def _outline_occlusions(g: Grid, bg: int, cols: list[int]) -> np.ndarray:
    """votes[c, d] = how many cells of colour ``c`` sit on the outline of colour ``d``'s bounding box when
    ``d`` draws that outline (a line, or a rectangle's border; at least half of it and nothing inside):
    ``c`` covers part of the outline, so it lies on top."""
    votes = np.zeros((10, 10), dtype=np.int64)
    for d in cols:
        ys, xs = np.nonzero(g == d)
        r0, r1, c0, c1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        box = g[r0:r1, c0:c1]
        ring = np.ones(box.shape, dtype=bool)
        ring[1:-1, 1:-1] = False
        if (box[~ring] == d).any() or 2 * (box[ring] == d).sum() < ring.sum() or ring.sum() < 3:
            continue
        on = box[ring]
        on = on[(on != d) & (on != bg)]
        np.add.at(votes, (on, np.full(on.shape, d)), 1)
    return votes


def _layer_order(g: Grid) -> list[int] | None:
    """The non-background colours from the bottom layer to the top one, when the occlusions seen give a
    single total order (else None)."""
    cnt = np.bincount(g.ravel(), minlength=10)
    bg = int(cnt.argmax())
    cols = [c for c in range(10) if cnt[c] and c != bg]
    if len(cols) < 2 or len(cols) > 9:
        return None
    votes = _occlusions(g, bg) + _outline_occlusions(g, bg, cols)
    above = {c: {d for d in cols if d != c and votes[c, d] > votes[d, c]} for c in cols}
    # transitive closure (few colours): c above d above e -> c above e
    changed = True
    while changed:
        changed = False
        for c in cols:
            more = set().union(*(above[d] for d in above[c])) - above[c]
            if more:
                above[c] |= more
                changed = True
    if any(c in above[c] for c in cols):
        return None  # a cycle: no stacking explains the picture
    order = sorted(cols, key=lambda c: len(above[c]))
    if [len(above[c]) for c in order] != list(range(len(cols))):
        return None  # two colours never compared, directly or through others
    return order


def fit_colour_layers(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = the non-background colours as one row or column, from the bottom layer up (or the top
    down), the stacking read off where one colour's line or outline is cut by another's."""
    if _has_mark(inputs) or not all(min(b.shape) == 1 and max(b.shape) > 1 for b in outputs):
        return None
    rows = {b.shape[0] == 1 for b in outputs}
    if len(rows) != 1:
        return None
    as_row = rows.pop()
    for a, b in zip(inputs, outputs, strict=True):
        if b.size != len(set(b.ravel().tolist())) or not set(b.ravel().tolist()) <= set(a.ravel().tolist()):
            return None
    for top_first in (False, True):

        def predict(g: Grid, top_first: bool = top_first) -> Grid | None:
            order = _layer_order(g)
            if order is None:
                return None
            v = np.array(order[::-1] if top_first else order, dtype=np.uint8)
            return v[None, :] if as_row else v[:, None]

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- the grid drawn inside each of its cells
def _self_kron(g: Grid, mode: str, bg: int) -> Grid | None:
    """An (h*h, w*w) grid whose block (i, j) draws the input as seen from cell (i, j) of colour c: "same"
    keeps the cells of colour c, "other" (for a non-background c) the cells of the other colours; the rest
    is background. (The whole input copied where a cell is coloured is ``extract_learners.fit_kron``.)"""
    h, w = g.shape
    if h * h > 30 or w * w > 30:
        return None
    out = np.full((h * h, w * w), bg, dtype=np.uint8)
    for i in range(h):
        for j in range(w):
            c = g[i, j]
            keep = (g == c) if mode == "same" else (g != c) & (c != bg)
            out[i * h : (i + 1) * h, j * w : (j + 1) * w] = np.where(keep, g, bg)
    return out


def fit_self_kron(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Output = the input drawn inside each of its own cells (a fractal): in block (i, j), the input's
    cells of the colour of cell (i, j) (or of the other colours), on the majority colour of the train
    outputs."""
    if _has_mark(inputs):
        return None
    if any(
        b.shape != (a.shape[0] ** 2, a.shape[1] ** 2) or a.size < 4
        for a, b in zip(inputs, outputs, strict=True)
    ):
        return None
    bgs = {int(np.bincount(b.ravel()).argmax()) for b in outputs}
    return _first_fit(
        _self_kron,
        ((mode, bg) for bg in sorted(bgs | {0}) for mode in ("same", "other")),
        inputs,
        outputs,
        tests,
    )


# ---------------------------------------------------------------- shear: each row (column) shifted by its index
def _shear(g: Grid, axis: int, down: bool, fill: int) -> Grid:
    """Row i (``axis`` 0; column i for 1) shifted right (down) by i cells, or by n-1-i when ``down`` is
    False, on a grid widened by n-1 cells of ``fill``: a parallelogram."""
    t = g if axis == 0 else g.T
    n, m = t.shape
    out = np.full((n, m + n - 1), fill, dtype=np.uint8)
    for i in range(n):
        s = i if down else n - 1 - i
        out[i, s : s + m] = t[i]
    return out if axis == 0 else out.T.copy()


def fit_shear(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Output = the input sheared into a parallelogram: each row (or column) shifted by its index (or its
    distance to the last one), the new corners filled with a learned colour."""
    if _has_mark(inputs):
        return None
    for axis in (0, 1):
        if any(b.shape[axis] != a.shape[axis] for a, b in zip(inputs, outputs, strict=True)):
            continue
        if any(
            b.shape[1 - axis] != a.shape[1 - axis] + a.shape[axis] - 1
            for a, b in zip(inputs, outputs, strict=True)
        ):
            continue
        for down in (True, False):
            fill = int(outputs[0][0, -1] if down else outputs[0][0, 0])  # a corner the shear leaves empty

            def predict(g: Grid, axis: int = axis, down: bool = down, fill: int = fill) -> Grid | None:
                return _shear(g, axis, down, fill)

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- lattice: the common tile and its flaws
def _tile_stack(g: Grid) -> np.ndarray | None:
    """The cells of a grid split by separator lines, as a (k, h, w) stack (the cells must share a shape)."""
    lay = _cell_grid(g)
    if lay is None:
        return None
    rows, cols, _ = lay
    cells = [g[r0:r1, c0:c1] for r0, r1 in rows for c0, c1 in cols]
    if len({c.shape for c in cells}) != 1 or len(cells) < 3:
        return None
    return np.stack(cells)


def _consensus(g: Grid, mark: int) -> Grid | None:
    """The per-position majority of the lattice's cells; with ``mark`` >= 0, the positions where some
    cell departs from the majority are painted ``mark``."""
    st = _tile_stack(g)
    if st is None:
        return None
    k, h, w = st.shape
    flat = st.reshape(k, -1).astype(np.int64)
    counts = np.zeros((10, flat.shape[1]), dtype=np.int64)
    for v in range(10):
        counts[v] = (flat == v).sum(axis=0)
    major = counts.argmax(axis=0)
    if (2 * counts.max(axis=0) <= k).any():
        return None  # no clear majority: not a repeated tile
    out = major.reshape(h, w).astype(np.uint8)
    if mark >= 0:
        out[(flat != major[None, :]).any(axis=0).reshape(h, w)] = mark
    return out


def fit_tile_consensus(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """A grid split by separators into copies of one tile, a few cells altered: output = the tile (each
    position's majority), or the tile with the altered positions painted a learned colour."""
    if _has_mark(inputs) or any(b.size * 3 > a.size for a, b in zip(inputs, outputs, strict=True)):
        return None
    new = set().union(
        *(set(b.ravel().tolist()) - set(a.ravel().tolist()) for a, b in zip(inputs, outputs, strict=True))
    )
    return _first_fit(
        _consensus, ((mark,) for mark in (sorted(new) if len(new) == 1 else [-1])), inputs, outputs, tests
    )


# ---------------------------------------------------------------- scattered cells listed into a small grid
def _fold(seq: list[int], shape: tuple[int, int], snake: bool, fill: int) -> Grid | None:
    """``seq`` written into a grid of ``shape`` row by row (every other row reversed with ``snake``)."""
    h, w = shape
    if len(seq) > h * w:
        return None
    flat = np.full(h * w, fill, dtype=np.uint8)
    flat[: len(seq)] = seq
    out = flat.reshape(h, w)
    if snake:
        out[1::2] = out[1::2, ::-1].copy()
    return out


def fit_cell_list_fold(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output (a fixed small shape) = the colours of the input's non-background cells, read column by
    column (or row by row), written into the output row by row or in a snake, the rest background."""
    shape = outputs[0].shape
    if _has_mark(inputs) or any(b.shape != shape for b in outputs) or outputs[0].size > 30:
        return None
    if any(a.size <= 2 * b.size for a, b in zip(inputs, outputs, strict=True)):
        return None
    bg = 0
    for a, b in zip(inputs, outputs, strict=True):
        if int((a != bg).sum()) > b.size or int((a != bg).sum()) < 2:
            return None
    for by_cols in (True, False):
        for snake in (False, True):

            def predict(g: Grid, by_cols: bool = by_cols, snake: bool = snake) -> Grid | None:
                t = g.T if by_cols else g
                seq = t[t != bg].tolist()
                return _fold(seq, shape, snake, bg)

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- the largest objects as bars
def _largest_bars(g: Grid, by_cols: bool) -> Grid | None:
    """The colours of the largest objects (all those tied), ordered left to right (top to bottom), each a
    bar as long as the objects' size: side by side columns (or stacked rows)."""
    objs = objects(g, 0, True, False)
    if not objs:
        return None
    size = max(o.size for o in objs)
    top = [o for o in objs if o.size == size]
    top.sort(key=lambda o: (o.c0, o.r0) if by_cols else (o.r0, o.c0))
    if size > 30 or len({o.colour for o in top}) != len(top):
        return None
    bars = np.array([[o.colour for o in top]] * size, dtype=np.uint8)
    return bars if by_cols else bars.T.copy()


def fit_largest_bars(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = one bar per largest object (ties all kept), in the objects' left-to-right order, each as
    long as the objects' cell count, in the object's colour."""
    for a, b in zip(inputs, outputs, strict=True):
        bars = (b == b[:1]).all() or (b == b[:, :1]).all()  # constant columns or constant rows
        if not bars or b.size >= a.size or len(np.unique(b)) != min(b.shape):
            return None
    if _has_mark(inputs):
        return None
    return _first_fit(_largest_bars, ((by_cols,) for by_cols in (True, False)), inputs, outputs, tests)


# ---------------------------------------------------------------- a bar grown into a staircase
def _staircase(g: Grid, rows: str) -> Grid | None:
    """A single row whose coloured run starts at the left, grown by one cell per new row; ``rows`` says how
    many rows: "half" the width, "fill" until the run reaches the right side, "run" its initial length."""
    if g.shape[0] != 1:
        return None
    row = g[0]
    c = int(row[0])
    n = int(np.argmin(np.append(row == c, False)))
    if c == 0 or (row[n:] != 0).any():
        return None
    w = row.size
    k = {"half": w // 2, "fill": w - n + 1, "run": n}[rows]
    if k < 1 or n + k - 1 > w or k > 30:
        return None
    out = np.zeros((k, w), dtype=np.uint8)
    for i in range(k):
        out[i, : n + i] = c
    return out


def fit_staircase(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """A one-row input holding a bar at its left end: output = the bar grown by one cell per row (a
    staircase), for as many rows as half the width, the bar's length, or until it fills the row (a grid
    given as a column is handled transposed)."""
    if _has_mark(inputs) or any(a.shape == b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    for transpose in (False, True):
        ins = [a.T if transpose else a for a in inputs]
        if any(a.shape[0] != 1 for a in ins):
            continue
        for rows in ("half", "fill", "run"):

            def predict(g: Grid, rows: str = rows, transpose: bool = transpose) -> Grid | None:
                out = _staircase(g.T if transpose else g, rows)
                return None if out is None else out.T.copy() if transpose else out

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- parallel lines summarised as a square
def _line_colours(g: Grid) -> tuple[list[int], bool] | None:
    """The colours that each draw one straight line (all their cells in one row, or all in one column),
    in order across the lines, and whether the lines are horizontal; other colours (a block lying over
    the lines) are ignored. None unless there are two lines or more, all in the same direction."""
    cnt = np.bincount(g.ravel(), minlength=10)
    bg = int(cnt.argmax())
    rows: list[tuple[int, int]] = []
    cols: list[tuple[int, int]] = []
    for c in range(10):
        if c == bg or not cnt[c] or cnt[c] < 2:
            continue
        ys, xs = np.nonzero(g == c)
        if (ys == ys[0]).all():
            rows.append((int(ys[0]), c))
        elif (xs == xs[0]).all():
            cols.append((int(xs[0]), c))
    if (len(rows) >= 2) == (len(cols) >= 2) or min(len(rows), len(cols)) > 0:
        return None
    lines = sorted(rows or cols)
    if len({p for p, _ in lines}) != len(lines):
        return None  # two colours on one line: no order
    return [c for _, c in lines], bool(rows)


def fit_line_square(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Parallel lines of distinct colours (possibly partly hidden by a block): output = an n x n square
    for n lines, one line per colour in the lines' order and direction."""
    if _has_mark(inputs) or any(
        b.shape[0] != b.shape[1] or a.shape == b.shape for a, b in zip(inputs, outputs, strict=True)
    ):
        return None

    def predict(g: Grid) -> Grid | None:
        found = _line_colours(g)
        if found is None:
            return None
        seq, horizontal = found
        v = np.array(seq, dtype=np.uint8)
        sq = np.repeat(v[:, None], len(seq), axis=1)
        return sq if horizontal else sq.T.copy()

    if _verify(predict, inputs, outputs, tests):
        return predict
    return None


# ---------------------------------------------------------------- counted copies in reading order
def _counts(g: Grid) -> dict[str, int]:
    """Counts an output's size or number of copies may follow."""
    fg = int((g != 0).sum())
    return {
        "cells": fg,
        "empty": int(g.size - fg),
        "colours": len(set(g[g != 0].tolist())),
        "objects": len(objects(g, 0, True, False)),
    }


def _counted_copies(g: Grid, copies: str, side: str) -> Grid | None:
    """A canvas of n x n input-sized slots (n = count ``side``) holding k copies of the input (k = count
    ``copies``) in reading order, the other slots empty."""
    cnt = _counts(g)
    k, n = cnt[copies], cnt[side]
    h, w = g.shape
    if n < 1 or k < 1 or k > n * n or n * max(h, w) > 30:
        return None
    out = np.zeros((n * h, n * w), dtype=np.uint8)
    for i in range(k):
        r, c = divmod(i, n)
        out[r * h : (r + 1) * h, c * w : (c + 1) * w] = g
    return out


def fit_counted_copies(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = copies of the input laid in reading order on a square canvas of input-sized slots, the
    number of copies and the canvas side both counts of the input (coloured or empty cells, colours,
    objects); the sizes must vary across the train pairs, else a fixed tiling says the same."""
    if _has_mark(inputs):
        return None
    for a, b in zip(inputs, outputs, strict=True):
        if (
            b.shape[0] % a.shape[0]
            or b.shape[1] % a.shape[1]
            or b.shape[0] // a.shape[0] != b.shape[1] // a.shape[1]
        ):
            return None
    if len({b.shape[0] // a.shape[0] for a, b in zip(inputs, outputs, strict=True)}) < 2:
        return None
    return _first_fit(
        _counted_copies,
        (
            (copies, side)
            for side in ("empty", "cells", "colours", "objects")
            for copies in ("cells", "empty", "colours", "objects")
        ),
        inputs,
        outputs,
        tests,
    )


COUNT_LEARNERS: list[tuple[str, Learner]] = [
    ("colour_layers", fit_colour_layers),
    ("self_kron", fit_self_kron),
    ("shear", fit_shear),
    ("tile_consensus", fit_tile_consensus),
    ("cell_list_fold", fit_cell_list_fold),
    ("largest_bars", fit_largest_bars),
    ("staircase", fit_staircase),
    ("line_square", fit_line_square),
    ("counted_copies", fit_counted_copies),
]
