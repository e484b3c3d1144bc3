"""Running benchmarks through the harness and the CLI with plain-function runners (engine test doubles)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import test_bench_fakes as fakes
from infscale.bench.cli import app
from infscale.bench.harness import BenchSettings, execute, finish, prepare
from infscale.bench.metrics import coverage_curve
from infscale.bench.suites import SuiteOptions
from infscale.types import Completion, Request

DATA = Path(os.environ.get("INFSCALE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
QA_DEV = DATA / "qa" / "dev.jsonl"
GOLD = fakes.qa_gold(QA_DEV)


def run_qa(out: Path, pipelines: list[str], runner: Any = None, **kw: Any) -> tuple[dict[str, Any], Any]:
    runner = runner or fakes.OracleRunner(GOLD)
    report = kw.pop("report", False)
    settings = BenchSettings("qa", pipelines, out, SuiteOptions(data=QA_DEV), report=report, **kw)
    prep = prepare(settings, runner)
    try:
        asyncio.run(execute(prep, show_progress=False))
        summary, _, _ = finish(prep)
    finally:
        prep.store.close()
    return summary, runner


def lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]


def test_pipelines_run_side_by_side_on_the_same_tasks_and_seeds(tmp_path: Path) -> None:
    pipes = ["oracle:n=6,p=0.5", "oracle:n=2,p=0.9"]
    summary, runner = run_qa(tmp_path, pipes, limit=12, seed=3)
    by_pipe: dict[str, dict[str, int | None]] = {p: {} for p in pipes}
    for spec, tid, seed in runner.calls:
        by_pipe[spec][tid] = seed
    assert by_pipe[pipes[0]] == by_pipe[pipes[1]] and len(by_pipe[pipes[0]]) == 12
    recs = lines(tmp_path)
    assert len(recs) == 24 and all(r["status"] == "ok" for r in recs)
    first = recs[0]
    assert len(first["samples"]) in (6, 2) and {"text", "answer", "correct", "usage"} <= set(
        first["samples"][0]
    )
    assert first["trace"]["calls"] == len(first["samples"]) and first["trace"]["root"] == "vote"
    # Every figure is recomputed independently from results.jsonl.
    for p in summary["pipelines"]:
        mine = [r for r in recs if r["pipeline"] == p["pipeline"]]
        acc = sum(r["score"] for r in mine) / 12
        assert p["selected_accuracy"] == pytest.approx(acc, abs=1e-6)
        curve = coverage_curve([(len(r["sample_correct"]), sum(r["sample_correct"])) for r in mine])
        assert p["coverage"]["value"] == pytest.approx(curve, abs=1e-6)
        assert p["selection_efficiency"] == pytest.approx(acc / curve[-1], abs=1e-5)
        assert p["model_calls"] == sum(len(r["samples"]) for r in mine)
        assert p["cost"]["total_tokens"] == 25 * p["model_calls"]
        assert p["latency_ms"]["p50"] is not None and p["latency_ms"]["p95"] >= p["latency_ms"]["p50"]
        assert set(p["by_kind"]) == {"capital"} and p["by_kind"]["capital"]["tasks"] == 12
    assert summary["complete"] and summary["seed"] == 3 and summary["versions"]["python"]
    # A different seed gives the tasks different seeds.
    _, other = run_qa(tmp_path / "s4", pipes[:1], limit=12, seed=4)
    assert {s for _, _, s in other.calls} != {s for _, _, s in runner.calls}


def test_a_failing_task_is_recorded_and_never_stops_the_run(tmp_path: Path) -> None:
    summary, _ = run_qa(tmp_path, ["oracle:n=1,p=1,fail=dev-0002|dev-0004"], limit=6)
    recs = {r["task_id"]: r for r in lines(tmp_path)}
    assert len(recs) == 6
    assert recs["dev-0002"]["status"] == "failed" and "simulated backend failure" in recs["dev-0002"]["error"]
    assert recs["dev-0002"]["error"].startswith("BackendError")
    p = summary["pipelines"][0]
    assert p["failed"] == 2 and p["finished"] == 4
    assert p["selected_accuracy"] == pytest.approx(4 / 6)  # failed tasks stay in the denominator
    assert p["coverage_at_n"] == pytest.approx(4 / 6)
    assert {f["task_id"] for f in p["failures"]} == {"dev-0002", "dev-0004"}


def test_concurrency_is_bounded(tmp_path: Path) -> None:
    _, runner = run_qa(tmp_path, ["oracle:n=1,delay=0.02"], limit=12, concurrency=3)
    assert 1 < runner.max_in_flight <= 3


def test_timeout_records_a_failure(tmp_path: Path) -> None:
    _summary, _ = run_qa(tmp_path, ["oracle:n=1,delay=5"], limit=2, timeout_s=0.05)
    recs = lines(tmp_path)
    assert [r["status"] for r in recs] == ["failed", "failed"]
    assert recs[0]["error"].startswith("TimeoutError")


def test_resume_neither_redoes_nor_double_counts(tmp_path: Path) -> None:
    pipes = ["oracle:n=3,p=0.5"]
    run_qa(tmp_path, pipes, limit=5)
    first = lines(tmp_path)
    summary, runner = run_qa(tmp_path, pipes, limit=8, resume=True)
    assert sorted(t for _, t, _ in runner.calls) == ["dev-0005", "dev-0006", "dev-0007"]
    assert lines(tmp_path)[:5] == first and len(lines(tmp_path)) == 8
    assert summary["pipelines"][0]["tasks"] == 8
    # Simulate kill -9 during a write: a truncated last line is redone, once.
    path = tmp_path / "results.jsonl"
    data = path.read_text()
    path.write_text(data[: len(data) - 40])
    summary, runner = run_qa(tmp_path, pipes, limit=8, resume=True)
    assert [t for _, t, _ in runner.calls] == ["dev-0007"]
    recs = lines(tmp_path)
    assert len(recs) == 8 and len({r["task_id"] for r in recs}) == 8
    # Resuming with a second pipeline runs only that one.
    _, runner = run_qa(tmp_path, [*pipes, "oracle:n=1"], limit=8, resume=True)
    assert {s for s, _, _ in runner.calls} == {"oracle:n=1"} and len(runner.calls) == 8


def test_retry_failed_reruns_only_failures_and_replaces_them(tmp_path: Path) -> None:
    run_qa(tmp_path, ["oracle:n=1,fail=dev-0001"], limit=3)
    runner = fakes.OracleRunner(GOLD)
    # Same spec string is needed for the same key: retry with a runner that no longer fails.

    class Healed(fakes.OracleRunner):
        async def __call__(self, spec: str, request: Request, seed: int | None) -> Completion:
            return await super().__call__("oracle:n=1", request, seed)

    runner = Healed(GOLD)
    summary, _ = run_qa(
        tmp_path, ["oracle:n=1,fail=dev-0001"], runner=runner, limit=3, resume=True, retry_failed=True
    )
    assert [t for _, t, _ in runner.calls] == ["dev-0001"]
    p = summary["pipelines"][0]
    assert p["failed"] == 0 and p["selected_accuracy"] == 1.0


def test_arc_run_writes_kaggle_and_benchmarking_submissions(tmp_path: Path) -> None:
    from infscale.arc.grid import load_dir

    arc1 = DATA / "arc" / "ARC-AGI-1" / "data"
    gold = {nt.task_id: nt.task for nt in load_dir(arc1 / "evaluation")}
    ids = tmp_path / "ids.txt"
    chosen = sorted(gold)[:6]
    ids.write_text("\n".join(chosen))
    pipes = ["oracle:n=3,p=0.6", f"oracle:n=1,p=1,fail={chosen[1]}"]
    settings = BenchSettings(
        "arc",
        pipes,
        tmp_path / "out",
        SuiteOptions(data=arc1, dataset="arc-agi-1", split="evaluation", tasks=ids),
        report=False,
    )
    prep = prepare(settings, fakes.OracleRunner(gold))
    try:
        asyncio.run(execute(prep, show_progress=False))
        summary, _, _ = finish(prep)
    finally:
        prep.store.close()
    out = tmp_path / "out"
    sub = json.loads((out / "submission.json").read_text())
    assert sorted(sub) == chosen
    for tid, pairs in sub.items():
        assert len(pairs) == len(gold[tid]["test"])
        assert all(set(p) == {"attempt_1", "attempt_2"} for p in pairs)
    p2 = summary["pipelines"][1]
    assert p2["selected_accuracy"] == pytest.approx(5 / 6) and p2["arc"]["split_size"] == 400
    assert p2["arc"]["official_score"] == pytest.approx(5 / 400) and not p2["arc"]["full_split"]
    slug_dirs = sorted((out / "submissions").iterdir())
    assert len(slug_dirs) == 2
    for d in slug_dirs:
        files = sorted(f.stem for f in (d / "tasks").glob("*.json"))
        assert files == chosen
        task_file = json.loads((d / "tasks" / f"{chosen[0]}.json").read_text())
        attempt = task_file[0]["attempt_1"]
        assert {"answer", "correct", "metadata"} <= set(attempt)
        meta = attempt["metadata"]
        assert {
            "model",
            "provider",
            "start_timestamp",
            "end_timestamp",
            "choices",
            "usage",
            "cost",
            "task_id",
            "pair_index",
        } <= set(meta)
    failed_file = json.loads(
        (
            out
            / "submissions"
            / next(d.name for d in slug_dirs if "fail" in d.name)
            / "tasks"
            / f"{chosen[1]}.json"
        ).read_text()
    )
    assert failed_file[0]["attempt_1"]["answer"] == [] and failed_file[0]["attempt_1"]["correct"] is False


# ---- the CLI: bad input gives one line and a non-zero exit before any model runs -------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> list[fakes.OracleRunner]:
    monkeypatch.setenv("BENCH_FAKE_QA", str(QA_DEV))
    fakes.CREATED.clear()
    return fakes.CREATED


def invoke(args: list[str]) -> Any:
    return CliRunner().invoke(app, ["bench", *args])


def _assert_one_line_error(result: Any, fragment: str) -> None:
    assert result.exit_code == 2, result.stdout + result.stderr
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and fragment in err[0], result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_cli_bad_inputs(tmp_path: Path, cli_env: list[fakes.OracleRunner]) -> None:
    runner = ["--runner", "test_bench_fakes:from_env"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "question": "q", "answer": "1", "checker": "number"}\n{"id": "b", oops}\n')
    out = ["--out", str(tmp_path / "o")]
    cases = [
        (["nope", "-p", "oracle", *out, *runner], "unknown suite 'nope'"),
        (["qa", "--data", str(bad), "-p", "oracle", *out, *runner], "bad.jsonl:2: malformed JSON"),
        (["qa", "--data", str(tmp_path / "none.jsonl"), "-p", "oracle", *out, *runner], "no such data file"),
        (
            [
                "arc",
                "--dataset",
                "arc-agi-1",
                "--split",
                "training",
                "--data",
                str(tmp_path / "nodir"),
                "-p",
                "oracle",
                *out,
                *runner,
            ],
            "no such ARC data directory",
        ),
        (
            ["qa", "--data", str(QA_DEV), "-p", "oracle:n=1", "-p", "gpt-17", *out, *runner],
            "unknown model or pipeline 'gpt-17'",
        ),
        (
            ["qa", "--data", str(QA_DEV), "-p", "oracle", "--limit", "0", *out, *runner],
            "--limit must be at least 1",
        ),
        (
            ["qa", "--data", str(QA_DEV), "-p", "oracle", "--option", "oops", *out, *runner],
            "--option expects KEY=VALUE",
        ),
        (
            ["qa", "--data", str(QA_DEV), "-p", "oracle", *out, "--runner", "no_such_module:f"],
            "cannot load --runner",
        ),
    ]
    for args, fragment in cases:
        _assert_one_line_error(invoke(args), fragment)
    assert all(not r.calls for r in cli_env)  # no model ran
    assert not (tmp_path / "o" / "results.jsonl").exists()


def test_cli_run_then_refuses_to_overwrite_and_resumes(
    tmp_path: Path, cli_env: list[fakes.OracleRunner]
) -> None:
    out = tmp_path / "o"
    base = [
        "qa",
        "--data",
        str(QA_DEV),
        "-p",
        "oracle:n=4,p=0.5",
        "--out",
        str(out),
        "--runner",
        "test_bench_fakes:from_env",
    ]
    r = invoke([*base, "--limit", "4", "--json", "--no-report"])
    assert r.exit_code == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["tasks"] == 4 and summary["pipelines"][0]["finished"] == 4
    assert json.loads((out / "summary.json").read_text()) == summary
    _assert_one_line_error(invoke([*base, "--limit", "4"]), "already holds results.jsonl")
    r = invoke([*base, "--limit", "6", "--resume", "--no-report"])
    assert r.exit_code == 0, r.stderr
    assert "resuming: 4 results already recorded" in r.stderr
    assert len(cli_env[-1].calls) == 2 and len(lines(out)) == 6
    # scaling on the directory
    r = CliRunner().invoke(app, ["scaling", str(out), "--json", "--target", "0.95"])
    assert r.exit_code == 0, r.stderr
    fits = json.loads(r.stdout)
    assert fits["target"] == 0.95 and fits["pipelines"][0]["status"] in ("ok", "saturated")
    r = CliRunner().invoke(app, ["scaling", str(tmp_path / "nothing")])
    assert r.exit_code == 2 and r.stderr.startswith("error: no such run directory")


def test_a_completion_with_only_model_errors_is_a_failed_task(tmp_path: Path) -> None:
    async def broken(spec: str, request: Request, seed: int | None) -> Completion:
        from infscale.types import Trace

        return Completion(
            answer=None, text="", samples=[], trace=Trace("sample"), errors=["m: weights missing"]
        )

    summary, _ = run_qa(tmp_path, ["anything"], runner=broken, limit=2)
    recs = lines(tmp_path)
    assert [r["status"] for r in recs] == ["failed", "failed"]
    assert recs[0]["error"] == "BackendError: m: weights missing"
    assert summary["pipelines"][0]["failed"] == 2


PLUGIN = """
from infscale.bench.suites import BenchTask, Suite, TaskScore
from infscale.types import Request


class CountSuite(Suite):
    name = "count"
    accepts = frozenset({"tasks"})

    def load(self):
        return [BenchTask(id=f"c{i}", request=Request(prompt=f"count to {i}", metadata={"task_id": f"c{i}"}),
                          reference=i, kind="even" if i % 2 == 0 else "odd") for i in range(1, 5)]

    def score(self, task, completion):
        ok = [s.answer == task.reference for s in completion.samples]
        return TaskScore(score=float(completion.answer == task.reference), sample_correct=ok)
"""


def test_a_suite_plugin_from_an_installed_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    dist = site / "count_suite-0.1.dist-info"
    dist.mkdir(parents=True)
    (site / "count_suite.py").write_text(PLUGIN)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: count-suite\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[infscale.suites]\ncount = count_suite:CountSuite\n")
    monkeypatch.syspath_prepend(str(site))
    from infscale.bench.suites import get_suite, suite_names

    assert "count" in suite_names() and get_suite("count").__name__ == "CountSuite"

    async def counter(spec: str, request: Request, seed: int | None) -> Completion:
        from infscale.types import Sample, Trace

        n = int((request.prompt or "").split()[-1])
        samples = [Sample(text=str(n), model="c", answer=n), Sample(text="0", model="c", index=1, answer=0)]
        return Completion(answer=n if n < 4 else 0, text="", samples=samples, trace=Trace("t"))

    settings = BenchSettings("count", ["counter"], tmp_path / "out", report=False)
    prep = prepare(settings, counter)
    try:
        asyncio.run(execute(prep, show_progress=False))
        summary, _, _ = finish(prep)
    finally:
        prep.store.close()
    p = summary["pipelines"][0]
    assert p["selected_accuracy"] == 0.75 and p["coverage"]["value"] == [0.5, 1.0]
    assert p["by_kind"]["even"]["selected_accuracy"] == 0.5
