"""``arc_tree_search``: AB-MCTS over ARC programs with the models as actions and the train score as reward.

The fake "LLMs" are real ``program``-backend registry models (callables below) that write fixed programs;
the treequest search, the sandbox (``arc-sandbox``) and the DSL search (``arc-dsl``) are the real ones.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from pathlib import Path
from typing import Any

import pytest

from infscale import Engine
from infscale.arc.grid import load_task
from infscale.arc.scoring import score_task, score_transform
from infscale.bench.suites.arc import attempts_per_test
from infscale.errors import PipelineSyntaxError
from infscale.models.registry import Registry
from infscale.models.spec import ModelSpec
from infscale.monitor.budget import Budget
from infscale.strategies.arc_tree_search import ArcTreeSearchStrategy
from infscale.types import Completion, Request

FLIP = "68b16354"  # the output is the input upside down
GOOD = "```python\ndef transform(grid):\n    return grid[::-1]\n```"
BAD = "```python\ndef transform(grid):\n    return grid\n```"
HALF = "```python\ndef transform(grid):\n    return [row[::-1] for row in grid]\n```"
REFINE_MARK = "This program is wrong"

PROMPTS: list[tuple[str, bool]] = []  # (fake model, was it a refinement prompt?) per generation
REFINEMENTS: list[str] = []  # the refinement prompts' text
_LOCK = threading.Lock()


def _seen(model: str, request: Request) -> bool:
    refining = REFINE_MARK in request.user_text()
    with _LOCK:
        PROMPTS.append((model, refining))
        if refining:
            REFINEMENTS.append(request.user_text())
    return refining


def fake_good(request: Request, index: int) -> str:
    _seen("good", request)
    return GOOD


def fake_bad(request: Request, index: int) -> str:
    _seen("bad", request)
    return BAD


def fake_learner(request: Request, index: int) -> str:
    """Wrong at first; right once it is shown a program and its diff (a refinement prompt)."""
    return GOOD if _seen("learner", request) else BAD


def fake_garbage(request: Request, index: int) -> str:
    _seen("garbage", request)
    return "I am not sure what the rule is."


def fake_coin(request: Request, index: int) -> str:
    """One of three programs, chosen by the call's seed: a run replays only if its seeds do."""
    _seen("coin", request)
    h = int.from_bytes(hashlib.sha256(repr(request.seed).encode()).digest()[:2], "big")
    return (BAD, HALF, GOOD)[h % 3]


FAKES = ("good", "bad", "learner", "garbage", "coin")


def _registry() -> Registry:
    reg = Registry.load(None)
    for name in FAKES:
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


def _request(task: dict[str, Any]) -> Request:
    public = {"train": task["train"], "test": [{"input": p["input"]} for p in task["test"]]}
    return Request(prompt="Find the rule.", metadata={"answer_kind": "grid", "arc_task": public})


def run(
    eng: Engine, spec: str, task: dict[str, Any], seed: int = 7, budget: Budget | None = None
) -> Completion:
    PROMPTS.clear()
    REFINEMENTS.clear()
    return asyncio.run(eng.arun(spec, _request(task), seed=seed, budget=budget))


def _attempts(comp: Completion, task: dict[str, Any]) -> list[list[Any]]:
    return attempts_per_test(comp.answer, None, len(task["test"]))


def _calls(comp: Completion) -> list[tuple[str, str]]:
    return [(c.name, c.attrs["label"]) for c in comp.trace.calls()]


# -- the search -------------------------------------------------------------------------------------


def test_finds_the_right_program_among_two_models(eng: Engine, flip_task: dict[str, Any]) -> None:
    comp = run(eng, "arc_tree_search(models=[fake-bad, fake-good], iterations=8, batch=2)", flip_task)
    assert score_task(_attempts(comp, flip_task), flip_task) == 1.0
    assert comp.confidence == 1.0 and comp.trace.attrs["solved_train"]
    assert comp.trace.attrs["node_scores"][-2:].count(1.0) >= 1
    # It stops at the first batch holding a program that fits every train pair.
    assert comp.trace.attrs["nodes"] <= 8 and comp.trace.attrs["nodes"] % 2 == 0
    assert comp.trace.attrs["nodes_by_model"].get("fake-good", 0) >= 1
    # Each distinct program runs once in the sandbox, whichever node it belongs to.
    runs = [label for name, label in _calls(comp) if name == "arc-sandbox"]
    assert len(runs) == comp.trace.attrs["programs"] <= 2
    assert comp.usage.calls == len(comp.trace.calls())


def test_reward_is_the_train_score(eng: Engine, flip_task: dict[str, Any]) -> None:
    comp = run(eng, "arc_tree_search(models=[fake-bad], iterations=4, batch=2)", flip_task)
    identity = score_transform(lambda g: g, flip_task)
    assert 0.0 < identity.partial < 1.0 and identity.exact == 0.0
    assert comp.trace.attrs["node_scores"] == [pytest.approx(identity.partial, abs=1e-4)] * 4
    # Four nodes hold one program: it ran once (the two equal programs of the first batch included).
    assert [name for name, _ in _calls(comp)].count("arc-sandbox") == 1
    assert comp.trace.attrs["nodes_by_model"] == {"fake-bad": 4}
    assert comp.confidence == pytest.approx(identity.partial)
    # The answer is the program's own test output: the identity returns the test input.
    assert _attempts(comp, flip_task)[0] == [flip_task["test"][0]["input"]]
    assert score_task(_attempts(comp, flip_task), flip_task) == 0.0
    assert [s.score for s in comp.samples] == [pytest.approx(identity.partial)]


def test_refinement_prompts_carry_the_diff_and_win(eng: Engine, flip_task: dict[str, Any]) -> None:
    comp = run(eng, "arc_tree_search(models=[fake-learner], iterations=8, batch=1)", flip_task)
    assert score_task(_attempts(comp, flip_task), flip_task) == 1.0 and comp.confidence == 1.0
    assert comp.trace.attrs["max_depth"] >= 2  # the right program is a refinement of a wrong one
    assert ("learner", True) in PROMPTS and PROMPTS[0] == ("learner", False)
    # The refinement shows the wrong program and its cell diff on the train pairs.
    assert "return grid\n" in REFINEMENTS[0] and "cells wrong" in REFINEMENTS[0]
    # Both programs are attempts, the one that fits the train pairs first.
    attempts = _attempts(comp, flip_task)[0]
    assert attempts == [flip_task["test"][0]["output"], flip_task["test"][0]["input"]]


def test_malformed_replies_are_zero_nodes(eng: Engine, flip_task: dict[str, Any]) -> None:
    comp = run(eng, "arc_tree_search(models=[fake-garbage], iterations=3, batch=1)", flip_task)
    assert comp.answer is None and comp.confidence == 0.0
    assert comp.trace.attrs["node_scores"] == [0.0, 0.0, 0.0] and comp.trace.attrs["malformed"] == 3
    assert all(name == "fake-garbage" for name, _ in _calls(comp))  # nothing reached the sandbox


def test_dsl_is_an_action(eng: Engine, flip_task: dict[str, Any]) -> None:
    spec = "arc_tree_search(models=[fake-bad, arc-dsl], iterations=6, batch=2, dsl_seconds=3, dsl_depth=2)"
    comp = run(eng, spec, flip_task, seed=3)
    assert comp.trace.attrs["nodes_by_model"].get("arc-dsl", 0) >= 1
    assert score_task(_attempts(comp, flip_task), flip_task) == 1.0 and comp.confidence == 1.0
    dsl = [c for c in comp.trace.calls() if c.name == "arc-dsl"]
    assert dsl and all(c.attrs["n"] == 1 for c in dsl)


# -- budget and determinism -------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_call_budget_is_never_exceeded(eng: Engine, flip_task: dict[str, Any], limit: int) -> None:
    spec = "arc_tree_search(models=[fake-coin, fake-bad], iterations=12, batch=2)"
    free = run(eng, spec, flip_task, seed=5)
    comp = run(eng, spec, flip_task, seed=5, budget=Budget(max_calls=limit))
    assert comp.usage.calls <= limit and len(comp.trace.calls()) <= limit
    assert len(PROMPTS) <= limit
    # Only calls that were made become nodes (a refused call or run is no node).
    gen = [label for _, label in _calls(comp) if ":gen:" in label]
    assert comp.trace.attrs["nodes"] <= len(gen)
    if free.usage.calls > limit:
        assert comp.budget_exhausted and comp.trace.attrs.get("budget_exhausted") is True
    assert 0.0 <= (comp.confidence or 0.0) <= 1.0
    if limit == 5:  # two programs written and run, then a third refused: the best so far answers
        assert comp.answer is not None


def test_deterministic_under_a_seed(eng: Engine, flip_task: dict[str, Any]) -> None:
    spec = "arc_tree_search(models=[fake-coin, fake-bad], iterations=10, batch=2)"

    def shape(c: Completion) -> Any:
        return (
            c.answer,
            c.trace.attrs["node_scores"],
            [(x.name, x.attrs["label"], x.attrs["seed"]) for x in c.trace.calls()],
            [(s.model, s.text, s.score) for s in c.samples],
        )

    runs = {seed: [shape(run(eng, spec, flip_task, seed=seed)) for _ in range(2)] for seed in (1, 2, 3)}
    assert all(a == b for a, b in runs.values())
    assert len({repr(r[0][1:3]) for r in runs.values()}) > 1  # the seed matters


def test_strategy_is_configuration_with_explicit_state(flip_task: dict[str, Any]) -> None:
    from infscale.strategies.base import Call, RunInfo

    strat = ArcTreeSearchStrategy(pool=["fake-good"], iterations=2, batch=2)
    info = RunInfo(seed=1, answer_kind="grid", question="", models=[])
    state = strat.init(_request(flip_task), info)
    acts = strat.step(state, [])
    assert isinstance(acts, list) and [type(a) for a in acts] == [Call, Call]
    assert all(a.model == "fake-good" and a.request.n == 1 for a in acts if isinstance(a, Call))
    assert strat.best(state).answer is None  # nothing told yet: no answer, no crash
    assert strat.models() == ["fake-good", "arc-sandbox"]


# -- pipeline syntax --------------------------------------------------------------------------------


def test_pipeline_syntax_and_errors(eng: Engine) -> None:
    s = eng.validate_spec("arc_tree_search(smollm2-135m, gemma3-270m, iterations=6, max_tokens=384)")
    assert isinstance(s, ArcTreeSearchStrategy) and s.pool == ["smollm2-135m", "gemma3-270m"]
    s = eng.validate_spec("arc_tree_search(model=smollm2-135m, models=[arc-dsl], dsl_seconds=2)")
    assert isinstance(s, ArcTreeSearchStrategy) and s.pool == ["smollm2-135m", "arc-dsl"]
    assert s.models() == ["smollm2-135m", "arc-dsl", "arc-sandbox"]
    bad = [
        "arc_tree_search(iterations=4)",
        "arc_tree_search(models=[nope])",
        "arc_tree_search(models=[smollm2-135m], iterations=0)",
        "arc_tree_search(models=[smollm2-135m, smollm2-135m])",
        "arc_tree_search(models=[smollm2-135m], algo=mcts)",
        "arc_tree_search(models=[smollm2-135m], verifier=pal)",
    ]
    for spec in bad:
        with pytest.raises(PipelineSyntaxError):
            eng.validate_spec(spec)


# -- end to end -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_with_the_local_tiny_models(flip_task: dict[str, Any]) -> None:
    """The mechanics with smollm2-135m and gemma3-270m as the actions: a score near 0 is expected."""
    eng = Engine(_registry())
    spec = "arc_tree_search(models=[smollm2-135m, gemma3-270m], iterations=4, batch=2, max_tokens=128)"
    comp = run(eng, spec, flip_task, budget=Budget(max_calls=12))
    attrs = comp.trace.attrs
    assert 1 <= attrs["nodes"] <= 4 and len(attrs["node_scores"]) == attrs["nodes"]
    assert all(0.0 <= s <= 1.0 for s in attrs["node_scores"])
    llm = [c for c in comp.trace.calls() if c.name in ("smollm2-135m", "gemma3-270m")]
    assert llm and comp.usage.output_tokens > 0 and comp.usage.calls <= 12
    assert attrs["generated"] >= 1
    attempts = _attempts(comp, flip_task)
    assert len(attempts) == len(flip_task["test"]) and all(len(a) <= 2 for a in attempts)
    assert 0.0 <= (comp.confidence or 0.0) <= 1.0
