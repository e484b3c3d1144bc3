"""ARC-AGI: task loading, text formats for models, official scoring, and the ``arc_dsl`` program search."""

from typing import TYPE_CHECKING, Any

from .formats import encode_grid, encode_task, parse_grid, parse_grids
from .grid import load_split, load_task
from .scoring import TrainScore, diff_text, score_split, score_task, score_transform

if TYPE_CHECKING:
    from .solver import ArcSolution, DslSolver


def __getattr__(name: str) -> Any:
    # The solver pulls in numba and the compiled DSL: loaded on first use, not by ``import infscale.arc``.
    if name in ("ArcSolution", "DslSolver"):
        from . import solver

        return getattr(solver, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ArcSolution",
    "DslSolver",
    "TrainScore",
    "diff_text",
    "encode_grid",
    "encode_task",
    "load_split",
    "load_task",
    "parse_grid",
    "parse_grids",
    "score_split",
    "score_task",
    "score_transform",
]
