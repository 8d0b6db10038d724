"""Word-level explanations and explainers."""

from ..interface import Explanation, aggregate_token_scores
from ._explainers import (
    BaseExplainer,
    GlobalExplainer,
    GradientExplainer,
    LimeExplainer,
    NativeExplainer,
    OcclusionExplainer,
    RandomExplainer,
    ShapleyExplainer,
    get_explainer,
    global_importance,
    text_seed,
)
from ._perturb import PERTURBATIONS, predict_variants

__all__ = [
    "PERTURBATIONS",
    "BaseExplainer",
    "Explanation",
    "GlobalExplainer",
    "GradientExplainer",
    "LimeExplainer",
    "NativeExplainer",
    "OcclusionExplainer",
    "RandomExplainer",
    "ShapleyExplainer",
    "aggregate_token_scores",
    "get_explainer",
    "global_importance",
    "predict_variants",
    "text_seed",
]
