"""Strategies: how several samples and several models become one better answer (see base.py).

One module per strategy; each is configuration (a dataclass) plus a pure step function over explicit
state. ``STRATEGY_CLASSES`` maps the pipeline names to the classes.
"""

from .base import Action, Call, Done, Outcome, Run, RunInfo, Strategy
from .best_of_n import BestOfNStrategy
from .cascade import CascadeStrategy, Tier
from .fuse import FuseStrategy
from .moa import MoAStrategy
from .rank import RankStrategy
from .refine import RefineStrategy
from .route import RouteStrategy, question_kinds
from .sample import SampleStrategy
from .tree_search import TreeSearchStrategy
from .vote import VoteStrategy

STRATEGY_CLASSES: dict[str, type[Strategy]] = {
    "sample": SampleStrategy,
    "vote": VoteStrategy,
    "best_of_n": BestOfNStrategy,
    "rank": RankStrategy,
    "fuse": FuseStrategy,
    "refine": RefineStrategy,
    "cascade": CascadeStrategy,
    "moa": MoAStrategy,
    "tree_search": TreeSearchStrategy,
    "route": RouteStrategy,
}

__all__ = [
    "STRATEGY_CLASSES",
    "Action",
    "BestOfNStrategy",
    "Call",
    "CascadeStrategy",
    "Done",
    "FuseStrategy",
    "MoAStrategy",
    "Outcome",
    "RankStrategy",
    "RefineStrategy",
    "RouteStrategy",
    "Run",
    "RunInfo",
    "SampleStrategy",
    "Strategy",
    "Tier",
    "TreeSearchStrategy",
    "VoteStrategy",
    "question_kinds",
]
