"""The adaptive gate network (AGN) of Li et al. (AAAI 2021) as a module."""

from __future__ import annotations

import torch
from torch import nn

from ._encoders import masked_pool
from ._heads import ClassifierModule

__all__ = ["AdaptiveGateModule"]


class AdaptiveGateModule(ClassifierModule):
    """Encoder + AGN layer: corpus statistics enter the hidden states where a valve is unsure.

    ``tcol`` (V x C) holds, for every token id, the training distribution of labels among the
    texts it occurs in (TCoL). For the encoder's last hidden states X (B, T, H):
    ``g = tanh(Linear(tcol[token]))`` is one statistic per token; ``valve = sigmoid(Linear(X))``
    and ``X_t = relu(Linear(X))``; where the valve is within ``epsilon`` of 0.5 (undecided), the
    statistic is added: ``X_t + [|valve - 0.5| <= epsilon] * g``; then single-head
    self-attention over real tokens and max pooling. As in the public code, the valve's
    thresholds are hard, so the valve layer itself receives no gradient.
    """

    def __init__(
        self,
        encoder: nn.Module,
        n_classes: int,
        tcol: torch.Tensor,
        epsilon: float = 0.1,
        dropout: float = 0.2,
    ):
        super().__init__(encoder, n_classes, dropout)
        hidden = int(encoder.hidden_dims[-1])
        self.register_buffer("tcol", torch.as_tensor(tcol, dtype=torch.float32))
        self.statistic = nn.Linear(self.tcol.shape[1], 1)
        self.valve = nn.Linear(hidden, hidden)
        self.transform = nn.Linear(hidden, hidden)
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.epsilon = epsilon
        self.head = nn.Linear(hidden, n_classes)

    def forward(
        self, input_ids, attention_mask, token_type_ids=None, word_ids=None, embedding_hook=None
    ):
        out = self.encoder(input_ids, attention_mask, token_type_ids, embedding_hook)
        X = out.hidden_states[-1]
        g = torch.tanh(self.statistic(self.tcol[input_ids.clamp_max(len(self.tcol) - 1)]))
        valve = torch.sigmoid(self.valve(X))
        undecided = ((valve - 0.5).abs() <= self.epsilon).to(X.dtype).detach()
        enhanced = torch.relu(self.transform(X)) + undecided * g
        scores = self.query(enhanced) @ self.key(enhanced).transpose(1, 2)
        scores = scores / enhanced.shape[-1] ** 0.5
        scores = scores.masked_fill(attention_mask[:, None, :] == 0, float("-inf"))
        attended = torch.softmax(scores, -1) @ self.value(enhanced)
        pooled = masked_pool(attended, attention_mask, "max")
        features = self.dropout(pooled)
        return self.head(features), {"pooled": pooled, "features": features}
