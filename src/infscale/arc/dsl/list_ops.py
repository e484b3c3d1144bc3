"""List-valued steps as whole-grid transforms: split a grid into pieces, reduce the pieces to one grid.

icecuber's DSL gets much of its generality from lists of images (``cut``, ``splitAll``, ``pickMax``,
``composeGrowing``, ``stackLine``...). Here a list never becomes a search state: each transform is a
fixed *split* followed by a fixed *reducer* (or an in-place *map* over the pieces), so it composes like
any other ``Grid -> Grid | None`` transform at every depth of the search.

Splits (a piece is a box of the grid, its cells outside the piece set to the split's background: 0 for
objects and colour layers, the grid's own for ``bobj8``, the cells' for ``cells`` and ``eq``):

* ``obj8`` / ``cobj4`` / ``cobj8`` / ``obj4``: the objects of :data:`primitives.OBJECT_KINDS`; ``bobj8``:
  8-connected multicolour objects on a non-zero majority background;
* ``col``: one layer per non-background colour (cropped to that colour's box);
* ``cells``: the cells between separator lines; ``eq``: equal square parts of a grid that is 2-4 times as
  long as it is wide (or wide as it is long), when it has no separator lines; ``frame``: the interiors of
  one-colour rectangle outlines (icecuber's ``insideMarked``; one frame is enough).

Reducers: pick one piece by a key (unique extreme cells / colours / box area / holes, or the one odd piece
out by shape, colour set, colour count or touching the border, or the one piece with a colour of its own,
or the unique / most common patch), stack all pieces in a line ordered by position (or by size; or of
different sizes, padded with the background), overlay them aligned to the top-left corner largest first
(``composeGrowing``), smallest first or in reading order, cell-wise AND / OR / exactly-one / majority
across pieces of one shape, the common piece with the odd one's differences marked, the pieces' layout as
one pixel each, and their count as a line of cells. The picks are also applied in place: the grid with the
picked piece alone (``keep_``) or erased (``drop_``). Maps apply a flip, symmetry completion, recolouring,
hull (the piece's box filled), hole filling or gravity to every piece in its own box. Every reducer (map)
of a split is computed at once per grid and cached by the grid's bytes (the search applies all of them to
each state in turn), and a grid with no or too many pieces is refused before any work.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from . import kernels
from .objects import background, objects
from .primitives import MARK, OBJECT_KINDS, Grid, Transform, _outside, cell_boxes, split_cells

MAX_PIECES = 30
#: Splits whose pieces are boxes of the grid replaced whole by a map (not objects painted over).
WHOLE = ("cells", "eq", "frame")


class Piece(NamedTuple):
    r0: int
    c0: int
    patch: np.ndarray  # uint8, the piece's box; cells outside the piece hold the split's background
    n: int  # cells of the piece (non-background cells of ``patch``)


# ---------------------------------------------------------------- splits
def _split_objects(g: Grid, diag: bool, multi: bool, bg: int = 0) -> list[Piece] | None:
    objs = objects(g, bg, diag, multi)
    if not 2 <= len(objs) <= MAX_PIECES:
        return None
    # patches already hold ``bg`` outside the object's mask
    return [Piece(o.r0, o.c0, o.patch, o.size) for o in objs]


def _split_colours(g: Grid) -> list[Piece] | None:
    cnt = np.bincount(g.ravel(), minlength=11)
    bg = int(cnt.argmax())
    cols = [c for c in range(10) if cnt[c] and c != bg]
    if len(cols) < 2:
        return None
    out = []
    for c in cols:
        m = g == c
        rows = np.flatnonzero(m.any(axis=1))
        cs = np.flatnonzero(m.any(axis=0))
        r0, r1, c0, c1 = int(rows[0]), int(rows[-1]) + 1, int(cs[0]), int(cs[-1]) + 1
        out.append(Piece(r0, c0, np.where(m[r0:r1, c0:c1], np.uint8(c), np.uint8(0)), int(cnt[c])))
    return out


def _split_cells(g: Grid) -> list[Piece] | None:
    boxes = cell_boxes(g)
    if boxes is None:
        return None
    out = [Piece(a, c, g[a:b, c:d], 0) for a, b, c, d in boxes]
    return _counted(out) if 2 <= len(out) <= MAX_PIECES else None


def _split_equal(g: Grid) -> list[Piece] | None:
    h, w = g.shape
    if w > h and w % h == 0 and 2 <= w // h <= 4:
        parts = [Piece(0, i * h, g[:, i * h : (i + 1) * h], 0) for i in range(w // h)]
    elif h > w and h % w == 0 and 2 <= h // w <= 4:
        parts = [Piece(i * w, 0, g[i * w : (i + 1) * w], 0) for i in range(h // w)]
    else:
        return None
    if split_cells(g) is not None:
        return None
    return _counted(parts)


def _split_frames(g: Grid) -> list[Piece] | None:
    """insideMarked: the interiors of one-colour rectangle outlines (at least 3x3), one piece each."""
    out = []
    for o in objects(g, 0, False, False):
        h, w = o.shape
        if h < 3 or w < 3 or o.size != 2 * (h + w) - 4:
            continue
        m = o.mask
        if m[0].all() and m[-1].all() and m[:, 0].all() and m[:, -1].all():
            out.append(Piece(o.r0 + 1, o.c0 + 1, g[o.r0 + 1 : o.r1 - 1, o.c0 + 1 : o.c1 - 1], 0))
    return _counted(out) if 1 <= len(out) <= MAX_PIECES else None


def _content_bg(ps: list[Piece]) -> int:
    """The pieces' background: 0 when they hold any 0 (separators aside), else their majority colour."""
    cnt = np.sum([np.bincount(p.patch.ravel(), minlength=10) for p in ps], axis=0)
    return 0 if cnt[0] else int(np.argmax(cnt))


def _counted(ps: list[Piece]) -> list[Piece]:
    bg = _content_bg(ps)
    return [p._replace(n=int((p.patch != bg).sum())) for p in ps]


def _pieces(kind: str, g: Grid) -> tuple[list[Piece] | None, int]:
    """The pieces and their background (the colour that is transparent when pieces are overlaid)."""
    if kind == "col":
        return _split_colours(g), 0
    if kind in WHOLE:
        ps = _split_cells(g) if kind == "cells" else _split_equal(g) if kind == "eq" else _split_frames(g)
        return ps, (_content_bg(ps) if ps is not None else 0)
    if kind == "bobj8":
        bg = background(g)
        return (_split_objects(g, True, True, bg), bg) if bg != 0 else (None, 0)
    for name, diag, multi in OBJECT_KINDS:
        if name == kind:
            return _split_objects(g, diag, multi), 0
    raise ValueError(kind)


# ---------------------------------------------------------------- reducers
def _ncol(p: Piece, bg: int) -> int:
    cnt = np.bincount(p.patch.ravel(), minlength=10)
    return int(np.count_nonzero(cnt)) - int(cnt[bg] > 0)


def _pick_key(ps: list[Piece], key: Callable[[Piece], float]) -> Grid | None:
    vals = [key(p) for p in ps]
    m = max(vals)
    return ps[vals.index(m)].patch if vals.count(m) == 1 else None


def _patch_key(p: Piece) -> bytes:
    return bytes(p.patch.shape) + p.patch.tobytes()


def _pick_unique(ps: list[Piece]) -> Grid | None:
    keys = [_patch_key(p) for p in ps]
    u = [p for p, k in zip(ps, keys, strict=True) if keys.count(k) == 1]
    return u[0].patch if len(u) == 1 else None


def _pick_common(ps: list[Piece]) -> Grid | None:
    keys = [_patch_key(p) for p in ps]
    counts = [keys.count(k) for k in keys]
    m = max(counts)
    if m < 2 or len({k for k, c in zip(keys, counts, strict=True) if c == m}) != 1:
        return None
    return ps[counts.index(m)].patch


def _stack(ps: list[Piece], axis: int) -> Grid | None:
    order = sorted(ps, key=lambda p: (p.c0, p.r0) if axis == 1 else (p.r0, p.c0))
    side = {p.patch.shape[1 - axis] for p in order}
    if len(side) != 1:
        return None
    return np.concatenate([p.patch for p in order], axis=axis)


def _grow(ps: list[Piece], bg: int) -> Grid | None:
    """composeGrowing: pieces aligned top-left, painted largest first so smaller ones stay on top."""
    return _overlay(ps, bg, sorted(ps, key=lambda p: -p.n))


def _stackmask(ps: list[Piece]) -> np.ndarray | None:
    s = ps[0].patch.shape
    if any(p.patch.shape != s for p in ps):
        return None
    return np.stack([p.patch for p in ps])


def _cellwise(name: str, a: np.ndarray, bg: int) -> Grid | None:
    nz = (a != bg).sum(axis=0)
    if name == "and":
        return np.where(nz == len(a), MARK, 0).astype(np.uint8)
    if name == "or":
        return np.where(nz > 0, MARK, 0).astype(np.uint8)
    if name == "one":
        return np.where(nz == 1, MARK, 0).astype(np.uint8)
    # majority: the most frequent colour of each cell over the pieces (ties refuse)
    cnt = np.stack([(a == c).sum(axis=0) for c in range(10)])
    best = cnt.max(axis=0)
    if ((cnt == best).sum(axis=0) > 1).any():
        return None
    return cnt.argmax(axis=0).astype(np.uint8)


def _common_diff(ps: list[Piece]) -> Grid | None:
    """The most common piece with the cells where the one odd piece differs from it marked."""
    keys = [_patch_key(p) for p in ps]
    odd = [p for p, k in zip(ps, keys, strict=True) if keys.count(k) == 1]
    common = _pick_common(ps)
    if common is None or len(odd) != 1 or odd[0].patch.shape != common.shape:
        return None
    return np.where(odd[0].patch != common, np.uint8(MARK), common)


def _places(ps: list[Piece]) -> list[tuple[int, int]] | None:
    """Each piece's (row, column) in the layout of cells or parts, or None: they do not fill a full grid."""
    rows = sorted({p.r0 for p in ps})
    cols = sorted({p.c0 for p in ps})
    if len(rows) * len(cols) != len(ps):
        return None
    return [(rows.index(p.r0), cols.index(p.c0)) for p in ps]


def _layout(ps: list[Piece], bg: int) -> Grid | None:
    """Cells or parts as one pixel each, in their layout: the piece's majority non-background colour."""
    places = _places(ps)
    if places is None:
        return None
    out = np.full((max(r for r, _ in places) + 1, max(c for _, c in places) + 1), bg, dtype=np.uint8)
    for p, at in zip(ps, places, strict=True):
        cnt = np.bincount(p.patch.ravel(), minlength=10)
        cnt[bg] = 0
        if cnt.any():
            out[at] = int(cnt.argmax())
    return out


def _holes(p: np.ndarray, bg: int) -> np.ndarray:
    """The background cells of a patch that are not 4-connected to its border through background."""
    free = p == bg
    if not free.any() or min(p.shape) < 3:
        return np.zeros_like(free)
    if kernels.ENABLED:
        return kernels.holes(np.ascontiguousarray(~free, dtype=np.uint8))[0]
    return free & ~_outside(p, free)


def _pick_odd(ps: list[Piece], key: Callable[[Piece], object]) -> Grid | None:
    """The one piece whose key differs from all the others' (which share one key)."""
    vals = [key(p) for p in ps]
    if len(ps) < 3:
        return None
    first = vals[0] if vals.count(vals[0]) > 1 else vals[1]
    odd = [p for p, v in zip(ps, vals, strict=True) if v != first]
    return odd[0].patch if len(odd) == 1 else None


def _colours(p: Piece, bg: int) -> bytes:
    cnt = np.bincount(p.patch.ravel(), minlength=10)[:10] > 0
    cnt[bg] = False
    return cnt.tobytes()


def _pick_rare_colour(ps: list[Piece], bg: int) -> Grid | None:
    """The one piece holding a colour that no other piece holds."""
    sets = np.array([np.frombuffer(_colours(p, bg), dtype=bool) for p in ps])
    own = sets & (sets.sum(axis=0) == 1)
    hit = np.flatnonzero(own.any(axis=1))
    return ps[int(hit[0])].patch if hit.size == 1 else None


def _touches(p: Piece, g: Grid) -> bool:
    h, w = p.patch.shape
    return p.r0 == 0 or p.c0 == 0 or p.r0 + h == g.shape[0] or p.c0 + w == g.shape[1]


def _overlay(ps: list[Piece], bg: int, order: list[Piece]) -> Grid:
    """The pieces aligned top-left, painted in ``order`` (later ones on top)."""
    h = max(p.patch.shape[0] for p in ps)
    w = max(p.patch.shape[1] for p in ps)
    out = np.full((h, w), bg, dtype=np.uint8)
    for p in order:
        ph, pw = p.patch.shape
        np.copyto(out[:ph, :pw], p.patch, where=p.patch != bg)
    return out


def _stack_pad(ps: list[Piece], bg: int, axis: int) -> Grid | None:
    """Pieces of different sizes in a line by position, each padded with background to the longest side."""
    side = max(p.patch.shape[1 - axis] for p in ps)
    if all(p.patch.shape[1 - axis] == side for p in ps):
        return None  # ``stack_h`` / ``stack_v``
    order = sorted(ps, key=lambda p: (p.c0, p.r0) if axis == 1 else (p.r0, p.c0))
    parts = []
    for p in order:
        ph, pw = p.patch.shape
        q = np.full((side, pw) if axis == 1 else (ph, side), bg, dtype=np.uint8)
        q[:ph, :pw] = p.patch
        parts.append(q)
    return np.concatenate(parts, axis=axis)


def _stack_by_size(ps: list[Piece], axis: int) -> Grid | None:
    """Pieces of one side in a line, largest first (ties refuse: the order would be arbitrary)."""
    if len({p.n for p in ps}) != len(ps) or len({p.patch.shape[1 - axis] for p in ps}) != 1:
        return None
    return np.concatenate([p.patch for p in sorted(ps, key=lambda p: -p.n)], axis=axis)


def _count(ps: list[Piece], bg: int, axis: int) -> Grid:
    """The number of pieces as a line of that many cells, in the pieces' most common colour."""
    cnt = np.sum([np.bincount(p.patch.ravel(), minlength=10)[:10] for p in ps], axis=0)
    cnt[bg] = 0
    c = np.uint8(int(cnt.argmax()))
    return np.full((1, len(ps)) if axis == 1 else (len(ps), 1), c, dtype=np.uint8)


Reducer = Callable[[list[Piece], int, Grid], Grid | None]
REDUCERS: list[tuple[str, Reducer]] = [
    ("max_cells", lambda ps, bg, g: _pick_key(ps, lambda p: p.n)),
    ("min_cells", lambda ps, bg, g: _pick_key(ps, lambda p: -p.n)),
    ("max_colours", lambda ps, bg, g: _pick_key(ps, lambda p: _ncol(p, bg))),
    ("min_colours", lambda ps, bg, g: _pick_key(ps, lambda p: -_ncol(p, bg))),
    ("unique", lambda ps, bg, g: _pick_unique(ps)),
    ("common", lambda ps, bg, g: _pick_common(ps)),
    ("stack_h", lambda ps, bg, g: _stack(ps, 1)),
    ("stack_v", lambda ps, bg, g: _stack(ps, 0)),
    ("grow", lambda ps, bg, g: _grow(ps, bg)),
    ("common_diff", lambda ps, bg, g: _common_diff(ps)),
    ("layout", lambda ps, bg, g: _layout(ps, bg)),
    # icecuber's other pickMax keys and pickUnique variants, other overlay orders, padded stacks, counts
    ("max_area", lambda ps, bg, g: _pick_key(ps, lambda p: p.patch.size)),
    ("min_area", lambda ps, bg, g: _pick_key(ps, lambda p: -p.patch.size)),
    ("max_holes", lambda ps, bg, g: _pick_key(ps, lambda p: int(_holes(p.patch, bg).sum()))),
    ("odd_shape", lambda ps, bg, g: _pick_odd(ps, lambda p: _patch_key(p._replace(patch=p.patch != bg)))),
    ("odd_colours", lambda ps, bg, g: _pick_odd(ps, lambda p: _colours(p, bg))),
    ("odd_ncol", lambda ps, bg, g: _pick_odd(ps, lambda p: _ncol(p, bg))),
    ("odd_border", lambda ps, bg, g: _pick_odd(ps, lambda p: _touches(p, g))),
    ("rare_colour", lambda ps, bg, g: _pick_rare_colour(ps, bg)),
    ("grow_min", lambda ps, bg, g: _overlay(ps, bg, sorted(ps, key=lambda p: p.n))),
    ("overlay_pos", lambda ps, bg, g: _overlay(ps, bg, sorted(ps, key=lambda p: (p.r0, p.c0)))),
    ("stack_h_pad", lambda ps, bg, g: _stack_pad(ps, bg, 1)),
    ("stack_v_pad", lambda ps, bg, g: _stack_pad(ps, bg, 0)),
    ("stack_h_size", lambda ps, bg, g: _stack_by_size(ps, 1)),
    ("stack_v_size", lambda ps, bg, g: _stack_by_size(ps, 0)),
    ("count_h", lambda ps, bg, g: _count(ps, bg, 1)),
    ("count_v", lambda ps, bg, g: _count(ps, bg, 0)),
]
CELLWISE = ("and", "or", "one", "maj")
#: Picks whose piece is also kept alone in place (``keep_<pick>``) or erased (``drop_<pick>``): the grid
#: keeps its shape, as in most tasks.
IN_PLACE = (
    "max_cells",
    "min_cells",
    "max_colours",
    "min_colours",
    "unique",
    "max_area",
    "max_holes",
    "odd_shape",
    "odd_colours",
    "odd_ncol",
    "odd_border",
    "rare_colour",
)
REDUCER_NAMES = (
    [n for n, _ in REDUCERS] + list(CELLWISE) + [f"{k}_{n}" for k in ("keep", "drop") for n in IN_PLACE]
)
#: Of the splits into whole boxes (``WHOLE``), the picked piece also replaces every piece (``bcast_``,
#: icecuber's broadcast) or every piece unlike the common one (``bcastodd_``: the marked pieces), or paints
#: each piece whole in the colour of its own cell of the picked piece when the pieces are laid out in the
#: picked piece's shape (``spread_``: one cell per piece).
WHOLE_NAMES = [f"{k}_{n}" for k in ("bcast", "spread", "bcastodd") for n in IN_PLACE]
_IN_PLACE_IDX = [[n for n, _ in REDUCERS].index(n) for n in IN_PLACE]
_COMMON_IDX = [n for n, _ in REDUCERS].index("common")


def _in_place(g: Grid, ps: list[Piece], bg: int, picked: Grid | None, keep: bool) -> Grid | None:
    """The grid with the picked piece alone (``keep``) or erased; its cells are its non-background ones."""
    p = next((p for p in ps if p.patch is picked), None)
    if p is None:
        return None
    h, w = p.patch.shape
    m = np.zeros(g.shape, dtype=bool)
    m[p.r0 : p.r0 + h, p.c0 : p.c0 + w] = p.patch != bg
    return np.where(m == keep, g, np.uint8(bg))


@lru_cache(maxsize=8192)
def _reduce_all(kind: str, key: bytes, h: int, w: int) -> tuple[Grid | None, ...] | None:
    """Every reducer's result for one grid and split (in ``REDUCER_NAMES`` order), or None: no pieces."""
    g = np.frombuffer(key, dtype=np.uint8).reshape(h, w)
    ps, bg = _pieces(kind, g)
    if ps is None:
        return None
    res: list[Grid | None] = [f(ps, bg, g) for _, f in REDUCERS]
    a = _stackmask(ps)
    res += [None if a is None else _cellwise(n, a, bg) for n in CELLWISE]
    # pieces of the ``col`` split are layers on a 0 ground, not on the grid's background: no in-place picks
    picks = [res[i] if kind != "col" else None for i in _IN_PLACE_IDX]
    res += [None if q is None else _in_place(g, ps, bg, q, keep) for keep in (True, False) for q in picks]
    if kind in WHOLE:
        res += [None if q is None else _broadcast(g, ps, q) for q in picks]
        res += [None if q is None else _spread(g, ps, q) for q in picks]
        common = res[_COMMON_IDX]  # the "common" reducer's piece
        res += [None if q is None or common is None else _broadcast(g, ps, q, common) for q in picks]
    return tuple(res)


def _broadcast(g: Grid, ps: list[Piece], q: Grid, common: Grid | None = None) -> Grid | None:
    """Every piece (but those equal to ``common``) replaced by ``q`` (all of its shape), or None: nothing
    changes."""
    out = g.copy()
    for p in ps:
        if common is not None and p.patch.shape == common.shape and np.array_equal(p.patch, common):
            continue
        if p.patch.shape != q.shape:
            return None
        out[p.r0 : p.r0 + q.shape[0], p.c0 : p.c0 + q.shape[1]] = q
    return None if np.array_equal(out, g) else out


def _spread(g: Grid, ps: list[Piece], q: Grid) -> Grid | None:
    """Each piece painted whole in the colour of its cell of ``q``, the pieces' layout having ``q``'s shape."""
    places = _places(ps)
    if places is None or (max(r for r, _ in places) + 1, max(c for _, c in places) + 1) != q.shape:
        return None
    out = g.copy()
    for p, at in zip(ps, places, strict=True):
        h, w = p.patch.shape
        out[p.r0 : p.r0 + h, p.c0 : p.c0 + w] = q[at]
    return None if np.array_equal(out, g) else out


def _no_equal_parts(g: Grid) -> bool:
    h, w = g.shape
    return not ((w > h and w % h == 0 and w <= 4 * h) or (h > w and h % w == 0 and h <= 4 * w))


# The search applies every op of a split to one grid in a row: the last grid (kept alive, so its id is not
# reused; search states are never written to) and its results skip the bytes key of the repeated calls.
_LAST: dict[tuple[str, bool], tuple[Grid, tuple[Grid | None, ...] | None]] = {}


def _results(kind: str, g: Grid, maps: bool) -> tuple[Grid | None, ...] | None:
    if kind == "eq" and _no_equal_parts(g):
        return None
    last = _LAST.get((kind, maps))
    if last is not None and last[0] is g:
        return last[1]
    c = np.ascontiguousarray(g, dtype=np.uint8)
    r = (_map_all if maps else _reduce_all)(kind, c.tobytes(), c.shape[0], c.shape[1])
    _LAST[(kind, maps)] = (g, r)
    return r


def _nth_result(kind: str, i: int, maps: bool) -> Transform:
    def f(g: Grid) -> Grid | None:
        r = _results(kind, g, maps)
        return None if r is None else r[i]

    return f


def split_reduce(kind: str, reducer: str) -> Transform:
    names = REDUCER_NAMES + WHOLE_NAMES if kind in WHOLE else REDUCER_NAMES
    return _nth_result(kind, names.index(reducer), False)


SPLITS = ("obj8", "cobj4", "cobj8", "obj4", "bobj8", "col", "cells", "eq", "frame")


def list_transforms() -> list[tuple[str, Transform]]:
    """Every split x reducer pair, named ``<split>_<reducer>``."""
    ops = [(f"{k}_{r}", split_reduce(k, r)) for k in SPLITS for r in REDUCER_NAMES]
    return ops + [(f"{k}_{r}", split_reduce(k, r)) for k in WHOLE for r in WHOLE_NAMES]


# ---------------------------------------------------------------- maps in place
def _recolour_major(p: np.ndarray, bg: int) -> np.ndarray | None:
    cnt = np.bincount(p.ravel(), minlength=10)
    cnt[bg] = 0
    return np.where(p != bg, np.uint8(int(cnt.argmax())), np.uint8(bg))


def _sym(p: np.ndarray, bg: int, flips: tuple[Callable[[np.ndarray], np.ndarray], ...]) -> np.ndarray | None:
    out = p.copy()
    for fl in flips:
        np.copyto(out, fl(p), where=out == bg)
    return out


def _fill(p: np.ndarray, bg: int, m: np.ndarray) -> np.ndarray | None:
    """The cells ``m`` of a piece painted its majority colour (hull: all its box; or its holes)."""
    cnt = np.bincount(p.ravel(), minlength=10)[:10]
    cnt[bg] = 0
    if not m.any() or not cnt.any():
        return p  # this piece unchanged; a grid with no piece changed is refused
    return np.where(m, np.uint8(int(cnt.argmax())), p)


def _gravity(p: np.ndarray, bg: int, d: int) -> np.ndarray:
    """The piece's cells slid to one side of its box (0 down, 1 up, 2 right, 3 left), keeping their order."""
    q = p if d < 2 else p.T
    out = np.full_like(q, bg)
    for j in range(q.shape[1]):
        col = q[:, j][q[:, j] != bg]
        if d in (0, 2):
            out[q.shape[0] - col.size :, j] = col
        else:
            out[: col.size, j] = col
    return out if d < 2 else out.T


def _half(p: np.ndarray, bg: int, side: int) -> np.ndarray:
    """The piece's cells in one half of its box (0 lower, 1 upper, 2 right, 3 left; the middle row or column
    of an odd box in neither) marked with the new colour (``MARK``), for a colour map to name."""
    h, w = p.shape
    m = np.zeros(p.shape, dtype=bool)
    if side == 0:
        m[h - h // 2 :] = True
    elif side == 1:
        m[: h // 2] = True
    elif side == 2:
        m[:, w - w // 2 :] = True
    else:
        m[:, : w // 2] = True
    return np.where(m & (p != bg), np.uint8(MARK), p)


PIECE_MAPS: list[tuple[str, Callable[[np.ndarray, int], np.ndarray | None]]] = [
    ("flip_h", lambda p, bg: p[:, ::-1]),
    ("flip_v", lambda p, bg: p[::-1]),
    ("rot180", lambda p, bg: p[::-1, ::-1]),
    ("transpose", lambda p, bg: p.T if p.shape[0] == p.shape[1] else None),
    ("sym_h", lambda p, bg: _sym(p, bg, (lambda q: q[:, ::-1],))),
    ("sym_v", lambda p, bg: _sym(p, bg, (lambda q: q[::-1],))),
    ("sym_4", lambda p, bg: _sym(p, bg, (lambda q: q[:, ::-1], lambda q: q[::-1], lambda q: q[::-1, ::-1]))),
    ("recolour_major", _recolour_major),
    ("hull", lambda p, bg: _fill(p, bg, p == bg)),
    ("fill_holes", lambda p, bg: _fill(p, bg, _holes(p, bg))),
    ("gravity_d", lambda p, bg: _gravity(p, bg, 0)),
    ("gravity_u", lambda p, bg: _gravity(p, bg, 1)),
    ("gravity_r", lambda p, bg: _gravity(p, bg, 2)),
    ("gravity_l", lambda p, bg: _gravity(p, bg, 3)),
    ("half_d", lambda p, bg: _half(p, bg, 0)),
    ("half_u", lambda p, bg: _half(p, bg, 1)),
    ("half_r", lambda p, bg: _half(p, bg, 2)),
    ("half_l", lambda p, bg: _half(p, bg, 3)),
]
MAP_NAMES = [n for n, _ in PIECE_MAPS] + ["maj"]


@lru_cache(maxsize=8192)
def _map_all(kind: str, key: bytes, h: int, w: int) -> tuple[Grid | None, ...] | None:
    """Every piece map applied to each piece in its own box (in ``MAP_NAMES`` order): an object's cells
    are cleared before its image is painted; a cell or part is replaced whole."""
    g = np.frombuffer(key, dtype=np.uint8).reshape(h, w)
    ps, bg = _pieces(kind, g)
    if ps is None:
        return None
    whole = kind in WHOLE
    res: list[Grid | None] = []
    for _, f in PIECE_MAPS:
        out: Grid | None = g.copy()
        for p in ps:
            q = f(p.patch, bg)
            if q is None or out is None:
                out = None
                break
            box = out[p.r0 : p.r0 + q.shape[0], p.c0 : p.c0 + q.shape[1]]
            if whole:
                box[...] = q
            else:
                box[p.patch != bg] = bg
                np.copyto(box, q, where=q != bg)
        res.append(None if out is None or np.array_equal(out, g) else out)
    # every cell or part replaced by their cell-wise majority (a repeated pattern with defects repaired)
    a = _stackmask(ps) if whole else None
    m = None if a is None else _cellwise("maj", a, bg)
    if m is not None:
        out = g.copy()
        for p in ps:
            out[p.r0 : p.r0 + m.shape[0], p.c0 : p.c0 + m.shape[1]] = m
        m = None if np.array_equal(out, g) else out
    res.append(m)
    return tuple(res)


def split_map(kind: str, op: str) -> Transform:
    return _nth_result(kind, MAP_NAMES.index(op), True)


MAP_SPLITS = ("obj8", "cobj8", "bobj8", "cells", "eq", "frame")


def map_transforms() -> list[tuple[str, Transform]]:
    """Every split x piece map pair, named ``<split>_each_<map>``."""
    return [(f"{k}_each_{m}", split_map(k, m)) for k in MAP_SPLITS for m in MAP_NAMES]


# Registered in every node's vocabulary (primitives.transforms_for): the cell / equal-part reducers that
# fit dev tasks, cheap (they refuse at once on a grid without separators or equal parts). The rest cost
# ~15% of the search's nodes at every depth for no dev-set gain there, so they are offered for the first
# step only (applied to the raw input), where their cost is a few extra depth-1 states.
SELECTED: tuple[str, ...] = (
    "cells_and",
    "cells_or",
    "cells_one",
    "cells_maj",
    "cells_grow",
    "cells_common",
    "cells_layout",
    "cells_common_diff",
    "eq_common",
    "eq_unique",
    "eq_grow",
    "eq_maj",
)


def _all_ops() -> list[tuple[str, Transform]]:
    return list_transforms() + map_transforms()


def selected() -> list[tuple[str, Transform]]:
    """The list ops of every search node (unwrapped: ``transforms_for`` wraps them with the others)."""
    return [(n, f) for n, f in _all_ops() if n in SELECTED]


def first_step_transforms() -> list[tuple[str, Transform]]:
    """The other list ops, wrapped like ``transforms_for``'s: for the first step of a program only."""
    from .primitives import _wrap

    return [(n, _wrap(f)) for n, f in _all_ops() if n not in SELECTED]
