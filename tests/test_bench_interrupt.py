"""Interrupting a real ``bench`` process (kill -9, Ctrl-C) loses nothing; ``--resume`` finishes the run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
DATA = Path(os.environ.get("INFSCALE_DATA", TESTS.parents[1] / "shared" / "data"))
QA_DEV = DATA / "qa" / "dev.jsonl"
N = 30


def bench(out: Path, *extra: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
        "BENCH_FAKE_QA": str(QA_DEV),
    }
    cmd = [
        sys.executable, "-m", "infscale.bench.cli", "bench", "qa", "--data", str(QA_DEV),
        "-p", "oracle:n=2,p=0.5,delay=0.25", "-p", "oracle:n=1,p=0.9,delay=0.25",
        "--limit", str(N), "--concurrency", "2", "--runner", "test_bench_fakes:from_env", "--no-report",
        "--out", str(out), *extra,
    ]  # fmt: skip
    # A shell without job control starts background jobs with SIGINT ignored, and children inherit that: give
    # the bench process the default disposition, as a terminal's Ctrl-C finds it.
    return subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_lines(path: Path, n: int, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and path.read_text().count("\n") >= n:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError("the run made no progress")


def keys(path: Path) -> list[tuple[str, str]]:
    return [(r["pipeline"], r["task_id"]) for r in map(json.loads, path.read_text().splitlines())]


def finish_with_resume(out: Path) -> None:
    proc = bench(out, "--resume", "--json")
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    summary = json.loads(stdout)
    assert summary["complete"] and all(p["finished"] == N for p in summary["pipelines"])
    k = keys(out / "results.jsonl")
    assert len(k) == 2 * N and len(set(k)) == 2 * N  # nothing redone, nothing double counted


@pytest.mark.slow
def test_kill_9_then_resume(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = bench(out)
    wait_for_lines(out / "results.jsonl", 8, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    done = keys(out / "results.jsonl")
    assert 8 <= len(done) < 2 * N
    # A write cut short by the kill: the partial line is detected and that task redone.
    with open(out / "results.jsonl", "a") as fh:
        fh.write('{"v":1,"pipeline":"oracle:n=1,p=0.9,delay=0.25","task_id":"dev-00')
    finish_with_resume(out)
    assert keys(out / "results.jsonl")[: len(done)] == done


@pytest.mark.slow
def test_ctrl_c_saves_a_partial_summary_then_resume(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = bench(out)
    wait_for_lines(out / "results.jsonl", 6, proc)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "--resume" in stderr and "Traceback" not in stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] is False
    recorded = len(keys(out / "results.jsonl"))
    assert sum(p["finished"] for p in summary["pipelines"]) == recorded < 2 * N
    finish_with_resume(out)
