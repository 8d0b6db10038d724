"""The PCT pathology metrics: IR#/UR# (words removed until the label flips), the confidence
curve under reduction (PCT Fig. 2), and I-Var/U-Var (how a ranking moves when one word goes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ..explain import get_explainer
from ..explain._perturb import _string_variant, predict_variants, unwrap_pipeline
from ..text import check_k
from ._faithfulness import _check_perturbation, _prepare, _removal_keeps

__all__ = [
    "ReducedNumber",
    "SaliencyVariance",
    "confidence_under_reduction",
    "reduced_number",
    "saliency_variance",
]


class ReducedNumber(NamedTuple):
    """Mean number of words removed (in saliency order) until the label changes."""

    important: float  # IR#: most important first; smaller is better
    unimportant: float  # UR#: least important first; larger is better


class SaliencyVariance(NamedTuple):
    """Variance of the saliency ranking after removing one word (PCT eq. 5)."""

    important: float  # I-Var: the most important word removed
    unimportant: float  # U-Var: the least important word removed


def reduced_number(
    estimator: Any,
    X: Any,
    *,
    explainer: Any = "native",
    perturbation: str = "delete",
    explanations: Sequence | None = None,
    max_words: int | None = None,
) -> ReducedNumber:
    """IR# and UR# (Feng et al., 2018; PCT §3.5).

    Words are removed one at a time in saliency order (most important first for IR#, least
    important first for UR#) until the predicted label changes; the count is the number of
    removed words at that point. If the label never changes, the count is the number of
    words tried (all words, or ``max_words``).
    """
    _check_perturbation(perturbation)
    if max_words is not None:
        max_words = check_k(max_words, "max_words")
    estimator, X = unwrap_pipeline(estimator, X)
    items, rankings, _ = _prepare(estimator, X, explainer, explanations)
    out = []
    for order_of in (lambda r: r, lambda r: r[::-1]):
        keeps = []
        for it, r in zip(items, rankings, strict=True):
            d = it.n_words
            m = d if max_words is None else min(d, max_words)
            keeps.append(_removal_keeps(order_of(r), d, range(1, m + 1), False))
        counts = []
        for p in predict_variants(estimator, items, keeps, perturbation):
            changed = np.flatnonzero(p[1:].argmax(1) != p[0].argmax())
            counts.append(changed[0] + 1 if changed.size else len(p) - 1)
        out.append(float(np.mean(counts)))
    return ReducedNumber(*out)


def confidence_under_reduction(
    estimator: Any,
    X: Any,
    *,
    max_reduced: int = 15,
    explainer: Any = "native",
    perturbation: str = "delete",
    explanations: Sequence | None = None,
) -> dict[str, np.ndarray]:
    """The model's confidence as words are removed in saliency order (PCT Fig. 2).

    Returns
    -------
    dict
        ``"important"`` and ``"unimportant"``: arrays of shape (n_texts, max_reduced + 1),
        the probability of the class predicted on the full text after removing the j most
        (resp. least) important words, j = 0..max_reduced (a text with fewer words has lost
        all of them for the larger j).
    """
    _check_perturbation(perturbation)
    max_reduced = check_k(max_reduced, "max_reduced")
    estimator, X = unwrap_pipeline(estimator, X)
    items, rankings, _ = _prepare(estimator, X, explainer, explanations)
    out = {}
    for name, order_of in (("important", lambda r: r), ("unimportant", lambda r: r[::-1])):
        keeps = [
            _removal_keeps(order_of(r), it.n_words, range(1, max_reduced + 1), False)
            for it, r in zip(items, rankings, strict=True)
        ]
        preds = predict_variants(estimator, items, keeps, perturbation)
        out[name] = np.vstack([p[:, int(np.argmax(p[0]))] for p in preds])
    return out


def saliency_variance(
    estimator: Any,
    X: Any,
    *,
    explainer: Any = "native",
    explanations: Sequence | None = None,
) -> SaliencyVariance:
    """I-Var and U-Var (PCT eq. 5): ``1/(N-1) sum_i (d_i - d'_i)^2``.

    ``d_i`` is the position (word index) of the i-th most important remaining word by the
    original explanation, ``d'_i`` the same by the explanation of the text with the most
    (I-Var) or least (U-Var) important word removed. Texts with fewer than 3 words are
    skipped. Larger I-Var than U-Var is the healthy pattern.
    """
    estimator, X = unwrap_pipeline(estimator, X)
    items, rankings, _ = _prepare(estimator, X, explainer, explanations)
    expl = get_explainer(explainer)
    use = [i for i, it in enumerate(items) if it.n_words >= 3]
    if not use:
        raise ValueError("saliency_variance needs texts with at least 3 words.")
    out = []
    for pick in (0, -1):
        reduced, removed = [], []
        for i in use:
            it, r = items[i], rankings[i]
            drop = int(r[pick])
            keep = np.ones(it.n_words, dtype=bool)
            keep[drop] = False
            reduced.append(_string_variant(it, keep, "delete"))
            removed.append(drop)
        new = expl.explain(estimator, reduced)
        variances = []
        for i, drop, exp in zip(use, removed, new, strict=True):
            remaining = np.delete(np.arange(items[i].n_words), drop)  # original word indices
            before = [w for w in rankings[i] if w != drop]
            after = remaining[exp.ranking()]
            n = len(before)
            variances.append(float(np.sum((np.asarray(before) - after) ** 2) / n))
        out.append(float(np.mean(variances)))
    return SaliencyVariance(*out)
