"""Scale-out: a Dask-backed grid search matches the local one; AccelerateMixin's CPU path."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold

from skinterp import VMaskClassifier
from skinterp.metrics import make_aopc_scorer
from skinterp.utils.estimator_checks import all_estimators


def search():
    return GridSearchCV(
        VMaskClassifier(embedding_dim=16, num_filters=8, max_epochs=2, lr=1e-2, random_state=0),
        {"beta": [0.1, 1.0], "tau": [0.5, 1.0]},
        scoring={"acc": "accuracy", "aopc": make_aopc_scorer(k=2)},
        refit="aopc",
        cv=KFold(2, shuffle=True, random_state=0),
        n_jobs=2,
    )


def test_dask_grid_search_matches_local(toy):
    import joblib

    distributed = pytest.importorskip("distributed")

    X, y = toy
    local = search().fit(X, y)
    # process workers: torch's RNG is global to a process, so fits running in threads of one
    # process (processes=False) would not be reproducible
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        remote = search().fit(X, y)
    assert remote.best_params_ == local.best_params_
    for key in ("mean_test_acc", "mean_test_aopc"):
        np.testing.assert_allclose(remote.cv_results_[key], local.cv_results_[key], rtol=1e-6)
    np.testing.assert_array_equal(remote.predict_proba(X), local.predict_proba(X))


@pytest.mark.parametrize("name", [n for n, _ in all_estimators()])
def test_accelerate_mixin_cpu_path_matches_a_plain_fit(toy, name):
    """Multi-GPU training goes through skorch's AccelerateMixin; on CPU it must change nothing."""
    pytest.importorskip("accelerate")
    from accelerate import Accelerator
    from skorch.hf import AccelerateMixin

    X, y = toy
    base = dict(all_estimators())[name]
    accelerated = type(f"Accelerated{name}", (AccelerateMixin, base), {})
    params = dict(embedding_dim=16, num_filters=8, max_epochs=2, random_state=0)
    quiet = {"callbacks__print_log__sink": lambda *a, **k: None}
    clf = accelerated(accelerator=Accelerator(cpu=True), **params, **quiet).fit(X, y)
    ref = base(**params).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), ref.predict_proba(X))
    np.testing.assert_array_equal(clf.explain(X[0]).scores, ref.explain(X[0]).scores)


def test_accelerate_mixin_is_quiet_at_verbose_0(toy, capsys):
    pytest.importorskip("accelerate")
    from accelerate import Accelerator
    from skorch.hf import AccelerateMixin

    from skinterp import TextClassifier

    accelerated = type("AcceleratedText", (AccelerateMixin, TextClassifier), {})
    params = dict(embedding_dim=16, num_filters=8, max_epochs=2, random_state=0)
    capsys.readouterr()
    accelerated(accelerator=Accelerator(cpu=True), verbose=0, **params).fit(*toy)
    assert capsys.readouterr().out == ""
    accelerated(accelerator=Accelerator(cpu=True), verbose=1, **params).fit(*toy)
    assert "train_loss" in capsys.readouterr().out  # the epoch table, through accelerator.print
