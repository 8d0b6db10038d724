"""SCC's two readings of inference on the whole test set: the masked classifier (M * x, what
SCCClassifier predicts) against the classifier alone on the whole text (the paper: "in the
testing stage, we only retain the neural classifier").

Usage: ``python benchmarks/reproduce/scc/scc_inference.py rt|tw cnn|lstm SEED`` (one line on
stdout). Kim-CNN / BiLSTM over GloVe-50d as in the claims profile, all training texts.
Measured (RT, CNN, seed 0): masked 0.7616, whole text 0.7673, best epoch 2.
"""

import sys

import numpy as np
import torch
from _claims_scc import claims_scc

from skinterp.text import Collator

torch.set_num_threads(1)
clf, data = claims_scc(sys.argv[1], sys.argv[2], int(sys.argv[3]))
clf.fit(data.X_train, data.y_train)
y = np.asarray(data.y_test)
acc_masked = clf.score(data.X_test, data.y_test)
m = clf.module_
m.eval()
encs = clf.encode(list(data.X_test))
coll = Collator(clf.tokenizer_.pad_id)
preds = []
with torch.no_grad():
    for i in range(0, len(encs), 200):
        X, _ = coll([(e, 0) for e in encs[i : i + 200]])
        out = m.encoder(X["input_ids"], X["attention_mask"], X.get("token_type_ids"))
        preds.append(m.head(out.pooled).argmax(1).numpy())
pred = clf.classes_[np.concatenate(preds)]
print(
    sys.argv[1:],
    "masked",
    round(acc_masked, 4),
    "whole text",
    round(float(np.mean(pred == y)), 4),
    "best epoch",
    [h["epoch"] for h in clf.history if h.get("valid_acc_best")][-1],
    flush=True,
)
