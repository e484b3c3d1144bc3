"""The model registry and one module per backend."""

from .base import Backend
from .registry import Registry, builtin_models
from .spec import ModelSpec

__all__ = ["Backend", "ModelSpec", "Registry", "builtin_models"]
