"""pass@k against brute-force enumeration, coverage, percentiles, selection efficiency, Pareto front."""

from __future__ import annotations

import itertools
import math

import pytest

from infscale.bench.metrics import (
    coverage_at_k,
    coverage_curve,
    pareto_front,
    pass_at_k,
    percentile,
    selection_efficiency,
)


def brute_pass_at_k(n: int, c: int, k: int) -> float:
    """Fraction of k-subsets of n samples (c correct) with at least one correct one."""
    items = [True] * c + [False] * (n - c)
    subsets = list(itertools.combinations(range(n), k))
    return sum(any(items[i] for i in s) for s in subsets) / len(subsets)


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_pass_at_k_matches_enumeration(n: int) -> None:
    for c in range(n + 1):
        for k in range(1, n + 1):
            assert pass_at_k(n, c, k) == pytest.approx(brute_pass_at_k(n, c, k), abs=1e-12)
            assert pass_at_k(n, c, k) == pytest.approx(1 - math.comb(n - c, k) / math.comb(n, k), abs=1e-12)


def test_pass_at_k_edges_and_large_n() -> None:
    assert pass_at_k(0, 0, 1) == 0.0
    assert pass_at_k(3, 1, 10) == 1.0  # k > n: pass@n
    assert pass_at_k(3, 0, 10) == 0.0
    assert pass_at_k(10000, 1, 1) == pytest.approx(1e-4)
    assert pass_at_k(10000, 100, 100) == pytest.approx(1 - math.comb(9900, 100) / math.comb(10000, 100))
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)


def test_coverage_curve_is_monotone_and_counts_empty_tasks() -> None:
    counts = [(4, 1), (4, 0), (4, 4), (0, 0)]
    curve = coverage_curve(counts)
    assert len(curve) == 4
    assert curve == sorted(curve)
    assert curve[0] == pytest.approx((0.25 + 0 + 1 + 0) / 4)
    assert curve[-1] == pytest.approx(2 / 4)  # the failed task (n=0) stays in the denominator
    assert coverage_at_k([], 1) == 0.0


def test_percentile_and_efficiency() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0], 95) == 3.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(101)), 95) == pytest.approx(95.0)
    assert selection_efficiency(0.5, 0.8) == pytest.approx(0.625)
    assert selection_efficiency(0.0, 0.0) is None


def test_pareto_front() -> None:
    pts = [(1.0, 0.5, "a"), (2.0, 0.4, "b"), (3.0, 0.9, "c"), (0.5, 0.2, "d"), (3.0, 0.8, "e")]
    assert pareto_front(pts) == ["d", "a", "c"]
