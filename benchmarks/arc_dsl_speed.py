"""Speed of the arc DSL's inner loop: numba kernels versus the reference numpy/Python code, side by side.

    python benchmarks/arc_dsl_speed.py                      # ~2 min on a quiet core
    python benchmarks/arc_dsl_speed.py --tasks 30 --search-tasks 12 --budget 1

Both code paths run in this one process (``kernels.use_kernels`` flips between them, caches cleared before
each pass), interleaved and repeated, best-of-N per measurement, so machine load hits both alike:

1. transform applications per second over every grid (inputs and outputs) of the first ``--tasks`` training
   tasks, per transform (the kernel-backed ones and the slowest others) and overall;
2. calls per second of the learner helpers (``_neigh_codes`` over all features, ``_first_seen``,
   ``complete_period``, ``_sym_candidates``) and of ``objects()``;
3. the search: wall time at a fixed node budget (identical programs required, checked), and nodes per
   second and the learners' share of the wall time at a fixed time budget (what the solver experiences);
4. the learners: time per learner over the states the search fits them on (root + 40 closest depth-1
   states of the part-3 tasks), fits and predictions required identical (checked);
5. the last-layer screening (``search.SCREEN_LAST_LAYER``, kernels on): wall time of whole searches that end
   by finishing their depth-3 pass (no time limit), screening off versus on, identical programs required.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np

from infscale.arc import search as search_mod
from infscale.arc.dsl import kernels
from infscale.arc.grid import load_split, to_array
from infscale.arc.search import MARK, _Search, search

objects_mod = importlib.import_module("infscale.arc.dsl.objects")
prims = importlib.import_module("infscale.arc.dsl.primitives")
learners = importlib.import_module("infscale.arc.dsl.learners")
object_learners = importlib.import_module("infscale.arc.dsl.object_learners")

MODES = (("old", False), ("new", True))


def clear_caches() -> None:
    objects_mod._objects_cached.cache_clear()
    prims._split_cells_cached.cache_clear()
    prims._crop_boxes.cache_clear()
    object_learners._cell_grid_cached.cache_clear()


def task_triples(tasks):
    for nt in tasks:
        yield (
            nt.task_id,
            [to_array(p["input"]) for p in nt.task["train"]],
            [to_array(p["output"]) for p in nt.task["train"]],
            [to_array(p["input"]) for p in nt.task["test"]],
        )


def bench_transforms(grids: list[np.ndarray], repeat: int) -> None:
    ts = prims.transforms_for(list(range(10)))
    best = {m: dict.fromkeys((n for n, _ in ts), float("inf")) for m, _ in MODES}
    for _ in range(repeat):
        for mode, flag in MODES:
            with kernels.use_kernels(flag):
                ts = prims.transforms_for(list(range(10)))  # the wrapper too is chosen per mode
                clear_caches()  # one pass in the search's order: later picks reuse earlier objects, as there
                for name, f in ts:
                    t0 = time.perf_counter()
                    for g in grids:
                        f(g)
                    best[mode][name] = min(best[mode][name], time.perf_counter() - t0)
    n = len(grids)
    old, new = best["old"], best["new"]
    hot = [name for name, _ in ts if name.startswith(kernels.KERNEL_BACKED)]
    hot_shown = sorted(hot, key=lambda k: -old[k])[:25]
    others = sorted((k for k, _ in ts if k not in hot), key=lambda k: -old[k])[:8]
    print(f"\n1. transforms over {n} grids (best of {repeat}); us per application, applications/s")
    print(
        f"   {'transform':26s} {'old us':>9s} {'new us':>9s} {'old app/s':>10s} {'new app/s':>10s} {'speed-up':>8s}"
    )
    for k in [*hot_shown, "...", *others]:
        if k == "...":
            print("   -- slowest transforms without a kernel (same code both ways, up to the fused wrapper):")
            continue
        o, w = old[k] / n, new[k] / n
        print(f"   {k:26s} {o * 1e6:9.1f} {w * 1e6:9.1f} {1 / o:10.0f} {1 / w:10.0f} {o / w:7.1f}x")
    for label, names in (("kernel-backed", hot), ("all", [k for k, _ in ts])):
        to, tn = sum(old[k] for k in names), sum(new[k] for k in names)
        apps = n * len(names)
        print(
            f"   {label + ' (' + str(len(names)) + ')':26s} {to / apps * 1e6:9.1f} {tn / apps * 1e6:9.1f} "
            f"{apps / to:10.0f} {apps / tn:10.0f} {to / tn:7.1f}x"
        )


def bench_helpers(grids: list[np.ndarray], repeat: int) -> None:
    small = [g for g in grids if g.size <= 400]
    jobs = {
        "_neigh_codes (11 features)": (
            grids,
            lambda g: [learners._neigh_codes(g, f) for f in learners.LOCAL_FEATURES],
        ),
        "_first_seen": (grids, learners._first_seen),
        "complete_period (mask 0)": (small, lambda g: learners.complete_period(g, 0)),
        "_sym_candidates (mask 0)": (small, lambda g: learners._sym_candidates(g, g != 0)),
        "objects() x4 kinds, no cache": (
            grids,
            lambda g: [
                objects_mod._objects_cached.__wrapped__(
                    g.tobytes(),
                    *g.shape,
                    0,
                    d,
                    m,
                )
                for d, m in ((True, True), (False, False), (True, False), (False, True))
            ],
        ),
    }
    print(f"\n2. learner helpers and objects() (best of {repeat}); calls/s")
    print(f"   {'helper':30s} {'old/s':>10s} {'new/s':>10s} {'speed-up':>8s}")
    for name, (gs, fn) in jobs.items():
        best: dict[str, float] = {}
        for _ in range(repeat):
            for mode, flag in MODES:
                with kernels.use_kernels(flag):
                    t0 = time.perf_counter()
                    for g in gs:
                        fn(g)
                    best[mode] = min(best.get(mode, float("inf")), time.perf_counter() - t0)
        print(
            f"   {name:30s} {len(gs) / best['old']:10.0f} {len(gs) / best['new']:10.0f} "
            f"{best['old'] / best['new']:7.1f}x"
        )


def bench_search(triples, max_nodes: int, budget: float) -> None:
    print(f"\n3. search on {len(triples)} tasks")
    wall = {"old": 0.0, "new": 0.0}
    nodes = {"old": 0, "new": 0}
    same = True
    for _tid, a, b, c in triples:
        res = {}
        for mode, flag in MODES:
            with kernels.use_kernels(flag):
                clear_caches()
                t0 = time.perf_counter()
                res[mode] = search(a, b, c, time_budget_s=1e4, max_nodes=max_nodes)
                wall[mode] += time.perf_counter() - t0
                nodes[mode] += res[mode].nodes
        progs = [[x.program for x in res[m].candidates + res[m].fallbacks] for m in ("old", "new")]
        same &= progs[0] == progs[1] and res["old"].nodes == res["new"].nodes
    print(
        f"   fixed node budget {max_nodes}: old {wall['old']:.1f}s, new {wall['new']:.1f}s for "
        f"{nodes['new']} nodes -> {nodes['old'] / wall['old']:.0f} vs {nodes['new'] / wall['new']:.0f} nodes/s, "
        f"{wall['old'] / wall['new']:.2f}x; identical programs: {same}"
    )
    per: dict[str, list[tuple[int, float]]] = {"old": [], "new": []}
    in_learners = {"old": 0.0, "new": 0.0}
    fit_learners = _Search._learners

    def timed_learners(self, *args, **kw):  # the learners' share of the search's wall time
        t0 = time.perf_counter()
        try:
            return fit_learners(self, *args, **kw)
        finally:
            in_learners[mode] += time.perf_counter() - t0

    _Search._learners = timed_learners  # type: ignore[method-assign]
    try:
        for _tid, a, b, c in triples:
            for mode, flag in MODES:
                with kernels.use_kernels(flag):
                    clear_caches()
                    r = search(a, b, c, time_budget_s=budget)
                    per[mode].append((r.nodes, r.elapsed_s))
    finally:
        _Search._learners = fit_learners  # type: ignore[method-assign]
    share = {m: in_learners[m] / sum(s for _, s in v) for m, v in per.items()}
    print(f"   learners' share of search time at {budget:g}s: old {share['old']:.0%}, new {share['new']:.0%}")
    rate = {m: sum(n for n, _ in v) / sum(s for _, s in v) for m, v in per.items()}
    med = {m: statistics.median(n for n, _ in v) for m, v in per.items()}
    print(
        f"   fixed time budget {budget:g}s: {rate['old']:.0f} vs {rate['new']:.0f} nodes/s "
        f"({rate['new'] / rate['old']:.2f}x), median nodes per task {med['old']:.0f} vs {med['new']:.0f}"
    )


def learner_states(triples, n_states: int = 40):
    """What ``_Search.run`` hands its learners: per task the root and the ``n_states`` closest depth-1 states."""
    out = []
    for _tid, a, b, c in triples:
        s = _Search(a, b, c, max_depth=1, deadline=float("inf"), max_nodes=10**9, learner_depth=1)
        s.stop_after = 10**9
        layer1 = sorted(
            ((s._closeness(t), t) for _, t in s._children(s.root, last=False)), key=lambda x: -x[0]
        )
        out.append((s.n, b, [(s.root, 0), *((t, 1) for _, t in layer1[:n_states])]))
    return out


def bench_learners(triples, repeat: int) -> None:
    """Every registered learner fitted (and its predictor run) on the states the search fits learners on."""
    states = learner_states(triples)
    n_fits = sum(len(x) for _, _, x in states)
    best = {m: dict.fromkeys((n for n, _ in learners.LEARNERS), float("inf")) for m, _ in MODES}
    results: dict[str, dict[str, list]] = {m: {} for m, _ in MODES}
    for _ in range(repeat):
        for mode, flag in MODES:
            with kernels.use_kernels(flag):
                clear_caches()
                for name, fit in learners.LEARNERS:
                    got: list[Any] = []
                    t0 = time.perf_counter()
                    for n, outs, sts in states:
                        for st, depth in sts:
                            tr, te = list(st[:n]), list(st[n:])
                            if (depth > 0 and name.endswith("_default")) or (
                                name != "local_rule" and any((g >= MARK).any() for g in tr)
                            ):
                                continue
                            try:
                                pred = fit(tr, outs, te)
                                got.append(None if pred is None else [pred(g) for g in (*tr, *te)])
                            except (ValueError, IndexError, KeyError, MemoryError) as exc:
                                got.append(type(exc).__name__)
                    best[mode][name] = min(best[mode][name], time.perf_counter() - t0)
                    results[mode][name] = got
    same = all(
        _same_result(x, y)
        for name in results["old"]
        for x, y in zip(results["old"][name], results["new"][name], strict=True)
    )
    old, new = best["old"], best["new"]
    print(
        f"\n4. learners on {len(states)} tasks x (root + 40 closest depth-1 states) = {n_fits} states (best of {repeat})"
    )
    print(
        f"   {'learner':24s} {'old ms':>8s} {'new ms':>8s} {'old us/fit':>10s} {'new us/fit':>10s} {'speed-up':>8s}"
    )
    for k in sorted(old, key=lambda k: -old[k]):
        print(
            f"   {k:24s} {old[k] * 1e3:8.1f} {new[k] * 1e3:8.1f} {old[k] / n_fits * 1e6:10.1f} "
            f"{new[k] / n_fits * 1e6:10.1f} {old[k] / new[k]:7.1f}x"
        )
    to, tn = sum(old.values()), sum(new.values())
    print(
        f"   {'all':24s} {to * 1e3:8.1f} {tn * 1e3:8.1f} {'':10s} {'':10s} {to / tn:7.1f}x; identical fits: {same}"
    )


#: Training tasks no program of depth <= 3 fits, whose depth-3 pass ends in a few seconds.
SCREEN_TASKS = ("834ec97d", "673ef223", "234bbc79", "928ad970", "3befdf3e")


def bench_screening(tasks, repeat: int) -> None:
    by_id = {nt.task_id: nt for nt in tasks}
    triples = list(task_triples([by_id[t] for t in SCREEN_TASKS]))
    print(
        f"\n5. last-layer screening: whole searches to the end of depth 3, {len(triples)} tasks (best of {repeat})"
    )
    wall = {False: 0.0, True: 0.0}
    same = True
    try:
        for _tid, a, b, c in triples:
            best = {False: float("inf"), True: float("inf")}
            progs = {}
            for _ in range(repeat):
                for flag in (False, True):
                    search_mod.SCREEN_LAST_LAYER = flag
                    clear_caches()
                    t0 = time.perf_counter()
                    r = search(a, b, c, time_budget_s=1e4)
                    best[flag] = min(best[flag], time.perf_counter() - t0)
                    progs[flag] = [x.program for x in r.candidates]
            same &= progs[False] == progs[True]
            for flag in (False, True):
                wall[flag] += best[flag]
    finally:
        search_mod.SCREEN_LAST_LAYER = True
    print(
        f"   off {wall[False]:.1f}s, on {wall[True]:.1f}s -> {wall[False] / wall[True]:.2f}x; "
        f"identical programs: {same}"
    )


def _same_result(x, y) -> bool:
    if x is None or isinstance(x, str):
        return x == y
    return (
        y is not None
        and not isinstance(y, str)
        and all(
            (p is None and q is None)
            or (p is not None and q is not None and p.shape == q.shape and np.array_equal(p, q))
            for p, q in zip(x, y, strict=True)
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=30, help="first N training tasks for parts 1-2")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--search-tasks", type=int, default=12, help="tasks for part 3 (every 33rd training task)"
    )
    ap.add_argument("--max-nodes", type=int, default=300)
    ap.add_argument("--budget", type=float, default=1.0, help="seconds per task for the time-budget run")
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    if not kernels.HAVE_NUMBA:
        sys.exit("numba is not installed: nothing to compare (pip install 'infscale[arc]')")
    t0 = time.perf_counter()
    tasks = load_split("arc-agi-1", "training", args.data)
    grids = [g for _, a, b, c in task_triples(tasks[: args.tasks]) for g in (*a, *b, *c)]
    print("arc DSL speed: numba kernels (new) vs reference numpy/Python (old); kernel warm-up at import")
    print(f"warm-up now (compiled code already loaded): {kernels.warmup() * 1e3:.1f} ms")
    bench_transforms(grids, args.repeat)
    bench_helpers(grids, args.repeat)
    step = max(1, len(tasks) // args.search_tasks)
    search_triples = list(task_triples(tasks[::step][: args.search_tasks]))
    bench_search(search_triples, args.max_nodes, args.budget)
    bench_learners(search_triples, args.repeat)
    bench_screening(tasks, min(args.repeat, 2))
    print(f"\n(total {time.perf_counter() - t0:.0f}s)")


if __name__ == "__main__":
    main()
