"""Metric and explainer speed benchmark, measured side by side in one run.

On a CNN + GloVe ``TextClassifier`` trained on Rotten Tomatoes:

(a) AOPC@{1,5,9} + post-hoc accuracy@1..10 over ``--n`` test texts with skinterp's batched
    metrics, against (i) a per-text loop that builds each perturbed string and calls
    ``predict_proba`` once per variant (goal: >= 10x faster) and (ii) the forward passes the
    metrics need -- the same number of perturbed texts through ``predict_proba`` alone, in one
    call (goal: <= 1.2x that time). Explanations (native) are computed once beforehand and
    timed separately.
(b) ``LimeExplainer`` against the ``lime`` package used per text as its documentation shows
    (``explain_instance(text, predict_proba, ...)``), same configuration and ``num_samples``
    (goal: >= 3x faster), and whether both give the same top-5 words for the same
    ``random_state``.

Usage: ``python benchmarks/bench_metrics.py [--n 500] [--lime-n 50] [--lime-samples 1000]``.
Writes ``benchmarks/results/metrics.json`` and ``metrics.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch

from skinterp import TextClassifier
from skinterp.datasets import load_rotten_tomatoes
from skinterp.explain import LimeExplainer, NativeExplainer
from skinterp.metrics import aopc_score, posthoc_accuracy_curve

RESULTS = Path(__file__).parent / "results"


def per_text_loop(clf, texts, explanations):
    """The naive way: one predict_proba call per perturbed text."""
    aopc = {1: [], 5: [], 9: []}
    posthoc = np.zeros(10)
    for text, exp in zip(texts, explanations, strict=True):
        words = exp.words
        order = exp.ranking()
        p = clf.predict_proba([text])[0]
        c = int(p.argmax())
        drops = []
        for k in range(1, 10):
            removed = set(order[:k].tolist())
            reduced = " ".join(w for i, w in enumerate(words) if i not in removed)
            drops.append(p[c] - clf.predict_proba([reduced])[0, c])
        for K in aopc:
            aopc[K].append(sum(drops[:K]) / (K + 1))
        for k in range(1, 11):
            kept = set(order[:k].tolist())
            reduced = " ".join(w for i, w in enumerate(words) if i in kept)
            posthoc[k - 1] += clf.predict_proba([reduced])[0].argmax() == c
    return np.array([np.mean(aopc[K]) for K in (1, 5, 9)]), posthoc / len(texts)


def perturbed_strings(texts, explanations):
    """Exactly the texts the metrics predict: full text, top-1..9 removed, top-1..10 kept."""
    out = []
    for text, exp in zip(texts, explanations, strict=True):
        order = exp.ranking()
        out += [text, text]  # the full text, once for each metric
        for k in range(1, 10):
            removed = set(order[:k].tolist())
            out.append(" ".join(w for i, w in enumerate(exp.words) if i not in removed))
        for k in range(1, 11):
            kept = set(order[:k].tolist())
            out.append(" ".join(w for i, w in enumerate(exp.words) if i in kept))
    return out


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--lime-n", type=int, default=50)
    parser.add_argument("--lime-samples", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    data = load_rotten_tomatoes()
    clf = TextClassifier(
        encoder="cnn", embeddings="glove-50d", lr=1e-3, batch_size=50, max_epochs=6, random_state=0
    )
    clf.fit(data.X_train, data.y_train)
    texts = [t for t in data.X_test if t.strip()][: args.n]

    exps, t_explain = timed(lambda: NativeExplainer().explain(clf, texts))

    def batched():
        a = aopc_score(clf, texts, k=(1, 5, 9), explanations=exps)
        p = posthoc_accuracy_curve(clf, texts, k=10, explanations=exps)
        return a, p

    (a_fast, p_fast), t_fast = timed(batched)
    (a_loop, p_loop), t_loop = timed(lambda: per_text_loop(clf, texts, exps))
    strings = perturbed_strings(texts, exps)
    _, t_forward = timed(lambda: clf.predict_proba(strings))
    metrics = {
        "n_texts": len(texts),
        "n_forward_texts": len(strings),
        "explain_native_s": round(t_explain, 3),
        "batched_s": round(t_fast, 3),
        "per_text_loop_s": round(t_loop, 3),
        "forward_only_s": round(t_forward, 3),
        "speedup_vs_loop": round(t_loop / t_fast, 1),
        "ratio_to_forward": round(t_fast / t_forward, 3),
        "same_values": bool(np.allclose(a_fast, a_loop, atol=1e-5) and np.allclose(p_fast, p_loop)),
        "aopc@1,5,9": [round(float(v), 4) for v in a_fast],
        "posthoc@1..10": [round(float(v), 4) for v in p_fast],
        "goals": {"speedup_vs_loop": ">= 10", "ratio_to_forward": "<= 1.2"},
    }

    lime_texts = texts[: args.lime_n]
    ours = LimeExplainer(num_samples=args.lime_samples, random_state=0)
    ours_exps, t_ours = timed(lambda: ours.explain(clf, lime_texts))

    def package_per_text():
        explainer = ours.lime_explainer()  # same configuration, fresh RandomState(0)
        tops = []
        for text in lime_texts:
            p = clf.predict_proba([text])[0]
            c = int(p.argmax())
            n_words = len(explainer_words(text))
            res = explainer.explain_instance(
                text,
                clf.predict_proba,
                labels=(c,),
                num_features=n_words,
                num_samples=args.lime_samples,
            )
            ranked = sorted(res.local_exp[c], key=lambda fw: -fw[1])
            tops.append([fw[0] for fw in ranked[:5]])
        return tops

    ref_tops, t_ref = timed(package_per_text)
    our_tops = [exp.ranking()[:5].tolist() for exp in ours_exps]
    lime = {
        "n_texts": len(lime_texts),
        "num_samples": args.lime_samples,
        "skinterp_s": round(t_ours, 3),
        "lime_package_per_text_s": round(t_ref, 3),
        "speedup": round(t_ref / t_ours, 2),
        "same_top5": sum(a == b for a, b in zip(our_tops, ref_tops, strict=True)),
        "goal": ">= 3",
    }

    result = {
        "benchmark": "metrics",
        "what": __doc__.split("\n\n")[1].strip(),
        "model": "TextClassifier(encoder='cnn', embeddings='glove-50d'), 6 epochs, "
        f"test accuracy {clf.score(data.X_test, data.y_test):.3f}",
        "machine": {
            "platform": platform.platform(),
            "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(),
        },
        "metrics": metrics,
        "lime": lime,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "metrics.json").write_text(json.dumps(result, indent=2) + "\n")
    m, lm = metrics, lime
    lines = [
        "# Metric and explainer speed",
        "",
        f"Machine: {result['machine']['platform']}, torch {torch.__version__}, "
        f"{result['machine']['torch_threads']} threads. Model: {result['model']}.",
        "Command: `python benchmarks/bench_metrics.py`.",
        "",
        f"## AOPC@{{1,5,9}} + post-hoc accuracy@1..10 over {m['n_texts']} texts",
        "",
        "| what | seconds |",
        "|---|---|",
        f"| skinterp batched metrics | {m['batched_s']} |",
        f"| per-text loop (one predict_proba per variant) | {m['per_text_loop_s']} |",
        f"| the {m['n_forward_texts']} perturbed texts through predict_proba alone | "
        f"{m['forward_only_s']} |",
        f"| (native explanations, computed once beforehand) | {m['explain_native_s']} |",
        "",
        f"Speed-up vs the per-text loop: **{m['speedup_vs_loop']}x** (goal >= 10). "
        f"Batched time / forward-only time: **{m['ratio_to_forward']}** (goal <= 1.2). "
        f"Same values as the loop: {m['same_values']}.",
        "",
        f"## LimeExplainer vs the lime package per text ({lm['n_texts']} texts, "
        f"num_samples={lm['num_samples']})",
        "",
        "| what | seconds |",
        "|---|---|",
        f"| skinterp LimeExplainer (batched) | {lm['skinterp_s']} |",
        f"| lime package, explain_instance per text | {lm['lime_package_per_text_s']} |",
        "",
        f"Speed-up: **{lm['speedup']}x** (goal >= 3). Same top-5 words: "
        f"{lm['same_top5']} of {lm['n_texts']} texts.",
    ]
    (args.out / "metrics.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def explainer_words(text):
    from skinterp.text import segment_words

    return segment_words(text)


if __name__ == "__main__":
    main()
