"""What the parameters of a saved model may be: the checks of ``skinterp.json``'s ``params``.

A parameter must be one the estimator class knows; a parameter holding a class names one of
the exact classes of :func:`allowed_classes`, looked up in a table (nothing is imported by
name); a ``<name>__<arg>`` parameter only an argument that class's signature takes; values are
plain JSON that can do no harm (:func:`_check_value`), and sizes cannot make building the model
slow or large (:func:`check_sizes`). The rest of the folder is checked in :mod:`._safe_load`.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import numpy as np

from ._safe_load import INIT_FROM_DIR, WEIGHTS, ModelFileError, _fail, _plain, check_hf_config

__all__ = ["allowed_classes", "check_params", "check_shapes", "check_sizes", "read_weights"]


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


def read_weights(folder: Path) -> tuple[dict, dict]:
    """The tensors of the weights file and their shapes, or an error naming the file."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    path = folder / WEIGHTS
    try:
        with safe_open(str(path), framework="pt") as fh:
            shapes = {k: tuple(fh.get_slice(k).get_shape()) for k in fh.keys()}
        return shapes, load_file(str(path))
    except Exception as exc:  # SafetensorError, OSError from mmap: both mean a broken file
        raise ModelFileError(
            f"{path}: not a readable safetensors file (truncated or corrupted?): {exc}"
        ) from None


def check_shapes(est: Any, shapes: dict, folder: Path) -> None:
    """Build the module on the meta device (no memory) and compare every weight's shape with
    the file's, so that parameters cannot make ``load`` allocate more than the file holds."""
    import torch

    from ._backbone import build_backbone

    with torch.device("meta"):
        encoder, _ = build_backbone(est, est.tokenizer_, est.seed_)
        module = est._build_module(encoder, len(est.classes_))
    want = {k: tuple(v.shape) for k, v in module.state_dict().items()}
    saved = {k: v for k, v in shapes.items() if "::" not in k}
    for key in sorted(set(want) | set(saved)):
        if want.get(key) != saved.get(key):
            raise ModelFileError(
                f"{folder}: {WEIGHTS}: tensor {key!r} has shape {saved.get(key)} but the model "
                f"described by skinterp.json needs {want.get(key)}."
            )
