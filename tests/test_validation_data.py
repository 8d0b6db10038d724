"""fit(X, y, validation_data=(X_valid, y_valid)): a given dev split scores every epoch and picks
the best one, while every training text trains."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from conftest import small_cnn
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV

from skinterp import SCCClassifier, TextClassifier


@pytest.fixture(scope="module")
def dev(toy):
    """The toy texts split 40 / 20 into training and dev texts, both classes on each side."""
    X, y = toy
    rng = np.random.default_rng(0)
    order = rng.permutation(len(X))
    take = order[:60]
    X, y = [X[i] for i in take], [y[i] for i in take]
    return (X[:40], y[:40]), (X[40:], y[40:])


def test_validation_data_scores_each_epoch_and_every_text_trains(dev):
    (X, y), (Xv, yv) = dev
    clf = small_cnn(max_epochs=3, random_state=0).fit(X, y, validation_data=(Xv, yv))
    assert sum(clf.history[-1, "batches", :, "train_batch_size"]) == len(X)
    assert sum(clf.history[-1, "batches", :, "valid_batch_size"]) == len(Xv)
    assert clf.history[-1, "valid_acc"] == pytest.approx(clf.score(Xv, yv))
    assert len(clf.history[:, "valid_loss"]) == 3
    held = small_cnn(max_epochs=1, validation_fraction=0.25).fit(X, y)  # for contrast
    assert sum(held.history[-1, "batches", :, "train_batch_size"]) == 30
    assert not hasattr(clf, "_given_validation")  # the dev texts are not kept on the model
    assert b"_given_validation" not in pickle.dumps(clf)


def test_early_stopping_picks_the_epoch_on_the_given_texts(dev):
    (X, y), (Xv, yv) = dev
    clf = small_cnn(max_epochs=5, early_stopping="valid_acc", patience=5, random_state=0)
    clf.fit(X, y, validation_data=(Xv, yv))
    assert len(clf.history) == 5  # patience >= max_epochs: picks, never stops early
    assert clf.score(Xv, yv) == pytest.approx(max(clf.history[:, "valid_acc"]))


def test_a_holding_out_method_trains_every_text_with_validation_data(dev):
    (X, y), (Xv, yv) = dev
    tiny = dict(embeddings=None, embedding_dim=8, num_filters=4, max_epochs=4, random_state=0)
    scc = SCCClassifier(**tiny).fit(X, y, validation_data=(Xv, yv))
    # the main fit and the warm-up both trained on all 40 texts and scored the dev texts
    for model in (scc, scc.warmup_model_):
        assert sum(model.history[-1, "batches", :, "train_batch_size"]) == len(X)
        assert "valid_acc" in model.history[-1]
    base = TextClassifier(**{**tiny, "max_epochs": 1}).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "init_from saw the held-out share" warning
        scc = SCCClassifier(**tiny, init_from=FrozenEstimator(base), pick_decisive=False)
        scc.fit(X, y, validation_data=(Xv, yv))


def test_grid_search_hands_validation_data_to_every_fit(dev):
    (X, y), (Xv, yv) = dev
    est = small_cnn(max_epochs=2, early_stopping="valid_acc", random_state=0)
    gs = GridSearchCV(est, {"lr": [1e-3, 1e-2]}, cv=2).fit(X, y, validation_data=(Xv, yv))
    assert "valid_acc" in gs.best_estimator_.history[-1]
    assert "validation_data" not in clone(est).get_params()


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        ("dev", TypeError, r"must be a pair \(X_valid, y_valid\)"),
        ((["a text"],), TypeError, "must be a pair"),
        (("one text", ["pos"]), TypeError, "validation_data: X_valid is a single str"),
        ((["a", "b"], ["pos"]), ValueError, "validation_data: .*2 texts but 1 labels"),
        ((["a", "b"], ["pos", "meh"]), ValueError, r"y_valid has labels not in y: \['meh'\]"),
        (([("a", "b")], ["pos"]), ValueError, "X_valid holds sentence pairs, but X holds single"),
        (([], []), ValueError, "validation_data: "),
    ],
)
def test_bad_validation_data_is_refused_before_training(dev, bad, error, match):
    (X, y), _ = dev
    clf = small_cnn(max_epochs=1)
    with pytest.raises(error, match=match):
        clf.fit(X, y, validation_data=bad)
    assert not hasattr(clf, "module_")  # refused before any training


@pytest.mark.parametrize("option", [{"validation_fraction": 0.2}, {"train_split": False}])
def test_validation_data_and_another_split_are_refused(dev, option):
    (X, y), valid = dev
    name = next(iter(option))
    with pytest.raises(ValueError, match=f"validation_data and {name}=.*pass one of them"):
        small_cnn(max_epochs=1, **option).fit(X, y, validation_data=valid)


def test_a_failed_fit_does_not_keep_the_dev_texts(dev):
    (X, y), (Xv, yv) = dev
    other = small_cnn(max_epochs=1).fit(Xv, yv)  # another vocabulary
    clf = small_cnn(max_epochs=1)
    with pytest.raises(ValueError, match="validation_data: "):
        # encodings of another model's tokenizer: caught when the dev split is encoded
        clf.fit(X, y, validation_data=(other.encode(Xv), yv))
    assert not hasattr(clf, "_given_validation")
