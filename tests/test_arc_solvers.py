"""ARC solvers in the engine: the ``arc-dsl`` model, ``arc_program`` (sandboxed model-written programs),
``arc_transduce`` and a cascade of them.

The fake "LLMs" are real ``program``-backend registry models whose callables (below) deterministically
return a fixed correct or incorrect ``transform`` program; the sandbox and the DSL search are the real ones.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infscale import Engine
from infscale.arc.formats import encode_task, parse_grid
from infscale.arc.grid import load_task
from infscale.arc.solvers import extract_program, score_outputs, task_from_prompt
from infscale.bench.suites.arc import attempts_per_test
from infscale.errors import InvalidRequestError, PipelineSyntaxError
from infscale.models.registry import Registry
from infscale.models.spec import ModelSpec
from infscale.types import Request

ROOT = Path(__file__).resolve().parents[1]
FLIP = "68b16354"  # the output is the input upside down
GOOD = "```python\ndef transform(grid):\n    return grid[::-1]\n```"
BAD = "```python\ndef transform(grid):\n    return grid\n```"


def fake_good(request: Request, index: int) -> str:
    return GOOD


def fake_bad(request: Request, index: int) -> str:
    return BAD


def fake_learner(request: Request, index: int) -> str:
    """Wrong at first; right once it is shown its program's diff (a refinement prompt)."""
    return GOOD if "This program is wrong" in request.user_text() else BAD


def fake_garbage(request: Request, index: int) -> str:
    return "I am not sure what the rule is."


def fake_crash(request: Request, index: int) -> str:
    return "```python\ndef transform(grid):\n    return grid[99]\n```"


def fake_transducer(request: Request, index: int) -> str:
    """Reads the test input from the prompt and writes it upside down (index 1: malformed)."""
    if index == 1:
        return "no idea"
    text = request.user_text().split("Test input:")[-1].split("Test output:")[0]
    grid = parse_grid(text)
    return "\n".join("".join(map(str, r)) for r in (grid or [[0]])[::-1])


def _registry() -> Registry:
    reg = Registry.load(None)
    for name in ("good", "bad", "learner", "garbage", "crash", "transducer"):
        reg.add(
            ModelSpec(name=f"fake-{name}", backend="program", options={"callable": f"{__name__}:fake_{name}"})
        )
    return reg


@pytest.fixture(scope="module")
def eng() -> Engine:
    return Engine(_registry())


@pytest.fixture(scope="module")
def flip_task(data_dir: Path) -> dict[str, Any]:
    return load_task(data_dir / "arc" / "ARC-AGI-1" / "data" / "training" / f"{FLIP}.json")


def _request(task: dict[str, Any], with_task: bool = True, **meta: Any) -> Request:
    public = {"train": task["train"], "test": [{"input": p["input"]} for p in task["test"]]}
    prompt = "Find the rule.\n\n" + encode_task(public) + "\n\nTest 1 output:\n"
    md: dict[str, Any] = {"answer_kind": "grid", **meta}
    if with_task:
        md["arc_task"] = public
    return Request(prompt=prompt, metadata=md)


def _solved(answer: Any, task: dict[str, Any]) -> bool:
    attempts = attempts_per_test(answer, None, len(task["test"]))
    return all(p["output"] in attempts[i][:2] for i, p in enumerate(task["test"]))


def run(eng: Engine, spec: str, req: Request) -> Any:
    return asyncio.run(eng.arun(spec, req, seed=7))


# -- helpers ----------------------------------------------------------------------------------------


def test_task_from_prompt_round_trips(flip_task: dict[str, Any]) -> None:
    req = _request(flip_task, with_task=False)
    got = task_from_prompt(req.user_text())
    assert got["train"] == flip_task["train"]
    assert got["test"] == [{"input": p["input"]} for p in flip_task["test"]]
    with pytest.raises(InvalidRequestError):
        task_from_prompt("what is 2 + 2?")


def test_extract_program_shapes() -> None:
    assert extract_program(GOOD) == "def transform(grid):\n    return grid[::-1]\n"
    # the prompt ends inside "def transform(grid):": a bare body is completed
    assert extract_program("    return grid\n```") == "def transform(grid):\n    return grid\n"
    assert extract_program("") is None


def test_score_outputs_exact_partial_and_feedback(flip_task: dict[str, Any]) -> None:
    train = flip_task["train"]
    right = [{"grid": p["output"]} for p in train] + [{"grid": [[1]]}]
    r = score_outputs("code", flip_task, right)
    assert r.score.solved and r.train_score == 1.0 and r.feedback == ""
    half = [{"grid": train[0]["output"]}, {"error": "ZeroDivisionError: x"}, {"grid": train[2]["input"]}]
    r = score_outputs("code", flip_task, [*half, {"grid": [[1]]}])
    assert r.score.exact == pytest.approx(1 / 3)
    assert 1 / 3 < r.train_score < 1.0  # partial credit for the identity's correct cells
    assert "ZeroDivisionError" in r.feedback and "Example 3" in r.feedback


# -- arc-dsl ----------------------------------------------------------------------------------------


def test_arc_dsl_model_through_engine(eng: Engine, flip_task: dict[str, Any]) -> None:
    comp = run(eng, "arc-dsl", _request(flip_task, arc_dsl={"seconds": 5, "depth": 2}))
    assert _solved(comp.answer, flip_task)
    s = comp.samples[0]
    assert json.loads(s.text)["train_score"] == 1.0
    assert comp.cost.usd == 0.0 and comp.cost.compute_s > 0


def test_arc_dsl_reads_the_task_from_the_prompt(eng: Engine, flip_task: dict[str, Any]) -> None:
    comp = run(eng, "arc-dsl", _request(flip_task, with_task=False, arc_dsl={"seconds": 5}))
    assert _solved(comp.answer, flip_task)


def test_arc_dsl_bad_request_is_a_failed_sample(eng: Engine) -> None:
    comp = run(eng, "arc-dsl", Request(prompt="what is 2 + 2?", metadata={"answer_kind": "grid"}))
    assert comp.answer is None and "no ARC task" in comp.samples[0].error


def test_arc_dsl_strategy_reports_train_score(eng: Engine, flip_task: dict[str, Any]) -> None:
    comp = run(eng, "arc_dsl(seconds=5, depth=2)", _request(flip_task))
    assert comp.confidence == 1.0 and _solved(comp.answer, flip_task)


# -- arc_program ----------------------------------------------------------------------------------


def test_arc_program_correct_program_solves(eng: Engine, flip_task: dict[str, Any]) -> None:
    comp = run(eng, "arc_program(model=fake-good, n=2, rounds=2)", _request(flip_task))
    assert _solved(comp.answer, flip_task)
    assert comp.confidence == 1.0
    assert comp.trace.attrs["rounds"] == 0  # all train pairs pass at once: no refinement
    calls = [c.name for c in comp.trace.calls()]
    assert calls == ["fake-good", "arc-sandbox"]  # two identical programs run once


def test_arc_program_wrong_program_fails_with_partial_score(eng: Engine, flip_task: dict[str, Any]) -> None:
    comp = run(eng, "arc_program(model=fake-bad, n=2, rounds=1)", _request(flip_task))
    assert not _solved(comp.answer, flip_task)
    assert 0.0 < comp.confidence < 1.0
    assert comp.trace.attrs["rounds"] == 1 and not comp.trace.attrs["solved_train"]


def test_arc_program_refinement_uses_feedback(eng: Engine, flip_task: dict[str, Any]) -> None:
    comp = run(eng, "arc_program(model=fake-learner, n=1, rounds=2)", _request(flip_task))
    assert _solved(comp.answer, flip_task) and comp.confidence == 1.0
    assert comp.trace.attrs["rounds"] == 1  # stopped as soon as every train pair passed
    # the wrong program and the right one are both attempts, the right one first
    attempts = attempts_per_test(comp.answer, None, 1)[0]
    assert attempts[0] == flip_task["test"][0]["output"] and len(attempts) == 2


def test_arc_program_malformed_and_crashing_programs(eng: Engine, flip_task: dict[str, Any]) -> None:
    comp = run(eng, "arc_program(model=fake-garbage, n=2, rounds=0)", _request(flip_task))
    assert comp.answer is None and comp.confidence == 0.0
    comp = run(eng, "arc_program(model=fake-crash, n=1, rounds=0)", _request(flip_task))
    assert comp.answer is None and comp.trace.attrs["programs"] == 1


def test_arc_program_pipeline_errors(eng: Engine) -> None:
    with pytest.raises(PipelineSyntaxError):
        eng.validate_spec("arc_program(model=nope)")
    with pytest.raises(PipelineSyntaxError):
        eng.validate_spec("arc_program(model=fake-good, n=0)")
    eng.validate_spec("arc_program(model=smollm2-135m, n=4, rounds=2)")


# -- arc_transduce and cascade ----------------------------------------------------------------------


def test_arc_transduce_votes_and_counts_malformed(eng: Engine, flip_task: dict[str, Any]) -> None:
    comp = run(eng, "arc_transduce(model=fake-transducer, n=3)", _request(flip_task))
    assert _solved(comp.answer, flip_task)
    assert comp.trace.attrs["malformed"] == 1
    assert [s.ok for s in comp.samples] == [True, False, True]
    assert comp.confidence == pytest.approx(2 / 3)


def test_cascade_escalates_when_the_dsl_misses(eng: Engine, flip_task: dict[str, Any]) -> None:
    # A tier that misses for sure (the identity program fits no train pair): escalate. (A tiny DSL budget
    # would depend on the machine's speed: the depth-0 learners find a flip within milliseconds.)
    spec = "cascade(arc_program(model=fake-bad, n=1, rounds=0) @1.0, arc_program(model=fake-good, n=1, rounds=0))"
    comp = run(eng, spec, _request(flip_task))
    assert comp.trace.attrs["answered_by_tier"] == 1 and _solved(comp.answer, flip_task)
    spec = "cascade(arc_dsl(seconds=5, depth=2) @1.0, arc_program(model=fake-bad, n=1, rounds=0))"
    comp = run(eng, spec, _request(flip_task))
    assert comp.trace.attrs["answered_by_tier"] == 0 and _solved(comp.answer, flip_task)


# -- end to end -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_bench_arc_dsl_cli(tmp_path: Path, data_dir: Path) -> None:
    data = data_dir / "arc" / "ARC-AGI-1" / "data"
    cmd = [
        str(Path(sys.executable).parent / "infscale"),
        "bench",
        "arc",
        "--dataset",
        "arc-agi-1",
        "--split",
        "training",
    ]
    cmd += ["--data", str(data), "--limit", "2", "-p", "arc-dsl", "--out", str(tmp_path)]
    env = {**os.environ, "INFSCALE_ARC_DSL_SECONDS": "3"}
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert res.returncode == 0, res.stderr
    rows = [json.loads(x) for p in tmp_path.rglob("results.jsonl") for x in p.read_text().splitlines()]
    assert len(rows) == 2 and all(r["status"] == "ok" for r in rows)


@pytest.mark.slow
def test_arc_program_with_smollm2(flip_task: dict[str, Any]) -> None:
    """The mechanics end to end with a real 135M model: a score near 0 is expected."""
    eng = Engine(_registry())
    comp = run(eng, "arc_program(model=smollm2-135m, n=2, rounds=1, max_tokens=160)", _request(flip_task))
    calls = [c.name for c in comp.trace.calls()]
    assert calls.count("smollm2-135m") >= 1
    assert comp.usage.output_tokens > 0
    assert comp.trace.attrs["generated"] >= 2
    assert 0.0 <= (comp.confidence or 0.0) <= 1.0
    assert re.search(r"rounds", json.dumps(comp.trace.attrs))
