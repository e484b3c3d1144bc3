"""Cell-tree learner: each output cell of a same-shape task is given by a small decision tree over features
of the input cell, whose leaves are a literal colour or a colour read from the scene.

The generic "conjunction of cell features" rule, complementary to ``local_rule`` (one neighbourhood feature, a
lookup table) and ``object_map`` (one rewrite per object). Per input grid, all cells at once (numpy), it
computes a bank of features (colour; non-background and same-colour neighbour counts in the 4/8 neighbourhood,
per neighbour colour too; the first colour seen in each direction and whether the cell lies between two such
cells; row / column parity and mod 3, border distance; the size, size rank, border contact, holes, box and
colour count of the cell's object under three readings; enclosure by a non-background frame; whether its row
/ column holds each colour; between two cells on a diagonal; its place in the box of the object covering it
(in the box, on its border, centre row / column, distance to each side); the distance to the nearest
non-background cell; the count of its colour in its row / column; the frame's colour; whether its colour is
the largest object's, the grid's most / least frequent; which colours touch its object; whether it lies in the
box spanned by all the cells of each colour) and a bank of *targets*, the colours a leaf may write (keep the
input colour, a literal colour, the first colour seen in a direction or diagonal, the frame colour around an
enclosed region, the majority / minority colour of the cell's object, the grid's most / least frequent colour,
the majority colour of the row, column or neighbourhood, the mirrored cell's colour, in the grid or in the
object's box, the box's object's majority colour, the nearest non-background colour, the largest object's
colour, the commonest colour touching the object). Features read colour 0 as background: when another colour
covers most cells of the train inputs, the task is learned with the two swapped (and the predictions swapped
back).

Learning is ID3-like: a node whose cells share a consistent target becomes a leaf (the simplest target: keep,
then a literal, then a relative colour), else it is split by the test (``feature == v``, ``>= v``) that lets
the best single target of each side explain the most cells, up to depth 3 and 6 leaves (at the root the
``ROOT_TESTS`` best tests are tried in turn, within ``MAX_WORK`` split nodes: the greedy score often ranks a
test that starts no rule above the one that does, e.g. a neighbour count above "colour 1" when the rule is
"colour 1 inside the box of the 8s"). A tree is accepted only when it reproduces every train pair and
generalises within train: learned on all pairs but one, it reproduces the held-out pair (so a memorised table
of pair-specific entries is refused; one train pair gives no such evidence and is refused). It refuses rather
than guess when a test cell reaches a leaf that changes colours with an input colour the train pairs show
elsewhere but never at that leaf, or when the alternative trees (tied splits, the root's near-best splits,
with the fewest leaves) that are defined on a test input disagree on it.

Cheap refusals first (the search fits learners at the root and on ~40 depth-1 states): one train pair,
shape change, no change, more than the first three input variants per task (train outputs), cells that
need more leaves than allowed (pairwise disjoint target sets), then one tree before any alternatives.
Per-grid features and targets are cached by grid bytes; identical cells are learned as one weighted row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .learners import Learner, Predictor, _first_seen
from .objects import _label
from .primitives import Grid

MAX_DEPTH = 3
MAX_LEAVES = 6
_CACHE_MAX = 4096
# tied (and at the root: near-best) splits learned too; all must agree on the test inputs
ALTERNATIVES = 4
# split nodes one learning may try (bounds the cost of a refusal)
MAX_WORK = 60
# root tests tried by the first (single-tree) pass
ROOT_TESTS = 8
# the learner costs ~10-50 ms: a search fits it on its first few states only (``max_states``, read by
# :meth:`infscale.arc.search._Search._learners`): the raw task and the closest depth-1 states, which hold
# most learner fits
STATES_PER_SEARCH = 3
_MAX_VALUES = 12

# ---------------------------------------------------------------- feature and target banks
# kinds: "c" categorical (== v), "o" ordinal (>= v), "b" boolean (== 1)
_FEATS: list[tuple[str, str]] = [
    ("colour", "c"),
    ("nonbg", "b"),
    ("enclosed", "b"),
    ("same_h", "b"),
    ("same_v", "b"),
    ("between_h", "b"),
    ("between_v", "b"),
    ("n4", "o"),
    ("n8", "o"),
    ("s4", "o"),
    ("s8", "o"),
    ("nrays", "o"),
    ("ray_l", "c"),
    ("ray_r", "c"),
    ("ray_u", "c"),
    ("ray_d", "c"),
    ("border", "b"),
    ("dist", "o"),
    ("r2", "c"),
    ("c2", "c"),
    ("r3", "c"),
    ("c3", "c"),
]
_READINGS = (("o8", True, False), ("o4", False, False), ("m8", True, True))
for _r, _, _m in _READINGS:
    _FEATS += [(f"{_r}_size", "o"), (f"{_r}_largest", "b"), (f"{_r}_smallest", "b"), (f"{_r}_touch", "b")]
    _FEATS += [(f"{_r}_h", "o"), (f"{_r}_w", "o"), (f"{_r}_holes", "b")]
    if _m:
        _FEATS.append((f"{_r}_ncol", "o"))
_FEATS += [(f"nb_{c}", "o") for c in range(1, 10)]
_FEATS += [(f"row_{c}", "b") for c in range(1, 10)]
_FEATS += [(f"col_{c}", "b") for c in range(1, 10)]
# between cells on a diagonal; the cell's place in the box of the object covering it (the smallest box); nearest colour
_FEATS += [("between_d", "b"), ("between_a", "b"), ("same_d", "b"), ("same_a", "b")]
_FEATS += [("inbox", "b"), ("box_border", "b"), ("box_cy", "b"), ("box_cx", "b")]
_FEATS += [("box_y0", "o"), ("box_y1", "o"), ("box_x0", "o"), ("box_x1", "o")]
_FEATS += [("near_dist", "o"), ("row_count", "o"), ("col_count", "o"), ("frame_c", "c")]
_FEATS += [("largest_col", "b"), ("grid_most", "b"), ("grid_least", "b")]
_FEATS += [(f"adj_{c}", "b") for c in range(1, 10)]
# inside the box spanned by all the cells of a colour (icecuber's hull of a colour layer)
_FEATS += [(f"cbox_{c}", "b") for c in range(1, 10)]
_KINDS = [k for _, k in _FEATS]

# targets, simplest first: keep, literals, then colours read from the scene (-1 = undefined there)
_TARGETS = ["keep", *(f"lit{k}" for k in range(10))]
_TARGETS += ["ray_l", "ray_r", "ray_u", "ray_d", "frame", "obj_major", "obj_minor", "grid_most", "grid_least"]
_TARGETS += [
    "row_major",
    "col_major",
    "nb_major",
    "flip_lr",
    "flip_ud",
    "rot180",
    "transpose",
    "antitranspose",
]
_TARGETS += ["ray_ul", "ray_ur", "ray_dl", "ray_dr", "box_lr", "box_ud", "box_rot", "box_major", "nearest"]
_TARGETS += ["largest_col", "adj_major"]

_cache: dict[tuple[tuple[int, int], bytes], tuple[np.ndarray, np.ndarray]] = {}


def _shift(a: np.ndarray, dy: int, dx: int, fill: int = 0) -> np.ndarray:
    """``a`` moved so that cell (y, x) holds a[y + dy, x + dx] (``fill`` outside)."""
    h, w = a.shape[-2:]
    out = np.full(a.shape, fill, dtype=a.dtype)
    ys, yd = (slice(dy, h), slice(0, h - dy)) if dy >= 0 else (slice(0, h + dy), slice(-dy, h))
    xs, xd = (slice(dx, w), slice(0, w - dx)) if dx >= 0 else (slice(0, w + dx), slice(-dx, w))
    out[..., yd, xd] = a[..., ys, xs]
    return out


_N4 = ((-1, 0), (1, 0), (0, -1), (0, 1))
_N8 = (*_N4, (-1, -1), (-1, 1), (1, -1), (1, 1))


def _argmax_colour(counts: np.ndarray) -> np.ndarray:
    """Per position, the colour 1..9 with the largest count along axis 0 of ``counts`` (10, ...), -1 if none."""
    nz = counts[1:]
    best = np.argmax(nz, axis=0) + 1
    return np.where(nz.max(axis=0) > 0, best, -1)


def _object_feats(g: np.ndarray, diag: bool, multi: bool, enclosed: np.ndarray) -> list[np.ndarray]:
    h, w = g.shape
    lab, n = _label(g, 0, diag, multi)
    lab = lab.astype(np.int64)
    z = np.zeros((h, w), dtype=np.int64)
    if n == 0:
        return [z] * (8 if multi else 7)
    on = lab >= 0
    li = np.where(on, lab, n)  # bg -> dummy label n
    sizes = np.bincount(li.ravel(), minlength=n + 1)
    sizes[n] = 0
    ys, xs = np.mgrid[0:h, 0:w]
    big = 1 << 20
    ymin = np.full(n + 1, big)
    ymax = np.full(n + 1, -1)
    xmin = np.full(n + 1, big)
    xmax = np.full(n + 1, -1)
    np.minimum.at(ymin, li.ravel(), ys.ravel())
    np.maximum.at(ymax, li.ravel(), ys.ravel())
    np.minimum.at(xmin, li.ravel(), xs.ravel())
    np.maximum.at(xmax, li.ravel(), xs.ravel())
    bh = np.where(sizes > 0, ymax - ymin + 1, 0)
    bw = np.where(sizes > 0, xmax - xmin + 1, 0)
    touch = np.zeros(n + 1, dtype=bool)
    border = np.concatenate([li[0], li[-1], li[:, 0], li[:, -1]])
    touch[border] = True
    touch[n] = False
    holes = np.zeros(n + 1, dtype=bool)
    for dy, dx in _N4:
        nb = _shift(li, dy, dx, n)
        holes[nb[enclosed]] = True
    holes[n] = False
    real = sizes[:n]
    largest = (sizes == real.max()) & (np.arange(n + 1) < n)
    smallest = (sizes == real.min()) & (np.arange(n + 1) < n)
    out = [sizes[li], largest[li], smallest[li], touch[li], bh[li], bw[li], holes[li]]
    if multi:
        pairs = np.unique(li.ravel() * 16 + g.ravel())
        ncol = np.bincount(pairs // 16, minlength=n + 1)
        ncol[n] = 0
        out.append(ncol[li])
    return [o.astype(np.int64) for o in out]


_DIAG = ((-1, -1), (-1, 1), (1, -1), (1, 1))
# ordinal extras capped (a split beyond it would be memorising; more values make every cell unique)
_CAP = 3
_BOX_MAX = 64  # objects whose boxes are painted (more: a noise field, no boxes)


def _extra_banks(g: np.ndarray, gi: np.ndarray, onehot: np.ndarray, frame: np.ndarray) -> tuple[list, list]:
    """Diagonal rays, box-relative, nearest-colour, row / column count and adjacency features and targets."""
    h, w = g.shape
    ys, xs = np.mgrid[0:h, 0:w]
    rays = []
    for dy, dx in _DIAG:
        # row by row: the first colour up-left of (y, x) is g[y-1, x-1], or if that is 0 the one up-left of it
        a = gi[::-1] if dy > 0 else gi
        a = a[:, ::-1] if dx > 0 else a
        seen = np.zeros((h, w), dtype=np.int64)
        for y in range(1, h):
            prev = a[y - 1, :-1]
            seen[y, 1:] = np.where(prev != 0, prev, seen[y - 1, :-1])
        seen = seen[::-1] if dy > 0 else seen
        rays.append(seen[:, ::-1] if dx > 0 else seen)
    ul, ur, dl, dr = rays
    bd = (ul != 0) & (dr != 0)
    ba = (ur != 0) & (dl != 0)
    # boxes of multicolour 8-connected objects, the largest painted first so the smallest box wins
    lab, n = _label(g, 0, True, True)
    undef = np.full((h, w), -1, dtype=np.int64)
    zero = np.zeros((h, w), dtype=np.int64)
    owner = undef.copy()
    if 0 < n <= _BOX_MAX:
        li = lab.astype(np.int64).ravel()
        on = li >= 0
        ymin = np.full(n, 1 << 20)
        ymax = np.full(n, -1)
        xmin = np.full(n, 1 << 20)
        xmax = np.full(n, -1)
        np.minimum.at(ymin, li[on], ys.ravel()[on])
        np.maximum.at(ymax, li[on], ys.ravel()[on])
        np.minimum.at(xmin, li[on], xs.ravel()[on])
        np.maximum.at(xmax, li[on], xs.ravel()[on])
        area = (ymax - ymin + 1) * (xmax - xmin + 1)
        for k in np.argsort(-area, kind="stable").tolist():
            owner[ymin[k] : ymax[k] + 1, xmin[k] : xmax[k] + 1] = k
        oc = np.bincount((li[on] * 10 + gi.ravel()[on]), minlength=n * 10).reshape(n, 10)
        bmaj = _argmax_colour(oc.T)
        inbox = owner >= 0
        o = np.where(inbox, owner, 0)
        y0, y1, x0, x1 = ymin[o], ymax[o], xmin[o], xmax[o]
        feats_box = [
            inbox,
            inbox & ((ys == y0) | (ys == y1) | (xs == x0) | (xs == x1)),
            inbox & (2 * ys == y0 + y1),
            inbox & (2 * xs == x0 + x1),
            np.where(inbox, np.minimum(ys - y0, _CAP), -1),
            np.where(inbox, np.minimum(y1 - ys, _CAP), -1),
            np.where(inbox, np.minimum(xs - x0, _CAP), -1),
            np.where(inbox, np.minimum(x1 - xs, _CAP), -1),
        ]
        my = np.clip(y0 + y1 - ys, 0, h - 1)
        mx = np.clip(x0 + x1 - xs, 0, w - 1)
        tg_box = [
            np.where(inbox, gi[ys, mx], -1),
            np.where(inbox, gi[my, xs], -1),
            np.where(inbox, gi[my, mx], -1),
            np.where(inbox, bmaj[o], -1),
        ]
    else:
        feats_box = [zero, zero, zero, zero, undef, undef, undef, undef]
        tg_box = [undef] * 4
    # nearest non-background colour (Chebyshev rings; -1 where two colours are equally near)
    # the least and greatest colour among the nearest cells spread ring by ring: one colour where they agree
    done = gi != 0
    lo = np.where(done, gi, 99)
    hi = np.where(done, gi, -1)
    dist = np.where(done, 0, -1)
    if done.any():
        for step in range(1, max(h, w)):
            if done.all():
                break
            nlo = np.minimum.reduce([_shift(lo, dy, dx, 99) for dy, dx in _N8])
            nhi = np.maximum.reduce([_shift(hi, dy, dx, -1) for dy, dx in _N8])
            new = ~done & (nhi >= 0)
            lo = np.where(new, nlo, lo)
            hi = np.where(new, nhi, hi)
            dist = np.where(new, step, dist)
            done = done | new
    nearest = np.where(done & (lo == hi), lo, -1)
    rowc = onehot.sum(axis=2)  # (10, h)
    colc = onehot.sum(axis=1)  # (10, w)
    row_count = rowc[gi, ys]
    col_count = colc[gi, xs]
    # colour of the largest single-colour object (when one is the largest)
    l8, n8 = _label(g, 0, True, False)
    largest = -1
    if n8:
        l8i = l8.astype(np.int64)
        sz = np.bincount(l8i[l8i >= 0], minlength=n8)
        if (sz == sz.max()).sum() == 1:
            largest = int(gi[l8i == int(np.argmax(sz))][0])
    total = onehot.sum(axis=(1, 2))
    nzt = np.where(total[1:] > 0, total[1:], 1 << 20)
    gm = int(np.argmax(total[1:]) + 1) if total[1:].any() else -1
    gl = int(np.argmin(nzt) + 1) if total[1:].any() else -1
    # colours touching the cell's 4-connected single-colour object
    l4, n4 = _label(g, 0, False, False)
    adj = np.zeros((10, h, w), dtype=bool)
    adj_major = undef
    if n4:
        l4i = np.where(l4 >= 0, l4, n4).astype(np.int64)
        ac = np.zeros((n4 + 1) * 10, dtype=np.int64)
        for dy, dx in _N4:
            nb = _shift(gi, dy, dx)
            m = (l4 >= 0) & (nb != 0) & (nb != gi)
            np.add.at(ac, l4i[m] * 10 + nb[m], 1)
        ac2 = ac.reshape(n4 + 1, 10)
        ac2[n4] = 0
        adj = (ac2 > 0)[l4i].transpose(2, 0, 1)
        adj_major = _argmax_colour(ac2.T)[l4i]
    feats = [bd, ba, bd & (ul == dr), ba & (ur == dl), *feats_box]
    feats += [np.minimum(dist, _CAP), np.minimum(row_count, _CAP), np.minimum(col_count, _CAP)]
    feats.append(np.where(frame > 0, frame, 0))
    feats += [(gi == largest) & (gi != 0), (gi == gm), (gi == gl)]
    feats += [adj[c] for c in range(1, 10)]
    for c in range(1, 10):
        rs, cs = np.flatnonzero(rowc[c]), np.flatnonzero(colc[c])
        if rs.size:
            feats.append((ys >= rs[0]) & (ys <= rs[-1]) & (xs >= cs[0]) & (xs <= cs[-1]))
        else:
            feats.append(zero)
    tg = [np.where(r != 0, r, -1) for r in rays] + tg_box + [nearest, undef + (largest + 1), adj_major]
    return feats, tg


def _grid_banks(g: Grid) -> tuple[np.ndarray, np.ndarray]:
    """(features (n_feats, cells), targets (n_targets, cells)) of one grid, background 0; cached by bytes."""
    key = (g.shape, g.tobytes())
    hit = _cache.get(key)
    if hit is not None:
        return hit
    h, w = g.shape
    gi = g.astype(np.int64)
    onehot = (gi[None] == np.arange(10)[:, None, None]).astype(np.int64)
    c4: np.ndarray = np.sum([_shift(onehot, dy, dx) for dy, dx in _N4], axis=0)
    c8: np.ndarray = c4 + np.sum([_shift(onehot, dy, dx) for dy, dx in _N8[4:]], axis=0)
    nonbg = gi != 0
    n4 = c4[1:].sum(axis=0)
    n8 = c8[1:].sum(axis=0)
    s4 = np.take_along_axis(c4, gi[None], 0)[0]
    s8 = np.take_along_axis(c8, gi[None], 0)[0]
    # background regions not reachable from the border
    bl, nbl = _label((~nonbg).astype(np.uint8), 0, False, False)
    bl = bl.astype(np.int64)
    bli = np.where(bl >= 0, bl, nbl)
    open_ = np.zeros(nbl + 1, dtype=bool)
    open_[np.concatenate([bli[0], bli[-1], bli[:, 0], bli[:, -1]])] = True
    open_[nbl] = True
    enclosed = ~open_[bli]
    # frame colour of each background region: the commonest colour next to it
    fc = np.zeros((nbl + 1) * 10, dtype=np.int64)
    for dy, dx in _N4:
        nb = _shift(gi, dy, dx)
        m = (bl >= 0) & (nb != 0)
        np.add.at(fc, bli[m] * 10 + nb[m], 1)
    frame_of = _argmax_colour(fc.reshape(nbl + 1, 10).T)
    frame_of[nbl] = -1
    frame = frame_of[bli]
    lf, rt, up, dn = (r.astype(np.int64) for r in _first_seen(g))
    between_h = (lf != 0) & (rt != 0)
    between_v = (up != 0) & (dn != 0)
    same_h = between_h & (lf == rt)
    same_v = between_v & (up == dn)
    nrays = (lf != 0).astype(np.int64) + (rt != 0) + (up != 0) + (dn != 0)
    ys, xs = np.mgrid[0:h, 0:w]
    dist = np.minimum(np.minimum(ys, h - 1 - ys), np.minimum(xs, w - 1 - xs))
    feats: list[np.ndarray] = [
        gi,
        nonbg,
        enclosed,
        same_h,
        same_v,
        between_h,
        between_v,
        n4,
        n8,
        s4,
        s8,
        nrays,
    ]
    feats += [lf, rt, up, dn, dist == 0, dist, ys % 2, xs % 2, ys % 3, xs % 3]
    for _, diag, multi in _READINGS:
        feats += _object_feats(g, diag, multi, enclosed)
    feats += [c8[c] for c in range(1, 10)]
    rowhas = onehot.any(axis=2)  # (10, h)
    colhas = onehot.any(axis=1)  # (10, w)
    feats += [np.broadcast_to(rowhas[c][:, None], (h, w)) for c in range(1, 10)]
    feats += [np.broadcast_to(colhas[c][None, :], (h, w)) for c in range(1, 10)]
    xf, xt = _extra_banks(g, gi, onehot, frame)
    feats += xf
    fmat = np.stack([np.asarray(f, dtype=np.int64).reshape(h, w) for f in feats]).reshape(len(feats), -1)

    # targets
    undef = np.full((h, w), -1, dtype=np.int64)
    m8lab, m8n = _label(g, 0, True, True)
    m8 = np.where(m8lab >= 0, m8lab, m8n).astype(np.int64)
    oc = np.bincount((m8 * 10 + gi).ravel(), minlength=(m8n + 1) * 10).reshape(m8n + 1, 10)
    major = _argmax_colour(oc.T)
    occ = np.where(oc > 0, oc, 1 << 20)
    occ[:, 0] = 1 << 20
    minor = np.where((oc[:, 1:] > 0).sum(axis=1) >= 2, np.argmin(occ, axis=1), -1)
    major[m8n] = minor[m8n] = -1
    total = onehot.sum(axis=(1, 2))
    gmost = int(_argmax_colour(total[:, None])[0])
    tt = np.where(total > 0, total, 1 << 20)
    tt[0] = 1 << 20
    gleast = int(np.argmin(tt)) if total[1:].any() else -1
    row_major = np.broadcast_to(_argmax_colour(onehot.sum(axis=2))[:, None], (h, w))
    col_major = np.broadcast_to(_argmax_colour(onehot.sum(axis=1))[None, :], (h, w))
    nb_major = _argmax_colour(c8)
    lfi = np.where(lf != 0, lf, -1)
    rti = np.where(rt != 0, rt, -1)
    upi = np.where(up != 0, up, -1)
    dni = np.where(dn != 0, dn, -1)
    targets = [gi, *(np.full((h, w), k, dtype=np.int64) for k in range(10))]
    targets += [lfi, rti, upi, dni, frame, major[m8], minor[m8], undef + (gmost + 1), undef + (gleast + 1)]
    targets += [row_major, col_major, nb_major, gi[:, ::-1], gi[::-1], gi[::-1, ::-1]]
    targets += [gi.T, gi[::-1, ::-1].T] if h == w else [undef, undef]
    targets += xt
    tmat = np.stack([np.asarray(t, dtype=np.int64).reshape(-1) for t in targets])
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    _cache[key] = (fmat, tmat)
    return fmat, tmat


# ---------------------------------------------------------------- tree learning
# a tree: ("leaf", target, input colours seen there) or ("split", feature, value, true_branch, false_branch)
Tree = tuple


def _test(kind: str, col: np.ndarray, v: int) -> np.ndarray:
    return col >= v if kind == "o" else col == v


class _Rows:
    """The train cells of one fit, deduplicated, with every candidate test evaluated once."""

    def __init__(self, f: np.ndarray, ok: np.ndarray) -> None:
        # identical cells (same features, same consistent targets) are one weighted row: much less work
        rows = np.ascontiguousarray(np.concatenate([f.T.astype(np.int16), ok.T.astype(np.int16)], axis=1))
        keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
        _, first, wt = np.unique(keys, return_index=True, return_counts=True)
        self.f = f[:, first]
        # targets that explain no cell cannot be a leaf: dropped (they would only widen every product)
        self.targets = np.flatnonzero(ok.any(axis=1))
        self.ok = ok[self.targets][:, first]
        self.okw = self.ok * wt[None, :].astype(np.float32)
        self.wt = wt.astype(np.float32)
        tests: list[tuple[int, int]] = []
        masks: list[np.ndarray] = []
        for j, kind in enumerate(_KINDS):
            vals = np.unique(self.f[j])
            if vals.size < 2:
                continue
            use = vals[1:] if kind == "o" else vals[1:2] if kind == "b" else vals
            if use.size > _MAX_VALUES:  # a split among many values is memorising, not a rule
                continue
            for v in use.tolist():
                tests.append((j, v))
                masks.append(_test(kind, self.f[j], v))
        self.tests = tests
        self.masks = np.stack(masks) if masks else np.zeros((0, self.f.shape[1]), dtype=bool)
        self.tmf = self.masks.astype(np.float32)


def _learn(rows: _Rows, idx: np.ndarray, depth: int, work: list[int], alts: int) -> list[Tree]:
    """Up to ``alts`` trees for the rows ``idx``: one per tied best split (they must agree on test
    cells, else the fit is ambiguous)."""
    every = rows.ok[:, idx].all(axis=1)
    if every.any():
        return [("leaf", int(rows.targets[np.argmax(every)]), frozenset(np.unique(rows.f[0, idx]).tolist()))]
    work[0] -= 1
    if depth >= MAX_DEPTH or work[0] < 0 or not rows.tests:
        return []
    tm = rows.tmf[:, idx]
    okw = rows.okw[:, idx]
    inside = tm @ okw.T  # (n_tests, n_targets): cells on the true side each target explains
    outside = okw.sum(axis=1)[None, :] - inside
    score = inside.max(axis=1) + outside.max(axis=1)
    n_in = tm @ rows.wt[idx]
    score[(n_in == 0) | (n_in == rows.wt[idx].sum())] = -1.0  # the test does not split these rows
    if score.max() < 0:
        return []
    if depth == 0:  # the root's few best tests, not only the tied ones: a near miss may be the real rule
        best = np.argsort(-score, kind="stable")[: max(alts * 2, ROOT_TESTS)]
        best = best[score[best] >= 0]
    else:  # ties in feature order: the simplest first
        best = np.flatnonzero(score == score.max())[:alts]
    found: list[Tree] = []
    for k in best.tolist():
        j, v = rows.tests[k]
        m = rows.masks[k, idx]
        ts = _learn(rows, idx[m], depth + 1, work, alts)
        es = _learn(rows, idx[~m], depth + 1, work, alts) if ts else []
        for t in ts:
            for e in es:
                tree = ("split", j, v, t, e)
                if _n_leaves(tree) <= MAX_LEAVES and len(found) < alts:
                    found.append(tree)
    if depth == 0 and found:  # the simplest trees only (fewest leaves, then the best root test)
        fewest = min(_n_leaves(t) for t in found)
        found = [t for t in found if _n_leaves(t) == fewest]
    return found


def _apply(
    tree: Tree, f: np.ndarray, tg: np.ndarray, known: frozenset[int] = frozenset()
) -> np.ndarray | None:
    """Predicted colours of cells (features ``f``, targets ``tg``); None when a leaf is undefined at a cell or
    a leaf other than "keep" meets an input colour of ``known`` (the train input colours) it never saw on
    train: the other leaves say that colour behaves differently (a colour new to the task may pass; keeping a
    colour changes nothing, and which colours reached a keep leaf on train is often happenstance)."""
    out = np.full(f.shape[1], -1, dtype=np.int64)
    stack: list[tuple[Tree, np.ndarray]] = [(tree, np.arange(f.shape[1]))]
    while stack:
        node, idx = stack.pop()
        if idx.size == 0:
            continue
        if node[0] == "leaf":
            vals = tg[node[1], idx]
            if (vals < 0).any():
                return None
            if known and node[1] != 0 and not (set(np.unique(f[0, idx]).tolist()) & known) <= node[2]:
                return None  # a train colour this leaf never saw there: the other leaves say it differs
            out[idx] = vals
            continue
        _, j, v, t, e = node
        m = _test(_KINDS[j], f[j, idx], v)
        stack += [(t, idx[m]), (e, idx[~m])]
    return out


def _fit_tree(banks: list[tuple[np.ndarray, np.ndarray]], outs: list[np.ndarray], alts: int) -> list[Tree]:
    f = np.concatenate([b[0] for b in banks], axis=1)
    ok = np.concatenate([b[1] == o[None, :] for b, o in zip(banks, outs, strict=True)], axis=1)
    rows = _Rows(f, ok)
    return _learn(rows, np.arange(rows.f.shape[1]), 0, [MAX_WORK], alts)


def _leaves_needed(ok: np.ndarray) -> bool:
    """True when the cells need more than ``MAX_LEAVES`` leaves: cells whose sets of consistent targets are
    pairwise disjoint each need a leaf of their own (a cheap lower bound, found greedily)."""
    pats = np.unique(np.packbits(ok, axis=0).T, axis=0)
    bits = np.unpackbits(pats, axis=1)[:, : ok.shape[0]].astype(bool)
    used = np.zeros(ok.shape[0], dtype=bool)
    need = 0
    for row in bits[np.argsort(bits.sum(axis=1), kind="stable")]:
        if not (row & used).any():
            used |= row
            need += 1
            if need > MAX_LEAVES:
                return True
    return False


def _n_leaves(tree: Tree) -> int:
    return 1 if tree[0] == "leaf" else _n_leaves(tree[3]) + _n_leaves(tree[4])


def fit_cell_tree(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Output cell = a small decision tree over input cell features, leaves literal or relative colours."""
    if len(inputs) < 2 or any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    if all(np.array_equal(a, b) for a, b in zip(inputs, outputs, strict=True)):
        return None
    # the features read colour 0 as background: a task on another background is learned with it swapped to 0
    counts = np.bincount(np.concatenate([a.ravel() for a in inputs]), minlength=10)
    bgc = int(np.argmax(counts))
    if 2 * counts[bgc] <= counts.sum():  # no colour covers most cells: no background to swap
        bgc = 0
    if bgc != 0:
        perm = np.arange(10, dtype=np.uint8)
        perm[0], perm[bgc] = bgc, 0
        inputs = [perm[a] for a in inputs]
        outputs = [perm[b] for b in outputs]
        tests = [perm[t] for t in tests]
    banks = [_grid_banks(a) for a in inputs]
    outs = [b.ravel().astype(np.int64) for b in outputs]
    if _leaves_needed(np.concatenate([b[1] == o[None, :] for b, o in zip(banks, outs, strict=True)], axis=1)):
        return None
    # one tree first (most tasks end here, cheaply), the alternatives only for a task that has one
    first = _fit_tree(banks, outs, 1)
    if not first or first[0][0] == "leaf":
        return None
    known = frozenset(np.unique(np.concatenate([b[0][0] for b in banks])).tolist())
    # generalisation within train: learned without a pair, the tree must reproduce that pair
    for i in range(len(inputs)):
        subs = _fit_tree(banks[:i] + banks[i + 1 :], outs[:i] + outs[i + 1 :], 1)
        if not subs:
            return None
        held = frozenset(np.unique(np.concatenate([b[0][0] for j, b in enumerate(banks) if j != i])).tolist())
        pred = _apply(subs[0], banks[i][0], banks[i][1], held)
        if pred is None or not np.array_equal(pred, outs[i]):
            return None
    trees = [first[0], *_fit_tree(banks, outs, ALTERNATIVES)]
    tree = trees[0]
    # the alternative trees defined on the test inputs all agree (one refusing a cell is no disagreement)
    for t in tests:
        preds = [_apply(alt, *_grid_banks(t), known) for alt in trees]
        base = preds[0]
        if base is None or any(p is not None and not np.array_equal(p, base) for p in preds):
            return None

    def predict(g: Grid) -> Grid | None:
        if bgc != 0:
            g = perm[g]
        pred = _apply(tree, *_grid_banks(g), known)
        if pred is None:
            return None
        out = pred.astype(np.uint8).reshape(g.shape)
        return perm[out] if bgc != 0 else out

    return predict


fit_cell_tree.max_states = STATES_PER_SEARCH  # type: ignore[attr-defined]

CELLTREE_LEARNERS: list[tuple[str, Learner]] = [("cell_tree", fit_cell_tree)]
