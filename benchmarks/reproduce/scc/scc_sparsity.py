"""SCC with the l1 term of L_sc weighted by w (the paper: 1) and gamma annealed by
``gamma_step`` per epoch (the paper: 0.099): the picked epoch, its validation accuracy and the
spread (q90 - q10) and median of the keep probabilities at that epoch.

Usage: ``python benchmarks/reproduce/scc/scc_sparsity.py rt|tw cnn|lstm W [GAMMA_STEP [SEED]]`` (one
JSON line on stdout). Kim-CNN / BiLSTM over GloVe-50d as in the claims profile (seed 0
unless given), all training texts; the choice is read off the validation share only (test
accuracy is printed, not used).
Results (CNN; weights 1, 0.3, 0.1, 0.03; gamma_step 0.099, 0.33, 0.99):
``scc/results/tuning/scc_sparsity.jsonl``.
"""

import sys

import torch
from _claims_scc import claims_scc, fit_and_report

torch.set_num_threads(1)
name, enc, w = sys.argv[1], sys.argv[2], float(sys.argv[3])
gamma_step = float(sys.argv[4]) if len(sys.argv) > 4 else 0.099
seed = int(sys.argv[5]) if len(sys.argv) > 5 else 0
clf, data, run = claims_scc(name, enc, seed, sparsity=w, gamma_step=gamma_step)
fit_and_report(clf, data, ds=name, enc=enc, w=w, gamma_step=gamma_step, seed=seed)
