"""skinterp: scikit-learn estimators for text classifiers that are interpretable by construction."""

from .base import TextClassifier
from .explain import Explanation
from .methods import (
    AGNClassifier,
    EVarMClassifier,
    IBAClassifier,
    L2XClassifier,
    SCCClassifier,
    SCLClassifier,
    SimCSEClassifier,
    VMaskClassifier,
)
from .metrics import evaluate

__version__ = "0.1.0"

__all__ = [
    "AGNClassifier",
    "EVarMClassifier",
    "Explanation",
    "IBAClassifier",
    "L2XClassifier",
    "SCCClassifier",
    "SCLClassifier",
    "SimCSEClassifier",
    "TextClassifier",
    "VMaskClassifier",
    "__version__",
    "evaluate",
]
