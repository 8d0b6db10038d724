"""The whole interpretability report in one call."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..explain import get_explainer
from ..explain._perturb import as_items, unwrap_pipeline
from ..interface import html_of
from . import _faithfulness as F
from ._plausibility import plausibility_scores

__all__ = ["METRICS", "EvaluationReport", "evaluate"]

METRICS = (
    "aopc",
    "naopc",
    "posthoc_accuracy",
    "comprehensiveness",
    "sufficiency",
    "confidence",
    "reduced_number",
    "saliency_variance",
    "plausibility",
)
_DEFAULT = ("aopc", "posthoc_accuracy", "comprehensiveness", "sufficiency")


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
    if y is not None:
        rows.append(("-", "accuracy", float(estimator.score(inputs, y))))
    bar = tqdm(total=len(explainers) * (len(metrics) + 1), disable=not progress, desc="evaluate")
    for spec in explainers:
        explainer = get_explainer(spec)
        name = spec if isinstance(spec, str) else type(spec).__name__
        bar.set_postfix_str(f"{name}: explaining")
        exps = explainer.explain(estimator, inputs)
        bar.update()
        common = {"explanations": exps}
        for metric in metrics:
            bar.set_postfix_str(f"{name}: {metric}")
            if metric == "aopc":
                # one perturbation pass: AOPC@k (paper normalisation) is the curve's sum / (k+1)
                curve = F.aopc_curve(estimator, inputs, k=k, perturbation=perturbation, **common)
                rows.append((name, f"aopc@{k}", float(curve.sum() / (k + 1))))
                curves.setdefault("aopc", {})[name] = curve.tolist()
            elif metric == "naopc":
                rows.append(
                    (
                        name,
                        f"naopc@{k}",
                        F.aopc_score(
                            estimator,
                            inputs,
                            k=k,
                            perturbation=perturbation,
                            normalization="naopc",
                            **common,
                        ),
                    )
                )
            elif metric == "posthoc_accuracy":
                curve = F.posthoc_accuracy_curve(
                    estimator, inputs, k=k, perturbation=perturbation, **common
                )
                rows.append((name, f"posthoc_accuracy@{k}", float(curve[-1])))
                curves.setdefault("posthoc_accuracy", {})[name] = curve.tolist()
            elif metric == "comprehensiveness":
                rows.append(
                    (
                        name,
                        "comprehensiveness",
                        F.comprehensiveness_score(
                            estimator, inputs, size=size, perturbation=perturbation, **common
                        ),
                    )
                )
            elif metric == "sufficiency":
                rows.append(
                    (
                        name,
                        "sufficiency",
                        F.sufficiency_score(
                            estimator, inputs, size=size, perturbation=perturbation, **common
                        ),
                    )
                )
            elif metric == "confidence":
                rows.append((name, "confidence", F.confidence_score(estimator, inputs)))
            elif metric == "reduced_number":
                r = F.reduced_number(estimator, inputs, perturbation=perturbation, **common)
                rows += [(name, "IR#", r.important), (name, "UR#", r.unimportant)]
            elif metric == "saliency_variance":
                v = F.saliency_variance(estimator, inputs, explainer=explainer, **common)
                rows += [(name, "I-Var", v.important), (name, "U-Var", v.unimportant)]
            elif metric == "plausibility":
                p = plausibility_scores(estimator, inputs, lexicon, k=k, **common)
                rows += [
                    (name, f"precision@{k}", p.precision),
                    (name, f"recall@{k}", p.recall),
                    (name, f"f1@{k}", p.f1),
                ]
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
