"""benchmarks/reproduce/tune.py: the grid parser and the selection rule."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

_PATH = Path(__file__).parents[1] / "benchmarks" / "reproduce" / "tune.py"
_spec = importlib.util.spec_from_file_location("tune", _PATH)
tune = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tune)


def test_parse_grid_casts_values():
    grid = tune.parse_grid(["beta=0.01,1,10", "contrastive=true,false", "training=iterative"])
    assert grid == {"beta": [0.01, 1, 10], "contrastive": [True, False], "training": ["iterative"]}
    with pytest.raises(SystemExit, match="expected NAME=V1,V2"):
        tune.parse_grid(["beta"])


def test_choose_takes_the_most_interpretable_setting_within_the_accuracy_margin():
    results = pd.DataFrame(
        {"accuracy": [0.80, 0.795, 0.70, 0.81], "interpretability": [0.30, 0.45, 0.90, 0.20]}
    )
    assert tune.choose(results, margin=0.02) == 1  # 0.90 is 11 points less accurate
    assert tune.choose(results, margin=0.0) == 3
    assert tune.choose(results, margin=1.0) == 2
