"""Deterministic solvers used as real ``program``-backend models in tests (no service is mocked)."""

from __future__ import annotations

import re

from infscale.types import Request


def echo_numbers(request: Request, index: int) -> str:
    """Answers with the sum of the numbers in the question; sample index 1 answers wrong on purpose."""
    nums = [int(x) for x in re.findall(r"\d+", request.user_text())]
    total = sum(nums)
    return f"The answer is {total + (1 if index == 1 else 0)}."


def fails_on_odd(request: Request, index: int) -> str:
    if index % 2 == 1:
        raise RuntimeError(f"sample {index} failed")
    return "42"
