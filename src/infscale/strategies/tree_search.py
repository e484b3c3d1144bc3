"""``tree_search``: multi-model AB-MCTS (Inoue et al., 2025) through the ``treequest`` library.

Each model is an action. Expanding the root asks a model for a new answer; expanding a node asks it to
refine that node's answer (shown with its score). A verifier scores every new node in [0, 1]; AB-MCTS-A
uses those scores to choose, by Thompson sampling, between going wider (a new answer) and deeper (a
refinement) and which model to ask. ``iterations`` nodes are generated, ``batch`` at a time (concurrent
calls). The answer is the best-scored node (ties: the answer more nodes share); answers the verifier
itself proposes (program-aided checking) compete too.

treequest draws from numpy's global random state; every ``ask`` runs under a seed derived from the run's
seed, and the global state is restored afterwards, so a search replays exactly under a seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..types import Request, Sample
from ..verifiers.base import Verifier
from .base import Action, Call, Done, Outcome, RunInfo, Strategy
from .best_of_n import select_best, verify_context, verify_finish, verify_start
from .common import (
    DEFAULT_SAMPLING_TEMPERATURE,
    derive_seed,
    derived_request,
    first_ok,
    question_of,
    show_answer,
)

ALGORITHMS = ("abmcts-a", "abmcts-m")
REFINE_SYSTEM = "Answer with only the final answer, no explanation."


def refine_prompt(question: str, parent: Sample) -> str:
    score = parent.score if parent.score is not None else 0.0
    return (
        f"Question: {question}\nA previous answer was: {show_answer(parent)} "
        f"(a checker rated it {score:.2f} out of 1).\nGive a better final answer only."
    )


def _ulid_compat() -> None:
    """treequest calls ``ulid.new()`` (package ulid-py); python-ulid (pulled in by ``llm``) installs a
    module of the same name without ``new``. Give it one, so both packages can live in one venv."""
    import ulid

    if not hasattr(ulid, "new") and hasattr(ulid, "ULID"):
        ulid.new = ulid.ULID  # type: ignore[attr-defined]  # str(ULID()) is a fresh ULID, as str(new()) is


def make_algorithm(name: str) -> Any:
    """The treequest algorithm object (configuration only; the tree is separate state)."""
    try:
        import treequest as tq
    except ImportError:
        raise ConfigError("tree_search needs the treequest package: pip install 'infscale[search]'") from None
    _ulid_compat()
    if name == "abmcts-a":
        return tq.ABMCTSA()
    if name == "abmcts-m":
        try:
            return tq.ABMCTSM()
        except ImportError as e:
            raise ConfigError(f"abmcts-m needs treequest's optional dependencies (pymc): {e}") from None
    raise ConfigError(f"unknown tree_search algorithm {name!r} (known: {', '.join(ALGORITHMS)})")


@contextmanager
def seeded_numpy(seed: int) -> Iterator[None]:
    """Run a block under numpy's global random state seeded with ``seed``; restore it afterwards."""
    import numpy as np

    saved = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(saved)


def ask_trials(algo: Any, tree: Any, n: int, actions: list[str], seed: int) -> tuple[Any, list[Any]]:
    """The next ``n`` expansions (treequest trials: node to expand, action, parent state) under ``seed``.
    Shared by every AB-MCTS strategy (``tree_search``, ``arc_tree_search``)."""
    with seeded_numpy(seed):
        tree, trials = algo.ask_batch(tree, n, list(actions))
    return tree, list(trials)


@dataclass
class TreeSearchStrategy(Strategy):
    name = "tree_search"
    pool: list[str] = field(default_factory=list)
    verifier: Verifier | None = None
    iterations: int = 8
    batch: int = 2
    algo: str = "abmcts-a"
    temperature: float = DEFAULT_SAMPLING_TEMPERATURE

    def __post_init__(self) -> None:
        if self.algo not in ALGORITHMS:
            raise ConfigError(f"unknown tree_search algorithm {self.algo!r} (known: {', '.join(ALGORITHMS)})")

    def models(self) -> list[str]:
        return list(self.pool) + (self.verifier.models() if self.verifier else [])

    def describe(self) -> str:
        v = self.verifier.describe() if self.verifier else "logprob"
        return f"tree_search(models=[{', '.join(self.pool)}], iterations={self.iterations}, verifier={v})"

    def _verifier(self) -> Verifier:
        if self.verifier is not None:
            return self.verifier
        from ..verifiers.simple import LogprobVerifier

        return LogprobVerifier()

    def init(self, request: Request, info: RunInfo) -> dict[str, Any]:
        algo = make_algorithm(self.algo)
        return {
            "request": request,
            "info": info,
            "algo": algo,
            "tree": algo.init_tree(),
            "phase": "ask",
            "expanded": 0,
            "trials": [],
            "new": [],
            "proposals": [],
            "samples": [],
            "verify_cache": None,
        }

    def step(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        if state["phase"] == "generating":
            new: list[Sample] = []
            by_label = {o.action.label: o for o in outcomes}
            for k, trial in enumerate(state["trials"]):
                o = by_label.get(f"tree:{state['expanded']}:{k}")
                got = [s for s in (o.samples if o else []) if s.ok and s.answer is not None]
                if o is not None:
                    state["samples"].extend(o.samples)
                new.append(
                    got[0]
                    if got
                    else Sample(
                        text="", model=trial.action, index=k, error=(o.error if o else None) or "no answer"
                    )
                )
            state["new"] = new
            return self._verify(state, [])
        if state["phase"] == "verifying":
            return self._verify(state, outcomes)
        return self._ask(state)

    def _ask(self, state: dict[str, Any]) -> list[Action] | Done:
        left = self.iterations - state["expanded"]
        if left <= 0:
            return self.best(state)
        info: RunInfo = state["info"]
        req: Request = state["request"]
        algo = state["algo"]
        ask_seed = derive_seed(info.seed, "tree", "ask", state["expanded"])
        state["tree"], trials = ask_trials(algo, state["tree"], min(self.batch, left), self.pool, ask_seed)
        state["trials"] = trials
        state["phase"] = "generating"
        q = question_of(info, req)
        acts: list[Action] = []
        for k, trial in enumerate(trials):
            seed = derive_seed(info.seed, "tree", state["expanded"], k)
            parent: Sample | None = trial.parent_state
            if parent is None or not parent.ok:
                r = req.with_(n=1, temperature=self.temperature, seed=seed)
            else:
                r = derived_request(
                    req,
                    info,
                    refine_prompt(q, parent),
                    system=REFINE_SYSTEM,
                    temperature=self.temperature,
                    seed=seed,
                )
            acts.append(Call(trial.action, r, label=f"tree:{state['expanded']}:{k}"))
        return acts

    def _verify(self, state: dict[str, Any], outcomes: list[Outcome]) -> list[Action] | Done:
        verifier = self._verifier()
        ctx = verify_context(list(self.pool), state["request"], state["info"], "tree", state["expanded"])
        new: list[Sample] = state["new"]
        if state["phase"] != "verifying":
            state["phase"] = "verifying"
            # Program-aided checks and cross-model agreement do not depend on the node: asked once.
            acts = verify_start(verifier, new, ctx, state)
            if acts:
                return acts
        scored, more = verify_finish(verifier, new, outcomes, ctx, state)
        if scored is None:
            return more
        n_new = len(new)
        if not state["proposals"]:
            state["proposals"] = [p for p in scored[n_new:] if p.ok]
            state["samples"].extend(state["proposals"])
        for trial, s in zip(state["trials"], scored[:n_new], strict=True):
            score = min(1.0, max(0.0, s.score or 0.0))
            state["tree"] = state["algo"].tell(state["tree"], trial.trial_id, (s, score))
        state["expanded"] += n_new
        state["phase"] = "ask"
        return self._ask(state)

    def nodes(self, state: dict[str, Any]) -> list[Sample]:
        pairs = state["algo"].get_state_score_pairs(state["tree"])
        return [s for s, _ in pairs if isinstance(s, Sample)]

    def best(self, state: dict[str, Any]) -> Done:
        pool = [s for s in self.nodes(state) if s.ok] + list(state["proposals"])
        best, score = select_best(pool, "max")
        info = {"nodes": len(self.nodes(state)), "algo": self.algo}
        if best is None:
            s = first_ok(state["samples"])
            return Done(
                answer=None, text=s.text if s else "", confidence=0.0, samples=state["samples"], info=info
            )
        return Done(answer=best.answer, text=best.text, confidence=score, samples=state["samples"], info=info)
