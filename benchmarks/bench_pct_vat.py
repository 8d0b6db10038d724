"""PCT vs base and Entropy (PCT Tables 1-2); VAT vs base and attention (VAT Tables 3-5).

PCT part: Rotten Tomatoes and BBC News with CNN and LSTM (GloVe-50d) and MiniLM-L6
truncated to 2 layers. Base and PCT train from scratch (MiniLM: from its pretrained
weights) for the same epochs; Entropy fine-tunes the trained base (``init_from``) for
``--entropy-epochs`` epochs, as Feng et al. do. Metrics on the test subset with gradient
saliency (L2 norm of the predicted class probability's gradient, the saliency PCT trains):
accuracy, F(X), Comp and Suff (the top / bottom 10 % of words removed), IR#/UR# (words
removed until the label changes), I-Var/U-Var.

VAT part: Rotten Tomatoes and tweets with LSTM (GloVe-50d) and MiniLM-2: base, attention
and VAT. Accuracy; AOPC@5 (paper normalisation) and post-hoc accuracy@5 of the attention
ranking and of a random ranking, both judged by the trained *base* model as in the VAT
paper (and AOPC@5 on the model itself); word-level plausibility P/R/F1@{1,5} of the
attention against the VADER lexicon (|valence| >= 1, sign of the predicted class), for
texts predicted positive and negative.

Every model: median training time per epoch, and its ratio to the base model's (goals: VAT
<= 1.5x; PCT about its 2m+2 passes). Usage: ``python benchmarks/bench_pct_vat.py [--part
pct vat]``; writes ``benchmarks/results/pct_vat.{json,md}``.
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
from sklearn.frozen import FrozenEstimator

from skinterp import (
    AttentionClassifier,
    EntropyClassifier,
    PCTClassifier,
    TextClassifier,
    VATClassifier,
)
from skinterp.datasets import load_bbc_news, load_rotten_tomatoes, load_tweets, load_vader_lexicon
from skinterp.explain import get_explainer
from skinterp.metrics import (
    aopc_score,
    comprehensiveness_score,
    confidence_score,
    plausibility_scores,
    posthoc_accuracy_score,
    reduced_number,
    saliency_variance,
    sufficiency_score,
)

RESULTS = Path(__file__).parent / "results"
LOADERS = {"rt": load_rotten_tomatoes, "bbc": load_bbc_news, "tweets": load_tweets}


def backbone_params(backbone: str, dataset: str, args) -> dict:
    if backbone == "minilm":
        return {
            "encoder": "transformer",
            "pretrained": "minilm",
            "transformer_kwargs": {"num_hidden_layers": 2},
            "max_length": 64,
            "lr": 5e-4,
            "batch_size": 32,
            "max_epochs": args.minilm_epochs,
        }
    return {
        "encoder": backbone,
        "embeddings": "glove-50d",
        "num_filters": 100,
        "hidden_size": 100,
        "max_length": 64,
        "lr": 1e-3,
        "batch_size": 50,
        "max_epochs": args.epochs,
    }


def n_train(backbone: str, dataset: str, args) -> int:
    if backbone == "minilm":
        return args.n_train_minilm // (2 if dataset == "bbc" else 1)
    return args.n_train // (2 if dataset == "bbc" else 1)


def test_subset(data, dataset, args):
    """The first ``n_eval`` test texts; BBC articles cut to their first 40 words so every word
    of an evaluated text fits in the model's 64 tokens (a truncated word has no saliency, and
    removing it changes nothing, which would distort Suff, UR# and U-Var)."""
    X, y = data.X_test[: args.n_eval], data.y_test[: args.n_eval]
    if dataset == "bbc":
        X = [" ".join(x.split()[:40]) for x in X]
    return X, y


def _fit(cls, params, X, y, **extra):
    clf = cls(**params, random_state=0, **extra)
    start = time.perf_counter()
    clf.fit(X, y)
    return clf, time.perf_counter() - start, statistics.median(clf.history[:, "dur"])


def pct_runs(dataset, backbone, args):
    data = LOADERS[dataset]()
    n = n_train(backbone, dataset, args)
    X, y = data.X_train[:n], data.y_train[:n]
    X_test, y_test = test_subset(data, dataset, args)
    params = backbone_params(backbone, dataset, args)
    grad = get_explainer("gradient")
    rows, base = [], None
    for name in ("base", "Entropy", "PCT"):
        extra = {}
        p = dict(params)
        if name == "Entropy":
            p["max_epochs"] = args.entropy_epochs
            extra = {"init_from": FrozenEstimator(base), "max_reduction_steps": 10}
        cls = {"base": TextClassifier, "Entropy": EntropyClassifier, "PCT": PCTClassifier}[name]
        clf, fit_s, epoch_s = _fit(cls, p, X, y, **extra)
        exps = grad.explain(clf, X_test)
        rn = reduced_number(clf, X_test, explanations=exps)
        sv = saliency_variance(clf, X_test, explainer=grad, explanations=exps)
        row = {
            "part": "pct",
            "dataset": dataset,
            "backbone": backbone,
            "model": name,
            "n_train": n,
            "n_eval": len(X_test),
            "epochs": p["max_epochs"],
            "accuracy": clf.score(X_test, y_test),
            "F(X)": confidence_score(clf, X_test),
            "Comp": comprehensiveness_score(clf, X_test, explanations=exps, size=0.1),
            "Suff": sufficiency_score(clf, X_test, explanations=exps, size=0.1),
            "IR#": rn.important,
            "UR#": rn.unimportant,
            "I-Var": sv.important,
            "U-Var": sv.unimportant,
            "epoch_s": epoch_s,
            "fit_s": fit_s,
        }
        if name == "base":
            base = clf
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def _plausibility(clf, X, exps, lexicon):
    out = {}
    for label, sign in (("pos", 1), ("neg", 0)):
        sub = [(x, e) for x, e in zip(X, exps, strict=True) if e.label == sign]
        for k in (1, 5):
            if not sub:
                out[f"{label}@{k}"] = [0.0, 0.0, 0.0]
                continue
            xs, es = zip(*sub, strict=True)
            out[f"{label}@{k}"] = list(
                plausibility_scores(clf, list(xs), lexicon, k=k, explanations=list(es))
            )
    return out


def vat_runs(dataset, backbone, args, lexicon):
    data = LOADERS[dataset]()
    n = n_train(backbone, dataset, args)
    X, y = data.X_train[:n], data.y_train[:n]
    X_test, y_test = test_subset(data, dataset, args)
    params = backbone_params(backbone, dataset, args)
    rows, base = [], None
    for name in ("base", "attention", "VAT"):
        cls = {"base": TextClassifier, "attention": AttentionClassifier, "VAT": VATClassifier}[name]
        extra = {"n_iterations": 1} if name == "VAT" else {}
        clf, fit_s, epoch_s = _fit(cls, params, X, y, **extra)
        row = {
            "part": "vat",
            "dataset": dataset,
            "backbone": backbone,
            "model": name,
            "n_train": n,
            "n_eval": len(X_test),
            "epochs": params["max_epochs"],
            "accuracy": clf.score(X_test, y_test),
            "epoch_s": epoch_s,
            "fit_s": fit_s,
        }
        if name == "base":
            base = clf
            rnd = get_explainer("random").explain(base, X_test)
            row["AOPC@5 random (base)"] = aopc_score(base, X_test, k=5, explanations=rnd)
            row["post-hoc@5 random (base)"] = posthoc_accuracy_score(
                base, X_test, k=5, explanations=rnd
            )
        else:
            exps = clf.explain(X_test)
            row["AOPC@5 (base)"] = aopc_score(base, X_test, k=5, explanations=exps)
            row["post-hoc@5 (base)"] = posthoc_accuracy_score(base, X_test, k=5, explanations=exps)
            row["AOPC@5 (self)"] = aopc_score(clf, X_test, k=5, explanations=exps)
            row["plausibility"] = _plausibility(clf, X_test, exps, lexicon)
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def _f(v):
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def tables(runs, args) -> list[str]:
    lines = []
    pct = [r for r in runs if r["part"] == "pct"]
    if pct:
        lines += [
            "## PCT vs base and Entropy (PCT Tables 1-2)",
            "",
            "| data | backbone | model | n_train | epochs | acc | F(X) | Comp | Suff | Comp-Suff "
            "| IR# | UR# | I-Var | U-Var | s/epoch | vs base |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in pct:
            b = next(
                x
                for x in pct
                if x["dataset"] == r["dataset"]
                and x["backbone"] == r["backbone"]
                and x["model"] == "base"
            )
            lines.append(
                "| "
                + " | ".join(
                    [r["dataset"], r["backbone"], r["model"], str(r["n_train"]), str(r["epochs"])]
                    + [_f(r[c]) for c in ("accuracy", "F(X)", "Comp", "Suff")]
                    + [_f(r["Comp"] - r["Suff"])]
                    + [_f(r[c]) for c in ("IR#", "UR#", "I-Var", "U-Var")]
                    + [f"{r['epoch_s']:.2f}", f"{r['epoch_s'] / b['epoch_s']:.2f}"]
                )
                + " |"
            )
        lines.append("")
    vat = [r for r in runs if r["part"] == "vat"]
    if vat:
        lines += [
            "## VAT vs base and attention (VAT Tables 2-5)",
            "",
            "AOPC@5 / post-hoc@5 judged by the base model (paper protocol); the base row shows a "
            "random ranking. Plausibility: P/R/F1 against VADER, texts predicted positive / "
            "negative.",
            "",
            "| data | backbone | model | acc | AOPC@5 (base) | post-hoc@5 (base) | AOPC@5 (self) "
            "| pos P/R/F1@1 | pos P/R/F1@5 | neg P/R/F1@1 | neg P/R/F1@5 | s/epoch | vs base |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in vat:
            b = next(
                x
                for x in vat
                if x["dataset"] == r["dataset"]
                and x["backbone"] == r["backbone"]
                and x["model"] == "base"
            )
            if r["model"] == "base":
                cells = [
                    _f(r["AOPC@5 random (base)"]) + " (random)",
                    _f(r["post-hoc@5 random (base)"]) + " (random)",
                    "-",
                ] + ["-"] * 4
            else:
                pl = r["plausibility"]
                cells = [
                    _f(r["AOPC@5 (base)"]),
                    _f(r["post-hoc@5 (base)"]),
                    _f(r["AOPC@5 (self)"]),
                ] + [
                    "/".join(f"{v:.2f}" for v in pl[key])
                    for key in ("pos@1", "pos@5", "neg@1", "neg@5")
                ]
            lines.append(
                "| "
                + " | ".join(
                    [
                        r["dataset"],
                        r["backbone"],
                        r["model"],
                        _f(r["accuracy"]),
                        *cells,
                        f"{r['epoch_s']:.2f}",
                        f"{r['epoch_s'] / b['epoch_s']:.2f}",
                    ]
                )
                + " |"
            )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", nargs="+", default=["pct", "vat"], choices=["pct", "vat"])
    parser.add_argument("--backbones", nargs="+", default=["cnn", "lstm", "minilm"])
    parser.add_argument("--n-train", type=int, default=2000)
    parser.add_argument("--n-train-minilm", type=int, default=600)
    parser.add_argument("--n-eval", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--minilm-epochs", type=int, default=3)
    parser.add_argument("--entropy-epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    runs = []
    if "pct" in args.part:
        for dataset in ("rt", "bbc"):
            for backbone in args.backbones:
                runs += pct_runs(dataset, backbone, args)
    if "vat" in args.part:
        lexicon = load_vader_lexicon()
        for dataset in ("rt", "tweets"):
            for backbone in [b for b in args.backbones if b != "cnn"]:
                runs += vat_runs(dataset, backbone, args, lexicon)
    for r in runs:
        for k, v in r.items():
            if isinstance(v, (float, np.floating)):
                r[k] = round(float(v), 4)
    args.out.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.platform()}, torch {torch.__version__}, {args.threads} threads"
    result = {
        "benchmark": "pct_vat",
        "what": __doc__.split("\n\n", 1)[1].strip(),
        "machine": machine,
        "args": {k: str(v) for k, v in vars(args).items()},
        "runs": runs,
    }
    (args.out / "pct_vat.json").write_text(json.dumps(result, indent=2) + "\n")
    header = [
        "# PCT and VAT with their baselines",
        "",
        f"Machine: {machine}. Seed 0, one run per cell. CNN/LSTM: GloVe-50d, first "
        f"{args.n_train} training texts ({args.n_train // 2} for BBC News), {args.epochs} "
        f"epochs. MiniLM-L6 truncated to 2 layers: first "
        f"{args.n_train_minilm} texts ({args.n_train_minilm // 2} for BBC), "
        f"{args.minilm_epochs} epochs. max_length 64 tokens everywhere. Entropy: the trained base "
        f"fine-tuned {args.entropy_epochs} epochs (input reduction capped at 10 removals). "
        f"Metrics on the first {args.n_eval} test texts (BBC articles cut to their first 40 "
        "words, so every evaluated word is inside the model's window). "
        "Command: `python benchmarks/bench_pct_vat.py`.",
        "",
    ]
    (args.out / "pct_vat.md").write_text("\n".join(header + tables(runs, args)) + "\n")
    print("\n".join(header + tables(runs, args)))


if __name__ == "__main__":
    main()
