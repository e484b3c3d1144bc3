"""Inference scaling laws: coverage versus samples as an exponentiated power law (Large Language Monkeys).

The model is ``log coverage(k) = a * k**b`` with ``a <= 0`` and ``b < 0``, so coverage rises towards 1 as
``k`` grows. It is fitted by least squares in log space (``scipy.optimize.curve_fit``) on log-spaced ``k``
values (so large ``k`` does not dominate), its quality is reported as R^2 (log space and coverage space)
and RMSE (coverage space), and it forecasts the samples needed for a target coverage:
``k = (log target / a) ** (1 / b)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

MIN_POINTS = 3


@dataclass
class ScalingFit:
    pipeline: str
    status: str  # ok | too_few_points | no_correct_samples | saturated | failed
    a: float | None = None
    b: float | None = None
    r2_log: float | None = None
    r2: float | None = None
    rmse: float | None = None
    points: int = 0
    max_k: int = 0
    coverage_at_max_k: float | None = None
    target: float | None = None
    samples_for_target: float | None = None  # None: not reachable under the fit
    quality: str | None = None  # good | fair | poor
    message: str = ""

    def predict(self, k: float) -> float | None:
        if self.a is None or self.b is None:
            return None
        return math.exp(self.a * k**self.b)

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def fit_points(max_k: int, dense_until: int = 20, total: int = 40) -> list[int]:
    """Every k up to ``dense_until``, then about ``total`` log-spaced values up to ``max_k``."""
    ks = set(range(1, min(max_k, dense_until) + 1))
    if max_k > dense_until:
        ratio = (max_k / dense_until) ** (1 / max(total - dense_until, 1))
        v = float(dense_until)
        while v < max_k:
            v *= ratio
            ks.add(min(max_k, round(v)))
        ks.add(max_k)
    return sorted(ks)


def samples_for(target: float, a: float, b: float) -> float | None:
    """Smallest real k with predicted coverage >= target (None when the fit never gets there)."""
    if not 0.0 < target < 1.0:
        raise ValueError("target coverage must be in (0, 1)")
    if a >= 0.0:
        return 1.0  # coverage 1 from the first sample
    if b >= 0.0:
        return 1.0 if math.exp(a) >= target else None
    k = (math.log(target) / a) ** (1.0 / b)
    return max(1.0, k)


def fit_scaling(pipeline: str, coverage: Sequence[float], target: float = 0.9) -> ScalingFit:
    """Fit ``log coverage(k) = a k^b`` to ``coverage[k-1]`` for k = 1..len(coverage)."""
    import numpy as np
    from scipy.optimize import curve_fit

    max_k = len(coverage)
    fit = ScalingFit(pipeline, "ok", max_k=max_k, target=target)
    fit.coverage_at_max_k = coverage[-1] if coverage else None
    ks = [k for k in fit_points(max_k) if coverage[k - 1] > 0.0] if max_k else []
    fit.points = len(ks)
    if max_k and all(c >= 1.0 for c in coverage):
        fit.status, fit.a, fit.b, fit.samples_for_target = "saturated", 0.0, -1.0, 1.0
        fit.message = "coverage is 1 from the first sample"
        return fit
    if max_k and all(c <= 0.0 for c in coverage):
        fit.status, fit.message = "no_correct_samples", "no sample was correct: nothing to fit"
        return fit
    if len(ks) < MIN_POINTS:
        fit.status = "too_few_points"
        fit.message = f"needs coverage at {MIN_POINTS}+ values of k (runs with n >= {MIN_POINTS} samples), got {len(ks)}"
        return fit
    x = np.asarray(ks, dtype=float)
    y = np.log(np.asarray([coverage[k - 1] for k in ks], dtype=float))

    def model(k: Any, a: float, b: float) -> Any:
        return a * np.power(k, b)

    try:
        (a, b), _ = curve_fit(
            model, x, y, p0=(min(y[0], -1e-3), -0.5), bounds=([-np.inf, -10.0], [0.0, 0.0]), maxfev=20000
        )
    except (RuntimeError, ValueError) as exc:
        fit.status, fit.message = "failed", f"fit did not converge: {exc}"
        return fit
    fit.a, fit.b = float(a), float(b)
    pred_log = model(x, a, b)
    cov = np.exp(y)
    pred = np.exp(pred_log)
    fit.r2_log = _r2(y, pred_log)
    fit.r2 = _r2(cov, pred)
    fit.rmse = float(np.sqrt(np.mean((cov - pred) ** 2)))
    r2 = fit.r2 if fit.r2 is not None else fit.r2_log
    fit.quality = None if r2 is None else "good" if r2 >= 0.95 else "fair" if r2 >= 0.8 else "poor"
    fit.samples_for_target = samples_for(target, fit.a, fit.b)
    return fit


def _r2(y: Any, pred: Any) -> float | None:
    import numpy as np

    ss_tot = float(np.sum((y - np.mean(y)) ** 2))
    if ss_tot <= 1e-15:
        return None  # a flat curve: R^2 is undefined
    return 1.0 - float(np.sum((y - pred) ** 2)) / ss_tot


def fit_summary(summary: dict[str, Any], target: float = 0.9) -> list[ScalingFit]:
    """One fit per pipeline of a bench summary."""
    return [fit_scaling(p["pipeline"], p["coverage"]["value"], target) for p in summary["pipelines"]]
