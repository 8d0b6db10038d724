"""NAOPC bounds (Edin et al., 2024): the best and worst AOPC any word-removal order reaches on
a text, exact for short texts and by beam search otherwise."""

from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np

from ..explain._perturb import predict_variants

__all__: list[str] = []


def _aopc_bounds(estimator, items, K, perturbation, beam_width, exact_limit, verbose=0):
    """Best and worst cumulative drop (sum over j=1..K) over word removal orders, per text;
    ``verbose`` shows a progress bar over the 2K search levels."""
    from tqdm.auto import tqdm

    n_items = len(items)
    p_full = np.vstack(
        predict_variants(
            estimator, items, [np.ones((1, it.n_words), bool) for it in items], perturbation
        )
    )
    target = p_full.argmax(1)
    p0 = p_full[np.arange(n_items), target]
    depth = [min(K, it.n_words) for it in items]
    exact = [
        sum(comb(it.n_words, j) for j in range(1, depth[i] + 1)) <= exact_limit
        for i, it in enumerate(items)
    ]
    result = {}
    bar = tqdm(
        total=2 * K, unit="level", desc=f"NAOPC@{K} bounds", disable=not verbose, leave=False
    )
    for sign in (1.0, -1.0):
        # frontier[i]: {frozenset removed: best signed cumulative drop}
        frontier = [{frozenset(): 0.0} for _ in items]
        for level in range(1, K + 1):
            cand, owners = [], []
            for i, it in enumerate(items):
                if level > depth[i]:
                    continue
                if exact[i]:
                    sets = {frozenset(c) for c in combinations(range(it.n_words), level)}
                else:
                    sets = {s | {w} for s in frontier[i] for w in range(it.n_words) if w not in s}
                cand.append(sorted(sets, key=sorted))
                owners.append(i)
            if not owners:
                break
            keeps = []
            for i, sets in zip(owners, cand, strict=True):
                d = items[i].n_words
                block = np.ones((len(sets), d), dtype=bool)
                for r, s in enumerate(sets):
                    block[r, list(s)] = False
                keeps.append(block)
            preds = predict_variants(estimator, [items[i] for i in owners], keeps, perturbation)
            for i, sets, p in zip(owners, cand, preds, strict=True):
                drops = sign * (p0[i] - p[:, target[i]])
                prev = frontier[i]
                scored = {}
                for s, dv in zip(sets, drops, strict=True):
                    best = max(prev[s - {w}] for w in s if (s - {w}) in prev)
                    scored[s] = best + dv
                if not exact[i]:
                    keep = sorted(scored, key=scored.get, reverse=True)[:beam_width]
                    scored = {s: scored[s] for s in keep}
                frontier[i] = scored
            bar.update(1)
        best = np.array([max(f.values()) for f in frontier])
        # texts shorter than K: every later step removes all words (same for any order)
        result[sign] = sign * best
    bar.close()
    empty = np.vstack(
        predict_variants(
            estimator, items, [np.zeros((1, it.n_words), bool) for it in items], perturbation
        )
    )[np.arange(n_items), target]
    tail = np.array([K - dp for dp in depth]) * (p0 - empty)
    return result[1.0] + tail, result[-1.0] + tail
