"""Models saved by skinterp before the core package (issue 15) still load and predict identically.

``tests/data/saved_before_core`` was written by main at the commit recorded in
``expected.json`` (fit tiny models on the toy data, ``save``, then record
``predict_proba``, ``predict`` and the native explanation scores of four probe texts).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import skinterp

FOLDER = Path(__file__).parent / "data" / "saved_before_core"
EXPECTED = json.loads((FOLDER / "expected.json").read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED["models"]))
def test_old_saved_model_loads_and_predicts_identically(name):
    want = EXPECTED["models"][name]
    model = skinterp.load(FOLDER / name)
    assert type(model).__name__ == want["class"]
    probe = EXPECTED["probe"]
    np.testing.assert_allclose(model.predict_proba(probe), want["proba"], rtol=1e-5, atol=1e-6)
    assert [str(p) for p in model.predict(probe)] == want["predict"]
    for ex, scores in zip(model.explain(probe), want["scores"], strict=True):
        np.testing.assert_allclose(ex.scores, scores, rtol=1e-4, atol=1e-6)
