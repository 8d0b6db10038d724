"""The papers' figures with matplotlib (imported lazily). Every function returns a Figure and
never calls ``show``; pass ``ax=`` to draw into an existing axes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "plot_aopc",
    "plot_confidence_density",
    "plot_embedding",
    "plot_importance_vs_frequency",
    "plot_posthoc_accuracy",
    "plot_top_words",
]


def _pyplot(headless: bool = False):
    """matplotlib.pyplot, or an ImportError that says how to install it. ``headless``
    selects the Agg backend first, for code that only writes image files (reports)."""
    try:
        import matplotlib

        if headless:
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'skinterp.plotting needs matplotlib: pip install "skinterp[plot]".'
        ) from exc
    return plt


def _axes(ax, figsize=(5.0, 3.6)):
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def _curves(models: Mapping, compute) -> dict[str, np.ndarray]:
    if not isinstance(models, Mapping) or not models:
        raise TypeError(
            "models must be a non-empty mapping of name -> fitted estimator (or a computed "
            "curve), e.g. {'base': base, 'VMASK': vmask}."
        )
    out = {}
    for name, value in models.items():
        if hasattr(value, "predict_proba"):
            out[str(name)] = np.asarray(compute(value), dtype=np.float64)
        else:
            curve = np.asarray(value, dtype=np.float64)
            if curve.ndim != 1 or curve.size == 0:
                raise ValueError(f"models[{name!r}] must be an estimator or a 1-d curve.")
            out[str(name)] = curve
    return out


def _line_plot(curves, ax, ylabel, xlabel, title):
    fig, ax = _axes(ax)
    for name, curve in curves.items():
        ax.plot(np.arange(1, len(curve) + 1), curve, marker="o", ms=3, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_posthoc_accuracy(
    models: Mapping,
    X: Any = None,
    *,
    k: int = 10,
    explainer: Any = "native",
    global_scores: Mapping | None = None,
    ax: Any = None,
    title: str | None = None,
):
    """Post-hoc accuracy against k for several models (VMASK Fig. 1).

    Parameters
    ----------
    models : mapping of name -> fitted estimator or curve
        Estimators are scored on ``X`` with :func:`skinterp.metrics.posthoc_accuracy_curve`;
        a 1-d array is drawn as it is (e.g. from a benchmark's JSON).
    X : texts, needed for estimators
    k : int, default=10
    explainer : str or explainer, default="native"
    global_scores : mapping word -> score, optional
        Rank by a global importance table (VMASK's protocol), e.g. ``global_importance_``.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..metrics import posthoc_accuracy_curve

    def compute(est):
        return posthoc_accuracy_curve(est, X, k=k, explainer=explainer, global_scores=global_scores)

    return _line_plot(_curves(models, compute), ax, "post-hoc accuracy", "k (words kept)", title)


def plot_aopc(
    models: Mapping,
    X: Any = None,
    *,
    k: int = 10,
    explainer: Any = "native",
    ax: Any = None,
    title: str | None = None,
):
    """Mean probability drop against the number of top words removed (VAT Fig. 4).

    Parameters as :func:`plot_posthoc_accuracy`; estimators are scored with
    :func:`skinterp.metrics.aopc_curve`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..metrics import aopc_curve

    def compute(est):
        return aopc_curve(est, X, k=k, explainer=explainer)

    return _line_plot(
        _curves(models, compute), ax, "probability drop", "k (top words removed)", title
    )


def plot_embedding(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    perplexity: float = 30.0,
    random_state: int | None = 0,
    ax: Any = None,
    title: str | None = None,
):
    """t-SNE of the model's sentence representations, coloured by class (E-VarM / VAT Fig. 3).

    Parameters
    ----------
    estimator : fitted skinterp estimator (uses ``embed(X)``)
    X : texts
    y : labels, optional
        Colours; default the predicted labels.
    perplexity : float, default=30
        Lowered automatically for fewer than ``3 * perplexity + 1`` texts.
    random_state : int or None, default=0
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from sklearn.manifold import TSNE

    if not hasattr(estimator, "embed"):
        raise TypeError(f"{type(estimator).__name__} has no embed(X) sentence representation.")
    Z = np.asarray(estimator.embed(X))
    if len(Z) < 5:
        raise ValueError(f"t-SNE needs at least 5 texts, got {len(Z)}.")
    labels = np.asarray(estimator.predict(X) if y is None else y)
    if len(labels) != len(Z):
        raise ValueError(f"y has {len(labels)} labels for {len(Z)} texts.")
    perplexity = min(perplexity, (len(Z) - 1) / 3)
    xy = TSNE(2, perplexity=perplexity, random_state=random_state, init="pca").fit_transform(Z)
    fig, ax = _axes(ax, figsize=(4.5, 4.0))
    for c in np.unique(labels):
        m = labels == c
        ax.scatter(xy[m, 0], xy[m, 1], s=8, alpha=0.7, label=str(c))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=8, markerscale=2)
    ax.set_title(title or "t-SNE of sentence representations")
    fig.tight_layout()
    return fig


def plot_confidence_density(
    estimator: Any,
    X: Any,
    *,
    max_reduced: int = 15,
    explainer: Any = "native",
    reductions: Mapping | None = None,
    title: str | None = None,
):
    """Confidence density as the most / least important words are removed (PCT Fig. 2).

    Two panels (important words reduced, unimportant words reduced); one density curve per
    number of removed words, coloured from 0 to ``max_reduced``.

    Parameters
    ----------
    estimator : fitted classifier
    X : texts
    max_reduced : int, default=15
    explainer : str or explainer, default="native"
        The saliency that orders the removals (PCT uses ``"gradient"``).
    reductions : mapping, optional
        A precomputed :func:`skinterp.metrics.confidence_under_reduction` result.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..metrics import confidence_under_reduction

    plt = _pyplot()
    if reductions is None:
        reductions = confidence_under_reduction(
            estimator, X, max_reduced=max_reduced, explainer=explainer
        )
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.6), sharey=True)
    grid = np.linspace(0, 1, 201)
    cmap = plt.get_cmap("viridis")
    for ax, key in zip(axes, ("important", "unimportant"), strict=True):
        conf = np.asarray(reductions[key])
        steps = conf.shape[1]
        for j in range(steps):
            ax.plot(grid, _density(conf[:, j], grid), color=cmap(j / max(steps - 1, 1)), lw=1)
        ax.set_title(f"{key} words reduced")
        ax.set_xlabel("model confidence")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("density")
    fig.subplots_adjust(bottom=0.16, wspace=0.08)
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, steps - 1))
    fig.colorbar(sm, ax=axes, label="words reduced")
    if title:
        fig.suptitle(title)
    return fig


def _density(values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Gaussian kernel density (Scott's bandwidth, floored so identical values still draw)."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.zeros_like(grid)
    bw = max(1.06 * values.std() * values.size ** (-1 / 5), 0.02)
    z = (grid[:, None] - values[None, :]) / bw
    return np.exp(-0.5 * z**2).sum(1) / (values.size * bw * np.sqrt(2 * np.pi))


def plot_importance_vs_frequency(
    estimator: Any,
    X: Any,
    *,
    global_scores: Mapping | None = None,
    explainer: Any = "native",
    ax: Any = None,
    title: str | None = None,
):
    """Global word importance against word frequency in ``X`` (VMASK Fig. 2).

    Parameters
    ----------
    estimator : fitted classifier
    X : texts (their word counts are the frequencies)
    global_scores : mapping word -> score, optional
        Default: ``estimator.global_importance_`` if it has one, else the summed local scores
        of ``explainer`` over ``X``.
    explainer : str or explainer, default="native"
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..explain import global_importance
    from ..metrics import frequency_importance_correlation
    from ..text import segment_words

    if global_scores is None:
        global_scores = getattr(estimator, "global_importance_", None)
    if global_scores is None:
        global_scores = global_importance(estimator, X, explainer)
    counts: dict[str, int] = {}
    for text in X:
        for part in text if isinstance(text, tuple) else (text,):
            for w in segment_words(part):
                key = w.text.lower()
                counts[key] = counts.get(key, 0) + 1
    words = [w for w in counts if w in global_scores]
    if not words:
        raise ValueError("no word of X has a global importance score.")
    freq = np.array([counts[w] for w in words], dtype=np.float64)
    imp = np.array([global_scores[w] for w in words], dtype=np.float64)
    r = frequency_importance_correlation(estimator, X, global_scores=global_scores)
    fig, ax = _axes(ax)
    ax.scatter(freq, imp, s=6, alpha=0.5)
    ax.set_xscale("log")
    ax.set_xlabel("word frequency in X (log scale)")
    ax.set_ylabel("global importance")
    ax.set_title(title or f"importance vs log frequency: r = {r:.3f}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_top_words(
    global_scores: Mapping,
    *,
    n: int = 20,
    ax: Any = None,
    title: str | None = None,
):
    """Bar chart of the ``n`` most important word types.

    Parameters
    ----------
    global_scores : mapping or pandas.Series of word -> score
        E.g. ``VMaskClassifier.global_importance_`` or
        :func:`skinterp.explain.global_importance`.
    n : int, default=20
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..text import check_k

    n = check_k(n, "n")
    items = sorted(dict(global_scores).items(), key=lambda kv: -kv[1])[:n]
    if not items:
        raise ValueError("global_scores is empty.")
    words, scores = zip(*items, strict=True)
    fig, ax = _axes(ax, figsize=(5.0, 0.25 * len(words) + 1.0))
    ax.barh(range(len(words))[::-1], scores, color="#d6604d")
    ax.set_yticks(range(len(words))[::-1], labels=words, fontsize=8)
    ax.set_xlabel("global importance")
    ax.set_title(title or f"top {len(words)} words")
    fig.tight_layout()
    return fig
