"""The arc_dsl solver on training tasks its DSL covers, determinism, loading errors, the runner and the CLI."""

import json

import pytest
from typer.testing import CliRunner

from infscale.arc.cli import app
from infscale.arc.grid import NamedTask, default_data_root, load_task, validate_task
from infscale.arc.runner import run_tasks
from infscale.arc.scoring import score_task
from infscale.arc.search import _MOTIONS
from infscale.arc.solver import DslSolver, attempts_at_budget
from infscale.errors import DataError, InvalidRequestError

TRAIN = default_data_root() / "arc" / "ARC-AGI-1" / "data" / "training"

# Training tasks the DSL solves, with the kind of program that does it (or the kinds, when two generic
# mechanisms both explain it and which names the answer depends on the search order).
SOLVABLE = {
    "007bbfb7": "self_tile",  # fractal tiling
    "0d3d703e": "colour_map",  # learned colour map
    "00d62c1b": ("fill_enclosed", "learn_cell_tree"),  # fill enclosed background
    "0520fde7": "and_halves",  # boolean op of the two halves split by a line
    "0dfd9992": "learn_completion",  # periodic pattern completion of a masked area
    # objects recoloured by size rank (learn_object_recolour agrees; the simpler program names the answer)
    "08ed6ac7": "colour_by_size_rank",
    "0b148d64": ("crop", "col_min_cells"),  # crop to a selected object (the colour layer with fewest cells)
}


@pytest.fixture(scope="module")
def solver():
    return DslSolver(max_depth=3, time_budget_s=8.0)


@pytest.mark.parametrize("task_id", sorted(SOLVABLE))
def test_solves_training_task(solver, task_id):
    task = load_task(TRAIN / f"{task_id}.json")
    sol = solver.solve(task)
    assert score_task(sol.attempts, task) == 1.0
    assert sol.train_score == 1.0
    kinds = SOLVABLE[task_id]
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    assert any(k in p for p in sol.programs for k in kinds), sol.programs
    assert all(1 <= len(a) <= 2 for a in sol.attempts)


@pytest.mark.parametrize("task_id", ["0d3d703e", "0520fde7"])
def test_budget_replay_follows_the_answer_ranking(solver, task_id):
    task = load_task(TRAIN / f"{task_id}.json")
    sol = solver.solve(task)
    found = sol.extra["timeline"]
    assert found and all(t >= 0 for t, _ in found)
    full = attempts_at_budget(sol, float("inf"))
    # at the whole budget the replay is the answer (less any attempt filled by a partial fit)
    for got, given in zip(full, sol.attempts, strict=True):
        assert got and got == given[: len(got)]
    assert score_task(full, task) == 1.0
    assert all(a == [] for a in attempts_at_budget(sol, -1.0))
    first = min(t for t, _ in found)
    assert all(len(a) >= 1 for a in attempts_at_budget(sol, first))


def test_unsolved_task_still_gives_at_most_two_attempts(solver):
    task = load_task(TRAIN / "017c7c7b.json")
    sol = DslSolver(max_depth=2, time_budget_s=0.5).solve(task)
    assert len(sol.attempts) == len(task["test"])
    assert all(len(a) <= 2 for a in sol.attempts)
    assert sol.elapsed_s < 3.0


def test_deterministic():
    task = load_task(TRAIN / "0520fde7.json")
    a = DslSolver(max_depth=2, time_budget_s=5.0, max_candidates=3000).solve(task)
    b = DslSolver(max_depth=2, time_budget_s=5.0, max_candidates=3000).solve(task)
    assert a.programs == b.programs and a.attempts == b.attempts and a.nodes == b.nodes


def test_bad_inputs_are_typed_errors(tmp_path):
    with pytest.raises(DataError):
        validate_task({"train": [], "test": []})
    with pytest.raises(DataError):
        validate_task({"train": [{"input": [[1, 2], [3]], "output": [[1]]}], "test": [{"input": [[1]]}]})
    with pytest.raises(DataError):
        validate_task({"train": [{"input": [[11]], "output": [[1]]}], "test": [{"input": [[1]]}]})
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(DataError):
        load_task(bad)
    with pytest.raises(InvalidRequestError):
        DslSolver(time_budget_s=0)


def test_runner_scores_and_enforces_time_limit():
    tasks = [NamedTask(t, load_task(TRAIN / f"{t}.json")) for t in ("0d3d703e", "5daaa586")]
    # the hard limit leaves room for a loaded machine: 0d3d703e takes ~0.6 s idle; 5daaa586 uses its whole
    # budget (its search never ends early)
    s = run_tasks(tasks, {"time_budget_s": 8.0}, workers=2, hard_limit_s=2.5)
    by = {r.task_id: r for r in s.results}
    assert by["0d3d703e"].score == 1.0 and by["0d3d703e"].status == "ok"
    assert by["5daaa586"].status == "timeout" and by["5daaa586"].score == 0.0
    assert s.score == 0.5


def test_runner_says_whether_the_search_ran_out_of_time():
    tasks = [NamedTask(t, load_task(TRAIN / f"{t}.json")) for t in ("0d3d703e", "5daaa586")]
    by = {r.task_id: r for r in run_tasks(tasks, {"time_budget_s": 1.0}, workers=2).results}
    assert not by["0d3d703e"].search_timed_out and by["0d3d703e"].depth_reached >= 1
    assert by["5daaa586"].search_timed_out and by["5daaa586"].score == 0.0


def test_cli_solve_and_errors():
    runner = CliRunner()
    r = runner.invoke(app, ["solve", str(TRAIN / "0d3d703e.json"), "--budget", "3", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["score"] == 1.0
    r = runner.invoke(app, ["solve", "/no/such/task.json"])
    assert r.exit_code == 1 and "no such task file" in r.output
    r = runner.invoke(app, ["eval", "--dataset", "arc-agi-9"])
    assert r.exit_code == 1 and "unknown ARC dataset" in r.output


@pytest.mark.slow
def test_cli_eval_small_split():
    r = CliRunner().invoke(
        app, ["eval", "--dataset", "arc-agi-1", "--split", "training", "--limit", "4", "--budget", "1"]
    )
    assert r.exit_code == 0, r.output
    assert "arc_dsl on arc-agi-1 training" in r.output


def _learner_order(monkeypatch, max_depth):
    """Search a task nothing fits with a recording learner: the sequence of learner fits and DFS passes."""
    import numpy as np

    import infscale.arc.search as search_mod

    events: list[str] = []

    def fit(train_in, train_out, test_in):
        events.append("learn")
        return None

    dfs = search_mod._Search._dfs

    def recording_dfs(self, state, prog, depth, limit):
        if depth == 1 and (not events or events[-1] != f"dfs{limit}"):
            events.append(f"dfs{limit}")
        return dfs(self, state, prog, depth, limit)

    monkeypatch.setattr(search_mod, "LEARNERS", [("record", fit)])
    monkeypatch.setattr(search_mod._Search, "_dfs", recording_dfs)
    rng = np.random.default_rng(0)
    ins = [rng.integers(0, 10, (9, 7), dtype=np.uint8) for _ in range(3)]
    outs = [rng.integers(0, 10, (9, 7), dtype=np.uint8) for _ in range(2)]
    res = search_mod.search(ins[:2], outs, ins[2:], max_depth=max_depth, time_budget_s=3.0)
    assert not [c for c in res.candidates if not c.weak]
    return events, search_mod.EARLY_LEARNER_STATES


def test_learners_on_the_closest_depth1_states_before_depth2_and_the_rest_after(monkeypatch):
    events, early = _learner_order(monkeypatch, max_depth=3)
    assert 0 < early < 40
    first = events.index("dfs2")
    # the root, the closest depth-1 states, then the root turned by each rigid motion
    assert events[:first] == ["learn"] * (1 + early + len(_MOTIONS))
    then = events.index("dfs3")
    # the rest of the 40 closest states (those without marker cells: see _Search._learners), before depth 3
    rest = events[first + 1 : then]
    assert set(rest) == {"learn"} and 0 < len(rest) <= 40 - early


def test_learners_on_every_closest_depth1_state_at_depth_2(monkeypatch):
    events, early = _learner_order(monkeypatch, max_depth=2)
    turned = len(_MOTIONS)  # the root turned by each rigid motion, before depth 2
    assert 1 + early + turned < events.count("learn") <= 1 + 40 + turned
    assert events.index("dfs2") == 1 + early + turned


def test_colour_normalised_search_is_shallower(monkeypatch):
    import infscale.arc.solver as solver_mod

    depths: list[int] = []
    real = solver_mod.search

    def recording(*args, **kwargs):
        depths.append(kwargs["max_depth"])
        return real(*args, **kwargs)

    monkeypatch.setattr(solver_mod, "search", recording)
    task = load_task(TRAIN / "3de23699.json")  # pair-specific colours: solved by the normalised search
    sol = DslSolver(max_depth=3, time_budget_s=6.0).solve(task)
    assert depths == [3, solver_mod.NORMALISED_DEPTH] and solver_mod.NORMALISED_DEPTH < 3
    assert score_task(sol.attempts, task) == 1.0 and sol.programs[0].startswith("normalise_colours")
