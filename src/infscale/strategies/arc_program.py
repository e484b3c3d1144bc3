"""ARC strategies: ``arc_dsl`` (the DSL search with its train score as confidence), ``arc_program`` (a model
writes ``transform(grid)``; train pairs verify and refine it) and ``arc_transduce`` (a model writes the
test output grid directly).

Answers have the ``arc`` suite's shape: per test input, up to two attempt grids. Model-written programs run
through the ``arc-sandbox`` tool model (a ``program``-backend registry model over ``infscale.sandbox``):
execution is I/O, so it is an engine ``Call`` like any model call — budgeted, traced with its compute
seconds, run concurrently under the backend's concurrency bound — and the step functions stay pure.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..arc.formats import ENCODINGS, encode_grid, parse_grid
from ..arc.grid import GridList, Task
from ..arc.solvers import (
    DSL_MODEL,
    PROGRAM_SYSTEM,
    SANDBOX_MODEL,
    ProgramResult,
    dsl_train_score,
    extract_program,
    program_prompt,
    rank_attempts,
    refine_prompt,
    score_outputs,
    task_of,
)
from ..errors import ConfigError
from ..types import Request, Sample
from .base import Action, Call, Done, Outcome, RunInfo, Strategy
from .common import DEFAULT_SAMPLING_TEMPERATURE, derive_seed, derived_request


def check_encoding(encoding: str) -> None:
    if encoding not in ENCODINGS:
        raise ConfigError(f"unknown grid encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}")


def _no_grids(attempts: list[list[GridList]]) -> bool:
    return not any(attempts)


# ------------------------------------------------- program helpers shared with ``arc_tree_search``


def program_request(
    request: Request, info: RunInfo, prompt: str, *, n: int, temperature: float, seed: int, max_tokens: int
) -> Request:
    """Ask a model for ``n`` programs (``prompt``: ``program_prompt`` or ``refine_prompt``)."""
    return derived_request(
        request,
        info,
        prompt,
        system=PROGRAM_SYSTEM,
        kind="raw",
        n=n,
        temperature=temperature,
        seed=seed,
        max_tokens=max_tokens,
    )


def compiles(code: str) -> bool:
    """Syntax check on the host (no execution): a program that does not parse never reaches the sandbox."""
    try:
        compile(code, "<model>", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def runnable_program(sample: Sample) -> str | None:
    """The program of a model's reply when it parses (checked on the host, never executed there)."""
    code = extract_program(sample.text) if sample.ok else None
    return code if code is not None and compiles(code) else None


def sandbox_call(task: Task, code: str, *, timeout: float, seed: int, label: str) -> Call:
    """The ``arc-sandbox`` call that runs ``code`` on every train input, then every test input."""
    grids = [p["input"] for p in task["train"]] + [p["input"] for p in task["test"]]
    req = Request(
        prompt=f"run an ARC transform program ({len(grids)} grids)",
        seed=seed,
        metadata={"answer_kind": "raw", "arc_job": {"code": code, "grids": grids, "timeout": timeout}},
    )
    return Call(SANDBOX_MODEL, req, label=label)


def run_result(code: str, task: Task, outcome: Outcome | None, round_: int, model: str) -> ProgramResult:
    """A program scored on the train pairs from its sandbox outcome (a missing run scores 0)."""
    out = next((x for x in (outcome.samples if outcome else []) if x.ok), None)
    results = out.answer if out is not None and isinstance(out.answer, list) else []
    pr = score_outputs(code, task, results, round_)
    pr.model = model
    return pr


def programs_done(results: list[ProgramResult], task: Task, model: str, info: dict[str, Any]) -> Done:
    """The answer from every program run: the two best distinct test outputs (``rank_attempts``), the
    best program's train score as confidence, each program as a sample scored by its train score."""
    attempts = rank_attempts(results, len(task["test"]))
    top = max(results, key=lambda p: (p.score.exact, p.train_score), default=None)
    info = {
        **info,
        "best_train_score": round(top.train_score, 4) if top else 0.0,
        "solved_train": bool(top and top.score.solved),
    }
    samples = [
        Sample(
            text=p.code,
            model=p.model or model,
            index=k,
            answer=[[g] if g is not None else [] for g in p.test_outputs],
            score=p.train_score,
        )
        for k, p in enumerate(results)
    ]
    if _no_grids(attempts):
        return Done(answer=None, text="", confidence=0.0, samples=samples, info=info)
    return Done(
        answer=attempts,
        text=top.code if top else "",
        confidence=top.train_score if top else 0.0,
        samples=samples,
        info=info,
    )


# ------------------------------------------------------------------------------------------- arc_dsl


@dataclass
class ArcDslStrategy(Strategy):
    """One ``arc-dsl`` call with a search budget; confidence = the best program's train score (1.0 only
    when a program fits every train pair), so ``cascade(arc_dsl() @1.0, ...)`` escalates on a miss."""

    name = "arc_dsl"
    seconds: float = 10.0
    depth: int = 3
    model: str = DSL_MODEL

    def models(self) -> list[str]:
        return [self.model]

    def describe(self) -> str:
        return f"arc_dsl(seconds={self.seconds:g}, depth={self.depth})"

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        return {"request": request, "asked": False, "sample": None}

    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        if not state["asked"]:
            state["asked"] = True
            req: Request = state["request"]
            meta = {**req.metadata, "arc_dsl": {"seconds": self.seconds, "depth": self.depth}}
            return [Call(self.model, req.with_(n=1, metadata=meta), label="arc_dsl")]
        s = next((s for o in outcomes for s in o.samples if s.ok), None)
        if s is not None:
            s.score = dsl_train_score(s.text)
        state["sample"] = s
        return self.best(state)

    def best(self, state: dict[str, Any]) -> Done:
        s: Sample | None = state["sample"]
        if s is None or not s.answer or _no_grids(s.answer):
            return Done(answer=None, confidence=0.0, samples=[s] if s else [], info={"dsl": "no program"})
        return Done(
            answer=s.answer,
            text=s.text,
            confidence=s.score,
            samples=[s],
            info={"dsl_train_score": s.score},
        )


# --------------------------------------------------------------------------------------- arc_program


@dataclass
class ArcProgramStrategy(Strategy):
    """A model writes ``transform(grid)``; the sandbox runs it on train and test inputs; train-pair
    accuracy scores it; the worst pairs' diffs drive ``rounds`` refinement rounds (stopping once a program
    passes every train pair). The attempts are the two best distinct test outputs, ranked by train score,
    then by agreement across programs."""

    name = "arc_program"
    model: str = ""
    n: int = 4
    rounds: int = 2
    temperature: float = DEFAULT_SAMPLING_TEMPERATURE
    encoding: str = "digits"
    timeout: float = 5.0
    max_tokens: int = 512

    def __post_init__(self) -> None:
        if not self.model:
            raise ConfigError("arc_program needs model=...")
        check_encoding(self.encoding)

    def models(self) -> list[str]:
        return [self.model, SANDBOX_MODEL]

    def describe(self) -> str:
        return f"arc_program(model={self.model}, n={self.n}, rounds={self.rounds})"

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        return {
            "request": request,
            "info": info,
            "task": task_of(request),
            "round": 0,
            "phase": "start",
            "results": [],  # ProgramResult, every program run so far
            "ran": {},  # code -> ProgramResult (a program is run once)
            "pending": [],  # (code, model) waiting for the sandbox
            "generated": 0,
            "malformed": 0,
        }

    # -- actions --------------------------------------------------------------------------------------
    def _gen_request(self, state: dict[str, Any], prompt: str, n: int, tag: Any) -> Request:
        return program_request(
            state["request"],
            state["info"],
            prompt,
            n=n,
            temperature=self.temperature,
            seed=derive_seed(state["info"].seed, "arc_program", state["round"], tag),
            max_tokens=self.max_tokens,
        )

    def _generate(self, state: dict[str, Any]) -> list[Action]:
        task: Task = state["task"]
        state["phase"] = "gen"
        r = state["round"]
        parents = self._parents(state)
        if not parents:  # first round, or nothing ran yet: fresh programs
            req = self._gen_request(state, program_prompt(task, self.encoding), self.n, "new")
            return [Call(self.model, req, label=f"arc_program:gen:{r}:0")]
        per = max(1, self.n // len(parents))
        acts: list[Action] = []
        for k, p in enumerate(parents):
            prompt = refine_prompt(task, p.code, p.feedback or "(no output)", self.encoding)
            acts.append(
                Call(self.model, self._gen_request(state, prompt, per, k), label=f"arc_program:gen:{r}:{k}")
            )
        return acts

    def _parents(self, state: dict[str, Any]) -> list[ProgramResult]:
        """The programs to refine: the best distinct ones so far (at most ``n``)."""
        ranked = sorted(state["results"], key=lambda p: (p.score.exact, p.train_score), reverse=True)
        return ranked[: self.n]

    def _run(self, state: dict[str, Any]) -> list[Action]:
        state["phase"] = "run"
        r = state["round"]
        return [
            sandbox_call(
                state["task"],
                code,
                timeout=self.timeout,
                seed=derive_seed(state["info"].seed, "arc_program", "run", r, i),
                label=f"arc_program:run:{r}:{i}",
            )
            for i, (code, _) in enumerate(state["pending"])
        ]

    # -- step -------------------------------------------------------------------------------------------
    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        if state["phase"] == "start":
            return self._generate(state)
        if state["phase"] == "gen":
            pending: list[tuple[str, str]] = []
            for o in outcomes:
                for s in o.samples:
                    if not s.ok:
                        continue
                    state["generated"] += 1
                    code = runnable_program(s)
                    if code is None:
                        state["malformed"] += 1
                        continue
                    if code not in state["ran"] and all(code != c for c, _ in pending):
                        pending.append((code, s.model))
            state["pending"] = pending
            if pending:
                return self._run(state)
            return self._next_round(state)
        if state["phase"] == "run":
            by_label = {o.action.label: o for o in outcomes}
            for i, (code, model) in enumerate(state["pending"]):
                ran = by_label.get(f"arc_program:run:{state['round']}:{i}")
                pr = run_result(code, state["task"], ran, state["round"], model)
                state["ran"][code] = pr
                state["results"].append(pr)
            state["pending"] = []
            if any(p.score.solved for p in state["results"]):
                return self.best(state)
            return self._next_round(state)
        return self.best(state)

    def _next_round(self, state: dict[str, Any]) -> list[Action] | Done:
        if state["round"] >= self.rounds:
            return self.best(state)
        state["round"] += 1
        return self._generate(state)

    def best(self, state: dict[str, Any]) -> Done:
        info = {
            "programs": len(state["results"]),
            "generated": state["generated"],
            "malformed": state["malformed"],
            "rounds": state["round"],
        }
        return programs_done(state["results"], state["task"], self.model, info)


# ------------------------------------------------------------------------------------- arc_transduce


def transduce_prompt(task: Task, test_index: int, encoding: str = "digits") -> str:
    """Few-shot: every train pair, then one test input, then its output header for the model to fill."""
    parts = []
    for i, p in enumerate(task["train"], 1):
        parts.append(f"Example {i} input:\n{encode_grid(p['input'], encoding)}")
        parts.append(f"Example {i} output:\n{encode_grid(p['output'], encoding)}")
    parts.append(f"Test input:\n{encode_grid(task['test'][test_index]['input'], encoding)}")
    return (
        "Each example maps an input grid to an output grid by the same rule (cells are colours 0-9). "
        "Apply the rule to the test input. Answer with the output grid only, one row per line.\n\n"
        + "\n\n".join(parts)
        + "\n\nTest output:\n"
    )


@dataclass
class ArcTransduceStrategy(Strategy):
    """A model writes each test output grid directly (``n`` samples per test input). The robust parser
    reads each reply; a malformed reply is a failed attempt. The two most frequent distinct grids are
    the attempts; confidence is the top grid's share of the samples."""

    name = "arc_transduce"
    model: str = ""
    n: int = 1
    temperature: float | None = None
    encoding: str = "digits"

    def __post_init__(self) -> None:
        if not self.model:
            raise ConfigError("arc_transduce needs model=...")
        check_encoding(self.encoding)

    def models(self) -> list[str]:
        return [self.model]

    def describe(self) -> str:
        return f"arc_transduce(model={self.model}, n={self.n})"

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        return {"request": request, "info": info, "task": task_of(request), "asked": False, "grids": None}

    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        task: Task = state["task"]
        if not state["asked"]:
            state["asked"] = True
            temp = self.temperature
            if temp is None:
                temp = DEFAULT_SAMPLING_TEMPERATURE if self.n > 1 else 0.0
            acts: list[Action] = []
            for i in range(len(task["test"])):
                req = derived_request(
                    state["request"],
                    state["info"],
                    transduce_prompt(task, i, self.encoding),
                    system=None,
                    kind="raw",
                    n=self.n,
                    temperature=temp,
                    seed=derive_seed(state["info"].seed, "arc_transduce", i),
                )
                acts.append(Call(self.model, req, label=f"arc_transduce:{i}"))
            return acts
        by_label = {o.action.label: o for o in outcomes}
        grids: list[list[GridList | None]] = []
        for i in range(len(task["test"])):
            o = by_label.get(f"arc_transduce:{i}")
            row = [parse_grid(s.text) if s.ok else None for s in (o.samples if o else [])]
            grids.append(row + [None] * (self.n - len(row)))
        state["grids"] = grids
        return self.best(state)

    def best(self, state: dict[str, Any]) -> Done:
        task: Task = state["task"]
        grids: list[list[GridList | None]] = state["grids"] or [[None] * self.n for _ in task["test"]]
        attempts: list[list[GridList]] = []
        shares: list[float] = []
        for row in grids:
            counts = Counter(json.dumps(g) for g in row if g is not None)
            top = counts.most_common(2)
            attempts.append([json.loads(k) for k, _ in top])
            shares.append(top[0][1] / max(1, len(row)) if top else 0.0)
        samples = [
            Sample(
                text=json.dumps([row[k] for row in grids]),
                model=self.model,
                index=k,
                answer=[[row[k]] if row[k] is not None else [] for row in grids],
                error=None if any(row[k] is not None for row in grids) else "malformed: no grid",
            )
            for k in range(self.n)
        ]
        info = {"malformed": sum(g is None for row in grids for g in row)}
        if _no_grids(attempts):
            return Done(answer=None, text="", confidence=0.0, samples=samples, info=info)
        conf = sum(shares) / len(shares)
        return Done(
            answer=attempts, text=json.dumps(attempts[0][:1]), confidence=conf, samples=samples, info=info
        )
