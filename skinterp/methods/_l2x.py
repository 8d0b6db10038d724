"""L2X used as a mask layer (VMASK appendix C baseline)."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

from sklearn.utils._param_validation import Interval

from ..core import TextClassifier, shared_params
from ..nn import L2XSelector
from ._masked import MaskedTextClassifier

__all__ = ["L2XClassifier"]


@shared_params
class L2XClassifier(MaskedTextClassifier):
    """Text classifier with an L2X selector (Chen et al., 2018) as its word mask layer.

    As in VMASK's appendix C: a single-layer feed-forward network scores each word; training
    selects ``select_k`` words per text with the Gumbel-softmax top-k relaxation (``select_k``
    samples over positions at temperature ``tau``, element-wise maximum) and multiplies the
    embeddings by the relaxed selection; the selector is trained with the classifier by
    cross-entropy only. Inference keeps exactly the ``select_k`` best-scoring words.
    The native explanation is the softmax of the scores over each text's words;
    ``global_importance_`` is the raw score of each word type.

    Parameters
    ----------
    select_k : int, default=10
        Words kept per text.
    tau : float, default=0.5
        Gumbel-softmax temperature.
    %(backbone_params)s
    %(training_params)s
    """

    _parameter_constraints = {
        **TextClassifier._parameter_constraints,
        "select_k": [Interval(Integral, 1, None, closed="left")],
        "tau": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, select_k: int = 10, tau: float = 0.5, **kwargs: Any):
        super().__init__(**kwargs)
        self.select_k = select_k
        self.tau = tau

    def _mask_layer(self, word_dim, masked_dim):
        return L2XSelector(word_dim, self.select_k, self.tau)
