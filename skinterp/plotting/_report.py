"""The HTML page of an :class:`~skinterp.metrics.EvaluationReport`: its table and curves."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from ._figures import _pyplot, plot_aopc, plot_posthoc_accuracy

__all__ = ["metric_table", "report_html"]


def metric_table(report: Any) -> pd.DataFrame:
    """One row per metric, one column per explainer, in the report's order (a single header
    row: ``metric``, then the explainers)."""
    frame = pd.DataFrame(report)
    table = frame.pivot(index="metric", columns="explainer", values="value")
    table = table.reindex(list(dict.fromkeys(frame["metric"])))
    table = table[list(dict.fromkeys(frame["explainer"]))]
    table.columns.name = None
    return table.reset_index()


def report_html(
    report: Any,
    path: str | os.PathLike | None = None,
    *,
    title: str = "skinterp evaluation report",
    figures: bool = True,
) -> str:
    """One self-contained HTML page: the metric table and the curves (PNG, inline).

    Parameters
    ----------
    report : EvaluationReport
        What :func:`skinterp.evaluate` returned (curves in ``report.attrs["curves"]``).
    path : str or path, optional
        Also write the page there.
    title : str, default="skinterp evaluation report"
    figures : bool, default=True
        Draw the AOPC and post-hoc accuracy curves (needs matplotlib).

    Returns
    -------
    str
    """
    import base64
    import html
    import io

    from ._html import page

    frame = pd.DataFrame(report)
    is_acc = frame["metric"] == "accuracy"  # the model's, not an explainer's: shown apart
    parts = []
    if report.attrs.get("estimator"):
        parts.append(f"<p>Model: <code>{html.escape(report.attrs['estimator'])}</code></p>")
    about = []
    if is_acc.any():
        about.append(f"accuracy <b>{float(frame.loc[is_acc, 'value'].iloc[0]):.4f}</b>")
    if report.attrs.get("n_texts"):
        about.append(f"{report.attrs['n_texts']} texts")
    if about:
        parts.append(f"<p>{html.escape(', ').join(about)}.</p>")
    if (~is_acc).any():
        parts.append(
            metric_table(frame[~is_acc]).to_html(
                classes="skinterp",
                float_format=lambda v: f"{v:.4f}",
                na_rep="",
                border=0,
                index=False,
            )
        )
    curves = report.attrs.get("curves") or {}
    if figures and curves:
        try:
            plt = _pyplot(headless=True)
        except ImportError:
            parts.append("<p>(figures need matplotlib: pip install skinterp[plot])</p>")
        else:
            draw = {"posthoc_accuracy": plot_posthoc_accuracy, "aopc": plot_aopc}
            for name, per_explainer in curves.items():
                fig = draw[name](per_explainer, title=name.replace("_", " ") + " vs k")
                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=100)
                plt.close(fig)
                data = base64.b64encode(buf.getvalue()).decode("ascii")
                parts.append(
                    f'<figure><img alt="{html.escape(name)} curve" '
                    f'src="data:image/png;base64,{data}"></figure>'
                )
    out = page(title, "\n".join(parts))
    if path is not None:
        Path(path).write_text(out, encoding="utf-8")
    return out
