"""The shared supervised contrastive loss and the SCL / SimCSE baselines."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from skinterp import SCLClassifier, SimCSEClassifier
from skinterp.nn import supervised_contrastive_loss, view_pairs_mask

TINY = dict(embedding_dim=16, num_filters=8, lr=1e-2, batch_size=16, random_state=0)


def reference_supcon(z, labels, t):
    """Khosla et al.'s formula written out with plain loops."""
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    n, total, anchors = len(z), 0.0, 0
    for i in range(n):
        positives = [p for p in range(n) if p != i and labels[p] == labels[i]]
        if not positives:
            continue
        denom = sum(math.exp(z[i] @ z[a] / t) for a in range(n) if a != i)
        total += -np.mean([math.log(math.exp(z[i] @ z[p] / t) / denom) for p in positives])
        anchors += 1
    return total / anchors


def test_supcon_matches_the_formula():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, 4))
    labels = np.array([0, 1, 0, 2, 1, 0])  # class 2 has no positive: not an anchor
    got = supervised_contrastive_loss(torch.tensor(z), torch.tensor(labels), temperature=0.5)
    assert got.item() == pytest.approx(reference_supcon(z, labels, 0.5), rel=1e-6)


def test_supcon_view_pairs_and_edge_cases():
    mask = view_pairs_mask(3, 2)
    assert mask.shape == (6, 6) and mask[0, 3] and mask[4, 1] and not mask[0, 1]
    z = torch.randn(6, 4, requires_grad=True)
    loss = supervised_contrastive_loss(z, positive_mask=mask)
    loss.backward()
    assert loss.item() > 0 and z.grad is not None
    lonely = supervised_contrastive_loss(torch.randn(3, 4), torch.tensor([0, 1, 2]))
    assert lonely.item() == 0.0
    with pytest.raises(ValueError, match="labels, positive_mask"):
        supervised_contrastive_loss(torch.randn(2, 2))


def test_scl_logs_its_term(toy):
    X, y = toy
    clf = SCLClassifier(max_epochs=3, validation_fraction=0.25, **TINY).fit(X, y)
    assert all(np.isfinite(clf.history[:, "supcon"]))
    assert "valid_supcon" in clf.history[-1]
    # the contrastive term pulls same-class representations together
    emb = clf.embed(X)
    labels = np.asarray(y)
    emb = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    same = (emb @ emb.T)[labels[:, None] == labels[None, :]].mean()
    other = (emb @ emb.T)[labels[:, None] != labels[None, :]].mean()
    assert same > other


def test_simcse_uses_two_dropout_views_in_training_only(toy):
    X, y = toy
    clf = SimCSEClassifier(max_epochs=2, validation_fraction=0.25, **TINY).fit(X, y)
    assert all(v > 0 for v in clf.history[:, "simcse"])
    assert "valid_simcse" not in clf.history[-1]
    with pytest.raises(ValueError, match="'lam' parameter"):
        SimCSEClassifier(lam=-1).fit(X, y)
