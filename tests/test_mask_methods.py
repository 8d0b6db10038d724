"""VMASK, L2X and IBA: the mask layers' contracts, annealing, global importance, init_from."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV

from skinterp import IBAClassifier, L2XClassifier, TextClassifier, VMaskClassifier
from skinterp.metrics import make_aopc_scorer
from skinterp.nn import (
    BernoulliMaskGate,
    L2XSelector,
    ReadoutBottleneck,
    straight_through_bernoulli,
)


def run_layer(layer, emb, mask):
    """Score each position as its own word type (the module scores distinct types)."""
    flat = emb.reshape(-1, emb.shape[-1])
    inverse = torch.arange(flat.shape[0]).reshape(emb.shape[:-1])
    return layer(layer.score_types(flat), inverse, mask)


TINY = dict(embedding_dim=16, num_filters=8, lr=1e-2, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def vmask(toy):
    X, y = toy
    return VMaskClassifier(max_epochs=6, **TINY).fit(X, y)


def test_gate_samples_hard_masks_in_training_and_expectation_in_eval():
    torch.manual_seed(0)
    gate = BernoulliMaskGate(6, hidden_size=5)
    emb, mask = torch.randn(3, 4, 6), torch.ones(3, 4, dtype=torch.long)
    out = run_layer(gate.train(), emb, mask)
    assert set(out.scale.unique().tolist()) <= {0.0, 1.0}
    out = run_layer(gate.eval(), emb, mask)
    torch.testing.assert_close(out.scale, gate.keep_probability(emb))


def test_entropy_term_ignores_padding():
    torch.manual_seed(0)
    gate = BernoulliMaskGate(6).eval()
    emb = torch.randn(2, 3, 6)
    short = run_layer(gate, emb, torch.ones(2, 3, dtype=torch.long)).terms["neg_entropy"]
    padded_emb = torch.cat([emb, 50 * torch.randn(2, 4, 6)], 1)  # padding with other values
    padded_mask = torch.cat([torch.ones(2, 3), torch.zeros(2, 4)], 1).long()
    padded = run_layer(gate, padded_emb, padded_mask).terms["neg_entropy"]
    torch.testing.assert_close(short, padded)
    p = gate.keep_probability(emb)
    expected = (p * p.log() + (1 - p) * (1 - p).log()).mean()
    torch.testing.assert_close(short, expected)


def test_native_explanation_is_expected_keep_probability(vmask):
    exp = vmask.explain("a dull film")
    ids = [vmask.tokenizer_.stoi_[w] for w in ("a", "dull", "film")]
    vectors = vmask.module_.encoder.embedding.weight[ids]
    with torch.no_grad():
        expected = vmask.module_.mask_layer.keep_probability(vectors).numpy()
    np.testing.assert_allclose(exp.scores, expected, rtol=1e-5)
    assert exp.method == "mask" and ((exp.scores >= 0) & (exp.scores <= 1)).all()


def test_global_importance_covers_the_vocabulary(vmask):
    g = vmask.global_importance_
    assert set(g.index) == set(vmask.tokenizer_.words_)
    assert g.is_monotonic_decreasing and g.between(0, 1).all()
    assert g["dull"] == pytest.approx(vmask.explain("dull").scores[0], rel=1e-5)


def test_beta_annealing_is_clamped(toy):
    X, y = toy
    clf = VMaskClassifier(max_epochs=5, beta=1.0, beta_step=0.3, beta_floor=0.2, **TINY)
    clf.fit(X, y)
    np.testing.assert_allclose(clf.history[:, "beta"], [1.0, 0.7, 0.4, 0.2, 0.2], atol=1e-6)
    # the public code's steps: start 1.0, -0.099 per step (here every epoch), floored at 0.01
    public = VMaskClassifier(max_epochs=14, beta=1.0, beta_step=0.099, **TINY).fit(X, y)
    assert min(public.history[:, "beta"]) == pytest.approx(0.01)
    # the default keeps beta constant at 0.1
    default = VMaskClassifier(max_epochs=3, **TINY).fit(X, y)
    np.testing.assert_allclose(default.history[:, "beta"], [0.1] * 3, atol=1e-6)
    every2 = VMaskClassifier(max_epochs=4, beta=1.0, beta_step=0.5, beta_every=2, **TINY).fit(X, y)
    np.testing.assert_allclose(every2.history[:, "beta"], [1.0, 1.0, 0.5, 0.5], atol=1e-6)
    assert "neg_entropy" in clf.history[-1]


def test_grid_search_over_beta_and_tau(toy):
    X, y = toy
    gs = GridSearchCV(
        VMaskClassifier(max_epochs=2, **TINY),
        {"beta": [0.1, 1.0], "tau": [0.5, 1.0]},
        scoring={"acc": "accuracy", "aopc": make_aopc_scorer(k=5)},
        refit="acc",
        cv=2,
    ).fit(X, y)
    assert gs.best_params_["beta"] in (0.1, 1.0) and gs.best_params_["tau"] in (0.5, 1.0)
    assert np.isfinite(gs.cv_results_["mean_test_aopc"]).all()
    assert isinstance(gs.best_estimator_, VMaskClassifier)


def test_init_from_fine_tuned_base(toy):
    X, y = toy
    base = TextClassifier(max_epochs=3, **TINY).fit(X, y)
    vm = VMaskClassifier(max_epochs=0, init_from=base, **TINY).fit(X, y)
    torch.testing.assert_close(
        vm.module_.encoder.embedding.weight, base.module_.encoder.embedding.weight
    )
    torch.testing.assert_close(vm.module_.head.weight, base.module_.head.weight)
    assert vm.tokenizer_ is base.tokenizer_
    # in a grid search the base must stay fitted: FrozenEstimator
    gs = GridSearchCV(
        VMaskClassifier(max_epochs=1, init_from=FrozenEstimator(base), **TINY),
        {"beta": [0.5, 1.0]},
        cv=2,
    ).fit(X, y)
    assert gs.best_estimator_.tokenizer_ is not None
    with pytest.raises(ValueError, match="FrozenEstimator"):
        GridSearchCV(
            VMaskClassifier(max_epochs=1, init_from=base, **TINY),
            {"beta": [1.0]},
            cv=2,
            error_score="raise",
        ).fit(X, y)
    with pytest.raises(ValueError, match="trained on classes"):
        VMaskClassifier(max_epochs=0, init_from=base, **TINY).fit(
            X, ["a" if v == "pos" else "b" for v in y]
        )


def test_transformer_mask_multiplies_embeddings_block_output(toy, bert_config, fast_tokenizer):
    X, y = toy
    clf = VMaskClassifier(
        encoder="transformer",
        pretrained=bert_config,
        tokenizer=fast_tokenizer,
        max_epochs=1,
        random_state=0,
    ).fit(X, y)
    ((_, batch),) = list(clf._batches(clf._prepare(["a great film"])))
    module = clf.module_.eval()
    block = clf.module_.encoder.model.embeddings
    with torch.no_grad():
        raw = block(input_ids=batch["input_ids"], token_type_ids=batch["token_type_ids"])
        keep = module.mask_layer.keep_probability(
            module.encoder.word_embeddings(batch["input_ids"])
        )
        out = module.encoder(
            batch["input_ids"],
            batch["attention_mask"],
            batch["token_type_ids"],
            lambda e: e * keep.unsqueeze(-1),
        )
        _, extras = module(**batch)
    torch.testing.assert_close(out.hidden_states[0], raw * keep.unsqueeze(-1))
    assert set(clf.global_importance_.index).isdisjoint({"[CLS]", "[SEP]", "[PAD]"})


def test_l2x_keeps_exactly_k_words_at_inference():
    torch.manual_seed(0)
    sel = L2XSelector(4, k=2).eval()
    emb = torch.randn(2, 5, 4)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0]])
    scale = run_layer(sel, emb, mask).scale
    assert scale.sum(1).tolist() == [2.0, 1.0]  # never a padding position
    assert (scale[mask == 0] == 0).all()
    train = run_layer(sel.train(), emb, mask).scale
    assert torch.isfinite(train).all() and (train[mask == 0] == 0).all()


def test_iba_capacity_and_determinism(toy):
    layer = ReadoutBottleneck(4).eval()
    emb, mask = torch.randn(2, 3, 4), torch.ones(2, 3, dtype=torch.long)
    out = run_layer(layer, emb, mask)
    z1 = layer.apply_mask(emb, out, mask)
    z2 = layer.apply_mask(emb, out, mask)
    torch.testing.assert_close(z1, z2)  # no noise at inference
    assert out.terms["capacity"] >= 0
    X, y = toy
    clf = IBAClassifier(max_epochs=2, **TINY).fit(X, y)
    assert all(v >= 0 for v in clf.history[:, "capacity"])
    assert clf.global_importance_.between(0, 1).all()


def test_l2x_estimator(toy):
    X, y = toy
    clf = L2XClassifier(max_epochs=3, select_k=2, **TINY).fit(X, y)
    exp = clf.explain("a really bad film")
    assert exp.scores.sum() == pytest.approx(1.0, rel=1e-4)  # softmax over the text's words
    assert np.isfinite(clf.predict_proba(X)).all()


def test_two_class_sampler_is_hard_gumbel_softmax():
    """straight_through_bernoulli is F.gumbel_softmax(hard=True) over {drop, keep}: with the
    same Gumbel draws (g1 - g0 is its logistic noise) the values and gradients agree, and the
    keep rate is sigmoid(logit)."""
    scores = torch.randn(500, 2, dtype=torch.float64, requires_grad=True)
    g = -torch.log(-torch.log(torch.rand(500, 2, dtype=torch.float64)))
    # the definition, written out: softmax((l + g) / tau), one-hot of its argmax,
    # straight-through
    soft = torch.softmax((scores + g) / 0.7, -1)
    hard = F.one_hot(soft.argmax(-1), 2).to(soft.dtype)
    reference = (hard - soft.detach() + soft)[:, 1]
    weights = torch.randn(500, dtype=torch.float64)
    (grad_ref,) = torch.autograd.grad((reference * weights).sum(), scores)

    logit = scores[:, 1] - scores[:, 0]
    noise = g[:, 1] - g[:, 0]  # what log u - log(1 - u) draws
    u = torch.sigmoid(noise)
    with mock.patch.object(torch, "rand_like", return_value=u):
        ours = straight_through_bernoulli(logit, 0.7)
    (grad_ours,) = torch.autograd.grad((ours * weights).sum(), scores)
    torch.testing.assert_close(ours, reference)
    torch.testing.assert_close(grad_ours, grad_ref)

    torch.manual_seed(0)
    logit = torch.full((200_000,), 0.8)
    rate = straight_through_bernoulli(logit, 1.0).mean().item()
    assert rate == pytest.approx(torch.sigmoid(torch.tensor(0.8)).item(), abs=0.005)
    assert set(straight_through_bernoulli(logit, 1.0).unique().tolist()) <= {0.0, 1.0}
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="tau must be a positive temperature"):
            straight_through_bernoulli(logit, bad)
