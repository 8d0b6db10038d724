"""Explainers: exactness on a keyword model, LIME equal to the lime package, batching."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _keyword import KeywordModel, p_pos
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skinterp.explain import (
    GradientExplainer,
    LimeExplainer,
    NativeExplainer,
    OcclusionExplainer,
    RandomExplainer,
    ShapleyExplainer,
    get_explainer,
    global_importance,
    predict_variants,
    text_seed,
)
from skinterp.explain._perturb import _string_variant, as_items
from skinterp.text import segment_words

TEXTS = ["good great movie", "bad dull plot good", "awful fun film"]


@pytest.fixture(scope="module")
def kw():
    return KeywordModel().fit(TEXTS, ["pos", "neg", "neg"])


def test_occlusion_hand_computed(kw):
    e = OcclusionExplainer().explain(kw, ["good great movie"])[0]
    s = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    np.testing.assert_allclose(e.scores, [s(5) - s(3), s(5) - s(2), 0.0])
    assert e.label == "pos" and e.proba == pytest.approx(s(5))


def test_shapley_exact_on_two_words_and_efficiency(kw):
    e = ShapleyExplainer(num_samples=200, random_state=0).explain(kw, ["good bad"])[0]
    # neg is predicted (logit 0 -> p = 0.5 each; argmax picks the first class, neg)
    f = {
        (): 0.5,
        ("good",): 1 - p_pos(["good"]),
        ("bad",): 1 - p_pos(["bad"]),
        ("good", "bad"): 0.5,
    }
    exact_good = 0.5 * ((f[("good",)] - f[()]) + (f[("good", "bad")] - f[("bad",)]))
    assert e.scores[0] == pytest.approx(exact_good)
    many = ShapleyExplainer(num_samples=5, random_state=1).explain(kw, TEXTS)
    for text, exp in zip(TEXTS, many, strict=True):
        words = text.split()
        pos = p_pos(words) > 0.5
        full = p_pos(words) if pos else 1 - p_pos(words)
        assert exp.scores.sum() == pytest.approx(full - 0.5)  # efficiency: p(full) - p(empty)


def test_lime_matches_the_lime_package_per_text(fitted_cnn, toy):
    X, _ = toy
    # touching words ("film,great", "W.Somerset") must not be glued when a neighbour is removed
    texts = [*X[:4], "a great film,great acting.W.Somerset was dull"]
    ex = LimeExplainer(num_samples=300, random_state=3)
    ours = ex.explain(fitted_cnn, texts)
    for text, exp in zip(texts, ours, strict=True):
        c = list(fitted_cnn.classes_).index(exp.label)
        package = ex.lime_explainer(random_state=text_seed(3, text))  # the text's own stream
        ref = package.explain_instance(
            text,
            fitted_cnn.predict_proba,
            labels=(c,),
            num_features=len(exp.words),
            num_samples=300,
        )
        ref_scores = np.zeros(len(exp.words))
        for f, w in ref.local_exp[c]:
            ref_scores[f] = w
        np.testing.assert_allclose(exp.scores, ref_scores, atol=1e-6)
        assert [w for w, _ in exp.top_k(5)] == [
            exp.words[i] for i in np.argsort(-ref_scores, kind="stable")[:5]
        ]


def test_lime_package_surrogate_path_equals_the_closed_form(fitted_cnn, toy):
    X, _ = toy
    texts = [*X[:3], "fine"]
    fast = LimeExplainer(num_samples=200, random_state=0).explain(fitted_cnn, texts)
    # the package path ("lasso_path") run with "auto": both must give the same scores
    slow = LimeExplainer(num_samples=200, random_state=0)
    slow._fit_surrogates = slow._package_surrogates
    for a, b in zip(fast, slow.explain(fitted_cnn, texts), strict=True):
        np.testing.assert_allclose(a.scores, b.scores, atol=1e-8)


@pytest.mark.parametrize(
    "make",
    [
        lambda: LimeExplainer(num_samples=50, random_state=7),
        lambda: ShapleyExplainer(num_samples=4, random_state=7),
        lambda: RandomExplainer(random_state=7),
    ],
    ids=["lime", "shapley", "random"],
)
def test_same_seed_same_explanation_whatever_the_batch(fitted_cnn, toy, make):
    X, _ = toy
    texts = X[:5]
    together = make().explain(fitted_cnn, texts)
    reordered = make().explain(fitted_cnn, [X[9], *texts[::-1], X[8]])[1:-1][::-1]
    alone = [make().explain(fitted_cnn, [t])[0] for t in texts]
    for a, b, c in zip(together, reordered, alone, strict=True):
        np.testing.assert_allclose(a.scores, b.scores, atol=1e-6)
        np.testing.assert_allclose(a.scores, c.scores, atol=1e-6)
    other = make()
    other.random_state = 8
    assert not all(
        np.allclose(a.scores, b.scores)
        for a, b in zip(together, other.explain(fitted_cnn, texts), strict=True)
    )


def test_repeated_variants_are_predicted_once(fitted_cnn, toy):
    X, _ = toy
    items = as_items(fitted_cnn, ["a dull film", X[0]])
    rng = np.random.default_rng(0)
    keeps = [rng.random((40, it.n_words)) > 0.5 for it in items]
    stats = {}
    got = predict_variants(fitted_cnn, items, keeps, stats=stats)
    distinct = sum(len({r.tobytes() for r in k}) for k in keeps)
    assert stats == {"variants": 80, "predicted": distinct} and distinct < 80
    # every row, repeated or not, gets its own prediction back in place
    for it, k, p in zip(items, keeps, got, strict=True):
        for row, proba in zip(k, p, strict=True):
            one = predict_variants(fitted_cnn, [it], [row[None]])[0][0]
            np.testing.assert_allclose(proba, one, rtol=1e-5, atol=1e-6)
    lime = LimeExplainer(num_samples=300, random_state=0)
    lime.explain(fitted_cnn, ["a dull film"])  # 3 words: at most 2**3 distinct masks
    assert lime.n_variants_ == 300 and lime.n_predicted_ <= 8


def test_gradient_explainer_variants(fitted_cnn, toy):
    X, _ = toy
    norm = GradientExplainer().explain(fitted_cnn, X[:4])
    assert all((e.scores >= 0).all() for e in norm)
    gxi = GradientExplainer("grad_x_input", output="logit").explain(fitted_cnn, X[:4])
    native = NativeExplainer().explain(fitted_cnn, X[:4])
    for a, b in zip(gxi, native, strict=True):  # the base model's native = grad x input (logit)
        np.testing.assert_allclose(a.scores, b.scores, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="variant"):
        GradientExplainer("integrated").explain(fitted_cnn, X[:1])
    with pytest.raises(TypeError, match="skinterp estimator"):
        GradientExplainer().explain(KeywordModel().fit(X, None), X[:1])


def test_random_explainer_is_seeded(kw):
    a = RandomExplainer(random_state=0).explain(kw, TEXTS)
    b = RandomExplainer(random_state=0).explain(kw, TEXTS)
    assert all(np.array_equal(x.scores, y.scores) for x, y in zip(a, b, strict=True))


def test_token_space_equals_string_reprediction(fitted_cnn, toy):
    X, _ = toy
    items = as_items(fitted_cnn, X[:6])
    rng = np.random.default_rng(0)
    keeps = [rng.random((5, it.n_words)) > 0.4 for it in items]
    fast = np.vstack(predict_variants(fitted_cnn, items, keeps))
    strings = [
        _string_variant(it, k, "delete") for it, ks in zip(items, keeps, strict=True) for k in ks
    ]
    np.testing.assert_allclose(fast, fitted_cnn.predict_proba(strings), rtol=1e-5, atol=1e-6)


def test_transformer_token_space(toy, bert_config, fast_tokenizer):
    from skinterp import TextClassifier

    X, y = toy
    clf = TextClassifier(
        encoder="transformer",
        pretrained=bert_config,
        tokenizer=fast_tokenizer,
        max_epochs=1,
        random_state=0,
    ).fit(X, y)
    items = as_items(clf, X[:4])
    keeps = [np.eye(it.n_words, dtype=bool) for it in items]  # keep exactly one word
    fast = np.vstack(predict_variants(clf, items, keeps))
    strings = [
        _string_variant(it, k, "delete") for it, ks in zip(items, keeps, strict=True) for k in ks
    ]
    np.testing.assert_allclose(fast, clf.predict_proba(strings), rtol=1e-4, atol=1e-6)
    assert len(OcclusionExplainer(perturbation="mask").explain(clf, X[:2])) == 2


def test_global_importance(kw):
    g = global_importance(kw, ["good movie", "Good fun", "awful"], explainer="occlusion")
    assert g.index[0] == "good" and g.is_monotonic_decreasing
    assert "Good" not in g.index


def test_get_explainer_and_repr():
    assert isinstance(get_explainer("lime"), LimeExplainer)
    assert "num_samples=7" in repr(ShapleyExplainer(num_samples=7))
    with pytest.raises(TypeError, match="explainer must be"):
        get_explainer(42)


def test_explainers_on_a_tfidf_pipeline(toy):
    X, y = toy
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(X, y)
    exps = ShapleyExplainer(num_samples=4, random_state=0).explain(pipe, X[:3])
    assert [e.words for e in exps] == [[w.text for w in segment_words(x)] for x in X[:3]]
    assert [e.label for e in exps] == list(pipe.predict(X[:3]))
    with pytest.raises(ValueError, match="num_samples"):
        ShapleyExplainer(num_samples=0).explain(pipe, X[:1])


def test_all_variants_of_many_texts_go_in_large_batches(fitted_cnn, toy, monkeypatch):
    X, _ = toy
    calls = []
    original = type(fitted_cnn).predict_proba_tokens

    def spy(self, rows, types=None):
        calls.append(len(rows))
        return original(self, rows, types)

    monkeypatch.setattr(type(fitted_cnn), "predict_proba_tokens", spy)
    OcclusionExplainer().explain(fitted_cnn, X)
    # one model pass for every variant of every text: the full text plus one per word
    assert calls == [sum(len(segment_words(x)) + 1 for x in X)]


def test_exhaustive_occlusion_agrees_with_brute_force(kw):
    for text in TEXTS:
        words = text.split()
        e = OcclusionExplainer().explain(kw, [text])[0]
        pos = p_pos(words) > 0.5
        for i, _ in enumerate(words):
            rest = [w for j, w in enumerate(words) if j != i]
            full, reduced = p_pos(words), p_pos(rest)
            expected = full - reduced if pos else reduced - full
            assert e.scores[i] == pytest.approx(expected)


def test_global_explainer_ranks_by_one_table(toy, fitted_cnn):
    """VMASK Fig. 1's rankings: the model's global_importance_, or the summed native scores."""
    from skinterp import VMaskClassifier
    from skinterp.explain import GlobalExplainer, get_explainer, global_importance

    X, y = toy
    vmask = VMaskClassifier(embedding_dim=16, num_filters=8, max_epochs=2, random_state=0)
    vmask.fit(X, y)
    table = vmask.global_importance_
    (exp,) = get_explainer("global").explain(vmask, [X[0]])
    np.testing.assert_allclose(exp.scores, [table[w.lower()] for w in exp.words])
    assert exp.method == "global"
    # a model without a table: the sum of its native scores over the texts explained
    summed = global_importance(fitted_cnn, X[:6])
    exps = GlobalExplainer().explain(fitted_cnn, X[:6])
    for e in exps:
        np.testing.assert_allclose(e.scores, [summed[w.lower()] for w in e.words])
    # the same word gets the same score in every text
    scores = {}
    for e in exps:
        for w, s in zip(e.words, e.scores, strict=True):
            assert scores.setdefault(w.lower(), s) == s
