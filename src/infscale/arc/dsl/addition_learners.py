"""Addition learners: same-shape tasks whose outputs only paint background cells of the input.

Same contract as :mod:`.learners`: ``fit(train_in, train_out, test_in) -> Predictor | None``, a predictor
only when it reproduces every train pair exactly and applies to every test input.

- :func:`fit_ray_paths`: straight rays that do not simply stop at the first obstacle, on any background
  colour. Sources: the cells of some colours (directions and ray colour learned per colour), every coloured
  cell (shared directions, its own colour), the ends of straight line objects (continuing the line), or
  cells that aim: straight towards, away from or both ways from the cells of a target colour they see.
  At a coloured cell a ray stops, passes under it, steps aside and goes on, turns a quarter, or bounces off
  it; at the grid border it stops, turns or bounces; where two rays meet the later one paints over or stops.
  :func:`.object_learners.fit_colour_rays` covers rays from cells that stop at (or pass under) obstacles on
  background 0, :func:`.pattern_learners.fit_extend_tails` lines continued up to an obstacle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .objects import objects
from .primitives import Grid

Predictor = Callable[[Grid], Grid | None]
Learner = Callable[[Sequence[Grid], Sequence[Grid], Sequence[Grid]], Predictor | None]
# (start row, start column, dy, dx, ray colour)
Job = tuple[int, int, int, int, int]
Rays = dict[int, list[tuple[int, int, int]]]

_DIRS8 = ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))
# more rays than this are a texture, not rays (and the Python walk gets slow); more coloured cells than
# _MAX_CELLS: not a sparse picture
_MAX_RAYS = 40
_MAX_CELLS = 300
#: quarter turns a ray may make (a second turn at a border would run it back along the border)
_MAX_TURNS = 1
#: bounces a ray may make
_MAX_BOUNCES = 4
# what a ray does when the next cell is a coloured input cell / off the grid
_OBSTACLE = ("stop", "pass", "step_l", "step_r", "turn_l", "turn_r", "bounce")
_BORDER = ("stop", "turn_l", "turn_r", "bounce")
# a cell two rays reach: the later ray (raster order of the sources) paints over, or stops there
_OVERLAP = ("over", "stop")


def _bg(g: Grid) -> int:
    return int(np.bincount(g.ravel(), minlength=10).argmax())


def _additive(inputs: Sequence[Grid], outputs: Sequence[Grid]) -> int | None:
    """The shared background when every pair keeps its shape and only paints background cells."""
    bg = -1
    changed = False
    for a, b in zip(inputs, outputs, strict=True):
        if a.shape != b.shape:
            return None
        g = _bg(a)
        if bg not in (-1, g):
            return None
        bg = g
        d = a != b
        if (d & (a != bg)).any():
            return None
        changed = changed or bool(d.any())
    return bg if changed else None


def _turn(dy: int, dx: int, side: str) -> tuple[int, int]:
    """(dy, dx) turned a quarter clockwise ("r") or anticlockwise ("l")."""
    return (dx, -dy) if side == "r" else (-dx, dy)


def _tails(g: Grid, bg: int) -> list[tuple[int, int, int, int, int]]:
    """(end row, end column, dy, dx, colour) for both ends of every straight single-colour line object of
    two or more cells (row, column or diagonal), pointing away from the line."""
    out = []
    for o in objects(g, bg, True, False):
        if o.size < 2:
            continue
        ys, xs = np.nonzero(o.mask)
        hh, ww = o.shape
        if hh == 1 or ww == 1:
            dy, dx = (0, 1) if hh == 1 else (1, 0)
        elif hh == ww == o.size and (np.diff(xs) == 1).all():
            dy, dx = 1, 1
        elif hh == ww == o.size and (np.diff(xs) == -1).all():
            dy, dx = 1, -1
        else:
            continue
        if o.size != max(hh, ww):
            continue
        y0, x0, y1, x1 = o.r0 + ys[0], o.c0 + xs[0], o.r0 + ys[-1], o.c0 + xs[-1]
        out.append((int(y0), int(x0), -dy, -dx, o.colour))
        out.append((int(y1), int(x1), dy, dx, o.colour))
    return out


_DIRS4 = _DIRS8[:4]
_BACK4 = (1, 0, 3, 2)  # index of the opposite direction
_AIMS = ("toward", "away", "both")


def _hits(g: Grid, bg: int, y: int, x: int) -> list[int]:
    """Per straight direction, the first coloured cell's colour seen from (y, x) (-1: the border)."""
    hh, ww = g.shape
    out = []
    for dy, dx in _DIRS4:
        yy, xx = y + dy, x + dx
        while 0 <= yy < hh and 0 <= xx < ww and g[yy, xx] == bg:
            yy, xx = yy + dy, xx + dx
        out.append(int(g[yy, xx]) if 0 <= yy < hh and 0 <= xx < ww else -1)
    return out


def _aim_rows(g: Grid, bg: int) -> list[tuple[int, int, int]]:
    """Sparse cells that may aim: (row, column, colour) of the cells whose colour covers few cells."""
    cnt = np.bincount(g.ravel(), minlength=10)
    ys, xs = np.nonzero((g != bg) & (cnt[g] <= _MAX_RAYS))
    return [(y, x, int(g[y, x])) for y, x in zip(ys.tolist(), xs.tolist(), strict=True)]


def _learn_aims(inputs: Sequence[Grid], outputs: Sequence[Grid], bg: int) -> tuple[Rays, dict[int, set]]:
    """Per source colour, a target colour (-2: the source's own colour) and whether its cells shoot
    straight at the target cells they see ("toward"), straight away from them ("away") or both, explaining
    exactly which first cells are painted; with the commonest first-cell colour as the ray colour. When
    every aim is "at its own colour, in its own colour" alike, it holds for any colour (key -1). Also the
    colours each colour's cells saw, to refuse test cells that see a colour their colour's never saw."""
    samples: dict[int, list[tuple[list[int], list[int]]]] = {}  # colour -> (hits, first cell per dir)
    seen: dict[int, set] = {}
    for a, b in zip(inputs, outputs, strict=True):
        hh, ww = a.shape
        for y, x, c in _aim_rows(a, bg):
            firsts = []
            for dy, dx in _DIRS4:
                yy, xx = y + dy, x + dx
                inside = 0 <= yy < hh and 0 <= xx < ww and a[yy, xx] == bg
                firsts.append(int(b[yy, xx]) if inside else -1)  # -1: no first cell
            hits = _hits(a, bg, y, x)
            samples.setdefault(c, []).append((hits, firsts))
            seen.setdefault(c, set()).update(hits)
    aims: Rays = {}
    for c, rows in samples.items():
        targets = [-2, *sorted({h for hits, _ in rows for h in hits} - {-1})]
        for target in targets:
            t = c if target == -2 else target
            for kind in range(len(_AIMS)):
                painted: list[int] = []
                ok = True
                for hits, firsts in rows:
                    for i, f in enumerate(firsts):
                        want = (kind != 1 and hits[i] == t) or (kind != 0 and hits[_BACK4[i]] == t)
                        if f < 0:
                            continue
                        if want != (f != bg):
                            ok = False
                            break
                        if want:
                            painted.append(f)
                    if not ok:
                        break
                if ok and len(painted) >= 2:
                    aims[c] = [(target, kind, max(set(painted), key=painted.count))]
                    break
            if c in aims:
                break
    rules = {(t, k, rc == c) for c, ((t, k, rc),) in aims.items()}
    if len(rules) == 1 and next(iter(rules))[0] == -2 and next(iter(rules))[2]:
        aims = {-1: [(-2, next(iter(rules))[1], -1)]}
    return aims, seen


def _jobs(g: Grid, bg: int, source: str, rays: Rays, dirs: tuple[tuple[int, int], ...]) -> list[Job]:
    """The rays to shoot: per source colour its learned (dy, dx, colour) ("colour"), every coloured cell
    along ``dirs`` in its own colour ("own"), the ends of line objects with the colour learned for the
    line's colour ("tail"), per source colour the straight rays towards / away from the cells of a target
    colour it sees ("aim", see :func:`_learn_aims`)."""
    if source == "tail":
        return [(y, x, dy, dx, rays[c][0][2]) for y, x, dy, dx, c in _tails(g, bg) if c in rays]
    ys, xs = np.nonzero(g != bg)
    jobs: list[Job] = []
    for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
        c = int(g[y, x])
        if source == "aim":
            if c in rays or -1 in rays:
                target, kind, rc = rays[c if c in rays else -1][0]
                target, rc = c if target == -2 else target, c if rc == -1 else rc
                hits = _hits(g, bg, y, x)
                for (dy, dx), h, back in zip(_DIRS4, hits, _BACK4, strict=True):
                    if (kind != 1 and h == target) or (kind != 0 and hits[back] == target):
                        jobs.append((y, x, dy, dx, rc))
        elif source == "own":
            jobs.extend((y, x, dy, dx, c) for dy, dx in dirs)
        else:
            jobs.extend((y, x, dy, dx, rc) for dy, dx, rc in rays.get(c, ()))
    return jobs


def _shoot_paths(
    g: Grid,
    bg: int,
    jobs: list[Job],
    obstacle: str,
    border: str,
    overlap: str,
    events: list[int],
    who: np.ndarray | None = None,
) -> Grid:
    """Paint every ray; a ray starts only where its first cell is background. ``events`` counts how often
    a ray met an obstacle and the border (after its first cell); ``who`` (when given) gets the index of the job that painted
    each cell last."""
    hh, ww = g.shape
    out = g.copy()
    painted = np.zeros(g.shape, dtype=bool)
    limit = 2 * hh * ww

    def blocked(y: int, x: int) -> bool:
        return not (0 <= y < hh and 0 <= x < ww) or g[y, x] != bg

    for k, (y, x, dy, dx, rc) in enumerate(jobs):
        turns = bounces = steps = 0
        first = True
        while steps < limit:
            steps += 1
            ny, nx = y + dy, x + dx
            off = not (0 <= ny < hh and 0 <= nx < ww)
            if off or g[ny, nx] != bg:
                policy = border if off else obstacle
                if first:
                    break
                events[1 if off else 0] += 1
                if policy == "stop":
                    break
                if policy == "pass":
                    y, x = ny, nx
                    continue
                if policy == "bounce":
                    if bounces >= _MAX_BOUNCES:
                        break
                    bounces += 1
                    by, bx = dy != 0 and blocked(y + dy, x), dx != 0 and blocked(y, x + dx)
                    if bx and not by:
                        dx = -dx
                    elif by and not bx:
                        dy = -dy
                    else:
                        dy, dx = -dy, -dx
                    continue
                if policy.startswith("turn"):
                    if turns >= _MAX_TURNS:
                        break
                    turns += 1
                    dy, dx = _turn(dy, dx, policy[-1])
                    continue
                sy, sx = _turn(dy, dx, policy[-1])  # step aside, then on in the same direction
                ny, nx = y + sy, x + sx
                if blocked(ny, nx):
                    break
            if painted[ny, nx] and overlap == "stop":
                break
            first = False
            out[ny, nx] = rc
            painted[ny, nx] = True
            if who is not None:
                who[ny, nx] = k
            y, x = ny, nx
    return out


def _drop_overpainting(
    inputs: Sequence[Grid],
    outputs: Sequence[Grid],
    bg: int,
    source: str,
    rays: Rays,
    dirs: tuple[tuple[int, int], ...],
) -> tuple[Rays, tuple[tuple[int, int], ...]] | None:
    """The rays without those whose first straight run (the same under every policy) paints a cell train
    leaves empty: per colour and direction ("colour"), per direction ("own"); in the other modes one such
    ray refutes the mode (None)."""
    bad: set[tuple[int, ...]] = set()
    for a, b in zip(inputs, outputs, strict=True):
        jobs = _jobs(a, bg, source, rays, dirs)
        for k, (y, x, dy, dx, _) in enumerate(jobs):
            key = (int(a[y, x]), dy, dx) if source == "colour" else (dy, dx)
            if key in bad:
                continue
            one = _shoot_paths(a, bg, jobs[k : k + 1], "stop", "stop", "over", [0, 0])
            if ((one != a) & (b == bg)).any():
                if source not in ("colour", "own"):
                    return None
                bad.add(key)
    rays = {c: kept for c, v in rays.items() if (kept := [r for r in v if (c, r[0], r[1]) not in bad])}
    dirs = tuple(d for d in dirs if d not in bad)
    return None if not rays and not dirs else (rays, dirs)


#: rounds of dropping the per-colour rays that painted cells train leaves empty
_PRUNE_ROUNDS = 3


def _fit_policy(
    inputs: Sequence[Grid],
    outputs: Sequence[Grid],
    bg: int,
    source: str,
    rays: Rays,
    dirs: tuple[tuple[int, int], ...],
    policy: tuple[str, str, str],
) -> Rays | None:
    """The ray table (``rays`` or a part of it) with which ``policy`` reproduces every train pair, each
    non-stop rule acting at least once (a policy train never exercised is a guess on the test inputs).
    The per-colour directions are read off first cells, which a crossing ray may have painted: in
    "colour" mode the rays that paint cells train leaves empty are dropped and the rest tried again."""
    obstacle, border, overlap = policy
    pairs = sorted(zip(inputs, outputs, strict=True), key=lambda ab: ab[0].size)  # small first: fail fast
    for _ in range(_PRUNE_ROUNDS if source == "colour" else 1):
        events = [0, 0]
        bad: set[tuple[int, int, int]] = set()
        for a, b in pairs:
            jobs = _jobs(a, bg, source, rays, dirs)
            if len(jobs) > _MAX_RAYS:
                return None
            who = np.full(a.shape, -1, np.int32) if source == "colour" else None
            p = _shoot_paths(a, bg, jobs, obstacle, border, overlap, events, who)
            wrong = p != b
            if not wrong.any():
                continue
            if who is None or (b[wrong] != bg).any():
                return None  # a cell left out or of another colour: no table of fewer rays helps
            for k in set(who[wrong].tolist()):
                y, x, dy, dx, _ = jobs[k]
                bad.add((int(a[y, x]), dy, dx))
        if not bad:
            if (events[0] == 0 and obstacle != "stop") or (events[1] == 0 and border != "stop"):
                return None
            return rays
        rays = {c: kept for c, v in rays.items() if (kept := [r for r in v if (c, r[0], r[1]) not in bad])}
        if not rays:
            return None
    return None


def _learn_rays(inputs: Sequence[Grid], outputs: Sequence[Grid], bg: int) -> tuple[Rays, tuple, Rays]:
    """What the first cell of each candidate ray shows on train: per source colour the directions whose
    first cell is always painted (with its commonest colour); the directions in which every coloured cell
    paints its first cell in its own colour; per line colour, the colour a line's ends always continue in."""
    keys: list[np.ndarray] = []  # source colour * 8 + direction index, per first cell
    vals: list[np.ndarray] = []  # what the output shows there
    own_n = [0] * 8  # first cells per direction, and whether each showed its source's colour
    own_ok = [True] * 8
    tails: dict[int, list[int]] = {}
    for a, b in zip(inputs, outputs, strict=True):
        hh, ww = a.shape
        ys, xs = np.nonzero(a != bg)
        cols = a[ys, xs].astype(np.int64)
        for k, (dy, dx) in enumerate(_DIRS8):
            y, x = ys + dy, xs + dx
            ok = (y >= 0) & (y < hh) & (x >= 0) & (x < ww)
            y, x, c = y[ok], x[ok], cols[ok]
            free = a[y, x] == bg
            y, x, c = y[free], x[free], c[free]
            got = b[y, x]
            own_n[k] += got.size
            own_ok[k] = own_ok[k] and bool((got == c).all())
            keys.append(c * 8 + k)
            vals.append(got.astype(np.int64))
        for ty, tx, dy, dx, tc in _tails(a, bg):
            ty, tx = ty + dy, tx + dx
            if 0 <= ty < hh and 0 <= tx < ww and a[ty, tx] == bg:
                tails.setdefault(tc, []).append(int(b[ty, tx]))
    rays: Rays = {}
    key, val = np.concatenate(keys), np.concatenate(vals)
    for kk in np.unique(key).tolist():
        v = val[key == kk]
        if v.size >= 2 and not (v == bg).any():
            dy, dx = _DIRS8[kk % 8]
            rays.setdefault(kk // 8, []).append((dy, dx, int(np.bincount(v).argmax())))
    dirs = tuple(d for d, n, ok in zip(_DIRS8, own_n, own_ok, strict=True) if n >= 2 and ok)
    tail_rays: Rays = {
        c: [(0, 0, max(set(v), key=v.count))] for c, v in tails.items() if len(v) >= 2 and bg not in v
    }
    return rays, dirs, tail_rays


def fit_ray_paths(inputs: Sequence[Grid], outputs: Sequence[Grid], tests: Sequence[Grid]) -> Predictor | None:
    """Rays that step aside, turn or bounce at obstacles or at the border (see the module doc)."""
    bg = _additive(inputs, outputs)
    if bg is None or any(_bg(t) != bg for t in tests):
        return None
    if any(int((a != bg).sum()) > _MAX_CELLS for a in (*inputs, *tests)):
        return None
    rays, dirs, tail_rays = _learn_rays(inputs, outputs, bg)
    train_cols = {int(c) for a in inputs for c in np.unique(a)}
    test_cols = {int(c) for t in tests for c in np.unique(t)}
    modes: list[tuple[str, Rays, tuple[tuple[int, int], ...]]] = []
    if rays and test_cols <= train_cols:
        modes.append(("colour", rays, ()))
    # every colour shoots alike: shown by two source colours on train, or no new colour on test
    if dirs and (test_cols <= train_cols or len(train_cols - {bg}) >= 2):
        modes.append(("own", {}, dirs))
    if tail_rays and test_cols <= train_cols:
        modes.append(("tail", tail_rays, ()))
    aims, seen = _learn_aims(inputs, outputs, bg)
    # a test cell that sees colours its colour's cells never saw on train: which way it shoots is a guess
    if aims and all(
        c in seen and set(_hits(t, bg, y, x)) <= seen[c] for t in tests for y, x, c in _aim_rows(t, bg)
    ):
        modes.append(("aim", aims, ()))
    for source, mode_rays, mode_dirs in modes:
        kept = _drop_overpainting(inputs, outputs, bg, source, mode_rays, mode_dirs)
        if kept is None:
            continue
        mode_rays, mode_dirs = kept
        # the other policies matter only when some straight run meets an obstacle / the border and the
        # straight runs leave painted cells uncovered (else going on could only paint cells train leaves empty)
        met = [0, 0]
        short = False
        for a, b in zip(inputs, outputs, strict=True):
            p = _shoot_paths(a, bg, _jobs(a, bg, source, mode_rays, mode_dirs), "stop", "stop", "over", met)
            short = short or bool(((p == bg) & (b != bg)).any())
        for obstacle in _OBSTACLE if met[0] and short else _OBSTACLE[:1]:
            for border in _BORDER if met[1] and short else _BORDER[:1]:
                if border == "stop" and obstacle in ("stop", "pass") and bg == 0 and source == "colour":
                    continue  # straight rays on background 0: fit_colour_rays
                for overlap in _OVERLAP:
                    fitted = _fit_policy(
                        inputs, outputs, bg, source, mode_rays, mode_dirs, (obstacle, border, overlap)
                    )
                    if fitted is None:
                        continue

                    def predict(
                        g: Grid,
                        s: str = source,
                        r: Rays = fitted,
                        d: tuple[tuple[int, int], ...] = mode_dirs,
                        o: str = obstacle,
                        b: str = border,
                        v: str = overlap,
                    ) -> Grid | None:
                        if _bg(g) != bg or int((g != bg).sum()) > _MAX_CELLS:
                            return None
                        jobs = _jobs(g, bg, s, r, d)
                        if len(jobs) > _MAX_RAYS:
                            return None
                        return _shoot_paths(g, bg, jobs, o, b, v, [0, 0])

                    if all(predict(t) is not None for t in tests):
                        return predict
    return None


ADDITION_LEARNERS: list[tuple[str, Learner]] = [("ray_paths", fit_ray_paths)]
