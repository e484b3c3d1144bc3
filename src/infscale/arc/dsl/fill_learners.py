"""Fill learners: regions filled, pictures completed or continued by a rule, objects stacked (same shape).

Same contract as :mod:`.learners`: ``fit(train_in, train_out, test_in) -> Predictor | None``, a predictor
only when it reproduces every train pair exactly and applies to every test input. Each learner refuses
early (shape change, a non-background cell that changes, no partition) so it stays cheap on the search's
intermediate grids. Background is black, or the majority colour shared by the inputs.

- :func:`fit_seed_flood`: paint-bucket fill. The background cells reachable from the cells of some "seed"
  colours (through background only) are painted; each step away from a seed takes the colour that follows
  the previous cell's colour in a learned cycle (one colour: a plain flood; two: alternating stripes).
  Seeds are fixed colours, a marker colour flooding with a learned colour, or read off each grid (every
  colour but the background and the commonest, the walls).
- :func:`fit_container_leak`: a box (a one-colour outline with a gap in one side) is filled inside with a
  learned colour and the fill runs out of the gap as a straight beam to the edge (optionally widening
  along the two diagonals from the gap's ends).
- :func:`fit_bridge`: two objects facing each other across empty background (sharing rows or columns)
  are joined by a band of a learned colour (or of their common colour), optionally one cell narrower at
  each end.
- :func:`fit_cell_transform`: a grid split by separator lines with one non-empty cell: every empty cell
  receives a rigid transform of it, the transform learned per offset from the source cell.
- :func:`fit_latin_fill`: masked cells are given the colour their partition cell / row / column lacks,
  every group holding the same colours (sudoku-like completion).
- :func:`fit_box_symmetry`: the picture is completed under the symmetry group its outputs show, about the
  centre of the box around everything drawn (unlike :func:`.pattern_learners.fit_self_symmetry`, which
  searches the best-agreeing centre, this keeps axes and frames as the anchor).
- :func:`fit_shape_trail`: one shape and a one-cell marker: copies of the shape continue from the shape
  through the marker to the edge (the step is the shortest one in the marker's direction that clears the
  shape), in the marker's colour.
- :func:`fit_move_by_size`: every object moves in a learned direction by as many cells as it has
  (stacking / gravity tasks where the distance is the object's weight); never-changing colours stay.
- :func:`fit_row_automaton`: the empty rows (or columns) on either side of a band-shaped picture grow one
  at a time away from it, each cell a learned function of its neighbours in the row before (a 1-D
  cellular automaton; one table per direction; rows may grow every other row).
- :func:`fit_segment_lines`: straight one-colour segments grow into full rows / columns (which
  orientation is drawn on top, and whether lines cover other objects, are learned).
- :func:`fit_to_own_anchor`: per colour the largest object is an anchor (a wall); the other objects of
  that colour slide straight to it and stack, nearest first.
- :func:`fit_position_paint`: cells recoloured by colour and place (first / middle / last / other row and
  column: corners, centre, edges); through ``cell_lift`` it marks cells of a separator grid by place.
- :func:`fit_marker_dye`: a shape touched by single cells of one other colour takes that colour (the
  single cells used up, all removed, or kept).
- :func:`fit_ring_continue`: nested square rings (or their L / U parts) drawn around a corner, an edge or a
  centre are continued over the grid with their period; empty rings take the one new colour.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Sequence

import numpy as np

from . import pattern_learners as _pl
from .learners import Learner, _mask_colour, fit_colour_map
from .object_learners import _first_fit, _has_mark, _same_shape_pairs, _verify
from .objects import Obj, background, objects
from .pattern_learners import _GROUPS, _changes_background_only, _images
from .primitives import RIGID_ALL, Grid

Predictor = Callable[[Grid], Grid | None]

_N4 = ((-1, 0), (1, 0), (0, -1), (0, 1))
_N8 = (*_N4, (-1, -1), (-1, 1), (1, -1), (1, 1))


def _backgrounds(inputs: Sequence[Grid]) -> list[int]:
    """Candidate background colours: black when every input has it, and the common majority colour."""
    out = []
    if all((a == 0).any() for a in inputs):
        out.append(0)
    majors = {background(a) for a in inputs}
    if len(majors) == 1 and (m := majors.pop()) not in out:
        out.append(m)
    return out


def _added_colours(inputs: Sequence[Grid], outputs: Sequence[Grid], bg: int) -> set[int] | None:
    """Colours painted onto background cells, when only background cells change (else None)."""
    added: set[int] = set()
    changed = False
    for a, b in zip(inputs, outputs, strict=True):
        if a.shape != b.shape:
            return None
        d = a != b
        if (d & (a != bg)).any():
            return None
        if d.any():
            changed = True
            added |= set(np.unique(b[d]).tolist())
    return added if changed else None


def _same_counts(a: Grid, b: Grid) -> bool:
    return np.array_equal(np.bincount(a.ravel(), minlength=11), np.bincount(b.ravel(), minlength=11))


# ---------------------------------------------------------------- paint-bucket fill from seed cells
def _seed_flood(g: Grid, bg: int, nxt: dict[int, int], diag: bool) -> Grid | None:
    """Breadth-first fill of the background from every cell whose colour is a key of ``nxt``; a cell
    reached from a cell of colour c takes ``nxt[c]`` (first parent in raster order wins)."""
    h, w = g.shape
    if not np.isin(g, list(nxt)).any():
        return None
    out = g.copy()
    seen = out != bg
    frontier = deque((int(y), int(x)) for y, x in zip(*np.nonzero(np.isin(g, list(nxt))), strict=True))
    nb = _N8 if diag else _N4
    while frontier:
        nxt_front: deque[tuple[int, int]] = deque()
        for y, x in frontier:
            col = nxt.get(int(out[y, x]))
            if col is None:
                continue
            for dy, dx in nb:
                yy, xx = y + dy, x + dx
                if 0 <= yy < h and 0 <= xx < w and not seen[yy, xx]:
                    seen[yy, xx] = True
                    out[yy, xx] = col
                    nxt_front.append((yy, xx))
        frontier = nxt_front
    return out


def _cycles(colours: list[int]) -> list[dict[int, int]]:
    """Colour successor maps: every colour to itself, then the cyclic orders of 2-3 colours."""
    maps = [{c: c for c in colours}]
    if 2 <= len(colours) <= 3:
        first, *rest = colours
        for perm in itertools.permutations(rest):
            order = [first, *perm]
            maps.append({c: order[(i + 1) % len(order)] for i, c in enumerate(order)})
    return maps


def _relative_cycle(g: Grid, bg: int, swap: bool) -> dict[int, int] | None:
    """Seeds read off the grid: every colour but the background and the commonest other colour (the
    walls); with ``swap`` there must be two of them and they alternate."""
    counts = np.bincount(g.ravel(), minlength=10)
    counts[bg] = 0
    if (counts > 0).sum() < 2:
        return None
    walls = int(counts.argmax())
    seeds = [c for c in range(10) if counts[c] and c != walls]
    if not swap:
        return {c: c for c in seeds}
    if len(seeds) != 2:
        return None
    return {seeds[0]: seeds[1], seeds[1]: seeds[0]}


def _whole_regions(inputs: Sequence[Grid], outputs: Sequence[Grid], bg: int) -> bool:
    """The changed cells are whole 4-connected background regions: no changed cell has an unchanged
    background neighbour (a flood never stops half way)."""
    for a, b in zip(inputs, outputs, strict=True):
        ch = a != b
        free = np.pad((a == b) & (a == bg), 1)
        if (ch & (free[:-2, 1:-1] | free[2:, 1:-1] | free[1:-1, :-2] | free[1:-1, 2:])).any():
            return False
    return True


def fit_seed_flood(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Background reachable from seed-coloured cells is flooded, colours cycling per step (see module doc)."""
    if _has_mark(inputs):
        return None
    for bg in _backgrounds(inputs):
        added = _added_colours(inputs, outputs, bg)
        if not added or bg in added or not _whole_regions(inputs, outputs, bg):
            continue
        # seed colours fixed by the task (every painted colour is a seed in every input)...
        fixed: list[dict[int, int] | None] = []
        if len(added) <= 3 and all(np.isin(a, list(added)).any() for a in inputs):
            fixed = list(_cycles(sorted(added)))
        # ... or a marker colour that keeps its own cells and floods its region with the one added colour
        if len(added) == 1:
            fill = next(iter(added))
            shared = set.intersection(*(set(np.unique(a).tolist()) for a in inputs)) - {bg, fill}
            fixed += [{m: fill, fill: fill} for m in sorted(shared)]
        # ... or read off each grid (whatever is neither background nor wall)
        for nxt in [*fixed, None, {}]:
            for diag in (False, True):

                def predict(
                    g: Grid, bg: int = bg, nxt: dict[int, int] | None = nxt, diag: bool = diag
                ) -> Grid | None:
                    table = nxt if nxt else _relative_cycle(g, bg, nxt is None)
                    return None if table is None else _seed_flood(g, bg, table, diag)

                if _verify(predict, inputs, outputs, tests):
                    return predict
    return None


# ---------------------------------------------------------------- a box leaking through its gap
def _leak(g: Grid, bg: int, colour: int, diag: bool) -> Grid | None:
    """Fill every gapped one-colour box and shoot its fill out of the gap (see module doc)."""
    out = g.copy()
    found = False
    for o in objects(g, bg, True, False):
        bh, bw = o.shape
        if bh < 3 or bw < 3:
            continue
        box = g[o.r0 : o.r1, o.c0 : o.c1]
        border = np.ones((bh, bw), dtype=bool)
        border[1:-1, 1:-1] = False
        gap = border & ~o.mask
        if not gap.any() or not o.mask[[0, 0, -1, -1], [0, -1, 0, -1]].all():
            continue
        if (box[gap] != bg).any() or (box[1:-1, 1:-1] != bg).any():
            continue
        if gap.sum() * 2 > border.sum():
            continue
        found = True
        out[o.r0 + 1 : o.r1 - 1, o.c0 + 1 : o.c1 - 1] = colour
        for (y, x), (dy, dx) in _gap_sides(gap):
            ys, xs = o.r0 + y, o.c0 + x
            out[ys, xs] = colour
            _ray(out, g, bg, ys + dy, xs + dx, dy, dx, colour)
            if diag:
                # the beam widens from the ends of the gap along its side
                for sy, sx in ((dx, dy), (-dx, -dy)):
                    ey, ex = y + sy, x + sx
                    if 0 <= ey < bh and 0 <= ex < bw and gap[ey, ex]:
                        continue
                    _ray(out, g, bg, ys + dy + sy, xs + dx + sx, dy + sy, dx + sx, colour)
    return out if found else None


def _gap_sides(gap: np.ndarray) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Every gap cell of a box border with the outward direction of its side."""
    bh = gap.shape[0]
    out = []
    for y, x in zip(*np.nonzero(gap), strict=True):
        y, x = int(y), int(x)
        d = (-1, 0) if y == 0 else (1, 0) if y == bh - 1 else (0, -1) if x == 0 else (0, 1)
        out.append(((y, x), d))
    return out


def _ray(out: Grid, g: Grid, bg: int, y: int, x: int, dy: int, dx: int, colour: int) -> None:
    """Paint background cells from (y, x) along (dy, dx) until the edge or a non-background cell."""
    h, w = g.shape
    while 0 <= y < h and 0 <= x < w and g[y, x] == bg:
        out[y, x] = colour
        y, x = y + dy, x + dx


def fit_container_leak(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Gapped boxes are filled with a learned colour that runs out of the gap (see module doc)."""
    if _has_mark(inputs):
        return None
    for bg in _backgrounds(inputs):
        added = _added_colours(inputs, outputs, bg)
        if added is None or len(added) != 1:
            continue
        colour = added.pop()
        for diag in (False, True):

            def predict(g: Grid, bg: int = bg, colour: int = colour, diag: bool = diag) -> Grid | None:
                return _leak(g, bg, colour, diag)

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- bridges between facing objects
def _bridges(g: Grid, bg: int, colour: int, inset: int) -> Grid | None:
    """Fill the empty band between every two objects that face each other across background (the band
    spans their common rows or columns, less ``inset`` cells at each end); ``colour`` -1: only objects of
    one colour are joined, in that colour."""
    objs = objects(g, bg, False, False)
    if len(objs) < 2 or len(objs) > 12:
        return None
    out = g.copy()
    found = False
    for p, q in itertools.combinations(objs, 2):
        for axis in (0, 1):
            # axis 0: side by side (common rows, band across columns); axis 1: one above the other
            a0, a1, b0, b1 = (p.r0, p.r1, q.r0, q.r1) if axis == 0 else (p.c0, p.c1, q.c0, q.c1)
            s0, s1 = max(a0, b0) + inset, min(a1, b1) - inset
            first, second = (
                (p, q) if (p.c0 if axis == 0 else p.r0) < (q.c0 if axis == 0 else q.r0) else (q, p)
            )
            e0, e1 = (first.c1, second.c0) if axis == 0 else (first.r1, second.r0)
            if s1 <= s0 or e1 <= e0:
                continue
            band = (slice(s0, s1), slice(e0, e1)) if axis == 0 else (slice(e0, e1), slice(s0, s1))
            if (g[band] != bg).any() or (colour < 0 and p.colour != q.colour):
                continue
            out[band] = colour if colour >= 0 else p.colour
            found = True
    return out if found else None


def fit_bridge(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Objects facing each other across empty background are joined by a band of a learned colour."""
    if _has_mark(inputs):
        return None
    for bg in _backgrounds(inputs):
        added = _added_colours(inputs, outputs, bg)
        if not added:
            continue
        colours = [added.pop(), -1] if len(added) == 1 else [-1]
        for colour, inset in itertools.product(colours, (0, 1)):

            def predict(g: Grid, bg: int = bg, colour: int = colour, inset: int = inset) -> Grid | None:
                return _bridges(g, bg, colour, inset)

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- partition cells as transforms of one
def _cells(g: Grid) -> tuple[list[tuple[int, int]], list[tuple[int, int]], int, int] | None:
    """Row spans, column spans, separator colour and cell background of a partition into equal cells
    (of at least two cells), trying every colour that has a full row or column."""
    h, w = g.shape
    full_r = (g == g[:, :1]).all(axis=1)
    full_c = (g == g[:1, :]).all(axis=0)
    for sep in sorted({int(v) for v in g[full_r, 0]} | {int(v) for v in g[0, full_c]}):
        rb = [-1, *np.flatnonzero(full_r & (g[:, 0] == sep)).tolist(), h]
        cb = [-1, *np.flatnonzero(full_c & (g[0, :] == sep)).tolist(), w]
        rows = [(a + 1, b) for a, b in itertools.pairwise(rb) if b > a + 1]
        cols = [(a + 1, b) for a, b in itertools.pairwise(cb) if b > a + 1]
        if (
            len(rows) * len(cols) < 2
            or len({b - a for a, b in rows}) != 1
            or len({b - a for a, b in cols}) != 1
        ):
            continue
        if rows[0][1] - rows[0][0] == 1 and cols[0][1] - cols[0][0] == 1:
            continue
        return rows, cols, sep, 0 if sep != 0 else background(g)
    return None


def _source(
    g: Grid, rows: list[tuple[int, int]], cols: list[tuple[int, int]], bg: int
) -> tuple[int, int] | None:
    """The only cell holding anything but the cell background."""
    full = [
        (i, j)
        for i, (r0, r1) in enumerate(rows)
        for j, (c0, c1) in enumerate(cols)
        if (g[r0:r1, c0:c1] != bg).any()
    ]
    return full[0] if len(full) == 1 else None


def fit_cell_transform(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Empty partition cells become rigid transforms (learned per offset) of the one full cell."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    table: dict[tuple[int, int], list[int]] = {}
    for a, b in zip(inputs, outputs, strict=True):
        found = _cells(a)
        if found is None:
            return None
        rows, cols, _, bg = found
        src = _source(a, rows, cols, bg)
        if src is None:
            return None
        r0, r1 = rows[src[0]]
        c0, c1 = cols[src[1]]
        cell = a[r0:r1, c0:c1]
        for i, (y0, y1) in enumerate(rows):
            for j, (x0, x1) in enumerate(cols):
                if (i, j) == src:
                    continue
                want = b[y0:y1, x0:x1]
                ok = [
                    t
                    for t, f in enumerate(RIGID_ALL)
                    if (img := f(cell)).shape == want.shape and np.array_equal(img, want)
                ]
                if not np.any(want != bg):
                    ok.append(len(RIGID_ALL))  # left empty
                key = (i - src[0], j - src[1])
                table[key] = [t for t in table.get(key, ok) if t in ok]
                if not table[key]:
                    return None
    choice = {k: v[0] for k, v in table.items()}
    if all(t == len(RIGID_ALL) for t in choice.values()):
        return None

    def predict(g: Grid) -> Grid | None:
        found = _cells(g)
        if found is None:
            return None
        rows, cols, _, bg = found
        src = _source(g, rows, cols, bg)
        if src is None:
            return None
        r0, r1 = rows[src[0]]
        c0, c1 = cols[src[1]]
        cell = g[r0:r1, c0:c1]
        out = g.copy()
        for i, (y0, y1) in enumerate(rows):
            for j, (x0, x1) in enumerate(cols):
                if (i, j) == src:
                    continue
                t = choice.get((i - src[0], j - src[1]))
                if t is None:
                    return None
                if t < len(RIGID_ALL):
                    img = RIGID_ALL[t](cell)
                    if img.shape != (y1 - y0, x1 - x0):
                        return None
                    out[y0:y1, x0:x1] = img
        return out

    return predict if _verify(predict, inputs, outputs, tests) else None


# ---------------------------------------------------------------- latin-square (sudoku) completion
def _groups(g: Grid, kind: str) -> list[list[tuple[int, int]]] | None:
    """Cell groups that each hold every colour of the palette once: partition cells, rows, columns."""
    h, w = g.shape
    if kind == "cells":
        found = _cells(g)
        if found is None:
            return None
        rows, cols, _, _ = found
        return [[(y, x) for y in range(r0, r1) for x in range(c0, c1)] for r0, r1 in rows for c0, c1 in cols]
    out = []
    if kind in ("rows", "lines"):
        out += [[(y, x) for x in range(w)] for y in range(h)]
    if kind in ("cols", "lines"):
        out += [[(y, x) for y in range(h)] for x in range(w)]
    return out


def _latin(g: Grid, mask: int, kind: str) -> Grid | None:
    """Fill ``mask`` cells so that every group holds the same multiset of colours (the largest count of
    each colour seen in a group), one group with a single hole at a time."""
    groups = _groups(g, kind)
    if not groups or not (g == mask).any() or len({len(grp) for grp in groups}) != 1:
        return None
    out = g.copy()
    need = np.zeros(10, dtype=np.int64)
    for grp in groups:
        vals = np.array([out[yx] for yx in grp])
        need = np.maximum(need, np.bincount(vals[vals != mask], minlength=10))
    if need.sum() != len(groups[0]):
        return None
    changed = True
    while changed:
        changed = False
        for grp in groups:
            holes = [yx for yx in grp if out[yx] == mask]
            if len(holes) != 1:
                continue
            vals = np.array([out[yx] for yx in grp])
            missing = np.flatnonzero(need - np.bincount(vals[vals != mask], minlength=10))
            if missing.size != 1:
                return None
            out[holes[0]] = missing[0]
            changed = True
    return None if any(out[yx] == mask for grp in groups for yx in grp) else out


def _same_groups(g: Grid, kind: str) -> bool:
    """Every row (column, both, or partition cell) of ``g`` holds the same multiset of colours."""
    if kind == "cells":
        found = _cells(g)
        if found is None:
            return False
        rows, cols, _, _ = found
        parts = [np.sort(g[r0:r1, c0:c1], axis=None) for r0, r1 in rows for c0, c1 in cols]
        return all(np.array_equal(parts[0], q) for q in parts[1:])
    ok = True
    if kind in ("rows", "lines"):
        srt = np.sort(g, axis=1)
        ok &= bool((srt == srt[:1]).all())
    if kind in ("cols", "lines"):
        srt = np.sort(g, axis=0)
        ok &= bool((srt == srt[:, :1]).all())
    return ok


def fit_latin_fill(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Masked cells take the colour missing from their partition cell / row / column, every group holding
    the same colours (a sudoku when each colour occurs once)."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    mask = _mask_colour(inputs, outputs)
    if mask is None or any(np.array_equal(a, b) for a, b in zip(inputs, outputs, strict=True)):
        return None
    # cheap necessary check: some kind of group holds the same colours in every output
    kinds = [k for k in ("cells", "lines", "rows", "cols") if all(_same_groups(b, k) for b in outputs)]
    return _first_fit(_latin, ((mask, kind) for kind in kinds), inputs, outputs, tests)


# ---------------------------------------------------------------- symmetry about the picture's box
def _box_symmetry(g: Grid, group: str) -> Grid | None:
    """Paint background cells with the images of every coloured cell under ``group`` about the centre of
    the box around all non-background cells (the images must stay in the grid)."""
    bg = background(g)
    ys, xs = np.nonzero(g != bg)
    if ys.size < 2:
        return None
    cy2, cx2 = int(ys.min() + ys.max()), int(xs.min() + xs.max())
    cs = g[ys, xs]
    out = g.copy()
    for name in _GROUPS[group]:
        ty, tx, ok = _images(g, ys, xs, cy2, cx2, name)
        if not ok.all():
            return None
        free = g[ty, tx] == bg
        out[ty[free], tx[free]] = cs[free]
    return out


def fit_box_symmetry(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """The picture is completed under the largest symmetry group its outputs show, about the centre of the
    box around everything drawn (axes and frames included), on any background."""
    return _pl.fit_symmetry_with(_box_symmetry, inputs, outputs, tests)


# ---------------------------------------------------------------- a shape repeated towards its marker
def _shape_trail(g: Grid, recolour: bool) -> Grid | None:
    """One shape and one single-cell marker: copies of the shape run from the shape through the marker to
    the edge, each shifted by the shortest step (in the marker's direction) that clears the shape and, for
    the first copy, covers the marker; copies take the marker's colour (or keep the shape's)."""
    bg = background(g)
    objs = objects(g, bg, True, False)
    if len(objs) != 2:
        return None
    shape, marker = sorted(objs, key=lambda o: -o.size)
    if marker.size != 1 or shape.size < 2:
        return None
    my, mx = marker.r0, marker.c0
    ys, xs = np.nonzero(shape.mask)
    ys, xs = ys + shape.r0, xs + shape.c0
    dy = int(np.sign(2 * my - (shape.r0 + shape.r1 - 1)))
    dx = int(np.sign(2 * mx - (shape.c0 + shape.c1 - 1)))
    if dy == 0 and dx == 0:
        return None
    cells = set(zip(ys.tolist(), xs.tolist(), strict=True))
    step = None
    for k in range(1, max(g.shape) + 1):
        moved = {(y + k * dy, x + k * dx) for y, x in cells}
        if (my, mx) in moved and not moved & cells:
            step = (k * dy, k * dx)
            break
    if step is None:
        return None
    h, w = g.shape
    out = g.copy()
    colours = g[ys, xs] if not recolour else np.full(ys.size, marker.colour, dtype=g.dtype)
    for n in range(1, max(h, w) + 1):
        ty, tx = ys + n * step[0], xs + n * step[1]
        ok = (ty >= 0) & (ty < h) & (tx >= 0) & (tx < w)
        if not ok.any():
            break
        ty, tx, cs = ty[ok], tx[ok], colours[ok]
        free = g[ty, tx] == bg
        out[ty[free], tx[free]] = cs[free]
    return out


def fit_shape_trail(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """A shape is repeated in the direction of its one-cell marker, through it, to the edge of the grid."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    if not _changes_background_only(inputs, outputs, [background(a) for a in inputs]):
        return None
    return _first_fit(_shape_trail, ((recolour,) for recolour in (True, False)), inputs, outputs, tests)


# ---------------------------------------------------------------- objects moved by their own size
def _move_by_size(g: Grid, static: frozenset[int], dy: int, dx: int, diag: bool) -> Grid | None:
    """Every object not of a ``static`` colour moves ``size`` cells along (dy, dx); cells pushed off the
    grid are lost."""
    bg = background(g)
    objs = [o for o in objects(g, bg, diag, False) if o.colour not in static]
    if not objs or len(objs) > 20:
        return None
    h, w = g.shape
    out = g.copy()
    for o in objs:
        out[o.r0 : o.r1, o.c0 : o.c1][o.mask] = bg
    for o in objs:
        ys, xs = np.nonzero(o.mask)
        ty, tx = ys + o.r0 + dy * o.size, xs + o.c0 + dx * o.size
        ok = (ty >= 0) & (ty < h) & (tx >= 0) & (tx < w)
        out[ty[ok], tx[ok]] = o.colour
    return out


def fit_move_by_size(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Objects move in a learned direction by as many cells as they have (colours whose cells never change
    on train, such as a floor, stay put)."""
    if not _same_shape_pairs(inputs, outputs, changes="every"):
        return None
    for a, b in zip(inputs, outputs, strict=True):
        ca, cb = np.bincount(a.ravel(), minlength=11), np.bincount(b.ravel(), minlength=11)
        ca[background(a)] = cb[background(a)] = 0
        if (cb > ca).any():
            return None  # objects only lose cells off the edge: no colour but the background gains cells
    # a colour is static when its cells are the same in every input and output
    colours = set().union(*(np.unique(a).tolist() for a in inputs))
    static = frozenset(
        c
        for c in colours
        if all(np.array_equal(a == c, b == c) for a, b in zip(inputs, outputs, strict=True))
    )
    return _first_fit(
        _move_by_size,
        ((static, dy, dx, diag) for (dy, dx), diag in itertools.product(_N4, (True, False))),
        inputs,
        outputs,
        tests,
    )


# ---------------------------------------------------------------- rows grown from the row before (1-D automaton)
_Table = dict[tuple[int, ...], int]


def _row_keys(prev: np.ndarray, hood: str) -> list[tuple[int, ...]]:
    """Per column, the neighbourhood of the previous row that decides the cell (outside = 10)."""
    p = np.concatenate([[10], prev.astype(np.int64), [10]]).tolist()
    if hood == "lr":
        return [(p[i], p[i + 2]) for i in range(len(prev))]
    return [(p[i], p[i + 1], p[i + 2]) for i in range(len(prev))]


def _band(g: Grid, bg: int) -> tuple[int, int] | None:
    """First and last non-empty row, when the non-empty rows are contiguous."""
    filled = np.flatnonzero((g != bg).any(axis=1))
    if filled.size == 0 or filled[-1] - filled[0] + 1 != filled.size:
        return None
    return int(filled[0]), int(filled[-1])


def _steps(band: tuple[int, int], h: int, k: int, down: _Table, up: _Table) -> list[tuple[int, int, _Table]]:
    """(row, source row, table) in growing order; with ``k`` = 2 every other row stays empty."""
    out = [(r, r - k, down) for r in range(band[1] + k, h, k)]
    return out + [(r, r + k, up) for r in range(band[0] - k, -1, -k)]


def _grow_rows(g: Grid, bg: int, hood: str, k: int, down: _Table, up: _Table) -> Grid | None:
    """The empty rows below the picture's band grow from the row ``k`` above them (table ``down``), those
    above it from the row ``k`` below them (table ``up``)."""
    band = _band(g, bg)
    if band is None:
        return None
    out = g.copy()
    for r, src, table in _steps(band, g.shape[0], k, down, up):
        if all(v == bg for v in table.values()):
            continue  # nothing grows this way on train: the rows stay empty
        keys = _row_keys(out[src], hood)
        if any(key not in table for key in keys):
            return None
        out[r] = [table[key] for key in keys]
    return out


def _learn_rows(
    ins: Sequence[Grid], outs: Sequence[Grid], bg: int, hood: str, k: int
) -> tuple[_Table, _Table] | None:
    down: _Table = {}
    up: _Table = {}
    for a, b in zip(ins, outs, strict=True):
        band = _band(a, bg)
        if band is None:
            return None
        for r, src, table in _steps(band, a.shape[0], k, down, up):
            for key, v in zip(_row_keys(b[src], hood), b[r].tolist(), strict=True):
                if table.setdefault(key, v) != v:
                    return None
    return down, up


def fit_row_automaton(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """The empty rows (or columns) on either side of a band-shaped picture grow one at a time away from it,
    each cell a learned function of its neighbours in the row before (a 1-D cellular automaton)."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    bgs = [background(a) for a in inputs]
    if len(set(bgs)) != 1 or not _changes_background_only(inputs, outputs, bgs):
        return None
    bg = bgs[0]
    for transpose, k, hood in itertools.product((False, True), (1, 2), ("lr", "lcr")):
        ins = [a.T if transpose else a for a in inputs]
        outs = [b.T if transpose else b for b in outputs]
        tables = _learn_rows(ins, outs, bg, hood, k)
        if tables is None:
            continue

        def predict(
            g: Grid,
            transpose: bool = transpose,
            k: int = k,
            hood: str = hood,
            tables: tuple[_Table, _Table] = tables,
        ) -> Grid | None:
            r = _grow_rows(g.T if transpose else g, bg, hood, k, *tables)
            return None if r is None else (r.T if transpose else r)

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- straight segments extended to full lines
def _segment_lines(g: Grid, rows_last: bool, over: bool) -> Grid | None:
    """Every straight one-colour segment (two or more cells) is extended across the whole grid along its
    axis; lines of one orientation are drawn over those of the other; with ``over`` lines also cover other
    objects, else only the background."""
    bg = background(g)
    objs = objects(g, bg, False, False)
    if not objs or len(objs) > 30:
        return None
    horiz = [o for o in objs if o.shape[0] == 1 and o.shape[1] >= 2]
    vert = [o for o in objs if o.shape[1] == 1 and o.shape[0] >= 2]
    if not horiz and not vert:
        return None
    out = g.copy()
    for group in (vert, horiz) if rows_last else (horiz, vert):
        for o in group:
            line = out[o.r0, :] if o.shape[0] == 1 else out[:, o.c0]
            if over:
                line[:] = o.colour
            else:
                line[line == bg] = o.colour
    if not over:
        out[g != bg] = g[g != bg]
    return out


def fit_segment_lines(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Straight segments grow into full rows / columns (see :func:`_segment_lines`)."""
    if not _same_shape_pairs(inputs, outputs, changes="every"):
        return None
    return _first_fit(_segment_lines, itertools.product((True, False), (True, False)), inputs, outputs, tests)


# ---------------------------------------------------------------- objects drawn to the anchor of their colour
def _toward(a: Obj, o: Obj, shape: tuple[int, int]) -> tuple[tuple[int, int], int] | None:
    """The direction from object ``o`` straight to anchor ``a`` (sharing rows or columns with it, or the
    anchor spanning the grid) and the gap between them."""
    rows = not (a.r1 <= o.r0 or o.r1 <= a.r0) or a.shape[0] == shape[0]
    cols = not (a.c1 <= o.c0 or o.c1 <= a.c0) or a.shape[1] == shape[1]
    if rows and a.c1 <= o.c0:
        return (0, -1), o.c0 - a.c1
    if rows and o.c1 <= a.c0:
        return (0, 1), a.c0 - o.c1
    if cols and a.r1 <= o.r0:
        return (-1, 0), o.r0 - a.r1
    if cols and o.r1 <= a.r0:
        return (1, 0), a.r0 - o.r1
    return None


def _to_own_anchor(g: Grid, diag: bool) -> Grid | None:
    """Per colour, the largest object is an anchor (a wall, a block) and the other objects of that colour
    slide straight towards it until they touch something; the nearest move first so the rest stack."""
    bg = background(g)
    objs = objects(g, bg, diag, False)
    if len(objs) < 2 or len(objs) > 40:
        return None
    anchors: dict[int, Obj] = {}
    for o in objs:
        best = anchors.get(o.colour)
        if best is None or o.size > best.size:
            anchors[o.colour] = o
    moves = []
    for o in objs:
        a = anchors[o.colour]
        if o is a:
            continue
        step = _toward(a, o, g.shape)
        if step is None:
            return None  # overlapping or diagonal to its anchor: no straight path
        d, dist = step
        moves.append((dist, o, d))
    if not moves:
        return None
    out = g.copy()
    h, w = g.shape
    for _, o, (dy, dx) in sorted(moves, key=lambda t: t[0]):
        ys, xs = np.nonzero(o.mask)
        ys, xs = ys + o.r0, xs + o.c0
        out[ys, xs] = bg
        k = 0
        while True:
            ny, nx = ys + (k + 1) * dy, xs + (k + 1) * dx
            if ny.min() < 0 or nx.min() < 0 or ny.max() >= h or nx.max() >= w or (out[ny, nx] != bg).any():
                break
            k += 1
        out[ys + k * dy, xs + k * dx] = o.colour
    return out


def fit_to_own_anchor(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Objects slide to the largest object (wall) of their own colour and stack against it."""
    if not _same_shape_pairs(inputs, outputs, changes="every"):
        return None
    if not all(_same_counts(a, b) for a, b in zip(inputs, outputs, strict=True)):
        return None  # a move keeps every colour's cell count
    return _first_fit(_to_own_anchor, ((diag,) for diag in (True, False)), inputs, outputs, tests)


# ---------------------------------------------------------------- cells painted by their place in the grid
def _place_keys(g: Grid) -> np.ndarray:
    """Per cell: its colour and whether its row / column is the first, the middle, the last or another."""
    h, w = g.shape

    def classes(n: int) -> np.ndarray:
        idx = np.arange(n)
        c = np.full(n, 3, dtype=np.int64)  # other
        c[2 * idx == n - 1] = 1  # middle (odd lengths only)
        c[idx == n - 1] = 2
        c[idx == 0] = 0
        return c

    return (g.astype(np.int64) * 4 + classes(h)[:, None]) * 4 + classes(w)[None, :]


def fit_position_paint(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Cells are recoloured by their colour and place: first, middle, last or other row and column (the
    corners, the centre, the edges of a grid; lifted to separator grids by ``cell_lift``)."""
    if not _same_shape_pairs(inputs, outputs, changes="every"):
        return None
    if fit_colour_map(inputs, outputs) is not None:
        return None  # a plain colour map, which the search has already
    keys = [_place_keys(a) for a in inputs]
    # interior cells (other row, other column) have no place: recolouring them is a colour rule, not this
    if any(((k % 16 == 15) & (a != b)).any() for k, a, b in zip(keys, inputs, outputs, strict=True)):
        return None
    codes = np.unique(
        np.concatenate([k.ravel() * 16 + b.ravel() for k, b in zip(keys, outputs, strict=True)])
    )
    if (codes[1:] // 16 == codes[:-1] // 16).any():
        return None  # one place and colour, two output colours
    table = dict(zip((codes // 16).tolist(), (codes % 16).tolist(), strict=True))
    # every recoloured place must be seen twice, else one example decides an unseen grid
    seen: dict[int, int] = {}
    for k in keys:
        for key in np.unique(k).tolist():
            seen[key] = seen.get(key, 0) + 1
    if any(seen[k] < 2 for k, v in table.items() if v != k // 16):
        return None

    def predict(g: Grid) -> Grid | None:
        # a place never seen on train keeps its colour (changes need two observations anyway)
        keys = _place_keys(g).ravel().tolist()
        return np.array([table.get(k, k // 16) for k in keys], dtype=np.uint8).reshape(g.shape)

    return predict if _verify(predict, inputs, outputs, tests) else None


# ---------------------------------------------------------------- shapes dyed by the marker touching them
def _dye(g: Grid, diag: bool, erase: str) -> Grid | None:
    """Every multi-cell one-colour object touched by single cells of one other colour takes that colour;
    ``erase`` "used": the touching single cells become background, "all": every single cell does."""
    bg = background(g)
    objs = objects(g, bg, diag, False)
    if len(objs) < 2 or len(objs) > 40:
        return None
    singles = [o for o in objs if o.size == 1]
    if not singles:
        return None
    nb = _N8 if diag else _N4
    out = g.copy()
    found = False
    for o in objs:
        if o.size < 2:
            continue
        ys, xs = np.nonzero(o.mask)
        ring = {
            (y + o.r0 + dy, x + o.c0 + dx)
            for y, x in zip(ys.tolist(), xs.tolist(), strict=True)
            for dy, dx in nb
        }
        touching = [m for m in singles if (m.r0, m.c0) in ring]
        cols = {m.colour for m in touching}
        if len(cols) != 1:
            continue
        out[o.r0 : o.r1, o.c0 : o.c1][o.mask] = cols.pop()
        if erase == "used":
            for m in touching:
                out[m.r0, m.c0] = bg
        found = True
    if erase == "all":
        for m in singles:
            out[m.r0, m.c0] = bg
    return out if found else None


def fit_marker_dye(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Shapes take the colour of the single cell touching them (which is used up, or stays)."""
    if not _same_shape_pairs(inputs, outputs, changes="every"):
        return None
    # dyeing recolours drawn cells and clears markers: it never paints the background
    if any(((a != b) & (a == background(a))).any() for a, b in zip(inputs, outputs, strict=True)):
        return None
    return _first_fit(_dye, itertools.product((False, True), ("used", "all", "none")), inputs, outputs, tests)


# ---------------------------------------------------------------- nested rings continued over the grid
def _rings(g: Grid, bg: int, fill: int) -> Grid | None:
    """Continue nested square rings (or the L / U parts of them the grid shows) over the whole grid.

    Rings are Chebyshev distance bands around a centre taken at a corner, an edge middle or the middle of
    the box of the drawing; the drawing (background included, up to its outermost ring) must repeat with a
    period of 2-5 rings. Of the centres that fit, the smallest period wins, then the widest drawing. Rings
    that are background in the period become ``fill``."""
    nz = g != bg
    if not nz.any():
        return None
    h, w = g.shape
    ys, xs = np.mgrid[0:h, 0:w]
    rows, cols = np.flatnonzero(nz.any(axis=1)), np.flatnonzero(nz.any(axis=0))
    r0, r1, c0, c1 = int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])
    best: tuple[tuple[int, int], np.ndarray] | None = None
    for cy2, cx2 in itertools.product((2 * r0, r0 + r1, 2 * r1), (2 * c0, c0 + c1, 2 * c1)):
        d = np.maximum((np.abs(2 * ys - cy2) + 1) // 2, (np.abs(2 * xs - cx2) + 1) // 2)
        seen = d <= d[nz].max()
        vals = g[seen].astype(np.int64)
        for p in range(2, 6):
            phase = d[seen] % p
            tab = np.full(p, -1, dtype=np.int64)
            tab[phase] = vals
            if (tab[phase] != vals).any() or (tab < 0).any() or np.unique(tab).size < 2:
                continue
            key = (p, -int(seen.sum()))
            if best is None or key < best[0]:
                tab[tab == bg] = fill
                best = (key, tab[d % p].astype(np.uint8))
            break
    return None if best is None else best[1]


def fit_ring_continue(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Nested rings around a corner, an edge or a centre are continued over the grid (see :func:`_rings`)."""
    if _has_mark(inputs):
        return None
    for bg in _backgrounds(inputs):
        added = _added_colours(inputs, outputs, bg)
        if not added:
            continue
        # the gaps between rings take the one painted colour no input has
        new = [c for c in added if not any((a == c).any() for a in inputs)]
        if len(new) != 1:
            continue
        fill = new[0]

        def predict(g: Grid, bg: int = bg, fill: int = fill) -> Grid | None:
            return _rings(g, bg, fill)

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


FILL_LEARNERS: list[tuple[str, Learner]] = [
    ("seed_flood", fit_seed_flood),
    ("container_leak", fit_container_leak),
    ("cell_transform", fit_cell_transform),
    ("bridge", fit_bridge),
    ("latin_fill", fit_latin_fill),
    ("box_symmetry", fit_box_symmetry),
    ("shape_trail", fit_shape_trail),
    ("move_by_size", fit_move_by_size),
    ("row_automaton", fit_row_automaton),
    ("segment_lines", fit_segment_lines),
    ("to_own_anchor", fit_to_own_anchor),
    ("position_paint", fit_position_paint),
    ("marker_dye", fit_marker_dye),
    ("ring_continue", fit_ring_continue),
]
