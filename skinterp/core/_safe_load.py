"""What a saved model folder may hold: the checks ``load`` runs before it builds anything.

A model folder is data written by someone else, so ``load`` treats ``skinterp.json`` as
untrusted input (the threat model is in ``docs/robustness.md``):

- every top-level key and every fitted value has a type and a range, checked here with an
  error naming the file and the key;
- the parameters are checked in :mod:`._safe_params` (an allow-list of classes, names the
  estimator knows, plain values, sizes);
- files are read only inside the folder, only under the names ``save`` writes, and (format 3
  on) only when their SHA-256 matches the one recorded at save.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "MAX_NESTING",
    "ModelFileError",
    "check_files",
    "check_meta",
    "check_optimizer_tag",
    "file_hashes",
    "read_json_object",
    "read_meta",
]

#: How many ``init_from`` models may be nested inside each other.
MAX_NESTING = 8
#: The largest ``skinterp.json`` read (a vocabulary of a million words takes ~20 MB).
MAX_META_BYTES = 256 * 2**20
#: Sub-folders and files ``save`` writes; nothing else is ever read.
WEIGHTS = "model.safetensors"
TOKENIZER_DIRS = ("tokenizer", "tokenizer_param")
INIT_FROM_DIR = "init_from"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_PLAIN = (bool, int, float, str, type(None))


class ModelFileError(ValueError):
    """A saved model folder is malformed, tampered with, corrupted or not allowed to load."""


def _fail(where: Path, key: str, message: str) -> ModelFileError:
    return ModelFileError(f"{where}: {key}: {message}")


def read_meta(folder: Path) -> tuple[Path, dict]:
    """``skinterp.json`` of ``folder`` as a dict, or an error naming what is wrong with it."""
    path = folder / "skinterp.json"
    if not path.is_file():
        raise FileNotFoundError(f"{folder} holds no skinterp.json: not a saved skinterp model.")
    _inside(folder, path, "skinterp.json")
    size = path.stat().st_size
    if size > MAX_META_BYTES:
        raise _fail(path, "file", f"{size} bytes, more than the {MAX_META_BYTES} a model writes.")
    return path, read_json_object(path, ModelFileError)


def read_json_object(path: Path, error: type[ValueError] = ValueError) -> dict:
    """A JSON file that must hold one object, or ``error`` naming the file and what is wrong
    (unreadable, not JSON, bad UTF-8, nested too deeply, or another JSON value)."""
    try:
        value = json.loads(path.read_bytes())
    except OSError as exc:
        raise error(f"{path}: file: cannot be read ({exc}).") from None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, deep nesting
        raise error(f"{path}: file: not valid JSON ({exc}).") from None
    if not isinstance(value, dict):
        raise error(f"{path}: file: a JSON object expected, got {type(value).__name__}.")
    return value


def _plain(value: Any, path: Path, key: str, depth: int = 0) -> None:
    """JSON values only (no spec can smuggle a class or a path through a plain value)."""
    if depth > 32:
        raise _fail(path, key, "nested too deeply.")
    if isinstance(value, _PLAIN):
        return
    if isinstance(value, list):
        for i, v in enumerate(value):
            _plain(v, path, f"{key}[{i}]", depth + 1)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _plain(v, path, f"{key}.{k}", depth + 1)
        return
    raise _fail(path, key, f"unexpected {type(value).__name__}.")


def _typed(meta: dict, key: str, types: tuple, path: Path, *, required: bool = True) -> Any:
    if key not in meta:
        if required:
            raise _fail(path, key, "missing.")
        return None
    value = meta[key]
    if isinstance(value, bool) and bool not in types:
        raise _fail(path, key, f"expected {_names(types)}, got a bool.")
    if not isinstance(value, types):
        raise _fail(path, key, f"expected {_names(types)}, got {type(value).__name__}.")
    return value


def _names(types: tuple) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true/false",
        type(None): "null",
    }
    return " or ".join(names.get(t, t.__name__) for t in types)


def check_meta(meta: dict, path: Path, classes: dict, fmt: str, version: int) -> type:
    """Check every top-level key of ``skinterp.json``; returns the estimator class."""
    if meta.get("format") != fmt:
        raise ModelFileError(
            f"{path} is not a skinterp model file (format {meta.get('format')!r})."
        )
    v = _typed(meta, "format_version", (int,), path)
    if v > version:
        raise ModelFileError(
            f"{path.parent} was saved by a newer skinterp (format {v}); upgrade skinterp to "
            "load it."
        )
    if v < 1:
        raise _fail(path, "format_version", f"{v} is not a format version.")
    name = _typed(meta, "class", (str,), path)
    if name not in classes:
        raise _fail(
            path, "class", f"{name!r} is not a skinterp estimator (known: {sorted(classes)})."
        )
    cls = classes[name]
    for key in ("skinterp", "torch"):
        _typed(meta, key, (str,), path, required=False)
    _typed(meta, "params", (dict,), path)
    _check_fitted(_typed(meta, "fitted", (dict,), path), path, cls)
    _check_tokenizer(_typed(meta, "tokenizer", (dict,), path), path)
    optimizers = _typed(meta, "optimizers", (dict, type(None)), path, required=False) or {}
    for opt, spec in optimizers.items():
        key = f"optimizers.{opt}"
        if not isinstance(spec, dict):
            raise _fail(path, key, "expected an object.")
        groups = _typed(spec, "param_groups", (list,), path)
        if not all(isinstance(g, dict) for g in groups):
            raise _fail(path, f"{key}.param_groups", "expected a list of objects.")
        _plain(groups, path, f"{key}.param_groups")
        scalars = _typed(spec, "scalars", (dict,), path)
        _plain(scalars, path, f"{key}.scalars")
        for tag in scalars:
            check_optimizer_tag(tag, path, f"{key}.scalars")
    config = _typed(meta, "transformer_config", (dict, type(None)), path, required=False)
    if config is not None:
        check_hf_config(config, path, "transformer_config")
    history = _typed(meta, "history", (list, type(None)), path, required=False) or []
    if not all(isinstance(h, dict) for h in history):
        raise _fail(path, "history", "expected a list of objects (one per epoch).")
    _plain(history, path, "history")
    if v >= 3:
        files = _typed(meta, "files", (dict,), path)
        for rel, digest in files.items():
            if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
                raise _fail(path, f"files.{rel}", "expected a SHA-256 hex digest.")
        if WEIGHTS not in files:
            raise _fail(path, "files", f"{WEIGHTS} is not listed with its SHA-256.")
    return cls


def check_optimizer_tag(tag: str, path: Path, key: str) -> None:
    parts = tag.split("::", 3)
    if len(parts) != 4 or parts[0] != "optimizer" or not parts[2].isdigit():
        raise _fail(path, key, f"{tag!r} is not an optimizer::NAME::INDEX::KEY entry.")


def check_hf_config(config: dict, path: Path, key: str) -> None:
    """A transformer config as data: a built-in model type, no remote code."""
    if not isinstance(config.get("model_type"), str) or not config["model_type"]:
        raise _fail(path, f"{key}.model_type", "missing or not a string.")
    for name in ("auto_map", "quantization_config", "trust_remote_code"):
        if name in config:
            raise _fail(path, f"{key}.{name}", "names remote code; a saved model may not.")
    for name in ("attn_implementation", "_attn_implementation"):
        if config.get(name) not in (None, "eager", "sdpa"):
            raise _fail(
                path, f"{key}.{name}", "only 'eager' or 'sdpa' load (others fetch kernels)."
            )
    _plain(config, path, key)


def _check_fitted(fitted: dict, path: Path, cls: type) -> None:

    classes = _typed(fitted, "classes", (list,), path)
    if len(classes) < 2 or not all(isinstance(c, (str, int, float, bool)) for c in classes):
        raise _fail(path, "fitted.classes", "expected a list of at least two labels.")
    dtype = _typed(fitted, "classes_dtype", (str,), path)
    if dtype != "object":
        try:
            kind = np.dtype(dtype).kind
        except TypeError:
            kind = None
        if kind not in tuple("biufUS"):
            raise _fail(path, "fitted.classes_dtype", f"{dtype!r} is not a label dtype.")
    if len({repr(c) for c in classes}) != len(classes):
        raise _fail(path, "fitted.classes", "labels repeat.")
    kinds = {
        "seed_": (int, type(None)),
        "input_kind_": (str, type(None)),
        "embedding_coverage_": (int, float, type(None)),
        "started_from_fitted_": (bool, type(None)),
    }
    for name in cls._fitted_values:
        _typed(fitted, name, kinds.get(name, _PLAIN), path, required=False)
    if fitted.get("input_kind_") not in (None, "text", "pair"):
        raise _fail(path, "fitted.input_kind_", "expected 'text' or 'pair'.")
    dim = _typed(fitted, "embedding_dim", (int,), path)
    if dim < 0:
        raise _fail(path, "fitted.embedding_dim", f"{dim} is negative.")
    arrays = _typed(fitted, "arrays", (dict,), path)
    for name, dt in arrays.items():
        if name not in cls._fitted_arrays:
            raise _fail(path, f"fitted.arrays.{name}", f"{cls.__name__} has no such array.")
        try:
            ok = isinstance(dt, str) and np.dtype(dt).kind in "biuf"
        except TypeError:
            ok = False
        if not ok:
            raise _fail(path, f"fitted.arrays.{name}", f"{dt!r} is not a numeric dtype.")


def _check_tokenizer(tok: dict, path: Path) -> None:
    kind = tok.get("kind")
    if kind == "hf":
        if tok.get("dir") != "tokenizer":
            raise _fail(path, "tokenizer.dir", "must be 'tokenizer' (the folder save writes).")
    elif kind == "word":
        _typed(tok, "lowercase", (bool,), path)
        _typed(tok, "min_freq", (int,), path)
        _typed(tok, "max_vocab", (int, type(None)), path)
        itos = _typed(tok, "itos", (list,), path)
        if len(itos) < 4 or not all(isinstance(w, str) for w in itos):
            raise _fail(path, "tokenizer.itos", "expected the vocabulary as a list of words.")
    else:
        raise _fail(path, "tokenizer.kind", f"{kind!r} is not 'word' or 'hf'.")
    length = _typed(tok, "max_length", (int,), path)
    if length < 2:
        raise _fail(path, "tokenizer.max_length", f"{length} is below 2.")


def _inside(folder: Path, path: Path, key: str) -> Path:
    """``path`` resolved, refused unless it lies inside ``folder`` (links followed)."""
    try:
        root = folder.resolve()
        real = path.resolve()
    except (OSError, RuntimeError) as exc:  # a link loop
        raise ModelFileError(f"{folder}: {key} cannot be resolved ({exc}).") from None
    if real != root and root not in real.parents:
        raise ModelFileError(f"{folder}: {key} leads outside the model folder ({real}).")
    return real


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file ``save`` wrote under ``folder`` (``skinterp.json`` excepted)."""
    paths = [folder / WEIGHTS]
    for sub in (*TOKENIZER_DIRS, INIT_FROM_DIR):
        paths += sorted((folder / sub).rglob("*"))
    return {p.relative_to(folder).as_posix(): _sha256(p) for p in paths if p.is_file()}


def check_files(folder: Path, meta: dict, version: int) -> None:
    """Every file ``load`` will read lies inside ``folder``, under a name ``save`` writes, and
    (format 3 on) has the SHA-256 recorded at save."""
    path = folder / "skinterp.json"
    reads = [folder / WEIGHTS]
    for sub in TOKENIZER_DIRS:
        d = folder / sub
        if d.exists():
            _inside(folder, d, sub)
            if not d.is_dir():
                raise _fail(path, sub, "is not a folder.")
            reads += [p for p in d.iterdir()]
    for p in reads:
        rel = p.relative_to(folder).as_posix()
        if not p.is_file():
            if rel == WEIGHTS:
                raise ModelFileError(f"{folder}: {WEIGHTS} is missing.")
            raise _fail(path, rel, "is not a file.")
        _inside(folder, p, rel)
    if version < 3:
        return  # older formats recorded no hashes: the weights are checked by safetensors only
    files = meta["files"]
    for p in reads:
        rel = p.relative_to(folder).as_posix()
        if rel not in files:
            raise ModelFileError(
                f"{folder}: {rel} is not listed in skinterp.json 'files'; it was added after "
                "save. Remove it to load the model."
            )
    for rel, digest in files.items():
        if rel.startswith(("/", "\\")) or ".." in Path(rel).parts or ":" in rel:
            raise _fail(path, f"files.{rel}", "is not a path inside the model folder.")
        p = folder / rel
        if not p.is_file():
            raise ModelFileError(f"{folder}: {rel} (listed in skinterp.json 'files') is missing.")
        _inside(folder, p, f"files.{rel}")
        if _sha256(p) != digest:
            raise ModelFileError(
                f"{folder}: {rel} does not match the SHA-256 recorded when the model was saved "
                "(the file is corrupted, truncated or was changed after save)."
            )
