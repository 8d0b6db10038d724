"""Does the KL term flatten VAT's attention? VAT on one claims-profile LSTM cell (seed 0) at a
given beta, with the normalised attention entropy after every epoch and its phase.

Usage: ``python benchmarks/reproduce/vat/vat_entropy.py BETA DATASET`` (one JSON line on stdout;
e.g. ``0.0 tweets`` and ``0.01 tweets``). Test accuracy is printed for the record.
Results: ``vat/results/tuning/vat_entropy.jsonl``.
"""

import json
import sys

import torch

import skinterp
import skinterp.datasets as ds
from skinterp.benchmark import expand_runs, load_config, select_config

torch.set_num_threads(1)
beta, name = float(sys.argv[1]), sys.argv[2]
cfg = select_config(
    load_config("claims"), datasets=[name], backbones=["lstm"], methods=["vat"], seeds=[0]
)
(run,) = [r for r in expand_runs(cfg) if r.method == "vat"]
data = getattr(ds, f"load_{name}")()
clf = skinterp.VATClassifier(**{**run.params, "beta": beta}, random_state=0)
clf.fit(data.X_train, data.y_train)
entropy = [(h["epoch"], h["phase"], round(h["attn_entropy"], 3)) for h in clf.history]
accuracy = round(clf.score(data.X_test, data.y_test), 4)
print(json.dumps(dict(beta=beta, ds=name, entropy=entropy, test_acc=accuracy)), flush=True)
