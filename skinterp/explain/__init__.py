"""Word-level explanations and explainers."""

from ..interface import Explanation, aggregate_token_scores
from ._explainers import (
    DEFAULT_RANDOM_STATE,
    BaseExplainer,
    GlobalExplainer,
    GradientExplainer,
    IntegratedGradientsExplainer,
    LimeExplainer,
    NativeExplainer,
    OcclusionExplainer,
    RandomExplainer,
    ShapleyExplainer,
    explain,
    get_explainer,
    global_importance,
    text_seed,
)
from ._perturb import PERTURBATIONS, predict_variants

__all__ = [
    "DEFAULT_RANDOM_STATE",
    "PERTURBATIONS",
    "BaseExplainer",
    "Explanation",
    "GlobalExplainer",
    "GradientExplainer",
    "IntegratedGradientsExplainer",
    "LimeExplainer",
    "NativeExplainer",
    "OcclusionExplainer",
    "RandomExplainer",
    "ShapleyExplainer",
    "aggregate_token_scores",
    "explain",
    "get_explainer",
    "global_importance",
    "predict_variants",
    "text_seed",
]
