"""Core speed benchmark: estimator overhead and dynamic padding.

Measures, side by side in one run on the same data (Rotten Tomatoes training split):

(a) epoch time of ``TextClassifier`` (skorch loop, callbacks, history) against a bare PyTorch
    training loop over the *same* module, data, batches, collate and optimizer -- the ratio
    isolates what the estimator layer costs. Goal: <= 1.10.
(b) training throughput (sentences/s) with dynamic padding (pad to the longest text in the
    batch, the default) against static padding to ``max_length`` -- goal: >= 2x on these short
    texts (mean 18.9 words).

Usage::

    python benchmarks/bench_core.py                 # CNN + LSTM + MiniLM-2-layer subset
    python benchmarks/bench_core.py --quick         # fewer epochs, no MiniLM

Writes ``benchmarks/results/core.json`` and ``benchmarks/results/core.md``.
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
from torch import nn
from torch.utils.data import DataLoader

from skinterp import TextClassifier
from skinterp.datasets import load_rotten_tomatoes
from skinterp.text import Collator, TextDataset

RESULTS = Path(__file__).parent / "results"


def bare_loop_epoch_times(module, encodings, y, *, epochs, batch_size, lr, pad_id, seed):
    """What a user would write in plain PyTorch over the same module and batches."""
    torch.manual_seed(seed)
    opt = torch.optim.Adam(module.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(
        TextDataset(encodings, y), batch_size=batch_size, shuffle=True, collate_fn=Collator(pad_id)
    )
    times = []
    for _ in range(epochs):
        module.train()
        start = time.perf_counter()
        for X, yb in loader:
            opt.zero_grad()
            logits, _ = module(**X)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    return times


def steady(times):
    """Median epoch time without the first (warm-up) epoch."""
    return statistics.median(times[1:] if len(times) > 1 else times)


def overhead_case(name, params, X, y, epochs, rounds):
    est_times, bare_times, fit_walls = [], [], []
    for r in range(rounds):
        clf = TextClassifier(**params, max_epochs=epochs, random_state=r)
        t0 = time.perf_counter()
        clf.fit(X, y)
        fit_walls.append(time.perf_counter() - t0)
        est_times.append(steady(list(clf.history[:, "dur"])))
        # same freshly built module (the estimator's builder), same encodings and labels
        fresh = clf._build_module(clf._build_encoder(), len(clf.classes_))
        encodings = clf.tokenizer_.encode(X)
        y_enc = np.searchsorted(clf.classes_, y)
        bare = bare_loop_epoch_times(
            fresh,
            encodings,
            y_enc,
            epochs=epochs,
            batch_size=params["batch_size"],
            lr=params["lr"],
            pad_id=clf.tokenizer_.pad_id,
            seed=r,
        )
        bare_times.append(steady(bare))
    est, bare = statistics.median(est_times), statistics.median(bare_times)
    return {
        "case": name,
        "n_train": len(X),
        "epochs": epochs,
        "rounds": rounds,
        "textclassifier_epoch_s": round(est, 4),
        "bare_pytorch_epoch_s": round(bare, 4),
        "ratio": round(est / bare, 3),
        "textclassifier_fit_wall_s": round(statistics.median(fit_walls), 3),
        "goal": "<= 1.10",
    }


def padding_case(name, params, X, y, epochs, max_length):
    out = {}
    for mode in ("dynamic", "static"):
        extra = {}
        if mode == "static":
            extra["iterator_train__collate_fn"] = Collator(
                params.get("pad_id", 0), pad_to=max_length
            )
        kw = {k: v for k, v in params.items() if k != "pad_id"}
        clf = TextClassifier(
            **kw, **extra, max_length=max_length, max_epochs=epochs, random_state=0
        )
        clf.fit(X, y)
        out[mode] = len(X) / steady(list(clf.history[:, "dur"]))
    return {
        "case": name,
        "n_train": len(X),
        "max_length": max_length,
        "dynamic_sentences_per_s": round(out["dynamic"], 1),
        "static_sentences_per_s": round(out["static"], 1),
        "speedup": round(out["dynamic"] / out["static"], 2),
        "goal": ">= 2",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = load_rotten_tomatoes()
    X, y = data.X_train, data.y_train
    epochs = 3 if args.quick else 4
    rounds = 1 if args.quick else 2
    cnn = dict(encoder="cnn", embedding_dim=50, num_filters=100, lr=1e-3, batch_size=50)
    lstm = dict(encoder="lstm", embedding_dim=50, hidden_size=100, lr=1e-3, batch_size=50)
    overhead = [
        overhead_case("cnn", cnn, X, y, epochs, rounds),
        overhead_case("lstm", lstm, X, y, epochs, rounds),
    ]
    padding = [
        padding_case("cnn", cnn, X, y, 2, max_length=128),
        padding_case("lstm", lstm, X, y, 2, max_length=128),
    ]
    if not args.quick:
        sub_X, sub_y = X[:1000], y[:1000]
        minilm = dict(
            encoder="transformer",
            pretrained="minilm",
            transformer_kwargs={"num_hidden_layers": 2},
            lr=5e-5,
            batch_size=32,
        )
        overhead.append(overhead_case("minilm-2layer", minilm, sub_X, sub_y, 2, 1))
        from transformers import AutoTokenizer

        from skinterp.datasets import minilm_path

        pad_id = AutoTokenizer.from_pretrained(str(minilm_path())).pad_token_id
        padding.append(
            padding_case("minilm-2layer", {**minilm, "pad_id": pad_id}, sub_X, sub_y, 2, 128)
        )
    result = {
        "benchmark": "core",
        "what": __doc__.split("\n\n")[1].strip(),
        "data": "Rotten Tomatoes binary, training split (skinterp.datasets.load_rotten_tomatoes)",
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(),
            "cuda": torch.cuda.is_available(),
        },
        "overhead": overhead,
        "padding": padding,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "core.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Core benchmark",
        "",
        f"Machine: {result['machine']['platform']}, torch {torch.__version__}, "
        f"{result['machine']['torch_threads']} threads, CUDA: {result['machine']['cuda']}.",
        f"Data: {result['data']}. Command: `python benchmarks/bench_core.py"
        f"{' --quick' if args.quick else ''}`.",
        "",
        "## (a) TextClassifier epoch time vs a bare PyTorch loop (same module, batches, optimizer)",
        "",
        "| backbone | n | TextClassifier s/epoch | bare PyTorch s/epoch | ratio (goal <= 1.10) |",
        "|---|---|---|---|---|",
    ]
    for r in overhead:
        lines.append(
            f"| {r['case']} | {r['n_train']} | {r['textclassifier_epoch_s']} | "
            f"{r['bare_pytorch_epoch_s']} | {r['ratio']} |"
        )
    lines += [
        "",
        "## (b) Training throughput: dynamic padding vs static padding to max_length",
        "",
        "| backbone | n | max_length | dynamic sent/s | static sent/s | speed-up (goal >= 2) |",
        "|---|---|---|---|---|---|",
    ]
    for r in padding:
        lines.append(
            f"| {r['case']} | {r['n_train']} | {r['max_length']} | "
            f"{r['dynamic_sentences_per_s']} | {r['static_sentences_per_s']} | {r['speedup']} |"
        )
    (args.out / "core.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
