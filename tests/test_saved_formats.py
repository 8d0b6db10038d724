"""Models saved by every earlier save format still load and predict identically.

``tests/data/saved_before_core`` (format 1) was written by main before the core package
(issue 15); ``tests/data/saved_formatN`` by ``tests/data/make_saved_fixture.py`` at the commit
recorded in its ``expected.json`` (tiny models fitted on the toy data, saved, and their
``predict_proba``, ``predict`` and native explanation scores of four probe texts recorded).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import skinterp

DATA = Path(__file__).parent / "data"
FIXTURES = [DATA / "saved_before_core", *sorted(DATA.glob("saved_format*"))]
CASES = [
    (folder, name)
    for folder in FIXTURES
    for name in sorted(json.loads((folder / "expected.json").read_text())["models"])
]


def test_a_fixture_per_format_version():
    from skinterp.core._persistence import FORMAT_VERSION

    versions = {
        json.loads((folder / name / "skinterp.json").read_text())["format_version"]
        for folder, name in CASES
    }
    assert versions == set(range(1, FORMAT_VERSION + 1))


@pytest.mark.parametrize(("folder", "name"), CASES, ids=[f"{f.name}-{n}" for f, n in CASES])
def test_old_saved_model_loads_and_predicts_identically(folder, name):
    expected = json.loads((folder / "expected.json").read_text())
    want = expected["models"][name]
    model = skinterp.load(folder / name)
    assert type(model).__name__ == want["class"]
    probe = expected["probe"]
    np.testing.assert_allclose(model.predict_proba(probe), want["proba"], rtol=1e-5, atol=1e-6)
    assert [str(p) for p in model.predict(probe)] == want["predict"]
    for ex, scores in zip(model.explain(probe), want["scores"], strict=True):
        np.testing.assert_allclose(ex.scores, scores, rtol=1e-4, atol=1e-6)
