"""Old import path of the estimator core: :class:`TextClassifier` lives in :mod:`skinterp.core`."""

from .core import HOOKS, TextClassifier

__all__ = ["HOOKS", "TextClassifier"]
