"""Progress bars on the long evaluations: explainers over many texts, the NAOPC bounds, the
benchmark harness; silent at verbose=0 / progress=False."""

from __future__ import annotations

import pytest

from skinterp import evaluate
from skinterp.explain import LimeExplainer, OcclusionExplainer, ShapleyExplainer
from skinterp.metrics import aopc_score


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda v: LimeExplainer(num_samples=20, random_state=0, verbose=v), "lime"),
        (lambda v: ShapleyExplainer(num_samples=2, random_state=0, verbose=v), "shapley"),
        (lambda v: OcclusionExplainer(verbose=v), "occlusion"),
    ],
)
def test_explainers_show_a_bar_over_texts_only_when_verbose(fitted_cnn, toy, capfd, make, name):
    X = list(toy[0][:12])
    capfd.readouterr()
    quiet = make(0).explain(fitted_cnn, X)
    assert capfd.readouterr().err == ""
    loud = make(1).explain(fitted_cnn, X)
    err = capfd.readouterr().err
    assert f"{name} explanations" in err and "/12 " in err  # a bar over the 12 texts
    assert [e.top_k(2) for e in loud] == [e.top_k(2) for e in quiet]  # same results


def test_naopc_bounds_bar(fitted_cnn, toy, capfd):
    X = list(toy[0][:6])
    capfd.readouterr()
    a = aopc_score(fitted_cnn, X, k=2, normalization="naopc", explainer="occlusion")
    assert capfd.readouterr().err == ""
    b = aopc_score(fitted_cnn, X, k=2, normalization="naopc", explainer="occlusion", verbose=1)
    assert "NAOPC@2 bounds" in capfd.readouterr().err and a == b
    evaluate(fitted_cnn, X, metrics=["naopc"], explainers=["occlusion"], k=2, progress=False)
    assert capfd.readouterr().err == ""
    evaluate(fitted_cnn, X, metrics=["naopc"], explainers=["occlusion"], k=2, progress=True)
    err = capfd.readouterr().err
    assert "evaluate" in err and "NAOPC@2 bounds" in err
