"""IBA's readout bottleneck used as a mask layer (VMASK appendix C baseline)."""

from __future__ import annotations

from numbers import Real
from typing import Any

from sklearn.utils._param_validation import Interval

from ..core import TextClassifier, shared_params
from ..nn import ReadoutBottleneck
from ._masked import MaskedTextClassifier

__all__ = ["IBAClassifier"]


@shared_params
class IBAClassifier(MaskedTextClassifier):
    """Text classifier with IBA's readout bottleneck (Schulz et al., 2020) as mask layer.

    As in VMASK's appendix C: a single-layer network predicts a continuous mask
    ``lambda_t in [0, 1]`` per word; the encoder sees ``z_t = lambda_t x_t + (1 - lambda_t)
    eps_t`` with ``eps_t ~ N(mu, sigma^2)`` (running per-dimension statistics of the masked
    embeddings); the loss is cross-entropy + ``beta`` * the capacity term
    ``KL[p(z|x) || N(mu, sigma^2)]`` (averaged over dimensions and real tokens). Inference
    replaces the noise by its mean. The native explanation is ``lambda``.

    Parameters
    ----------
    beta : float, default=1.0
        Weight of the capacity (information) term.
    %(backbone_params)s
    %(training_params)s
    """

    _parameter_constraints = {
        **TextClassifier._parameter_constraints,
        "beta": [Interval(Real, 0, None, closed="left")],
    }
    _extra_loss_names = ("capacity",)
    _starts_from_fine_tuned = "always"  # IBA's bottleneck reads a trained model

    def __init__(self, beta: float = 1.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.beta = beta

    def _mask_layer(self, word_dim, masked_dim):
        return ReadoutBottleneck(word_dim, masked_dim)

    def get_loss_terms(self, y_pred, y_true, X=None, training=False):
        _, extras = y_pred
        return {"capacity": self.beta * extras["mask_terms"]["capacity"]}
