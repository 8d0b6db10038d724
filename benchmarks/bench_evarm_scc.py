"""E-VarM, SCC and their baselines with MiniLM on three real data sets, side by side.

MiniLM-L6 truncated to its first ``--layers`` layers (2 by default, for CPU), fine-tuned on
the first ``--n-train`` training texts of Rotten Tomatoes, tweets and BBC News (fixed
skinterp splits), ``--epochs`` epochs, the same learning rate, batch size and seed for every
model. For each: test accuracy on ``--n-eval`` test texts; AOPC@{1,5,9} (paper normalisation)
and post-hoc accuracy @1/@5/@10 with the model's native explanation; median training time
per epoch and its ratio to the base model's (goals: E-VarM <= 4x, SCC <= 3.5x).
With ``--init-from-base`` (the default) the mask models (VMASK, E-VarM and its variants,
SCC) start from the fine-tuned base model (``init_from=``), as VMASK/E-VarM do in the papers
(they build on a trained classifier); ``--no-init-from-base`` trains them from MiniLM.
``--timing-only`` measures just the epoch-time ratios, base/E-VarM/SCC interleaved over
``--rounds`` rounds (single fits are noisy), and writes ``evarm_scc_timing.{json,md}``.

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
from sklearn.frozen import FrozenEstimator

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
MASK_MODELS = {"VMASK", "E-VarM", "E-VarM-PPL", "E-VarM-ETE", "E-VarM-MASK", "SCC"}


def make(name, max_length, args, **kw):
    cls, extra = MODELS[name]
    return cls(
        encoder="transformer",
        pretrained="minilm",
        transformer_kwargs={"num_hidden_layers": args.layers},
        max_length=max_length,
        lr=args.lr,
        batch_size=32,
        max_epochs=args.epochs,
        random_state=args.seed,
        **extra,
        **kw,
    )


def run(dataset, name, args, base=None):
    loader, max_length = DATASETS[dataset]
    data = loader()
    init = {}
    if base is not None and name in MASK_MODELS:
        init = {"init_from": FrozenEstimator(base)}
    clf = make(name, max_length, args, **init)
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
        "init_from_base": bool(init),
        "test_accuracy": round(clf.score(X_test, y_test), 4),
        "aopc@1,5,9": [
            round(float(v), 4) for v in aopc_score(clf, X_test, k=(1, 5, 9), explanations=exps)
        ],
        "posthoc@1,5,10": [round(float(posthoc[i]), 4) for i in (0, 4, 9)],
        "epoch_s": round(statistics.median(clf.history[:, "dur"]), 2),
        "fit_s": round(fit_s, 1),
    }, clf


def timing(args, dataset="rt", names=("base", "E-VarM", "SCC")):
    """Epoch-time ratios to base, fits interleaved over ``args.rounds`` rounds (medians)."""
    loader, max_length = DATASETS[dataset]
    data = loader()
    X, y = data.X_train[: args.n_train], data.y_train[: args.n_train]
    per = {n: [] for n in names}
    for _ in range(args.rounds):
        for name in names:
            clf = make(name, max_length, args).fit(X, y)
            per[name].append(statistics.median(clf.history[:, "dur"]))
    base = statistics.median(per["base"])
    goals = {"E-VarM": "<= 4", "SCC": "<= 3.5"}
    return [
        {
            "dataset": dataset,
            "model": n,
            "epoch_s": round(statistics.median(per[n]), 3),
            "all_epoch_s": [round(v, 3) for v in per[n]],
            "ratio": round(statistics.median(per[n]) / base, 3),
            "goal": goals.get(n, "-"),
        }
        for n in names
    ]


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
    parser.add_argument("--init-from-base", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--timing-only", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.timing_only:
        rows = timing(args)
        (args.out / "evarm_scc_timing.json").write_text(
            json.dumps(
                {
                    "benchmark": "evarm_scc_timing",
                    "what": timing.__doc__,
                    "machine": {
                        "platform": platform.platform(),
                        "torch": torch.__version__,
                        "torch_threads": torch.get_num_threads(),
                    },
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "runs": rows,
                },
                indent=2,
            )
            + "\n"
        )
        lines = [
            "# E-VarM / SCC epoch time relative to base",
            "",
            f"Rotten Tomatoes, first {args.n_train} training texts, MiniLM-L6 truncated to "
            f"{args.layers} layers, {args.epochs} epochs per fit, {args.rounds} rounds of "
            f"interleaved fits, median epoch time; {platform.platform()}, torch "
            f"{torch.__version__}, {args.threads} threads. Command: "
            "`python benchmarks/bench_evarm_scc.py --timing-only`.",
            "",
            "| model | s/epoch (median) | all rounds | vs base | goal |",
            "|---|---|---|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| {r['model']} | {r['epoch_s']} | {r['all_epoch_s']} | {r['ratio']} | "
                f"{r['goal']} |"
            )
        (args.out / "evarm_scc_timing.md").write_text("\n".join(lines) + "\n")
        print("\n".join(lines))
        return
    runs = []
    for dataset in args.datasets:
        base = None
        for name in args.models:
            row, clf = run(dataset, name, args, base if args.init_from_base else None)
            if name == "base":
                base = clf
            runs.append(row)
            print(json.dumps(runs[-1]), flush=True)
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
        f"first {args.n_eval} test texts with each model's native explanation; [CLS] pooling; "
        f"max_length 64 (96 for BBC News). Mask models (VMASK, E-VarM*, SCC) "
        + (
            "start from the fine-tuned base (`init_from`). "
            if args.init_from_base
            else "start from MiniLM. "
        )
        + "Command: "
        "`python benchmarks/bench_evarm_scc.py`. The s/epoch column comes from single fits "
        "(noisy when anything else runs); the epoch-time goals are judged on the interleaved "
        "timing pass, [evarm_scc_timing.md](evarm_scc_timing.md).",
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
