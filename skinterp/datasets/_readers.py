"""Readers of data files, one per format, each yielding chunks of rows with their line (text
formats) or row (Parquet, Hugging Face; counted from 1) for error messages."""

from __future__ import annotations

import csv
import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

__all__ = ["FORMATS", "DataFileError", "detect_format", "hf_splits", "read_chunks"]

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


def _csv_records(path, columns, encoding, delimiter):
    """(line the record starts on, the values of ``columns``) of each CSV/TSV record."""
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
        yield first[0], [row[i] for i in index]


def _jsonl_records(path, columns, encoding):
    """(line, the values of ``columns``) of each JSON Lines object."""
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
        yield n, [obj[c] for c in columns]


def _chunked(records, columns, chunk_size):
    """Records of a text format as (frame, "line N" of each row) chunks of ``chunk_size``."""
    while chunk := list(itertools.islice(records, chunk_size)):
        lines, rows = zip(*chunk, strict=True)
        yield pd.DataFrame(list(rows), columns=columns), [f"line {n}" for n in lines]


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


def hf_splits(path: str | os.PathLike) -> list[str]:
    """The splits of a ``DatasetDict`` folder (none for a single ``Dataset`` folder)."""
    meta = Path(path) / "dataset_dict.json"
    return json.loads(meta.read_text()).get("splits", []) if meta.is_file() else []


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


def read_chunks(path: Path, fmt: str, columns: list[str], chunk_size: int, encoding: str, split):
    """(frame of ``columns``, where of each row) chunks of a file in format ``fmt``."""
    if fmt in ("csv", "tsv"):
        records = _csv_records(path, columns, encoding, "," if fmt == "csv" else "\t")
        return _chunked(records, columns, chunk_size)
    if fmt == "jsonl":
        return _chunked(_jsonl_records(path, columns, encoding), columns, chunk_size)
    return _table_chunks(path, fmt, columns, chunk_size, split)
