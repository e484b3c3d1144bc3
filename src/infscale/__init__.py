"""infscale: make a pool of models smarter at inference time."""

from .engine import Engine
from .errors import InfscaleError
from .monitor.budget import Budget
from .types import Completion, Cost, Request, Sample, Trace, Usage

__version__ = "0.1.0"
__all__ = ["Budget", "Completion", "Cost", "Engine", "InfscaleError", "Request", "Sample", "Trace", "Usage"]
