"""What a saved model folder may hold: the checks ``load`` runs before it builds anything.

A model folder is data written by someone else, so ``load`` treats ``skinterp.json`` as
untrusted input (the threat model is in ``docs/robustness.md``):

- every top-level key and every fitted value has a type and a range, checked here with an
  error naming the file and the key;
- a parameter must be one the estimator class knows; a parameter holding a class names one
  of the exact classes of :func:`allowed_classes`, looked up in a table (nothing is imported
  by name), and a ``<name>__<arg>`` parameter only an argument that class's signature takes;
- files are read only inside the folder, only under the names ``save`` writes, and (format 3
  on) only when their SHA-256 matches the one recorded at save.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "MAX_NESTING",
    "ModelFileError",
    "allowed_classes",
    "check_files",
    "check_meta",
    "check_optimizer_tag",
    "check_params",
    "check_sizes",
    "file_hashes",
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


def allowed_classes() -> dict[str, tuple[type, dict[str, type]]]:
    """For each parameter that holds a class: its expected base and the exact classes allowed,
    by the dotted name ``save`` writes."""
    from torch import nn, optim
    from torch.utils.data import DataLoader

    losses = (nn.CrossEntropyLoss, nn.NLLLoss, nn.MultiMarginLoss)
    optimizers = (
        optim.SGD,
        optim.Adam,
        optim.AdamW,
        optim.Adagrad,
        optim.Adadelta,
        optim.Adamax,
        optim.NAdam,
        optim.RAdam,
        optim.RMSprop,
        optim.Rprop,
        optim.ASGD,
    )

    def table(classes):
        return {f"{c.__module__}.{c.__qualname__}": c for c in classes}

    return {
        "criterion": (nn.modules.loss._Loss, table(losses)),
        "optimizer": (optim.Optimizer, table(optimizers)),
        "iterator_train": (DataLoader, table([DataLoader])),
        "iterator_valid": (DataLoader, table([DataLoader])),
    }


# arguments of an allowed class that take objects (or the data itself), never a saved value
_NOT_FROM_FILE = {
    "self",
    "params",
    "dataset",
    "sampler",
    "batch_sampler",
    "collate_fn",
    "worker_init_fn",
    "generator",
    "multiprocessing_context",
}


def read_meta(folder: Path) -> tuple[Path, dict]:
    """``skinterp.json`` of ``folder`` as a dict, or an error naming what is wrong with it."""
    path = folder / "skinterp.json"
    if not path.is_file():
        raise FileNotFoundError(f"{folder} holds no skinterp.json: not a saved skinterp model.")
    _inside(folder, path, "skinterp.json")
    size = path.stat().st_size
    if size > MAX_META_BYTES:
        raise _fail(path, "file", f"{size} bytes, more than the {MAX_META_BYTES} a model writes.")
    try:
        meta = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, deep nesting
        raise _fail(path, "file", f"not valid JSON ({exc}).") from None
    if not isinstance(meta, dict):
        raise _fail(path, "file", f"a JSON object expected, got {type(meta).__name__}.")
    return path, meta


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
    import numpy as np

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


# which encodings each parameter may use ("value"/"tuple": plain data, always allowed)
_SPEC_OWNERS = {
    "hf_config": {"pretrained"},
    "hf_tokenizer": {"tokenizer"},
    "vectors": {"embeddings"},
    "estimator": {"init_from"},
    "dropped": {"embeddings", "init_from"},
}
# skorch parameters whose only saved values can be these (objects are refused at save)
_FIXED = {
    "callbacks": (None, "disable", []),
    "train_split": (None,),
    "predict_nonlinearity": ("auto", None),
}


def check_params(specs: dict, path: Path, cls: type) -> None:
    """Every saved parameter is one ``cls`` knows, encoded the way ``save`` encodes it."""
    known = set(cls()._get_param_names())
    allowed = allowed_classes()
    for name, spec in specs.items():
        key = f"params.{name}"
        if not isinstance(spec, dict) or len(set(spec) - {"frozen", "words"}) != 1:
            raise _fail(path, key, "expected one encoding, e.g. {'value': ...}.")
        (kind,) = set(spec) - {"frozen", "words"}
        prefix, sep, arg = name.partition("__")
        if sep:
            if prefix not in allowed or "__" in arg:
                raise _fail(
                    path,
                    key,
                    f"only arguments of {sorted(allowed)} may be saved as NAME__ARG parameters.",
                )
            cls_spec = specs.get(prefix, {})
            target = (
                allowed[prefix][1].get(cls_spec.get("class"))
                if isinstance(cls_spec, dict) and "class" in cls_spec
                else cls().get_params()[prefix]
            )
            if target is None:  # reported for the parameter itself below
                continue
            accepted = _arguments(target)
            if arg not in accepted:
                raise _fail(
                    path, key, f"{target.__name__} takes no argument {arg!r} from a model file."
                )
        elif name not in known:
            raise _fail(path, key, f"{cls.__name__} has no parameter {name!r}.")
        if kind in ("value", "tuple"):
            value = spec[kind]
            _check_value(name, value, path, key)
            if kind == "tuple" and not isinstance(value, list):
                raise _fail(path, key, "a tuple is saved as a list.")
            _plain(value, path, key)
            if name in _FIXED and value not in _FIXED[name]:
                raise _fail(path, key, f"{value!r} cannot be loaded (allowed: {_FIXED[name]}).")
            if name in allowed and value is not None:
                raise _fail(path, key, "expected a class entry {'class': ...}.")
        elif kind == "class":
            if name not in allowed:
                raise _fail(path, key, "this parameter does not hold a class.")
            base, table = allowed[name]
            target = table.get(spec["class"]) if isinstance(spec["class"], str) else None
            if target is None or not issubclass(target, base):
                raise _fail(
                    path,
                    key,
                    f"{spec['class']!r} is not allowed; a saved model may name {sorted(table)}.",
                )
        elif kind in _SPEC_OWNERS:
            if name not in _SPEC_OWNERS[kind]:
                raise _fail(path, key, f"a {kind!r} entry is not allowed for this parameter.")
            _check_spec(kind, spec, path, key)
        else:
            raise _fail(path, key, f"unknown encoding {kind!r}.")


_DEVICE = re.compile(r"(cpu|cuda|mps|xpu)(:\d{1,3})?")


def _check_value(name: str, value: Any, path: Path, key: str) -> None:
    """Plain values that would still do harm: a device that drops the weights (``meta``),
    worker counts that spawn processes on predict, torch loading that runs pickles."""
    if name == "device" and value is not None and not _DEVICE.fullmatch(str(value)):
        raise _fail(path, key, f"{value!r} is not a device (cpu, cuda, cuda:N, mps).")
    if name.endswith("__num_workers") and (not isinstance(value, int) or not 0 <= value <= 32):
        raise _fail(path, key, f"{value!r} worker processes: a saved model may ask for 0-32.")
    if name == "torch_load_kwargs" and value is not None:
        if not isinstance(value, dict) or value.get("weights_only") is False:
            raise _fail(path, key, "weights_only=False would let torch run pickled code.")


def check_sizes(params: dict, meta: dict, shapes: dict, path: Path) -> None:
    """Sizes that make *building* the model slow or large before its weights' shapes can be
    compared: more layers or filters than the weights file has tensors, a transformer larger
    than the file's numbers."""
    n_tensors = max(len(shapes), 1)
    total = sum(int(np.prod(s)) for s in shapes.values())
    for name in ("filter_sizes", "num_layers"):
        spec = params.get(name, {})
        value = spec.get("tuple", spec.get("value")) if isinstance(spec, dict) else None
        count = len(value) if isinstance(value, list) else value
        if isinstance(count, int) and count > n_tensors:
            raise _fail(
                path, f"params.{name}", f"{count} is more than the {n_tensors} tensors saved."
            )
    configs = [("transformer_config", meta.get("transformer_config"))]
    spec = params.get("pretrained", {})
    if isinstance(spec, dict) and isinstance(spec.get("hf_config"), dict):
        configs.append(("params.pretrained", spec["hf_config"]))
    for key, config in configs:
        if not isinstance(config, dict):
            continue
        ints = {
            k: v
            for k, v in config.items()
            if isinstance(v, int) and not isinstance(v, bool) and v > 0
        }
        layers, hidden = ints.get("num_hidden_layers", 1), ints.get("hidden_size", 1)
        vocab = ints.get("vocab_size", 1)
        if layers > n_tensors or layers * hidden * hidden + vocab * hidden > 2 * total:
            raise _fail(
                path,
                key,
                f"describes a model larger than {WEIGHTS} holds ({layers} layers of size "
                f"{hidden}, {vocab} tokens; the file has {total} numbers).",
            )


def _check_spec(kind: str, spec: dict, path: Path, key: str) -> None:
    value = spec[kind]
    if kind == "hf_config":
        if not isinstance(value, dict):
            raise _fail(path, key, "expected a config object.")
        check_hf_config(value, path, key)
    elif kind == "hf_tokenizer" and value != "tokenizer_param":
        raise _fail(path, key, "must name 'tokenizer_param' (the folder save writes).")
    elif kind == "vectors":
        if value != "param::embeddings":
            raise _fail(path, key, "must name the tensor 'param::embeddings'.")
        words = spec.get("words")
        if words is not None and not (
            isinstance(words, list) and all(isinstance(w, str) for w in words)
        ):
            raise _fail(path, f"{key}.words", "expected a list of words.")
    elif kind == "estimator":
        if value != INIT_FROM_DIR:
            raise _fail(path, key, f"must name {INIT_FROM_DIR!r} (the folder save writes).")
        if not isinstance(spec.get("frozen", False), bool):
            raise _fail(path, f"{key}.frozen", "expected true/false.")


def _arguments(target: type) -> set[str]:
    params = inspect.signature(target.__init__).parameters.values()
    return {
        p.name
        for p in params
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in _NOT_FROM_FILE
    }


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
