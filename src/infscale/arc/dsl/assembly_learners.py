"""Assembly learners: the output is built from the input's parts (objects, colour groups, separated
panels) moved together, or is a region the input marks out; its shape differs from the input's.

Same contract as :mod:`.learners`: ``fit(train_in, train_out, test_in) -> Predictor | None``, a predictor
only when it reproduces every train pair exactly and applies to every test input. Each learner refuses
early on the output shapes or on the number of parts, since they run on every state of the search.

- :func:`fit_anchor_overlay`: the parts (objects, or all cells of one colour) are laid over each other,
  aligned at their cells of an anchor colour (alike in every part) or at their box centres; output = the
  union's box.
- :func:`fit_corner_layout`: each object goes to the slot of a 2 x 2 or 3 x 3 layout its weight leans
  to (an L missing its bottom-right cell goes top-left), slots packed edge to edge.
- :func:`fit_jigsaw`: the objects are translated to tile a full rectangle, or its border, without
  overlap.
- :func:`fit_colour_box_crop`: the box of one colour's cells (a fixed colour, the rarest, or four corner
  markers), grown or shrunk by learned margins (bars with end caps, a crop inside corner markers).
- :func:`fit_sep_overlay`: panels cut by full lines of a fixed separator colour (lines of other colours
  inside a panel do not cut) or equal strips, stacked in a learned priority order or combined by a
  boolean rule, on the panels' own background.
- :func:`fit_frame_fit`: the box marked by four corners or a hollow rectangle, with the picture found
  outside it scaled into it (filling it, or covering the pieces already inside).
- :func:`fit_panel_lookup`: one colour per separator-grid panel, looked up by the panel's pattern.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from .object_learners import _cell_grid, _first_fit, _has_mark, _verify
from .objects import background, objects
from .primitives import Grid

Predictor = Callable[[Grid], Grid | None]
Learner = Callable[[Sequence[Grid], Sequence[Grid], Sequence[Grid]], Predictor | None]

# a part: its top-left corner in the input and its bbox-shaped patch (-1 = not part of it)
Part = tuple[int, int, np.ndarray]

_MAX_PARTS = 12


def _smaller(inputs: Sequence[Grid], outputs: Sequence[Grid]) -> bool:
    """Every output is no bigger than its input on both sides and differs from it in shape."""
    return all(
        b.shape != a.shape and b.shape[0] <= a.shape[0] and b.shape[1] <= a.shape[1]
        for a, b in zip(inputs, outputs, strict=True)
    )


def _parts(g: Grid, unit: str) -> tuple[int, list[Part]]:
    """The background colour and the parts of ``g``: 8-connected multicolour objects, or for ``colour``
    every non-background colour's cells as one part (``object1``: one-colour objects)."""
    bg = background(g)
    out: list[Part] = []
    if unit == "colour":
        for c in np.unique(g).tolist():
            if c == bg:
                continue
            ys, xs = np.nonzero(g == c)
            r0, c0 = int(ys.min()), int(xs.min())
            p = np.full((int(ys.max()) + 1 - r0, int(xs.max()) + 1 - c0), -1, dtype=np.int16)
            p[ys - r0, xs - c0] = c
            out.append((r0, c0, p))
        return bg, out
    for o in objects(g, bg, True, unit != "object1"):
        out.append((o.r0, o.c0, np.where(o.mask, o.patch.astype(np.int16), -1)))
    return bg, out


def _paint(canvas: np.ndarray, y: int, x: int, p: np.ndarray) -> bool:
    """Paint part ``p`` at (y, x) on ``canvas`` (-1 = empty); False when it leaves the canvas or covers a
    cell already painted another colour."""
    h, w = p.shape
    if y < 0 or x < 0 or y + h > canvas.shape[0] or x + w > canvas.shape[1]:
        return False
    win = canvas[y : y + h, x : x + w]
    m = p >= 0
    if ((win[m] >= 0) & (win[m] != p[m])).any():
        return False
    win[m] = p[m]
    return True


# ---------------------------------------------------------------- parts overlaid at a common point
def _ref_point(p: np.ndarray, align: int) -> tuple[int, int, bytes] | None:
    """Doubled coordinates of a part's reference point and the anchor's shape: the top-left of its cells
    of colour ``align`` (the same shape in every part, often a single cell), or (align < 0) its box centre."""
    if align < 0:
        return p.shape[0] - 1, p.shape[1] - 1, b""
    ys, xs = np.nonzero(p == align)
    if ys.size == 0:
        return None
    y0, x0 = int(ys.min()), int(xs.min())
    return 2 * y0, 2 * x0, bytes([*(ys - y0).tolist(), 255, *(xs - x0).tolist()])


def _overlay(g: Grid, unit: str, align: int) -> Grid | None:
    bg, parts = _parts(g, unit)
    if len(parts) < 2 or len(parts) > _MAX_PARTS:
        return None
    refs = [_ref_point(p, align) for _, _, p in parts]
    if any(r is None for r in refs) or len({r[2] for r in refs if r is not None}) > 1:
        return None
    ry = [r[0] for r in refs if r is not None]
    rx = [r[1] for r in refs if r is not None]
    if len({v % 2 for v in ry}) > 1 or len({v % 2 for v in rx}) > 1:  # centres must line up on cells
        return None
    # each part's top-left corner relative to the common reference point (in doubled units)
    tops = [-v for v in ry]
    lefts = [-v for v in rx]
    y0, x0 = min(tops), min(lefts)
    H = max((t - y0) // 2 + p.shape[0] for t, (_, _, p) in zip(tops, parts, strict=True))
    W = max((t - x0) // 2 + p.shape[1] for t, (_, _, p) in zip(lefts, parts, strict=True))
    canvas = np.full((H, W), -1, dtype=np.int16)
    for t, le, (_, _, p) in zip(tops, lefts, parts, strict=True):
        if not _paint(canvas, (t - y0) // 2, (le - x0) // 2, p):
            return None
    return np.where(canvas < 0, bg, canvas).astype(np.uint8)


def fit_anchor_overlay(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = the input's parts (objects, or colour groups) laid over each other so that their anchors
    (the cells of a fixed colour, alike in every part: often one cell) or their box centres coincide,
    cropped to the union; overlapping cells must agree."""
    if _has_mark(inputs) or not _smaller(inputs, outputs):
        return None
    colours = sorted(set.intersection(*({int(c) for c in np.unique(b)} for b in outputs)))
    for unit in ("object", "colour"):
        for align in (*colours, -1):
            if align == 0 and unit == "object":
                continue

            def predict(g: Grid, unit: str = unit, align: int = align) -> Grid | None:
                return _overlay(g, unit, align)

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- objects into a corner layout
def _lean(p: np.ndarray, filler: int) -> tuple[int, int] | None:
    """The side a part's weight leans to on each axis (-1, 0, 1): the centroid of its cells other than
    ``filler`` against its box centre."""
    ys, xs = np.nonzero((p >= 0) & (p != filler))
    if ys.size == 0:
        return 0, 0
    dy = 2 * ys.sum() - ys.size * (p.shape[0] - 1)  # sign of mean(ys) - centre, in integers
    dx = 2 * xs.sum() - xs.size * (p.shape[1] - 1)
    return int(np.sign(dy)), int(np.sign(dx))


def _corner_layout(g: Grid, filler: int) -> Grid | None:
    bg, parts = _parts(g, "object")
    if len(parts) < 2 or len(parts) > 9:
        return None
    slots: dict[tuple[int, int], np.ndarray] = {}
    for _, _, p in parts:
        s = _lean(p, filler)
        if s is None or s in slots:
            return None
        slots[s] = p
    rows = sorted({s[0] for s in slots})
    cols = sorted({s[1] for s in slots})
    if len(rows) < 2 or len(cols) < 2:  # a layout needs two rows and two columns
        return None
    hs = {r: max(p.shape[0] for s, p in slots.items() if s[0] == r) for r in rows}
    ws = {c: max(p.shape[1] for s, p in slots.items() if s[1] == c) for c in cols}
    ys = dict(zip(rows, itertools.accumulate([0, *(hs[r] for r in rows)]), strict=False))
    xs = dict(zip(cols, itertools.accumulate([0, *(ws[c] for c in cols)]), strict=False))
    canvas = np.full((sum(hs.values()), sum(ws.values())), -1, dtype=np.int16)
    for (r, c), p in slots.items():
        # inside its slot a part keeps to the side it leans to (centred when it leans to neither)
        y = ys[r] + {-1: 0, 0: (hs[r] - p.shape[0]) // 2, 1: hs[r] - p.shape[0]}[r]
        x = xs[c] + {-1: 0, 0: (ws[c] - p.shape[1]) // 2, 1: ws[c] - p.shape[1]}[c]
        if not _paint(canvas, y, x, p):
            return None
    return np.where(canvas < 0, bg, canvas).astype(np.uint8)


def fit_corner_layout(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = the objects packed into a 2 x 2 / 3 x 3 layout, each in the slot its weight leans to
    (the centroid of its cells, optionally not counting a filler colour, against its box centre)."""
    if _has_mark(inputs) or not _smaller(inputs, outputs):
        return None
    fillers = [-1, *sorted({int(c) for b in outputs for c in np.unique(b)} - {0})]
    return _first_fit(_corner_layout, ((filler,) for filler in fillers), inputs, outputs, tests)


# ---------------------------------------------------------------- objects tiled into a rectangle
def _tile(parts: list[np.ndarray], H: int, W: int, ring: bool) -> np.ndarray | None:
    """Translate every part (each once) so that together they cover the H x W rectangle (or with ``ring``
    only its one-cell border) exactly: the first empty cell in reading order must be some unused part's
    first cell, so the search stays small."""
    firsts = [tuple(int(v) for v in np.argwhere(p >= 0)[0]) for p in parts]
    canvas = np.full((H, W), -1, dtype=np.int16)
    if ring:
        canvas[1:-1, 1:-1] = -2  # the inside stays background
    used = [False] * len(parts)
    budget = [2000]  # placements tried: a puzzle with no tiling must fail fast

    def go() -> bool:
        budget[0] -= 1
        if budget[0] < 0:
            return False
        empty = np.flatnonzero(canvas.ravel() == -1)
        if empty.size == 0:
            return all(used)
        y, x = divmod(int(empty[0]), W)
        for i, p in enumerate(parts):
            if used[i]:
                continue
            top, left = y - firsts[i][0], x - firsts[i][1]
            h, w = p.shape
            if top < 0 or left < 0 or top + h > H or left + w > W:
                continue
            win = canvas[top : top + h, left : left + w]
            m = p >= 0
            if (win[m] != -1).any():
                continue
            win[m] = p[m]
            used[i] = True
            if go():
                return True
            win[m] = -1
            used[i] = False
        return False

    return canvas if go() else None


def _jigsaw(g: Grid, unit: str, ring: bool) -> Grid | None:
    bg, found = _parts(g, unit)
    if len(found) < 2 or len(found) > 8:
        return None
    parts = [p for _, _, p in found]
    total = sum(int((p >= 0).sum()) for p in parts)
    mh, mw = max(p.shape[0] for p in parts), max(p.shape[1] for p in parts)
    sides = []
    for h in range(max(mh, 3 if ring else 1), total + 1):
        w = (total + 4) // 2 - h if ring else total // h
        if w >= max(mw, 3 if ring else 1) and (2 * (h + w) - 4 if ring else h * w) == total:
            sides.append((h, w))
    # the squarest rectangle first: with several tilings the compact one is the intended one
    for H, W in sorted(sides, key=lambda s: (abs(s[0] - s[1]), s[0])):
        out = _tile(parts, H, W, ring)
        if out is not None:
            return np.where(out < 0, bg, out).astype(np.uint8)
    return None


def fit_jigsaw(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Output = the input's objects (multicolour, or one colour each) translated, not turned, to tile a
    full rectangle or the border of one (the inside left background), with no overlaps."""
    if _has_mark(inputs) or not _smaller(inputs, outputs):
        return None
    bgs = [background(a) for a in inputs]
    # every input cell is used once: the outputs hold exactly the inputs' coloured cells
    if any(int((a != c).sum()) != int((b != c).sum()) for a, b, c in zip(inputs, outputs, bgs, strict=True)):
        return None
    full = not any((b == c).any() for b, c in zip(outputs, bgs, strict=True))
    for unit, ring in itertools.product(("object", "object1"), (False, True)):
        if ring == full:
            continue

        def predict(g: Grid, unit: str = unit, ring: bool = ring) -> Grid | None:
            return _jigsaw(g, unit, ring)

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- crop the box a colour marks
def _box_colour(g: Grid, which: int) -> int | None:
    """A fixed colour (``which`` >= 0), the rarest non-background colour (-1, unique), or the colour whose
    cells are the four corners of a rectangle (-2, unique)."""
    if which >= 0:
        return which if (g == which).any() else None
    cnt = np.bincount(g.ravel(), minlength=10)
    cnt[background(g)] = 0
    if which == -2:
        found = [
            c
            for c in np.flatnonzero(cnt == 4).tolist()
            if len({*np.nonzero(g == c)[0].tolist()}) == 2 and len({*np.nonzero(g == c)[1].tolist()}) == 2
        ]
        return found[0] if len(found) == 1 else None
    vals = sorted((int(n), c) for c, n in enumerate(cnt.tolist()) if n > 0)
    if not vals or (len(vals) > 1 and vals[0][0] == vals[1][0]):
        return None
    return vals[0][1]


def _box_crop(g: Grid, which: int, margins: tuple[int, int, int, int]) -> Grid | None:
    c = _box_colour(g, which)
    if c is None:
        return None
    ys, xs = np.nonzero(g == c)
    t, b, le, r = margins
    y0, y1 = int(ys.min()) - t, int(ys.max()) + 1 + b
    x0, x1 = int(xs.min()) - le, int(xs.max()) + 1 + r
    if y0 < 0 or x0 < 0 or y1 > g.shape[0] or x1 > g.shape[1] or y1 <= y0 or x1 <= x0:
        return None
    return g[y0:y1, x0:x1].copy()


def fit_colour_box_crop(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = the box of all cells of one colour (fixed, the input's rarest, or the one marking four
    corners), grown (or shrunk) by
    learned margins on each side; the margins are read off the first pair and must hold for the rest."""
    if _has_mark(inputs) or not _smaller(inputs, outputs):
        return None
    a0, b0 = inputs[0], outputs[0]
    shared = set.intersection(*({int(c) for c in np.unique(a)} for a in inputs))
    for which in (*sorted(shared), -1, -2):
        c = _box_colour(a0, which)
        if c is None:
            continue
        ys, xs = np.nonzero(a0 == c)
        dh = b0.shape[0] - (int(ys.max()) + 1 - int(ys.min()))
        dw = b0.shape[1] - (int(xs.max()) + 1 - int(xs.min()))
        if abs(dh) > 4 or abs(dw) > 4:
            continue
        # smallest margins first: hugging the marked box is the likeliest reading
        tops = sorted(range(min(0, dh) - 2, max(0, dh) + 3), key=abs)
        lefts = sorted(range(min(0, dw) - 2, max(0, dw) + 3), key=abs)
        for t, le in itertools.product(tops, lefts):
            margins = (t, dh - t, le, dw - le)
            plain = margins == (0, 0, 0, 0) or (which > 0 and margins == (-1, -1, -1, -1))
            if plain and which != -2 and which != 0:
                # the search's plain crops (crop_colour_bbox / _inside, a unique-colour object) say this
                # more simply; found first at the root, a learner would take their place in the ranking
                continue
            got = _box_crop(a0, which, margins)
            if got is None or not np.array_equal(got, b0):
                continue

            def predict(
                g: Grid, which: int = which, margins: tuple[int, int, int, int] = margins
            ) -> Grid | None:
                return _box_crop(g, which, margins)

            if _verify(predict, inputs, outputs, tests):
                return predict
    return None


# ---------------------------------------------------------------- panels cut by a fixed separator colour
def _panels(g: Grid, sep: int | str) -> list[Grid] | None:
    """The equal-sized panels between full rows/columns of colour ``sep`` (at least two), or for ``h2``,
    ``h3``, ``v2``, ``v3`` the grid cut into equal strips side by side / stacked (no separator)."""
    if isinstance(sep, str):
        k, axis = int(sep[1]), 1 if sep[0] == "h" else 0
        if g.shape[axis] % k:
            return None
        return list(np.split(g, k, axis=axis))
    rows = np.flatnonzero((g == sep).all(axis=1)).tolist()
    cols = np.flatnonzero((g == sep).all(axis=0)).tolist()
    if len(rows) == g.shape[0] or len(cols) == g.shape[1] or not (rows or cols):
        return None
    rb, cb = [-1, *rows, g.shape[0]], [-1, *cols, g.shape[1]]
    spans_r = [(a + 1, b) for a, b in itertools.pairwise(rb) if b > a + 1]
    spans_c = [(a + 1, b) for a, b in itertools.pairwise(cb) if b > a + 1]
    out = [g[r0:r1, c0:c1] for r0, r1 in spans_r for c0, c1 in spans_c]
    if len(out) < 2 or len(out) > 4 or any(p.shape != out[0].shape for p in out):
        return None
    return out


def _panel_bg(ps: list[Grid]) -> int:
    return background(np.concatenate([p.ravel() for p in ps]))


# boolean rules over k panels' masks, as functions of (masks stacked, count of panels coloured per cell)
_BOOL_OPS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "any": lambda m, n: n >= 1,
    "all": lambda m, n: n == len(m),
    "one": lambda m, n: n == 1,
    "none": lambda m, n: n == 0,
    "first_only": lambda m, n: m[0] & (n == 1),
    "last_only": lambda m, n: m[-1] & (n == 1),
}


def _learn_two_colours(hits: list[np.ndarray], outputs: Sequence[Grid]) -> tuple[int, int] | None:
    """The one output colour where the rule holds and the one where it does not, the same on every pair."""
    on: set[int] = set()
    off: set[int] = set()
    for m, b in zip(hits, outputs, strict=True):
        on |= set(np.unique(b[m]).tolist())
        off |= set(np.unique(b[~m]).tolist())
    if len(on) != 1 or len(off) != 1 or on == off:
        return None
    return on.pop(), off.pop()


def fit_sep_overlay(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Output = the panels between full lines of a fixed separator colour, stacked in a learned priority
    order (a cell shows the first panel in the order that is not background there), or a two-colour
    picture of a boolean rule over where the panels are coloured (any, all, exactly one, none, only the
    first/last). Fixing the colour lets a panel hold a full line of another colour, which the generic
    separator finder takes for a cut; without separators the grid is cut into 2 or 3 equal strips. The
    panels' background (their commonest colour) need not be black."""
    if _has_mark(inputs) or not _smaller(inputs, outputs):
        return None
    seps = set.intersection(*({int(c) for c in np.unique(a)} for a in inputs))
    splits: list[int | str] = [*sorted(seps), "h2", "v2", "h3", "v3"]
    for sep in splits:
        panels = [_panels(a, sep) for a in inputs]
        if any(p is None or p[0].shape != b.shape for p, b in zip(panels, outputs, strict=True)):
            continue
        k = len(panels[0])  # type: ignore[arg-type]
        if any(len(p) != k for p in panels):  # type: ignore[arg-type]
            continue
        for order in itertools.permutations(range(k)):

            def predict(g: Grid, sep: int | str = sep, order: tuple[int, ...] = order) -> Grid | None:
                ps = _panels(g, sep)
                if ps is None or len(ps) != len(order):
                    return None
                bg = _panel_bg(ps)
                out = np.full(ps[0].shape, bg, dtype=np.uint8)
                for i in reversed(order):
                    out = np.where(ps[i] != bg, ps[i], out)
                return out.astype(np.uint8)

            if _verify(predict, inputs, outputs, tests):
                return predict
        for op in _BOOL_OPS.values():
            hits = []
            for ps in panels:
                assert ps is not None
                m = np.stack([p != _panel_bg(ps) for p in ps])
                hits.append(op(m, m.sum(axis=0)))
            cols = _learn_two_colours(hits, outputs)
            if cols is None:
                continue

            def predict_bool(
                g: Grid, sep: int | str = sep, op: Callable = op, cols: tuple[int, int] = cols, k: int = k
            ) -> Grid | None:
                ps = _panels(g, sep)
                if ps is None or len(ps) != k:
                    return None
                m = np.stack([p != _panel_bg(ps) for p in ps])
                return np.where(op(m, m.sum(axis=0)), cols[0], cols[1]).astype(np.uint8)

            if _verify(predict_bool, inputs, outputs, tests):
                return predict_bool
    return None


# ---------------------------------------------------------------- a template scaled into a frame
def _frame_box(g: Grid, bg: int, kind: str) -> tuple[int, int, int, int] | None:
    """The box (r0, c0, r1, c1) marked by four corner cells of one colour (``corners``) or by the one
    hollow rectangle of one colour (``border``)."""
    if kind == "corners":
        found = None
        for c in np.unique(g).tolist():
            if c == bg:
                continue
            ys, xs = np.nonzero(g == c)
            if ys.size != 4 or len(set(ys.tolist())) != 2 or len(set(xs.tolist())) != 2:
                continue
            if found is not None:
                return None
            found = (int(ys.min()), int(xs.min()), int(ys.max()) + 1, int(xs.max()) + 1)
        return found
    found = None
    for o in objects(g, bg, False, False):
        h, w = o.shape
        if h < 3 or w < 3 or o.size != 2 * (h + w) - 4:
            continue
        m = o.mask
        if not (m[0].all() and m[-1].all() and m[:, 0].all() and m[:, -1].all()):
            continue
        if found is not None:
            return None
        found = (o.r0, o.c0, o.r1, o.c1)
    return found


def _side_matches(out: Grid, y: int, x: int, big: Grid, bg: int) -> int:
    """How many of a placed template's cells touch (4-neighbour, outside the template) a cell of the box
    of the same colour: the template is turned so that its colours meet the frame's."""
    h, w = big.shape
    n = 0
    for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        for i, j in zip(*np.nonzero(big != bg), strict=True):
            yy, xx, ii, jj = y + i + dy, x + j + dx, i + dy, j + dx
            if 0 <= ii < h and 0 <= jj < w:
                continue
            if 0 <= yy < out.shape[0] and 0 <= xx < out.shape[1] and out[yy, xx] == big[i, j]:
                n += 1
    return n


_TURNS: dict[str, Callable[[Grid], Grid]] = {
    "id": lambda t: t,
    "fliplr": lambda t: t[:, ::-1],
    "flipud": lambda t: t[::-1],
    "rot180": lambda t: t[::-1, ::-1],
}


def _frame_fit(g: Grid, kind: str, turns: bool = False) -> Grid | None:
    bg = background(g)
    box = _frame_box(g, bg, kind)
    if box is None:
        return None
    r0, c0, r1, c1 = box
    outside = g != bg
    outside[r0:r1, c0:c1] = False
    if not outside.any():
        return None
    ys, xs = np.nonzero(outside)
    tpl0 = g[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    out = g[r0:r1, c0:c1].copy()
    content = np.zeros(out.shape, dtype=bool)  # the pieces already inside (the frame's own cells aside)
    content[1:-1, 1:-1] = out[1:-1, 1:-1] != bg
    H, W = out.shape
    fits = []
    for turn in _TURNS.values() if turns else (_TURNS["id"],):
        tpl = turn(tpl0)
        for k in range(1, 1 + min(H // tpl.shape[0], W // tpl.shape[1])):
            big = np.kron(tpl, np.ones((k, k), dtype=np.uint8))
            h, w = big.shape
            if not content.any():
                # an empty frame: the template, scaled, fills its inside exactly
                if (h, w) == (H - 2, W - 2):
                    fits.append((1, 1, big))
                continue
            on = big != bg
            for y in range(H - h + 1):
                for x in range(W - w + 1):
                    win = out[y : y + h, x : x + w]
                    if ((win != bg) & on & (win != big)).any():
                        continue
                    cover = np.zeros_like(content)
                    cover[y : y + h, x : x + w] = on
                    if (content & ~cover).any():
                        continue
                    fits.append((y, x, big))
    if turns and len(fits) > 1:
        # several ways in: keep the one whose colours meet the frame's same colours most
        score = [_side_matches(out, y, x, big, bg) for y, x, big in fits]
        best = max(score)
        # ties go to the least change (the order of _TURNS): untouched, mirrored, then turned
        fits = [f for f, sc in zip(fits, score, strict=True) if sc == best and best > 0][:1]
    if len(fits) != 1:  # ambiguous (or no) placement: refuse rather than guess
        return None
    y, x, big = fits[0]
    win = out[y : y + big.shape[0], x : x + big.shape[1]]
    win[big != bg] = big[big != bg]
    return out


def fit_frame_fit(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Output = the box marked by four corner cells (or a hollow rectangle), with the picture found
    outside it scaled up by the factor that fits: filling an empty frame's inside, or covering the
    pieces already inside the box (one placement only). Failing that, the picture may also be mirrored
    or turned half round, the way its colours best meet the same colours on the frame."""
    if _has_mark(inputs) or not _smaller(inputs, outputs):
        return None
    kinds = []
    for kind in ("corners", "border"):
        boxes = [_frame_box(a, background(a), kind) for a in inputs]
        shapes = [None if bx is None else (bx[2] - bx[0], bx[3] - bx[1]) for bx in boxes]
        if shapes == [b.shape for b in outputs]:
            kinds.append(kind)
    return _first_fit(
        _frame_fit,
        ((kind, turns) for turns, kind in itertools.product((False, True), kinds)),
        inputs,
        outputs,
        tests,
    )


# ---------------------------------------------------------------- one colour per panel, looked up by its pattern
def _panel_keys(g: Grid, key: str) -> tuple[int, int, list[bytes]] | None:
    """The panel layout (rows x columns of the separator grid) and each panel's pattern: its exact
    content, or (``mask``) which of its cells are coloured (not black, not separator)."""
    lay = _cell_grid(g)
    if lay is None:
        return None
    rows, cols, sep = lay
    keys = []
    for r0, r1 in rows:
        for c0, c1 in cols:
            cell = g[r0:r1, c0:c1]
            body = cell.tobytes() if key == "exact" else np.packbits((cell != 0) & (cell != sep)).tobytes()
            keys.append(bytes(cell.shape) + body)
    return len(rows), len(cols), keys


def _panel_layout(values: list[int], nr: int, nc: int, layout: str, side: int) -> Grid | None:
    v = np.array(values, dtype=np.uint8)
    if layout == "grid":
        return v.reshape(nr, nc)
    if nr != 1 and nc != 1:
        return None
    if layout == "rows":  # panel i fills output row i (panels read left to right or top to bottom)
        return np.repeat(v[:, None], side, axis=1)
    return np.repeat(v[None, :], side, axis=0)


def fit_panel_lookup(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """For grids split by separator lines: every panel's pattern (the set of its coloured cells) stands
    for a colour, learned from train (a pattern seen with two colours refutes it); output = one cell per
    panel, or for a single row/column of panels one full output row/column per panel."""
    if _has_mark(inputs) or not _smaller(inputs, outputs):
        return None
    for key, layout in itertools.product(("mask", "exact"), ("grid", "rows", "cols")):
        found = [_panel_keys(a, key) for a in inputs]
        if any(f is None for f in found):
            return None
        table: dict[bytes, int] = {}
        side = outputs[0].shape[1] if layout == "rows" else outputs[0].shape[0]
        ok = True
        for f, b in zip(found, outputs, strict=True):
            assert f is not None
            nr, nc, keys = f
            k = len(keys)
            want = {"grid": (nr, nc), "rows": (k, side), "cols": (side, k)}[layout]
            if b.shape != want:
                ok = False
                break
            vals = b.ravel() if layout == "grid" else (b[:, 0] if layout == "rows" else b[0, :])
            for kk, v in zip(keys, vals.tolist(), strict=True):
                if table.setdefault(kk, v) != v:
                    ok = False
                    break
            if not ok:
                break
        # a lookup needs evidence: some pattern seen twice, and at least two colours
        if not ok or len(set(table.values())) < 2 or len(table) >= sum(len(f[2]) for f in found if f):
            continue

        def predict(
            g: Grid, key: str = key, layout: str = layout, table: dict[bytes, int] = table, side: int = side
        ) -> Grid | None:
            f = _panel_keys(g, key)
            if f is None or any(k not in table for k in f[2]):
                return None
            return _panel_layout([table[k] for k in f[2]], f[0], f[1], layout, side)

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


ASSEMBLY_LEARNERS: list[tuple[str, Learner]] = [
    ("anchor_overlay", fit_anchor_overlay),
    ("corner_layout", fit_corner_layout),
    ("jigsaw", fit_jigsaw),
    ("colour_box_crop", fit_colour_box_crop),
    ("sep_overlay", fit_sep_overlay),
    ("frame_fit", fit_frame_fit),
    ("panel_lookup", fit_panel_lookup),
]
