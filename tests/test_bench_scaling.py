"""The exponentiated power-law fit of coverage versus samples, its quality and its forecast."""

from __future__ import annotations

import math
import random

import pytest

from infscale.bench.metrics import coverage_curve
from infscale.bench.scaling import fit_points, fit_scaling, samples_for


def law(a: float, b: float, kmax: int) -> list[float]:
    return [math.exp(a * k**b) for k in range(1, kmax + 1)]


def test_fit_recovers_known_parameters() -> None:
    fit = fit_scaling("p", law(-1.2, -0.6, 100), target=0.9)
    assert fit.status == "ok"
    assert fit.a == pytest.approx(-1.2, rel=1e-3)
    assert fit.b == pytest.approx(-0.6, rel=1e-3)
    assert fit.r2 == pytest.approx(1.0, abs=1e-6) and fit.rmse is not None and fit.rmse < 1e-6
    assert fit.quality == "good"
    # Forecast: exp(a k^b) = 0.9  =>  k = (ln 0.9 / a)^(1/b)
    want = (math.log(0.9) / -1.2) ** (1 / -0.6)
    assert fit.samples_for_target == pytest.approx(want, rel=1e-3)
    assert fit.predict(want) == pytest.approx(0.9, rel=1e-3)


def test_fit_on_sampled_tasks_is_good_and_forecasts_beyond_the_data() -> None:
    # Tasks with per-sample success probabilities spread over [0, 0.3]: a realistic coverage curve.
    rng = random.Random(0)
    n = 64
    counts = []
    for _ in range(400):
        p = rng.random() * 0.3
        counts.append((n, sum(rng.random() < p for _ in range(n))))
    curve = coverage_curve(counts)
    fit = fit_scaling("p", curve, target=0.99)
    assert fit.status == "ok"
    assert fit.a is not None and fit.a < 0 and fit.b is not None and fit.b < 0
    assert fit.r2 is not None and fit.r2 > 0.9
    assert fit.samples_for_target is None or fit.samples_for_target > 1


def test_degenerate_curves() -> None:
    assert fit_scaling("p", [1.0, 1.0, 1.0]).status == "saturated"
    assert fit_scaling("p", [0.0, 0.0, 0.0]).status == "no_correct_samples"
    few = fit_scaling("p", [0.3, 0.5])
    assert few.status == "too_few_points" and few.a is None and "3+" in few.message
    assert fit_scaling("p", []).status == "too_few_points"


def test_samples_for_and_fit_points() -> None:
    assert samples_for(0.5, 0.0, -1.0) == 1.0
    assert samples_for(0.9, -0.5, 0.0) is None  # a flat law never reaches the target
    with pytest.raises(ValueError):
        samples_for(1.0, -1.0, -0.5)
    ks = fit_points(1000)
    assert ks[:20] == list(range(1, 21)) and ks[-1] == 1000 and len(ks) < 60
    assert fit_points(5) == [1, 2, 3, 4, 5]
