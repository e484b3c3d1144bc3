"""A question set infscale writes itself: the demo's benchmark, and a fresh set for checking that tuning
on the dev file generalises (other numbers, other countries, other phrasings than ../shared/data/qa).

Kinds match the QA suite's: capital, add, sub, mul, compare, yesno. Deterministic under a seed.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

CAPITALS: list[tuple[str, str]] = [
    ("France", "Paris"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Germany", "Berlin"), ("Spain", "Madrid"),
    ("Egypt", "Cairo"), ("Russia", "Moscow"), ("China", "Beijing"), ("Greece", "Athens"), ("Norway", "Oslo"),
    ("Sweden", "Stockholm"), ("Poland", "Warsaw"), ("Portugal", "Lisbon"), ("Ireland", "Dublin"),
    ("Austria", "Vienna"), ("Kenya", "Nairobi"), ("Peru", "Lima"), ("Chile", "Santiago"), ("Cuba", "Havana"),
    ("Thailand", "Bangkok"), ("Argentina", "Buenos Aires"), ("Finland", "Helsinki"), ("Denmark", "Copenhagen"),
    ("Hungary", "Budapest"), ("South Korea", "Seoul"), ("India", "New Delhi"), ("Iran", "Tehran"),
    ("Belgium", "Brussels"), ("Colombia", "Bogota"), ("Vietnam", "Hanoi"), ("Indonesia", "Jakarta"),
    ("Philippines", "Manila"), ("Ukraine", "Kyiv"), ("Iceland", "Reykjavik"), ("Ethiopia", "Addis Ababa"),
]  # fmt: skip

PHRASES: dict[str, list[str]] = {
    "capital": [
        "What is the capital of {c}?",
        "Which city is the capital of {c}?",
        "Name the capital city of {c}.",
        "{c}'s capital city is called what?",
    ],
    "add": [
        "What is {a} plus {b}?",
        "Compute {a} + {b}.",
        "What is the sum of {a} and {b}?",
        "Add {a} and {b}.",
    ],
    "sub": [
        "What is {a} minus {b}?",
        "Compute {a} - {b}.",
        "Subtract {b} from {a}.",
        "What do you get when you take {b} away from {a}?",
    ],
    "mul": [
        "What is {a} times {b}?",
        "Compute {a} * {b}.",
        "What is the product of {a} and {b}?",
        "Multiply {a} by {b}.",
    ],
    "compare": [
        "Which number is larger, {a} or {b}?",
        "Which is bigger: {a} or {b}?",
        "What is the greater of {a} and {b}?",
        "Which number is smaller, {a} or {b}?",
    ],
    "yesno": [
        "Is {a} an even number? Answer yes or no.",
        "Is {a} odd? Answer yes or no.",
        "Is the number {a} divisible by 2? Answer yes or no.",
    ],
}


def generate(n_per_kind: int = 8, seed: int = 0) -> list[dict[str, Any]]:
    """``n_per_kind`` questions of each kind, as QA-suite rows (id, kind, question, answer, checker)."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    caps = rng.sample(CAPITALS, min(n_per_kind, len(CAPITALS)))
    for i in range(n_per_kind):
        for kind, phrases in PHRASES.items():
            k = rng.randrange(len(phrases))
            tmpl = phrases[k]
            if kind == "capital":
                country, city = caps[i % len(caps)]
                q, ans, checker = tmpl.format(c=country), city, "text"
            elif kind in ("add", "sub"):
                a, b = rng.randint(2, 99), rng.randint(2, 99)
                if kind == "sub" and b > a:
                    a, b = b, a
                q, ans, checker = tmpl.format(a=a, b=b), str(a + b if kind == "add" else a - b), "number"
            elif kind == "mul":
                a, b = rng.randint(2, 12), rng.randint(2, 12)
                q, ans, checker = tmpl.format(a=a, b=b), str(a * b), "number"
            elif kind == "compare":
                a, b = rng.sample(range(1, 200), 2)
                pick = min(a, b) if "smaller" in tmpl else max(a, b)
                q, ans, checker = tmpl.format(a=a, b=b), str(pick), "number"
            else:
                a = rng.randint(2, 99)
                even = a % 2 == 0
                truth = (not even) if "odd" in tmpl else even
                q, ans, checker = tmpl.format(a=a), "yes" if truth else "no", "choice"
            rows.append(
                {
                    "id": f"builtin-{kind}-{i:02d}",
                    "kind": kind,
                    "question": q,
                    "answer": ans,
                    "checker": checker,
                }
            )
    return rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
