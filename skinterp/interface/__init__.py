"""Values and protocols shared by every layer: :class:`Explanation`, the model protocol and the
HTML renderer registry. Imports nothing of skinterp but :mod:`skinterp.text`."""

from ._explanation import Explanation, aggregate_token_scores
from ._protocol import PROTOCOL_METHODS, TokenModel, is_token_model
from ._render import html_of, register_html_renderer

__all__ = [
    "PROTOCOL_METHODS",
    "Explanation",
    "TokenModel",
    "aggregate_token_scores",
    "html_of",
    "is_token_model",
    "register_html_renderer",
]
