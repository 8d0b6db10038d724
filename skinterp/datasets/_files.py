"""Your own data: CSV, TSV, JSON Lines, Parquet and Hugging Face ``save_to_disk`` folders.

:func:`load_file` reads a labelled file into the same kind of Bunch as the built-in loaders;
:func:`iter_file` streams a file in chunks of rows (bounded memory), for corpus-scale
explanations. Every problem found in a file names the file, the line (text formats) or row
(Parquet, Hugging Face; counted from 1) and the column.
"""

from __future__ import annotations

import csv
import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch

__all__ = ["FORMATS", "DataFileError", "iter_file", "load_file"]

FORMATS = ("csv", "tsv", "jsonl", "parquet", "hf")
_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


class DataFileError(ValueError):
    """A problem in a data file; the message names the file, the line or row and the column."""


def detect_format(path: str | os.PathLike, format: str | None = None) -> str:
    """The format of ``path``: ``format`` when given, else from the suffix (a folder is a
    Hugging Face ``save_to_disk`` folder)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder.")
    if format is not None:
        if format not in FORMATS:
            raise ValueError(f"format must be one of {list(FORMATS)}, got {format!r}.")
        return format
    if path.is_dir():
        if (path / "dataset_dict.json").is_file() or (path / "state.json").is_file():
            return "hf"
        raise DataFileError(
            f"{path} is a folder but not one written by datasets' save_to_disk "
            "(no dataset_dict.json or state.json)."
        )
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise DataFileError(
            f"{path}: cannot tell the format from the suffix {path.suffix!r}; name it with "
            f"format= (--format), one of {list(FORMATS)}."
        )
    return fmt


def _decoded_lines(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line, decoded one line at a time so that a wrong encoding
    is reported at its line."""
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            try:
                line = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DataFileError(
                    f"{path} line {n}: not valid {encoding} (byte 0x{raw[exc.start]:02x} at "
                    f"column {exc.start + 1}); pass the file's encoding with encoding= "
                    "(--encoding), e.g. latin-1."
                ) from None
            except LookupError:
                raise ValueError(f"unknown encoding {encoding!r}.") from None
            yield n, line.removeprefix("\ufeff") if n == 1 else line


def _missing(path: Path, columns: list[str], have: list[str]) -> None:
    lost = [c for c in columns if c not in have]
    if lost:
        raise DataFileError(
            f"{path}: no column {lost[0]!r} (the file has: {', '.join(map(str, have))}); name "
            "the columns with text_column= / label_column= (--text-column, --label-column)."
        )


def _csv_chunks(path, columns, chunk_size, encoding, delimiter):
    lines = _decoded_lines(path, encoding)
    first = [0]  # the line the current record starts on

    def feed():
        for n, line in lines:
            if first[0] == 0:
                first[0] = n
            yield line

    reader = csv.reader(feed(), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise DataFileError(f"{path} is empty: no header line.") from None
    except csv.Error as exc:
        raise DataFileError(f"{path} line 1: malformed header ({exc}).") from None
    _missing(path, columns, header)
    index = [header.index(c) for c in columns]
    rows, where = [], []
    while True:
        first[0] = 0
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataFileError(f"{path} line {reader.line_num}: malformed row ({exc}).") from None
        if not row:  # a blank line
            continue
        if len(row) != len(header):
            raise DataFileError(
                f"{path} line {first[0]}: {len(row)} fields where the header has "
                f"{len(header)}; quote fields that contain {delimiter!r} or a line break."
            )
        rows.append([row[i] for i in index])
        where.append(f"line {first[0]}")
        if len(rows) == chunk_size:
            yield pd.DataFrame(rows, columns=columns), where
            rows, where = [], []
    if rows:
        yield pd.DataFrame(rows, columns=columns), where


def _jsonl_chunks(path, columns, chunk_size, encoding):
    rows, where = [], []
    for n, line in _decoded_lines(path, encoding):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFileError(
                f"{path} line {n}: not valid JSON ({exc.msg} at column {exc.colno})."
            ) from None
        if not isinstance(obj, dict):
            raise DataFileError(
                f"{path} line {n}: expected one JSON object per line, got {type(obj).__name__}."
            )
        lost = [c for c in columns if c not in obj]
        if lost:
            raise DataFileError(
                f"{path} line {n}: no column {lost[0]!r} (this line has: {', '.join(obj)})."
            )
        rows.append([obj[c] for c in columns])
        where.append(f"line {n}")
        if len(rows) == chunk_size:
            yield pd.DataFrame(rows, columns=columns), where
            rows, where = [], []
    if rows:
        yield pd.DataFrame(rows, columns=columns), where


def _hf_dataset(path: Path, split: str | None):
    try:
        import datasets
    except ImportError:
        raise ImportError(
            f"{path} is a Hugging Face datasets folder; reading it needs the datasets "
            "package: pip install 'skinterp[io]'."
        ) from None
    ds = datasets.load_from_disk(str(path))
    if isinstance(ds, datasets.DatasetDict):
        split = split or "train"
        if split not in ds:
            raise DataFileError(f"{path} has no split {split!r} (it has: {', '.join(ds)}).")
        ds = ds[split]
    return ds


def _table_chunks(path, fmt, columns, chunk_size, split):
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        _missing(path, columns, pf.schema_arrow.names)
        batches = (b.to_pandas() for b in pf.iter_batches(chunk_size, columns=columns))
    else:
        ds = _hf_dataset(path, split)
        _missing(path, columns, ds.column_names)
        batches = (pd.DataFrame(b) for b in ds.select_columns(columns).iter(chunk_size))
    start = 1
    for frame in batches:
        yield frame, [f"row {start + i}" for i in range(len(frame))]
        start += len(frame)


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
    path = Path(path)
    fmt = detect_format(path, format)
    texts = [text_column] + ([text_pair_column] if text_pair_column else [])
    extra = [c for c in (label_column, id_column) if c]
    columns = list(dict.fromkeys(texts + extra))
    if fmt in ("csv", "tsv"):
        chunks = _csv_chunks(path, columns, chunk_size, encoding, "," if fmt == "csv" else "\t")
    elif fmt == "jsonl":
        chunks = _jsonl_chunks(path, columns, chunk_size, encoding)
    else:
        chunks = _table_chunks(path, fmt, columns, chunk_size, split)
    for frame, where in chunks:
        for col in texts:
            values = frame[col].tolist()
            bad = next((i for i, v in enumerate(values) if _blank(v)), None)
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
    train = _read_all(path, **kw)
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
    elif fmt == "hf" and (path / "dataset_dict.json").is_file():
        splits = json.loads((path / "dataset_dict.json").read_text()).get("splits", [])
        if "test" in splits:
            test_frame = _read_all(path, split="test", **kw)
    y_train = _labels(train["label"].to_numpy())
    y_test = None if test_frame is None else _labels(test_frame["label"].to_numpy())
    classes = np.unique(y_train if y_test is None else np.concatenate([y_train, y_test]))
    names = [str(c) for c in classes]
    if fmt == "hf":  # a ClassLabel column carries the class names
        feature = _hf_dataset(path, None).features.get(label_column)
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
