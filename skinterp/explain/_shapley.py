"""SampleShapley: Monte-Carlo Shapley values of words, every prefix of every order batched."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import BaseExplainer, _base_seed, _build, _chunks, _progress, _text_stream
from ._perturb import predict_variants

__all__ = ["ShapleyExplainer"]


class ShapleyExplainer(BaseExplainer):
    """SampleShapley (Strumbelj & Kononenko, 2010): Monte-Carlo estimate of each word's Shapley
    value for the predicted class's probability.

    For each of ``num_samples`` random word orders, words are added one at a time to an empty
    text; a word's marginal contribution is the probability change when it is added. Scores
    are the mean contributions; they sum to ``p(full text) - p(empty text)``. All prefixes of
    all orders of many texts are predicted in one batched pass, each distinct prefix once
    (``n_variants_`` and ``n_predicted_`` count them after ``explain``). Every text draws its
    orders from its own stream (:func:`~skinterp.explain.text_seed`), so its explanation does
    not depend on the other texts explained with it.

    Parameters
    ----------
    num_samples : int, default=10
        Random permutations per text.
    random_state : int, RandomState or None
        Seeds every text's own stream; ``None`` (or a RandomState) draws one base seed per
        ``explain`` call.
    perturbation : {"delete", "mask", "pad", "unk"}, default="delete"
    verbose : int, default=0
        1 shows a progress bar over the texts (tqdm, on stderr).
    """

    name = "shapley"

    def __init__(
        self,
        num_samples: int = 10,
        random_state: Any = None,
        perturbation="delete",
        verbose: int = 0,
    ):
        self.num_samples = num_samples
        self.random_state = random_state
        self.perturbation = perturbation
        self.verbose = verbose

    def _explain_items(self, estimator, items):
        if int(self.num_samples) < 1:
            raise ValueError(f"num_samples must be >= 1, got {self.num_samples}.")
        m = int(self.num_samples)
        base = _base_seed(self.random_state)
        perms = []
        for it in items:
            rs = _text_stream(base, it)
            perms.append(np.array([rs.permutation(it.n_words) for _ in range(m)]))
        scores, proba, stats = [None] * len(items), [None] * len(items), {}
        bar = _progress(self, len(items))
        for group in _chunks(items, lambda it: m * max(it.n_words - 1, 0) + 2):
            keeps = []
            for i in group:
                d = items[i].n_words
                # prefix j of order r keeps perm[r, :j]; j = 0 (empty) and d (full) are shared
                rank = np.argsort(perms[i], axis=1)  # position of each word in each order
                inner = [(rank < j) for j in range(1, d)]
                middle = np.stack(inner, 1).reshape(-1, d) if inner else np.zeros((0, d), bool)
                keeps.append(np.vstack([np.ones((1, d), bool), np.zeros((1, d), bool), middle]))
            preds = predict_variants(
                estimator, [items[i] for i in group], keeps, self.perturbation, stats=stats
            )
            for i, p in zip(group, preds, strict=True):
                d = items[i].n_words
                c = int(np.argmax(p[0]))
                full, empty = p[0, c], p[1, c]
                curve = np.empty((m, d + 1))
                curve[:, 0], curve[:, d] = empty, full
                if d > 1:
                    curve[:, 1:d] = p[2:, c].reshape(m, d - 1)
                gains = np.diff(curve, axis=1)  # gain of the word added at each step
                contrib = np.zeros(d)
                np.add.at(contrib, perms[i].ravel(), gains.ravel())
                scores[i], proba[i] = contrib / m, p[0]
            bar.update(len(group))
        bar.close()
        self.n_variants_, self.n_predicted_ = stats.get("variants", 0), stats.get("predicted", 0)
        return _build(estimator, items, scores, np.array(proba), "shapley")
