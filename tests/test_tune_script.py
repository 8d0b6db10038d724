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


def test_main_searches_the_grid_on_validation_texts(tmp_path, monkeypatch):
    """End to end on a real subset: every setting fitted, scored on the validation texts only,
    the record and its markdown written, the choice one of the grid's settings."""
    from conftest import need_data

    import skinterp.datasets

    full = need_data(skinterp.datasets.load_tweets)
    small = type(full)(
        X_train=full.X_train[:150],
        y_train=full.y_train[:150],
        X_valid=full.X_valid,
        y_valid=full.y_valid,
        target_names=full.target_names,
    )
    asked = []
    monkeypatch.setattr(tune, "load_data", lambda name: asked.append(name) or small)
    config = tmp_path / "tiny.toml"
    config.write_text('extends = "claims"\n[backbone.cnn]\nmax_epochs = 1\nnum_filters = 4\n')
    argv = ["--dataset", "tweets", "--backbone", "cnn", "--method", "vmask"]
    argv += ["--grid", "beta=0.1,1", "--profile", str(config), "--explainer", "native"]
    argv += ["--scorer", "accdrop", "--n-valid", "20", "--out", str(tmp_path / "out")]
    record = tune.main(argv)

    assert asked == ["tweets"]
    assert [r["beta"] for r in record["results"]] == [0.1, 1]
    assert all(0 <= r["accuracy"] <= 1 for r in record["results"])
    assert record["chosen"]["beta"] in (0.1, 1)
    assert (record["n_train"], record["n_valid"]) == (150, 20)
    stem = tmp_path / "out" / "tweets__cnn__vmask"
    assert stem.with_suffix(".json").exists()
    assert "[variants.vmask-tuned]" in stem.with_suffix(".md").read_text()


def test_main_names_a_parameter_the_estimator_lacks(tmp_path):
    with pytest.raises(SystemExit, match=r"VMaskClassifier has no parameter\(s\) \['betta'\]"):
        argv = ["--dataset", "tweets", "--backbone", "cnn", "--method", "vmask"]
        tune.main([*argv, "--grid", "betta=1", "--out", str(tmp_path)])
