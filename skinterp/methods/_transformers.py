"""Any Hugging Face sequence classifier as a skinterp estimator (``from_transformers``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..core import TextClassifier
from ..core._safe_load import check_hf_config, read_json_object
from ..nn import SequenceClassifierModule, load_sequence_classifier

__all__ = ["TransformersClassifier", "from_transformers"]


class TransformersClassifier(TextClassifier):
    """A whole ``AutoModelForSequenceClassification`` model, its own head included.

    ``TextClassifier(encoder="transformer")`` puts the papers' head (dropout + linear) on a
    bare encoder; this estimator keeps the model's own classification head (BERT's pooler,
    RoBERTa's two-layer head, ...), so a model fine-tuned elsewhere predicts exactly as it did
    (:func:`from_transformers`), and ``fit`` fine-tunes any such model on raw strings. Every
    explainer, metric, ``evaluate``, ``save``/``load`` and the CLI take it on the token fast
    path; its native explanation is gradient x input at the embeddings block's output.

    Parameters
    ----------
    pretrained : str, os.PathLike, PreTrainedModel or PretrainedConfig, default="minilm"
        The model: a Hugging Face id or ``save_pretrained`` folder, a loaded model, or a config
        (random weights, for tests). ``fit`` keeps its classification head when ``y``'s
        classes are its ``id2label`` names; otherwise it starts a new head for ``y``'s classes
        on the pretrained encoder.
    **kwargs
        Every other parameter of :class:`~skinterp.TextClassifier` (``tokenizer``, ``lr``,
        ``max_epochs``, ``max_length``, ``device``, ...); ``encoder`` must stay
        ``"transformer"``.

    Examples
    --------
    >>> from skinterp import TransformersClassifier, from_transformers  # doctest: +SKIP
    >>> clf = from_transformers("path/to/fine-tuned-model")  # doctest: +SKIP
    >>> clf.explain("a gorgeous, witty film").top_k()  # doctest: +SKIP
    """

    _sequence_classifier = True

    def __init__(self, pretrained: Any = "minilm", **kwargs: Any):
        kwargs.setdefault("encoder", "transformer")
        super().__init__(pretrained=pretrained, **kwargs)

    def _check_hyperparams(self) -> None:
        super()._check_hyperparams()
        if self.encoder != "transformer":
            raise ValueError(
                "TransformersClassifier wraps a whole Hugging Face sequence classifier: "
                f"encoder must be 'transformer', got {self.encoder!r} (for a CNN or LSTM use "
                "TextClassifier)."
            )
        if self.init_from is not None:
            raise ValueError(
                "TransformersClassifier starts from `pretrained` (a fine-tuned model, its "
                "folder or id); init_from is not used."
            )

    def _build_module(self, encoder, n_classes):
        label2id = {str(name): int(i) for i, name in encoder.config.id2label.items()}
        order = [label2id[str(c)] for c in self.classes_]
        return SequenceClassifierModule(encoder, order)


def from_transformers(
    model: Any,
    tokenizer: Any = None,
    *,
    device: str | None = None,
    pairs: bool = False,
    max_length: int = 512,
    batch_size: int = 32,
) -> TransformersClassifier:
    """A fitted skinterp estimator around a fine-tuned Hugging Face sequence classifier.

    No training happens: ``predict_proba`` is the model's own softmax (columns in
    ``classes_`` order: its ``id2label`` names, sorted), and the estimator follows the model
    protocol, so every explainer (gradient x input, LIME, SampleShapley, occlusion, ...), every
    metric, ``evaluate`` and ``save`` work on it on the token fast path, CPU or CUDA.

    Parameters
    ----------
    model : str, os.PathLike or PreTrainedModel
        A ``save_pretrained`` folder (or a Hugging Face id where a hub is reachable) of an
        ``AutoModelForSequenceClassification`` model (BERT, RoBERTa, DistilBERT, MiniLM, ...),
        or the model object. A folder's config may not name remote code (``auto_map``) or
        quantization; nothing from it is executed.
    tokenizer : str, os.PathLike, PreTrainedTokenizerFast or None, default=None
        Its fast tokenizer; None loads it from ``model``'s folder (required for an object).
    device : str or None, default=None
        ``"cpu"``, ``"cuda"``, ...; None keeps skinterp's default (``"cpu"``).
    pairs : bool, default=False
        Whether the model classifies sentence pairs (then pass ``(text_a, text_b)`` tuples).
    max_length : int, default=512
        Maximum number of tokens per text (longer texts are truncated with a warning).
    batch_size : int, default=32

    Returns
    -------
    TransformersClassifier
        Fitted: ``classes_``, ``tokenizer_`` and ``module_`` set; ``fit`` would fine-tune it
        further (from these weights) on new data.
    """
    from transformers import PreTrainedModel

    if isinstance(model, (str, os.PathLike)):
        _check_folder_config(model)
        hf = load_sequence_classifier(str(model))
        if tokenizer is None:
            tokenizer = str(model)
    elif isinstance(model, PreTrainedModel):
        hf = load_sequence_classifier(model)
        if tokenizer is None:
            raise ValueError(
                "from_transformers(model_object) needs its tokenizer: pass tokenizer=<folder, "
                "id or fast tokenizer object>."
            )
    else:
        raise TypeError(
            "model must be a save_pretrained folder, a Hugging Face id or a transformers "
            f"PreTrainedModel; got {type(model).__name__}."
        )
    labels = [str(hf.config.id2label[i]) for i in range(hf.config.num_labels)]
    if len(set(labels)) != len(labels) or len(labels) < 2:
        raise ValueError(
            f"the model's id2label names {labels} must be at least two distinct labels."
        )
    est = TransformersClassifier(
        pretrained=hf,
        tokenizer=tokenizer,
        max_length=max_length,
        batch_size=batch_size,
        **({} if device is None else {"device": device}),
    )
    est._check_hyperparams()
    est.classes_ = np.unique(np.asarray(labels))
    est.seed_ = None
    est.input_kind_ = "pair" if pairs else "text"
    est.tokenizer_ = est._fit_tokenizer([], est.input_kind_)
    est.initialize()
    return est


def _check_folder_config(model: Any) -> None:
    """A local folder's config as data: no remote code, no quantization (see the threat model)."""
    path = Path(model) / "config.json"
    if not Path(model).is_dir():
        return  # a hub id: transformers fetches it (never with remote code)
    if not path.is_file():
        raise ValueError(f"{model} has no config.json: not a save_pretrained model folder.")
    check_hf_config(read_json_object(path), path, "config")
