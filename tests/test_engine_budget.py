import pytest

from infscale.engine import Engine
from infscale.errors import BudgetExceededError, InvalidRequestError
from infscale.models.registry import Registry
from infscale.models.spec import ModelSpec
from infscale.monitor.budget import Budget, BudgetTracker
from infscale.strategies.sample import SampleStrategy
from infscale.types import Request, Sample, Usage


def make_engine(price_out: float = 0.0) -> Engine:
    reg = Registry(
        [
            ModelSpec(
                "adder", "program", {"callable": "tests.helpers.programs:echo_numbers"}, price_out=price_out
            ),
            ModelSpec("flaky", "program", {"callable": "tests.helpers.programs:fails_on_odd"}),
        ]
    )
    return Engine(reg)


async def test_sample_strategy_votes_and_traces():
    eng = make_engine()
    comp = await eng.arun(
        "adder", Request(prompt="What is 2 plus 3?", n=5, metadata={"answer_kind": "number"}), seed=1
    )
    assert comp.answer == 5
    assert len(comp.samples) == 5 and sorted(s.answer for s in comp.samples).count(6) == 1
    assert comp.confidence == pytest.approx(0.8)
    calls = comp.trace.calls()
    assert len(calls) == 1 and calls[0].attrs["n"] == 5
    assert comp.usage.calls == 5 == sum(c.usage.calls for c in calls)


async def test_partial_failures_still_answer_and_are_reported():
    eng = make_engine()
    comp = await eng.arun(
        SampleStrategy(pool=["flaky"], n=4), Request(prompt="q", metadata={"answer_kind": "number"})
    )
    assert comp.answer == 42
    assert sum(1 for s in comp.samples if s.error) == 2
    assert len(comp.errors) == 2 and "sample 1 failed" in comp.errors[0]


async def test_max_calls_budget_is_never_exceeded():
    eng = make_engine()
    comp = await eng.arun(
        SampleStrategy(pool=["adder"], n=10),
        Request(prompt="1 2", metadata={"answer_kind": "number"}),
        budget=Budget(max_calls=3),
    )
    assert comp.usage.calls == 3 and len(comp.samples) == 3
    assert comp.answer == 3


def test_tracker_shrinks_to_fit_and_then_refuses():
    t = BudgetTracker(Budget(max_tokens=200))
    req = Request(prompt="x" * 10, n=4, max_tokens=100)
    with pytest.raises(BudgetExceededError):
        for _ in range(10):
            fitted, res = t.fit(req, in_tok=20)
            # worst case: n * (in + out) fits in what is left
            assert fitted.n * (20 + fitted.max_tokens) <= 200 - t.usage.total_tokens
            t.settle(
                res, [Sample("a", "m", usage=Usage(20 * fitted.n, fitted.n * fitted.max_tokens, fitted.n))]
            )
    assert t.exhausted and t.usage.total_tokens <= 200


def test_tracker_money_budget():
    t = BudgetTracker(Budget(max_usd=0.001))
    req = Request(prompt="hi", n=8, max_tokens=100)
    fitted, _ = t.fit(req, in_tok=10, price_in=1.0, price_out=2.0)
    worst = fitted.n * (10 * 1.0 + fitted.max_tokens * 2.0) / 1e6
    assert worst <= 0.001 + 1e-12


def test_bad_budget_values():
    with pytest.raises(InvalidRequestError):
        Budget(max_calls=0)
    with pytest.raises(InvalidRequestError):
        Budget(deadline_s=-1)


async def test_seed_makes_runs_reproducible():
    eng = make_engine()
    r = Request(prompt="4 5", n=3, metadata={"answer_kind": "number"})
    a = await eng.arun("adder", r, seed=7)
    b = await eng.arun("adder", r, seed=7)
    assert [s.seed for s in a.samples] == [s.seed for s in b.samples]
    assert [s.answer for s in a.samples] == [s.answer for s in b.samples]


def test_unknown_model_spec():
    from infscale.errors import UnknownModelError

    with pytest.raises(UnknownModelError):
        make_engine().validate_spec("nope")
