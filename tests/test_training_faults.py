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


class _Crash(Exception):
    """A crash (power cut, OOM kill) in the middle of a checkpoint save."""


def test_a_crash_between_any_two_checkpoint_writes_resumes_bit_for_bit(toy, tmp_path, monkeypatch):
    """Fail before every write of epochs 1 and 2 (and before the manifest switch, and before the
    old epoch is removed); the fit run again resumes to exactly the uninterrupted model."""
    from skinterp.callbacks import Resume

    X, y = toy
    params = {**TINY, "max_epochs": 3}
    reference = VMaskClassifier(**params).fit(X, y)
    steps = Resume._save_steps
    per_epoch = len(list(steps(Resume(tmp_path / "count").initialize(), reference)))
    assert per_epoch >= 8  # fresh, 3 files, rng, rename, manifest, switch, clean
    for fail_at in range(2 * per_epoch):
        calls = {"n": 0}

        def failing(self, net, calls=calls, fail_at=fail_at):
            for step in steps(self, net):
                if calls["n"] == fail_at:
                    calls["n"] += 1
                    raise _Crash(fail_at)
                calls["n"] += 1
                yield step

        folder = tmp_path / f"ckpt{fail_at}"
        with monkeypatch.context() as m:
            m.setattr(Resume, "_save_steps", failing)
            with pytest.raises(_Crash):
                VMaskClassifier(**params, callbacks=[("resume", Resume(folder))]).fit(X, y)
        resumed = VMaskClassifier(**params, callbacks=[("resume", Resume(folder))]).fit(X, y)
        epoch_done = fail_at // per_epoch + (fail_at % per_epoch > per_epoch - 2)
        assert dict(resumed.callbacks_)["resume"].resumed_from_ == (epoch_done or None), fail_at
        for key, value in reference.module_.state_dict().items():
            assert torch.equal(value, resumed.module_.state_dict()[key]), (fail_at, key)
        np.testing.assert_array_equal(
            resumed.history[:, "train_loss"], reference.history[:, "train_loss"]
        )
        assert sorted(p.name for p in folder.iterdir()) == ["checkpoint.json", "epoch-000003"]


def test_a_damaged_checkpoint_is_refused(toy, tmp_path):
    from skinterp.callbacks import Resume

    X, y = toy
    VMaskClassifier(**{**TINY, "max_epochs": 2}, callbacks=[Resume(tmp_path)]).fit(X, y)
    params_file = tmp_path / "epoch-000002" / "params.pt"
    params_file.write_bytes(params_file.read_bytes()[:-10])
    clf = VMaskClassifier(**{**TINY, "max_epochs": 2}, callbacks=[Resume(tmp_path)])
    with pytest.raises(ValueError, match="params.pt is missing or does not match"):
        clf.fit(X, y)
