"""ERASER's comprehensiveness and sufficiency (PCT eqs. 3-4) at fractional sizes or counts,
with the two rounding conventions for a share of a text's words."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

from ..explain._perturb import predict_variants, unwrap_pipeline
from ..text import check_k
from ._faithfulness import _check_perturbation, _per_text_mean, _prepare, _target_probs

__all__ = ["comprehensiveness_score", "sufficiency_score"]


def _check_size(size: Any) -> list:
    sizes = list(size) if isinstance(size, (Sequence, np.ndarray)) else [size]
    if not sizes:
        raise ValueError("size is an empty sequence.")
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, (Integral, Real)):
            raise TypeError(f"size must be a fraction in (0, 1] or an int >= 1, got {s!r}.")
        if isinstance(s, Integral):
            check_k(s, "size")
        elif not 0 < s <= 1:
            raise ValueError(f"a fractional size must be in (0, 1], got {s}.")
    return sizes


ROUNDINGS = ("ceil", "eraser")


def _check_rounding(rounding: str) -> None:
    if rounding not in ROUNDINGS:
        raise ValueError(f"rounding must be one of {ROUNDINGS}, got {rounding!r}.")


def _share(size: float, d: int) -> float:
    # 0.3 * 10 is 3.0000000000000004 in floats: round the product so that a share that is a
    # whole number of words is that number, and 1 - 0.7 selects 3 of 10 words, not 4
    return round(size * d, 9)


def _n_words(size, d: int, rounding: str = "ceil") -> int:
    """Words selected by a size, capped at d: a count, or a fraction of the d words rounded
    up with at least one word (``"ceil"``) or rounded down, possibly to none (``"eraser"``)."""
    if isinstance(size, Integral):
        return min(int(size), d)
    if rounding == "eraser":
        return min(int(np.floor(_share(size, d))), d)
    return min(max(int(np.ceil(_share(size, d))), 1), d)


def _eraser(estimator, X, explainer, size, perturbation, explanations, top, rounding) -> float:
    sizes = _check_size(size)
    _check_perturbation(perturbation)
    _check_rounding(rounding)
    estimator, X = unwrap_pipeline(estimator, X)
    items, rankings, _ = _prepare(estimator, X, explainer, explanations)
    keeps = []
    for it, r in zip(items, rankings, strict=True):
        d = it.n_words
        rows = [np.ones(d, dtype=bool)]
        for s in sizes:
            row = np.ones(d, dtype=bool)
            if top:  # comprehensiveness: the top words go
                n = _n_words(s, d, rounding)
                row[r[:n]] = False
                empty = n == 0
            else:  # sufficiency: the least important words go, the top (d - n) stay
                kept = d - _n_words(s, d, rounding)
                if rounding == "eraser" and not isinstance(s, Integral):
                    kept = int(np.floor(_share(1 - s, d)))  # ERASER keeps the top share exactly
                row[r[kept:]] = False
                empty = kept == 0 and rounding == "eraser"
            if not empty:  # ERASER skips an empty rationale instead of scoring it
                rows.append(row)
        keeps.append(np.vstack(rows))
    p0, variants = _target_probs(predict_variants(estimator, items, keeps, perturbation))
    # per text the mean over its sizes, then over texts (equal to the plain mean when every
    # text has every size, as with rounding="ceil")
    per_text = _per_text_mean(p0, variants)
    if not per_text:
        raise ValueError(
            f"with rounding='eraser' no text has a non-empty rationale at size {size!r} "
            "(a share of a text's words rounded down); use larger sizes, counts, or "
            "rounding='ceil'."
        )
    return float(np.mean(per_text))


def comprehensiveness_score(
    estimator: Any,
    X: Any,
    *,
    explainer: Any = "native",
    size: Any = 0.1,
    perturbation: str = "delete",
    explanations: Sequence | None = None,
    rounding: str = "ceil",
) -> float:
    """Comprehensiveness (ERASER; PCT eq. 3): ``F(X) - F(X without its top words)``.

    Higher is more faithful. Parameters not listed here are as for :func:`aopc_curve`.

    Parameters
    ----------
    size : float in (0, 1], int >= 1, or a sequence of them, default=0.1
        The top words removed: a fraction of each text's words or a count. A sequence
        averages over several sizes (ERASER uses 1, 5, 10, 20, 50 %): per text over its
        sizes, then over texts.
    rounding : {"ceil", "eraser"}, default="ceil"
        How a fraction becomes a number of words. ``"ceil"`` rounds up and removes at least
        one word, so every text counts at every size (PCT's reading; short texts such as
        tweets would otherwise drop out of the small bins). ``"eraser"`` rounds down as
        ERASER and ferret do and skips a size whose rationale is empty (10 % of a 9-word
        text); a text with no non-empty size is left out. Counts are exact either way.
    """
    return _eraser(estimator, X, explainer, size, perturbation, explanations, True, rounding)


def sufficiency_score(
    estimator: Any,
    X: Any,
    *,
    explainer: Any = "native",
    size: Any = 0.1,
    perturbation: str = "delete",
    explanations: Sequence | None = None,
    rounding: str = "ceil",
) -> float:
    """Sufficiency (PCT eq. 4): ``F(X) - F(X without its least important words)``.

    ``size`` is the share (or count) of *least* important words removed. ERASER's
    sufficiency -- keep only the top ``s`` words -- is ``size = 1 - s``: with
    ``rounding="eraser"`` exactly (the top ``floor(s * d)`` words stay; a text whose kept
    rationale is empty at that size is skipped), with ``"ceil"`` the removed share is rounded
    up (at least one word goes). Lower is better (the unimportant words matter little); a
    scorer negates it. ``rounding`` is as for :func:`comprehensiveness_score`.
    """
    return _eraser(estimator, X, explainer, size, perturbation, explanations, False, rounding)
