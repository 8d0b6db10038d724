"""LIME through the ``lime`` package, with the perturbed variants of many texts batched."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..text import segment_words
from ._base import BaseExplainer, _build, _chunks, _progress
from ._perturb import predict_variants

__all__ = ["LimeExplainer"]


def _lime_split(text: str) -> list[str]:
    return [w.text for w in segment_words(text)]


class LimeExplainer(BaseExplainer):
    """LIME (Ribeiro et al., 2016) through the ``lime`` package, batched across texts.

    Uses ``lime.lime_text.LimeTextExplainer`` with skinterp's word segmentation
    (``split_expression``), position-wise words (``bow=False``) and removed words replaced by a
    space (``mask_string=" "``, so words that touched a removed one are not glued together).
    Perturbation masks are drawn exactly as the package draws them, from
    its ``random_state`` and in text order, so a fixed ``random_state`` gives the same
    explanations as calling ``explain_instance`` text by text; the package's ridge regression
    and kernel (``LimeBase.explain_instance_with_data``) fit the scores. What changes is speed:
    the perturbed variants of many texts go through the model in large batches (in token
    space for skinterp estimators), instead of one ``classifier_fn`` call per text.

    Parameters
    ----------
    num_samples : int, default=1000
        Perturbed samples per text (LIME's default is 5000).
    random_state : int, RandomState or None
    kernel_width : float, default=25
    feature_selection : str, default="auto"
        As in ``lime``; scores are reported for every word.
    verbose : int, default=0
        1 shows a progress bar over the texts (tqdm, on stderr).
    """

    name = "lime"

    def __init__(
        self,
        num_samples: int = 1000,
        random_state: Any = None,
        kernel_width: float = 25,
        feature_selection: str = "auto",
        verbose: int = 0,
    ):
        self.num_samples = num_samples
        self.random_state = random_state
        self.kernel_width = kernel_width
        self.feature_selection = feature_selection
        self.verbose = verbose

    def lime_explainer(self):
        """The ``LimeTextExplainer`` configured as this explainer uses it."""
        from lime.lime_text import LimeTextExplainer

        return LimeTextExplainer(
            kernel_width=self.kernel_width,
            split_expression=_lime_split,
            bow=False,
            # a removed word becomes a space, so neighbours that touched it (as in
            # "W.Somerset") stay separate words: exactly the token-space deletion
            mask_string=" ",
            feature_selection=self.feature_selection,
            random_state=self.random_state,
        )

    def _explain_items(self, estimator, items):
        from scipy.sparse import csr_matrix
        from sklearn.metrics.pairwise import pairwise_distances

        n = int(self.num_samples)
        if n < 2:
            raise ValueError(f"num_samples must be >= 2, got {self.num_samples}.")
        lime = self.lime_explainer()
        rs = lime.random_state
        # masks drawn exactly like LimeTextExplainer.__data_labels_distances, text by text
        datas = []
        for it in items:
            d = it.n_words
            data = np.ones((n, d))
            if d:
                sizes = rs.randint(1, d + 1, n - 1)
                # the package calls rs.choice(range(d), size, replace=False), which the legacy
                # RandomState implements as permutation(d)[:size]: same stream, less overhead
                for row, size in enumerate(sizes, start=1):
                    data[row, rs.permutation(d)[:size]] = 0
            datas.append(data)
        scores, proba = [None] * len(items), [None] * len(items)
        bar = _progress(self, len(items))
        for group in _chunks(items, lambda it: n):
            preds = predict_variants(
                estimator, [items[i] for i in group], [datas[i] > 0 for i in group]
            )
            for i, yss in zip(group, preds, strict=True):
                d = items[i].n_words
                label = int(np.argmax(yss[0]))
                proba[i] = yss[0]
                if d == 0:
                    scores[i] = np.zeros(0)
                    continue
                sparse = csr_matrix(datas[i])
                distances = pairwise_distances(sparse, sparse[0], metric="cosine").ravel() * 100
                _, local_exp, _, _ = lime.base.explain_instance_with_data(
                    datas[i],
                    yss,
                    distances,
                    label,
                    d,
                    feature_selection=self.feature_selection,
                )
                sc = np.zeros(d)
                for feature, weight in local_exp:
                    sc[feature] = weight
                scores[i] = sc
            bar.update(len(group))
        bar.close()
        return _build(estimator, items, scores, np.array(proba), "lime")
