"""Bad- and odd-input sweep over every estimator and the public functions (hypothesis).

Every case must end in a correct result or a clear error naming the problem (ValueError,
TypeError, NotFittedError with a message) -- never a crash from inside torch, never silently
wrong output. docs/robustness.md keeps the table of cases and outcomes.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skinterp.explain import LimeExplainer, get_explainer
from skinterp.metrics import (
    aopc_score,
    comprehensiveness_score,
    posthoc_accuracy_score,
    reduced_number,
    sufficiency_score,
)
from skinterp.text import segment_words
from skinterp.utils.estimator_checks import all_estimators

TINY = dict(embedding_dim=8, num_filters=4, hidden_size=4, max_epochs=2, batch_size=16)
ODD = [
    "",
    "   ",
    "\t\n\r",
    "😀🔥 great 👍🏽 film",
    "שלום עולם, סרט טוב",  # right-to-left (Hebrew)
    "مرحبا بالعالم فيلم رائع",  # right-to-left (Arabic)
    "a\x00b\x1fc\x7f d",  # control characters
    "\u200b\u200e\u202e zero-width and bidi marks",
    "Ünïcödé façade naïve café",
    "<script>alert(1)</script> & <b>bold</b>",
    "word " * 300,  # longer than max_length
    "!!!???...",
    "ＦＵＬＬＷＩＤＴＨ　ｔｅｘｔ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters",
]
TEXTS = st.one_of(
    st.sampled_from(ODD),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
)
SWEEP = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def fitted(toy):
    X, y = toy
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, cls in all_estimators():
            out[name] = cls(encoder="cnn", max_length=32, random_state=0, **TINY).fit(X, y)
    return out


NAMES = [name for name, _ in all_estimators()]


@pytest.mark.parametrize("name", NAMES)
@SWEEP
@given(texts=st.lists(TEXTS, min_size=1, max_size=6))
def test_odd_texts_give_correct_results(fitted, name, texts):
    clf = fitted[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the truncation warning is expected for long texts
        proba = clf.predict_proba(texts)
        exps = clf.explain(texts)
        labels = clf.predict(texts)
    assert proba.shape == (len(texts), len(clf.classes_)) and np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-5)
    assert set(labels) <= set(clf.classes_)
    for text, exp, row in zip(texts, exps, proba, strict=True):
        words = segment_words(text)
        assert exp.words == [w.text for w in words]
        assert [text[s:e] for s, e in exp.spans] == exp.words
        assert np.isfinite(exp.scores).all()
        assert exp.proba == pytest.approx(row.max(), rel=1e-5)


BAD_X = [
    ([], ValueError, r"X is empty; at least one text is required"),
    ("one string", TypeError, r"X is a single str; expected a list of texts"),
    (None, TypeError, r"X is None; expected a list of texts"),
    (["ok", None], ValueError, r"X\[1\] is a missing value \(None\); every text must be a str"),
    (["ok", float("nan")], ValueError, r"X\[1\] is a missing value \(nan\)"),
    (["ok", b"bytes"], TypeError, r"X\[1\] is bytes, not str; decode it first"),
    (["ok", 3], TypeError, r"X\[1\] is of type int; expected str"),
    (["ok", ["nested"]], TypeError, r"X\[1\] is of type list; expected str"),
    ([("a",)], ValueError, r"X\[0\] is not a \(text_a, text_b\) pair"),
    ([("a", "b", "c")], ValueError, r"X\[0\] is not a \(text_a, text_b\) pair"),
    ([("a", 1)], TypeError, r"X\[0\]\[1\] is of type int; expected str"),
    ([{"text": "a"}], TypeError, r"X\[0\] is of type dict; expected str"),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("method", ["predict", "predict_proba", "explain", "embed"])
@pytest.mark.parametrize(("X", "error", "message"), BAD_X, ids=[repr(x)[:20] for x, *_ in BAD_X])
def test_bad_X_is_named(fitted, name, method, X, error, message):
    if method == "explain" and isinstance(X, str):
        # explain takes a single text and returns a single Explanation
        assert fitted[name].explain(X).words == ["one", "string"]
        return
    with pytest.raises(error, match=message):
        getattr(fitted[name], method)(X)


@pytest.mark.parametrize("name", NAMES)
def test_bad_fit_input_is_named(fitted, name, toy):
    X, y = toy
    cls = type(fitted[name])
    for Xb, yb, message in (
        (X[:4], y[:3], "X and y have different lengths: 4 texts but 3 labels"),
        (X[:4], ["a"] * 4, r"y has a single class \('a'\); a classifier needs at least 2"),
        ([*X[:2], None], [0, 1, 0], r"X\[2\] is a missing value \(None\)"),
        (["", " "], [0, 1], None),  # texts without words are valid input
    ):
        est = cls(encoder="cnn", random_state=0, **TINY)
        if message is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est.fit(Xb, yb)
            assert est.predict_proba(Xb).shape == (2, 2)
        else:
            with pytest.raises(ValueError, match=message):
                est.fit(Xb, yb)


@pytest.mark.parametrize("name", NAMES)
def test_score_with_unseen_labels_and_k_beyond_words(fitted, name, toy):
    clf = fitted[name]
    X, y = toy
    assert 0 <= clf.score(X[:6], ["never seen"] * 6) <= 1  # wrong, so 0: not an error
    assert clf.score(X[:6], ["never seen"] * 6) == 0
    exp = clf.explain("two words", k=50)
    assert len(exp.top_k()) == 2
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        clf.explain("two words", k=0)


def test_a_100000_word_text_is_truncated_with_one_warning(fitted):
    clf = fitted["VMaskClassifier"]
    text = " ".join(["word"] * 100_000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        proba = clf.predict_proba([text, "short"])
        exp = clf.explain(text)
    truncation = [w for w in caught if "truncated" in str(w.message)]
    assert len(truncation) == 2  # one per call, not one per text or token
    assert proba.shape == (2, 2) and len(exp.words) == 100_000
    assert np.count_nonzero(exp.scores) <= clf.max_length  # words past the window score 0


PUBLIC_FUNCTIONS = {
    "aopc_score": lambda c, X: aopc_score(c, X, k=3),
    "posthoc_accuracy_score": lambda c, X: posthoc_accuracy_score(c, X, k=3),
    "comprehensiveness_score": lambda c, X: comprehensiveness_score(c, X),
    "sufficiency_score": lambda c, X: sufficiency_score(c, X),
    "reduced_number": lambda c, X: reduced_number(c, X),
    "occlusion": lambda c, X: get_explainer("occlusion").explain(c, X),
    "lime": lambda c, X: LimeExplainer(num_samples=30, random_state=0).explain(c, X),
    "random": lambda c, X: get_explainer("random").explain(c, X),
}


@pytest.mark.parametrize("function", sorted(PUBLIC_FUNCTIONS))
@SWEEP
@given(texts=st.lists(TEXTS, min_size=1, max_size=4))
def test_metrics_and_explainers_on_odd_texts(fitted, function, texts):
    clf = fitted["TextClassifier"]
    call = PUBLIC_FUNCTIONS[function]
    wordless = [i for i, t in enumerate(texts) if not segment_words(t)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if wordless and function in (
            "aopc_score",
            "posthoc_accuracy_score",
            "reduced_number",
            "comprehensiveness_score",
            "sufficiency_score",
        ):
            with pytest.raises(ValueError, match=rf"X\[{wordless[0]}\] has no words"):
                call(clf, texts)
            return
        out = call(clf, texts)
    if isinstance(out, list):
        assert len(out) == len(texts)
        for text, exp in zip(texts, out, strict=True):
            assert exp.words == [w.text for w in segment_words(text)]
            assert np.isfinite(exp.scores).all()
    else:
        assert np.isfinite(np.asarray(out, dtype=float)).all()


@pytest.mark.parametrize("function", sorted(PUBLIC_FUNCTIONS))
def test_public_functions_refuse_empty_batches(fitted, function):
    with pytest.raises(ValueError, match="X is empty; at least one text is required"):
        PUBLIC_FUNCTIONS[function](fitted["TextClassifier"], [])
