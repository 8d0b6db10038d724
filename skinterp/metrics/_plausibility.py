"""Plausibility: agreement of explanations with human word-level knowledge."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from ..explain import get_explainer
from ..explain._perturb import as_items, unwrap_pipeline
from ..text import check_k

__all__ = ["PlausibilityScores", "frequency_importance_correlation", "plausibility_scores"]


class PlausibilityScores(NamedTuple):
    precision: float
    recall: float
    f1: float


def _default_signs(classes) -> dict:
    """Class -> +1/-1 from class names (pos/neg) or, for two numeric classes, low/high."""
    signs = {}
    for c in classes:
        name = str(c).lower()
        if name.startswith("pos"):
            signs[c] = 1
        elif name.startswith("neg"):
            signs[c] = -1
    if len(signs) == len(classes):
        return signs
    if len(classes) == 2 and all(isinstance(c, (int, np.integer, bool, np.bool_)) for c in classes):
        low, high = sorted(classes)
        return {low: -1, high: 1}
    raise ValueError(
        f"cannot tell which sentiment sign each class {list(classes)} has; pass "
        "class_signs={label: +1 or -1}."
    )


def plausibility_scores(
    estimator: Any,
    X: Any,
    lexicon: Any,
    *,
    k: int = 5,
    explainer: Any = "native",
    threshold: float = 1.0,
    class_signs: Mapping | None = None,
    explanations: Any = None,
) -> PlausibilityScores:
    """Precision, recall and F1 at k of the top-k words against a word lexicon (VAT Table 5).

    The gold words of a text are its words (lower-cased) found in ``lexicon`` whose valence
    has the sign of the predicted class and magnitude >= ``threshold`` -- e.g. with the VADER
    lexicon (:func:`skinterp.datasets.load_vader_lexicon`), the positive words of a text
    predicted positive. Counts are pooled over texts (micro average): precision = hits /
    selected words, recall = hits / gold words.

    Parameters
    ----------
    estimator : fitted classifier
    X : texts
    lexicon : mapping word -> valence, or a set of words
        With a set, every listed word is gold regardless of class (no sign).
    k : int, default=5
    explainer : str or explainer, default="native"
    threshold : float, default=1.0
        Minimum absolute valence of a gold word (VADER's scale is -4..+4).
    class_signs : mapping label -> +1/-1, optional
        Default: inferred from class names starting with "pos"/"neg", or low/high for two
        numeric classes.
    explanations : list of Explanation, optional
    """
    k = check_k(k)
    estimator, X = unwrap_pipeline(estimator, X)
    if isinstance(lexicon, (set, frozenset)):
        valence = None
        words = {str(w).lower() for w in lexicon}
    elif isinstance(lexicon, Mapping):
        valence = {str(w).lower(): float(v) for w, v in lexicon.items()}
        words = None
    else:
        raise TypeError(
            f"lexicon must be a word -> valence mapping or a set of words, got "
            f"{type(lexicon).__name__}."
        )
    if explanations is None:
        items = as_items(estimator, X)
        inputs = [it.encoding if it.encoding is not None else it.text for it in items]
        explanations = get_explainer(explainer).explain(estimator, inputs)
    signs = None
    if valence is not None:
        signs = (
            dict(class_signs)
            if class_signs is not None
            else _default_signs(list(estimator.classes_))
        )
    hits = selected = gold_total = 0
    for exp in explanations:
        lowered = [w.lower() for w in exp.words]
        if valence is None:
            gold = {i for i, w in enumerate(lowered) if w in words}
        else:
            if exp.label not in signs:
                raise ValueError(f"class_signs has no sign for class {exp.label!r}.")
            sgn = signs[exp.label]
            gold = {
                i for i, w in enumerate(lowered) if w in valence and sgn * valence[w] >= threshold
            }
        top = set(exp.ranking()[:k].tolist())
        hits += len(top & gold)
        selected += len(top)
        gold_total += len(gold)
    precision = hits / selected if selected else 0.0
    recall = hits / gold_total if gold_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PlausibilityScores(precision, recall, f1)


def frequency_importance_correlation(
    estimator: Any,
    X: Any,
    *,
    explainer: Any = "native",
    global_scores: Any = None,
    log_frequency: bool = True,
) -> float:
    """Pearson correlation between word frequency in ``X`` and global importance (VMASK
    Table 11). A value near 0 means importance is not merely frequency.

    Parameters
    ----------
    global_scores : mapping word -> importance, optional
        E.g. a VMASK model's ``global_importance_``; default: summed local scores of
        ``explainer`` over ``X`` (:func:`skinterp.explain.global_importance`).
    log_frequency : bool, default=True
        Correlate with log counts (frequencies are heavy-tailed).
    """
    from scipy.stats import pearsonr

    from ..explain import global_importance

    estimator, X = unwrap_pipeline(estimator, X)
    items = as_items(estimator, X)
    counts = Counter(w.lower() for it in items for w in it.words)
    if global_scores is None:
        global_scores = global_importance(estimator, X, explainer)
    get = global_scores.get
    pairs = [(c, get(w)) for w, c in counts.items() if get(w) is not None]
    if len(pairs) < 3:
        raise ValueError("fewer than 3 words have both a frequency and an importance score.")
    freq, imp = np.array(pairs, dtype=np.float64).T
    if log_frequency:
        freq = np.log(freq)
    if np.ptp(freq) == 0 or np.ptp(imp) == 0:
        raise ValueError("frequencies or importances are constant; the correlation is undefined.")
    return float(pearsonr(freq, imp)[0])
