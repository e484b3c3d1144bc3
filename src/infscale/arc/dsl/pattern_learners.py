"""Pattern learners: templates copied onto markers, learners lifted to partition cells, lines and symmetry.

Same contract as :mod:`.learners`: ``fit(train_in, train_out, test_in) -> Predictor | None``, a predictor
only when it reproduces every train pair exactly and applies to every test input; every learner bails
out early (shape change, no template, too many objects) so it stays cheap on the search's states.

- :func:`fit_template_stamp`: the multicoloured object(s) of a grid are templates; every single-colour
  object (a marker) is replaced by a template, placed over the marker's box when both have the same shape,
  centred on a one-cell marker, or aligned on the template's only cell of the marker's colour (the template
  flipped as learned per marker colour).
- :func:`fit_cell_lift`: a grid partitioned by separator lines (of any colour, background included) whose
  cells are uniform is shrunk to one pixel per cell, the other learners are fitted on the small grids, and
  their predictions are blown back up to the cells.
- :func:`fit_cell_template`: the fullest (or first) cell's shape is drawn into every other cell.
- :func:`fit_lines_to_target`: single cells level with the largest object draw a line up to it.
- :func:`fit_bounce_ray`: the only cell shoots a diagonal ray bouncing off the side walls.
- :func:`fit_self_symmetry`: the picture is completed about its own best-agreeing centre.
- :func:`fit_extend_tails`: a cell hanging off its object continues as a line away from it.
- :func:`fit_halo`: objects of a learned size get a one-cell ring of a learned colour.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from .object_learners import _cell_grid, _first_fit, _same_shape_pairs, _verify, fit_connect_pairs
from .objects import Obj, background, objects
from .primitives import Grid

Predictor = Callable[[Grid], Grid | None]

# ---------------------------------------------------------------- template stamping
_FLIPS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "id": lambda p: p,
    "lr": lambda p: p[:, ::-1],
    "ud": lambda p: p[::-1, :],
    "rot": lambda p: p[::-1, ::-1],
}
_MAX_OBJECTS = 30


def _split(g: Grid) -> tuple[int, list[Obj], list[Obj]] | None:
    """Background, templates (objects of several colours) and markers (single-colour objects)."""
    bg = background(g)
    objs = objects(g, bg, True, True)
    if not objs or len(objs) > _MAX_OBJECTS:
        return None
    templates: list[Obj] = []
    markers: list[Obj] = []
    for o in objs:
        (templates if len(np.unique(o.patch[o.mask])) > 1 else markers).append(o)
    if not templates or not markers:
        return None
    return bg, templates, markers


def _paste(out: Grid, patch: np.ndarray, mask: np.ndarray, r: int, c: int) -> bool:
    h, w = patch.shape
    if r < 0 or c < 0 or r + h > out.shape[0] or c + w > out.shape[1]:
        # clipped at the border: paste the visible part
        r0, c0 = max(r, 0), max(c, 0)
        r1, c1 = min(r + h, out.shape[0]), min(c + w, out.shape[1])
        if r1 <= r0 or c1 <= c0:
            return False
        sub_p = patch[r0 - r : r1 - r, c0 - c : c1 - c]
        sub_m = mask[r0 - r : r1 - r, c0 - c : c1 - c]
        out[r0:r1, c0:c1][sub_m] = sub_p[sub_m]
        return True
    out[r : r + h, c : c + w][mask] = patch[mask]
    return True


def _placement(t: Obj, m: Obj, mode: str, flip: str) -> tuple[np.ndarray, np.ndarray, int, int] | None:
    """Where (and how flipped) template ``t`` goes for marker ``m``, or None when it does not fit."""
    patch, mask = _FLIPS[flip](t.patch), _FLIPS[flip](t.mask)
    if mode == "box":
        if m.shape != t.shape or m.size != m.shape[0] * m.shape[1]:
            return None
        return patch, mask, m.r0, m.c0
    if m.size != 1:
        return None
    if mode == "centre":
        h, w = patch.shape
        if h % 2 == 0 or w % 2 == 0:
            return None
        return patch, mask, m.r0 - h // 2, m.c0 - w // 2
    ys, xs = np.nonzero((patch == m.colour) & mask)  # mode "colour"
    if len(ys) != 1:
        return None
    return patch, mask, m.r0 - int(ys[0]), m.c0 - int(xs[0])


def _stamp(g: Grid, mode: str, flips: dict[int, str], erase: bool) -> Grid | None:
    split = _split(g)
    if split is None:
        return None
    bg, templates, markers = split
    out = g.copy()
    done = 0
    for m in markers:
        fits = []
        for t in templates:
            place = _placement(t, m, mode, flips.get(m.colour, "id"))
            if place is not None:
                fits.append(place)
        if len(fits) != 1:
            continue  # no template (or several) for this marker: it stays as it is
        if erase:
            out[m.r0 : m.r1, m.c0 : m.c1][m.mask] = bg
        if _paste(out, *fits[0]):
            done += 1
    return out if done else None


def _learn_flips(inputs: Sequence[Grid], outputs: Sequence[Grid]) -> dict[int, str] | None:
    """Per marker colour, the flip under which the aligned template matches the output on every train
    marker (identity first: a flip is learned only when the identity does not match)."""
    choice: dict[int, set[str]] = {}
    for a, b in zip(inputs, outputs, strict=True):
        split = _split(a)
        if split is None:
            return None
        _, templates, markers = split
        for m in markers:
            ok = set()
            for flip in _FLIPS:
                for t in templates:
                    place = _placement(t, m, "colour", flip)
                    if place is None:
                        continue
                    patch, mask, r, c = place
                    h, w = patch.shape
                    if r < 0 or c < 0 or r + h > b.shape[0] or c + w > b.shape[1]:
                        continue
                    if np.array_equal(b[r : r + h, c : c + w][mask], patch[mask]):
                        ok.add(flip)
            if ok:
                choice[m.colour] = choice.get(m.colour, ok) & ok
    flips = {}
    for col, ok in choice.items():
        if not ok:
            return None
        flips[col] = next(f for f in _FLIPS if f in ok)
    return flips


def fit_template_stamp(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Multicoloured templates copied onto single-colour markers (see module doc)."""
    if not _same_shape_pairs(inputs, outputs, changes="some"):
        return None
    if any(_split(a) is None for a in inputs):
        return None
    for mode in ("box", "centre", "colour"):
        flips = _learn_flips(inputs, outputs) if mode == "colour" else {}
        if flips is None:
            continue
        for erase in (False, True):

            def predict(
                g: Grid, mode: str = mode, flips: dict[int, str] = flips, erase: bool = erase
            ) -> Grid | None:
                return _stamp(g, mode, flips, erase)

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- learners lifted to partition cells
_Spans = list[tuple[int, int]]


def _partition(g: Grid) -> tuple[_Spans, _Spans, int] | None:
    """Cell spans between full lines of one colour (the majority colour allowed), non-black first."""
    found = _cell_grid(g)
    if found is not None:
        return found
    rows_all = (g == g[:, :1]).all(axis=1)
    cols_all = (g == g[:1, :]).all(axis=0)
    for col in sorted(
        {int(v) for v in g[rows_all, 0]} | {int(v) for v in g[0, cols_all]}, key=lambda c: c == 0
    ):
        rs = np.flatnonzero(rows_all & (g[:, 0] == col)).tolist()
        cs = np.flatnonzero(cols_all & (g[0, :] == col)).tolist()
        if len(rs) == g.shape[0] or len(cs) == g.shape[1]:
            continue
        rb, cb = [-1, *rs, g.shape[0]], [-1, *cs, g.shape[1]]
        rows = [(a + 1, b) for a, b in itertools.pairwise(rb) if b > a + 1]
        cols = [(a + 1, b) for a, b in itertools.pairwise(cb) if b > a + 1]
        if len(rows) * len(cols) >= 2:
            return rows, cols, col
    return None


def _shrink(g: Grid) -> tuple[Grid, _Spans, _Spans] | None:
    """One pixel per cell of a partitioned grid whose cells are all uniform (and not all 1x1)."""
    cg = _partition(g)
    if cg is None:
        return None
    rows, cols, _ = cg
    if len(rows) == g.shape[0] and len(cols) == g.shape[1]:
        return None
    small = np.zeros((len(rows), len(cols)), dtype=g.dtype)
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            cell = g[r0:r1, c0:c1]
            v = cell[0, 0]
            if not (cell == v).all():
                return None
            small[i, j] = v
    return small, rows, cols


def _grow(g: Grid, small: Grid, rows: _Spans, cols: _Spans) -> Grid:
    out = g.copy()
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            out[r0:r1, c0:c1] = small[i, j]
    return out


def _inner_learners() -> list[tuple[str, Callable[..., Predictor | None]]]:
    from .learners import LEARNERS  # imported late: learners imports this module

    skip = {"local_rule_default", "constant", "cell_lift", "template_stamp", "cell_template"}
    return [(n, f) for n, f in LEARNERS if n not in skip]


def fit_cell_lift(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """A learner fitted on the one-pixel-per-cell grids of partitioned inputs/outputs (see module doc)."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    small_in, small_out, layouts = [], [], []
    for a, b in zip(inputs, outputs, strict=True):
        sa = _shrink(a)
        if sa is None:
            return None
        small, rows, cols = sa
        sb = _shrink(b)
        if sb is None or sb[1] != rows or sb[2] != cols:
            return None
        # separators must be kept: the output differs from the input only inside cells
        if not np.array_equal(_grow(a, sb[0], rows, cols), b):
            return None
        small_in.append(small)
        small_out.append(sb[0])
        layouts.append((rows, cols))
    if all(np.array_equal(a, b) for a, b in zip(small_in, small_out, strict=True)):
        return None
    shrunk_tests = [_shrink(t) for t in tests]
    if any(s is None for s in shrunk_tests):
        return None
    test_small = [s[0] for s in shrunk_tests if s is not None]
    for _, fit in [("connect_pairs", fit_connect_pairs), *_inner_learners()]:
        inner = fit(small_in, small_out, test_small)
        if inner is None:
            continue

        def predict(g: Grid, inner: Predictor = inner) -> Grid | None:
            s = _shrink(g)
            if s is None:
                return None
            p = inner(s[0])
            if p is None or p.shape != s[0].shape:
                return None
            return _grow(g, p, s[1], s[2])

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- a template cell copied into the others
def _cell_template(g: Grid, pick: str, paint: str) -> Grid | None:
    part = _partition(g)
    if part is None:
        return None
    rows, cols, sep = part
    shapes = {(r1 - r0, c1 - c0) for r0, r1 in rows for c0, c1 in cols}
    if len(shapes) != 1:
        return None
    bg = 0 if sep != 0 else background(g)
    cells = [g[r0:r1, c0:c1] for r0, r1 in rows for c0, c1 in cols]
    if pick == "first":
        template = cells[0]
    else:
        counts = [int((c != bg).sum()) for c in cells]
        best = max(counts)
        if counts.count(best) != 1:
            return None
        template = cells[counts.index(best)]
    tmask = template != bg
    if not tmask.any():
        return None
    out = g.copy()
    for r0, r1 in rows:
        for c0, c1 in cols:
            view = out[r0:r1, c0:c1]
            hole = tmask & (view == bg)
            view[hole] = sep if paint == "sep" else template[hole]
    return out


def fit_cell_template(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """The pattern of one cell of a partition (the fullest, or the first) is drawn into the empty part of
    every other cell, in the separator colour or in its own colours."""
    if not _same_shape_pairs(inputs, outputs, changes="some"):
        return None
    return _first_fit(
        _cell_template,
        ((pick, paint) for pick in ("fullest", "first") for paint in ("template", "sep")),
        inputs,
        outputs,
        tests,
    )


# ---------------------------------------------------------------- lines drawn up to a target object
def _lines_to_target(g: Grid, colour_from: str, through: bool) -> Grid | None:
    bg = background(g)
    objs = objects(g, bg, False, False)
    if len(objs) < 2 or len(objs) > _MAX_OBJECTS:
        return None
    sizes = sorted((o.size for o in objs), reverse=True)
    if sizes[0] == sizes[1] or sizes[0] < 2:
        return None
    target = max(objs, key=lambda o: o.size)
    out = g.copy()
    drawn = 0
    for o in objs:
        if o is target or o.size != 1:
            continue
        r, c = o.r0, o.c0
        colour = o.colour if colour_from == "marker" else target.colour
        if target.r0 <= r < target.r1 and not target.c0 <= c < target.c1:
            step = (0, 1 if c < target.c0 else -1)
        elif target.c0 <= c < target.c1 and not target.r0 <= r < target.r1:
            step = (1 if r < target.r0 else -1, 0)
        else:
            continue
        y, x = r + step[0], c + step[1]
        path = []
        while 0 <= y < g.shape[0] and 0 <= x < g.shape[1] and g[y, x] == bg:
            path.append((y, x))
            y, x = y + step[0], x + step[1]
        if not (0 <= y < g.shape[0] and 0 <= x < g.shape[1]):
            continue
        if not through and not (target.r0 <= y < target.r1 and target.c0 <= x < target.c1):
            continue  # blocked by something else before reaching the target
        for y, x in path:
            out[y, x] = colour
        drawn += 1
    return out if drawn else None


def fit_lines_to_target(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Single cells level with the largest object draw a straight line up to it (stopping on contact)."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    bgs = [background(a) for a in inputs]
    if not _changes_background_only(inputs, outputs, bgs):
        return None
    return _first_fit(
        _lines_to_target,
        ((colour_from, through) for colour_from in ("marker", "target") for through in (False, True)),
        inputs,
        outputs,
        tests,
    )


def _changes_background_only(inputs: Sequence[Grid], outputs: Sequence[Grid], bgs: Sequence[int]) -> bool:
    changed = False
    for a, b, bg in zip(inputs, outputs, bgs, strict=True):
        d = a != b
        if (d & (a != bg)).any():
            return False
        changed = changed or bool(d.any())
    return changed


# ---------------------------------------------------------------- diagonal rays bouncing off the walls
_DIAGONALS = ((-1, 1), (-1, -1), (1, 1), (1, -1))


def _bounce(g: Grid, direction: tuple[int, int], fill: int | None) -> Grid | None:
    bg = background(g)
    ys, xs = np.nonzero(g != bg)
    if len(ys) != 1:
        return None
    h, w = g.shape
    out = g.copy()
    y, x = int(ys[0]), int(xs[0])
    colour = int(g[y, x])
    dy, dx = direction
    for _ in range(h * w * 4):
        if not 0 <= x + dx < w:
            if w == 1:
                return None
            dx = -dx
        if not 0 <= y + dy < h:
            break
        y, x = y + dy, x + dx
        out[y, x] = colour
    if fill is not None:
        out[out == bg] = fill
    return out


def fit_bounce_ray(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """The only cell of a grid shoots a diagonal ray that bounces off the side walls until it leaves the
    grid (then the untouched background may be filled with a learned colour)."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    if any(int((a != background(a)).sum()) != 1 for a in inputs):
        return None
    fills: set[int] = set()
    for a, b in zip(inputs, outputs, strict=True):
        fills |= {int(v) for v in np.unique(b)} - {int(v) for v in np.unique(a)}
    candidates: list[int | None] = [None, *sorted(fills)] if len(fills) <= 1 else [None]
    return _first_fit(
        _bounce,
        ((direction, fill) for direction in _DIAGONALS for fill in candidates),
        inputs,
        outputs,
        tests,
    )


# ---------------------------------------------------------------- completing a picture's own symmetry
# maps of a doubled offset (dy, dx) from the centre
_MAPS: dict[str, Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]] = {
    "lr": lambda dy, dx: (dy, -dx),
    "ud": lambda dy, dx: (-dy, dx),
    "r180": lambda dy, dx: (-dy, -dx),
    "r90": lambda dy, dx: (dx, -dy),
    "r270": lambda dy, dx: (-dx, dy),
    "t": lambda dy, dx: (dx, dy),
    "at": lambda dy, dx: (-dx, -dy),
}
_GROUPS: dict[str, tuple[str, ...]] = {
    "d4": tuple(_MAPS),
    "c4": ("r90", "r180", "r270"),
    "lrud": ("lr", "ud", "r180"),
    "lr": ("lr",),
    "ud": ("ud",),
    "r180": ("r180",),
    "t": ("t",),
    "at": ("at",),
}


def _images(
    g: Grid, ys: np.ndarray, xs: np.ndarray, cy2: int | np.ndarray, cx2: int | np.ndarray, name: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the cells (ys, xs) go under map ``name`` about the doubled centre, and which land in the grid."""
    my, mx = _MAPS[name](2 * ys - cy2, 2 * xs - cx2)
    ty, tx = my + cy2, mx + cx2
    ok = (ty % 2 == 0) & (tx % 2 == 0)
    ty, tx = ty // 2, tx // 2
    ok &= (ty >= 0) & (ty < g.shape[0]) & (tx >= 0) & (tx < g.shape[1])
    return ty, tx, ok


def _symmetric_about_box(g: Grid, group: str) -> bool:
    bg = background(g)
    ys, xs = np.nonzero(g != bg)
    if len(ys) == 0:
        return False
    cy2, cx2 = int(ys.min() + ys.max()), int(xs.min() + xs.max())
    cs = g[ys, xs]
    for name in _GROUPS[group]:
        ty, tx, ok = _images(g, ys, xs, cy2, cx2, name)
        if not ok.all() or not (g[ty, tx] == cs).all():
            return False
    return True


def _complete_symmetry(g: Grid, group: str) -> Grid | None:
    bg = background(g)
    ys, xs = np.nonzero(g != bg)
    if len(ys) < 2 or len(ys) > 400:
        return None
    cs = g[ys, xs]
    names = _GROUPS[group]
    moves_y = any(n != "lr" for n in names)
    moves_x = any(n != "ud" for n in names)
    rng_y = range(2 * int(ys.min()), 2 * int(ys.max()) + 1) if moves_y else range(1)
    rng_x = range(2 * int(xs.min()), 2 * int(xs.max()) + 1) if moves_x else range(1)
    cy2s, cx2s = (a.reshape(-1, 1) for a in np.meshgrid(np.array(rng_y), np.array(rng_x), indexing="ij"))
    if cy2s.size * len(ys) > 200_000:
        return None
    score = np.zeros(cy2s.shape[0], dtype=np.int64)
    for name in names:  # all candidate centres at once: (centres, cells) arrays
        ty, tx, ok = _images(g, ys[None, :], xs[None, :], cy2s, cx2s, name)
        hit = ok & (g[np.where(ok, ty, 0), np.where(ok, tx, 0)] == cs[None, :])
        score += hit.sum(axis=1)
    where = np.flatnonzero(score == score.max())
    if len(where) != 1:
        return None  # no single best centre: ambiguous
    cy2, cx2 = int(cy2s[where[0], 0]), int(cx2s[where[0], 0])
    out = g.copy()
    for name in names:
        ty, tx, ok = _images(g, ys, xs, cy2, cx2, name)
        if not ok.all():
            return None
        free = g[ty, tx] == bg
        out[ty[free], tx[free]] = cs[free]
    return out


def fit_symmetry_with(
    complete: Callable[[Grid, str], Grid | None],
    inputs: Sequence[Grid],
    outputs: Sequence[Grid],
    tests: Sequence[Grid],
) -> Predictor | None:
    """The picture completed by ``complete(grid, group)`` under the largest symmetry group its outputs show
    (only background cells may change)."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    if not _changes_background_only(inputs, outputs, [background(a) for a in inputs]):
        return None
    for group in _GROUPS:
        if not all(_symmetric_about_box(b, group) for b in outputs):
            continue

        def predict(g: Grid, group: str = group) -> Grid | None:
            return complete(g, group)

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


def fit_self_symmetry(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """The picture is completed under the largest symmetry group its outputs show about their own centre;
    the centre of an input is the one its visible cells agree with best."""
    return fit_symmetry_with(_complete_symmetry, inputs, outputs, tests)


# ---------------------------------------------------------------- diagonal tails continued
def _extend_tails(g: Grid, diagonal_only: bool) -> Grid | None:
    bg = background(g)
    fg = g != bg
    ys, xs = np.nonzero(fg)
    if len(ys) == 0 or len(ys) > 200:
        return None
    h, w = g.shape
    pad = np.zeros((h + 2, w + 2), dtype=bool)
    pad[1:-1, 1:-1] = fg
    out = g.copy()
    drawn = 0
    for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
        nb = pad[y : y + 3, x : x + 3].copy()
        nb[1, 1] = False
        if nb.sum() != 1:
            continue
        ny, nx = (int(v[0]) - 1 for v in np.nonzero(nb))
        if diagonal_only and (ny == 0 or nx == 0):
            continue
        dy, dx = -ny, -nx
        cy, cx = y + dy, x + dx
        while 0 <= cy < h and 0 <= cx < w and g[cy, cx] == bg:
            out[cy, cx] = g[y, x]
            cy, cx = cy + dy, cx + dx
        drawn += 1
    return out if drawn else None


def fit_extend_tails(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """A cell attached to its object by a single (diagonal) neighbour continues as a straight line away
    from it, up to the border or the next cell."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    if not _changes_background_only(inputs, outputs, [background(a) for a in inputs]):
        return None
    return _first_fit(
        _extend_tails, ((diagonal_only,) for diagonal_only in (True, False)), inputs, outputs, tests
    )


# ---------------------------------------------------------------- halos around the objects of some sizes
def _ring(o: Obj, h: int, w: int, ring8: bool) -> np.ndarray:
    """The cells next to an object (4- or 8-neighbours), the object itself included."""
    m = np.zeros((h + 2, w + 2), dtype=bool)
    m[o.r0 + 1 : o.r1 + 1, o.c0 + 1 : o.c1 + 1] = o.mask
    grown = m.copy()
    grown[1:, :] |= m[:-1, :]
    grown[:-1, :] |= m[1:, :]
    grown[:, 1:] |= m[:, :-1]
    grown[:, :-1] |= m[:, 1:]
    if ring8:
        grown[1:, 1:] |= m[:-1, :-1]
        grown[1:, :-1] |= m[:-1, 1:]
        grown[:-1, 1:] |= m[1:, :-1]
        grown[:-1, :-1] |= m[1:, 1:]
    return grown[1:-1, 1:-1]


def _selected(size: int, rule: tuple[str, int]) -> bool:
    kind, k = rule
    return size == k if kind == "eq" else size >= k if kind == "ge" else size <= k


def _halo(g: Grid, rule: tuple[str, int], colour: int, diag: bool, ring8: bool) -> Grid | None:
    bg = background(g)
    objs = objects(g, bg, diag, False)
    if not objs or len(objs) > 60:
        return None
    out = g.copy()
    hit = 0
    for o in objs:
        if _selected(o.size, rule):
            hit += 1
            out[_ring(o, g.shape[0], g.shape[1], ring8) & (g == bg)] = colour
    return out if hit else None


def fit_halo(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Objects of a learned size (equal to, at least or at most k cells) get a one-cell ring of a learned
    colour on the background around them."""
    if not _same_shape_pairs(inputs, outputs):
        return None
    bgs = [background(a) for a in inputs]
    if not _changes_background_only(inputs, outputs, bgs):
        return None
    new: set[int] = set()
    for a, b in zip(inputs, outputs, strict=True):
        new |= {int(v) for v in np.unique(b[a != b])}
        if len(new) > 1:
            return None
    (colour,) = new
    for diag, ring8 in itertools.product((False, True), (True, False)):
        # sizes of the objects whose ring is painted and of those whose ring is untouched
        got: set[int] = set()
        not_got: set[int] = set()
        for a, b, bg in zip(inputs, outputs, bgs, strict=True):
            objs = objects(a, bg, diag, False)
            if len(objs) > 60:
                return None
            free = a == bg
            for o in objs:
                ring = _ring(o, a.shape[0], a.shape[1], ring8) & free
                painted = b[ring] == colour
                if painted.all():
                    got.add(o.size)
                elif not painted.any():
                    not_got.add(o.size)
        if not got or got & not_got:
            continue
        rules: list[tuple[str, int]] = []
        if len(got) == 1:
            rules.append(("eq", next(iter(got))))
        if not not_got or min(got) > max(not_got):
            rules.append(("ge", min(got)))
        if not not_got or max(got) < min(not_got):
            rules.append(("le", max(got)))
        for rule in rules:

            def predict(g: Grid, r: tuple[str, int] = rule, d: bool = diag, r8: bool = ring8) -> Grid | None:
                return _halo(g, r, colour, d, r8)

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


PATTERN_LEARNERS: list[
    tuple[str, Callable[[Sequence[Grid], Sequence[Grid], Sequence[Grid]], Predictor | None]]
] = [
    ("template_stamp", fit_template_stamp),
    ("cell_lift", fit_cell_lift),
    ("cell_template", fit_cell_template),
    ("lines_to_target", fit_lines_to_target),
    ("bounce_ray", fit_bounce_ray),
    ("self_symmetry", fit_self_symmetry),
    ("extend_tails", fit_extend_tails),
    ("halo", fit_halo),
]
