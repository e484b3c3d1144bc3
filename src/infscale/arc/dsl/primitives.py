"""Whole-grid transforms: the vocabulary the program search composes.

Every transform maps a uint8 grid to a new grid or ``None`` (not applicable). Colour ``10`` is an internal
marker ("a new colour") that only a final learned colour map can turn into a real colour, which lets
boolean/mask transforms stay colour-agnostic. Transforms are plain functions; :func:`transforms_for`
instantiates the colour-parameterised ones for the colours a task uses.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from . import kernels
from .objects import Obj, background, objects

Grid = np.ndarray
Transform = Callable[[Grid], Grid | None]
MARK = 10
MAXSIDE = 30


def _ok(g: Grid | None) -> Grid | None:
    if g is None or g.ndim != 2 or g.shape[0] == 0 or g.shape[1] == 0:
        return None
    if g.shape[0] > MAXSIDE or g.shape[1] > MAXSIDE:
        return None
    return np.ascontiguousarray(g, dtype=np.uint8)


def _c(g: Grid) -> Grid:
    """The grid as the kernels take it (a no-op for the search's states)."""
    return kernels.as_grid(g)


# ---------------------------------------------------------------- geometry
def rot90(g: Grid) -> Grid | None:
    return np.rot90(g, 1)


def rot180(g: Grid) -> Grid | None:
    return np.rot90(g, 2)


def rot270(g: Grid) -> Grid | None:
    return np.rot90(g, 3)


def flip_h(g: Grid) -> Grid | None:
    return g[:, ::-1]


def flip_v(g: Grid) -> Grid | None:
    return g[::-1, :]


def transpose(g: Grid) -> Grid | None:
    return g.T


def antitranspose(g: Grid) -> Grid | None:
    return np.rot90(g, 2).T


RIGID: list[tuple[str, Transform]] = [
    ("rot90", rot90),
    ("rot180", rot180),
    ("rot270", rot270),
    ("flip_h", flip_h),
    ("flip_v", flip_v),
    ("transpose", transpose),
    ("antitranspose", antitranspose),
]
RIGID_ALL: list[Callable[[Grid], Grid]] = [lambda g: g, *(f for _, f in RIGID)]  # type: ignore[list-item]


# ---------------------------------------------------------------- cropping
def _bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def crop_nonzero(g: Grid) -> Grid | None:
    b = kernels.bbox(_c(g), 0, False) if kernels.ENABLED else _bbox(g != 0)
    if b is None or b[0] < 0:
        return None
    return g[b[0] : b[1], b[2] : b[3]]


def crop_nonbg(g: Grid) -> Grid | None:
    b = kernels.bbox(_c(g), background(g), False) if kernels.ENABLED else _bbox(g != background(g))
    if b is None or b[0] < 0:
        return None
    return g[b[0] : b[1], b[2] : b[3]]


def _obj_crop(
    pick: Callable[[tuple[Obj, ...]], Obj | None],
    diag: bool,
    multi: bool,
    bg_major: bool = False,
    pick_name: str = "",
):
    fast = _FAST_PICKS.get(pick_name, -1)

    def f(g: Grid) -> Grid | None:
        if fast >= 0 and kernels.ENABLED:
            gc = _c(g)
            b = _crop_boxes(gc.tobytes(), gc.shape[0], gc.shape[1], diag, multi, bg_major)[fast]
            return None if b[0] < 0 else g[b[0] : b[1], b[2] : b[3]]
        bg = background(g) if bg_major else 0
        objs = objects(g, bg, diag, multi)
        if not objs:
            return None
        o = pick(objs)
        if o is None:
            return None
        return g[o.r0 : o.r1, o.c0 : o.c1]

    return f


def _unique_max(objs: tuple[Obj, ...], key: Callable[[Obj], float]) -> Obj | None:
    vals = [key(o) for o in objs]
    m = max(vals)
    if vals.count(m) != 1:
        return None
    return objs[vals.index(m)]


def _by_shape_unique(objs: tuple[Obj, ...]) -> Obj | None:
    keys = [(o.mask.shape, o.mask.tobytes()) for o in objs]
    uniq = [o for o, k in zip(objs, keys, strict=True) if keys.count(k) == 1]
    return uniq[0] if len(uniq) == 1 else None


def _by_colour_unique(objs: tuple[Obj, ...]) -> Obj | None:
    cols = [o.colour for o in objs]
    uniq = [o for o in objs if cols.count(o.colour) == 1]
    return uniq[0] if len(uniq) == 1 else None


def _patch_unique(objs: tuple[Obj, ...]) -> Obj | None:
    keys = [o.patch.tobytes() + bytes(o.patch.shape) for o in objs]
    uniq = [o for o, k in zip(objs, keys, strict=True) if keys.count(k) == 1]
    return uniq[0] if len(uniq) == 1 else None


def _ncolours(o: Obj) -> int:
    return len(np.unique(o.patch[o.mask]))


def _sym_score(o: Obj) -> float:
    p = o.patch
    return float((p == p[:, ::-1]).all()) + float((p == p[::-1, :]).all())


OBJECT_PICKS: list[tuple[str, Callable[[tuple[Obj, ...]], Obj | None]]] = [
    ("largest", lambda os: _unique_max(os, lambda o: o.size)),
    ("smallest", lambda os: _unique_max(os, lambda o: -o.size)),
    ("largest_box", lambda os: _unique_max(os, lambda o: o.shape[0] * o.shape[1])),
    ("smallest_box", lambda os: _unique_max(os, lambda o: -o.shape[0] * o.shape[1])),
    ("most_colours", lambda os: _unique_max(os, _ncolours)),
    ("densest", lambda os: _unique_max(os, lambda o: o.size / (o.shape[0] * o.shape[1]))),
    ("sparsest", lambda os: _unique_max(os, lambda o: -o.size / (o.shape[0] * o.shape[1]))),
    ("unique_shape", _by_shape_unique),
    ("unique_colour", _by_colour_unique),
    ("unique_patch", _patch_unique),
    ("symmetric", lambda os: _unique_max(os, _sym_score)),
    ("asymmetric", lambda os: _unique_max(os, lambda o: -_sym_score(o))),
    ("topmost", lambda os: _unique_max(os, lambda o: -o.r0)),
    ("bottommost", lambda os: _unique_max(os, lambda o: o.r1)),
    ("leftmost", lambda os: _unique_max(os, lambda o: -o.c0)),
    ("rightmost", lambda os: _unique_max(os, lambda o: o.c1)),
]

_FAST_PICKS = {name: i for i, name in enumerate(kernels.PICK_NAMES)}


@lru_cache(maxsize=4096)
def _crop_boxes(
    key: bytes, h: int, w: int, diag: bool, multi: bool, bg_major: bool
) -> tuple[tuple[int, int, int, int], ...]:
    """Every object pick's box (r0, r1, c0, c1; r0 = -1: no pick) for one grid at once: the search applies
    all picks to each grid in turn. The same choices as the ``OBJECT_PICKS`` functions. Python ints:
    slicing by numpy scalars costs about twice as much, at ~25 calls per grid."""
    g = np.frombuffer(key, dtype=np.uint8).reshape(h, w)
    bg = background(g) if bg_major else 0
    boxes = kernels.crop_picks(kernels.as_grid(g), int(bg), bool(diag), bool(multi))
    return tuple(tuple(b) for b in boxes.tolist())


OBJECT_KINDS = [("obj8", True, True), ("cobj4", False, False), ("cobj8", True, False), ("obj4", False, True)]


def _crop_transforms() -> list[tuple[str, Transform]]:
    out: list[tuple[str, Transform]] = []
    for kind, diag, multi in OBJECT_KINDS:
        for pname, pick in OBJECT_PICKS:
            out.append((f"crop_{kind}_{pname}", _obj_crop(pick, diag, multi, pick_name=pname)))
    for pname, pick in OBJECT_PICKS[:6]:
        out.append((f"crop_bgobj_{pname}", _obj_crop(pick, True, True, bg_major=True, pick_name=pname)))
    return out


def crop_colour_bbox(c: int) -> Transform:
    def f(g: Grid) -> Grid | None:
        b = kernels.bbox(_c(g), c, True) if kernels.ENABLED else _bbox(g == c)
        if b is None or b[0] < 0:
            return None
        return g[b[0] : b[1], b[2] : b[3]]

    return f


def crop_colour_inside(c: int) -> Transform:
    def f(g: Grid) -> Grid | None:
        b = kernels.bbox(_c(g), c, True) if kernels.ENABLED else _bbox(g == c)
        if b is None or b[0] < 0 or b[1] - b[0] < 3 or b[3] - b[2] < 3:
            return None
        return g[b[0] + 1 : b[1] - 1, b[2] + 1 : b[3] - 1]

    return f


def crop_border(g: Grid) -> Grid | None:
    if g.shape[0] < 3 or g.shape[1] < 3:
        return None
    return g[1:-1, 1:-1]


def crop_inside_frame(g: Grid) -> Grid | None:
    """The interior of the largest single-colour rectangle outline."""
    if kernels.ENABLED:
        r0, r1, c0, c1 = kernels.crop_inside_frame_box(_c(g))
        return None if r0 < 0 else g[r0 + 1 : r1 - 1, c0 + 1 : c1 - 1]
    best = None
    for o in objects(g, 0, False, False):
        h, w = o.shape
        if h < 3 or w < 3:
            continue
        m = o.mask
        framed = m[0].all() and m[-1].all() and m[:, 0].all() and m[:, -1].all()
        if framed and (best is None or h * w > best.shape[0] * best.shape[1]):
            best = o
    if best is None:
        return None
    return g[best.r0 + 1 : best.r1 - 1, best.c0 + 1 : best.c1 - 1]


# ---------------------------------------------------------------- colour
def keep_colour(c: int) -> Transform:
    def f(g: Grid) -> Grid | None:
        if kernels.ENABLED:
            out, found = kernels.keep_drop_colour(_c(g), c, True)
            return out if found else None
        if not (g == c).any():
            return None
        return np.where(g == c, g, 0).astype(np.uint8)

    return f


def drop_colour(c: int) -> Transform:
    def f(g: Grid) -> Grid | None:
        if kernels.ENABLED:
            out, found = kernels.keep_drop_colour(_c(g), c, False)
            return out if found else None
        if not (g == c).any():
            return None
        return np.where(g == c, 0, g).astype(np.uint8)

    return f


def mask_nonzero(g: Grid) -> Grid | None:
    return np.where(g != 0, MARK, 0).astype(np.uint8)


def invert(g: Grid) -> Grid | None:
    return np.where(g == 0, MARK, 0).astype(np.uint8)


def _counts(g: Grid) -> np.ndarray:
    return np.bincount(g.ravel(), minlength=11)


def keep_major_fg(g: Grid) -> Grid | None:
    cnt = _counts(g)
    cnt[0] = 0
    if cnt.max() == 0:
        return None
    c = int(cnt.argmax())
    return np.where(g == c, g, 0).astype(np.uint8)


def keep_minor_fg(g: Grid) -> Grid | None:
    cnt = _counts(g).astype(np.int64)
    cnt[0] = 0
    cnt[cnt == 0] = 1 << 30
    c = int(cnt.argmin())
    if cnt[c] == 1 << 30:
        return None
    return np.where(g == c, g, 0).astype(np.uint8)


def drop_major_fg(g: Grid) -> Grid | None:
    cnt = _counts(g)
    cnt[0] = 0
    if cnt.max() == 0:
        return None
    c = int(cnt.argmax())
    return np.where(g == c, 0, g).astype(np.uint8)


def bg_to_zero(g: Grid) -> Grid | None:
    """Swap the majority colour with 0 (so tasks on a coloured background look like the others)."""
    b = background(g)
    if b == 0:
        return None
    out = g.copy()
    out[g == b] = 0
    out[g == 0] = b
    return out


def major_colour_1x1(g: Grid) -> Grid | None:
    cnt = _counts(g)
    cnt[0] = 0
    if cnt.max() == 0:
        return None
    return np.array([[int(cnt.argmax())]], dtype=np.uint8)


def minor_colour_1x1(g: Grid) -> Grid | None:
    cnt = _counts(g).astype(np.int64)
    cnt[0] = 0
    cnt[cnt == 0] = 1 << 30
    c = int(cnt.argmin())
    if cnt[c] == 1 << 30:
        return None
    return np.array([[c]], dtype=np.uint8)


# ---------------------------------------------------------------- scaling and tiling
def upscale(k: int) -> Transform:
    def f(g: Grid) -> Grid | None:
        return np.repeat(np.repeat(g, k, axis=0), k, axis=1)

    return f


def upscale_hw(a: int, b: int) -> Transform:
    def f(g: Grid) -> Grid | None:
        return np.repeat(np.repeat(g, a, axis=0), b, axis=1)

    return f


def downscale(k: int) -> Transform:
    def f(g: Grid) -> Grid | None:
        h, w = g.shape
        if h % k or w % k:
            return None
        return g[::k, ::k]

    return f


def downscale_blocks(g: Grid) -> Grid | None:
    """Collapse runs of identical rows and columns (undo any integer upscale, incl. non-uniform)."""
    if kernels.ENABLED:
        res = kernels.downscale_blocks(_c(g))
        return None if res.shape == g.shape else res
    keep_r = np.ones(g.shape[0], dtype=bool)
    keep_r[1:] = (g[1:] != g[:-1]).any(axis=1)
    g2 = g[keep_r]
    keep_c = np.ones(g2.shape[1], dtype=bool)
    keep_c[1:] = (g2[:, 1:] != g2[:, :-1]).any(axis=0)
    out = g2[:, keep_c]
    if out.shape == g.shape:
        return None
    return out


def tile(a: int, b: int) -> Transform:
    def f(g: Grid) -> Grid | None:
        return np.tile(g, (a, b))

    return f


def mirror_right(g: Grid) -> Grid | None:
    return np.hstack([g, g[:, ::-1]])


def mirror_left(g: Grid) -> Grid | None:
    return np.hstack([g[:, ::-1], g])


def mirror_down(g: Grid) -> Grid | None:
    return np.vstack([g, g[::-1]])


def mirror_up(g: Grid) -> Grid | None:
    return np.vstack([g[::-1], g])


def mirror_4(g: Grid) -> Grid | None:
    top = np.hstack([g, g[:, ::-1]])
    return np.vstack([top, top[::-1]])


def mirror_4b(g: Grid) -> Grid | None:
    top = np.hstack([g[::-1, ::-1], g[::-1]])
    return np.vstack([top, top[::-1]])


def rot_4(g: Grid) -> Grid | None:
    if g.shape[0] != g.shape[1]:
        return None
    if kernels.ENABLED:
        return kernels.rot_4(_c(g))
    top = np.hstack([g, np.rot90(g, -1)])
    bot = np.hstack([np.rot90(g, 1), np.rot90(g, 2)])
    return np.vstack([top, bot])


def self_tile(g: Grid) -> Grid | None:
    """The fractal: block (i, j) is the grid where cell (i, j) is non-zero."""
    h, w = g.shape
    if h * h > MAXSIDE or w * w > MAXSIDE:
        return None
    out = np.zeros((h * h, w * w), dtype=np.uint8)
    for i in range(h):
        for j in range(w):
            if g[i, j]:
                out[i * h : (i + 1) * h, j * w : (j + 1) * w] = g
    return out


def self_tile_inv(g: Grid) -> Grid | None:
    h, w = g.shape
    if h * h > MAXSIDE or w * w > MAXSIDE:
        return None
    out = np.zeros((h * h, w * w), dtype=np.uint8)
    for i in range(h):
        for j in range(w):
            if not g[i, j]:
                out[i * h : (i + 1) * h, j * w : (j + 1) * w] = g
    return out


# ---------------------------------------------------------------- compress / dedup
def drop_empty_rows_cols(g: Grid) -> Grid | None:
    b = background(g)
    if kernels.ENABLED:
        res, ok = kernels.drop_rows_cols(_c(g), b)
        return res if ok else None
    r = (g != b).any(axis=1)
    c = (g != b).any(axis=0)
    if (r.all() and c.all()) or not r.any():
        return None
    return g[r][:, c]


def dedup_rows_cols(g: Grid) -> Grid | None:
    return downscale_blocks(g)


def unique_rows_cols(g: Grid) -> Grid | None:
    """Keep the first occurrence of each distinct row, then of each distinct column."""
    if kernels.ENABLED:
        out = kernels.unique_rows_cols(_c(g))
        return None if out.shape == g.shape else out
    _, ri = np.unique(g, axis=0, return_index=True)
    g2 = g[np.sort(ri)]
    _, ci = np.unique(g2, axis=1, return_index=True)
    out = g2[:, np.sort(ci)]
    if out.shape == g.shape:
        return None
    return out


# ---------------------------------------------------------------- symmetry
def sym_or_h(g: Grid) -> Grid | None:
    m = g[:, ::-1]
    return np.where(g == 0, m, g)


def sym_or_v(g: Grid) -> Grid | None:
    m = g[::-1]
    return np.where(g == 0, m, g)


def sym_or_4(g: Grid) -> Grid | None:
    out = np.where(g == 0, g[:, ::-1], g)
    out = np.where(out == 0, out[::-1], out)
    return out


def sym_or_rot(g: Grid) -> Grid | None:
    if g.shape[0] != g.shape[1]:
        return None
    if kernels.ENABLED:
        return kernels.sym_or_rot(_c(g))
    out = g
    for k in (1, 2, 3):
        out = np.where(out == 0, np.rot90(g, k), out)
    return out


def sym_or_t(g: Grid) -> Grid | None:
    if g.shape[0] != g.shape[1]:
        return None
    return np.where(g == 0, g.T, g)


# ---------------------------------------------------------------- gravity
def _gravity_down(g: Grid, bg: int = 0) -> Grid:
    out = np.full_like(g, bg)
    h = g.shape[0]
    for c in range(g.shape[1]):
        col = g[:, c]
        vals = col[col != bg]
        if vals.size:
            out[h - vals.size :, c] = vals
    return out


def gravity_down(g: Grid) -> Grid | None:
    if kernels.ENABLED:
        return kernels.gravity(_c(g), 0)
    return _gravity_down(g)


def gravity_up(g: Grid) -> Grid | None:
    if kernels.ENABLED:
        return kernels.gravity(_c(g), 1)
    return _gravity_down(g[::-1])[::-1]


def gravity_right(g: Grid) -> Grid | None:
    if kernels.ENABLED:
        return kernels.gravity(_c(g), 2)
    return _gravity_down(g.T).T


def gravity_left(g: Grid) -> Grid | None:
    if kernels.ENABLED:
        return kernels.gravity(_c(g), 3)
    return _gravity_down(g[:, ::-1].T).T[:, ::-1]


# ---------------------------------------------------------------- halves and boolean ops
def _separators(g: Grid) -> tuple[list[int], list[int], int] | None:
    """Full rows/cols of one non-background colour that split the grid."""
    h, w = g.shape
    if kernels.ENABLED:  # the same lists and set (built in the same order), vectorised
        rows = np.flatnonzero((g == g[:, :1]).all(axis=1)).tolist()
        cols = np.flatnonzero((g == g[:1, :]).all(axis=0)).tolist()
        rc, cc = g[rows, 0].tolist(), g[0, cols].tolist()
        bg = None
        for col in set(rc) | set(cc):
            rs = [r for r, v in zip(rows, rc, strict=True) if v == col]
            cs = [c for c, v in zip(cols, cc, strict=True) if v == col]
            if bg is None:
                bg = background(g)
            if (rs or cs) and len(rs) < h and len(cs) < w and (col != bg or _only_on(g, col, rs, cs)):
                return rs, cs, col
        return None
    rows = [r for r in range(h) if (g[r] == g[r, 0]).all()]
    cols = [c for c in range(w) if (g[:, c] == g[0, c]).all()]
    colours = {int(g[r, 0]) for r in rows} | {int(g[0, c]) for c in cols}
    for col in colours:
        rs = [r for r in rows if g[r, 0] == col]
        cs = [c for c in cols if g[0, c] == col]
        if (rs or cs) and len(rs) < h and len(cs) < w and (col != background(g) or _only_on(g, col, rs, cs)):
            return rs, cs, col
    return None


def _only_on(g: Grid, col: int, rs: list[int], cs: list[int]) -> bool:
    """Whether ``col`` lies on the lines ``rs`` / ``cs`` alone, a lattice of inner lines both ways with cells
    between them: then it separates cells even where it is the commonest colour (thin cells), while blank
    rows of a background that also fills the cells, or stripes of a picture, do not."""
    h, w = g.shape
    if not rs or not cs:
        return False  # a lattice of lines both ways, not stripes of a picture
    # cells at least 2 x 2 between the lines and the grid's edges
    for lines, n in ((rs, h), (cs, w)):
        edges = [-1, *lines, n]
        if (np.diff(edges) < 3).any():
            return False
    m = g == col
    m[rs, :] = False
    m[:, cs] = False
    return not m.any()


def split_cells(g: Grid) -> list[Grid] | None:
    """The cells between separator lines (row-major), or None when there are no separator lines."""
    g = np.ascontiguousarray(g)
    return _split_cells_cached(g.tobytes(), g.shape[0], g.shape[1])


def cell_boxes(g: Grid) -> list[tuple[int, int, int, int]] | None:
    """The boxes (r0, r1, c0, c1) of the non-empty cells between separator lines, row by row."""
    if g.dtype == np.uint8 and g.ndim == 2:  # cached: split_cells and the list ops' cells split both ask
        gc = np.ascontiguousarray(g)
        boxes = _cell_boxes_cached(gc.tobytes(), gc.shape[0], gc.shape[1], kernels.ENABLED)
        return None if boxes is None else list(boxes)
    return _cell_boxes(g)


@lru_cache(maxsize=4096)
def _cell_boxes_cached(
    key: bytes, h: int, w: int, enabled: bool
) -> tuple[tuple[int, int, int, int], ...] | None:
    """``_cell_boxes`` by the grid's bytes (``enabled``: kernels on or off, so both paths really run)."""
    boxes = _cell_boxes(np.frombuffer(key, dtype=np.uint8).reshape(h, w))
    return None if boxes is None else tuple(boxes)


def _cell_boxes(g: Grid) -> list[tuple[int, int, int, int]] | None:
    sep = _separators(g)
    if sep is None:
        return None
    rs, cs, _ = sep
    rb = [-1, *rs, g.shape[0]]
    cb = [-1, *cs, g.shape[1]]
    boxes = []
    for i in range(len(rb) - 1):
        for j in range(len(cb) - 1):
            a, b, c, d = rb[i] + 1, rb[i + 1], cb[j] + 1, cb[j + 1]
            if b > a and d > c:
                boxes.append((a, b, c, d))
    return boxes


@lru_cache(maxsize=4096)
def _split_cells_cached(key: bytes, h: int, w: int) -> list[Grid] | None:
    g = np.frombuffer(key, dtype=np.uint8).reshape(h, w)
    boxes = cell_boxes(g)
    if boxes is None:
        return None
    cells = [g[a:b, c:d] for a, b, c, d in boxes]
    return cells if len(cells) >= 2 else None


def halves(g: Grid) -> tuple[Grid, Grid] | None:
    """Two equal parts: by separator lines when present, else by splitting the longer side in two."""
    cells = split_cells(g)
    if cells is not None and len(cells) == 2 and cells[0].shape == cells[1].shape:
        return cells[0], cells[1]
    h, w = g.shape
    if w >= h and w % 2 == 0:
        return g[:, : w // 2], g[:, w // 2 :]
    if h % 2 == 0:
        return g[: h // 2], g[h // 2 :]
    if w % 2 == 0:
        return g[:, : w // 2], g[:, w // 2 :]
    return None


def _boolop(op: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Transform:
    def f(g: Grid) -> Grid | None:
        hv = halves(g)
        if hv is None:
            return None
        a, b = hv
        return np.where(op(a != 0, b != 0), MARK, 0).astype(np.uint8)

    return f


def overlay_halves(g: Grid) -> Grid | None:
    hv = halves(g)
    if hv is None:
        return None
    a, b = hv
    return np.where(a != 0, a, b)


def overlay_halves_rev(g: Grid) -> Grid | None:
    hv = halves(g)
    if hv is None:
        return None
    a, b = hv
    return np.where(b != 0, b, a)


def left_half(g: Grid) -> Grid | None:
    w = g.shape[1]
    return g[:, : w // 2] if w >= 2 else None


def right_half(g: Grid) -> Grid | None:
    w = g.shape[1]
    return g[:, (w + 1) // 2 :] if w >= 2 else None


def top_half(g: Grid) -> Grid | None:
    h = g.shape[0]
    return g[: h // 2] if h >= 2 else None


def bottom_half(g: Grid) -> Grid | None:
    h = g.shape[0]
    return g[(h + 1) // 2 :] if h >= 2 else None


def overlay_cells(g: Grid) -> Grid | None:
    cells = split_cells(g)
    if cells is None or any(c.shape != cells[0].shape for c in cells):
        return None
    out = cells[0].copy()
    for c in cells[1:]:
        out = np.where(out == 0, c, out)
    return out


def cell_pick(name: str) -> Transform:
    def f(g: Grid) -> Grid | None:
        cells = split_cells(g)
        if cells is None:
            return None
        b = background(g)
        if name == "most_fg":
            vals = [int((c != b).sum()) for c in cells]
            m = max(vals)
            return cells[vals.index(m)] if vals.count(m) == 1 else None
        if name == "least_fg":
            vals = [int((c != b).sum()) for c in cells]
            m = min(vals)
            return cells[vals.index(m)] if vals.count(m) == 1 else None
        if name == "unique":
            keys = [c.tobytes() + bytes(c.shape) for c in cells]
            u = [c for c, k in zip(cells, keys, strict=True) if keys.count(k) == 1]
            return u[0] if len(u) == 1 else None
        if name == "most_colours":
            vals = [len(np.unique(c)) for c in cells]
            m = max(vals)
            return cells[vals.index(m)] if vals.count(m) == 1 else None
        return None

    return f


# ---------------------------------------------------------------- fill, outline, lines
def _outside(g: Grid, passable: np.ndarray) -> np.ndarray:
    """Cells of ``passable`` reachable from the border through passable cells (4-connected)."""
    reach = np.zeros_like(passable)
    reach[0, :] = passable[0, :]
    reach[-1, :] = passable[-1, :]
    reach[:, 0] |= passable[:, 0]
    reach[:, -1] |= passable[:, -1]
    while True:
        grown = reach.copy()
        grown[1:] |= reach[:-1]
        grown[:-1] |= reach[1:]
        grown[:, 1:] |= reach[:, :-1]
        grown[:, :-1] |= reach[:, 1:]
        grown &= passable
        if (grown == reach).all():
            return reach
        reach = grown


def fill_enclosed(g: Grid) -> Grid | None:
    if kernels.ENABLED:
        out, nh, nzero = kernels.fill_enclosed(_c(g))
        return None if nzero == 0 or nh == 0 else out
    bgm = g == 0
    if not bgm.any():
        return None
    holes = bgm & ~_outside(g, bgm)
    if not holes.any():
        return None
    out = g.copy()
    out[holes] = MARK
    return out


def holes_only(g: Grid) -> Grid | None:
    if kernels.ENABLED:
        out, nh = kernels.holes_only(_c(g))
        return None if nh == 0 else out
    bgm = g == 0
    holes = bgm & ~_outside(g, bgm)
    if not holes.any():
        return None
    return np.where(holes, MARK, 0).astype(np.uint8)


def outline(g: Grid) -> Grid | None:
    """Keep the border cells of each shape (cells with a 4-neighbour of another colour or the edge)."""
    if kernels.ENABLED:
        return kernels.outline(_c(g))
    p = np.pad(g, 1, constant_values=255)
    same = (p[:-2, 1:-1] == g) & (p[2:, 1:-1] == g) & (p[1:-1, :-2] == g) & (p[1:-1, 2:] == g)
    out = g.copy()
    out[(g != 0) & same] = 0
    return out


def interior_mark(g: Grid) -> Grid | None:
    if kernels.ENABLED:
        out, anyc = kernels.interior_mark(_c(g))
        return out if anyc else None
    p = np.pad(g, 1, constant_values=255)
    same = (p[:-2, 1:-1] == g) & (p[2:, 1:-1] == g) & (p[1:-1, :-2] == g) & (p[1:-1, 2:] == g)
    m = (g != 0) & same
    if not m.any():
        return None
    out = g.copy()
    out[m] = MARK
    return out


def surround(g: Grid) -> Grid | None:
    """Mark the background cells 8-adjacent to a shape."""
    if kernels.ENABLED:
        out, anyc = kernels.surround(_c(g))
        return out if anyc else None
    fg = g != 0
    p = np.pad(fg, 1)
    near = np.zeros_like(fg)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            near |= p[1 + dy : 1 + dy + g.shape[0], 1 + dx : 1 + dx + g.shape[1]]
    m = near & ~fg
    if not m.any():
        return None
    out = g.copy()
    out[m] = MARK
    return out


def box_mark(kind: str) -> Transform:
    """icecuber's ``compress`` then ``hull`` / ``border`` / ``makeBorder2`` / ``interior2 | border``, kept in
    place: the box spanned by the non-zero cells, its 0 cells (``fill``), its edge (``frame``), the ring just
    outside it (``ring``) or the edge one cell inside it (``inset``) marked with the new colour."""

    def f(g: Grid) -> Grid | None:
        box = _bbox(g != 0)
        if box is None:
            return None
        r0, r1, c0, c1 = box[0], box[1] - 1, box[2], box[3] - 1  # inclusive ends
        if kind == "ring":
            r0, r1, c0, c1 = r0 - 1, r1 + 1, c0 - 1, c1 + 1
        elif kind == "inset":
            r0, r1, c0, c1 = r0 + 1, r1 - 1, c0 + 1, c1 - 1
            if r1 - r0 < 1 or c1 - c0 < 1:
                return None
        h, w = g.shape
        m = np.zeros(g.shape, dtype=bool)
        if kind == "fill":
            m[r0 : r1 + 1, c0 : c1 + 1] = g[r0 : r1 + 1, c0 : c1 + 1] == 0
        else:
            a, b, c, d = max(r0, 0), min(r1, h - 1), max(c0, 0), min(c1, w - 1)
            for r in (r0, r1):
                if 0 <= r < h:
                    m[r, c : d + 1] = True
            for c_ in (c0, c1):
                if 0 <= c_ < w:
                    m[a : b + 1, c_] = True
        if not m.any():
            return None
        out = g.copy()
        out[m] = MARK
        return None if np.array_equal(out, g) else out

    return f


def border_mark(g: Grid) -> Grid | None:
    out = g.copy()
    out[0, :] = MARK
    out[-1, :] = MARK
    out[:, 0] = MARK
    out[:, -1] = MARK
    return out


def pad1(g: Grid) -> Grid | None:
    if kernels.ENABLED:  # np.pad's generality costs ~30 us a call
        out = np.zeros((g.shape[0] + 2, g.shape[1] + 2), dtype=g.dtype)
        out[1:-1, 1:-1] = g
        return out
    return np.pad(g, 1, constant_values=0)


def connect_lines(horizontal: bool, vertical: bool) -> Transform:
    """Join two cells of the same colour in a row/column with that colour (over background only)."""

    def f(g: Grid) -> Grid | None:
        if kernels.ENABLED:
            res, changed_k = kernels.connect(_c(g), horizontal, vertical)
            return res if changed_k else None
        out = g.copy()
        changed = False
        for axis_on, arr in ((horizontal, out), (vertical, out.T)):
            if not axis_on:
                continue
            src = g if arr is out else g.T
            for r in range(src.shape[0]):
                row = src[r]
                nz = np.flatnonzero(row)
                for a, b in itertools.pairwise(nz):
                    if b > a + 1 and row[a] == row[b]:
                        seg = arr[r, a + 1 : b]
                        fill = seg == 0
                        if fill.any():
                            seg[fill] = row[a]
                            changed = True
        return out if changed else None

    return f


def rays(directions: str) -> Transform:
    """Extend every non-zero cell as a ray until the grid edge (over background only)."""
    steps = {"d": (1, 0), "u": (-1, 0), "r": (0, 1), "l": (0, -1)}
    dys = np.array([steps[d][0] for d in directions], dtype=np.int64)
    dxs = np.array([steps[d][1] for d in directions], dtype=np.int64)

    def f(g: Grid) -> Grid | None:
        if kernels.ENABLED:
            res, ok = kernels.rays(_c(g), dys, dxs)
            return res if ok else None
        out = g.copy()
        h, w = g.shape
        ys, xs = np.nonzero(g)
        if ys.size == 0 or ys.size > 60:
            return None
        for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
            c = g[y, x]
            for d in directions:
                dy, dx = steps[d]
                yy, xx = y + dy, x + dx
                while 0 <= yy < h and 0 <= xx < w:
                    if out[yy, xx] == 0:
                        out[yy, xx] = c
                    yy += dy
                    xx += dx
        return out

    return f


#: icecuber's smear direction sets beyond ``rays_*`` (the single axis directions and all four stay there):
#: (dy, dx) steps, applied in this order.
SMEAR_SETS: dict[str, tuple[tuple[int, int], ...]] = {
    "lr": ((0, 1), (0, -1)),
    "ud": ((1, 0), (-1, 0)),
    "dr": ((1, 1),),
    "ul": ((-1, -1),),
    "ur": ((-1, 1),),
    "dl": ((1, -1),),
    "diag1": ((1, 1), (-1, -1)),
    "diag2": ((-1, 1), (1, -1)),
    "diag": ((1, 1), (-1, -1), (-1, 1), (1, -1)),
    "all8": ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, -1), (-1, 1), (1, -1)),
}


def smear(steps: tuple[tuple[int, int], ...]) -> Transform:
    """icecuber's ``smear``: per direction in turn, every 0 cell takes the colour of the nearest non-zero
    cell behind it (so a ray stops at the next shape, which shoots its own; later directions win)."""
    dys = np.array([s[0] for s in steps], dtype=np.int64)
    dxs = np.array([s[1] for s in steps], dtype=np.int64)

    def f(g: Grid) -> Grid | None:
        if kernels.ENABLED:
            res, changed_k = kernels.smear(_c(g), dys, dxs)
            return res if changed_k else None
        h, w = g.shape
        out = g.copy()
        carry = np.zeros((h, w), dtype=np.uint8)
        changed = False
        for dy, dx in steps:
            for y in range(h) if dy >= 0 else range(h - 1, -1, -1):
                for x in range(w) if dx >= 0 else range(w - 1, -1, -1):
                    v = int(g[y, x])
                    if v == 0 and 0 <= y - dy < h and 0 <= x - dx < w:
                        v = int(carry[y - dy, x - dx])
                    carry[y, x] = v
                    if v and out[y, x] != v:
                        out[y, x] = v
                        changed = True
        return out if changed else None

    return f


def remove_noise(k: int) -> Transform:
    """Delete objects (8-connected, any colour) of at most ``k`` cells."""

    def f(g: Grid) -> Grid | None:
        if kernels.ENABLED:
            res, ok = kernels.small_objects(_c(g), k, False)
            return res if ok else None
        objs = objects(g, 0, True, True)
        small = [o for o in objs if o.size <= k]
        if not small or len(small) == len(objs):
            return None
        out = g.copy()
        for o in small:
            sub = out[o.r0 : o.r1, o.c0 : o.c1]
            sub[o.mask] = 0
        return out

    return f


def keep_largest_only(g: Grid) -> Grid | None:
    if kernels.ENABLED:
        res, ok = kernels.small_objects(_c(g), 0, True)
        return res if ok else None
    objs = objects(g, 0, True, True)
    if len(objs) < 2:
        return None
    o = _unique_max(objs, lambda o: o.size)
    if o is None:
        return None
    out = np.zeros_like(g)
    out[o.r0 : o.r1, o.c0 : o.c1][o.mask] = g[o.r0 : o.r1, o.c0 : o.c1][o.mask]
    return out


def colour_by_size_rank(g: Grid) -> Grid | None:
    """Recolour 8-connected objects with MARK-free ranks: largest -> 1, next -> 2, ... (map learned later)."""
    if kernels.ENABLED:
        out, n = kernels.colour_by_size_rank(_c(g))
        return out if 0 < n <= 9 else None
    objs = objects(g, 0, True, False)
    if not objs or len(objs) > 9:
        return None
    sizes = sorted({o.size for o in objs}, reverse=True)
    out = np.zeros_like(g)
    for o in objs:
        out[o.r0 : o.r1, o.c0 : o.c1][o.mask] = sizes.index(o.size) + 1
    return out


def count_colours_row(g: Grid) -> Grid | None:
    cnt = _counts(g)[1:10]
    cols = [i + 1 for i in np.argsort(-cnt, kind="stable") if cnt[i] > 0]
    if not cols:
        return None
    return np.array([cols], dtype=np.uint8)


# ---------------------------------------------------------------- to the outputs' fixed shape
def fixed_out_shape(train_in: list[Grid], train_out: list[Grid]) -> tuple[int, int] | None:
    """The one shape every train output has, when some train input has another one (the test output is then
    taken to have it too, as icecuber's binary functions with the output size as second argument do)."""
    shapes = {o.shape for o in train_out}
    if len(shapes) != 1:
        return None
    shape = next(iter(shapes))
    if all(i.shape == shape for i in train_in):
        return None
    return (int(shape[0]), int(shape[1]))


def embed_to(shape: tuple[int, int], centred: bool) -> Transform:
    """icecuber's ``embed``: the grid in a 0 canvas of ``shape``, at the top-left corner or centred (cut
    where it does not fit)."""
    hh, ww = shape

    def f(g: Grid) -> Grid | None:
        h, w = g.shape
        if (h, w) == shape:
            return None
        oy, ox = ((hh - h) // 2, (ww - w) // 2) if centred else (0, 0)
        out = np.zeros(shape, dtype=np.uint8)
        y0, x0 = max(oy, 0), max(ox, 0)
        y1, x1 = min(oy + h, hh), min(ox + w, ww)
        if y1 <= y0 or x1 <= x0:
            return None
        out[y0:y1, x0:x1] = g[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
        return out

    return f


def repeat_to(shape: tuple[int, int], pad: int, mirror: bool) -> Transform:
    """icecuber's ``repeat`` / ``mirror``: tile the grid from the top-left corner over ``shape``, every copy
    followed by ``pad`` 0 rows and columns; ``mirror``: every other copy flipped (mirror tiling)."""
    hh, ww = shape

    def f(g: Grid) -> Grid | None:
        h, w = g.shape
        if (h, w) == shape:
            return None
        cell = g
        if pad:
            cell = np.zeros((h + pad, w + pad), dtype=np.uint8)
            cell[:h, :w] = g
        if mirror:
            top = np.hstack([cell, _flip_pad(cell, h, w, pad, axis=1)])
            cell = np.vstack([top, _flip_pad(top, h, w, pad, axis=0)])
        reps = (-(-hh // cell.shape[0]), -(-ww // cell.shape[1]))
        return np.tile(cell, reps)[:hh, :ww]

    return f


def _flip_pad(cell: Grid, h: int, w: int, pad: int, axis: int) -> Grid:
    """The mirrored copy of a padded tile: the grid part flipped, the padding kept after it."""
    if not pad:
        return np.flip(cell, axis=axis)
    out = np.zeros_like(cell)
    if axis == 1:
        out[:, :w] = cell[:, :w][:, ::-1]
        out[:, w:] = cell[:, w:]
    else:
        out[:h] = cell[:h][::-1]
        out[h:] = cell[h:]
    return out


def scale_to(shape: tuple[int, int]) -> Transform:
    """icecuber's ``broadcast`` (integer ratios only): scale the grid up to ``shape``, or down to it with each
    block's majority colour (lowest on ties)."""
    hh, ww = shape

    def f(g: Grid) -> Grid | None:
        h, w = g.shape
        if (h, w) == shape:
            return None
        if hh % h == 0 and ww % w == 0:
            return np.repeat(np.repeat(g, hh // h, axis=0), ww // w, axis=1)
        if h % hh == 0 and w % ww == 0:
            a, b = h // hh, w // ww
            blocks = g.reshape(hh, a, ww, b).transpose(0, 2, 1, 3).reshape(hh * ww, a * b)
            cnt = np.zeros((hh * ww, 11), dtype=np.int64)
            np.add.at(cnt, (np.repeat(np.arange(hh * ww), a * b), blocks.ravel()), 1)
            return cnt.argmax(axis=1).astype(np.uint8).reshape(hh, ww)
        return None

    return f


def to_shape_transforms(shape: tuple[int, int]) -> list[tuple[str, Transform]]:
    """The transforms onto the outputs' fixed ``shape`` (unwrapped)."""
    return [
        ("embed_tl", embed_to(shape, False)),
        ("embed_c", embed_to(shape, True)),
        ("repeat_to", repeat_to(shape, 0, False)),
        ("repeat1_to", repeat_to(shape, 1, False)),
        ("mirror_to", repeat_to(shape, 0, True)),
        ("mirror1_to", repeat_to(shape, 1, True)),
        ("scale_to", scale_to(shape)),
    ]


def transforms_for(
    colours: list[int], out_shape: tuple[int, int] | None = None
) -> list[tuple[str, Transform]]:
    """The full transform list, with colour-parameterised transforms for ``colours``, and the transforms
    onto ``out_shape`` when the outputs have one fixed shape (:func:`fixed_out_shape`)."""
    ts: list[tuple[str, Transform]] = list(RIGID)
    ts += [
        ("crop_nonzero", crop_nonzero),
        ("crop_nonbg", crop_nonbg),
        ("crop_border", crop_border),
        ("crop_inside_frame", crop_inside_frame),
        ("bg_to_zero", bg_to_zero),
        ("mask_nonzero", mask_nonzero),
        ("invert", invert),
        ("keep_major_fg", keep_major_fg),
        ("keep_minor_fg", keep_minor_fg),
        ("drop_major_fg", drop_major_fg),
        ("major_colour_1x1", major_colour_1x1),
        ("minor_colour_1x1", minor_colour_1x1),
        ("downscale_blocks", downscale_blocks),
        ("unique_rows_cols", unique_rows_cols),
        ("drop_empty_rows_cols", drop_empty_rows_cols),
        ("mirror_right", mirror_right),
        ("mirror_left", mirror_left),
        ("mirror_down", mirror_down),
        ("mirror_up", mirror_up),
        ("mirror_4", mirror_4),
        ("mirror_4b", mirror_4b),
        ("rot_4", rot_4),
        ("self_tile", self_tile),
        ("self_tile_inv", self_tile_inv),
        ("sym_or_h", sym_or_h),
        ("sym_or_v", sym_or_v),
        ("sym_or_4", sym_or_4),
        ("sym_or_rot", sym_or_rot),
        ("sym_or_t", sym_or_t),
        ("gravity_down", gravity_down),
        ("gravity_up", gravity_up),
        ("gravity_left", gravity_left),
        ("gravity_right", gravity_right),
        ("and_halves", _boolop(np.logical_and)),
        ("or_halves", _boolop(np.logical_or)),
        ("xor_halves", _boolop(np.logical_xor)),
        ("nor_halves", _boolop(lambda a, b: ~(a | b))),
        ("a_not_b_halves", _boolop(lambda a, b: a & ~b)),
        ("b_not_a_halves", _boolop(lambda a, b: b & ~a)),
        ("overlay_halves", overlay_halves),
        ("overlay_halves_rev", overlay_halves_rev),
        ("overlay_cells", overlay_cells),
        ("left_half", left_half),
        ("right_half", right_half),
        ("top_half", top_half),
        ("bottom_half", bottom_half),
        ("fill_enclosed", fill_enclosed),
        ("holes_only", holes_only),
        ("outline", outline),
        ("interior_mark", interior_mark),
        ("surround", surround),
        ("border_mark", border_mark),
        ("pad1", pad1),
        *((f"box_{k}", box_mark(k)) for k in ("fill", "frame", "ring", "inset")),
        ("connect_h", connect_lines(True, False)),
        ("connect_v", connect_lines(False, True)),
        ("connect_hv", connect_lines(True, True)),
        ("rays_d", rays("d")),
        ("rays_u", rays("u")),
        ("rays_r", rays("r")),
        ("rays_l", rays("l")),
        ("rays_hv", rays("udlr")),
        *((f"smear_{k}", smear(v)) for k, v in SMEAR_SETS.items()),
        ("remove_noise1", remove_noise(1)),
        ("remove_noise2", remove_noise(2)),
        ("keep_largest_only", keep_largest_only),
        ("colour_by_size_rank", colour_by_size_rank),
        ("count_colours_row", count_colours_row),
    ]
    for name in ("most_fg", "least_fg", "unique", "most_colours"):
        ts.append((f"cell_{name}", cell_pick(name)))
    for k in (2, 3, 4, 5):
        ts.append((f"upscale{k}", upscale(k)))
    for a, b in ((1, 2), (2, 1)):
        ts.append((f"upscale{a}x{b}", upscale_hw(a, b)))
    for k in (2, 3):
        ts.append((f"downscale{k}", downscale(k)))
    for a, b in ((1, 2), (2, 1), (2, 2), (3, 3), (1, 3), (3, 1), (4, 4)):
        ts.append((f"tile{a}x{b}", tile(a, b)))
    ts += _crop_transforms()
    for c in colours:
        if c == 0:
            continue
        ts.append((f"keep_colour{c}", keep_colour(c)))
        ts.append((f"drop_colour{c}", drop_colour(c)))
        ts.append((f"crop_colour_bbox{c}", crop_colour_bbox(c)))
        ts.append((f"crop_colour_inside{c}", crop_colour_inside(c)))
    from . import list_ops  # here: list_ops builds on this module

    ts += list_ops.selected()
    if out_shape is not None:
        ts += to_shape_transforms(out_shape)
    return [(n, _wrap(f)) for n, f in ts]


def _wrap(f: Transform) -> Transform:
    if not kernels.ENABLED:
        return _wrap_py(f)

    def g(x: Grid) -> Grid | None:
        # _ok inlined: this runs for every transform application of the search
        try:
            r = f(x)
            if r is None or r.ndim != 2:
                return None
            h, w = r.shape
            if h == 0 or w == 0 or h > MAXSIDE or w > MAXSIDE:
                return None
            return np.ascontiguousarray(r, dtype=np.uint8)
        except (ValueError, IndexError):
            return None

    g.__name__ = getattr(f, "__name__", "transform")
    return g


def _wrap_py(f: Transform) -> Transform:
    def g(x: Grid) -> Grid | None:
        try:
            return _ok(f(x))
        except (ValueError, IndexError):
            return None

    g.__name__ = getattr(f, "__name__", "transform")
    return g
