"""Classification module: encoder + dropout + linear head."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["ClassifierModule"]


class ClassifierModule(nn.Module):
    """The base model of every paper: encoder, pooled representation, linear classifier.

    ``forward`` returns ``(logits, extras)``. skorch predicts from the first element;
    ``extras`` is a dict that always holds ``"pooled"`` (B, H) and ``"features"`` (the pooled
    vector after dropout, what the linear layer reads) and that method modules extend (token
    scores, representations, unweighted loss terms).

    Parameters
    ----------
    encoder : nn.Module
        An encoder following the interface of :mod:`skinterp.nn` (``output_dim`` attribute,
        ``forward(input_ids, attention_mask, token_type_ids, embedding_hook)``).
    n_classes : int
    dropout : float, default=0.5
        Dropout on the pooled representation before the linear layer.
    """

    def __init__(self, encoder: nn.Module, n_classes: int, dropout: float = 0.5):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.output_dim, n_classes)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        word_ids: torch.Tensor | None = None,
        embedding_hook=None,
    ) -> tuple[torch.Tensor, dict]:
        out = self.encoder(input_ids, attention_mask, token_type_ids, embedding_hook)
        features = self.dropout(out.pooled)
        return self.head(features), {"pooled": out.pooled, "features": features}
