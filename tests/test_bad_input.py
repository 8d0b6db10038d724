"""Bad input gets a clear error naming the problem."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import small_cnn
from sklearn.exceptions import NotFittedError

from skinterp import TextClassifier
from skinterp.text import Tokenizer


@pytest.mark.parametrize(
    "X, exc, msg",
    [
        ([], ValueError, "X is empty"),
        ("a single text", TypeError, "single str.*Wrap it in a list"),
        (["fine", None], ValueError, r"X\[1\] is a missing value"),
        (["fine", np.nan], ValueError, r"X\[1\] is a missing value"),
        (["fine", 42], TypeError, r"X\[1\] is of type int; expected str"),
        (None, TypeError, "X is None"),
    ],
)
def test_bad_X_in_fit(X, exc, msg):
    with pytest.raises(exc, match=msg):
        TextClassifier().fit(X, [0, 1][: len(X) if isinstance(X, list) else 2])


def test_length_mismatch():
    with pytest.raises(ValueError, match="3 texts but 2 labels"):
        TextClassifier().fit(["a", "b", "c"], [0, 1])


def test_one_class_only():
    with pytest.raises(ValueError, match="single class .'pos'.*at least 2"):
        TextClassifier().fit(["a", "b"], ["pos", "pos"])


@pytest.mark.parametrize(
    "y, error, msg",
    [
        (None, ValueError, "y is None; a classifier needs one label per text"),
        ([0, None, 1], ValueError, r"y contains a missing label \(None/NaN\) at index 1"),
        ([0.0, np.nan, 1.0], ValueError, r"y contains a missing label \(None/NaN\) at index 1"),
        ([[0, 1], [1, 0], [0, 1]], ValueError, r"y has shape \(3, 2\); expected a 1-d array"),
        (["a", 1, "b"], TypeError, r"y mixes label types \['number', 'str'\]"),
    ],
)
def test_bad_y(y, error, msg):
    with pytest.raises(error, match=msg):
        TextClassifier().fit(["a", "b", "c"], y)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "explain", "embed", "score"])
def test_before_fit(method):
    clf = TextClassifier()
    args = (["text"], ["a"]) if method == "score" else (["text"],)
    with pytest.raises(NotFittedError, match="fit"):
        getattr(clf, method)(*args)


@pytest.mark.parametrize(
    "k, exc", [(0, ValueError), (-3, ValueError), (1.5, TypeError), (True, TypeError)]
)
def test_bad_k(fitted_cnn, k, exc):
    with pytest.raises(exc, match="k must be"):
        fitted_cnn.explain("a great film", k=k)


def test_k_larger_than_words_returns_all(fitted_cnn):
    assert len(fitted_cnn.explain("great film", k=50).top_k()) == 2


def test_bad_input_at_predict(fitted_cnn):
    with pytest.raises(TypeError, match="single str"):
        fitted_cnn.predict("a great film")
    with pytest.raises(ValueError, match="missing value"):
        fitted_cnn.predict(["ok", None])
    with pytest.raises(ValueError, match="trained on single texts"):
        fitted_cnn.predict([("a", "b")])


def test_empty_and_whitespace_texts_predict(fitted_cnn):
    proba = fitted_cnn.predict_proba(["", "   ", "great"])
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)
    assert fitted_cnn.explain("   ").words == []


@pytest.mark.parametrize(
    "params, msg",
    [
        ({"lr": -1.0}, "'lr' parameter"),
        ({"encoder": "gru"}, "'encoder' parameter"),
        ({"max_length": 0}, "'max_length' parameter"),
        ({"batch_size": 0}, "'batch_size' parameter"),
        ({"dropout": 1.5}, "'dropout' parameter"),
        ({"filter_sizes": (3, 0)}, "filter_sizes"),
        ({"encoder": "transformer"}, "needs pretrained"),
        ({"validation_fraction": 1.0}, "'validation_fraction' parameter"),
    ],
)
def test_bad_hyperparameters(toy, params, msg):
    X, y = toy
    with pytest.raises(ValueError, match=msg):
        TextClassifier(**params).fit(X, y)


def test_misspelled_dunder_param(toy):
    X, y = toy
    with pytest.raises(ValueError, match="optimizer__momentum"):
        small_cnn(optimizer_momentum=0.9).fit(X, y)


def test_wrong_shaped_embedding_matrix(toy):
    X, y = toy
    with pytest.raises(ValueError, match="rows but the vocabulary has"):
        small_cnn(embeddings=np.zeros((3, 5))).fit(X, y)
    with pytest.raises(ValueError, match="2-d"):
        small_cnn(embeddings=np.zeros(5)).fit(X, y)
    with pytest.raises(ValueError, match="one row per word"):
        small_cnn(embeddings=(["a", "b"], np.zeros((3, 4)))).fit(X, y)
    with pytest.raises(TypeError, match="embeddings must be"):
        small_cnn(embeddings=42).fit(X, y)
    with pytest.raises(ValueError, match="none of the vocabulary"):
        small_cnn(embeddings={"qqq": np.zeros(3)}).fit(X, y)


def test_transformer_with_word_tokenizer_is_refused(toy, bert_config):
    X, y = toy
    enc = Tokenizer().fit_transform(X)
    with pytest.raises(ValueError, match="needs a Hugging Face tokenizer"):
        TextClassifier(encoder="transformer", pretrained=bert_config, max_epochs=1).fit(enc, y)
    with pytest.raises(ValueError, match="pass tokenizer="):
        TextClassifier(encoder="transformer", pretrained=bert_config, max_epochs=1).fit(X, y)


def test_encoder_module_without_interface(toy):
    from torch import nn

    X, y = toy
    with pytest.raises(TypeError, match="output_dim"):
        TextClassifier(encoder=nn.Linear(2, 2)).fit(X, y)


def test_encodings_from_another_tokenizer(fitted_cnn):
    other = Tokenizer().fit(["entirely different words"]).transform(["different"])
    with pytest.raises(ValueError, match="differs from the one this model was trained with"):
        fitted_cnn.predict(other)


def test_unseen_label_in_score_gives_zero_for_that_sample(fitted_cnn):
    # score compares predictions with labels; an unseen label is simply never predicted
    assert fitted_cnn.score(["a great film"], ["unseen"]) == 0.0


def test_warm_start_unseen_label(toy):
    X, y = toy
    clf = small_cnn(max_epochs=1, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="unseen in the first fit"):
        clf.fit(X[:3], ["other"] * 3)


def test_transformer_missing_path(toy):
    X, y = toy
    with pytest.raises(OSError, match="could not load"):
        TextClassifier(encoder="transformer", pretrained="/nonexistent/model").fit(X, y)
