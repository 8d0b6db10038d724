"""The model protocol: what explainers and metrics may call on a skinterp model.

A *token model* is a fitted classifier that, besides ``predict_proba`` and ``classes_``, has

``tokenizer_``
    the fitted tokenizer (``pad_id``, ``unk_id``, ``mask_id``, ``vocab_size``);
``encode(X) -> list[EncodedText]``
    validated input as encodings: words, token ids and the word index of every token;
``iter_batches(encodings)``
    ``(indices, batch)`` pairs, ``batch`` a collated dict of tensors on the model's device;
``token_gradients(batch, target=None, output="logit", transform=None) -> (grad, emb, logits)``
    gradient of one class output at the token embeddings (``transform`` maps them first;
    only :class:`~skinterp.explain.IntegratedGradientsExplainer` passes it);
``predict_proba_tokens(rows, types=None) -> ndarray``
    class probabilities of already tokenized rows, batched with dynamic padding.

Explainers and metrics take the token-space fast path for a token model and fall back to
``predict_proba`` on strings for any other scikit-learn classifier.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["PROTOCOL_METHODS", "TokenModel", "is_token_model"]

PROTOCOL_METHODS = ("encode", "iter_batches", "token_gradients", "predict_proba_tokens")


@runtime_checkable
class TokenModel(Protocol):
    """Structural type of a skinterp model (see the module docstring)."""

    classes_: np.ndarray
    tokenizer_: Any

    def predict_proba(self, X: Any) -> np.ndarray: ...

    def encode(self, X: Any) -> list: ...

    def iter_batches(self, encodings: list) -> Any: ...

    def token_gradients(
        self, batch: dict, target: Any = None, output: str = "logit", transform: Any = None
    ) -> tuple: ...

    def predict_proba_tokens(self, rows: list, types: list | None = None) -> np.ndarray: ...


def is_token_model(estimator: Any) -> bool:
    """Whether ``estimator`` follows the model protocol (fitted or not)."""
    return all(callable(getattr(type(estimator), m, None)) for m in PROTOCOL_METHODS)
