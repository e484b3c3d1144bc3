"""Prepare, run and finish a benchmark run in an output directory.

``prepare`` does every check that can fail (suite, data, pipelines, output directory) before any model
runs; ``execute`` runs what is left; ``finish`` writes ``summary.json``, ``report.html`` and the suite's
extra files, all recomputed from ``run.json`` + ``results.jsonl`` (so they are reproducible from the files).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DataError
from .progress import ProgressDisplay, RunningAccuracy
from .runner import EngineRunner, Runner, RunOutcome, RunPlan, run_units, task_seed
from .scaling import ScalingFit, fit_summary
from .store import RESULTS, Key, ResultStore, read_results
from .suites import BenchTask, Suite, SuiteOptions, get_suite, read_task_ids, select_tasks
from .summary import RUN_FILE, SUMMARY_FILE, package_versions, summarize


@dataclass
class BenchSettings:
    suite: str
    pipelines: list[str]
    out_dir: Path
    options: SuiteOptions = field(default_factory=SuiteOptions)
    limit: int | None = None
    seed: int = 0
    concurrency: int = 4
    resume: bool = False
    timeout_s: float | None = None
    retry_failed: bool = False
    report: bool = True
    target: float = 0.9
    config: Path | None = None
    runner: str | None = None  # "module:factory" instead of the engine


@dataclass
class Prepared:
    settings: BenchSettings
    suite: Suite
    tasks: list[BenchTask]
    runner: Runner
    store: ResultStore
    done: dict[Key, dict[str, Any]]
    run: dict[str, Any]
    repaired_tail: bool = False

    @property
    def plan(self) -> RunPlan:
        s = self.settings
        return RunPlan(
            self.suite, self.tasks, s.pipelines, s.seed, s.concurrency, s.timeout_s, s.retry_failed
        )


def _check_settings(s: BenchSettings) -> None:
    if not s.pipelines:
        raise ConfigError("give at least one --pipeline")
    if len(set(s.pipelines)) != len(s.pipelines):
        raise ConfigError("the same --pipeline is given twice")
    if s.limit is not None and s.limit < 1:
        raise ConfigError(f"--limit must be at least 1, got {s.limit}")
    if not 1 <= s.concurrency <= 1024:
        raise ConfigError(f"--concurrency must be between 1 and 1024, got {s.concurrency}")
    if s.seed < 0:
        raise ConfigError(f"--seed must be non-negative, got {s.seed}")
    if s.timeout_s is not None and s.timeout_s <= 0:
        raise ConfigError(f"--timeout must be positive, got {s.timeout_s}")
    if not 0.0 < s.target < 1.0:
        raise ConfigError(f"--target must be between 0 and 1, got {s.target}")
    if s.out_dir.exists() and not s.out_dir.is_dir():
        raise ConfigError(f"--out {s.out_dir} exists and is not a directory")


def check_report_dependencies() -> None:
    """The report needs matplotlib and scipy (the ``plots`` extra): fail before running, not after."""
    missing = [m for m in ("matplotlib", "scipy") if importlib.util.find_spec(m) is None]
    if missing:
        raise ConfigError(
            f"report.html needs {' and '.join(missing)}: pip install 'infscale[plots]' (or pass --no-report)"
        )


def make_runner(config: Path | None, target: str | None) -> Runner:
    """The engine (default) or a custom runner factory ``module:function``."""
    if target:
        mod, _, attr = target.partition(":")
        try:
            factory = getattr(importlib.import_module(mod), attr)
        except (ImportError, AttributeError, ValueError) as exc:
            raise ConfigError(f"cannot load --runner {target!r}: {exc}") from None
        try:
            runner = factory()
        except Exception as exc:  # a broken factory is a configuration problem, not a crash
            raise ConfigError(f"--runner {target!r} failed: {type(exc).__name__}: {exc}") from None
        if not callable(runner):
            raise ConfigError(f"--runner {target!r} did not return a callable runner")
        return runner  # type: ignore[no-any-return]
    try:
        from ..engine import Engine
    except ImportError as exc:
        raise ConfigError(f"the infscale engine is not available: {exc}") from None
    if config is not None and not config.is_file():
        raise ConfigError(f"no such config file: {config}")
    return EngineRunner(Engine.from_config(str(config) if config else None))


def prepare(settings: BenchSettings, runner: Runner | None = None) -> Prepared:
    """Validate everything and open the results file; no model runs here."""
    _check_settings(settings)
    suite_cls = get_suite(settings.suite)
    suite = suite_cls(settings.options)
    ids = read_task_ids(settings.options.tasks) if settings.options.tasks else None
    all_tasks = suite.load()
    tasks = select_tasks(all_tasks, ids, settings.limit)
    if settings.report:
        check_report_dependencies()
    if runner is None:
        runner = make_runner(settings.config, settings.runner)
    validate: Callable[[str], None] | None = getattr(runner, "validate", None)
    if validate is not None:
        for spec in settings.pipelines:
            validate(spec)
    results = settings.out_dir / RESULTS
    if results.exists() and results.stat().st_size > 0 and not settings.resume:
        raise ConfigError(
            f"{settings.out_dir} already holds {RESULTS}: pass --resume to continue it, or pick another --out"
        )
    previous = _read_run(settings.out_dir) if settings.resume else None
    if previous is not None and previous.get("suite") != settings.suite:
        raise ConfigError(
            f"{settings.out_dir} holds a {previous.get('suite')!r} run; cannot resume it as {settings.suite!r}"
        )
    try:
        settings.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create --out {settings.out_dir}: {exc.strerror}") from None
    store = ResultStore(settings.out_dir)
    loaded = store.open()
    suite_config = suite.describe()
    suite_config["split_size"] = suite.universe_size(len(all_tasks))
    run = {
        "suite": settings.suite,
        "suite_config": suite_config,
        "pipelines": list(settings.pipelines),
        "seed": settings.seed,
        "created": (previous or {}).get("created") or datetime.now(UTC).isoformat(timespec="seconds"),
        "updated": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            "limit": settings.limit,
            "concurrency": settings.concurrency,
            "timeout_s": settings.timeout_s,
            "engine_config": str(settings.config) if settings.config else None,
            "runner": settings.runner,
            "target": settings.target,
        },
        "versions": package_versions(),
        "tasks": [{"id": t.id, "kind": t.kind, "seed": task_seed(settings.seed, t.id)} for t in tasks],
    }
    _write_json(settings.out_dir / RUN_FILE, run)
    return Prepared(settings, suite, tasks, runner, store, loaded.records, run, loaded.truncated_tail)


async def execute(prep: Prepared, show_progress: bool = True) -> RunOutcome:
    """Run every unit not already recorded; results are appended as they finish."""
    plan = prep.plan
    units = plan.units(prep.done)
    accuracy = RunningAccuracy(prep.settings.pipelines)
    todo = {(spec, t.id) for spec, t, _ in units}
    for spec, task, seed in ((s, t, task_seed(plan.seed, t.id)) for t in plan.tasks for s in plan.pipelines):
        rec = prep.done.get((spec, task.id, seed))
        if rec is not None and (spec, task.id) not in todo:
            accuracy.add(rec)
    try:
        with ProgressDisplay(len(units), accuracy, enabled=show_progress) as display:
            return await run_units(plan, prep.runner, prep.store, units, display.update)
    finally:
        close = getattr(prep.runner, "aclose", None)
        if close is not None:
            await close()


def _read_run(out_dir: Path) -> dict[str, Any] | None:
    path = out_dir / RUN_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or "tasks" not in data or "pipelines" not in data:
        raise DataError(f"{path} is not an infscale run description")
    return data


def load_run(out_dir: Path) -> tuple[dict[str, Any], dict[Key, dict[str, Any]]]:
    """``run.json`` and the results records of a run directory (for ``scaling`` and re-reporting)."""
    if not out_dir.is_dir():
        raise DataError(f"no such run directory: {out_dir}")
    run = _read_run(out_dir)
    if run is None:
        raise DataError(f"{out_dir} holds no {RUN_FILE}: not an infscale bench output directory")
    return run, read_results(out_dir / RESULTS).records


def by_pipeline_task(
    run: Mapping[str, Any], records: Mapping[Key, Mapping[str, Any]]
) -> dict[tuple[str, str], Mapping[str, Any]]:
    """Records of this run's task set and seeds, keyed by (pipeline, task id)."""
    seeds = {t["id"]: t.get("seed") for t in run["tasks"]}
    return {(p, tid): rec for (p, tid, seed), rec in records.items() if tid in seeds and seeds[tid] == seed}


def finish(prep: Prepared) -> tuple[dict[str, Any], list[ScalingFit], list[Path]]:
    """Write summary.json, report.html and the suite's artifacts from the files on disk."""
    out = prep.settings.out_dir
    records = read_results(out / RESULTS).records
    summary = summarize(prep.run, records)
    fits = fit_summary(summary, prep.settings.target) if prep.settings.report else []
    if fits:
        summary["scaling"] = [f.to_dict() for f in fits]
    _write_json(out / SUMMARY_FILE, summary)
    written = [out / RESULTS, out / SUMMARY_FILE]
    keyed = by_pipeline_task(prep.run, records)
    if prep.settings.report:
        from .report import write_report

        written.append(write_report(out, summary, fits, prep.run["tasks"], keyed))
    written += prep.suite.write_artifacts(out, prep.tasks, prep.settings.pipelines, keyed)
    return summary, fits, written


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=repr))
    os.replace(tmp, path)
