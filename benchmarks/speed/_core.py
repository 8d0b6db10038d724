"""Helpers of bench_speed.py: estimator overhead vs a bare PyTorch loop, dynamic vs static padding.

(a) epoch time of ``TextClassifier`` (skorch loop, callbacks, history) against a bare PyTorch
    training loop over the *same* module, data, batches, collate and optimizer -- the ratio
    isolates what the estimator layer costs.
(b) training throughput (sentences/s) with dynamic padding (pad to the longest text in the
    batch, the default) against static padding to ``max_length``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from skinterp import TextClassifier
from skinterp.text import Collator, TextDataset


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
        # a freshly built module from the public API (a fit of 0 epochs builds and seeds it
        # exactly as the timed fit did), same encodings and labels
        fresh = TextClassifier(**params, max_epochs=0, random_state=r).fit(X, y).module_
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
