"""VMASK: variational word masks (Chen & Ji, EMNLP 2020)."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import torch
from sklearn.utils._param_validation import Interval

from ..callbacks import LinearAnnealing
from ..core import TextClassifier, shared_params
from ..nn import BernoulliMaskGate
from ._masked import MaskedTextClassifier

__all__ = ["VMaskClassifier"]


@shared_params
class VMaskClassifier(MaskedTextClassifier):
    """Text classifier with a variational word mask layer (VMASK).

    A binary random mask R_x per word *type* multiplies the word embeddings (VMASK eq. 1).
    An inference network over the word embedding (Linear -> tanh -> Linear(2)) gives
    q(R_x | x); training samples R with ``F.gumbel_softmax`` (hard, straight-through, at
    temperature ``tau``), inference multiplies by the expectation E[R_x] = p(keep). The loss
    is VMASK eq. 9: cross-entropy + ``beta`` * mean over real tokens of
    ``p log p + (1-p) log(1-p)`` (the KL to the Bernoulli(0.5) prior up to a constant;
    padding never counts). For transformers the mask, computed from the input embedding table,
    multiplies the output of the embeddings block, as the paper's BERT variant.

    β is annealed as the public code does -- start at ``beta``, subtract ``beta_step`` every
    ``beta_every`` epochs -- but clamped at ``beta_floor`` (the public schedule goes negative).
    The current β is in ``module_.beta`` and logged as ``history[:, "beta"]``;
    ``history[:, "neg_entropy"]`` logs the weighted term.

    Parameters
    ----------
    beta : float, default=1.0
        Initial weight of the entropy (KL-to-Bernoulli(0.5)) term.
    tau : float, default=1.0
        Gumbel-softmax temperature.
    mask_hidden_size : int, default=100
        Hidden units of the inference network.
    beta_step : float, default=0.099
        Subtracted from β every ``beta_every`` epochs; 0 keeps β constant.
    beta_floor : float, default=0.01
        β never goes below this.
    beta_every : int, default=1
    %(backbone_params)s
    %(training_params)s

    Attributes
    ----------
    global_importance_ : pandas.Series
        Expected keep probability of every vocabulary word type, sorted (VMASK Fig. 1-2,
        Table 11).
    Other attributes as :class:`skinterp.TextClassifier`.

    Examples
    --------
    >>> from skinterp import VMaskClassifier
    >>> from skinterp.utils.estimator_checks import toy_text_data
    >>> X, y = toy_text_data()
    >>> clf = VMaskClassifier(embedding_dim=16, num_filters=8, lr=1e-2, random_state=0)
    >>> clf.fit(X, y).explain("a dull film").method
    'mask'
    >>> clf.global_importance_.index[0] in set(" ".join(X).split())
    True
    """

    _parameter_constraints = {
        **TextClassifier._parameter_constraints,
        "beta": [Interval(Real, 0, None, closed="left")],
        "tau": [Interval(Real, 0, None, closed="neither")],
        "mask_hidden_size": [Interval(Integral, 1, None, closed="left")],
        "beta_step": [Interval(Real, 0, None, closed="left")],
        "beta_floor": [Interval(Real, 0, None, closed="left")],
        "beta_every": [Interval(Integral, 1, None, closed="left")],
    }
    _extra_loss_names = ("neg_entropy",)

    def __init__(
        self,
        beta: float = 1.0,
        tau: float = 1.0,
        mask_hidden_size: int = 100,
        beta_step: float = 0.099,
        beta_floor: float = 0.01,
        beta_every: int = 1,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.beta = beta
        self.tau = tau
        self.mask_hidden_size = mask_hidden_size
        self.beta_step = beta_step
        self.beta_floor = beta_floor
        self.beta_every = beta_every

    def _mask_layer(self, word_dim, masked_dim):
        return BernoulliMaskGate(word_dim, self.mask_hidden_size, self.tau)

    def _build_module(self, encoder, n_classes):
        module = super()._build_module(encoder, n_classes)
        module.register_buffer("beta", torch.tensor(float(self.beta)))
        return module

    def _method_callbacks(self):
        anneal = LinearAnnealing("beta", -self.beta_step, self.beta_floor, self.beta_every)
        return [("beta_annealing", anneal)]

    def get_loss_terms(self, y_pred, y_true, X=None, training=False):
        _, extras = y_pred
        return {"neg_entropy": self.module_.beta * extras["mask_terms"]["neg_entropy"]}
