"""See explanations: highlighted HTML and the papers' figures.

HTML (:func:`render_html`, :func:`explanation_html`, also ``Explanation._repr_html_`` in
Jupyter) needs nothing extra. The figures need matplotlib (``pip install "skinterp[plot]"``),
imported only when a figure is drawn; every function returns a ``Figure`` and never calls
``show``.
"""

from ..interface import register_html_renderer
from ._figures import (
    plot_aopc,
    plot_confidence_density,
    plot_embedding,
    plot_importance_vs_frequency,
    plot_posthoc_accuracy,
    plot_top_words,
)
from ._html import explanation_html, render_html
from ._report import metric_table, report_html

# the value types below plotting look their HTML view up in this registry
register_html_renderer("explanation", explanation_html)
register_html_renderer("report", report_html)

__all__ = [
    "explanation_html",
    "metric_table",
    "plot_aopc",
    "plot_confidence_density",
    "plot_embedding",
    "plot_importance_vs_frequency",
    "plot_posthoc_accuracy",
    "plot_top_words",
    "render_html",
    "report_html",
]
