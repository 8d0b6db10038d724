"""Why VMASK's Table 4 gain holds on Rotten Tomatoes and not on tweets (diagnosis).

For one data set, seed and backbone (``cnn``, the default, or ``lstm``): the base model (the
CNN's saved by the six-seed run, ``vmask/vmask_t4_seeds.toml``; the LSTM's trained here with the
claims settings, 10 epochs), VMASK trained from it with the claims settings, LIME's rankings
(500 samples) of both on the claims profile's 200 random test texts, and AOPC@5 of those
rankings per text-length bucket; also the share of LIME's top 5 words on VMASK that VMASK's
own mask keeps (keep probability >= 0.5). Appends one JSON line to
``vmask/results/tuning/vmask_by_length.jsonl``::

    python benchmarks/reproduce/vmask/vmask_by_length.py tweets 0 [lstm]
"""

import json
import sys
from pathlib import Path

import numpy as np
import torch
from sklearn.frozen import FrozenEstimator

import skinterp
from skinterp.benchmark import (
    evaluation_texts,
    expand_runs,
    load_config,
    load_data,
    select_config,
)
from skinterp.explain import LimeExplainer
from skinterp.metrics import aopc_score

torch.set_num_threads(1)
HERE = Path(__file__).parent
OUT = HERE / "results" / "tuning" / "vmask_by_length.jsonl"
ds_name, seed = sys.argv[1], int(sys.argv[2])
backbone = sys.argv[3] if len(sys.argv) > 3 else "cnn"
# the claims profile's settings and evaluation texts for base and VMASK in this cell
cfg = select_config(
    load_config("claims"), datasets=[ds_name], backbones=[backbone], methods=["vmask"]
)
runs = {r.method: r for r in expand_runs({**cfg, "seeds": [seed]})}
data = load_data(ds_name)
X, y = evaluation_texts(runs["vmask"], data)  # the claims' own texts, cut as they evaluate them
if backbone == "cnn":
    base = skinterp.load(
        HERE / "results" / "vmask-t4-seeds" / "models" / f"{ds_name}__cnn__base__seed{seed}"
    )
else:
    base = skinterp.TextClassifier(**runs["base"].params, random_state=seed, verbose=0)
    base.fit(data.X_train, data.y_train)
vm = skinterp.VMaskClassifier(
    **runs["vmask"].params, init_from=FrozenEstimator(base), random_state=seed, verbose=0
)
vm.fit(data.X_train, data.y_train)
n_words = np.array([len(t.split()) for t in X])
out = {
    "dataset": ds_name,
    "backbone": backbone,
    "seed": seed,
    "acc": [base.score(X, y), vm.score(X, y)],
}
exps = {
    n: LimeExplainer(num_samples=500, random_state=0).explain(m, X)
    for n, m in (("base", base), ("vmask", vm))
}
native = vm.explain(X)
# share of LIME's top-5 words on VMASK that its mask keeps at p >= 0.5
kept = []
for e_l, e_n in zip(exps["vmask"], native, strict=True):
    top = np.argsort(-np.asarray(e_l.scores))[:5]
    s = np.asarray(e_n.scores)
    kept.append(float(np.mean(s[top[top < len(s)]] >= 0.5)) if len(s) else np.nan)
out["lime_top5_kept_by_mask"] = float(np.nanmean(kept))
out["mask_keep_q10_q50_q90"] = (
    np.quantile(np.concatenate([np.asarray(e.scores) for e in native]), [0.1, 0.5, 0.9])
    .round(3)
    .tolist()
)
for lo, hi in ((0, 10), (11, 20), (21, 999)):
    idx = [i for i in range(len(X)) if lo <= n_words[i] <= hi]
    if not idx:
        continue
    row = {"n": len(idx)}
    for name, m in (("base", base), ("vmask", vm)):
        row[name] = round(
            aopc_score(m, [X[i] for i in idx], k=5, explanations=[exps[name][i] for i in idx]), 4
        )
        row[name + "_conf"] = round(float(m.predict_proba([X[i] for i in idx]).max(1).mean()), 4)
    out[f"words_{lo}_{hi}"] = row
out["aopc_all"] = {
    n: round(aopc_score(m, X, k=5, explanations=exps[n]), 4)
    for n, m in (("base", base), ("vmask", vm))
}
print(json.dumps(out))
with OUT.open("a") as f:
    f.write(json.dumps(out) + "\n")
