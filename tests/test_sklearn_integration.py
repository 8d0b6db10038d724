"""TextClassifier inside GridSearchCV, cross_val_score and Pipelines on raw text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import small_cnn
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline

import skinterp
from skinterp import TextClassifier
from skinterp.text import Tokenizer


def test_grid_search_on_raw_text(toy):
    X, y = toy
    gs = GridSearchCV(small_cnn(max_epochs=3), {"lr": [1e-3, 1e-2]}, cv=2).fit(X, y)
    assert gs.best_params_["lr"] in (1e-3, 1e-2)
    assert set(gs.predict(X[:3])) <= {"pos", "neg"}
    assert gs.best_estimator_.get_params()["lr"] == gs.best_params_["lr"]


def test_cross_val_score_on_raw_text(toy):
    X, y = toy
    scores = cross_val_score(small_cnn(max_epochs=6), X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.6


def test_accepts_series_and_arrays(toy):
    X, y = toy
    clf = small_cnn(max_epochs=2).fit(pd.Series(X), np.array(y))
    assert clf.predict(np.array(X[:2])).shape == (2,)


def test_integer_and_bool_labels(toy):
    X, y = toy
    yi = np.array([3 if v == "pos" else 7 for v in y])
    clf = small_cnn(max_epochs=2).fit(X, yi)
    assert list(clf.classes_) == [3, 7] and set(clf.predict(X)) <= {3, 7}
    yb = [v == "pos" for v in y]
    assert set(small_cnn(max_epochs=2).fit(X, yb).predict(X)) <= {True, False}


def test_multiclass(toy):
    X, y = toy
    y3 = [["a", "b", "c"][i % 3] for i in range(len(X))]
    clf = small_cnn(max_epochs=2).fit(X, y3)
    assert clf.predict_proba(X).shape == (len(X), 3)


def test_pipeline_with_cached_tokenizer(toy, tmp_path):
    X, y = toy
    pipe = Pipeline([("tok", Tokenizer()), ("clf", small_cnn(max_epochs=2))], memory=str(tmp_path))
    gs = GridSearchCV(pipe, {"clf__lr": [1e-3, 1e-2, 5e-2]}, cv=2).fit(X, y)
    assert gs.best_params_["clf__lr"] in (1e-3, 1e-2, 5e-2)
    # one cached tokenizer fit per distinct training fold + the refit: not one per parameter
    cached = [p for p in tmp_path.rglob("output.pkl")]
    assert 1 <= len(cached) <= 3
    exp = gs.best_estimator_[-1].explain(gs.best_estimator_[0].transform(["a great film"]))
    assert exp[0].words == ["a", "great", "film"]


def test_pipeline_predicts_like_raw_and_accepts_raw_after_encoded_fit(toy):
    X, y = toy
    tok = Tokenizer().fit(X)
    clf = small_cnn(max_epochs=2).fit(tok.transform(X), y)
    np.testing.assert_allclose(clf.predict_proba(X), clf.predict_proba(tok.transform(X)))


def test_set_params_and_clone_keep_dunder_params():
    clf = TextClassifier(optimizer__amsgrad=True, iterator_train__num_workers=0)
    assert clone(clf).get_params()["optimizer__amsgrad"] is True
    clf.set_params(lr=0.5, encoder="lstm")
    assert clf.lr == 0.5 and clf.encoder == "lstm"


def test_validation_and_early_stopping(toy):
    X, y = toy
    y = list(np.random.default_rng(0).permutation(y))  # noise: validation loss must rise
    clf = small_cnn(max_epochs=30, validation_fraction=0.25, early_stopping=True, patience=2)
    clf.fit(X, y)
    hist = clf.history
    assert "valid_acc" in hist[-1] and "valid_loss" in hist[-1]
    assert len(hist) < 30  # stopped early


def test_weight_decay_reaches_optimizer(toy):
    X, y = toy
    clf = small_cnn(max_epochs=1, weight_decay=0.01).fit(X, y)
    assert clf.optimizer_.param_groups[0]["weight_decay"] == 0.01
    assert clf.optimizer_.param_groups[0]["lr"] == 1e-2


def test_default_lr_depends_on_backbone(toy, bert_config, fast_tokenizer):
    X, y = toy
    clf = TextClassifier(embedding_dim=8, num_filters=4, max_epochs=1).fit(X, y)
    assert clf.optimizer_.param_groups[0]["lr"] == 1e-3
    tr = TextClassifier(
        encoder="transformer", pretrained=bert_config, tokenizer=fast_tokenizer, max_epochs=1
    ).fit(X, y)
    assert tr.optimizer_.param_groups[0]["lr"] == 2e-5


def test_bucketing_and_verbose_output(toy, capsys):
    X, y = toy
    clf = small_cnn(max_epochs=2, bucket_by_length=True, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("train_loss") == 1 and len(clf.history) == 2  # header once, 2 epochs
    # bucketing groups texts by length within a batch; it learns as well as without
    plain = small_cnn(max_epochs=2).fit(X, y)
    assert clf.score(X, y) >= plain.score(X, y) - 0.15 and clf.score(X, y) > 0.6


def test_warm_start_continues(toy):
    X, y = toy
    clf = small_cnn(max_epochs=1, warm_start=True).fit(X, y)
    vocab = clf.tokenizer_
    clf.fit(X, y)
    assert clf.tokenizer_ is vocab and len(clf.history) == 2


def test_random_state_none_differs_but_runs(toy):
    X, y = toy
    a = small_cnn(max_epochs=1, random_state=None).fit(X, y)
    b = small_cnn(max_epochs=1, random_state=None).fit(X, y)
    assert not np.array_equal(a.predict_proba(X), b.predict_proba(X))


def test_fit_does_not_touch_global_rng(toy):
    import torch

    X, y = toy
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    small_cnn(max_epochs=1).fit(X, y)
    assert torch.equal(torch.rand(3), expected)


def test_pretrained_word_vectors(toy, tmp_path):
    X, y = toy
    rng = np.random.default_rng(0)
    words = ["great", "dull", "film", "zzz-not-in-data"]
    vecs = rng.normal(size=(4, 6)).astype(np.float32)
    for emb in (
        (words, vecs),
        dict(zip(words, vecs, strict=True)),
        pd.DataFrame(vecs, index=words),
    ):
        clf = small_cnn(max_epochs=1, embeddings=emb, freeze_embeddings=True).fit(X, y)
        weight = clf.module_.encoder.embedding.weight
        row = clf.tokenizer_.stoi_["great"]
        np.testing.assert_allclose(weight[row].detach().numpy(), vecs[0])
        assert not weight.requires_grad and weight.shape[1] == 6
        assert 0 < clf.embedding_coverage_ < 1
    path = tmp_path / "vectors.txt"
    path.write_text(
        "\n".join(w + " " + " ".join(map(str, v)) for w, v in zip(words, vecs, strict=True))
    )
    clf = small_cnn(max_epochs=1, embeddings=str(path), freeze_embeddings=True).fit(X, y)
    row = clf.tokenizer_.stoi_["dull"]
    np.testing.assert_allclose(
        clf.module_.encoder.embedding.weight[row].detach().numpy(), vecs[1], rtol=1e-5
    )


def test_matrix_aligned_with_fixed_vocabulary(toy):
    X, y = toy
    words = ["great", "dull", "film"]
    mat = np.arange(18, dtype=np.float32).reshape(3, 6)
    tok = Tokenizer(vocabulary=words).fit(X)
    clf = small_cnn(max_epochs=1, embeddings=mat, freeze_embeddings=True).fit(tok.transform(X), y)
    w = clf.module_.encoder.embedding.weight.detach().numpy()
    np.testing.assert_array_equal(w[tok.tokenizer_.stoi_["dull"]], mat[1])
    assert (w[0] == 0).all()  # [PAD]


def test_custom_encoder_module(toy):
    import torch
    from torch import nn

    from skinterp.nn import EncoderOutput

    class BagOfWords(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(200, 8)
            self.output_dim = 8

        def forward(self, input_ids, attention_mask, token_type_ids=None, embedding_hook=None):
            e = self.emb(input_ids.clamp_max(199))
            if embedding_hook is not None:
                e = embedding_hook(e)
            pooled = (e * attention_mask.unsqueeze(-1)).sum(1)
            return EncoderOutput(e, (e,), pooled, attention_mask)

    X, y = toy
    module = BagOfWords()
    before = module.emb.weight.detach().clone()
    clf = TextClassifier(encoder=module, max_epochs=3, lr=1e-2, random_state=0).fit(X, y)
    assert torch.equal(module.emb.weight, before)  # the user's module is never trained in place
    assert clf.explain("a great film").scores.shape == (3,)


def test_early_stopping_on_valid_acc_keeps_the_most_accurate_epoch(toy, tmp_path):
    X, y = toy
    clf = small_cnn(
        max_epochs=6, validation_fraction=0.25, early_stopping="valid_acc", patience=6
    ).fit(X, y)
    hist = clf.history
    assert len(hist) == 6  # patience >= max_epochs: selects the checkpoint, never stops early
    valid = clf._validation_split()(np.arange(len(X)), np.asarray(y))[1]
    held_out = [X[i] for i in valid.indices]
    y_valid = np.asarray(y)[valid.indices]
    best = max(hist[:, "valid_acc"])
    assert clf.score(held_out, y_valid) == pytest.approx(best)
    # kept_epoch_ names that epoch (the first most accurate one) and survives save/load
    assert clf.kept_epoch_ == next(r["epoch"] for r in hist if r["valid_acc"] == best)
    path = tmp_path / "model"
    clf.save(path)
    assert skinterp.load(path).kept_epoch_ == clf.kept_epoch_
    # without early stopping the model holds its last epoch and no row is marked
    plain = small_cnn(max_epochs=2).fit(X, y)
    assert plain.kept_epoch_ == 2 and not any("kept_epoch" in r for r in plain.history)
    # a warm_start fit without early stopping trains on from the kept weights: it holds its last
    n = len(clf.history)
    clf.set_params(warm_start=True, early_stopping=False, max_epochs=1).fit(X, y)
    assert clf.kept_epoch_ == clf.history[-1, "epoch"] == n + 1
    assert not hasattr(small_cnn(), "kept_epoch_")
    with pytest.raises(ValueError, match="early_stopping"):
        small_cnn(early_stopping="accuracy").fit(X, y)


def test_warm_up_holds_out_the_main_fits_validation_texts(toy):
    from skinterp import EVarMClassifier

    X, y = toy
    clf = EVarMClassifier(
        embedding_dim=8, num_filters=4, max_epochs=2, validation_fraction=0.25, random_state=0
    ).fit(X, y)
    rows, labels = np.arange(len(X)), np.asarray(y)
    main = clf._validation_split()(rows, labels)[1].indices
    warm = clf.warmup_model_.train_split(rows, labels)[1].indices
    np.testing.assert_array_equal(main, warm)
    assert "valid_acc" in clf.warmup_model_.history[-1]


def test_too_few_texts_to_hold_out_validation(toy):
    X, y = toy
    X2, y2 = X[:3], ["pos", "neg", "pos"]
    with pytest.warns(UserWarning, match="cannot hold out a stratified validation share"):
        clf = small_cnn(max_epochs=2, early_stopping="valid_acc").fit(X2, y2)
    assert len(clf.history) == 2 and "valid_acc" not in clf.history[-1]
    with pytest.raises(ValueError, match=r"validation_fraction=0.5: .*smallest class: 1 texts"):
        small_cnn(max_epochs=1, validation_fraction=0.5).fit(X2, y2)


def test_adam_runs_fused_unless_the_user_chose_an_implementation(toy):
    X, y = toy
    fused = small_cnn(max_epochs=1).fit(X, y)
    assert fused.optimizer_.defaults["fused"] is True
    for extra in ({"optimizer__foreach": True}, {"optimizer__fused": False}):
        chosen = small_cnn(max_epochs=1, **extra).fit(X, y)
        assert not chosen.optimizer_.defaults.get("fused")
    sgd = small_cnn(max_epochs=1, optimizer=torch.optim.SGD).fit(X, y)
    assert "fused" not in sgd.get_params() and not sgd.optimizer_.defaults.get("fused")


def test_an_explainer_named_by_a_string_is_seeded_everywhere(toy):
    """The same LIME numbers on every call, and with n_jobs=1 and 2 (other processes)."""
    from skinterp.explain import DEFAULT_RANDOM_STATE, LimeExplainer, get_explainer
    from skinterp.metrics import aopc_score, make_aopc_scorer

    X, y = toy
    assert get_explainer("lime").random_state == DEFAULT_RANDOM_STATE == 0
    clf = small_cnn(max_epochs=2).fit(X, y)
    first = aopc_score(clf, X[:12], explainer="lime", k=2)
    assert aopc_score(clf, X[:12], explainer="lime", k=2) == first
    scores = lambda e: np.concatenate([x.scores for x in e.explain(clf, X[:3])])  # noqa: E731
    assert (scores(get_explainer("lime")) == scores(get_explainer("lime"))).all()
    assert (scores(LimeExplainer()) != scores(LimeExplainer())).any()  # the check can fail
    scorer = make_aopc_scorer(explainer="lime", k=2)
    model = small_cnn(max_epochs=2)
    one = cross_val_score(model, X, y, cv=2, scoring=scorer, n_jobs=1)
    two = cross_val_score(model, X, y, cv=2, scoring=scorer, n_jobs=2)
    # equal up to float summation order (worker processes run torch on one thread)
    np.testing.assert_allclose(one, two, rtol=1e-6)


def test_fitting_on_empty_texts_warns(toy):
    with pytest.warns(UserWarning, match="all 4 training texts are empty"):
        small_cnn(max_epochs=1).fit(["", "  ", "", " "], ["a", "b", "a", "b"])
