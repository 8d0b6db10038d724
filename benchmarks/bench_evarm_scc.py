"""E-VarM, SCC and their baselines with MiniLM on three real data sets, side by side.

MiniLM-L6 truncated to its first ``--layers`` layers (2 by default, for CPU), fine-tuned on
the first ``--n-train`` training texts of Rotten Tomatoes, tweets and BBC News (fixed
skinterp splits), ``--epochs`` epochs, the same learning rate, batch size and seed for every
model. For each: test accuracy on ``--n-eval`` test texts; AOPC@{1,5,9} (paper normalisation)
and post-hoc accuracy @1/@5/@10 with the model's native explanation; median training time
per epoch and its ratio to the base model's (goals: E-VarM <= 4x, SCC <= 3.5x).

Usage: ``python benchmarks/bench_evarm_scc.py [--datasets rt tweets bbc] [--n-train 800]``.
Writes ``benchmarks/results/evarm_scc.json`` and ``evarm_scc.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import torch

from skinterp import (
    AGNClassifier,
    EVarMClassifier,
    SCCClassifier,
    SCLClassifier,
    SimCSEClassifier,
    TextClassifier,
    VMaskClassifier,
)
from skinterp.datasets import load_bbc_news, load_rotten_tomatoes, load_tweets
from skinterp.metrics import aopc_score, posthoc_accuracy_curve

RESULTS = Path(__file__).parent / "results"
DATASETS = {
    "rt": (load_rotten_tomatoes, 64),
    "tweets": (load_tweets, 64),
    "bbc": (load_bbc_news, 96),
}
MODELS = {
    "base": (TextClassifier, {}),
    "VMASK": (VMaskClassifier, {}),
    "E-VarM": (EVarMClassifier, {"training": "iterative"}),
    "E-VarM-PPL": (EVarMClassifier, {"training": "pipeline"}),
    "E-VarM-ETE": (EVarMClassifier, {"training": "end_to_end"}),
    "E-VarM-MASK": (EVarMClassifier, {"contrastive": False}),
    "SCC": (SCCClassifier, {}),
    "SCL": (SCLClassifier, {}),
    "SimCSE": (SimCSEClassifier, {}),
    "AGN": (AGNClassifier, {}),
}


def run(dataset, name, args):
    loader, max_length = DATASETS[dataset]
    data = loader()
    cls, extra = MODELS[name]
    clf = cls(
        encoder="transformer",
        pretrained="minilm",
        transformer_kwargs={"num_hidden_layers": args.layers},
        max_length=max_length,
        lr=args.lr,
        batch_size=32,
        max_epochs=args.epochs,
        random_state=args.seed,
        **extra,
    )
    start = time.perf_counter()
    clf.fit(data.X_train[: args.n_train], data.y_train[: args.n_train])
    fit_s = time.perf_counter() - start
    X_test, y_test = data.X_test[: args.n_eval], data.y_test[: args.n_eval]
    exps = clf.explain(X_test)
    posthoc = posthoc_accuracy_curve(clf, X_test, k=10, explanations=exps)
    return {
        "dataset": dataset,
        "model": name,
        "n_train": args.n_train,
        "n_eval": len(X_test),
        "epochs": args.epochs,
        "layers": args.layers,
        "seed": args.seed,
        "test_accuracy": round(clf.score(X_test, y_test), 4),
        "aopc@1,5,9": [
            round(float(v), 4) for v in aopc_score(clf, X_test, k=(1, 5, 9), explanations=exps)
        ],
        "posthoc@1,5,10": [round(float(posthoc[i]), 4) for i in (0, 4, 9)],
        "epoch_s": round(statistics.median(clf.history[:, "dur"]), 2),
        "fit_s": round(fit_s, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--n-train", type=int, default=600)
    parser.add_argument("--n-eval", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    runs = []
    for dataset in args.datasets:
        for name in args.models:
            runs.append(run(dataset, name, args))
            print(json.dumps(runs[-1]), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": "evarm_scc",
        "what": __doc__.split("\n\n")[1].strip(),
        "machine": {
            "platform": platform.platform(),
            "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(),
        },
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "runs": runs,
    }
    (args.out / "evarm_scc.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# E-VarM, SCC and baselines with MiniLM",
        "",
        f"Machine: {result['machine']['platform']}, torch {torch.__version__}, {args.threads} "
        f"threads. MiniLM-L6 truncated to {args.layers} layers; first {args.n_train} training "
        f"texts, {args.epochs} epochs, lr {args.lr}, batch 32, seed {args.seed}; metrics on the "
        f"first {args.n_eval} test texts with each model's native explanation; mean pooling; "
        f"max_length 64 (96 for BBC News). Command: "
        "`python benchmarks/bench_evarm_scc.py`.",
        "",
        "| data | model | acc | AOPC@1 | AOPC@5 | AOPC@9 | post-hoc@1 | post-hoc@5 | "
        "post-hoc@10 | s/epoch | vs base |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for dataset in args.datasets:
        rows = [r for r in runs if r["dataset"] == dataset]
        base = next((r["epoch_s"] for r in rows if r["model"] == "base"), None)
        for r in rows:
            ratio = f"{r['epoch_s'] / base:.2f}" if base else "-"
            a, p = r["aopc@1,5,9"], r["posthoc@1,5,10"]
            lines.append(
                f"| {dataset} | {r['model']} | {r['test_accuracy']:.3f} | {a[0]:.3f} | "
                f"{a[1]:.3f} | {a[2]:.3f} | {p[0]:.3f} | {p[1]:.3f} | {p[2]:.3f} | "
                f"{r['epoch_s']} | {ratio} |"
            )
    (args.out / "evarm_scc.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
