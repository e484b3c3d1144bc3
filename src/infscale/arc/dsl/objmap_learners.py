"""Object-map learners: each object of the input is rewritten in place by an action chosen by a learned
predicate over object features.

One generic family instead of many narrow ones. Objects are read under several readings (8/4-connected,
one colour or any colour, background 0 or the majority colour). Each object has four *channels* of cells
it may rewrite: its body (the object's cells), its holes (enclosed background cells), the rest of its
bounding box, and the ring of background cells around the box; when some change lies beyond every
object's grown box, also eight *ray* channels: the background cells from the object straight up / down /
left / right and diagonally out from its box corners, each up to the first non-background cell or the
edge. Per channel and object the learner lists every action that reproduces the output there: keep, paint
the cells one colour (a constant, or a colour taken from the scene: the background, the object's own
colour, the unique-colour / largest / smallest object, the nearest or the enclosing object, the touching
colour, the object's minority colour, the colour of the other objects of its shape), paint only the
outline or the interior, swap the object's two colours, mirror a symmetric object. It then looks, per channel, for the
simplest rule giving each object one of its actions: one action for all objects, else two actions split
by one feature test (a boolean such as largest / unique shape / touches the border / has holes, or a
feature == or >= a value), else a colour per value of one feature (a lookup table), else a conjunction of
two tests. Features: colour, size, height, width, box area, filled box, holes, touches border, colours,
symmetry, shape and colour frequency, size rank, extreme positions, adjacent to / inside / holding another
object. Each rule is checked leave-one-pair-out (its actions and table entries refitted without a pair must
explain that pair), so an action or a table entry seen in one pair only is refused, and the full rewrite
must reproduce every train pair (cells outside all channels unchanged). A channel other than the body that
another object's ray crosses may have no action: with rays such a channel is dropped, not the reading.
A rule testing "shape == s" refuses test objects of a shape no train pair shows, and rays are refused
when every background cell changes in every pair (a background recolouring).

Cheap refusals come first, since the search fits it at every root and on 40 depth-1 states: shape change,
no change, no objects or more than 30, a change far from every object that no ray can reach (a walk from
the cell back to some box over cells all turned its colour), and a vectorised test that every changed
object either becomes one colour or has a body action; per channel, features are computed only after
every object of every pair has some action, and not at all when one action fits all objects; the body's
rule is fitted before any ray is looked at.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import Any, cast

import numpy as np

from .learners import Learner
from .object_learners import _has_mark
from .objects import Obj, _label, background, objects
from .primitives import Grid

Predictor = Callable[[Grid], Grid | None]

_MAX_OBJECTS = 30
# (8-connected, multicolour, majority colour as background), simplest first
# (4-connected multicolour and multicolour on a coloured background never paid on the dev sets: dropped for speed)
_READINGS = (
    (True, False, False),
    (False, False, False),
    (True, True, False),
    (True, False, True),
    (False, False, True),
)
_CHANNELS = ("body", "holes", "boxbg", "ring")
# Ray channels, tried only when some change lies outside every object's grown box: the background cells
# from the object's cells straight up / down / left / right ("s*") and diagonally out from the box corners
# ("e*"), each up to the first non-background cell or the grid edge. (Rays crossing other objects never
# fitted a dev task that stopping rays do not: dropped for speed.) Directions as (dy, dx).
_DIAGS = {"ul": (-1, -1), "ur": (-1, 1), "dl": (1, -1), "dr": (1, 1)}
_RAYS = ("su", "sd", "sl", "sr", "eul", "eur", "edl", "edr")
# boolean features, simplest first (an atom "is true")
_BOOLS = (
    "largest",
    "smallest",
    "unique_shape",
    "common_shape",
    "unique_colour",
    "touches_border",
    "filled_box",
    "has_hole",
    "single",
    "multicolour",
    "sym_h",
    "sym_v",
    "square",
    "topmost",
    "bottommost",
    "leftmost",
    "rightmost",
    "adjacent",
    "inside",
    "contains",
)
# numeric features: atoms "== v" and ">= v"; "colour" and "shape" only "=="
_NUMS = (
    "size",
    "height",
    "width",
    "holes",
    "area",
    "ncolours",
    "shape_count",
    "colour_count",
    "size_rank",
    "size_rank_desc",
)
_EQ_ONLY = ("colour", "shape")
# colour sources: a paint colour can be read from the scene instead of being a constant
_SOURCES = (
    "bg",
    "own",
    "unique_colour_obj",
    "largest_obj",
    "smallest_obj",
    "minority",
    "touching",
    "nearest",
    "container",
    "same_shape",
)

Option = tuple[Hashable, ...]
Atom = tuple[str, str, Hashable]


# ---------------------------------------------------------------- per-object geometry
@functools.lru_cache(maxsize=4096)
def _geometry(key: bytes, h: int, w: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(holes, outline, interior) masks of an object's box mask: holes = non-object cells not 4-connected to
    the box border, outline = object cells with a 4-neighbour outside the object (or on the box edge); and
    the number of holes."""
    m = np.frombuffer(key, dtype=bool).reshape(h, w)
    holes = np.zeros((h, w), dtype=bool)
    n = 0
    if h >= 3 and w >= 3 and not m.all():
        inv = (~m).astype(np.uint8)
        for r in objects(inv, 0, False, False):
            if r.r0 > 0 and r.c0 > 0 and r.r1 < h and r.c1 < w:
                holes[r.r0 : r.r1, r.c0 : r.c1] |= r.mask
                n += 1
    p = np.pad(m, 1, constant_values=False)
    inner = p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
    interior = m & inner
    return holes, m & ~inner, interior, n


def _geo(o: Obj) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    return _geometry(o.mask.tobytes(), o.shape[0], o.shape[1])


def _channel_cells(g: Grid, o: Obj, bg: int, ch: str) -> tuple[np.ndarray, np.ndarray]:
    """Global (rows, cols) of the cells of channel ``ch`` of object ``o`` (holes / box / ring: only
    background cells)."""
    if ch == "body":
        ys, xs = np.nonzero(o.mask)
        return ys + o.r0, xs + o.c0
    if ch in _RAY_SET:
        return _ray_cells(g, o, bg, ch)
    if ch in ("holes", "boxbg"):
        holes = _geo(o)[0]
        box = g[o.r0 : o.r1, o.c0 : o.c1] == bg
        sel = box & holes if ch == "holes" else box & ~holes & ~o.mask
        ys, xs = np.nonzero(sel)
        return ys + o.r0, xs + o.c0
    h, w = g.shape
    r0, c0, r1, c1 = max(o.r0 - 1, 0), max(o.c0 - 1, 0), min(o.r1 + 1, h), min(o.c1 + 1, w)
    sel = g[r0:r1, c0:c1] == bg
    sel[o.r0 - r0 : o.r0 - r0 + o.shape[0], o.c0 - c0 : o.c0 - c0 + o.shape[1]] = False
    ys, xs = np.nonzero(sel)
    return ys + r0, xs + c0


_RAY_SET = frozenset(_RAYS)


def _ray_cells(g: Grid, o: Obj, bg: int, ch: str) -> tuple[np.ndarray, np.ndarray]:
    """Cells of ray channel ``ch`` (see ``_RAYS``): background cells up to the first other cell."""
    h, w = g.shape
    if ch[0] == "e":
        dy, dx = _DIAGS[ch[1:]]
        y, x = (o.r0 - 1 if dy < 0 else o.r1), (o.c0 - 1 if dx < 0 else o.c1)
        n = min(y + 1 if dy < 0 else h - y, x + 1 if dx < 0 else w - x)
        if n <= 0:
            return _EMPTY, _EMPTY
        k = np.arange(n)
        ys, xs = y + dy * k, x + dx * k
        free = g[ys, xs] == bg
        cut = n if free.all() else int(np.argmin(free))
        return ys[:cut], xs[:cut]
    # straight rays: view the grid (and the object) so that the ray points up; then per column of the box
    # the cells above the object's topmost cell there, up to the first non-background cell
    d = ch[1]
    if d == "u":
        gv, m, r0, r1, c0, c1 = g, o.mask, o.r0, o.r1, o.c0, o.c1
    elif d == "d":
        gv, m, r0, r1, c0, c1 = g[::-1], o.mask[::-1], h - o.r1, h - o.r0, o.c0, o.c1
    elif d == "l":
        gv, m, r0, r1, c0, c1 = g.T, o.mask.T, o.c0, o.c1, o.r0, o.r1
    else:
        gv, m, r0, r1, c0, c1 = g.T[::-1], o.mask.T[::-1], w - o.c1, w - o.c0, o.r0, o.r1
    if r0 == 0 and m[0].all():
        return _EMPTY, _EMPTY
    sub = gv[:r1, c0:c1]
    rows = np.arange(r1)[:, None]
    above = rows < (r0 + np.argmax(m, axis=0))[None, :]
    last = np.where(above & (sub != bg), rows, -1).max(axis=0)
    iy, ix = np.nonzero(above & (rows > last[None, :]))
    ix = ix + c0
    if d == "u":
        return iy, ix
    if d == "d":
        return h - 1 - iy, ix
    if d == "l":
        return ix, iy
    return ix, w - 1 - iy


_EMPTY = np.zeros(0, dtype=np.int64)


# ---------------------------------------------------------------- scene: features and colour sources
def _touching(g: Grid, o: Obj, bg: int) -> int | None:
    """The most common colour (not the background, not the object's own) 8-adjacent to the object."""
    h, w = g.shape
    bh, bw = o.shape
    p = np.zeros((bh + 4, bw + 4), dtype=bool)
    p[2:-2, 2:-2] = o.mask
    near = np.zeros((bh + 2, bw + 2), dtype=bool)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            near |= p[dy : dy + bh + 2, dx : dx + bw + 2]
    near &= ~p[1:-1, 1:-1]
    # the grown box, clipped to the grid
    y0, x0 = o.r0 - 1, o.c0 - 1
    cy0, cx0, cy1, cx1 = max(y0, 0), max(x0, 0), min(o.r1 + 1, h), min(o.c1 + 1, w)
    vals = g[cy0:cy1, cx0:cx1][near[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]]
    vals = vals[(vals != bg) & (vals != o.colour)]
    if not vals.size:
        return None
    cnt = np.bincount(vals, minlength=10)
    top = cnt.max()
    return int(cnt.argmax()) if (cnt == top).sum() == 1 else None


def _touching_all(g: Grid, bg: int, diag: bool, multi: bool, cols: np.ndarray) -> list[int | None]:
    """``_touching`` of every object at once (same result): the (object, cell) pairs of non-background
    cells 8-adjacent to an object and outside it, counted once per cell, by colour."""
    lab, n = _label(g, bg, diag, multi)  # numbered like ``objects``
    h, w = g.shape
    pl = np.full((h + 2, w + 2), -1, dtype=np.int64)
    pl[1:-1, 1:-1] = lab
    owners, cells = [], []
    idx = np.arange(h * w).reshape(h, w)
    pi = np.full((h + 2, w + 2), -1, dtype=np.int64)
    pi[1:-1, 1:-1] = idx
    pg = np.full((h + 2, w + 2), bg, dtype=np.int64)
    pg[1:-1, 1:-1] = g
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy == dx == 0:
                continue
            nl = pl[1 + dy : h + 1 + dy, 1 + dx : w + 1 + dx]
            nc = pg[1 + dy : h + 1 + dy, 1 + dx : w + 1 + dx]
            sel = (lab >= 0) & (nl != lab) & (nc != bg)
            owners.append(lab[sel].astype(np.int64))
            cells.append(pi[1 + dy : h + 1 + dy, 1 + dx : w + 1 + dx][sel])
    own = np.concatenate(owners)
    cell = np.concatenate(cells)
    colour = g.reshape(-1)[cell].astype(np.int64)
    keep = colour != cols[own]
    pair = np.unique(own[keep] * (h * w) + cell[keep])
    cnt = np.bincount((pair // (h * w)) * 10 + g.reshape(-1)[pair % (h * w)], minlength=n * 10).reshape(n, 10)
    top = cnt.max(axis=1)
    arg = cnt.argmax(axis=1)
    uniq = (cnt == top[:, None]).sum(axis=1) == 1
    return [
        int(a) if t > 0 and u else None
        for a, t, u in zip(arg.tolist(), top.tolist(), uniq.tolist(), strict=True)
    ]


class _Scene:
    """Objects of a grid under one reading, with their feature table and colour sources."""

    def __init__(self, g: Grid, diag: bool, multi: bool, bg_major: bool) -> None:
        self.g = g
        self.bg = background(g) if bg_major else 0
        self.objs = objects(g, self.bg, diag, multi)
        self.diag, self.multi = diag, multi
        self._feats: list[dict[str, Hashable]] | None = None
        self._srcs: list[dict[str, int | None]] | None = None

    @property
    def feats(self) -> list[dict[str, Hashable]]:
        if self._feats is None:
            self._feats = self._features()
        return self._feats

    @property
    def srcs(self) -> list[dict[str, int | None]]:
        if self._srcs is None:
            self._srcs = self._sources()
        return self._srcs

    def _features(self) -> list[dict[str, Hashable]]:
        g, objs = self.g, self.objs
        h, w = g.shape
        shapes = [bytes(o.shape) + o.mask.tobytes() for o in objs]
        scount = Counter(shapes)
        ccount = Counter(o.colour for o in objs)
        sizes = sorted({o.size for o in objs})
        top_shape = scount.most_common(2)
        common = (
            top_shape[0][0]
            if top_shape[0][1] >= 2 and (len(top_shape) < 2 or top_shape[1][1] < top_shape[0][1])
            else None
        )
        r0s = [o.r0 for o in objs]
        r1s = [o.r1 for o in objs]
        c0s = [o.c0 for o in objs]
        c1s = [o.c1 for o in objs]
        srcs = self.srcs
        holders = {s["container_id"] for s in srcs}
        out: list[dict[str, Hashable]] = []
        for j, (o, sk) in enumerate(zip(objs, shapes, strict=True)):
            nh = _geo(o)[3]
            vals = o.patch[o.mask]
            ncol = int(np.unique(vals).size)
            m = o.mask
            out.append(
                {
                    "colour": o.colour,
                    "shape": sk,
                    "size": o.size,
                    "height": o.shape[0],
                    "width": o.shape[1],
                    "area": o.shape[0] * o.shape[1],
                    "holes": nh,
                    "ncolours": ncol,
                    "shape_count": scount[sk],
                    "colour_count": ccount[o.colour],
                    "size_rank": sizes.index(o.size),
                    "size_rank_desc": len(sizes) - 1 - sizes.index(o.size),
                    "largest": len(sizes) > 1 and o.size == sizes[-1],
                    "smallest": len(sizes) > 1 and o.size == sizes[0],
                    "unique_shape": scount[sk] == 1 and len(scount) > 1,
                    "common_shape": sk == common,
                    "unique_colour": ccount[o.colour] == 1 and len(ccount) > 1,
                    "touches_border": o.r0 == 0 or o.c0 == 0 or o.r1 == h or o.c1 == w,
                    "filled_box": o.size == o.shape[0] * o.shape[1],
                    "has_hole": nh > 0,
                    "single": o.size == 1,
                    "multicolour": ncol > 1,
                    "sym_h": bool(
                        np.array_equal(o.patch, o.patch[:, ::-1]) and np.array_equal(m, m[:, ::-1])
                    ),
                    "sym_v": bool(np.array_equal(o.patch, o.patch[::-1]) and np.array_equal(m, m[::-1])),
                    "square": o.shape[0] == o.shape[1],
                    "topmost": o.r0 == min(r0s),
                    "bottommost": o.r1 == max(r1s),
                    "leftmost": o.c0 == min(c0s),
                    "rightmost": o.c1 == max(c1s),
                    "adjacent": srcs[j]["touching"] is not None,
                    "inside": srcs[j]["container"] is not None,
                    "contains": j in holders,
                }
            )
        return out

    def _sources(self) -> list[dict[str, int | None]]:
        g, objs, bg = self.g, self.objs, self.bg
        ccount = Counter(o.colour for o in objs)
        uniq = [c for c, n in ccount.items() if n == 1]
        unique_colour = uniq[0] if len(uniq) == 1 and len(ccount) > 1 else None
        sizes = [o.size for o in objs]
        big, small = max(sizes), min(sizes)
        largest = objs[sizes.index(big)].colour if sizes.count(big) == 1 else None
        smallest = objs[sizes.index(small)].colour if sizes.count(small) == 1 else None
        n = len(objs)
        box = np.array([(o.r0, o.c0, o.r1, o.c1) for o in objs], dtype=np.int64).reshape(n, 4)
        r0, c0, r1, c1 = box[:, 0], box[:, 1], box[:, 2], box[:, 3]
        dy = np.maximum(np.maximum(r0[:, None] - r1[None, :] + 1, r0[None, :] - r1[:, None] + 1), 0)
        dx = np.maximum(np.maximum(c0[:, None] - c1[None, :] + 1, c0[None, :] - c1[:, None] + 1), 0)
        gaps = np.maximum(dy, dx)
        cols = np.array([o.colour for o in objs])
        szs = np.array(sizes)
        areas = (r1 - r0) * (c1 - c0)
        # holds[j, i]: object j's box holds object i's box and j is bigger
        holds = (
            (r0[:, None] <= r0[None, :])
            & (c0[:, None] <= c0[None, :])
            & (r1[:, None] >= r1[None, :])
            & (c1[:, None] >= c1[None, :])
            & (szs[:, None] > szs[None, :])
        )
        # same_shape: the one colour of the other objects with this object's shape (not its own colour)
        shape_cols: dict[bytes, set[int]] = {}
        keys = [bytes(o.shape) + o.mask.tobytes() for o in objs]
        for k, o in zip(keys, objs, strict=True):
            shape_cols.setdefault(k, set()).add(o.colour)
        touch = _touching_all(g, bg, self.diag, self.multi, cols)
        out: list[dict[str, int | None]] = []
        for i, o in enumerate(objs):
            others = shape_cols[keys[i]] - {o.colour}
            cnt = np.bincount(o.patch[o.mask], minlength=10)
            present = np.nonzero(cnt)[0]
            minority = None
            if present.size == 2:
                minority = (
                    int(present[np.argmin(cnt[present])]) if cnt[present[0]] != cnt[present[1]] else None
                )
            # nearest other object (by box gap, one colour among the nearest) and the smallest object whose
            # box holds this one
            near = None
            if n > 1:
                gi = gaps[i].copy()
                gi[i] = 10**6
                near_cols = set(cols[gi == gi.min()].tolist())
                near = near_cols.pop() if len(near_cols) == 1 else None
            cont, cid = None, None
            hold = np.nonzero(holds[:, i])[0]
            if hold.size:
                cid = int(hold[np.argmin(areas[hold])])
                cont = objs[cid].colour
            out.append(
                {
                    "bg": bg,
                    "own": o.colour,
                    "same_shape": others.pop() if len(others) == 1 else None,
                    "unique_colour_obj": unique_colour,
                    "largest_obj": largest,
                    "smallest_obj": smallest,
                    "minority": minority,
                    "touching": touch[i],
                    "nearest": near,
                    "container": cont,
                    "container_id": cid,
                }
            )
        return out


# ---------------------------------------------------------------- the actions that explain one object
_KEEP: Option = ("keep",)
_FLIPS: tuple[Callable[[np.ndarray], np.ndarray], ...] = (
    lambda x: x[:, ::-1],
    lambda x: x[::-1],
    lambda x: x[::-1, ::-1],
)


def _raw_options(sc: _Scene, i: int, b: Grid, ch: str) -> list[Option] | None:
    """Every action of channel ``ch`` that reproduces output ``b`` on object ``i``'s cells of that channel,
    paint colours still as observed values; None when the channel has no cells (any action fits)."""
    o, g = sc.objs[i], sc.g
    ys, xs = _channel_cells(g, o, sc.bg, ch)
    if not ys.size:
        return None
    got, want = g[ys, xs], b[ys, xs]
    opts: list[Option] = []
    same = bool((got == want).all())
    if same:
        opts.append(_KEEP)
    if (want == want[0]).all():
        opts.append(("paint", int(want[0])))
    if ch != "body" or same:
        return opts
    box_out = b[o.r0 : o.r1, o.c0 : o.c1]
    box_in = g[o.r0 : o.r1, o.c0 : o.c1]
    _, outline, interior, _ = _geo(o)
    if interior.any():
        for kind, paint, kept in (("outline", outline, interior), ("interior", interior, outline)):
            w = box_out[paint]
            if (
                (w == w[0]).all()
                and np.array_equal(box_out[kept], box_in[kept])
                and (w != box_in[paint]).any()
            ):
                opts.append((kind, int(w[0])))
    present = np.unique(got)
    if present.size == 2:
        sw = np.where(got == present[0], present[1], present[0])
        if np.array_equal(sw, want):
            opts.append(("swap",))
    m = o.mask
    for k, f in enumerate(_FLIPS):
        if np.array_equal(f(m), m) and np.array_equal(f(o.patch)[m], box_out[m]):
            opts.append(("flip", k))
    return opts


def _expand(raw: list[Option], src: dict[str, int | None]) -> frozenset[Option]:
    """Raw options with each observed paint colour read as a constant or as every scene source giving it."""
    out: list[Option] = []
    for opt in raw:
        if len(opt) == 2 and opt[0] in ("paint", "outline", "interior"):
            c = opt[1]
            out.append((opt[0], "const", c))
            out += [(opt[0], "src", n) for n in _SOURCES if src[n] == c]
        else:
            out.append(opt)
    return frozenset(out)


def _colour(opt: Option, src: dict[str, int | None]) -> int | None:
    if opt[1] == "const":
        return int(opt[2])  # type: ignore[call-overload]
    return src[opt[2]]  # type: ignore[index]


def _apply(out: Grid, sc: _Scene, i: int, ch: str, opt: Option) -> bool:
    """Write action ``opt`` of channel ``ch`` for object ``i`` into ``out``; False when it cannot apply."""
    if opt == _KEEP:
        return True
    o = sc.objs[i]
    kind = opt[0]
    if kind == "paint":
        c = _colour(opt, sc.srcs[i])
        if c is None:
            return False
        ys, xs = _channel_cells(sc.g, o, sc.bg, ch)
        out[ys, xs] = c
        return True
    box = out[o.r0 : o.r1, o.c0 : o.c1]
    if kind in ("outline", "interior"):
        c = _colour(opt, sc.srcs[i])
        if c is None:
            return False
        _, outline, interior, _ = _geo(o)
        box[outline if kind == "outline" else interior] = c
        return True
    if kind == "swap":
        vals = o.patch[o.mask]
        present = np.unique(vals)
        if present.size != 2:
            return False
        box[o.mask] = np.where(vals == present[0], present[1], present[0])
        return True
    if kind == "flip":
        f = _FLIPS[int(opt[1])]  # type: ignore[call-overload]
        if not np.array_equal(f(o.mask), o.mask):
            return False
        box[o.mask] = f(o.patch)[o.mask]
        return True
    return False


# ---------------------------------------------------------------- rules: which object takes which action
def _holds(f: dict[str, Hashable], atom: Atom) -> bool:
    name, op, v = atom
    x = f[name]
    if op == "is":
        return bool(x)
    if op == "==":
        return x == v
    return x >= v  # type: ignore[operator,no-any-return]


def _atoms(feats: Sequence[dict[str, Hashable]]) -> list[Atom]:
    atoms: list[Atom] = [(n, "is", True) for n in _BOOLS]
    for n in _EQ_ONLY[:1] + _NUMS + _EQ_ONLY[1:]:
        vs = sorted({f[n] for f in feats}, key=lambda v: (isinstance(v, bytes), v))  # type: ignore[arg-type,return-value]
        atoms += [(n, "==", v) for v in vs]
        if n not in _EQ_ONLY:
            atoms += [(n, ">=", v) for v in vs[1:]]
    return atoms


def _atom_masks(feats: Sequence[dict[str, Hashable]], atoms: Sequence[Atom]) -> list[int]:
    """For each atom the bit set of the samples it holds for (one pass per feature, not per atom)."""
    eq: dict[str, dict[Hashable, int]] = {}
    for name in {a[0] for a in atoms}:
        col: dict[Hashable, int] = {}
        for k, f in enumerate(feats):
            v = f[name]
            col[v] = col.get(v, 0) | (1 << k)
        eq[name] = col
    ge: dict[str, dict[Hashable, int]] = {}
    out: list[int] = []
    for name, op, v in atoms:
        col = eq[name]
        if op == "is":
            acc = 0
            for u, m in col.items():
                if u:
                    acc |= m
            out.append(acc)
        elif op == "==":
            out.append(col.get(v, 0))
        else:
            if name not in ge:
                acc, g = 0, {}
                for u in sorted(col, reverse=True):  # type: ignore[type-var]
                    acc |= col[u]
                    g[u] = acc
                ge[name] = g
            out.append(ge[name].get(v, 0))
    return out


def _rank(opt: Option) -> tuple[int, int]:
    """Preference among actions that all fit: keep, constant colours, then colours read from the scene."""
    if opt == _KEEP:
        return (0, 0)
    order = ("paint", "outline", "interior", "swap", "flip")
    kind = order.index(str(opt[0]))
    if len(opt) == 3 and opt[1] == "src":
        return (2 + kind, _SOURCES.index(str(opt[2])))
    return (1 + kind, 0)


def _best(sets: Sequence[frozenset[Option]], key: Callable[[Option], Any] = _rank) -> Option | None:
    common = frozenset.intersection(*sets)
    return min(common, key=key) if common else None


Rule = tuple[str, object, object, object]  # (form, test, action if true / table, action if false)


def _select(
    samples: Sequence[tuple[dict[str, Hashable], frozenset[Option]]], atoms: Sequence[Atom]
) -> list[Rule]:
    """Candidate rules explaining every sample, simplest first (at most a few)."""
    sets = [s for _, s in samples]
    if all(_KEEP in s for s in sets):
        return [("all", None, _KEEP, None)]
    one = _best(sets)
    if one is not None:
        return [("all", None, one, None)]
    return split_rules(samples, atoms, _rank, ("colour", *_NUMS, "shape"), max_and=2)


def split_rules(
    samples: Sequence[tuple[dict[str, Hashable], frozenset[Option]]],
    atoms: Sequence[Atom],
    key: Callable[[Option], Any],
    table_features: Sequence[str],
    max_and: int,
) -> list[Rule]:
    """Rules giving each sample one of its options when no single option serves all, simplest first: a
    split by one test (at most 3), else a table over one of ``table_features``, else a split by two tests
    (at most ``max_and``); ``key`` ranks the options (simplest first). Shared with ``motion_learners``."""
    sets = [s for _, s in samples]
    feats = [f for f, _ in samples]
    n = len(sets)
    full = (1 << n) - 1
    memo: dict[int, tuple[Option, Option] | None] = {}

    def split(mask: int) -> tuple[Option, Option] | None:
        # many tests split the objects the same way: each split is judged once
        if mask in memo:
            return memo[mask]
        res = None
        if 0 < mask < full:
            ay = _best([x for k, x in enumerate(sets) if mask >> k & 1], key)
            an = _best([x for k, x in enumerate(sets) if not mask >> k & 1], key) if ay is not None else None
            if ay is not None and an is not None and ay != an:
                res = (ay, an)
        memo[mask] = res
        return res

    masks = _atom_masks(feats, atoms)
    rules: list[Rule] = []
    for a, m in zip(atoms, masks, strict=True):
        r = split(m)
        if r is not None:
            rules.append(("atom", a, r[0], r[1]))
            if len(rules) >= 3:
                return rules
    if rules:
        return rules
    # a colour per value of one feature
    for name in table_features:
        table: dict[Hashable, frozenset[Option]] = {}
        for f, s in samples:
            v = f[name]
            table[v] = table[v] & s if v in table else s
        if len(table) < 2 or any(not s for s in table.values()):
            continue
        pick = {v: min(s, key=key) for v, s in table.items()}
        if len(set(pick.values())) < 2:
            continue
        return [("table", name, pick, None)]
    # a conjunction of two tests over distinct splits (the pairs grow quadratically)
    seen: dict[int, int] = {}
    for k, m in enumerate(masks):
        if 0 < m < full:
            seen.setdefault(m, k)
    uniq = list(seen.items())
    if len(uniq) > 24 or n > 40:
        return rules
    for x in range(len(uniq)):
        for y in range(x + 1, len(uniq)):
            (mi, i), (mj, j) = uniq[x], uniq[y]
            if atoms[i][0] == atoms[j][0]:
                continue
            r = split(mi & mj)
            if r is not None:
                rules.append(("and", (atoms[i], atoms[j]), r[0], r[1]))
                if len(rules) >= max_and:
                    return rules
    return rules


def _action(rule: Rule, f: dict[str, Hashable]) -> Option | None:
    form, test, yes, no = rule
    if form == "all":
        return yes  # type: ignore[return-value]
    if form == "atom":
        return yes if _holds(f, test) else no  # type: ignore[arg-type,return-value]
    if form == "and":
        t1, t2 = cast(tuple[Atom, Atom], test)
        return yes if _holds(f, t1) and _holds(f, t2) else no  # type: ignore[return-value]
    return yes.get(f[test])  # type: ignore[attr-defined,index,no-any-return]


def _choose(sets: Sequence[frozenset[Option]], prefer: object) -> Option | None:
    """The full rule's action when these samples allow it, else their own best one (None without samples)."""
    if not sets:
        return None
    common = frozenset.intersection(*sets)
    if prefer in common:
        return prefer  # type: ignore[return-value]
    return min(common, key=_rank) if common else None


def _refit(rule: Rule, samples: Sequence[tuple[dict[str, Hashable], frozenset[Option]]]) -> Rule:
    """The same rule form (same test, same table feature) with its actions fitted on ``samples`` alone: a
    side of the test or a table value no sample shows gets no action."""
    form, test, yes, no = rule
    if form == "table":
        groups: dict[Hashable, list[frozenset[Option]]] = {}
        for f, s in samples:
            groups.setdefault(f[test], []).append(s)  # type: ignore[index]
        full = cast(dict[Hashable, Option], yes)
        return ("table", test, {v: _choose(ss, full.get(v)) for v, ss in groups.items()}, None)
    if form == "all":
        return ("all", None, _choose([s for _, s in samples], yes), None)
    probe: Rule = (form, test, True, False)
    on = [s for f, s in samples if _action(probe, f)]
    off = [s for f, s in samples if not _action(probe, f)]
    return (form, test, _choose(on, yes), _choose(off, no))


def _loo_ok(
    rule: Rule,
    samples: Sequence[tuple[dict[str, Hashable], frozenset[Option]]],
    pair_of: Sequence[int],
    n_pairs: int,
) -> bool:
    """Leave one pair out: the rule's actions (and table entries) fitted on the other pairs explain the
    held-out pair, so a table or an action seen in one pair only is refused."""
    for k in range(n_pairs):
        rest = [s for s, p in zip(samples, pair_of, strict=True) if p != k]
        held = [s for s, p in zip(samples, pair_of, strict=True) if p == k]
        if not held:
            continue
        sub = _refit(rule, rest)
        if not all(_action(sub, f) in s for f, s in held):
            return False
    return True


# ---------------------------------------------------------------- the learner
def _uses_shape(rule: Rule) -> bool:
    form, test = rule[0], rule[1]
    tests: list[Atom] = (
        [cast(Atom, test)] if form == "atom" else list(cast(tuple[Atom, Atom], test)) if form == "and" else []
    )
    return any(t[0] == "shape" for t in tests)


def _render(
    g: Grid,
    reading: tuple[bool, bool, bool],
    rules: dict[str, Rule],
    known: frozenset[Hashable] | None = None,
) -> Grid | None:
    sc = _Scene(g, *reading)
    if not sc.objs or len(sc.objs) > _MAX_OBJECTS:
        return None
    out = g.copy()
    # rules with one action for all objects need no feature table
    feats = sc.feats if any(r[0] != "all" for r in rules.values()) else [{}] * len(sc.objs)
    if known is not None and any(f["shape"] not in known for f in feats):
        return None
    for ch in (*_CHANNELS, *_RAYS):  # where channels overlap, later ones win
        rule = rules.get(ch)
        if rule is None:
            continue
        for i in range(len(sc.objs)):
            opt = _action(rule, feats[i])
            if opt is None or not _apply(out, sc, i, ch, opt):
                return None
    return out


def _bodies_possible(sc: _Scene, b: Grid, d: np.ndarray, diag: bool, multi: bool) -> bool:
    """A vectorised necessary test: every object whose cells change either becomes one colour or has a
    body action (outline, interior, swap, mirror) that explains it."""
    lab, n = _label(sc.g, sc.bg, diag, multi)  # numbered like ``objects``: one compiled pass, no Python loop
    inside = lab >= 0
    ch = d & inside
    if not ch.any():
        return True
    ids = lab[inside].astype(np.int64)
    present = np.bincount(ids * 10 + b[inside], minlength=n * 10).reshape(n, 10) > 0
    changed = np.bincount(lab[ch], minlength=n) > 0
    mixed = changed & (present.sum(axis=1) > 1)
    if not mixed.any():
        return True
    # outline / interior add one colour, swap and mirror none: more new colours in an object fit no action
    had = np.bincount(ids * 10 + sc.g[inside], minlength=n * 10).reshape(n, 10) > 0
    if ((present & ~had).sum(axis=1)[mixed] > 1).any():
        return False
    return all(_raw_options(sc, i, b, "body") for i in np.nonzero(mixed)[0].tolist())


def _covered(g: Grid, d: np.ndarray, objs: tuple[Obj, ...]) -> bool:
    """Every changed cell lies in some object's box grown by one cell (else no channel but a ray can explain
    it)."""
    h, w = g.shape
    cover = np.zeros((h, w), dtype=bool)
    for o in objs:
        cover[max(o.r0 - 1, 0) : o.r1 + 1, max(o.c0 - 1, 0) : o.c1 + 1] = True
    return not (d & ~cover).any()


_STEPS = ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))


def _rays_possible(a: Grid, b: Grid, d: np.ndarray, objs: tuple[Obj, ...], bg: int) -> bool:
    """A necessary test for rays: from every changed cell beyond all grown boxes, some straight or diagonal
    walk reaches an object's box over background cells that all turn the same colour (else no ray reaches
    it; crossings fail too, as they do in the channels). Holds for finer readings whose boxes lie inside
    these."""
    h, w = a.shape
    box = np.zeros((h, w), dtype=bool)
    grown = np.zeros((h, w), dtype=bool)
    for o in objs:
        box[o.r0 : o.r1, o.c0 : o.c1] = True
        grown[max(o.r0 - 1, 0) : o.r1 + 1, max(o.c0 - 1, 0) : o.c1 + 1] = True
    far = d & ~grown
    on = d & (a == bg)  # cells that may lie on a ray: background in the input and changed
    if (far & ~on).any():
        return False
    ys, xs = np.nonzero(far)
    path = on.tolist()
    inb, out = box.tolist(), b.tolist()
    for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
        v = out[y][x]
        for dy, dx in _STEPS:
            yy, xx = y + dy, x + dx
            while 0 <= yy < h and 0 <= xx < w and not inb[yy][xx] and path[yy][xx] and out[yy][xx] == v:
                yy += dy
                xx += dx
            if 0 <= yy < h and 0 <= xx < w and inb[yy][xx]:
                break
        else:
            return False
    return True


def _raw_rows(
    scenes: Sequence[_Scene],
    outputs: Sequence[Grid],
    diffs: Sequence[np.ndarray],
    reading: tuple[bool, bool, bool],
    ch: str,
) -> list[tuple[int, int, list[Option]]] | None:
    """(pair, object, raw actions) of channel ``ch`` for every object with cells there; None when some
    object has no action."""
    rows: list[tuple[int, int, list[Option]]] = []
    for k, (sc, b, d) in enumerate(zip(scenes, outputs, diffs, strict=True)):
        for i, o in enumerate(sc.objs):
            if ch not in _RAY_SET and not d[max(o.r0 - 1, 0) : o.r1 + 1, max(o.c0 - 1, 0) : o.c1 + 1].any():
                # nothing changes around the object: keep, or paint what is already there
                if ch != "body":
                    rows.append((k, i, [_KEEP, ("paint", sc.bg)]))
                elif not reading[1] or bool((o.patch[o.mask] == o.colour).all()):
                    rows.append((k, i, [_KEEP, ("paint", o.colour)]))
                else:
                    rows.append((k, i, [_KEEP]))
                continue
            r = _raw_options(sc, i, b, ch)
            if r is None:
                continue
            if not r:
                return None
            rows.append((k, i, r))
    return rows


def _rule(
    scenes: Sequence[_Scene], rows: list[tuple[int, int, list[Option]]], n_pairs: int, ch: str
) -> Rule | None:
    """The simplest rule giving every object of ``rows`` one of its actions that passes the
    leave-one-pair-out check, else None."""
    sets = [_expand(r, scenes[k].srcs[i]) for k, i, r in rows]
    pair_of = [k for k, _, _ in rows]
    one = _best(sets)
    if one is not None:  # one action for all objects: no feature is needed
        nofeat: list[dict[str, Hashable]] = [{}] * len(sets)
        rule: Rule = ("all", None, one, None)
        if not _loo_ok(rule, list(zip(nofeat, sets, strict=True)), pair_of, n_pairs):
            _note(f"loo ({ch})")
            return None
        return rule
    samples = [(scenes[k].feats[i], s) for (k, i, _), s in zip(rows, sets, strict=True)]
    cands = _select(samples, _atoms([f for f, _ in samples]))
    if not cands or not _loo_ok(cands[0], samples, pair_of, n_pairs):
        _note(f"no rule ({ch})" if not cands else f"loo ({ch})")
        return None
    return cands[0]


def fit_object_map(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Each object is rewritten in place (per channel: body, holes, rest of the box, ring around the box)
    by the action a learned rule over object features gives it; see the module docstring."""
    if _has_mark(inputs) or any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    diffs = [a != b for a, b in zip(inputs, outputs, strict=True)]
    if not any(d.any() for d in diffs):
        return None
    majors = [background(a) for a in inputs]
    # on a coloured background the majority-colour readings come first (else the background is an object)
    coloured = any(m != 0 for m in majors)
    readings = (
        sorted((r for r in _READINGS if coloured or not r[2]), key=lambda r: not r[2])
        if coloured
        else _READINGS
    )
    # The 8-connected multicolour objects are the coarsest reading: if they are too many, none, or leave a
    # change uncovered, every reading with that background fails too (one labelling instead of several).
    gate: dict[bool, bool] = {}
    for major in {r[2] for r in readings}:
        gate[major] = True
        for a, b, d in zip(inputs, outputs, diffs, strict=True):
            objs = objects(a, background(a) if major else 0, True, True)
            bg = background(a) if major else 0
            if (
                not objs
                or len(objs) > _MAX_OBJECTS
                or not (_covered(a, d, objs) or _rays_possible(a, b, d, objs, bg))
            ):
                gate[major] = False
                break
    tried: set[Hashable] = set()
    for reading in readings:
        if not gate[reading[2]]:
            _note("uncovered")
            continue
        scenes = [_Scene(a, *reading) for a in inputs]
        if any(not sc.objs or len(sc.objs) > _MAX_OBJECTS for sc in scenes):
            continue
        # readings often find the same objects: each set of objects is tried once
        key = tuple((sc.bg, tuple((o.r0, o.c0, o.r1, o.c1, o.size) for o in sc.objs)) for sc in scenes)
        if key in tried:
            continue
        tried.add(key)
        # background cells that change need a holes / box / ring channel, else only bodies are looked at;
        # changes beyond every grown box need rays
        channels: tuple[str, ...] = (
            _CHANNELS
            if any((d & (a == sc.bg)).any() for a, d, sc in zip(inputs, diffs, scenes, strict=True))
            else ("body",)
        )
        rays = not all(_covered(a, d, sc.objs) for a, d, sc in zip(inputs, diffs, scenes, strict=True))
        if rays:
            # every background cell changing in every pair is a recolouring of the background, not rays
            if not all(
                _rays_possible(a, b, d, sc.objs, sc.bg)
                for a, b, d, sc in zip(inputs, outputs, diffs, scenes, strict=True)
            ) or all((d | (a != sc.bg)).all() for a, d, sc in zip(inputs, diffs, scenes, strict=True)):
                _note("uncovered")
                continue
            channels = ("body", *_RAYS, "holes", "boxbg", "ring")  # rays early: they fail most often
        if not all(
            _bodies_possible(sc, b, d, reading[0], reading[1])
            for sc, b, d in zip(scenes, outputs, diffs, strict=True)
        ):
            _note("no action (body)")
            continue
        # raw actions of every channel that must explain its objects first (cheap, no features: most states
        # fail here on some object), then the rules, the body's first, so that a body no rule explains stops
        # the reading before any ray is looked at. With rays, a channel other than the body may be crossed
        # by another object's ray: it is optional, dropped (the final check decides) when it has no action.
        raw: dict[str, list[tuple[int, int, list[Option]]]] = {}
        ok = True
        for ch in channels:
            if ch == "body" or not rays:
                rows = _raw_rows(scenes, outputs, diffs, reading, ch)
                if rows is None:
                    _note(f"no action ({ch})")
                    ok = False
                    break
                raw[ch] = rows
        rules: dict[str, Rule] = {}
        for ch in channels if ok else ():
            if ch == "holes" and rays and not any(c in rules for c in _RAYS):
                _note("no action (rays)")  # only a ray reaches the changes beyond the boxes
                ok = False
                break
            optional = rays and ch != "body"
            found = raw.get(ch) if not optional else _raw_rows(scenes, outputs, diffs, reading, ch)
            if found is None:
                _note(f"no action ({ch})")
                continue  # (only optional channels get here)
            if all(_KEEP in r for _, _, r in found):
                continue
            rule = _rule(scenes, found, len(inputs), ch)
            if rule is None:
                if optional:
                    continue
                ok = False
                break
            rules[ch] = rule
        if not ok or not rules:
            continue

        # a test "shape == s" says nothing about a shape the train pairs never show: such objects are refused
        known = (
            frozenset(f["shape"] for sc in scenes for f in sc.feats)
            if any(_uses_shape(r) for r in rules.values())
            else None
        )

        def predict(
            g: Grid,
            reading: tuple[bool, bool, bool] = reading,
            rules: dict[str, Rule] = rules,
            known: frozenset[Hashable] | None = known,
        ) -> Grid | None:
            return _render(g, reading, rules, known)

        if all(
            (p := predict(a)) is not None and np.array_equal(p, b)
            for a, b in zip(inputs, outputs, strict=True)
        ) and all(predict(t) is not None for t in tests):
            return predict
        _note("verify")
    return None


_TRACE: list[str] | None = None  # set to a list to collect why readings fail (analysis only)


def _note(why: str) -> None:
    if _TRACE is not None:
        _TRACE.append(why)


OBJMAP_LEARNERS: list[tuple[str, Learner]] = [("object_map", fit_object_map)]
