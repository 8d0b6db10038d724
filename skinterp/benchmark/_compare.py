"""``skinterp compare``: which method helps on *your* data? The claims machinery on a user's
texts: every method at its defaults against the base model, over seeds, with seed-paired 95 %
bootstrap intervals and verdicts (:func:`claim_rows`), and a recommendation by a stated rule.

The protocol (one for every model, so that the comparison is fair):

- **accuracy** on the test texts (every one);
- **LIME AOPC@k and NAOPC@k**: LIME's rankings of each model's own predictions (the same
  explainer for every model), judged by the model itself; NAOPC divides each text's AOPC by the
  best and worst any ordering reaches, so a more confident model does not win for its
  confidence alone;
- **comprehensiveness and sufficiency of one shared saliency** (PCT's protocol): the gradient
  of the predicted probability, the same explainer for every model;
- **post-hoc accuracy@k of each model's own explanation** (its mask, gate or gradient);
- **training time** per model.

Everything is fitted on the training texts; a method that picks its best epoch picks it on
the dev split (a share of the training texts), never on the test texts.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..methods import REGISTRY
from ._compare_rules import DECISIVE, METRICS, recommend, results_table

__all__ = ["DEFAULT_METHODS", "FAST", "MIN_PER_CLASS", "compare"]

#: The base model and the five methods of the five papers.
DEFAULT_METHODS = ("base", "vmask", "evarm", "scc", "pct", "vat")
#: Training texts each class needs at least (a dev split and three seeds need a few).
MIN_PER_CLASS = 5
#: ``fast=True``: a first look. A stratified subset of the training and test texts, fewer
#: epochs and LIME samples, LIME on fewer texts; still three seeds, since an interval (and so a
#: recommendation) needs them.
FAST = {
    "n_train": 2000,
    "n_test": 300,
    "max_epochs": 3,
    "n_lime": 60,
    "lime_samples": 200,
}
_LIME_TEXTS, _LIME_SAMPLES = 300, 500


def _as_list(X: Any, name: str) -> list:
    from ..text import check_texts

    items, _ = check_texts(X)
    if not items:
        raise ValueError(f"{name} is empty.")
    return items


def _check_labels(y: Any, n: int, name: str) -> np.ndarray:
    y = np.asarray(y, dtype=object)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"{name} has {len(y)} labels for {n} texts.")
    missing = [i for i, v in enumerate(y) if v is None or (isinstance(v, float) and np.isnan(v))]
    if missing:
        raise ValueError(f"{name}[{missing[0]}] is a missing label.")
    return y


def _stratified(n_keep: int, y: np.ndarray, seed: int) -> np.ndarray:
    from sklearn.model_selection import train_test_split

    if n_keep >= len(y):
        return np.arange(len(y))
    keep, _ = train_test_split(np.arange(len(y)), train_size=n_keep, random_state=seed, stratify=y)
    return np.sort(keep)


def _write_jsonl(path: Path, X: list, y: np.ndarray) -> None:
    rows = []
    for x, label in zip(X, y, strict=True):
        row = {"text": x[0], "text_pair": x[1]} if isinstance(x, tuple) else {"text": x}
        row["label"] = label.item() if hasattr(label, "item") else label
        rows.append(row)
    pd.DataFrame(rows).to_json(path, orient="records", lines=True, force_ascii=False)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compare(
    X_train: Any,
    y_train: Any,
    X_test: Any = None,
    y_test: Any = None,
    *,
    methods: tuple[str, ...] | list[str] = DEFAULT_METHODS,
    backbone: str = "cnn",
    params: dict | None = None,
    seeds: int = 3,
    test: float = 0.2,
    dev: float = 0.1,
    k: int = 5,
    tolerance: float = 0.01,
    fast: bool = False,
    n_jobs: int | None = 1,
    device: str = "cpu",
    out: str | os.PathLike = "compare-results",
    verbose: int = 1,
    dask: Any = None,
) -> pd.DataFrame:
    """Compare methods against the base model on your texts; write ``compare.{json,md,html}``.

    Every method is fitted as ``Method(backbone).fit(X, y)`` fits it (its defaults), once per
    seed, and measured under one protocol (module docstring). For each metric: the seed-paired
    difference method − base, its 95 % bootstrap interval over seeds and a verdict. The
    recommendation follows :func:`recommend`. Finished runs are kept in ``out``: calling again
    (after a kill, or with more methods) continues where it stopped.

    Parameters
    ----------
    X_train, y_train : texts (or pairs) and labels
        What every model is fitted on (a share ``dev`` is held out as the dev split).
    X_test, y_test : texts and labels, optional
        The test texts; without them a stratified share ``test`` of ``X_train`` is held out.
    methods : sequence of str, default=("base", "vmask", "evarm", "scc", "pct", "vat")
        Registry names (:data:`skinterp.methods.REGISTRY`); the base model is always added.
    backbone : str, default="cnn"
        ``"cnn"``, ``"lstm"`` (GloVe-50d), ``"minilm"``, ``"minilm-2"``, a Hugging Face model
        id or a ``save_pretrained`` folder.
    params : dict, optional
        Estimator arguments for every model, on top of the defaults (e.g.
        ``{"max_epochs": 5}``; ``skinterp compare --param max_epochs=5``).
    seeds : int, default=3
        Seeds 0 .. seeds-1 (at least 3: an interval needs them).
    test : float, default=0.2
        The test share when ``X_test`` is not given.
    dev : float, default=0.1
        The dev share of the training texts (0: none; methods then hold out their own).
    k : int, default=5
        The k of AOPC, NAOPC and post-hoc accuracy.
    tolerance : float, default=0.01
        The accuracy a method may lose and still be recommended (0.01: one point).
    fast : bool, default=False
        A first look (:data:`FAST`): a subset, fewer epochs and LIME samples.
    n_jobs : int or None, default=1
        Worker processes (each fits whole seeds); -1: one per CPU.
    device : str, default="cpu"
    out : path, default="compare-results"
        Output folder (runs, models, the three files).
    verbose : int, default=1
        0: silent; 1: a progress bar and a line per run.
    dask : "local", str or distributed.Client, optional
        Fit the seeds as tasks on a Dask cluster (``"local"``: one on this machine; a
        scheduler address; a client); ``out`` must then be a folder every worker can read and
        write. See :func:`skinterp.benchmark.run_benchmark`.

    Returns
    -------
    pandas.DataFrame
        One row per (method, metric): means of both sides, the difference, its interval,
        the verdict; ``attrs["recommendation"]`` holds the recommendation.
    """
    from .._names import METHODS as KNOWN
    from .._names import backbone_params

    params = {**backbone_params(backbone), **(params or {})}
    methods = list(dict.fromkeys(["base", *methods]))
    bad = [m for m in methods if m not in KNOWN]
    if bad:
        raise ValueError(f"unknown method(s) {bad}; use any of {list(KNOWN)}.")
    if not isinstance(seeds, int) or seeds < 3:
        raise ValueError(f"seeds must be an integer >= 3 (an interval needs three), got {seeds!r}.")
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}.")
    for name, share in (("test", test), ("dev", dev)):
        if not 0 <= share < 1:
            raise ValueError(f"{name} must be a share in [0, 1), got {share!r}.")
    X = _as_list(X_train, "X_train")
    y = _check_labels(y_train, len(X), "y_train")
    classes, counts = np.unique(y.astype(str), return_counts=True)
    if len(classes) < 2:
        raise ValueError(
            f"y_train has a single class ({str(classes[0])!r}); a classifier needs two."
        )
    if counts.min() < MIN_PER_CLASS:
        few = str(classes[counts.argmin()])
        raise ValueError(
            f"class {few!r} has {counts.min()} training text(s); every class needs at least "
            f"{MIN_PER_CLASS} (a dev split, a test split and three seeds)."
        )
    if X_test is None:
        if not test:
            raise ValueError("pass X_test and y_test, or a test share (test=0.2).")
        from sklearn.model_selection import train_test_split

        tr, te = train_test_split(
            np.arange(len(X)), test_size=test, random_state=0, stratify=y.astype(str)
        )
        X, y, X_test, y_test = [X[i] for i in tr], y[tr], [X[i] for i in te], y[te]
    else:
        X_test = _as_list(X_test, "X_test")
        y_test = _check_labels(y_test, len(X_test), "y_test")
    if fast:
        keep = _stratified(FAST["n_train"], y.astype(str), 0)
        X, y = [X[i] for i in keep], y[keep]
        keep = _stratified(FAST["n_test"], np.asarray(y_test).astype(str), 0)
        X_test, y_test = [X_test[i] for i in keep], np.asarray(y_test)[keep]
    out = Path(out).resolve() if dask is not None else Path(out)  # workers elsewhere
    (out / "data").mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / "data" / "train.jsonl.tmp", X, y)
    _write_jsonl(out / "data" / "test.jsonl.tmp", X_test, np.asarray(y_test, dtype=object))
    cfg = _config(out, methods, backbone, params, seeds, dev, k, tolerance, fast, device, X)
    _check_same_run(out, cfg)
    from ._claims import claim_rows
    from ._config import load_config
    from ._run import run_benchmark

    run_benchmark(
        cfg,
        out,
        log=print if verbose else None,
        progress=bool(verbose),
        n_jobs=n_jobs,
        dask=dask,
    )
    records = [json.loads(p.read_text()) for p in sorted((out / "runs").glob("*.json"))]
    loaded = load_config(cfg)
    rows = claim_rows(records, loaded["claims"])
    table = results_table(rows, records, methods, k)
    recommendation = recommend(table, tolerance=tolerance, k=k)
    table.attrs["recommendation"] = recommendation
    from ._compare_report import write_outputs

    write_outputs(out, table, recommendation, cfg, fast, backbone)
    return table


def _config(out, methods, backbone, params, seeds, dev, k, tolerance, fast, device, X) -> dict:
    pairs = bool(X) and isinstance(X[0], tuple)
    data = out / "data"
    for name in ("train", "test"):  # the data of this call, in force by one rename each
        os.replace(data / f"{name}.jsonl.tmp", data / f"{name}.jsonl")
    n_lime = FAST["n_lime"] if fast else _LIME_TEXTS
    samples = FAST["lime_samples"] if fast else _LIME_SAMPLES
    name = "backbone"
    files = {
        "path": str((data / "train.jsonl").resolve()),
        "test": str((data / "test.jsonl").resolve()),
        "text_column": "text",
        "label_column": "label",
        "dev": float(dev),
        "split_seed": 0,
    }
    if pairs:
        files["text_pair_column"] = "text_pair"
    claims = []
    for key, protocol, metric, direction, _ in METRICS:
        for m in methods:
            if m == "base":
                continue
            claim = {
                "id": f"{m}-{key}",
                "paper": m,
                "table": "compare",
                "claim": f"{m} vs base: {key}",
                "metric": metric.format(k=k),
                "method": m,
                "baseline": "base",
                "direction": direction,
            }
            if protocol != "evaluation":
                claim["protocol"] = protocol
            if direction == "not_less":
                claim["margin"] = float(tolerance)
            claims.append(claim)
    key, metric, line, _ = DECISIVE
    for m in methods:  # the methods that explain with a keep mask or gate: is it decisive?
        if m != "base" and getattr(REGISTRY[m].estimator, "_decisiveness", None) == "keep":
            claims.append(
                {
                    "id": f"{m}-{key}",
                    "paper": m,
                    "table": "compare",
                    "claim": f"{m}: its own mask is decisive (keep spread >= {line})",
                    "metric": metric,
                    "method": m,
                    "threshold": line,
                    "direction": "not_less",
                }
            )
    cfg = {
        "name": "compare",
        "description": f"skinterp compare on {len(X)} training texts ({backbone})",
        "seeds": list(range(seeds)),
        "datasets": ["data"],
        "backbones": [name],
        "methods": methods,
        "device": device,
        "from_base": False,  # each method as Method(backbone).fit(X, y) fits it
        "files": {"data": files},
        "backbone_params": {name: params},
        "data": {
            "n_train": 0,
            "n_train_transformer": 0,
            "n_eval": 0,
            "validation": "dataset" if dev > 0 else "holdout",
        },
        "evaluation": {
            "k": [k],
            "curve_k": k,
            "naopc_k": 0,
            "explainer": "native",
            "metrics": ["confidence", "posthoc_accuracy", "decisiveness"],
        },
        "protocols": {
            "lime": {
                "description": f"LIME's rankings ({samples} samples) of every model, judged by "
                f"the model itself, on the first {n_lime} test texts",
                "explainer": "lime",
                "explainer_params": {"num_samples": samples, "random_state": 0},
                "k": [k],
                "naopc_k": k,
                "naopc_beam_width": 2,
                "metrics": ["aopc", "naopc"],
                "n_texts": n_lime,
            },
            "gradient": {
                "description": "one shared saliency for every model (PCT's protocol): the "
                "gradient of the predicted probability, 10 % of the words",
                "explainer": "gradient",
                "metrics": ["comprehensiveness", "sufficiency"],
            },
        },
        "claims": claims,
    }
    if fast and "max_epochs" not in params:
        cfg["backbone"] = {name: {"max_epochs": FAST["max_epochs"]}}
    if fast or "max_epochs" in params:
        # a method's own default (VMASK: 20 epochs) would otherwise override the backbone's
        epochs = params.get("max_epochs", FAST["max_epochs"])
        cfg["method"] = {m: {"max_epochs": epochs} for m in methods}
    return cfg


def _check_same_run(out: Path, cfg: dict) -> None:
    """A folder holds one comparison: the same data and settings resume, others are refused."""
    data = out / "data"
    identity = {
        "config": cfg,
        "train": _sha256(data / "train.jsonl"),
        "test": _sha256(data / "test.jsonl"),
    }
    path = out / "compare_settings.json"
    if path.exists():
        before = json.loads(path.read_text())
        same_data = (before["train"], before["test"]) == (identity["train"], identity["test"])
        now = json.loads(json.dumps(cfg))
        changed = [
            key
            for key in sorted(set(before["config"]) | set(now))
            if key not in ("methods", "claims") and before["config"].get(key) != now.get(key)
        ]
        if not same_data or changed:
            what = "other texts" if not same_data else f"other settings ({', '.join(changed)})"
            raise ValueError(
                f"{out} holds a comparison of {what}; choose another --out (or delete the "
                "folder to start again). Adding methods to a comparison is fine."
            )
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(identity, indent=1))
    os.replace(tmp, path)
