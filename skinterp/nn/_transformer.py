"""Hugging Face transformer behind the common encoder interface."""

from __future__ import annotations

import contextlib
import copy
import inspect
from typing import Any

import torch
from torch import nn

from ._encoders import EncoderOutput, masked_pool

__all__ = [
    "SequenceClassifierModule",
    "TransformerEncoder",
    "find_embeddings_block",
    "load_sequence_classifier",
    "load_transformer",
]


def load_transformer(pretrained: Any, **kwargs: Any) -> nn.Module:
    """Return a bare ``AutoModel`` from an id/path, a config, or a model instance.

    Parameters
    ----------
    pretrained : str, os.PathLike, PretrainedConfig or PreTrainedModel
        A model id or local folder (``AutoModel.from_pretrained``), a config (randomly
        initialised ``AutoModel.from_config``; used for tiny test models) or a model.
    **kwargs
        Passed to ``from_pretrained`` / ``from_config`` (e.g. ``num_hidden_layers=2``).
    """
    from transformers import AutoModel, PretrainedConfig, PreTrainedModel

    with _quiet_transformers():
        return _load(pretrained, kwargs, AutoModel, PretrainedConfig, PreTrainedModel)


@contextlib.contextmanager
def _quiet_transformers():
    """Silence load reports and progress bars (e.g. the 'unexpected keys' table printed when
    ``num_hidden_layers`` keeps only the first layers); errors still surface as exceptions."""
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def _load(pretrained, kwargs, AutoModel, PretrainedConfig, PreTrainedModel):
    if isinstance(pretrained, PreTrainedModel):
        return pretrained
    if isinstance(pretrained, PretrainedConfig):
        if kwargs:
            pretrained = type(pretrained).from_dict({**pretrained.to_dict(), **kwargs})
        return AutoModel.from_config(pretrained)
    if isinstance(pretrained, (str, bytes)) or hasattr(pretrained, "__fspath__"):
        try:
            return AutoModel.from_pretrained(str(pretrained), **kwargs)
        except OSError as exc:
            raise OSError(
                f"could not load a transformer from {str(pretrained)!r}: it is neither a local "
                f"folder with model files nor a reachable model id ({exc})."
            ) from exc
    raise TypeError(
        "pretrained must be a model id, a local path, a transformers PretrainedConfig or a "
        f"PreTrainedModel; got {type(pretrained).__name__}."
    )


def find_embeddings_block(model: nn.Module) -> nn.Module:
    """The module whose output is the embeddings-block output (word + position + type, norm)."""
    for candidate in (model, getattr(model, "base_model", None)):
        block = getattr(candidate, "embeddings", None)
        if isinstance(block, nn.Module):
            return block
    raise TypeError(
        f"{type(model).__name__} has no 'embeddings' block; skinterp needs one to scale or mask "
        "token embeddings (BERT-, RoBERTa-, DistilBERT-, ELECTRA-like encoders have one)."
    )


class TransformerEncoder(nn.Module):
    """A Hugging Face encoder exposing embeddings, every hidden state and a pooled vector.

    ``embedding_hook`` is applied to the *output of the embeddings block* (after position
    and type embeddings, LayerNorm and dropout) through a forward hook that exists only for
    the duration of the call, as in the BERT variant of VMASK.

    Parameters
    ----------
    model : nn.Module
        A bare transformer (``AutoModel``), see :func:`load_transformer`.
    pooling : {"cls", "mean"}, default="cls"
        First-token ([CLS]) state or mean of the last layer over real tokens.
    """

    def __init__(self, model: nn.Module, pooling: str = "cls"):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"transformer pooling must be 'cls' or 'mean', got {pooling!r}.")
        self.model = model
        self.pooling = pooling
        find_embeddings_block(model)  # fail early with a clear message
        params = inspect.signature(model.forward).parameters
        self._accepts_types = "token_type_ids" in params
        hidden = int(model.config.hidden_size)
        n_layers = int(model.config.num_hidden_layers)
        self.embedding_dim = hidden
        self.output_dim = hidden
        self.hidden_dims = (hidden,) * (n_layers + 1)

    def embed(self, input_ids, token_type_ids=None):
        block = find_embeddings_block(self.model)
        kwargs = {"input_ids": input_ids}
        if token_type_ids is not None and self._accepts_types:
            kwargs["token_type_ids"] = token_type_ids
        return block(**kwargs)

    def word_embeddings(self, input_ids):
        """Word-type vectors from the input embedding table (no position/type embeddings)."""
        return self.model.get_input_embeddings()(input_ids)

    @property
    def word_embedding_matrix(self) -> torch.Tensor:
        return self.model.get_input_embeddings().weight

    def run(self, input_ids, attention_mask, token_type_ids=None, embedding_hook=None):
        """The wrapped model's output (every hidden state) and the embeddings block's output,
        ``embedding_hook`` applied to it through a hook that exists only for this call."""
        captured: dict[str, torch.Tensor] = {}

        def hook(module, args, output):
            out = output if embedding_hook is None else embedding_hook(output)
            captured["emb"] = out
            return out

        handle = find_embeddings_block(self.model).register_forward_hook(hook)
        try:
            kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
            if token_type_ids is not None and self._accepts_types:
                kwargs["token_type_ids"] = token_type_ids
            out = self.model(**kwargs, output_hidden_states=True, return_dict=True)
        finally:
            handle.remove()
        return out, captured["emb"]

    def forward(self, input_ids, attention_mask, token_type_ids=None, embedding_hook=None):
        out, emb = self.run(input_ids, attention_mask, token_type_ids, embedding_hook)
        pooled = masked_pool(out.hidden_states[-1], attention_mask, self.pooling)
        return EncoderOutput(emb, tuple(out.hidden_states), pooled, attention_mask)

    def __getstate__(self):
        # transformers >= 5 lazily installs output-capturing forward hooks that are local
        # closures (unpicklable); drop them, they are re-installed on the next forward.
        _strip_capture_hooks(self.model)
        return self.__dict__.copy()


def _strip_capture_hooks(model: nn.Module) -> None:
    for module in model.modules():
        if getattr(module, "_output_capturing_hooks_installed", False):
            module._output_capturing_hooks_installed = False
        hooks = getattr(module, "_forward_hooks", None) or {}
        for key, fn in list(hooks.items()):
            if getattr(fn, "__module__", "").startswith("transformers.utils.output_capturing"):
                del hooks[key]


def load_sequence_classifier(pretrained: Any, labels: list[str] | None = None) -> nn.Module:
    """An ``AutoModelForSequenceClassification`` from an id/path, a config or a model.

    Parameters
    ----------
    pretrained : str, os.PathLike, PretrainedConfig or PreTrainedModel
        A fine-tuned (or any) model: its classification head is kept when ``labels`` is None
        or equals its ``id2label`` names as a set; otherwise a new head for ``labels`` starts
        from scratch (the encoder weights are kept).
    labels : list of str or None
        The class names the head must produce.
    """
    from transformers import (
        AutoConfig,
        AutoModelForSequenceClassification,
        PretrainedConfig,
        PreTrainedModel,
    )

    def relabel(config: PretrainedConfig) -> PretrainedConfig:
        config = copy.deepcopy(config)
        config.num_labels = len(labels)
        config.id2label = dict(enumerate(labels))
        config.label2id = {name: i for i, name in enumerate(labels)}
        return config

    def same(config: PretrainedConfig) -> bool:
        return labels is None or set(map(str, config.id2label.values())) == set(labels)

    with _quiet_transformers():
        if isinstance(pretrained, PreTrainedModel):
            if not hasattr(pretrained, "config") or not _is_sequence_classifier(pretrained):
                raise TypeError(
                    f"{type(pretrained).__name__} is not a sequence classifier; pass an "
                    "AutoModelForSequenceClassification model (or its folder)."
                )
            if same(pretrained.config):
                return pretrained
            model = AutoModelForSequenceClassification.from_config(relabel(pretrained.config))
            body = {
                k: v
                for k, v in pretrained.state_dict().items()
                if k in model.state_dict()
                and model.state_dict()[k].shape == v.shape
                and not _is_head_key(k, model)
            }
            model.load_state_dict(body, strict=False)
            return model
        if isinstance(pretrained, PretrainedConfig):
            config = pretrained if same(pretrained) else relabel(pretrained)
            return AutoModelForSequenceClassification.from_config(config)
        if isinstance(pretrained, (str, bytes)) or hasattr(pretrained, "__fspath__"):
            name = str(pretrained)
            try:
                config = AutoConfig.from_pretrained(name)
                kwargs = (
                    {}
                    if same(config)
                    else {"config": relabel(config), "ignore_mismatched_sizes": True}
                )
                return AutoModelForSequenceClassification.from_pretrained(name, **kwargs)
            except OSError as exc:
                raise OSError(
                    f"could not load a sequence classifier from {name!r}: it is neither a local "
                    f"folder with model files nor a reachable model id ({exc})."
                ) from exc
    raise TypeError(
        "pretrained must be a model id, a local path, a transformers PretrainedConfig or a "
        f"PreTrainedModel; got {type(pretrained).__name__}."
    )


def _is_sequence_classifier(model: nn.Module) -> bool:
    from transformers import MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING

    return type(model) in set(MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING.values())


def _is_head_key(key: str, model: nn.Module) -> bool:
    """Whether a state-dict key belongs outside the shared encoder (the classification head)."""
    prefix = getattr(model, "base_model_prefix", "")
    return not key.startswith(prefix + ".")


class SequenceClassifierModule(nn.Module):
    """A whole Hugging Face sequence classifier behind skinterp's module interface.

    ``forward`` returns ``(logits, extras)`` like every skinterp module, with the logits in the
    estimator's class order (``label_order[i]`` is the model's output index of class ``i``),
    so ``softmax`` of them is the model's own prediction; ``embedding_hook`` acts on the
    embeddings block's output as for :class:`TransformerEncoder`.

    Parameters
    ----------
    model : nn.Module
        An ``AutoModelForSequenceClassification`` model (:func:`load_sequence_classifier`).
    label_order : sequence of int
    """

    def __init__(self, model: nn.Module, label_order: Any):
        super().__init__()
        self.encoder = TransformerEncoder(model)
        # saved with the weights: the content hash and a loaded model see the class order
        self.register_buffer("label_order", torch.as_tensor(list(label_order), dtype=torch.long))

    def forward(
        self, input_ids, attention_mask, token_type_ids=None, word_ids=None, embedding_hook=None
    ):
        out, emb = self.encoder.run(input_ids, attention_mask, token_type_ids, embedding_hook)
        logits = out.logits.index_select(1, self.label_order)
        pooled = masked_pool(out.hidden_states[-1], attention_mask, "cls")
        return logits, {"pooled": pooled, "features": pooled, "token_embeddings": emb}
