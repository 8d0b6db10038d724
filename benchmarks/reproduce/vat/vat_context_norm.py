"""Tried for VAT's flat attention (diagnosis, BiLSTM + GloVe-50d, dev split): a LayerNorm on the
attentive representation R before the bottleneck, so that spreading the attention cannot
shrink ``u`` (the mechanism ``vat/vat_kl_temperature.py`` measures). Fits one model (``vat``,
``norm`` or ``attention``) with its defaults and records its dev accuracy and the normalised
attention entropy on the dev split (and per epoch on the training sample). Appends one JSON line
to ``vat/results/tuning/vat_context_norm.jsonl``::

    python benchmarks/reproduce/vat/vat_context_norm.py tweets 0 norm
"""

import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

import skinterp
import skinterp.datasets as ds
from skinterp.callbacks import Decisiveness

OUT = Path(__file__).parent / "results" / "tuning" / "vat_context_norm.jsonl"
torch.set_num_threads(1)


class VATNorm(skinterp.VATClassifier):
    """VAT with LayerNorm(R) in front of both bottleneck layers (u and sigma)."""

    def _build_module(self, encoder, n_classes):
        m = super()._build_module(encoder, n_classes)
        w = m.mu.in_features
        m.mu = nn.Sequential(nn.LayerNorm(w), m.mu)
        m.sigma = nn.Sequential(nn.LayerNorm(w), m.sigma)
        return m


dsn, seed, which = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = {"tweets": ds.load_tweets, "rotten_tomatoes": ds.load_rotten_tomatoes}[dsn]()
cls = {"vat": skinterp.VATClassifier, "norm": VATNorm, "attention": skinterp.AttentionClassifier}[
    which
]
clf = cls(encoder="lstm", embeddings="glove-50d", random_state=seed, verbose=0)
clf.fit(data.X_train, data.y_train)
Xv, yv = list(data.X_valid), np.asarray(data.y_valid)
ent = (
    Decisiveness("attention").initialize().summary([e.scores for e in clf.explain(clf.encode(Xv))])
)
row = {
    "dataset": dsn,
    "seed": seed,
    "model": which,
    "dev_acc": round(clf.score(Xv, yv), 4),
    **{k: round(v, 4) for k, v in ent.items()},
    "entropy_curve": [round(float(v), 3) for v in clf.history[:, "attn_entropy"]],
}
print(json.dumps(row))
with OUT.open("a") as f:
    f.write(json.dumps(row) + "\n")
