"""A deterministic keyword-counting classifier with predict_proba (for metric tests)."""

from __future__ import annotations

import math

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from skinterp.text import segment_words

WEIGHTS = {"good": 2.0, "great": 3.0, "fun": 1.0, "bad": -2.0, "awful": -3.0, "dull": -1.0}


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def p_pos(words) -> float:
    """P(pos) of a bag of words: sigmoid of the summed keyword weights."""
    return sigmoid(sum(WEIGHTS.get(w.lower(), 0.0) for w in words))


class KeywordModel(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_ = np.array(["neg", "pos"])
        return self

    def predict_proba(self, X):
        p = np.array([p_pos([w.text for w in segment_words(t)]) for t in X])
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(1)]


#: Three texts the keyword model predicts pos, neg, neg.
TEXTS = ["good great movie", "bad dull plot good", "awful fun film"]


def exp_for(text, scores, model):
    """An Explanation of ``text`` with the given word scores and the model's prediction."""
    from skinterp.explain import Explanation

    words = [w.text for w in segment_words(text)]
    p = model.predict_proba([text])[0]
    c = int(p.argmax())
    return Explanation(text, words, np.asarray(scores, float), model.classes_[c], p[c], "given")


def hand_ranked(model):
    """Explanations of TEXTS ranking great > good > movie; bad > dull > good > plot;
    awful > film > fun."""
    return [
        exp_for(TEXTS[0], [2, 3, 0], model),
        exp_for(TEXTS[1], [4, 3, 0, 2], model),
        exp_for(TEXTS[2], [3, 1, 2], model),
    ]
