"""VAT and the attention baseline: attention, the bottleneck, the learner/compressor schedule."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skinterp import AttentionClassifier, VATClassifier
from skinterp.nn import AdditiveAttention, AttentionClassifierModule, LSTMEncoder

TINY = dict(embedding_dim=16, num_filters=8, hidden_size=8, lr=1e-2, batch_size=16, random_state=0)


def test_attention_ignores_padding_and_sums_to_one():
    torch.manual_seed(0)
    att = AdditiveAttention(4, 3)
    x = torch.randn(2, 5, 4)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    R, alpha = att(x, mask)
    assert torch.all(alpha[0, 3:] == 0)
    torch.testing.assert_close(alpha.sum(1), torch.ones(2))
    scores = att.v(torch.tanh(att.proj(x[0, :3]))).squeeze(-1)
    torch.testing.assert_close(alpha[0, :3], torch.softmax(scores, 0))
    torch.testing.assert_close(R[0], (alpha[0, :3, None] * x[0, :3]).sum(0))


def test_bottleneck_samples_in_training_and_uses_the_mean_in_evaluation():
    torch.manual_seed(0)
    enc = LSTMEncoder(20, embedding_dim=6, hidden_size=4)
    module = AttentionClassifierModule(enc, 2, bottleneck=True, dropout=0.0)
    ids = torch.randint(1, 20, (3, 5))
    mask = torch.ones_like(ids)
    module.eval()
    a, ex = module(ids, mask)
    b, _ = module(ids, mask)
    torch.testing.assert_close(a, b)
    torch.testing.assert_close(a, module.head(module.mu(ex["pooled"])))
    u = module.mu(ex["pooled"])
    s = torch.nn.functional.softplus(module.sigma(ex["pooled"])) + 1e-6
    kl = (0.5 * (u**2 + s**2 - 1 - torch.log(s**2))).sum(-1).mean()
    torch.testing.assert_close(ex["kl"], kl)
    module.train()
    c, _ = module(ids, mask)
    assert not torch.allclose(a, c)


class _Snapshots(Callback):
    def __init__(self, store):
        self.store = store

    def on_epoch_begin(self, net, **kwargs):
        self._before = {k: v.clone() for k, v in net.module_.state_dict().items()}

    def on_epoch_end(self, net, **kwargs):
        after = net.module_.state_dict()
        changed = {k.split(".")[0] for k, v in after.items() if not torch.equal(v, self._before[k])}
        self.store.append((net.history[-1]["phase"], changed))


@pytest.mark.parametrize("backbone", ["lstm", "cnn"])
def test_schedule_freezes_the_right_parts(toy, backbone):
    X, y = toy
    seen = []
    clf = VATClassifier(
        encoder=backbone,
        max_epochs=5,
        n_iterations=2,
        callbacks=[("snap", _Snapshots(seen))],
        **TINY,
    ).fit(X, y)
    assert list(clf.history[:, "phase"]) == [
        "joint",
        "compressor",
        "learner",
        "compressor",
        "learner",
    ]
    changed = dict(seen[:3])
    assert changed["joint"] == {"encoder", "attention", "mu", "sigma", "head"}
    assert changed["compressor"] == {"attention", "mu", "sigma", "head"}
    assert changed["learner"] == {"encoder", "head"}
    kl = clf.history[:, "kl"]
    assert kl[0] == 0 and kl[1] > 0 and kl[2] == 0
    assert all(p.requires_grad for p in clf.module_.parameters())  # unfrozen after fit


def test_frozen_word_vectors_stay_frozen(toy):
    X, y = toy
    clf = VATClassifier(freeze_embeddings=True, max_epochs=2, **TINY).fit(X, y)
    assert not clf.module_.encoder.embedding.weight.requires_grad


def test_too_few_epochs_is_a_clear_error(toy):
    X, y = toy
    with pytest.raises(ValueError, match="max_epochs=3 is too small"):
        VATClassifier(max_epochs=3, n_iterations=2, **TINY).fit(X, y)


@pytest.mark.parametrize("cls", [AttentionClassifier, VATClassifier])
def test_native_explanation_is_the_attention(toy, cls):
    X, y = toy
    clf = cls(encoder="lstm", max_epochs=4, **TINY).fit(X, y)
    exp = clf.explain("a really bad film")
    assert exp.method == "attention"
    assert exp.scores.sum() == pytest.approx(1.0, abs=1e-5)  # one token per word
    # inference draws no noise: different global seeds give the same probabilities
    torch.manual_seed(1)
    first = clf.predict_proba(X)
    torch.manual_seed(2)
    np.testing.assert_array_equal(first, clf.predict_proba(X))
    assert clf.score(X, y) > 0.7
