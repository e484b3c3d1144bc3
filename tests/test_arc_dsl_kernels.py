"""The numba kernels of the arc DSL compute exactly what the reference (pure numpy/Python) code computes.

The reference is the original code, kept at every call site behind ``kernels.ENABLED``; each test runs the
same function with the kernels off and on (``kernels.use_kernels``) on the grids of real training tasks plus
random and edge-case grids (1x1, 30x30, one colour, the MARK colour 10), and compares grids, shapes, dtypes
and ``None`` results. No timing assertions: benchmarks/arc_dsl_speed.py measures speed.
"""

from __future__ import annotations

import importlib
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("numba")

from infscale.arc.dsl import kernels
from infscale.arc.grid import load_split, to_array
from infscale.arc.search import search

objects_mod = importlib.import_module("infscale.arc.dsl.objects")
prims = importlib.import_module("infscale.arc.dsl.primitives")
learners = importlib.import_module("infscale.arc.dsl.learners")
object_learners = importlib.import_module("infscale.arc.dsl.object_learners")

ROOT = Path(__file__).resolve().parents[1]

# Transforms whose code has a kernel / fast branch (directly, or through objects() or split_cells()).


def _clear_caches() -> None:
    objects_mod._objects_cached.cache_clear()
    prims._split_cells_cached.cache_clear()
    prims._crop_boxes.cache_clear()
    prims._cell_boxes_cached.cache_clear()
    object_learners._cell_grid_cached.cache_clear()


def _edge_grids() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    out = [np.full((1, 1), c, np.uint8) for c in (0, 3, 10)]
    out += [np.zeros((30, 30), np.uint8), np.full((30, 30), 4, np.uint8), np.full((30, 30), 10, np.uint8)]
    out += [np.zeros((1, 30), np.uint8), np.full((30, 1), 2, np.uint8)]
    cb = (np.indices((30, 30)).sum(axis=0) % 2).astype(np.uint8) * 5
    out += [cb, cb[:7, :9].copy()]
    frame = np.zeros((12, 14), np.uint8)
    frame[2:9, 3:11] = 6
    frame[3:8, 4:10] = 0
    frame[5, 6] = 2
    out += [frame, np.pad(frame, 2, constant_values=1)]
    for _ in range(40):
        h, w = int(rng.integers(1, 31)), int(rng.integers(1, 31))
        density = float(rng.choice([0.05, 0.2, 0.5, 0.9]))
        ncol = int(rng.integers(1, 11))
        g = rng.integers(1, ncol + 1, (h, w)).astype(np.uint8)
        g[rng.random((h, w)) > density] = 0
        if rng.random() < 0.3:
            g[rng.random((h, w)) < 0.1] = 10  # the marker colour appears in intermediate states
        out.append(g)
    # a periodic pattern with a masked hole, and a symmetric one (completion learners' home ground)
    tile = rng.integers(1, 5, (3, 4)).astype(np.uint8)
    per = np.tile(tile, (6, 5))[:17, :19].copy()
    per[4:9, 6:11] = 0
    sym = rng.integers(1, 5, (10, 10)).astype(np.uint8)
    sym = np.maximum(sym, sym.T)
    sym = np.hstack([sym, sym[:, ::-1]])
    sym[2:5, 3:7] = 0
    out += [per, sym]
    return out


def _task_grids(n_tasks: int) -> list[np.ndarray]:
    tasks = load_split("arc-agi-1", "training")
    pick = random.Random(1234).sample(tasks, n_tasks)
    grids = []
    for nt in pick:
        for part in ("train", "test"):
            for pair in nt.task[part]:
                grids.append(to_array(pair["input"]))
                if "output" in pair:
                    grids.append(to_array(pair["output"]))
    return grids


@pytest.fixture(scope="module")
def grids_small() -> list[np.ndarray]:
    return _task_grids(25) + _edge_grids()


@pytest.fixture(scope="module")
def grids_large() -> list[np.ndarray]:
    return _task_grids(100) + _edge_grids()


def _both(fn: Callable[..., Any], *args: Any, **kw: Any) -> tuple[Any, Any]:
    """``fn(*args, **kw)`` with the kernels off, then on (caches cleared before each, so each path really runs)."""
    with kernels.use_kernels(False):
        _clear_caches()
        ref = fn(*args, **kw)
    with kernels.use_kernels(True):
        _clear_caches()
        new = fn(*args, **kw)
    return ref, new


def _same_grid(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and np.array_equal(a, b)


def _check_transforms(grids: list[np.ndarray], only_kernel_backed: bool) -> int:
    ts = prims.transforms_for(list(range(10)))
    if only_kernel_backed:
        ts = [(n, f) for n, f in ts if n.startswith(kernels.KERNEL_BACKED)]
    ref, new = _both(lambda: {n: [f(g) for g in grids] for n, f in ts})
    checked = 0
    for name, _ in ts:
        for i, (a, b) in enumerate(zip(ref[name], new[name], strict=True)):
            assert _same_grid(a, b), f"{name} differs on grid {i} {grids[i].shape}"
            if a is not None:
                assert a.dtype == b.dtype == np.uint8 and b.flags.c_contiguous, name
                checked += 1
    return checked


def test_kernels_are_on_by_default() -> None:
    assert kernels.HAVE_NUMBA
    assert (os.environ.get("INFSCALE_ARC_PURE", "") not in ("1", "true", "yes", "on")) == kernels.ENABLED


def test_kernel_backed_transforms_identical(grids_small) -> None:
    assert _check_transforms(grids_small, only_kernel_backed=True) > 1000


@pytest.mark.slow
def test_every_transform_identical_on_100_tasks(grids_large) -> None:
    assert _check_transforms(grids_large, only_kernel_backed=False) > 20000


def _obj_tuple(o: Any) -> tuple:
    return (
        o.r0,
        o.c0,
        o.r1,
        o.c1,
        o.size,
        o.colour,
        o.mask.shape,
        o.mask.dtype,
        o.mask.tobytes(),
        o.patch.dtype,
    )


@pytest.mark.parametrize("diag", [True, False])
@pytest.mark.parametrize("multi", [True, False])
def test_label_and_objects_identical(grids_large, diag, multi) -> None:
    for g in grids_large:
        for bg in sorted({0, objects_mod.background(g)}):
            lab_ref, lab_new = _both(objects_mod._label, g, bg, diag, multi)
            assert lab_ref[1] == lab_new[1] and np.array_equal(lab_ref[0], lab_new[0])
            assert lab_ref[0].dtype == lab_new[0].dtype
            ref, new = _both(objects_mod.objects, g, bg, diag, multi)
            assert len(ref) == len(new)
            for a, b in zip(ref, new, strict=True):
                assert _obj_tuple(a) == _obj_tuple(b)
                assert np.array_equal(a.patch, b.patch) and a.patch.shape == b.patch.shape


def test_neigh_codes_and_first_seen_identical(grids_large) -> None:
    for g in grids_large:
        for feature in (*learners.LOCAL_FEATURES, "no_such_feature"):
            ref, new = _both(learners._neigh_codes, g, feature)
            assert ref.dtype == new.dtype == np.int64 and np.array_equal(ref, new), feature
        ref, new = _both(learners._first_seen, g)
        assert len(ref) == len(new) == 4
        assert all(np.array_equal(a, b) for a, b in zip(ref, new, strict=True))


def _mask_colours(g: np.ndarray) -> list[int]:
    cnt = np.bincount(g.ravel(), minlength=11)
    present = [int(c) for c in np.flatnonzero(cnt)]
    return sorted({0, present[int(np.argmax(cnt[present]))], present[int(np.argmin(cnt[present]))]})


@pytest.mark.parametrize("which", ["grids_small", pytest.param("grids_large", marks=pytest.mark.slow)])
def test_completion_helpers_identical(request, which) -> None:
    for g in request.getfixturevalue(which):
        for m in _mask_colours(g):
            known = g != m
            ref, new = _both(learners._sym_candidates, g, known)
            assert len(ref) == len(new)
            assert all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(ref, new, strict=True))
            for fn in (learners.complete_period, learners.complete_symmetry):
                ref, new = _both(fn, g, m)
                assert _same_grid(ref, new), (fn.__name__, g.shape, m)
                assert ref is None or ref.dtype == new.dtype


def test_learners_identical_on_tasks() -> None:
    """Whole learners (local rules, completion) fitted on real tasks predict the same grids."""
    tasks = random.Random(7).sample(load_split("arc-agi-1", "training"), 60)
    fits = [learners.fit_local_rule, learners.fit_completion, learners.fit_local_rule_default]
    for nt in tasks:
        tr_in = [to_array(p["input"]) for p in nt.task["train"]]
        tr_out = [to_array(p["output"]) for p in nt.task["train"]]
        te_in = [to_array(p["input"]) for p in nt.task["test"]]
        for fit in fits:

            def run(fit=fit, tr_in=tr_in, tr_out=tr_out, te_in=te_in):
                pred = fit(tr_in, tr_out, te_in)
                return None if pred is None else [pred(g) for g in te_in + tr_in]

            ref, new = _both(run)
            assert (ref is None) == (new is None), (nt.task_id, fit.__name__)
            if ref is not None:
                assert all(_same_grid(a, b) for a, b in zip(ref, new, strict=True)), nt.task_id


@pytest.mark.slow
def test_search_identical_at_fixed_node_budget() -> None:
    """The whole search (node budget, no effective time limit) finds the same programs and predictions."""
    tasks = random.Random(3).sample(load_split("arc-agi-1", "training"), 6)
    for nt in tasks:
        tr_in = [to_array(p["input"]) for p in nt.task["train"]]
        tr_out = [to_array(p["output"]) for p in nt.task["train"]]
        te_in = [to_array(p["input"]) for p in nt.task["test"]]
        ref, new = _both(search, tr_in, tr_out, te_in, time_budget_s=600, max_nodes=250)
        assert ref.nodes == new.nodes and ref.depth_reached == new.depth_reached, nt.task_id
        assert [c.program for c in ref.candidates] == [c.program for c in new.candidates], nt.task_id
        assert [c.program for c in ref.fallbacks] == [c.program for c in new.fallbacks], nt.task_id
        for a, b in zip(ref.candidates, new.candidates, strict=True):
            assert all(_same_grid(x, y) for x, y in zip(a.predictions, b.predictions, strict=True))


def test_pure_switch_in_a_fresh_process() -> None:
    """INFSCALE_ARC_PURE=1 turns the kernels off (and skips the import-time warm-up)."""
    code = "from infscale.arc.dsl import kernels, transforms_for; print(kernels.ENABLED)"
    env = {**os.environ, "INFSCALE_ARC_PURE": "1", "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_inputs_of_any_layout_and_dtype() -> None:
    """Views, read-only buffers and wider dtypes go through the same single compiled specialisation."""
    g = (np.arange(48).reshape(6, 8) % 4).astype(np.int64)
    views = [g, g[:, ::-1], g.T, np.frombuffer(g.astype(np.uint8).tobytes(), np.uint8).reshape(6, 8)]
    outline = dict(prims.transforms_for([]))["outline"]
    for v in views:

        def run(v: np.ndarray) -> tuple[Any, Any, Any]:
            return outline(v), learners._neigh_codes(v, "3x3"), objects_mod.objects(v)

        ref, new = _both(run, v)
        assert _same_grid(ref[0], new[0]) and np.array_equal(ref[1], new[1])
        assert [_obj_tuple(o) for o in ref[2]] == [_obj_tuple(o) for o in new[2]]
    assert len(kernels.components.signatures) == 1  # type: ignore[attr-defined]


def test_separators_identical(grids_large) -> None:
    """The vectorised separator search (behind every split_cells / halves transform) finds the same lines."""
    extra = []
    for g in grids_large[:200]:
        h = g.copy()
        if h.shape[0] > 4 and h.shape[1] > 4:
            h[h.shape[0] // 2, :] = 7  # add a separator row and column
            h[:, h.shape[1] // 3] = 7
        extra.append(h)
    for g in grids_large + extra:
        ref, new = _both(prims._separators, g)
        assert ref == new


# ---------------------------------------------------------------- learner kernels and caches
def _connect_tables(g: np.ndarray) -> list[dict[int, int] | None]:
    cols = sorted(set(np.unique(g).tolist()) - {0})
    return [None, {c: (3 * c + 1) % 10 for c in cols[::-1]}, {c: c for c in cols[:2]}]


@pytest.mark.parametrize("which", ["grids_small", pytest.param("grids_large", marks=pytest.mark.slow)])
def test_connect_identical(request, which) -> None:
    """object_learners._connect (rows, columns in both orders, diagonals; tables in any key order)."""
    checked = 0
    grids = request.getfixturevalue(which)
    for g in grids[::3] if which == "grids_small" else grids:
        if int((g != 0).sum()) > 400:  # the reference's diagonal pass is quadratic in the cell count
            g = g.copy()
            g[g.shape[0] // 2 :] = 0
        for table in _connect_tables(g):
            for axes in ("h", "v", "hv", ""):
                for vertical_last in (True, False):
                    for diagonal in (False, True):
                        ref, new = _both(object_learners._connect, g, table, axes, vertical_last, diagonal)
                        assert ref.dtype == new.dtype and _same_grid(ref, new), (g.shape, table, axes)
                        checked += 1
    assert checked > 500


def test_connect_pairs_fit_identical(grids_small) -> None:
    """fit_connect_pairs learns the same table (same colours, same order) from synthetic joined pairs."""
    fits = 0
    rng = random.Random(5)
    for g in grids_small:
        if g.size > 400 or int((g != 0).sum()) > 60 or (g >= 10).any():
            continue
        with kernels.use_kernels(False):
            table = rng.choice(_connect_tables(g))
            out = object_learners._connect(g, table, rng.choice(["h", "v", "hv"]), True, rng.random() < 0.5)
        ref, new = _both(object_learners.fit_connect_pairs, [g, g.T.copy()], [out, out.T.copy()], [g])
        assert (ref is None) == (new is None), g.shape
        if ref is not None:
            fits += 1
            for t in (g, g[::-1].copy(), np.rot90(g).copy()):
                with kernels.use_kernels(False):
                    a = ref(t)
                with kernels.use_kernels(True):
                    b = new(t)
                assert _same_grid(a, b)
            # the learned table itself (its key order is the diagonal painting order)
            t_ref, t_new = ref.__defaults__[0], new.__defaults__[0]  # type: ignore[attr-defined]
            assert ref.__defaults__ == new.__defaults__  # type: ignore[attr-defined]
            assert t_ref is None or list(t_ref.items()) == list(t_new.items())
    assert fits > 5


def test_holes_and_object_features_identical(grids_large) -> None:
    """The hole counter behind object_learners._holes and learners._obj_features."""
    for g in grids_large:
        for diag, multi in ((True, True), (False, False), (True, False)):
            objs = objects_mod.objects(g, 0, diag, multi)
            ref, new = _both(
                lambda objs=objs, g=g: (
                    [object_learners._holes(o) for o in objs],
                    learners._obj_features(objs, g),
                )
            )
            assert ref == new, g.shape


def test_cell_grid_identical(grids_large) -> None:
    """The cached separator-cell layout returns the same spans (fresh lists each call)."""
    for g in grids_large:
        h = g.copy()
        if h.shape[0] > 4 and h.shape[1] > 4:
            h[h.shape[0] // 2, :] = 0
            h[:, h.shape[1] // 3] = 5
        for x in (g, h):
            ref, new = _both(object_learners._cell_grid, x)
            assert ref == new
            with kernels.use_kernels(True):
                again = object_learners._cell_grid(x)
                if again is not None:
                    again[0].append((0, 0))
                assert object_learners._cell_grid(x) == new


def _check_all_learners(n_tasks: int, seed: int) -> int:
    tasks = random.Random(seed).sample(load_split("arc-agi-1", "training"), n_tasks)
    found = 0
    for nt in tasks:
        tr_in = [to_array(p["input"]) for p in nt.task["train"]]
        tr_out = [to_array(p["output"]) for p in nt.task["train"]]
        te_in = [to_array(p["input"]) for p in nt.task["test"]]
        for name, fit in learners.LEARNERS:

            def run(fit=fit, tr_in=tr_in, tr_out=tr_out, te_in=te_in):
                try:
                    pred = fit(tr_in, tr_out, te_in)
                    return None if pred is None else [pred(g) for g in te_in + tr_in]
                except (ValueError, IndexError, KeyError, MemoryError) as exc:
                    return type(exc).__name__

            ref, new = _both(run)
            assert (ref is None) == (new is None), (nt.task_id, name)
            if isinstance(ref, str) or isinstance(new, str):
                assert ref == new, (nt.task_id, name)
            elif ref is not None:
                found += 1
                assert all(_same_grid(a, b) for a, b in zip(ref, new, strict=True)), (nt.task_id, name)
    return found


def test_every_learner_identical_on_tasks() -> None:
    """Every registered learner, kernels on and off, on 30 training tasks: same fits, same predictions."""
    assert _check_all_learners(30, 11) > 0


@pytest.mark.slow
def test_every_learner_identical_on_100_tasks() -> None:
    assert _check_all_learners(100, 12) > 5


def _check_pairs(grids: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(input, program output, train output) triples of one shape, where the search's colour-map and
    overlay tests hold (recoloured grids, painted and under-painted outputs) and where they fail
    (one cell changed, an unrelated grid)."""
    rng = np.random.default_rng(5)
    out = []
    for k, i in enumerate(grids):
        lut = rng.permutation(11).astype(np.uint8) % 10
        g = grids[(k + 1) % len(grids)]
        g = (
            g[: i.shape[0], : i.shape[1]]
            if g.shape[0] >= i.shape[0] and g.shape[1] >= i.shape[1]
            else i[::-1]
        )
        g = np.ascontiguousarray(g)
        for o in (lut[i], np.where(g != 0, lut[g], i), np.where(i == 0, g, i), g):
            o = np.ascontiguousarray(o, dtype=np.uint8)
            out.append((i, g, o))
            bad = o.copy()
            bad[rng.integers(i.shape[0]), rng.integers(i.shape[1])] = int(rng.integers(10))
            out.append((i, g, bad))
    return out


def test_search_colour_map_and_overlay_identical(grids_small) -> None:
    """The search's colour-map and overlay tests on the kernels give the reference's maps and tables."""
    from infscale.arc.search import _Search

    found = {"map": 0, "paint": 0, "under": 0}
    refused = 0
    triples = _check_pairs(grids_small)
    for j in range(0, len(triples) - 1, 2):  # two pairs per task (shapes may differ between pairs)
        (i1, g1, o1), (i2, g2, o2) = triples[j], triples[j + 1]
        s = _Search([i1, i2], [o1, o2], [i1], 3, float("inf"), 10, 1)
        for tr, ins in (([i1, i2], [i1, i2]), ([g1, g2], [i1, i2]), ([g1], [i1])):
            s.n = len(tr)
            s.train_out, s._out_c = [o1, o2][: s.n], s._out_c[: s.n]
            ref, new = _both(s._colour_map, tr)
            assert ref == new
            found["map"] += ref is not None
            refused += ref is None
            for mode in ("paint", "under"):
                if any(g.shape != i.shape for g, i in zip(tr, ins, strict=True)):
                    continue
                ref, new = _both(s._overlay_table, tr, ins, mode)
                assert (ref is None) == (new is None), mode
                if ref is not None:
                    assert ref.tolist() == new.tolist(), mode
                found[mode] += ref is not None
                refused += ref is None
            s.train_out, s._out_c = [o1, o2], [kernels.as_grid(o) for o in (o1, o2)]
    assert min(found.values()) > 20 and refused > 100, (found, refused)
