"""The interpretability methods, one private module each."""

from ._agn import AGNClassifier
from ._contrastive import SCLClassifier, SimCSEClassifier
from ._evarm import EVarMClassifier
from ._iba import IBAClassifier
from ._l2x import L2XClassifier
from ._masked import MaskedTextClassifier
from ._scc import SCCClassifier
from ._vmask import VMaskClassifier

__all__ = [
    "AGNClassifier",
    "EVarMClassifier",
    "IBAClassifier",
    "L2XClassifier",
    "MaskedTextClassifier",
    "SCCClassifier",
    "SCLClassifier",
    "SimCSEClassifier",
    "VMaskClassifier",
]
