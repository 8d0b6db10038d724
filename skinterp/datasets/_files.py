"""Your own data: CSV, TSV, JSON Lines, Parquet and Hugging Face ``save_to_disk`` folders.

:func:`load_file` reads a labelled file into the same kind of Bunch as the built-in loaders;
:func:`iter_file` streams a file in chunks of rows (bounded memory), for corpus-scale
explanations. Every problem found in a file names the file, the line (text formats) or row
(Parquet, Hugging Face; counted from 1) and the column.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch

from ._readers import FORMATS, DataFileError, _hf_dataset, detect_format, hf_splits, read_chunks

__all__ = ["FORMATS", "DataFileError", "iter_file", "load_file"]


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def iter_file(
    path: str | os.PathLike,
    *,
    text_column: str = "text",
    text_pair_column: str | None = None,
    label_column: str | None = None,
    id_column: str | None = None,
    chunk_size: int = 1000,
    format: str | None = None,
    encoding: str = "utf-8",
    split: str | None = None,
    empty: str = "error",
) -> Iterator[pd.DataFrame]:
    """Stream a data file in chunks of checked rows.

    Parameters
    ----------
    path : path
        A ``.csv``, ``.tsv``, ``.jsonl``, ``.parquet`` file or a ``save_to_disk`` folder.
    text_column, text_pair_column, label_column, id_column : str
        Columns to read (a pair column makes sentence pairs; label and id are optional).
    chunk_size : int, default=1000
        Rows per chunk; memory stays bounded by one chunk whatever the file's size.
    format : str, optional
        One of ``FORMATS``; by default from the suffix.
    encoding : str, default="utf-8"
        Text encoding of CSV, TSV and JSON Lines files.
    split : str, optional
        The split of a ``DatasetDict`` folder (default ``"train"``).
    empty : {"error", "keep"}, default="error"
        An empty, blank or missing text: an error naming its line (``"error"``), or passed on
        as ``""`` (``"keep"``: corpus explanations keep the row and say why it is empty).

    Yields
    ------
    pandas.DataFrame
        Columns ``text`` (str, or a (str, str) tuple for pairs), ``label`` and ``id`` when
        named, and ``where`` (the line or row, for messages).

    Raises
    ------
    DataFileError
        A missing column, an empty text, an empty or NaN label, a malformed row or a wrong
        encoding, naming the file, line and column.
    """
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be an integer >= 1, got {chunk_size!r}.")
    if empty not in ("error", "keep"):
        raise ValueError(f"empty must be 'error' or 'keep', got {empty!r}.")
    path = Path(path)
    fmt = detect_format(path, format)
    texts = [text_column] + ([text_pair_column] if text_pair_column else [])
    extra = [c for c in (label_column, id_column) if c]
    columns = list(dict.fromkeys(texts + extra))
    for frame, where in read_chunks(path, fmt, columns, chunk_size, encoding, split):
        for col in texts:
            values = frame[col].tolist()
            if empty == "keep":  # blank and missing texts go on as "" (the caller says why)
                values = ["" if _blank(v) else v for v in values]
                frame[col] = pd.Series(values, index=frame.index, dtype=object)
            blank = (i for i, v in enumerate(values) if _blank(v) and empty == "error")
            bad = next(blank, None)
            if bad is None:
                bad = next((i for i, v in enumerate(values) if not isinstance(v, str)), None)
                if bad is not None:
                    raise DataFileError(
                        f"{path} {where[bad]}: column {col!r} holds "
                        f"{type(values[bad]).__name__} {values[bad]!r}, not a text."
                    )
            else:
                raise DataFileError(f"{path} {where[bad]}: column {col!r} is empty.")
        out = pd.DataFrame(index=range(len(frame)))
        if text_pair_column:
            out["text"] = list(zip(frame[text_column], frame[text_pair_column], strict=True))
        else:
            out["text"] = frame[text_column].to_numpy(dtype=object)
        if label_column:
            labels = frame[label_column].tolist()
            bad = next((i for i, v in enumerate(labels) if _blank(v)), None)
            if bad is not None:
                raise DataFileError(
                    f"{path} {where[bad]}: no label in column {label_column!r} (empty or NaN)."
                )
            out["label"] = frame[label_column].to_numpy(dtype=object)
        if id_column:
            out["id"] = frame[id_column].to_numpy(dtype=object)
        out["where"] = where
        yield out


def _read_all(path, **kw) -> pd.DataFrame:
    frames = list(iter_file(path, chunk_size=100_000, **kw))
    if not frames:
        raise DataFileError(f"{path} holds no rows.")
    return pd.concat(frames, ignore_index=True)


def _as_int(value: Any) -> int | None:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _labels(values: np.ndarray) -> np.ndarray:
    """Labels as integers when every one is an integer (a CSV gives "0"/"1"), else strings."""
    ints = [_as_int(v) for v in values]
    if all(i is not None for i in ints):
        return np.asarray(ints)
    return np.asarray([str(v) for v in values], dtype=object)


def load_file(
    path: str | os.PathLike,
    *,
    text_column: str = "text",
    text_pair_column: str | None = None,
    label_column: str = "label",
    test: str | os.PathLike | float | None = None,
    random_state: int = 0,
    format: str | None = None,
    encoding: str = "utf-8",
    split: str | None = None,
) -> Bunch:
    """Read a labelled data file of your own (CSV, TSV, JSON Lines, Parquet or a Hugging Face
    ``save_to_disk`` folder) for ``fit``.

    Parameters
    ----------
    path : path
        The training data (a ``DatasetDict`` folder: its ``train`` split, and its ``test``
        split as the test data unless ``test`` is given).
    text_column : str, default="text"
    text_pair_column : str, optional
        A second text column: the texts become sentence pairs.
    label_column : str, default="label"
        Integer or string labels; labels that are all integers (``"0"``, ``"1"`` in a CSV)
        become integers.
    test : path or float, optional
        A test file read with the same options, or the share of rows held out as a test split
        (stratified by label, with ``random_state``).
    random_state : int, default=0
        Seed of the test split.
    format : str, optional
        One of ``FORMATS``; by default from the suffix.
    encoding : str, default="utf-8"
    split : str, optional
        The split of a ``DatasetDict`` folder read as the training data (default
        ``"train"``; then its ``test`` split, if any, is the test data).

    Returns
    -------
    sklearn.utils.Bunch
        ``X_train, y_train, X_test, y_test`` (the test parts ``None`` without a test split),
        ``classes`` (sorted labels), ``target_names`` (their names, aligned with
        ``classes``), ``columns`` (the options to read another file alike) and ``DESCR``.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "tickets.csv")
    >>> rows = "body,queue\\nprinter is broken,it\\nrefund my order,billing\\nno wifi,it\\n"
    >>> _ = open(path, "w").write(rows)
    >>> data = load_file(path, text_column="body", label_column="queue")
    >>> data.classes.tolist(), data.X_train[0]
    (['billing', 'it'], 'printer is broken')
    """
    path = Path(path)
    kw = dict(
        text_column=text_column,
        text_pair_column=text_pair_column,
        label_column=label_column,
        format=format,
        encoding=encoding,
    )
    fmt = detect_format(path, format)
    train = _read_all(path, split=split, **kw)
    test_frame = None
    if isinstance(test, float) and not isinstance(test, bool):
        if not 0.0 < test < 1.0:
            raise ValueError(f"test must be a share in (0, 1) or a file, got {test!r}.")
        y = _labels(train["label"].to_numpy())
        try:
            tr, te = train_test_split(
                np.arange(len(train)), test_size=test, stratify=y, random_state=random_state
            )
        except ValueError as exc:  # a class too small to stratify: split at random, say so
            warnings.warn(f"test split not stratified: {exc}", UserWarning, stacklevel=2)
            tr, te = train_test_split(
                np.arange(len(train)), test_size=test, random_state=random_state
            )
        train, test_frame = train.iloc[np.sort(tr)], train.iloc[np.sort(te)]
    elif test is not None:
        test_frame = _read_all(test, **kw)
    elif fmt == "hf" and split in (None, "train") and "test" in hf_splits(path):
        test_frame = _read_all(path, split="test", **kw)
    y_train = _labels(train["label"].to_numpy())
    y_test = None if test_frame is None else _labels(test_frame["label"].to_numpy())
    classes = np.unique(y_train if y_test is None else np.concatenate([y_train, y_test]))
    names = [str(c) for c in classes]
    if fmt == "hf":  # a ClassLabel column carries the class names
        feature = _hf_dataset(path, split).features.get(label_column)
        if hasattr(feature, "names") and all(isinstance(c, int | np.integer) for c in classes):
            names = [feature.names[int(c)] for c in classes]
    counts = pd.Series(y_train).value_counts()
    descr = (
        f"{path} ({fmt}): {len(train):,} training texts"
        + ("" if test_frame is None else f", {len(test_frame):,} test texts")
        + "; classes "
        + ", ".join(f"{n} {counts.get(c, 0):,}" for c, n in zip(classes, names, strict=True))
    )
    return Bunch(
        X_train=train["text"].tolist(),
        y_train=y_train,
        X_test=None if test_frame is None else test_frame["text"].tolist(),
        y_test=y_test,
        classes=classes,
        target_names=names,
        columns={k: v for k, v in kw.items() if k != "format"} | {"format": fmt},
        DESCR=descr,
    )
