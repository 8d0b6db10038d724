"""Integration on real data and real weights (small enough for CI)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import need_data

from skinterp import TextClassifier
from skinterp.datasets import load_rotten_tomatoes


@pytest.fixture(scope="module")
def rt():
    return need_data(load_rotten_tomatoes)


def test_cnn_glove_reaches_075_on_rotten_tomatoes(rt):
    torch.set_num_threads(2)
    clf = TextClassifier(
        encoder="cnn",
        embeddings="glove-50d",
        lr=1e-3,
        batch_size=50,
        max_epochs=6,
        random_state=0,
    )
    need_data(clf.fit, rt.X_train, rt.y_train)
    acc = clf.score(rt.X_test, rt.y_test)
    assert acc >= 0.75, acc
    assert clf.embedding_coverage_ > 0.9
    # embedding rows are those of the fitted vocabulary only (no 400k x 50 matrix kept)
    assert clf.module_.encoder.embedding.weight.shape == (clf.tokenizer_.vocab_size, 50)
    exp = clf.explain(rt.X_test[0], k=5)
    assert len(exp.top_k()) == 5


def test_minilm_loads_offline_and_trains_a_step(rt, monkeypatch):
    from skinterp.datasets import minilm_path

    path = need_data(minilm_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    clf = TextClassifier(
        encoder="transformer",
        pretrained="minilm",
        transformer_kwargs={"num_hidden_layers": 2},
        max_length=48,
        max_epochs=1,
        batch_size=16,
        random_state=0,
    )
    clf.fit(rt.X_train[:32], rt.y_train[:32])
    assert clf.tokenizer_.hf_tokenizer_.name_or_path == str(path)
    assert len(clf.module_.encoder.model.encoder.layer) == 2
    proba = clf.predict_proba(rt.X_test[:4])
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-5)
    assert len(clf.history[0]["batches"]) == 2
    # sub-word tokens aggregate to words of the raw text
    exp = clf.explain("Unbelievably overwrought melodrama.")
    assert exp.words == ["Unbelievably", "overwrought", "melodrama", "."]


def test_demo_command(rt, capsys):
    from skinterp.cli import main

    argv = ["demo", "--epochs", "1", "--train-size", "800", "--n-explain", "2"]
    assert main([*argv, "--n-faithful", "10"]) == 0
    out = capsys.readouterr().out
    assert "test accuracy: base 0." in out and ", VMASK 0." in out
    assert "base: 1 epochs" in out and "VMASK: 2 epochs" in out  # VMASK trains twice as long
    assert "LIME AOPC@5 on 10 random test sentences" in out and "(NAOPC 0." in out
    assert out.count('\n- "') == 2 and out.count("    VMASK [") == 2 and "wall time:" in out
    assert out.count("train_loss") == 2 and "keep_spread" in out  # a line per epoch, per model


def test_demo_rejects_bad_options(capsys):
    from skinterp.cli import main

    assert main(["demo", "--epochs", "0"]) == 2
    assert "--epochs must be >= 1" in capsys.readouterr().err
    assert main(["demo", "--n-faithful", "-1"]) == 2
    assert "--n-faithful must be >= 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["demo", "--backbone", "gpt"])


def test_pair_methods_on_a_real_sentence_pair_task(rt):
    """A pair task built from real reviews: do two sentences share their polarity?"""
    from skinterp import EVarMClassifier, SCCClassifier

    rng = np.random.default_rng(0)
    idx = rng.permutation(len(rt.X_train))[:600]
    a, b = idx[:300], idx[300:]
    pairs = [(rt.X_train[i], rt.X_train[j]) for i, j in zip(a, b, strict=True)]
    same = [
        "same" if rt.y_train[i] == rt.y_train[j] else "different" for i, j in zip(a, b, strict=True)
    ]
    for cls in (EVarMClassifier, SCCClassifier):
        clf = cls(encoder="cnn", embeddings="glove-50d", max_epochs=2, random_state=0)
        clf.fit(pairs[:250], same[:250])
        proba = clf.predict_proba(pairs[250:])
        np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-5)
        exp = clf.explain(pairs[250])
        assert set(exp.sides.tolist()) == {0, 1}
        assert [w for w, s in zip(exp.words, exp.sides, strict=True) if s == 1] == [
            w.text for w in __import__("skinterp").text.segment_words(pairs[250][1])
        ]


def test_pct_and_vat_on_real_reviews(rt):
    """PCT and VAT learn real reviews on GloVe; VAT's attention finds VADER words."""
    from skinterp import PCTClassifier, VATClassifier
    from skinterp.datasets import load_vader_lexicon
    from skinterp.explain import get_explainer
    from skinterp.metrics import plausibility_scores

    X, y = rt.X_train[:1000], rt.y_train[:1000]
    X_test, y_test = rt.X_test[:200], rt.y_test[:200]
    common = dict(embeddings="glove-50d", lr=1e-3, batch_size=50, random_state=0)
    pct = need_data(PCTClassifier(max_epochs=3, **common).fit, X, y)
    assert pct.score(X_test, y_test) >= 0.6
    assert pct.history[-1]["contrastive"] > 0
    vat = need_data(VATClassifier(encoder="lstm", hidden_size=50, max_epochs=4, **common).fit, X, y)
    assert vat.score(X_test, y_test) >= 0.6
    assert list(vat.history[:, "phase"]) == ["joint", "joint", "compressor", "learner"]
    lexicon = need_data(load_vader_lexicon)
    attention = plausibility_scores(vat, X_test, lexicon, k=5)
    rnd = plausibility_scores(vat, X_test, lexicon, k=5, explainer=get_explainer("random"))
    assert attention.f1 > rnd.f1
