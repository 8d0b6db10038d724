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
