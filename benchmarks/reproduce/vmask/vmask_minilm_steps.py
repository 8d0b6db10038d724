"""Can VMASK's mask become decisive on 2-layer MiniLM within the defaults-minilm budget?

VMASK as the ``defaults-minilm`` profile fits it (first 1,000 Rotten Tomatoes training texts,
``lr`` 5e-4, batch 32, its own one-epoch warm-up), with its mask network at ``MASK_LR``
(0 = ``lr``, as the default; otherwise an ``optimizer__param_groups`` entry for
``mask_layer.*``) for ``EPOCHS`` epochs at ``BETA`` (default 0.1, VMASK's). Prints one JSON
line: accuracy on the data set's dev split (never the test split) and the keep-probability
spread after every epoch.

Usage: ``python benchmarks/reproduce/vmask/vmask_minilm_steps.py MASK_LR SEED [EPOCHS [BETA]]``.
Results: ``vmask/results/tuning/vmask_minilm_steps.jsonl``.
"""

import json
import sys
import time

import numpy as np
import torch

from skinterp import VMaskClassifier
from skinterp.benchmark import expand_runs, load_config, select_config
from skinterp.datasets import load_rotten_tomatoes

torch.set_num_threads(1)
mask_lr, seed = float(sys.argv[1]), int(sys.argv[2])
epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
beta = float(sys.argv[4]) if len(sys.argv) > 4 else 0.1
cfg = select_config(
    load_config("defaults-minilm"), datasets=["rotten_tomatoes"], methods=["vmask"], seeds=[seed]
)
(run,) = [r for r in expand_runs(cfg) if r.method == "vmask"]
params = {**run.params, "max_epochs": epochs, "beta": beta, "verbose": 0}
if mask_lr > 0:
    params["optimizer__param_groups"] = [("mask_layer.*", {"lr": mask_lr})]
data = load_rotten_tomatoes()
X, y = list(data.X_train[: run.n_train]), np.asarray(data.y_train[: run.n_train])
start = time.perf_counter()
clf = VMaskClassifier(**params, random_state=seed).fit(X, y)
dev = float(np.mean(clf.predict(list(data.X_valid)) == np.asarray(data.y_valid)))
spread = [round(float(h["keep_spread"]), 3) for h in clf.history]
record = dict(mask_lr=mask_lr or params["lr"], seed=seed, epochs=epochs, beta=beta, n_train=len(X))
record.update(dev_acc=round(dev, 4), keep_spread=spread, fit_s=round(time.perf_counter() - start))
print(json.dumps(record), flush=True)
