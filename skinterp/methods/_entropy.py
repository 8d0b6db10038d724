"""Entropy regularisation on reduced inputs (Feng et al., 2018), PCT's baseline."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import torch
from sklearn.utils._param_validation import Interval
from skorch.dataset import unpack_data
from skorch.utils import to_tensor

from ..core import TextClassifier, shared_params
from ._reduction import beam_input_reduction, drop_words

__all__ = ["EntropyClassifier"]


@shared_params
class EntropyClassifier(TextClassifier):
    """Cross-entropy batches alternating with entropy maximisation on input-reduced texts
    (Feng et al., 2018; PCT's appendix, eq. 8).

    Every training batch takes two optimizer steps: an ordinary cross-entropy step, then an
    entropy step on the batch's *reduced* texts with loss ``-lam * mean H(p(y | x_reduced))``
    (eq. 8's regulariser, maximising the entropy). A reduced text is what input reduction
    leaves of a text with the current model: remove the least salient word (gradient
    saliency) while the prediction stays the same, greedily or with a beam of width
    ``beam_size`` (:func:`skinterp.methods._reduction.beam_input_reduction`; one gradient and
    one forward pass per removal step, vectorized over the batch). The entropy term is
    logged as ``history[:, "entropy"]`` (the unweighted mean entropy).

    Feng et al. fine-tune a trained model; pass ``init_from=`` a fitted base to do the same.
    Input reduction costs up to ``n_words - 1`` steps per batch: ``max_reduction_steps``
    bounds it for long texts. Native explanation: gradient x input (as the base).

    Parameters
    ----------
    lam : float, default=1e-3
        Weight of the entropy term (Feng et al. and PCT use 1e-3).
    beam_size : int, default=1
        Input reduction beam width (1 = greedy).
    max_reduction_steps : int or None, default=None
        At most this many words removed per text (None: until the prediction would change or
        one word is left).
    %(backbone_params)s
    %(training_params)s
    """

    _parameter_constraints = {
        **TextClassifier._parameter_constraints,
        "lam": [Interval(Real, 0, None, closed="left")],
        "beam_size": [Interval(Integral, 1, None, closed="left")],
        "max_reduction_steps": [None, Interval(Integral, 1, None, closed="left")],
    }
    _extra_loss_names = ("entropy",)
    _starts_from_fine_tuned = "always"  # Feng et al. fine-tune a trained model

    def __init__(
        self,
        lam: float = 1e-3,
        beam_size: int = 1,
        max_reduction_steps: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.lam = lam
        self.beam_size = beam_size
        self.max_reduction_steps = max_reduction_steps

    def reduce(self, X: Any) -> list[str]:
        """The input-reduced version of each text (words joined by spaces), as the entropy
        step sees it: the shortest reduction that keeps the model's prediction."""
        encodings = self._prepare(X)
        out: list = [None] * len(encodings)
        for idx, batch in self._batches(encodings):
            keep = beam_input_reduction(self, batch, self.beam_size, self.max_reduction_steps).cpu()
            for j, i in enumerate(idx):
                words = encodings[i].words
                out[i] = " ".join(w.text for w, k in zip(words, keep[j], strict=False) if k)
        return out

    def _entropy_loss(self, Xi: dict) -> torch.Tensor:
        keep = beam_input_reduction(self, Xi, self.beam_size, self.max_reduction_steps)
        self._set_training(True)
        logits, _ = self.infer(drop_words(Xi, keep, pad_id=self.tokenizer_.pad_id))
        logp = torch.log_softmax(logits.float(), -1)
        entropy = -(logp.exp() * logp).sum(-1).mean()
        self.history.record_batch("entropy", float(entropy.detach()))
        return -self.lam * entropy

    def train_step(self, batch, **fit_params):
        """A cross-entropy step, then an entropy step on the batch's reduced texts."""
        step = super().train_step(batch, **fit_params)
        if self.lam == 0:
            return step
        Xi, _ = unpack_data(batch)
        Xi = to_tensor(Xi, device=self.device)

        self.step_optimizer(lambda: self._entropy_loss(Xi), batch)
        return step
