"""The accuracy drop (VAT Table 3's AOPC) against hand-computed values on the keyword model,
in evaluate and as a scorer, with clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from _keyword import TEXTS, KeywordModel, hand_ranked
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from skinterp.metrics import accuracy_drop_score, evaluate, make_accuracy_drop_scorer

# the model predicts pos, neg, neg: the third text is wrong against these labels
GOLD = ["pos", "neg", "pos"]


@pytest.fixture(scope="module")
def kw():
    return KeywordModel().fit(TEXTS, ["pos", "neg", "neg"])


@pytest.fixture(scope="module")
def exps(kw):
    return hand_ranked(kw)


def test_hand_computed(kw, exps):
    # whole texts: 2 of 3 right.
    # k=1: "good movie" pos (right), "dull plot good" pos (wrong), "fun film" pos (now right)
    # k=2: "movie" p=0.5 -> neg (wrong), "plot good" pos (wrong), "fun" pos (right)
    # k=9: every word gone, p=0.5 -> neg: only the second text is right
    assert accuracy_drop_score(kw, TEXTS, GOLD, k=1, explanations=exps) == pytest.approx(0.0)
    assert accuracy_drop_score(kw, TEXTS, GOLD, k=2, explanations=exps) == pytest.approx(1 / 3)
    np.testing.assert_allclose(
        accuracy_drop_score(kw, TEXTS, GOLD, k=(1, 2, 9), explanations=exps), [0, 1 / 3, 1 / 3]
    )
    # a deletion can also help: against the model's own labels nothing is wrong to start with
    own = list(kw.predict(TEXTS))
    assert accuracy_drop_score(kw, TEXTS, own, k=1, explanations=exps) == pytest.approx(2 / 3)


def test_in_evaluate_with_a_judge(kw, exps):
    other = make_pipeline(TfidfVectorizer(), LogisticRegression(C=100)).fit(TEXTS, GOLD)
    report = evaluate(
        kw,
        TEXTS,
        GOLD,
        metrics=["accuracy_drop"],
        explainers=["occlusion"],
        k=[1, 2],
        judge=other,
        progress=False,
    )
    got = dict(zip(report["metric"], report["value"], strict=True))
    from skinterp.explain import get_explainer

    occl = get_explainer("occlusion").explain(kw, TEXTS)
    want = accuracy_drop_score(other, TEXTS, GOLD, k=[1, 2], explanations=occl)
    assert [got["accuracy_drop@1"], got["accuracy_drop@2"]] == pytest.approx(want)
    with pytest.raises(ValueError, match="accuracy_drop metric needs the gold labels"):
        evaluate(kw, TEXTS, metrics=["accuracy_drop"], explainers=["occlusion"], progress=False)


def test_scorer(kw, exps):
    scorer = make_accuracy_drop_scorer(k=2, explanations=exps)
    assert scorer(kw, TEXTS, GOLD) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="scores against the gold labels; pass y"):
        scorer(kw, TEXTS)
    X = ["good fun film", "bad awful plot", "great movie", "dull film"] * 4
    y = [1, 0, 1, 0] * 4
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
    scores = cross_val_score(
        pipe, X, y, cv=2, scoring=make_accuracy_drop_scorer(explainer="occlusion", k=1)
    )
    assert scores.shape == (2,) and np.all((scores >= -1) & (scores <= 1))
    with pytest.raises(TypeError, match="unexpected argument"):
        make_accuracy_drop_scorer(kk=1)


@pytest.mark.parametrize(
    "y, exc, msg",
    [
        (None, ValueError, "needs the gold labels y"),
        (["pos", "neg"], ValueError, "one label per text: 3 texts"),
        (["pos", "neg", "meh"], ValueError, r"labels the model does not know: \['meh'\]"),
        ("pos", TypeError, "y must be a sequence of labels"),
        (1, TypeError, "y must be a sequence of labels"),
    ],
)
def test_clear_errors(kw, y, exc, msg):
    with pytest.raises(exc, match=msg):
        accuracy_drop_score(kw, TEXTS, y, explainer="occlusion")


def test_needs_classes(kw):
    class NoClasses:
        def predict_proba(self, X):
            return kw.predict_proba(X)

    with pytest.raises(TypeError, match="has no classes_"):
        accuracy_drop_score(NoClasses(), TEXTS, GOLD, explainer="occlusion")


def test_empty_texts(kw):
    with pytest.raises(ValueError, match="X is empty"):
        accuracy_drop_score(kw, [], [], explainer="occlusion")
    with pytest.raises(ValueError, match=r"X\[1\] has no words"):
        accuracy_drop_score(kw, ["good", ""], ["pos", "neg"], explainer="occlusion")
