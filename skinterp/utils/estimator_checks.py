"""Checks every skinterp text estimator must pass.

scikit-learn's ``check_estimator`` skips text estimators entirely, so skinterp keeps its own
set (like imbalanced-learn's ``utils/estimator_checks.py``). ``tests/test_common.py`` runs
them over every exported estimator; a new method gets them for free.

Each check is ``check(name, estimator)`` and raises ``AssertionError`` on failure.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable, Iterator

import joblib
import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from ..text import Tokenizer, segment_words

__all__ = ["TOY_NEG", "TOY_POS", "all_checks", "all_estimators", "toy_text_data"]

TOY_POS = [
    "a great film",
    "wonderful acting",
    "i loved this movie",
    "superb story and music",
    "a really fun film",
    "good cast , great script",
    "the ending was wonderful",
    "great fun",
]
TOY_NEG = [
    "a dull film",
    "awful acting",
    "i hated this movie",
    "boring story and music",
    "a really bad film",
    "bad cast , terrible script",
    "the ending was awful",
    "dull and boring",
]


def toy_text_data(repeat: int = 3) -> tuple[list[str], list[str]]:
    """A tiny, separable sentiment data set with string labels."""
    X = (TOY_POS + TOY_NEG) * repeat
    y = (["pos"] * len(TOY_POS) + ["neg"] * len(TOY_NEG)) * repeat
    return X, y


def all_estimators() -> list[tuple[str, type]]:
    """Every estimator class of the method registry, as ``(name, class)`` (sorted by name)."""
    from ..methods import REGISTRY

    classes = {spec.estimator for spec in REGISTRY.values()}
    return sorted(((c.__name__, c) for c in classes), key=lambda t: t[0])


def check_clone_and_params(name, est):
    params = est.get_params(deep=False)
    cloned = clone(est)
    assert type(cloned) is type(est), name
    for key, value in params.items():
        other = cloned.get_params(deep=False)[key]
        if isinstance(value, (int, float, str, bool, tuple, type(None))):
            assert other == value, f"{name}: clone changed {key}"
    cloned.set_params(max_epochs=params["max_epochs"] + 1)
    assert cloned.get_params()["max_epochs"] == params["max_epochs"] + 1
    assert est.get_params()["max_epochs"] == params["max_epochs"], f"{name}: set_params leaked"
    assert "module" not in params, f"{name}: 'module' must not be a user parameter"


def check_fit_returns_self_and_string_labels(name, est):
    X, y = toy_text_data()
    est = clone(est)
    assert est.fit(X, y) is est, f"{name}: fit must return self"
    assert list(est.classes_) == ["neg", "pos"]
    pred = est.predict(X[:4])
    assert set(pred) <= {"neg", "pos"}, f"{name}: predict must return labels from classes_"


def check_predict_proba(name, est):
    X, y = toy_text_data()
    est = clone(est).fit(X, y)
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5, err_msg=name)
    np.testing.assert_array_equal(est.predict(X), est.classes_[proba.argmax(1)])
    assert 0.0 <= est.score(X, y) <= 1.0


def check_pickle_roundtrip(name, est):
    X, y = toy_text_data()
    est = clone(est).fit(X, y)
    expected = est.predict_proba(X)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict_proba(X), expected, err_msg=f"{name}: pickle")
    buf = io.BytesIO()
    joblib.dump(est, buf)
    buf.seek(0)
    np.testing.assert_array_equal(joblib.load(buf).predict_proba(X), expected, err_msg=name)
    e1, e2 = est.explain(X[0]), again.explain(X[0])
    np.testing.assert_array_equal(e1.scores, e2.scores)


def check_save_load_roundtrip(name, est):
    import tempfile

    from .._persistence import load

    X, y = toy_text_data()
    est = clone(est).fit(X, y)
    with tempfile.TemporaryDirectory() as tmp:
        est.save(tmp)
        again = load(tmp)
    assert type(again) is type(est), f"{name}: loaded class"
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X), err_msg=name)
    np.testing.assert_array_equal(again.predict(X), est.predict(X), err_msg=name)
    for e1, e2 in zip(est.explain(X[:3]), again.explain(X[:3]), strict=True):
        np.testing.assert_array_equal(e1.scores, e2.scores, err_msg=f"{name}: explanations")
        assert e1.words == e2.words and e1.label == e2.label
    assert set(again.get_params()) == set(est.get_params()), f"{name}: params"
    assert len(again.history) == len(est.history)


def check_explain_alignment(name, est):
    X, y = toy_text_data()
    est = clone(est).fit(X, y)
    texts = [X[0], "  Unseen   WORDS, and more words!  ", ""]
    exps = est.explain(texts, k=2)
    assert len(exps) == len(texts)
    pred = est.predict(texts)
    proba = est.predict_proba(texts)
    for text, exp, label, row in zip(texts, exps, pred, proba, strict=True):
        words = segment_words(text)
        assert exp.words == [w.text for w in words], f"{name}: explanation words"
        assert [text[s:e] for s, e in exp.spans] == exp.words
        assert exp.scores.shape == (len(words),) and np.isfinite(exp.scores).all()
        assert exp.label == label, f"{name}: explanation label differs from predict"
        np.testing.assert_allclose(exp.proba, row.max(), rtol=1e-4)
        assert len(exp.top_k()) == min(2, len(words))
    single = est.explain(X[1])
    assert single.words == [w.text for w in segment_words(X[1])]


def check_same_seed_same_result(name, est):
    X, y = toy_text_data()
    a = clone(est).set_params(random_state=7).fit(X, y)
    b = clone(est).set_params(random_state=7).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X), err_msg=name)
    np.testing.assert_array_equal(a.explain(X[0]).scores, b.explain(X[0]).scores)


def check_not_fitted(name, est):
    est = clone(est)
    for call in (est.predict, est.predict_proba, est.explain, est.embed):
        try:
            call(["some text"])
        except NotFittedError:
            continue
        raise AssertionError(f"{name}.{call.__name__} before fit must raise NotFittedError")


def check_embed(name, est):
    X, y = toy_text_data()
    est = clone(est).fit(X, y)
    emb = est.embed(X[:5])
    assert emb.ndim == 2 and emb.shape[0] == 5 and np.isfinite(emb).all()
    # order is preserved although inference runs in length order
    np.testing.assert_allclose(est.embed([X[3]])[0], emb[3], rtol=1e-4, atol=1e-5)


def check_sentence_pairs(name, est):
    X, y = toy_text_data()
    pairs = list(zip(X, X[::-1], strict=True))
    est = clone(est).fit(pairs, y)
    exp = est.explain(pairs[0])
    assert exp.sides is not None and set(exp.sides.tolist()) == {0, 1}
    assert len(exp.words) == len(segment_words(pairs[0][0])) + len(segment_words(pairs[0][1]))


def check_pipeline_with_tokenizer(name, est):
    from sklearn.pipeline import Pipeline

    X, y = toy_text_data()
    tok = Tokenizer() if est.encoder != "transformer" else Tokenizer(est.tokenizer)
    pipe = Pipeline([("tok", tok), ("clf", clone(est))]).fit(X, y)
    direct = clone(est).fit(X, y)
    np.testing.assert_allclose(
        pipe.predict_proba(X),
        direct.predict_proba(X),
        rtol=1e-5,
        err_msg=f"{name}: pipeline and raw text must agree",
    )
    exp = pipe[-1].explain(pipe[0].transform([X[0]]))[0]
    assert exp.words == [w.text for w in segment_words(X[0])]


_CHECKS: list[Callable] = [
    check_clone_and_params,
    check_not_fitted,
    check_fit_returns_self_and_string_labels,
    check_predict_proba,
    check_pickle_roundtrip,
    check_save_load_roundtrip,
    check_explain_alignment,
    check_same_seed_same_result,
    check_embed,
    check_sentence_pairs,
    check_pipeline_with_tokenizer,
]


def all_checks() -> Iterator[Callable]:
    """Yield every check function."""
    yield from _CHECKS
