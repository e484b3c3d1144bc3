"""End to end through the real CLI and the real engine, with program-backend models (no weights needed).

The models are registry entries of backend ``program`` whose callables live in ``test_bench_fakes``: a QA
solver (arithmetic, parity, three capitals; raises on 'explode') and a tiny ARC symmetry search.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
DATA = Path(os.environ.get("INFSCALE_DATA", TESTS.parents[1] / "shared" / "data"))
CONFIG = """
[models.qa-solver]
backend = "program"
callable = "test_bench_fakes:qa_solver"

[models.arc-solver]
backend = "program"
callable = "test_bench_fakes:arc_symmetry_solver"
"""
QUESTIONS = [
    {"id": "a1", "question": "What is 7 plus 5?", "answer": "12", "checker": "number", "kind": "add"},
    {
        "id": "c1",
        "question": "Which number is larger, 76 or 134?",
        "answer": "134",
        "checker": "number",
        "kind": "compare",
    },
    {
        "id": "y1",
        "question": "Is 40 an even number? Answer yes or no.",
        "answer": "yes",
        "checker": "choice",
        "kind": "yesno",
    },
    {
        "id": "k1",
        "question": "What is the capital of Mexico?",
        "answer": "Mexico City",
        "checker": "text",
        "kind": "capital",
    },
    {
        "id": "k2",
        "question": "What is the capital of Brazil?",
        "answer": "Brasilia",
        "checker": "text",
        "kind": "capital",
    },
    {"id": "x1", "question": "Please explode now.", "answer": "1", "checker": "number", "kind": "odd"},
]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "infscale.toml"
    path.write_text(CONFIG)
    return path


def infscale(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "infscale.cli", *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_qa_through_the_engine(tmp_path: Path, config: Path) -> None:
    data = tmp_path / "q.jsonl"
    data.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS))
    out = tmp_path / "run"
    r = infscale(
        "bench",
        "qa",
        "--data",
        str(data),
        "-p",
        "qa-solver",
        "--config",
        str(config),
        "--out",
        str(out),
        "--json",
        "--no-report",
    )
    assert r.returncode == 0, r.stderr
    p = json.loads(r.stdout)["pipelines"][0]
    recs = {x["task_id"]: x for x in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    assert {t: rec["score"] for t, rec in recs.items()} == {
        "a1": 1.0,
        "c1": 1.0,
        "y1": 1.0,
        "k1": 1.0,
        "k2": 0.0,
        "x1": 0.0,
    }
    assert recs["x1"]["status"] == "failed" and "solver exploded" in recs["x1"]["error"]
    assert recs["a1"]["answer"] == 12 and recs["a1"]["samples"][0]["model"] == "qa-solver"
    assert recs["a1"]["trace"]["calls_by_model"] == {"qa-solver": 1}
    assert p["selected_accuracy"] == pytest.approx(4 / 6) and p["failed"] == 1
    assert p["by_kind"]["capital"]["selected_accuracy"] == pytest.approx(0.5)
    assert p["cost"]["model_seconds"] > 0 and p["model_calls"] == 6  # the failed task's call counts too
    assert recs["x1"]["samples"][0]["error"].startswith("RuntimeError: solver exploded")


def test_arc_through_the_engine(tmp_path: Path, config: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("3c9b0459\n6150a2bd\n007bbfb7\n")
    out = tmp_path / "run"
    arc1 = DATA / "arc" / "ARC-AGI-1" / "data"
    r = infscale(
        "bench", "arc", "--dataset", "arc-agi-1", "--split", "training", "--data", str(arc1), "--tasks", str(ids),
        "-p", "arc-solver", "--config", str(config), "--out", str(out), "--json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    p = json.loads(r.stdout)["pipelines"][0]
    assert p["arc"]["score"] == pytest.approx(2 / 3) and p["arc"]["official_score"] == pytest.approx(2 / 400)
    sub = json.loads((out / "submission.json").read_text())
    assert sorted(sub) == ["007bbfb7", "3c9b0459", "6150a2bd"]
    expected = json.loads((arc1 / "training" / "3c9b0459.json").read_text())["test"][0]["output"]
    assert sub["3c9b0459"][0]["attempt_1"] == expected
    assert sub["007bbfb7"][0] == {"attempt_1": [[0]], "attempt_2": [[0]]}  # no grid: placeholders
    # Rescore submission.json independently: the official rule, straight from the task files.
    total = 0.0
    for tid, pairs in sub.items():
        tests = json.loads((arc1 / "training" / f"{tid}.json").read_text())["test"]
        solved = sum(
            t["output"] in (a["attempt_1"], a["attempt_2"]) for t, a in zip(tests, pairs, strict=True)
        )
        total += solved / len(tests)
    assert p["arc"]["score"] == pytest.approx(total / len(sub))
    assert (out / "report.html").exists()


def test_unknown_model_fails_before_anything_runs(tmp_path: Path, config: Path) -> None:
    data = tmp_path / "q.jsonl"
    data.write_text(json.dumps(QUESTIONS[0]) + "\n")
    out = tmp_path / "run"
    r = infscale(
        "bench",
        "qa",
        "--data",
        str(data),
        "-p",
        "qa-solver",
        "-p",
        "gpt-99",
        "--config",
        str(config),
        "--out",
        str(out),
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "gpt-99" in lines[0] and "Traceback" not in r.stderr
    assert not (out / "results.jsonl").exists()
