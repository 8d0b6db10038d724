"""One supervised contrastive loss for every contrastive method and baseline."""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["multi_positive_nt_xent", "supervised_contrastive_loss", "view_pairs_mask"]


def supervised_contrastive_loss(
    features: torch.Tensor,
    labels: torch.Tensor | None = None,
    *,
    temperature: float = 0.1,
    positive_mask: torch.Tensor | None = None,
    normalize: bool = True,
) -> torch.Tensor:
    """Supervised contrastive loss (Khosla et al., 2020; E-VarM eq. 10; Gunel et al., 2021).

    For each anchor i with at least one positive,
    ``-1/|P(i)| * sum_{p in P(i)} log( exp(s_ip / t) / sum_{a != i} exp(s_ia / t) )`` where
    ``s`` is the cosine (or dot, with ``normalize=False``) similarity; the loss is the mean over
    those anchors (E-VarM writes the sum; the mean keeps the scale independent of batch size).

    Parameters
    ----------
    features : Tensor (N, D)
    labels : Tensor (N,), optional
        Positives share a label.
    temperature : float, default=0.1
    positive_mask : bool Tensor (N, N), optional
        Explicit positives (e.g. two views of one text, as in SimCSE); combined with ``labels``
        by logical or when both are given. The diagonal is always ignored.
    normalize : bool, default=True

    Returns
    -------
    scalar Tensor (0 with a gradient path when no anchor has a positive)
    """
    if labels is None and positive_mask is None:
        raise ValueError("give labels, positive_mask, or both.")
    z = F.normalize(features, dim=-1) if normalize else features
    n = z.shape[0]
    self_mask = torch.eye(n, dtype=torch.bool, device=z.device)
    sim = (z @ z.T / temperature).masked_fill(self_mask, float("-inf"))
    log_prob = sim - torch.logsumexp(sim, dim=1, keepdim=True)
    pos = torch.zeros_like(self_mask)
    if labels is not None:
        pos = labels.view(-1, 1) == labels.view(1, -1)
    if positive_mask is not None:
        pos = pos | positive_mask.to(torch.bool)
    pos = pos & ~self_mask
    n_pos = pos.sum(1)
    valid = n_pos > 0
    if not bool(valid.any()):
        return features.sum() * 0.0
    per_anchor = -log_prob.masked_fill(~pos, 0.0).sum(1) / n_pos.clamp_min(1)
    return per_anchor[valid].mean()


def view_pairs_mask(n: int, n_views: int = 2, device=None) -> torch.Tensor:
    """Positive mask for ``n_views`` stacked views of ``n`` texts (row ``v * n + i`` is view v
    of text i): every view of a text is a positive of every other view of it."""
    ids = torch.arange(n, device=device).repeat(n_views)
    return ids.view(-1, 1) == ids.view(1, -1)


def multi_positive_nt_xent(
    features: torch.Tensor, groups: torch.Tensor, *, temperature: float = 0.7
) -> torch.Tensor:
    """Multi-positive NT-Xent of PCT (eq. 6): each sample against the other sets.

    For an anchor ``p`` in set ``G``:
    ``-log( sum_{j in G, j != p} exp(s_pj / t) / sum_{j not in G} exp(s_pj / t) )`` with cosine
    similarity ``s``. Unlike :func:`supervised_contrastive_loss`, the denominator holds only
    samples of *other* sets. The loss is the mean over anchors that have a partner in their set
    and at least one sample outside it.

    Parameters
    ----------
    features : Tensor (N, D)
    groups : LongTensor (N,)
        Set id of every sample (PCT: the original text and its unimportant-word reductions
        form one set, its important-word reductions another).
    temperature : float, default=0.7

    Returns
    -------
    scalar Tensor (0 with a gradient path when no anchor qualifies)
    """
    z = F.normalize(features, dim=-1)
    n = z.shape[0]
    sim = z @ z.T / temperature
    same = groups.view(-1, 1) == groups.view(1, -1)
    self_mask = torch.eye(n, dtype=torch.bool, device=z.device)
    pos = same & ~self_mask
    valid = pos.any(1) & (~same).any(1)
    if not bool(valid.any()):
        return features.sum() * 0.0
    log_pos = torch.logsumexp(sim.masked_fill(~pos, float("-inf")), dim=1)
    log_neg = torch.logsumexp(sim.masked_fill(same, float("-inf")), dim=1)
    return (log_neg - log_pos)[valid].mean()
