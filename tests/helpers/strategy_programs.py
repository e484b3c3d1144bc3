"""Deterministic program models for the strategy tests (real ``program``-backend models, nothing mocked).

- ``oracle`` answers every prompt the strategies send (questions, program-aided prompts, judge, rank,
  fuse, critique, revise...) correctly;
- ``noisy`` answers questions correctly only sometimes (depending on the call's seed and the sample
  index), and is a poor judge;
- ``flaky`` is ``noisy`` that raises on some samples (a backend failure in k of n);
- ``slow`` is ``oracle`` that takes 0.2 s per sample (deadlines).

Every invocation is recorded in ``CALLS`` so tests can check that the trace shows every call.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from typing import Any

from infscale.types import Request

CALLS: list[tuple[str, int | None, int]] = []
_LOCK = threading.Lock()


def _record(model: str, request: Request, index: int) -> None:
    with _LOCK:
        CALLS.append((model, request.seed, index))


def _h(*parts: Any) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:4], "big")


def question_of(request: Request) -> str:
    return str(request.metadata.get("question") or request.user_text())


def solve(question: str) -> Any:
    """The right answer to the test questions: arithmetic, comparison, parity, a few capitals."""
    q = question.lower()
    nums = [int(x) for x in re.findall(r"-?\d+", q)]
    if "capital of" in q:
        for country, city in (("france", "Paris"), ("peru", "Lima"), ("japan", "Tokyo")):
            if country in q:
                return city
        return "unknown"
    if nums and re.search(r"\b(even|odd)\b", q):
        even = nums[0] % 2 == 0
        return "yes" if (even if "even" in q else not even) else "no"
    if len(nums) >= 2:
        a, b = nums[0], nums[1]
        if re.search(r"larger|greater|bigger", q):
            return max(a, b)
        if "smaller" in q:
            return min(a, b)
        if re.search(r"plus|sum|\+|add", q):
            return a + b
        if re.search(r"minus|subtract|-", q):
            return a - b
        if re.search(r"times|product|\*|multipl", q):
            return a * b
    return "unknown"


def expression(question: str) -> str:
    q = question.lower()
    nums = re.findall(r"-?\d+", q)
    if nums and re.search(r"\b(even|odd)\b", q):
        return f"{'even' if 'even' in q else 'odd'}({nums[0]})"
    if len(nums) >= 2:
        a, b = nums[0], nums[1]
        if re.search(r"larger|greater|bigger", q):
            return f"max({a}, {b})"
        if re.search(r"plus|sum|\+|add", q):
            return f"{a} + {b}"
        if re.search(r"minus|subtract|-", q):
            return f"{a} - {b}"
        if re.search(r"times|product|\*|multipl", q):
            return f"{a} * {b}"
    return "'unknown'"


def _wrong(ans: Any, k: int) -> Any:
    if isinstance(ans, int):
        return ans + 1 + k % 3
    if ans in ("yes", "no"):
        return "no" if ans == "yes" else "yes"
    return "Lyon"


def _listed(prompt: str) -> list[str]:
    return re.findall(r"^\d+\. (.*?)(?: \(given \d+ times\))?$", prompt, re.M)


def _answer_prompt(request: Request, index: int, right: bool) -> str:
    """Reply to whatever the strategy sent; ``right`` says whether this reply is the correct one."""
    prompt = request.user_text()
    q = question_of(request)
    truth = solve(q)
    shown = truth if right else _wrong(truth, index)
    if "Python expression for:" in prompt:
        return expression(q) if right else f"{expression(q)} + 1"
    if "Proposed answer:" in prompt:
        proposed = re.search(r"Proposed answer: (.*)", prompt)
        ok = proposed is not None and str(proposed.group(1)).strip().lower() == str(truth).lower()
        verdict = ok if right else not ok
        if "from 1 (wrong)" in prompt:
            return "10" if verdict else "1"
        return ("yes" if verdict else "no") + (", it is right." if verdict else ", it is wrong.")
    if "Reply with its number only" in prompt:
        items = _listed(prompt)
        for i, item in enumerate(items, 1):
            if item.strip().lower() == str(truth).lower():
                return str(i if right else (i % len(items)) + 1)
        return "1"
    if "Answer A:" in prompt:
        a = re.search(r"Answer A: (.*)", prompt)
        pick_a = a is not None and a.group(1).strip().lower() == str(truth).lower()
        return "A" if pick_a == right else "B"
    return f"The answer is {shown}."


def oracle(request: Request, index: int) -> str:
    _record("oracle", request, index)
    return _answer_prompt(request, index, True)


def noisy(request: Request, index: int) -> str:
    _record("noisy", request, index)
    right = _h(request.seed, index) % 3 == 0
    return _answer_prompt(request, index, right)


def flaky(request: Request, index: int) -> str:
    _record("flaky", request, index)
    if _h("fail", request.seed, index) % 3 == 0:
        raise RuntimeError(f"flaky sample {index} failed")
    right = _h(request.seed, index) % 3 == 0
    return _answer_prompt(request, index, right)


def slow(request: Request, index: int) -> str:
    _record("slow", request, index)
    time.sleep(0.2)
    return _answer_prompt(request, index, True)


def confident(request: Request, index: int) -> dict[str, Any]:
    """``oracle`` on even sample indices, wrong on odd ones; the text says how sure it is."""
    _record("confident", request, index)
    right = index % 2 == 0
    return {"text": _answer_prompt(request, index, right)}


def coder(request: Request, index: int) -> str:
    """Writes ``double``: right on sample 0, half right on 1 (wrong for 2, right for 0), wrong on 2."""
    _record("coder", request, index)
    body = ["x * 2", "x + 2", "x - 1"][index % 3]
    return f"```python\ndef double(x):\n    return {body}\n```"


def is_even(answer: Any, text: str, question: str) -> bool:
    """A Python verifier: even answers pass."""
    return isinstance(answer, int) and answer % 2 == 0


def always_knowledge(question: str) -> str:
    """A route policy."""
    return "knowledge"


def looper(request: Request, index: int) -> str:
    """Writes programs the restricted evaluator refuses (a loop); sample 1 writes one that crashes."""
    _record("looper", request, index)
    if index == 1:
        return "for i in range(3):\n    x = 1 / 0"
    nums = [int(x) for x in re.findall(r"\d+", question_of(request))]
    return f"total = 0\nfor v in {nums}:\n    total += v\nprint(total)"
