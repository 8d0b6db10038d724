"""Does VAT's attention flatten because of the N(0, I) prior, or because of the bottleneck
itself? VAT on one claims-profile LSTM cell (beta = 0.01, one seed) with eq. 8's prior
``r(z)`` replaced by the best Gaussian for each batch: per dimension, the mean and the
variance of the batch's aggregate posterior (``m = mean(u)``, ``v = mean(sigma^2) + var(u)``).
That prior moves with ``R``, so shrinking ``R`` earns nothing; the KL left is the bound on
I(Z; R) that the batch's spread of ``u`` (relative to ``sigma``) costs. Records the normalised
attention entropy after every epoch, the weighted KL of the compressor epoch and the test
accuracy, for PRIOR ``batch`` or ``standard`` (VAT as shipped, N(0, I)), and appends one JSON
line to ``vat/results/tuning/vat_prior.jsonl``::

    python benchmarks/reproduce/vat/vat_prior.py DATASET SEED PRIOR   # e.g. tweets 0 batch
"""

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

import skinterp
import skinterp.datasets as ds
from skinterp.benchmark import expand_runs, load_config, select_config

OUT = Path(__file__).parent / "results" / "tuning" / "vat_prior.jsonl"
torch.set_num_threads(1)


def batch_prior_kl(module, R):
    """Mean over the batch of KL[N(u, sigma^2) || N(m, v)] with (m, v) the batch's moments."""
    u = module.mu(R)
    sigma = F.softplus(module.sigma(R)) + 1e-6
    m = u.mean(0, keepdim=True)
    v = (sigma.pow(2) + (u - m).pow(2)).mean(0, keepdim=True)
    kl = 0.5 * ((sigma.pow(2) + (u - m).pow(2)) / v + v.log() - 2 * sigma.log() - 1)
    return kl.sum(-1).mean()


class BatchPriorVAT(skinterp.VATClassifier):
    """VAT whose KL term uses the batch-optimal Gaussian prior instead of N(0, I)."""

    def _build_module(self, encoder, n_classes):
        module = super()._build_module(encoder, n_classes)
        forward = module.forward

        def with_batch_prior(*args, **kwargs):
            logits, extras = forward(*args, **kwargs)
            extras["kl"] = batch_prior_kl(module, extras["pooled"])
            return logits, extras

        module.forward = with_batch_prior
        return module


name, seed, prior = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cfg = select_config(
    load_config("claims"), datasets=[name], backbones=["lstm"], methods=["vat"], seeds=[seed]
)
(run,) = [r for r in expand_runs(cfg) if r.method == "vat"]
data = getattr(ds, f"load_{name}")()
cls = {"batch": BatchPriorVAT, "standard": skinterp.VATClassifier}[prior]
clf = cls(**{**run.params, "beta": 0.01}, random_state=seed)
clf.fit(data.X_train, data.y_train)
row = dict(
    ds=name,
    seed=seed,
    prior=prior,
    beta=0.01,
    entropy=[(h["epoch"], h["phase"], round(h["attn_entropy"], 3)) for h in clf.history],
    kl=[round(h["kl"], 4) for h in clf.history],
    test_acc=round(clf.score(data.X_test, data.y_test), 4),
)
print(json.dumps(row), flush=True)
with OUT.open("a") as f:
    f.write(json.dumps(row) + "\n")
