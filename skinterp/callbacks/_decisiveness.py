"""How decisive a model's mask, gate or attention is, recorded in ``history`` every epoch."""

from __future__ import annotations

from typing import Any

import numpy as np
from skorch.callbacks import Callback

__all__ = ["Decisiveness"]

#: The spread ``q90 - q10`` of keep probabilities at or above which a mask counts as decisive.
DECISIVE_SPREAD = 0.3


class Decisiveness(Callback):
    """Record how decisive the native explanation is, at the end of every epoch.

    The model explains a fixed sample of its training texts (the first ``n_texts``, in eval
    mode, so no random numbers are drawn and training is unchanged; words cut off by
    ``max_length`` are left out) and records:

    - ``kind="keep"`` (masks and gates, whose word scores are keep probabilities in [0, 1]):
      ``keep_q10``, ``keep_q50``, ``keep_q90`` -- quantiles over all word occurrences -- and
      ``keep_spread = keep_q90 - keep_q10``. A mask whose probabilities all sit near one value
      (VMASK with a large β after 6 epochs: 0.52-0.62, a spread of 0.10) scales every word
      alike and explains nothing; we call a mask *decisive* when ``keep_spread >= 0.3``
      (:data:`DECISIVE_SPREAD`): the words in the top tenth then pass at least 0.3 more of their
      embedding than those in the bottom tenth. Measured on Rotten Tomatoes and tweets
      (CNN over GloVe-50d): failing masks 0.10 (β annealed from 1, 6 epochs) and 0.15 (β =
      0.01, the mask collapses to keep-all); VMASK's default 0.39-0.58.
    - ``kind="attention"`` (attention weights over the words): ``attn_entropy``, the mean over
      texts of the attention's entropy divided by ``log(n_words)`` -- 1 is uniform attention,
      0 puts all weight on one word.

    Parameters
    ----------
    kind : {"keep", "attention"}
    n_texts : int, default=256
    """

    def __init__(self, kind: str = "keep", n_texts: int = 256):
        self.kind = kind
        self.n_texts = n_texts

    def initialize(self):
        if self.kind not in ("keep", "attention"):
            raise ValueError(f"kind must be 'keep' or 'attention', got {self.kind!r}.")
        self.sample_: list = []
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        items = getattr(X, "X", X)  # skinterp fits a TextDataset whose X holds the encodings
        self.sample_ = list(items[: self.n_texts]) if items is not None else []

    def on_epoch_end(self, net, **kwargs):
        if not self.sample_:
            return
        for key, value in self.measure(net, self.sample_).items():
            net.history.record(key, value)

    def measure(self, net, encodings: list) -> dict[str, Any]:
        """:meth:`summary` of ``net``'s own explanations of ``encodings``, over the words the
        model saw (words cut off by ``max_length`` have no token and a score of 0)."""
        scores = []
        for enc, exp in zip(encodings, net.explain(encodings), strict=True):
            ids = getattr(enc, "word_ids", None)
            if ids is None:
                scores.append(exp.scores)
                continue
            scores.append(np.asarray(exp.scores)[np.unique(ids[ids >= 0])])
        return self.summary(scores)

    def summary(self, scores: list[np.ndarray]) -> dict[str, Any]:
        """The recorded values for the word scores of some texts."""
        scores = [np.asarray(s, dtype=np.float64) for s in scores if len(s)]
        if not scores:
            return {}
        if self.kind == "keep":
            q10, q50, q90 = np.quantile(np.concatenate(scores), [0.1, 0.5, 0.9])
            return {
                "keep_q10": float(q10),
                "keep_q50": float(q50),
                "keep_q90": float(q90),
                "keep_spread": float(q90 - q10),
            }
        entropies = []
        for s in scores:
            if len(s) < 2:
                continue
            a = np.clip(s, 0, None)
            total = a.sum()
            a = a / total if total > 0 else np.full(len(s), 1 / len(s))
            nz = a[a > 0]
            entropies.append(float(-(nz * np.log(nz)).sum() / np.log(len(s))))
        return {"attn_entropy": float(np.mean(entropies))} if entropies else {}
