"""The ARC grid-transform DSL: primitives (whole-grid transforms), objects, and per-task learners."""

from .learners import LEARNERS, apply_colour_map, fit_colour_map
from .objects import Obj, background, objects
from .primitives import MARK, Grid, Transform, transforms_for

__all__ = [
    "LEARNERS",
    "MARK",
    "Grid",
    "Obj",
    "Transform",
    "apply_colour_map",
    "background",
    "fit_colour_map",
    "objects",
    "transforms_for",
]
