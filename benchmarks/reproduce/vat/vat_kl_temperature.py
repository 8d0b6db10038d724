"""Does VAT's compression term reward flatter attention? (diagnosis, BiLSTM + GloVe-50d)

Fits ``VATClassifier`` with its defaults on one data set and seed, then scores the test split
with its attention logits divided by a temperature T (T < 1 sharper, T > 1 flatter, 1e6
uniform) and records, per T: accuracy, the normalised attention entropy, the norm of the
attentive representation R, ||u||^2 and the KL term of VAT eq. 8 (mean over texts). If the KL
falls as T grows, the bottleneck's compression term pulls the attention flatter. Appends one
JSON line to ``vat/results/tuning/vat_kl_temperature.jsonl``::

    python benchmarks/reproduce/vat/vat_kl_temperature.py tweets 0
"""

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

import skinterp
import skinterp.datasets as ds

OUT = Path(__file__).parent / "results" / "tuning" / "vat_kl_temperature.jsonl"
dsn, seed = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(2)
data = {"tweets": ds.load_tweets, "rotten_tomatoes": ds.load_rotten_tomatoes}[dsn]()
clf = skinterp.VATClassifier(encoder="lstm", embeddings="glove-50d", random_state=seed, verbose=0)
clf.fit(data.X_train, data.y_train)
temperature = {"t": 1.0}


class _Tempered(torch.nn.Module):
    """The attention's score layer ``v``, divided by the temperature (the library's forward
    masks the padding and takes the softmax after it)."""

    def __init__(self, v):
        super().__init__()
        self.v = v

    def forward(self, x):
        return self.v(x) / temperature["t"]


clf.module_.attention.v = _Tempered(clf.module_.attention.v)
seen: dict[str, list] = {}


def record(module, inputs, output):
    _, extras = output
    alpha = extras["importance"]
    n = (alpha > 0).sum(1).clamp_min(2)
    entropy = -(alpha.clamp_min(1e-12).log() * alpha).sum(1) / n.float().log()
    R = extras["pooled"]
    u = module.mu(R)
    sigma = F.softplus(module.sigma(R)) + 1e-6
    kl = 0.5 * (u.pow(2) + sigma.pow(2) - 1 - 2 * sigma.log()).sum(-1)
    for key, value in (
        ("kl", kl),
        ("ent", entropy),
        ("rn", R.norm(dim=-1)),
        ("un", u.pow(2).sum(-1)),
    ):
        seen.setdefault(key, []).append(value)


clf.module_.register_forward_hook(record)
rows = []
for t in (0.25, 0.5, 1.0, 2.0, 4.0, 1e6):
    temperature["t"] = t
    seen.clear()
    accuracy = clf.score(data.X_test, data.y_test)
    means = {k: round(torch.cat(v).float().mean().item(), 4) for k, v in seen.items()}
    rows.append({"T": t, "acc": round(accuracy, 4), **means})
out = {"dataset": dsn, "seed": seed, "rows": rows}
print(json.dumps(out))
with OUT.open("a") as f:
    f.write(json.dumps(out) + "\n")
