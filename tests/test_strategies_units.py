"""Each strategy's own behaviour (selection, early stopping, escalation, routing), with program models."""

from __future__ import annotations

import math
import re

import pytest
from tests.helpers import strategy_programs as progs

from infscale.engine import Engine
from infscale.models.registry import Registry
from infscale.models.spec import ModelSpec
from infscale.monitor.budget import Budget
from infscale.strategies.common import (
    Source,
    betainc,
    derive_seed,
    prob_leader_ahead,
    split_counts,
    tally,
)
from infscale.strategies.route import question_kinds
from infscale.strategies.vote import VoteStrategy
from infscale.types import Request, Sample, Usage

PROGRAMS = ("oracle", "noisy", "flaky", "slow", "confident")


def make_engine() -> Engine:
    reg = Registry(
        [
            ModelSpec(name, "program", {"callable": f"tests.helpers.strategy_programs:{name}"})
            for name in PROGRAMS
        ]
    )
    return Engine(reg)


async def ask(spec, question="What is 17 plus 25?", kind="number", seed=3, **kw):
    progs.CALLS.clear()
    req = Request(prompt=question, max_tokens=32, metadata={"answer_kind": kind, **kw})
    return await make_engine().arun(spec, req, seed=seed)


# -- the sequential test ----------------------------------------------------------------------------------


def test_betainc_matches_closed_forms():
    # I_x(a, 1) = x^a ; I_x(1, b) = 1 - (1 - x)^b
    assert betainc(5, 1, 0.5) == pytest.approx(0.5**5)
    assert betainc(1, 3, 0.3) == pytest.approx(1 - 0.7**3)
    assert betainc(2.5, 2.5, 0.5) == pytest.approx(0.5)
    assert 0 < betainc(3.7, 1.2, 0.6) < 1


def test_prob_leader_ahead():
    assert prob_leader_ahead(4, 0) == pytest.approx(1 - 0.5**5)
    assert prob_leader_ahead(3, 3) == pytest.approx(0.5)
    assert prob_leader_ahead(8, 1) > prob_leader_ahead(4, 1) > prob_leader_ahead(2, 1)


def test_split_counts_and_seeds():
    assert split_counts(5, [1, 1]) == [3, 2]
    assert split_counts(8, [1, 3]) == [2, 6]
    assert sum(split_counts(7, [0.2, 0.5, 0.3])) == 7
    assert derive_seed(1, "a", 0) == derive_seed(1, "a", 0) != derive_seed(1, "a", 1)


def test_tally_weights_and_normalises_text():
    s = [Sample("x", "a", answer="Paris"), Sample("y", "b", answer="paris"), Sample("z", "b", answer="Lyon")]
    t = tally(s, lambda x: 3.0 if x.text == "z" else 1.0)
    assert t[0].answer == "Lyon" and t[0].weight == 3.0
    assert t[1].count == 2


# -- vote ---------------------------------------------------------------------------------------------------


async def test_adaptive_vote_stops_when_decided():
    comp = await ask("vote(n=8, model=oracle, adaptive=true, batch=2)")
    assert comp.answer == 42
    # 2 unanimous votes: P = 0.875 < 0.95; 4: P = 0.969 -> stop at 4 of 8.
    assert len(comp.samples) == 4 and comp.usage.calls == 4
    assert "sequential test" in comp.trace.attrs["stopped_early"]


async def test_adaptive_vote_stops_when_leader_cannot_be_overtaken():
    comp = await ask("vote(n=5, model=oracle, adaptive=true, batch=4, confidence=0.999)")
    assert len(comp.samples) == 4 and comp.trace.attrs["stopped_early"] == "leader cannot be overtaken"


async def test_non_adaptive_vote_draws_everything_in_one_batched_call_per_model():
    comp = await ask("vote(n=6, models=[noisy, oracle])")
    leaves = comp.trace.calls()
    assert sorted((leaf.name, leaf.attrs["n"]) for leaf in leaves) == [("noisy", 3), ("oracle", 3)]


async def test_vote_weights_by_model():
    # 3 noisy votes against 1 oracle vote; the oracle weighs 4.
    comp = await ask("vote(n=4, models=[noisy, oracle], split=[3, 1], weights=[1, 4])", seed=5)
    assert comp.answer == 42


def test_vote_weights_by_confidence():
    v = VoteStrategy(source=Source(models=["m"]), by="confidence")
    sure = Sample("a", "m", answer=1, logprob=-0.1, usage=Usage(0, 10, 1))
    unsure = [Sample("b", "m", answer=2, logprob=-30.0, usage=Usage(0, 10, 1)) for _ in range(2)]
    st = {"candidates": [sure, *unsure], "samples": [], "stopped": None}
    done = v.best(st)
    assert done.answer == 1  # one confident vote outweighs two unsure ones
    assert done.confidence == pytest.approx(math.exp(-0.01) / (math.exp(-0.01) + 2 * math.exp(-3.0)))


# -- best_of_n and verifiers ---------------------------------------------------------------------------------


async def test_best_of_n_with_pal_beats_the_noisy_majority():
    for seed in range(5):
        comp = await ask("best_of_n(n=5, model=noisy, verifier=pal(oracle, n=2))", seed=seed)
        assert comp.answer == 42 and comp.confidence == 1.0
        assert any(s.text.startswith("17 + 25 = 42") for s in comp.samples)  # the executed program


async def test_best_of_n_exact_verifier_uses_the_reference():
    comp = await ask("best_of_n(n=6, model=noisy, verifier=exact)", reference=42, seed=2)
    assert comp.answer == 42 or all(s.answer != 42 for s in comp.samples)
    scored = [s for s in comp.samples if s.score is not None]
    assert scored and all(s.score == (1.0 if s.answer == 42 else 0.0) for s in scored)


async def test_best_of_n_python_verifier():
    comp = await ask(
        "best_of_n(n=6, model=noisy, verifier=python('tests.helpers.strategy_programs:is_even'))"
    )
    assert comp.answer is None or comp.answer % 2 == 0 or all(s.answer % 2 for s in comp.samples)


async def test_judge_verifier_yes_no_and_scale():
    for spec in (
        "best_of_n(n=5, model=noisy, verifier=judge(oracle))",
        "best_of_n(n=5, model=noisy, verifier=judge(model=oracle, scale=10))",
    ):
        comp = await ask(spec, seed=4)
        answers = [s.answer for s in comp.samples if s.model == "noisy"]
        if 42 in answers:
            assert comp.answer == 42 and comp.confidence == 1.0
        # One judge call per distinct answer, not per sample.
        judge_calls = [leaf for leaf in comp.trace.calls() if "judge" in leaf.attrs["label"]]
        assert len(judge_calls) == len(set(answers))


async def test_agreement_verifier_asks_each_model_once():
    comp = await ask("best_of_n(n=4, model=noisy, verifier=agreement(models=[oracle, oracle]))")
    labels = [leaf.attrs["label"] for leaf in comp.trace.calls()]
    assert sum("agreement" in lab for lab in labels) == 2
    assert comp.answer == 42


async def test_pal_sampling_executes_the_programs():
    comp = await ask("vote(n=3, model=oracle, via=pal)", question="Which number is larger, 76 or 134?")
    assert comp.answer == 134
    comp = await ask("sample(n=2, model=oracle, via=pal)", question="Is 41 an even number?", kind="yesno")
    assert comp.answer == "no"


async def test_unit_test_verifier_runs_code_in_the_sandbox():
    from infscale.pipeline import parse_pipeline

    eng = make_engine()
    eng.registry.add(ModelSpec("coder", "program", {"callable": "tests.helpers.strategy_programs:coder"}))
    strat = parse_pipeline(
        "best_of_n(n=3, model=coder, verifier=tests(['assert double(2) == 4', 'assert double(0) == 0']))",
        eng.registry,
    )
    req = Request(prompt="Write double(x).", metadata={"answer_kind": "code"})
    comp = await eng.arun(strat, req, seed=1)
    assert "x * 2" in comp.answer and comp.confidence == 1.0
    scores = sorted(s.score for s in comp.samples)
    assert scores == [0.0, 0.5, 1.0]
    assert any(leaf.name == "python-sandbox" for leaf in comp.trace.calls())


# -- rank, fuse, refine ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["listwise", "pairwise"])
async def test_rank_picks_what_the_ranker_prefers(mode):
    for seed in range(4):
        comp = await ask(f"rank(n=6, model=noisy, ranker=oracle, mode={mode})", seed=seed)
        if 42 in [s.answer for s in comp.samples]:
            assert comp.answer == 42
            assert comp.samples[0].answer == 42  # samples come back ranked


async def test_rank_top_k_returns_k_candidates():
    comp = await ask("rank(n=6, model=noisy, ranker=oracle, top_k=2)", seed=1)
    assert len(comp.samples) <= 2


async def test_fuse_calls_the_aggregator_only_when_candidates_disagree():
    comp = await ask("fuse(n=4, model=oracle, aggregator=noisy)")
    labels = [leaf.attrs["label"] for leaf in comp.trace.calls()]
    assert comp.answer == 42 and "fuse:aggregate" not in labels
    comp = await ask("fuse(n=4, model=noisy, aggregator=oracle)", seed=1)
    labels = [leaf.attrs["label"] for leaf in comp.trace.calls()]
    assert comp.answer == 42 and labels[-1] == "fuse:aggregate"


async def test_fuse_over_rank_top_k():
    comp = await ask("fuse(over=[rank(n=4, model=noisy, ranker=oracle, top_k=2)], aggregator=oracle)", seed=2)
    assert comp.answer == 42


async def test_refine_stops_when_the_verifier_passes():
    comp = await ask("refine(model=oracle, verifier=pal(oracle, n=1), rounds=3)")
    assert comp.answer == 42 and comp.trace.attrs["stopped"] == "verifier passed"
    assert comp.trace.attrs["rounds"] == 0
    comp = await ask(
        "refine(model=noisy, reviser=oracle, critic=oracle, verifier=pal(oracle, n=1), rounds=3)", seed=2
    )
    assert comp.answer == 42 and comp.confidence == 1.0


async def test_refine_without_verifier_uses_the_critic():
    comp = await ask("refine(model=noisy, critic=oracle, reviser=oracle, rounds=3)", seed=2)
    assert comp.answer == 42 and comp.trace.attrs["stopped"] == "critic accepted"


# -- cascade, route, moa, tree search ---------------------------------------------------------------------------


async def test_cascade_escalates_below_threshold_only():
    comp = await ask("cascade(vote(n=3, model=oracle) @0.9, noisy)")
    assert comp.trace.attrs["answered_by_tier"] == 0 and comp.answer == 42
    for seed in range(6):
        comp = await ask("cascade(vote(n=6, model=noisy) @0.99, oracle)", seed=seed)
        conf0 = comp.trace.attrs["confidences"][0]
        if conf0 < 0.99:
            assert comp.trace.attrs["answered_by_tier"] == 1 and comp.answer == 42
            assert len(comp.trace.children) == 2


async def test_cascade_by_verifier():
    comp = await ask("cascade(noisy @0.5, oracle, verifier=pal(oracle, n=1))", seed=2)
    assert comp.answer == 42
    first = comp.trace.attrs["confidences"][0]
    assert comp.trace.attrs["answered_by_tier"] == (0 if first >= 0.5 else 1)


async def test_cascade_budget_returns_most_confident_so_far():
    req = Request(prompt="What is 17 plus 25?", metadata={"answer_kind": "number"})
    for seed in range(6):
        free = await make_engine().arun("cascade(vote(n=3, model=noisy) @0.99, oracle)", req, seed=seed)
        if free.trace.attrs["answered_by_tier"] == 1:
            comp = await make_engine().arun(
                "cascade(vote(n=3, model=noisy) @0.99, oracle)", req, seed=seed, budget=Budget(max_calls=3)
            )
            assert comp.budget_exhausted and comp.answer is not None
            # Same seed, same tier-0 draws: the answer is tier 0's winner.
            assert str(comp.answer) == next(iter(free.trace.children[0].attrs["votes"]))
            assert comp.trace.attrs["answered_by_tier"] == 0 and comp.trace.attrs["why"] == "best so far"
            return
    pytest.fail("no seed escalated")


@pytest.mark.parametrize(
    "question, kinds",
    [
        ("What is 67 + 81?", ["arithmetic", "math"]),
        ("Compute 45 plus 12.", ["arithmetic", "math"]),
        ("Subtract 8 from 64.", ["arithmetic", "math"]),
        ("What do you get if you multiply 7 by 9?", ["arithmetic", "math"]),
        ("How much is 9 x 7?", ["arithmetic", "math"]),
        ("Which number is larger, 76 or 134?", ["comparison", "math"]),
        ("Of 120 and 97, which is greater?", ["comparison", "math"]),
        ("Is 40 an even number? Answer yes or no.", ["parity", "math", "yesno"]),
        ("Is seventeen odd?", ["parity", "math", "yesno"]),
        ("What is the capital of Mexico?", ["knowledge"]),
        ("Name the capital city of Peru.", ["knowledge"]),
        ("Is Paris in France?", ["yesno"]),
        ("Which is right? (A) 3 (B) 4", ["choice"]),
        ("Write a Python function that reverses a list.", ["code"]),
        ("In which year did the Berlin Wall fall, 1989 or 1991?", ["knowledge"]),
    ],
)
def test_question_kinds(question, kinds):
    assert question_kinds(question) == kinds


async def test_route_sends_each_kind_to_its_pipeline():
    spec = "route(math=vote(n=2, model=oracle), knowledge=oracle, default=noisy)"
    comp = await ask(spec)
    assert comp.trace.attrs["route"] == "math" and comp.answer == 42
    comp = await ask(spec, question="What is the capital of Peru?", kind="text")
    assert comp.trace.attrs["route"] == "knowledge" and comp.answer == "lima"
    comp = await ask(spec, question="Is Paris in France?", kind="yesno")
    assert comp.trace.attrs["route"] == "default"


async def test_route_policy_callable():
    comp = await ask(
        "route(knowledge=oracle, default=noisy, policy='tests.helpers.strategy_programs:always_knowledge')"
    )
    assert comp.trace.attrs["route"] == "knowledge" and comp.answer == 42


async def test_moa_layers_and_aggregator():
    comp = await ask("moa(proposers=[noisy, oracle], layers=3, aggregator=oracle)")
    labels = [leaf.attrs["label"] for leaf in comp.trace.calls()]
    assert labels.count("moa:layer 1") == 2 and labels.count("moa:layer 3") == 2
    assert labels[-1] == "moa:aggregate" and comp.answer == 42


async def test_tree_search_uses_every_model_and_refines():
    comp = await ask(
        "tree_search(models=[noisy, oracle], iterations=6, batch=2, verifier=judge(oracle))", seed=4
    )
    assert comp.answer == 42 and comp.confidence == 1.0
    assert comp.trace.attrs["nodes"] == 6
    labels = [
        leaf.attrs["label"]
        for leaf in comp.trace.calls()
        if re.fullmatch(r"tree:\d+:\d+", leaf.attrs["label"])
    ]
    assert len(labels) == 6


async def test_tree_search_reuses_candidate_independent_verification():
    comp = await ask("tree_search(models=[noisy], iterations=4, batch=2, verifier=pal(oracle, n=1))", seed=1)
    pal_calls = [leaf for leaf in comp.trace.calls() if ":pal:" in leaf.attrs["label"]]
    assert len(pal_calls) == 1 and comp.answer == 42


async def test_refine_asks_a_candidate_independent_verifier_once():
    comp = await ask(
        "refine(model=noisy, critic=noisy, reviser=noisy, verifier=pal(oracle, n=1), rounds=3)", seed=5
    )
    pal_calls = [leaf for leaf in comp.trace.calls() if ":pal:" in leaf.attrs["label"]]
    assert len(pal_calls) == 1
    assert comp.trace.attrs["rounds"] <= 3


async def test_pal_runs_programs_the_evaluator_refuses_in_the_sandbox():
    from infscale.pipeline import parse_pipeline

    eng = make_engine()
    eng.registry.add(ModelSpec("looper", "program", {"callable": "tests.helpers.strategy_programs:looper"}))
    strat = parse_pipeline("best_of_n(n=3, model=noisy, verifier=pal(looper, n=2))", eng.registry)
    req = Request(prompt="What is 17 plus 25?", metadata={"answer_kind": "number"})
    comp = await eng.arun(strat, req, seed=1)
    runs = [leaf for leaf in comp.trace.calls() if ":pal-run:" in leaf.attrs["label"]]
    assert len(runs) == 2 and all(leaf.name == "python-sandbox" for leaf in runs)
    assert comp.answer == 42 and comp.confidence == 0.5  # one of two programs ran; the other crashed
    assert any("(sandbox)" in s.text for s in comp.samples)
    strat = parse_pipeline(
        "best_of_n(n=3, model=noisy, verifier=pal(looper, n=2, sandbox=false))", eng.registry
    )
    comp = await eng.arun(strat, req, seed=1)
    assert not [leaf for leaf in comp.trace.calls() if leaf.name == "python-sandbox"]


async def test_pal_verifier_across_models_splits_the_programs():
    comp = await ask("best_of_n(n=2, model=noisy, verifier=pal(models=[oracle, noisy], n=5))", seed=3)
    pal_calls = sorted(
        (leaf.name, leaf.attrs["n"]) for leaf in comp.trace.calls() if ":pal:" in leaf.attrs["label"]
    )
    assert pal_calls == [("noisy", 2), ("oracle", 3)]
    assert comp.answer == 42


async def test_best_of_n_uses_verifier_outcomes_that_arrived_before_the_budget_ran_out():
    from infscale.pipeline import parse_pipeline

    eng = make_engine()
    eng.registry.add(ModelSpec("looper", "program", {"callable": "tests.helpers.strategy_programs:looper"}))
    # 3 noisy + 2 programs = 5 calls; the 2 sandbox runs the programs need do not fit.
    strat = parse_pipeline(
        "best_of_n(n=3, model=noisy, verifier=pal(models=[looper, oracle], n=2))", eng.registry
    )
    req = Request(prompt="What is 17 plus 25?", metadata={"answer_kind": "number"})
    comp = await eng.arun(strat, req, seed=1, budget=Budget(max_calls=5))
    assert comp.budget_exhausted and comp.answer == 42  # the oracle's program, executed locally, decided
