"""Faithfulness metrics: AOPC (and its normalised form), post-hoc accuracy and confidence
(ERASER's comprehensiveness / sufficiency are in :mod:`._eraser`, the PCT pathology metrics in
:mod:`._pathology`, the NAOPC bounds in :mod:`._naopc`).

Every metric ranks the words of each text by an explanation, perturbs the *words of the raw
text* (delete by default), and re-predicts all variants of all texts in one batched pass
(:func:`skinterp.explain.predict_variants`). "Probability" always means the probability of the
class predicted on the unperturbed text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..explain import get_explainer
from ..explain._perturb import (
    PERTURBATIONS,
    Item,
    as_items,
    predict_variants,
    unwrap_pipeline,
)
from ..text import check_k
from ._naopc import _aopc_bounds

__all__ = [
    "aopc_curve",
    "aopc_score",
    "confidence_score",
    "posthoc_accuracy_curve",
    "posthoc_accuracy_score",
]


# ----------------------------------------------------------------------------- shared steps
def _check_perturbation(perturbation: str) -> None:
    if perturbation not in PERTURBATIONS:
        raise ValueError(f"perturbation must be one of {PERTURBATIONS}, got {perturbation!r}.")


def _prepare(estimator, X, explainer, explanations, *, need_words: bool = True):
    """Items, one ranking (word indices, most important first) per item, explanations."""
    items = as_items(estimator, X)
    if need_words:
        for i, it in enumerate(items):
            if it.n_words == 0:
                raise ValueError(
                    f"X[{i}] has no words to perturb; drop empty texts before scoring."
                )
    if explanations is None:
        skinterp_input = items[0].encoding is not None
        inputs = [it.encoding if skinterp_input else it.text for it in items]
        explanations = get_explainer(explainer).explain(estimator, inputs)
    else:
        explanations = list(explanations)
        if len(explanations) != len(items):
            raise ValueError(
                f"{len(explanations)} explanations for {len(items)} texts; pass one per text."
            )
        for i, (exp, it) in enumerate(zip(explanations, items, strict=True)):
            if list(exp.words) != it.words:
                raise ValueError(
                    f"explanations[{i}] does not match X[{i}]: its words are "
                    f"{list(exp.words)[:8]} but the text's are {it.words[:8]}."
                )
    rankings = [exp.ranking() for exp in explanations]
    return items, rankings, explanations


def _global_rankings(items: list[Item], scores: Any) -> list[np.ndarray]:
    """Rank each text's words by a global word -> score table (unknown words last)."""
    get = scores.get
    out = []
    for it in items:
        vals = np.array([get(w, get(w.lower(), -np.inf)) for w in it.words], dtype=np.float64)
        out.append(np.argsort(-vals, kind="stable"))
    return out


def _removal_keeps(ranking: np.ndarray, d: int, ks: Sequence[int], keep_top: bool) -> np.ndarray:
    """Rows keeping all words but the top-k (or only the top-k), for each k; row 0 = full."""
    rank = np.empty(d, dtype=np.int64)
    rank[ranking] = np.arange(d)
    rows = [np.ones(d, dtype=bool)]
    for k in ks:
        top = rank < min(k, d)
        rows.append(top if keep_top else ~top)
    return np.vstack(rows)


def _target_probs(preds: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """p(ŷ|x) of each item and the same class's probability on every variant."""
    p0, variants = [], []
    for p in preds:
        c = int(np.argmax(p[0]))
        p0.append(p[0, c])
        variants.append(p[1:, c])
    return np.asarray(p0), variants


def _per_text_mean(p0: np.ndarray, variants: list[np.ndarray]) -> list[float]:
    """Per text, the mean drop ``p0 - p(variant)`` over its variants (texts without any are
    left out: a rationale rule skipped all of their sizes or bins)."""
    return [float((a - v).mean()) for a, v in zip(p0, variants, strict=True) if len(v)]


def _check_ks(k: Any) -> tuple[list[int], bool]:
    if isinstance(k, (Sequence, np.ndarray)) and not isinstance(k, str):
        ks = [check_k(v) for v in k]
        if not ks:
            raise ValueError("k is an empty sequence.")
        return ks, True
    return [check_k(k)], False


# ----------------------------------------------------------------------------- AOPC
def aopc_curve(
    estimator: Any,
    X: Any,
    *,
    explainer: Any = "native",
    k: int = 10,
    perturbation: str = "delete",
    explanations: Sequence | None = None,
) -> np.ndarray:
    """Mean probability drop after removing the top-1, ..., top-k words.

    Parameters
    ----------
    estimator : fitted classifier with ``predict_proba`` on texts
    X : texts or sentence pairs
    explainer : str or explainer, default="native"
        Ranks the words (see :func:`skinterp.explain.get_explainer`).
    k : int, default=10
        Largest number of removed words. A text with fewer words has all of them removed for
        the larger k.
    perturbation : {"delete", "mask", "pad", "unk"}, default="delete"
    explanations : list of Explanation, optional
        Precomputed explanations of ``X`` (one per text, same words) instead of ``explainer``.

    Returns
    -------
    ndarray of shape (k,)
        ``curve[j-1] = mean_x [p(ŷ|x) - p(ŷ|x without its top-j words)]``.
    """
    k = check_k(k)
    _check_perturbation(perturbation)
    estimator, X = unwrap_pipeline(estimator, X)
    items, rankings, _ = _prepare(estimator, X, explainer, explanations)
    return _drop_curves(estimator, items, rankings, k, perturbation).mean(0)


def _drop_curves(estimator, items, rankings, k, perturbation) -> np.ndarray:
    ks = range(1, k + 1)
    keeps = [
        _removal_keeps(r, it.n_words, ks, False) for it, r in zip(items, rankings, strict=True)
    ]
    p0, variants = _target_probs(predict_variants(estimator, items, keeps, perturbation))
    return p0[:, None] - np.vstack(variants)


def aopc_score(
    estimator: Any,
    X: Any,
    *,
    explainer: Any = "native",
    k: int | Sequence[int] = 5,
    perturbation: str = "delete",
    normalization: str = "paper",
    explanations: Sequence | None = None,
    beam_width: int = 5,
    exact_limit: int = 512,
    verbose: int = 0,
) -> float | np.ndarray:
    """Area over the perturbation curve: how much the predicted class's probability drops as
    the explanation's top words are removed. Higher is more faithful.

    Parameters
    ----------
    estimator, X, explainer, perturbation, explanations
        As :func:`aopc_curve`.
    k : int or sequence of int, default=5
        Number of removed words K. A sequence (e.g. ``(1, 5, 9)``) returns one value per K
        from a single pass.
    normalization : {"paper", "mean", "naopc"}, default="paper"
        ``"paper"``: ``1/(K+1) * sum_{j=1..K} drop_j`` (E-VarM eq. 12, VMASK, Samek et al.).
        ``"mean"``: ``1/K * sum_{j=1..K} drop_j``, the plain mean over the top-1 ... top-K
        deletions (ERASER's AOPC with bins of one word). ferret's default AOPC differs
        (10-100 % bins, positively scored words only, repeated rationales dropped):
        :func:`binned_aopc_score` computes it.
        ``"naopc"``: per text, ``(AOPC - lower) / (upper - lower)`` where upper/lower are the
        best and worst AOPC any removal order could reach on that text (Edin et al., 2024),
        then averaged. Raw AOPC depends on the model's confidence and on text length, so it
        does not compare different models (a grid search over β would favour models that are
        merely more confident); NAOPC is in [0, 1] for every model and text. Bounds are exact
        when a text has at most ``exact_limit`` word subsets of size <= K, otherwise found by
        beam search of width ``beam_width`` (costs about ``2 * beam_width * n_words * K``
        extra predictions per text).
    beam_width : int, default=5
    exact_limit : int, default=512
    verbose : int, default=0
        1 shows a progress bar over the NAOPC bounds' search levels.

    Returns
    -------
    float, or ndarray when ``k`` is a sequence
    """
    ks, many = _check_ks(k)
    if normalization not in ("paper", "mean", "naopc"):
        raise ValueError(
            f"normalization must be 'paper', 'mean' or 'naopc', got {normalization!r}."
        )
    _check_perturbation(perturbation)
    estimator, X = unwrap_pipeline(estimator, X)
    items, rankings, _ = _prepare(estimator, X, explainer, explanations)
    K = max(ks)
    drops = _drop_curves(estimator, items, rankings, K, perturbation)
    cum = np.cumsum(drops, axis=1)
    if normalization == "naopc":
        values = []
        for kk in ks:
            upper, lower = _aopc_bounds(
                estimator,
                items,
                kk,
                perturbation,
                check_k(beam_width, "beam_width"),
                exact_limit,
                verbose,
            )
            span = upper - lower
            score = np.where(
                span > 1e-12, (cum[:, kk - 1] - lower) / np.where(span > 1e-12, span, 1), 0.0
            )
            values.append(float(np.clip(score, 0.0, 1.0).mean()))
    else:
        values = [
            float(cum[:, kk - 1].mean() / (kk + 1 if normalization == "paper" else kk)) for kk in ks
        ]
    return np.asarray(values) if many else values[0]


# ----------------------------------------------------------------------------- post-hoc
def posthoc_accuracy_curve(
    estimator: Any,
    X: Any,
    *,
    explainer: Any = "native",
    k: int = 10,
    perturbation: str = "delete",
    explanations: Sequence | None = None,
    global_scores: Any = None,
) -> np.ndarray:
    """Post-hoc accuracy for keeping the top-1, ..., top-k words (VMASK Fig. 1, E-VarM eq. 13).

    The share of texts whose prediction from only their top-j words equals the prediction
    from the full text. Parameters not listed here are as for :func:`aopc_curve`.

    Parameters
    ----------
    global_scores : mapping word -> score, optional
        Rank each text's words by a *global* importance table (e.g. a VMASK model's
        ``global_importance_`` or :func:`skinterp.explain.global_importance`) instead of a
        local explanation, as VMASK's post-hoc accuracy does. Words missing from the table
        rank last.

    Returns
    -------
    ndarray of shape (k,)
    """
    k = check_k(k)
    _check_perturbation(perturbation)
    estimator, X = unwrap_pipeline(estimator, X)
    if global_scores is not None:
        items = as_items(estimator, X)
        if any(it.n_words == 0 for it in items):
            i = next(i for i, it in enumerate(items) if it.n_words == 0)
            raise ValueError(f"X[{i}] has no words to perturb; drop empty texts before scoring.")
        rankings = _global_rankings(items, global_scores)
    else:
        items, rankings, _ = _prepare(estimator, X, explainer, explanations)
    keeps = [
        _removal_keeps(r, it.n_words, range(1, k + 1), True)
        for it, r in zip(items, rankings, strict=True)
    ]
    preds = predict_variants(estimator, items, keeps, perturbation)
    same = np.vstack([p[1:].argmax(1) == p[0].argmax() for p in preds])
    return same.mean(0)


def posthoc_accuracy_score(estimator: Any, X: Any, *, k: int = 5, **kwargs: Any) -> float:
    """Post-hoc accuracy at ``k``: share of predictions unchanged when only the top-k words are
    kept. Keyword arguments as :func:`posthoc_accuracy_curve`."""
    return float(posthoc_accuracy_curve(estimator, X, k=check_k(k), **kwargs)[-1])


def confidence_score(estimator: Any, X: Any) -> float:
    """Mean confidence on the unperturbed texts, F(X) = mean_x max_c p(c|x) (PCT §3.5)."""
    estimator, X = unwrap_pipeline(estimator, X)
    items = as_items(estimator, X)
    preds = predict_variants(estimator, items, [np.ones((1, it.n_words), bool) for it in items])
    return float(np.mean([p[0].max() for p in preds]))
