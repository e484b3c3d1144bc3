"""The search's last-layer screening: once the compose pool is full, a last-layer state is built on all grids
only when its first train grid can pass the checks (exact up to a colour map, an overlay, a better fallback)."""

from __future__ import annotations

import numpy as np
import pytest

from infscale.arc import search as search_mod
from infscale.arc.dsl import kernels
from infscale.arc.grid import default_data_root, load_task, to_array
from infscale.arc.search import Candidate, _Search


def g(rows):
    return np.array(rows, dtype=np.uint8)


def _state() -> _Search:
    train_in = [g([[1, 0, 0], [0, 2, 0]]), g([[0, 3, 0], [1, 0, 0]])]
    train_out = [g([[1, 0, 5], [0, 2, 0]]), g([[0, 3, 5], [1, 0, 0]])]
    return _Search(train_in, train_out, [g([[0, 0, 1], [2, 0, 0]])], 3, float("inf"), 10**6, 1)


@pytest.mark.parametrize("enabled", [True, False])
def test_promising_keeps_what_can_fit_on_the_first_pair(monkeypatch, enabled) -> None:
    monkeypatch.setattr(kernels, "ENABLED", enabled)
    s = _state()
    out0 = s.train_out[0]
    assert s._promising(out0.copy())  # exact
    assert s._promising(np.where(out0 == 5, 7, out0).astype(np.uint8))  # a colour map away (7 -> 5)
    assert s._promising(g([[0, 0, 4], [0, 0, 0]]))  # an overlay on the input (4 -> 5 painted on top)
    assert s._promising(g([[0, 0, 5], [0, 0, 0]]))  # under the input's cells
    wrong = g([[1, 3, 3], [3, 3, 3]])  # 1/6 of the cells right, and no map, no overlay
    assert s._promising(wrong)  # fewer than 8 fallbacks kept: any state may become one
    s.fallbacks = [Candidate(f"f{i}", 1, 0.5, []) for i in range(8)]
    assert not s._promising(wrong)
    s.fallbacks[-1].train_score = 0.1
    assert s._promising(wrong)  # it would beat the worst fallback on the first pair


@pytest.mark.slow
@pytest.mark.parametrize("task_id", ["80af3007", "239be575", "af902bf9", "ef135b50", "3bdb4ada"])
def test_screening_drops_no_program_that_fits(monkeypatch, task_id) -> None:
    # POOL_LIMIT 0: the pool is always "full", so every last-layer state is screened
    monkeypatch.setattr(search_mod, "POOL_LIMIT", 0)
    task = load_task(default_data_root() / "arc" / "ARC-AGI-1" / "data" / "training" / f"{task_id}.json")
    args = [[to_array(p["input"]) for p in task["train"]], [to_array(p["output"]) for p in task["train"]]]
    args.append([to_array(p["input"]) for p in task["test"]])
    runs = []
    for on in (False, True):
        monkeypatch.setattr(search_mod, "SCREEN_LAST_LAYER", on)
        res = search_mod.search(*args, max_depth=3, time_budget_s=120.0, stop_after=4)
        assert not res.timed_out
        runs.append([(c.program, [p.tobytes() for p in c.predictions]) for c in res.candidates])
    assert runs[0] == runs[1]
    assert runs[0], "the task has a program of the search"


@pytest.mark.slow
def test_whole_pieces_past_the_pool_limit_are_composed(monkeypatch) -> None:
    # c3e719e8: output = the input tiled where its majority colour is, by composition of two pieces. With a
    # pool of one state, only the whole pieces pooled past the limit can give that composition.
    task = load_task(default_data_root() / "arc" / "ARC-AGI-1" / "data" / "training" / "c3e719e8.json")
    args = [[to_array(p["input"]) for p in task["train"]], [to_array(p["output"]) for p in task["train"]]]
    args.append([to_array(p["input"]) for p in task["test"]])
    want = [to_array(p["output"]) for p in task["test"]]
    monkeypatch.setattr(search_mod, "POOL_LIMIT", 1)
    found = {}
    for pieces in (0, 5000):
        monkeypatch.setattr(search_mod, "PIECE_LIMIT", pieces)
        res = search_mod.search(*args, max_depth=2, time_budget_s=60.0, stop_after=4)
        found[pieces] = [c for c in res.candidates if c.program.startswith("compose(")]
    assert not found[0]
    assert found[5000] and all(
        np.array_equal(p, w) for p, w in zip(found[5000][0].predictions, want, strict=True)
    )


def test_learner_states_break_closeness_ties_by_cells_right() -> None:
    s = _state()
    n = s.n + 1
    out = s.train_out
    near = tuple([*(o.copy() for o in out), g([[0]])][:n])  # every train cell right
    half = tuple([*(np.where(o == 5, 0, o).astype(np.uint8) for o in out), g([[0]])][:n])
    other = tuple([g([[1]]), g([[1]]), g([[0]])])  # another shape: no cell counted right
    layer = [(3.0, other, ["a"]), (3.0, half, ["b"]), (3.5, other, ["c"]), (3.0, near, ["d"])]
    order = [p[0] for _, _, p in s._learner_order(layer)]
    assert order == ["c", "d", "b", "a"]  # closeness first; among the ties, most cells right first
