"""Old import path of :mod:`skinterp.interface._explanation`."""

from ..interface._explanation import Explanation, aggregate_token_scores

__all__ = ["Explanation", "aggregate_token_scores"]
