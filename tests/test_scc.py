"""SCC: sparse coding layer, positives of the contrastive coding loss, ablation flags."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from skinterp import SCCClassifier
from skinterp.methods._scc import scc_positive_mask
from skinterp.nn import SparseCodingLayer, supervised_contrastive_loss

TINY = dict(embedding_dim=16, num_filters=8, hidden_size=8, lr=1e-2, batch_size=16, random_state=0)


def test_sparse_coding_layer_follows_eqs_2_and_3():
    torch.manual_seed(0)
    layer = SparseCodingLayer((3, 5), code_size=4, proba_hidden=6)
    states = torch.randn(7, 8)
    h0, h1 = states[:, :3], states[:, 3:]
    g0 = torch.tanh(layer.gates[0](h0)) * layer.reps[0](h0)
    g1 = torch.tanh(layer.gates[1](h1)) * layer.reps[1](h1)
    M = torch.sigmoid(layer.proba(torch.cat([g0, g1], -1))).squeeze(-1)
    torch.testing.assert_close(layer.keep_probability(states), M)
    scores = layer.score_types(states)
    torch.testing.assert_close(scores.exp().sum(-1), torch.ones(7))  # log(1-M), log M


def test_positive_mask_follows_section_3_2():
    y = torch.tensor([0, 1, 0])
    mask = scc_positive_mask(y)
    n = 3
    z, zf, zb = 0, n, 2 * n
    assert mask[z + 0, zf + 0] and mask[zf + 0, z + 0]  # own foreground
    assert mask[z + 0, z + 2] and mask[z + 0, zf + 2]  # same-class text and foreground
    assert not mask[z + 0, z + 1] and not mask[z + 0, zf + 1]  # other class
    assert not mask[z + 0, zb + 0] and not mask[zf + 0, zb + 2]  # never a background
    assert mask[zb + 0, zb + 1] and mask[zb + 0, zb + 2]  # backgrounds pull together
    assert not mask[zb + 0, z + 0] and not mask[zb + 0, zf + 0]
    assert scc_positive_mask(y, background=False).shape == (6, 6)


@pytest.mark.parametrize(
    "flags, logged",
    [
        ({}, {"sparse_coding", "contrastive"}),
        ({"contrastive": False}, {"sparse_coding"}),
        ({"sparse": False}, {"contrastive"}),
        ({"background_contrast": False}, {"sparse_coding", "contrastive"}),
    ],
)
def test_ablation_flags(toy, flags, logged):
    X, y = toy
    clf = SCCClassifier(max_epochs=2, **TINY, **flags).fit(X, y)
    assert {k for k in ("sparse_coding", "contrastive") if k in clf.history[-1]} == logged
    assert np.isfinite(clf.predict_proba(X)).all()


def test_gamma_annealing_and_native_explanation(toy):
    X, y = toy
    clf = SCCClassifier(max_epochs=4, gamma=1.0, gamma_step=0.4, gamma_floor=0.1, **TINY)
    clf.fit(X, y)
    np.testing.assert_allclose(clf.history[:, "gamma"], [1.0, 0.6, 0.2, 0.1], atol=1e-6)
    exp = clf.explain("a really bad film")
    assert exp.method == "sparse_coding" and ((exp.scores >= 0) & (exp.scores <= 1)).all()


def test_sparse_term_ignores_padding(toy):
    X, y = toy
    clf = SCCClassifier(
        max_epochs=1, contrastive=False, gamma=0.0, gamma_step=0.0, sparsity=1.0, **TINY
    )
    clf.fit(X, y)
    mask = torch.tensor([[1.0, 0.0, 1.0, 1.0]])
    extras = {"mask": mask, "mask_terms": {"neg_entropy": torch.tensor(0.0)}}
    X_batch = {"attention_mask": torch.tensor([[1, 1, 0, 0]])}
    terms = clf.get_loss_terms((None, extras), torch.tensor([0]), X=X_batch, training=True)
    assert terms["sparse_coding"].item() == pytest.approx(0.5)  # 1 of 2 real tokens kept
    # sparsity weighs the l1 term alone (here with an entropy term of 0.2 at gamma 1)
    extras["mask_terms"]["neg_entropy"] = torch.tensor(0.2)
    clf.module_.gamma.fill_(1.0)
    for weight in (1.0, 0.1, 0.0):
        clf.set_params(sparsity=weight)
        terms = clf.get_loss_terms((None, extras), torch.tensor([0]), X=X_batch, training=True)
        assert terms["sparse_coding"].item() == pytest.approx(weight * 0.5 + 0.2)
    with pytest.raises(ValueError, match="sparsity"):
        SCCClassifier(sparsity=-1.0, **TINY).fit(X, y)


def test_contrastive_reuses_the_classifier_pass_as_foreground(toy):
    """Reusing the masked pass for z_f equals encoding whole text, z_f and z_b together."""
    X, y = toy
    clf = SCCClassifier(max_epochs=1, **TINY).fit(X, y)
    clf.module_.eval()  # no dropout: both routes must agree exactly
    idx, Xb = next(clf._batches(clf._encode(X[:8], "text")))
    y_true = torch.as_tensor(np.searchsorted(clf.classes_, np.asarray(y)[idx]))
    inputs = {k: v for k, v in Xb.items() if k != "word_ids"}
    with torch.no_grad():
        _, extras = clf.module_(**inputs)
        loss = clf._contrastive(Xb, y_true, extras["mask"], extras["pooled"])
        mask = extras["mask"]
        scale = torch.cat([torch.ones_like(mask), mask, 1 - mask])
        out = clf.module_.encoder(
            Xb["input_ids"].repeat(3, 1),
            Xb["attention_mask"].repeat(3, 1),
            None,
            lambda emb: emb * scale.unsqueeze(-1),
        )
        expected = supervised_contrastive_loss(
            out.pooled, positive_mask=scc_positive_mask(y_true), temperature=clf.tau
        )
    torch.testing.assert_close(loss, expected)


def test_early_stopping_keeps_the_best_decisive_epoch(toy):
    """pick_decisive: the kept epoch is the most accurate among epochs whose mask is decisive;
    with none decisive, the most accurate overall, with a warning; False picks on accuracy."""
    import warnings

    from skinterp.callbacks import DECISIVE_SPREAD

    X, y = toy
    tiny = dict(TINY, embeddings=None, max_epochs=5, patience=2)

    def kept(clf):
        rows = clf.history[:, ("epoch", "valid_acc", "keep_spread")]
        epoch = dict(clf.callbacks_)["early_stopping"].best_epoch_
        # the history's last row says which epoch the weights are from
        assert clf.history[-1, "kept_epoch"] == epoch
        assert clf.kept_epoch_ == epoch
        return epoch, rows

    epoch, rows = kept(SCCClassifier(**tiny).fit(X, y))
    decisive = [r for r in rows if r[2] >= DECISIVE_SPREAD]
    assert rows[0][2] < DECISIVE_SPREAD and decisive  # the toy data: epoch 1 is not decisive
    best = max(r[1] for r in decisive)
    assert epoch == next(r[0] for r in decisive if r[1] == best)
    # on accuracy alone, the first epoch ties the best and is kept
    epoch_any, rows_any = kept(SCCClassifier(**tiny, pick_decisive=False).fit(X, y))
    assert epoch_any == next(r[0] for r in rows_any if r[1] == max(r[1] for r in rows_any))
    assert epoch_any < epoch
    # a decisive epoch exists: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SCCClassifier(**dict(tiny, max_epochs=2)).fit(X, y)
    with pytest.warns(UserWarning, match=r"no epoch met .*keep_spread >= 0.3.*kept the best"):
        fallback = SCCClassifier(**dict(tiny, max_epochs=1)).fit(X, y)
    assert kept(fallback)[0] == 1  # the fallback epoch is marked as kept too
    with pytest.raises(ValueError, match="pick_decisive"):
        SCCClassifier(**dict(tiny, pick_decisive="yes")).fit(X, y)
