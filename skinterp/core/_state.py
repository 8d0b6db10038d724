"""A fitted estimator's state beyond its module's weights: the optimizers' state (saved with
the weights, so ``warm_start`` after ``load`` continues exactly), and a content hash of the
whole model (a stable identity across loads and processes)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._safe_load import WEIGHTS, ModelFileError

__all__ = ["content_hash", "jsonable", "load_optimizers", "save_optimizers"]


def jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return v


def content_hash(estimator: Any) -> str:
    """SHA-256 of what a fitted skinterp estimator computes with: class, parameters, classes,
    tokenizer and weights. Equal for two loads of one saved model and across processes (unlike
    ``joblib.hash``, which hashes pickles); used as a resume identity."""
    import hashlib

    import torch

    digest = hashlib.sha256()

    def add(*parts: Any) -> None:
        for part in parts:
            digest.update(part if isinstance(part, bytes) else repr(part).encode())
            digest.update(b"\0")

    params = estimator.get_params(deep=False)
    add(type(estimator).__name__, np.asarray(estimator.classes_).tolist())
    for name in sorted(params):
        value = params[name]
        plain = value is None or isinstance(value, (bool, int, float, str, tuple, list, dict))
        if (
            not plain
            and name == "pretrained"
            and hasattr(getattr(value, "config", None), "to_dict")
        ):
            value = value.config  # a model object is saved (and loaded) as its config
        add(name, value if plain else type(value).__name__)
    tok = estimator.tokenizer_
    if hasattr(tok, "itos_"):
        add(tok.itos_, tok.lowercase, tok.max_length)
    else:
        add(tok.hf_tokenizer_.backend_tokenizer.to_str(), tok.max_length)
    for name, tensor in sorted(estimator.module_.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        add(name, str(t.dtype), tuple(t.shape), t.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def save_optimizers(estimator: Any, tensors: dict) -> dict:
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
        out[name] = {"param_groups": jsonable(sd["param_groups"]), "scalars": scalars}
    return out


def load_optimizers(est: Any, saved: dict, tensors: dict, where: Any = WEIGHTS) -> None:
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
            # a moment must have its parameter's shape, or the next step fails deep in torch
            params = [p for group in optimizer.param_groups for p in group["params"]]
            for idx, per_param in optimizer.state.items():
                for key, value in per_param.items():
                    if getattr(value, "ndim", 0) and tuple(value.shape) != tuple(idx.shape):
                        raise ModelFileError(
                            f"{where}: optimizer {name!r} state {key!r} of parameter "
                            f"{params.index(idx)} has shape {tuple(value.shape)}, not "
                            f"{tuple(idx.shape)}."
                        )
