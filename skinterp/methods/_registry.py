"""The one list of methods: name -> estimator class, family, native explanation, warm start.

The CLI, the benchmark harness and the estimator checks all read :data:`REGISTRY`; a new
method is added here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core import TextClassifier
from ._agn import AGNClassifier
from ._contrastive import SCLClassifier, SimCSEClassifier
from ._entropy import EntropyClassifier
from ._evarm import EVarMClassifier
from ._iba import IBAClassifier
from ._l2x import L2XClassifier
from ._pct import PCTClassifier
from ._scc import SCCClassifier
from ._vat import AttentionClassifier, VATClassifier
from ._vmask import VMaskClassifier

__all__ = ["REGISTRY", "MethodSpec", "get_method"]


@dataclass(frozen=True)
class MethodSpec:
    """One registered method.

    Attributes
    ----------
    name : str
        Registry key (CLI ``--method``, benchmark configs).
    estimator : type
        The estimator class.
    family : str
        ``"base"``, ``"mask"``, ``"gate"``, ``"contrastive"``, ``"coding"``, ``"pathology"``,
        ``"attention"`` or ``"graph"``.
    display : str
        The paper's name, as tables show it.
    params : dict
        Keyword arguments that make this variant (e.g. E-VarM's training schedule).
    from_base : bool
        Whether the benchmark starts it from the trained base model (``init_from``), as the
        paper does (see :meth:`starts_from_base`).
    """

    name: str
    estimator: type
    family: str
    display: str
    params: dict = field(default_factory=dict)
    from_base: bool = False

    @property
    def native_explanation(self) -> str:
        """The ``Explanation.method`` of the estimator's native explanation."""
        return self.estimator._native_method

    def holds_out(self, params: dict) -> bool:
        """Whether this variant, with these keyword arguments, holds out a share of its
        training texts to pick its best epoch on (when fitted without ``validation_data``)."""
        keys = ("early_stopping", "validation_fraction", "train_split")
        return self.estimator(**{k: params[k] for k in keys if k in params})._holds_out()

    def takes_dev_split(self, params: dict) -> bool:
        """Whether a data set's own dev split replaces that held-out share: the variant holds
        out only because it picks an epoch (no explicit ``validation_fraction``), so
        ``fit(X, y, validation_data=dev)`` picks on the dev split and trains on every text."""
        return self.holds_out(params) and params.get("validation_fraction") is None

    def starts_from_base(self, params: dict, dev_split: bool = False) -> bool:
        """Whether the benchmark starts this method, with these keyword arguments, from the
        trained base model. Not when it picks its best epoch on a share of the training texts
        it holds out: the base model trained on that share, so its memory of it makes the pick
        (SCC from the base: validation accuracy 0.99 on Rotten Tomatoes, falling each epoch,
        so epoch 1 always won). Such a method runs its own warm-up stage on its training share
        instead (``warmup_epochs``) -- unless ``dev_split``: the harness then hands it the data
        set's dev split (:meth:`takes_dev_split`), which the base model never saw."""
        if not self.from_base:
            return False
        return not self.holds_out(params) or (dev_split and self.takes_dev_split(params))

    def make(self, **overrides: Any) -> TextClassifier:
        """An unfitted estimator of this variant, with ``overrides`` on top of its params."""
        return self.estimator(**{**self.params, **overrides})


def _spec(name, cls, family, display, params=None, from_base=False) -> MethodSpec:
    return MethodSpec(name, cls, family, display, dict(params or {}), from_base)


REGISTRY: dict[str, MethodSpec] = {
    s.name: s
    for s in (
        _spec("base", TextClassifier, "base", "base"),
        _spec("vmask", VMaskClassifier, "mask", "VMASK", from_base=True),
        _spec("l2x", L2XClassifier, "mask", "L2X"),
        _spec("iba", IBAClassifier, "mask", "IBA", from_base=True),
        _spec("evarm", EVarMClassifier, "gate", "E-VarM", {"training": "iterative"}, True),
        _spec("evarm-ppl", EVarMClassifier, "gate", "E-VarM-PPL", {"training": "pipeline"}, True),
        _spec("evarm-ete", EVarMClassifier, "gate", "E-VarM-ETE", {"training": "end_to_end"}, True),
        _spec("evarm-mask", EVarMClassifier, "gate", "E-VarM-MASK", {"contrastive": False}, True),
        _spec("scc", SCCClassifier, "coding", "SCC", from_base=True),
        _spec("scl", SCLClassifier, "contrastive", "SCL"),
        _spec("simcse", SimCSEClassifier, "contrastive", "SimCSE"),
        _spec("agn", AGNClassifier, "graph", "AGN"),
        _spec("pct", PCTClassifier, "pathology", "PCT"),
        # Feng et al. fine-tune a trained model on reduced inputs; 2 epochs, capped reductions
        _spec(
            "entropy",
            EntropyClassifier,
            "pathology",
            "Entropy",
            {"max_reduction_steps": 10, "max_epochs": 2},
            True,
        ),
        _spec("attention", AttentionClassifier, "attention", "attention"),
        _spec("vat", VATClassifier, "attention", "VAT", {"n_iterations": 1}),
    )
}


def get_method(name: str) -> MethodSpec:
    """The registered method ``name``; a clear error lists the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown method {name!r}; use one of {sorted(REGISTRY)}.") from None
