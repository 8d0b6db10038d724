"""Old import path of :mod:`skinterp.core._inference`."""

from .core._inference import InferenceMixin

__all__ = ["InferenceMixin"]
