"""Stop training with a clear error when a loss becomes NaN or infinite."""

from __future__ import annotations

import math

from skorch.callbacks import Callback

__all__ = ["FiniteLossCheck"]


class FiniteLossCheck(Callback):
    """After every training batch, check the total loss and every logged loss term.

    A non-finite value raises ``FloatingPointError`` naming the epoch, the batch and the
    terms, instead of training on to a model of NaNs. Every skinterp estimator has it
    (``callbacks__finite_loss``); the check reads the values skorch already logged, so it
    adds no device synchronisation.
    """

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if not training:
            return
        epoch = len(net.history)
        batches = net.history[-1]["batches"]
        logged = batches[-1] if batches else {}
        bad = {
            k: v
            for k, v in logged.items()
            if isinstance(v, float) and not math.isfinite(v) and not k.startswith("valid_")
        }
        if not bad:
            return
        terms = [k for k in bad if k != "train_loss"]
        which = (
            f"loss term(s) {', '.join(f'{k}={bad[k]}' for k in terms)}"
            if terms
            else f"the cross-entropy (train_loss={bad['train_loss']})"
        )
        raise FloatingPointError(
            f"{type(net).__name__}: training stopped at epoch {epoch}, batch {len(batches)}: "
            f"{which} is not finite. Lower the learning rate (lr={net.lr}) or the weight of "
            "that term, or check the inputs."
        )
