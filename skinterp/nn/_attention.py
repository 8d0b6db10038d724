"""Additive attention over encoder states, with an optional variational bottleneck (VAT)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ._heads import ClassifierModule

__all__ = ["AdditiveAttention", "AttentionClassifierModule"]


class AdditiveAttention(nn.Module):
    """Bahdanau attention pooling (VAT eq. 2): ``a_i = softmax_i(v^T tanh(W x_i))``.

    Padding positions get zero weight; ``forward`` returns ``(R, alpha)`` with
    ``R = sum_i alpha_i x_i``.

    Parameters
    ----------
    input_dim : int
        Width of the token states ``x_i``.
    attention_dim : int or None, default=None
        Width of ``W``'s output; None = ``input_dim``.
    """

    def __init__(self, input_dim: int, attention_dim: int | None = None):
        super().__init__()
        attention_dim = attention_dim or input_dim
        self.proj = nn.Linear(input_dim, attention_dim)
        self.v = nn.Linear(attention_dim, 1, bias=False)

    def forward(
        self, states: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        scores = self.v(torch.tanh(self.proj(states))).squeeze(-1)
        scores = scores.masked_fill(attention_mask == 0, torch.finfo(scores.dtype).min)
        alpha = torch.softmax(scores, dim=-1)
        return torch.einsum("bt,bth->bh", alpha, states), alpha


class AttentionClassifierModule(ClassifierModule):
    """Encoder -> additive attention over its last layer -> (bottleneck) -> linear classifier.

    Without the bottleneck (``bottleneck=False``) it is the papers' attention baseline
    (LSTM-ATT / BERT-ATT): the attentive representation ``R`` goes to the classifier. With it,
    VAT's compressor (eq. 9): two one-layer networks give ``u = W_u R`` and
    ``sigma = softplus(W_s R)``; in training ``z = u + sigma * eps`` with ``eps ~ N(0, I)``, in
    evaluation ``z = u``; the classifier reads ``z``. ``z`` has the width of ``R`` so the
    classifier has the base model's shape (``init_from`` can load a base head).

    extras: ``pooled`` (``R``), ``features`` (what the classifier reads, after dropout),
    ``importance`` (attention weights, B x T) and, with the bottleneck, ``kl``: the batch mean
    of ``KL[N(u, sigma^2) || N(0, I)]`` summed over dimensions (eq. 8's compression term).
    """

    def __init__(
        self,
        encoder: nn.Module,
        n_classes: int,
        bottleneck: bool = False,
        attention_dim: int | None = None,
        dropout: float = 0.5,
    ):
        super().__init__(encoder, n_classes, dropout)
        width = int(encoder.hidden_dims[-1])
        if width != encoder.output_dim:
            raise ValueError(
                f"attention needs per-token states of the pooled width; the encoder's last "
                f"layer has {width} features but its output_dim is {encoder.output_dim}."
            )
        self.attention = AdditiveAttention(width, attention_dim)
        self.bottleneck = bottleneck
        if bottleneck:
            self.mu = nn.Linear(width, width)
            self.sigma = nn.Linear(width, width)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        word_ids: torch.Tensor | None = None,
        embedding_hook=None,
    ) -> tuple[torch.Tensor, dict]:
        out = self.encoder(input_ids, attention_mask, token_type_ids, embedding_hook)
        R, alpha = self.attention(out.hidden_states[-1], attention_mask)
        extras = {"pooled": R, "importance": alpha}
        z = R
        if self.bottleneck:
            u = self.mu(R)
            sigma = F.softplus(self.sigma(R)) + 1e-6
            z = u + sigma * torch.randn_like(u) if self.training else u
            kl = 0.5 * (u.pow(2) + sigma.pow(2) - 1.0 - 2.0 * sigma.log()).sum(-1)
            extras["kl"] = kl.mean()
        features = self.dropout(z)
        extras["features"] = features
        return self.head(features), extras
