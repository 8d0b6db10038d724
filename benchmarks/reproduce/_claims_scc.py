"""The SCC run of one claims-profile cell, for the SCC trial scripts next to this file."""

from __future__ import annotations

import skinterp
import skinterp.datasets as ds
from skinterp.benchmark import expand_runs, load_config, select_config

DATASETS = {"rt": "rotten_tomatoes", "tw": "tweets"}


def claims_scc(dataset: str, backbone: str, seed: int, **overrides):
    """(unfitted SCCClassifier, data): the claims profile's settings for this cell (data set
    ``rt`` or ``tw``), with ``overrides`` on top."""
    name = DATASETS[dataset]
    cfg = select_config(
        load_config("claims"), datasets=[name], backbones=[backbone], methods=["scc"], seeds=[0]
    )
    (run,) = expand_runs(cfg)  # the parameters are the same for every seed
    clf = skinterp.SCCClassifier(**{**run.params, **overrides}, random_state=seed)
    return clf, getattr(ds, f"load_{name}")()
