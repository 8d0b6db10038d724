"""Defaults that work: a method fitted with nothing but its backbone settings keeps the base
model's accuracy and leaves a decisive mask, on small real subsets (the full check over three
seeds and all training texts is the claims benchmark: skinterp benchmark run --profile claims).

Also the per-epoch decisiveness diagnostic itself (skinterp.callbacks.Decisiveness)."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from conftest import need_data

from skinterp import TextClassifier, VMaskClassifier
from skinterp.callbacks import DECISIVE_SPREAD, Decisiveness

# Subsets keep CI to about a minute; on a subset the test accuracy moves by about a point
# with the seed, so CI allows 2 points where the claims benchmark demands 1 over all data.
ACCURACY_MARGIN = 0.02


def test_keep_summary_is_the_quantiles_of_all_word_scores():
    scores = [np.array([0.1, 0.9, 0.5]), np.array([0.2]), np.array([])]
    got = Decisiveness("keep").initialize().summary(scores)
    q10, q50, q90 = np.quantile([0.1, 0.9, 0.5, 0.2], [0.1, 0.5, 0.9])
    assert got == pytest.approx(
        {"keep_q10": q10, "keep_q50": q50, "keep_q90": q90, "keep_spread": q90 - q10}
    )


def test_attention_entropy_is_normalised():
    dec = Decisiveness("attention").initialize()
    uniform = dec.summary([np.full(4, 0.25), np.full(7, 1.0)])["attn_entropy"]
    assert uniform == pytest.approx(1.0)
    peaked = dec.summary([np.array([1.0, 0.0, 0.0])])["attn_entropy"]
    assert peaked == pytest.approx(0.0)
    half = dec.summary([np.array([0.5, 0.5, 0.0, 0.0])])["attn_entropy"]
    assert half == pytest.approx(np.log(2) / np.log(4))
    assert dec.summary([np.array([1.0])]) == {}  # one word: no entropy to speak of
    with pytest.raises(ValueError, match="kind must be"):
        Decisiveness("gate").initialize()


def test_history_records_decisiveness_every_epoch(toy):
    from skinterp import AttentionClassifier

    X, y = toy
    tiny = dict(embeddings=None, embedding_dim=16, num_filters=8, lr=1e-2, random_state=0)
    clf = VMaskClassifier(max_epochs=3, **tiny).fit(X, y)
    spreads = clf.history[:, "keep_spread"]
    assert len(spreads) == 3
    # the last epoch's value is the summary of the model's own explanations of the sample
    sample = clf.encode(X[:256])
    final = Decisiveness("keep").initialize().summary([e.scores for e in clf.explain(sample)])
    assert clf.history[-1, "keep_q50"] == pytest.approx(final["keep_q50"])
    att = AttentionClassifier(encoder="lstm", embedding_dim=16, hidden_size=8, max_epochs=2)
    att.set_params(embeddings=None, random_state=0).fit(X, y)
    assert 0 <= att.history[-1, "attn_entropy"] <= 1
    assert "keep_spread" not in TextClassifier(max_epochs=1, **tiny).fit(X, y).history[-1]


def _subset(data, n):
    return data.X_train[:n], data.y_train[:n]


@pytest.mark.parametrize(
    ("loader", "n_train"), [("load_rotten_tomatoes", 3000), ("load_tweets", 3356)]
)
def test_vmask_defaults_keep_accuracy_and_a_decisive_mask(loader, n_train):
    """VMaskClassifier(backbone settings).fit(X, y): accuracy within ACCURACY_MARGIN of the
    base model with the same backbone settings, and a decisive mask (keep_spread >= 0.3)."""
    import skinterp.datasets as ds

    data = need_data(getattr(ds, loader))
    X, y = _subset(data, n_train)
    backbone = dict(encoder="cnn", embeddings="glove-50d", random_state=0)
    base = TextClassifier(**backbone).fit(X, y)
    vmask = VMaskClassifier(**backbone).fit(X, y)
    acc_base = base.score(data.X_test, data.y_test)
    acc_vmask = vmask.score(data.X_test, data.y_test)
    assert acc_vmask >= acc_base - ACCURACY_MARGIN, (acc_vmask, acc_base)
    assert vmask.history[-1, "keep_spread"] >= DECISIVE_SPREAD, vmask.history[-1]
    # the old default (the public schedule compressed, 6 epochs as measured in issue 16) is not
    old = VMaskClassifier(**backbone, beta=1.0, beta_step=0.099, max_epochs=6).fit(X, y)
    assert old.history[-1, "keep_spread"] < DECISIVE_SPREAD


@pytest.mark.parametrize("name", ["EVarMClassifier", "SCCClassifier"])
def test_gate_method_defaults_keep_accuracy(name):
    """E-VarM and SCC with nothing but backbone settings (their warm-up stage, SCC's
    best-checkpoint selection) stay within ACCURACY_MARGIN of the base model on a Rotten
    Tomatoes subset; their gates are also decisive (the next test)."""
    _fit_gate_method(name, check_decisive=False)


@pytest.mark.parametrize("name", ["EVarMClassifier", "SCCClassifier"])
def test_gate_method_defaults_leave_a_decisive_mask(name):
    _fit_gate_method(name, check_decisive=True)


@functools.cache
def _rt_subset_fit(name: str) -> tuple[float, float]:
    """(test accuracy, keep_spread) of ``name`` fitted on 3000 Rotten Tomatoes texts with
    nothing but backbone settings; keep_spread of the returned model over the first 256
    training texts (nan for the base model). Cached: each model is fitted once per run."""
    import skinterp
    import skinterp.datasets as ds

    data = need_data(ds.load_rotten_tomatoes)
    X, y = _subset(data, 3000)
    clf = getattr(skinterp, name)(encoder="cnn", embeddings="glove-50d", random_state=0)
    clf.fit(X, y)
    acc = clf.score(data.X_test, data.y_test)
    if name == "TextClassifier":
        return acc, float("nan")
    scores = [e.scores for e in clf.explain(clf.encode(X[:256]))]
    return acc, Decisiveness("keep").initialize().summary(scores)["keep_spread"]


def _fit_gate_method(name: str, check_decisive: bool) -> None:
    acc_base, _ = _rt_subset_fit("TextClassifier")
    acc, spread = _rt_subset_fit(name)
    if check_decisive:
        assert spread >= DECISIVE_SPREAD, spread
    else:
        assert acc >= acc_base - ACCURACY_MARGIN, (acc, acc_base)


def test_warm_up_stage_replaces_init_from(toy):
    """Methods whose paper starts from a fine-tuned backbone train that base model first."""
    from sklearn.frozen import FrozenEstimator

    from skinterp import EVarMClassifier, SCCClassifier

    X, y = toy
    tiny = dict(embeddings=None, embedding_dim=16, num_filters=8, random_state=0, max_epochs=4)
    evarm = EVarMClassifier(**tiny).fit(X, y)
    assert evarm.resolved_warmup_epochs() == 2  # "auto": half of max_epochs
    base = evarm.warmup_model_
    assert type(base) is TextClassifier and len(base.history) == 2
    assert base.get_params()["num_filters"] == 8 and base.tokenizer_ is evarm.tokenizer_
    # same as passing the same base model by hand
    by_hand = EVarMClassifier(**tiny, init_from=FrozenEstimator(base)).fit(X, y)
    np.testing.assert_allclose(evarm.predict_proba(X), by_hand.predict_proba(X), atol=1e-6)
    assert by_hand.resolved_warmup_epochs() == 0 and not hasattr(by_hand, "warmup_model_")
    assert SCCClassifier(**tiny, warmup_epochs=0).resolved_warmup_epochs() == 0
    assert SCCClassifier(**tiny, warmup_epochs=3).resolved_warmup_epochs() == 3
    # VMASK starts from a fine-tuned backbone only on transformers (BERT-VMASK)
    assert VMaskClassifier(**tiny).resolved_warmup_epochs() == 0
    assert VMaskClassifier(encoder="transformer", max_epochs=3).resolved_warmup_epochs() == 1
    assert TextClassifier(**tiny).resolved_warmup_epochs() == 0
    with pytest.raises(ValueError, match="warmup_epochs"):
        EVarMClassifier(**tiny, warmup_epochs=-1).fit(X, y)


def test_warm_up_trains_all_its_epochs_on_the_training_share(toy):
    """SCC picks its epoch on held-out texts; its warm-up trains every epoch (no pick of its
    own, which kept an early, less accurate epoch) and is scored on the same held-out share."""
    from skinterp import SCCClassifier

    X, y = toy
    tiny = dict(embeddings=None, embedding_dim=16, num_filters=8, random_state=0, lr=1e-2)
    scc = SCCClassifier(**tiny, max_epochs=2, warmup_epochs=6, patience=1).fit(X, y)
    base = scc.warmup_model_
    assert base.early_stopping is False and len(base.history) == 6
    assert "valid_acc" in base.history[-1]  # the held-out share, never trained on
    # the warm-up's last epoch is the model SCC starts from: refit it by hand and compare
    by_hand = TextClassifier(**tiny, max_epochs=6, train_split=scc._validation_split(y))
    by_hand.set_params(random_state=scc.seed_).fit(X, y)
    np.testing.assert_allclose(base.predict_proba(X), by_hand.predict_proba(X), atol=1e-6)


def test_method_stage_fine_tunes_the_copied_weights_at_encoder_lr(toy):
    """From a fitted model (init_from or the warm-up), the copied encoder and output layer
    train at encoder_lr (E-VarM's "auto": lr / 10) and the method's new layers at lr; from scratch
    everything trains at lr; the user's own parameter groups keep their settings."""
    import torch
    from sklearn.frozen import FrozenEstimator

    from skinterp import EVarMClassifier

    X, y = toy
    tiny = dict(embeddings=None, embedding_dim=16, num_filters=8, random_state=0, max_epochs=2)
    base = TextClassifier(**tiny, lr=1e-2).fit(X, y)

    def lrs(clf):
        copied = {id(p) for m in (clf.module_.encoder, clf.module_.head) for p in m.parameters()}
        out = {}
        for g in clf.optimizer_.param_groups:
            kinds = {id(p) in copied for p in g["params"]}
            assert len(kinds) == 1  # a group holds copied or new weights, never both
            out.setdefault(kinds.pop(), set()).add(round(g["lr"], 12))
        n = sum(len(g["params"]) for g in clf.optimizer_.param_groups)
        assert n == len([p for p in clf.module_.parameters() if p.requires_grad])
        return out

    evarm = EVarMClassifier(**tiny, lr=1e-2, init_from=FrozenEstimator(base)).fit(X, y)
    assert lrs(evarm) == {True: {1e-3}, False: {1e-2}}  # E-VarM's "auto": lr / 10
    # VMASK's "auto" is lr: one group, as from scratch
    vmask = VMaskClassifier(**tiny, lr=1e-2, init_from=FrozenEstimator(base)).fit(X, y)
    assert [g["lr"] for g in vmask.optimizer_.param_groups] == [1e-2]
    scratch = VMaskClassifier(**tiny, lr=1e-2).fit(X, y)
    assert [g["lr"] for g in scratch.optimizer_.param_groups] == [1e-2]
    warm = EVarMClassifier(**tiny).fit(X, y)  # its warm-up stage; default lr 1e-3
    assert lrs(warm) == {True: {1e-4}, False: {1e-3}}
    assert warm.warmup_model_.optimizer_.param_groups[0]["lr"] == pytest.approx(1e-3)
    own = VMaskClassifier(**tiny, lr=1e-2, init_from=FrozenEstimator(base), encoder_lr=0.5)
    own.set_params(optimizer__param_groups=[("mask_layer.net.0.*", {"lr": 0.25})]).fit(X, y)
    assert sorted(g["lr"] for g in own.optimizer_.param_groups) == [0.01, 0.25, 0.5]
    # a vanishing encoder_lr leaves the copied weights where the base model left them
    still = VMaskClassifier(**tiny, init_from=FrozenEstimator(base), encoder_lr=1e-12).fit(X, y)
    for name, value in base.module_.encoder.state_dict().items():
        torch.testing.assert_close(still.module_.encoder.state_dict()[name], value)
    assert not torch.equal(vmask.module_.encoder.state_dict()[name], value)
    # SCC's "auto" is lr: at lr / 10 its mask stayed near keep-all on a Rotten Tomatoes subset
    from skinterp import SCCClassifier

    assert SCCClassifier(lr=1e-2).resolved_encoder_lr() == 1e-2
    assert SCCClassifier(lr=1e-2, encoder_lr=1e-4).resolved_encoder_lr() == 1e-4
    for bad in (0, -1e-3, "fast"):
        with pytest.raises(ValueError, match="encoder_lr"):
            VMaskClassifier(**tiny, encoder_lr=bad).fit(X, y)


def test_init_from_warns_when_the_best_epoch_is_picked_on_held_out_texts(toy):
    """SCC picks its best epoch on a share of X it holds out; a model passed as init_from may
    have trained on that share (the claims benchmark's base did: SCC's validation accuracy
    was 0.99 on Rotten Tomatoes), so the user is told. The warm-up stage trains on the
    training share only and does not warn; neither does SCC without its held-out pick."""
    import warnings

    from sklearn.frozen import FrozenEstimator

    from skinterp import SCCClassifier

    X, y = toy
    tiny = dict(embeddings=None, embedding_dim=16, num_filters=8, random_state=0, max_epochs=2)
    base = TextClassifier(**tiny).fit(X, y)
    with pytest.warns(UserWarning, match="init_from was fitted before that share was drawn"):
        SCCClassifier(**tiny, init_from=FrozenEstimator(base)).fit(X, y)
    for clf in (
        SCCClassifier(**tiny),
        SCCClassifier(**tiny, init_from=FrozenEstimator(base), early_stopping=False),
    ):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clf.fit(X, y)
        assert not [w for w in caught if "init_from was fitted" in str(w.message)]


def test_decisiveness_leaves_out_truncated_words(toy):
    """Words beyond max_length score 0 without being masked; they must not count."""
    X, y = toy
    long = [" ".join([x] * 6) for x in X]  # every text far beyond max_length tokens
    tiny = dict(embeddings=None, embedding_dim=16, num_filters=8, random_state=0)
    clf = VMaskClassifier(max_epochs=1, max_length=8, **tiny).fit(long, y)
    enc = clf.encode(long[:256])
    kept = [
        e.scores[np.unique(c.word_ids[c.word_ids >= 0])]
        for c, e in zip(enc, clf.explain(enc), strict=True)
    ]
    expected = Decisiveness("keep").initialize().summary(kept)
    assert clf.history[-1, "keep_q10"] == pytest.approx(expected["keep_q10"])
    assert expected["keep_q10"] > 0  # the truncated words' zeros are not in it
