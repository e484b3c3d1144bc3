"""Pipelines: parse and compose strategies from the inline form or from YAML files.

Inline form (the CLI's ``--pipeline``, the server's ``model`` field)::

    pipeline  := expr [ "|" budget ]
    expr      := NAME [ "(" [ arg ("," arg)* ] ")" ] [ "@" NUMBER ]  |  NUMBER  |  STRING  |  list
    arg       := NAME "=" expr  |  expr
    list      := "[" [ expr ("," expr)* ] "]"
    budget    := KEY "=" NUMBER ("," KEY "=" NUMBER)*     KEY: calls, tokens, usd, deadline

A NAME is a strategy (``vote(...)``), a registry model (``smollm2-135m``: one greedy sample), a named
pipeline (``[pipelines]`` in infscale.toml, or ``pipelines/NAME.yaml``), or a verifier where one is
expected (``verifier=pal``). ``@0.75`` after a cascade tier is its escalation threshold. Examples::

    vote(n=8, models=[smollm2-135m, gemma3-270m], weights=[1, 2], adaptive=true)
    cascade(vote(n=4, models=[smollm2-135m]) @0.75, gemma3-270m)
    best_of_n(n=4, model=gemma3-270m, verifier=pal(n=3)) | calls=12, deadline=30

YAML files hold ``pipeline`` (an inline string, or the same structure as nested mappings:
``{vote: {n: 8, models: [a, b]}}``; a cascade tier takes ``at: 0.75``), optional ``budget``
(``{calls: 20, tokens: 4000, usd: 0.01, deadline: 30}``) and ``description``. Every error says where:
a character position (with a caret) in inline specs, ``file:line:column`` in YAML.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, PipelineSyntaxError
from .models.registry import Registry
from .monitor.budget import Budget
from .strategies.base import Action, Done, Outcome, RunInfo, Strategy
from .types import Request

if TYPE_CHECKING:
    from .strategies.specs import Spec

# ---------------------------------------------------------------------------------------------- AST


@dataclass
class Loc:
    """Where a value came from: an offset into inline ``text``, and/or a YAML ``origin``."""

    offset: int = 0
    text: str = ""
    origin: str = ""

    def error(self, message: str) -> PipelineSyntaxError:
        prefix = f"{self.origin}: " if self.origin else ""
        if self.text:
            return PipelineSyntaxError(prefix + message, spec=self.text, position=self.offset)
        return PipelineSyntaxError(prefix + message)


@dataclass
class Atom:
    value: Any
    kind: str  # name | number | string | bool | none
    loc: Loc
    reparse: bool = False  # a YAML string: in strategy position it is an inline spec
    threshold: Atom | None = None


@dataclass
class ListV:
    items: list[Value]
    loc: Loc
    threshold: Atom | None = None


@dataclass
class CallV:
    name: str
    args: list[Value]
    kwargs: dict[str, tuple[Value, Loc]]
    loc: Loc
    threshold: Atom | None = None


Value = Atom | ListV | CallV

# ---------------------------------------------------------------------------------------- tokenizer

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-/:+]*")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PUNCT = "()[],=@|"


@dataclass
class Tok:
    kind: str  # name | number | string | punct | end
    value: Any
    pos: int


def tokenize(text: str, origin: str = "") -> list[Tok]:
    toks: list[Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c in _PUNCT:
            toks.append(Tok("punct", c, i))
            i += 1
            continue
        if c in "'\"":
            j, buf = i + 1, []
            while j < n and text[j] != c:
                if text[j] == "\\" and j + 1 < n:
                    nxt = text[j + 1]
                    buf.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
                    j += 2
                    continue
                buf.append(text[j])
                j += 1
            if j >= n:
                raise Loc(i, text, origin).error("unterminated string")
            toks.append(Tok("string", "".join(buf), i))
            i = j + 1
            continue
        if c in "+-." and i + 1 < n and (text[i + 1].isdigit() or text[i + 1] == "."):
            m = _NUMBER.match(text, i)
            if m:
                toks.append(Tok("number", _num(m.group()), i))
                i = m.end()
                continue
        m = _NAME.match(text, i)
        if m:
            word = m.group()
            if _NUMBER.fullmatch(word):
                toks.append(Tok("number", _num(word), i))
            else:
                toks.append(Tok("name", word, i))
            i = m.end()
            continue
        raise Loc(i, text, origin).error(f"unexpected character {c!r}")
    toks.append(Tok("end", None, n))
    return toks


def _num(s: str) -> int | float:
    v = float(s)
    return int(v) if re.fullmatch(r"[-+]?\d+", s) else v


# ------------------------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str, origin: str = "") -> None:
        self.text = text
        self.origin = origin
        self.toks = tokenize(text, origin)
        self.i = 0

    def loc(self, pos: int) -> Loc:
        return Loc(pos, self.text, self.origin)

    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def advance(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, p: str, what: str) -> Tok:
        t = self.tok
        if t.kind != "punct" or t.value != p:
            raise self.loc(t.pos).error(f"expected {what}, found {_show(t)}")
        return self.advance()

    def at(self, p: str) -> bool:
        return self.tok.kind == "punct" and self.tok.value == p

    def pipeline(self) -> tuple[Value, list[tuple[str, Value, Loc]]]:
        if self.tok.kind == "end":
            raise self.loc(0).error("empty pipeline")
        expr = self.expr()
        budget: list[tuple[str, Value, Loc]] = []
        if self.at("|"):
            self.advance()
            while True:
                t = self.tok
                if t.kind != "name":
                    raise self.loc(t.pos).error(
                        f"expected a budget key (calls, tokens, usd, deadline), found {_show(t)}"
                    )
                self.advance()
                self.expect("=", f"'=' after {t.value!r}")
                budget.append((t.value, self.expr(), self.loc(t.pos)))
                if not self.at(","):
                    break
                self.advance()
        if self.tok.kind != "end":
            raise self.loc(self.tok.pos).error(f"unexpected {_show(self.tok)}")
        return expr, budget

    def expr(self) -> Value:
        v = self.primary()
        if self.at("@"):
            at = self.advance()
            t = self.tok
            if t.kind != "number":
                raise self.loc(t.pos).error(f"expected a threshold number after '@', found {_show(t)}")
            self.advance()
            v.threshold = Atom(t.value, "number", self.loc(at.pos))
        return v

    def primary(self) -> Value:
        t = self.tok
        if t.kind == "number":
            self.advance()
            return Atom(t.value, "number", self.loc(t.pos))
        if t.kind == "string":
            self.advance()
            return Atom(t.value, "string", self.loc(t.pos))
        if self.at("["):
            self.advance()
            items: list[Value] = []
            while not self.at("]"):
                items.append(self.expr())
                if self.at(","):
                    self.advance()
                elif not self.at("]"):
                    raise self.loc(self.tok.pos).error(
                        f"expected ',' or ']' in a list, found {_show(self.tok)}"
                    )
            self.advance()
            return ListV(items, self.loc(t.pos))
        if t.kind == "name":
            self.advance()
            low = t.value.lower()
            if low in ("true", "false"):
                return Atom(low == "true", "bool", self.loc(t.pos))
            if low in ("none", "null"):
                return Atom(None, "none", self.loc(t.pos))
            if not self.at("("):
                return Atom(t.value, "name", self.loc(t.pos))
            self.advance()
            args: list[Value] = []
            kwargs: dict[str, tuple[Value, Loc]] = {}
            while not self.at(")"):
                if self.tok.kind == "end":
                    raise self.loc(self.tok.pos).error(f"missing ')' to close {t.value}(")
                a = self.tok
                nxt = self.toks[self.i + 1]
                if a.kind == "name" and nxt.kind == "punct" and nxt.value == "=":
                    self.advance()
                    self.advance()
                    if a.value in kwargs:
                        raise self.loc(a.pos).error(f"argument {a.value!r} given twice")
                    kwargs[a.value] = (self.expr(), self.loc(a.pos))
                else:
                    if kwargs:
                        raise self.loc(a.pos).error("a positional argument after keyword arguments")
                    args.append(self.expr())
                if self.at(","):
                    self.advance()
                elif not self.at(")"):
                    raise self.loc(self.tok.pos).error(f"expected ',' or ')', found {_show(self.tok)}")
            self.advance()
            return CallV(t.value, args, kwargs, self.loc(t.pos))
        raise self.loc(t.pos).error(f"expected a strategy, model, number or list, found {_show(t)}")


def _show(t: Tok) -> str:
    if t.kind == "end":
        return "the end of the spec"
    if t.kind == "string":
        return f"string {t.value!r}"
    return repr(str(t.value))


def parse_expression(text: str, origin: str = "") -> tuple[Value, list[tuple[str, Value, Loc]]]:
    """The AST of an inline spec and its budget items (no registry needed)."""
    return _Parser(text, origin).pipeline()


# ------------------------------------------------------------------------------------------- YAML


def _yaml_value(node: Any, path: str) -> Value:
    """A composed YAML node as the AST (positions kept for errors)."""
    import yaml

    mark = node.start_mark
    loc = Loc(origin=f"{path}:{mark.line + 1}:{mark.column + 1}")
    if isinstance(node, yaml.ScalarNode):
        tag = node.tag.rsplit(":", 1)[-1]
        raw = node.value
        if tag == "int":
            return Atom(int(raw, 0), "number", loc)
        if tag == "float":
            return Atom(float(raw), "number", loc)
        if tag == "bool":
            return Atom(raw.lower() in ("true", "yes", "on"), "bool", loc)
        if tag == "null":
            return Atom(None, "none", loc)
        return Atom(raw, "string", loc, reparse=True)
    if isinstance(node, yaml.SequenceNode):
        return ListV([_yaml_value(x, path) for x in node.value], loc)
    if isinstance(node, yaml.MappingNode):
        pairs = [(k, v) for k, v in node.value]
        keys = [k.value for k, _ in pairs]
        threshold: Atom | None = None
        for k, v in pairs:
            if k.value in ("at", "threshold") and len(pairs) > 1:
                tv = _yaml_value(v, path)
                if not isinstance(tv, Atom) or tv.kind != "number":
                    raise tv.loc.error(f"'{k.value}' must be a number")
                threshold = tv
        names = [k for k in keys if k not in ("at", "threshold") or len(pairs) == 1]
        if len(names) != 1:
            raise loc.error(
                f"a strategy mapping needs exactly one strategy key (plus an optional 'at'), found {names}"
            )
        key_node, body = next((k, v) for k, v in pairs if k.value == names[0])
        call = CallV(
            key_node.value,
            [],
            {},
            Loc(origin=f"{path}:{key_node.start_mark.line + 1}:{key_node.start_mark.column + 1}"),
        )
        if isinstance(body, yaml.MappingNode):
            for k, v in body.value:
                kl = Loc(origin=f"{path}:{k.start_mark.line + 1}:{k.start_mark.column + 1}")
                if k.value in call.kwargs:
                    raise kl.error(f"argument {k.value!r} given twice")
                call.kwargs[str(k.value)] = (_yaml_value(v, path), kl)
        elif isinstance(body, yaml.SequenceNode):
            call.args = [_yaml_value(x, path) for x in body.value]
        elif not (isinstance(body, yaml.ScalarNode) and body.tag.endswith(":null")):
            call.args = [_yaml_value(body, path)]
        call.threshold = threshold
        return call
    raise loc.error("unsupported YAML node")


YAML_KEYS = {"pipeline", "budget", "description", "name"}


def load_yaml(path: Path) -> tuple[Value, list[tuple[str, Value, Loc]], str]:
    """A pipeline file: its AST, budget items and description."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read pipeline file {path}: {e}") from None
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as e:
        raise PipelineSyntaxError(f"{path}: malformed YAML: {e}") from None
    where = Loc(origin=str(path))
    if root is None or not isinstance(root, yaml.MappingNode):
        raise where.error("a pipeline file must be a mapping with a 'pipeline' key")
    items = {k.value: (k, v) for k, v in root.value}
    for k, (kn, _) in items.items():
        if k not in YAML_KEYS:
            kl = Loc(origin=f"{path}:{kn.start_mark.line + 1}:{kn.start_mark.column + 1}")
            raise kl.error(f"unknown key {k!r} (expected {', '.join(sorted(YAML_KEYS))})")
    if "pipeline" not in items:
        raise where.error("missing 'pipeline'")
    expr = _yaml_value(items["pipeline"][1], str(path))
    budget: list[tuple[str, Value, Loc]] = []
    if isinstance(expr, Atom) and expr.reparse:
        # An inline string: parse it (its own budget suffix included).
        expr, budget = parse_expression(str(expr.value), expr.loc.origin)
    if "budget" in items:
        bnode = items["budget"][1]
        if not isinstance(bnode, yaml.MappingNode):
            raise Loc(origin=f"{path}:{bnode.start_mark.line + 1}").error("'budget' must be a mapping")
        for k, v in bnode.value:
            kl = Loc(origin=f"{path}:{k.start_mark.line + 1}:{k.start_mark.column + 1}")
            budget.append((str(k.value), _yaml_value(v, str(path)), kl))
    desc = ""
    if "description" in items:
        desc = str(items["description"][1].value)
    return expr, budget, desc


def pipeline_dirs() -> list[Path]:
    """Where named YAML pipelines are looked up: $INFSCALE_PIPELINES, ./pipelines, the checkout's."""
    dirs: list[Path] = []
    env = os.environ.get("INFSCALE_PIPELINES")
    if env:
        dirs.extend(Path(p) for p in env.split(os.pathsep) if p)
    dirs.append(Path.cwd() / "pipelines")
    bundled = Path(__file__).resolve().parents[2] / "pipelines"
    if bundled not in dirs:
        dirs.append(bundled)
    return [d for d in dirs if d.is_dir()]


def find_named_yaml(name: str) -> Path | None:
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", name):
        return None
    for d in pipeline_dirs():
        for ext in (".yaml", ".yml"):
            p = d / f"{name}{ext}"
            if p.is_file():
                return p
    return None


def named_pipelines(registry: Registry) -> dict[str, str]:
    """Every named pipeline visible here: name -> where it is defined."""
    out = {k: "config [pipelines]" for k in registry.pipelines}
    for d in pipeline_dirs():
        for p in sorted(d.glob("*.y*ml")):
            out.setdefault(p.stem, str(p))
    return out


# ------------------------------------------------------------------------------------------ builder

BUDGET_KEYS = {
    "calls": "max_calls",
    "max_calls": "max_calls",
    "tokens": "max_tokens",
    "max_tokens": "max_tokens",
    "usd": "max_usd",
    "max_usd": "max_usd",
    "cost": "max_usd",
    "deadline": "deadline_s",
    "deadline_s": "deadline_s",
    "seconds": "deadline_s",
}


def build_budget(items: list[tuple[str, Value, Loc]]) -> Budget | None:
    """The budget a spec names (``| calls=20, ...`` or YAML ``budget:``), or None."""
    if not items:
        return None
    kw: dict[str, Any] = {}
    for key, v, loc in items:
        field_name = BUDGET_KEYS.get(key)
        if field_name is None:
            raise loc.error(f"unknown budget key {key!r} (known: calls, tokens, usd, deadline)")
        if not isinstance(v, Atom) or v.kind != "number" or isinstance(v.value, bool):
            raise v.loc.error(f"budget {key} must be a number")
        if field_name in ("max_calls", "max_tokens"):
            if not isinstance(v.value, int) or v.value < 1:
                raise v.loc.error(f"budget {key} must be a positive integer")
        elif v.value <= 0:
            raise v.loc.error(f"budget {key} must be > 0")
        if field_name in kw:
            raise loc.error(f"budget {key} given twice")
        kw[field_name] = v.value
    return Budget(**kw)


def _strategy_specs() -> dict[str, Spec]:
    from .strategies.specs import STRATEGIES  # the specs import this module's AST: import late

    return STRATEGIES


def _verifier_specs() -> dict[str, Spec]:
    from .strategies.specs import VERIFIERS

    return VERIFIERS


class Builder:
    """Turns the AST into strategies, resolving models and named pipelines against a registry (the
    arguments each strategy and verifier takes are in ``infscale.strategies.specs``)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.stack: list[str] = []

    # -- strategies ---------------------------------------------------------------------------------
    def strategy(self, v: Value, *, allow_threshold: bool = False) -> Strategy:
        if v.threshold is not None and not allow_threshold:
            raise v.threshold.loc.error("a threshold (@) is only allowed on a cascade tier")
        if isinstance(v, Atom):
            if v.kind == "string" and v.reparse:
                expr, budget = parse_expression(str(v.value), v.loc.origin)
                if budget:
                    raise budget[0][2].error("a budget (|) is only allowed at the top of a pipeline")
                if v.threshold is not None:
                    expr.threshold = v.threshold
                return self.strategy(expr, allow_threshold=allow_threshold)
            if v.kind in ("name", "string"):
                return self.named(str(v.value), v.loc)
            raise v.loc.error(f"expected a strategy or a model, found {v.value!r}")
        if isinstance(v, ListV):
            raise v.loc.error("expected a strategy or a model, found a list")
        STRATEGIES, VERIFIERS = _strategy_specs(), _verifier_specs()
        spec = STRATEGIES.get(v.name)
        if spec is None:
            if v.name in VERIFIERS:
                raise v.loc.error(f"{v.name!r} is a verifier; use it as verifier={v.name}(...)")
            raise v.loc.error(f"unknown strategy {v.name!r}{self._hint(v.name, list(STRATEGIES))}")
        return self.call(spec, v, "strategy")

    def named(self, name: str, loc: Loc) -> Strategy:
        from .strategies.sample import SampleStrategy

        STRATEGIES = _strategy_specs()
        if name in self.registry:
            return SampleStrategy(pool=[name], n=1)
        if name in STRATEGIES:
            raise loc.error(f"{name} needs arguments, e.g. {STRATEGIES[name].doc}")
        if name in self.stack:
            raise loc.error(f"named pipeline {name!r} refers to itself ({' -> '.join([*self.stack, name])})")
        if name in self.registry.pipelines:
            self.stack.append(name)
            try:
                expr, _ = parse_expression(self.registry.pipelines[name], f"pipelines.{name}")
                return self.strategy(expr)
            finally:
                self.stack.pop()
        path = find_named_yaml(name)
        if path is not None:
            self.stack.append(name)
            try:
                expr, _, _ = load_yaml(path)
                return self.strategy(expr)
            finally:
                self.stack.pop()
        known = [*self.registry.names(), *named_pipelines(self.registry), *STRATEGIES]
        raise loc.error(f"unknown model or pipeline {name!r}{self._hint(name, known)}")

    def _hint(self, name: str, known: list[str]) -> str:
        close = difflib.get_close_matches(name, known, n=1)
        return f"; did you mean {close[0]!r}?" if close else ""

    def call(self, spec: Spec, v: CallV, what: str) -> Any:
        kw: dict[str, Any] = {}
        given: dict[str, tuple[Value, Loc]] = {}
        for k, (val, kloc) in v.kwargs.items():
            key = spec.aliases.get(k, k)
            if key not in spec.params:
                known = ", ".join(sorted(spec.params))
                raise kloc.error(
                    f"{v.name} has no argument {k!r}{self._hint(k, list(spec.params))} (known: {known})"
                )
            if key in given:
                raise kloc.error(f"argument {k!r} given twice")
            given[key] = (val, kloc)
        if v.args:
            if spec.positional is None:
                raise v.args[0].loc.error(f"{v.name} takes keyword arguments only, e.g. {spec.doc}")
            if spec.positional in given:
                raise v.args[0].loc.error(f"{spec.positional} given both by position and by name")
            given[spec.positional] = (ListV(list(v.args), v.args[0].loc), v.args[0].loc)
        for name, p in spec.params.items():
            if name in given:
                val, _ = given[name]
                kw[name] = p.conv(self, val, f"{v.name}: {name}")
            else:
                kw[name] = p.default
        try:
            return spec.build(kw)
        except PipelineSyntaxError:
            raise
        except ConfigError as e:
            raise v.loc.error(e.message) from None

    # -- verifiers ------------------------------------------------------------------------------------
    def verifier(self, v: Value) -> Any:
        if isinstance(v, Atom) and v.kind == "string" and v.reparse:
            expr, _ = parse_expression(str(v.value), v.loc.origin)
            return self.verifier(expr)
        if isinstance(v, Atom) and v.kind in ("name", "string"):
            v = CallV(str(v.value), [], {}, v.loc)
        if not isinstance(v, CallV):
            raise v.loc.error("expected a verifier: " + ", ".join(sorted(_verifier_specs())))
        VERIFIERS = _verifier_specs()
        spec = VERIFIERS.get(v.name)
        if v.name in ("tests", "pal"):
            from .verifiers.unit_tests import ensure_tool_model

            ensure_tool_model(self.registry)
        if spec is None:
            raise v.loc.error(
                f"unknown verifier {v.name!r}{self._hint(v.name, list(VERIFIERS))} (known: {', '.join(sorted(VERIFIERS))})"
            )
        return self.call(spec, v, "verifier")

    # -- models ---------------------------------------------------------------------------------------
    def model(self, v: Value, what: str) -> str:
        if isinstance(v, Atom) and v.kind in ("name", "string"):
            name = str(v.value)
            if name not in self.registry:
                raise v.loc.error(f"{what}: unknown model {name!r}{self._hint(name, self.registry.names())}")
            return name
        raise v.loc.error(f"{what}: expected a model name")


# ------------------------------------------------------------------------------------------ pipeline


@dataclass
class Pipeline(Strategy):
    """A strategy with the budget its spec names (``... | calls=20``); the engine applies the budget."""

    name = "pipeline"
    strategy: Strategy = field(default=None)  # type: ignore[assignment]
    budget: Budget | None = None
    label: str = ""

    def init(self, request: Request, info: RunInfo) -> Any:
        return self.strategy.init(request, info)

    def step(self, state: Any, outcomes: list[Outcome]) -> list[Action] | Done:
        return self.strategy.step(state, outcomes)

    def best(self, state: Any) -> Done:
        return self.strategy.best(state)

    def models(self) -> list[str]:
        return self.strategy.models()

    def describe(self) -> str:
        return self.label or self.strategy.describe()


def _is_yaml_path(spec: str) -> bool:
    return spec.endswith((".yaml", ".yml"))


def parse_pipeline_with_budget(spec: str, registry: Registry) -> tuple[Strategy, Budget | None]:
    """A spec (inline, a named pipeline, or a YAML path) as a strategy and the budget it names."""
    spec = spec.strip()
    b = Builder(registry)
    if _is_yaml_path(spec):
        path = Path(spec).expanduser()
        if not path.is_file():
            raise ConfigError(f"pipeline file not found: {path}")
        expr, items, _ = load_yaml(path)
        return b.strategy(expr), build_budget(items)
    if spec in registry.pipelines:
        b.stack.append(spec)
        expr, items = parse_expression(registry.pipelines[spec], f"pipelines.{spec}")
        return b.strategy(expr), build_budget(items)
    if spec not in registry and spec not in _strategy_specs():
        path_ = find_named_yaml(spec)
        if path_ is not None:
            b.stack.append(spec)
            expr, items, _ = load_yaml(path_)
            return b.strategy(expr), build_budget(items)
        if _NAME.fullmatch(spec) and not _NUMBER.fullmatch(spec):
            registry.get(spec)  # a lone unknown name: the registry's UnknownModelError, with its hint
    expr, items = parse_expression(spec)
    return b.strategy(expr), build_budget(items)


def parse_pipeline(spec: str, registry: Registry) -> Strategy:
    """The strategy for a spec; a budget in the spec travels with it (``Pipeline.budget``)."""
    strategy, budget = parse_pipeline_with_budget(spec, registry)
    if budget is None:
        return strategy
    return Pipeline(strategy=strategy, budget=budget)
