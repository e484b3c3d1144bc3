"""Benchmark suites: the plugin interface, the registry, and the built-in ``qa`` and ``arc`` suites."""

from __future__ import annotations

from .base import (
    ENTRY_POINT_GROUP,
    BenchTask,
    Suite,
    SuiteOptions,
    TaskScore,
    get_suite,
    read_task_ids,
    register_suite,
    select_tasks,
    suite_names,
)


def _qa() -> type[Suite]:
    from .qa import QASuite

    return QASuite


def _arc() -> type[Suite]:
    from .arc import ArcSuite

    return ArcSuite


register_suite("qa", _qa)
register_suite("arc", _arc)

__all__ = [
    "ENTRY_POINT_GROUP",
    "BenchTask",
    "Suite",
    "SuiteOptions",
    "TaskScore",
    "get_suite",
    "read_task_ids",
    "register_suite",
    "select_tasks",
    "suite_names",
]
