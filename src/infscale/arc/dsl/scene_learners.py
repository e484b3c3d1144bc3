"""Scene learners: same-shape rules about the whole picture (completion, open lines, objects moved).

Same contract as :mod:`.learners`: ``fit(train_in, train_out, test_in) -> Predictor | None``, a predictor
only when it reproduces every train pair exactly and applies to every test input. Each learner refuses
early (shape change, a non-background cell that changes, more than one added colour) so it stays cheap
on the search's intermediate grids.

- :func:`fit_symmetry_new_colour`: the picture is completed under a symmetry group (about the centre its
  visible cells agree with best, or about the box around everything drawn), the added cells drawn in one
  learned colour instead of the colours they mirror.
- :func:`fit_open_lines`: every row and column whose cells are all background (optionally not counting
  the first and last cell, a frame) is painted in a learned colour.
- :func:`fit_sort_bars`: straight one-colour bars fall against a side of the grid (or onto the objects
  that never move there) and stack one per line, sorted by length (longest against the wall), aligned
  to one end.
- :func:`fit_template_move`: multicoloured templates are painted over the single-colour objects of exactly
  their shape (any shape) and are erased where they stood (or stay).
- :func:`fit_notch_fill`: loose pieces slide to the base object they complete to a solid rectangle (bases:
  the never-changing colours, or the other half of a same-coloured pair).
- :func:`fit_align`: loose objects slide level with the one object of a never-changing colour, or move
  together to the centre of the never-changing cells (a frame, four corner markers).
- :func:`fit_mirror_wall`: loose objects are reflected across the nearest wall line (a full row / column
  of a never-changing object, such as a bracket's back) that spans them.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence

import numpy as np

from .fill_learners import _box_symmetry
from .learners import Learner, Predictor
from .object_learners import _first_fit, _same_shape_pairs, _verify
from .objects import Obj, background, objects
from .pattern_learners import _GROUPS, _changes_background_only, _complete_symmetry, _images
from .primitives import Grid


def _added_colour(inputs: Sequence[Grid], outputs: Sequence[Grid]) -> int | None:
    """The single colour every changed cell takes (only background cells may change), else None."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    if not _changes_background_only(inputs, outputs, [background(a) for a in inputs]):
        return None
    cols = np.unique(np.concatenate([b[a != b] for a, b in zip(inputs, outputs, strict=True)]))
    return int(cols[0]) if cols.size == 1 else None


def _moves_only(inputs: Sequence[Grid], outputs: Sequence[Grid]) -> bool:
    """Every output has the colour counts of its input (objects move, nothing is drawn or erased)."""
    return all(
        np.array_equal(np.bincount(a.ravel(), minlength=10), np.bincount(b.ravel(), minlength=10))
        for a, b in zip(inputs, outputs, strict=True)
    )


# ---------------------------------------------------------------- symmetry completed in a new colour
_COMPLETERS: tuple[tuple[str, Callable[[Grid, str], Grid | None]], ...] = (
    ("best", _complete_symmetry),
    ("box", _box_symmetry),
)


def _drawn_symmetric(a: Grid, b: Grid, group: str) -> bool:
    """The cells drawn in output ``b`` (whatever their colour) are symmetric under ``group`` about the
    centre of their box."""
    ys, xs = np.nonzero(b != background(a))
    if ys.size == 0:
        return False
    drawn = np.zeros(b.shape, dtype=bool)
    drawn[ys, xs] = True
    cy2, cx2 = int(ys.min() + ys.max()), int(xs.min() + xs.max())
    for name in _GROUPS[group]:
        ty, tx, ok = _images(b, ys, xs, cy2, cx2, name)
        if not ok.all() or not drawn[ty, tx].all():
            return False
    return True


def fit_symmetry_new_colour(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Symmetry completion whose added cells take one learned colour (the missing part is shown, not
    copied): 1b60fb0c-style rotations, mirrored halves drawn in a highlight colour."""
    colour = _added_colour(inputs, outputs)
    if colour is None:
        return None
    for group in _GROUPS:
        if not all(_drawn_symmetric(a, b, group) for a, b in zip(inputs, outputs, strict=True)):
            continue  # cheap gate: the completed outputs must show the group
        for _, complete in _COMPLETERS:

            def predict(
                g: Grid, group: str = group, complete: Callable[[Grid, str], Grid | None] = complete
            ) -> Grid | None:
                r = complete(g, group)
                if r is None:
                    return None
                new = r != g
                if not new.any():
                    return None
                out = g.copy()
                out[new] = colour
                return out

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- open rows and columns painted
def _open_lines(g: Grid, colour: int, margin: int, axes: str) -> Grid | None:
    bg = background(g)
    h, w = g.shape
    if h <= 2 * margin or w <= 2 * margin:
        return None
    free = g == bg
    inner = free[margin : h - margin, margin : w - margin]
    paint = np.zeros_like(free)
    if "r" in axes:
        rows = np.flatnonzero(inner.all(axis=1)) + margin
        paint[rows, margin : w - margin] = True
    if "c" in axes:
        cols = np.flatnonzero(inner.all(axis=0)) + margin
        paint[margin : h - margin, cols] = True
    paint &= free
    if not paint.any():
        return None
    out = g.copy()
    out[paint] = colour
    return out


def fit_open_lines(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Rows / columns that are background from side to side (inside a one-cell frame, or edge to edge)
    are painted in a learned colour: the open corridors through a jagged wall."""
    colour = _added_colour(inputs, outputs)
    if colour is None:
        return None
    return _first_fit(
        _open_lines,
        ((colour, margin, axes) for margin in (1, 0) for axes in ("rc", "r", "c")),
        inputs,
        outputs,
        tests,
    )


# ---------------------------------------------------------------- bars sorted by length
def _sort_bars(g: Grid, turn: int, align_end: bool) -> Grid | None:
    """Gravity is downward in ``np.rot90(g, turn)``: horizontal bars (rows of one colour) stack upward from
    the bottom (or from the lowest row holding anything else), longest lowest, one bar per row, aligned
    to the right (``align_end``) or left edge."""
    r = np.rot90(g, turn)
    bg = background(r)
    bars = []
    rest = r.copy()
    for o in objects(r, bg, False, False):
        if o.r1 - o.r0 != 1:
            continue
        if o.c1 - o.c0 == r.shape[1]:
            continue  # a full line is a floor or a wall, not a bar
        bars.append(o)
        rest[o.r0, o.c0 : o.c1] = bg
    if len(bars) < 2:
        return None
    lengths = [o.c1 - o.c0 for o in bars]
    if len(set(lengths)) != len(lengths):
        return None  # ties: the order is not determined
    h, w = r.shape
    occupied = (rest != bg).any(axis=1)
    row = h - 1
    while row >= 0 and occupied[row]:
        row -= 1
    out = rest
    for o in sorted(bars, key=lambda o: -(o.c1 - o.c0)):
        if row < 0 or occupied[row]:
            return None
        n = o.c1 - o.c0
        if align_end:
            out[row, w - n :] = o.colour
        else:
            out[row, :n] = o.colour
        row -= 1
    return np.ascontiguousarray(np.rot90(out, -turn))


def fit_sort_bars(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Bars fall to one side and stack sorted by length (longest against the wall), aligned to one end."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    if not _moves_only(inputs, outputs):
        return None
    return _first_fit(
        _sort_bars,
        ((turn, align_end) for turn in range(4) for align_end in (True, False)),
        inputs,
        outputs,
        tests,
    )


# ---------------------------------------------------------------- templates moved onto their silhouettes
_MAX_OBJECTS = 30


def _template_move(g: Grid, diag: bool, keep: bool) -> Grid | None:
    """Each single-colour object with exactly the mask of a multicoloured object (a template) is
    replaced by that template; the templates are erased unless ``keep``."""
    bg = background(g)
    objs = objects(g, bg, diag, True)
    if len(objs) < 2 or len(objs) > _MAX_OBJECTS:
        return None
    multi = [bool(((v := o.patch[o.mask]) != v[0]).any()) for o in objs]  # np.unique(v).size > 1, cheaper
    templates = [o for o, m in zip(objs, multi, strict=True) if m]  # more than one colour
    markers = [o for o, m in zip(objs, multi, strict=True) if not m]
    if not templates or not markers:
        return None
    out = g.copy()
    if not keep:
        for t in templates:
            out[t.r0 : t.r1, t.c0 : t.c1][t.mask] = bg
    done = 0
    for m in markers:
        fits = {
            t.patch.tobytes(): t
            for t in templates
            if t.mask.shape == m.mask.shape and (t.mask == m.mask).all()
        }
        if len(fits) != 1:
            continue  # no template of this shape (or two different ones): the object stays
        t = next(iter(fits.values()))
        out[m.r0 : m.r1, m.c0 : m.c1][m.mask] = t.patch[m.mask]
        done += 1
    return out if done else None


def fit_template_move(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Multicoloured templates are painted over the single-colour objects of exactly their shape (any
    shape, unlike the rectangles / single cells of :func:`.pattern_learners.fit_template_stamp`) and
    vanish from where they stood, or stay."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    return _first_fit(
        _template_move,
        ((diag, keep) for keep in (False, True) for diag in (True, False)),
        inputs,
        outputs,
        tests,
    )


# ---------------------------------------------------------------- pieces slid into the notch they fill
_Spot = tuple[int, int, int, int]  # the piece's new top-left corner, the rectangle's height and width


def _completions(base: Obj, piece: Obj, shape: tuple[int, int]) -> list[_Spot]:
    """Where (in a grid of ``shape``) ``piece``'s box goes so that it and ``base`` exactly tile a
    rectangle (no overlap)."""
    area = base.size + piece.size
    bh, bw = base.r1 - base.r0, base.c1 - base.c0
    ph, pw = piece.mask.shape
    found = []
    for hr in range(bh, bh + ph + 1):
        if area % hr:
            continue
        wr = area // hr
        if not bw <= wr <= bw + pw:
            continue
        for r0 in range(base.r1 - hr, base.r0 + 1):
            for c0 in range(base.c1 - wr, base.c0 + 1):
                hole = np.ones((hr, wr), dtype=bool)
                hole[base.r0 - r0 : base.r1 - r0, base.c0 - c0 : base.c1 - c0] &= ~base.mask
                ys, xs = np.nonzero(hole)
                y0, x0 = int(ys.min()), int(xs.min())
                if (int(ys.max()) - y0 + 1, int(xs.max()) - x0 + 1) != (ph, pw):
                    continue
                r, c = r0 + y0, c0 + x0
                if r < 0 or c < 0 or r + ph > shape[0] or c + pw > shape[1]:
                    continue
                if np.array_equal(hole[y0 : y0 + ph, x0 : x0 + pw], piece.mask):
                    found.append((r, c, hr, wr))
    return found


_MOVER_KEYS: dict[str, Callable[[Obj], int]] = {
    "left": lambda o: o.c0,
    "right": lambda o: -o.c1,
    "top": lambda o: o.r0,
    "bottom": lambda o: -o.r1,
}


def _notch_fill(g: Grid, static: frozenset[int], mover: str) -> Grid | None:
    """Pieces slide into the notch of the base they complete to a rectangle. Bases are the objects of
    ``static`` colours (``mover == "static"``) or, per colour with exactly two objects, the one that is
    not first by ``_MOVER_KEYS[mover]``."""
    bg = background(g)
    objs = objects(g, bg, False, False)
    if len(objs) < 2 or len(objs) > _MAX_OBJECTS:
        return None
    pairs: list[tuple[Obj, list[Obj]]] = []
    if mover == "static":
        bases = [o for o in objs if o.colour in static]
        pairs = [(o, bases) for o in objs if o.colour not in static]
    else:
        for c in {o.colour for o in objs}:
            two = [o for o in objs if o.colour == c]
            if len(two) == 2:
                two.sort(key=_MOVER_KEYS[mover])
                pairs.append((two[0], [two[1]]))
    moves = _assign(
        [
            (
                piece,
                [(i, spot) for i, base in enumerate(bases) for spot in _completions(base, piece, g.shape)],
            )
            for piece, bases in pairs
        ]
    )
    if not moves:
        return None
    out = g.copy()
    for piece, _ in moves:
        out[piece.r0 : piece.r1, piece.c0 : piece.c1][piece.mask] = bg
    for piece, (r, c, _, _) in moves:
        ph, pw = piece.mask.shape
        out[r : r + ph, c : c + pw][piece.mask] = piece.colour
    return out


_MAX_ASSIGNMENTS = 512


def _assign(options: list[tuple[Obj, list[tuple[int, _Spot]]]]) -> list[tuple[Obj, _Spot]] | None:
    """One spot per piece (pieces that fit nowhere stay), no base filled twice. Several ways: the one
    whose rectangles all have one shape (the designer's frame), if that is unique; else None."""
    placed = [(piece, opts) for piece, opts in options if opts]
    if not placed:
        return None
    combos = 1
    for _, opts in placed:
        combos *= len(opts)
    if combos > _MAX_ASSIGNMENTS:
        return None
    valid = []
    for choice in itertools.product(*(opts for _, opts in placed)):
        if len({i for i, _ in choice}) == len(choice):
            valid.append(choice)
    if len(valid) > 1:
        valid = [ch for ch in valid if len({spot[2:] for _, spot in ch}) == 1]
    if len(valid) != 1:
        return None
    return [(piece, spot) for (piece, _), (_, spot) in zip(placed, valid[0], strict=True)]


def _static_colours(inputs: Sequence[Grid], outputs: Sequence[Grid]) -> frozenset[int]:
    """Colours drawn in some input whose cells are the same in every input and its output."""
    cols = {int(c) for a in inputs for c in np.unique(a)}
    for a, b in zip(inputs, outputs, strict=True):
        cols = {c for c in cols if np.array_equal(a == c, b == c)}
    return frozenset(cols - {background(a) for a in inputs})


def fit_notch_fill(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Each loose piece moves (keeping its colour) to the base it completes to a solid rectangle: onto
    the never-changing objects, or two same-coloured halves joined (which half moves is learned)."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    if not _moves_only(inputs, outputs):
        return None
    static = _static_colours(inputs, outputs)
    for mover in ("static", *_MOVER_KEYS):
        if mover == "static" and not static:
            continue

        def predict(g: Grid, mover: str = mover) -> Grid | None:
            return _notch_fill(g, static, mover)

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- objects lined up with a reference
def _shift_objects(g: Grid, bg: int, moves: list[tuple[Obj, int, int]]) -> Grid | None:
    """Erase every moved object, then draw it shifted by (dy, dx); None when one leaves the grid."""
    out = g.copy()
    for o, _, _ in moves:
        out[o.r0 : o.r1, o.c0 : o.c1][o.mask] = bg
    h, w = g.shape
    for o, dy, dx in moves:
        r, c = o.r0 + dy, o.c0 + dx
        if r < 0 or c < 0 or r + o.mask.shape[0] > h or c + o.mask.shape[1] > w:
            return None
        out[r : r + o.mask.shape[0], c : c + o.mask.shape[1]][o.mask] = o.patch[o.mask]
    return out


def _align(g: Grid, static: frozenset[int], axis: int, edge: str) -> Grid | None:
    """Every object slides along ``axis`` (0: up / down) until its ``edge`` (start, end or centre) is level
    with the one object of a ``static`` colour (the reference, which stays)."""
    bg = background(g)
    objs = objects(g, bg, True, False)
    if len(objs) < 2 or len(objs) > _MAX_OBJECTS:
        return None
    refs = [o for o in objs if o.colour in static]
    if len(refs) != 1:
        return None

    def span(o: Obj) -> tuple[int, int]:
        return (o.r0, o.r1) if axis == 0 else (o.c0, o.c1)

    def key(lo: int, hi: int) -> int:
        return {"start": 2 * lo, "end": 2 * hi, "centre": lo + hi}[edge]

    want = key(*span(refs[0]))
    moves = []
    for o in objs:
        if o is refs[0]:
            continue
        d2 = want - key(*span(o))
        if d2 % 2:
            return None
        moves.append((o, d2 // 2, 0) if axis == 0 else (o, 0, d2 // 2))
    return _shift_objects(g, bg, moves)


def _centre_on(g: Grid, static: frozenset[int]) -> Grid | None:
    """Everything not of a ``static`` colour moves as one block to the centre of the box spanned by the
    static cells (a frame, corner markers)."""
    bg = background(g)
    fixed = np.isin(g, list(static))
    loose = (g != bg) & ~fixed
    if not fixed.any() or not loose.any():
        return None
    fy, fx = np.nonzero(fixed)
    ly, lx = np.nonzero(loose)
    dy2 = int(fy.min() + fy.max()) - int(ly.min() + ly.max())
    dx2 = int(fx.min() + fx.max()) - int(lx.min() + lx.max())
    if dy2 % 2 or dx2 % 2:
        return None
    ty, tx = ly + dy2 // 2, lx + dx2 // 2
    h, w = g.shape
    if ty.min() < 0 or tx.min() < 0 or ty.max() >= h or tx.max() >= w:
        return None
    out = g.copy()
    out[loose] = bg
    out[ty, tx] = g[ly, lx]
    return out


def fit_align(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Loose objects move to a reference of a never-changing colour: each slides level with the only
    reference object (its top / bottom / centre, rows or columns), or all move together to the centre of
    the reference cells' box."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    if not _moves_only(inputs, outputs):
        return None
    static = _static_colours(inputs, outputs)
    if not static:
        return None
    rules: list[Predictor] = [functools.partial(_centre_on, static=static)]
    for axis in (0, 1):
        for edge in ("start", "end", "centre"):
            rules.append(functools.partial(_align, static=static, axis=axis, edge=edge))
    for predict in rules:
        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- objects mirrored across the nearest wall
_Bar = tuple[int, int, int, int]  # axis (0: a row), the line's index, first and last cell along it


def _bars(o: Obj) -> list[_Bar]:
    """The full rows and columns (at least three cells) of an object's box: a bracket's back."""
    out: list[_Bar] = []
    h, w = o.mask.shape
    if w >= 3:
        out += [(0, o.r0 + i, o.c0, o.c1 - 1) for i in range(h) if o.mask[i].all()]
    if h >= 3:
        out += [(1, o.c0 + j, o.r0, o.r1 - 1) for j in range(w) if o.mask[:, j].all()]
    return out


def _mirror_wall(g: Grid, static: frozenset[int]) -> Grid | None:
    """Each loose object is reflected across the nearest wall line (a full row / column of a
    ``static``-coloured object) that spans it."""
    bg = background(g)
    objs = objects(g, bg, True, False)
    if len(objs) < 2 or len(objs) > _MAX_OBJECTS:
        return None
    bars = [bar for o in objs if o.colour in static for bar in _bars(o)]
    loose = [o for o in objs if o.colour not in static]
    if not bars or not loose:
        return None
    out = g.copy()
    for o in loose:
        out[o.r0 : o.r1, o.c0 : o.c1][o.mask] = bg
    h, w = g.shape
    for o in loose:
        best: list[tuple[int, _Bar]] = []
        for bar in bars:
            axis, line, lo, hi = bar
            a0, a1, p0, p1 = (
                (o.r0, o.r1 - 1, o.c0, o.c1 - 1) if axis == 0 else (o.c0, o.c1 - 1, o.r0, o.r1 - 1)
            )
            if p0 < lo or p1 > hi or a0 <= line <= a1:
                continue  # the wall does not span the object, or crosses it
            best.append((min(abs(a0 - line), abs(a1 - line)), bar))
        best.sort()
        if not best or (len(best) > 1 and best[0][0] == best[1][0] and best[0][1][:2] != best[1][1][:2]):
            return None  # no wall, or two at the same distance
        axis, line = best[0][1][:2]
        ys, xs = np.nonzero(o.mask)
        ys, xs = ys + o.r0, xs + o.c0
        if axis == 0:
            ys = 2 * line - ys
        else:
            xs = 2 * line - xs
        if ys.min() < 0 or xs.min() < 0 or ys.max() >= h or xs.max() >= w:
            return None
        out[ys, xs] = o.colour
    return out


def fit_mirror_wall(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Loose objects are reflected across the nearest wall (the back of a bracket of a never-changing
    colour): what is inside goes outside, what is outside comes in."""
    if not _same_shape_pairs(inputs, outputs) or not _moves_only(inputs, outputs):
        return None
    static = _static_colours(inputs, outputs)
    if not static:
        return None

    def predict(g: Grid) -> Grid | None:
        return _mirror_wall(g, static)

    return predict if _verify(predict, inputs, outputs, tests) else None


SCENE_LEARNERS: list[tuple[str, Learner]] = [
    ("symmetry_new_colour", fit_symmetry_new_colour),
    ("open_lines", fit_open_lines),
    ("sort_bars", fit_sort_bars),
    ("template_move", fit_template_move),
    ("notch_fill", fit_notch_fill),
    ("align", fit_align),
    ("mirror_wall", fit_mirror_wall),
]
