"""End to end through the real ``infscale`` CLI and engine with the embedded local model smollm2-135m."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(os.environ.get("INFSCALE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
QA_DEV = DATA / "qa" / "dev.jsonl"


def infscale(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "infscale.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    rows = [json.loads(x) for x in QA_DEV.read_text().splitlines()]
    picked = [r for r in rows if r["id"] in ("dev-0000", "dev-0040", "dev-0143")]
    path = tmp_path / "three.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in picked))
    return path


@pytest.mark.slow
def test_bench_qa_with_the_local_model(tmp_path: Path, questions: Path) -> None:
    out = tmp_path / "run"
    vote = "vote(n=3, models=[smollm2-135m])"
    args = ["bench", "qa", "--data", str(questions), "-p", "smollm2-135m", "-p", vote, "--out", str(out)]
    args += ["--seed", "1", "--max-tokens", "24"]
    r = infscale(*args, "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    p, v = summary["pipelines"]
    assert summary["tasks"] == 3 and p["finished"] == 3 and p["failed"] == 0, p.get("failures")
    assert v["finished"] == 3 and v["samples"]["max"] == 3 and len(v["coverage"]["value"]) == 3
    assert v["coverage"]["value"] == sorted(v["coverage"]["value"])
    recs = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert len(recs) == 6
    seeds: dict[str, set[int]] = {}
    for rec in recs:
        assert rec["status"] == "ok" and rec["samples"], rec.get("error")
        s = rec["samples"][0]
        assert s["model"] == "smollm2-135m" and s["text"] and s["usage"]["output_tokens"] > 0
        assert rec["trace"]["calls"] >= 1 and rec["calls"] >= 1
        assert isinstance(rec["score"], float) and rec["seed"] == summary["task_seeds"][rec["task_id"]]
        seeds.setdefault(rec["task_id"], set()).add(rec["seed"])
    assert all(len(x) == 1 for x in seeds.values())  # both pipelines got the same seed per task
    assert p["cost"]["total_tokens"] > 0 and p["cost"]["model_seconds"] > 0
    assert p["latency_ms"]["p50"] > 0 and p["model_calls"] >= 3
    assert set(p["by_kind"]) == {"capital", "add", "yesno"}
    page = (out / "report.html").read_text()
    assert page.count("data:image/svg+xml;base64,") == 3
    # Resuming a finished run runs nothing and changes nothing.
    before = (out / "results.jsonl").read_text()
    r = infscale(*args, "--resume", "--no-report")
    assert r.returncode == 0, r.stderr
    assert (out / "results.jsonl").read_text() == before


@pytest.mark.slow
def test_bad_pipeline_fails_before_any_model_runs(tmp_path: Path, questions: Path) -> None:
    out = tmp_path / "run"
    r = infscale(
        "bench",
        "qa",
        "--data",
        str(questions),
        "-p",
        "smollm2-135m",
        "-p",
        "no-such-model-xyz",
        "--out",
        str(out),
        timeout=120,
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "no-such-model-xyz" in lines[0], r.stderr
    assert not (out / "results.jsonl").exists()
