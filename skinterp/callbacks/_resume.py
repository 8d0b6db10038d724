"""Checkpoint every epoch and resume an interrupted fit to exactly the uninterrupted result."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import torch
from skorch.callbacks import Callback

__all__ = ["Resume"]

_DONE = "checkpoint.json"
_FILES = {"f_params": "params.pt", "f_optimizer": "optimizer.pt", "f_history": "history.json"}
_RNG = "rng.pt"


class Resume(Callback):
    """Save the training state after every epoch; a later ``fit`` continues from it.

    After each epoch the module's weights, the optimizer, the history and the state of
    torch's random generators are written to a new folder ``dirname/epoch-NNNNNN.tmp``,
    renamed to ``epoch-NNNNNN`` when complete, and then put in force by replacing
    ``checkpoint.json`` (the manifest: epoch, ``max_epochs``, that folder and the SHA-256 of
    its files) in one rename; the previous epoch's folder is removed only after that. A crash
    or kill at any moment of a save therefore leaves the previous checkpoint in force, whole.
    When ``fit`` starts and ``dirname`` holds a checkpoint of the same ``max_epochs``, the
    state is loaded (its hashes checked) and only the remaining epochs run: with the same data
    and seed, the model equals the one an uninterrupted fit gives, bit for bit (shuffling,
    dropout and mask sampling all draw from the restored generator). The epoch count comes
    from the manifest. Delete ``dirname`` to start over.

    Parameters
    ----------
    dirname : str or path
        Folder for the checkpoints.

    Attributes
    ----------
    resumed_from_ : int or None
        The epoch the last ``fit`` resumed after (None: it started afresh).

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
    ``EarlyStopping``'s patience counter) start afresh on resume. The files are torch's own
    (``weights_only`` loading, no pickled code); a checkpoint folder is still meant for your
    own runs, not for files from elsewhere (use ``save``/``skinterp.load`` to share a model).
    """

    def __init__(self, dirname: str | os.PathLike = "checkpoint"):
        self.dirname = dirname

    def initialize(self):
        self.resumed_from_ = None
        self._max_epochs = None
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        root = Path(self.dirname)
        done = root / _DONE
        if not done.is_file():
            return
        info = json.loads(done.read_text())
        if info.get("max_epochs") != net.max_epochs:
            raise ValueError(
                f"{done} is a checkpoint of a fit with max_epochs={info.get('max_epochs')}, "
                f"not {net.max_epochs}; delete {self.dirname} to start over."
            )
        # checkpoints before format 2 kept their files in dirname itself, without hashes
        folder = root / info["dir"] if "dir" in info else root
        for name, digest in info.get("files", {}).items():
            if not (folder / name).is_file() or _sha256(folder / name) != digest:
                raise ValueError(
                    f"{folder / name} is missing or does not match the checkpoint's SHA-256; "
                    f"the checkpoint is damaged: delete {self.dirname} to start over."
                )
        net.load_params(**{k: str(folder / name) for k, name in _FILES.items()})
        rng = torch.load(folder / _RNG, weights_only=True)
        torch.set_rng_state(rng["cpu"])
        for i, state in enumerate(rng.get("cuda", [])):
            if i < torch.cuda.device_count():
                torch.cuda.set_rng_state(state, i)
        epoch = int(info["epoch"])
        if len(net.history) != epoch:
            raise ValueError(
                f"{done} is a checkpoint of epoch {epoch}, but its history holds "
                f"{len(net.history)} epochs; delete {self.dirname} to start over."
            )
        self.resumed_from_ = epoch
        self._max_epochs = net.max_epochs
        # fit_loop reads max_epochs after on_train_begin: run only what is left
        net.__dict__["max_epochs"] = max(net.max_epochs - epoch, 0)

    def on_epoch_end(self, net, **kwargs):
        for step in self._save_steps(net):
            step()

    def _save_steps(self, net):
        """The writes of one checkpoint, in order, as separate steps (the crash-injection
        test fails between every pair of them)."""
        root = Path(self.dirname)
        epoch = len(net.history)
        final = root / f"epoch-{epoch:06d}"
        tmp = root / f"epoch-{epoch:06d}.tmp"
        max_epochs = self._max_epochs if self._max_epochs is not None else net.max_epochs

        def fresh():
            root.mkdir(parents=True, exist_ok=True)
            for leftover in (tmp, final):  # of a save that crashed before its switch
                if leftover.exists():
                    shutil.rmtree(leftover)
            tmp.mkdir()

        def rng():
            state = {"cpu": torch.get_rng_state()}
            if torch.cuda.is_available() and torch.cuda.is_initialized():
                n = torch.cuda.device_count()
                state["cuda"] = [torch.cuda.get_rng_state(i) for i in range(n)]
            torch.save(state, tmp / _RNG)

        def manifest():
            files = {p.name: _sha256(p) for p in sorted(final.iterdir())}
            info = {"epoch": epoch, "max_epochs": max_epochs, "dir": final.name, "files": files}
            (root / (_DONE + ".tmp")).write_text(json.dumps(info))

        def clean():
            for old in root.iterdir():
                if old.name.startswith("epoch-") and old.name != final.name:
                    shutil.rmtree(old, ignore_errors=True)
            for name in (*_FILES.values(), _RNG):  # a format-1 checkpoint's files
                (root / name).unlink(missing_ok=True)

        yield fresh
        for key, name in _FILES.items():
            yield lambda key=key, name=name: net.save_params(**{key: str(tmp / name)})
        yield rng
        yield lambda: os.replace(tmp, final)
        yield manifest
        yield lambda: os.replace(root / (_DONE + ".tmp"), root / _DONE)  # the switch
        yield clean

    def on_train_end(self, net, **kwargs):
        if self._max_epochs is not None:
            net.__dict__["max_epochs"] = self._max_epochs
            self._max_epochs = None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()
