"""Strategies side by side at equal budget on the QA dev set (or a held-out set of the same kinds).

For each pipeline: selected accuracy (what it answers), coverage@n (some sample it drew is right),
selection efficiency (accuracy / coverage), and cost per question (model calls, tokens, compute
seconds, wall time). Every pipeline gets the same per-question budget (``--calls``). The last lines give
the ratio of the best pipeline's accuracy to the best single model's greedy accuracy, measured in the
same run.

The held-out set (``--heldout``) is generated from templates: the same kinds of questions as the dev set
(capitals, addition, subtraction, multiplication, which-is-larger, parity) in other phrasings, with other
countries and other numbers. It was written before any pipeline was tuned on the dev set.

    .venv/bin/python benchmarks/strategies.py --limit 24            # a quick, stratified look
    .venv/bin/python benchmarks/strategies.py --heldout --out /tmp/heldout.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infscale.bench.checkers import ANSWER_KIND, Checker
from infscale.bench.suites.qa import DEFAULT_SYSTEM
from infscale.engine import Engine
from infscale.monitor.budget import Budget
from infscale.types import Request

ROOT = Path(__file__).resolve().parents[1]
SMOL, GEMMA = "smollm2-135m", "gemma3-270m"
BOTH = f"[{SMOL}, {GEMMA}]"

#: name -> spec. Budget: every pipeline runs under the same max_calls per question (--calls, default 8).
PIPELINES: dict[str, str] = {
    "greedy-smollm2": SMOL,
    "greedy-gemma3": GEMMA,
    "sample-8": f"sample(n=8, models={BOTH})",
    "vote-8": f"vote(n=8, models={BOTH})",
    "vote-adaptive": f"vote(n=8, models={BOTH}, adaptive=true, batch=4)",
    "vote-confidence": f"vote(n=8, models={BOTH}, by=confidence)",
    "best_of_n-logprob": f"best_of_n(n=8, models={BOTH}, verifier=logprob)",
    "best_of_n-judge": f"best_of_n(n=4, models={BOTH}, verifier=judge({GEMMA}))",
    "best_of_n-pal": f"best_of_n(n=2, models={BOTH}, verifier=pal(models={BOTH}, n=6))",
    "best_of_n-agreement": f"best_of_n(n=6, models={BOTH}, verifier=agreement(models={BOTH}))",
    "rank-listwise": f"rank(n=6, models={BOTH}, ranker={GEMMA})",
    "fuse": f"fuse(n=6, models={BOTH}, aggregator={GEMMA})",
    "refine-pal": f"refine(model={GEMMA}, rounds=2, verifier=pal(models={BOTH}, n=4))",
    "cascade": f"cascade(vote(n=3, models=[{SMOL}]) @0.7, vote(n=4, models=[{GEMMA}]))",
    "moa": f"moa(proposers={BOTH}, layers=2, aggregator={GEMMA})",
    "tree_search-pal": f"tree_search(models={BOTH}, iterations=6, batch=3, verifier=pal(models={BOTH}, n=2))",
    "pal-vote": f"vote(n=6, models={BOTH}, via=pal)",
    # Arithmetic, comparisons and parity to program-aided votes of both models; the rest to a vote of both.
    "route-rules": f"route(math=vote(n=6, models={BOTH}, via=pal), default=vote(n=8, models={BOTH}))",
}
BASELINES = ("greedy-smollm2", "greedy-gemma3")


# ----------------------------------------------------------------------------------------- questions


@dataclass
class Item:
    id: str
    kind: str
    question: str
    answer: Any
    checker: str


def load_jsonl(path: Path) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            items.append(Item(str(d["id"]), d.get("kind", "?"), d["question"], d["answer"], d["checker"]))
    return items


CAPITALS = [
    ("Spain", "Madrid"), ("Portugal", "Lisbon"), ("Poland", "Warsaw"), ("Greece", "Athens"), ("Japan", "Tokyo"),
    ("China", "Beijing"), ("India", ["New Delhi", "Delhi"]), ("Egypt", "Cairo"), ("Chile", "Santiago"),
    ("Colombia", "Bogota"), ("Cuba", "Havana"), ("Turkey", "Ankara"), ("Thailand", "Bangkok"),
    ("Vietnam", "Hanoi"), ("Belgium", "Brussels"), ("Switzerland", ["Bern", "Berne"]), ("Russia", "Moscow"),
    ("Australia", "Canberra"), ("South Korea", "Seoul"), ("Indonesia", "Jakarta"), ("Morocco", "Rabat"),
    ("Ghana", "Accra"), ("Bulgaria", "Sofia"), ("Serbia", "Belgrade"), ("Lebanon", "Beirut"),
    ("Nepal", "Kathmandu"), ("Bangladesh", "Dhaka"), ("Ecuador", "Quito"), ("Uruguay", "Montevideo"),
    ("Iran", "Tehran"), ("Latvia", "Riga"), ("Czech Republic", "Prague"), ("Ukraine", ["Kyiv", "Kiev"]),
    ("Cambodia", "Phnom Penh"), ("Libya", "Tripoli"),
]  # fmt: skip
TEMPLATES = {
    "capital": [
        "Which city is the capital of {c}?",
        "Name the capital city of {c}.",
        "What city serves as the capital of {c}?",
        "{c} has which city as its capital?",
    ],
    "add": [
        "Compute {a} plus {b}.",
        "What is the sum of {a} and {b}?",
        "How much is {a} + {b}?",
        "Add {a} and {b}. What do you get?",
        "Calculate {a} + {b}.",
    ],
    "sub": [
        "Subtract {b} from {a}.",
        "How much is {a} - {b}?",
        "Calculate {a} minus {b}.",
        "What is {a} take away {b}?",
        "What do you get when you subtract {b} from {a}?",
    ],
    "mul": [
        "What is {a} multiplied by {b}?",
        "What is the product of {a} and {b}?",
        "Multiply {a} by {b}.",
        "How much is {a} x {b}?",
        "Compute {a} * {b}.",
    ],
    "compare": [
        "Which is bigger: {a} or {b}?",
        "Which of these numbers is greater, {a} or {b}?",
        "Of {a} and {b}, which is larger?",
        "Which number is higher, {a} or {b}?",
        "Pick the larger number: {a} or {b}.",
    ],
    "yesno": [
        "Is {a} an odd number? Answer yes or no.",
        "Is the number {a} even? Answer yes or no.",
        "Is {a} divisible by 2? Answer yes or no.",
        "Is {a} odd? Reply yes or no.",
    ],
}
COUNTS = {"capital": 30, "add": 40, "sub": 25, "mul": 23, "compare": 25, "yesno": 15}


def heldout(seed: int = 2025) -> list[Item]:
    """The held-out set: the dev set's kinds and sizes, other phrasings, countries and numbers."""
    rng = random.Random(seed)
    items: list[Item] = []
    countries = rng.sample(CAPITALS, COUNTS["capital"])
    for kind, count in COUNTS.items():
        for i in range(count):
            t = TEMPLATES[kind][i % len(TEMPLATES[kind])]
            if kind == "capital":
                c, city = countries[i]
                items.append(Item(f"ho-{kind}-{i}", kind, t.format(c=c), city, "text"))
                continue
            if kind == "add":
                a, b = rng.randint(10, 99), rng.randint(10, 99)
                ans: Any = a + b
            elif kind == "sub":
                a, b = rng.randint(20, 99), rng.randint(2, 19)
                ans = a - b
            elif kind == "mul":
                a, b = rng.randint(2, 12), rng.randint(2, 12)
                ans = a * b
            elif kind == "compare":
                a, b = rng.sample(range(5, 200), 2)
                ans = max(a, b)
            else:
                a = rng.randint(4, 59)
                odd_q = "odd" in t
                ans = "yes" if (a % 2 == 1) == odd_q else "no"
                items.append(Item(f"ho-{kind}-{i}", kind, t.format(a=a), ans, "choice"))
                continue
            items.append(Item(f"ho-{kind}-{i}", kind, t.format(a=a, b=b), str(ans), "number"))
    return items


def stratified(items: list[Item], limit: int | None) -> list[Item]:
    """The first ``limit`` items taking kinds in turn (so a small run still covers every kind)."""
    if not limit or limit >= len(items):
        return items
    by_kind: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        by_kind[it.kind].append(it)
    out: list[Item] = []
    while len(out) < limit:
        for k in list(by_kind):
            if by_kind[k] and len(out) < limit:
                out.append(by_kind[k].pop(0))
    return out


# ------------------------------------------------------------------------------------------------- run


def request_for(it: Item, max_tokens: int) -> Request:
    return Request(
        prompt=it.question,
        system=DEFAULT_SYSTEM,
        max_tokens=max_tokens,
        metadata={"answer_kind": ANSWER_KIND[it.checker], "kind": it.kind, "task_id": it.id},
    )


async def run_one(engine: Engine, name: str, spec: str, it: Item, args: argparse.Namespace) -> dict[str, Any]:
    checker = Checker(name=it.checker, reference=it.answer, question=it.question)
    seed = (args.seed * 1_000_003 + sum(map(ord, it.id))) % (2**31)
    t0 = time.perf_counter()
    comp = await engine.arun(
        spec, request_for(it, args.max_tokens), seed=seed, budget=Budget(max_calls=args.calls)
    )
    wall = time.perf_counter() - t0
    correct = checker.judge(comp.answer, comp.text)
    covered = any(s.ok and checker.judge(s.answer, s.text) for s in comp.samples)
    return {
        "pipeline": name,
        "id": it.id,
        "kind": it.kind,
        "question": it.question,
        "reference": it.answer,
        "answer": comp.answer
        if isinstance(comp.answer, int | float | str | type(None))
        else repr(comp.answer),
        "correct": bool(correct),
        "covered": bool(covered or correct),
        "samples": len(comp.samples),
        "calls": comp.usage.calls,
        "tokens": comp.usage.total_tokens,
        "compute_s": comp.cost.compute_s,
        "wall_s": wall,
        "budget_exhausted": comp.budget_exhausted,
        "errors": len(comp.errors),
        "route": comp.trace.attrs.get("route"),
    }


def summarise(records: list[dict[str, Any]], names: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        rs = [r for r in records if r["pipeline"] == name]
        if not rs:
            continue
        n = len(rs)
        acc = sum(r["correct"] for r in rs) / n
        cov = sum(r["covered"] for r in rs) / n
        kinds: dict[str, list[bool]] = defaultdict(list)
        for r in rs:
            kinds[r["kind"]].append(r["correct"])
        out[name] = {
            "n": n,
            "accuracy": acc,
            "coverage": cov,
            "efficiency": acc / cov if cov else None,
            "calls": sum(r["calls"] for r in rs) / n,
            "tokens": sum(r["tokens"] for r in rs) / n,
            "compute_s": sum(r["compute_s"] for r in rs) / n,
            "wall_s": sum(r["wall_s"] for r in rs) / n,
            "exhausted": sum(r["budget_exhausted"] for r in rs) / n,
            "by_kind": {k: sum(v) / len(v) for k, v in sorted(kinds.items())},
        }
    return out


def table(summary: dict[str, dict[str, Any]]) -> str:
    kinds = sorted({k for s in summary.values() for k in s["by_kind"]})
    head = (
        "| pipeline | accuracy | coverage@n | selection eff. | calls/q | tokens/q | compute s/q | wall s/q | "
        + " | ".join(kinds)
        + " |"
    )
    lines = [head, "|" + "---|" * (8 + len(kinds))]
    for name, s in summary.items():
        eff = f"{s['efficiency']:.2f}" if s["efficiency"] is not None else "-"
        lines.append(
            f"| {name} | {s['accuracy']:.3f} | {s['coverage']:.3f} | {eff} | {s['calls']:.1f} | {s['tokens']:.0f} | "
            f"{s['compute_s']:.2f} | {s['wall_s']:.2f} | "
            + " | ".join(f"{s['by_kind'].get(k, 0):.2f}" for k in kinds)
            + " |"
        )
    return "\n".join(lines)


def verdict(summary: dict[str, dict[str, Any]]) -> str:
    base = {b: summary[b]["accuracy"] for b in BASELINES if b in summary}
    if not base:
        return "(no greedy baseline in this run)"
    best_base = max(base, key=lambda b: base[b])
    others = {k: v["accuracy"] for k, v in summary.items() if k not in BASELINES}
    if not others:
        return f"best single model (greedy): {best_base} {base[best_base]:.3f}"
    best = max(others, key=lambda k: others[k])
    ratio = others[best] / base[best_base] if base[best_base] else float("inf")
    return (
        f"best single model (greedy): {best_base} {base[best_base]:.3f}; best pipeline: {best} "
        f"{others[best]:.3f}; ratio {ratio:.2f}x"
    )


async def main_async(args: argparse.Namespace) -> int:
    if args.heldout:
        items = heldout(args.heldout_seed)
        source = f"held-out (generated, seed {args.heldout_seed})"
    else:
        data = (
            Path(args.data)
            if args.data
            else Path(os.environ.get("INFSCALE_DATA", ROOT.parent / "shared" / "data")) / "qa" / "dev.jsonl"
        )
        items = load_jsonl(data)
        source = str(data)
    if args.kinds:
        items = [it for it in items if it.kind in args.kinds.split(",")]
    items = stratified(items, args.limit)
    names = args.pipelines.split(",") if args.pipelines else ([] if args.spec else list(PIPELINES))
    unknown = [n for n in names if n not in PIPELINES]
    if unknown:
        print(
            f"unknown pipeline(s) {unknown}; see --list, or give inline specs with --spec NAME=SPEC",
            file=sys.stderr,
        )
        return 2
    specs = {n: PIPELINES[n] for n in names}
    for item in args.spec or []:
        name, _, spec = item.partition("=")
        specs[name.strip()] = spec.strip()
    engine = Engine.from_config(args.config)
    for spec in specs.values():
        engine.validate_spec(spec)
    done: set[tuple[str, str]] = set()
    records: list[dict[str, Any]] = []
    out = Path(args.out) if args.out else None
    if out and out.exists() and args.resume:
        for line in out.read_text().splitlines():
            r = json.loads(line)
            records.append(r)
            done.add((r["pipeline"], r["id"]))
    fh = out.open("a" if args.resume else "w", encoding="utf-8") if out else None
    print(
        f"# {len(items)} questions from {source}; budget {args.calls} calls/question; max_tokens {args.max_tokens}",
        flush=True,
    )
    try:
        for name, spec in specs.items():
            t0 = time.perf_counter()
            for it in items:
                if (name, it.id) in done:
                    continue
                rec = await run_one(engine, name, spec, it, args)
                records.append(rec)
                if fh:
                    fh.write(json.dumps(rec) + "\n")
                    fh.flush()
            s = summarise(records, [name])[name]
            print(
                f"{name:22s} acc {s['accuracy']:.3f}  cov {s['coverage']:.3f}  calls {s['calls']:.1f}  "
                f"compute {s['compute_s']:.2f}s/q  ({time.perf_counter() - t0:.0f}s)",
                flush=True,
            )
    finally:
        if fh:
            fh.close()
    summary = summarise(records, list(specs))
    print()
    print(table(summary))
    print()
    for n, spec in specs.items():
        print(f"- `{n}`: `{spec}`")
    print()
    print(verdict(summary))
    if args.summary:
        Path(args.summary).write_text(
            json.dumps({"source": source, "args": vars(args), "summary": summary}, indent=2)
        )
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", help="a qa JSONL file (default: $INFSCALE_DATA/qa/dev.jsonl)")
    p.add_argument("--heldout", action="store_true", help="use the generated held-out set instead")
    p.add_argument("--heldout-seed", type=int, default=2025)
    p.add_argument("--limit", type=int, help="at most this many questions, kinds taken in turn")
    p.add_argument(
        "--kinds", help="only these kinds (comma-separated: capital, add, sub, mul, compare, yesno)"
    )
    p.add_argument("--pipelines", help="comma-separated names from PIPELINES (see --list)")
    p.add_argument("--spec", action="append", help="NAME=SPEC: an inline pipeline to add (repeatable)")
    p.add_argument("--calls", type=int, default=8, help="budget: model calls per question (equal for all)")
    p.add_argument("--max-tokens", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--config", help="infscale.toml")
    p.add_argument("--out", help="write one JSON record per (pipeline, question) here")
    p.add_argument("--resume", action="store_true", help="skip records already in --out")
    p.add_argument("--summary", help="write the summary JSON here")
    p.add_argument("--list", action="store_true", help="print the pipelines and exit")
    args = p.parse_args()
    if args.list:
        for n, s in PIPELINES.items():
            print(f"{n:22s} {s}")
        return 0
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
