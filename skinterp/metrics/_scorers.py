"""Scikit-learn scorers for interpretability metrics.

Each scorer is a ``(estimator, X, y)`` callable, as scikit-learn's "custom scorer objects"
are, usable in ``GridSearchCV`` (also multi-metric with ``refit``), ``cross_val_score`` and
skorch's ``EpochScoring``. ``y`` is ignored (the metrics explain the model's own predictions)
except by the accuracy-drop scorer, which scores against the gold labels.
(``sklearn.metrics.make_scorer`` wraps functions of ``(y_true, y_pred)``; these metrics need
the estimator itself, so they are scorer objects of their own.) Greater is better for every
scorer: sufficiency, where lower is better, is negated.
"""

from __future__ import annotations

from typing import Any

from ._accuracy_drop import accuracy_drop_score
from ._eraser import comprehensiveness_score, sufficiency_score
from ._faithfulness import aopc_score, posthoc_accuracy_score

__all__ = [
    "InterpretabilityScorer",
    "make_accuracy_drop_scorer",
    "make_aopc_scorer",
    "make_comprehensiveness_scorer",
    "make_posthoc_accuracy_scorer",
    "make_sufficiency_scorer",
]


class InterpretabilityScorer:
    """A scorer calling ``metric(estimator, X, **kwargs)`` (``metric(estimator, X, y, ...)``
    with ``uses_y``) times ``sign``."""

    def __init__(self, metric, factory: str, sign: int = 1, *, uses_y: bool = False, **kwargs: Any):
        self.metric = metric
        self.factory = factory
        self.sign = sign
        self.uses_y = uses_y
        self.kwargs = kwargs
        # skorch's EpochScoring names its history column after the scorer
        self.__name__ = factory.removeprefix("make_").removesuffix("_scorer")

    def __call__(self, estimator: Any, X: Any, y: Any = None, **_: Any) -> float:
        if self.uses_y:
            if y is None:
                raise ValueError(f"{self.factory} scores against the gold labels; pass y.")
            value = self.metric(estimator, X, y, **self.kwargs)
        else:
            value = self.metric(estimator, X, **self.kwargs)
        if not isinstance(value, float):
            raise TypeError(
                f"{self.factory} must give one number; pass a single k, not {self.kwargs}."
            )
        return self.sign * value

    @property
    def settings(self) -> dict:
        """Every setting the metric runs with: the factory's and the metric's defaults, and
        what was passed (``repr`` shows them all)."""
        import inspect

        targets = [self.metric]
        if self.metric.__name__ == "posthoc_accuracy_score":  # its keywords go to the curve
            from ._faithfulness import posthoc_accuracy_curve

            targets.insert(0, posthoc_accuracy_curve)
        out = {
            name: p.default
            for target in targets
            for name, p in inspect.signature(target).parameters.items()
            if p.kind is p.KEYWORD_ONLY and name not in ("explanations", "verbose")
        }
        out.update(self.kwargs)
        return dict(sorted(out.items()))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.settings.items())
        return f"{self.factory}({args})"


def _check_kwargs(metric, kwargs):
    import inspect

    allowed = set(inspect.signature(metric).parameters) - {"estimator", "X", "y"}
    unknown = set(kwargs) - allowed
    if unknown:
        raise TypeError(
            f"unexpected argument(s) {sorted(unknown)} for {metric.__name__}; allowed: "
            f"{sorted(allowed)}."
        )


#: ``make_aopc_scorer()``'s settings: NAOPC@5 of the model's own explanation, the setting that
#: compares models (see the function's notes), with NAOPC's cheaper beam.
AOPC_SCORER_DEFAULTS = {"k": 5, "normalization": "naopc", "beam_width": 2}


def make_aopc_scorer(**kwargs: Any) -> InterpretabilityScorer:
    """Scorer for :func:`aopc_score`; by default **NAOPC@5** of the model's own explanation.

    A scorer's main use is comparing models (``GridSearchCV`` over a method's β, τ, ...), so
    the default is normalised per text: raw AOPC mostly measures how confident a model is
    (in ``benchmarks/scorers``, over a VMASK β grid on Rotten Tomatoes its correlation with the
    model's confidence is +0.93 and it ranks the least confident candidate last by a wide
    margin), NAOPC divides each text's AOPC by the best and worst any ordering reaches
    (correlation −0.24) and still separates the candidates by 3.3 seed standard deviations.
    ``make_aopc_scorer(normalization="paper")`` gives the papers' raw AOPC; ``repr`` shows
    every setting in force.

    Parameters
    ----------
    **kwargs
        Keyword arguments of :func:`aopc_score` (``k``, ``explainer``, ``normalization``,
        ``beam_width``, ...), on top of ``k=5, normalization="naopc", beam_width=2``.
    """
    _check_kwargs(aopc_score, kwargs)
    return InterpretabilityScorer(
        aopc_score, "make_aopc_scorer", 1, **{**AOPC_SCORER_DEFAULTS, **kwargs}
    )


def make_accuracy_drop_scorer(**kwargs: Any) -> InterpretabilityScorer:
    """Scorer for :func:`accuracy_drop_score` (the estimator's own accuracy lost when its
    explanation's top-k words are deleted; it uses ``y``)."""
    _check_kwargs(accuracy_drop_score, kwargs)
    return InterpretabilityScorer(
        accuracy_drop_score, "make_accuracy_drop_scorer", 1, uses_y=True, **kwargs
    )


def make_posthoc_accuracy_scorer(**kwargs: Any) -> InterpretabilityScorer:
    """Scorer for :func:`posthoc_accuracy_score`."""
    from ._faithfulness import posthoc_accuracy_curve

    _check_kwargs(posthoc_accuracy_curve, kwargs)
    return InterpretabilityScorer(
        posthoc_accuracy_score, "make_posthoc_accuracy_scorer", 1, **kwargs
    )


def make_comprehensiveness_scorer(**kwargs: Any) -> InterpretabilityScorer:
    """Scorer for :func:`comprehensiveness_score`."""
    _check_kwargs(comprehensiveness_score, kwargs)
    return InterpretabilityScorer(
        comprehensiveness_score, "make_comprehensiveness_scorer", 1, **kwargs
    )


def make_sufficiency_scorer(**kwargs: Any) -> InterpretabilityScorer:
    """Scorer for :func:`sufficiency_score`, negated (greater is better, like ``neg_*``)."""
    _check_kwargs(sufficiency_score, kwargs)
    return InterpretabilityScorer(sufficiency_score, "make_sufficiency_scorer", -1, **kwargs)
