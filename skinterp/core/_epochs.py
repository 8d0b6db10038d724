"""The core's epoch-level callbacks: the epoch that ``early_stopping`` keeps, the epoch
table and the validation accuracy."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
from skorch.callbacks import EarlyStopping, PrintLog

__all__ = ["KeepBest", "PrintEpochs", "valid_accuracy"]


class KeepBest(EarlyStopping):
    """EarlyStopping that stands aside in a fit without validation data (too few texts) and
    keeps only a *candidate* epoch (``net._is_candidate_epoch``; e.g. SCC: its mask is
    decisive). Patience counts from the first candidate; with none, the best epoch overall
    is kept, with a warning. The fit's last history row records ``kept_epoch``, the epoch
    whose weights it restored, so the history (saved with the model and in benchmark run
    records) says which weights the model holds; a later ``warm_start`` fit adds rows without
    it unless it keeps an epoch too."""

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.fallback_ = None  # (score, epoch, weights) of the best non-candidate epoch

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        if self.monitor not in row:
            return
        if net._is_candidate_epoch(row):
            super().on_epoch_end(net, **kwargs)
            return
        score = row[self.monitor]
        best = self.fallback_[0] if self.fallback_ else None
        better = best is None or (score < best if self.lower_is_better else score > best)
        if self.best_model_weights_ is None and better:
            self.fallback_ = (score, row["epoch"], copy.deepcopy(net.module_.state_dict()))
        if self.best_model_weights_ is not None:  # a candidate was kept: this epoch misses
            self.misses_ += 1
            if self.misses_ == self.patience:
                raise KeyboardInterrupt

    def on_train_end(self, net, **kwargs):
        if self.best_model_weights_ is None and self.fallback_ is not None:
            _, self.best_epoch_, self.best_model_weights_ = self.fallback_
            warnings.warn(
                f"early_stopping: no epoch met {type(net).__name__}'s condition for keeping "
                f"it ({net._candidate_epoch_rule}); kept the best epoch by {self.monitor} "
                f"({self.best_epoch_}) instead.",
                UserWarning,
                stacklevel=2,
            )
        super().on_train_end(net, **kwargs)
        if self.best_model_weights_ is not None:
            net.history.record("kept_epoch", self.best_epoch_)


class PrintEpochs(PrintLog):
    """The epoch table, printed only with ``verbose > 0`` whatever the sink (skorch lets any
    sink but ``print`` through at ``verbose=0``, e.g. AccelerateMixin's ``accelerator.print``)."""

    def _sink(self, text, verbose):
        if verbose:
            self.sink(text)


def valid_accuracy(net: Any, X: Any, y: Any) -> float:
    """Accuracy on encoded labels (skorch hands the callback integer targets)."""
    proba = net.predict_proba(X)
    return float(np.mean(proba.argmax(1) == np.asarray(y)))
