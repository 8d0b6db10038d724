"""Which scorer defaults tell models apart? The measurement behind ``make_*_scorer``'s defaults.

A scorer's main use is ``GridSearchCV`` over a method's hyperparameters, i.e. comparing
models. This fits VMASK (Kim-CNN over GloVe-50d) on Rotten Tomatoes training texts for a grid
of β (the candidates of a search) and several seeds, and scores every model on the same
validation texts with each candidate scorer setting:

- raw AOPC@5 of the model's own explanation (the old ``make_aopc_scorer()`` default),
- NAOPC@5 of the model's own explanation (AOPC divided per text by the best and worst any
  ordering reaches),
- post-hoc accuracy@5 and @1 of the model's own explanation,
- comprehensiveness at 10 % and 20 % of the words.

For each setting it reports the spread between candidates (range of the seed means), the
noise within a candidate (pooled sd over seeds), their ratio (how well the scorer separates
the candidates), and the Pearson correlation of the per-model score with the model's mean
confidence (max probability) on those texts: a scorer meant to compare explanations should
not mostly measure confidence.

Usage: ``python benchmarks/scorers/bench_scorer_defaults.py [--seeds 0 1 2] [--n-train 3000]``;
writes ``benchmarks/scorers/results/scorer_defaults.{json,md}``. Resumable: each fitted
model's scores are appended to ``results/scorer_defaults.jsonl`` as it finishes.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
BETAS = (0.01, 0.1, 1.0)


def _scores(clf, X) -> dict:
    from skinterp.metrics import aopc_score, comprehensiveness_score, posthoc_accuracy_score

    exps = clf.explain(X)
    proba = clf.predict_proba(X).max(1)
    return {
        "raw AOPC@5 (native)": aopc_score(clf, X, k=5, explanations=exps),
        "NAOPC@5 (native)": aopc_score(clf, X, k=5, normalization="naopc", explanations=exps),
        "post-hoc accuracy@5": posthoc_accuracy_score(clf, X, k=5, explanations=exps),
        "post-hoc accuracy@1": posthoc_accuracy_score(clf, X, k=1, explanations=exps),
        "comprehensiveness@10%": comprehensiveness_score(clf, X, size=0.1, explanations=exps),
        "comprehensiveness@20%": comprehensiveness_score(clf, X, size=0.2, explanations=exps),
        "confidence": float(proba.mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n-train", type=int, default=3000)
    parser.add_argument("--n-valid", type=int, default=300)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    import torch

    from skinterp import VMaskClassifier
    from skinterp.datasets import load_rotten_tomatoes

    torch.set_num_threads(2)
    data = load_rotten_tomatoes()
    X, y = data.X_train[: args.n_train], data.y_train[: args.n_train]
    Xv = list(data.X_valid[: args.n_valid])  # validation texts: never the test split
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    log = out / "scorer_defaults.jsonl"
    done = {}
    if log.exists():
        for line in log.read_text().splitlines():
            rec = json.loads(line)
            done[(rec["beta"], rec["seed"])] = rec
    for beta in BETAS:
        for seed in args.seeds:
            if (beta, seed) in done:
                continue
            t0 = time.perf_counter()
            clf = VMaskClassifier(
                embeddings="glove-50d", beta=beta, max_epochs=args.epochs, random_state=seed
            ).fit(X, y)
            rec = {"beta": beta, "seed": seed, "scores": _scores(clf, Xv)}
            rec["seconds"] = round(time.perf_counter() - t0, 1)
            done[(beta, seed)] = rec
            with open(log, "a") as fh:
                fh.write(json.dumps(rec) + "\n")
            print(f"beta={beta} seed={seed}: {rec['scores']}", flush=True)
    names = [n for n in next(iter(done.values()))["scores"] if n != "confidence"]
    table = {}
    conf = np.array([r["scores"]["confidence"] for r in done.values()])
    for name in names:
        per = {b: [done[(b, s)]["scores"][name] for s in args.seeds] for b in BETAS}
        means = [np.mean(v) for v in per.values()]
        noise = float(np.sqrt(np.mean([np.var(v, ddof=1) for v in per.values()])))
        values = np.array([r["scores"][name] for r in done.values()])
        table[name] = {
            "mean_per_beta": dict(zip(map(str, BETAS), map(float, means), strict=True)),
            "spread": float(np.ptp(means)),
            "seed_sd": noise,
            "separation": float(np.ptp(means) / noise) if noise > 0 else float("inf"),
            "corr_with_confidence": float(np.corrcoef(values, conf)[0, 1]),
        }
    result = {
        "what": "VMASK (CNN, GloVe-50d) on Rotten Tomatoes: a beta grid scored on validation "
        "texts by each scorer setting; separation = spread of the candidates' seed means / "
        "pooled seed sd",
        "betas": BETAS,
        "seeds": args.seeds,
        "n_train": args.n_train,
        "n_valid": args.n_valid,
        "epochs": args.epochs,
        "table": table,
    }
    (out / "scorer_defaults.json").write_text(json.dumps(result, indent=1) + "\n")
    lines = [
        "# Scorer defaults: which setting tells models apart",
        "",
        f"VMASK (Kim-CNN, GloVe-50d), β ∈ {list(BETAS)}, seeds {args.seeds}, "
        f"{args.n_train} Rotten Tomatoes training texts, {args.epochs} epochs; every model "
        f"scored on the first {args.n_valid} validation texts. Generated by "
        "`benchmarks/scorers/bench_scorer_defaults.py`.",
        "",
        "| scorer | "
        + " | ".join(f"β={b}" for b in BETAS)
        + " | spread | seed sd | separation | corr. with confidence |",
        "|---|" + "---|" * (len(BETAS) + 4),
    ]
    for name, row in table.items():
        cells = " | ".join(f"{v:.4f}" for v in row["mean_per_beta"].values())
        lines.append(
            f"| {name} | {cells} | {row['spread']:.4f} | {row['seed_sd']:.4f} | "
            f"{row['separation']:.1f} | {row['corr_with_confidence']:+.2f} |"
        )
    conf = {b: np.mean([done[(b, s)]["scores"]["confidence"] for s in args.seeds]) for b in BETAS}
    lines.append(
        "| *mean confidence (max probability)* | "
        + " | ".join(f"{conf[b]:.3f}" for b in BETAS)
        + " | | | | |"
    )
    (out / "scorer_defaults.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
