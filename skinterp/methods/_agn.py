"""AGN: adaptive gate network with corpus statistics (Li et al., AAAI 2021)."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
from sklearn.utils._param_validation import Interval

from ..core import TextClassifier, shared_params
from ..nn._agn import AdaptiveGateModule

__all__ = ["AGNClassifier"]


@shared_params
class AGNClassifier(TextClassifier):
    """Text classifier with an adaptive gate that mixes corpus statistics into the encoder's
    hidden states (AGN; E-VarM's gate-based baseline).

    At fit time every token id gets its TCoL vector: the share of each class among the
    training texts' occurrences of that token (unknown, special and unseen tokens: zeros).
    The AGN layer (:class:`skinterp.nn.AdaptiveGateModule`) adds a learned projection of the
    token's TCoL to the transformed hidden state wherever a sigmoid valve is within ``epsilon``
    of 0.5, then applies self-attention and max pooling before the classifier.

    Differences from the public code (4AI/AGN): there, the TCoL vectors of a whole padded
    sequence are compressed by a separately trained (variational) autoencoder into one scalar
    per position; here a linear projection of each token's TCoL, trained with the classifier,
    gives that scalar (no fixed sequence length, no separate training). Explanations: gradient
    x input, as the base model.

    Parameters
    ----------
    epsilon : float, default=0.1
        Half-width of the valve's "undecided" band around 0.5. (AGN's default dropout
        before the classifier is 0.2, as the public code.)
    %(backbone_params)s
    %(training_params)s
    """

    _parameter_constraints = {
        **TextClassifier._parameter_constraints,
        "epsilon": [Interval(Real, 0, 0.5, closed="both")],
    }

    _fitted_arrays = ("tcol_",)  # the class-word table, saved with the weights

    def __init__(self, epsilon: float = 0.1, **kwargs: Any):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def _learn_from_data(self, encodings, y):
        tok = self.tokenizer_
        counts = np.zeros((tok.vocab_size, len(self.classes_)), dtype=np.float64)
        ids = np.concatenate([e.input_ids[e.word_ids >= 0] for e in encodings])
        labels = np.repeat(y, [int((e.word_ids >= 0).sum()) for e in encodings])
        np.add.at(counts, (ids, labels), 1.0)
        counts[[tok.pad_id, tok.unk_id]] = 0.0
        totals = counts.sum(1, keepdims=True)
        self.tcol_ = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)

    def _build_module(self, encoder, n_classes):
        dropout = self.dropout if self.dropout is not None else 0.2
        return AdaptiveGateModule(encoder, n_classes, self.tcol_, self.epsilon, dropout)
