"""Validation of text input: single texts, sentence pairs, or pre-tokenized encodings."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["check_k", "check_texts"]


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False


def _check_one_text(value: Any, where: str) -> str:
    if _is_missing(value):
        raise ValueError(f"{where} is a missing value ({value!r}); every text must be a str.")
    if isinstance(value, (bytes, bytearray)):
        raise TypeError(f"{where} is bytes, not str; decode it first, e.g. value.decode('utf-8').")
    if isinstance(value, np.str_):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"{where} is of type {type(value).__name__}; expected str.")
    return value


def check_texts(X: Any, *, name: str = "X", allow_encoded: bool = True) -> tuple[list, str]:
    """Validate text input and return it as a list plus its kind.

    Parameters
    ----------
    X : sequence
        A list/tuple/array/Series of str; a sequence of ``(text_a, text_b)`` pairs; a
        2-column DataFrame or ``(n, 2)`` array of pairs; or the output of
        :class:`skinterp.text.Tokenizer` (a list of :class:`EncodedText`).
    name : str, default="X"
        Name used in error messages.
    allow_encoded : bool, default=True
        Whether pre-tokenized :class:`EncodedText` items are accepted.

    Returns
    -------
    items : list
        ``list[str]``, ``list[tuple[str, str]]`` or ``list[EncodedText]``.
    kind : {"text", "pair", "encoded"}
        What the items are.

    Raises
    ------
    TypeError
        For a single string, ``None``, bytes or non-str entries.
    ValueError
        For empty input, missing values or malformed pairs.
    """
    from ._tokenizers import EncodedText

    if X is None:
        raise TypeError(f"{name} is None; expected a list of texts.")
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"{name} is a single {type(X).__name__}; expected a list of texts. "
            f"Wrap it in a list: [{name}]."
        )
    if hasattr(X, "iloc") and hasattr(X, "columns"):  # DataFrame
        ncols = X.shape[1]
        if ncols == 1:
            X = X.iloc[:, 0]
        elif ncols == 2:
            X = list(zip(X.iloc[:, 0].tolist(), X.iloc[:, 1].tolist(), strict=True))
        else:
            raise ValueError(
                f"{name} is a DataFrame with {ncols} columns; expected 1 column of texts "
                "or 2 columns of sentence pairs."
            )
    elif isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 2:
            X = [tuple(row) for row in X.tolist()]
        elif X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0].tolist()
        elif X.ndim != 1:
            raise ValueError(
                f"{name} is an array of shape {X.shape}; expected shape (n,) of texts "
                "or (n, 2) of sentence pairs."
            )
        else:
            X = X.tolist()
    elif hasattr(X, "tolist") and hasattr(X, "iloc"):  # Series
        X = X.tolist()
    elif not isinstance(X, Sequence):
        try:
            X = list(X)
        except TypeError:
            raise TypeError(
                f"{name} of type {type(X).__name__} is not a sequence of texts."
            ) from None
    items = list(X)
    if not items:
        raise ValueError(f"{name} is empty; at least one text is required.")

    first = items[0]
    if isinstance(first, EncodedText):
        if not allow_encoded:
            raise TypeError(f"{name} holds EncodedText items, which are not accepted here.")
        for i, item in enumerate(items):
            if not isinstance(item, EncodedText):
                raise TypeError(
                    f"{name}[{i}] is of type {type(item).__name__}; {name} mixes EncodedText "
                    "items with other items."
                )
        return items, "encoded"
    if isinstance(first, (tuple, list)) and not isinstance(first, str):
        pairs = []
        for i, item in enumerate(items):
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise ValueError(
                    f"{name}[{i}] is not a (text_a, text_b) pair; {name} mixes sentence pairs "
                    "with other items or holds tuples of the wrong length."
                )
            pairs.append(
                (
                    _check_one_text(item[0], f"{name}[{i}][0]"),
                    _check_one_text(item[1], f"{name}[{i}][1]"),
                )
            )
        return pairs, "pair"
    return [_check_one_text(item, f"{name}[{i}]") for i, item in enumerate(items)], "text"


def check_k(k: Any, name: str = "k") -> int:
    """Validate a number of top words ``k`` (an int >= 1)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{name} must be an int >= 1, got {k!r} of type {type(k).__name__}.")
    if k < 1:
        raise ValueError(f"{name} must be >= 1, got {k}.")
    return int(k)
