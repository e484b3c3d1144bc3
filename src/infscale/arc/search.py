"""Program search: breadth-first composition of whole-grid transforms with deduplication.

A search state is the tuple of grids obtained by running one program on every train input and every test
input at once (icecuber's trick), so a program is verified on train and predicted on test in one go, and
two programs that give identical grids everywhere are the same node (deduplicated by the grids' bytes).
Each state is checked against the train outputs exactly, up to a learned colour map, and (at shallow
depth) by the per-task learners fitted on top of it. Layers are expanded best-first by a cheap closeness
heuristic, within a wall-clock deadline and a node budget.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .dsl.learners import LEARNERS, apply_colour_map, fit_colour_map
from .dsl.primitives import MARK, Grid, transforms_for


@dataclass
class Candidate:
    """A program that reproduces every train pair (or the best partial one) and its test predictions."""

    program: str
    complexity: float
    train_score: float
    predictions: list[Grid]


@dataclass
class SearchResult:
    candidates: list[Candidate]  # exact fits, simplest first
    fallbacks: list[Candidate]  # best partial fits, best first
    nodes: int
    depth_reached: int
    timed_out: bool
    elapsed_s: float = 0.0
    notes: list[str] = field(default_factory=list)


def _key(grids: Sequence[Grid]) -> bytes:
    return b"|".join(bytes(g.shape) + g.tobytes() for g in grids)


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
        colours = sorted({int(c) for g in (*train_in, *train_out, *test_in) for c in np.unique(g)})
        self.transforms = transforms_for(colours)
        self.out_shapes = [o.shape for o in train_out]
        self.out_colours = [set(np.unique(o).tolist()) for o in train_out]
        self.candidates: list[Candidate] = []
        self.fallbacks: list[Candidate] = []
        self.seen_predictions: set[bytes] = set()
        self.nodes = 0
        self.timed_out = False
        self.depth_reached = 0

    # ------------------------------------------------------------ checks
    def _add(self, program: str, complexity: float, preds: Sequence[Grid]) -> None:
        if any(p is None or p.shape[0] > 30 or p.shape[1] > 30 or (p > 9).any() for p in preds):
            return
        k = _key(preds)
        if k in self.seen_predictions:
            return
        self.seen_predictions.add(k)
        self.candidates.append(Candidate(program, complexity, 1.0, [np.asarray(p, np.uint8) for p in preds]))

    def _check(self, state: tuple[Grid, ...], program: list[str], depth: int) -> None:
        tr, te = state[: self.n], state[self.n :]
        if all(g.shape == s for g, s in zip(tr, self.out_shapes, strict=True)):
            if all(np.array_equal(g, o) for g, o in zip(tr, self.train_out, strict=True)):
                self._add(" | ".join(program) or "identity", depth, te)
                return
            cmap = fit_colour_map(tr, self.train_out)
            if cmap is not None:
                preds = [apply_colour_map(g, cmap) for g in te]
                if all(p is not None for p in preds):
                    desc = ",".join(f"{a}>{b}" for a, b in sorted(cmap.items()) if a != b)
                    self._add(" | ".join([*program, f"colour_map({desc})"]), depth + 0.5, preds)  # type: ignore[arg-type]
                    return
            acc = float(np.mean([np.mean(g == o) for g, o in zip(tr, self.train_out, strict=True)]))
            if len(self.fallbacks) < 8 or acc > self.fallbacks[-1].train_score:
                if not any((g >= MARK).any() for g in te):
                    self.fallbacks.append(Candidate(" | ".join(program) or "identity", depth, acc, list(te)))
                    self.fallbacks.sort(key=lambda c: (-c.train_score, c.complexity))
                    del self.fallbacks[8:]

    def _learners(self, state: tuple[Grid, ...], program: list[str], depth: int) -> None:
        tr, te = list(state[: self.n]), list(state[self.n :])
        for name, fit in LEARNERS:
            if time.perf_counter() > self.deadline:
                self.timed_out = True
                return
            if any((g >= MARK).any() for g in tr) and name != "local_rule":
                continue
            try:
                pred = fit(tr, self.train_out, te)
            except (ValueError, IndexError, MemoryError):
                pred = None
            if pred is None:
                continue
            # A learner is only accepted when its predictor reproduces train exactly.
            try:
                if not all(
                    (p := pred(a)) is not None and p.shape == b.shape and np.array_equal(p, b)
                    for a, b in zip(tr, self.train_out, strict=True)
                ):
                    continue
                preds = [pred(g) for g in te]
            except (ValueError, IndexError, KeyError):
                continue
            if all(p is not None for p in preds):
                self._add(" | ".join([*program, f"learn_{name}"]), depth + 1.5, preds)  # type: ignore[arg-type]

    def _closeness(self, state: tuple[Grid, ...]) -> float:
        score = 0.0
        for g, s, cols in zip(state[: self.n], self.out_shapes, self.out_colours, strict=True):
            score += (g.shape == s) * 2.0 + (g.shape[0] == s[0]) * 0.5 + (g.shape[1] == s[1]) * 0.5
            gc = set(np.unique(g).tolist())
            score += len(gc & cols) / len(gc | cols)
        return score / self.n

    # ------------------------------------------------------------ the search
    def run(self, stop_after: int) -> None:
        root = self.root
        seen = {_key(root)}
        self._check(root, [], 0)
        self._learners(root, [], 0)
        frontier: list[tuple[float, tuple[Grid, ...], list[str]]] = [(0.0, root, [])]
        for depth in range(1, self.max_depth + 1):
            if self.candidates:  # the layer that found a fit is finished: deeper programs are less simple
                break
            self.depth_reached = depth
            nxt: list[tuple[float, tuple[Grid, ...], list[str]]] = []
            frontier.sort(key=lambda t: -t[0])
            for _, state, prog in frontier:
                for name, f in self.transforms:
                    if self.nodes >= self.max_nodes or time.perf_counter() > self.deadline:
                        self.timed_out = True
                        return
                    if len(self.candidates) >= stop_after:
                        return
                    new = []
                    for g in state:
                        r = f(g)
                        if r is None:
                            break
                        new.append(r)
                    else:
                        k = _key(new)
                        if k in seen:
                            continue
                        seen.add(k)
                        self.nodes += 1
                        t = tuple(new)
                        p = [*prog, name]
                        self._check(t, p, depth)
                        if depth <= self.learner_depth:
                            self._learners(t, p, depth)
                        if depth < self.max_depth:
                            nxt.append((self._closeness(t), t, p))
            frontier = nxt


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
    s = _Search(train_in, train_out, test_in, max_depth, t0 + time_budget_s, max_nodes, learner_depth)
    s.run(stop_after)
    s.candidates.sort(key=lambda c: c.complexity)
    return SearchResult(
        s.candidates, s.fallbacks, s.nodes, s.depth_reached, s.timed_out, time.perf_counter() - t0
    )
