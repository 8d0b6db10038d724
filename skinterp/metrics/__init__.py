"""Interpretability metrics (validated functions) and scikit-learn scorers."""

from ._accuracy_drop import accuracy_drop_score
from ._binned import FERRET_BINS, binned_aopc_score
from ._eraser import comprehensiveness_score, sufficiency_score
from ._evaluate import METRICS, EvaluationReport, evaluate
from ._faithfulness import (
    aopc_curve,
    aopc_score,
    confidence_score,
    posthoc_accuracy_curve,
    posthoc_accuracy_score,
)
from ._pathology import (
    ReducedNumber,
    SaliencyVariance,
    confidence_under_reduction,
    reduced_number,
    saliency_variance,
)
from ._plausibility import PlausibilityScores, frequency_importance_correlation, plausibility_scores
from ._scorers import (
    InterpretabilityScorer,
    make_accuracy_drop_scorer,
    make_aopc_scorer,
    make_comprehensiveness_scorer,
    make_posthoc_accuracy_scorer,
    make_sufficiency_scorer,
)

__all__ = [
    "FERRET_BINS",
    "METRICS",
    "EvaluationReport",
    "InterpretabilityScorer",
    "PlausibilityScores",
    "ReducedNumber",
    "SaliencyVariance",
    "accuracy_drop_score",
    "aopc_curve",
    "aopc_score",
    "binned_aopc_score",
    "comprehensiveness_score",
    "confidence_score",
    "confidence_under_reduction",
    "evaluate",
    "frequency_importance_correlation",
    "make_accuracy_drop_scorer",
    "make_aopc_scorer",
    "make_comprehensiveness_scorer",
    "make_posthoc_accuracy_scorer",
    "make_sufficiency_scorer",
    "plausibility_scores",
    "posthoc_accuracy_curve",
    "posthoc_accuracy_score",
    "reduced_number",
    "saliency_variance",
    "sufficiency_score",
]
