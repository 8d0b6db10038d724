"""Validation of the evaluation settings, the named protocols and the variants of a
configuration."""

from __future__ import annotations

import copy
from typing import Any

from ..methods import REGISTRY as METHODS

#: What the harness evaluates by default ([evaluation] metrics chooses among these).
EVALUATION_METRICS = (
    "confidence",
    "aopc",
    "posthoc_accuracy",
    "accuracy_drop",
    "comprehensiveness",
    "sufficiency",
    "reduced_number",
    "saliency_variance",
    "naopc",
    "plausibility",
    "decisiveness",
)


def _check_data(data: dict) -> None:
    """The [data] table: subset sizes, the evaluation sample and where validation comes from."""
    for key in ("n_train", "n_train_transformer", "n_eval"):
        v = data[key]
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise ValueError(f"[data] {key} must be an integer >= 0 (0 = all), got {v!r}.")
    if data["eval_sample"] not in ("first", "random"):
        raise ValueError(
            f"[data] eval_sample must be 'first' or 'random', got {data['eval_sample']!r}."
        )
    if data["validation"] not in ("holdout", "dataset"):
        raise ValueError(
            f"[data] validation must be 'holdout' or 'dataset', got {data['validation']!r}."
        )


def _check_evaluation(ev: dict, where: str) -> None:
    from ..explain import get_explainer

    if ev["judge"] not in ("self", "base"):
        raise ValueError(f"{where} judge must be 'self' or 'base', got {ev['judge']!r}.")
    if not isinstance(ev["explainer"], str):
        raise ValueError(f"{where} explainer must be a name, got {ev['explainer']!r}.")
    explainer = get_explainer(ev["explainer"])  # names the known explainers if unknown
    if not isinstance(ev["explainer_params"], dict):
        raise ValueError(f"{where} explainer_params must be a table of keyword arguments.")
    try:
        type(explainer)(**ev["explainer_params"])
    except TypeError as exc:
        raise ValueError(f"{where} explainer_params do not fit {ev['explainer']}: {exc}") from exc
    ks = ev["k"]
    if not isinstance(ks, list) or not ks or not all(isinstance(k, int) and k >= 1 for k in ks):
        raise ValueError(f"{where} k must be a list of integers >= 1, got {ks!r}.")
    bad = [m for m in ev["metrics"] if m not in EVALUATION_METRICS]
    if not isinstance(ev["metrics"], list) or bad:
        raise ValueError(f"{where} metrics: unknown {bad}; use any of {list(EVALUATION_METRICS)}.")


def _resolve_protocols(cfg: dict) -> dict:
    """Each named protocol: the [evaluation] settings with its own on top, and the methods it
    applies to (default: every method of the config)."""
    if not isinstance(cfg["protocols"], dict):
        raise ValueError("[protocols] must be a table of [protocols.<name>] tables.")
    out = {}
    for name, over in cfg["protocols"].items():
        if not isinstance(over, dict):
            raise ValueError(f"[protocols.{name}] must be a table.")
        extra = sorted(set(over) - set(cfg["evaluation"]) - {"methods", "description", "n_texts"})
        if extra:
            raise ValueError(
                f"unknown key(s) {extra} in [protocols.{name}]; known: methods, description, "
                f"n_texts and the [evaluation] keys {sorted(cfg['evaluation'])}."
            )
        n = over.get("n_texts", 0)
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"[protocols.{name}] n_texts must be an integer >= 0, got {n!r}.")
        proto = {**copy.deepcopy(cfg["evaluation"]), **over}
        proto.setdefault("methods", list(cfg["methods"]))
        proto.setdefault("description", "")
        _check_evaluation(proto, f"[protocols.{name}]")
        out[name] = proto
    return out


def _check_variants(variants: Any) -> None:
    if not isinstance(variants, dict):
        raise ValueError("[variants] must be a table of [variants.<name>] tables.")
    for name, v in variants.items():
        if name in METHODS:
            raise ValueError(f"[variants.{name}] reuses a method's name; choose another name.")
        if not isinstance(v, dict) or v.get("method") not in METHODS:
            raise ValueError(
                f"[variants.{name}] needs method = one of {sorted(METHODS)}, got "
                f"{v.get('method') if isinstance(v, dict) else v!r}."
            )
