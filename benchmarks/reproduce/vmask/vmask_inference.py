"""Does VMASK lose accuracy to the gap between training and inference? Training multiplies
each word by a hard 0/1 sample of its mask; prediction multiplies it by the expectation
``p(keep)`` (the paper's and the public code's choice), so a kept word reaches the CNN at
its full size in training and at a fraction of it in prediction. Fits VMaskClassifier at
its defaults (as the defaults profile: every training text, GloVe-50d) and scores the dev
split (and, for the record, the test split) under three ways to predict:

- ``expectation``: the estimator's own ``predict`` (``scale = p(keep)``);
- ``threshold``: ``scale = 1[p(keep) > 0.5]``, the hard mask's most likely value;
- ``sampled``: the mean of the class probabilities over 32 hard mask samples (the
  predictive distribution of the model as trained).

Appends one JSON line to ``vmask/results/tuning/vmask_inference.jsonl``::

    python benchmarks/reproduce/vmask/vmask_inference.py rotten_tomatoes 0 cnn
"""

import dataclasses
import json
import sys
from pathlib import Path

import numpy as np
import torch

import skinterp
import skinterp.datasets as ds

OUT = Path(__file__).parent / "results" / "tuning" / "vmask_inference.jsonl"
torch.set_num_threads(1)
N_SAMPLES = 32

name, seed, backbone = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = getattr(ds, f"load_{name}")()
clf = skinterp.VMaskClassifier(encoder=backbone, embeddings="glove-50d", random_state=seed)
clf.fit(data.X_train, data.y_train)
gate = clf.module_.mask_layer
default_forward = gate.forward


def threshold_forward(scores, inverse, attention_mask):
    out = default_forward(scores, inverse, attention_mask)
    return dataclasses.replace(out, scale=(out.scale > 0.5).to(out.scale.dtype))


def sampled_forward(scores, inverse, attention_mask):
    gate.training = True  # only the mask layer samples; dropout and the rest stay in eval mode
    try:
        return default_forward(scores, inverse, attention_mask)
    finally:
        gate.training = False


def accuracies(X, y):
    y = np.asarray(y)
    row = {"expectation": float(np.mean(clf.predict(X) == y))}
    gate.forward = threshold_forward
    try:
        row["threshold"] = float(np.mean(clf.predict(X) == y))
    finally:
        gate.forward = default_forward
    torch.manual_seed(seed)
    gate.forward = sampled_forward
    try:
        proba = np.mean([clf.predict_proba(X) for _ in range(N_SAMPLES)], 0)
    finally:
        gate.forward = default_forward
    row["sampled"] = float(np.mean(clf.classes_[proba.argmax(1)] == y))
    return {k: round(v, 4) for k, v in row.items()}


row = dict(
    ds=name,
    seed=seed,
    backbone=backbone,
    dev=accuracies(list(data.X_valid), data.y_valid),
    test=accuracies(list(data.X_test), data.y_test),
)
print(json.dumps(row), flush=True)
with OUT.open("a") as f:
    f.write(json.dumps(row) + "\n")
