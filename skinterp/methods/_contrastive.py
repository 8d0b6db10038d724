"""Contrastive baselines: SCL (E-VarM's baseline) and SimCSE (SCC's baseline)."""

from __future__ import annotations

from numbers import Real
from typing import Any

import torch
from sklearn.utils._param_validation import Interval

from ..core import TextClassifier, shared_params
from ..nn import supervised_contrastive_loss, view_pairs_mask

__all__ = ["SCLClassifier", "SimCSEClassifier"]

_CONSTRAINTS = {
    **TextClassifier._parameter_constraints,
    "lam": [Interval(Real, 0, None, closed="left")],
    "tau": [Interval(Real, 0, None, closed="neither")],
}


@shared_params
class SCLClassifier(TextClassifier):
    """Cross-entropy + supervised contrastive loss (Gunel et al., ICLR 2021).

    Loss: ``CE + lam * L_SCL`` where L_SCL is the supervised contrastive loss
    (:func:`skinterp.nn.supervised_contrastive_loss`) over the batch's pooled sentence
    representations, with same-label texts as positives and temperature ``tau``. Gunel et al.
    write ``(1 - l) CE + l L_SCL``; that is this loss scaled by ``1 - l`` with
    ``lam = l / (1 - l)`` (the scale only rescales the learning rate). The term is logged as
    ``history[:, "supcon"]`` (and ``valid_supcon``). Explanations: gradient x input, as the
    base model.

    Parameters
    ----------
    lam : float, default=0.5
        Weight of the contrastive term.
    tau : float, default=0.3
        Temperature.
    %(backbone_params)s
    %(training_params)s
    """

    _parameter_constraints = _CONSTRAINTS
    _extra_loss_names = ("supcon",)

    def __init__(self, lam: float = 0.5, tau: float = 0.3, **kwargs: Any):
        super().__init__(**kwargs)
        self.lam = lam
        self.tau = tau

    def get_loss_terms(self, y_pred, y_true, X=None, training=False):
        _, extras = y_pred
        loss = supervised_contrastive_loss(extras["pooled"], y_true, temperature=self.tau)
        return {"supcon": self.lam * loss}


@shared_params
class SimCSEClassifier(TextClassifier):
    """Cross-entropy + SimCSE's dropout-augmentation contrastive loss (Gao et al., 2021).

    Each training batch goes through the network twice; dropout makes the two passes two views
    of every text (for CNN/LSTM the dropout before the classifier, for transformers also their
    internal dropout). The contrastive term treats the other view of the same text as the only
    positive and the batch's other texts as negatives (InfoNCE with cosine similarity and
    temperature ``tau``, through :func:`skinterp.nn.supervised_contrastive_loss`); the loss is
    ``CE + lam * L_SimCSE``, logged as ``history[:, "simcse"]``. It is computed on training
    batches only (with dropout off, the views are identical).

    Parameters
    ----------
    lam : float, default=0.1
    tau : float, default=0.05
        SimCSE's temperature.
    %(backbone_params)s
    %(training_params)s
    """

    _parameter_constraints = _CONSTRAINTS
    _extra_loss_names = ("simcse",)

    def __init__(self, lam: float = 0.1, tau: float = 0.05, **kwargs: Any):
        super().__init__(**kwargs)
        self.lam = lam
        self.tau = tau

    def get_loss_terms(self, y_pred, y_true, X=None, training=False):
        if not training or X is None:
            return {}
        _, extras = y_pred
        _, second = self.infer(X)  # same batch, a new dropout mask: the second view
        views = torch.cat([extras["features"], second["features"]])
        mask = view_pairs_mask(len(extras["features"]), 2, device=views.device)
        loss = supervised_contrastive_loss(views, positive_mask=mask, temperature=self.tau)
        return {"simcse": self.lam * loss}
