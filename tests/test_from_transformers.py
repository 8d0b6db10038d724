"""from_transformers / TransformersClassifier: a fine-tuned Hugging Face classifier, fast path.

Tiny BERT classifiers built from a config cover the protocol, the explainers, the metrics,
persistence and errors; MiniLM-L6 from its registry package, fine-tuned a few steps here,
covers a real model in memory, saved with ``save_pretrained`` and through the CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from _tiny import tiny_bert_config, tiny_fast_tokenizer, toy_data

import skinterp
from skinterp import ModelFileError, TransformersClassifier, from_transformers
from skinterp.explain import LimeExplainer, get_explainer
from skinterp.interface import is_token_model
from skinterp.metrics import (
    aopc_score,
    comprehensiveness_score,
    evaluate,
    posthoc_accuracy_score,
    sufficiency_score,
)

LABELS = {0: "positive", 1: "negative"}  # not sorted: the estimator must reorder its columns


@pytest.fixture(scope="module")
def tok():
    return tiny_fast_tokenizer()


@pytest.fixture(scope="module")
def hf_model(tok):
    from transformers import AutoModelForSequenceClassification

    cfg = tiny_bert_config(len(tok))
    cfg.num_labels, cfg.id2label = 2, dict(LABELS)
    cfg.label2id = {v: k for k, v in LABELS.items()}
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_config(cfg).eval()
    with torch.no_grad():  # a head that separates the toy texts a little, so explanations vary
        model.classifier.weight.normal_(0, 2.0)
    return model


@pytest.fixture(scope="module")
def est(hf_model, tok):
    return from_transformers(hf_model, tok)


def _own_proba(model, tok, texts, pairs=None):
    enc = tok(texts, pairs, padding=True, return_tensors="pt", return_token_type_ids=True)
    with torch.no_grad():
        return torch.softmax(model(**enc).logits, -1).numpy()


def test_predict_proba_is_the_models_own_softmax_in_class_order(est, hf_model, tok):
    X, _ = toy_data(1)
    assert list(est.classes_) == ["negative", "positive"]
    own = _own_proba(hf_model, tok, X)
    np.testing.assert_allclose(est.predict_proba(X), own[:, [1, 0]], atol=1e-6)
    assert list(est.predict(X)) == [LABELS[i] for i in own.argmax(1)]
    assert is_token_model(est)


@pytest.mark.parametrize(
    "name",
    ["native", "gradient", "integrated_gradients", "lime", "shapley", "occlusion", "random"],
)
def test_every_explainer_runs_on_the_token_path(est, name):
    X, _ = toy_data(1)
    exps = get_explainer(name).explain(est, X[:4])
    for text, exp in zip(X[:4], exps, strict=True):
        assert [w for w in exp.words] == text.split()  # words of the raw text
        assert exp.scores.shape == (len(exp.words),) and np.isfinite(exp.scores).all()
    if name == "native":
        assert exps[0].method == "gradient_x_input"


def test_metrics_and_evaluate_run(est):
    X, y = toy_data(1)
    y = ["positive" if v == "pos" else "negative" for v in y]
    assert np.isfinite(aopc_score(est, X, explainer="occlusion", k=2, normalization="naopc"))
    assert np.isfinite(comprehensiveness_score(est, X, size=0.2))
    assert np.isfinite(sufficiency_score(est, X, size=0.2))
    assert 0 <= posthoc_accuracy_score(est, X, k=2) <= 1
    report = evaluate(est, X, y, explainers=["native", "occlusion"])
    assert {"native", "occlusion"} <= set(report["explainer"])
    assert np.isfinite(report["value"]).all()


def test_saved_pretrained_folder_skinterp_save_and_load_predict_identically(
    est, hf_model, tok, tmp_path
):
    X, _ = toy_data(1)
    hf_model.save_pretrained(tmp_path / "hf")
    tok.save_pretrained(tmp_path / "hf")
    from_folder = from_transformers(tmp_path / "hf")
    np.testing.assert_allclose(from_folder.predict_proba(X), est.predict_proba(X), atol=1e-6)
    est.save(tmp_path / "skinterp")
    loaded = skinterp.load(tmp_path / "skinterp")
    assert type(loaded) is TransformersClassifier
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    assert skinterp.core.content_hash(loaded) == skinterp.core.content_hash(est)


def test_fit_fine_tunes_keeping_or_replacing_the_head(hf_model, tok):
    X, y = toy_data(2)
    named = ["positive" if v == "pos" else "negative" for v in y]
    kept = TransformersClassifier(
        pretrained=hf_model, tokenizer=tok, max_epochs=1, lr=1e-4, random_state=0
    ).fit(X, named)
    head = kept.module_.encoder.model.classifier.weight.detach()
    assert torch.allclose(head, hf_model.classifier.weight, atol=1e-2)  # the model's own head
    new = TransformersClassifier(
        pretrained=hf_model, tokenizer=tok, max_epochs=4, lr=5e-3, random_state=0
    ).fit(X, y)
    assert list(new.classes_) == ["neg", "pos"]
    assert new.module_.encoder.model.config.id2label == {0: "neg", 1: "pos"}
    assert hf_model.config.id2label == LABELS  # the user's model is never changed in place


def test_sentence_pairs(hf_model, tok):
    pairs = [("a great film", "loved it"), ("dull plot", "boring acting")]
    est = from_transformers(hf_model, tok, pairs=True)
    own = _own_proba(hf_model, tok, [a for a, _ in pairs], [b for _, b in pairs])
    np.testing.assert_allclose(est.predict_proba(pairs), own[:, [1, 0]], atol=1e-6)
    with pytest.raises(ValueError, match="sentence pairs"):
        from_transformers(hf_model, tok).predict_proba(pairs)


def test_clear_errors(hf_model, tok, tmp_path):
    from transformers import AutoModel

    with pytest.raises(ValueError, match="needs its tokenizer"):
        from_transformers(hf_model)
    with pytest.raises(TypeError, match="not a sequence classifier"):
        from_transformers(AutoModel.from_config(hf_model.config), tok)
    with pytest.raises(TypeError, match="save_pretrained folder"):
        from_transformers(42)
    with pytest.raises(ValueError, match="no config.json"):
        from_transformers(tmp_path)
    hf_model.save_pretrained(tmp_path / "remote")
    cfg = json.loads((tmp_path / "remote" / "config.json").read_text())
    cfg["auto_map"] = {"AutoModelForSequenceClassification": "evil.Model"}
    (tmp_path / "remote" / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelFileError, match="auto_map"):
        from_transformers(tmp_path / "remote", tok)
    for text, message in (("{not json", "not valid JSON"), ("[1, 2]", "a JSON object expected")):
        (tmp_path / "remote" / "config.json").write_text(text)
        with pytest.raises(ValueError, match=f"config.json: file: {message}"):
            from_transformers(tmp_path / "remote", tok)
    with pytest.raises(ValueError, match="encoder must be 'transformer'"):
        TransformersClassifier(encoder="cnn").fit(["a b", "c d"], [0, 1])


@pytest.fixture(scope="module")
def minilm_folder(tmp_path_factory):
    """MiniLM-L6 from its registry package with a new head, fine-tuned 8 steps, saved."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from skinterp.datasets import load_rotten_tomatoes
    from skinterp.datasets._pretrained import resolve_pretrained

    path = resolve_pretrained("minilm")
    tok = AutoTokenizer.from_pretrained(path)
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(
        path, num_labels=2, id2label={0: "negative", 1: "positive"}
    )
    data = load_rotten_tomatoes()
    X, y = list(data.X_train[:128]), torch.tensor(np.asarray(data.y_train[:128]))
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5)
    model.train()
    for s in range(0, 128, 16):
        enc = tok(X[s : s + 16], padding=True, truncation=True, return_tensors="pt")
        loss = model(**enc, labels=y[s : s + 16]).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    model.eval()
    folder = tmp_path_factory.mktemp("minilm")
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder, model, tok, list(data.X_test[:24])


def test_fine_tuned_minilm_in_memory_and_saved(minilm_folder):
    folder, model, tok, X = minilm_folder
    own = _own_proba(model, tok, X)
    in_memory = from_transformers(model, tok)
    np.testing.assert_allclose(in_memory.predict_proba(X), own[:, [0, 1]], atol=1e-5)
    saved = from_transformers(folder)
    np.testing.assert_allclose(saved.predict_proba(X), own[:, [0, 1]], atol=1e-5)
    exps = LimeExplainer(num_samples=64, random_state=0).explain(saved, X[:3])
    assert all(len(e.words) == len(e.scores) > 0 for e in exps)
    assert np.isfinite(aopc_score(saved, X[:8], explainer="native", k=3))


def test_cli_explains_a_save_pretrained_folder(minilm_folder, tmp_path):
    folder, *_, X = minilm_folder
    data = tmp_path / "texts.csv"
    data.write_text("text\n" + "\n".join(f'"{t}"' for t in X[:10]) + "\n")
    out = tmp_path / "explanations.parquet"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "skinterp.cli",
            "explain",
            str(folder),
            "--input",
            str(data),
            "--output",
            str(out),
            "--text-column",
            "text",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    import pandas as pd

    frame = pd.read_parquet(out)
    assert len(frame) == 10 and set(frame["prediction"]) <= {"negative", "positive"}
