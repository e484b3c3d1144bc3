"""The evaluation harness: suites, scoring, coverage and pass@k, scaling-law fits, reports.

Entry points: ``infscale bench`` / ``infscale scaling`` (:mod:`infscale.bench.cli`), or in Python
:func:`infscale.bench.harness.prepare` / ``execute`` / ``finish`` with any :class:`Runner`.
"""

from __future__ import annotations

from .metrics import coverage_at_k, coverage_curve, pass_at_k
from .runner import EngineRunner, Runner
from .suites import BenchTask, Suite, SuiteOptions, TaskScore, get_suite

__all__ = [
    "BenchTask",
    "EngineRunner",
    "Runner",
    "Suite",
    "SuiteOptions",
    "TaskScore",
    "coverage_at_k",
    "coverage_curve",
    "get_suite",
    "pass_at_k",
]
