"""Shared core of the mask-family estimators (VMASK, L2X, IBA)."""

from __future__ import annotations

from abc import abstractmethod

import numpy as np
import torch
from torch import nn

from ..core import TextClassifier
from ..nn import MaskedClassifierModule
from ..text import HFTokenizer

__all__ = ["ImportanceExplanationMixin", "MaskedTextClassifier"]


class ImportanceExplanationMixin:
    """Native explanation = the per-token ``extras["importance"]`` of the method's module
    (mask keep probabilities, gate probabilities, sparse codes), sub-words averaged."""

    _word_aggregation = "mean"

    def _native_token_scores(self, batch: dict):
        self.module_.eval()
        with torch.no_grad():
            logits, extras = self.module_(**batch)
        return extras["importance"], logits


class MaskedTextClassifier(ImportanceExplanationMixin, TextClassifier):
    """A ``TextClassifier`` with a word mask layer after the embeddings.

    Subclasses provide the layer (``_mask_layer``, whose ``type_importance`` gives
    ``global_importance_``) and the weighting of its loss terms (``get_loss_terms``).
    The native explanation is the layer's per-token importance, averaged over the sub-word
    tokens of a word.
    """

    _native_method = "mask"
    _decisiveness = "keep"  # keep probabilities: history records their quantiles per epoch
    _abstract = True  # subclasses must fill the _mask_layer hook

    @abstractmethod
    def _mask_layer(self, word_dim: int, masked_dim: int) -> nn.Module:
        """The mask layer for word-type vectors of ``word_dim`` and embeddings of
        ``masked_dim`` (they differ only for transformers with factorised embeddings)."""

    def _build_module(self, encoder: nn.Module, n_classes: int) -> nn.Module:
        dropout = self._dropout_rate()
        word_dim = int(encoder.word_embedding_matrix.shape[1])
        layer = self._mask_layer(word_dim, int(encoder.embedding_dim))
        return MaskedClassifierModule(encoder, n_classes, layer, dropout=dropout)

    def _vocabulary(self) -> tuple[np.ndarray, list[str]]:
        """Token ids and strings of the vocabulary's word types (special tokens excluded)."""
        tok = self.tokenizer_
        if isinstance(tok, HFTokenizer):
            hf = tok.hf_tokenizer_
            special = set(hf.all_special_ids)
            ids = np.array([i for i in range(len(hf)) if i not in special])
            return ids, hf.convert_ids_to_tokens(ids.tolist())
        words = tok.words_
        start = tok.vocab_size - len(words)
        return np.arange(start, tok.vocab_size), list(words)

    @property
    def global_importance_(self):
        """Importance of every vocabulary word type after fit, as a sorted ``pandas.Series``
        (VMASK: the expected keep probability; used for post-hoc accuracy and the
        importance-frequency analysis)."""
        import pandas as pd

        self._check_fitted()
        ids, words = self._vocabulary()
        matrix = self.module_.encoder.word_embedding_matrix
        self.module_.eval()
        with torch.no_grad():
            vectors = matrix[torch.as_tensor(ids, device=matrix.device)]
            scores = self.module_.mask_layer.type_importance(vectors).float().cpu().numpy()
        series = pd.Series(scores, index=words, name="importance", dtype=np.float64)
        series = series[~series.index.duplicated()]
        return series.sort_values(ascending=False, kind="stable")
