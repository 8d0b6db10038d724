"""skinterp: scikit-learn estimators for text classifiers that are interpretable by construction."""

from typing import TYPE_CHECKING

from ._version import __version__

# Names are imported on first use (PEP 562): `import skinterp` and the command line's
# `--help` do not pay for torch, transformers and scikit-learn until a name needs them.
_LAZY = {
    "ModelFileError": "core",
    "TextClassifier": "core",
    "load": "core",
    "explain_corpus": "corpus",
    "compare": "benchmark",
    "Explanation": "interface",
    "evaluate": "metrics",
    **dict.fromkeys(
        (
            "AGNClassifier",
            "AttentionClassifier",
            "EntropyClassifier",
            "EVarMClassifier",
            "IBAClassifier",
            "L2XClassifier",
            "PCTClassifier",
            "SCCClassifier",
            "SCLClassifier",
            "SimCSEClassifier",
            "TransformersClassifier",
            "VATClassifier",
            "VMaskClassifier",
            "from_transformers",
        ),
        "methods",
    ),
}

if TYPE_CHECKING:  # for type checkers and IDEs: the eager imports
    from .benchmark import compare
    from .core import ModelFileError, TextClassifier, load
    from .corpus import explain_corpus
    from .interface import Explanation
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
        TransformersClassifier,
        VATClassifier,
        VMaskClassifier,
        from_transformers,
    )
    from .metrics import evaluate


_SUBMODULES = frozenset(
    (
        "base",
        "benchmark",
        "callbacks",
        "cli",
        "core",
        "corpus",
        "datasets",
        "explain",
        "interface",
        "methods",
        "metrics",
        "nn",
        "plotting",
        "text",
        "utils",
    )
)


def __getattr__(name: str):
    if name in _SUBMODULES:  # `skinterp.datasets` without importing it first, as before
        import importlib

        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'skinterp' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
    "TransformersClassifier",
    "VATClassifier",
    "VMaskClassifier",
    "__version__",
    "compare",
    "evaluate",
    "explain_corpus",
    "from_transformers",
    "load",
]
