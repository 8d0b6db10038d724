"""Short reprs for estimators' parameters and for the models named in results."""

from __future__ import annotations

from typing import Any

from torch import nn


def short_repr(value: Any, limit: int | None = None) -> str:
    """``repr(value)``, except a module or tokenizer object by its class only (a whole
    transformer's repr runs to hundreds of lines) and, past ``limit`` characters, the class
    name alone."""
    tokenizer = any(c.__name__ == "PreTrainedTokenizerBase" for c in type(value).__mro__)
    if isinstance(value, nn.Module) or tokenizer:
        return f"{type(value).__name__}(...)"
    text = repr(value)
    return type(value).__name__ if limit is not None and len(text) >= limit else text
