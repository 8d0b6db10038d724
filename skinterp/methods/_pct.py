"""PCT: pathological contrastive training (saliency-based contrastive pairs)."""

from __future__ import annotations

from numbers import Real
from typing import Any

import torch
from sklearn.utils._param_validation import Interval

from ..core import TextClassifier, shared_params
from ..nn import multi_positive_nt_xent
from ._reduction import drop_words, word_saliency

__all__ = ["PCTClassifier", "saliency_reductions"]


def _n_reduced(n: torch.Tensor, share: float) -> torch.Tensor:
    """Words reduced per text: ``round(share * n)``, at least 1, at most ``n // 2`` (so the
    important and unimportant words never overlap); 0 when ``share`` is 0."""
    if share == 0:
        return torch.zeros_like(n)
    m = torch.round(share * n.float()).long().clamp_min(1)
    return torch.minimum(m, n // 2)


def saliency_reductions(
    saliency: torch.Tensor, n_words: torch.Tensor, p_important: float, p_unimportant: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The cumulatively reduced texts of PCT's augmentation module, as word keep-masks.

    For text ``i`` with ``n_i`` words, ``m = round(p * n_i)`` (see :func:`_n_reduced`);
    X̂_imp(i, j) drops its ``j`` most salient words and X̂_ump(i, j) its ``j`` least salient
    ones, ``j = 1..m``.

    Returns
    -------
    keep : bool Tensor (R, W)
        One row per reduced text: first every X̂_imp, then every X̂_ump.
    rows : LongTensor (R,)
        The text each row reduces.
    important : bool Tensor (R,)
        True for X̂_imp rows (negatives of their text's set).
    """
    B, W = saliency.shape
    dev = saliency.device
    pos = torch.arange(W, device=dev)
    real = pos.unsqueeze(0) < n_words.unsqueeze(1)
    order = torch.argsort(
        saliency.masked_fill(~real, float("-inf")), dim=1, descending=True, stable=True
    )
    rank = order.argsort(1)  # 0 = most salient real word
    rank_low = (n_words.unsqueeze(1) - 1 - rank).masked_fill(~real, W)  # 0 = least salient
    parts = []
    for share, ranks, imp in ((p_important, rank, True), (p_unimportant, rank_low, False)):
        m = _n_reduced(n_words, share)
        rows = torch.repeat_interleave(torch.arange(B, device=dev), m)
        # j = 1..m within each text
        j = torch.arange(len(rows), device=dev) - torch.repeat_interleave(m.cumsum(0) - m, m) + 1
        keep = real[rows] & ~(ranks[rows] < j.unsqueeze(1))
        parts.append((keep, rows, torch.full_like(rows, imp, dtype=torch.bool)))
    keep, rows, important = (torch.cat(t) for t in zip(*parts, strict=True))
    return keep, rows, important


@shared_params
class PCTClassifier(TextClassifier):
    """Pathological contrastive training (PCT): saliency-based contrastive pairs make the
    model's confidence follow its word saliency.

    For every training batch: the gradient saliency of each word (PCT eqs. 1-2: L2 norm of
    the gradient of the true class probability at its embeddings, sub-words summed; one
    evaluation-mode pass whose gradients never reach the parameters); the ``p_important``
    most and ``p_unimportant`` least salient words of each text (``round(p * n)``, at least
    one, at most half of the words); the cumulatively reduced texts X̂_imp (top 1..m words
    deleted) and X̂_ump (bottom 1..m deleted). The original text and its X̂_ump form one set,
    its X̂_imp another; every reduced text of the batch goes through the network in one
    batch, and the multi-positive NT-Xent of eq. 6
    (:func:`skinterp.nn.multi_positive_nt_xent`, cosine similarity, temperature ``tau``)
    pulls each sample towards its own set and away from all others. The sentence
    representation is the pooled one (``pooling``: [CLS] for transformers by default, max for
    CNN/LSTM; the paper averages CNN/LSTM states). Loss (eq. 7): ``CE + alpha * L_con``,
    logged as ``history[:, "contrastive"]``. Training costs about ``2m + 2`` forward and
    backward passes per batch (saliency, originals, 2m reductions).

    Works with CNN, LSTM and transformer backbones. Native explanation: gradient saliency
    (norm of the predicted class probability's gradient), the ranking PCT trains.

    Parameters
    ----------
    alpha : float, default=0.1
        Weight of the contrastive term (paper: 0.1 for CNN/LSTM, 1.2 for BERT, 0.15 for
        DistilBERT).
    tau : float, default=0.7
        Temperature (paper: 0.7; 0.15 for DistilBERT).
    p_important, p_unimportant : float in [0, 1), default=0.1
        Share of words treated as important / unimportant (0 switches that side off, the
        paper's Table 4 ablation).
    %(backbone_params)s
    %(training_params)s
    """

    _parameter_constraints = {
        **TextClassifier._parameter_constraints,
        "alpha": [Interval(Real, 0, None, closed="left")],
        "tau": [Interval(Real, 0, None, closed="neither")],
        "p_important": [Interval(Real, 0, 1, closed="left")],
        "p_unimportant": [Interval(Real, 0, 1, closed="left")],
    }
    _extra_loss_names = ("contrastive",)
    _native_method = "gradient"

    def __init__(
        self,
        alpha: float = 0.1,
        tau: float = 0.7,
        p_important: float = 0.1,
        p_unimportant: float = 0.1,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.tau = tau
        self.p_important = p_important
        self.p_unimportant = p_unimportant

    def _check_hyperparams(self) -> None:
        super()._check_hyperparams()
        if self.p_important == 0 and self.p_unimportant == 0:
            raise ValueError(
                "p_important and p_unimportant are both 0: PCT would build no contrastive "
                "pairs (use TextClassifier for plain cross-entropy)."
            )

    def get_loss_terms(self, y_pred, y_true, X=None, training=False):
        if not training or X is None or self.alpha == 0:
            return {}
        _, extras = y_pred
        X = {k: v.to(self.device) for k, v in X.items() if torch.is_tensor(v)}
        saliency = word_saliency(self, X, y_true)
        self.module_.train()  # word_saliency evaluates in eval mode
        n = (X["word_ids"].max(1).values + 1).clamp_min(0)
        keep, rows, important = saliency_reductions(
            saliency, n, self.p_important, self.p_unimportant
        )
        if not len(rows):
            return {"contrastive": extras["pooled"].sum() * 0.0}
        _, reduced = self.infer(drop_words(X, keep, rows, self.tokenizer_.pad_id))
        features = torch.cat([extras["pooled"], reduced["pooled"]])
        B = len(y_true)
        groups = torch.cat([torch.arange(B, device=rows.device) * 2, rows * 2 + important])
        loss = multi_positive_nt_xent(features, groups, temperature=self.tau)
        return {"contrastive": self.alpha * loss}

    def _native_token_scores(self, batch):
        grad, _, logits = self._token_gradients(batch, output="proba")
        return grad.norm(dim=-1), logits
