"""skinterp: scikit-learn estimators for text classifiers that are interpretable by construction."""

from . import plotting  # noqa: F401  (registers the HTML views of Explanation and reports)
from ._version import __version__
from .core import ModelFileError, TextClassifier, load
from .corpus import explain_corpus
from .explain import Explanation
from .methods import (
    AGNClassifier,
    AttentionClassifier,
    EntropyClassifier,
    EVarMClassifier,
    IBAClassifier,
    L2XClassifier,
    PCTClassifier,
    SCCClassifier,
    SCLClassifier,
    SimCSEClassifier,
    VATClassifier,
    VMaskClassifier,
)
from .metrics import evaluate

__all__ = [
    "AGNClassifier",
    "AttentionClassifier",
    "EVarMClassifier",
    "EntropyClassifier",
    "Explanation",
    "IBAClassifier",
    "L2XClassifier",
    "ModelFileError",
    "PCTClassifier",
    "SCCClassifier",
    "SCLClassifier",
    "SimCSEClassifier",
    "TextClassifier",
    "VATClassifier",
    "VMaskClassifier",
    "__version__",
    "evaluate",
    "explain_corpus",
    "load",
]
