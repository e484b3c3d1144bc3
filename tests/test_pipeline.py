"""Pipeline specs: the inline form, YAML files, named pipelines, budgets, errors with positions, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infscale.engine import Engine
from infscale.errors import PipelineSyntaxError, UnknownModelError
from infscale.models.registry import Registry
from infscale.models.spec import ModelSpec
from infscale.pipeline import Pipeline, parse_expression, parse_pipeline, parse_pipeline_with_budget
from infscale.strategies import (
    BestOfNStrategy,
    CascadeStrategy,
    FuseStrategy,
    MoAStrategy,
    RankStrategy,
    RefineStrategy,
    RouteStrategy,
    SampleStrategy,
    TreeSearchStrategy,
    VoteStrategy,
)
from infscale.types import Request
from infscale.verifiers import JudgeVerifier, PalVerifier

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ("oracle", "noisy", "flaky")


def registry(pipelines: dict[str, str] | None = None) -> Registry:
    reg = Registry(
        [ModelSpec(n, "program", {"callable": f"tests.helpers.strategy_programs:{n}"}) for n in PROGRAMS],
        pipelines=pipelines,
    )
    reg.add(ModelSpec("gemma3-270m", "program", {"callable": "tests.helpers.strategy_programs:oracle"}))
    reg.add(ModelSpec("smollm2-135m", "program", {"callable": "tests.helpers.strategy_programs:noisy"}))
    return reg


def parse(spec: str, **kw):
    return parse_pipeline(spec, registry(**kw))


def test_the_documented_examples_parse():
    v = parse("vote(n=8, models=[smollm2-135m, gemma3-270m], weights=[1,2])")
    assert isinstance(v, VoteStrategy) and v.n == 8 and v.weights == [1.0, 2.0]
    assert v.source.models == ["smollm2-135m", "gemma3-270m"]
    c = parse("cascade(vote(n=4, models=[smollm2-135m]) @0.75, gemma3-270m)")
    assert isinstance(c, CascadeStrategy) and [t.threshold for t in c.tiers] == [0.75, None]
    assert isinstance(c.tiers[1].strategy, SampleStrategy)
    b = parse("best_of_n(n=8, model=gemma3-270m, verifier=pal)")
    assert isinstance(b, BestOfNStrategy) and isinstance(b.verifier, PalVerifier) and b.n == 8
    p = parse(
        "best_of_n(n=4, model=noisy, verifier=pal(oracle, n=2)) | calls=20, tokens=4000, usd=0.01, deadline=30"
    )
    assert isinstance(p, Pipeline) and isinstance(p.strategy, BestOfNStrategy)
    assert (p.budget.max_calls, p.budget.max_tokens, p.budget.max_usd, p.budget.deadline_s) == (
        20,
        4000,
        0.01,
        30,
    )
    assert p.strategy.verifier.model == "oracle" and p.strategy.verifier.n == 2


def test_every_strategy_and_nesting():
    assert isinstance(parse("sample(noisy, oracle, n=4)"), SampleStrategy)
    r = parse("rank(n=4, model=noisy, ranker=oracle, mode=pairwise, top_k=2)")
    assert isinstance(r, RankStrategy) and r.mode == "pairwise" and r.top_k == 2
    f = parse("fuse(over=[vote(n=3, model=noisy), rank(n=2, model=oracle)], aggregator=oracle)")
    assert isinstance(f, FuseStrategy) and len(f.source.over) == 2 and f.n == 2
    assert isinstance(parse("refine(model=noisy, rounds=3, verifier=judge(oracle))"), RefineStrategy)
    m = parse("moa(noisy, oracle, layers=3, aggregator=oracle)")
    assert isinstance(m, MoAStrategy) and m.proposers == ["noisy", "oracle"] and m.layers == 3
    t = parse("tree_search(models=[noisy, oracle], iterations=6, verifier=judge(model=oracle, scale=10))")
    assert (
        isinstance(t, TreeSearchStrategy) and isinstance(t.verifier, JudgeVerifier) and t.verifier.scale == 10
    )
    ro = parse(
        "route(math=best_of_n(n=2, model=noisy, verifier=pal(oracle)), knowledge=oracle, default=noisy)"
    )
    assert isinstance(ro, RouteStrategy) and set(ro.routes) == {"math", "knowledge"}
    v = parse("vote(fuse(n=2, model=noisy, aggregator=oracle), n=3)")  # a vote over a fusion
    assert isinstance(v, VoteStrategy) and isinstance(v.source.over[0], FuseStrategy) and v.n == 3
    c = parse(
        "cascade(vote(n=3, model=noisy, adaptive=true) @0.8, refine(model=oracle) @0.5, fuse(n=3, model=oracle))"
    )
    assert len(c.tiers) == 3


def test_a_model_name_and_a_named_pipeline():
    reg = registry({"fast": "vote(n=3, model=noisy)", "safe": "cascade(fast @0.7, oracle) | calls=9"})
    s = parse_pipeline("oracle", reg)
    assert isinstance(s, SampleStrategy) and s.pool == ["oracle"] and s.n == 1
    strat, budget = parse_pipeline_with_budget("safe", reg)
    assert isinstance(strat, CascadeStrategy) and isinstance(strat.tiers[0].strategy, VoteStrategy)
    assert budget is not None and budget.max_calls == 9


def err(spec: str, **kw) -> PipelineSyntaxError:
    with pytest.raises(PipelineSyntaxError) as ei:
        parse(spec, **kw)
    return ei.value


@pytest.mark.parametrize(
    "spec, position, words",
    [
        ("vot(n=3, model=noisy)", 0, "unknown strategy 'vot'; did you mean 'vote'"),
        ("vote(n=3, model=nosiy)", 16, "unknown model 'nosiy'; did you mean 'noisy'"),
        ("vote(n=3, modle=noisy)", 10, "no argument 'modle'; did you mean 'model'"),
        ("vote(n=0, model=noisy)", 7, "n must be an integer in [1, 256]"),
        ("vote(n=3, model=noisy", 21, "expected ',' or ')'"),
        ("vote(n=3 model=noisy)", 9, "expected ',' or ')'"),
        ("vote(n=3, model=noisy) @0.5", 23, "only allowed on a cascade tier"),
        ("cascade(noisy @1.5, oracle)", 14, "threshold must be in [0, 1]"),
        ("cascade(noisy @0.5, oracle @0.2)", 27, "the last tier never escalates"),
        ("vote(n=3, model=noisy) | calls=2, dollars=1", 34, "unknown budget key 'dollars'"),
        ("vote(n=3, model=noisy) | calls=0", 31, "positive integer"),
        ("vote(n=3, n=4, model=noisy)", 10, "given twice"),
        ("vote(n=3, model='noisy)", 16, "unterminated string"),
        ("vote(n=3, model=noisy) extra", 23, "unexpected 'extra'"),
        ("best_of_n(n=3, model=noisy, verifier=pall)", 37, "unknown verifier 'pall'; did you mean 'pal'"),
        ("vote(n=3, model=noisy, by=votes)", 26, "by must be one of count, confidence"),
        ("vote", 0, "vote needs arguments"),
        ("vote(n=3, model=noisy) & x", 23, "unexpected character '&'"),
        ("pal(oracle)", 0, "'pal' is a verifier"),
        ("route(math=oracle)", 0, "route needs default="),
        ("route(maths=oracle, default=noisy)", 6, "no argument 'maths'; did you mean 'math'"),
    ],
)
def test_errors_point_at_the_position(spec, position, words):
    e = err(spec)
    assert e.position == position, e.message
    assert words in e.message, e.message
    assert "\u2192" in e.message  # the rendered caret


def test_empty_spec():
    assert "empty pipeline" in err("   ").message


def test_unknown_lone_name_is_an_unknown_model():
    with pytest.raises(UnknownModelError, match="did you mean 'oracle'"):
        parse("oracel")


def test_named_pipeline_cycles_are_reported():
    e = err("a", pipelines={"a": "cascade(b @0.5, oracle)", "b": "vote(over=[a], n=2)"})
    assert "refers to itself" in e.message and "a -> b -> a" in e.message


def test_yaml_pipelines(tmp_path, monkeypatch):
    (tmp_path / "inline.yaml").write_text(
        "description: a string spec\npipeline: vote(n=3, model=noisy) | calls=5\n", encoding="utf-8"
    )
    (tmp_path / "nested.yaml").write_text(
        """description: the same structure as nested mappings
pipeline:
  cascade:
    - vote: {n: 3, models: [noisy]}
      at: 0.75
    - best_of_n:
        n: 2
        model: noisy
        verifier: {pal: {model: oracle, n: 2}}
    - inline
budget:
  calls: 12
  deadline: 30
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("INFSCALE_PIPELINES", str(tmp_path))
    reg = registry()
    s, b = parse_pipeline_with_budget("nested", reg)
    assert isinstance(s, CascadeStrategy) and [t.threshold for t in s.tiers] == [0.75, None, None]
    assert isinstance(s.tiers[1].strategy, BestOfNStrategy) and s.tiers[1].strategy.verifier.n == 2
    assert isinstance(s.tiers[2].strategy, VoteStrategy)  # a named pipeline inside a pipeline
    assert b.max_calls == 12 and b.deadline_s == 30
    s2, b2 = parse_pipeline_with_budget(str(tmp_path / "inline.yaml"), reg)
    assert isinstance(s2, VoteStrategy) and b2.max_calls == 5


@pytest.mark.parametrize(
    "body, where, words",
    [
        ("pipeline:\n  vote: {n: 3, model: nosiy}\n", ":2:23", "unknown model 'nosiy'"),
        ("pipeline:\n  vote: {n: 3, model: noisy, modle: x}\n", ":2:30", "no argument 'modle'"),
        ("pipelin: oracle\n", ":1:1", "unknown key 'pipelin'"),
        (
            "pipeline:\n  vote: {n: 3, model: noisy}\nbudget: {calls: 2, dollars: 3}\n",
            ":3:20",
            "unknown budget key",
        ),
        ("pipeline: 'vote(n=3, model=nosiy)'\n", ":1:11", "unknown model 'nosiy'"),
        ("pipeline: [oops\n", "", "malformed YAML"),
    ],
)
def test_yaml_errors_say_file_line_column(tmp_path, body, where, words):
    p = tmp_path / "bad.yaml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(PipelineSyntaxError) as ei:
        parse_pipeline(str(p), registry())
    assert f"bad.yaml{where}" in ei.value.message and words in ei.value.message


def test_parse_expression_keeps_positions():
    expr, budget = parse_expression("vote(n=3, models=[a, b]) | calls=2")
    assert expr.name == "vote" and expr.kwargs["models"][0].items[1].loc.offset == 21
    assert budget[0][0] == "calls"


def test_bundled_example_pipelines_parse():
    reg = Registry.load(None)
    files = sorted((ROOT / "pipelines").glob("*.yaml"))
    assert files
    for f in files:
        strat, _ = parse_pipeline_with_budget(str(f), reg)
        for m in strat.models():
            reg.get(m)


async def test_engine_applies_a_pipeline_budget():
    eng = Engine(registry())
    comp = await eng.arun(
        "vote(n=6, model=noisy) | calls=2",
        Request(prompt="What is 1 plus 2?", metadata={"answer_kind": "number"}),
    )
    assert comp.usage.calls == 2 and comp.budget_exhausted


def _cli(*args: str, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INFSCALE_CONFIG": str(config)}
    return subprocess.run(
        [sys.executable, "-m", "infscale.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def cli_config(tmp_path) -> Path:
    cfg = tmp_path / "infscale.toml"
    cfg.write_text(
        "\n".join(
            f'[models.{n}]\nbackend = "program"\ncallable = "tests.helpers.strategy_programs:{n}"\n'
            for n in PROGRAMS
        )
        + '\n[pipelines]\nchecked = "best_of_n(n=3, model=noisy, verifier=pal(oracle, n=2))"\n',
        encoding="utf-8",
    )
    return cfg


def test_cli_ask_pipeline_json_and_trace(cli_config):
    r = _cli(
        "ask",
        "What is 17 plus 25?",
        "--pipeline",
        "checked | calls=4",
        "--json",
        "--answer",
        "number",
        config=cli_config,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["answer"] == 42 and out["usage"]["calls"] <= 4
    assert out["trace"]["name"].startswith("best_of_n") and out["trace"]["children"]
    r = _cli(
        "ask",
        "What is 17 plus 25?",
        "--pipeline",
        "cascade(vote(n=2, model=noisy) @0.9, oracle)",
        "--trace",
        config=cli_config,
    )
    assert r.returncode == 0, r.stderr
    assert "cascade" in r.stdout and "tier 0" in r.stdout and "oracle" in r.stdout


def test_cli_syntax_error_is_one_line_with_position(cli_config):
    r = _cli("ask", "q", "--pipeline", "vote(n=3, model=nosiy)", config=cli_config)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "unknown model 'nosiy'" in r.stderr and "position 16" in r.stderr
