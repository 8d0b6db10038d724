"""The whole interpretability report in one call."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..explain import get_explainer
from ..explain._perturb import as_items, unwrap_pipeline
from ..interface import html_of
from . import _faithfulness as F
from . import _pathology as P
from ._plausibility import plausibility_scores

__all__ = ["METRICS", "EvaluationReport", "evaluate"]

_DEFAULT = ("aopc", "posthoc_accuracy", "comprehensiveness", "sufficiency")


@dataclass(frozen=True)
class _Context:
    """The settings every metric of one :func:`evaluate` call shares."""

    k: int
    size: Any
    perturbation: str
    lexicon: Any


# name -> fn(estimator, inputs, ctx, explanations, explainer) -> [(row label, value, curve)]
_Rows = list[tuple[str, float, "list | None"]]


def _aopc(est, X, c, exps, _) -> _Rows:
    # one perturbation pass: AOPC@k (paper normalisation) is the curve's sum / (k+1)
    curve = F.aopc_curve(est, X, k=c.k, perturbation=c.perturbation, explanations=exps)
    return [(f"aopc@{c.k}", float(curve.sum() / (c.k + 1)), curve.tolist())]


def _naopc(est, X, c, exps, _) -> _Rows:
    value = F.aopc_score(
        est, X, k=c.k, perturbation=c.perturbation, normalization="naopc", explanations=exps
    )
    return [(f"naopc@{c.k}", value, None)]


def _posthoc(est, X, c, exps, _) -> _Rows:
    curve = F.posthoc_accuracy_curve(est, X, k=c.k, perturbation=c.perturbation, explanations=exps)
    return [(f"posthoc_accuracy@{c.k}", float(curve[-1]), curve.tolist())]


def _comp(est, X, c, exps, _) -> _Rows:
    value = F.comprehensiveness_score(
        est, X, size=c.size, perturbation=c.perturbation, explanations=exps
    )
    return [("comprehensiveness", value, None)]


def _suff(est, X, c, exps, _) -> _Rows:
    value = F.sufficiency_score(est, X, size=c.size, perturbation=c.perturbation, explanations=exps)
    return [("sufficiency", value, None)]


def _confidence(est, X, c, exps, _) -> _Rows:
    return [("confidence", F.confidence_score(est, X), None)]


def _reduced(est, X, c, exps, _) -> _Rows:
    r = P.reduced_number(est, X, perturbation=c.perturbation, explanations=exps)
    return [("IR#", r.important, None), ("UR#", r.unimportant, None)]


def _variance(est, X, c, exps, explainer) -> _Rows:
    v = P.saliency_variance(est, X, explainer=explainer, explanations=exps)
    return [("I-Var", v.important, None), ("U-Var", v.unimportant, None)]


def _plausibility(est, X, c, exps, _) -> _Rows:
    p = plausibility_scores(est, X, c.lexicon, k=c.k, explanations=exps)
    return [
        (f"precision@{c.k}", p.precision, None),
        (f"recall@{c.k}", p.recall, None),
        (f"f1@{c.k}", p.f1, None),
    ]


_METRIC_TABLE: dict[str, Callable[..., _Rows]] = {
    "aopc": _aopc,
    "naopc": _naopc,
    "posthoc_accuracy": _posthoc,
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
    k: int = 5,
    size: Any = 0.1,
    perturbation: str = "delete",
    lexicon: Any = None,
    progress: bool = True,
):
    """Every requested metric for every explainer, as one tidy DataFrame.

    Explanations are computed once per explainer and shared by all metrics.

    Parameters
    ----------
    estimator : fitted classifier
    X : texts
    y : labels, optional
        Adds an ``accuracy`` row.
    metrics : sequence of str, default=("aopc", "posthoc_accuracy", "comprehensiveness",
        "sufficiency")
        Any of :data:`METRICS`. ``"plausibility"`` needs ``lexicon``.
    explainers : sequence of str or explainer, default=("native",)
    k : int, default=5
        k of AOPC, NAOPC, post-hoc accuracy and plausibility.
    size : float or int, default=0.1
        Words removed by comprehensiveness / sufficiency.
    perturbation : str, default="delete"
    lexicon : mapping word -> valence, optional
    progress : bool, default=True
        Show a progress bar.

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
    estimator, X = unwrap_pipeline(estimator, X)
    items = as_items(estimator, X)
    inputs = [it.encoding if it.encoding is not None else it.text for it in items]
    rows, curves = [], {}
    ctx = _Context(k=k, size=size, perturbation=perturbation, lexicon=lexicon)
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
            for label, value, curve in _METRIC_TABLE[metric](
                estimator, inputs, ctx, exps, explainer
            ):
                rows.append((name, label, value))
                if curve is not None:
                    curves.setdefault(metric, {})[name] = curve
            bar.update()
    bar.close()
    frame = EvaluationReport(rows, columns=["explainer", "metric", "value"])
    frame.attrs["curves"] = curves
    frame.attrs["estimator"] = (
        repr(estimator) if len(repr(estimator)) < 2000 else type(estimator).__name__
    )
    frame.attrs["n_texts"] = len(inputs)
    frame["value"] = frame["value"].astype(np.float64)
    return frame
