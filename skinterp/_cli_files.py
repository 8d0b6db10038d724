"""``skinterp fit / evaluate / explain`` on files of one's own: the options that say how to
read a data file, explaining every row of one (``explain --input FILE --output OUT``), and
opening a model folder (``skinterp fit``'s or a Hugging Face ``save_pretrained`` one)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from ._names import FORMATS

MODEL_FILE = "model.safetensors"
META_FILE = "run.json"

__all__ = [
    "META_FILE",
    "MODEL_FILE",
    "add_file_options",
    "columns_of",
    "explain_file",
    "load_data_file",
    "load_model_dir",
    "plain_params",
    "read_run_meta",
    "test_option",
]


def columns_of(args: argparse.Namespace, meta: dict | None = None) -> dict:
    """How to read a data file: the command's options, else the model's training file's."""
    saved = (meta or {}).get("data", {}).get("columns", {})
    out = {}
    for key, default in (
        ("text_column", "text"),
        ("text_pair_column", None),
        ("label_column", "label"),
        ("encoding", "utf-8"),
    ):
        value = getattr(args, key, None)
        out[key] = value if value is not None else saved.get(key, default)
    out["format"] = getattr(args, "format", None)
    return out


def load_data_file(args: argparse.Namespace, test: Any = None) -> Any:
    from .datasets import load_file

    seed = getattr(args, "seed", 0)
    return load_file(args.data, test=test, random_state=seed, split=args.split, **columns_of(args))


def test_option(value: str | None) -> Any:
    """--test: a share such as 0.2, or a file."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return value


def add_file_options(parser: argparse.ArgumentParser, *, labels: bool = True) -> None:
    """The options that say how to read a data file of one's own."""
    g = parser.add_argument_group("your own data file (CSV, TSV, JSON Lines, Parquet, HF folder)")
    g.add_argument("--text-column", default=None, help="default: text")
    g.add_argument("--text-pair-column", default=None, help="a second text column (pairs)")
    if labels:
        g.add_argument("--label-column", default=None, help="default: label")
    g.add_argument("--format", default=None, choices=FORMATS, help="default: from the suffix")
    g.add_argument("--encoding", default=None, help="default: utf-8")
    g.add_argument(
        "--split",
        default=None,
        help="a split of a save_to_disk folder (default: train; "
        "evaluate: test when the folder has one)",
    )


def explain_file(args: argparse.Namespace, clf: Any, meta: dict) -> int:
    """--input FILE --output OUT: every row of a file, streamed in chunks."""
    from .corpus import explain_corpus

    if not (args.input and args.output):
        raise ValueError("--input and --output go together (a file in, a .parquet/.jsonl out).")
    if args.texts or args.html:
        raise ValueError("--input explains a file; pass no texts and no --html with it.")
    cols = columns_of(args, meta)
    client, cluster = args.dask, None
    if args.dask == "local":  # a Dask cluster on this machine, one worker process per core
        from distributed import Client, LocalCluster

        cluster = LocalCluster(threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
    start = time.perf_counter()
    try:
        out = explain_corpus(
            clf,
            args.input,
            args.output,
            explainer=args.explainer,
            k=args.k,
            chunk_size=args.chunk_size,
            text_column=cols["text_column"],
            text_pair_column=cols["text_pair_column"],
            id_column=args.id_column,
            format=cols["format"],
            encoding=cols["encoding"],
            split=args.split,
            client=client,
            on_empty=args.on_empty,
            overwrite=args.force,
        )
    except (FileExistsError, ValueError) as exc:  # say the command line's flag, not Python's
        raise type(exc)(str(exc).replace("overwrite=True (--force)", "--force")) from None
    finally:
        if cluster is not None:
            client.close()
            cluster.close()
    print(f"explanations: {out} ({time.perf_counter() - start:.0f} s)")
    return 0


def load_model_dir(folder: str | Path) -> tuple[Any, dict]:
    """The estimator and the metadata of a folder written by ``skinterp fit``, or of a
    fine-tuned Hugging Face sequence classifier's ``save_pretrained`` folder
    (``from_transformers``)."""
    from . import load

    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder; train one with `skinterp fit`.")
    hf_folder = (folder / "config.json").is_file() and not (folder / "skinterp.json").exists()
    if hf_folder or not (folder / MODEL_FILE).is_file():
        if hf_folder:  # a Hugging Face save_pretrained folder
            from . import from_transformers

            return from_transformers(folder), {"method": "transformers", "backbone": str(folder)}
        raise FileNotFoundError(
            f"{folder} holds no {MODEL_FILE}: not a folder written by `skinterp fit --out` "
            "(nor a Hugging Face save_pretrained folder with a config.json)."
        )
    meta = {}
    if (folder / META_FILE).is_file():
        meta = read_run_meta(folder / META_FILE)
    return load(folder), meta


def read_run_meta(path: Path) -> dict:
    """``run.json`` of ``skinterp fit`` as data: an object of plain values, the names used
    on the command line strings, or an error naming the file and key."""
    from .core._safe_load import read_json_object

    meta = read_json_object(path)
    for key in ("estimator", "method", "dataset"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            raise ValueError(f"{path}: {key}: expected a string, got {type(meta[key]).__name__}.")
    for key in ("classes", "target_names"):
        if meta.get(key) is not None and not isinstance(meta[key], list):
            raise ValueError(f"{path}: {key}: expected a list, got {type(meta[key]).__name__}.")
    data = meta.get("data") or {}
    columns = (data.get("columns") or {}) if isinstance(data, dict) else None
    if not isinstance(columns, dict) or not all(
        v is None or isinstance(v, str) for v in columns.values()
    ):
        raise ValueError(f"{path}: data.columns: expected an object of column names.")
    return meta


def plain_params(clf: Any) -> dict:
    """Every constructor parameter of ``clf``, as JSON (objects by their repr)."""
    out = {}
    for key, value in sorted(clf.get_params(deep=False).items()):
        if key.startswith("_"):
            continue
        try:
            json.dumps(value)
            out[key] = value
        except TypeError:
            out[key] = list(value) if isinstance(value, tuple) else repr(value)
    return out
