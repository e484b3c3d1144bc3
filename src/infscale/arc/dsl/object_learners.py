"""Object- and region-level learners: the mechanisms the whole-grid search cannot compose.

Same contract as :mod:`.learners`: ``fit(train_in, train_out, test_in) -> Predictor | None``; a predictor
is returned only when it reproduces every train pair exactly and applies to every test input. All of them
bail out early (shapes differ, a changed cell that is not background, too many objects) so they stay cheap
on the many intermediate states the search fits them on. Where a choice is learned from few examples they
prefer the reading that generalises (two agreeing observations per stamp cell, the largest symmetry group,
fixed directions before relative ones), because a train fit that is wrong on test costs an attempt.

Same-shape tasks (only background cells change unless said otherwise):

- :func:`fit_region_fill`: background regions (4-connected) are filled with a colour given by a region
  feature (enclosed, largest/smallest, size, square, side parity, adjacent colour...).
- :func:`fit_stamp`: every cell of a colour, or every object of a patch / of a shape (colours relative to
  the object's own), gets a fixed pattern painted around it.
- :func:`fit_colour_rays` / :func:`fit_object_rays`: cells of some colours (or objects from their far
  corner, diagonally) shoot rays in learned directions.
- :func:`fit_connect_pairs`: same-coloured cells in a row/column/diagonal are joined by a line.
- :func:`fit_mask_paint`: empty rows/columns or object/colour bounding boxes are painted.
- :func:`fit_symmetrise`: the picture is completed under a mirror/rotation group about a centre.
- :func:`fit_pattern_continue`: a 1-D periodic pattern is continued over the grid.
- :func:`fit_move_to_contact`: objects of the moving colours slide until they touch something.
- :func:`fit_nearest_recolour`: cells/objects of a colour take the colour of a cell seen in a direction,
  in their row/column, or nearest.
- :func:`fit_object_predicate`: objects for which a predicate holds are recoloured or deleted.
- :func:`fit_object_recolour_bg`: :func:`.learners.fit_object_recolour` on a non-black background.
- :func:`fit_cell_rewrite`: grids split by separator lines: copy the only non-empty cell everywhere, or
  keep only the fullest cells.

Other shapes:

- :func:`fit_object_pick`: the object with the unique extreme value of a property (cells of a colour,
  size, colours, holes...), output as a crop, a masked patch or its colour.
- :func:`fit_window_crop`: a fixed window at a fixed offset from a corner.
- :func:`fit_part_overlay`: equal parts of the input stacked in a learned priority order.
- :func:`fit_cell_summary`: one output cell (or a filled cell) per separator-grid cell.
- :func:`fit_object_count`: a bar/diagonal/filled grid whose size counts objects or colours.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from . import kernels
from .objects import Obj, objects
from .primitives import MARK, Grid

Predictor = Callable[[Grid], Grid | None]

_DIRS8 = ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))
_DIAG = _DIRS8[4:]


def _same_shape_additive(inputs: Sequence[Grid], outputs: Sequence[Grid], bg: int = 0) -> bool:
    """Every pair keeps its shape, only background cells change, and at least one cell changes."""
    changed = False
    for a, b in zip(inputs, outputs, strict=True):
        if a.shape != b.shape:
            return False
        d = a != b
        if (d & (a != bg)).any():
            return False
        changed = changed or bool(d.any())
    return changed


def _verify(pred: Predictor, inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> bool:
    for a, b in zip(inputs, outputs, strict=True):
        p = pred(a)
        if p is None or p.shape != b.shape or not np.array_equal(p, b):
            return False
    return all(pred(t) is not None for t in tests)


# grid id -> (the grid, whether it holds the marker): the learners of one search state ask about the same
# grid objects ~100 times. The grid is kept with its entry, so its id is not reused while the entry lives
# (grids are never written to: the search shares them between states).
_MARK_MEMO: dict[int, tuple[Grid, bool]] = {}


def _has_mark(grids: Sequence[Grid]) -> bool:
    # called by most learners on every search state: a max reduction is cheaper than a comparison array
    for g in grids:
        hit = _MARK_MEMO.get(id(g))
        if hit is None or hit[0] is not g:
            if len(_MARK_MEMO) > 512:
                _MARK_MEMO.clear()
            hit = _MARK_MEMO[id(g)] = (g, bool(g.size and g.max() >= MARK))
        if hit[1]:
            return True
    return False


def _same_shape_pairs(inputs: Sequence[Grid], outputs: Sequence[Grid], changes: str = "") -> bool:
    """No input holds the marker colour and every pair keeps its shape; with ``changes="every"`` every
    output also differs from its input, with ``changes="some"`` at least one does."""
    pairs = list(zip(inputs, outputs, strict=True))
    if _has_mark(inputs) or any(a.shape != b.shape for a, b in pairs):
        return False
    if changes == "every":
        return not any(np.array_equal(a, b) for a, b in pairs)
    if changes == "some":
        return not all(np.array_equal(a, b) for a, b in pairs)
    return True


def _first_fit(
    render: Callable[..., Grid | None],
    readings: Iterable[tuple[Any, ...]],
    inputs: Sequence[Grid],
    outputs: Sequence[Grid],
    tests: Sequence[Grid],
) -> Predictor | None:
    """The first ``g -> render(g, *reading)`` that :func:`_verify` accepts, trying ``readings`` in order."""
    for reading in readings:

        def predict(g: Grid, reading: tuple[Any, ...] = reading) -> Grid | None:
            return render(g, *reading)

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- background regions
def _regions(g: Grid, bg: int) -> tuple[Obj, ...]:
    """4-connected components of the background cells (as objects of a 0/1 grid)."""
    m = (g == bg).astype(np.uint8)
    return objects(m, 0, False, False)


def _region_features(g: Grid, regs: tuple[Obj, ...], bg: int) -> list[dict[str, object]]:
    h, w = g.shape
    sizes = sorted({r.size for r in regs})
    p = np.pad(g, 1, constant_values=255)
    feats = []
    for r in regs:
        sub = np.zeros((r.r1 - r.r0 + 2, r.c1 - r.c0 + 2), dtype=bool)
        sub[1:-1, 1:-1] = r.mask
        ring = np.zeros_like(sub)
        ring[1:] |= sub[:-1]
        ring[:-1] |= sub[1:]
        ring[:, 1:] |= sub[:, :-1]
        ring[:, :-1] |= sub[:, 1:]
        ring &= ~sub
        around = p[r.r0 : r.r1 + 2, r.c0 : r.c1 + 2][ring]
        cols = sorted(set(around.tolist()) - {255, bg})
        hh, ww = r.shape
        feats.append(
            {
                "enclosed": not (r.r0 == 0 or r.c0 == 0 or r.r1 == h or r.c1 == w),
                "size": r.size,
                "size_rank": sizes.index(r.size),
                "size_rank_desc": len(sizes) - 1 - sizes.index(r.size),
                "is_rect": bool(r.mask.all()),
                "square": bool(r.mask.all()) and hh == ww,
                "hw": (hh, ww),
                "side": max(hh, ww),
                "border_colour": cols[0] if len(cols) == 1 else -1,
                "size_parity": r.size % 2,
                "side_parity": max(hh, ww) % 2,
                "extreme": "max" if r.size == sizes[-1] else "min" if r.size == sizes[0] else "mid",
                **{f"adj{c}": c in cols for c in range(1, 10)},
            }
        )
    return feats


_REGION_FEATS = (
    "enclosed",
    "extreme",
    "size",
    "size_rank",
    "size_rank_desc",
    "is_rect",
    "square",
    "side",
    "side_parity",
    "hw",
    *(f"adj{c}" for c in range(1, 10)),
)
_REGION_PAIRS = (
    ("enclosed", "is_rect"),
    ("enclosed", "extreme"),
    ("enclosed", "side_parity"),
    ("enclosed", "border_colour"),
    ("enclosed", "size"),
    ("enclosed", "square"),
    ("enclosed", "side"),
)


def fit_region_fill(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Each background region (4-connected) is filled as a whole with a colour that is a function of one
    region feature (or a pair: enclosed x feature); regions mapped to the background stay empty."""
    if _has_mark(inputs) or not _same_shape_additive(inputs, outputs):
        return None
    samples: list[tuple[dict[str, object], int]] = []
    for a, b in zip(inputs, outputs, strict=True):
        regs = _regions(a, 0)
        if not regs or len(regs) > 60:
            return None
        for r, f in zip(regs, _region_features(a, regs, 0), strict=True):
            vals = np.unique(b[r.r0 : r.r1, r.c0 : r.c1][r.mask])
            if vals.size != 1:
                return None
            samples.append((f, int(vals[0])))
    test_feats = [_region_features(t, _regions(t, 0), 0) for t in tests]
    # one colour for every enclosed region is the plain fill_enclosed transform, which the search finds
    enclosed = {c for f, c in samples if f["enclosed"]}
    if len(enclosed) == 1 and all(c == 0 for f, c in samples if not f["enclosed"]):
        return None
    keys: list[tuple[str, ...]] = [(n,) for n in _REGION_FEATS] + list(_REGION_PAIRS)
    for key in keys:
        table: dict[object, int] = {}
        for f, c in samples:
            v = tuple(f[k] for k in key)
            if table.setdefault(v, c) != c:
                break
        else:
            if len(set(table.values())) < 2:
                continue
            # regions never seen on train may only be left empty when the feature says "not enclosed"
            if not all(tuple(f[k] for k in key) in table for tf in test_feats for f in tf):
                continue

            def predict(g: Grid, key: tuple[str, ...] = key, table: dict[object, int] = table) -> Grid | None:
                regs = _regions(g, 0)
                out = g.copy()
                for r, f in zip(regs, _region_features(g, regs, 0), strict=True):
                    v = tuple(f[k] for k in key)
                    if v not in table:
                        return None
                    out[r.r0 : r.r1, r.c0 : r.c1][r.mask] = table[v]
                return out

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- stamps around cells / objects
Anchor = tuple[object, int, int, int, int, tuple[int, ...]]


def _palette(patch: np.ndarray, mask: np.ndarray) -> tuple[int, ...]:
    """The object's colours in raster order of first appearance."""
    vals = patch[mask].tolist()
    return tuple(dict.fromkeys(vals))


def _anchors(g: Grid, mode: str) -> list[Anchor]:
    """(key, r0, c0, h, w, palette) of every anchor: single non-zero cells keyed by colour ("cell"),
    8-connected objects keyed by their patch ("object") or by their shape and colour pattern with the
    stamp's colours taken relative to the object's palette ("shape")."""
    if mode == "cell":
        ys, xs = np.nonzero(g)
        return [
            (int(g[y, x]), int(y), int(x), 1, 1, ()) for y, x in zip(ys.tolist(), xs.tolist(), strict=True)
        ]
    out: list[Anchor] = []
    for o in objects(g, 0, True, True):
        if mode == "object":
            out.append((o.patch.tobytes() + bytes(o.shape), o.r0, o.c0, o.shape[0], o.shape[1], ()))
            continue
        pal = _palette(o.patch, o.mask)
        norm = np.zeros(o.shape, dtype=np.uint8)
        for i, c in enumerate(pal):
            norm[(o.patch == c) & o.mask] = i + 1
        out.append((norm.tobytes() + bytes(o.shape), o.r0, o.c0, o.shape[0], o.shape[1], pal))
    return out


def fit_stamp(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Around every anchor (a cell of a given colour, or an object of a given patch or shape) a fixed
    pattern of colours is painted on background cells, at offsets within ``r`` cells of the anchor's box.
    When anchor cells change too, each cell of a colour is replaced by its own pattern (``_replacing_stamp``)."""
    if _has_mark(inputs):
        return None
    if not _same_shape_additive(inputs, outputs):
        return _replacing_stamp(inputs, outputs, tests)
    for mode in ("cell", "object", "shape"):
        anchors = [_anchors(a, mode) for a in inputs]
        if sum(len(x) for x in anchors) > 200 or not all(anchors):
            continue
        test_anchors = [_anchors(t, mode) for t in tests]
        seen = {k for x in anchors for k, *_ in x}
        if not all(k in seen for x in test_anchors for k, *_ in x):
            continue
        for rad in (1, 2, 3):
            obs: dict[tuple[object, int, int], list[int]] = {}
            for a, b, x in zip(inputs, outputs, anchors, strict=True):
                hh, ww = a.shape
                al, bl = a.tolist(), b.tolist()  # Python lists: cell reads are several times faster
                for k, r0, c0, h, w, pal in x:
                    for dy in range(-rad, h + rad):
                        y = r0 + dy
                        if not 0 <= y < hh:
                            continue
                        for dx in range(-rad, w + rad):
                            xx = c0 + dx
                            if 0 <= xx < ww and al[y][xx] == 0:
                                v = bl[y][xx]
                                # relative colours: -(i+1) = the anchor's i-th colour
                                v = -(pal.index(v) + 1) if v in pal else v
                                obs.setdefault((k, dy, dx), []).append(v)
            stamp: dict[object, list[tuple[int, int, int]]] = {}
            for (k, dy, dx), cs in obs.items():
                # an offset seen once is a guess: demand two agreeing observations
                if len(cs) >= 2 and len(set(cs)) == 1 and cs[0] != 0:
                    stamp.setdefault(k, []).append((dy, dx, cs[0]))
            if not stamp:
                continue

            def predict(
                g: Grid, stamp: dict[object, list[tuple[int, int, int]]] = stamp, mode: str = mode
            ) -> Grid | None:
                out = g.copy()
                hh, ww = g.shape
                for k, r0, c0, _, _, pal in _anchors(g, mode):
                    for dy, dx, c in stamp.get(k, ()):
                        y, x = r0 + dy, c0 + dx
                        if 0 <= y < hh and 0 <= x < ww and g[y, x] == 0:
                            out[y, x] = pal[-c - 1] if c < 0 else c
                return out

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


#: Non-zero cells over all train inputs: beyond that the cells are a picture, not markers.
_REPLACING_ANCHORS = 60


def _replacing_stamp(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Every non-zero cell of colour k becomes a pattern of colours around it (radius 1 to 3), itself included:
    a marker turned into a motif. The pattern is read off the background cells around each anchor, and every
    offset must be seen at least twice with one colour (a pattern cell seen once is a guess)."""
    # counted before any cell list is built: most search states are pictures with hundreds of cells
    if sum(np.count_nonzero(a) for a in inputs) > _REPLACING_ANCHORS:
        return None
    if any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    if not any(((a != b) & (a != 0)).any() for a, b in zip(inputs, outputs, strict=True)):
        return None  # no anchor changes: the additive stamp's case
    anchors = [_anchors(a, "cell") for a in inputs]  # every non-zero cell: counted above already
    if not all(anchors):
        return None
    seen = {k for x in anchors for k, *_ in x}
    if not all(k in seen for t in tests for k, *_ in _anchors(t, "cell")):
        return None
    for rad in (1, 2, 3):
        obs: dict[tuple[object, int, int], list[int]] = {}
        for a, b, x in zip(inputs, outputs, anchors, strict=True):
            hh, ww = a.shape
            for k, y, x0, *_ in x:
                for dy in range(-rad, rad + 1):
                    for dx in range(-rad, rad + 1):
                        yy, xx = y + dy, x0 + dx
                        if 0 <= yy < hh and 0 <= xx < ww and (a[yy, xx] == 0 or dy == dx == 0):
                            obs.setdefault((k, dy, dx), []).append(int(b[yy, xx]))
        stamp: dict[object, list[tuple[int, int, int]]] = {}
        for (k, dy, dx), cs in obs.items():
            if len(cs) >= 2 and len(set(cs)) == 1 and (cs[0] != 0 or dy == dx == 0):
                stamp.setdefault(k, []).append((dy, dx, cs[0]))

        def predict(g: Grid, stamp: dict[object, list[tuple[int, int, int]]] = stamp) -> Grid | None:
            out = g.copy()
            hh, ww = g.shape
            for k, y, x0, *_ in _anchors(g, "cell"):
                for dy, dx, c in stamp.get(k, ()):
                    yy, xx = y + dy, x0 + dx
                    if 0 <= yy < hh and 0 <= xx < ww and (g[yy, xx] == 0 or dy == dx == 0):
                        out[yy, xx] = c
            return out

        if stamp and _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- rays per colour
def _shoot(g: Grid, rays: dict[int, list[tuple[int, int, int]]], stop: bool, order: int) -> Grid:
    """Paint rays (colour -> [(dy, dx, ray colour)]) from every cell of that colour on background cells.
    ``stop``: a ray ends at the first non-background input cell (else it passes under them). ``order``:
    0 = first painted wins, 1 = horizontal rays painted last win, 2 = vertical rays painted last win."""
    out = g.copy()
    hh, ww = g.shape
    jobs = []
    for col, dirs in rays.items():
        cy, cx = np.nonzero(g == col)
        for dy, dx, rc in dirs:
            pri = 0 if order == 0 else (1 if (dy == 0) == (order == 1) else 0)
            jobs.append((pri, dy, dx, rc, cy.tolist(), cx.tolist()))
    jobs.sort(key=lambda j: j[0])
    painted = np.zeros(g.shape, dtype=np.int8)  # priority+1 of the ray that painted a cell
    for pri, dy, dx, rc, ys, xs in jobs:
        for y0, x0 in zip(ys, xs, strict=True):
            y, x = y0 + dy, x0 + dx
            while 0 <= y < hh and 0 <= x < ww:
                if g[y, x] != 0:
                    if stop:
                        break
                elif painted[y, x] == 0 or (order and painted[y, x] <= pri):
                    out[y, x] = rc
                    painted[y, x] = pri + 1
                y += dy
                x += dx
    return out


def fit_colour_rays(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Cells of some colours shoot straight rays (per colour: a set of the 8 directions and a ray colour)."""
    if _has_mark(inputs) or not _same_shape_additive(inputs, outputs):
        return None
    colours = sorted({int(c) for a in inputs for c in np.unique(a)} - {0})
    if sum(int((a != 0).sum()) for a in inputs) > 400:
        return None
    rays: dict[int, list[tuple[int, int, int]]] = {}
    for col in colours:
        for dy, dx in _DIRS8:
            firsts: list[int] = []
            for a, b in zip(inputs, outputs, strict=True):
                hh, ww = a.shape
                ys, xs = np.nonzero(a == col)
                y, x = ys + dy, xs + dx
                ok = (y >= 0) & (y < hh) & (x >= 0) & (x < ww)
                y, x = y[ok], x[ok]
                free = a[y, x] == 0
                firsts += b[y[free], x[free]].tolist()
            # a ray direction: the next background cell is always painted (by this ray or a crossing one)
            if len(firsts) >= 2 and 0 not in firsts:
                rays.setdefault(col, []).append((dy, dx, max(set(firsts), key=firsts.count)))
    if not rays:
        return None
    test_cols = {int(c) for t in tests for c in np.unique(t)} - {0}
    if not test_cols <= set(colours):
        return None
    return _first_fit(
        _shoot, ((rays, stop, order) for stop in (True, False) for order in (0, 1, 2)), inputs, outputs, tests
    )


def _ray_sources(g: Grid, dy: int, dx: int) -> list[tuple[int, list[tuple[int, int]]]]:
    """Per single-colour object: its colour and its cells furthest along (dy, dx) (a corner or a side)."""
    out = []
    for o in objects(g, 0, True, False):
        ys, xs = np.nonzero(o.mask)
        proj = ys * dy + xs * dx
        far = proj == proj.max()
        out.append((o.colour, list(zip((ys[far] + o.r0).tolist(), (xs[far] + o.c0).tolist(), strict=True))))
    return out


def _object_rays(g: Grid, rays: dict[int, list[tuple[int, int, int]]]) -> Grid | None:
    out = g.copy()
    hh, ww = g.shape
    for dy, dx in _DIAG:
        for col, cells in _ray_sources(g, dy, dx):
            for ddy, ddx, rc in rays.get(col, ()):
                if (ddy, ddx) != (dy, dx):
                    continue
                for y0, x0 in cells:
                    y, x = y0 + dy, x0 + dx
                    while 0 <= y < hh and 0 <= x < ww and g[y, x] == 0:
                        out[y, x] = rc
                        y, x = y + dy, x + dx
    return out


def fit_object_rays(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Single-colour objects shoot diagonal rays from their far corner in directions learned per colour,
    until the edge or a coloured cell (straight rays from whole sides fitted train by accident too often;
    :func:`fit_colour_rays` covers straight rays per cell)."""
    if _has_mark(inputs) or not _same_shape_additive(inputs, outputs):
        return None
    if any(len(objects(a, 0, True, False)) > 30 for a in inputs):
        return None
    rays: dict[int, list[tuple[int, int, int]]] = {}
    for dy, dx in _DIAG:
        firsts: dict[int, list[int]] = {}
        for a, b in zip(inputs, outputs, strict=True):
            hh, ww = a.shape
            for col, cells in _ray_sources(a, dy, dx):
                for y, x in cells:
                    y, x = y + dy, x + dx
                    if 0 <= y < hh and 0 <= x < ww and a[y, x] == 0:
                        firsts.setdefault(col, []).append(int(b[y, x]))
        for col, vals in firsts.items():
            if len(vals) >= 2 and 0 not in vals:
                rays.setdefault(col, []).append((dy, dx, max(set(vals), key=vals.count)))
    if not rays:
        return None

    def predict(g: Grid) -> Grid | None:
        return _object_rays(g, rays)

    return predict if _verify(predict, inputs, outputs, tests) else None


# ---------------------------------------------------------------- connect same-coloured pairs
_IDENTITY_TAB = np.arange(256, dtype=np.int64)
_IDENTITY_TAB[0] = -1
_NO_COLOURS = np.zeros(0, np.int64)


def _table_array(table: dict[int, int]) -> np.ndarray:
    """``table`` as the kernels take it: line colour per end colour, -1 where an end colour is not joined."""
    tab = np.full(256, -1, np.int64)
    for k, v in table.items():
        tab[k] = v
    return tab


def _connect(g: Grid, table: dict[int, int] | None, axes: str, vertical_last: bool, diagonal: bool) -> Grid:
    """Join same-coloured cells; ``table`` maps an end colour to the line colour (None = the same colour)."""
    if kernels.ENABLED and g.dtype == np.uint8:
        tab = _IDENTITY_TAB if table is None else _table_array(table)
        if not diagonal:
            order = _NO_COLOURS
        elif table is None:
            order = np.unique(g)
            order = order[order != 0].astype(np.int64)
        else:
            order = np.fromiter(table, np.int64, len(table))
        return kernels.connect_pairs(  # type: ignore[no-any-return]
            kernels.as_grid(g), tab, order, "h" in axes, "v" in axes, vertical_last, diagonal
        )
    out = g.copy()
    passes = [(g, out, "h"), (g.T, out.T, "v")]
    if not vertical_last:
        passes.reverse()
    for src, dst, axis in passes:
        if axis not in axes:
            continue
        for r in range(src.shape[0]):
            row = src[r]
            nz = np.flatnonzero(row)
            for a, b in zip(nz[:-1].tolist(), nz[1:].tolist(), strict=True):
                c = int(row[a])
                if b > a + 1 and c == row[b] and (table is None or c in table):
                    dst[r, a + 1 : b] = c if table is None else table[c]
    if diagonal:
        for col in table if table is not None else sorted(set(np.unique(g).tolist()) - {0}):
            lc = col if table is None else table[col]
            ys, xs = np.nonzero(g == col)
            pts = list(zip(ys.tolist(), xs.tolist(), strict=True))
            for i, (y0, x0) in enumerate(pts):
                for y1, x1 in pts[i + 1 :]:
                    if abs(y1 - y0) == abs(x1 - x0) > 1:
                        sy, sx = np.sign(y1 - y0), np.sign(x1 - x0)
                        cells = [(y0 + k * sy, x0 + k * sx) for k in range(1, abs(y1 - y0))]
                        if all(g[y, x] == 0 for y, x in cells):
                            for y, x in cells:
                                out[y, x] = lc
    return out


def fit_connect_pairs(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Two consecutive cells of one colour in a row/column (or diagonal) are joined by a line of a colour
    learned per end colour (painted over whatever lies between them; crossings by a learned order)."""
    if not _same_shape_pairs(inputs, outputs, changes="some"):
        return None
    if sum(int((a != 0).sum()) for a in inputs) > 300:
        return None
    table: dict[int, int] = {}
    fast = kernels.ENABLED and all(
        a.dtype == b.dtype == np.uint8 for a, b in zip(inputs, outputs, strict=True)
    )
    if fast:
        ends, order, n = np.full(256, -1, np.int64), np.zeros(256, np.int64), 0
        for a, b in zip(inputs, outputs, strict=True):
            n = kernels.connect_table(kernels.as_grid(a), kernels.as_grid(b), ends, order, n)
        table = {int(c): int(ends[c]) for c in order[:n]}
    for a, b in zip(inputs, outputs, strict=True) if not fast else ():
        for src, dst in ((a, b), (a.T, b.T)):
            for r in range(src.shape[0]):
                row = src[r]
                nz = np.flatnonzero(row)
                for x0, x1 in zip(nz[:-1].tolist(), nz[1:].tolist(), strict=True):
                    c = int(row[x0])
                    if x1 > x0 + 1 and c == row[x1]:
                        vals = set(dst[r, x0 + 1 : x1].tolist())
                        if len(vals) == 1 and (v := vals.pop()) != 0:
                            table.setdefault(c, v)
    # lines of the end colour generalise to colours never joined on train
    tables = ([None] if all(k == v for k, v in table.items()) else []) + ([table] if table else [])
    for tab in tables:
        for axes in ("h", "v", "hv", ""):
            for diagonal in (False, True):
                for vertical_last in (True, False) if axes == "hv" else (True,):

                    def predict(
                        g: Grid,
                        t: dict[int, int] | None = tab,
                        ax: str = axes,
                        vl: bool = vertical_last,
                        dg: bool = diagonal,
                    ) -> Grid | None:
                        return _connect(g, t, ax, vl, dg)

                    if _verify(predict, inputs, outputs, tests):
                        return predict
    return None


# ---------------------------------------------------------------- move objects until contact
_STEPS = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}


def _slide(g: Grid, movers: set[int], direction: str | None, diag: bool, one_step: bool) -> Grid | None:
    """Slide every object (8- or 4-connected, multicolour) made only of ``movers`` colours in ``direction``
    (None = each towards the static cells' centre, along the axis with the larger gap; "global" = all in the
    direction from the movers' centre to the static cells' centre) until it would touch a
    non-background cell or leave the grid; objects nearest the wall move first so they stack."""
    objs = [o for o in objects(g, 0, diag, True) if set(np.unique(o.patch[o.mask]).tolist()) <= movers]
    if not objs or len(objs) > 30:
        return None
    out = g.copy()
    for o in objs:
        out[o.r0 : o.r1, o.c0 : o.c1][o.mask] = 0
    static = out != 0
    if direction in (None, "global"):
        if not static.any():
            return None
        ys, xs = np.nonzero(static)
        cy, cx = ys.mean(), xs.mean()
    hh, ww = g.shape
    if direction == "global":  # one direction for all: from the movers' centre towards the static cells
        my, mx = np.nonzero(g != out)
        dy, dx = cy - my.mean(), cx - mx.mean()
        direction = ("down" if dy > 0 else "up") if abs(dy) >= abs(dx) else ("right" if dx > 0 else "left")
    plans = []
    for o in objs:
        if direction is None:
            oy, ox = (o.r0 + o.r1 - 1) / 2, (o.c0 + o.c1 - 1) / 2
            vertical = abs(cy - oy) >= abs(cx - ox)
            step = (1 if cy > oy else -1, 0) if vertical else (0, 1 if cx > ox else -1)
        else:
            step = _STEPS[direction]
        lead = (
            o.r1 * step[0] + o.c1 * step[1] if step[0] + step[1] > 0 else -(o.r0 * -step[0] + o.c0 * -step[1])
        )
        plans.append((-lead, o, step))
    plans.sort(key=lambda t: t[0])
    occ = static.copy()
    for _, o, (dy, dx) in plans:
        ys, xs = np.nonzero(o.mask)
        ys = ys + o.r0
        xs = xs + o.c0
        k = 0
        while True:
            ny, nx = ys + dy * (k + 1), xs + dx * (k + 1)
            if ny.min() < 0 or nx.min() < 0 or ny.max() >= hh or nx.max() >= ww or occ[ny, nx].any():
                break
            k += 1
            if one_step:
                break
        vals = g[ys, xs]
        out[ys + dy * k, xs + dx * k] = vals
        occ[ys + dy * k, xs + dx * k] = True
    return out


def fit_move_to_contact(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Objects of the colours whose cells move slide (fixed direction or towards the static objects) until
    they touch another object or the edge."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    movers: set[int] = set()
    for a, b in zip(inputs, outputs, strict=True):
        ca, cb = np.bincount(a.ravel(), minlength=11), np.bincount(b.ravel(), minlength=11)
        if not np.array_equal(ca, cb):
            return None  # objects move: colour counts are kept
        d = a != b
        movers |= set(np.unique(a[d]).tolist()) | set(np.unique(b[d]).tolist())
    movers.discard(0)
    if not movers:
        return None
    return _first_fit(
        _slide,
        (
            (movers, direction, diag, one_step)
            for direction in ("down", "up", "left", "right", "global", None)
            for diag in (True, False)
            for one_step in (False, True)
        ),
        inputs,
        outputs,
        tests,
    )


# ---------------------------------------------------------------- counting
def _count_features(g: Grid) -> dict[str, int]:
    feats: dict[str, int] = {"colours": len(set(np.unique(g).tolist()) - {0})}
    for name, diag, multi in (("obj8", True, True), ("obj4", False, True), ("cobj4", False, False)):
        objs = objects(g, 0, diag, multi)
        feats[name] = len(objs)
        if objs:
            sizes = [o.size for o in objs]
            feats[name + "_largest_n"] = sizes.count(max(sizes))
            cols = [o.colour for o in objs]
            top = max(set(cols), key=cols.count)
            feats[name + "_major_colour_n"] = cols.count(top)
    for o in objects(g, 0, False, False):
        for key in (f"c{o.colour}", f"c{o.colour}_big" if o.size > 1 else ""):
            if key:
                feats[key] = feats.get(key, 0) + 1
    return feats


def fit_object_count(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = n cells of one colour laid out as a row, a column, a diagonal of an n x n grid, or the first
    n cells (row-major) of a fixed-shape grid, where n counts objects or colours of the input."""
    if _has_mark(inputs):
        return None
    outs = []
    for b in outputs:
        cols = set(np.unique(b).tolist()) - {0}
        if len(cols) != 1 or b.size > 30:
            return None
        outs.append((cols.pop(), int((b != 0).sum())))
    colour = {c for c, _ in outs}
    fixed = len(colour) == 1
    feats = [_count_features(a) for a in inputs]
    shapes = {b.shape for b in outputs}
    layouts = ["row", "col", "diag"] + (["fill"] if len(shapes) == 1 else [])
    names = [n for n in feats[0] if not n.startswith("c")] + sorted(n for n in feats[0] if n.startswith("c"))
    for name in names:
        if not all(f.get(name, 0) == n for f, (_, n) in zip(feats, outs, strict=True)):
            continue
        for layout in layouts:

            def predict(g: Grid, name: str = name, layout: str = layout) -> Grid | None:
                f = _count_features(g)
                n = f.get(name, 0)
                if n <= 0 or n > 30:
                    return None
                c = next(iter(colour)) if fixed else None
                if c is None:
                    return None
                if layout == "row":
                    return np.full((1, n), c, dtype=np.uint8)
                if layout == "col":
                    return np.full((n, 1), c, dtype=np.uint8)
                if layout == "diag":
                    return (np.eye(n, dtype=np.uint8) * c).astype(np.uint8)
                out = np.zeros(next(iter(shapes)), dtype=np.uint8)
                if n > out.size:
                    return None
                out.ravel()[:n] = c
                return out

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- fixed window crop
def fit_window_crop(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = a fixed-size window at a fixed offset from one corner of the input."""
    shape = outputs[0].shape
    if any(b.shape != shape for b in outputs) or len(outputs) < 2:
        return None
    h, w = shape
    if h * w < 4:  # a window of one or two cells matches by coincidence
        return None
    if any(a.shape[0] < h or a.shape[1] < w or a.shape == shape for a in inputs):
        return None
    cands: set[tuple[int, int, int]] | None = None
    for a, b in zip(inputs, outputs, strict=True):
        hh, ww = a.shape
        here = set()
        for y in range(hh - h + 1):
            for x in range(ww - w + 1):
                if np.array_equal(a[y : y + h, x : x + w], b):
                    here |= {(0, y, x), (1, y, ww - w - x), (2, hh - h - y, x), (3, hh - h - y, ww - w - x)}
        cands = here if cands is None else cands & here
        if not cands:
            return None
    assert cands is not None
    corner, dy, dx = min(cands)

    def predict(g: Grid) -> Grid | None:
        hh, ww = g.shape
        y = dy if corner in (0, 1) else hh - h - dy
        x = dx if corner in (0, 2) else ww - w - dx
        if y < 0 or x < 0 or y + h > hh or x + w > ww:
            return None
        return g[y : y + h, x : x + w].copy()

    return predict if _verify(predict, inputs, outputs, tests) else None


# ---------------------------------------------------------------- object chosen by an extreme property
def _holes(o: Obj) -> int:
    if o.shape[0] < 3 or o.shape[1] < 3:
        return 0
    if kernels.ENABLED:
        return int(kernels.mask_holes(kernels.as_grid(o.mask, np.bool_))[0])
    inner = (~o.mask).astype(np.uint8)
    return sum(
        1
        for r in objects(inner, 0, False, False)
        if r.r0 > 0 and r.c0 > 0 and r.r1 < o.shape[0] and r.c1 < o.shape[1]
    )


def _scalar_feats(o: Obj, colours: Sequence[int]) -> dict[str, float]:
    vals = o.patch[o.mask]
    cnt = np.bincount(vals, minlength=11)
    f: dict[str, float] = {
        "size": o.size,
        "area": o.shape[0] * o.shape[1],
        "ncolours": int((cnt > 0).sum()),
        "holes": _holes(o),
        "minority": o.size - int(cnt.max()),
    }
    for c in colours:
        f[f"count{c}"] = int(cnt[c])
    return f


_PICK_KINDS = (
    (True, True, False),
    (False, False, False),
    (True, False, False),
    (True, True, True),
    (False, True, False),
)


def _pick(objs: tuple[Obj, ...], feats: list[dict[str, float]], name: str, sign: int) -> int | None:
    vals = [sign * f.get(name, 0.0) for f in feats]
    m = max(vals)
    return vals.index(m) if vals.count(m) == 1 else None


def _render(g: Grid, o: Obj, bg: int, mode: str) -> Grid:
    if mode == "crop":
        return g[o.r0 : o.r1, o.c0 : o.c1].copy()
    if mode == "patch":
        return np.where(o.mask, o.patch, bg).astype(np.uint8)
    return np.array([[o.colour]], dtype=np.uint8)


def fit_object_pick(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = the crop (or masked patch, or 1x1 colour) of the object with the unique largest/smallest
    value of a property (size, box area, colour count, holes, cells of a given colour...)."""
    from .objects import background

    if _has_mark(inputs):
        return None
    if any(
        b.shape[0] > a.shape[0] or b.shape[1] > a.shape[1] or b.shape == a.shape
        for a, b in zip(inputs, outputs, strict=True)
    ):
        return None
    colours = sorted({int(c) for a in inputs for c in np.unique(a)})
    one = all(b.shape == (1, 1) for b in outputs)
    modes = ("colour",) if one else ("crop", "patch")
    for diag, multi, bg_major in _PICK_KINDS:
        per = []
        for a in inputs:
            bg = background(a) if bg_major else 0
            objs = objects(a, bg, diag, multi)
            if len(objs) < 2 or len(objs) > 30:
                break
            per.append((a, bg, objs, [_scalar_feats(o, colours) for o in objs]))
        else:
            # cheap precheck: every output must be the rendering of some object of its input
            if not all(
                any(
                    _render(a, o, bg, m).shape == b.shape and np.array_equal(_render(a, o, bg, m), b)
                    for o in objs
                    for m in modes
                )
                for (a, bg, objs, _), b in zip(per, outputs, strict=True)
            ):
                continue
            for name in per[0][3][0]:
                for sign in (1, -1):
                    for mode in modes:
                        ok = True
                        for (a, bg, objs, feats), b in zip(per, outputs, strict=True):
                            i = _pick(objs, feats, name, sign)
                            if i is None or not np.array_equal(_render(a, objs[i], bg, mode), b):
                                ok = False
                                break
                        if not ok:
                            continue

                        def predict(
                            g: Grid,
                            diag: bool = diag,
                            multi: bool = multi,
                            bg_major: bool = bg_major,
                            name: str = name,
                            sign: int = sign,
                            mode: str = mode,
                        ) -> Grid | None:
                            bg = background(g) if bg_major else 0
                            objs = objects(g, bg, diag, multi)
                            if not objs:
                                return None
                            i = _pick(objs, [_scalar_feats(o, colours) for o in objs], name, sign)
                            return None if i is None else _render(g, objs[i], bg, mode)

                        if _verify(predict, inputs, outputs, tests):
                            return predict
    return None


# ---------------------------------------------------------------- partitions: overlay the parts in an order
def _parts(g: Grid, how: str) -> list[Grid] | None:
    from .primitives import split_cells

    h, w = g.shape
    if how == "sep":
        cells = split_cells(g)
        if cells is None or any(c.shape != cells[0].shape for c in cells) or len(cells) > 4:
            return None
        return cells
    k = int(how[1:])
    if how[0] == "h":
        return [g[:, i * (w // k) : (i + 1) * (w // k)] for i in range(k)] if w % k == 0 else None
    if how[0] == "v":
        return [g[i * (h // k) : (i + 1) * (h // k)] for i in range(k)] if h % k == 0 else None
    if h % 2 or w % 2:
        return None
    return [g[: h // 2, : w // 2], g[: h // 2, w // 2 :], g[h // 2 :, : w // 2], g[h // 2 :, w // 2 :]]


def fit_part_overlay(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """The input is cut into equal parts (separator lines, 2-4 strips, or quadrants); output = the parts
    stacked in a learned priority order (a cell shows the first part that is non-zero there)."""
    if _has_mark(inputs):
        return None
    # every cut (two parts or more, separator cells too) gives parts smaller than the input in some side
    if any(
        b.shape[0] > a.shape[0] or b.shape[1] > a.shape[1] or b.shape == a.shape
        for a, b in zip(inputs, outputs, strict=True)
    ):
        return None
    for how in ("sep", "h2", "v2", "h3", "v3", "h4", "v4", "q4"):
        parts = [_parts(a, how) for a in inputs]
        if any(p is None or p[0].shape != b.shape for p, b in zip(parts, outputs, strict=True)):
            continue
        k = len(parts[0])  # type: ignore[arg-type]
        if any(len(p) != k for p in parts):  # type: ignore[arg-type]
            continue
        for order in itertools.permutations(range(k)):

            def predict(g: Grid, how: str = how, order: tuple[int, ...] = order) -> Grid | None:
                ps = _parts(g, how)
                if ps is None or len(ps) != len(order):
                    return None
                out = np.zeros_like(ps[0])
                for i in reversed(order):
                    out = np.where(ps[i] != 0, ps[i], out)
                return out.astype(np.uint8)

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- recolour from the nearest other colour
def _source_colour(g: Grid, ys: np.ndarray, xs: np.ndarray, skip: set[int], mode: str) -> int | None:
    """The colour (not in ``skip``) that cells ``ys, xs`` take from their surroundings under ``mode``."""
    src = ~np.isin(g, list(skip))
    if mode in _STEPS:
        dy, dx = _STEPS[mode]
        found = set()
        hh, ww = g.shape
        for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
            y, x = y + dy, x + dx
            while 0 <= y < hh and 0 <= x < ww and not src[y, x]:
                y, x = y + dy, x + dx
            if 0 <= y < hh and 0 <= x < ww:  # an object's cells that see nothing follow the others
                found.add(int(g[y, x]))
        return found.pop() if len(found) == 1 else None
    if mode == "row":
        vals = set(g[np.unique(ys)][src[np.unique(ys)]].tolist())
    elif mode == "col":
        vals = set(g[:, np.unique(xs)][src[:, np.unique(xs)]].tolist())
    else:  # nearest (Chebyshev distance over the whole set of cells)
        sy, sx = np.nonzero(src)
        if sy.size == 0:
            return None
        d = np.maximum(np.abs(ys[:, None] - sy[None, :]), np.abs(xs[:, None] - sx[None, :]))
        m = d.min()
        vals = set(g[sy, sx][(d == m).any(axis=0)].tolist())
    return vals.pop() if len(vals) == 1 else None


def _recolour_from(g: Grid, movers: set[int], mode: str, unit: str) -> Grid | None:
    """Recolour per 8- or 4-connected object (``unit`` "obj8"/"obj4") or per cell."""
    skip = movers | {0}
    out = g.copy()
    if unit != "cell":
        groups = [
            (ys + o.r0, xs + o.c0)
            for o in objects(g, 0, unit == "obj8", False)
            if o.colour in movers
            for ys, xs in [np.nonzero(o.mask)]
        ]
    else:
        ys, xs = np.nonzero(np.isin(g, list(movers)))
        groups = [(ys[i : i + 1], xs[i : i + 1]) for i in range(ys.size)]
    if not groups or len(groups) > 150:
        return None
    for ys, xs in groups:
        c = _source_colour(g, ys, xs, skip, mode)
        if c is None:
            return None
        out[ys, xs] = c
    return out


def fit_nearest_recolour(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Cells (or whole objects) of the colour(s) that change take the colour of another cell: the first one
    seen in a fixed direction, the one sharing their row/column, or the nearest one."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    movers: set[int] = set()
    for a, b in zip(inputs, outputs, strict=True):
        d = a != b
        if (b[d] == 0).any():
            return None
        if not set(np.unique(b[d]).tolist()) <= set(np.unique(a).tolist()):
            return None  # a cell takes another cell's colour: never one the grid lacks
        movers |= set(np.unique(a[d]).tolist())
    if not movers or 0 in movers or len(movers) > 2:
        return None
    return _first_fit(
        _recolour_from,
        (
            (movers, mode, unit)
            for unit in ("obj8", "obj4", "cell")
            for mode in ("nearest", "row", "col", "up", "down", "left", "right")
        ),
        inputs,
        outputs,
        tests,
    )


# ---------------------------------------------------------------- paint a derived set of background cells
def _paint_mask(g: Grid, kind: str) -> tuple[np.ndarray, Grid | None]:
    """Background cells selected by ``kind`` and, for the "own colour" kinds, the colour each one takes."""
    bgm = g == 0
    if kind in ("empty_rows", "empty_cols", "empty_lines"):
        rows = bgm.all(axis=1)[:, None] & (kind != "empty_cols")
        cols = bgm.all(axis=0)[None, :] & (kind != "empty_rows")
        return (rows | cols) & bgm, None
    colour = np.zeros_like(g)
    if kind in ("obj_bbox", "cobj_bbox"):
        for o in objects(g, 0, True, kind == "obj_bbox"):
            colour[o.r0 : o.r1, o.c0 : o.c1] = o.colour
        return bgm & (colour > 0), colour if kind == "cobj_bbox" else None
    for c in np.unique(g).tolist():  # colour_bbox: the box around all cells of one colour
        if c:
            ys, xs = np.nonzero(g == c)
            colour[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] = c
    return bgm & (colour > 0), colour


def fit_mask_paint(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Paint a derived set of background cells (empty rows/columns, object or colour bounding boxes) with
    one learned colour or with the colour of the object that defines them."""
    if _has_mark(inputs) or not _same_shape_additive(inputs, outputs):
        return None
    new = {int(c) for a, b in zip(inputs, outputs, strict=True) for c in np.unique(b[a != b])}
    k = new.pop() if len(new) == 1 else None
    for kind in ("empty_lines", "empty_rows", "empty_cols", "obj_bbox", "cobj_bbox", "colour_bbox"):

        def predict(g: Grid, kind: str = kind) -> Grid | None:
            m, own = _paint_mask(g, kind)
            if own is None and k is None:
                return None
            out = g.copy()
            out[m] = k if own is None else own[m]
            return out

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- separator grids: one value per cell
def _cell_grid(g: Grid) -> tuple[list[tuple[int, int]], list[tuple[int, int]], int] | None:
    """Row and column spans of the cells between separator lines, and the separator colour."""
    if kernels.ENABLED and g.dtype == np.uint8:  # shared by several learners: cached by grid bytes
        found = _cell_grid_cached(np.ascontiguousarray(g).tobytes(), *g.shape)
        return None if found is None else (list(found[0]), list(found[1]), found[2])
    return _cell_grid_ref(g)


@functools.lru_cache(maxsize=4096)
def _cell_grid_cached(
    key: bytes, h: int, w: int
) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...], int] | None:
    found = _cell_grid_ref(np.frombuffer(key, dtype=np.uint8).reshape(h, w))
    return None if found is None else (tuple(found[0]), tuple(found[1]), found[2])


def _cell_grid_ref(g: Grid) -> tuple[list[tuple[int, int]], list[tuple[int, int]], int] | None:
    from .primitives import _separators

    sep = _separators(g)
    if sep is None:  # black separators: the empty rows and columns
        empty_r = np.flatnonzero((g == 0).all(axis=1)).tolist()
        empty_c = np.flatnonzero((g == 0).all(axis=0)).tolist()
        if not empty_r and not empty_c:
            return None
        sep = (empty_r, empty_c, 0)
    rs, cs, col = sep
    rb, cb = [-1, *rs, g.shape[0]], [-1, *cs, g.shape[1]]
    rows = [(a + 1, b) for a, b in itertools.pairwise(rb) if b > a + 1]
    cols = [(a + 1, b) for a, b in itertools.pairwise(cb) if b > a + 1]
    if len(rows) * len(cols) < 2:
        return None
    return rows, cols, col


def _cell_key(cell: Grid, sep: int, feature: str) -> object:
    vals = cell[(cell != 0) & (cell != sep)]
    if feature == "count":
        return int(vals.size)
    if feature == "colours":
        return tuple(sorted(set(vals.tolist())))
    return int(np.bincount(vals, minlength=10).argmax()) if vals.size else 0  # major


def fit_cell_summary(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """For grids split by separator lines: output = one cell per input cell (a small grid), or the input
    with every cell filled, with a colour given by the cell's majority colour or a table over its count
    of coloured cells or its colour set."""
    if _has_mark(inputs):
        return None
    layouts = []
    for a in inputs:  # the first grid without separators refuses, before the others are split
        if (lay := _cell_grid(a)) is None:
            return None
        layouts.append(lay)
    small = all(
        b.shape == (len(lay[0]), len(lay[1]))
        for lay, b in zip(layouts, outputs, strict=True)
        if lay is not None
    )
    if not small and any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None

    def cells(g: Grid, lay: tuple[list[tuple[int, int]], list[tuple[int, int]], int]):
        rows, cols, sep = lay
        for i, (r0, r1) in enumerate(rows):
            for j, (c0, c1) in enumerate(cols):
                yield i, j, r0, r1, c0, c1, g[r0:r1, c0:c1], sep

    for feature in ("major", "count", "colours"):
        table: dict[object, int] = {}
        ok = True
        for a, b, lay in zip(inputs, outputs, layouts, strict=True):
            assert lay is not None
            for i, j, r0, r1, c0, c1, cell, sep in cells(a, lay):
                target = b[i : i + 1, j : j + 1] if small else b[r0:r1, c0:c1]
                vals = np.unique(target)
                k = _cell_key(cell, sep, feature)
                if vals.size != 1 or (feature == "major" and int(vals[0]) not in (k, 0)):
                    ok = False
                    break
                if table.setdefault(k, int(vals[0])) != int(vals[0]):
                    ok = False
                    break
            if not ok:
                break
        if not ok or len(set(table.values())) < 2:
            continue

        def predict(g: Grid, feature: str = feature, table: dict[object, int] = table) -> Grid | None:
            lay = _cell_grid(g)
            if lay is None:
                return None
            out = np.zeros((len(lay[0]), len(lay[1])), dtype=np.uint8) if small else g.copy()
            for i, j, r0, r1, c0, c1, cell, sep in cells(g, lay):
                k = _cell_key(cell, sep, feature)
                if k not in table:
                    if feature != "major":
                        return None
                    v = int(k)  # type: ignore[call-overload]  # an unseen majority colour stands for itself
                else:
                    v = table[k]
                if small:
                    out[i, j] = v
                else:
                    out[r0:r1, c0:c1] = v
            return out

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


def _cells_rewrite(g: Grid, mode: str) -> Grid | None:
    lay = _cell_grid(g)
    if lay is None:
        return None
    rows, cols, sep = lay
    boxes = [(r0, r1, c0, c1) for r0, r1 in rows for c0, c1 in cols]
    if len({(r1 - r0, c1 - c0) for r0, r1, c0, c1 in boxes}) != 1:
        return None
    cells = [g[r0:r1, c0:c1] for r0, r1, c0, c1 in boxes]
    counts = [int(((c != 0) & (c != sep)).sum()) for c in cells]
    out = g.copy()
    if mode == "copy_unique":  # the one non-empty cell is copied into every cell
        full = [c for c, n in zip(cells, counts, strict=True) if n]
        if len(full) != 1:
            return None
        for r0, r1, c0, c1 in boxes:
            out[r0:r1, c0:c1] = full[0]
        return out
    top = max(counts)
    if top == 0 or counts.count(top) == len(counts):
        return None
    for (r0, r1, c0, c1), c, n in zip(boxes, cells, counts, strict=True):
        vals = c[(c != 0) & (c != sep)]
        colour = int(np.bincount(vals, minlength=10).argmax()) if vals.size else 0
        out[r0:r1, c0:c1] = colour if n == top else 0  # the fullest cells are filled, the rest emptied
    return out


def fit_cell_rewrite(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """For grids split by separator lines: copy the only non-empty cell into every cell, or fill the
    cells with the most coloured cells with their colour and empty the others."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    return _first_fit(
        _cells_rewrite, ((mode,) for mode in ("copy_unique", "fill_fullest")), inputs, outputs, tests
    )


# ---------------------------------------------------------------- continue a 1-D periodic pattern
def _continue(g: Grid, axis: int) -> Grid | None:
    """Extend the content's smallest period along ``axis`` (0 = down the rows) over the whole grid."""
    a = g if axis == 1 else g.T
    cols = np.flatnonzero((a != 0).any(axis=0))
    if cols.size == 0:
        return None
    c0, c1 = int(cols[0]), int(cols[-1]) + 1
    span = a[:, c0:c1]
    n = span.shape[1]
    for p in range(1, n):
        if np.array_equal(span[:, p:], span[:, : n - p]):
            break
    else:
        return None
    idx = (np.arange(a.shape[1]) - c0) % p
    out = span[:, idx]
    return np.ascontiguousarray(out if axis == 1 else out.T)


def fit_pattern_continue(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """The content repeats with a period along the rows (or the columns): continue it over the grid."""
    if _has_mark(inputs) or not _same_shape_additive(inputs, outputs):
        return None
    return _first_fit(_continue, ((axis,) for axis in (1, 0)), inputs, outputs, tests)


# ---------------------------------------------------------------- symmetrise about a centre
def _centre(g: Grid, how: int) -> tuple[int, int] | None:
    """Doubled centre coordinates of the box around all coloured cells (``how`` = -1), around the unique
    smallest (-2) or largest (-3) or only symmetric (-4) single-colour object, or colour ``how``."""
    if how == -4:  # the unique object whose shape is symmetric both ways
        sym = [
            o
            for o in objects(g, 0, True, False)
            if (o.mask == o.mask[::-1]).all() and (o.mask == o.mask[:, ::-1]).all()
        ]
        if len(sym) != 1:
            return None
        return sym[0].r0 + sym[0].r1 - 1, sym[0].c0 + sym[0].c1 - 1
    if how in (-2, -3):
        objs = objects(g, 0, True, False)
        sizes = [o.size for o in objs]
        if not sizes:
            return None
        m = min(sizes) if how == -2 else max(sizes)
        if sizes.count(m) != 1:
            return None
        o = objs[sizes.index(m)]
        return o.r0 + o.r1 - 1, o.c0 + o.c1 - 1
    ys, xs = np.nonzero(g != 0 if how < 0 else g == how)
    if ys.size == 0:
        return None
    return int(ys.min() + ys.max()), int(xs.min() + xs.max())


def _symmetrise(g: Grid, how: int, group: str) -> Grid | None:
    c = _centre(g, how)
    if c is None:
        return None
    cy, cx = c
    ys, xs = np.nonzero(g)
    vals = g[ys, xs]
    images = []
    if group in ("h", "hv", "all"):
        images.append((ys, cx - xs))
    if group in ("v", "hv", "all"):
        images.append((cy - ys, xs))
    if group in ("hv", "all"):
        images.append((cy - ys, cx - xs))
    if group in ("rot", "all"):
        if (cy + cx) % 2:
            return None
        dy2, dx2 = 2 * ys - cy, 2 * xs - cx  # doubled offsets from the centre
        turns = [(dx2, -dy2), (-dy2, -dx2), (-dx2, dy2)]
        if group == "all":  # plus the two diagonal mirrors
            turns += [(dx2, dy2), (-dx2, -dy2)]
        for ry, rx in turns:
            images.append(((cy + ry) // 2, (cx + rx) // 2))
    out = g.copy()
    hh, ww = g.shape
    for iy, ix in images:
        ok = (iy >= 0) & (iy < hh) & (ix >= 0) & (ix < ww)
        iy, ix, v = iy[ok], ix[ok], vals[ok]
        free = out[iy, ix] == 0
        out[iy[free], ix[free]] = v[free]
    return out


def fit_symmetrise(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Complete the picture under mirror (left-right, up-down, both) or 4-fold rotation symmetry about the
    centre of the box of all coloured cells or of one colour's cells (painting background cells only)."""
    if _has_mark(inputs) or not _same_shape_additive(inputs, outputs):
        return None
    common = set.intersection(*({int(c) for c in np.unique(a)} for a in [*inputs, *tests])) - {0}
    # the largest symmetry group that explains train wins: smaller ones under-paint unseen cases
    return _first_fit(
        _symmetrise,
        (
            (how, group)
            for how in (-1, -2, -3, -4, *sorted(common))
            for group in ("all", "rot", "hv", "h", "v")
        ),
        inputs,
        outputs,
        tests,
    )


# ---------------------------------------------------------------- two-way object recolour by a predicate
_NUMERIC = ("size", "height", "width", "holes", "shape_count", "size_rank", "size_rank_desc")
_BOOLEAN = ("is_largest", "is_smallest", "has_hole", "touches_border", "is_rect", "sym_h", "sym_v")
_OBJ_KINDS = ((True, False), (False, False), (True, True))


def _obj_feats(g: Grid, diag: bool, multi: bool) -> tuple[tuple[Obj, ...], list[dict[str, object]]]:
    from .learners import _obj_features  # imported late: learners imports this module

    objs = objects(g, 0, diag, multi)
    return objs, _obj_features(objs, g) if objs else []


def _predicates(values: dict[str, set[object]]) -> list[tuple[str, str, object]]:
    preds: list[tuple[str, str, object]] = [(n, "is", True) for n in _BOOLEAN]
    for n in _NUMERIC:
        vs = sorted(v for v in values.get(n, set()) if isinstance(v, int))
        preds += [(n, "==", v) for v in vs]
        preds += [(n, ">=", v) for v in vs[1:]]
    return preds


def _holds(f: dict[str, object], pred: tuple[str, str, object]) -> bool:
    name, op, v = pred
    x = f[name]
    if op == "is":
        return bool(x)
    if op == "==":
        return x == v
    return isinstance(x, int) and isinstance(v, int) and x >= v


def fit_object_predicate(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Objects for which a predicate holds (a boolean property, or a size/height/... equal to or at least a
    value) are recoloured (or deleted, colour 0) as a whole; the others keep their colour or get another
    fixed one."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    if any(((a == 0) & (b != 0)).any() for a, b in zip(inputs, outputs, strict=True)):
        return None
    for diag, multi in _OBJ_KINDS:
        samples: list[tuple[dict[str, object], int, int]] = []  # features, own colour, target colour
        ok = True
        for a, b in zip(inputs, outputs, strict=True):
            objs, feats = _obj_feats(a, diag, multi)
            if not objs or len(objs) > 40:
                ok = False
                break
            for o, f in zip(objs, feats, strict=True):
                vals = np.unique(b[o.r0 : o.r1, o.c0 : o.c1][o.mask])
                if vals.size != 1 or (multi and vals[0] != 0 and len(np.unique(o.patch[o.mask])) > 1):
                    ok = False
                    break
                samples.append((f, o.colour, int(vals[0])))
            if not ok:
                break
        if not ok or all(own == t for _, own, t in samples):
            continue
        values: dict[str, set[object]] = {}
        for f, _, _ in samples:
            for n in _NUMERIC:
                values.setdefault(n, set()).add(f[n])
        for pred in _predicates(values):
            labels = []
            for side in (True, False):
                group = [(own, t) for f, own, t in samples if _holds(f, pred) == side]
                if not group:
                    break
                if all(own == t for own, t in group):
                    labels.append(-1)  # keep
                elif len({t for _, t in group}) == 1:
                    labels.append(group[0][1])
                else:
                    break
            if len(labels) != 2 or labels == [-1, -1]:
                continue

            def predict(
                g: Grid,
                pred: tuple[str, str, object] = pred,
                labels: list[int] = labels,
                diag: bool = diag,
                multi: bool = multi,
            ) -> Grid | None:
                objs, feats = _obj_feats(g, diag, multi)
                out = g.copy()
                for o, f in zip(objs, feats, strict=True):
                    lab = labels[0] if _holds(f, pred) else labels[1]
                    if lab >= 0:
                        out[o.r0 : o.r1, o.c0 : o.c1][o.mask] = lab
                return out

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- non-black backgrounds
Fit = Callable[[Sequence[Grid], Sequence[Grid], Sequence[Grid]], Predictor | None]


def _swap(g: Grid, b: int) -> Grid:
    out = g.copy()
    out[g == b] = 0
    out[g == 0] = b
    return out


def on_background(fit: Fit) -> Fit:
    """Run a learner that assumes a black background on grids whose majority colour is swapped with 0
    (outputs swapped with their input's colour); predictions are swapped back. Only for tasks where some
    input has a non-black majority colour."""
    from .objects import background

    def wrapped(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
        bgs = [background(a) for a in inputs]
        if all(b == 0 for b in bgs) or _has_mark(inputs):
            return None
        inner = fit(
            [_swap(a, b) for a, b in zip(inputs, bgs, strict=True)],
            [_swap(o, b) for o, b in zip(outputs, bgs, strict=True)],
            [_swap(t, background(t)) for t in tests],
        )
        if inner is None:
            return None

        def predict(g: Grid) -> Grid | None:
            b = background(g)
            r = inner(_swap(g, b))
            return None if r is None else _swap(r, b)

        return predict

    wrapped.__name__ = f"{getattr(fit, '__name__', 'fit')}_on_background"
    return wrapped


def fit_object_recolour_bg(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """:func:`.learners.fit_object_recolour` on tasks drawn on a non-black background."""
    from .learners import fit_object_recolour  # imported late: learners imports this module

    return on_background(fit_object_recolour)(inputs, outputs, tests)


OBJECT_LEARNERS: list[
    tuple[str, Callable[[Sequence[Grid], Sequence[Grid], Sequence[Grid]], Predictor | None]]
] = [
    ("region_fill", fit_region_fill),
    ("stamp", fit_stamp),
    ("colour_rays", fit_colour_rays),
    ("connect_pairs", fit_connect_pairs),
    ("move_to_contact", fit_move_to_contact),
    ("object_count", fit_object_count),
    ("window_crop", fit_window_crop),
    ("object_pick", fit_object_pick),
    ("part_overlay", fit_part_overlay),
    ("nearest_recolour", fit_nearest_recolour),
    ("object_recolour_bg", fit_object_recolour_bg),
    ("mask_paint", fit_mask_paint),
    ("cell_summary", fit_cell_summary),
    ("symmetrise", fit_symmetrise),
    ("object_rays", fit_object_rays),
    ("object_predicate", fit_object_predicate),
    ("cell_rewrite", fit_cell_rewrite),
    ("pattern_continue", fit_pattern_continue),
]
