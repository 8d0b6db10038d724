"""ferret's AOPC: comprehensiveness or sufficiency averaged over percentage bins.

ferret 0.4 (``AOPC_Comprehensiveness_Evaluation`` / ``AOPC_Sufficiency_Evaluation`` with
``removal_args = {"based_on": "perc", "thresholds": 10 %, 20 %, ..., 100 %}``) builds, per text
and bin ``b``, the rationale of the top ``int(b * d)`` units, keeps only positively scored units
when ``only_pos`` is set (an empty rationale skips the bin), skips a rationale equal to the
previous kept one (so a repeated omission is not counted twice), and averages ``p(x) - p(x')``
over the bins it kept; a text that kept no bin scores 0 (comprehensiveness) or 1 (sufficiency).
ferret does this on sub-word tokens and re-tokenizes decoded text; here the unit is the word of
the raw text (skinterp's explanation unit), and every variant of every text is predicted in one
batched pass. ``benchmarks/speed/bench_peers.py`` checks the numbers against ferret itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..explain._perturb import predict_variants, unwrap_pipeline
from ._eraser import _share
from ._faithfulness import _check_perturbation, _prepare, _target_probs

__all__ = ["FERRET_BINS", "binned_aopc_score"]

#: ferret's default bins: 10 %, 20 %, ..., 100 % of a text's units
FERRET_BINS: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(1, 11))
#: ferret's score of a text for which no bin gave a rationale
_NO_RATIONALE = {"comprehensiveness": 0.0, "sufficiency": 1.0}


def _rationales(scores: np.ndarray, ranking: np.ndarray, bins, only_positive: bool) -> list:
    """The distinct rationales (word index arrays) of one text, bin by bin, as ferret keeps them."""
    d = len(scores)
    out, last = [], None
    for b in bins:
        v = int(np.floor(_share(b, d)))
        if not 0 < v <= d:  # a rationale of no word: ferret skips the bin
            continue
        top = ranking[:v]
        if only_positive:
            top = top[scores[top] > 0]
            if not top.size:  # no positive word among the top v: ferret skips the bin
                continue
        chosen = frozenset(top.tolist())
        if chosen == last:  # the same omission as the bin before counts once
            continue
        last = chosen
        out.append(top)
    return out


def binned_aopc_score(
    estimator: Any,
    X: Any,
    *,
    explainer: Any = "native",
    kind: str = "comprehensiveness",
    bins: Sequence[float] = FERRET_BINS,
    only_positive: bool = True,
    perturbation: str = "delete",
    explanations: Sequence | None = None,
) -> float:
    """ferret's AOPC comprehensiveness or sufficiency, over words of the raw text.

    Per text: for each bin ``b`` the rationale is the top ``floor(b * d)`` words of the
    explanation (``d`` words), restricted to positively scored words when ``only_positive``;
    an empty rationale and one equal to the previous kept one are skipped; the text's score is
    the mean of ``p(x) - p(x')`` over the rationales kept, where ``x'`` is ``x`` without the
    rationale (``"comprehensiveness"``, higher is more faithful) or the rationale alone
    (``"sufficiency"``, lower is better). A text that kept no rationale (no positively scored
    word, or too short for every bin) scores as in ferret: 0 for comprehensiveness, 1 for
    sufficiency. The result is the mean over all texts. ``p`` is the probability of the class
    predicted on ``x``.

    Parameters
    ----------
    estimator, X, explainer, perturbation, explanations
        As :func:`skinterp.metrics.aopc_curve`.
    kind : {"comprehensiveness", "sufficiency"}, default="comprehensiveness"
    bins : sequence of float in (0, 1], default=FERRET_BINS (10 %, ..., 100 %)
    only_positive : bool, default=True
        Only words with a positive score enter a rationale (ferret's ``only_pos``); a bin whose
        top words have no positive score is skipped, as ferret skips it.

    Returns
    -------
    float

    Notes
    -----
    :func:`skinterp.metrics.aopc_score` is the papers' AOPC (top-1 ... top-K words, every
    step counted); this is ferret's, for numbers comparable with it.
    """
    if kind not in ("comprehensiveness", "sufficiency"):
        raise ValueError(f"kind must be 'comprehensiveness' or 'sufficiency', got {kind!r}.")
    bins = list(bins) if isinstance(bins, (Sequence, np.ndarray)) else [bins]
    if not bins or any(isinstance(b, bool) or not 0 < float(b) <= 1 for b in bins):
        raise ValueError(f"bins must be fractions in (0, 1], got {bins!r}.")
    _check_perturbation(perturbation)
    estimator, X = unwrap_pipeline(estimator, X)
    items, rankings, explanations = _prepare(estimator, X, explainer, explanations)
    keeps = []
    for it, r, exp in zip(items, rankings, explanations, strict=True):
        d = it.n_words
        rows = [np.ones(d, dtype=bool)]
        for top in _rationales(np.asarray(exp.scores), r, bins, only_positive):
            in_rationale = np.zeros(d, dtype=bool)
            in_rationale[top] = True
            rows.append(~in_rationale if kind == "comprehensiveness" else in_rationale)
        keeps.append(np.vstack(rows))
    p0, variants = _target_probs(predict_variants(estimator, items, keeps, perturbation))
    per_text = [
        float((a - v).mean()) if len(v) else _NO_RATIONALE[kind]
        for a, v in zip(p0, variants, strict=True)
    ]
    return float(np.mean(per_text))
