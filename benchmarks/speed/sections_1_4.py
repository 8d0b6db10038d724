"""Re-run sections 1 (estimator overhead vs a bare PyTorch loop) and 4 (batched metrics vs a
per-text loop and vs the forward passes) of ``bench_speed.py`` alone, with its settings, e.g.
to check that a refactor of the core did not make them worse. Writes
``results/sections_1_4.json`` and prints a markdown table; compare with ``results/speed.md``.

    python benchmarks/speed/sections_1_4.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _core import overhead_case
from bench_speed import metric_speed

import skinterp
from skinterp.benchmark import environment
from skinterp.datasets import load_rotten_tomatoes


def main() -> None:
    torch.set_num_threads(2)
    start = time.perf_counter()
    data = load_rotten_tomatoes()
    X, y = data.X_train, data.y_train
    cnn = dict(encoder="cnn", embedding_dim=50, num_filters=100, lr=1e-3, batch_size=50)
    lstm = dict(encoder="lstm", embedding_dim=50, hidden_size=100, lr=1e-3, batch_size=50)
    overhead = [overhead_case("cnn", cnn, X, y, 4, 2), overhead_case("lstm", lstm, X, y, 4, 2)]
    clf = skinterp.TextClassifier(
        encoder="cnn", embeddings="glove-50d", lr=1e-3, batch_size=50, max_epochs=6, random_state=0
    ).fit(X, y)
    texts = [t for t in data.X_test if t.strip()][:500]
    metrics = metric_speed(clf, texts)
    out = {
        "environment": environment(),
        "overhead": overhead,
        "metrics": metrics,
        "wall_s": round(time.perf_counter() - start, 1),
    }
    path = Path(__file__).parent / "results" / "sections_1_4.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print("| backbone | estimator s/epoch | bare s/epoch | ratio |")
    for o in overhead:
        est, bare = o["textclassifier_epoch_s"], o["bare_pytorch_epoch_s"]
        print(f"| {o['case']} | {est} | {bare} | {o['ratio']} |")
    print(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    main()
