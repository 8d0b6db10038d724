"""Save and load fitted estimators without pickle: safetensors weights + JSON.

A saved model is a folder:

- ``skinterp.json``: the estimator class, its constructor parameters, the fitted state
  (classes, seed, input kind, the word vocabulary), versions and the training history;
- ``model.safetensors``: the module's weights, the optimizer's state (so that ``fit`` with
  ``warm_start=True`` after loading continues exactly as without the round trip), fitted
  arrays such as AGN's ``tcol_`` and word-vector parameters;
- ``tokenizer/``: a Hugging Face tokenizer's own files (transformer backbones only);
- ``init_from/``: the fitted model this one started from, saved the same way.

``skinterp.json`` is written last and lists the SHA-256 of every other file (format 3).
Loading treats the folder as untrusted data (:mod:`._safe_load` and :mod:`._safe_params`
hold the checks; :mod:`._state` the optimizers' state): JSON,
tensors and tokenizer files only, no pickle, no class imported by name, no file read outside
the folder. Parameters that were objects come back as what was saved: a transformer config as
a config, a tokenizer object as the saved tokenizer, word vectors as an array (a bare matrix)
or a ``(words, matrix)`` tuple (from a tuple, dict or DataFrame), ``init_from`` as the loaded
model (wrapped in ``FrozenEstimator`` again if it was). Any other object is refused at
``save`` with a message naming the parameter: nothing comes back silently as ``None``.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..text import load_saved_hf_tokenizer, restore_tokenizer
from ._safe_load import (
    MAX_NESTING,
    WEIGHTS,
    ModelFileError,
    check_files,
    check_meta,
    check_optimizer_tag,
    file_hashes,
    read_meta,
)
from ._safe_params import allowed_classes, check_params, check_shapes, check_sizes, read_weights
from ._state import content_hash, jsonable, load_optimizers, save_optimizers

__all__ = [
    "ESTIMATOR_CLASSES",
    "ModelFileError",
    "PersistenceMixin",
    "content_hash",
    "load",
    "save",
]

FORMAT = "skinterp-model"
FORMAT_VERSION = 3
#: The estimator classes a saved model may name: skinterp's own concrete estimators, filled
#: in as they are defined (``TextClassifier.__init_subclass__``). Nothing else is loaded.
ESTIMATOR_CLASSES: dict[str, type] = {}


def _encode_vectors(value: Any, key: str, tensors: dict) -> dict | None:
    """Word vectors given as an array, a (words, matrix) tuple, a dict or a DataFrame: the
    matrix goes to the safetensors file, the words to JSON."""
    import torch

    if hasattr(value, "shape") and not hasattr(value, "index"):  # a bare array or tensor
        matrix = value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)
        tensors[key] = torch.as_tensor(np.ascontiguousarray(matrix, dtype=np.float32))
        return {"vectors": key}
    if hasattr(value, "index") and hasattr(value, "to_numpy"):  # DataFrame indexed by word
        words, matrix = list(map(str, value.index)), value.to_numpy(np.float32)
    elif isinstance(value, dict):
        words = list(map(str, value))
        matrix = np.stack([np.asarray(v, np.float32) for v in value.values()])
    elif isinstance(value, tuple) and len(value) == 2:
        words, matrix = list(map(str, value[0])), np.asarray(value[1], np.float32)
    else:
        return None
    tensors[key] = torch.as_tensor(np.ascontiguousarray(matrix))
    return {"vectors": key, "words": words}


def _encode_param(name: str, value: Any, folder: Path, tensors: dict) -> Any:
    import torch
    from transformers import PretrainedConfig, PreTrainedTokenizerBase

    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    if isinstance(value, tuple) and all(isinstance(v, (bool, int, float, str)) for v in value):
        return {"tuple": list(value)}
    if isinstance(value, list) and all(isinstance(v, (bool, int, float, str)) for v in value):
        return {"value": value}
    if isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, (bool, int, float, str, type(None)))
        for k, v in value.items()
    ):
        return {"value": value}
    if isinstance(value, type) and value.__module__.split(".")[0] == "torch":
        return {"class": f"{value.__module__}.{value.__qualname__}"}
    if isinstance(value, PretrainedConfig):
        return {"hf_config": value.to_dict()}
    if name == "pretrained" and isinstance(getattr(value, "config", None), PretrainedConfig):
        # a transformers model object: saved as its config, its weights are the module's
        return {"hf_config": value.config.to_dict()}
    if isinstance(value, PreTrainedTokenizerBase):
        value.save_pretrained(folder / "tokenizer_param")
        return {"hf_tokenizer": "tokenizer_param"}
    if name == "embeddings":
        spec = _encode_vectors(value, f"param::{name}", tensors)
        if spec is not None:
            return spec
    if name == "init_from":
        from sklearn.frozen import FrozenEstimator

        inner = value.estimator if isinstance(value, FrozenEstimator) else value
        if type(inner).__name__ in ESTIMATOR_CLASSES and hasattr(inner, "module_"):
            save(inner, folder / name, overwrite=True)
            return {"estimator": name, "frozen": isinstance(value, FrozenEstimator)}
        raise ValueError(
            f"init_from={type(value).__name__}(...) is not a fitted skinterp estimator; it "
            "cannot be saved. Use joblib.dump(estimator, path), or set_params(init_from=None) "
            "before save (its weights are in this model already)."
        )
    if isinstance(value, torch.nn.Module):
        raise ValueError(
            f"{name}={type(value).__name__}(...) is a torch module; it cannot be saved without "
            "pickle. Use joblib.dump(estimator, path) for this model."
        )
    raise ValueError(
        f"parameter {name}={value!r} cannot be saved as JSON; use joblib.dump(estimator, "
        "path) for this model, or set a plain value."
    )


def _decode_param(spec: dict, folder: Path, tensors: dict, depth: int) -> Any:
    """A parameter back from its (already checked, :func:`check_params`) encoding."""
    if "value" in spec:
        return spec["value"]
    if "tuple" in spec:
        return tuple(spec["tuple"])
    if "class" in spec:  # looked up in the allow-list, never imported by name
        name = next(n for n, (_, table) in allowed_classes().items() if spec["class"] in table)
        return allowed_classes()[name][1][spec["class"]]
    if "hf_config" in spec:
        from transformers import AutoConfig

        cfg = dict(spec["hf_config"])
        return AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    if "hf_tokenizer" in spec:
        return load_saved_hf_tokenizer(folder / spec["hf_tokenizer"])
    if "vectors" in spec:
        if spec["vectors"] not in tensors:
            raise ModelFileError(f"{folder}: {WEIGHTS} holds no tensor {spec['vectors']!r}.")
        matrix = tensors.pop(spec["vectors"]).numpy()
        if "words" in spec and len(spec["words"]) != len(matrix):
            raise ModelFileError(
                f"{folder}: params.embeddings lists {len(spec['words'])} words for "
                f"{len(matrix)} vectors."
            )
        return (list(spec["words"]), matrix) if "words" in spec else matrix
    if "estimator" in spec:
        inner = _load(folder / spec["estimator"], depth + 1)
        if spec.get("frozen"):
            from sklearn.frozen import FrozenEstimator

            return FrozenEstimator(inner)
        return inner
    return None  # "dropped": format 1 saved word vectors and init_from as nothing


class PersistenceMixin:
    """Gives skinterp estimators ``save(path)``; ``skinterp.load(path)`` is the way back."""

    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Save the fitted model to a folder: safetensors weights + JSON, no pickle.

        ``skinterp.load(path)`` gives back a model with the same predictions and
        explanations; loading runs no code the folder names. Pickle and joblib keep working
        too (but a pickle file runs code when loaded).

        Parameters
        ----------
        path : str or path
            The folder (created if needed).
        overwrite : bool, default=False
            Replace a model already saved in ``path`` (without it, that is an error, as
            ``skinterp fit`` without ``--force``).

        Returns
        -------
        Path
        """
        return save(self, path, overwrite=overwrite)


def save(estimator: Any, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write a fitted skinterp estimator to the folder ``path`` (created if needed).

    Parameters
    ----------
    estimator : fitted skinterp estimator
    path : str or path
        A folder.
    overwrite : bool, default=False
        Replace a model already saved in ``path``; without it, ``FileExistsError``.

    Returns
    -------
    Path
        The folder.
    """
    import torch
    from safetensors.torch import save_file
    from sklearn.utils.validation import check_is_fitted

    from .._version import __version__

    check_is_fitted(estimator, ["module_", "tokenizer_", "classes_"])
    cls = type(estimator).__name__
    if ESTIMATOR_CLASSES.get(cls) is not type(estimator):
        raise TypeError(f"{cls} is not one of skinterp's estimators; use joblib for it.")
    folder = Path(path)
    if (folder / "skinterp.json").exists() and not overwrite:
        raise FileExistsError(
            f"{folder} already holds a saved model; pass overwrite=True to replace it."
        )
    folder.mkdir(parents=True, exist_ok=True)
    for sub in ("tokenizer", "tokenizer_param", "init_from"):  # a previous save's, if any
        if (folder / sub).is_dir():
            shutil.rmtree(folder / sub)
    state = {k: v.detach().cpu().contiguous() for k, v in estimator.module_.state_dict().items()}
    params = {
        name: _encode_param(name, value, folder, state)
        for name, value in estimator.get_params(deep=False).items()
        if not name.startswith("_")  # skorch's own bookkeeping (_params_to_validate)
    }
    tokenizer = estimator.tokenizer_.save_state(folder)
    optimizers = save_optimizers(estimator, state)
    arrays = {}
    for name in estimator._fitted_arrays:
        if hasattr(estimator, name):
            state[f"fitted::{name}"] = torch.as_tensor(np.asarray(getattr(estimator, name)))
            arrays[name] = str(np.asarray(getattr(estimator, name)).dtype)
    encoder = estimator.module_.encoder
    model = getattr(encoder, "model", None)
    classes = np.asarray(estimator.classes_)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "class": cls,
        "skinterp": __version__,
        "torch": torch.__version__,
        "params": params,
        "fitted": {
            "classes": jsonable(classes.tolist()),
            "classes_dtype": classes.dtype.str if classes.dtype.kind != "O" else "object",
            **{name: getattr(estimator, name, None) for name in estimator._fitted_values},
            "embedding_dim": int(getattr(encoder, "embedding_dim", 0) or 0),
            "arrays": arrays,
        },
        "tokenizer": tokenizer,
        "optimizers": optimizers,
        # the module's own config (e.g. with num_hidden_layers already cut) rebuilds it
        "transformer_config": None if model is None else model.config.to_dict(),
        "history": jsonable(list(estimator.history)),
    }
    save_file(state, str(folder / WEIGHTS), metadata={"format": FORMAT})
    # the hashes of everything written, then the description last, in one rename: a folder
    # whose save was interrupted fails its hash check instead of loading other weights
    meta["files"] = file_hashes(folder)
    tmp = folder / "skinterp.json.tmp"
    tmp.write_text(json.dumps(jsonable(meta), indent=1) + "\n")
    os.replace(tmp, folder / "skinterp.json")
    return folder


def load(path: str | os.PathLike):
    """Load a model written by ``estimator.save(path)``: the folder is read as data only.

    No code named by the folder runs: ``skinterp.json`` is checked key by key (classes come
    from an allow-list, parameters must be ones the estimator knows), only files inside the
    folder under the names ``save`` writes are read, their SHA-256 must match the one recorded
    at save (format 3 on), and the weights' shapes must match the model before memory is
    allocated for it. The threat model is in ``docs/robustness.md``.

    Parameters
    ----------
    path : str or path
        The folder.

    Returns
    -------
    estimator
        Fitted, with the same predictions and explanations as the one saved.

    Raises
    ------
    FileNotFoundError
        The folder holds no ``skinterp.json``.
    ModelFileError
        (a ``ValueError``) The folder is malformed, corrupted, tampered with or names
        something that may not load; the message names the file and the key.
    """
    return _load(Path(path), 0)


def _load(folder: Path, depth: int):
    import torch
    from skorch.history import History

    if depth > MAX_NESTING:
        raise ModelFileError(
            f"{folder}: init_from models nested more than {MAX_NESTING} deep; refusing to load."
        )
    import importlib

    importlib.import_module("skinterp.methods")  # the methods register their classes
    meta_path, meta = read_meta(folder)
    cls = check_meta(meta, meta_path, ESTIMATOR_CLASSES, FORMAT, FORMAT_VERSION)
    check_params(meta["params"], meta_path, cls)
    check_files(folder, meta, meta["format_version"])
    shapes, state = read_weights(folder)
    check_sizes(meta["params"], meta, shapes, meta_path)
    params = {k: _decode_param(v, folder, state, depth) for k, v in meta["params"].items()}
    device = params.get("device")
    if isinstance(device, str) and device.startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(
            f"{folder} was saved with device={device!r}, but CUDA is not available here; "
            "loading it on the CPU (device='cpu').",
            UserWarning,
            stacklevel=3,
        )
        params["device"] = "cpu"
    est = cls(**params)
    try:
        est._check_hyperparams()
    except (ValueError, TypeError) as exc:
        raise ModelFileError(f"{meta_path}: params: {exc}") from None
    fitted = meta["fitted"]
    dtype = fitted["classes_dtype"]
    est.classes_ = np.asarray(fitted["classes"], dtype=object if dtype == "object" else dtype)
    if jsonable(est.classes_.tolist()) != fitted["classes"]:  # e.g. "<U1" cutting "pos"
        raise ModelFileError(
            f"{meta_path}: fitted.classes_dtype: {dtype!r} does not hold the labels "
            f"{fitted['classes']!r}."
        )
    for name in cls._fitted_values:
        setattr(est, name, fitted.get(name))
    try:
        est.tokenizer_ = restore_tokenizer(meta["tokenizer"], folder)
    except (OSError, ValueError, TypeError) as exc:
        raise ModelFileError(f"{folder}: the saved tokenizer does not load ({exc}).") from None
    for arr, dt in fitted["arrays"].items():
        if f"fitted::{arr}" not in state:
            raise ModelFileError(f"{folder}: {WEIGHTS} holds no tensor 'fitted::{arr}'.")
        setattr(est, arr, state.pop(f"fitted::{arr}").numpy().astype(dt))
    moments = {k: state.pop(k) for k in list(state) if k.startswith("optimizer::")}
    for tag in moments:
        check_optimizer_tag(tag, meta_path, WEIGHTS)
    # build the module from what was saved only: no word vectors, no pretrained download
    keep = {k: est.__dict__[k] for k in ("embeddings", "init_from", "pretrained", "embedding_dim")}
    est.__dict__.update(embeddings=None, init_from=None)
    if fitted["embedding_dim"]:
        est.__dict__["embedding_dim"] = fitted["embedding_dim"]
    if meta.get("transformer_config") is not None:
        from transformers import AutoConfig

        cfg = dict(meta["transformer_config"])
        est.__dict__["pretrained"] = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    elif est.encoder == "transformer":
        raise ModelFileError(
            f"{meta_path}: transformer_config: missing for a transformer model (loading would "
            "fetch the pretrained model it names)."
        )
    try:
        check_shapes(est, shapes, folder)
        est.initialize()
        if fitted.get("started_from_fitted_"):  # its optimizer had encoder_lr's groups
            est.started_from_fitted_ = True
            est.initialize_optimizer()
        est.module_.load_state_dict(state, strict=True)
        load_optimizers(est, meta.get("optimizers") or {}, moments, folder / WEIGHTS)
    except ModelFileError:
        raise
    except Exception as exc:  # torch's and transformers' errors, named with the folder
        raise ModelFileError(
            f"{folder}: the saved model does not build ({type(exc).__name__}: {exc})."
        ) from None
    finally:
        est.__dict__.update(keep)
    est.history = History(meta.get("history") or [])
    return est
