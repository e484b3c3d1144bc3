"""Motif learners: motifs completed or repeated from the markers that show them, and drawing from objects.

Same contract as :mod:`.learners`: ``fit(train_in, train_out, test_in) -> Predictor | None``, a predictor
only when it reproduces every train pair exactly and applies to every test input. Every learner refuses
early (shape change, no template, too many cells, a change it cannot make) so it stays cheap on the
search's intermediate states.

- :func:`fit_template_complete`: the largest multicoloured object(s) of a grid are templates; every other
  group of cells that shows part of a template (rotated or mirrored, scaled by 1-4, cells of one template
  colour possibly recoloured) is completed to the whole template; the templates used stay or move
  (are erased), and cells no template explains stay or are cleaned away as noise.
- :func:`fit_marker_motif`: lone marker cells each emit a motif repeated with a fixed period up to the
  edge (optionally also turned 180 degrees): a zigzag, a staircase, a comb.
- :func:`fit_shape_match_recolour`: objects of the colours that change take the colour of the other
  object (or the boxed one) with the same shape.
- :func:`fit_pointer_rays`: the key cells of two-coloured objects (or the notch a shape's box lacks)
  point away from (or towards) the object's centre: a ray, or the object repeated, runs from them to the
  edge.
- :func:`fit_centre_lines`: a line of a new colour runs across the grid through every object's centre
  (or only its cell on one edge of the grid).
- :func:`fit_move_by_extent`: every object moves in one direction by its own height / width (or twice it).
- :func:`fit_hole_lines`: hole cells inside one-coloured bands grow into lines across their band.
- :func:`fit_mirror_side`: a two-coloured object is mirrored across the side its key cells mark.
- :func:`fit_meet_halfway`: two lone cells in a row / column draw lines of their colours to meet halfway.
- :func:`fit_marker_stamp`: the largest multicoloured object is copied centred on every marker cell.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from .learners import Learner
from .object_learners import _has_mark, _verify
from .objects import Obj, background, objects
from .primitives import Grid
from .rule_learners import _canon

Predictor = Callable[[Grid], Grid | None]

_MAX_TEMPLATE_CELLS = 40
_MAX_LOOSE_CELLS = 150
_MAX_SCALE = 4
_MAX_TEMPLATES = 6
_MAX_PLACEMENTS = 600
_ANY = -2  # template "main colour" meaning: every colour may be recoloured in a copy

# ---------------------------------------------------------------- template completion
# One template variant: (height, width, cells as (row, col, colour), holes of its box as (row, col)).
_Variant = tuple[int, int, tuple[tuple[int, int, int], ...], tuple[tuple[int, int], ...]]


def _variants(patch: np.ndarray, mask: np.ndarray) -> list[_Variant]:
    """The distinct images of a template under the 8 rotations / mirrors, identity first."""
    seen: set[bytes] = set()
    out: list[_Variant] = []
    for k in range(8):
        p, m = np.rot90(patch, k % 4), np.rot90(mask, k % 4)
        if k >= 4:
            p, m = p[:, ::-1], m[:, ::-1]
        key = bytes(p.shape) + np.where(m, p, 255).astype(np.uint8).tobytes()
        if key in seen:
            continue
        seen.add(key)
        ys, xs = np.nonzero(m)
        cells = tuple((int(y), int(x), int(p[y, x])) for y, x in zip(ys, xs, strict=True))
        holes = tuple((int(y), int(x)) for y, x in zip(*np.nonzero(~m), strict=True))
        out.append((p.shape[0], p.shape[1], cells, holes))
    return out


def _run(rows: list[list[int]], loose: list[list[bool]], r: int, c: int, dy: int, dx: int) -> int:
    """How many loose cells of the colour of (r, c) follow from it in direction (dy, dx), itself included."""
    h, w, v, n = len(rows), len(rows[0]), rows[r][c], 0
    while 0 <= r < h and 0 <= c < w and loose[r][c] and rows[r][c] == v:
        n, r, c = n + 1, r + dy, c + dx
    return n


def _place(
    rows: list[list[int]],
    loose: list[list[bool]],
    bg: int,
    var: _Variant,
    body: int,
    s: int,
    oy: int,
    ox: int,
) -> tuple[int, list[tuple[int, int, int]], list[tuple[int, int, int]]] | None:
    """Check one placement of a variant scaled by ``s`` at (oy, ox): every template cell's block is all
    background (missing) or all one loose colour (present, the template colour mapped consistently and
    one-to-one, at least one colour kept); template holes hold no loose cell. Returns (present count,
    present blocks, missing blocks painted in their mapped colours)."""
    _hh, _ww, cells, holes = var
    h, w = len(rows), len(rows[0])
    cmap: dict[int, int] = {}
    present: list[tuple[int, int, int]] = []
    missing: list[tuple[int, int, int]] = []
    for i, j, y in cells:
        r, c = oy + i * s, ox + j * s
        if s == 1:  # the common case, without block bookkeeping
            if not (0 <= r < h and 0 <= c < w) or rows[r][c] == bg:
                missing.append((r, c, y))
                continue
            if not loose[r][c]:
                return None
            first = rows[r][c]
        else:
            ya, yb, xa, xb = max(r, 0), min(r + s, h), max(c, 0), min(c + s, w)
            if ya >= yb or xa >= xb:
                missing.append((r, c, y))
                continue
            first = rows[ya][xa]
            if first != bg and (not loose[ya][xa] or (yb - ya, xb - xa) != (s, s)):
                return None
            for yy in range(ya, yb):
                row, lrow = rows[yy], loose[yy]
                for xx in range(xa, xb):
                    if row[xx] != first or (first != bg and not lrow[xx]):
                        return None
            if first == bg:
                missing.append((r, c, y))
                continue
        if cmap.setdefault(y, first) != first or (first != y and y != body and body != _ANY):
            return None
        present.append((r, c, y))
    if not present or len(set(cmap.values())) != len(cmap):
        return None
    # the copy's colours are evidenced: one kept, or (recolouring all) two seen
    if not (len(cmap) >= 2 if body == _ANY else any(k == v for k, v in cmap.items())):
        return None
    for i, j in holes:
        r, c = oy + i * s, ox + j * s
        if s == 1:
            if 0 <= r < h and 0 <= c < w and loose[r][c]:
                return None
            continue
        for yy in range(max(r, 0), min(r + s, h)):
            if any(loose[yy][max(c, 0) : max(c + s, 0)]):
                return None
    return len(present), present, [(r, c, cmap.get(y, y)) for r, c, y in missing]


def _scale(o: Obj) -> int:
    """The largest block size the object is drawn with (an object scaled up by k is made of k x k blocks)."""
    h, w = o.shape
    for k in range(min(h, w, _MAX_SCALE), 1, -1):
        if h % k or w % k:
            continue
        p = np.where(o.mask, o.patch.astype(np.int16), -1)
        small = p[::k, ::k]
        if np.array_equal(np.repeat(np.repeat(small, k, axis=0), k, axis=1), p):
            return k
    return 1


def _body(o: Obj) -> int:
    """The template's main colour (strictly most cells; -1 when none is): the one colour a copy may change."""
    counts = np.bincount(o.patch[o.mask], minlength=10)
    top = counts.max()
    return int(counts.argmax()) if (counts == top).sum() == 1 else -1


def _is_part(g: Grid, bg: int, o: Obj, variants: list[tuple[_Variant, int]]) -> bool:
    """Whether all of object ``o`` (in the grid alone) is present in one placement of a variant."""
    alone = np.full(g.shape, bg, dtype=g.dtype)
    alone[o.r0 : o.r1, o.c0 : o.c1][o.mask] = o.patch[o.mask]
    rows, loose = alone.tolist(), (alone != bg).tolist()
    r0, c0 = o.r0, o.c0 + int(np.argmax(o.mask[0]))
    x = rows[r0][c0]
    own = set(np.unique(o.patch[o.mask]).tolist())
    for var, body in variants:
        theirs = {y for _i, _j, y in var[2]}
        # cheap refusals: too big, or colours the template lacks beyond the one recoloured main colour
        if o.size > len(var[2]) or len(own - theirs) > (len(theirs) if body == _ANY else int(body >= 0)):
            continue
        for i, j, y in var[2]:
            if y != x and body not in (y, _ANY):
                continue
            got = _place(rows, loose, bg, var, body, 1, r0 - i, c0 - j)
            if got is not None and got[0] == o.size:
                return True
    return False


_Search = tuple[list[Obj], list[tuple[int, int, int, int]], set[int], np.ndarray]


@lru_cache(maxsize=512)
def _search_cached(key: bytes, h: int, w: int, recolour: bool) -> _Search | None:
    return _search(np.frombuffer(key, dtype=np.uint8).reshape(h, w), recolour)


def _complete(g: Grid, erase: bool, clean: bool = False, recolour: bool = False) -> Grid | None:
    """Complete every partial copy of the grid's templates; the used templates are erased with ``erase``,
    cells no template explains with ``clean``."""
    g = np.ascontiguousarray(g, dtype=np.uint8)
    found = _search_cached(g.tobytes(), g.shape[0], g.shape[1], recolour)
    if found is None:
        return None
    temps, paints, used, unexplained = found
    bg = background(g)
    out = g.copy()
    if clean:  # cells no template explains are noise
        out[unexplained] = bg
    if erase:  # the templates move onto their copies
        for k in used:
            t = temps[k]
            out[t.r0 : t.r1, t.c0 : t.c1][t.mask] = bg
    for r, c, s, v in paints:
        out[max(r, 0) : max(r + s, 0), max(c, 0) : max(c + s, 0)] = v
    return out


def _search(g: Grid, recolour: bool) -> _Search | None:
    """Find the templates and, raster order of their first cell, the partial copies to complete:
    (templates, blocks to paint (row, col, scale, colour), templates used, cells left unexplained)."""
    bg = background(g)
    objs = objects(g, bg, diag=True, multicolour=True)
    multi = [o for o in objs if np.unique(o.patch[o.mask]).size > 1]
    if not multi or len(multi) > 2 * _MAX_TEMPLATES:
        return None  # no template, or multicoloured noise
    multi.sort(key=lambda o: -o.size // _scale(o) ** 2)
    # recolouring every colour is far less constrained: kept to small templates and few loose cells
    if multi[0].size > (_MAX_TEMPLATE_CELLS // 3 if recolour else _MAX_TEMPLATE_CELLS):
        return None
    temps = [multi[0]]
    body_of: Callable[[Obj], int] = (lambda _o: _ANY) if recolour else _body
    known = [(v, body_of(multi[0])) for v in _variants(multi[0].patch, multi[0].mask)]
    for o in multi[1:]:
        # a smaller multicoloured object is a template unless it is part of a copy of a bigger one
        if _scale(o) == 1 and not _is_part(g, bg, o, known):
            temps.append(o)
            if len(temps) > _MAX_TEMPLATES:
                return None
            known.extend((v, body_of(o)) for v in _variants(o.patch, o.mask))
    if len(temps) > _MAX_TEMPLATES:
        return None
    loose_np = g != bg
    for t in temps:
        loose_np[t.r0 : t.r1, t.c0 : t.c1] &= ~t.mask
    if not loose_np.any() or loose_np.sum() > (_MAX_LOOSE_CELLS // 4 if recolour else _MAX_LOOSE_CELLS):
        return None
    variants = [(k, v, body_of(t)) for k, t in enumerate(temps) for v in _variants(t.patch, t.mask)]
    rows, loose = g.tolist(), loose_np.tolist()
    paints: list[tuple[int, int, int, int]] = []
    tried = 0
    used: set[int] = set()
    h, w = g.shape
    for r0 in range(h):
        for c0 in range(w):
            if not loose[r0][c0]:
                continue
            x = rows[r0][c0]
            smax = min(_MAX_SCALE, _run(rows, loose, r0, c0, 0, 1), _run(rows, loose, r0, c0, 1, 0))
            best: tuple[int, list[tuple[int, int, int]], list[tuple[int, int, int]]] | None = None
            best_key = (0, 0, 0)
            best_s, best_t, tied = 1, -1, False
            for ti, var, body in variants:
                for s in range(1, smax + 1):
                    for i, j, y in var[2]:
                        if y != x and body not in (y, _ANY):
                            continue  # this cell cannot show template cell (i, j)
                        tried += 1
                        if tried > _MAX_PLACEMENTS:
                            return None  # too many candidate copies to weigh: no clear reading
                        got = _place(rows, loose, bg, var, body, s, r0 - i * s, c0 - j * s)
                        if got is None:
                            continue
                        # most cells explained, then fewest of the template's main colour (markers are keys)
                        key = (got[0] * s * s, got[0], -sum(v == body for _r, _c, v in got[1]))
                        if best is None or key > best_key:
                            best, best_key, best_s, best_t, tied = got, key, s, ti, False
                        elif (
                            key == best_key
                            and ti != best_t
                            and (s, sorted(got[2])) != (best_s, sorted(best[2]))
                        ):
                            tied = True
            if best is None:
                continue
            if tied:
                return None  # two different completions explain the same cells equally well
            s = best_s
            used.add(best_t)
            for r, c, _y in best[1]:
                for dy in range(s):
                    loose[r + dy][c : c + s] = [False] * s
            paints.extend((r, c, s, v) for r, c, v in best[2])
    return temps, paints, used, np.array(loose, dtype=bool)


def fit_template_complete(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Partial copies of the largest multicoloured object(s) are completed (see the module docstring)."""
    if _has_mark([*inputs, *tests]) or any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    if all(np.array_equal(a, b) for a, b in zip(inputs, outputs, strict=True)):
        return None
    # completed cells take colours of the grid itself (a template's, or a copy's), never a new one
    if any(
        not set(np.unique(b).tolist()) <= set(np.unique(a).tolist())
        for a, b in zip(inputs, outputs, strict=True)
    ):
        return None
    bgs = [background(a) for a in inputs]
    # copies are painted on background cells only, and templates or noise erased to background: no cell
    # changes from one foreground colour to another
    if any(((a != b) & (a != bg) & (b != bg)).any() for a, b, bg in zip(inputs, outputs, bgs, strict=True)):
        return None
    # only background cells are painted, unless the templates move or noise is cleaned
    changes_fg = any(((a != b) & (a != bg)).any() for a, b, bg in zip(inputs, outputs, bgs, strict=True))
    modes = ((False, False), (True, False), (False, True), (True, True))[int(changes_fg) :]
    for recolour, (erase, clean) in itertools.product((False, True), modes):

        def pred(g: Grid, erase: bool = erase, clean: bool = clean, recolour: bool = recolour) -> Grid | None:
            return _complete(g, erase, clean, recolour)

        if _verify(pred, inputs, outputs, tests):
            return pred
    return None


# ---------------------------------------------------------------- periodic motif from markers
_MAX_MARKERS = 10
_MAX_PERIOD = 6
_PERIODS = sorted(
    ((dy, dx) for dy in range(-_MAX_PERIOD, _MAX_PERIOD + 1) for dx in range(-_MAX_PERIOD, _MAX_PERIOD + 1)),
    key=lambda p: (abs(p[0]) + abs(p[1]), p),
)[1:]
_OWN = -1  # motif colour code: the marker's own colour


def _lone_cells(g: Grid, bg: int) -> list[tuple[int, int, int]] | None:
    """The non-background cells, when every one is alone (no non-background 8-neighbour), else None."""
    ys, xs = np.nonzero(g != bg)
    if not 0 < ys.size <= _MAX_MARKERS:
        return None
    fg = np.pad(g != bg, 1)
    for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
        if fg[y : y + 3, x : x + 3].sum() > 1:
            return None
    return [(y, x, int(g[y, x])) for y, x in zip(ys.tolist(), xs.tolist(), strict=True)]


# per train marker: its position and colour, the grid's shape, the painted cells nearest to it (offsets dy,
# dx, colour codes, whether no other marker is as near) and all cells its pair paints
_Painted = list[
    tuple[
        tuple[int, int, int, int, int],
        np.ndarray,
        np.ndarray,
        np.ndarray,
        np.ndarray,
        dict[tuple[int, int], int],
    ]
]


def _painted(inputs: Sequence[Grid], outputs: Sequence[Grid]) -> _Painted:
    """The painted cells of every train marker (see ``_Painted``)."""
    found: _Painted = []
    for a, b in zip(inputs, outputs, strict=True):
        bg = background(a)
        yy, xx = np.indices(a.shape)
        marks = _lone_cells(a, bg) or []
        dist = np.stack([(yy - r) ** 2 + (xx - c) ** 2 for r, c, _ in marks])
        near = dist.min(axis=0)
        alone = (dist == near).sum(axis=0) == 1
        new = (b != bg) & (a == bg)
        ys, xs = np.nonzero(new)
        pair = {(y, x): v for y, x, v in zip(ys.tolist(), xs.tolist(), b[ys, xs].tolist(), strict=True)}
        for k, (r, c, col) in enumerate(marks):
            ys, xs = np.nonzero(new & (dist[k] == near))
            codes = b[ys, xs].astype(np.int64)
            codes[codes == col] = _OWN
            found.append(((r, c, col, a.shape[0], a.shape[1]), ys - r, xs - c, codes, alone[ys, xs], pair))
    return found


def _learn_motif(painted: _Painted, p: tuple[int, int]) -> dict[tuple[int, int], int] | None:
    """The motif of one period: the painted cells d (relative to their nearest marker) with
    0 <= d.p <= |p|^2, merged over every marker of the train pairs; None when two markers disagree on a
    cell, when a motif cell's next period is not painted alike, or when no marker shows the motif repeated."""
    motif: dict[tuple[int, int], int] = {}
    pp = p[0] * p[0] + p[1] * p[1]
    repeats = False
    for (r, c, col, h, w), dys, dxs, codes, alone, pair in painted:
        dot = dys * p[0] + dxs * p[1]
        # the period must be seen: a painted cell of this marker a whole period beyond the window
        repeats |= bool((np.abs(dot) > pp).any())
        sel = (dot >= 0) & (dot <= pp) & alone
        for dy, dx, code in zip(dys[sel].tolist(), dxs[sel].tolist(), codes[sel].tolist(), strict=True):
            if motif.setdefault((dy, dx), code) != code:
                return None
            y, x = r + dy + p[0], c + dx + p[1]
            if 0 <= y < h and 0 <= x < w and pair.get((y, x)) != (col if code == _OWN else code):
                return None
    return motif if motif and repeats else None


def _repeat_motif(g: Grid, motif: dict[tuple[int, int], int], p: tuple[int, int], sym: bool) -> Grid | None:
    """Paint the motif from every marker, repeated by steps of p (and turned 180 degrees with ``sym``)."""
    bg = background(g)
    marks = _lone_cells(g, bg)
    if marks is None:
        return None
    out = g.copy()
    h, w = g.shape
    for r, c, col in marks:
        for (dy, dx), code in motif.items():
            v = col if code == _OWN else code
            for sign in (1, -1) if sym else (1,):
                y, x = r + sign * dy, c + sign * dx
                while 0 <= y < h and 0 <= x < w:
                    if g[y, x] == bg:
                        out[y, x] = v
                    y, x = y + sign * p[0], x + sign * p[1]
    return out


def fit_marker_motif(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Lone marker cells each emit a motif repeated with a fixed period towards the edge (both ways,
    turned 180 degrees, when learned): the motif of one period is read off the train outputs."""
    if _has_mark([*inputs, *tests]) or any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    for a, b in zip(inputs, outputs, strict=True):
        bg = background(a)
        if _lone_cells(a, bg) is None or ((a != bg) & (b != a)).any() or not (b != a).any():
            return None
    if any(_lone_cells(t, background(t)) is None for t in tests):
        return None
    painted = _painted(inputs, outputs)
    for p in _PERIODS:
        motif = _learn_motif(painted, p)
        if motif is None:
            continue
        for sym in (False, True):

            def pred(g: Grid, motif: dict[tuple[int, int], int] = motif, p=p, sym: bool = sym) -> Grid | None:
                return _repeat_motif(g, motif, p, sym)

            if _verify(pred, inputs, outputs, tests):
                return pred
    return None


# ---------------------------------------------------------------- recolour by a matching shape
_MAX_OBJECTS = 40


def _shape_key(m: np.ndarray, turn: bool) -> bytes:
    return _canon(m) if turn else bytes(m.shape) + np.ascontiguousarray(m).tobytes()


def _outside(g: Grid, bg: int) -> np.ndarray:
    """The background cells 4-connected to the grid's border."""
    free = (g == bg).astype(np.uint8)
    out = np.zeros(g.shape, dtype=bool)
    for o in objects(free, 0, diag=False, multicolour=False):
        if o.r0 == 0 or o.c0 == 0 or o.r1 == g.shape[0] or o.c1 == g.shape[1]:
            out[o.r0 : o.r1, o.c0 : o.c1] |= o.mask
    return out


def _enclosed(o: Obj, outside: np.ndarray) -> bool:
    """Whether no cell of the object touches (4-neighbour) background connected to the border."""
    pad = np.pad(outside, 1)
    m = np.zeros_like(pad)
    m[o.r0 + 1 : o.r1 + 1, o.c0 + 1 : o.c1 + 1] = o.mask
    ring = np.roll(m, 1, 0) | np.roll(m, -1, 0) | np.roll(m, 1, 1) | np.roll(m, -1, 1)
    return (
        not (ring & pad).any()
        and o.r0 > 0
        and o.c0 > 0
        and o.r1 < outside.shape[0]
        and o.c1 < outside.shape[1]
    )


def _match_recolour(g: Grid, movers: frozenset[int], diag: bool, turn: bool, boxed: bool) -> Grid | None:
    """Objects of a mover colour whose shape is that of objects of exactly one other colour (with
    ``boxed``, objects enclosed by another object) take it."""
    bg = background(g)
    objs = objects(g, bg, diag=diag, multicolour=False)
    if len(objs) > _MAX_OBJECTS:
        return None
    outside = _outside(g, bg) if boxed else None
    refs: dict[bytes, set[int]] = {}
    for o in objs:
        if o.colour not in movers and (outside is None or _enclosed(o, outside)):
            refs.setdefault(_shape_key(o.mask, turn), set()).add(o.colour)
    out = g.copy()
    for o in objs:
        if o.colour in movers:
            cols = refs.get(_shape_key(o.mask, turn), set())
            if len(cols) == 1:
                out[o.r0 : o.r1, o.c0 : o.c1][o.mask] = next(iter(cols))
    return out


def fit_shape_match_recolour(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Objects of the colours that change take the colour of the other objects (or of the boxed ones) of
    the same shape (as drawn, or up to rotation / reflection); objects whose shape nothing else has stay."""
    if _has_mark([*inputs, *tests]) or any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    movers: set[int] = set()
    for a, b in zip(inputs, outputs, strict=True):
        diff = a != b
        if (a[diff] == background(a)).any():
            return None  # only object cells are recoloured
        movers.update(np.unique(a[diff]).tolist())
    if not movers or len(movers) > 2:
        return None
    frozen = frozenset(movers)
    for diag, turn, boxed in itertools.product((True, False), (False, True), (False, True)):

        def pred(g: Grid, diag: bool = diag, turn: bool = turn, boxed: bool = boxed) -> Grid | None:
            return _match_recolour(g, frozen, diag, turn, boxed)

        if _verify(pred, inputs, outputs, tests):
            return pred
    return None


# ---------------------------------------------------------------- rays pointed by an object's key cells
_POINTER_SPECS = tuple(
    itertools.product(("toward", "away"), ("ray", "smear"), ("key", "body"))
)  # (direction from the key cell, what is drawn, in which colour)


_MAX_POINTERS = 12
_MINORITY, _NOTCH = -1, -2  # key cells: the object's minority colour / the one cell its box lacks


def _sign(v: float) -> int:
    return 0 if abs(v) < 0.25 else (1 if v > 0 else -1)


# an object with its colours, their counts, its cells (relative) and its centre (absolute)
_Pointer = tuple[Obj, list[int], list[int], np.ndarray, np.ndarray, float, float]


def _pointers(g: Grid) -> tuple[int, list[_Pointer]] | None:
    """The background and the few objects that may point (None: none, or a field of small objects), with
    what every reading needs of them (computed once per grid, not once per reading)."""
    bg = background(g)
    objs = objects(g, bg, diag=True, multicolour=True)
    if not objs or len(objs) > _MAX_POINTERS:
        return None  # a field of small objects (noise), not a few pointers
    found = []
    for o in objs:
        cols, counts = np.unique(o.patch[o.mask], return_counts=True)
        ys, xs = np.nonzero(o.mask)
        found.append((o, cols.tolist(), counts.tolist(), ys, xs, ys.mean() + o.r0, xs.mean() + o.c0))
    return bg, found


def _pointer_draw(
    g: Grid,
    key: int,
    spec: tuple[str, str, str],
    target: Grid | None = None,
    found: tuple[int, list[_Pointer]] | None = None,
) -> Grid | None:
    """Each two-coloured object's key cells (colour ``key``, or its minority colour) point along the line
    from the object's centre: a ray from the cell, or the whole object repeated, to the edge. With
    ``_NOTCH`` a one-coloured shape whose box lacks one cell points out through it. Given the expected
    ``target``, a ray cell it contradicts stops the drawing early; ``found`` is ``_pointers(g)`` if known."""
    toward, mode, paint = spec
    if found is None and (found := _pointers(g)) is None:
        return None
    bg, objs = found
    out = g.copy()
    h, w = g.shape
    drew = False
    # the rays step cell by cell: Python lists read faster than numpy scalars
    gl = g.tolist()
    tl = target.tolist() if target is not None else None
    for o, cols, counts, ys, xs, cy, cx in objs:
        if key == _NOTCH:
            # a one-coloured shape missing one cell of its box points out through that notch
            if len(cols) != 1 or o.size != o.mask.size - 1 or mode == "smear":
                continue
            k = body = cols[0]
            keys = ~o.mask
        else:
            if len(cols) != 2:
                continue
            if key == _MINORITY:
                if counts[0] == counts[1]:
                    continue
                k = cols[0] if counts[0] < counts[1] else cols[1]
            elif key in cols:
                k = key
            else:
                continue
            body = cols[0] if cols[1] == k else cols[1]
            keys = o.mask & (o.patch == k)
        colour = k if paint == "key" else body
        for y, x in zip(*np.nonzero(keys), strict=True):
            r, c = int(y) + o.r0, int(x) + o.c0
            dy, dx = _sign(r - cy), _sign(c - cx)
            if toward == "toward":
                dy, dx = -dy, -dx
            if dy == 0 and dx == 0:
                return None
            drew = True
            step = 1
            while True:
                if mode == "ray":
                    y2, x2 = r + step * dy, c + step * dx
                    if not (0 <= y2 < h and 0 <= x2 < w):
                        break
                    if gl[y2][x2] == bg:
                        if tl is not None and tl[y2][x2] != colour:
                            return None  # fitting: this reading already disagrees with the output
                        out[y2, x2] = colour
                else:
                    ys2, xs2 = ys + o.r0 + step * dy, xs + o.c0 + step * dx
                    ok = (ys2 >= 0) & (ys2 < h) & (xs2 >= 0) & (xs2 < w)
                    if not ok.any():
                        break
                    ys2, xs2 = ys2[ok], xs2[ok]
                    free = g[ys2, xs2] == bg
                    if target is not None and (target[ys2[free], xs2[free]] != colour).any():
                        return None
                    out[ys2[free], xs2[free]] = colour
                step += 1
        if mode == "smear":
            out[o.r0 : o.r1, o.c0 : o.c1][o.mask & (o.patch == k)] = colour
    return out if drew else None


def _key_applies(objs: list[_Pointer], key: int) -> bool:
    """Whether some object passes :func:`_pointer_draw`'s per-object filter for ``key`` (for some spec)."""
    for o, cols, counts, *_ in objs:
        if key == _NOTCH:
            if len(cols) == 1 and o.size == o.mask.size - 1:
                return True
        elif len(cols) == 2 and (counts[0] != counts[1] if key == _MINORITY else key in cols):
            return True
    return False


def fit_pointer_rays(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Two-coloured objects point with their key cells (a fixed colour, or the minority colour), shapes with
    their notch (the one cell their box lacks): from each key cell a ray, or the whole object repeated, runs
    to the edge away from or towards the object's centre (through it), in the key's or the body's colour,
    over the background only."""
    if _has_mark([*inputs, *tests]) or any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    keys = set(range(10))
    for a, b in zip(inputs, outputs, strict=True):
        bg = background(a)
        if not ((a != b) & (a == bg)).any():
            return None  # rays paint background
        keys &= set(np.unique(a).tolist()) - {bg}
    if (first := _pointers(inputs[0])) is None:
        return None  # every reading needs a few pointers in the first input (computed once, not per reading)
    for key in (_MINORITY, _NOTCH, *sorted(keys)):
        if not _key_applies(first[1], key):
            continue  # no object of the first input has such a key cell: every spec draws nothing
        for spec in _POINTER_SPECS:
            if _pointer_draw(inputs[0], key, spec, outputs[0], first) is None:
                continue  # cheap refusal on the first pair

            def pred(g: Grid, key: int = key, spec: tuple[str, str, str] = spec) -> Grid | None:
                return _pointer_draw(g, key, spec)

            if _verify(pred, inputs, outputs, tests):
                return pred
    return None


# ---------------------------------------------------------------- lines through objects / objects moved by their size
def _centre_lines(g: Grid, colour: int, axes: str) -> Grid | None:
    """A line of ``colour`` across the grid (over background) through every one-coloured object's centre
    row / column (or its cell on one edge)."""
    bg = background(g)
    objs = objects(g, bg, diag=True, multicolour=False)
    if not objs or len(objs) > _MAX_OBJECTS:
        return None
    line = np.zeros(g.shape, dtype=bool)
    for o in objs:
        needs_row, needs_col = axes in ("rc", "r", "left", "right"), axes in ("rc", "c", "bottom", "top")
        if (needs_row and (o.r1 - o.r0) % 2 == 0) or (needs_col and (o.c1 - o.c0) % 2 == 0):
            return None  # no centre row / column
        r, c = (o.r0 + o.r1) // 2, (o.c0 + o.c1) // 2
        if axes in ("rc", "r"):
            line[r, :] = True
        if axes in ("rc", "c"):
            line[:, c] = True
        # or only where the line meets one edge of the grid
        line[-1 if axes == "bottom" else 0, c] |= axes in ("bottom", "top")
        line[r, -1 if axes == "right" else 0] |= axes in ("right", "left")
    out = g.copy()
    out[line & (g == bg)] = colour
    return out


def fit_centre_lines(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Every object gets a line of one new colour through its centre, across the whole grid (its row, its
    column or both), drawn over the background only; or only the cell where that line meets one edge."""
    if _has_mark([*inputs, *tests]) or any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    painted: set[int] = set()
    for a, b in zip(inputs, outputs, strict=True):
        diff = a != b
        if not diff.any() or (a[diff] != background(a)).any():
            return None
        painted.update(np.unique(b[diff]).tolist())
    if len(painted) != 1:
        return None
    colour = painted.pop()
    for axes in ("rc", "r", "c", "bottom", "top", "left", "right"):

        def pred(g: Grid, axes: str = axes) -> Grid | None:
            return _centre_lines(g, colour, axes)

        if _verify(pred, inputs, outputs, tests):
            return pred
    return None


def _move_by_extent(g: Grid, dy: int, dx: int, times: int) -> Grid | None:
    """Every object moves ``times`` its own extent along (dy, dx); all must stay inside the grid."""
    bg = background(g)
    objs = objects(g, bg, diag=True, multicolour=True)
    if not objs or len(objs) > _MAX_OBJECTS:
        return None
    out = np.full_like(g, bg)
    h, w = g.shape
    for o in objs:
        sy, sx = dy * times * (o.r1 - o.r0), dx * times * (o.c1 - o.c0)
        if o.r0 + sy < 0 or o.r1 + sy > h or o.c0 + sx < 0 or o.c1 + sx > w:
            return None
        region = out[o.r0 + sy : o.r1 + sy, o.c0 + sx : o.c1 + sx]
        region[o.mask] = o.patch[o.mask]
    return out


def fit_move_by_extent(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Every object moves in one direction by its own height or width (or twice it)."""
    if _has_mark([*inputs, *tests]) or any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    for a, b in zip(inputs, outputs, strict=True):
        bg = background(a)
        if np.array_equal(a, b) or np.count_nonzero(a != bg) != np.count_nonzero(b != bg):
            return None
    for (dy, dx), times in itertools.product(((-1, 0), (1, 0), (0, -1), (0, 1)), (1, 2)):

        def pred(g: Grid, dy: int = dy, dx: int = dx, times: int = times) -> Grid | None:
            return _move_by_extent(g, dy, dx, times)

        if _verify(pred, inputs, outputs, tests):
            return pred
    return None


# ---------------------------------------------------------------- holes cut across their band
def _band_extent(g: Grid, r: int, c: int, ok: set[int], axis: int) -> tuple[int, int]:
    """The extent [lo, hi] along ``axis`` (0 = the column, 1 = the row) of the cells around (r, c) whose
    colours are in ``ok``."""
    line = g[:, c] if axis == 0 else g[r, :]
    i = r if axis == 0 else c
    lo, hi = i, i
    while lo > 0 and int(line[lo - 1]) in ok:
        lo -= 1
    while hi < line.size - 1 and int(line[hi + 1]) in ok:
        hi += 1
    return lo, hi


def _hole_lines(g: Grid, hole: int, axis: str) -> Grid | None:
    """Every ``hole`` cell inside a one-coloured band becomes a line across the band: along its shorter
    extent, its longer one, its column or its row."""
    ys, xs = np.nonzero(g == hole)
    if not 0 < ys.size <= _MAX_MARKERS * 2:
        return None
    out = g.copy()
    h, w = g.shape
    for r, c in zip(ys.tolist(), xs.tolist(), strict=True):
        around = {
            int(g[y, x])
            for y, x in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
            if 0 <= y < h and 0 <= x < w
        }
        around.discard(hole)
        if len(around) != 1:
            return None
        ok = {hole, *around}
        v_lo, v_hi = _band_extent(g, r, c, ok, 0)
        h_lo, h_hi = _band_extent(g, r, c, ok, 1)
        v_len, h_len = v_hi - v_lo, h_hi - h_lo
        if axis in ("short", "long"):
            if v_len == h_len:
                return None
            vertical = (v_len < h_len) == (axis == "short")
        else:
            vertical = axis == "col"
        if vertical:
            out[v_lo : v_hi + 1, c] = hole
        else:
            out[r, h_lo : h_hi + 1] = hole
    return out


def fit_hole_lines(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Cells of one colour (holes) inside one-coloured bands grow into lines across their band."""
    if _has_mark([*inputs, *tests]) or any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    holes: set[int] = set()
    for a, b in zip(inputs, outputs, strict=True):
        diff = a != b
        if not diff.any():
            return None
        holes.update(np.unique(b[diff]).tolist())
    if len(holes) != 1:
        return None
    hole = holes.pop()
    for axis in ("short", "long", "col", "row"):

        def pred(g: Grid, axis: str = axis) -> Grid | None:
            return _hole_lines(g, hole, axis)

        if _verify(pred, inputs, outputs, tests):
            return pred
    return None


# ---------------------------------------------------------------- mirrored across the marked side
def _mirror_side(g: Grid, key: int, fill: int) -> Grid | None:
    """Each two-coloured object whose key cells (colour ``key``, or its minority colour) all lie along one
    side of the rest (the row above / below it, the column left / right of it) is completed with its mirror
    image across that side, drawn in the body colour over the key cells; the background becomes ``fill``."""
    bg = background(g)
    objs = objects(g, bg, diag=True, multicolour=True)
    if not objs or len(objs) > _MAX_OBJECTS:
        return None
    out = g.copy()
    out[g == bg] = fill
    h, w = g.shape
    drew = False
    for o in objs:
        cols, counts = np.unique(o.patch[o.mask], return_counts=True)
        if cols.size != 2:
            continue
        if key == _MINORITY:
            if counts[0] == counts[1]:
                continue
            k = int(cols[np.argmin(counts)])
        elif key in cols:
            k = key
        else:
            continue
        body = int(cols[0] if cols[1] == k else cols[1])
        ky, kx = np.nonzero(o.mask & (o.patch == k))
        by, bx = np.nonzero(o.mask & (o.patch == body))
        ky, kx, by, bx = ky + o.r0, kx + o.c0, by + o.r0, bx + o.c0
        if (ky == by.min() - 1).all():
            my, mx = 2 * by.min() - 1 - by, bx
        elif (ky == by.max() + 1).all():
            my, mx = 2 * by.max() + 1 - by, bx
        elif (kx == bx.min() - 1).all():
            my, mx = by, 2 * bx.min() - 1 - bx
        elif (kx == bx.max() + 1).all():
            my, mx = by, 2 * bx.max() + 1 - bx
        else:
            return None  # key cells not along one side: no mirror line
        if my.min() < 0 or mx.min() < 0 or my.max() >= h or mx.max() >= w:
            return None
        out[ky, kx] = fill
        out[my, mx] = body
        drew = True
    return out if drew else None


def fit_mirror_side(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Objects are mirrored across the side their key cells mark (see ``_mirror_side``); the background
    keeps its colour or takes one new colour."""
    if _has_mark([*inputs, *tests]) or any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    fills = set()
    keys = set(range(10))
    for a, b in zip(inputs, outputs, strict=True):
        bg = background(a)
        if np.array_equal(a, b):
            return None
        fills.add(int(np.bincount(b[a == bg], minlength=10).argmax()))
        keys &= set(np.unique(a).tolist()) - {bg}
    if len(fills) != 1:
        return None
    fill = fills.pop()
    # the first train input decides most keys (as in ``_mirror_side``): no key draws without a few objects,
    # and a key draws only on a two-coloured object holding it
    objs = objects(inputs[0], background(inputs[0]), diag=True, multicolour=True)
    if not objs or len(objs) > _MAX_OBJECTS:
        return None
    two = [cc for o in objs if (cc := np.unique(o.patch[o.mask], return_counts=True))[0].size == 2]
    for key in (_MINORITY, *sorted(keys)):
        if not any(counts[0] != counts[1] if key == _MINORITY else key in cols for cols, counts in two):
            continue

        def pred(g: Grid, key: int = key) -> Grid | None:
            return _mirror_side(g, key, fill)

        if _verify(pred, inputs, outputs, tests):
            return pred
    return None


# ---------------------------------------------------------------- two markers meet halfway
def _meet_halfway(g: Grid, middle: int, axes: str) -> Grid | None:
    """Two lone cells facing each other along a row or column (``axes``: "r", "c" or "rc") across background
    each draw a line of their own colour to the middle, where a cell of ``middle`` marks the meeting (when
    the gap is odd)."""
    bg = background(g)
    cells = _lone_cells(g, bg)
    if cells is None:
        return None
    out = g.copy()
    met = False
    for (r1, c1, v1), (r2, c2, v2) in itertools.combinations(cells, 2):
        if not ((r1 == r2 and "r" in axes) or (c1 == c2 and "c" in axes)):
            continue
        if r1 == r2:
            line, a, b = out[r1, :], min(c1, c2), max(c1, c2)
            va, vb = (v1, v2) if c1 < c2 else (v2, v1)
        else:
            line, a, b = out[:, c1], min(r1, r2), max(r1, r2)
            va, vb = (v1, v2) if r1 < r2 else (v2, v1)
        between = (g[r1, :] if r1 == r2 else g[:, c1])[a + 1 : b]
        if b - a < 2 or (between != bg).any():
            continue
        half = (b - a - 1) // 2
        line[a + 1 : a + 1 + half] = va
        line[b - half : b] = vb
        if (b - a - 1) % 2:
            line[a + 1 + half] = middle
        met = True
    return out if met else None


def fit_meet_halfway(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Pairs of lone cells in a row or column draw lines of their colours to meet halfway (see
    ``_meet_halfway``); the meeting colour is read off the train outputs."""
    if _has_mark([*inputs, *tests]) or any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    middles: set[int] = set()
    for a, b in zip(inputs, outputs, strict=True):
        bg = background(a)
        if _lone_cells(a, bg) is None or not (a != b).any():
            return None
        middles.update(np.unique(b[(a != b)]).tolist())
        middles -= set(np.unique(a).tolist())
    # only the axes the train pairs show, when they show one
    for middle, axes in itertools.product(sorted(middles) or [background(inputs[0])], ("r", "c", "rc")):

        def pred(g: Grid, middle: int = middle, axes: str = axes) -> Grid | None:
            return _meet_halfway(g, middle, axes)

        if _verify(pred, inputs, outputs, tests):
            return pred
    return None


# ---------------------------------------------------------------- template stamped on lone markers
def _stamp_on_markers(g: Grid, marker: int) -> Grid | None:
    """The largest multicoloured object (odd-sided, marker colour absent, separator lines aside) is drawn
    centred on every cell of the marker colour."""
    bg = background(g)
    # separator lines (whole rows / columns of one colour) are not part of the template
    bare = g.copy()
    bare[(g == g[:, :1]).all(axis=1) & (g[:, 0] != bg)] = bg
    bare[:, (g == g[:1, :]).all(axis=0) & (g[0, :] != bg)] = bg
    multi = [o for o in objects(bare, bg, diag=True, multicolour=True) if np.unique(o.patch[o.mask]).size > 1]
    if not multi:
        return None
    t = max(multi, key=lambda o: o.size)
    th, tw = t.shape
    if th % 2 == 0 or tw % 2 == 0 or sum(o.size == t.size for o in multi) > 1 or (t.patch == marker).any():
        return None
    ys, xs = np.nonzero(g == marker)
    if not 0 < ys.size <= _MAX_MARKERS * 3:
        return None
    out = g.copy()
    h, w = g.shape
    for r, c in zip(ys.tolist(), xs.tolist(), strict=True):
        r0, c0 = r - th // 2, c - tw // 2
        if r0 < 0 or c0 < 0 or r0 + th > h or c0 + tw > w:
            return None
        out[r0 : r0 + th, c0 : c0 + tw][t.mask] = t.patch[t.mask]
    return out


def fit_marker_stamp(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """The only largest multicoloured object (the template) is copied centred on every cell of one marker
    colour (a colour that every input has and the outputs cover)."""
    if _has_mark([*inputs, *tests]) or any(a.shape != b.shape for a, b in zip(inputs, outputs, strict=True)):
        return None
    markers = set(range(10))
    for a, b in zip(inputs, outputs, strict=True):
        markers &= set(np.unique(a[a != b]).tolist())
    for marker in sorted(markers):

        def pred(g: Grid, marker: int = marker) -> Grid | None:
            return _stamp_on_markers(g, marker)

        if _verify(pred, inputs, outputs, tests):
            return pred
    return None


MOTIF_LEARNERS: list[tuple[str, Learner]] = [
    ("template_complete", fit_template_complete),
    ("marker_motif", fit_marker_motif),
    ("shape_match_recolour", fit_shape_match_recolour),
    ("pointer_rays", fit_pointer_rays),
    ("centre_lines", fit_centre_lines),
    ("move_by_extent", fit_move_by_extent),
    ("hole_lines", fit_hole_lines),
    ("mirror_side", fit_mirror_side),
    ("meet_halfway", fit_meet_halfway),
    ("marker_stamp", fit_marker_stamp),
]
