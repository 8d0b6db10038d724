"""Word-level explainers with one interface: ``explainer.explain(estimator, X)``.

Perturbation explainers (LIME, SampleShapley, occlusion) need only ``predict_proba`` on raw
strings, so they work on any scikit-learn text classifier; on skinterp estimators they run in
token space (see :mod:`skinterp.explain._perturb`). All of them batch every perturbed variant
of many texts into large model calls.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ..interface import Explanation
from ..text import check_k
from ._base import (
    BaseExplainer,
    _base_seed,
    _build,
    _chunks,
    _from_token_scores,
    _full_proba,
    _progress,
    _text_stream,
    text_seed,
)
from ._integrated import IntegratedGradientsExplainer
from ._lime import LimeExplainer
from ._perturb import is_skinterp, predict_variants, unwrap_pipeline
from ._shapley import ShapleyExplainer

__all__ = [
    "BaseExplainer",
    "GlobalExplainer",
    "GradientExplainer",
    "IntegratedGradientsExplainer",
    "LimeExplainer",
    "NativeExplainer",
    "OcclusionExplainer",
    "RandomExplainer",
    "ShapleyExplainer",
    "get_explainer",
    "global_importance",
    "text_seed",
]


class NativeExplainer(BaseExplainer):
    """The estimator's own explanation (``estimator.explain``): mask probabilities, attention,
    or gradient x input for the base model."""

    name = "native"

    def _explain_items(self, estimator, items):
        if not hasattr(estimator, "explain"):
            raise TypeError(
                f"{type(estimator).__name__} has no native explanations; use a model-agnostic "
                "explainer: 'occlusion', 'lime', 'shapley' or 'random'."
            )
        X = [it.encoding for it in items] if is_skinterp(estimator) else [it.text for it in items]
        return list(estimator.explain(X))


class GradientExplainer(BaseExplainer):
    """Gradient saliency on the token embeddings (PCT eqs. 1-2).

    Parameters
    ----------
    variant : {"norm", "grad_x_input"}, default="norm"
        ``"norm"``: the L2 norm of the gradient at each token embedding (always >= 0);
        ``"grad_x_input"``: gradient times embedding, summed over dimensions (signed).
    output : {"proba", "logit"}, default="proba"
        Differentiate the predicted class's probability (the model's confidence F, as in PCT)
        or its logit.

    Notes
    -----
    Sub-word token scores are summed into word scores.
    """

    name = "gradient"

    def __init__(self, variant: str = "norm", output: str = "proba"):
        self.variant = variant
        self.output = output

    def _explain_items(self, estimator, items):
        if self.variant not in ("norm", "grad_x_input"):
            raise ValueError(f"variant must be 'norm' or 'grad_x_input', got {self.variant!r}.")
        if self.output not in ("proba", "logit"):
            raise ValueError(f"output must be 'proba' or 'logit', got {self.output!r}.")
        if not is_skinterp(estimator):
            raise TypeError(
                "GradientExplainer needs a skinterp estimator (gradients on its embeddings); "
                f"got {type(estimator).__name__}."
            )

        def token_scores(batch):
            grad, emb, logits = estimator.token_gradients(batch, output=self.output)
            tok = grad.norm(dim=-1) if self.variant == "norm" else (grad * emb).sum(-1)
            return tok, logits

        return _from_token_scores(estimator, items, token_scores, f"gradient_{self.variant}")


class OcclusionExplainer(BaseExplainer):
    """Leave-one-word-out: a word's score is the drop in the predicted class's probability
    when that word alone is removed (or replaced, see ``perturbation``); ``verbose=1`` shows
    a progress bar over the texts."""

    name = "occlusion"

    def __init__(self, perturbation: str = "delete", verbose: int = 0):
        self.perturbation = perturbation
        self.verbose = verbose

    def _explain_items(self, estimator, items):
        scores, proba = [None] * len(items), [None] * len(items)
        bar = _progress(self, len(items))
        for group in _chunks(items, lambda it: it.n_words + 1):
            keeps = []
            for i in group:
                d = items[i].n_words
                keeps.append(np.vstack([np.ones((1, d), bool), ~np.eye(d, dtype=bool)]))
            preds = predict_variants(estimator, [items[i] for i in group], keeps, self.perturbation)
            for i, p in zip(group, preds, strict=True):
                c = int(np.argmax(p[0]))
                scores[i] = p[0, c] - p[1:, c]
                proba[i] = p[0]
            bar.update(len(group))
        bar.close()
        return _build(estimator, items, scores, np.array(proba), "occlusion")


class RandomExplainer(BaseExplainer):
    """Uniform random word scores: the floor any explainer should beat."""

    name = "random"

    def __init__(self, random_state: Any = None):
        self.random_state = random_state

    def _explain_items(self, estimator, items):
        base = _base_seed(self.random_state)  # one stream per text
        scores = [_text_stream(base, it).uniform(size=it.n_words) for it in items]
        return _build(estimator, items, scores, _full_proba(estimator, items), "random")


class GlobalExplainer(BaseExplainer):
    """Every word scored by one *global* importance table (VMASK Fig. 1's rankings).

    The table is the model's own ``global_importance_`` when it has one (the expected keep
    probability of every word type for VMASK, L2X and IBA); otherwise, as for the base model,
    the sum of its native word scores over the texts being explained (SP-LIME style,
    :func:`global_importance`). Words are looked up lower-cased; a word missing from the
    table scores one below the table's lowest score, so it ranks last.

    Parameters
    ----------
    fallback : str or explainer, default="native"
        Explainer whose scores are summed when the model has no ``global_importance_``.
    """

    name = "global"

    def __init__(self, fallback: Any = "native"):
        self.fallback = fallback

    def _explain_items(self, estimator, items):
        table = getattr(estimator, "global_importance_", None)
        if table is None:
            X = (
                [it.encoding for it in items]
                if is_skinterp(estimator)
                else [it.text for it in items]
            )
            table = global_importance(estimator, X, self.fallback)
        lookup = {str(k).lower(): float(v) for k, v in table.items()}
        floor = min(lookup.values(), default=0.0) - 1.0  # unknown words rank last
        scores = [[lookup.get(w.lower(), floor) for w in it.words] for it in items]
        return _build(estimator, items, scores, _full_proba(estimator, items), "global")


_EXPLAINERS = {
    "native": NativeExplainer,
    "gradient": GradientExplainer,
    "integrated_gradients": IntegratedGradientsExplainer,
    "lime": LimeExplainer,
    "shapley": ShapleyExplainer,
    "occlusion": OcclusionExplainer,
    "random": RandomExplainer,
    "global": GlobalExplainer,
}


#: The seed of a sampling explainer named by a string (``"lime"``, ``"shapley"``,
#: ``"random"``) wherever a name is accepted: metrics, scorers, ``evaluate``, corpus runs.
DEFAULT_RANDOM_STATE = 0


def get_explainer(spec: Any) -> BaseExplainer:
    """An explainer from a name (``"native"``, ``"gradient"``, ``"integrated_gradients"``,
    ``"lime"``, ``"shapley"``, ``"occlusion"``, ``"random"``) or an object with
    ``explain(estimator, X)``.

    A sampling explainer built from its name is seeded with ``random_state=0``
    (:data:`DEFAULT_RANDOM_STATE`), so a metric or scorer that names one gives the same number
    on every call and in every process (``cross_val_score`` with ``n_jobs=1`` or ``2``). Pass
    an explainer object (e.g. ``LimeExplainer(random_state=None)``) for another seed."""
    if isinstance(spec, str):
        if spec not in _EXPLAINERS:
            raise ValueError(f"unknown explainer {spec!r}; use one of {sorted(_EXPLAINERS)}.")
        cls = _EXPLAINERS[spec]
        if "random_state" in inspect.signature(cls.__init__).parameters:
            return cls(random_state=DEFAULT_RANDOM_STATE)
        return cls()
    if hasattr(spec, "explain") and callable(spec.explain):
        return spec
    raise TypeError(
        f"explainer must be a name or an object with explain(estimator, X); got {spec!r}."
    )


def explain(
    model: Any, X: Any, *, explainer: Any = "native", k: int | None = None
) -> Explanation | list[Explanation]:
    """Explain ``model``'s predictions on ``X``: a skinterp estimator, a scikit-learn
    ``Pipeline`` ending in one (the earlier steps transform ``X`` first), or any text
    classifier with ``predict_proba`` (with ``explainer="lime"``, ``"occlusion"``, ...).

    Parameters
    ----------
    model : fitted classifier or Pipeline
    X : str, (str, str) pair, or a sequence of them
        A single text gives one explanation, a sequence a list.
    explainer : str or explainer, default="native"
        The model's own explanation, or any explainer name or object
        (:func:`get_explainer`).
    k : int or None, default=None
        Words shown by ``Explanation.top_k()`` and ``repr`` (scores cover every word).

    Returns
    -------
    Explanation or list of Explanation

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from skinterp import TextClassifier
    >>> from skinterp.explain import explain
    >>> from skinterp.text import Tokenizer
    >>> X = ["a great film", "a dull film", "great acting", "dull plot"] * 8
    >>> y = ["pos", "neg", "pos", "neg"] * 8
    >>> clf = TextClassifier(embedding_dim=16, num_filters=8, lr=1e-2, random_state=0)
    >>> pipe = make_pipeline(Tokenizer(), clf).fit(X, y)
    >>> explain(pipe, "a dull plot", k=1).top_k()  # doctest: +ELLIPSIS
    [('dull', ...)]
    """
    single = isinstance(X, str) or (
        isinstance(X, tuple) and len(X) == 2 and all(isinstance(t, str) for t in X)
    )
    out = get_explainer(explainer).explain(model, [X] if single else X)
    if k is not None:
        k = check_k(k)
        for e in out:
            e.k = k
    return out[0] if single else out


def global_importance(estimator: Any, X: Any, explainer: Any = "native", *, lowercase: bool = True):
    """Global word importance: the sum of local scores per word type (SP-LIME style, VMASK §5.2).

    Parameters
    ----------
    estimator : fitted classifier
    X : texts
    explainer : str or explainer, default="native"
    lowercase : bool, default=True
        Merge word types that differ only in case.

    Returns
    -------
    pandas.Series
        Word type -> summed score, sorted from most to least important.
    """
    import pandas as pd

    totals: dict[str, float] = {}
    estimator, X = unwrap_pipeline(estimator, X)
    for exp in get_explainer(explainer).explain(estimator, X):
        for word, score in zip(exp.words, exp.scores, strict=True):
            key = word.lower() if lowercase else word
            totals[key] = totals.get(key, 0.0) + float(score)
    series = pd.Series(totals, dtype=np.float64, name="importance")
    return series.sort_values(ascending=False, kind="stable")
