"""Integrated gradients: completeness, a literal per-text reference, Captum's
``LayerIntegratedGradients`` on a BERT, batching, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import small_cnn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skinterp import from_transformers
from skinterp.explain import IntegratedGradientsExplainer, get_explainer
from skinterp.explain._integrated import path_steps

TEXTS = ["the movie was good", "a bad film , really bad", "good fun and a great cast", "bad"]


@pytest.fixture(scope="module")
def cnn(toy):
    X, y = toy
    return small_cnn(max_epochs=3).fit(X, y)


def _logit_gap(est, texts):
    """F(x) - F(baseline) of the predicted class, the baseline padding every word token."""
    gaps = np.zeros(len(texts))
    for idx, batch in est.iter_batches(est.encode(texts)):
        _, _, full = est.token_gradients(batch)
        ids = batch["input_ids"].clone()
        ids[batch["word_ids"] >= 0] = est.tokenizer_.pad_id
        _, _, base = est.token_gradients({**batch, "input_ids": ids})
        c = full.argmax(1, keepdim=True)
        gaps[idx] = (full.gather(1, c) - base.gather(1, c)).squeeze(1).numpy()
    return gaps


def test_path_steps_are_quadrature_rules():
    for method in ("gausslegendre", "riemann_trapezoid"):
        a, w = path_steps(20, method)
        assert a.min() >= 0 and a.max() <= 1 and w.sum() == pytest.approx(1.0)
        assert (w * a**3).sum() == pytest.approx(0.25, abs=1e-2)  # integral of a^3 on [0, 1]
    a, _ = path_steps(5, "riemann_trapezoid")
    np.testing.assert_allclose(a, [0, 0.25, 0.5, 0.75, 1])


def test_scores_add_up_to_the_logit_gap(cnn):
    exps = IntegratedGradientsExplainer(n_steps=100).explain(cnn, TEXTS)
    got = np.array([e.scores.sum() for e in exps])
    np.testing.assert_allclose(got, _logit_gap(cnn, TEXTS), atol=2e-3, rtol=1e-2)
    assert all(e.method == "integrated_gradients" for e in exps)


def test_equals_a_per_text_per_step_reference(cnn):
    """The batched, stacked-steps computation against one text and one step at a time."""
    n_steps = 8
    exps = IntegratedGradientsExplainer(n_steps=n_steps, baseline="zeros").explain(cnn, TEXTS)
    alphas, weights = path_steps(n_steps)
    for text, exp in zip(TEXTS, exps, strict=True):
        (_, batch), *_ = list(cnn.iter_batches(cnn.encode([text])))
        _, emb, logits = cnn.token_gradients(batch)
        c = logits.argmax(1)
        total = torch.zeros_like(emb)
        for a, w in zip(alphas, weights, strict=True):
            g, _, _ = cnn.token_gradients(batch, target=c, transform=lambda e, a=a: a * e)
            total += float(w) * g
        tok = (emb * total).sum(-1)[0].numpy()
        wid = batch["word_ids"][0].numpy()
        ref = np.array([tok[wid == i].sum() for i in range(len(exp.words))])
        np.testing.assert_allclose(exp.scores, ref, rtol=1e-5, atol=1e-7)


def test_batch_rows_do_not_change_the_scores(cnn):
    one = IntegratedGradientsExplainer(n_steps=10, batch_rows=1).explain(cnn, TEXTS)
    many = IntegratedGradientsExplainer(n_steps=10, batch_rows=1000).explain(cnn, TEXTS)
    for a, b in zip(one, many, strict=True):
        np.testing.assert_allclose(a.scores, b.scores, rtol=1e-5, atol=1e-7)


def test_equals_captums_layer_integrated_gradients_on_bert(fast_tokenizer, bert_config):
    captum = pytest.importorskip("captum.attr")
    from transformers import AutoModelForSequenceClassification

    cfg = bert_config.__class__(**bert_config.to_dict())
    cfg.num_labels = 2
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_config(cfg).eval()
    with torch.no_grad():  # a head that separates the toy texts a little
        model.classifier.weight.normal_(0, 2.0)
    est = from_transformers(model, fast_tokenizer)
    exps = IntegratedGradientsExplainer().explain(est, TEXTS[:3])
    lig = captum.LayerIntegratedGradients(
        lambda ids, mask: model(input_ids=ids, attention_mask=mask).logits,
        model.bert.embeddings,
    )
    for text, exp in zip(TEXTS[:3], exps, strict=True):
        enc = fast_tokenizer(text, return_tensors="pt")
        ref = enc["input_ids"].clone()
        ref[0, 1:-1] = fast_tokenizer.pad_token_id  # [CLS] [PAD] ... [PAD] [SEP]
        c = int(model(**enc).logits.argmax())
        attr = lig.attribute(
            enc["input_ids"],
            baselines=ref,
            target=c,
            additional_forward_args=(enc["attention_mask"],),
            n_steps=50,
        )
        tokens = attr.sum(-1)[0, 1:-1].detach().numpy()
        assert len(tokens) == len(exp.words)  # one token per word in these texts
        np.testing.assert_allclose(exp.scores, tokens, rtol=1e-4, atol=1e-8)


def test_by_name_and_clear_errors(cnn):
    assert isinstance(get_explainer("integrated_gradients"), IntegratedGradientsExplainer)
    with pytest.raises(ValueError, match="baseline must be one of"):
        IntegratedGradientsExplainer(baseline="mask").explain(cnn, TEXTS)
    with pytest.raises(ValueError, match="n_steps must be a positive int"):
        IntegratedGradientsExplainer(n_steps=0).explain(cnn, TEXTS)
    with pytest.raises(ValueError, match="needs n_steps >= 2"):
        IntegratedGradientsExplainer(n_steps=1, method="riemann_trapezoid").explain(cnn, TEXTS)
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(TEXTS, [1, 0, 1, 0])
    with pytest.raises(TypeError, match="needs a skinterp estimator"):
        IntegratedGradientsExplainer().explain(pipe, TEXTS)
