"""The SCC run of one claims-profile cell, for the SCC trial scripts next to this file."""

from __future__ import annotations

import json

import skinterp
from skinterp.benchmark import expand_runs, load_config, load_data, select_config

DATASETS = {"rt": "rotten_tomatoes", "tw": "tweets"}


def claims_scc(dataset: str, backbone: str, seed: int, **overrides):
    """(unfitted SCCClassifier, data, run): the claims profile's settings for this cell (data
    set ``rt`` or ``tw``), with ``overrides`` on top, and the cell's run (for its evaluation
    texts)."""
    name = DATASETS[dataset]
    cfg = select_config(
        load_config("claims"), datasets=[name], backbones=[backbone], methods=["scc"], seeds=[0]
    )
    (run,) = expand_runs(cfg)  # the parameters are the same for every seed
    clf = skinterp.SCCClassifier(**{**run.params, **overrides}, random_state=seed)
    return clf, load_data(name), run


def fit_and_report(clf, data, **fields) -> None:
    """Fit on every training text and print one JSON line: ``fields``, the picked epoch
    (:func:`picked_epoch`) and the test accuracy (printed for the record, never used to
    choose)."""
    clf.fit(data.X_train, data.y_train)
    extra = {k: v(clf) if callable(v) else v for k, v in fields.items()}
    record = dict(
        **extra, **picked_epoch(clf), test_acc=round(clf.score(data.X_test, data.y_test), 4)
    )
    print(json.dumps(record), flush=True)


def picked_epoch(clf) -> dict:
    """The epoch SCC's held-out pick kept: its number, validation accuracy, and the spread
    (q90 - q10) and median of the keep probabilities then."""
    best = [h for h in clf.history if h.get("valid_acc_best")][-1]
    return dict(
        best_epoch=best["epoch"],
        valid_acc=round(best["valid_acc"], 4),
        spread=round(best["keep_q90"] - best["keep_q10"], 3),
        q50=round(best["keep_q50"], 3),
    )
