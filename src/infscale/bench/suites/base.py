"""The suite plugin interface and the registry of suites.

A suite turns a data source into :class:`BenchTask` objects (a request plus what is needed to judge it)
and scores a :class:`~infscale.types.Completion` for a task. Built-in suites are ``qa`` and ``arc``; other
packages add suites through the entry-point group ``infscale.suites`` (name = suite name, value =
``module:SuiteClass``).
"""

from __future__ import annotations

import abc
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

from ...errors import ConfigError, DataError, UnknownSuiteError
from ...types import Completion, Request

ENTRY_POINT_GROUP = "infscale.suites"


@dataclass
class SuiteOptions:
    """Options from the command line; each suite says which it accepts (``Suite.accepts``)."""

    data: Path | None = None
    dataset: str | None = None
    split: str | None = None
    tasks: Path | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    extra: dict[str, str] = field(default_factory=dict)  # --option key=value

    def given(self) -> set[str]:
        """Names of the options that were set (``extra`` keys as ``option:key``)."""
        out = {
            k
            for k in ("data", "dataset", "split", "tasks", "max_tokens", "temperature")
            if getattr(self, k) is not None
        }
        return out | {f"option:{k}" for k in self.extra}

    def to_dict(self) -> dict[str, Any]:
        return {
            "data": str(self.data) if self.data else None,
            "dataset": self.dataset,
            "split": self.split,
            "tasks": str(self.tasks) if self.tasks else None,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "extra": dict(self.extra),
        }


@dataclass
class BenchTask:
    """One problem: the request sent to every pipeline, and what the suite needs to judge the answer."""

    id: str
    request: Request
    reference: Any = None  # JSON-serialisable reference recorded with results (None to keep it private)
    kind: str | None = None
    data: Any = None  # suite-private payload (never sent to the model)


@dataclass
class TaskScore:
    """How one completion did on one task."""

    score: float  # 0..1, what the pipeline's selected answer earns
    sample_correct: list[bool]  # per sample, for coverage@k
    answer: Any = None  # the selected answer as judged (JSON-serialisable)
    sample_answers: list[Any] | None = None  # per sample, as judged (JSON-serialisable)
    details: dict[str, Any] = field(default_factory=dict)


class Suite(abc.ABC):
    """A benchmark suite. Subclasses set ``name``, ``accepts`` and implement ``load`` and ``score``."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    #: Options this suite understands; anything else given on the command line is an error.
    accepts: ClassVar[frozenset[str]] = frozenset({"tasks"})
    #: ``--option`` keys this suite understands.
    extra_options: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, options: SuiteOptions) -> None:
        unknown = sorted(o for o in options.given() if not o.startswith("option:") and o not in self.accepts)
        if unknown:
            flags = ", ".join("--" + o.replace("_", "-") for o in unknown)
            raise ConfigError(f"suite {self.name!r} does not take {flags}")
        bad = sorted(k for k in options.extra if k not in self.extra_options)
        if bad:
            known = ", ".join(sorted(self.extra_options)) or "none"
            raise ConfigError(f"suite {self.name!r} has no option {bad[0]!r} (known: {known})")
        self.options = options

    @abc.abstractmethod
    def load(self) -> list[BenchTask]:
        """Every task of the source, in a stable order; raises ``DataError`` on malformed data."""

    @abc.abstractmethod
    def score(self, task: BenchTask, completion: Completion) -> TaskScore:
        """Judge a completion; must not raise on any model output."""

    def universe_size(self, loaded: int) -> int:
        """Size of the full split the official score divides by (default: every loaded task)."""
        return loaded

    def describe(self) -> dict[str, Any]:
        """Resolved settings recorded in ``summary.json`` (data path, dataset, split, ...)."""
        return {"suite": self.name, "options": self.options.to_dict()}

    def write_artifacts(
        self,
        out_dir: Path,
        tasks: Sequence[BenchTask],
        pipelines: Sequence[str],
        records: Mapping[tuple[str, str], Mapping[str, Any]],
    ) -> list[Path]:
        """Extra output files (for example ARC submissions); ``records`` is keyed by (pipeline, task id)."""
        return []


_BUILTIN: dict[str, Callable[[], type[Suite]]] = {}


def register_suite(name: str, loader: Callable[[], type[Suite]]) -> None:
    """Register a built-in suite lazily (the loader imports its module on first use)."""
    _BUILTIN[name] = loader


def _entry_points() -> dict[str, metadata.EntryPoint]:
    return {ep.name: ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def suite_names() -> list[str]:
    """Every known suite: built-in and from entry points."""
    return sorted(set(_BUILTIN) | set(_entry_points()))


def get_suite(name: str) -> type[Suite]:
    """The suite class for ``name``; raises ``UnknownSuiteError`` naming the known suites."""
    if name in _BUILTIN:
        return _BUILTIN[name]()
    ep = _entry_points().get(name)
    if ep is None:
        raise UnknownSuiteError(f"unknown suite {name!r}; known suites: {', '.join(suite_names())}")
    try:
        cls = ep.load()
    except Exception as exc:  # a broken plugin is reported as such, not as a traceback
        raise UnknownSuiteError(f"suite {name!r} failed to load from {ep.value}: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, Suite)):
        raise UnknownSuiteError(f"suite {name!r} ({ep.value}) is not a Suite subclass")
    return cls


def read_task_ids(path: Path) -> list[str]:
    """Task ids from a file: a JSON list, or one id per line (blank lines and ``#`` comments ignored)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise DataError(f"no such task list: {path}") from None
    except OSError as exc:
        raise DataError(f"cannot read task list {path}: {exc.strerror}") from None
    if text.lstrip().startswith("["):
        try:
            ids = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}: not a valid JSON list: {exc.msg}") from None
        if not isinstance(ids, list) or not all(isinstance(i, str | int) for i in ids):
            raise DataError(f"{path}: a JSON task list must hold strings")
        out = [str(i) for i in ids]
    else:
        out = [ln.split("#", 1)[0].strip() for ln in text.splitlines()]
        out = [i for i in out if i]
    if not out:
        raise DataError(f"task list {path} is empty")
    return list(dict.fromkeys(out))


def select_tasks(tasks: list[BenchTask], ids: list[str] | None, limit: int | None) -> list[BenchTask]:
    """Keep the listed ids (in the list's order) and then the first ``limit`` tasks."""
    if ids is not None:
        by_id = {t.id: t for t in tasks}
        missing = [i for i in ids if i not in by_id]
        if missing:
            more = f" (and {len(missing) - 3} more)" if len(missing) > 3 else ""
            raise DataError(f"unknown task id(s): {', '.join(missing[:3])}{more}")
        tasks = [by_id[i] for i in ids]
    if limit is not None:
        tasks = tasks[:limit]
    return tasks
