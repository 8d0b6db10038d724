"""Annealing of loss weights that live in the fitted module."""

from __future__ import annotations

import torch
from skorch.callbacks import Callback

__all__ = ["LinearAnnealing"]


class LinearAnnealing(Callback):
    """Change a weight stored as a buffer of ``net.module_`` by ``step`` every ``every`` epochs,
    clamped at ``floor`` (the public VMASK code's schedule, which otherwise goes negative).

    The current value is logged in ``history`` under ``name`` at every epoch.

    Parameters
    ----------
    attribute : str
        Name of the module buffer (e.g. ``"beta"``).
    step : float
        Added each time (negative to decrease).
    floor : float or None
        Bound that the value never crosses (a minimum when decreasing, a maximum when
        increasing).
    every : int, default=1
        Epochs between changes.
    name : str or None
        History key; default ``attribute``.
    """

    def __init__(
        self,
        attribute: str,
        step: float,
        floor: float | None = None,
        every: int = 1,
        name: str | None = None,
    ):
        self.attribute = attribute
        self.step = step
        self.floor = floor
        self.every = every
        self.name = name

    def initialize(self):
        self.epochs_ = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        buffer: torch.Tensor = getattr(net.module_, self.attribute)
        net.history.record(self.name or self.attribute, float(buffer))
        self.epochs_ += 1
        if self.step == 0 or self.epochs_ % self.every:
            return
        value = float(buffer) + self.step
        if self.floor is not None:
            value = max(value, self.floor) if self.step < 0 else min(value, self.floor)
        buffer.fill_(value)
