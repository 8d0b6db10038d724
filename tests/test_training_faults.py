"""Training faults: non-finite losses stop with a clear error; Ctrl-C leaves a usable model."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skinterp import TextClassifier, VMaskClassifier

TINY = dict(embedding_dim=16, num_filters=8, max_epochs=3, lr=1e-2, batch_size=16, random_state=0)


class NaNTerm(TextClassifier):
    """A method whose extra loss term turns NaN from the second epoch."""

    _extra_loss_names = ("penalty",)

    def get_loss_terms(self, y_pred, y_true, X=None, training=False):
        value = float("nan") if len(self.history) >= 2 else 0.0
        return {"penalty": torch.tensor(value, device=y_pred[0].device)}


class InfLoss(TextClassifier):
    def get_loss(self, y_pred, y_true, X=None, training=False):
        return super().get_loss(y_pred, y_true, X, training) * float("inf")


def test_nan_term_stops_training_naming_epoch_and_term(toy):
    X, y = toy
    with pytest.raises(FloatingPointError, match=r"epoch 2, batch 1: loss term\(s\) penalty=nan"):
        NaNTerm(**TINY).fit(X, y)


def test_non_finite_cross_entropy_is_named(toy):
    X, y = toy
    with pytest.raises(FloatingPointError, match="epoch 1.*cross-entropy.*lr=0.01"):
        InfLoss(**TINY).fit(X, y)


def test_finite_training_is_untouched(toy):
    X, y = toy
    clf = VMaskClassifier(**TINY).fit(X, y)
    assert len(clf.history) == 3 and np.isfinite(clf.history[:, "train_loss"]).all()
    assert "finite_loss" in dict(clf.callbacks_)


class Interrupt(Callback):
    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 2:
            raise KeyboardInterrupt


def test_keyboard_interrupt_leaves_a_usable_model(toy, tmp_path, capsys):
    X, y = toy
    clf = VMaskClassifier(**{**TINY, "max_epochs": 5}, callbacks=[("stop", Interrupt())])
    assert clf.fit(X, y) is clf
    assert len(clf.history) == 2  # the epochs before Ctrl-C are kept
    proba = clf.predict_proba(X[:4])
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-5)
    assert clf.explain(X[0]).words
    # and it can be saved with what it learned so far
    clf.set_params(callbacks=None)
    clf.save(tmp_path / "m")
    from skinterp import load

    np.testing.assert_array_equal(load(tmp_path / "m").predict_proba(X[:4]), proba)


def test_interrupted_fit_resumes_to_the_uninterrupted_result(toy, tmp_path):
    from skinterp.callbacks import Resume

    X, y = toy
    params = {**TINY, "max_epochs": 4}
    reference = VMaskClassifier(**params, callbacks=[("resume", Resume(tmp_path / "a"))])
    reference.fit(X, y)
    # interrupted after epoch 2 (as by Ctrl-C), then the same fit is run again
    first = VMaskClassifier(
        **params, callbacks=[("resume", Resume(tmp_path / "b")), ("stop", Interrupt())]
    ).fit(X, y)
    assert len(first.history) == 2
    resumed = VMaskClassifier(**params, callbacks=[("resume", Resume(tmp_path / "b"))])
    resumed.fit(X, y)
    assert dict(resumed.callbacks_)["resume"].resumed_from_ == 2
    assert len(resumed.history) == 4 and resumed.max_epochs == 4
    np.testing.assert_array_equal(resumed.predict_proba(X), reference.predict_proba(X))
    np.testing.assert_array_equal(
        resumed.history[:, "train_loss"], reference.history[:, "train_loss"]
    )
    # a checkpoint of another fit is refused
    other = VMaskClassifier(**{**TINY, "max_epochs": 7}, callbacks=[Resume(tmp_path / "b")])
    with pytest.raises(ValueError, match="max_epochs=4, not 7"):
        other.fit(X, y)


def test_skorch_checkpoint_and_load_init_state_work(toy, tmp_path):
    from skorch.callbacks import Checkpoint, LoadInitState

    X, y = toy
    cp = Checkpoint(dirname=str(tmp_path / "cp"), monitor=None)
    first = VMaskClassifier(**{**TINY, "max_epochs": 2}, callbacks=[("cp", cp)]).fit(X, y)
    cp2 = Checkpoint(dirname=str(tmp_path / "cp"), monitor=None)
    resumed = VMaskClassifier(
        **{**TINY, "max_epochs": 1}, callbacks=[("cp", cp2), ("load", LoadInitState(cp2))]
    )
    resumed.fit(X, y)
    assert len(resumed.history) == 3  # the two saved epochs and one more
    assert resumed.history[:2, "train_loss"] == first.history[:, "train_loss"]
    assert np.isfinite(resumed.predict_proba(X)).all()
