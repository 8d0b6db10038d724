"""skinterp: scikit-learn estimators for text classifiers that are interpretable by construction."""

from .base import TextClassifier
from .explain import Explanation
from .metrics import evaluate

__version__ = "0.1.0"

__all__ = ["Explanation", "TextClassifier", "__version__", "evaluate"]
