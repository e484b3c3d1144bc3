"""Strategies: how several samples and several models become one better answer (see base.py)."""

from .base import Action, Call, Done, Outcome, Run, RunInfo, Strategy
from .sample import SampleStrategy

__all__ = ["Action", "Call", "Done", "Outcome", "Run", "RunInfo", "SampleStrategy", "Strategy"]
