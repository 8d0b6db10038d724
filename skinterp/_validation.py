"""Validation of targets shared by the estimators."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["check_target"]


def check_target(y: Any, n_samples: int) -> np.ndarray:
    """Validate class labels: 1-d, no missing values, one per sample.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels of any hashable type (str, int, bool, ...).
    n_samples : int
        Number of texts in X.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    if y is None:
        raise ValueError("y is None; a classifier needs one label per text.")
    if isinstance(y, str):
        raise TypeError("y is a single str; expected one label per text (a list or array).")
    if hasattr(y, "iloc") and getattr(y, "ndim", 1) == 2:
        if y.shape[1] != 1:
            raise ValueError(f"y has shape {y.shape}; expected one column of labels.")
        y = y.iloc[:, 0]
    arr = np.asarray(y.tolist() if hasattr(y, "tolist") and not isinstance(y, np.ndarray) else y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"y has shape {arr.shape}; expected a 1-d array of labels.")
    if len(arr) != n_samples:
        raise ValueError(
            f"X and y have different lengths: {n_samples} texts but {len(arr)} labels."
        )
    if pd.isna(pd.Series(arr, dtype=object)).any():
        where = int(np.flatnonzero(pd.isna(pd.Series(arr, dtype=object)))[0])
        raise ValueError(f"y contains a missing label (None/NaN) at index {where}.")
    raw = y if isinstance(y, np.ndarray) and y.dtype != object else None
    if raw is None:
        values = y.tolist() if hasattr(y, "tolist") else list(y)
        values = [v[0] if isinstance(v, (list, tuple)) and len(v) == 1 else v for v in values]
        kinds = {_kind(v) for v in values}
        if len(kinds) > 1:
            raise TypeError(f"y mixes label types {sorted(kinds)}; use one type for all labels.")
    if arr.dtype == object:
        arr = np.asarray(arr.tolist())
    return arr


def _kind(value: Any) -> str:
    if isinstance(value, (str, np.str_)):
        return "str"
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (numbers.Number, np.number)):
        return "number"
    return type(value).__name__
