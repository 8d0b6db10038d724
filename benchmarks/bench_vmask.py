"""VMASK reproduction on Rotten Tomatoes: base, l2, L2X, IBA and VMASK side by side.

Same data (the fixed skinterp split), backbone, embeddings (GloVe-50d), epochs, learning rate
and seeds for every model. For each: test accuracy; AOPC@5 (paper normalisation) on the first
``--n-eval`` test texts with LIME (fixed ``num_samples`` and ``random_state``) and with the
model's native scores, and NAOPC@5 with LIME (AOPC rescaled per text between the worst and
best removal order, so models of different confidence compare); post-hoc accuracy for
k = 1..10 when each text keeps its k words of highest *global* importance (mask models:
``global_importance_``; base and l2: native local scores summed over 2,000 training texts);
median training time per epoch, and its ratio to the base model's.

Usage: ``python benchmarks/bench_vmask.py [--backbones cnn lstm] [--seeds 0] [--epochs 6]``.
Writes ``benchmarks/results/vmask.json`` and ``vmask.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from skinterp import IBAClassifier, L2XClassifier, TextClassifier, VMaskClassifier
from skinterp.datasets import load_rotten_tomatoes
from skinterp.explain import LimeExplainer, global_importance
from skinterp.metrics import aopc_score, posthoc_accuracy_curve

RESULTS = Path(__file__).parent / "results"

MODELS = {
    "base": (TextClassifier, {}),
    "l2": (TextClassifier, {"weight_decay": 1e-4}),
    "L2X": (L2XClassifier, {"select_k": 10}),
    "IBA": (IBAClassifier, {"beta": 1.0}),
    "VMASK": (VMaskClassifier, {"beta": 1.0, "beta_step": 0.099, "beta_floor": 0.01}),
    # what else was tried: a small constant beta instead of the public code's schedule
    "VMASK b=0.1": (VMaskClassifier, {"beta": 0.1, "beta_step": 0.0}),
}
BACKBONES = {
    "cnn": {"encoder": "cnn", "num_filters": 100},
    "lstm": {"encoder": "lstm", "hidden_size": 100},
}


def run(name, backbone, seed, data, args):
    cls, extra = MODELS[name]
    clf = cls(
        **BACKBONES[backbone],
        **extra,
        embeddings="glove-50d",
        lr=1e-3,
        batch_size=50,
        max_epochs=args.epochs,
        random_state=seed,
    )
    start = time.perf_counter()
    clf.fit(data.X_train, data.y_train)
    fit_s = time.perf_counter() - start
    texts = [t for t in data.X_test if t.strip()][: args.n_eval]
    lime = LimeExplainer(num_samples=args.lime_samples, random_state=0)
    if hasattr(clf, "global_importance_"):
        table = clf.global_importance_
    else:
        table = global_importance(clf, data.X_train[:2000], explainer="native")
    lime_exps = lime.explain(clf, texts)
    return {
        "model": name,
        "backbone": backbone,
        "seed": seed,
        "epochs": args.epochs,
        "test_accuracy": round(clf.score(data.X_test, data.y_test), 4),
        "aopc5_lime": round(float(aopc_score(clf, texts, k=5, explanations=lime_exps)), 4),
        "naopc5_lime": round(
            float(aopc_score(clf, texts, k=5, explanations=lime_exps, normalization="naopc")), 4
        ),
        "aopc5_native": round(float(aopc_score(clf, texts, k=5)), 4),
        "posthoc_global@1..10": [
            round(float(v), 4)
            for v in posthoc_accuracy_curve(clf, texts, k=10, global_scores=table)
        ],
        "epoch_s": round(statistics.median(clf.history[:, "dur"]), 3),
        "fit_s": round(fit_s, 2),
    }


def timing(backbone, data, args, n=3000, epochs=3, rounds=3):
    """VMASK/base epoch-time ratio, measured interleaved and repeated (single fits are noisy)."""
    per = {"base": [], "VMASK": []}
    X, y = data.X_train[:n], data.y_train[:n]
    for r in range(rounds):
        for name in ("base", "VMASK"):
            cls, extra = MODELS[name]
            clf = cls(
                **BACKBONES[backbone],
                **extra,
                embeddings="glove-50d",
                lr=1e-3,
                batch_size=50,
                max_epochs=epochs,
                random_state=r,
            ).fit(X, y)
            per[name].append(statistics.median(clf.history[:, "dur"][1:]))
    base, vm = statistics.median(per["base"]), statistics.median(per["VMASK"])
    return {
        "backbone": backbone,
        "n_train": n,
        "epochs": epochs,
        "rounds": rounds,
        "base_epoch_s": round(base, 4),
        "vmask_epoch_s": round(vm, 4),
        "ratio": round(vm / base, 3),
        "goal": "<= 1.15",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backbones", nargs="+", default=["cnn", "lstm"], choices=BACKBONES)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--n-eval", type=int, default=200)
    parser.add_argument("--lime-samples", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--timing-only",
        action="store_true",
        help="only the interleaved VMASK/base epoch-time measurement",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = load_rotten_tomatoes()
    times = [timing(b, data, args) for b in args.backbones]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "vmask_timing.json").write_text(
        json.dumps({"benchmark": "vmask_timing", "what": timing.__doc__, "runs": times}, indent=2)
        + "\n"
    )
    tlines = [
        "# VMASK epoch time relative to base (interleaved, median of 3 rounds x 3 epochs, "
        "3,000 Rotten Tomatoes sentences, GloVe-50d)",
        "",
        "| backbone | base s/epoch | VMASK s/epoch | ratio (goal <= 1.15) |",
        "|---|---|---|---|",
    ]
    tlines += [
        f"| {t['backbone']} | {t['base_epoch_s']} | {t['vmask_epoch_s']} | {t['ratio']} |"
        for t in times
    ]
    (args.out / "vmask_timing.md").write_text("\n".join(tlines) + "\n")
    print("\n".join(tlines))
    if args.timing_only:
        return
    runs = []
    for backbone in args.backbones:
        for seed in args.seeds:
            for name in MODELS:
                runs.append(run(name, backbone, seed, data, args))
                print(json.dumps(runs[-1]), flush=True)
    result = {
        "benchmark": "vmask",
        "what": __doc__.split("\n\n")[1].strip(),
        "machine": {
            "platform": platform.platform(),
            "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(),
        },
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "runs": runs,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "vmask.json").write_text(json.dumps(result, indent=2) + "\n")

    def mean(rows, key, index=None):
        vals = [r[key] if index is None else r[key][index] for r in rows]
        return float(np.mean(vals))

    lines = [
        "# VMASK on Rotten Tomatoes (binary), GloVe-50d",
        "",
        f"Machine: {result['machine']['platform']}, torch {torch.__version__}, "
        f"{args.threads} threads. Seeds {args.seeds}, {args.epochs} epochs, lr 1e-3, batch 50. "
        f"AOPC@5 on {args.n_eval} test texts (LIME: {args.lime_samples} samples, "
        "random_state 0). Command: `python benchmarks/bench_vmask.py`.",
        "",
        "| backbone | model | test acc | AOPC@5 LIME | NAOPC@5 LIME | AOPC@5 native | "
        "post-hoc@1 | post-hoc@5 | post-hoc@10 | s/epoch | epoch vs base |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for backbone in args.backbones:
        base_rows = [r for r in runs if r["backbone"] == backbone and r["model"] == "base"]
        base_epoch = mean(base_rows, "epoch_s")
        for name in MODELS:
            rows = [r for r in runs if r["backbone"] == backbone and r["model"] == name]
            lines.append(
                f"| {backbone} | {name} | {mean(rows, 'test_accuracy'):.3f} | "
                f"{mean(rows, 'aopc5_lime'):.3f} | {mean(rows, 'naopc5_lime'):.3f} | "
                f"{mean(rows, 'aopc5_native'):.3f} | "
                f"{mean(rows, 'posthoc_global@1..10', 0):.3f} | "
                f"{mean(rows, 'posthoc_global@1..10', 4):.3f} | "
                f"{mean(rows, 'posthoc_global@1..10', 9):.3f} | {mean(rows, 'epoch_s'):.2f} | "
                f"{mean(rows, 'epoch_s') / base_epoch:.2f} |"
            )
    lines += [
        "",
        "The s/epoch column comes from single fits and is noisy (about +-10% here); the "
        "VMASK/base epoch-time ratio is measured interleaved and repeated in "
        "[vmask_timing.md](vmask_timing.md).",
    ]
    (args.out / "vmask.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
