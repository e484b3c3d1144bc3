"""ARC solvers as registry models: ``arc-dsl`` (the DSL program search) and ``arc-sandbox`` (the tool that
runs a model-written ``transform(grid)`` on grids in infscale's sandbox), plus the helpers the ARC
strategies (``infscale.strategies.arc_program``) share: reading a task from a request, program prompts,
scoring sandbox outputs on the train pairs, ranking candidate attempts.

Both models use the ``program`` backend: zero money cost, their wall time counted as compute seconds.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import DataError, InvalidRequestError, SandboxError
from ..types import Request
from .formats import encode_grid, parse_grid
from .grid import GridList, Task, validate_task
from .scoring import TrainScore, diff_text, score_transform

DSL_MODEL = "arc-dsl"
SANDBOX_MODEL = "arc-sandbox"
#: Default DSL search budget (seconds of wall time, composition depth); more budget = deeper search.
DEFAULT_DSL_SECONDS = 10.0
DEFAULT_DSL_DEPTH = 3

# ------------------------------------------------------------------------------------ task from request

_HEADER = re.compile(r"^(Example|Test)\s+(\d+)\s+(input|output)\s*:\s*$", re.I | re.M)


def task_from_prompt(text: str) -> Task:
    """The public task view from a prompt written by ``encode_task`` (``Example i input:`` blocks)."""
    heads = list(_HEADER.finditer(text))
    train: dict[int, dict[str, GridList]] = {}
    test: dict[int, dict[str, GridList]] = {}
    for k, m in enumerate(heads):
        end = heads[k + 1].start() if k + 1 < len(heads) else len(text)
        grid = parse_grid(text[m.end() : end])
        if grid is None:
            continue  # e.g. the trailing "Test 1 output:" the model is asked to fill
        into = train if m.group(1).lower() == "example" else test
        into.setdefault(int(m.group(2)), {})[m.group(3).lower()] = grid
    pairs = [train[i] for i in sorted(train) if "input" in train[i] and "output" in train[i]]
    tests = [{"input": test[i]["input"]} for i in sorted(test) if "input" in test[i]]
    if not pairs or not tests:
        raise InvalidRequestError(
            "no ARC task in the request: expected metadata['arc_task'] or a prompt with "
            "'Example N input:' / 'Example N output:' / 'Test N input:' grids"
        )
    return {"train": pairs, "test": tests}


def task_of(request: Request) -> Task:
    """The ARC task of a request: ``metadata['arc_task']`` (the bench suite's), else parsed from the prompt."""
    task = request.metadata.get("arc_task")
    if task is None:
        return task_from_prompt(request.user_text())
    try:
        return validate_task(task, "metadata['arc_task']")
    except DataError as e:  # a malformed task from a caller is a bad request
        raise InvalidRequestError(e.message) from None


# ------------------------------------------------------------------------------------------- arc-dsl


def _num(value: Any, name: str, lo: float, hi: float) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidRequestError(f"{name} must be a number, got {value!r}") from None
    if not lo <= x <= hi:
        raise InvalidRequestError(f"{name} must be in [{lo}, {hi}], got {x}")
    return x


def dsl_budget(request: Request) -> tuple[float, int]:
    """(seconds, depth) for the search: ``metadata['arc_dsl'] = {seconds, depth}``, else the environment
    (``INFSCALE_ARC_DSL_SECONDS``, ``INFSCALE_ARC_DSL_DEPTH``), else the defaults."""
    opts = request.metadata.get("arc_dsl") or {}
    if not isinstance(opts, dict):
        raise InvalidRequestError("metadata['arc_dsl'] must be a mapping with 'seconds' and/or 'depth'")
    seconds = opts.get("seconds", os.environ.get("INFSCALE_ARC_DSL_SECONDS", DEFAULT_DSL_SECONDS))
    depth = opts.get("depth", os.environ.get("INFSCALE_ARC_DSL_DEPTH", DEFAULT_DSL_DEPTH))
    return _num(seconds, "arc-dsl seconds", 0.01, 3600.0), int(_num(depth, "arc-dsl depth", 0, 6))


def dsl_model(request: Request, index: int) -> dict[str, Any]:
    """The ``arc-dsl`` model: DSL program search on the request's task.

    ``answer``: per test input, up to two attempt grids (the shape the ``arc`` suite reads). ``text``: a
    JSON summary whose ``train_score`` (1.0 = a program fits every train pair, else best cell accuracy) is
    also the confidence the ``arc_dsl`` strategy reports.
    """
    from .solver import DslSolver

    task = task_of(request)
    seconds, depth = dsl_budget(request)
    sol = DslSolver(max_depth=depth, time_budget_s=seconds).solve(task)
    summary = {
        "train_score": round(sol.train_score, 6),
        "programs": sol.programs,
        "nodes": sol.nodes,
        "depth_reached": sol.depth_reached,
        "timed_out": sol.timed_out,
        "budget": {"seconds": seconds, "depth": depth},
        "attempts": sol.attempts,
    }
    return {
        "text": json.dumps(summary, separators=(",", ":")),
        "answer": sol.attempts,
        "score": sol.train_score,
    }


def dsl_train_score(text: str) -> float:
    """The train score an ``arc-dsl`` sample reports in its text (0.0 when unreadable)."""
    try:
        return float(json.loads(text).get("train_score", 0.0))
    except (ValueError, TypeError, AttributeError):
        return 0.0


# -------------------------------------------------------------------------------------- arc-sandbox

_HARNESS = """

def __infscale_arc_run__(grids):
    out = []
    for g in grids:
        try:
            r = transform([list(row) for row in g])
            if hasattr(r, "tolist"):
                r = r.tolist()
            r = [[int(v) for v in row] for row in r]
            out.append({"grid": r})
        except BaseException as e:
            out.append({"error": type(e).__name__ + ": " + str(e)[:200]})
    return out
"""


async def sandbox_model(request: Request, index: int) -> dict[str, Any]:
    """The ``arc-sandbox`` tool model: ``metadata['arc_job'] = {code, grids, timeout}`` runs the code's
    ``transform`` on every grid in one sandboxed process. ``answer``: one ``{"grid": g}`` or
    ``{"error": msg}`` per input; a whole-job failure (syntax error, timeout, memory) is an error for all."""
    from ..sandbox import Limits, arun

    job = request.metadata.get("arc_job")
    if not isinstance(job, dict) or not isinstance(job.get("code"), str) or "grids" not in job:
        raise SandboxError("arc-sandbox needs metadata['arc_job'] with 'code' and 'grids'")
    grids = list(job["grids"])
    limits = Limits(timeout=float(job.get("timeout", 10.0)))
    res = await arun(job["code"] + _HARNESS, "__infscale_arc_run__", [grids], limits=limits)
    if res.ok and isinstance(res.value, list) and len(res.value) == len(grids):
        results = res.value
    else:
        msg = f"{res.status}: {(res.error or '').strip()[-300:]}"
        results = [{"error": msg} for _ in grids]
    return {"text": json.dumps({"status": str(res.status), "n": len(grids)}), "answer": results}


# ------------------------------------------------------------------------------ prompts and scoring

PROGRAM_SYSTEM = (
    "You write Python. Reply with one ```python code block defining transform(grid) -> grid, where a "
    "grid is a list of lists of integers 0-9. Only the standard library and numpy are available."
)


def program_prompt(task: Task, encoding: str = "digits") -> str:
    """Ask for a ``transform`` that maps every train input to its output."""
    parts = []
    for i, p in enumerate(task["train"], 1):
        parts.append(f"Example {i} input:\n{encode_grid(p['input'], encoding)}")
        parts.append(f"Example {i} output:\n{encode_grid(p['output'], encoding)}")
    return (
        "Each example maps an input grid to an output grid by the same rule (cells are colours 0-9).\n\n"
        + "\n\n".join(parts)
        + "\n\nWrite a Python function transform(grid) that implements the rule: it must turn every "
        "example input into its output exactly. Answer with the code only:\n```python\ndef transform(grid):"
    )


def refine_prompt(task: Task, code: str, feedback: str, encoding: str = "digits") -> str:
    """Show a program, what it got wrong on the train pairs, and ask for a corrected one."""
    return (
        program_prompt(task, encoding).rsplit("\n\nWrite a Python", 1)[0]
        + f"\n\nThis program is wrong:\n```python\n{code}\n```\n\nWhat it produced versus the expected "
        f"output:\n{feedback}\n\nWrite a corrected transform(grid). Answer with the code only:\n"
        "```python\ndef transform(grid):"
    )


_FENCE = re.compile(r"```[a-zA-Z0-9_+-]*\n(.*?)(?:```|\Z)", re.S)


def extract_program(text: str) -> str | None:
    """The code defining ``transform`` in a model's reply: a (possibly unclosed) fenced block, or the
    reply itself when the prompt's opening ``def transform(grid):`` was continued."""
    if not isinstance(text, str) or not text.strip():
        return None
    blocks = [b for b in _FENCE.findall(text) if "def transform" in b]
    if blocks:
        return blocks[-1].strip() + "\n"
    if "def transform" in text:
        return text.split("```")[0].strip() + "\n"
    # The prompt ends inside ``def transform(grid):``: the reply is the function's body.
    body = text.split("```")[0].rstrip()
    if not body.strip():
        return None
    lines = body.splitlines()
    if lines and not lines[0].startswith((" ", "\t")):
        lines = ["    " + ln if ln.strip() else ln for ln in lines]
    return "def transform(grid):\n" + "\n".join(lines) + "\n"


@dataclass
class ProgramResult:
    """A candidate program run on a task: its train score, its test outputs, refinement feedback."""

    code: str
    score: TrainScore
    test_outputs: list[GridList | None]
    feedback: str
    round: int = 0
    model: str = ""

    @property
    def train_score(self) -> float:
        """1.0 when every train pair is exact, else the mean cell accuracy (the DSL solver's convention)."""
        return 1.0 if self.score.solved else self.score.partial


def score_outputs(code: str, task: Task, results: Sequence[Any], round_: int = 0) -> ProgramResult:
    """Score sandbox results (train inputs first, then test inputs) with the arc scoring helper."""
    n_train = len(task["train"])
    grids: list[GridList | None] = []
    errors: list[str | None] = []
    for r in list(results) + [None] * (n_train + len(task["test"]) - len(results)):
        g = r.get("grid") if isinstance(r, dict) else None
        ok = isinstance(g, list) and bool(g) and all(isinstance(row, list) and row for row in g)
        grids.append(g if ok else None)
        errors.append(None if ok else (r.get("error") if isinstance(r, dict) else None) or "no output")
    it = iter(range(n_train))

    def replay(_grid: GridList) -> Any:
        i = next(it)
        if grids[i] is None:
            raise RuntimeError(errors[i])
        return grids[i]

    score = score_transform(replay, task)
    lines = []
    for i, pair in enumerate(task["train"]):
        got = grids[i]
        if got is not None and got == pair["output"]:
            continue
        what = f"error: {errors[i]}" if got is None else diff_text(pair["output"], got)
        lines.append(f"Example {i + 1}: {what}")
    return ProgramResult(code, score, grids[n_train:], "\n".join(lines[:3]), round_)


def rank_attempts(results: Sequence[ProgramResult], n_test: int, k: int = 2) -> list[list[GridList]]:
    """Per test input, up to ``k`` distinct attempts: programs ranked by train score, then by how many
    programs agree on their test outputs (agreement breaks ties and breaks the noise of weak programs)."""
    groups: dict[str, list[ProgramResult]] = {}
    for r in results:
        if all(g is None for g in r.test_outputs):
            continue
        groups.setdefault(json.dumps(r.test_outputs), []).append(r)
    ranked = sorted(
        groups.values(),
        key=lambda rs: (max(r.score.exact for r in rs), max(r.train_score for r in rs), len(rs)),
        reverse=True,
    )
    out: list[list[GridList]] = [[] for _ in range(n_test)]
    for rs in ranked:
        for i in range(n_test):
            g = rs[0].test_outputs[i] if i < len(rs[0].test_outputs) else None
            if g is not None and g not in out[i] and len(out[i]) < k:
                out[i].append(g)
    return out
