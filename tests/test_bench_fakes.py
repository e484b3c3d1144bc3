"""Test doubles for the engine: plain functions that produce real ``Completion`` objects.

A "noisy oracle" pipeline knows the reference answers (read from the QA file or the ARC task) and answers
each sample correctly with probability ``p``, drawn from a generator seeded by (spec, seed, sample index);
the selected answer is the majority vote. Specs: ``oracle:n=5,p=0.6``, optional ``fail=ID1|ID2`` (raise
for those tasks), ``delay=SECONDS``, ``usd=0.001`` (price per sample).
Also used by subprocess tests through ``--runner test_bench_fakes:from_env``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from infscale.errors import BackendError, UnknownModelError
from infscale.types import Completion, Cost, Request, Sample, Trace, Usage


def parse_spec(spec: str) -> dict[str, str]:
    name, _, rest = spec.partition(":")
    if name != "oracle":
        raise UnknownModelError(f"unknown model or pipeline {spec!r}")
    out = {"n": "1", "p": "1.0", "fail": "", "delay": "0", "usd": "0"}
    for part in filter(None, rest.split(",")):
        k, _, v = part.partition("=")
        if k not in out:
            raise UnknownModelError(f"bad oracle option {k!r}")
        out[k] = v
    return out


def _wrong(answer: Any) -> Any:
    if isinstance(answer, list):  # an ARC grid: flip the first cell
        g = json.loads(json.dumps(answer))
        g[0][0] = (g[0][0] + 1) % 10
        return g
    try:
        return str(int(str(answer)) + 1)
    except ValueError:
        return "Atlantis"


class OracleRunner:
    """A Runner: ``await runner(spec, request, seed)``; records every call for assertions."""

    def __init__(self, gold: dict[str, Any]) -> None:
        self.gold = gold
        self.calls: list[tuple[str, str, int | None]] = []
        self.in_flight = 0
        self.max_in_flight = 0

    def validate(self, spec: str) -> None:
        parse_spec(spec)

    async def __call__(self, spec: str, request: Request, seed: int | None) -> Completion:
        opts = parse_spec(spec)
        tid = request.metadata["task_id"]
        self.calls.append((spec, tid, seed))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(float(opts["delay"]))
            if tid in opts["fail"].split("|"):
                raise BackendError(f"simulated backend failure on {tid}")
            gold: Any = self.gold[tid]
            if request.metadata.get("answer_kind") == "grid":
                gold = [t["output"] for t in gold["test"]]  # per test input
            rng = random.Random(f"{spec}|{seed}|{tid}")
            samples = []
            root = Trace("vote", "strategy")
            for i in range(int(opts["n"])):
                ok = rng.random() < float(opts["p"])
                if request.metadata.get("answer_kind") == "grid":
                    ans: Any = [g if ok else _wrong(g) for g in gold]
                else:
                    ans = gold if ok else _wrong(gold)
                usage = Usage(20, 5, 1)
                cost = Cost(float(opts["usd"]), 0.01)
                samples.append(
                    Sample(
                        text=json.dumps(ans),
                        model="oracle",
                        index=i,
                        answer=ans,
                        usage=usage,
                        cost=cost,
                        latency_ms=10.0,
                        seed=seed,
                    )
                )
                root.add(Trace("oracle", "call", usage=usage, cost=cost, attrs={"model": "oracle"}))
            root.rollup()
            votes = Counter(json.dumps(s.answer) for s in samples)
            answer = json.loads(votes.most_common(1)[0][0])
            return Completion(
                answer=answer,
                text=json.dumps(answer),
                samples=samples,
                trace=root,
                usage=root.usage,
                cost=root.cost,
                latency_ms=10.0 * len(samples),
            )
        finally:
            self.in_flight -= 1


def qa_gold(path: Path) -> dict[str, Any]:
    return {str(r["id"]): r["answer"] for r in map(json.loads, path.read_text().splitlines()) if r}


CREATED: list[OracleRunner] = []


def from_env() -> OracleRunner:
    """Factory for ``--runner``: gold answers from $BENCH_FAKE_QA (a qa JSONL file)."""
    runner = OracleRunner(qa_gold(Path(os.environ["BENCH_FAKE_QA"])))
    CREATED.append(runner)
    return runner


# ---- program solvers: registry models of the real engine (backend "program") --------------------------

_CAPITALS = {"Mexico": "Mexico City", "France": "Paris", "Japan": "Tokyo"}


def qa_solver(request: Request, index: int) -> str:
    """Answers arithmetic, comparison and parity questions; knows three capitals; raises on 'explode'."""
    q = request.prompt or ""
    if "explode" in q:
        raise RuntimeError("solver exploded")
    m = re.search(r"What is (\d+) (plus|minus|times) (\d+)", q)
    if m:
        a, op, b = int(m.group(1)), m.group(2), int(m.group(3))
        return f"The answer is {a + b if op == 'plus' else a - b if op == 'minus' else a * b}."
    m = re.search(r"larger, (\d+) or (\d+)", q)
    if m:
        return str(max(int(m.group(1)), int(m.group(2))))
    m = re.search(r"Is (\d+) an even number", q)
    if m:
        return "Yes." if int(m.group(1)) % 2 == 0 else "No."
    m = re.search(r"capital of ([A-Z][a-z]+)", q)
    return _CAPITALS.get(m.group(1), "Atlantis") if m else "I do not know."


_SYMMETRIES = {
    "identity": lambda a: a,
    "flipud": np.flipud,
    "fliplr": np.fliplr,
    "rot90": lambda a: np.rot90(a, 1),
    "rot180": lambda a: np.rot90(a, 2),
    "rot270": lambda a: np.rot90(a, 3),
    "transpose": lambda a: a.T,
}


def arc_symmetry_solver(request: Request, index: int) -> str:
    """A tiny ARC program search: the first grid symmetry consistent with every train pair, applied to the
    test inputs (from the public task in the request: it never sees test outputs)."""
    task = request.metadata["arc_task"]
    for fn in _SYMMETRIES.values():
        if all(np.array_equal(fn(np.array(p["input"])), np.array(p["output"])) for p in task["train"]):
            grids = [fn(np.array(t["input"])) for t in task["test"]]
            return "\n\n".join("\n".join("".join(str(int(v)) for v in row) for row in g) for g in grids)
    return "no symmetry fits"


def test_oracle_runner_is_deterministic() -> None:
    r = OracleRunner({"q1": "12"})
    req = Request(prompt="x", metadata={"task_id": "q1", "answer_kind": "number"})
    a = asyncio.run(r("oracle:n=6,p=0.5", req, 7))
    b = asyncio.run(r("oracle:n=6,p=0.5", req, 7))
    assert [s.answer for s in a.samples] == [s.answer for s in b.samples]
    assert len(a.samples) == 6 and a.usage.calls == 6
