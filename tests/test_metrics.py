"""Metrics against hand-computed values on a deterministic keyword model; model-agnostic use;
scorers in GridSearchCV, cross_val_score and skorch EpochScoring; clear errors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from _keyword import TEXTS, KeywordModel, exp_for, hand_ranked, p_pos
from conftest import small_cnn
from scipy.stats import pearsonr
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from skinterp.metrics import (
    aopc_curve,
    aopc_score,
    comprehensiveness_score,
    confidence_score,
    evaluate,
    frequency_importance_correlation,
    make_aopc_scorer,
    make_comprehensiveness_scorer,
    make_posthoc_accuracy_scorer,
    make_sufficiency_scorer,
    plausibility_scores,
    posthoc_accuracy_curve,
    posthoc_accuracy_score,
    reduced_number,
    saliency_variance,
    sufficiency_score,
)


@pytest.fixture(scope="module")
def kw():
    return KeywordModel().fit(TEXTS, ["pos", "neg", "neg"])


def target_prob(words, positive):
    p = p_pos(words)
    return p if positive else 1 - p


@pytest.fixture(scope="module")
def exps(kw):
    return hand_ranked(kw)


def hand_drops(K):
    """Drops for k = 1..K per text, computed directly from the weights."""
    orders = [["great", "good", "movie"], ["bad", "dull", "good", "plot"], ["awful", "film", "fun"]]
    words = [t.split() for t in TEXTS]
    pos = [p_pos(w) > 0.5 for w in words]
    out = []
    for w, order, is_pos in zip(words, orders, pos, strict=True):
        p0 = target_prob(w, is_pos)
        row = []
        for k in range(1, K + 1):
            removed = set(order[:k])
            row.append(p0 - target_prob([x for x in w if x not in removed], is_pos))
        out.append(row)
    return np.array(out)


def test_aopc_hand_computed(kw, exps):
    drops = hand_drops(3)
    assert aopc_score(kw, TEXTS, k=2, explanations=exps) == pytest.approx(
        drops[:, :2].sum(1).mean() / 3
    )
    assert aopc_score(kw, TEXTS, k=2, explanations=exps, normalization="mean") == pytest.approx(
        drops[:, :2].sum(1).mean() / 2
    )
    np.testing.assert_allclose(aopc_curve(kw, TEXTS, k=3, explanations=exps), drops.mean(0))
    many = aopc_score(kw, TEXTS, k=(1, 3), explanations=exps)
    np.testing.assert_allclose(many, [drops[:, 0].mean() / 2, drops.sum(1).mean() / 4])
    # text 0 by hand: p0 = s(5); without great s(2); without great, good s(0)
    s = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    assert drops[0, 0] == pytest.approx(s(5) - s(2))
    assert drops[0, 1] == pytest.approx(s(5) - 0.5)


def test_aopc_beyond_text_length_removes_everything(kw, exps):
    curve = aopc_curve(kw, TEXTS, k=6, explanations=exps)
    np.testing.assert_allclose(curve[4:], curve[3])  # text 1 has 4 words, the others 3


def test_naopc_against_brute_force(kw, exps):
    K = 2
    words = [t.split() for t in TEXTS]
    expected = []
    for w, drops in zip(words, hand_drops(K), strict=True):
        is_pos = p_pos(w) > 0.5
        p0 = target_prob(w, is_pos)
        totals = []
        for perm in itertools.permutations(range(len(w)), K):
            totals.append(
                sum(
                    p0 - target_prob([x for i, x in enumerate(w) if i not in perm[: j + 1]], is_pos)
                    for j in range(K)
                )
            )
        lo, hi = min(totals), max(totals)
        expected.append((drops.sum() - lo) / (hi - lo))
    got = aopc_score(kw, TEXTS, k=K, explanations=exps, normalization="naopc")
    assert got == pytest.approx(np.mean(expected))
    # the beam search finds the same bounds on these tiny texts
    beam = aopc_score(
        kw, TEXTS, k=K, explanations=exps, normalization="naopc", exact_limit=0, beam_width=50
    )
    assert beam == pytest.approx(got)


def test_posthoc_accuracy_hand_computed(kw, exps):
    # keep top-1: "great" -> pos (same); "bad" -> neg (same); "awful" -> neg (same)
    # keep top-1..: text 1 top-2 "bad dull" neg; top-3 adds "good" (-1) neg
    curve = posthoc_accuracy_curve(kw, TEXTS, k=3, explanations=exps)
    np.testing.assert_allclose(curve, [1, 1, 1])
    # a ranking that puts "good" first flips text 1 (kept alone it is positive)
    flipped = [exps[0], exp_for(TEXTS[1], [0, 0, 0, 9], kw), exps[2]]
    assert posthoc_accuracy_score(kw, TEXTS, k=1, explanations=flipped) == pytest.approx(2 / 3)


def test_posthoc_with_global_scores(kw):
    table = {"movie": 5.0, "plot": 5.0, "film": 5.0}  # neutral words first: every text -> 0.5
    curve = posthoc_accuracy_curve(kw, TEXTS, k=1, global_scores=table)
    # keeping only a neutral word gives p = 0.5 -> argmax picks "neg"; text 0 was pos
    assert curve[0] == pytest.approx(2 / 3)


def test_comprehensiveness_and_sufficiency(kw, exps):
    drops = hand_drops(1)[:, 0]
    assert comprehensiveness_score(kw, TEXTS, size=1, explanations=exps) == pytest.approx(
        drops.mean()
    )
    # a fraction: ceil(0.34 * n) words = 2 for 4 words, 2 for 3 words
    assert comprehensiveness_score(kw, TEXTS, size=0.34, explanations=exps) == pytest.approx(
        hand_drops(2)[:, 1].mean()
    )
    words = [t.split() for t in TEXTS]
    least = ["movie", "plot", "fun"]
    expected = []
    for w, drop in zip(words, least, strict=True):
        pos = p_pos(w) > 0.5
        expected.append(target_prob(w, pos) - target_prob([x for x in w if x != drop], pos))
    assert sufficiency_score(kw, TEXTS, size=1, explanations=exps) == pytest.approx(
        np.mean(expected)
    )
    both = comprehensiveness_score(kw, TEXTS, size=[1, 0.34], explanations=exps)
    assert both == pytest.approx((drops.mean() + hand_drops(2)[:, 1].mean()) / 2)


def test_confidence(kw):
    expected = np.mean([max(p_pos(t.split()), 1 - p_pos(t.split())) for t in TEXTS])
    assert confidence_score(kw, TEXTS) == pytest.approx(expected)


def test_reduced_number(kw, exps):
    # IR#: text 0 (pos): -great s(2) pos, -good s(0)=0.5 -> argmax neg: 2
    # text 1 (neg, logit -1): -bad (+1) pos: 1.  text 2 (neg, -2): -awful (+1) pos: 1
    # UR#: text 0 least first: movie, good, great -> after movie+good s(3) pos, all removed 0.5
    #      -> flips at 3; text 1: plot, good (-3), dull (-2), bad (0) -> 0.5 neg, never flips: 4
    #      text 2: fun (-3), film, awful -> 0.5 neg: never: 3
    r = reduced_number(kw, TEXTS, explanations=exps)
    assert r.important == pytest.approx((2 + 1 + 1) / 3)
    assert r.unimportant == pytest.approx((3 + 4 + 3) / 3)
    assert reduced_number(kw, TEXTS, explanations=exps, max_words=1).unimportant == 1


def test_saliency_variance_is_zero_for_a_stable_additive_explainer(kw):
    from skinterp.explain import OcclusionExplainer

    texts = ["good great fun movie", "bad awful dull plot"]
    v = saliency_variance(kw, texts, explainer=OcclusionExplainer())
    # removing a word leaves the occlusion ranking of the others unchanged: exactly zero
    assert (v.important, v.unimportant) == (0.0, 0.0)
    # an explainer whose rankings move when a word goes scores above zero
    from skinterp.explain import RandomExplainer

    moved = saliency_variance(kw, texts, explainer=RandomExplainer(random_state=0))
    assert moved.important > 0
    with pytest.raises(ValueError, match="at least 3 words"):
        saliency_variance(kw, ["good"], explainer="occlusion")


def test_plausibility_hand_computed(kw, exps):
    lexicon = {
        "good": 1.9,
        "great": 3.1,
        "bad": -2.5,
        "dull": -1.7,
        "awful": -2.0,
        "fun": 2.3,
        "movie": 0.0,
    }
    # top-2: text0 {great, good} gold (pos) {good, great}: 2 hits
    # text1 (neg) {bad, dull}; gold {bad, dull}: 2 hits
    # text2 (neg) {awful, film}; gold {awful} (fun is positive): 1 hit
    p = plausibility_scores(kw, TEXTS, lexicon, k=2, explanations=exps)
    assert p.precision == pytest.approx(5 / 6)
    assert p.recall == pytest.approx(5 / 5)
    assert p.f1 == pytest.approx(2 * (5 / 6) / (5 / 6 + 1))
    as_set = plausibility_scores(kw, TEXTS, {"great"}, k=1, explanations=exps)
    assert as_set.precision == pytest.approx(1 / 3) and as_set.recall == 1.0
    with pytest.raises(ValueError, match="class_signs"):
        plausibility_scores(kw, TEXTS, lexicon, explanations=exps, class_signs={"pos": 1})


def test_frequency_importance_correlation(kw):
    X = ["good movie", "good plot", "good fun movie", "dull"]
    table = {"good": 1.0, "movie": 2.0, "plot": 3.0, "fun": 5.0, "dull": 0.5}
    counts = {"good": 3, "movie": 2, "plot": 1, "fun": 1, "dull": 1}
    expected = pearsonr(np.log([counts[w] for w in table]), list(table.values()))[0]
    got = frequency_importance_correlation(kw, X, global_scores=table)
    assert got == pytest.approx(expected)


def test_model_agnostic_on_tfidf_pipeline(toy):
    X, y = toy
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(X, y)
    for explainer in ("occlusion", "lime", "shapley", "random"):
        assert 0 <= posthoc_accuracy_score(pipe, X[:6], explainer=explainer, k=2) <= 1
    assert aopc_score(pipe, X[:6], explainer="occlusion") > aopc_score(
        pipe, X[:6], explainer="random"
    )
    frame = evaluate(pipe, X[:6], y[:6], explainers=["occlusion"], progress=False)
    assert set(frame["metric"]) >= {"accuracy", "aopc@5", "comprehensiveness"}


def test_metrics_on_text_classifier_and_pairs(fitted_cnn, toy):
    X, _ = toy
    assert 0 <= aopc_score(fitted_cnn, X[:8]) <= 1
    for pert in ("mask", "pad", "unk"):
        assert np.isfinite(aopc_score(fitted_cnn, X[:8], perturbation=pert))
    pairs = list(zip(X, X[::-1], strict=True))
    clf = small_cnn(max_epochs=2).fit(pairs, toy[1])
    assert 0 <= comprehensiveness_score(clf, pairs[:6], explainer="occlusion") <= 1


def test_scorers_in_grid_search_and_cross_val(toy):
    from sklearn.model_selection import GridSearchCV, cross_val_score

    X, y = toy
    gs = GridSearchCV(
        small_cnn(max_epochs=2),
        {"lr": [1e-3, 1e-2]},
        scoring={
            "acc": "accuracy",
            "aopc": make_aopc_scorer(k=2),
            "naopc": make_aopc_scorer(k=2, normalization="naopc"),
            "suff": make_sufficiency_scorer(),
        },
        refit="acc",
        cv=2,
    ).fit(X, y)
    assert {"mean_test_aopc", "mean_test_naopc", "mean_test_suff"} <= set(gs.cv_results_)
    assert np.all(gs.cv_results_["mean_test_suff"] <= 0)  # negated: greater is better
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
    scores = cross_val_score(
        pipe, X, y, cv=2, scoring=make_posthoc_accuracy_scorer(explainer="occlusion", k=1)
    )
    assert scores.shape == (2,)
    assert repr(make_comprehensiveness_scorer(size=2)) == (
        "make_comprehensiveness_scorer(explainer='native', perturbation='delete', "
        "rounding='ceil', size=2)"
    )


def test_scorer_in_skorch_epoch_scoring(toy):
    from skorch.callbacks import EpochScoring

    X, y = toy
    clf = small_cnn(
        max_epochs=2,
        validation_fraction=0.25,
        callbacks=[("aopc", EpochScoring(make_aopc_scorer(k=2), lower_is_better=False))],
    ).fit(X, y)
    assert all(np.isfinite(clf.history[:, "aopc"]))  # named after the scorer


@pytest.mark.parametrize(
    "call, exc, msg",
    [
        (lambda m: aopc_score(m, TEXTS, k=0, explainer="occlusion"), ValueError, "k must be >= 1"),
        (lambda m: posthoc_accuracy_score(m, TEXTS, k=-1), ValueError, "k must be >= 1"),
        (lambda m: aopc_curve(m, [], explainer="occlusion"), ValueError, "X is empty"),
        (
            lambda m: aopc_score(m, ["good", ""], explainer="occlusion"),
            ValueError,
            r"X\[1\] has no words",
        ),
        (lambda m: aopc_score(m, TEXTS, normalization="area"), ValueError, "normalization"),
        (
            lambda m: aopc_score(m, TEXTS, perturbation="swap", explainer="occlusion"),
            ValueError,
            "perturbation",
        ),
        (lambda m: aopc_score(m, TEXTS, explainer="saliency"), ValueError, "unknown explainer"),
        (lambda m: aopc_score(m, TEXTS), TypeError, "no native explanations"),
        (
            lambda m: comprehensiveness_score(m, TEXTS, size=1.5, explainer="occlusion"),
            ValueError,
            "fractional size",
        ),
        (
            lambda m: comprehensiveness_score(m, TEXTS, size=0, explainer="occlusion"),
            ValueError,
            "size must be >= 1",
        ),
        (lambda m: make_aopc_scorer(kk=3), TypeError, "unexpected argument"),
    ],
)
def test_clear_errors(kw, call, exc, msg):
    with pytest.raises(exc, match=msg):
        call(kw)


def test_explanations_must_match_X(kw, exps):
    with pytest.raises(ValueError, match="2 explanations for 3 texts"):
        aopc_score(kw, TEXTS, explanations=exps[:2])
    with pytest.raises(ValueError, match=r"explanations\[0\] does not match X\[0\]"):
        aopc_score(kw, TEXTS, explanations=[exps[1], exps[0], exps[2]])


def test_estimator_without_predict_proba(toy):
    X, y = toy
    svm = make_pipeline(TfidfVectorizer(), LinearSVC()).fit(X, y)
    with pytest.raises(TypeError, match="no predict_proba"):
        aopc_score(svm, X[:3], explainer="occlusion")
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        aopc_score(KeywordModel(), TEXTS, explainer="occlusion")


def test_pipeline_with_tokenizer_uses_the_skinterp_fast_path(toy, tmp_path):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    from skinterp.text import Tokenizer

    X, y = toy
    pipe = Pipeline([("tok", Tokenizer()), ("clf", small_cnn(max_epochs=2))]).fit(X, y)
    direct = pipe[-1]
    assert aopc_score(pipe, X[:6]) == pytest.approx(aopc_score(direct, pipe[0].transform(X[:6])))
    gs = GridSearchCV(
        Pipeline([("tok", Tokenizer()), ("clf", small_cnn(max_epochs=1))], memory=str(tmp_path)),
        {"clf__lr": [1e-3, 1e-2]},
        scoring=make_aopc_scorer(k=2),
        cv=2,
    ).fit(X, y)
    assert np.isfinite(gs.cv_results_["mean_test_score"]).all()


def test_evaluate_equals_the_metric_functions(fitted_cnn, toy):
    """Every number evaluate() reports equals the individual metric function on the same
    explanations (AOPC@k derived from one curve, NAOPC on a prefix, post-hoc at each k)."""
    from skinterp.explain import get_explainer

    X = toy[0][:8]
    exps = get_explainer("occlusion").explain(fitted_cnn, X)
    report = evaluate(
        fitted_cnn,
        X,
        toy[1][:8],
        metrics=["aopc", "naopc", "posthoc_accuracy", "comprehensiveness", "sufficiency"],
        explainers=["occlusion"],
        k=[1, 3],
        curve_k=4,
        naopc_n=5,
        beam_width=2,
        progress=False,
    )
    got = dict(zip(report["metric"], report["value"], strict=True))
    kw = {"explanations": exps}
    assert got["accuracy"] == pytest.approx(fitted_cnn.score(X, toy[1][:8]))
    # the model's float32 probabilities of the same texts, predicted in other batches, agree
    # to float32 rounding (seen: 3e-8), not bit for bit
    f32 = {"rtol": 1e-6, "atol": 1e-7}
    np.testing.assert_allclose(
        [got["aopc@1"], got["aopc@3"]], aopc_score(fitted_cnn, X, k=[1, 3], **kw), **f32
    )
    naopc = aopc_score(
        fitted_cnn, X[:5], k=[1, 3], normalization="naopc", beam_width=2, explanations=exps[:5]
    )
    np.testing.assert_allclose([got["naopc@1"], got["naopc@3"]], naopc, **f32)
    curve = posthoc_accuracy_curve(fitted_cnn, X, k=4, **kw)
    assert [got["posthoc_accuracy@1"], got["posthoc_accuracy@3"]] == [curve[0], curve[2]]
    np.testing.assert_allclose(report.attrs["curves"]["posthoc_accuracy"]["occlusion"], curve)
    assert len(report.attrs["curves"]["aopc"]["occlusion"]) == 4
    assert got["comprehensiveness"] == pytest.approx(comprehensiveness_score(fitted_cnn, X, **kw))
    assert got["sufficiency"] == pytest.approx(sufficiency_score(fitted_cnn, X, **kw))


def test_evaluate_equals_the_pathology_and_plausibility_functions(fitted_cnn, toy):
    """IR#/UR#, I-Var/U-Var (PCT) and precision/recall/F1 against a lexicon (VAT) from
    evaluate() equal reduced_number, saliency_variance and plausibility_scores."""
    from skinterp.explain import get_explainer

    X = toy[0][:8]
    exps = get_explainer("occlusion").explain(fitted_cnn, X)
    lexicon = {"great": 3.1, "good": 1.9, "bad": -2.5, "awful": -3.0, "dull": -1.7}
    report = evaluate(
        fitted_cnn,
        X,
        metrics=["reduced_number", "saliency_variance", "plausibility"],
        explainers=["occlusion"],
        k=2,
        lexicon=lexicon,
        progress=False,
    )
    got = dict(zip(report["metric"], report["value"], strict=True))
    rn = reduced_number(fitted_cnn, X, explanations=exps)
    assert (got["IR#"], got["UR#"]) == pytest.approx((rn.important, rn.unimportant))
    sv = saliency_variance(fitted_cnn, X, explainer="occlusion", explanations=exps)
    assert (got["I-Var"], got["U-Var"]) == pytest.approx((sv.important, sv.unimportant))
    pl = plausibility_scores(fitted_cnn, X, lexicon, k=2, explanations=exps)
    assert (got["precision@2"], got["recall@2"], got["f1@2"]) == pytest.approx(
        (pl.precision, pl.recall, pl.f1)
    )


def test_evaluate_with_a_judge_model(fitted_cnn, toy):
    """judge=: the explained model's rankings, the judge's predictions (VAT's protocol)."""
    from skinterp.explain import get_explainer

    X = toy[0][:8]
    exps = get_explainer("occlusion").explain(fitted_cnn, X)
    other = small_cnn(max_epochs=1, random_state=3).fit(*toy)
    report = evaluate(
        fitted_cnn,
        X,
        metrics=["aopc", "confidence"],
        explainers=["occlusion"],
        k=2,
        judge=other,
        progress=False,
    )
    got = dict(zip(report["metric"], report["value"], strict=True))
    assert got["aopc@2"] == pytest.approx(aopc_score(other, X, k=2, explanations=exps))
    assert got["aopc@2"] != pytest.approx(aopc_score(fitted_cnn, X, k=2, explanations=exps))
    # confidence stays the explained model's own
    assert got["confidence"] == pytest.approx(confidence_score(fitted_cnn, X))
    assert "judge" in report.attrs
    with pytest.raises(TypeError, match="judge must be a fitted classifier"):
        evaluate(fitted_cnn, X, judge="base", progress=False)
    with pytest.raises(ValueError, match="k is an empty sequence"):
        evaluate(fitted_cnn, X, k=[], progress=False)
