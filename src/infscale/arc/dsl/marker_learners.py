"""Marker learners: markers that move to an anchor or seed a repeated pattern, and periodic recolourings.

Same contract as :mod:`.learners`: ``fit(train_in, train_out, test_in) -> Predictor | None``, a predictor
only when it reproduces every train pair exactly and applies to every test input. Every learner refuses
early (shape change, no marker, too many markers, nothing of the expected kind changes) so it stays cheap
on the search's intermediate states, and the readings are tried simplest first.

- :func:`fit_attract`: markers (cells with no same-coloured neighbour) slide in a straight line to the
  nearest anchor seen in their row or column (a line/object of their own colour, any non-marker cell, or a
  colour learned per marker colour), piling up against it; they keep their colour or take the anchor's,
  and markers that see no anchor are deleted or stay.
- :func:`fit_pattern_rays`: every cell shoots rays in learned directions painted with a learned periodic
  sequence (its own colour alternating with fixed colours), up to the edge or the next cell.
- :func:`fit_line_repeat`: two markers each draw a line across the grid, and the pair of lines repeats
  with period twice their distance towards the far edge.
- :func:`fit_midpoint_stamp`: a learned pattern is drawn at the midpoint of two same-coloured markers.
- :func:`fit_phase_recolour`: a cell's new colour depends on its colour and its row/column index modulo
  small periods (counted from either edge); every recoloured case is seen twice in train.
- :func:`fit_run_continue`: a contiguous run of cells in a row/column repeats over its whole line.
- :func:`fit_diagonal_period`: a pattern constant along diagonals is completed over the masked cells,
  its lattice read off each grid's own known cells.
- :func:`fit_step_toward`: markers take one step (diagonals allowed) towards the nearest cell of a
  colour learned per marker colour.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from .object_learners import _first_fit, _has_mark, _verify
from .objects import background
from .primitives import Grid

Predictor = Callable[[Grid], Grid | None]

_MAX_MARKERS = 40
_DIRS4 = ((-1, 0), (1, 0), (0, -1), (0, 1))
_DIRS8 = (*_DIRS4, (-1, -1), (-1, 1), (1, -1), (1, 1))


def _isolated(g: Grid, bg: int) -> np.ndarray:
    """Cells of a non-background colour with no 8-neighbour of the same colour."""
    h, w = g.shape
    p = np.pad(g.astype(np.int16), 1, constant_values=-1)
    alone = g != bg
    for dy, dx in _DIRS8:
        alone &= p[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] != g
    return alone


# ---------------------------------------------------------------- attraction to an anchor
# mode "same": markers go to a bigger object of their own colour; "any": to any non-marker cell;
# "table": marker colour -> anchor colour learned from train
_Attract = tuple[str, dict[int, int], bool, bool]  # mode, table, take anchor colour, keep orphans


def _attract(g: Grid, mode: str, table: dict[int, int], recolour: bool, keep: bool) -> Grid | None:
    bg = background(g)
    alone = _isolated(g, bg)
    if mode == "table":
        alone &= np.isin(g, list(table))
    ys, xs = np.nonzero(alone)
    if ys.size == 0 or ys.size > _MAX_MARKERS:
        return None
    h, w = g.shape
    out = g.copy()
    out[alone] = bg
    moves: list[
        tuple[int, int, int, int, int, int, int]
    ] = []  # distance, y, x, dy, dx, colour, anchor colour
    for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
        c = int(g[y, x])
        if mode == "same":
            anchor = (g == c) & ~alone
        elif mode == "any":
            anchor = (g != bg) & ~alone
        else:
            anchor = g == table[c]
        best: list[tuple[int, int, int]] = []
        for dy, dx in _DIRS4:
            t, yy, xx = 1, y + dy, x + dx
            while 0 <= yy < h and 0 <= xx < w and not anchor[yy, xx]:
                t, yy, xx = t + 1, yy + dy, xx + dx
            if 0 <= yy < h and 0 <= xx < w:
                best.append((t, dy, dx))
        if not best:
            if keep:
                out[y, x] = c
            continue
        best.sort()
        if len(best) > 1 and best[0][0] == best[1][0]:
            return None  # equidistant anchors: no direction to choose
        t, dy, dx = best[0]
        moves.append((t, y, x, dy, dx, c, int(g[y + t * dy, x + t * dx])))
    for t, y, x, dy, dx, c, a in sorted(moves):
        # from the cell next to the anchor back towards the marker, the first free cell (markers pile up)
        k = t - 1
        while k > 0 and out[y + k * dy, x + k * dx] != bg:
            k -= 1
        if k == 0 and out[y, x] != bg:
            return None
        out[y + k * dy, x + k * dx] = a if recolour else c
    return out


def _tables(inputs: Sequence[Grid], outputs: Sequence[Grid]) -> list[dict[int, int]]:
    """Candidate marker colour -> anchor colour tables: markers that vanish, anchors seen with them."""
    movers: set[int] = set()
    present: dict[int, set[int]] = {}
    for a, b in zip(inputs, outputs, strict=True):
        bg = background(a)
        alone = _isolated(a, bg)
        gone = alone & (b != a)
        cols = set(np.unique(a).tolist()) - {bg}
        for c in np.unique(a[gone]).tolist():
            movers.add(c)
            present[c] = present.get(c, cols) & cols - {c}
    if not movers or len(movers) > 3:
        return []
    keys = sorted(movers)
    choices = [sorted(present[c]) for c in keys]
    if any(not ch for ch in choices) or np.prod([len(ch) for ch in choices]) > 64:
        return []
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*choices)]


def fit_attract(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Markers slide to the nearest anchor in their row/column (see the module docstring)."""
    if _has_mark(inputs) or _has_mark(tests):
        return None
    moved = False
    for a, b in zip(inputs, outputs, strict=True):
        if a.shape != b.shape:
            return None
        bg = background(a)
        # a marker leaves its cell and nothing but markers moves away
        gone = (a != bg) & (b == bg)
        if gone.any():
            if not _isolated(a, bg)[gone].all():
                return None
            moved = True
    if not moved:
        return None
    configs: list[_Attract] = []
    for mode, table in [("same", {}), ("any", {})] + [("table", t) for t in _tables(inputs, outputs)]:
        for recolour in (False, True):
            if recolour and mode == "same":
                continue
            for keep in (False, True):
                configs.append((mode, table, recolour, keep))
    return _first_fit(_attract, configs, inputs, outputs, tests)


# ---------------------------------------------------------------- rays painted with a periodic sequence
_OWN = -1


def _pattern_rays(g: Grid, dirs: Sequence[tuple[int, int]], seq: Sequence[int]) -> Grid | None:
    bg = background(g)
    ys, xs = np.nonzero(g != bg)
    if ys.size == 0 or ys.size > _MAX_MARKERS:
        return None
    h, w = g.shape
    out = g.copy()
    p = len(seq)
    for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
        c = int(g[y, x])
        for dy, dx in dirs:
            t, yy, xx = 1, y + dy, x + dx
            while 0 <= yy < h and 0 <= xx < w and g[yy, xx] == bg:
                v = seq[t % p]
                out[yy, xx] = c if v == _OWN else v
                t, yy, xx = t + 1, yy + dy, xx + dx
    return out


def _ray_sequence(
    inputs: Sequence[Grid], outputs: Sequence[Grid], d: tuple[int, int], period: int
) -> list[int] | None:
    """The colours (own = -1) painted at each step mod ``period`` along direction ``d``, if consistent."""
    seq: list[int | None] = [None] * period
    dy, dx = d
    for a, b in zip(inputs, outputs, strict=True):
        bg = background(a)
        h, w = a.shape
        ys, xs = np.nonzero(a != bg)
        for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
            c = int(a[y, x])
            t, yy, xx = 1, y + dy, x + dx
            while 0 <= yy < h and 0 <= xx < w and a[yy, xx] == bg:
                v = int(b[yy, xx])
                code = _OWN if v == c else v
                if code == bg:
                    return None
                k = t % period
                if seq[k] is None:
                    seq[k] = code
                elif seq[k] != code:
                    return None
                t, yy, xx = t + 1, yy + dy, xx + dx
    if any(s is None for s in seq) or len(set(seq)) < 2:
        return None  # unseen steps, or a plain ray (other learners draw those)
    return [int(s) for s in seq if s is not None]


def fit_pattern_rays(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Every cell shoots rays in learned directions, painted with a periodic colour sequence."""
    if _has_mark(inputs) or _has_mark(tests):
        return None
    # a direction is kept when every cell with a free neighbour that way sees it painted
    seen: dict[tuple[int, int], bool] = {}
    for a, b in zip(inputs, outputs, strict=True):
        if a.shape != b.shape:
            return None
        bg = background(a)
        d = a != b
        if (d & (a != bg)).any() or not (a != bg).any():
            return None
        if int((a != bg).sum()) > _MAX_MARKERS:
            return None
        h, w = a.shape
        ys, xs = np.nonzero(a != bg)
        for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
            for dy, dx in _DIRS8:
                yy, xx = y + dy, x + dx
                if 0 <= yy < h and 0 <= xx < w and a[yy, xx] == bg:
                    seen[(dy, dx)] = seen.get((dy, dx), True) and bool(d[yy, xx])
    ordered = sorted(k for k, v in seen.items() if v)
    if not ordered or len(ordered) > 4:
        return None
    for period in (2, 3, 4):
        seqs = [_ray_sequence(inputs, outputs, dd, period) for dd in ordered]
        if any(s is None for s in seqs) or any(s != seqs[0] for s in seqs):
            continue
        seq = seqs[0]
        assert seq is not None

        def predict(g: Grid, seq=seq) -> Grid | None:
            return _pattern_rays(g, ordered, seq)

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- two lines repeated
def _line_repeat(g: Grid, both_ways: bool) -> Grid | None:
    bg = background(g)
    ys, xs = np.nonzero(g != bg)
    h, w = g.shape
    if ys.size != 2 or h == w:
        return None
    # the lines cross the short side and repeat along the long one
    across_rows = h > w
    pos = ys if across_rows else xs
    order = np.argsort(pos, kind="stable")
    p1, p2 = int(pos[order[0]]), int(pos[order[1]])
    c1, c2 = int(g[ys[order[0]], xs[order[0]]]), int(g[ys[order[1]], xs[order[1]]])
    d = p2 - p1
    if d <= 0:
        return None
    out = g.copy()
    n = h if across_rows else w
    start = p1 - 2 * d * ((p1 // (2 * d)) if both_ways else 0)
    for k, q in enumerate(range(start, n, d)):
        colour = c1 if (k + (p1 - start) // d) % 2 == 0 else c2
        if across_rows:
            out[q, :] = colour
        else:
            out[:, q] = colour
    return out


def fit_line_repeat(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Two markers draw lines across the grid, repeated with period twice their distance."""
    if _has_mark(inputs) or _has_mark(tests):
        return None
    for a, b in zip(inputs, outputs, strict=True):
        if a.shape != b.shape or int((a != background(a)).sum()) != 2:
            return None
    return _first_fit(_line_repeat, ((both_ways,) for both_ways in (False, True)), inputs, outputs, tests)


# ---------------------------------------------------------------- stamp at the midpoint of two markers
def _midpoints(g: Grid) -> list[tuple[int, int]] | None:
    """Midpoints of same-coloured marker pairs in a row or column (two markers per colour)."""
    bg = background(g)
    alone = _isolated(g, bg)
    if not (alone == (g != bg)).all():
        return None
    ys, xs = np.nonzero(alone)
    if ys.size == 0 or ys.size > _MAX_MARKERS:
        return None
    by_colour: dict[int, list[tuple[int, int]]] = {}
    for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
        by_colour.setdefault(int(g[y, x]), []).append((y, x))
    mids = []
    for cells in by_colour.values():
        if len(cells) != 2:
            return None
        (y0, x0), (y1, x1) = cells
        if (y0 != y1 and x0 != x1) or (y0 + y1) % 2 or (x0 + x1) % 2:
            return None
        mids.append(((y0 + y1) // 2, (x0 + x1) // 2))
    return mids


def _stamp_at(g: Grid, stamp: dict[tuple[int, int], int]) -> Grid | None:
    mids = _midpoints(g)
    if not mids:
        return None
    bg = background(g)
    h, w = g.shape
    out = g.copy()
    for y, x in mids:
        for (dy, dx), v in stamp.items():
            yy, xx = y + dy, x + dx
            if 0 <= yy < h and 0 <= xx < w and g[yy, xx] == bg:
                out[yy, xx] = v
    return out


def fit_midpoint_stamp(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Between two same-coloured markers in a row/column, a learned pattern is drawn at the midpoint."""
    if _has_mark(inputs) or _has_mark(tests):
        return None
    stamp: dict[tuple[int, int], int] = {}
    for a, b in zip(inputs, outputs, strict=True):
        if a.shape != b.shape:
            return None
        mids = _midpoints(a)
        if not mids or len(mids) > 1:
            return None  # the stamp is read off pairs with one midpoint
        y, x = mids[0]
        ys, xs = np.nonzero(a != b)
        for yy, xx in zip(ys.tolist(), xs.tolist(), strict=True):
            off, v = (yy - y, xx - x), int(b[yy, xx])
            if max(abs(off[0]), abs(off[1])) > 3 or stamp.get(off, v) != v:
                return None
            stamp[off] = v
    if not stamp:
        return None

    def predict(g: Grid) -> Grid | None:
        return _stamp_at(g, stamp)

    return predict if _verify(predict, inputs, outputs, tests) else None


# ---------------------------------------------------------------- recolouring by position phase
def _phase(h: int, w: int, p: int, q: int, from_end_r: bool, from_end_c: bool) -> np.ndarray:
    r = np.arange(h)[:, None]
    c = np.arange(w)[None, :]
    if from_end_r:
        r = h - 1 - r
    if from_end_c:
        c = w - 1 - c
    return (r % p) * 4 + (c % q)  # type: ignore[no-any-return]


def _consistent(inputs: Sequence[Grid], outputs: Sequence[Grid], p: int, q: int, er: bool, ec: bool) -> bool:
    """No (colour, row phase, column phase) goes to two output colours."""
    # one flat table over every key (colour < 256, phases < 16): a scatter and a gather per pair, no sort
    table = np.full(256 * 256, -1, dtype=np.int16)
    for a, b in zip(inputs, outputs, strict=True):
        h, w = a.shape
        r = np.arange(h)[:, None] if not er else h - 1 - np.arange(h)[:, None]
        c = np.arange(w)[None, :] if not ec else w - 1 - np.arange(w)[None, :]
        k = (a.astype(np.int64) * 256 + (r % p) * 16 + (c % q)).ravel()
        v = b.ravel().astype(np.int16)
        prev = table[k]
        if ((prev >= 0) & (prev != v)).any():  # a key an earlier pair sent elsewhere
            return False
        table[k] = v
        if (table[k] != v).any():  # a key of this pair going to two colours (the last write won)
            return False
    return True


def fit_phase_recolour(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Cells are recoloured by their colour and their row/column index modulo a small period."""
    if _has_mark(inputs) or _has_mark(tests):
        return None
    split = False  # some colour takes two outputs (else a colour map does it)
    for a, b in zip(inputs, outputs, strict=True):
        if a.shape != b.shape:
            return None
        codes = np.unique(a.ravel().astype(np.int64) * 16 + b.ravel()) // 16
        split = split or np.unique(codes).size != codes.size
    if not split:
        return None
    # necessary: consistency at period 12 (a multiple of every period tried) from some origin
    origins = [
        (er, ec)
        for er, ec in itertools.product((False, True), (False, True))
        if _consistent(inputs, outputs, 12, 12, er, ec)
    ]
    if not origins:
        return None
    periods = sorted(
        ((p, q) for p in range(1, 5) for q in range(1, 5) if p * q > 1), key=lambda t: t[0] * t[1]
    )
    for (p, q), (er, ec) in itertools.product(periods, origins):
        if (p == 1 and er) or (q == 1 and ec):
            continue
        table = np.full((10, 16), -1, dtype=np.int16)
        seen = np.zeros(160, dtype=np.int64)
        ok = True
        for a, b in zip(inputs, outputs, strict=True):
            key = a.astype(np.int64) * 16 + _phase(a.shape[0], a.shape[1], p, q, er, ec)
            codes = np.unique(key.ravel() * 16 + b.ravel())
            k, v = codes // 16, codes % 16
            if np.unique(k).size != k.size:
                ok = False
                break
            prev = table.ravel()[k]
            if ((prev >= 0) & (prev != v)).any():
                ok = False
                break
            table.ravel()[k] = v
            seen += np.bincount(key.ravel(), minlength=160)
        if not ok:
            continue
        # two observations of every recoloured (colour, phase): a larger period would only memorise cells
        changed = (table.ravel() >= 0) & (table.ravel() != np.arange(160) // 16)
        if (seen[changed] < 2).any():
            continue
        # the phase must matter: some colour takes two outputs (else a colour map does it)
        if not any(np.unique(row[row >= 0]).size > 1 for row in table):
            continue
        flat = table.ravel()

        def predict(g: Grid, flat=flat, p=p, q=q, er=er, ec=ec) -> Grid | None:
            key = g.astype(np.int64) * 16 + _phase(g.shape[0], g.shape[1], p, q, er, ec)
            out = flat[key]
            if (out < 0).any():
                return None
            return out.astype(np.uint8)

        if _verify(predict, inputs, outputs, tests):
            return predict
    return None


# ---------------------------------------------------------------- a run continued along its line
def _continue_runs(g: Grid, axes: tuple[int, ...]) -> Grid | None:
    bg = background(g)
    out = g.copy()
    done = False
    for axis in axes:
        lines = g if axis == 0 else g.T
        view = out if axis == 0 else out.T
        n = lines.shape[1]
        for i in range(lines.shape[0]):
            idx = np.nonzero(lines[i] != bg)[0]
            if idx.size < 2 or idx.size == n or idx[-1] - idx[0] + 1 != idx.size:
                continue  # one contiguous run of two cells or more, short of the full line
            run = lines[i, idx[0] : idx[-1] + 1]
            phase = (np.arange(n) - int(idx[0])) % idx.size
            view[i] = run[phase]
            done = True
    return out if done else None


def fit_run_continue(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """A contiguous run of cells in a row/column is repeated periodically over its whole line."""
    if _has_mark(inputs) or _has_mark(tests):
        return None
    for a, b in zip(inputs, outputs, strict=True):
        if a.shape != b.shape:
            return None
        bg = background(a)
        if ((a != b) & (a != bg)).any() or not (a != b).any():
            return None
    return _first_fit(_continue_runs, ((axes,) for axes in ((0,), (1,), (0, 1))), inputs, outputs, tests)


# ---------------------------------------------------------------- diagonal periodic fill
def _diagonal_fill(g: Grid, mask: int) -> Grid | None:
    """Fill ``mask`` cells from the fewest-class diagonal lattice ((row +- column) mod k) the rest fits."""
    known = g != mask
    if known.all() or not known.any():
        return None
    h, w = g.shape
    r, c = np.arange(h)[:, None], np.arange(w)[None, :]
    vals = g[known].astype(np.int64)
    for k in range(2, 7):
        for sign in (1, -1):
            label = (r + sign * c) % k
            lk = label[known]
            table = np.full(k, -1, dtype=np.int64)
            table[lk] = vals
            if (table < 0).any() or not np.array_equal(table[lk], vals):
                continue  # a class never seen, or two colours in one class
            return table[label].astype(np.uint8)  # type: ignore[no-any-return]
    return None


def fit_diagonal_period(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """A pattern constant along diagonals (period k across them) is completed over the masked cells."""
    if _has_mark(inputs) or _has_mark(tests):
        return None
    masks: set[int] = set()
    for a, b in zip(inputs, outputs, strict=True):
        if a.shape != b.shape:
            return None
        d = a != b
        if not d.any():
            return None
        masks |= set(np.unique(a[d]).tolist())
        if len(masks) > 1:
            return None
    mask = masks.pop()

    def predict(g: Grid) -> Grid | None:
        return _diagonal_fill(g, mask)

    return predict if _verify(predict, inputs, outputs, tests) else None


# ---------------------------------------------------------------- one step towards an anchor
def _step_toward(g: Grid, table: dict[int, int]) -> Grid | None:
    bg = background(g)
    alone = _isolated(g, bg) & np.isin(g, list(table))
    ys, xs = np.nonzero(alone)
    if ys.size == 0 or ys.size > _MAX_MARKERS:
        return None
    out = g.copy()
    out[alone] = bg
    for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
        c = int(g[y, x])
        ay, ax = np.nonzero(g == table[c])
        if ay.size == 0:
            return None
        dist = np.maximum(abs(ay - y), abs(ax - x))
        if (dist == dist.min()).sum() > 1:
            return None  # two nearest anchors: no direction to choose
        i = int(dist.argmin())
        yy, xx = y + int(np.sign(ay[i] - y)), x + int(np.sign(ax[i] - x))
        if (yy, xx) == (int(ay[i]), int(ax[i])):
            yy, xx = y, x  # already touching: stays
        if out[yy, xx] != bg:
            return None
        out[yy, xx] = c
    return out


def fit_step_toward(
    inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]
) -> Predictor | None:
    """Markers of some colours take one step (diagonals allowed) towards the nearest cell of a learned colour."""
    if _has_mark(inputs) or _has_mark(tests):
        return None
    for a, b in zip(inputs, outputs, strict=True):
        if a.shape != b.shape:
            return None
        bg = background(a)
        gone = (a != bg) & (b == bg)
        if not gone.any() or not _isolated(a, bg)[gone].all():
            return None
    return _first_fit(_step_toward, ((table,) for table in _tables(inputs, outputs)), inputs, outputs, tests)


MARKER_LEARNERS: list[
    tuple[str, Callable[[Sequence[Grid], Sequence[Grid], Sequence[Grid]], Predictor | None]]
] = [
    ("attract", fit_attract),
    ("pattern_rays", fit_pattern_rays),
    ("line_repeat", fit_line_repeat),
    ("midpoint_stamp", fit_midpoint_stamp),
    ("phase_recolour", fit_phase_recolour),
    ("run_continue", fit_run_continue),
    ("diagonal_period", fit_diagonal_period),
    ("step_toward", fit_step_toward),
]
