"""estimator.save / skinterp.load: safetensors + JSON, exact round trips, no pickle."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch
from conftest import need_data, small_cnn
from sklearn.exceptions import NotFittedError

import skinterp
from skinterp import TextClassifier, VMaskClassifier, load


@pytest.fixture(scope="module")
def saved(toy, tmp_path_factory):
    X, y = toy
    labels = np.where(np.asarray(y) == y[0], "yes", "no")  # string labels
    clf = small_cnn(max_epochs=2).fit(X, labels)
    folder = clf.save(tmp_path_factory.mktemp("m") / "model")
    return clf, folder


def test_folder_holds_json_and_safetensors_only(saved):
    _, folder = saved
    assert sorted(p.name for p in folder.iterdir()) == ["model.safetensors", "skinterp.json"]
    meta = json.loads((folder / "skinterp.json").read_text())
    assert meta["class"] == "TextClassifier" and meta["format_version"] == 3
    assert meta["fitted"]["classes"] == ["no", "yes"]
    assert meta["tokenizer"]["kind"] == "word" and meta["tokenizer"]["itos"][:2] == [
        "[PAD]",
        "[UNK]",
    ]


def test_loading_runs_no_pickle(saved, toy, monkeypatch):
    clf, folder = saved

    def refuse(*a, **k):
        raise AssertionError("pickle was used")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(torch, "load", refuse)
    again = load(folder)
    X = toy[0]
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert list(again.predict(X[:5])) == list(clf.predict(X[:5]))
    assert again.get_params()["embedding_dim"] == clf.get_params()["embedding_dim"]


def test_real_glove_and_minilm_models_load_without_their_sources(tmp_path, monkeypatch):
    from skinterp.datasets import load_rotten_tomatoes

    data = need_data(load_rotten_tomatoes)
    X, y = data.X_train[:300], data.y_train[:300]
    glove = VMaskClassifier(embeddings="glove-50d", max_epochs=1, random_state=0).fit(X, y)
    minilm = TextClassifier(
        encoder="transformer",
        pretrained="minilm",
        transformer_kwargs={"num_hidden_layers": 1},
        max_length=32,
        max_epochs=1,
        random_state=0,
    ).fit(X[:64], y[:64])
    glove.save(tmp_path / "glove")
    minilm.save(tmp_path / "minilm")
    # loading needs neither the word vectors nor the pretrained weights
    import skinterp.datasets._pretrained as pre

    def unavailable(*a, **k):
        raise AssertionError("a pretrained source was read")

    monkeypatch.setattr(pre, "load_glove_50d", unavailable)
    monkeypatch.setattr(pre, "minilm_path", unavailable)
    monkeypatch.setitem(pre.WORD_VECTORS, "glove-50d", unavailable)
    test = data.X_test[:20]
    for model, name in ((glove, "glove"), (minilm, "minilm")):
        again = load(tmp_path / name)
        np.testing.assert_array_equal(again.predict_proba(test), model.predict_proba(test))
        e1, e2 = model.explain(test[0]), again.explain(test[0])
        np.testing.assert_array_equal(e1.scores, e2.scores)
        assert again.get_params()["embeddings"] == model.get_params()["embeddings"]
        assert again.get_params()["pretrained"] == model.get_params()["pretrained"]


@pytest.mark.parametrize("cls", [TextClassifier, VMaskClassifier])
def test_warm_start_after_load_continues_bit_for_bit(toy, tmp_path, cls):
    """fit, save, load, fit again (warm_start) == fit, fit again: the optimizer's moments and
    step counts come back with the weights (VMASK: and its beta schedule, from the history)."""
    X, y = toy
    params = dict(embedding_dim=16, num_filters=8, max_epochs=2, random_state=0, warm_start=True)
    straight = cls(**params).fit(X, y)
    straight.save(tmp_path / "m")
    straight.fit(X, y)
    resumed = load(tmp_path / "m").fit(X, y)
    for key, value in straight.module_.state_dict().items():
        assert torch.equal(value, resumed.module_.state_dict()[key]), key
    assert [h["train_loss"] for h in resumed.history] == [h["train_loss"] for h in straight.history]
    # without the optimizer's state the continuation differs: the check above can fail
    from safetensors.torch import load_file, save_file

    from skinterp.core._safe_load import file_hashes

    tensors = load_file(str(tmp_path / "m" / "model.safetensors"))
    save_file(
        {k: v for k, v in tensors.items() if not k.startswith("optimizer::")},
        str(tmp_path / "m" / "model.safetensors"),
    )
    meta = json.loads((tmp_path / "m" / "skinterp.json").read_text())
    meta.update(optimizers={}, files=file_hashes(tmp_path / "m"))
    (tmp_path / "m" / "skinterp.json").write_text(json.dumps(meta))
    fresh = load(tmp_path / "m").fit(X, y)
    assert not torch.equal(
        fresh.module_.encoder.convs[0].weight, straight.module_.encoder.convs[0].weight
    )


def test_object_parameters_are_saved_not_dropped(toy, tmp_path):
    import pandas as pd
    from sklearn.frozen import FrozenEstimator

    X, y = toy
    words = ["great", "film", "awful", "movie"]
    vectors = np.random.default_rng(0).normal(size=(4, 16)).astype(np.float32)
    common = dict(num_filters=8, max_epochs=1, random_state=0)
    base = small_cnn(embeddings=(words, vectors), **common).fit(X, y)
    forms = {
        "tuple": (words, vectors),
        "dict": dict(zip(words, vectors, strict=True)),
        "frame": pd.DataFrame(vectors, index=words),
    }
    for name, form in forms.items():
        clf = VMaskClassifier(embeddings=form, init_from=FrozenEstimator(base), **common)
        clf.fit(X, y).save(tmp_path / name)
        again = load(tmp_path / name)
        got_words, got_matrix = again.embeddings  # every form comes back as (words, matrix)
        assert got_words == words and np.array_equal(got_matrix, vectors)
        assert isinstance(again.init_from, FrozenEstimator)
        np.testing.assert_array_equal(again.init_from.predict_proba(X), base.predict_proba(X))
        np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    # a bare matrix (one row per vocabulary word) comes back as a matrix; a plain init_from
    # as a plain estimator
    matrix = np.random.default_rng(1).normal(size=(len(base.tokenizer_.words_), 16))
    clf = small_cnn(embeddings=matrix, init_from=base, **common).fit(X, y)
    clf.save(tmp_path / "bare")
    again = load(tmp_path / "bare")
    np.testing.assert_allclose(again.embeddings, matrix.astype(np.float32))
    assert type(again.init_from) is TextClassifier and again.init_from is not base


def test_save_errors(toy, tmp_path):
    with pytest.raises(NotFittedError):
        small_cnn().save(tmp_path / "x")
    from skorch.callbacks import EpochTimer

    X, y = toy
    clf = small_cnn(max_epochs=1, callbacks=[EpochTimer()]).fit(X, y)  # objects: not JSON
    with pytest.raises(ValueError, match="callbacks=.*joblib"):
        clf.save(tmp_path / "y")
    from sklearn.linear_model import LogisticRegression

    clf = small_cnn(max_epochs=1).fit(X, y).set_params(init_from=LogisticRegression())
    with pytest.raises(ValueError, match="init_from=LogisticRegression.*not a fitted skinterp"):
        clf.save(tmp_path / "z")


def test_load_errors(saved, tmp_path):
    _, folder = saved
    with pytest.raises(FileNotFoundError, match="skinterp.json"):
        load(tmp_path)
    meta = json.loads((folder / "skinterp.json").read_text())
    for change, message in (
        ({"class": "system"}, "not a skinterp estimator"),
        ({"format_version": 99}, "newer skinterp"),
        ({"format": "other"}, "not a skinterp model"),
        ({"params": {**meta["params"], "optimizer": {"class": "os.system"}}}, "not allowed"),
    ):
        bad = tmp_path / f"bad{len(list(tmp_path.iterdir()))}"
        bad.mkdir()
        (bad / "skinterp.json").write_text(json.dumps({**meta, **change}))
        (bad / "model.safetensors").write_bytes((folder / "model.safetensors").read_bytes())
        with pytest.raises(ValueError, match=message):
            load(bad)


def test_load_is_exported():
    assert skinterp.load is load and "load" in skinterp.__all__
