"""Checkpoint every epoch and resume an interrupted fit to exactly the uninterrupted result."""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from skorch.callbacks import Callback

__all__ = ["Resume"]

_DONE = "checkpoint.json"


class Resume(Callback):
    """Save the training state after every epoch; a later ``fit`` continues from it.

    After each epoch the module's weights, the optimizer, the history and the state of
    torch's random generators go to ``dirname`` (``checkpoint.json`` is written last, so a
    crash mid-save leaves the previous checkpoint in force). When ``fit`` starts and
    ``dirname`` holds a checkpoint of the same ``max_epochs``, the state is loaded and only the
    remaining epochs run: with the same data and seed, the model equals the one an
    uninterrupted fit gives (shuffling, dropout and mask sampling all draw from the restored
    generator). Delete ``dirname`` to start over.

    Parameters
    ----------
    dirname : str or path
        Folder for the checkpoint files.

    Examples
    --------
    >>> from skinterp import VMaskClassifier
    >>> from skinterp.callbacks import Resume
    >>> clf = VMaskClassifier(max_epochs=10, random_state=0,
    ...                       callbacks=[("resume", Resume("ckpt/"))])  # doctest: +SKIP
    >>> clf.fit(X, y)  # interrupted at epoch 6 (Ctrl-C, a crash); run again:  # doctest: +SKIP
    >>> clf.fit(X, y)  # epochs 7-10 only, same final model  # doctest: +SKIP

    Notes
    -----
    Callbacks that keep their own state outside the history and the module (e.g.
    ``EarlyStopping``'s patience counter) start afresh on resume.
    """

    def __init__(self, dirname: str | os.PathLike = "checkpoint"):
        self.dirname = dirname

    def _files(self):
        d = Path(self.dirname)
        return (
            {
                "f_params": d / "params.pt",
                "f_optimizer": d / "optimizer.pt",
                "f_history": d / "history.json",
            },
            d / "rng.pt",
            d / _DONE,
        )

    def initialize(self):
        self.resumed_from_ = None
        self._max_epochs = None
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        files, rng_file, done = self._files()
        if not done.is_file():
            return
        info = json.loads(done.read_text())
        if info.get("max_epochs") != net.max_epochs:
            raise ValueError(
                f"{done} is a checkpoint of a fit with max_epochs={info.get('max_epochs')}, "
                f"not {net.max_epochs}; delete {self.dirname} to start over."
            )
        net.load_params(**{k: str(v) for k, v in files.items()})
        rng = torch.load(rng_file, weights_only=True)
        torch.set_rng_state(rng["cpu"])
        for i, state in enumerate(rng.get("cuda", [])):
            if i < torch.cuda.device_count():
                torch.cuda.set_rng_state(state, i)
        self.resumed_from_ = len(net.history)
        self._max_epochs = net.max_epochs
        # fit_loop reads max_epochs after on_train_begin: run only what is left
        net.__dict__["max_epochs"] = max(net.max_epochs - self.resumed_from_, 0)

    def on_epoch_end(self, net, **kwargs):
        files, rng_file, done = self._files()
        Path(self.dirname).mkdir(parents=True, exist_ok=True)
        net.save_params(**{k: str(v) for k, v in files.items()})
        rng = {"cpu": torch.get_rng_state()}
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            rng["cuda"] = [torch.cuda.get_rng_state(i) for i in range(torch.cuda.device_count())]
        torch.save(rng, rng_file)
        max_epochs = self._max_epochs if self._max_epochs is not None else net.max_epochs
        tmp = done.with_suffix(".tmp")
        tmp.write_text(json.dumps({"epoch": len(net.history), "max_epochs": max_epochs}))
        os.replace(tmp, done)

    def on_train_end(self, net, **kwargs):
        if self._max_epochs is not None:
            net.__dict__["max_epochs"] = self._max_epochs
            self._max_epochs = None
