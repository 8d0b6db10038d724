"""E-VarM: the multi-level gate, the two stages and the paper's four variants."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from skinterp import EVarMClassifier
from skinterp.methods._evarm import drop_some_irrelevant

TINY = dict(embedding_dim=16, num_filters=8, hidden_size=8, lr=1e-2, batch_size=16, random_state=0)


@pytest.mark.parametrize(
    "training, contrastive, terms",
    [
        ("iterative", True, {"neg_entropy", "contrastive"}),
        ("end_to_end", True, {"neg_entropy", "contrastive"}),
        ("iterative", False, {"neg_entropy"}),
    ],
)
def test_variants_log_their_losses(toy, training, contrastive, terms):
    X, y = toy
    clf = EVarMClassifier(training=training, contrastive=contrastive, max_epochs=2, **TINY)
    clf.fit(X, y)
    logged = {k for k in ("neg_entropy", "contrastive") if k in clf.history[-1]}
    assert logged == terms
    assert np.isfinite(clf.predict_proba(X)).all()


def test_pipeline_runs_stage_one_then_stage_two(toy):
    X, y = toy
    clf = EVarMClassifier(training="pipeline", max_epochs=4, pipeline_split=0.5, **TINY)
    clf.fit(X, y)
    firsts = [("neg_entropy" in row, "contrastive" in row) for row in clf.history]
    assert firsts == [(True, False), (True, False), (False, True), (False, True)]


def test_gate_reads_every_layer(toy):
    X, y = toy
    clf = EVarMClassifier(max_epochs=1, **TINY).fit(X, y)
    first = clf.module_.gate.net[0]
    assert first.in_features == sum(clf.module_.encoder.hidden_dims) == 16 + 24
    assert len([m for m in clf.module_.gate.net if isinstance(m, torch.nn.Linear)]) == 3


def test_stage_two_freezes_the_gate(toy):
    X, y = toy
    clf = EVarMClassifier(max_epochs=1, training="pipeline", **TINY).fit(X, y)
    gate_before = [p.detach().clone() for p in clf.module_.gate.parameters()]
    enc_before = [p.detach().clone() for p in clf.module_.encoder.parameters()]
    batch = next(
        iter(clf.get_iterator(clf.get_dataset(X, np.searchsorted(clf.classes_, y)), training=True))
    )
    clf.history.new_epoch()
    clf.history.new_batch()  # epoch index 1 >= round(0.5 * 1 epoch): stage 2 only
    clf.train_step(batch)
    assert all(
        torch.equal(a, b) for a, b in zip(gate_before, clf.module_.gate.parameters(), strict=True)
    )
    assert any(
        not torch.equal(a, b)
        for a, b in zip(enc_before, clf.module_.encoder.parameters(), strict=True)
    )


def test_x_prime_drops_only_irrelevant_words():
    torch.manual_seed(0)
    mask = torch.tensor([[1.0, 0.0, 0.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]])
    real = torch.tensor([[1, 1, 1, 1, 1, 0], [1, 1, 1, 0, 0, 0]]).bool()
    for _ in range(50):
        keep = drop_some_irrelevant(mask, real)
        assert (keep[mask > 0.5] == 1).all()  # task-specific words always kept
        n_dropped = (keep[0] == 0).sum().item()
        assert 1 <= n_dropped <= 3  # 1..m of the 3 irrelevant real words
        assert keep[0, 5] == 1 and (keep[1] == 1).all()  # padding, and a text with m = 0


def test_native_explanation_is_the_gate(toy):
    X, y = toy
    clf = EVarMClassifier(max_epochs=2, **TINY).fit(X, y)
    exp = clf.explain("a dull film")
    assert exp.method == "gate" and ((exp.scores > 0) & (exp.scores < 1)).all()
    # deterministic at inference (expected mask, no sampling): different global seeds give
    # the same probabilities
    torch.manual_seed(1)
    first = clf.predict_proba(X)
    torch.manual_seed(2)
    np.testing.assert_array_equal(first, clf.predict_proba(X))


def test_bad_training_mode(toy):
    X, y = toy
    with pytest.raises(ValueError, match="'training' parameter"):
        EVarMClassifier(training="joint").fit(X, y)
