"""Training: the module, optimizer settings, callbacks, split, iterator and loss."""

from __future__ import annotations

import contextlib
import copy
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from sklearn.exceptions import NotFittedError
from skorch.callbacks import (
    EpochScoring,
    EpochTimer,
    PassthroughScoring,
    ProgressBar,
)
from skorch.dataset import ValidSplit
from skorch.utils import to_tensor
from torch import nn
from torch.utils.data import DataLoader, Dataset

from .._validation import check_target
from ..callbacks._decisiveness import Decisiveness
from ..callbacks._finite import FiniteLossCheck
from ..nn import ClassifierModule
from ..text import BucketBatchSampler, Collator, EncodedText, TextDataset, check_texts
from ._backbone import build_backbone
from ._epochs import KeepBest, PrintEpochs, valid_accuracy
from ._inference import lengths_of

__all__ = ["TrainingMixin", "seeded"]

# the names pickles of models fitted before these moved to ``_epochs`` refer to
_KeepBest, _PrintLog, _valid_accuracy = KeepBest, PrintEpochs, valid_accuracy

_DEFAULT_LR = {"transformer": 2e-5, "other": 1e-3}
_DEFAULT_DROPOUT = {"transformer": 0.1, "other": 0.5}


def _can_fuse(optimizer: Any, args: tuple, kwargs: dict) -> bool:
    """Whether to use the fused implementation of the default optimizer: Adam or AdamW, the
    user chose no implementation (``fused``/``foreach``), and every parameter is a floating
    tensor on the CPU or a CUDA device."""
    if optimizer not in (torch.optim.Adam, torch.optim.AdamW):
        return False
    if {"fused", "foreach", "capturable", "differentiable"} & set(kwargs):
        return False
    groups = args[0] if args else []
    params = [p for g in groups for p in (g["params"] if isinstance(g, dict) else [g])]
    return bool(params) and all(
        p.is_floating_point() and p.device.type in ("cpu", "cuda") for p in params
    )


@contextlib.contextmanager
def seeded(seed: int | None, device: Any):
    """Seed torch inside a forked RNG so fitting never disturbs the caller's global state."""
    if seed is None:
        yield
        return
    devices = []
    if torch.cuda.is_available() and str(device).startswith("cuda"):
        devices = [torch.device(device).index or 0]
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


class TrainingMixin:
    """skorch's training hooks, filled for text: what a method changes goes through the hooks
    ``_build_module``, ``get_loss_terms``, ``_method_callbacks`` and ``train_step``."""

    def _build_encoder(self) -> nn.Module:
        """A fresh encoder for this estimator's backbone parameters."""
        return build_backbone(self, self.tokenizer_, self.seed_)[0]

    def _dropout_rate(self) -> float:
        """``dropout``, or the backbone's default when it is None."""
        return self.dropout if self.dropout is not None else _DEFAULT_DROPOUT[self._family()]

    def _build_module(self, encoder: nn.Module, n_classes: int) -> nn.Module:
        """Hook: the torch module for this method. Base: encoder + dropout + linear."""
        return ClassifierModule(encoder, n_classes, dropout=self._dropout_rate())

    def initialize_module(self):
        if not hasattr(self, "tokenizer_") or not hasattr(self, "classes_"):
            raise RuntimeError(
                f"{type(self).__name__} builds its module from the data; call fit(X, y)."
            )
        src = self._init_source()
        if src is None:
            encoder, coverage = build_backbone(self, self.tokenizer_, self.seed_)
            if not isinstance(self.encoder, nn.Module) and self.encoder != "transformer":
                self.embedding_coverage_ = coverage
            module = self._build_module(encoder, len(self.classes_))
        else:
            if not np.array_equal(np.asarray(src.classes_), np.asarray(self.classes_)):
                raise ValueError(
                    f"init_from was trained on classes {list(src.classes_)}, but y has "
                    f"{list(self.classes_)}."
                )
            if self.init_from is not None and self._holds_out():
                warnings.warn(
                    f"{type(self).__name__}: the best epoch is picked on a validation share "
                    "held out of X, but init_from was fitted before that share was drawn; if "
                    "it trained on those texts it remembers them and the pick favours the "
                    "first epochs. Pass a dev split as fit(X, y, validation_data=...), fit "
                    "init_from on other texts, or leave init_from unset (the warm-up stage "
                    "trains on the training share only).",
                    UserWarning,
                    stacklevel=2,
                )
            # the fitted backbone is taken as is (encoder/pretrained are not used)
            module = self._build_module(copy.deepcopy(src.module_.encoder), len(self.classes_))
            module.head.load_state_dict(src.module_.head.state_dict())
        self.module_ = module
        # the copied weights train at encoder_lr (kept by save/load for the optimizer's groups)
        self.started_from_fitted_ = src is not None
        return self

    def get_params_for_optimizer(self, prefix, named_parameters):
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        if kwargs.get("lr") is None:
            kwargs["lr"] = _DEFAULT_LR[self._family()]
        kwargs.setdefault("weight_decay", self.weight_decay)
        encoder_lr = self.resolved_encoder_lr(kwargs["lr"])
        started = prefix == "optimizer" and getattr(self, "started_from_fitted_", False)
        if started and encoder_lr != kwargs["lr"]:
            args = (self._fine_tune_groups(args[0], encoder_lr),)
        if _can_fuse(getattr(self, prefix), args, kwargs):
            # one fused kernel per step instead of a loop over the tensors: Adam's step over a
            # GloVe CNN's 0.9M parameters takes 0.45 ms instead of 1.7 ms on one CPU core,
            # which is ~10% of a training step
            kwargs["fused"] = True
        return args, kwargs

    def resolved_encoder_lr(self, lr: float | None = None) -> float:
        """The learning rate of the weights copied from a fitted model (``encoder_lr``)."""
        if self.encoder_lr != "auto":
            return float(self.encoder_lr)
        lr = lr if lr is not None else self.lr
        return (lr if lr is not None else _DEFAULT_LR[self._family()]) * self._encoder_lr_ratio

    def _fine_tune_groups(self, groups: list, encoder_lr: float) -> list:
        """Split the default parameter group: the encoder and output layer, copied from the
        warm-up model or ``init_from``, train at ``encoder_lr``; the method's new layers at
        ``lr``. Groups the user set with ``optimizer__param_groups`` keep their settings."""
        copied = {id(p) for m in (self.module_.encoder, self.module_.head) for p in m.parameters()}
        out = []
        for group in groups:
            if "lr" in group:
                out.append(group)
                continue
            old = [p for p in group["params"] if id(p) in copied]
            new = [p for p in group["params"] if id(p) not in copied]
            if old:
                out.append({**group, "params": old, "lr": encoder_lr})
            if new:
                out.append({**group, "params": new})
        return out

    def _method_callbacks(self) -> list:
        """Hook: the method's own callbacks (schedules), run before the epoch table."""
        return []

    #: ``encoder_lr="auto"`` as a share of ``lr`` (a method sets it where it was measured).
    _encoder_lr_ratio = 1.0

    #: What ``_is_candidate_epoch`` asks of an epoch, in words (for the warning).
    _candidate_epoch_rule = "any epoch"

    @property
    def kept_epoch_(self) -> int:
        """The epoch (as numbered in ``history_``) whose weights the fitted model holds: the
        one ``early_stopping`` kept, else the last one trained."""
        rows = list(getattr(self, "history_", None) or ())
        if not rows:  # NotFittedError is an AttributeError, as for any fitted attribute
            raise NotFittedError(f"This {type(self).__name__} has trained no epoch yet.")
        # only the last fit's own record counts: a warm_start fit after it trains on
        return int(rows[-1].get("kept_epoch", rows[-1]["epoch"]))

    def _is_candidate_epoch(self, row: Any) -> bool:
        """Hook: whether ``early_stopping`` may keep the epoch of this history row."""
        return True

    @property
    def _default_callbacks(self):
        cbs = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("valid_acc", EpochScoring(valid_accuracy, name="valid_acc", lower_is_better=False)),
        ]
        for name in self._extra_loss_names:
            cbs.append((name, PassthroughScoring(name=name, on_train=True)))
            cbs.append((f"valid_{name}", PassthroughScoring(name=f"valid_{name}")))
        cbs.append(("finite_loss", FiniteLossCheck()))
        if self.verbose >= 2:
            cbs.append(("progress_bar", ProgressBar()))
        cbs.extend(self._method_callbacks())
        if self._decisiveness is not None:
            cbs.append(("decisiveness", Decisiveness(self._decisiveness)))
        if self.early_stopping:  # last: the epoch it stops at is fully recorded
            monitor = "valid_loss" if self.early_stopping is True else self.early_stopping
            stopper = KeepBest(
                monitor=monitor,
                patience=self.patience,
                lower_is_better=monitor == "valid_loss",
                load_best=True,
            )
            cbs.append(("early_stopping", stopper))
        cbs.append(("print_log", PrintEpochs()))
        return cbs

    def _holds_out(self) -> bool:
        """Whether fit holds out its own validation share (no ``train_split`` and no
        ``validation_data`` given)."""
        given = getattr(self, "_given_validation", None) is not None
        return (
            self.train_split is None
            and not given
            and bool(self.validation_fraction or self.early_stopping)
        )

    def _check_validation_data(self, validation_data: Any, kind: str) -> tuple | None:
        """``fit``'s ``validation_data`` checked against the fit: ``(texts, input kind,
        encoded labels)``, or None. Encoded later, with the tokenizer the fit ends up with."""
        if validation_data is None:
            return None
        for name in ("train_split", "validation_fraction"):
            if getattr(self, name) is not None:
                raise ValueError(
                    f"validation_data and {name}={getattr(self, name)!r} both say where the "
                    f"validation texts come from; pass one of them ({name}=None)."
                )
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError(
                "validation_data must be a pair (X_valid, y_valid) of texts and their labels, "
                f"got {type(validation_data).__name__}."
            )
        X_valid, y_valid = validation_data
        try:
            items, kind_valid = check_texts(X_valid, name="X_valid")
            y_arr = check_target(y_valid, len(items))
        except (TypeError, ValueError) as err:
            raise type(err)(f"validation_data: {err}") from None
        if {kind, kind_valid} == {"text", "pair"}:
            what = {"text": "single texts", "pair": "sentence pairs"}
            raise ValueError(
                f"validation_data: X_valid holds {what[kind_valid]}, but X holds {what[kind]}."
            )
        unseen = np.setdiff1d(np.unique(y_arr), self.classes_)
        if unseen.size:
            raise ValueError(
                f"validation_data: y_valid has labels not in y: {unseen.tolist()!r}; the model "
                f"knows {np.asarray(self.classes_).tolist()!r}."
            )
        return items, kind_valid, np.searchsorted(self.classes_, y_arr)

    def _warm_up(self, X: Any, y: np.ndarray, validation_data: Any = None) -> Any:
        """Fit the plain base model with this estimator's backbone and training settings."""
        from ._estimator import TextClassifier  # the estimator module builds on this one

        shared = TextClassifier().get_params(deep=False)
        params = {k: v for k, v in self.get_params(deep=False).items() if k in shared}
        if self._holds_out():
            # the same held-out texts as the main fit, so validation never sees warm-up data
            params["train_split"] = self._validation_split(y) or False
        params.update(
            max_epochs=self.resolved_warmup_epochs(),
            # the base model trains all its epochs; picking an epoch is the method stage's
            # job (on RT/CNN the warm-up's own pick kept an early epoch, 3 points below)
            early_stopping=False,
            init_from=None,
            warmup_epochs=0,
            callbacks=None,
            random_state=self.seed_,
        )
        return TextClassifier(**params).fit(X, y, validation_data=validation_data)

    def get_split_datasets(self, X, y=None, **fit_params):
        given = getattr(self, "_given_validation", None)
        if given is not None:
            items, kind, y_valid = given
            try:
                valid = TextDataset(self._encode(items, kind), y_valid)
            except ValueError as err:  # e.g. sentence pairs where X holds single texts
                raise ValueError(f"validation_data: {err}") from None
            return self.get_dataset(X, y), valid
        if self._holds_out():
            split = self._validation_split(y, warn=True)
            dataset = self.get_dataset(X, y)
            return (dataset, None) if split is None else split(dataset, y)
        return super().get_split_datasets(X, y, **fit_params)

    def _validation_split(self, y: Any = None, warn: bool = False) -> ValidSplit | None:
        """The stratified hold-out of ``validation_fraction`` (0.1 if None), seeded by the fit.

        None when ``y`` is too small to hold out a stratified share (a class with one text,
        or fewer texts on either side than classes): an explicit ``validation_fraction`` is
        then an error; the implicit one of ``early_stopping`` falls back to training on every
        text and keeping the last epoch, with a warning.
        """
        fraction = self.validation_fraction or 0.1
        if y is not None:
            _, counts = np.unique(np.asarray(y), return_counts=True)
            n_valid = math.ceil(fraction * counts.sum())
            n_classes = len(counts)
            if counts.min() < 2 or n_valid < n_classes or counts.sum() - n_valid < n_classes:
                problem = (
                    f"cannot hold out a stratified validation share of {fraction} from "
                    f"{counts.sum()} texts of {n_classes} classes (smallest class: "
                    f"{counts.min()} texts)"
                )
                if self.validation_fraction is not None:
                    raise ValueError(f"validation_fraction={fraction}: {problem}.")
                if warn:
                    warnings.warn(
                        f"early_stopping={self.early_stopping!r}: {problem}; training on every "
                        "text and keeping the last epoch.",
                        UserWarning,
                        stacklevel=2,
                    )
                return None
        return ValidSplit(fraction, stratified=True, random_state=self.seed_)

    def get_dataset(self, X, y=None):
        if isinstance(X, Dataset):
            return X
        items, kind = check_texts(X)
        return TextDataset(self._encode(items, kind), y)

    def get_iterator(self, dataset, training=False):
        prefix = "iterator_train" if training else "iterator_valid"
        kwargs = self.get_params_for(prefix)
        iterator = self.iterator_train if training else self.iterator_valid
        batch_size = kwargs.pop("batch_size", self.batch_size)
        if batch_size == -1:
            batch_size = len(dataset)
        kwargs.setdefault("collate_fn", Collator(self.tokenizer_.pad_id))
        shuffle = kwargs.pop("shuffle", training)
        if training and self.bucket_by_length and iterator is DataLoader:
            sampler = BucketBatchSampler(lengths_of(dataset), batch_size, shuffle=shuffle)
            return DataLoader(dataset, batch_sampler=sampler, **kwargs)
        return iterator(dataset, batch_size=batch_size, shuffle=shuffle, **kwargs)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        logits, _ = y_pred
        y_true = to_tensor(y_true, device=self.device)
        loss = self.criterion_(logits, y_true)
        prefix = "" if training else "valid_"
        for name, term in self.get_loss_terms(y_pred, y_true, X, training).items():
            loss = loss + term
            self.history.record_batch(prefix + name, float(term.detach()))
        return loss

    def _learn_from_data(self, encodings: list[EncodedText], y: np.ndarray) -> None:
        """Hook: corpus statistics a method needs before its module is built (e.g. AGN's
        token-label distributions), stored as fitted attributes. The base needs none."""

    def get_loss_terms(self, y_pred, y_true, X=None, training=False) -> dict:
        """Hook: extra (weighted) loss terms of a batch, ``{name: scalar tensor}``.

        The base model has none (plain cross-entropy).
        """
        return {}

    def step_optimizer(self, loss_fn: Callable[[], torch.Tensor], batch: Any) -> None:
        """One optimizer step on ``loss_fn()``'s loss -- zero_grad, backward, the
        ``on_grad_computed`` callbacks, step -- for ``train_step`` overrides that combine
        several passes; skorch's closure handling (e.g. LBFGS) is kept."""
        from skorch.utils import TeeGenerator

        def step_fn():
            self._zero_grad_optimizer()
            loss = loss_fn()
            loss.backward()
            self.notify(
                "on_grad_computed",
                named_parameters=TeeGenerator(self.get_all_learnable_params()),
                batch=batch,
                training=True,
            )
            return loss

        self._step_optimizer(step_fn)
