"""Compiled (numba) kernels for the DSL's hot transforms, connected components and learner helpers.

Each kernel reproduces, bit for bit, the pure numpy/Python code it replaces; that code stays in place as
the reference (the ``else`` branch at each call site), which ``tests/test_arc_dsl_kernels.py`` compares
against on real ARC grids. Kernels take C-contiguous ``uint8`` grids (the search's states always are) so
each compiles once per process; compiled code is cached on disk (``cache=True``, under ``__pycache__``) and
recompiled in memory when that cache is missing or not writable.

``INFSCALE_ARC_PURE=1`` (or numba not installed) switches every call site back to the reference code;
:func:`use_kernels` does the same within one process (tests and benchmarks compare both in one run).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

try:
    import numba

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - numba is part of the `arc` extra
    numba = None  # type: ignore[assignment]
    HAVE_NUMBA = False


def _jit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``numba.njit(cache=True)``; without numba the plain function (never called: ENABLED is False)."""
    if numba is None:
        return fn
    try:
        return numba.njit(cache=True, nogil=True)(fn)  # type: ignore[no-any-return]
    except RuntimeError:  # no writable cache directory anywhere (read-only checkout): compile in memory
        return numba.njit(nogil=True)(fn)  # type: ignore[no-any-return]


def _pure_requested() -> bool:
    return os.environ.get("INFSCALE_ARC_PURE", "").strip().lower() in ("1", "true", "yes", "on")


ENABLED: bool = HAVE_NUMBA and not _pure_requested()
"""Whether call sites use the kernels (read at every call, so :func:`use_kernels` can flip it)."""

MARK = 10

#: Name prefixes of the transforms that run on a kernel (or a fast numpy path) when ENABLED.
KERNEL_BACKED = (
    "crop_inside_frame",
    "unique_rows_cols",
    "gravity_",
    "fill_enclosed",
    "holes_only",
    "outline",
    "interior_mark",
    "surround",
    "connect_",
    "rays_",
    "smear_",
    "colour_by_size_rank",
    "crop_obj",
    "crop_cobj",
    "crop_bgobj",
    "remove_noise",
    "keep_largest_only",
    "crop_nonzero",
    "crop_nonbg",
    "crop_colour_",
    "keep_colour",
    "drop_colour",
    "downscale_blocks",
    "drop_empty_rows_cols",
    "rot_4",
    "sym_or_rot",
    "pad1",
    "and_halves",
    "or_halves",
    "xor_halves",
    "nor_halves",
    "a_not_b_halves",
    "b_not_a_halves",
    "overlay_halves",
    "overlay_cells",
    "cell_",
)


@contextmanager
def use_kernels(flag: bool) -> Iterator[None]:
    """Temporarily force the kernels on (when numba is available) or off (the reference code)."""
    global ENABLED
    old = ENABLED
    ENABLED = bool(flag) and HAVE_NUMBA
    try:
        yield
    finally:
        ENABLED = old


def as_grid(g: np.ndarray, dtype: type = np.uint8) -> np.ndarray:
    """``g`` as the kernels take it: C-contiguous and writable (numba compiles read-only arrays, e.g. from
    ``np.frombuffer``, as a separate specialisation), so each kernel has one compiled version."""
    g = np.ascontiguousarray(g, dtype=dtype)
    return g if g.flags.writeable else g.copy()


# ---------------------------------------------------------------- connected components
@_jit
def label(g, bg, diag, multi):  # type: ignore[no-untyped-def]
    """Component labels (-1 = background), numbered in raster order of each component's first cell."""
    h, w = g.shape
    lab = np.full((h, w), -1, np.int32)
    stack = np.empty(h * w + 1, np.int64)
    n = 0
    for r in range(h):
        for c in range(w):
            v = g[r, c]
            if v == bg or lab[r, c] >= 0:
                continue
            lab[r, c] = n
            sp = 1
            stack[0] = r * w + c
            while sp > 0:
                sp -= 1
                p = stack[sp]
                y = p // w
                x = p - y * w
                for dy in range(-1, 2):
                    for dx in range(-1, 2):
                        if dy == 0 and dx == 0:
                            continue
                        if not diag and dy != 0 and dx != 0:
                            continue
                        yy = y + dy
                        xx = x + dx
                        if 0 <= yy < h and 0 <= xx < w and lab[yy, xx] < 0:
                            u = g[yy, xx]
                            if u != bg and (multi or u == v):
                                lab[yy, xx] = n
                                stack[sp] = yy * w + xx
                                sp += 1
            n += 1
    return lab, n


@_jit
def components(g, bg, diag, multi):  # type: ignore[no-untyped-def]
    """Everything ``objects()`` needs in one pass: per component its box (r0, c0, r1, c1), size, majority
    colour (ties -> smallest), and its bbox mask / patch, stored back to back in flat buffers at ``offs``."""
    lab, n = label(g, bg, diag, multi)
    h, w = g.shape
    box = np.empty((n, 4), np.int64)
    for i in range(n):
        box[i, 0] = h
        box[i, 1] = w
        box[i, 2] = -1
        box[i, 3] = -1
    size = np.zeros(n, np.int64)
    maxv = 0
    for r in range(h):
        for c in range(w):
            i = lab[r, c]
            if g[r, c] > maxv:
                maxv = g[r, c]
            if i < 0:
                continue
            size[i] += 1
            if r < box[i, 0]:
                box[i, 0] = r
            if c < box[i, 1]:
                box[i, 1] = c
            if r > box[i, 2]:
                box[i, 2] = r
            if c > box[i, 3]:
                box[i, 3] = c
    counts = np.zeros((n, maxv + 1), np.int64)
    for r in range(h):
        for c in range(w):
            i = lab[r, c]
            if i >= 0:
                counts[i, g[r, c]] += 1
    colour = np.empty(n, np.int64)
    offs = np.empty(n + 1, np.int64)
    offs[0] = 0
    for i in range(n):
        box[i, 2] += 1
        box[i, 3] += 1
        best = 0
        for v in range(maxv + 1):
            if counts[i, v] > counts[i, best]:
                best = v
        colour[i] = best
        offs[i + 1] = offs[i] + (box[i, 2] - box[i, 0]) * (box[i, 3] - box[i, 1])
    masks = np.zeros(offs[n], np.bool_)
    patches = np.empty(offs[n], np.uint8)
    bgv = np.uint8(bg)
    for i in range(n):
        r0, c0, r1, c1 = box[i, 0], box[i, 1], box[i, 2], box[i, 3]
        k = offs[i]
        for r in range(r0, r1):
            for c in range(c0, c1):
                if lab[r, c] == i:
                    masks[k] = True
                    patches[k] = g[r, c]
                else:
                    patches[k] = bgv
                k += 1
    return box, size, colour, offs, masks, patches


@_jit
def obj_stats(box, offs, masks, patches):  # type: ignore[no-untyped-def]
    """Per component of :func:`components`: distinct colours in its mask, and whether its patch is
    left-right and up-down symmetric."""
    n = box.shape[0]
    ncol = np.zeros(n, np.int64)
    sym_h = np.zeros(n, np.bool_)
    sym_v = np.zeros(n, np.bool_)
    seen = np.zeros(256, np.bool_)
    for i in range(n):
        hh = box[i, 2] - box[i, 0]
        ww = box[i, 3] - box[i, 1]
        k = offs[i]
        seen[:] = False
        cnt = 0
        sh = True
        sv = True
        for r in range(hh):
            for c in range(ww):
                j = k + r * ww + c
                if masks[j] and not seen[patches[j]]:
                    seen[patches[j]] = True
                    cnt += 1
                if patches[j] != patches[k + r * ww + (ww - 1 - c)]:
                    sh = False
                if patches[j] != patches[k + (hh - 1 - r) * ww + c]:
                    sv = False
        ncol[i] = cnt
        sym_h[i] = sh
        sym_v[i] = sv
    return ncol, sym_h, sym_v


PICK_NAMES = (
    "largest",
    "smallest",
    "largest_box",
    "smallest_box",
    "most_colours",
    "densest",
    "sparsest",
    "unique_shape",
    "unique_colour",
    "unique_patch",
    "symmetric",
    "asymmetric",
    "topmost",
    "bottommost",
    "leftmost",
    "rightmost",
)


@_jit
def _umax(vals):  # type: ignore[no-untyped-def]
    """Index of the unique maximum, else -1."""
    best = 0
    cnt = 0
    for i in range(vals.shape[0]):
        if vals[i] > vals[best]:
            best = i
            cnt = 1
        elif vals[i] == vals[best]:
            cnt += 1
    return best if cnt == 1 else -1


@_jit
def _same_block(buf, box, offs, i, j):  # type: ignore[no-untyped-def]
    if box[i, 2] - box[i, 0] != box[j, 2] - box[j, 0] or box[i, 3] - box[i, 1] != box[j, 3] - box[j, 1]:
        return False
    a = offs[i]
    b = offs[j]
    for k in range(offs[i + 1] - a):  # noqa: SIM110 (numba: a plain loop)
        if buf[a + k] != buf[b + k]:
            return False
    return True


@_jit
def _uniq_block(buf, box, offs):  # type: ignore[no-untyped-def]
    """Index of the only component whose (shape, cells) no other component shares, else -1."""
    n = box.shape[0]
    found = -1
    for i in range(n):
        dup = False
        for j in range(n):
            if j != i and _same_block(buf, box, offs, i, j):
                dup = True
                break
        if not dup:
            if found >= 0:
                return -1
            found = i
    return found


@_jit
def crop_picks(g, bg, diag, multi):  # type: ignore[no-untyped-def]
    """The box (r0, r1, c0, c1; -1 when no unique choice) of every pick in ``PICK_NAMES``, in that order:
    the objects chosen by ``primitives.OBJECT_PICKS`` (ties make a pick fail, as there)."""
    box, size, colour, offs, masks, patches = components(g, bg, diag, multi)
    n = size.shape[0]
    out = np.full((16, 4), -1, np.int64)
    if n == 0:
        return out
    ncol, sym_h, sym_v = obj_stats(box, offs, masks, patches)
    area = (box[:, 2] - box[:, 0]) * (box[:, 3] - box[:, 1])
    dens = np.empty(n, np.float64)
    spars = np.empty(n, np.float64)
    sym = np.empty(n, np.float64)
    for i in range(n):
        dens[i] = size[i] / area[i]
        spars[i] = -size[i] / area[i]
        sym[i] = (1.0 if sym_h[i] else 0.0) + (1.0 if sym_v[i] else 0.0)
    ccount = np.zeros(256, np.int64)
    for i in range(n):
        ccount[colour[i]] += 1
    ucol = -1
    for i in range(n):
        if ccount[colour[i]] == 1:
            if ucol >= 0:
                ucol = -2
                break
            ucol = i
    picks = np.empty(16, np.int64)
    picks[0] = _umax(size)
    picks[1] = _umax(-size)
    picks[2] = _umax(area)
    picks[3] = _umax(-area)
    picks[4] = _umax(ncol)
    picks[5] = _umax(dens)
    picks[6] = _umax(spars)
    picks[7] = _uniq_block(masks, box, offs)
    picks[8] = ucol if ucol >= 0 else -1
    picks[9] = _uniq_block(patches, box, offs)
    picks[10] = _umax(sym)
    picks[11] = _umax(-sym)
    picks[12] = _umax(-box[:, 0])
    picks[13] = _umax(box[:, 2])
    picks[14] = _umax(-box[:, 1])
    picks[15] = _umax(box[:, 3])
    for k in range(16):
        i = picks[k]
        if i >= 0:
            out[k, 0] = box[i, 0]
            out[k, 1] = box[i, 2]
            out[k, 2] = box[i, 1]
            out[k, 3] = box[i, 3]
    return out


@_jit
def crop_inside_frame_box(g):  # type: ignore[no-untyped-def]
    """Box of the largest 4-connected single-colour component whose bbox border it fully covers, else r0 = -1."""
    lab, n = label(g, 0, False, False)
    h, w = g.shape
    box = np.empty((n, 4), np.int64)
    for i in range(n):
        box[i, 0] = h
        box[i, 1] = w
        box[i, 2] = -1
        box[i, 3] = -1
    for r in range(h):
        for c in range(w):
            i = lab[r, c]
            if i < 0:
                continue
            box[i, 0] = min(box[i, 0], r)
            box[i, 1] = min(box[i, 1], c)
            box[i, 2] = max(box[i, 2], r)
            box[i, 3] = max(box[i, 3], c)
    best = -1
    best_area = -1
    for i in range(n):
        r0, c0, r1, c1 = box[i, 0], box[i, 1], box[i, 2], box[i, 3]
        hh = r1 - r0 + 1
        ww = c1 - c0 + 1
        if hh < 3 or ww < 3:
            continue
        framed = True
        for c in range(c0, c1 + 1):
            if lab[r0, c] != i or lab[r1, c] != i:
                framed = False
                break
        if framed:
            for r in range(r0, r1 + 1):
                if lab[r, c0] != i or lab[r, c1] != i:
                    framed = False
                    break
        if framed and (best < 0 or hh * ww > best_area):
            best = i
            best_area = hh * ww
    if best < 0:
        return -1, -1, -1, -1
    return box[best, 0], box[best, 2] + 1, box[best, 1], box[best, 3] + 1


@_jit
def colour_by_size_rank(g):  # type: ignore[no-untyped-def]
    """8-connected single-colour objects painted with their size rank (largest -> 1); n = object count."""
    lab, n = label(g, 0, True, False)
    h, w = g.shape
    out = np.zeros((h, w), np.uint8)
    if n == 0 or n > 9:
        return out, n
    size = np.zeros(n, np.int64)
    for r in range(h):
        for c in range(w):
            if lab[r, c] >= 0:
                size[lab[r, c]] += 1
    rank = np.empty(n, np.int64)
    for i in range(n):
        # rank = number of distinct sizes larger than this one
        k = 0
        for j in range(n):
            if size[j] > size[i]:
                dup = False
                for m in range(j):
                    if size[m] == size[j]:
                        dup = True
                        break
                if not dup:
                    k += 1
        rank[i] = k + 1
    for r in range(h):
        for c in range(w):
            if lab[r, c] >= 0:
                out[r, c] = rank[lab[r, c]]
    return out, n


# ---------------------------------------------------------------- transforms


@_jit
def _take(g, rows, nr, cols, nc):  # type: ignore[no-untyped-def]
    """The sub-grid at the first ``nr`` of ``rows`` and the first ``nc`` of ``cols``."""
    out = np.empty((nr, nc), np.uint8)
    for i in range(nr):
        for j in range(nc):
            out[i, j] = g[rows[i], cols[j]]
    return out


@_jit
def unique_rows_cols(g):  # type: ignore[no-untyped-def]
    """First occurrence of each distinct row, then of each distinct column (in order)."""
    h, w = g.shape
    keep = np.empty(h, np.int64)
    nk = 0
    for r in range(h):
        dup = False
        for k in range(nk):
            rr = keep[k]
            same = True
            for c in range(w):
                if g[rr, c] != g[r, c]:
                    same = False
                    break
            if same:
                dup = True
                break
        if not dup:
            keep[nk] = r
            nk += 1
    keepc = np.empty(w, np.int64)
    nc = 0
    for c in range(w):
        dup = False
        for k in range(nc):
            cc = keepc[k]
            same = True
            for i in range(nk):
                if g[keep[i], cc] != g[keep[i], c]:
                    same = False
                    break
            if same:
                dup = True
                break
        if not dup:
            keepc[nc] = c
            nc += 1
    return _take(g, keep, nk, keepc, nc)


@_jit
def connect(g, horizontal, vertical):  # type: ignore[no-untyped-def]
    """Join consecutive same-colour cells of a row (then a column) over the cells that are still 0."""
    h, w = g.shape
    out = g.copy()
    changed = False
    if horizontal:
        for r in range(h):
            a = -1
            for b in range(w):
                if g[r, b] == 0:
                    continue
                if a >= 0 and b > a + 1 and g[r, a] == g[r, b]:
                    for x in range(a + 1, b):
                        if out[r, x] == 0:
                            out[r, x] = g[r, a]
                            changed = True
                a = b
    if vertical:
        for c in range(w):
            a = -1
            for b in range(h):
                if g[b, c] == 0:
                    continue
                if a >= 0 and b > a + 1 and g[a, c] == g[b, c]:
                    for y in range(a + 1, b):
                        if out[y, c] == 0:
                            out[y, c] = g[a, c]
                            changed = True
                a = b
    return out, changed


@_jit
def rays(g, dys, dxs):  # type: ignore[no-untyped-def]
    """Every non-zero cell (raster order) shoots rays in the given directions, painting only 0 cells.
    ok is False when there are no or more than 60 non-zero cells."""
    h, w = g.shape
    out = g.copy()
    cnt = 0
    for r in range(h):
        for c in range(w):
            if g[r, c] != 0:
                cnt += 1
    if cnt == 0 or cnt > 60:
        return out, False
    for y in range(h):
        for x in range(w):
            v = g[y, x]
            if v == 0:
                continue
            for k in range(dys.shape[0]):
                dy = dys[k]
                dx = dxs[k]
                yy = y + dy
                xx = x + dx
                while 0 <= yy < h and 0 <= xx < w:
                    if out[yy, xx] == 0:
                        out[yy, xx] = v
                    yy += dy
                    xx += dx
    return out, True


@_jit
def _interior(g):  # type: ignore[no-untyped-def]
    """Non-zero cells whose four neighbours all equal them (outside the grid counts as 255)."""
    h, w = g.shape
    m = np.zeros((h, w), np.bool_)
    for r in range(h):
        for c in range(w):
            v = g[r, c]
            if v == 0:
                continue
            up = g[r - 1, c] if r > 0 else 255
            dn = g[r + 1, c] if r < h - 1 else 255
            lf = g[r, c - 1] if c > 0 else 255
            rt = g[r, c + 1] if c < w - 1 else 255
            if up == v and dn == v and lf == v and rt == v:
                m[r, c] = True
    return m


@_jit
def outline(g):  # type: ignore[no-untyped-def]
    m = _interior(g)
    out = g.copy()
    h, w = g.shape
    for r in range(h):
        for c in range(w):
            if m[r, c]:
                out[r, c] = 0
    return out


@_jit
def interior_mark(g):  # type: ignore[no-untyped-def]
    m = _interior(g)
    out = g.copy()
    h, w = g.shape
    anyc = False
    for r in range(h):
        for c in range(w):
            if m[r, c]:
                out[r, c] = MARK
                anyc = True
    return out, anyc


@_jit
def surround(g):  # type: ignore[no-untyped-def]
    """MARK on the 0 cells 8-adjacent to a non-zero cell."""
    h, w = g.shape
    out = g.copy()
    anyc = False
    for r in range(h):
        for c in range(w):
            if g[r, c] != 0:
                continue
            near = False
            for dy in range(-1, 2):
                for dx in range(-1, 2):
                    yy = r + dy
                    xx = c + dx
                    if 0 <= yy < h and 0 <= xx < w and g[yy, xx] != 0:
                        near = True
            if near:
                out[r, c] = MARK
                anyc = True
    return out, anyc


@_jit
def holes(g):  # type: ignore[no-untyped-def]
    """0 cells not 4-connected through 0 cells to the border; returns (mask, n_holes, n_zero)."""
    h, w = g.shape
    reach = np.zeros((h, w), np.bool_)
    stack = np.empty(h * w + 1, np.int64)
    sp = 0
    nzero = 0
    for r in range(h):
        for c in range(w):
            if g[r, c] != 0:
                continue
            nzero += 1
            if (r == 0 or r == h - 1 or c == 0 or c == w - 1) and not reach[r, c]:
                reach[r, c] = True
                stack[sp] = r * w + c
                sp += 1
    while sp > 0:
        sp -= 1
        p = stack[sp]
        y = p // w
        x = p - y * w
        for k in range(4):
            yy = y + (1 if k == 0 else (-1 if k == 1 else 0))
            xx = x + (1 if k == 2 else (-1 if k == 3 else 0))
            if 0 <= yy < h and 0 <= xx < w and not reach[yy, xx] and g[yy, xx] == 0:
                reach[yy, xx] = True
                stack[sp] = yy * w + xx
                sp += 1
    m = np.zeros((h, w), np.bool_)
    nh = 0
    for r in range(h):
        for c in range(w):
            if g[r, c] == 0 and not reach[r, c]:
                m[r, c] = True
                nh += 1
    return m, nh, nzero


@_jit
def fill_enclosed(g):  # type: ignore[no-untyped-def]
    m, nh, nzero = holes(g)
    out = g.copy()
    h, w = g.shape
    for r in range(h):
        for c in range(w):
            if m[r, c]:
                out[r, c] = MARK
    return out, nh, nzero


@_jit
def holes_only(g):  # type: ignore[no-untyped-def]
    m, nh, _ = holes(g)
    h, w = g.shape
    out = np.zeros((h, w), np.uint8)
    for r in range(h):
        for c in range(w):
            if m[r, c]:
                out[r, c] = MARK
    return out, nh


@_jit
def gravity(g, direction):  # type: ignore[no-untyped-def]
    """Non-zero cells slide, keeping their order: 0 down, 1 up, 2 right, 3 left."""
    h, w = g.shape
    out = np.zeros((h, w), np.uint8)
    if direction == 0 or direction == 1:
        for c in range(w):
            if direction == 1:
                k = 0
                for r in range(h):
                    if g[r, c] != 0:
                        out[k, c] = g[r, c]
                        k += 1
            else:
                k = h - 1
                for r in range(h - 1, -1, -1):
                    if g[r, c] != 0:
                        out[k, c] = g[r, c]
                        k -= 1
    else:
        for r in range(h):
            if direction == 3:
                k = 0
                for c in range(w):
                    if g[r, c] != 0:
                        out[r, k] = g[r, c]
                        k += 1
            else:
                k = w - 1
                for c in range(w - 1, -1, -1):
                    if g[r, c] != 0:
                        out[r, k] = g[r, c]
                        k -= 1
    return out


@_jit
def bbox(g, v, equal):  # type: ignore[no-untyped-def]
    """Bounding box (r0, r1, c0, c1) of the cells == v (``equal``) or != v; r0 = -1 when there are none."""
    h, w = g.shape
    r0 = h
    r1 = -1
    c0 = w
    c1 = -1
    for r in range(h):
        for c in range(w):
            if (g[r, c] == v) == equal:
                r0 = min(r0, r)
                r1 = max(r1, r)
                c0 = min(c0, c)
                c1 = max(c1, c)
    if r1 < 0:
        return -1, -1, -1, -1
    return r0, r1 + 1, c0, c1 + 1


@_jit
def small_objects(g, k, keep_largest):  # type: ignore[no-untyped-def]
    """On 8-connected multicolour objects: delete those of <= k cells (ok only when some but not all are),
    or with ``keep_largest`` keep only the unique largest (ok only with >= 2 objects and a unique max)."""
    lab, n = label(g, 0, True, True)
    h, w = g.shape
    size = np.zeros(n, np.int64)
    for r in range(h):
        for c in range(w):
            if lab[r, c] >= 0:
                size[lab[r, c]] += 1
    if keep_largest:
        out = np.zeros((h, w), np.uint8)
        if n < 2:
            return out, False
        best = _umax(size)
        if best < 0:
            return out, False
        for r in range(h):
            for c in range(w):
                if lab[r, c] == best:
                    out[r, c] = g[r, c]
        return out, True
    out = g.copy()
    nsmall = 0
    for i in range(n):
        if size[i] <= k:
            nsmall += 1
    if nsmall == 0 or nsmall == n:
        return out, False
    for r in range(h):
        for c in range(w):
            if lab[r, c] >= 0 and size[lab[r, c]] <= k:
                out[r, c] = 0
    return out, True


@_jit
def sym_or_rot(g):  # type: ignore[no-untyped-def]
    """Square grid: each 0 cell takes the first non-zero of its images under rot90 by 1, 2, 3 quarter turns."""
    n = g.shape[0]
    out = g.copy()
    for i in range(n):
        for j in range(n):
            v = g[i, j]
            if v == 0:
                v = g[j, n - 1 - i]
            if v == 0:
                v = g[n - 1 - i, n - 1 - j]
            if v == 0:
                v = g[n - 1 - j, i]
            out[i, j] = v
    return out


@_jit
def rot_4(g):  # type: ignore[no-untyped-def]
    """Square grid: [[g, rot270(g)], [rot90(g), rot180(g)]] (np.rot90's counter-clockwise turns)."""
    n = g.shape[0]
    out = np.empty((2 * n, 2 * n), np.uint8)
    for i in range(n):
        for j in range(n):
            out[i, j] = g[i, j]
            out[i, n + j] = g[n - 1 - j, i]
            out[n + i, j] = g[j, n - 1 - i]
            out[n + i, n + j] = g[n - 1 - i, n - 1 - j]
    return out


@_jit
def downscale_blocks(g):  # type: ignore[no-untyped-def]
    """Drop each row equal to the row before it, then each column equal to the column before it."""
    h, w = g.shape
    keep = np.empty(h, np.int64)
    nk = 0
    for r in range(h):
        same = r > 0
        if same:
            for c in range(w):
                if g[r, c] != g[r - 1, c]:
                    same = False
                    break
        if not same:
            keep[nk] = r
            nk += 1
    keepc = np.empty(w, np.int64)
    nc = 0
    for c in range(w):
        same = c > 0
        if same:
            for i in range(nk):
                if g[keep[i], c] != g[keep[i], c - 1]:
                    same = False
                    break
        if not same:
            keepc[nc] = c
            nc += 1
    return _take(g, keep, nk, keepc, nc)


@_jit
def drop_rows_cols(g, bg):  # type: ignore[no-untyped-def]
    """Rows and columns holding only ``bg`` removed; ok is False when none or all rows are such rows."""
    h, w = g.shape
    rows = np.zeros(h, np.bool_)
    cols = np.zeros(w, np.bool_)
    for r in range(h):
        for c in range(w):
            if g[r, c] != bg:
                rows[r] = True
                cols[c] = True
    nr = 0
    for r in range(h):
        nr += rows[r]
    nc = 0
    for c in range(w):
        nc += cols[c]
    out = np.empty((nr, nc), np.uint8)
    if (nr == h and nc == w) or nr == 0:
        return out, False
    i = 0
    for r in range(h):
        if not rows[r]:
            continue
        j = 0
        for c in range(w):
            if cols[c]:
                out[i, j] = g[r, c]
                j += 1
        i += 1
    return out, True


# ---------------------------------------------------------------- learner helpers
@_jit
def first_seen(g):  # type: ignore[no-untyped-def]
    """(4, h, w): first non-zero colour seen looking left, right, up, down (0 = none)."""
    h, w = g.shape
    out = np.zeros((4, h, w), np.int64)
    for r in range(h):
        last = 0
        for c in range(w):
            out[0, r, c] = last
            if g[r, c] != 0:
                last = g[r, c]
        last = 0
        for c in range(w - 1, -1, -1):
            out[1, r, c] = last
            if g[r, c] != 0:
                last = g[r, c]
    for c in range(w):
        last = 0
        for r in range(h):
            out[2, r, c] = last
            if g[r, c] != 0:
                last = g[r, c]
        last = 0
        for r in range(h - 1, -1, -1):
            out[3, r, c] = last
            if g[r, c] != 0:
                last = g[r, c]
    return out


FEATURE_IDS = {
    "cross": 0,
    "3x3": 1,
    "diag": 2,
    "5x5_cross": 3,
    "rowcol": 4,
    "n4set": 5,
    "n8set": 6,
    "rays": 7,
    "rays_hv": 8,
    "count8": 9,
    "parity": 10,
}
_OFFS = {
    0: [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)],
    1: [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)],
    2: [(0, 0), (-1, -1), (-1, 1), (1, -1), (1, 1)],
    3: [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1), (-2, 0), (2, 0), (0, -2), (0, 2)],
    5: [(-1, 0), (1, 0), (0, -1), (0, 1)],
    6: [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx],
    9: [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)],
}
_OFF_TABLE = np.zeros((11, 9, 2), np.int64)
_OFF_COUNT = np.zeros(11, np.int64)
for _f, _offs in _OFFS.items():
    _OFF_COUNT[_f] = len(_offs)
    for _i, (_dy, _dx) in enumerate(_offs):
        _OFF_TABLE[_f, _i] = (_dy, _dx)


@_jit
def neigh_codes(g, fid, off_table, off_count):  # type: ignore[no-untyped-def]
    """The learners' per-cell neighbourhood code for feature ``fid`` (see ``FEATURE_IDS``)."""
    h, w = g.shape
    code = np.zeros((h, w), np.int64)
    no = off_count[fid]
    if fid == 0 or fid == 1 or fid == 2 or fid == 3:
        for r in range(h):
            for c in range(w):
                v = np.int64(0)
                for k in range(no):
                    yy = r + off_table[fid, k, 0]
                    xx = c + off_table[fid, k, 1]
                    u = np.int64(g[yy, xx]) if 0 <= yy < h and 0 <= xx < w else np.int64(15)
                    v = v * 16 + u
                code[r, c] = v
    elif fid == 4:
        rows = np.zeros(h, np.int64)
        cols = np.zeros(w, np.int64)
        for r in range(h):
            for c in range(w):
                v = g[r, c]
                if 1 <= v <= 10:
                    rows[r] |= np.int64(1) << np.int64(v)
                    cols[c] |= np.int64(1) << np.int64(v)
        for r in range(h):
            for c in range(w):
                code[r, c] = ((np.int64(g[r, c]) * 4096 + rows[r]) << 12) | cols[c]
    elif fid == 5 or fid == 6:
        for r in range(h):
            for c in range(w):
                bits = np.int64(0)
                for k in range(no):
                    yy = r + off_table[fid, k, 0]
                    xx = c + off_table[fid, k, 1]
                    u = np.int64(g[yy, xx]) if 0 <= yy < h and 0 <= xx < w else np.int64(15)
                    bits |= np.int64(1) << u
                code[r, c] = np.int64(g[r, c]) * 65536 + bits
    elif fid == 7 or fid == 8:
        fs = first_seen(g)
        for r in range(h):
            for c in range(w):
                if fid == 7:
                    v = np.int64(g[r, c])
                    for d in range(4):
                        v = v * 16 + fs[d, r, c]
                    code[r, c] = v
                else:
                    lf = fs[0, r, c]
                    rt = fs[1, r, c]
                    u = fs[2, r, c]
                    dn = fs[3, r, c]
                    code[r, c] = (
                        np.int64(g[r, c]) * 65536
                        + min(lf, rt) * 4096
                        + max(lf, rt) * 256
                        + min(u, dn) * 16
                        + max(u, dn)
                    )
    elif fid == 9:
        for r in range(h):
            for c in range(w):
                nz = 0
                for k in range(no):
                    yy = r + off_table[fid, k, 0]
                    xx = c + off_table[fid, k, 1]
                    u = np.int64(g[yy, xx]) if 0 <= yy < h and 0 <= xx < w else np.int64(15)
                    if u % 15 != 0:
                        nz += 1
                code[r, c] = np.int64(g[r, c]) * 16 + nz
    elif fid == 10:
        for r in range(h):
            for c in range(w):
                code[r, c] = np.int64(g[r, c]) * 4 + (r % 2) * 2 + (c % 2)
    return code


@_jit
def complete_period(g, mask_colour):  # type: ignore[no-untyped-def]
    """Smallest 2-D period (py * px, first in row-major (py, px) order) consistent with the non-mask
    cells and covering every tile position; returns (found, full grid)."""
    h, w = g.shape
    nknown = 0
    for r in range(h):
        for c in range(w):
            if g[r, c] != mask_colour:
                nknown += 1
    out = np.zeros((h, w), np.uint8)
    best_area = -1
    best_py = 0
    best_px = 0
    best_tile = np.zeros(h * w, np.int64)
    tile = np.empty(h * w, np.int64)
    for py in range(1, h + 1):
        for px in range(1, w + 1):
            area = py * px
            if area >= nknown or (py == h and px == w):
                continue
            if best_area >= 0 and area >= best_area:
                continue
            for i in range(area):
                tile[i] = -1
            ok = True
            for r in range(h):
                if not ok:
                    break
                for c in range(w):
                    v = g[r, c]
                    if v == mask_colour:
                        continue
                    i = (r % py) * px + (c % px)
                    if tile[i] < 0:
                        tile[i] = v
                    elif tile[i] != v:
                        ok = False
                        break
            if not ok:
                continue
            full = True
            for i in range(area):
                if tile[i] < 0:
                    full = False
                    break
            if not full:
                continue
            best_area = area
            best_py = py
            best_px = px
            for i in range(area):
                best_tile[i] = tile[i]
    if best_area < 0:
        return False, out
    for r in range(h):
        for c in range(w):
            out[r, c] = best_tile[(r % best_py) * best_px + (c % best_px)]
    return True, out


@_jit
def sym_candidates(g, known):  # type: ignore[no-untyped-def]
    """Source-index maps of the reflective symmetries consistent with the known cells: (maps, count)."""
    h, w = g.shape
    nspec = max(0, 2 * h - 3) + max(0, 2 * w - 3) + (3 if h == w else 0)
    maps = np.empty((nspec, h, w), np.int64)
    nknown = 0
    for r in range(h):
        for c in range(w):
            if known[r, c]:
                nknown += 1
    thr = max(4.0, 0.25 * nknown)
    m = 0
    for s in range(nspec):
        if s < max(0, 2 * h - 3):
            kind = 0
            k = s + 1
        elif s < max(0, 2 * h - 3) + max(0, 2 * w - 3):
            kind = 1
            k = s - max(0, 2 * h - 3) + 1
        else:
            kind = 2 + s - max(0, 2 * h - 3) - max(0, 2 * w - 3)
            k = 0
        both = 0
        bad = False
        for y in range(h):
            for x in range(w):
                if kind == 0:
                    sy = k - y
                    sx = x
                elif kind == 1:
                    sy = y
                    sx = k - x
                elif kind == 2:
                    sy = x
                    sx = y
                elif kind == 3:
                    sy = w - 1 - x
                    sx = h - 1 - y
                else:
                    sy = x
                    sx = h - 1 - y
                if 0 <= sy < h and 0 <= sx < w:
                    maps[m, y, x] = sy * w + sx
                    if known[y, x] and known[sy, sx]:
                        both += 1
                        if g[sy, sx] != g[y, x]:
                            bad = True
                else:
                    maps[m, y, x] = -1
        if both < thr or bad:
            continue
        m += 1
    return maps, m


# ---------------------------------------------------------------- learner helpers: connect pairs
@_jit
def _join_line(g, out, tab, r, transposed):  # type: ignore[no-untyped-def]
    n = g.shape[1] if not transposed else g.shape[0]
    a = -1
    for b in range(n):
        cb = g[r, b] if not transposed else g[b, r]
        if cb == 0:
            continue
        if a >= 0 and b > a + 1:
            ca = g[r, a] if not transposed else g[a, r]
            if ca == cb and tab[ca] >= 0:
                for x in range(a + 1, b):
                    if transposed:
                        out[x, r] = tab[ca]
                    else:
                        out[r, x] = tab[ca]
        a = b


@_jit
def connect_pairs(g, tab, order, horizontal, vertical, vertical_last, diagonal):  # type: ignore[no-untyped-def]
    """``object_learners._connect``: ``tab[c]`` is the line colour joining two ``c`` ends (-1: not joined),
    ``order`` the colours whose diagonals are joined, in painting order."""
    h, w = g.shape
    out = g.copy()
    for p in range(2):
        vert = (p == 1) == vertical_last
        if vert and vertical:
            for c in range(w):
                _join_line(g, out, tab, c, True)
        elif not vert and horizontal:
            for r in range(h):
                _join_line(g, out, tab, r, False)
    if diagonal:
        for i in range(order.shape[0]):
            col = order[i]
            lc = tab[col]
            for y0 in range(h):
                for x0 in range(w):
                    if g[y0, x0] != col:
                        continue
                    for sx in (-1, 1):
                        k = 1
                        while 0 <= y0 + k < h and 0 <= x0 + k * sx < w and g[y0 + k, x0 + k * sx] == 0:
                            k += 1
                        if (
                            k > 1
                            and 0 <= y0 + k < h
                            and 0 <= x0 + k * sx < w
                            and g[y0 + k, x0 + k * sx] == col
                        ):
                            for j in range(1, k):
                                out[y0 + j, x0 + j * sx] = lc
    return out


@_jit
def connect_table(a, b, tab, order, n):  # type: ignore[no-untyped-def]
    """``fit_connect_pairs``' table from one pair: the first single non-zero colour filling the gap between
    two same-colour ends (rows, then columns); new end colours are appended to ``order``. Returns the count."""
    for t in range(2):
        lines = a.shape[0] if t == 0 else a.shape[1]
        length = a.shape[1] if t == 0 else a.shape[0]
        for r in range(lines):
            x0 = -1
            for x1 in range(length):
                c1 = a[r, x1] if t == 0 else a[x1, r]
                if c1 == 0:
                    continue
                if x0 >= 0 and x1 > x0 + 1:
                    c = a[r, x0] if t == 0 else a[x0, r]
                    if c == c1:
                        v = b[r, x0 + 1] if t == 0 else b[x0 + 1, r]
                        one = True
                        for x in range(x0 + 2, x1):
                            if (b[r, x] if t == 0 else b[x, r]) != v:
                                one = False
                                break
                        if one and v != 0 and tab[c] < 0:
                            tab[c] = v
                            order[n] = c
                            n += 1
                x0 = x1
    return n


@_jit
def mask_holes(mask):  # type: ignore[no-untyped-def]
    """Holes of an object's box mask: 4-connected groups of non-object cells not touching the box border.
    Returns (groups, cells)."""
    h, w = mask.shape
    seen = np.zeros((h, w), np.bool_)
    stack = np.empty(h * w, np.int64)
    groups = 0
    cells = 0
    for y0 in range(h):
        for x0 in range(w):
            if mask[y0, x0] or seen[y0, x0]:
                continue
            seen[y0, x0] = True
            stack[0] = y0 * w + x0
            top = 1
            n = 0
            border = False
            while top > 0:
                top -= 1
                y, x = divmod(stack[top], w)
                n += 1
                if y == 0 or x == 0 or y == h - 1 or x == w - 1:
                    border = True
                for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                    yy, xx = y + dy, x + dx
                    if 0 <= yy < h and 0 <= xx < w and not mask[yy, xx] and not seen[yy, xx]:
                        seen[yy, xx] = True
                        stack[top] = yy * w + xx
                        top += 1
            if not border:
                groups += 1
                cells += n
    return groups, cells


@_jit
def keep_drop_colour(g, v, keep):  # type: ignore[no-untyped-def]
    """The cells == v kept, others 0 (``keep``), or the cells == v set to 0; and whether any cell is v."""
    h, w = g.shape
    out = np.empty((h, w), np.uint8)
    found = False
    for r in range(h):
        for c in range(w):
            x = g[r, c]
            if x == v:
                found = True
                out[r, c] = x if keep else 0
            else:
                out[r, c] = 0 if keep else x
    return out, found


# ---------------------------------------------------------------- the search's checks
@_jit
def colour_table(a, b, table):  # type: ignore[no-untyped-def]
    """Extend ``table`` (colour of ``a`` -> colour of ``b``, -1 = unseen) with one same-shape pair; False
    when a colour would map to two (``learners.fit_colour_map``'s test, without sorting codes)."""
    h, w = a.shape
    for r in range(h):
        for c in range(w):
            x = a[r, c]
            y = np.int64(b[r, c])
            t = table[x]
            if t < 0:
                table[x] = y
            elif t != y:
                return False
    return True


@_jit
def overlay_table(g, i, o, table, paint):  # type: ignore[no-untyped-def]
    """The search's overlay test on one pair: outside the top cells (``g`` != 0 when ``paint``, else
    ``i`` == 0) ``i`` equals ``o``; on them ``table`` (colour of ``g`` -> colour of ``o``) stays a function."""
    h, w = g.shape
    for r in range(h):
        for c in range(w):
            top = g[r, c] != 0 if paint else i[r, c] == 0
            if top:
                x = g[r, c]
                y = np.int64(o[r, c])
                t = table[x]
                if t < 0:
                    table[x] = y
                elif t != y:
                    return False
            elif i[r, c] != o[r, c]:
                return False
    return True


# ---------------------------------------------------------------- warm-up
_WARM = False


def warmup() -> float:
    """Compile (or load from the on-disk cache) every kernel, once per process; returns the seconds it took.

    Called by ``DslSolver()`` and by the runner before it forks its per-task workers (which inherit the
    compiled code), so that no search budget is spent compiling and importing the package stays cheap.

    Should compiling fail (a broken numba install), the kernels are switched off with a warning and the
    DSL runs on the reference code, which computes the same grids, only slower."""
    global ENABLED, _WARM
    if not ENABLED or _WARM:
        return 0.0
    t0 = time.perf_counter()
    try:
        _compile_all()
        _WARM = True
    except Exception as exc:  # any numba failure: the reference code is always there
        ENABLED = False
        warnings.warn(
            f"arc DSL numba kernels disabled ({type(exc).__name__}: {exc})", RuntimeWarning, stacklevel=2
        )
    return time.perf_counter() - t0


def _compile_all() -> None:
    g = np.array([[0, 1, 1, 0], [2, 0, 0, 2], [0, 1, 1, 0]], dtype=np.uint8)
    label(g, 0, True, True)
    box, _, _, offs, masks, patches = components(g, 0, True, True)
    obj_stats(box, offs, masks, patches)
    crop_picks(g, 0, True, True)
    crop_inside_frame_box(g)
    colour_by_size_rank(g)
    unique_rows_cols(g)
    connect(g, True, True)
    rays(g, np.array([1, 0], np.int64), np.array([0, 1], np.int64))
    smear(g, np.array([1, -1], np.int64), np.array([1, 0], np.int64))
    outline(g)
    interior_mark(g)
    surround(g)
    fill_enclosed(g)
    holes_only(g)
    gravity(g, 0)
    bbox(g, 0, True)
    keep_drop_colour(g, 1, True)
    small_objects(g, 1, False)
    sq = np.ascontiguousarray(g[:3, :3])
    sym_or_rot(sq)
    rot_4(sq)
    downscale_blocks(g)
    drop_rows_cols(g, 0)
    first_seen(g)
    for fid in range(11):
        neigh_codes(g, fid, _OFF_TABLE, _OFF_COUNT)
    complete_period(g, 0)
    sym_candidates(g, g != 0)
    tab = np.full(256, -1, np.int64)
    order = np.zeros(256, np.int64)
    connect_table(g, g, tab, order, 0)
    connect_pairs(g, tab, order[:1], True, True, False, True)
    mask_holes(g != 0)
    t256 = np.full(256, -1, np.int64)
    colour_table(g, g, t256)
    overlay_table(g, g, g, t256, True)


# ---------------------------------------------------------------- smear (icecuber's vocabulary)
@_jit
def smear(g, dys, dxs):  # type: ignore[no-untyped-def]
    """icecuber's ``smear``: for each direction in turn, every 0 cell takes the colour of the nearest
    non-zero cell behind it (a later direction overwrites an earlier one). changed is False when no cell
    changes."""
    h, w = g.shape
    out = g.copy()
    carry = np.zeros((h, w), np.uint8)
    changed = False
    for k in range(dys.shape[0]):
        dy = dys[k]
        dx = dxs[k]
        for i in range(h):
            y = i if dy >= 0 else h - 1 - i
            for j in range(w):
                x = j if dx >= 0 else w - 1 - j
                v = g[y, x]
                if v == 0:
                    py = y - dy
                    px = x - dx
                    if 0 <= py < h and 0 <= px < w:
                        v = carry[py, px]
                carry[y, x] = v
                if v != 0 and out[y, x] != v:
                    out[y, x] = v
                    changed = True
    return out, changed
