"""SCC's two stages on one claims-profile cell, read on the validation share only: the warm-up
model's validation accuracy, then per SCC epoch the validation accuracy and the spread
(q90 - q10) and median of the keep probabilities, and the epoch the pick keeps.

Usage: ``python benchmarks/reproduce/scc/scc_stage.py rt|tw cnn|lstm SEED [stage_lr=X] [PARAM=VALUE
...]`` (one JSON line on stdout). ``stage_lr`` trains the SCC stage at another learning rate
than the warm-up (the trial behind ``SCCClassifier``'s defaults); every other ``PARAM=VALUE`` is an
``SCCClassifier`` parameter. Test accuracy is printed, not used for any choice.
Results: ``scc/results/tuning/scc_stage.jsonl``.
"""

import ast
import sys

import torch
from _claims_scc import claims_scc, fit_and_report

import skinterp
from skinterp.benchmark import evaluation_texts

torch.set_num_threads(1)
name, enc, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
overrides = {}
for arg in sys.argv[4:]:
    key, value = arg.split("=", 1)
    overrides[key] = ast.literal_eval(value)
stage_lr = overrides.pop("stage_lr", None)
clf, data, run = claims_scc(name, enc, seed, **overrides)
if stage_lr is not None:
    warmup_lr = clf.lr
    original = skinterp.SCCClassifier._warm_up

    def _warm_up(self, X, y):
        # the warm-up keeps the profile's learning rate; only the SCC stage uses stage_lr
        self.lr = warmup_lr
        try:
            return original(self, X, y)
        finally:
            self.lr = stage_lr

    skinterp.SCCClassifier._warm_up = _warm_up
    clf.set_params(lr=stage_lr)
fit_and_report(
    clf,
    data,
    ds=name,
    enc=enc,
    seed=seed,
    stage_lr=stage_lr,
    **overrides,
    warmup_valid=lambda m: round(m.warmup_model_.history[-1]["valid_acc"], 4),
    epochs=lambda m: [
        (h["epoch"], round(h["valid_acc"], 3), round(h["keep_q90"] - h["keep_q10"], 2))
        for h in m.history
    ],
    warmup_test_acc=lambda m: round(m.warmup_model_.score(data.X_test, data.y_test), 4),
    # the claims profile's 200 evaluation texts (its accuracy claim reads these)
    sample_acc=lambda m: round(m.score(*evaluation_texts(run, data)), 4),
)
