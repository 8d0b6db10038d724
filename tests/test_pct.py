"""PCT and the Entropy baseline: saliency, reductions, the contrastive loss, input reduction."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skinterp import EntropyClassifier, PCTClassifier, TextClassifier
from skinterp.explain import get_explainer
from skinterp.methods._pct import saliency_reductions
from skinterp.methods._reduction import beam_input_reduction, drop_words, word_saliency
from skinterp.nn import multi_positive_nt_xent

TINY = dict(embedding_dim=16, num_filters=8, hidden_size=8, lr=1e-2, batch_size=16, random_state=0)


def _batch(clf, texts):
    idx, batch = next(clf._batches(clf._encode(texts, "text")))
    return idx, batch


@pytest.fixture(scope="module")
def base(toy):
    X, y = toy
    return TextClassifier(max_epochs=3, **TINY).fit(X, y)


def test_multi_positive_nt_xent_matches_eq_6():
    torch.manual_seed(0)
    z = torch.randn(7, 5)
    groups = torch.tensor([0, 0, 0, 1, 1, 2, 3])  # sets 2 and 3 have a single member
    t = 0.7
    zn = torch.nn.functional.normalize(z, dim=-1)
    s = (zn @ zn.T / t).exp()
    losses = []
    for p in range(7):
        same = [j for j in range(7) if groups[j] == groups[p] and j != p]
        other = [j for j in range(7) if groups[j] != groups[p]]
        if same:
            losses.append(-math.log(float(s[p, same].sum() / s[p, other].sum())))
    expected = sum(losses) / len(losses)
    got = multi_positive_nt_xent(z, groups, temperature=t)
    assert got.item() == pytest.approx(expected, rel=1e-5)
    single = multi_positive_nt_xent(z[:3], torch.zeros(3, dtype=torch.long))
    assert single.item() == 0.0  # nothing outside the set: no anchor qualifies


def test_saliency_reductions_are_cumulative():
    # text 0: 10 words, saliency = word index (word 9 most salient); text 1: 4 words
    sal = torch.stack([torch.arange(10.0), torch.tensor([3.0, 1.0, 2.0, 0.0] + [0.0] * 6)])
    n = torch.tensor([10, 4])
    keep, rows, important = saliency_reductions(sal, n, 0.2, 0.1)
    # text 0: m_imp = 2, m_ump = 1; text 1: m_imp = round(0.8) = 1, m_ump = max(1, 0) = 1
    assert rows.tolist() == [0, 0, 1, 0, 1]
    assert important.tolist() == [True, True, True, False, False]
    kept = [set(np.flatnonzero(k.numpy()).tolist()) for k in keep]
    assert kept[0] == set(range(9))  # top-1 (word 9) removed
    assert kept[1] == set(range(8))  # top-1, top-2 removed cumulatively
    assert kept[2] == {1, 2, 3}  # text 1: most salient (word 0) removed
    assert kept[3] == set(range(1, 10))  # least salient (word 0) removed
    assert kept[4] == {0, 1, 2}  # text 1: least salient (word 3) removed
    # one-word texts give no reductions; p = 0 switches a side off
    keep, rows, _ = saliency_reductions(sal[:1], torch.tensor([1]), 0.5, 0.5)
    assert len(rows) == 0
    _, rows, important = saliency_reductions(sal, n, 0.0, 0.1)
    assert not important.any() and len(rows) == 2


@pytest.mark.parametrize("backbone", ["word", "transformer"])
def test_drop_words_equals_tokenizing_the_reduced_text(backbone, toy, fast_tokenizer, bert_config):
    X, y = toy
    if backbone == "word":
        clf = TextClassifier(max_epochs=0, **TINY).fit(X, y)
    else:
        clf = TextClassifier(
            encoder="transformer", pretrained=bert_config, tokenizer=fast_tokenizer, max_epochs=0
        ).fit(X, y)
    texts = ["a really bad film", "superb story and music", "i loved this movie"]
    idx, batch = _batch(clf, texts)
    W = int(batch["word_ids"].max()) + 1
    keep = torch.ones(3, W, dtype=torch.bool)
    keep[0, 1] = False
    keep[2, 0] = False
    keep[2, 2] = False
    out = drop_words(batch, keep, torch.tensor([0, 1, 0]), clf.tokenizer_.pad_id)
    for r, src in enumerate([0, 1, 0]):
        words = texts[idx[src]].split()
        reduced = " ".join(w for j, w in enumerate(words) if j >= W or keep[r, j])
        enc = clf._encode([reduced], "text")[0]
        n = int(out["attention_mask"][r].sum())
        assert out["input_ids"][r, :n].tolist() == list(enc.input_ids)
        assert (out["input_ids"][r, n:] == clf.tokenizer_.pad_id).all()


def test_word_saliency_is_the_gradient_explainer_and_leaks_no_gradient(base):
    texts = ["a really bad film", "superb story and music"]
    idx, batch = _batch(base, texts)
    with torch.no_grad():
        target = base.module_(**batch)[0].argmax(1)
    for p in base.module_.parameters():
        p.grad = None
    sal = word_saliency(base, batch, target)
    assert all(p.grad is None for p in base.module_.parameters())
    ref = get_explainer("gradient").explain(base, [texts[i] for i in idx])
    for j, exp in enumerate(ref):
        np.testing.assert_allclose(sal[j, : len(exp.words)].numpy(), exp.scores, rtol=1e-5)


def test_pct_sends_all_reductions_through_one_batch(toy):
    X, y = toy
    calls = []

    class Count(Callback):
        def on_train_begin(self, net, **kwargs):
            net.module_.encoder.register_forward_hook(lambda m, i, o: calls.append(len(i[0])))

    params = {**TINY, "batch_size": len(X)}  # one batch = the whole set
    clf = PCTClassifier(max_epochs=1, callbacks=[("count", Count())], **params).fit(X, y)
    # saliency pass, the originals, then every reduced text at once
    assert len(calls) == 3 and calls[0] == calls[1] == len(X) and calls[2] >= 2 * len(X)
    assert "contrastive" in clf.history[-1]


def test_pct_fits_on_every_backbone_and_validates(toy):
    X, y = toy
    for backbone in ("cnn", "lstm"):
        clf = PCTClassifier(encoder=backbone, max_epochs=3, **TINY).fit(X, y)
        assert clf.history[-1]["contrastive"] > 0
        assert clf.score(X, y) > 0.7
        assert clf.explain("a really bad film").method == "gradient"
    only_imp = PCTClassifier(p_unimportant=0.0, max_epochs=1, **TINY).fit(X, y)
    assert np.isfinite(only_imp.predict_proba(X)).all()
    with pytest.raises(ValueError, match="both 0"):
        PCTClassifier(p_important=0.0, p_unimportant=0.0, **TINY).fit(X, y)
    with pytest.raises(ValueError, match="p_important"):
        PCTClassifier(p_important=1.5, **TINY).fit(X, y)


def _greedy_reference(clf, text):
    """Feng et al.'s greedy reduction, one text at a time (the slow, obvious way)."""
    words = text.split()
    label = clf.predict([text])[0]
    while len(words) > 1:
        exp = get_explainer("gradient").explain(clf, [" ".join(words)])[0]
        drop = int(np.argmin(exp.scores))
        trial = words[:drop] + words[drop + 1 :]
        if clf.predict([" ".join(trial)])[0] != label:
            break
        words = trial
    return " ".join(words)


def test_greedy_reduction_matches_the_per_text_loop(base, toy):
    texts = list(dict.fromkeys(toy[0]))[:10]
    X, y = toy
    clf = EntropyClassifier(init_from=base, max_epochs=0, **TINY).fit(X, y)
    reduced = clf.reduce(texts)
    assert reduced == [_greedy_reference(clf, t) for t in texts]
    assert list(clf.predict(reduced)) == list(clf.predict(texts))
    assert sum(len(r.split()) for r in reduced) < sum(len(t.split()) for t in texts)


def test_beam_reduction_keeps_the_prediction(base, toy):
    X, _ = toy
    texts = ["a really bad film and a dull plot", "superb story and music , i loved it"]
    idx, batch = _batch(base, texts)
    before = base.predict([texts[i] for i in idx])
    for beam in (1, 3):
        keep = beam_input_reduction(base, batch, beam_size=beam)
        out = drop_words(batch, keep, pad_id=base.tokenizer_.pad_id)
        with torch.no_grad():
            after = base.classes_[base.module_(**out)[0].argmax(1).numpy()]
        assert list(after) == list(before)
        assert (keep.sum(1) >= 1).all() and (keep.sum(1) < batch["attention_mask"].sum(1)).any()
    capped = beam_input_reduction(base, batch, max_steps=1)
    n = batch["word_ids"].max(1).values + 1
    assert (capped.sum(1) >= n - 1).all()


def test_entropy_alternates_steps(toy):
    X, y = toy
    plain = TextClassifier(max_epochs=2, **TINY).fit(X, y)
    # without the warm-up stage and with lam=0 the entropy steps change nothing
    off = EntropyClassifier(lam=0.0, max_epochs=2, warmup_epochs=0, **TINY).fit(X, y)
    np.testing.assert_allclose(off.predict_proba(X), plain.predict_proba(X), rtol=1e-5)
    on = EntropyClassifier(lam=1.0, max_epochs=2, warmup_epochs=0, **TINY).fit(X, y)
    assert 0 < on.history[-1]["entropy"] <= math.log(2) + 1e-6
    assert not np.allclose(on.predict_proba(X), plain.predict_proba(X))
