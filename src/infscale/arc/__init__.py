"""ARC-AGI: task loading, text formats for models, official scoring, and the ``arc_dsl`` program search."""

from .formats import encode_grid, encode_task, parse_grid, parse_grids
from .grid import load_split, load_task
from .scoring import TrainScore, diff_text, score_split, score_task, score_transform
from .solver import ArcSolution, DslSolver

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
