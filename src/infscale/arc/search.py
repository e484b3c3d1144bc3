"""Program search: breadth-first composition of whole-grid transforms with deduplication.

A search state is the tuple of grids obtained by running one program on every train input and every test
input at once (icecuber's trick), so a program is verified on train and predicted on test in one go, and
two programs that give identical grids everywhere are the same node (deduplicated by the grids' bytes).
Each state is checked against the train outputs exactly, up to a learned colour map, and (at shallow
depth) by the per-task learners fitted on top of it. Layers are expanded best-first by a cheap closeness
heuristic, within a wall-clock deadline and a node budget. States with the outputs' shapes are pooled;
after depth 1 and at the end, :func:`infscale.arc.compose.compose` lays pooled states on top of each other
to reproduce outputs no single program gives.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from .compose import PoolEntry, compose
from .dsl import kernels, list_ops
from .dsl.learners import LEARNERS, Learner, apply_colour_map, fit_colour_map
from .dsl.primitives import MARK, Grid, Transform, fixed_out_shape, transforms_for


@dataclass
class Candidate:
    """A program that reproduces every train pair (or the best partial one) and its test predictions."""

    program: str
    complexity: float
    train_score: float
    predictions: list[Grid]
    weak: bool = False  # verified on train but with a guess for unseen cases: ranked after the others
    found_s: float = 0.0  # seconds into the search when it was found (for budget curves)
    support: int = 1  # distinct programs (this one included) that gave the same test predictions
    pairs_right: float = 1.0  # share of the train pairs reproduced exactly (below 1: a partial fit)
    #: a learner fit that, refitted without one train pair, predicts that pair wrongly: the pairs admit
    #: another reading of the rule (ranked after the sturdy fits; the search goes on looking for one)
    fragile: bool = False


@dataclass
class SearchResult:
    candidates: list[Candidate]  # exact fits, simplest first
    fallbacks: list[Candidate]  # best partial fits, best first
    nodes: int
    depth_reached: int
    timed_out: bool
    elapsed_s: float = 0.0
    notes: list[str] = field(default_factory=list)


def absorb_simpler(kept: Candidate, program: str, complexity: float) -> None:
    """An equally trusted program giving ``kept``'s test outputs: the answer is as simple as its simplest
    program (Occam), so it takes the lower complexity and that program's name; otherwise a learner fitted
    first would rank the answer below a wrong, simpler program found later."""
    if complexity < kept.complexity:
        kept.complexity = complexity
        kept.program = program


def best_fallbacks(partial: Iterable[Candidate]) -> list[Candidate]:
    """The ``FALLBACKS`` best partial fits: most train pairs right exactly, then most cells, then simplest."""
    return sorted(partial, key=lambda c: (-c.pairs_right, -c.train_score, c.complexity))[:FALLBACKS]


#: A rigid motion: its name, the motion and its inverse.
Motion = tuple[str, Callable[[Grid], Grid], Callable[[Grid], Grid]]


def _key(grids: Sequence[Grid]) -> bytes:
    return b"|".join([bytes(g.shape) + g.tobytes() for g in grids])


class _Search:
    def __init__(
        self,
        train_in: list[Grid],
        train_out: list[Grid],
        test_in: list[Grid],
        max_depth: int,
        deadline: float,
        max_nodes: int,
        learner_depth: int,
    ) -> None:
        self.train_out = train_out
        self.n = len(train_in)
        self.root = tuple(train_in + test_in)
        self.max_depth = max_depth
        self.deadline = deadline
        self.max_nodes = max_nodes
        self.learner_depth = learner_depth
        self.learner_states = 40
        colours = sorted({int(c) for g in (*train_in, *train_out, *test_in) for c in np.unique(g)})
        self.transforms = transforms_for(colours, fixed_out_shape(train_in, train_out))
        self.out_shapes = [o.shape for o in train_out]
        self._out_c = [kernels.as_grid(o) for o in train_out]  # the outputs as the kernels take them
        self.out_colours = [np.bincount(o.ravel(), minlength=11) > 0 for o in train_out]
        self.same_shape = all(i.shape == o.shape for i, o in zip(train_in, train_out, strict=True))
        self.candidates: list[Candidate] = []
        self.weak: list[Candidate] = []
        self.t0 = time.perf_counter()
        self.fallbacks: list[Candidate] = []
        self.seen_predictions: dict[bytes, Candidate] = {}
        self.nodes = 0
        self.learner_runs: dict[str, int] = {}  # states each learner with a ``max_states`` cap ran on
        self.pool: list[PoolEntry] = []  # states with the outputs' shapes: pieces for compose()
        self.composed = -1  # pool size at the last composition
        self.timed_out = False
        self.depth_reached = 0
        self.notes: list[str] = []

    # ------------------------------------------------------------ checks
    def _add(
        self,
        program: str,
        complexity: float,
        preds: Sequence[Grid],
        weak: bool = False,
        score: float = 1.0,
        fragile: bool = False,
    ) -> None:
        """Record a program fitting train; ``weak`` guesses unseen cases, and a ``score`` below 1 says the
        train pairs do not support that guess (it is then kept for the attempts but not counted a fit)."""
        if any(p is None or p.shape[0] > 30 or p.shape[1] > 30 or (p > 9).any() for p in preds):
            return
        k = _key(preds)
        support = 1
        if (first := self.seen_predictions.get(k)) is not None:
            if (first.weak, -first.train_score) <= (weak, -score):
                # Another program agreeing on every test output: independent evidence for that answer.
                first.support += 1
                first.fragile = first.fragile and (fragile or weak)
                if (first.weak, first.train_score) == (weak, score):
                    absorb_simpler(first, program, complexity)
                return
            # A stronger program (verified, or a supported guess) gives the weaker one's outputs: it replaces it.
            (self.weak if first.weak else self.candidates).remove(first)
            support += first.support
        c = Candidate(
            program,
            complexity,
            score,
            [np.asarray(p, np.uint8) for p in preds],
            weak,
            support=support,
            fragile=fragile and not weak,
        )
        self.seen_predictions[k] = c
        c.found_s = time.perf_counter() - self.t0
        (self.weak if weak else self.candidates).append(c)

    def _check(self, state: tuple[Grid, ...], program: list[str], depth: int) -> None:
        tr, te = state[: self.n], state[self.n :]
        if not all(g.shape == s for g, s in zip(tr, self.out_shapes, strict=True)):
            return
        same = [g == o for g, o in zip(tr, self.train_out, strict=True)]  # for the exact test and the score
        if len(self.pool) < POOL_LIMIT or (
            len(self.pool) < POOL_LIMIT + PIECE_LIMIT
            and all(not ((g != 0) & ~m).any() for g, m in zip(tr, same, strict=True))
            and any((g != 0).any() for g in tr)
        ):
            # past the limit, whole pieces only (every opaque cell right): compose() uses nothing else
            self.pool.append(PoolEntry(state, " | ".join(program) or "identity", depth))
        if all(m.all() for m in same):
            self._add(" | ".join(program) or "identity", depth, te)
            return
        cmap = self._colour_map(tr)
        if cmap is not None:
            preds = [apply_colour_map(g, cmap) for g in te]
            if all(p is not None for p in preds):
                desc = ",".join(f"{a}>{b}" for a, b in sorted(cmap.items()) if a != b)
                self._add(" | ".join([*program, f"colour_map({desc})"]), depth + 0.5, preds)  # type: ignore[arg-type]
                return
        if self.same_shape and depth > 0 and self._overlay(tr, te, program, depth):
            return
        # count / size: the same float as np.mean of the boolean mask (an exact sum, one division); and
        # below 8 terms numpy sums in order, as sum() does (from 8 on it sums pairwise)
        accs = [np.count_nonzero(m) / m.size for m in same]
        acc = sum(accs) / len(accs) if len(accs) < 8 else float(np.mean(accs))
        # Partial fits rank by the train pairs they get exactly right, then by cells right (icecuber's order:
        # a program right on 2 of 3 pairs is a better guess than one that is nearly right on each)
        pairs = sum(bool(m.all()) for m in same) / len(same) if PAIRS_FIRST else 0.0
        better = len(self.fallbacks) < FALLBACKS or (pairs, acc) > (
            self.fallbacks[-1].pairs_right,
            self.fallbacks[-1].train_score,
        )
        if better and not any((g >= MARK).any() for g in te):
            self._add_fallbacks(
                [Candidate(" | ".join(program) or "identity", depth, acc, list(te), pairs_right=pairs)]
            )

    def _colour_map(self, tr: Sequence[Grid]) -> dict[int, int] | None:
        """``fit_colour_map(tr, train outputs)`` (the first ``len(tr)`` outputs); on the kernel when enabled
        (no sorting of codes)."""
        if not kernels.ENABLED:
            return fit_colour_map(tr, self.train_out[: len(tr)])
        table = _UNSEEN.copy()
        for g, o in zip(tr, self._out_c[: len(tr)], strict=True):
            if g.shape != o.shape:
                return None
            if not kernels.colour_table(kernels.as_grid(g), o, table):
                return None
        if (table[11:] >= 0).any():  # a colour beyond MARK: the reference's own outcome (an error)
            return fit_colour_map(tr, self.train_out[: len(tr)])
        return {int(i): int(v) for i, v in enumerate(table[:11]) if v >= 0}

    def _overlay_table(self, tr: Sequence[Grid], ins: Sequence[Grid], mode: str) -> np.ndarray | None:
        """The colour table of the overlay ``mode`` (see :meth:`_overlay`) on the first ``len(tr)`` pairs, or
        None: no such overlay."""
        if kernels.ENABLED:
            table = _UNSEEN.copy()
            for g, i, o in zip(tr, ins, self._out_c[: len(tr)], strict=True):
                if not kernels.overlay_table(
                    kernels.as_grid(g), kernels.as_grid(i), o, table, mode == "paint"
                ):
                    return None
            if not (table[11:] >= 0).any():
                return table[:11]
        table = np.full(11, -1, dtype=np.int64)
        for g, i, o in zip(tr, ins, self.train_out[: len(tr)], strict=True):
            top = g != 0 if mode == "paint" else i == 0
            if not np.array_equal(i[~top], o[~top]):
                return None
            codes = np.unique(g[top].astype(np.int64) * 16 + o[top])
            a, b = codes // 16, codes % 16
            if np.unique(a).size != a.size or ((table[a] >= 0) & (table[a] != b)).any():
                return None
            table[a] = b
        return table

    def _overlay(self, tr: Sequence[Grid], te: Sequence[Grid], program: list[str], depth: int) -> bool:
        """Output = the input with the program's non-zero cells painted on top (colours via a learned map),
        or the program's grid with the input's non-zero cells on top."""
        ins, tins = self.root[: self.n], self.root[self.n :]
        if any(g.shape != i.shape for g, i in zip(te, tins, strict=True)):
            return False
        for mode in _MODES:
            table = self._overlay_table(tr, ins, mode)
            if table is None:
                continue
            cmap = {int(k): int(v) for k, v in enumerate(table) if v >= 0}
            preds = []
            for g, i in zip(te, tins, strict=True):
                top = g != 0 if mode == "paint" else i == 0
                painted = apply_colour_map(np.where(top, g, 0).astype(np.uint8), {0: 0, **cmap})
                if painted is None:
                    break
                preds.append(np.where(top, painted, i).astype(np.uint8))
            else:
                if any(not np.array_equal(p, i) for p, i in zip(preds, tins, strict=True)):
                    self._add(" | ".join([*program, f"overlay_{mode}"]), depth + 0.7, preds)
                    return True
        return False

    def _promising(self, r0: Grid) -> bool:
        """Whether a last-layer state whose first train grid is ``r0`` (of the first output's shape) can pass
        :meth:`_check` on the first pair: exact up to a colour map, an overlay, a whole piece for compose (while
        pieces are pooled), or a partial score above the worst kept fallback (the score over all pairs is a
        mean, so this last test is a heuristic)."""
        if self._colour_map([r0]) is not None:
            return True
        if self.same_shape and any(self._overlay_table([r0], self.root[:1], m) is not None for m in _MODES):
            return True
        if len(self.fallbacks) < FALLBACKS:
            return True
        o0 = self.train_out[0]
        if PAIRS_FIRST and r0.shape == o0.shape and np.array_equal(r0, o0):
            return True  # right on the first pair: a partial fit that may beat the kept ones
        if (
            len(self.pool) < POOL_LIMIT + PIECE_LIMIT
            and (r0 != 0).any()
            and not ((r0 != 0) & (r0 != o0)).any()
        ):
            return True  # a whole piece on the first pair
        return bool(np.count_nonzero(r0 == o0) / r0.size > self.fallbacks[-1].train_score)

    def _learners(
        self,
        state: tuple[Grid, ...],
        program: list[str],
        depth: int,
        motion: Motion | None = None,
    ) -> None:
        """Fit every learner on ``state``; with a rigid ``motion`` (name, forward, inverse) on the task turned
        by it (state and outputs), the test predictions turned back."""
        tr, te = list(state[: self.n]), list(state[self.n :])
        outs = self.train_out if motion is None else [motion[1](o) for o in self.train_out]
        marked = any((g >= MARK).any() for g in tr)  # once per state, not once per learner
        shaped = all(g.shape == o.shape for g, o in zip(tr, outs, strict=True))
        for name, fit in LEARNERS:
            if (depth > 0 or motion is not None) and name.endswith("_default"):
                continue
            if motion is not None and name in ORIENTED_SKIP:
                continue
            # A costly same-shape learner declares on how many states of a search it may run: the first ones
            # with the outputs' shapes (others it refuses at no cost), i.e. the raw task and the closest states.
            if (cap := getattr(fit, "max_states", None)) is not None and shaped:
                if self.learner_runs.get(name, 0) >= cap:
                    continue
                self.learner_runs[name] = self.learner_runs.get(name, 0) + 1
            if time.perf_counter() > self.deadline:
                self.timed_out = True
                return
            if marked and name != "local_rule":
                continue
            try:
                pred = fit(tr, outs, te)
            except (ValueError, IndexError, MemoryError):
                pred = None
            if pred is None:
                continue
            # A learner is only accepted when its predictor reproduces train exactly.
            try:
                if not all(
                    (p := pred(a)) is not None and p.shape == b.shape and np.array_equal(p, b)
                    for a, b in zip(tr, outs, strict=True)
                ):
                    continue
                preds = [pred(g) for g in te]
            except (ValueError, IndexError, KeyError):
                continue
            if all(p is not None for p in preds):
                weak = name.endswith("_default")
                score = float(getattr(pred, "confidence", 1.0))  # a weak learner's support for its guess
                fragile = not weak and LOO_CHECK and self._fragile(fit, tr, outs)
                steps = [*program, f"learn_{name}"]
                cost = depth + 1.5
                if motion is not None:
                    preds = [motion[2](p) for p in preds if p is not None]
                    steps = [f"turn_{motion[0]}", *steps, "turn_back"]
                    cost += ORIENTED_COST
                self._add(" | ".join(steps), cost, preds, weak, score, fragile)  # type: ignore[arg-type]

    @staticmethod
    def _fragile(fit: Learner, tr: list[Grid], outs: list[Grid]) -> bool:
        """True when the learner, fitted without one train pair, predicts that pair wrongly (a refusal is no
        evidence either way)."""
        if len(tr) < 3:
            return False
        for i in range(len(tr)):
            try:
                pred = fit(tr[:i] + tr[i + 1 :], outs[:i] + outs[i + 1 :], [tr[i]])
                p = pred(tr[i]) if pred is not None else None
            except (ValueError, IndexError, KeyError, MemoryError):
                continue
            if p is not None and (p.shape != outs[i].shape or not np.array_equal(p, outs[i])):
                return True
        return False

    def _held_out_learners(self, deadline: float) -> None:
        """Partial fits from the learners fitted on all train pairs but one (2 or more pairs), then, with 4 or
        more pairs, on all but two: a learner that reproduces the pairs it was given exactly gives a fallback
        right on at least (n-k)/n pairs. A task's pairs sometimes hold one the learner cannot read (an
        exception, a clipped object); the learners are strict, so such fits are rare and often right. On the
        unsolved dev tasks: all but one, 16 fits in 14 tasks, 4 right on test; all but two, 9 fits in 6
        tasks, 2 right."""
        tr, te = list(self.root[: self.n]), list(self.root[self.n :])
        outs = self.train_out
        found: dict[bytes, Candidate] = {}
        for k in (1, 2):
            if self.n < 2 * k:
                break
            for name, fit in LEARNERS:
                if name.endswith("_default"):
                    continue  # its guesses are no evidence (and its fits are kept as weak already)
                for left in itertools.combinations(range(self.n), k):
                    if time.perf_counter() > deadline:
                        self.timed_out = True
                        self._add_fallbacks(found.values())
                        return
                    keep = [i for i in range(self.n) if i not in left]
                    rest_in, rest_out = [tr[i] for i in keep], [outs[i] for i in keep]
                    try:
                        pred = fit(rest_in, rest_out, te)
                        if pred is None or not all(
                            (p := pred(a)) is not None and p.shape == b.shape and np.array_equal(p, b)
                            for a, b in zip(rest_in, rest_out, strict=True)
                        ):
                            continue
                        preds = [pred(g) for g in te]
                        held = [pred(tr[i]) for i in left]
                    except (ValueError, IndexError, KeyError, MemoryError):
                        continue
                    if any(p is None or p.shape[0] > 30 or p.shape[1] > 30 or (p > 9).any() for p in preds):
                        continue
                    accs = [
                        0.0 if h is None or h.shape != outs[i].shape else float((h == outs[i]).mean())
                        for h, i in zip(held, left, strict=True)
                    ]
                    if all(a == 1.0 for a in accs):
                        continue  # right on every pair: the learner refused the whole task for a reason
                    fb = Candidate(
                        f"learn_{name}(without pair {' '.join(str(i + 1) for i in left)})",
                        1.5,
                        (len(keep) + sum(accs)) / self.n,
                        [np.asarray(p, np.uint8) for p in preds],  # type: ignore[arg-type]
                        pairs_right=(len(keep) + sum(a == 1.0 for a in accs)) / self.n,
                    )
                    key = _key(fb.predictions)
                    if key not in found or (fb.pairs_right, fb.train_score) > (
                        found[key].pairs_right,
                        found[key].train_score,
                    ):
                        found[key] = fb
        self._add_fallbacks(found.values())

    def _add_fallbacks(self, more: Iterable[Candidate]) -> None:
        self.fallbacks = best_fallbacks([*self.fallbacks, *more])

    def _oriented_learners(self) -> None:
        """The learners on the raw task turned by each rigid motion: many learners have a fixed direction
        or reading order (rays to the right, a count laid out as a row), so a task that is their rule turned
        by 90 degrees or mirrored escapes them. Solved ARC-AGI-1 training tasks turned by 90 degrees lost 14 of
        327, 11 of them learner fits."""
        for motion in _MOTIONS:
            self._tick()
            self._learners(tuple(np.ascontiguousarray(motion[1](g)) for g in self.root), [], 0, motion)

    def _closeness(self, state: tuple[Grid, ...]) -> float:
        score = 0.0
        for g, s, cols in zip(state[: self.n], self.out_shapes, self.out_colours, strict=True):
            score += (g.shape == s) * 2.0 + (g.shape[0] == s[0]) * 0.5 + (g.shape[1] == s[1]) * 0.5
            present = np.bincount(g.ravel(), minlength=11) > 0
            score += float((present & cols).sum()) / float((present | cols).sum())
        return score / self.n

    def _learner_order(
        self, layer: list[tuple[float, tuple[Grid, ...], list[str]]]
    ) -> list[tuple[float, tuple[Grid, ...], list[str]]]:
        """``layer`` (sorted by closeness) with ties broken by the cells already right (states of the outputs'
        shapes): most tasks have more tied states than learner slots, and the vocabulary's order alone
        decided which got learners, so a new transform could displace a learner's fit."""

        def right(state: tuple[Grid, ...]) -> float:
            cells = [
                np.count_nonzero(g == o) / o.size if g.shape == o.shape else 0.0
                for g, o in zip(state[: self.n], self.train_out, strict=True)
            ]
            return sum(cells) / len(cells)

        return sorted(layer, key=lambda x: (-x[0], -right(x[1])))

    # ------------------------------------------------------------ the search
    def run(self, stop_after: int) -> None:
        """Iterative deepening: depth 1 breadth-first (learners on the closest states: the first
        ``EARLY_LEARNER_STATES`` before the depth-2 pass, the rest of ``learner_states`` after it), then for
        each deeper limit a depth-first pass from the depth-1 states in order of closeness. In the last layer of
        a pass a transform is run on the first train input alone first, and skipped when that cannot
        match the first output's shape (the cheap pruning that makes deeper passes affordable)."""
        root = self.root
        self.checked = {_key(root)}
        self._check(root, [], 0)
        self._learners(root, [], 0)
        self.stop_after = stop_after
        try:
            layer1: list[tuple[float, tuple[Grid, ...], list[str]]] = []
            self.depth_reached = 1
            for name, t in self._children(root, last=False, extra=FIRST_STEP):
                k = _key(t)
                if k in self.checked:
                    continue
                self.nodes += 1
                self.checked.add(k)
                self._check(t, [name], 1)
                layer1.append((self._closeness(t), t, [name]))
            layer1.sort(key=lambda x: -x[0])
            # Learners on the closest depth-1 states first, on the others after the depth-2 pass: the
            # closest states hold most of the learners' fits, and on large grids the learners on 40 states
            # alone can take the whole budget, which left no time for depth 2.
            early = (
                self.learner_states if self.max_depth < 2 else min(EARLY_LEARNER_STATES, self.learner_states)
            )
            chosen = self._learner_order(layer1) if LEARNER_TIE_BREAK else layer1
            later = chosen[early : self.learner_states] if self.learner_depth >= 1 else []
            if self.learner_depth >= 1:
                self._learners_on(chosen[:early])
            if ORIENTED_LEARNERS:
                self._oriented_learners()
            self.compose_pool(self.deadline)  # early, so that the search is anytime for compositions too
            for limit in range(2, self.max_depth + 1):
                if self._sturdy():  # a pass that found a fit is final: deeper programs are less simple
                    break
                if limit == 3 and later:
                    self._learners_on(later)
                    later = []
                    if self._sturdy():
                        break
                self.depth_reached = limit
                self.seen: dict[bytes, int] = {_key(root): 0}
                self.seen.update((_key(t), 1) for _, t, _ in layer1)
                for _, t, p in layer1:
                    self._dfs(t, p, 1, limit)
                self.notes.append(f"depth {limit} done at {time.perf_counter() - self.t0:.2f}s")
            if later and not self.candidates:  # max_depth 2: no depth-3 pass to precede
                self._learners_on(later)
        except _Stop:
            return

    def _sturdy(self) -> bool:
        """A fit was found that no held-out train pair contradicts."""
        return any(not c.fragile for c in self.candidates)

    def _learners_on(self, states: Sequence[tuple[float, tuple[Grid, ...], list[str]]]) -> None:
        for _, t, p in states:
            self._tick()
            self._learners(t, p, 1)

    def compose_pool(self, deadline: float) -> None:
        """Add the compositions of the states pooled so far (see :mod:`infscale.arc.compose`)."""
        if len(self.candidates) < self.stop_after and len(self.pool) != self.composed:
            self.composed = len(self.pool)
            for c in compose(self.pool, self.train_out, deadline=deadline):
                self._add(c.program, c.complexity, c.predictions)

    def _tick(self) -> None:
        if self.nodes >= self.max_nodes or time.perf_counter() > self.deadline:
            self.timed_out = True
            raise _Stop
        if len(self.candidates) >= self.stop_after:
            raise _Stop

    def _children(self, state: tuple[Grid, ...], last: bool, extra: bool = False):
        first_shape = self.out_shapes[0]
        transforms = self.transforms + _first_step_transforms() if extra else self.transforms
        clock, deadline, max_nodes, stop_after = (
            time.perf_counter,
            self.deadline,
            self.max_nodes,
            self.stop_after,
        )
        # Last layer with the compose pool full: a state can only be a fit (exact, colour map, overlay) or
        # a better fallback, and that shows on the first pair, so the other grids are computed only then.
        screen = last and SCREEN_LAST_LAYER and len(self.pool) >= POOL_LIMIT
        for name, f in transforms:
            # _tick() inlined (this runs for every transform at every node); it raises _Stop
            if self.nodes >= max_nodes or clock() > deadline or len(self.candidates) >= stop_after:
                self._tick()
            r0 = f(state[0])
            if r0 is None or (last and (r0.shape != first_shape or (screen and not self._promising(r0)))):
                continue
            new = [r0]
            for g in state[1:]:
                r = f(g)
                if r is None:
                    break
                new.append(r)
            else:
                yield name, tuple(new)

    def _dfs(self, state: tuple[Grid, ...], prog: list[str], depth: int, limit: int) -> None:
        last = depth + 1 == limit
        for name, t in self._children(state, last):
            k = _key(t)
            if self.seen.get(k, 99) <= depth + 1:
                continue
            self.seen[k] = depth + 1
            p = [*prog, name]
            if k not in self.checked:
                self.checked.add(k)
                self.nodes += 1
                self._check(t, p, depth + 1)
            if not last:
                self._dfs(t, p, depth + 1, limit)


POOL_LIMIT = 2500
FALLBACKS = 8  # best partial programs kept (attempts when nothing fits)
#: Rank partial programs by the share of train pairs they reproduce exactly before their cells right.
PAIRS_FIRST = True
#: Whole pieces (see compose) pooled past ``POOL_LIMIT``: icecuber composes pieces from its whole search, not
#: from its first states only.
PIECE_LIMIT = 5000
#: Screen last-layer states on the first train pair once the compose pool is full (see ``_children``).
SCREEN_LAST_LAYER = True
_MODES = ("paint", "under")  # the overlays: the program's cells on top of the input, or under it
_UNSEEN = np.full(256, -1, dtype=np.int64)  # an empty colour table for the kernels (copied, never written)
#: Apply the list ops that are not in every node's vocabulary (``list_ops.first_step_transforms``) to the
#: inputs, as first steps of programs: a few extra depth-1 states, where at every node they cost ~15% of
#: the search's nodes.
FIRST_STEP = True


@cache
def _first_step_transforms() -> list[tuple[str, Transform]]:
    return list_ops.first_step_transforms()


#: Depth-1 states the learners are fitted on before the depth-2 pass (the rest of the closest
#: ``learner_states`` get them after it).
EARLY_LEARNER_STATES = 8
#: Break closeness ties among the learners' states by the share of cells already right (``_learner_order``).
LEARNER_TIE_BREAK = True
COMPOSE_RESERVE = (0.15, 0.6)  # share of the budget, and at most that many seconds, kept for compose()


#: Fit the learners on the raw task turned by each rigid motion too (``_Search._oriented_learners``), after
#: the learners on the closest depth-1 states; such fits rank after the unturned ones of the same depth
#: (``ORIENTED_COST``).
ORIENTED_LEARNERS = True
ORIENTED_COST = 0.25
#: Learners that read no direction (or cost too much to run eight times): not fitted on turned tasks.
ORIENTED_SKIP = frozenset({"cell_tree", "local_rule", "constant"})
#: Mark learner fits that a held-out train pair contradicts (``_Search._fragile``; 3 or more train pairs).
LOO_CHECK = True
#: When nothing fits, the learners fitted on all train pairs but one (or two) give partial fits
#: (``_Search._held_out_learners``), in this share of the time kept for the last composition.
HELD_OUT_LEARNERS = True
HELD_OUT_SHARE = 0.5
_MOTIONS: tuple[Motion, ...] = (
    ("rot90", lambda g: np.rot90(g, 1), lambda g: np.rot90(g, -1)),
    ("rot180", lambda g: np.rot90(g, 2), lambda g: np.rot90(g, 2)),
    ("rot270", lambda g: np.rot90(g, -1), lambda g: np.rot90(g, 1)),
    ("flip_h", lambda g: g[:, ::-1], lambda g: g[:, ::-1]),
    ("flip_v", lambda g: g[::-1], lambda g: g[::-1]),
    ("transpose", lambda g: g.T, lambda g: g.T),
    ("antitranspose", lambda g: np.rot90(g, 2).T, lambda g: np.rot90(g, 2).T),
)


class _Stop(Exception):
    """Budget spent or enough programs found."""


def search(
    train_in: list[Grid],
    train_out: list[Grid],
    test_in: list[Grid],
    *,
    max_depth: int = 3,
    time_budget_s: float = 10.0,
    max_nodes: int = 1_000_000,
    learner_depth: int = 1,
    stop_after: int = 2,
) -> SearchResult:
    """Search programs mapping each train input to its output; see the module docstring."""
    t0 = time.perf_counter()
    deadline = t0 + time_budget_s
    reserve = min(COMPOSE_RESERVE[0] * time_budget_s, COMPOSE_RESERVE[1])
    s = _Search(
        train_in,
        train_out,
        test_in,
        max_depth,
        deadline - reserve,
        max_nodes,
        learner_depth,
    )
    s.run(stop_after)
    if HELD_OUT_LEARNERS and not s.candidates and not any(c.train_score >= 1.0 for c in s.weak):
        s._held_out_learners(s.deadline + HELD_OUT_SHARE * reserve)
    s.compose_pool(deadline)
    s.candidates.sort(key=lambda c: c.complexity)
    s.weak.sort(key=lambda c: c.complexity)
    return SearchResult(
        s.candidates + s.weak,
        s.fallbacks,
        s.nodes,
        s.depth_reached,
        s.timed_out,
        time.perf_counter() - t0,
        s.notes,
    )


def held_out_fits(
    train_in: list[Grid], train_out: list[Grid], test_in: list[Grid], deadline: float
) -> list[Candidate]:
    """The held-out learner pass alone (``_Search._held_out_learners``), for a frame not searched: the
    partial fits, best first."""
    if not HELD_OUT_LEARNERS:
        return []
    s = _Search(train_in, train_out, test_in, 0, deadline, 0, 1)
    s._held_out_learners(deadline)
    return s.fallbacks


# ------------------------------------------------------------ answer selection
@dataclass
class _Expect:
    """What the train pairs say about any correct test output (see :func:`rank_answers`)."""

    shapes: list[tuple[int, int] | None]  # per test input: the shape the train relation implies, if any
    changes: bool  # every train output differs from its input
    colours: list[set[int]]  # per test input: colours an output may use (train outputs' + that input's)
    multicolour: bool  # every train output has at least two colours


def _expectations(train_in: Sequence[Grid], train_out: Sequence[Grid], test_in: Sequence[Grid]) -> _Expect:
    shapes: list[tuple[int, int] | None] = [None] * len(test_in)
    if all(i.shape == o.shape for i, o in zip(train_in, train_out, strict=True)):
        shapes = [(int(t.shape[0]), int(t.shape[1])) for t in test_in]
    elif len({i.shape for i in train_in}) > 1:
        # A fixed integer scale (up or down) per axis, the same in every pair, over inputs of several shapes.
        # (One output shape shared by the train pairs is no such rule: a test output may still differ.)
        axes = []
        for ax in (0, 1):
            ratios = {(o.shape[ax], i.shape[ax]) for i, o in zip(train_in, train_out, strict=True)}
            up = {a / b for a, b in ratios}
            down = {b / a for a, b in ratios}
            if len(up) == 1 and (r := up.pop()).is_integer():
                axes.append((int(r), 1))
            elif len(down) == 1 and (r := down.pop()).is_integer():
                axes.append((1, int(r)))
            else:
                break
        if len(axes) == 2:
            shapes = [
                (t.shape[0] * axes[0][0] // axes[0][1], t.shape[1] * axes[1][0] // axes[1][1])
                if t.shape[0] % axes[0][1] == 0 and t.shape[1] % axes[1][1] == 0
                else None
                for t in test_in
            ]
    out_cols = {int(c) for o in train_out for c in np.unique(o)}
    return _Expect(
        shapes,
        all(i.shape != o.shape or not np.array_equal(i, o) for i, o in zip(train_in, train_out, strict=True)),
        [out_cols | {int(c) for c in np.unique(t)} for t in test_in],
        all(np.unique(o).size > 1 for o in train_out),
    )


def implausibility(c: Candidate, exp: _Expect, test_in: Sequence[Grid]) -> int:
    """How many of the train pairs' invariants ``c``'s test outputs break (0 = none).

    Each check is a property every train output has, so a correct test output almost surely has it too: the
    output shape follows the train relation (same as the input, or a fixed scale of inputs that vary); the
    output differs from the input when every train output does; it uses no colour that neither a train
    output nor the test input has; it is not blank when no train output is.
    """
    bad = 0
    for p, t, shape, cols in zip(c.predictions, test_in, exp.shapes, exp.colours, strict=True):
        if shape is not None and p.shape != shape:
            bad += 1
        if exp.changes and p.shape == t.shape and np.array_equal(p, t):
            bad += 1
        if not {int(v) for v in np.unique(p)} <= cols:
            bad += 1
        if exp.multicolour and np.unique(p).size < 2:
            bad += 1
    return bad


def rank_answers(
    candidates: Sequence[Candidate],
    train_in: Sequence[Grid],
    train_out: Sequence[Grid],
    test_in: Sequence[Grid],
) -> list[Candidate]:
    """Order programs for the answer attempts: plausible before implausible (see :func:`implausibility`),
    then verified before weak, then sturdy before fragile (see :meth:`_Search._fragile`), then the most train
    pairs right exactly (partial fits), then best train score (partial fits: cells right; a guess the train
    pairs do not support), then simplest, then most supported (more distinct programs giving the same test
    outputs), then the order found."""
    exp = _expectations(train_in, train_out, test_in)
    keyed = [
        (
            implausibility(c, exp, test_in),
            c.weak,
            c.fragile,
            -c.pairs_right,
            -c.train_score,
            c.complexity,
            -c.support,
            k,
        )
        for k, c in enumerate(candidates)
    ]
    keyed.sort()
    return [candidates[k[-1]] for k in keyed]
