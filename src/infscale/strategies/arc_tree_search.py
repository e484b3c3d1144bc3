"""``arc_tree_search``: multi-model AB-MCTS (``tree_search``'s treequest driver) over ARC programs.

Each model of the pool is an action. A node is a candidate ``transform(grid)`` program: expanding the root
asks the chosen model for a fresh program (``program_prompt``); expanding a node asks it to correct that
node's program, shown with the diff of what it produced against the expected train outputs
(``refine_prompt``), as ``arc_program`` does. Every distinct program runs once in the sandbox (the
``arc-sandbox`` tool model) on the train and test inputs; its reward is its train-pair score (1.0 when
every pair is exact, else the mean cell accuracy). A reply with no runnable program is a node scored 0.

``arc-dsl`` may be an action too: it ignores the node it expands (it reads no program) and runs the DSL
search with a budget that grows with each of its expansions (``dsl_seconds`` x k for the k-th), so going
"deeper" with the DSL is a longer search. Its node carries its first attempts and its train score; its
second attempts compete in the final ranking.

The search stops after ``iterations`` nodes, or as soon as a program fits every train pair. The answer is
``arc_program``'s: per test input the two best distinct test outputs, ranked by train exactness, train
score, then how many programs agree; confidence is the best program's train score.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..arc.grid import GridList, Task
from ..arc.scoring import TrainScore
from ..arc.solvers import (
    DSL_MODEL,
    SANDBOX_MODEL,
    ProgramResult,
    dsl_train_score,
    program_prompt,
    refine_prompt,
    task_of,
)
from ..errors import ConfigError
from ..types import Request, Sample
from .arc_program import (
    check_encoding,
    program_request,
    programs_done,
    run_result,
    runnable_program,
    sandbox_call,
)
from .base import Action, Call, Done, Outcome, RunInfo, Strategy
from .common import DEFAULT_SAMPLING_TEMPERATURE, derive_seed
from .tree_search import ALGORITHMS, ask_trials, make_algorithm


@dataclass(frozen=True)
class ArcNode:
    """A tree node: the program a model wrote (scored), or the reason there is none."""

    model: str
    depth: int
    result: ProgramResult | None = None
    error: str = ""

    @property
    def score(self) -> float:
        return min(1.0, max(0.0, self.result.train_score)) if self.result is not None else 0.0


def dsl_results(sample: Sample, task: Task, depth: int) -> list[ProgramResult]:
    """An ``arc-dsl`` reply as program results: its first attempts, then its second ones (if any), both
    with the search's train score (exact only when a DSL program fits every pair)."""
    try:
        programs = [str(p) for p in json.loads(sample.text).get("programs", [])]
    except (ValueError, TypeError, AttributeError):
        programs = []
    ts = sample.score if sample.score is not None else dsl_train_score(sample.text)
    ts = min(1.0, max(0.0, float(ts)))
    attempts = sample.answer if isinstance(sample.answer, list) else []
    out: list[ProgramResult] = []
    for a in range(2):
        grids: list[GridList | None] = []
        for i in range(len(task["test"])):
            row = attempts[i] if i < len(attempts) and isinstance(attempts[i], list) else []
            g = row[a] if a < len(row) else None
            grids.append(g if isinstance(g, list) and g else None)
        if a == 0 or any(g is not None for g in grids):
            code = f"# {DSL_MODEL}: {'; '.join(programs) or 'no program'} (attempt {a + 1})"
            score = TrainScore(exact=1.0 if ts >= 1.0 else 0.0, partial=ts, errors=[])
            out.append(ProgramResult(code, score, grids, "", depth, DSL_MODEL))
    return out


@dataclass
class ArcTreeSearchStrategy(Strategy):
    """AB-MCTS over ARC programs: models are actions, nodes are programs, reward = train-pair score."""

    name = "arc_tree_search"
    pool: list[str] = field(default_factory=list)
    iterations: int = 8
    batch: int = 2
    algo: str = "abmcts-a"
    temperature: float = DEFAULT_SAMPLING_TEMPERATURE
    encoding: str = "digits"
    timeout: float = 5.0
    max_tokens: int = 512
    dsl_seconds: float = 5.0
    dsl_depth: int = 3

    def __post_init__(self) -> None:
        if not self.pool:
            raise ConfigError("arc_tree_search needs models=[...]")
        if self.algo not in ALGORITHMS:
            raise ConfigError(f"unknown tree_search algorithm {self.algo!r} (known: {', '.join(ALGORITHMS)})")
        if self.iterations < 1 or self.batch < 1:
            raise ConfigError("arc_tree_search needs iterations >= 1 and batch >= 1")
        if len(set(self.pool)) != len(self.pool):
            raise ConfigError("arc_tree_search: each model is one action; name it once")
        check_encoding(self.encoding)

    def models(self) -> list[str]:
        llms = [m for m in self.pool if m != DSL_MODEL]
        return list(self.pool) + ([SANDBOX_MODEL] if llms else [])

    def describe(self) -> str:
        return (
            f"arc_tree_search(models=[{', '.join(self.pool)}], iterations={self.iterations}, "
            f"batch={self.batch})"
        )

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        algo = make_algorithm(self.algo)
        return {
            "request": request,
            "info": info,
            "task": task_of(request),
            "algo": algo,
            "tree": algo.init_tree(),
            "phase": "ask",
            "expanded": 0,  # nodes told to the tree so far
            "trials": [],  # this batch's treequest trials
            "nodes": [],  # this batch's ArcNode per trial (None: no reply or no run, the budget ran out)
            "waiting": [],  # (trial index, code, model, depth): nodes whose program runs in this batch
            "to_run": [],  # (code, model, depth): the batch's distinct new programs, in order
            "results": [],  # ProgramResult: every distinct program (and DSL answer) so far
            "ran": {},  # code -> ProgramResult (a program runs once)
            "log": [],  # (model, depth, score) per node, in creation order
            "dsl_calls": 0,
            "generated": 0,
            "malformed": 0,
        }

    # -- expansion -------------------------------------------------------------------------------------
    def _ask(self, state: dict[str, Any]) -> list[Action] | Done:
        left = self.iterations - state["expanded"]
        if left <= 0 or any(p.score.solved for p in state["results"]):
            return self.best(state)
        info: RunInfo = state["info"]
        seed = derive_seed(info.seed, "arc_tree", "ask", state["expanded"])
        state["tree"], trials = ask_trials(
            state["algo"], state["tree"], min(self.batch, left), self.pool, seed
        )
        state["trials"] = trials
        state["phase"] = "gen"
        return [self._expansion(state, trial, k) for k, trial in enumerate(trials)]

    def _expansion(self, state: dict[str, Any], trial: Any, k: int) -> Call:
        """The call that creates trial ``k``'s node: a fresh program at the root (or under a node with no
        program to show), a corrected one under a program node, a longer DSL search for ``arc-dsl``."""
        info: RunInfo = state["info"]
        req: Request = state["request"]
        task: Task = state["task"]
        seed = derive_seed(info.seed, "arc_tree", state["expanded"], k)
        label = f"arc_tree:gen:{state['expanded']}:{k}"
        if trial.action == DSL_MODEL:
            state["dsl_calls"] += 1
            budget = {"seconds": self.dsl_seconds * state["dsl_calls"], "depth": self.dsl_depth}
            return Call(
                DSL_MODEL, req.with_(n=1, seed=seed, metadata={**req.metadata, "arc_dsl": budget}), label
            )
        parent: ArcNode | None = trial.parent_state
        p = parent.result if parent is not None else None
        if p is not None and p.model != DSL_MODEL:
            prompt = refine_prompt(task, p.code, p.feedback or "(no output)", self.encoding)
        else:
            prompt = program_prompt(task, self.encoding)
        r = program_request(
            req, info, prompt, n=1, temperature=self.temperature, seed=seed, max_tokens=self.max_tokens
        )
        return Call(trial.action, r, label)

    # -- step -------------------------------------------------------------------------------------------
    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        if state["phase"] == "gen":
            return self._generated(state, outcomes)
        if state["phase"] == "run":
            return self._ran(state, outcomes)
        return self._ask(state)

    def _generated(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        """Turn each trial's reply into a node; programs not run before go to the sandbox."""
        by_label = {o.action.label: o for o in outcomes}
        task: Task = state["task"]
        nodes: list[ArcNode | None] = []
        waiting: list[tuple[int, str, str, int]] = []
        to_run: list[tuple[str, str, int]] = []
        for k, trial in enumerate(state["trials"]):
            parent: ArcNode | None = trial.parent_state
            depth = parent.depth + 1 if parent is not None else 1
            o = by_label.get(f"arc_tree:gen:{state['expanded']}:{k}")
            if o is None:  # the budget refused the call: no node
                nodes.append(None)
                continue
            s = next((x for x in o.samples if x.ok), None)
            if s is None:
                nodes.append(ArcNode(trial.action, depth, error=o.error or "no reply"))
                continue
            if trial.action == DSL_MODEL:
                got = dsl_results(s, task, depth)
                for pr in got:
                    if pr.code not in state["ran"]:
                        state["ran"][pr.code] = pr
                        state["results"].append(pr)
                nodes.append(ArcNode(DSL_MODEL, depth, got[0]))
                continue
            state["generated"] += 1
            code = runnable_program(s)
            if code is None:
                state["malformed"] += 1
                nodes.append(ArcNode(trial.action, depth, error="malformed: no runnable transform(grid)"))
                continue
            known = state["ran"].get(code)
            nodes.append(ArcNode(trial.action, depth, known) if known is not None else None)
            if known is None:
                waiting.append((k, code, trial.action, depth))
                if all(code != c for c, _, _ in to_run):  # equal programs in one batch run once
                    to_run.append((code, trial.action, depth))
        state["nodes"], state["waiting"], state["to_run"] = nodes, waiting, to_run
        if not to_run:
            return self._tell(state)
        state["phase"] = "run"
        info: RunInfo = state["info"]
        e = state["expanded"]
        return [
            sandbox_call(
                task,
                code,
                timeout=self.timeout,
                seed=derive_seed(info.seed, "arc_tree", "run", e, i),
                label=f"arc_tree:run:{e}:{i}",
            )
            for i, (code, _, _) in enumerate(to_run)
        ]

    def _ran(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        """Score the sandbox runs on the train pairs and attach them to their nodes."""
        by_label = {o.action.label: o for o in outcomes}
        for i, (code, model, depth) in enumerate(state["to_run"]):
            o = by_label.get(f"arc_tree:run:{state['expanded']}:{i}")
            if o is None:
                continue  # not run (the budget ran out): its nodes are never scored
            pr = run_result(code, state["task"], o, depth, model)
            state["ran"][code] = pr
            state["results"].append(pr)
        nodes: list[ArcNode | None] = state["nodes"]
        for k, code, model, depth in state["waiting"]:
            pr = state["ran"].get(code)
            if pr is not None:
                nodes[k] = ArcNode(model, depth, pr)
        return self._tell(state)

    def _tell(self, state: dict[str, Any]) -> list[Action] | Done:
        """Report every node of the batch, with its reward, to the tree; then expand again."""
        algo = state["algo"]
        for trial, node in zip(state["trials"], state["nodes"], strict=True):
            if node is None:
                continue  # a call or run the budget refused: the search ends with this batch
            state["tree"] = algo.tell(state["tree"], trial.trial_id, (node, node.score))
            state["log"].append((node.model, node.depth, node.score))
        state["expanded"] += len(state["trials"])
        state["trials"], state["nodes"], state["waiting"], state["to_run"] = [], [], [], []
        state["phase"] = "ask"
        return self._ask(state)

    def best(self, state: dict[str, Any]) -> Done:
        log: list[tuple[str, int, float]] = state["log"]
        by_model: dict[str, int] = {}
        for m, _, _ in log:
            by_model[m] = by_model.get(m, 0) + 1
        info = {
            "algo": self.algo,
            "nodes": len(log),
            "node_scores": [round(s, 4) for _, _, s in log],
            "max_depth": max((d for _, d, _ in log), default=0),
            "nodes_by_model": by_model,
            "programs": len(state["results"]),
            "generated": state["generated"],
            "malformed": state["malformed"],
        }
        return programs_done(state["results"], state["task"], self.pool[0], info)
