"""Accuracy drop after deleting each text's top-k words (VAT's "AOPC", Table 3).

The VAT paper "calculates the average change of accuracy over test data by deleting top K
words" and judges it with a trained base model: a score against the gold labels, not a
probability drop of the predicted class (:func:`skinterp.metrics.aopc_score`). Each text
counts 0 or 1, so the number moves only when the deletion flips a prediction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..explain._perturb import predict_variants, unwrap_pipeline
from ._faithfulness import _check_ks, _check_perturbation, _prepare, _removal_keeps

__all__ = ["accuracy_drop_score"]


def _label_indices(estimator: Any, y: Any, n: int) -> np.ndarray:
    """The index into ``estimator.classes_`` of every label, with errors naming bad input."""
    if y is None:
        raise ValueError("accuracy_drop_score needs the gold labels y of X.")
    if isinstance(y, (str, bytes)) or np.ndim(y) == 0:
        raise TypeError(f"y must be a sequence of labels, one per text, got {type(y).__name__}.")
    y = np.asarray(list(y) if not isinstance(y, np.ndarray) else y)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"y must hold one label per text: {n} texts, y of shape {y.shape}.")
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        raise TypeError(f"{type(estimator).__name__} has no classes_; pass a fitted classifier.")
    index = {c: i for i, c in enumerate(np.asarray(classes).tolist())}
    unknown = sorted({str(v) for v in y.tolist() if v not in index})
    if unknown:
        raise ValueError(
            f"y holds labels the model does not know: {unknown[:5]}; its classes are {list(index)}."
        )
    return np.asarray([index[v] for v in y.tolist()])


def accuracy_drop_score(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    explainer: Any = "native",
    k: int | Sequence[int] = 5,
    perturbation: str = "delete",
    explanations: Sequence | None = None,
) -> float | np.ndarray:
    """Accuracy on ``X`` minus accuracy on ``X`` with each text's top-k words removed.

    Higher means the explanation's top words matter more for getting the label right (the
    VAT paper's AOPC, Table 3, judged there by a trained base model: pass that model as
    ``estimator`` and the explained model's ``explanations``).

    Parameters
    ----------
    estimator : fitted classifier with ``predict_proba`` on texts and ``classes_``
        The model whose accuracy is measured.
    X : texts or sentence pairs
    y : labels of ``X`` (the estimator's class labels)
    explainer : str or explainer, default="native"
        Ranks the words (see :func:`skinterp.explain.get_explainer`).
    k : int or sequence of int, default=5
        Words removed from each text (all of them from a shorter text). A sequence returns
        one value per k from a single pass.
    perturbation : {"delete", "mask", "pad", "unk"}, default="delete"
    explanations : list of Explanation, optional
        Precomputed explanations of ``X`` (one per text, same words) instead of ``explainer``.

    Returns
    -------
    float, or ndarray when ``k`` is a sequence

    Examples
    --------
    >>> from skinterp.metrics import accuracy_drop_score
    >>> exps = vat.explain(X_test)  # doctest: +SKIP
    >>> accuracy_drop_score(base, X_test, y_test, explanations=exps)  # doctest: +SKIP
    """
    ks, many = _check_ks(k)
    _check_perturbation(perturbation)
    estimator, X = unwrap_pipeline(estimator, X)
    targets = _label_indices(estimator, y, len(X))  # before the (costly) explanations
    items, rankings, _ = _prepare(estimator, X, explainer, explanations)
    keeps = [
        _removal_keeps(r, it.n_words, ks, False) for it, r in zip(items, rankings, strict=True)
    ]
    preds = predict_variants(estimator, items, keeps, perturbation)
    # row 0 is the whole text, row j the text without its top-ks[j-1] words
    correct = np.vstack([p.argmax(1) == t for p, t in zip(preds, targets, strict=True)])
    drops = correct[:, :1].mean() - correct[:, 1:].mean(0)
    values = [float(v) for v in drops]
    return np.asarray(values) if many else values[0]
