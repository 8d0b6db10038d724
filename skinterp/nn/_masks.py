"""Word mask layers: VMASK's Bernoulli gate, L2X's top-k selector, IBA's readout bottleneck.

A mask is a function of the word *type* (VMASK eq. 1). Each layer therefore splits in two:

* ``score_types(vectors)`` -- the network, run once per *distinct* word type of a batch on its
  word-type vector (``encoder.word_embedding_matrix`` rows), not once per token;
* ``forward(scores, inverse, attention_mask)`` -- per token (``scores[inverse]`` is the
  (B, T, k) token view of the (U, k) type scores): sampling in training, the expectation (or
  a deterministic rule) in evaluation, and unweighted loss terms over real tokens only
  (``attention_mask == 1``), returned as a :class:`MaskOutput`;
* ``apply_mask(emb, out, attention_mask)`` -- how the embeddings the encoder consumes change
  (default: scale each token).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from ._encoders import EncoderOutput
from ._heads import ClassifierModule

__all__ = [
    "BernoulliMaskGate",
    "L2XSelector",
    "MaskOutput",
    "MaskedClassifierModule",
    "MultiLevelMaskModule",
    "ReadoutBottleneck",
    "SparseCodingLayer",
    "masked_mean",
    "straight_through_bernoulli",
]


def masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of ``values`` (B, T) over positions where ``mask`` (B, T) is 1."""
    m = mask.to(values.dtype)
    return (values * m).sum() / m.sum().clamp_min(1.0)


@dataclass
class MaskOutput:
    """What a mask layer decided for a batch.

    Attributes
    ----------
    scale : Tensor (B, T)
        Multiplies each token's embedding (a sample in training, the expectation in eval).
    importance : Tensor (B, T)
        Per-token importance for native explanations.
    terms : dict of str -> scalar Tensor
        Unweighted regularisation terms over real tokens (``apply_mask`` may add more).
    """

    scale: torch.Tensor
    importance: torch.Tensor
    terms: dict = field(default_factory=dict)


def straight_through_bernoulli(logit: torch.Tensor, tau: float) -> torch.Tensor:
    """Hard Gumbel-softmax over {drop, keep}, in its two-class form.

    ``F.gumbel_softmax([l0, l1], tau, hard=True)[1]`` is ``1[l1 + g1 > l0 + g0]`` with the gradient
    of ``sigmoid((l1 - l0 + g1 - g0) / tau)``; ``g1 - g0`` is logistic, ``log u - log(1 - u)``:
    one uniform per token, no exponentials or one-hot scatter (~7x cheaper on CPU).

    Parameters
    ----------
    logit : Tensor
        ``l1 - l0``, the log-odds of keeping.
    tau : float
        Temperature of the relaxation, > 0.

    Returns
    -------
    Tensor of 0/1 values shaped like ``logit``, differentiable through the relaxation.
    """
    if not tau > 0:
        raise ValueError(f"tau must be a positive temperature; got {tau!r}.")
    u = torch.rand_like(logit)
    noisy = logit + (torch.log(u) - torch.log1p(-u))
    soft = torch.sigmoid(noisy / tau)
    return (noisy > 0).to(soft.dtype) - soft.detach() + soft


class _MaskLayer(nn.Module, ABC):
    def score_types(self, vectors: torch.Tensor) -> torch.Tensor:
        """Scores of word types from their vectors, shape (U, k)."""
        return self.net(vectors)

    @abstractmethod
    def type_importance(self, vectors: torch.Tensor) -> torch.Tensor:
        """One importance value per word type, shape (U,) (for ``global_importance_``)."""

    def apply_mask(self, emb: torch.Tensor, out: MaskOutput, attention_mask) -> torch.Tensor:
        return emb * out.scale.unsqueeze(-1).to(emb.dtype)


class BernoulliMaskGate(_MaskLayer):
    """VMASK's inference network q(R_x | x): Linear -> tanh -> Linear(2) per word type
    (``n_hidden=2`` gives E-VarM's two-hidden-layer gate).

    Training draws ``R`` by hard Gumbel-softmax (:func:`straight_through_bernoulli`: 0/1,
    straight-through, as the public VMASK code); evaluation uses ``E[R] = p(keep)``.
    ``neg_entropy`` is the mean over real tokens of ``p log p + (1 - p) log(1 - p)`` (the KL to
    Bernoulli(0.5) up to a constant); VMASK minimises ``CE + beta * neg_entropy``.
    """

    def __init__(
        self, embedding_dim: int, hidden_size: int = 100, tau: float = 1.0, n_hidden: int = 1
    ):
        super().__init__()
        layers, width = [], embedding_dim
        for _ in range(n_hidden):
            layers += [nn.Linear(width, hidden_size), nn.Tanh()]
            width = hidden_size
        self.net = nn.Sequential(*layers, nn.Linear(width, 2))
        self.tau = tau

    def keep_probability(self, vectors: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(vectors), -1)[..., 1]

    def type_importance(self, vectors: torch.Tensor) -> torch.Tensor:
        return self.keep_probability(vectors)

    def forward(
        self, scores: torch.Tensor, inverse: torch.Tensor, attention_mask: torch.Tensor
    ) -> MaskOutput:
        # probabilities and entropy once per word type; only the sample is per token
        log_p = torch.log_softmax(scores, -1)
        p_keep = log_p[:, 1].exp()[inverse]
        neg_entropy = (log_p.exp() * log_p).sum(-1)[inverse]
        if self.training:
            scale = straight_through_bernoulli((scores[:, 1] - scores[:, 0])[inverse], self.tau)
        else:
            scale = p_keep
        return MaskOutput(
            scale, p_keep.detach(), {"neg_entropy": masked_mean(neg_entropy, attention_mask)}
        )


class L2XSelector(_MaskLayer):
    """L2X (Chen et al., 2018) as a mask layer: feed-forward scores, Gumbel top-k relaxation.

    A single linear layer scores every word type; training draws ``k`` Gumbel-softmax samples
    over the positions of each text (temperature ``tau``) and keeps their element-wise maximum
    (a relaxed k-hot selection); evaluation keeps exactly the top-k scoring real tokens.
    """

    def __init__(self, embedding_dim: int, k: int = 10, tau: float = 0.5):
        super().__init__()
        self.net = nn.Linear(embedding_dim, 1)
        self.k = k
        self.tau = tau

    def type_importance(self, vectors: torch.Tensor) -> torch.Tensor:
        return self.net(vectors).squeeze(-1)

    def forward(
        self, scores: torch.Tensor, inverse: torch.Tensor, attention_mask: torch.Tensor
    ) -> MaskOutput:
        real = attention_mask.bool()
        logits = scores.squeeze(-1)[inverse].masked_fill(~real, -1e4)  # padding is never selected
        importance = torch.softmax(logits, -1)
        if self.training:
            uniform = torch.rand((self.k, *logits.shape), device=logits.device)
            gumbel = -torch.log(-torch.log(uniform.clamp(1e-10, 1.0 - 1e-7)))
            samples = torch.softmax((logits.unsqueeze(0) + gumbel) / self.tau, -1)
            scale = samples.max(0).values
        else:
            k = min(self.k, logits.shape[1])
            top = logits.topk(k, dim=-1).indices
            scale = torch.zeros_like(logits).scatter(1, top, 1.0)
        scale = scale * real.to(scale.dtype)
        return MaskOutput(scale, importance.detach())


class ReadoutBottleneck(_MaskLayer):
    """IBA's readout bottleneck (Schulz et al., 2020) as a mask layer.

    ``lambda = sigmoid(Linear(x))`` per word type; ``z = lambda * x + (1 - lambda) * eps`` with
    ``eps ~ N(mu, sigma^2)``, where ``mu``/``sigma`` are per-dimension running estimates over
    real tokens of the embeddings being masked (``masked_dim`` wide). Evaluation uses
    ``z = lambda * x + (1 - lambda) * mu``. The ``capacity`` term is
    ``KL[N(lambda x + (1 - lambda) mu, (1 - lambda)^2 sigma^2) || N(mu, sigma^2)]``,
    averaged over dimensions and real tokens.
    """

    def __init__(self, embedding_dim: int, masked_dim: int | None = None, momentum: float = 0.05):
        super().__init__()
        self.net = nn.Linear(embedding_dim, 1)
        nn.init.constant_(self.net.bias, 2.0)  # start close to "keep everything"
        self.momentum = momentum
        dim = masked_dim or embedding_dim
        self.register_buffer("mu", torch.zeros(dim))
        self.register_buffer("sigma", torch.ones(dim))
        self.register_buffer("initialised", torch.zeros((), dtype=torch.bool))

    def type_importance(self, vectors: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(vectors).squeeze(-1))

    def _update_stats(self, emb: torch.Tensor, attention_mask: torch.Tensor) -> None:
        real = emb.detach()[attention_mask.bool()]
        if real.shape[0] < 2:
            return
        mu, sigma = real.mean(0), real.std(0).clamp_min(1e-4)
        if not bool(self.initialised):
            self.mu.copy_(mu)
            self.sigma.copy_(sigma)
            self.initialised.fill_(True)
        else:
            self.mu.lerp_(mu, self.momentum)
            self.sigma.lerp_(sigma, self.momentum)

    def forward(
        self, scores: torch.Tensor, inverse: torch.Tensor, attention_mask: torch.Tensor
    ) -> MaskOutput:
        lam = torch.sigmoid(scores.squeeze(-1))[inverse]
        return MaskOutput(lam, lam.detach())

    def apply_mask(self, emb: torch.Tensor, out: MaskOutput, attention_mask) -> torch.Tensor:
        # statistics and noise live in the space being masked (for transformers: the
        # embeddings-block output); lambda comes from the word type
        if self.training:
            self._update_stats(emb, attention_mask)
        lam = out.scale.unsqueeze(-1).to(emb.dtype)
        var_ratio = (1 - lam).clamp_min(1e-6) ** 2
        mean_shift = (lam * (emb - self.mu)) ** 2 / self.sigma**2
        kl = 0.5 * (var_ratio + mean_shift - 1 - torch.log(var_ratio)).mean(-1)
        out.terms["capacity"] = masked_mean(kl, attention_mask)
        if self.training:
            noise = self.mu + self.sigma * torch.randn_like(emb)
        else:
            noise = self.mu.expand_as(emb)
        return lam * emb + (1 - lam) * noise


class MaskedClassifierModule(ClassifierModule):
    """Encoder with a mask layer between the embeddings and the rest of the network.

    The layer's network runs once per distinct word type in the batch (on the rows of
    ``encoder.word_embedding_matrix``); the resulting mask scales the embeddings the encoder
    consumes (for transformers: the embeddings-block output). Because the mask is a function
    of the word type, gradients taken at the token embeddings (``embedding_hook``) see the mask
    as fixed. extras hold ``"importance"`` (B, T) and ``"mask_terms"``.
    """

    def __init__(self, encoder: nn.Module, n_classes: int, mask_layer: nn.Module, dropout=0.5):
        super().__init__(encoder, n_classes, dropout)
        self.mask_layer = mask_layer

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        word_ids: torch.Tensor | None = None,
        embedding_hook=None,
    ) -> tuple[torch.Tensor, dict]:
        types, inverse = torch.unique(input_ids, return_inverse=True)
        scores = self.mask_layer.score_types(self.encoder.word_embedding_matrix[types])
        mask = self.mask_layer(scores, inverse, attention_mask)

        def apply(emb):
            if embedding_hook is not None:
                emb = embedding_hook(emb)
            return self.mask_layer.apply_mask(emb, mask, attention_mask)

        out: EncoderOutput = self.encoder(input_ids, attention_mask, token_type_ids, apply)
        logits = self.head(self.dropout(out.pooled))
        return logits, {
            "pooled": out.pooled,
            "importance": mask.importance,
            "mask_terms": mask.terms,
        }


class MultiLevelMaskModule(ClassifierModule):
    """E-VarM's module: a gate over *every* hidden layer decides the word mask.

    A first, gradient-free pass of the encoder gives the hidden states h(0)..h(L) of every
    token; the gate (a :class:`BernoulliMaskGate`, here with two hidden layers) reads their
    concatenation (E-VarM eq. 1) and draws a Bernoulli mask per token with Gumbel-softmax in
    training (eqs. 2-4) or uses its expectation in evaluation; the second pass sees
    ``z = r * x`` (eq. 5, on the embeddings; for transformers on the embeddings-block output).
    The gate reads the hidden states as features: no gradient flows back into the encoder
    through them (the encoder learns from the masked pass).

    extras: ``pooled``, ``features``, ``importance`` (keep probability), ``mask`` (the mask
    used, B x T) and ``mask_terms`` (``neg_entropy``).
    """

    def __init__(self, encoder: nn.Module, n_classes: int, gate: BernoulliMaskGate, dropout=0.1):
        super().__init__(encoder, n_classes, dropout)
        self.gate = gate
        # SCC: in training, the first pass keeps its gradients and its pooled output is the
        # whole-text view z of the contrastive loss (extras["whole_pooled"]), saving a pass
        self.whole_view = False

    def decide(
        self, input_ids, attention_mask, token_type_ids=None, states: list | None = None
    ) -> MaskOutput:
        """The gate's mask for a batch (sampled in training mode), from the hidden states of
        every layer (a gradient-free first pass unless ``states`` are given)."""
        if states is None:
            with torch.no_grad():
                states = self.encoder(input_ids, attention_mask, token_type_ids).hidden_states
        states = torch.cat(states, -1)
        B, T, _ = states.shape
        # the gate reads real tokens only (up to half of a dynamically padded batch is
        # padding); padding points at one constant row, so the Gumbel draws keep their shape
        real = attention_mask.reshape(-1).nonzero().squeeze(1)
        scores = self.gate.score_types(states.reshape(B * T, -1)[real])
        scores = torch.cat([scores, scores.new_zeros(1, scores.shape[1])])
        inverse = torch.full((B * T,), len(real), dtype=torch.long, device=states.device)
        inverse[real] = torch.arange(len(real), device=states.device)
        return self.gate(scores, inverse.view(B, T), attention_mask)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        word_ids: torch.Tensor | None = None,
        embedding_hook=None,
    ) -> tuple[torch.Tensor, dict]:
        whole = None
        if self.whole_view and self.training and torch.is_grad_enabled():
            whole = self.encoder(input_ids, attention_mask, token_type_ids)
            # the gate reads the states as features: no gradient flows back through them
            states = [h.detach() for h in whole.hidden_states]
            mask = self.decide(input_ids, attention_mask, token_type_ids, states)
        else:
            mask = self.decide(input_ids, attention_mask, token_type_ids)

        def apply(emb):
            if embedding_hook is not None:
                emb = embedding_hook(emb)
            return self.gate.apply_mask(emb, mask, attention_mask)

        out = self.encoder(input_ids, attention_mask, token_type_ids, apply)
        features = self.dropout(out.pooled)
        extras = {
            "pooled": out.pooled,
            "features": features,
            "importance": mask.importance,
            "mask": mask.scale,
            "mask_terms": mask.terms,
        }
        if whole is not None:
            extras["whole_pooled"] = whole.pooled
        return self.head(features), extras


class SparseCodingLayer(BernoulliMaskGate):
    """SCC's sparse coding layer (Xi et al.): word importance M from every hidden layer.

    For each layer ``h(i)`` (widths ``layer_dims``, concatenated at the input),
    ``g(i) = tanh(MLP_gate(h(i))) * MLP_rep(h(i))`` (eq. 2, one-layer MLPs of width
    ``code_size``); ``M = sigmoid(MLP_proba([g(0); ...; g(L)]))`` (eq. 3, one hidden layer of
    ``proba_hidden`` units). Scores are ``[log(1 - M), log M]``, so the inherited Gumbel-softmax
    sampling gives eq. 5's hard masks and ``neg_entropy`` is eq. 6's
    ``M log M + (1 - M) log(1 - M)``.
    """

    def __init__(
        self,
        layer_dims: tuple[int, ...],
        code_size: int = 128,
        proba_hidden: int = 100,
        tau: float = 1.0,
    ):
        nn.Module.__init__(self)
        self.layer_dims = tuple(int(d) for d in layer_dims)
        self.gates = nn.ModuleList(nn.Linear(d, code_size) for d in self.layer_dims)
        self.reps = nn.ModuleList(nn.Linear(d, code_size) for d in self.layer_dims)
        self.proba = nn.Sequential(
            nn.Linear(code_size * len(self.layer_dims), proba_hidden),
            nn.Tanh(),
            nn.Linear(proba_hidden, 1),
        )
        self.tau = tau

    def score_types(self, states: torch.Tensor) -> torch.Tensor:
        parts = torch.split(states, self.layer_dims, dim=-1)
        codes = [
            torch.tanh(gate(h)) * rep(h)
            for h, gate, rep in zip(parts, self.gates, self.reps, strict=True)
        ]
        a = self.proba(torch.cat(codes, -1)).squeeze(-1)
        return torch.stack([F.logsigmoid(-a), F.logsigmoid(a)], -1)

    def keep_probability(self, states: torch.Tensor) -> torch.Tensor:
        return self.score_types(states)[..., 1].exp()
