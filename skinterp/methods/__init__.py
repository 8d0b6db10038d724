"""The interpretability methods, one private module each."""

from ._agn import AGNClassifier
from ._contrastive import SCLClassifier, SimCSEClassifier
from ._entropy import EntropyClassifier
from ._evarm import EVarMClassifier
from ._iba import IBAClassifier
from ._l2x import L2XClassifier
from ._masked import MaskedTextClassifier
from ._pct import PCTClassifier
from ._registry import REGISTRY, MethodSpec, get_method
from ._scc import SCCClassifier
from ._transformers import TransformersClassifier, from_transformers
from ._vat import AttentionClassifier, VATClassifier
from ._vmask import VMaskClassifier

__all__ = [
    "REGISTRY",
    "AGNClassifier",
    "AttentionClassifier",
    "EVarMClassifier",
    "EntropyClassifier",
    "IBAClassifier",
    "L2XClassifier",
    "MaskedTextClassifier",
    "MethodSpec",
    "PCTClassifier",
    "SCCClassifier",
    "SCLClassifier",
    "SimCSEClassifier",
    "TransformersClassifier",
    "VATClassifier",
    "VMaskClassifier",
    "from_transformers",
    "get_method",
]
