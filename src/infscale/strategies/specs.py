"""How each strategy and verifier is built from pipeline arguments: parameter specs and converters.

The parser (``infscale.pipeline``) turns a spec into an AST; ``Builder.call`` looks a name up in
``STRATEGIES`` or ``VERIFIERS`` and converts each argument with its ``Param``'s converter, which raises
an error that points at the argument's position. Defaults live in the ``_build_*`` functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..pipeline import Atom, ListV, Value
from ..verifiers.judge import AgreementVerifier, JudgeVerifier
from ..verifiers.pal import PalVerifier
from ..verifiers.simple import CallableVerifier, ExactVerifier, LogprobVerifier
from ..verifiers.unit_tests import UnitTestVerifier
from .base import Strategy
from .best_of_n import BestOfNStrategy
from .cascade import CascadeStrategy, Tier
from .common import DEFAULT_SAMPLING_TEMPERATURE, Source
from .fuse import FuseStrategy
from .moa import MoAStrategy
from .rank import RankStrategy
from .refine import RefineStrategy
from .route import KINDS, RouteStrategy
from .sample import SampleStrategy
from .tree_search import TreeSearchStrategy
from .vote import VoteStrategy

if TYPE_CHECKING:
    from ..pipeline import Builder

Conv = Callable[["Builder", Value, str], Any]


@dataclass
class Param:
    conv: Conv
    default: Any = None
    doc: str = ""


@dataclass
class Spec:
    """How a strategy (or verifier) is built from arguments."""

    build: Callable[[dict[str, Any]], Any]
    params: dict[str, Param]
    positional: str | None = None  # where positional arguments go
    doc: str = ""
    aliases: dict[str, str] = field(default_factory=dict)


# -- converters -----------------------------------------------------------------------------------------


def _atom(v: Value, what: str, kinds: tuple[str, ...], expected: str) -> Any:
    if not isinstance(v, Atom) or v.kind not in kinds:
        raise v.loc.error(f"{what} must be {expected}")
    if v.threshold is not None:
        raise v.threshold.loc.error("a threshold (@) is only allowed on a cascade tier")
    return v.value


def INT(lo: int = 1, hi: int = 10_000) -> Conv:
    def conv(b: Builder, v: Value, what: str) -> int:
        x = _atom(v, what, ("number",), "an integer")
        if not isinstance(x, int) or not lo <= x <= hi:
            raise v.loc.error(f"{what} must be an integer in [{lo}, {hi}], got {x!r}")
        return x

    return conv


def FLOAT(lo: float = 0.0, hi: float = 1e9) -> Conv:
    def conv(b: Builder, v: Value, what: str) -> float:
        x = _atom(v, what, ("number",), "a number")
        if not lo <= x <= hi:
            raise v.loc.error(f"{what} must be in [{lo}, {hi}], got {x!r}")
        return float(x)

    return conv


def BOOL(b: Builder, v: Value, what: str) -> bool:
    return bool(_atom(v, what, ("bool",), "true or false"))


def STR(b: Builder, v: Value, what: str) -> str:
    return str(_atom(v, what, ("string", "name"), "a string"))


def ANY(b: Builder, v: Value, what: str) -> Any:
    if isinstance(v, ListV):
        return [ANY(b, x, what) for x in v.items]
    return _atom(v, what, ("string", "name", "number", "bool", "none"), "a value")


def CHOICE(*options: str) -> Conv:
    def conv(b: Builder, v: Value, what: str) -> str:
        x = str(_atom(v, what, ("name", "string"), f"one of {', '.join(options)}"))
        if x not in options:
            raise v.loc.error(f"{what} must be one of {', '.join(options)}, got {x!r}")
        return x

    return conv


def _items(v: Value) -> list[Value]:
    return list(v.items) if isinstance(v, ListV) else [v]


def MODEL(b: Builder, v: Value, what: str) -> str:
    return b.model(v, what)


def MODELS(b: Builder, v: Value, what: str) -> list[str]:
    items = _items(v)
    if not items:
        raise v.loc.error(f"{what} must name at least one model")
    return [b.model(x, what) for x in items]


def FLOATS(b: Builder, v: Value, what: str) -> list[float]:
    out = [FLOAT(0.0, 1e6)(b, x, what) for x in _items(v)]
    if not any(x > 0 for x in out):
        raise v.loc.error(f"{what} needs a positive weight")
    return out


def STRATEGY(b: Builder, v: Value, what: str) -> Strategy:
    return b.strategy(v)


def STRATEGIES_(b: Builder, v: Value, what: str) -> list[Strategy]:
    items = _items(v)
    if not items:
        raise v.loc.error(f"{what} needs at least one strategy")
    return [b.strategy(x) for x in items]


def VERIFIER(b: Builder, v: Value, what: str) -> Any:
    return b.verifier(v)


def MODELS_OR_OVER(b: Builder, v: Value, what: str) -> tuple[list[str], list[Strategy]]:
    """Positional arguments of a sampling strategy: model names, or sub-strategies (``over``)."""
    items = _items(v)
    names = [
        x
        for x in items
        if isinstance(x, Atom) and x.kind in ("name", "string") and str(x.value) in b.registry
    ]
    if len(names) == len(items):
        return [str(x.value) for x in names], []  # type: ignore[union-attr]
    return [], [b.strategy(x) for x in items]


def TIERS(b: Builder, v: Value, what: str) -> list[Any]:
    items = _items(v)
    if not items:
        raise v.loc.error("cascade needs at least one tier")
    tiers = []
    for i, x in enumerate(items):
        th = x.threshold
        if th is not None and i == len(items) - 1:
            raise th.loc.error("the last tier never escalates: it takes no threshold")
        t = None
        if th is not None:
            t = float(th.value)
            if not 0.0 <= t <= 1.0:
                raise th.loc.error(f"a tier threshold must be in [0, 1], got {th.value!r}")
        tiers.append(Tier(b.strategy(x, allow_threshold=True), t))
    return tiers


# -- strategy specs ---------------------------------------------------------------------------------


def _source(kw: dict[str, Any], name: str) -> Any:
    models = list(kw.get("models") or [])
    over = list(kw.get("over") or [])
    pos = kw.get("_pos")
    if pos:
        pm, po = pos
        models, over = models + pm, over + po
    if kw.get("model"):
        models.insert(0, kw["model"])
    if models and over:
        raise ConfigError(f"{name}: give models or sub-strategies (over=...), not both")
    if not models and not over:
        raise ConfigError(f"{name} needs models=[...] (or over=[strategies])")
    split = kw.get("split")
    if split is not None and len(split) != len(models):
        raise ConfigError(f"{name}: split has {len(split)} entries for {len(models)} models")
    return Source(
        models=models,
        over=over,
        split=split,
        temperature=kw.get("temperature"),
        via=kw.get("via") or "direct",
        max_tokens=kw.get("max_tokens"),
    )


def _n(kw: dict[str, Any], default: int) -> int:
    if kw.get("n") is not None:
        return int(kw["n"])
    pos = kw.get("_pos")
    over = list(kw.get("over") or []) + (list(pos[1]) if pos else [])
    return len(over) if over else default


SOURCE_PARAMS = {
    "models": Param(MODELS),
    "model": Param(MODEL),
    "over": Param(STRATEGIES_),
    "split": Param(FLOATS),
    "temperature": Param(FLOAT(0.0, 5.0)),
    "via": Param(CHOICE("direct", "pal")),
    "max_tokens": Param(INT(1, 131072)),
    "_pos": Param(MODELS_OR_OVER),
}


def _build_sample(kw: dict[str, Any]) -> Strategy:
    src = _source(kw, "sample")
    if src.over:
        raise ConfigError("sample draws from models only; use vote(over=...) to combine strategies")
    n = _n(kw, 1)
    temp = kw.get("temperature")
    if temp is None and n > 1:
        temp = DEFAULT_SAMPLING_TEMPERATURE
    weights = kw.get("weights") or kw.get("split")
    if weights is not None and len(weights) != len(src.models):
        raise ConfigError(f"sample: weights has {len(weights)} entries for {len(src.models)} models")
    return SampleStrategy(pool=src.models, n=n, weights=weights, temperature=temp, via=src.via)


def _build_vote(kw: dict[str, Any]) -> Strategy:
    src = _source(kw, "vote")
    w = kw.get("weights")
    if w is not None and len(w) != len(src.models):
        raise ConfigError(f"vote: weights has {len(w)} entries for {len(src.models)} models")
    return VoteStrategy(
        source=src,
        n=_n(kw, 8),
        weights=w,
        by=kw["by"] or "count",
        adaptive=bool(kw["adaptive"]),
        batch=kw["batch"] or 4,
        confidence=kw["confidence"] if kw["confidence"] is not None else 0.95,
    )


def _build_best_of_n(kw: dict[str, Any]) -> Strategy:
    return BestOfNStrategy(
        source=_source(kw, "best_of_n"), verifier=kw["verifier"], n=_n(kw, 4), select=kw["select"] or "max"
    )


def _build_rank(kw: dict[str, Any]) -> Strategy:
    return RankStrategy(
        source=_source(kw, "rank"),
        ranker=kw["ranker"],
        n=_n(kw, 4),
        mode=kw["mode"] or "listwise",
        votes=kw["votes"] or 1,
        max_pairs=kw["max_pairs"] or 10,
        top_k=kw["top_k"] or 0,
    )


def _build_fuse(kw: dict[str, Any]) -> Strategy:
    return FuseStrategy(
        source=_source(kw, "fuse"),
        aggregator=kw["aggregator"],
        n=_n(kw, 4),
        max_candidates=kw["max_candidates"] or 8,
    )


def _build_refine(kw: dict[str, Any]) -> Strategy:
    return RefineStrategy(
        source=_source(kw, "refine"),
        critic=kw["critic"],
        reviser=kw["reviser"],
        verifier=kw["verifier"],
        rounds=kw["rounds"] if kw["rounds"] is not None else 2,
        threshold=kw["threshold"],
    )


def _build_cascade(kw: dict[str, Any]) -> Strategy:
    tiers = kw["tiers"]
    if not tiers:
        raise ConfigError("cascade needs tiers, e.g. cascade(vote(n=4, models=[a]) @0.75, b)")
    by = kw["by"] or ("verifier" if kw["verifier"] is not None else "auto")
    if by == "verifier" and kw["verifier"] is None:
        raise ConfigError("cascade(by=verifier) needs verifier=...")
    return CascadeStrategy(
        tiers=tiers,
        by=by,
        verifier=kw["verifier"],
        default_threshold=kw["threshold"] if kw["threshold"] is not None else 0.6,
    )


def _build_moa(kw: dict[str, Any]) -> Strategy:
    proposers = list(kw["proposers"] or [])
    if not proposers:
        raise ConfigError("moa needs proposers=[...]")
    return MoAStrategy(
        proposers=proposers,
        aggregator=kw["aggregator"],
        layers=kw["layers"] or 2,
        temperature=kw["temperature"] if kw["temperature"] is not None else 0.7,
    )


def _build_tree_search(kw: dict[str, Any]) -> Strategy:
    models = list(kw["models"] or [])
    if kw.get("model"):
        models.insert(0, kw["model"])
    if not models:
        raise ConfigError("tree_search needs models=[...]")
    return TreeSearchStrategy(
        pool=models,
        verifier=kw["verifier"],
        iterations=kw["iterations"] or 8,
        batch=kw["batch"] or 2,
        algo=kw["algo"] or "abmcts-a",
        temperature=kw["temperature"] if kw["temperature"] is not None else 0.7,
    )


def _build_route(kw: dict[str, Any]) -> Strategy:
    routes = {k: kw[k] for k in KINDS if kw.get(k) is not None}
    if not routes and not kw.get("policy"):
        raise ConfigError("route needs at least one kind, e.g. route(math=..., default=...)")
    if kw["default"] is None:
        raise ConfigError("route needs default=... for questions no rule matches")
    return RouteStrategy(routes=routes, default=kw["default"], policy=kw["policy"])


def _route_params() -> dict[str, Param]:
    ps = {k: Param(STRATEGY) for k in KINDS}
    ps["default"] = Param(STRATEGY)
    ps["policy"] = Param(STR)
    return ps


STRATEGIES: dict[str, Spec] = {
    "sample": Spec(
        _build_sample,
        {**SOURCE_PARAMS, "n": Param(INT(1, 256)), "weights": Param(FLOATS)},
        positional="_pos",
        doc="sample(n=4, models=[smollm2-135m, gemma3-270m], weights=[1, 1])",
    ),
    "vote": Spec(
        _build_vote,
        {
            **SOURCE_PARAMS,
            "n": Param(INT(1, 256)),
            "weights": Param(FLOATS),
            "by": Param(CHOICE("count", "confidence")),
            "adaptive": Param(BOOL),
            "batch": Param(INT(1, 256)),
            "confidence": Param(FLOAT(0.5, 0.99999)),
        },
        positional="_pos",
        doc="vote(n=8, models=[smollm2-135m, gemma3-270m], adaptive=true)",
        aliases={"n_max": "n"},
    ),
    "best_of_n": Spec(
        _build_best_of_n,
        {
            **SOURCE_PARAMS,
            "n": Param(INT(1, 256)),
            "verifier": Param(VERIFIER),
            "select": Param(CHOICE("max", "sum")),
        },
        positional="_pos",
        doc="best_of_n(n=4, model=gemma3-270m, verifier=pal)",
    ),
    "rank": Spec(
        _build_rank,
        {
            **SOURCE_PARAMS,
            "n": Param(INT(1, 64)),
            "ranker": Param(MODEL),
            "mode": Param(CHOICE("listwise", "pairwise")),
            "votes": Param(INT(1, 32)),
            "max_pairs": Param(INT(1, 200)),
            "top_k": Param(INT(0, 64)),
        },
        positional="_pos",
        doc="rank(n=4, models=[smollm2-135m], ranker=gemma3-270m, mode=pairwise)",
    ),
    "fuse": Spec(
        _build_fuse,
        {
            **SOURCE_PARAMS,
            "n": Param(INT(1, 64)),
            "aggregator": Param(MODEL),
            "max_candidates": Param(INT(2, 64)),
        },
        positional="_pos",
        doc="fuse(n=4, models=[smollm2-135m, gemma3-270m], aggregator=gemma3-270m)",
    ),
    "refine": Spec(
        _build_refine,
        {
            **SOURCE_PARAMS,
            "critic": Param(MODEL),
            "reviser": Param(MODEL),
            "verifier": Param(VERIFIER),
            "rounds": Param(INT(0, 20)),
            "threshold": Param(FLOAT(0.0, 1.0)),
        },
        positional="_pos",
        doc="refine(model=gemma3-270m, rounds=2, verifier=pal)",
    ),
    "cascade": Spec(
        _build_cascade,
        {
            "tiers": Param(TIERS),
            "by": Param(CHOICE("auto", "agreement", "logprob", "verifier")),
            "verifier": Param(VERIFIER),
            "threshold": Param(FLOAT(0.0, 1.0)),
        },
        positional="tiers",
        doc="cascade(vote(n=4, models=[smollm2-135m]) @0.75, gemma3-270m)",
    ),
    "moa": Spec(
        _build_moa,
        {
            "proposers": Param(MODELS),
            "aggregator": Param(MODEL),
            "layers": Param(INT(1, 8)),
            "temperature": Param(FLOAT(0.0, 5.0)),
        },
        positional="proposers",
        doc="moa(proposers=[smollm2-135m, gemma3-270m], layers=2, aggregator=gemma3-270m)",
    ),
    "tree_search": Spec(
        _build_tree_search,
        {
            "models": Param(MODELS),
            "model": Param(MODEL),
            "verifier": Param(VERIFIER),
            "iterations": Param(INT(1, 1000)),
            "batch": Param(INT(1, 64)),
            "algo": Param(CHOICE("abmcts-a", "abmcts-m")),
            "temperature": Param(FLOAT(0.0, 5.0)),
        },
        positional="models",
        doc="tree_search(models=[smollm2-135m, gemma3-270m], iterations=8, verifier=pal)",
    ),
    "route": Spec(
        _build_route,
        _route_params(),
        doc="route(math=best_of_n(n=4, model=gemma3-270m, verifier=pal), default=gemma3-270m)",
    ),
}


def _build_arc(kw: dict[str, Any], name: str) -> Strategy:
    from . import arc_program as ap  # imported on use: the ARC package loads numpy and the DSL

    kw = {k: v for k, v in kw.items() if v is not None}
    cls = {"arc_dsl": ap.ArcDslStrategy, "arc_program": ap.ArcProgramStrategy}.get(name)
    return (cls or ap.ArcTransduceStrategy)(**kw)


def _build_arc_tree_search(kw: dict[str, Any]) -> Strategy:
    from .arc_tree_search import ArcTreeSearchStrategy  # imported on use, as the other ARC strategies

    models = ([kw["model"]] if kw.get("model") else []) + list(kw.get("models") or [])
    opts = {k: v for k, v in kw.items() if v is not None and k not in ("model", "models")}
    return ArcTreeSearchStrategy(pool=models, **opts)


STRATEGIES.update(
    {
        "arc_dsl": Spec(
            lambda kw: _build_arc(kw, "arc_dsl"),
            {"seconds": Param(FLOAT(0.01, 3600.0)), "depth": Param(INT(0, 6))},
            doc="arc_dsl(seconds=10, depth=3)",
        ),
        "arc_program": Spec(
            lambda kw: _build_arc(kw, "arc_program"),
            {
                "model": Param(MODEL),
                "n": Param(INT(1, 64)),
                "rounds": Param(INT(0, 20)),
                "temperature": Param(FLOAT(0.0, 5.0)),
                "encoding": Param(CHOICE("digits", "spaced", "json", "csv", "letters")),
                "timeout": Param(FLOAT(0.1, 600.0)),
                "max_tokens": Param(INT(16, 131072)),
            },
            doc="arc_program(model=smollm2-135m, n=4, rounds=2)",
        ),
        "arc_transduce": Spec(
            lambda kw: _build_arc(kw, "arc_transduce"),
            {
                "model": Param(MODEL),
                "n": Param(INT(1, 64)),
                "temperature": Param(FLOAT(0.0, 5.0)),
                "encoding": Param(CHOICE("digits", "spaced", "json", "csv", "letters")),
            },
            doc="arc_transduce(model=smollm2-135m, n=4)",
        ),
        "arc_tree_search": Spec(
            _build_arc_tree_search,
            {
                "models": Param(MODELS),
                "model": Param(MODEL),
                "iterations": Param(INT(1, 1000)),
                "batch": Param(INT(1, 64)),
                "algo": Param(CHOICE("abmcts-a", "abmcts-m")),
                "temperature": Param(FLOAT(0.0, 5.0)),
                "encoding": Param(CHOICE("digits", "spaced", "json", "csv", "letters")),
                "timeout": Param(FLOAT(0.1, 600.0)),
                "max_tokens": Param(INT(16, 131072)),
                "dsl_seconds": Param(FLOAT(0.01, 3600.0)),
                "dsl_depth": Param(INT(0, 6)),
            },
            positional="models",
            doc="arc_tree_search(models=[smollm2-135m, gemma3-270m], iterations=8, batch=2)",
        ),
    }
)


# -- verifier specs -----------------------------------------------------------------------------------


def _v_exact(kw: dict[str, Any]) -> Any:
    return ExactVerifier(expected=kw["expected"])


def _v_python(kw: dict[str, Any]) -> Any:
    if not kw["fn"]:
        raise ConfigError("python verifier needs fn='module:function'")
    return CallableVerifier(fn=kw["fn"])


def _v_logprob(kw: dict[str, Any]) -> Any:
    return LogprobVerifier()


def _v_judge(kw: dict[str, Any]) -> Any:
    return JudgeVerifier(
        model=kw["model"],
        rubric=kw["rubric"],
        n=kw["n"] or 1,
        scale=kw["scale"] or 0,
        temperature=kw["temperature"] if kw["temperature"] is not None else 0.7,
    )


def _v_agreement(kw: dict[str, Any]) -> Any:
    return AgreementVerifier(
        with_models=kw["models"],
        n=kw["n"] or 1,
        temperature=kw["temperature"] if kw["temperature"] is not None else 0.7,
    )


def _v_pal(kw: dict[str, Any]) -> Any:
    return PalVerifier(
        model=kw["model"],
        n=kw["n"] or 3,
        temperature=kw["temperature"] if kw["temperature"] is not None else 0.5,
        propose=kw["propose"] if kw["propose"] is not None else True,
        sandbox=kw["sandbox"] if kw["sandbox"] is not None else True,
        with_models=kw["models"],
    )


def _v_tests(kw: dict[str, Any]) -> Any:
    return UnitTestVerifier(tests=kw["tests"], timeout=kw["timeout"] or 10.0)


VERIFIERS: dict[str, Spec] = {
    "exact": Spec(_v_exact, {"expected": Param(ANY)}, positional="expected", doc="exact(expected=42)"),
    "python": Spec(_v_python, {"fn": Param(STR)}, positional="fn", doc="python(fn='mymodule:check')"),
    "logprob": Spec(_v_logprob, {}, doc="logprob"),
    "judge": Spec(
        _v_judge,
        {
            "model": Param(MODEL),
            "rubric": Param(STR),
            "n": Param(INT(1, 32)),
            "scale": Param(INT(0, 100)),
            "temperature": Param(FLOAT(0.0, 5.0)),
        },
        positional="model",
        doc="judge(model=gemma3-270m)",
    ),
    "agreement": Spec(
        _v_agreement,
        {"models": Param(MODELS), "n": Param(INT(1, 32)), "temperature": Param(FLOAT(0.0, 5.0))},
        positional="models",
        doc="agreement(models=[smollm2-135m, gemma3-270m])",
    ),
    "pal": Spec(
        _v_pal,
        {
            "model": Param(MODEL),
            "n": Param(INT(1, 64)),
            "temperature": Param(FLOAT(0.0, 5.0)),
            "propose": Param(BOOL),
            "sandbox": Param(BOOL),
            "models": Param(MODELS),
        },
        positional="model",
        doc="pal(model=gemma3-270m, n=3)",
    ),
    "tests": Spec(
        _v_tests,
        {"tests": Param(ANY), "timeout": Param(FLOAT(0.1, 600.0))},
        positional="tests",
        doc="tests(tests=['assert f(2) == 4'])",
    ),
}


def _fix_single_positional(spec: Spec) -> None:
    """Verifiers with one positional parameter take it unwrapped (``pal(gemma3-270m)``)."""
    if spec.positional and spec.positional in spec.params:
        inner = spec.params[spec.positional].conv

        def conv(b: Builder, v: Value, what: str, inner: Conv = inner) -> Any:
            if isinstance(v, ListV) and len(v.items) == 1:
                return inner(b, v.items[0], what)
            return inner(b, v, what)

        spec.params[spec.positional] = Param(conv)


for _spec in VERIFIERS.values():
    _fix_single_positional(_spec)
