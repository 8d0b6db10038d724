"""The estimator: parameters, tags, ``fit`` orchestration and the one hook table.

:class:`TextClassifier` is assembled from one mixin per concern -- inputs
(:mod:`._inputs`), training (:mod:`._training`), inference and the model protocol
(:mod:`._inference`), persistence (:mod:`._persistence`); the backbone comes from
:func:`._backbone.build_backbone`. A method (VMASK, E-VarM, ...) is a subclass that fills the
hooks of :data:`HOOKS` only; a skinterp method that overrides anything else of the core raises
``TypeError`` when its class is defined.
"""

from __future__ import annotations

import inspect
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from skorch import NeuralNet
from torch import nn

from .._repr import short_repr
from .._validation import check_target
from ..text import TextDataset, check_texts
from ._docstring import shared_params
from ._hooks import HOOK_ATTRIBUTES, HOOKS
from ._inference import InferenceMixin, py_value
from ._inputs import InputsMixin
from ._persistence import ESTIMATOR_CLASSES, PersistenceMixin
from ._training import TrainingMixin, seeded

__all__ = ["HOOKS", "TextClassifier"]


@shared_params
class TextClassifier(
    PersistenceMixin, InferenceMixin, TrainingMixin, InputsMixin, ClassifierMixin, NeuralNet
):
    """Neural text classifier on raw strings, with word-level explanations.

    The papers' *base* model: an encoder (Kim-CNN, LSTM or transformer), a pooled sentence
    representation and a linear classifier trained with cross-entropy. With
    ``weight_decay > 0`` it is their ℓ2 baseline. All skinterp methods subclass it.

    Parameters
    ----------
    %(backbone_params)s
    %(training_params)s

    Attributes
    ----------
    classes_ : ndarray
        Class labels seen in ``fit``.
    tokenizer_ : BaseTextTokenizer
        The fitted tokenizer.
    module_ : nn.Module
        The trained torch module.
    history_ : skorch.History
        Per-epoch and per-batch losses (extra loss terms included); with ``early_stopping``
        the last row records ``kept_epoch``, the epoch whose weights were restored.
    kept_epoch_ : int
        The epoch of ``history_`` whose weights the model holds (the one ``early_stopping``
        kept, else the last).
    input_kind_ : {"text", "pair"}
        Whether the model was trained on single texts or sentence pairs.
    embedding_coverage_ : float or None
        Share of the vocabulary found in the pretrained vectors.
    started_from_fitted_ : bool
        Whether the fit started from a fitted model (the warm-up model or ``init_from``);
        its copied weights then trained at ``encoder_lr``.

    Examples
    --------
    >>> from skinterp import TextClassifier
    >>> X = ["a great film", "a dull film", "great acting", "dull plot"] * 8
    >>> y = ["pos", "neg", "pos", "neg"] * 8
    >>> clf = TextClassifier(embedding_dim=16, num_filters=8, lr=1e-2, random_state=0)
    >>> clf.fit(X, y).predict(["great great film", "a dull movie"])
    array(['pos', 'neg'], dtype='<U3')
    >>> clf.explain("a dull plot", k=1).top_k()  # doctest: +ELLIPSIS
    [('dull', ...)]
    """

    _parameter_constraints: dict = {
        "encoder": [StrOptions({"cnn", "lstm", "transformer"}), nn.Module],
        "pretrained": "no_validation",
        "tokenizer": "no_validation",
        "embeddings": "no_validation",
        "freeze_embeddings": ["boolean"],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "num_filters": [Interval(Integral, 1, None, closed="left")],
        "filter_sizes": ["array-like"],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "pooling": [None, StrOptions({"max", "mean", "cls"})],
        "dropout": [None, Interval(Real, 0, 1, closed="left")],
        "lowercase": ["boolean"],
        "min_freq": [Interval(Integral, 1, None, closed="left")],
        "max_vocab": [None, Interval(Integral, 1, None, closed="left")],
        "max_length": [Interval(Integral, 2, None, closed="left")],
        "transformer_kwargs": [None, dict],
        "lr": [None, Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "validation_fraction": [None, Interval(Real, 0, 1, closed="neither")],
        "early_stopping": ["boolean", StrOptions({"valid_loss", "valid_acc"})],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "bucket_by_length": ["boolean"],
        "device": [None, str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "init_from": "no_validation",
        "warmup_epochs": [StrOptions({"auto"}), Interval(Integral, 0, None, closed="left")],
        "encoder_lr": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
    }

    #: Names of the extra loss terms returned by :meth:`get_loss_terms` (one history column
    #: each, averaged over the epoch).
    _extra_loss_names: tuple[str, ...] = ()
    #: Name stored in ``Explanation.method`` for the native explanation.
    _native_method: str = "gradient_x_input"
    #: How sub-word token scores become a word score ("sum" or "mean").
    _word_aggregation: str = "sum"
    #: Fitted numpy arrays a method learns outside its module (``_learn_from_data``); saved
    #: with the weights and restored by ``load``.
    _fitted_arrays: tuple[str, ...] = ()
    #: What the native explanation's word scores are, for the per-epoch decisiveness
    #: diagnostic in ``history`` (:class:`skinterp.callbacks.Decisiveness`): ``"keep"``
    #: (keep probabilities of a mask or gate), ``"attention"`` (attention weights) or None.
    _decisiveness: str | None = None
    #: Whether the method's paper starts from an already fine-tuned backbone: ``"always"``,
    #: ``"transformer"`` (only transformer backbones) or None. ``warmup_epochs="auto"`` then
    #: trains that base model first when no ``init_from`` is given.
    _starts_from_fine_tuned: str | None = None
    #: The core's fitted values beyond ``classes_``, ``tokenizer_`` and ``module_``: what
    #: ``save`` writes to JSON and ``load`` restores, by name (the one list of them).
    _fitted_values: tuple[str, ...] = (
        "seed_",
        "input_kind_",
        "embedding_coverage_",
        "started_from_fitted_",
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        core = [c for c in TextClassifier.__mro__ if c.__module__.startswith(__package__)]
        # skinterp's own methods are held to the hook table; a user's subclass may override
        # what it likes (skorch's customisation points included)
        ours = cls.__module__.startswith("skinterp.")
        for name, value in vars(cls).items():
            if not ours or name in HOOKS or name in HOOK_ATTRIBUTES or name.startswith("__"):
                continue
            if callable(value) or isinstance(value, property):
                if any(name in vars(c) for c in core):
                    raise TypeError(
                        f"{cls.__name__}.{name} overrides the estimator core; a method fills "
                        f"only the hooks {sorted(HOOKS)} (skinterp.core.HOOKS)."
                    )
        if not vars(cls).get("_abstract", False):
            missing = sorted(
                n for n in dir(cls) if getattr(getattr(cls, n, None), "__isabstractmethod__", 0)
            )
            if missing:
                raise TypeError(f"{cls.__name__} does not fill the hook(s) {missing}.")
            if ours and not cls.__name__.startswith("_"):
                ESTIMATOR_CLASSES[cls.__name__] = cls

    def __init__(
        self,
        encoder: str | nn.Module = "cnn",
        pretrained: Any = None,
        tokenizer: Any = None,
        embeddings: Any = None,
        freeze_embeddings: bool = False,
        embedding_dim: int = 300,
        num_filters: int = 100,
        filter_sizes: tuple[int, ...] = (3, 4, 5),
        hidden_size: int = 150,
        num_layers: int = 1,
        bidirectional: bool = True,
        pooling: str | None = None,
        dropout: float | None = None,
        lowercase: bool = True,
        min_freq: int = 1,
        max_vocab: int | None = None,
        max_length: int = 256,
        transformer_kwargs: dict | None = None,
        lr: float | None = None,
        batch_size: int = 32,
        max_epochs: int = 10,
        weight_decay: float = 0.0,
        optimizer: type = torch.optim.Adam,
        validation_fraction: float | None = None,
        early_stopping: bool | str = False,
        patience: int = 5,
        bucket_by_length: bool = False,
        device: str | torch.device = "cpu",
        random_state: Any = None,
        verbose: int = 0,
        callbacks: list | None = None,
        criterion: type = nn.CrossEntropyLoss,
        train_split: Any = None,
        init_from: Any = None,
        warmup_epochs: int | str = "auto",
        encoder_lr: float | str = "auto",
        **kwargs: Any,
    ):
        super().__init__(
            module=None,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            callbacks=callbacks,
            verbose=verbose,
            device=device,
            dataset=TextDataset,
            **kwargs,
        )
        self.encoder = encoder
        self.pretrained = pretrained
        self.tokenizer = tokenizer
        self.embeddings = embeddings
        self.freeze_embeddings = freeze_embeddings
        self.embedding_dim = embedding_dim
        self.num_filters = num_filters
        self.filter_sizes = filter_sizes
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.dropout = dropout
        self.lowercase = lowercase
        self.min_freq = min_freq
        self.max_vocab = max_vocab
        self.max_length = max_length
        self.transformer_kwargs = transformer_kwargs
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.patience = patience
        self.bucket_by_length = bucket_by_length
        self.random_state = random_state
        self.init_from = init_from
        self.warmup_epochs = warmup_epochs
        self.encoder_lr = encoder_lr

    # ------------------------------------------------------------------ params and tags
    def __setattr__(self, name, value):
        # ``encoder``/``pretrained`` may hold nn.Modules, but they are hyperparameters (copied
        # at fit), not trained components: keep skorch from registering them as modules.
        if name in ("encoder", "pretrained"):
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    def _get_param_names(self):
        # ``module`` is built by the ``_build_module`` hook, never passed by users.
        return [k for k in super()._get_param_names() if k not in ("module", "dataset")]

    def _check_hyperparams(self) -> None:
        validate_parameter_constraints(
            self._parameter_constraints,
            self.get_params(deep=False),
            caller_name=type(self).__name__,
        )
        sizes = list(self.filter_sizes)
        bad = [k for k in sizes if isinstance(k, bool) or not isinstance(k, Integral) or k < 1]
        if not sizes or bad:
            raise ValueError(
                "filter_sizes must be a non-empty sequence of ints >= 1, got "
                f"{self.filter_sizes!r}."
            )
        if self.encoder == "transformer" and self.pretrained is None and self.init_from is None:
            raise ValueError(
                "encoder='transformer' needs pretrained=<model id, local folder or config>."
            )
        if self.encoder == "transformer" and self.embeddings is not None:
            raise ValueError("embeddings are for CNN/LSTM backbones; a transformer has its own.")

    def __repr__(self) -> str:
        # skorch's repr lists only the module; show the parameters that differ from defaults,
        # the way scikit-learn does.
        defaults = {
            name: p.default
            for cls in reversed(type(self).__mro__)
            if "__init__" in vars(cls) and issubclass(cls, NeuralNet)
            for name, p in inspect.signature(cls.__init__).parameters.items()
        }
        shown = [
            f"{key}={short_repr(value)}"
            for key, value in self.get_params(deep=False).items()
            if not key.startswith("_")
            and (key not in defaults or repr(value) != repr(defaults[key]))
        ]
        return f"{type(self).__name__}({', '.join(shown)})"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = True  # 2-column DataFrames of sentence pairs
        tags.non_deterministic = self.random_state is None
        return tags

    def _is_transformer(self) -> bool:
        return self.encoder == "transformer"

    def _family(self) -> str:
        src = self._init_source()
        if src is not None:
            return src._family()
        return "transformer" if self._is_transformer() else "other"

    # ------------------------------------------------------------------ fitting
    def fit(
        self, X: Any, y: Any, *, validation_data: tuple | None = None, **fit_params: Any
    ) -> TextClassifier:
        """Fit the tokenizer and the network on raw texts (or pairs, or encodings).

        Parameters
        ----------
        X : sequence of str, of (str, str) pairs, 2-column DataFrame, or list of EncodedText
        y : array-like of shape (n_samples,)
            Labels of any hashable type (at least two classes).
        validation_data : (X_valid, y_valid), optional
            Texts and labels of a validation split (e.g. a data set's own dev split) to score
            each epoch (``valid_loss``, ``valid_acc``) and, with ``early_stopping``, to pick the
            best epoch on; every text of ``X`` then trains. Not with ``train_split`` or
            ``validation_fraction``. A warm-up stage reports on it too.
        **fit_params
            Passed to the module's ``forward`` (skorch convention).

        Returns
        -------
        self
        """
        self._check_hyperparams()
        items, kind = check_texts(X)
        y_arr = check_target(y, len(items))
        continuing = (
            self.warm_start and getattr(self, "initialized_", False) and hasattr(self, "classes_")
        )
        if continuing:
            unseen = np.setdiff1d(np.unique(y_arr), self.classes_)
            if unseen.size:
                raise ValueError(
                    f"warm_start: y has labels unseen in the first fit: {unseen.tolist()!r}."
                )
            y_enc = np.searchsorted(self.classes_, y_arr)
        else:
            classes, y_enc = np.unique(y_arr, return_inverse=True)
            if len(classes) < 2:
                raise ValueError(
                    f"y has a single class ({py_value(classes[0])!r}); a classifier needs at least "
                    "2."
                )
            self.classes_ = classes
            self.seed_ = (
                None
                if self.random_state is None
                else int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
            )
        self._given_validation = self._check_validation_data(validation_data, kind)
        try:
            with seeded(self.seed_, self.device):
                if not continuing and self.resolved_warmup_epochs() > 0:
                    # the papers' first stage: fine-tune the plain base model, then start from it
                    self.warmup_model_ = self._warm_up(X, y_arr, validation_data)
                if not continuing:
                    self.tokenizer_ = self._fit_tokenizer(items, kind)
                encodings = self._encode(items, kind, fitting=not continuing)
                self._warn_if_no_words(encodings)
                if not continuing:
                    self._learn_from_data(encodings, y_enc)
                dataset = TextDataset(encodings, y_enc)
                super().fit(dataset, y_enc, **fit_params)
        finally:
            del self._given_validation  # texts of one fit, not part of the fitted model
        return self


ESTIMATOR_CLASSES[TextClassifier.__name__] = TextClassifier
