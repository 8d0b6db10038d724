"""Every script in examples/ runs in its --fast mode on the real data and prints its results."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest
from conftest import need_data

EXAMPLES = Path(__file__).parents[1] / "examples"

# script -> strings its output must contain (the numbers themselves vary with the platform)
EXPECTED = {
    "quickstart.py": ["VMASK: test accuracy 0.", "aopc@5"],
    "tune_beta.py": ["mean_test_naopc", "best by accuracy: {"],
    "cross_validation.py": ["naopc@5", "neg_sufficiency", "VMASK", " ± "],
    "pipeline_tokenizer.py": ["best: {'clf__beta'", "AOPC@5 of the pipeline: ", "-> [("],
    "compare_methods.py": ["naopc@5", "E-VarM", "SCC", "PCT", "VAT"],
    "compare_your_data.py": ["Recommendation: ", "Rule: the method with the largest"],
    "any_sklearn_model.py": ["TF-IDF + LR test accuracy: 0.", "LIME:", "per fold:"],
    "sentence_pairs.py": [
        "base BiLSTM: pair accuracy 0.",
        "EVarMClassifier: pair accuracy 0.",
        "top words of sentence 2",
    ],
    "pathology_and_attention.py": ["== PCT vs base", "== VAT vs attention", "VADER P/R/F1@5"],
}


def test_every_example_is_listed():
    assert {p.name for p in EXAMPLES.glob("*.py")} == set(EXPECTED)
    readme = (EXAMPLES / "README.md").read_text()
    assert all(f"`{name}" in readme for name in EXPECTED)


@pytest.fixture(scope="module")
def data():
    from skinterp.datasets import load_amazon, load_rotten_tomatoes, load_tweets

    need_data(load_rotten_tomatoes)
    need_data(load_tweets)
    need_data(load_amazon)


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_runs_fast(script, data, capsys, monkeypatch):
    path = EXAMPLES / script
    monkeypatch.setattr(sys, "argv", [str(path), "--fast"])
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    for expected in EXPECTED[script]:
        assert expected in out, f"{script}: {expected!r} missing from\n{out}"
