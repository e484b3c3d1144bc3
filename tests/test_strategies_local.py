"""End to end on the embedded local models (slow: they really generate)."""

from __future__ import annotations

import importlib.util

import pytest

from infscale.engine import Engine
from infscale.monitor.budget import Budget
from infscale.types import Request

pytestmark = pytest.mark.slow

SMOL, GEMMA = "smollm2-135m", "gemma3-270m"


@pytest.fixture(scope="module")
def local_engine() -> Engine:
    assert importlib.util.find_spec("llama_cpp") is not None, "llama-cpp-python is not installed in .venv"
    return Engine.from_config(None)


def qa(question: str, kind: str) -> Request:
    return Request(
        prompt=question,
        system="Answer with only the final answer, no explanation.",
        max_tokens=16,
        metadata={"answer_kind": kind},
    )


async def test_program_aided_arithmetic_is_computed_not_guessed(local_engine):
    # Neither model can add 67 and 81 directly; both can write "67 + 81".
    comp = await local_engine.arun(
        f"vote(n=3, model={GEMMA}, via=pal)", qa("What is 67 + 81?", "number"), seed=1
    )
    assert comp.answer == 148
    leaves = comp.trace.calls()
    assert len(leaves) == 1 and leaves[0].attrs["n"] == 3  # one batched decode
    assert comp.usage.output_tokens > 0 and comp.cost.compute_s > 0


async def test_route_sends_arithmetic_to_programs_and_knowledge_to_the_model(local_engine):
    spec = f"route(math=vote(n=3, model={GEMMA}, via=pal), knowledge={GEMMA}, default={GEMMA})"
    comp = await local_engine.arun(spec, qa("Subtract 8 from 64.", "number"), seed=2)
    assert comp.trace.attrs["route"] == "math" and comp.answer == 56
    comp = await local_engine.arun(spec, qa("What is the capital of France?", "text"), seed=2)
    assert comp.trace.attrs["route"] == "knowledge" and comp.answer == "paris"


async def test_cross_model_vote_is_deterministic_and_budgeted(local_engine):
    spec = f"vote(n=4, models=[{SMOL}, {GEMMA}]) | calls=3, tokens=2000"
    a = await local_engine.arun(spec, qa("What is the capital of Hungary?", "text"), seed=5)
    b = await local_engine.arun(spec, qa("What is the capital of Hungary?", "text"), seed=5)
    assert [s.text for s in a.samples] == [s.text for s in b.samples] and a.answer == b.answer
    assert a.usage.calls <= 3 and a.usage.total_tokens <= 2000 and a.budget_exhausted
    assert {leaf.name for leaf in a.trace.calls()} == {SMOL, GEMMA}


async def test_token_budget_is_never_exceeded_with_real_tokens(local_engine):
    for limit in (150, 400):
        comp = await local_engine.arun(
            f"best_of_n(n=4, models=[{SMOL}, {GEMMA}], verifier=pal({GEMMA}, n=3))",
            qa("What is 12 times 11?", "number"),
            seed=3,
            budget=Budget(max_tokens=limit),
        )
        assert 0 < comp.usage.total_tokens <= limit
        assert comp.budget_exhausted
