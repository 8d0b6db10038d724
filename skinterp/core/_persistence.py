"""Save and load fitted estimators without pickle: safetensors weights + JSON.

A saved model is a folder:

- ``skinterp.json``: the estimator class, its constructor parameters, the fitted state
  (classes, seed, input kind, the word vocabulary), versions and the training history;
- ``model.safetensors``: the module's weights, the optimizer's state (so that ``fit`` with
  ``warm_start=True`` after loading continues exactly as without the round trip), fitted
  arrays such as AGN's ``tcol_`` and word-vector parameters;
- ``tokenizer/``: a Hugging Face tokenizer's own files (transformer backbones only);
- ``init_from/``: the fitted model this one started from, saved the same way.

Loading reads JSON, tensors and tokenizer files only: no pickled code runs. The class is
looked up among skinterp's exported estimators, optimizer and criterion classes only inside
``torch``. Parameters that were objects come back as what was saved: a transformer config as
a config, a tokenizer object as the saved tokenizer, word vectors as an array (a bare matrix)
or a ``(words, matrix)`` tuple (from a tuple, dict or DataFrame), ``init_from`` as the loaded
model (wrapped in ``FrozenEstimator`` again if it was). Any other object is refused at
``save`` with a message naming the parameter: nothing comes back silently as ``None``.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..text import restore_tokenizer

__all__ = ["ESTIMATOR_CLASSES", "PersistenceMixin", "load", "save"]

FORMAT = "skinterp-model"
FORMAT_VERSION = 2
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
            save(inner, folder / name)
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


def _decode_param(spec: dict, folder: Path, tensors: dict) -> Any:
    if "value" in spec:
        return spec["value"]
    if "tuple" in spec:
        return tuple(spec["tuple"])
    if "class" in spec:
        module, _, attr = spec["class"].rpartition(".")
        if module.split(".")[0] != "torch":
            raise ValueError(f"refusing to import {spec['class']!r}: only torch classes load.")
        obj = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        return obj
    if "hf_config" in spec:
        from transformers import AutoConfig

        cfg = dict(spec["hf_config"])
        return AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    if "hf_tokenizer" in spec:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(str(folder / spec["hf_tokenizer"]))
    if "vectors" in spec:
        matrix = tensors.pop(spec["vectors"]).numpy()
        return (list(spec["words"]), matrix) if "words" in spec else matrix
    if "estimator" in spec:
        inner = load(folder / spec["estimator"])
        if spec.get("frozen"):
            from sklearn.frozen import FrozenEstimator

            return FrozenEstimator(inner)
        return inner
    if "dropped" in spec:  # format 1 saved word vectors and init_from as nothing
        return None
    raise ValueError(f"unknown parameter encoding {sorted(spec)} in skinterp.json.")


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


class PersistenceMixin:
    """Gives skinterp estimators ``save(path)``; ``skinterp.load(path)`` is the way back."""

    def save(self, path: str | os.PathLike) -> Path:
        """Save the fitted model to a folder: safetensors weights + JSON, no pickle.

        ``skinterp.load(path)`` gives back a model with the same predictions and
        explanations; loading runs no pickled code. Pickle and joblib keep working too.

        Parameters
        ----------
        path : str or path
            The folder (created if needed).

        Returns
        -------
        Path
        """
        return save(self, path)


def save(estimator: Any, path: str | os.PathLike) -> Path:
    """Write a fitted skinterp estimator to the folder ``path`` (created; files replaced).

    Parameters
    ----------
    estimator : fitted skinterp estimator
    path : str or path
        A folder.

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
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in estimator.module_.state_dict().items()}
    params = {
        name: _encode_param(name, value, folder, state)
        for name, value in estimator.get_params(deep=False).items()
        if not name.startswith("_")  # skorch's own bookkeeping (_params_to_validate)
    }
    tokenizer = estimator.tokenizer_.save_state(folder)
    optimizers = _save_optimizers(estimator, state)
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
            "classes": _jsonable(classes.tolist()),
            "classes_dtype": classes.dtype.str if classes.dtype.kind != "O" else "object",
            **{name: getattr(estimator, name, None) for name in estimator._fitted_values},
            "embedding_dim": int(getattr(encoder, "embedding_dim", 0) or 0),
            "arrays": arrays,
        },
        "tokenizer": tokenizer,
        "optimizers": optimizers,
        # the module's own config (e.g. with num_hidden_layers already cut) rebuilds it
        "transformer_config": None if model is None else model.config.to_dict(),
        "history": _jsonable(list(estimator.history)),
    }
    (folder / "skinterp.json").write_text(json.dumps(_jsonable(meta), indent=1) + "\n")
    save_file(state, str(folder / "model.safetensors"), metadata={"format": FORMAT})
    return folder


def load(path: str | os.PathLike):
    """Load a model written by ``estimator.save(path)`` -- no pickled code is executed.

    Parameters
    ----------
    path : str or path
        The folder.

    Returns
    -------
    estimator
        Fitted, with the same predictions and explanations as the one saved.
    """
    from safetensors.torch import load_file
    from skorch.history import History

    folder = Path(path)
    meta_path = folder / "skinterp.json"
    if not meta_path.is_file():
        raise FileNotFoundError(f"{folder} holds no skinterp.json: not a saved skinterp model.")
    meta = json.loads(meta_path.read_text())
    if meta.get("format") != FORMAT:
        raise ValueError(f"{meta_path} is not a skinterp model file.")
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"{folder} was saved by a newer skinterp (format {meta['format_version']}); "
            "upgrade skinterp to load it."
        )
    name = meta["class"]
    if name not in ESTIMATOR_CLASSES:
        raise ValueError(f"{name!r} is not a skinterp estimator.")
    cls = ESTIMATOR_CLASSES[name]
    state = load_file(str(folder / "model.safetensors"))
    params = {k: _decode_param(v, folder, state) for k, v in meta["params"].items()}
    est = cls(**params)
    fitted = meta["fitted"]
    dtype = fitted["classes_dtype"]
    est.classes_ = np.asarray(fitted["classes"], dtype=None if dtype == "object" else dtype)
    if dtype == "object":
        est.classes_ = np.asarray(fitted["classes"], dtype=object)
    for name in cls._fitted_values:
        setattr(est, name, fitted.get(name))
    tok = restore_tokenizer(meta["tokenizer"], folder)
    est.tokenizer_ = tok
    for arr, dt in fitted["arrays"].items():
        setattr(est, arr, state.pop(f"fitted::{arr}").numpy().astype(dt))
    # build the module from what was saved only: no word vectors, no pretrained download
    keep = {k: est.__dict__[k] for k in ("embeddings", "init_from", "pretrained", "embedding_dim")}
    est.__dict__.update(embeddings=None, init_from=None)
    if fitted["embedding_dim"]:
        est.__dict__["embedding_dim"] = fitted["embedding_dim"]
    if meta["transformer_config"] is not None:
        from transformers import AutoConfig

        cfg = dict(meta["transformer_config"])
        est.__dict__["pretrained"] = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    try:
        est.initialize()
        if fitted.get("started_from_fitted_"):  # its optimizer had encoder_lr's groups
            est.started_from_fitted_ = True
            est.initialize_optimizer()
    finally:
        est.__dict__.update(keep)
    optimizers = meta.get("optimizers") or {}
    moments = {k: state.pop(k) for k in list(state) if k.startswith("optimizer::")}
    est.module_.load_state_dict(state, strict=True)
    _load_optimizers(est, optimizers, moments)
    est.history = History(meta.get("history") or [])
    return est


def _save_optimizers(estimator: Any, tensors: dict) -> dict:
    """Each optimizer's state: tensors (moments, steps) to safetensors, the rest to JSON."""
    import torch

    out = {}
    for name in getattr(estimator, "_optimizers", []):
        optimizer = getattr(estimator, f"{name}_", None)
        if optimizer is None:
            continue
        sd = optimizer.state_dict()
        scalars = {}
        for idx, per_param in sd["state"].items():
            for key, value in per_param.items():
                tag = f"optimizer::{name}::{idx}::{key}"
                if torch.is_tensor(value):
                    tensors[tag] = value.detach().cpu().contiguous()
                else:
                    scalars[tag] = value
        out[name] = {"param_groups": _jsonable(sd["param_groups"]), "scalars": scalars}
    return out


def _load_optimizers(est: Any, saved: dict, tensors: dict) -> None:
    """Give each optimizer its saved state (torch moves it to the parameters' device)."""
    state: dict[str, dict] = {}
    scalars = [item for spec in saved.values() for item in spec["scalars"].items()]
    for tag, value in [*tensors.items(), *scalars]:
        _, name, idx, key = tag.split("::", 3)
        state.setdefault(name, {}).setdefault(int(idx), {})[key] = value
    for name, spec in saved.items():
        optimizer = getattr(est, f"{name}_", None)
        if optimizer is not None:
            sd = {"state": state.get(name, {}), "param_groups": spec["param_groups"]}
            optimizer.load_state_dict(sd)
