"""Rule learners: odd-one-out objects, shape substitution, empty rectangles, lookups, colour lists, lines.

Same contract as :mod:`.learners`: ``fit(train_in, train_out, test_in) -> Predictor | None``, a predictor
only when it reproduces every train pair exactly and applies to every test input. Each learner refuses
early on the wrong kind of task (shape change or not, too many objects, more than one new colour) so it
stays cheap on the search's intermediate states, and where few examples leave a choice it takes the
reading that generalises (an unseen object shape is refused unless train shows that other shapes stay).

- :func:`fit_odd_object`: output = the object whose shape / colour / pattern occurs once while the others
  repeat (or the most frequent one), as a crop, a masked patch or its colour.
- :func:`fit_shape_substitute`: every object of a given shape (and colour) is rewritten inside its box as
  learned (recoloured, redrawn), other objects stay.
- :func:`fit_empty_rect_fill`: background windows of a learned size (or the unique largest empty
  rectangle) are painted with a colour.
- :func:`fit_feature_lookup`: a constant output per value of a discrete input feature (number of colours
  or objects, symmetry...), confirmed by repeated train values.
- :func:`fit_colour_list`: output = the input's colours as a row/column, in order of appearance or count
  (for stripes, in the stripes' order and direction).
- :func:`fit_colour_histogram`: output = a bar chart of the colours' cell counts.
- :func:`fit_marker_elbow`: two single cells are joined by an L-shaped path.
- :func:`fit_band_tile`: the band of rows/columns holding the picture is repeated over the grid.
- :func:`fit_line_majority`: noisy stripes are cleaned, each row/column taking its majority colour.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence

import numpy as np

from .object_learners import _first_fit, _has_mark, _same_shape_pairs, _verify
from .objects import Obj, background, objects
from .primitives import Grid

Predictor = Callable[[Grid], Grid | None]

_MAX_OBJECTS = 30
# (8-connected, multicolour, majority colour as background): the object readings tried, simplest first
_KINDS = ((True, True, False), (True, False, False), (False, False, False), (True, True, True))


def _objs(g: Grid, diag: bool, multi: bool, bg_major: bool) -> tuple[int, tuple[Obj, ...]]:
    bg = background(g) if bg_major else 0
    return bg, objects(g, bg, diag, multi)


def _canon(m: np.ndarray) -> bytes:
    """A key of a mask up to rotation and reflection (the smallest of its 8 images)."""
    keys = []
    for k in range(4):
        r = np.rot90(m, k)
        for x in (r, r[:, ::-1]):
            keys.append(bytes(x.shape) + np.ascontiguousarray(x).tobytes())
    return min(keys)


def _key(o: Obj, kind: str) -> Hashable:
    """The property of an object compared across objects: its shape, colour, pattern, size..."""
    if kind == "shape":
        return bytes(o.shape) + o.mask.tobytes()
    if kind == "shape_rot":
        return _canon(o.mask)
    if kind == "colour":
        return o.colour
    if kind == "patch":
        return bytes(o.shape) + o.mask.tobytes() + o.patch.tobytes()
    if kind == "size":
        return o.size
    if kind == "colours":
        return tuple(sorted(set(o.patch[o.mask].tolist())))
    raise ValueError(kind)


_ODD_KEYS = ("shape", "colour", "patch", "shape_rot", "size", "colours")


def _render(g: Grid, o: Obj, bg: int, mode: str) -> Grid:
    if mode == "crop":
        return g[o.r0 : o.r1, o.c0 : o.c1].copy()
    if mode == "patch":
        return np.where(o.mask, o.patch, bg).astype(np.uint8)
    return np.array([[o.colour]], dtype=np.uint8)


def _odd_pick(objs: tuple[Obj, ...], kind: str, how: str) -> list[int] | None:
    """Indices of the objects picked: the only one whose key is unique ("odd"; at least two others then
    share keys), or all objects with the strictly most frequent key ("common")."""
    if len(objs) < 3:
        return None
    keys = [_key(o, kind) for o in objs]
    cnt = Counter(keys)
    if how == "odd":
        once = [i for i, k in enumerate(keys) if cnt[k] == 1]
        return once if len(once) == 1 else None
    (k0, n0), *rest = cnt.most_common(2)
    if n0 < 2 or (rest and rest[0][1] == n0):
        return None
    return [i for i, k in enumerate(keys) if k == k0]


def fit_odd_object(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = the object that differs from all the others (its shape, colour, pattern... occurs once
    while every other value repeats) or the object of the most frequent kind, as a crop, a masked patch
    or a 1x1 grid of its colour."""
    if _has_mark(inputs):
        return None
    if any(
        b.shape[0] > a.shape[0] or b.shape[1] > a.shape[1] or b.shape == a.shape
        for a, b in zip(inputs, outputs, strict=True)
    ):
        return None
    one = all(b.shape == (1, 1) for b in outputs)
    modes = ("colour",) if one else ("crop", "patch")
    for diag, multi, bg_major in _KINDS:
        per = []
        for a, b in zip(inputs, outputs, strict=True):
            bg, objs = _objs(a, diag, multi, bg_major)
            if not 3 <= len(objs) <= _MAX_OBJECTS:
                break
            # per mode, the objects whose rendering is this output (cheap: most states have none)
            hits = {
                m: {i for i, o in enumerate(objs) if _same(_render(a, o, bg, m), b)}
                for m in modes
                if m == "colour" or any(o.shape == b.shape for o in objs)
            }
            per.append((objs, hits))
        else:
            for mode in modes:
                if not all(hits.get(mode) for _, hits in per):
                    continue
                for kind in _ODD_KEYS:
                    for how in ("odd", "common"):
                        if not all(
                            (picked := _odd_pick(objs, kind, how)) and set(picked) <= hits[mode]
                            for objs, hits in per
                        ):
                            continue

                        def predict(
                            g: Grid,
                            diag: bool = diag,
                            multi: bool = multi,
                            bg_major: bool = bg_major,
                            kind: str = kind,
                            how: str = how,
                            mode: str = mode,
                        ) -> Grid | None:
                            bg, objs = _objs(g, diag, multi, bg_major)
                            if len(objs) > _MAX_OBJECTS:
                                return None
                            picked = _odd_pick(objs, kind, how)
                            if not picked:
                                return None
                            outs = [_render(g, objs[i], bg, mode) for i in picked]
                            # several picked objects must render the same, else the answer is ambiguous
                            if any(not _same(x, outs[0]) for x in outs):
                                return None
                            return outs[0]

                        if _verify(predict, inputs, outputs, tests):
                            return predict
    return None


def _same(x: Grid, y: Grid) -> bool:
    return x.shape == y.shape and bool(np.array_equal(x, y))


# ---------------------------------------------------------------- shape substitution
def _subst_key(o: Obj, kind: str) -> Hashable:
    if kind == "shape_colour":
        return (bytes(o.shape) + o.mask.tobytes(), o.colour)
    return bytes(o.shape) + o.mask.tobytes() + o.patch.tobytes()


def fit_shape_substitute(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Every object of a learned shape (and colour, or pattern) is rewritten inside its bounding box as
    learned; objects of other shapes stay as they are. A test object of an unseen shape is refused unless
    train shows at least two shapes staying unchanged (then "the others stay" is the rule)."""
    if _has_mark(inputs):
        return None
    if any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    if all(np.array_equal(a, b) for a, b in zip(inputs, outputs, strict=True)):
        return None
    # a one-colour object lies inside one multicolour object (same background, same connectivity; 4-connected
    # inside 8-connected): its box too, so a change outside every box of a coarser reading refuses the finer
    outside: set[tuple[bool, bool, bool]] = set()
    for diag, multi, bg_major in _KINDS:
        if any(d >= diag and m >= multi and bm == bg_major for d, m, bm in outside):
            continue
        per = []
        for a, b in zip(inputs, outputs, strict=True):
            _, objs = _objs(a, diag, multi, bg_major)
            if not objs or len(objs) > _MAX_OBJECTS:
                break
            inside = np.zeros(a.shape, dtype=bool)
            for o in objs:
                inside[o.r0 : o.r1, o.c0 : o.c1] = True
            if not np.array_equal(a[~inside], b[~inside]):
                outside.add((diag, multi, bg_major))
                break  # a change outside every object's box
            changed = [
                not np.array_equal(a[o.r0 : o.r1, o.c0 : o.c1], b[o.r0 : o.r1, o.c0 : o.c1]) for o in objs
            ]
            per.append((a, b, objs, changed))
        else:
            for kind in ("shape_colour", "patch"):
                keys = [[_subst_key(o, kind) for o in objs] for _, _, objs, _ in per]
                # a rewritten shape must be seen in two train pairs: one pair may just be a coincidence
                seen = Counter(k for ks in keys for k in set(ks))
                if any(
                    seen[k] < 2
                    for ks, (*_, ch) in zip(keys, per, strict=True)
                    for k, c in zip(ks, ch, strict=True)
                    if c
                ):
                    continue
                table: dict[Hashable, np.ndarray] = {}
                same: set[Hashable] = set()
                ok = True
                for ks, (_, b, objs, ch) in zip(keys, per, strict=True):
                    for k, o, c in zip(ks, objs, ch, strict=True):
                        new = b[o.r0 : o.r1, o.c0 : o.c1]
                        old = table.get(k)
                        if old is not None and not np.array_equal(old, new):
                            ok = False
                            break
                        table[k] = new.copy()
                        if not c:
                            same.add(k)
                    if not ok:
                        break
                if not ok or len(same) == len(table):
                    continue
                keep_unseen = len(same) >= 2

                def predict(
                    g: Grid,
                    diag: bool = diag,
                    multi: bool = multi,
                    bg_major: bool = bg_major,
                    kind: str = kind,
                    table: dict[Hashable, np.ndarray] = table,
                    keep_unseen: bool = keep_unseen,
                ) -> Grid | None:
                    _, objs = _objs(g, diag, multi, bg_major)
                    if not objs or len(objs) > _MAX_OBJECTS:
                        return None
                    out = g.copy()
                    for o in objs:
                        new = table.get(_subst_key(o, kind))
                        if new is None:
                            if not keep_unseen:
                                return None
                            continue
                        out[o.r0 : o.r1, o.c0 : o.c1] = new
                    return out

                if _verify(predict, inputs, outputs, tests):
                    return predict
    return None


# ---------------------------------------------------------------- empty rectangles
def _window_cover(free: np.ndarray, h: int, w: int, greedy: bool) -> np.ndarray:
    """Cells covered by some h x w window made only of ``free`` cells (with ``greedy``, windows placed
    in raster order that do not overlap an earlier one)."""
    H, W = free.shape
    cover = np.zeros_like(free)
    if h > H or w > W:
        return cover
    s = np.zeros((H + 1, W + 1), dtype=np.int32)
    s[1:, 1:] = free.astype(np.int32).cumsum(0).cumsum(1)
    tot = s[h:, w:] - s[:-h, w:] - s[h:, :-w] + s[:-h, :-w]
    for y, x in zip(*np.nonzero(tot == h * w), strict=True):
        if greedy and cover[y : y + h, x : x + w].any():
            continue
        cover[y : y + h, x : x + w] = True
    return cover


def _largest_rect(free: np.ndarray) -> np.ndarray | None:
    """The unique largest-area rectangle of ``free`` cells at least 2 cells wide and high (a line is not
    a region; None when there is a tie or none)."""
    H, W = free.shape
    best, where, ties = 0, (0, 0, 0, 0), 0
    for r0 in range(H):
        col = np.ones(W, dtype=bool)
        for r1 in range(r0 + 1, H + 1):
            col &= free[r1 - 1]
            if not col.any():
                break
            # runs of consecutive free columns in this band of rows
            d = np.diff(np.concatenate(([0], col.astype(np.int8), [0])))
            starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
            for c0, c1 in zip(starts.tolist(), ends.tolist(), strict=True):
                if r1 - r0 < 2 or c1 - c0 < 2:
                    continue
                area = (r1 - r0) * (c1 - c0)
                if area > best:
                    best, where, ties = area, (r0, r1, c0, c1), 1
                elif area == best:
                    ties += 1
    if best < 2 or ties != 1:
        return None
    m = np.zeros_like(free)
    r0, r1, c0, c1 = where
    m[r0:r1, c0:c1] = True
    return m


def fit_empty_rect_fill(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Background cells covered by an empty window of a learned size (or the unique largest empty
    rectangle) are painted with one learned colour; nothing else changes."""
    if _has_mark(inputs):
        return None
    colour = -1
    for a, b in zip(inputs, outputs, strict=True):
        if a.shape != b.shape:
            return None
        d = a != b
        new = np.unique(b[d])
        if new.size > 1 or (new.size == 1 and colour not in (-1, int(new[0]))):
            return None
        if new.size == 1:
            colour = int(new[0])
    if colour < 0:
        return None
    for bg_major in (False, True):
        bgs = [background(a) if bg_major else 0 for a in inputs]
        if any(((a != b) & (a != bg)).any() for a, b, bg in zip(inputs, outputs, bgs, strict=True)):
            continue
        # the first changed cell (reading order) of a changed pair is the top-left corner of a painted
        # window, so only window sizes fully changed from there can fit
        i0 = next(i for i, (a, b) in enumerate(zip(inputs, outputs, strict=True)) if (a != b).any())
        d0 = inputs[i0] != outputs[i0]
        y0, x0 = (int(v[0]) for v in np.nonzero(d0))
        sizes: list[tuple[int, int, bool] | None] = [
            (h, w, greedy)
            for h in range(2, 7)
            for w in range(2, 7)
            if d0[y0 : y0 + h, x0 : x0 + w].shape == (h, w) and d0[y0 : y0 + h, x0 : x0 + w].all()
            for greedy in (False, True)
        ]
        for size in [*sizes, None]:

            def predict(
                g: Grid, size: tuple[int, int, bool] | None = size, bg_major: bool = bg_major
            ) -> Grid | None:
                bg = background(g) if bg_major else 0
                free = g == bg
                m = _largest_rect(free) if size is None else _window_cover(free, *size)
                if m is None or not m.any():
                    return None
                out = g.copy()
                out[m] = colour
                return out

            # cheap precheck on one changed pair before the full verification
            p = predict(inputs[i0])
            if p is None or not _same(p, outputs[i0]):
                continue
            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- constant output per input feature
def _features(g: Grid) -> dict[str, Hashable]:
    bg = background(g)
    cols = set(np.unique(g).tolist()) - {bg}
    return {
        "ncolours": len(cols),
        "nobjects": len(objects(g, bg, True, True)),
        "nobjects_colour": len(objects(g, bg, True, False)),
        "sym_lr": bool(np.array_equal(g, g[:, ::-1])),
        "sym_ud": bool(np.array_equal(g, g[::-1])),
        "sym_any": bool(np.array_equal(g, g[:, ::-1]) or np.array_equal(g, g[::-1])),
        "ncells": int((g != bg).sum()),
    }


def fit_feature_lookup(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = a fixed grid chosen by a discrete feature of the input (number of colours or objects,
    symmetry...). Accepted only when two train pairs repeat a value seen before with the same output,
    different values give different outputs, and every test value was seen."""
    if len(inputs) < 4 or _has_mark(inputs):
        return None
    outs = [b.shape + tuple(b.ravel().tolist()) for b in outputs]
    if len(set(outs)) < 2 or len(set(outs)) == len(outs):
        return None  # a constant output, or nothing repeats: no evidence for a lookup
    feats = [_features(a) for a in inputs]
    tfeats = [_features(t) for t in tests]
    for name in feats[0]:
        table: dict[Hashable, tuple[int, ...]] = {}
        ok = True
        for f, o in zip(feats, outs, strict=True):
            if table.setdefault(f[name], o) != o:
                ok = False
                break
        if not ok or len(set(table.values())) != len(table):
            continue
        # two pairs must repeat a value seen before: one repeat in three pairs is too easily a coincidence
        if len(outs) - len(table) < 2:
            continue
        if any(f[name] not in table for f in tfeats):
            continue
        grids = {k: np.array(v[2:], dtype=np.uint8).reshape(v[0], v[1]) for k, v in table.items()}

        def predict(g: Grid, name: str = name, grids: dict[Hashable, np.ndarray] = grids) -> Grid | None:
            v = grids.get(_features(g)[name])
            return None if v is None else v.copy()

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- list of colours
def _colour_list(g: Grid, order: str, skip_bg: bool) -> list[int]:
    bg = 0
    if order == "cols":
        seq = g.T.ravel().tolist()
    elif order == "rows":
        seq = g.ravel().tolist()
    else:
        cnt = np.bincount(g.ravel(), minlength=10)
        idx = [c for c in range(10) if cnt[c] > 0]
        seq = (
            sorted(idx, key=lambda c: (-cnt[c], c))
            if order == "count_desc"
            else sorted(idx, key=lambda c: (cnt[c], c))
        )
        bg = int(cnt.argmax())
    seen: list[int] = []
    for v in seq:
        if v not in seen:
            seen.append(v)
    if skip_bg:
        bg = bg if order.startswith("count") else 0
        seen = [c for c in seen if c != bg]
    return seen


def _stripes_as_row(g: Grid) -> bool | None:
    """True when the colours change along the rows (vertical stripes), False along the columns, None when
    the direction is unclear."""
    across, down = len(set(g[0].tolist())), len(set(g[:, 0].tolist()))
    return None if across == down else across > down


def fit_colour_list(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = the input's colours (or its non-background colours) as a single row or column, in order of
    first appearance (left to right or top to bottom) or by decreasing/increasing cell count; or, for a
    picture of stripes, the stripe colours in order, laid out along the stripes' direction of change."""
    if _has_mark(inputs):
        return None
    if not all(min(b.shape) == 1 and max(b.shape) > 1 for b in outputs):
        return None
    rows = [b.shape[0] == 1 for b in outputs]
    fixed = len(set(rows)) == 1
    for order in ("cols", "rows", "count_desc", "count_asc", "stripes"):
        if (order == "stripes") == fixed:
            continue
        for skip_bg in (False, True):

            def predict(g: Grid, order: str = order, skip_bg: bool = skip_bg) -> Grid | None:
                as_row = rows[0] if order != "stripes" else _stripes_as_row(g)
                if as_row is None:
                    return None
                seq = _colour_list(g, order if order != "stripes" else "cols" if as_row else "rows", skip_bg)
                if not seq:
                    return None
                v = np.array(seq, dtype=np.uint8)
                return v[None, :] if as_row else v[:, None]

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


def _histogram(g: Grid, order: str, layout: str) -> Grid | None:
    """One bar per non-zero colour, as long as its cell count, bars side by side in ``order``."""
    cnt = np.bincount(g.ravel(), minlength=11)
    cols = [c for c in _colour_list(g, order, False) if c != 0]
    if not cols:
        return None
    n = int(max(cnt[c] for c in cols))
    if n > 30:
        return None
    out = np.zeros((n, len(cols)), dtype=np.uint8)
    for j, c in enumerate(cols):
        out[: cnt[c], j] = c
    if layout in ("up", "left"):
        out = out[::-1]
    return out.T.copy() if layout in ("left", "right") else out


def fit_colour_histogram(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = a bar chart of the input's colours: one bar per colour, as long as its cell count, bars
    ordered by count or by first appearance, hanging from the top/bottom or left/right side."""
    if _has_mark(inputs):
        return None
    if any(b.shape == a.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    for a, b in zip(inputs, outputs, strict=True):
        cols = set(np.unique(a).tolist()) - {0}
        if set(np.unique(b).tolist()) - {0} != cols or len(cols) not in b.shape:
            return None
    return _first_fit(
        _histogram,
        (
            (order, layout)
            for order in ("count_desc", "count_asc", "cols", "rows")
            for layout in ("down", "up", "right", "left")
        ),
        inputs,
        outputs,
        tests,
    )


# ---------------------------------------------------------------- two markers joined by an elbow
def _elbow(g: Grid, start: int, first: str, colour: int) -> Grid | None:
    """Join the only cell of colour ``start`` to the only other non-zero cell by a horizontal-then-vertical
    (``first`` = "h") or vertical-then-horizontal path of ``colour`` over background cells."""
    ys, xs = np.nonzero(g)
    if ys.size != 2:
        return None
    vals = g[ys, xs].tolist()
    if vals.count(start) != 1:
        return None
    i = vals.index(start)
    (y0, x0), (y1, x1) = (ys[i], xs[i]), (ys[1 - i], xs[1 - i])
    if y0 == y1 or x0 == x1:
        return None
    out = g.copy()
    xs_, ys_ = np.arange(min(x0, x1), max(x0, x1) + 1), np.arange(min(y0, y1), max(y0, y1) + 1)
    if first == "h":
        out[y0, xs_] = colour
        out[ys_, x1] = colour
    else:
        out[ys_, x0] = colour
        out[y1, xs_] = colour
    out[y0, x0], out[y1, x1] = g[y0, x0], g[y1, x1]
    return out


def fit_marker_elbow(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Two single cells of different colours are joined by an L-shaped path of a learned colour, leaving
    the cell of a learned colour horizontally (or vertically) first."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    if any(np.count_nonzero(a) != 2 for a in [*inputs, *tests]):
        return None
    new = {int(v) for a, b in zip(inputs, outputs, strict=True) for v in np.unique(b[a != b])}
    if len(new) != 1:
        return None
    colour = new.pop()
    starts = set.intersection(*({int(v) for v in np.unique(a) if v} for a in inputs))
    return _first_fit(
        _elbow,
        ((start, first, colour) for start in sorted(starts) for first in ("h", "v")),
        inputs,
        outputs,
        tests,
    )


# ---------------------------------------------------------------- repeat the content band
def _tile_band(g: Grid, axis: int, bg: int) -> Grid | None:
    """Repeat the band of rows (``axis`` 0) or columns holding all non-background cells over the grid,
    with the band's own height as the period, in phase with the band."""
    t = g if axis == 0 else g.T
    rows = np.flatnonzero((t != bg).any(axis=1))
    if rows.size == 0:
        return None
    r0, r1 = int(rows[0]), int(rows[-1]) + 1
    k = r1 - r0
    if 2 * k > t.shape[0]:
        return None
    idx = (np.arange(t.shape[0]) - r0) % k + r0
    out = t[idx]
    return out if axis == 0 else out.T.copy()


def fit_band_tile(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """The strip of rows (or columns) holding the whole picture is repeated over the grid, keeping phase."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    for bg_major in (False, True):
        bgs = [background(a) if bg_major else 0 for a in inputs]
        # the picture itself stays where it is
        if any(((a != bg) & (a != b)).any() for a, b, bg in zip(inputs, outputs, bgs, strict=True)):
            continue
        for axis in (0, 1):

            def predict(g: Grid, axis: int = axis, bg_major: bool = bg_major) -> Grid | None:
                return _tile_band(g, axis, background(g) if bg_major else 0)

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- denoise stripes
def _line_majority(g: Grid, axis: int) -> tuple[Grid, int] | None:
    """Every row (``axis`` 0) or column painted with its most frequent colour, and how many cells changed
    (None when some line has a tie)."""
    t = g if axis == 0 else g.T
    out = np.empty_like(t)
    for i, line in enumerate(t):
        cnt = np.bincount(line, minlength=11)
        top = int(cnt.argmax())
        if (cnt == cnt[top]).sum() > 1:
            return None
        out[i] = top
    changed = int((out != t).sum())
    return (out if axis == 0 else out.T.copy()), changed


def fit_line_majority(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Noisy stripes are cleaned: every row (or column, or whichever of the two changes fewer cells)
    takes its most frequent colour."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    # cheap refusal: the output is made of uniform rows or of uniform columns
    if not all((b == b[:, :1]).all() or (b == b[:1]).all() for b in outputs):
        return None
    for mode in ("rows", "cols", "auto"):

        def predict(g: Grid, mode: str = mode) -> Grid | None:
            if mode != "auto":
                r = _line_majority(g, 0 if mode == "rows" else 1)
                return None if r is None else r[0]
            rows, cols = _line_majority(g, 0), _line_majority(g, 1)
            if rows is None or cols is None:
                return rows[0] if rows is not None else cols[0] if cols is not None else None
            if rows[1] == cols[1]:
                return None
            return rows[0] if rows[1] < cols[1] else cols[0]

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


RULE_LEARNERS: list[
    tuple[str, Callable[[Sequence[Grid], Sequence[Grid], Sequence[Grid]], Predictor | None]]
] = [
    ("odd_object", fit_odd_object),
    ("shape_substitute", fit_shape_substitute),
    ("empty_rect_fill", fit_empty_rect_fill),
    ("feature_lookup", fit_feature_lookup),
    ("colour_list", fit_colour_list),
    ("colour_histogram", fit_colour_histogram),
    ("marker_elbow", fit_marker_elbow),
    ("band_tile", fit_band_tile),
    ("line_majority", fit_line_majority),
]
