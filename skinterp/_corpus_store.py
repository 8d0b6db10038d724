"""What a corpus run reads and writes and how it is recognised after a kill: the input in
chunks, finished chunks as parts switched in by one rename, the merge, and a resume identity
from stable content (the model's content hash, the input's SHA-256, the settings), never from an
in-memory object."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from .datasets import iter_file

__all__ = ["model_identity"]


def model_identity(estimator: Any) -> str:
    """A stable identity of a fitted model's content: equal for two loads of one saved model,
    in any process. skinterp estimators (also inside a ``Pipeline``) hash their weights,
    tokenizer and parameters; any other scikit-learn model is hashed with ``joblib.hash``."""
    import joblib
    from sklearn.pipeline import Pipeline

    from .core import content_hash

    if isinstance(estimator, Pipeline):
        return joblib.hash([(name, model_identity(step)) for name, step in estimator.steps])
    if hasattr(estimator, "module_") and hasattr(estimator, "tokenizer_"):
        return content_hash(estimator)
    try:
        return joblib.hash(estimator)
    except Exception:  # an unpicklable model: compare its type only
        return type(estimator).__name__


def _source_identity(source: Any) -> Any:
    """Path, size and SHA-256 of a file (or of a folder's files); a DataFrame's content hash;
    None for an iterable (it can be read only once: resumed by position)."""
    import hashlib

    import joblib

    if isinstance(source, str | os.PathLike) and Path(source).exists():
        path = Path(source)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        digest = hashlib.sha256()
        for f in files:
            digest.update(f.relative_to(path).as_posix().encode() if path.is_dir() else b"")
            with open(f, "rb") as fh:
                for block in iter(lambda fh=fh: fh.read(2**20), b""):
                    digest.update(block)
        return {"path": str(path.resolve()), "sha256": digest.hexdigest()}
    if isinstance(source, pd.DataFrame):
        return {"dataframe": joblib.hash(source)}
    return None


def _fingerprint(estimator, source, settings: dict) -> dict:
    """What a resumed run must share with the interrupted one: stable content only."""
    out = dict(settings)
    out["model"] = model_identity(estimator)
    identity = _source_identity(source)
    if identity is not None:
        out["source"] = identity
    return out


def _write_part(frame: pd.DataFrame, path: Path, kind: str) -> None:
    tmp = path.with_suffix(".tmp")
    if kind == "parquet":
        frame.to_parquet(tmp, index=False)
    else:
        frame.to_json(tmp, orient="records", lines=True, force_ascii=False)
    os.replace(tmp, path)  # a part exists only when it is complete


def _merge(parts: list[Path], output: Path, kind: str) -> None:
    tmp = output.with_name(output.name + ".tmp")
    if kind == "parquet":
        import pyarrow.parquet as pq

        writer = None
        for part in parts:
            table = pq.read_table(part)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table.cast(writer.schema))
        if writer is not None:
            writer.close()
    else:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as fh:
                    shutil.copyfileobj(fh, out)
    os.replace(tmp, output)


def _frames_of(source, chunk_size: int, read: dict) -> tuple[Iterator[pd.DataFrame], int | None]:
    """Chunks of a file, DataFrame or iterable of texts as frames with a ``text`` column, and
    the number of texts when it is known up front."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.suffix.lower() in (".parquet", ".pq") and path.is_file():
            import pyarrow.parquet as pq

            total = pq.ParquetFile(path).metadata.num_rows
        else:  # one quick pass to count the rows, so that the bar shows an ETA
            total = sum(len(f) for f in iter_file(path, chunk_size=50_000, **read))
        return iter_file(path, chunk_size=chunk_size, **read), total
    if isinstance(source, pd.DataFrame):
        col = read.get("text_column", "text")
        if col not in source:
            raise ValueError(f"the DataFrame has no column {col!r} (it has: {list(source)}).")
        frame = pd.DataFrame({"text": source[col].tolist()})
        if read.get("id_column"):
            frame["id"] = source[read["id_column"]].to_numpy()
        parts = (frame.iloc[i : i + chunk_size] for i in range(0, len(frame), chunk_size))
        return parts, len(frame)
    if isinstance(source, str | bytes) or not isinstance(source, Iterable):
        raise TypeError(
            "source must be a file path, a pandas or dask DataFrame or an iterable of texts, "
            f"got {type(source).__name__}."
        )
    total = len(source) if hasattr(source, "__len__") else None
    it = iter(source)
    chunks = iter(lambda: list(itertools.islice(it, chunk_size)), [])
    return (pd.DataFrame({"text": pd.Series(c, dtype=object)}) for c in chunks), total
