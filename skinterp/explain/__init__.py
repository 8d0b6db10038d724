"""Word-level explanations."""

from ._explanation import Explanation, aggregate_token_scores

__all__ = ["Explanation", "aggregate_token_scores"]
