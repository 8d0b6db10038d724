"""Helpers of bench_speed.py: the naive per-text metric loop and the texts the metrics predict."""

from __future__ import annotations

import time

import numpy as np


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


def explainer_words(text):
    from skinterp.text import segment_words

    return segment_words(text)
