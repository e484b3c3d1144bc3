"""Pure metric functions: unbiased pass@k, coverage curves, percentiles, selection efficiency, Pareto front."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased estimator of pass@k from ``n`` samples of which ``c`` are correct: 1 - C(n-c, k) / C(n, k).

    Computed as a product to stay exact-ish for large ``n`` (Chen et al., 2021). When ``k > n`` the best
    available estimate is pass@n (whether any sample was correct).
    """
    if n < 0 or c < 0 or c > n or k < 1:
        raise ValueError(f"pass_at_k needs 0 <= c <= n and k >= 1, got n={n}, c={c}, k={k}")
    if n == 0:
        return 0.0
    k = min(k, n)
    if n - c < k:
        return 1.0
    prod = 1.0
    for i in range(n - c + 1, n + 1):
        prod *= 1.0 - k / i
    return 1.0 - prod


def coverage_at_k(counts: Sequence[tuple[int, int]], k: int) -> float:
    """Mean pass@k over tasks given ``(n, c)`` per task; a task with no samples counts 0."""
    if not counts:
        return 0.0
    return sum(pass_at_k(n, c, k) for n, c in counts) / len(counts)


def coverage_curve(counts: Sequence[tuple[int, int]], max_k: int | None = None) -> list[float]:
    """coverage@k for k = 1..max_k (default: the largest number of samples of any task)."""
    top = max((n for n, _ in counts), default=0) if max_k is None else max_k
    return [coverage_at_k(counts, k) for k in range(1, top + 1)]


def selection_efficiency(selected_accuracy: float, oracle_coverage: float) -> float | None:
    """Selected accuracy over coverage with every sample (how much of the oracle the selector realises)."""
    if oracle_coverage <= 0.0:
        return None
    return selected_accuracy / oracle_coverage


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (``q`` in 0..100), ``None`` for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def pareto_front(points: Sequence[tuple[float, float, T]]) -> list[T]:
    """Labels of the points not dominated in (lower cost, higher accuracy), in increasing cost."""
    front: list[T] = []
    best = -math.inf
    for _cost, acc, label in sorted(points, key=lambda p: (p[0], -p[1])):
        if acc > best:
            front.append(label)
            best = acc
    return front
