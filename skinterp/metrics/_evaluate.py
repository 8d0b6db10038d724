"""The whole interpretability report in one call."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._repr import short_repr
from ..explain import get_explainer
from ..explain._perturb import as_items, unwrap_pipeline
from ..interface import html_of
from ..text import check_k
from . import _eraser as E
from . import _faithfulness as F
from . import _pathology as P
from ._accuracy_drop import accuracy_drop_score
from ._plausibility import plausibility_scores

__all__ = ["METRICS", "EvaluationReport", "evaluate"]

_DEFAULT = ("aopc", "posthoc_accuracy", "comprehensiveness", "sufficiency")


@dataclass(frozen=True)
class _Context:
    """The settings every metric of one :func:`evaluate` call shares."""

    ks: list[int]  # the k of every "@k" row
    curve_k: int  # AOPC and post-hoc curves run over k = 1..curve_k
    size: Any
    perturbation: str
    lexicon: Any
    judge: Any  # the model whose predictions on perturbed texts are scored
    naopc_ks: list[int]
    naopc_n: int | None
    beam_width: int
    y: Any = None  # gold labels (the accuracy drop scores against them)
    progress: bool = False  # bars of the costly inner loops (the NAOPC bounds)


# name -> fn(estimator, inputs, ctx, explanations, explainer) -> [(row label, value, curve)]
_Rows = list[tuple[str, float, "list | None"]]


def _aopc(est, X, c, exps, _) -> _Rows:
    # one perturbation pass: AOPC@k (paper normalisation) is the curve's partial sum / (k+1)
    curve = F.aopc_curve(c.judge, X, k=c.curve_k, perturbation=c.perturbation, explanations=exps)
    cum = np.cumsum(curve)
    rows: _Rows = [(f"aopc@{k}", float(cum[k - 1] / (k + 1)), None) for k in c.ks]
    first = rows[0]
    rows[0] = (first[0], first[1], curve.tolist())
    return rows


def _naopc(est, X, c, exps, _) -> _Rows:
    n = c.naopc_n or len(X)  # the bounds are costly: optionally a prefix of the texts
    values = F.aopc_score(
        c.judge,
        X[:n],
        k=c.naopc_ks,
        perturbation=c.perturbation,
        normalization="naopc",
        beam_width=c.beam_width,
        explanations=exps[:n],
        verbose=int(c.progress),
    )
    return [(f"naopc@{k}", float(v), None) for k, v in zip(c.naopc_ks, values, strict=True)]


def _posthoc(est, X, c, exps, _) -> _Rows:
    curve = F.posthoc_accuracy_curve(
        c.judge, X, k=c.curve_k, perturbation=c.perturbation, explanations=exps
    )
    rows: _Rows = [(f"posthoc_accuracy@{k}", float(curve[k - 1]), None) for k in c.ks]
    first = rows[0]
    rows[0] = (first[0], first[1], curve.tolist())
    return rows


def _accuracy_drop(est, X, c, exps, _) -> _Rows:
    values = accuracy_drop_score(
        c.judge, X, c.y, k=c.ks, perturbation=c.perturbation, explanations=exps
    )
    return [(f"accuracy_drop@{k}", float(v), None) for k, v in zip(c.ks, values, strict=True)]


def _comp(est, X, c, exps, _) -> _Rows:
    value = E.comprehensiveness_score(
        c.judge, X, size=c.size, perturbation=c.perturbation, explanations=exps
    )
    return [("comprehensiveness", value, None)]


def _suff(est, X, c, exps, _) -> _Rows:
    value = E.sufficiency_score(
        c.judge, X, size=c.size, perturbation=c.perturbation, explanations=exps
    )
    return [("sufficiency", value, None)]


def _confidence(est, X, c, exps, _) -> _Rows:
    return [("confidence", F.confidence_score(est, X), None)]  # the model's own confidence


def _reduced(est, X, c, exps, _) -> _Rows:
    r = P.reduced_number(c.judge, X, perturbation=c.perturbation, explanations=exps)
    return [("IR#", r.important, None), ("UR#", r.unimportant, None)]


def _variance(est, X, c, exps, explainer) -> _Rows:
    # re-explains the reduced texts with the same explainer on the model itself
    v = P.saliency_variance(est, X, explainer=explainer, explanations=exps)
    return [("I-Var", v.important, None), ("U-Var", v.unimportant, None)]


def _plausibility(est, X, c, exps, _) -> _Rows:
    rows: _Rows = []
    for k in c.ks:
        p = plausibility_scores(est, X, c.lexicon, k=k, explanations=exps)
        rows += [
            (f"precision@{k}", p.precision, None),
            (f"recall@{k}", p.recall, None),
            (f"f1@{k}", p.f1, None),
        ]
    return rows


_METRIC_TABLE: dict[str, Callable[..., _Rows]] = {
    "aopc": _aopc,
    "naopc": _naopc,
    "posthoc_accuracy": _posthoc,
    "accuracy_drop": _accuracy_drop,
    "comprehensiveness": _comp,
    "sufficiency": _suff,
    "confidence": _confidence,
    "reduced_number": _reduced,
    "saliency_variance": _variance,
    "plausibility": _plausibility,
}
#: The metric names :func:`evaluate` knows, in report order.
METRICS = tuple(_METRIC_TABLE)


class EvaluationReport(pd.DataFrame):
    """What :func:`evaluate` returns: a DataFrame (``explainer, metric, value``) that can also
    write itself as one self-contained HTML report (:meth:`to_html`).

    ``attrs["curves"]`` holds the AOPC and post-hoc accuracy curves (k = 1..k) per explainer
    when those metrics were requested; ``attrs["estimator"]`` the estimator's repr.
    """

    @property
    def _constructor(self):
        return EvaluationReport

    def to_html(
        self,
        path: str | os.PathLike | None = None,
        *,
        title: str = "skinterp evaluation report",
        figures: bool = True,
    ) -> str:
        """One self-contained HTML page: the metric table and the curves (PNG, inline).

        Parameters
        ----------
        path : str or path, optional
            Also write the page there.
        title : str, default="skinterp evaluation report"
        figures : bool, default=True
            Draw the AOPC and post-hoc accuracy curves (needs matplotlib); without it, or
            with ``figures=False``, the page has the tables only.

        Returns
        -------
        str
            The page (drawn by :func:`skinterp.plotting.report_html`).
        """
        return html_of("report", self, path=path, title=title, figures=figures)


def evaluate(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    metrics: Sequence[str] = _DEFAULT,
    explainers: Sequence[Any] = ("native",),
    k: int | Sequence[int] = 5,
    size: Any = 0.1,
    perturbation: str = "delete",
    lexicon: Any = None,
    judge: Any = None,
    curve_k: int | None = None,
    naopc_k: int | Sequence[int] | None = None,
    naopc_n: int | None = None,
    beam_width: int = 5,
    progress: bool = True,
):
    """Every requested metric for every explainer, as one tidy DataFrame.

    Explanations are computed once per explainer and shared by all metrics; AOPC at several k
    comes from one perturbation pass.

    Parameters
    ----------
    estimator : fitted classifier
        The model whose predictions are explained.
    X : texts
    y : labels, optional
        Adds an ``accuracy`` row (of ``estimator``); the ``"accuracy_drop"`` metric needs it.
    metrics : sequence of str, default=("aopc", "posthoc_accuracy", "comprehensiveness",
        "sufficiency")
        Any of :data:`METRICS`. ``"plausibility"`` needs ``lexicon``; ``"accuracy_drop"``
        (the judge's accuracy lost by deleting the top-k words, VAT's AOPC) needs ``y``.
    explainers : sequence of str or explainer, default=("native",)
    k : int or sequence of int, default=5
        k of AOPC, post-hoc accuracy and plausibility: one row per k (``aopc@1``,
        ``aopc@5``, ...).
    size : float or int, default=0.1
        Words removed by comprehensiveness / sufficiency.
    perturbation : str, default="delete"
    lexicon : mapping word -> valence, optional
    judge : fitted classifier, optional
        The model that scores the perturbed texts (AOPC, NAOPC, post-hoc accuracy,
        comprehensiveness, sufficiency, IR#/UR#). Default: ``estimator`` itself. VAT judges
        every model's explanations with one well-trained base model; pass it here. The
        judge must see the same words (any skinterp model or text classifier does).
    curve_k : int, optional
        Length of the AOPC and post-hoc accuracy curves kept in ``attrs["curves"]``
        (default: the largest ``k``; never shorter than it).
    naopc_k : int or sequence of int, optional
        k of NAOPC (default: ``k``). The NAOPC bounds cost about
        ``2 * beam_width * n_words * k`` predictions per text.
    naopc_n : int, optional
        Compute NAOPC on the first ``naopc_n`` texts only (default: all).
    beam_width : int, default=5
        Beam of the NAOPC bounds for texts too long to enumerate.
    progress : bool, default=True
        Show a progress bar (and one for the NAOPC bounds, the slowest metric).

    Returns
    -------
    EvaluationReport
        A pandas DataFrame with columns ``explainer, metric, value`` -- one row per number
        (IR#/UR#, I-Var/U-Var and precision/recall/F1 get a row each); ``.to_html(path)``
        writes it as one self-contained HTML report with the AOPC and post-hoc accuracy
        curves.
    """
    from tqdm.auto import tqdm

    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; use any of {list(METRICS)}.")
    if "plausibility" in metrics and lexicon is None:
        raise ValueError("the plausibility metric needs lexicon=<word -> valence mapping>.")
    if "accuracy_drop" in metrics and y is None:
        raise ValueError("the accuracy_drop metric needs the gold labels: evaluate(model, X, y).")
    ks = _ks(k, "k")
    curve_k = max(ks) if curve_k is None else max(check_k(curve_k, "curve_k"), max(ks))
    naopc_ks = ks if naopc_k is None else _ks(naopc_k, "naopc_k")
    if naopc_n is not None:
        naopc_n = check_k(naopc_n, "naopc_n")
    if judge is not None and not hasattr(judge, "predict_proba"):
        raise TypeError(f"judge must be a fitted classifier with predict_proba, got {judge!r}.")
    estimator, X = unwrap_pipeline(estimator, X)
    items = as_items(estimator, X)
    inputs = [it.encoding if it.encoding is not None else it.text for it in items]
    if judge is None:
        judge_inputs, judge = inputs, estimator
    else:
        # the judge reads its own encoding of the same words
        judge, raw = unwrap_pipeline(judge, [it.text for it in items])
        judge_inputs = [
            it.encoding if it.encoding is not None else it.text for it in as_items(judge, raw)
        ]
    rows, curves = [], {}
    ctx = _Context(
        ks=ks,
        curve_k=curve_k,
        size=size,
        perturbation=perturbation,
        lexicon=lexicon,
        judge=judge,
        naopc_ks=naopc_ks,
        naopc_n=naopc_n,
        beam_width=check_k(beam_width, "beam_width"),
        y=y,
        progress=progress,
    )
    if y is not None:
        rows.append(("-", "accuracy", float(estimator.score(inputs, y))))
    bar = tqdm(total=len(explainers) * (len(metrics) + 1), disable=not progress, desc="evaluate")
    for spec in explainers:
        explainer = get_explainer(spec)
        name = spec if isinstance(spec, str) else type(spec).__name__
        bar.set_postfix_str(f"{name}: explaining")
        exps = explainer.explain(estimator, inputs)
        bar.update()
        for metric in metrics:
            bar.set_postfix_str(f"{name}: {metric}")
            # metrics that perturb texts predict with the judge on its own encodings
            X_metric = inputs if metric in _OWN_MODEL else judge_inputs
            for label, value, curve in _METRIC_TABLE[metric](
                estimator, X_metric, ctx, exps, explainer
            ):
                rows.append((name, label, value))
                if curve is not None:
                    curves.setdefault(metric, {})[name] = curve
            bar.update()
    bar.close()
    frame = EvaluationReport(rows, columns=["explainer", "metric", "value"])
    frame.attrs["curves"] = curves
    frame.attrs["estimator"] = short_repr(estimator, limit=2000)
    if judge is not estimator:
        frame.attrs["judge"] = short_repr(judge, limit=2000)
    frame.attrs["n_texts"] = len(inputs)
    frame["value"] = frame["value"].astype(np.float64)
    return frame


# metrics computed on the explained model itself, whatever the judge
_OWN_MODEL = frozenset({"confidence", "saliency_variance", "plausibility"})


def _ks(k: Any, name: str) -> list[int]:
    if isinstance(k, (Sequence, np.ndarray)) and not isinstance(k, str):
        ks = [check_k(v, name) for v in k]
        if not ks:
            raise ValueError(f"{name} is an empty sequence; pass at least one k >= 1.")
        return ks
    return [check_k(k, name)]
