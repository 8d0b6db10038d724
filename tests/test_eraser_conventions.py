"""Fractional sizes and ferret's AOPC, pinned to values computed by the peers' formulas.

The references below follow ERASER's / ferret 0.4's rules literally (``int(b * d)`` words,
a skipped empty rationale, ``only_pos``, a repeated rationale dropped) on a scikit-learn
pipeline, with the kept words joined by spaces (skinterp's deletion of words).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skinterp.explain import Explanation
from skinterp.metrics import binned_aopc_score, comprehensiveness_score, sufficiency_score
from skinterp.metrics._eraser import _n_words

TRAIN = [
    "a great warm funny film",
    "great acting and a lovely story",
    "lovely funny and warm",
    "a dull boring mess",
    "boring story and dull acting",
    "a terrible dull film",
]
Y = [1, 1, 1, 0, 0, 0]
TEXTS = [
    "a great and lovely film with warm acting",  # 8 words
    "dull boring story",  # 3 words
    "funny warm great lovely film and a story about acting today",  # 11 words
]


@pytest.fixture(scope="module")
def model():
    return make_pipeline(TfidfVectorizer(), LogisticRegression(C=10)).fit(TRAIN, Y)


def _explanations(seed=0, positive_share=0.6):
    rng = np.random.default_rng(seed)
    out = []
    for text in TEXTS:
        words = text.split()
        scores = rng.permutation(len(words)).astype(float) + 1.0  # distinct: no ties at a cut
        scores[rng.random(len(words)) > positive_share] *= -1
        spans = []
        pos = 0
        for w in words:
            start = text.index(w, pos)
            spans.append((start, start + len(w)))
            pos = start + len(w)
        out.append(
            Explanation(
                text=text,
                words=words,
                scores=scores,
                label=1,
                proba=1.0,
                method="test",
                spans=spans,
            )
        )
    return out


def _p(model, text, c):
    return model.predict_proba([text])[0, c]


def _eraser_reference(model, exps, sizes, kind):
    """ERASER: per text and size, floor(size * d) words; an empty rationale is skipped."""
    per_text = []
    for exp in exps:
        words, d = list(exp.words), len(exp.words)
        c = int(model.predict_proba([exp.text])[0].argmax())
        p0 = _p(model, exp.text, c)
        order = np.argsort(-exp.scores)
        diffs = []
        for s in sizes:
            if kind == "comprehensiveness":
                v = int(round(s * d, 9))
                if v == 0:
                    continue
                gone = set(order[:v].tolist())
            else:  # ERASER's sufficiency keeps the top (1 - size) share
                keep = int(round((1 - s) * d, 9))
                if keep == 0:
                    continue
                gone = set(order[keep:].tolist())
            text = " ".join(w for i, w in enumerate(words) if i not in gone)
            diffs.append(p0 - _p(model, text, c))
        if diffs:
            per_text.append(np.mean(diffs))
    return float(np.mean(per_text))


def _ferret_reference(model, exps, bins, kind, only_pos):
    """ferret 0.4's AOPC loop (faithfulness_measures.py), on words."""
    per_text = []
    for exp in exps:
        words, d = list(exp.words), len(exp.words)
        c = int(model.predict_proba([exp.text])[0].argmax())
        p0 = _p(model, exp.text, c)
        last, diffs = None, []
        for b in bins:
            v = int(round(b * d, 9))
            if not 0 < v <= d:
                continue
            top = np.argsort(exp.scores)[-v:][::-1]
            if only_pos:
                top = [i for i in top if exp.scores[i] > 0]
                if top == []:  # ferret's top-k returns None: the bin is skipped
                    continue
            if last is not None and set(top) == last:
                continue
            last = set(top)
            if kind == "comprehensiveness":
                text = " ".join(w for i, w in enumerate(words) if i not in last)
            else:
                text = " ".join(words[i] for i in top)
            diffs.append(p0 - _p(model, text, c))
        # no rationale kept: ferret's evaluators return 0 (comprehensiveness), 1 (sufficiency)
        per_text.append(np.mean(diffs) if diffs else float(kind == "sufficiency"))
    return float(np.mean(per_text))


def test_fractions_become_word_counts_by_each_rule():
    assert (_n_words(0.2, 9), _n_words(0.2, 9, "eraser")) == (2, 1)
    assert (_n_words(0.05, 9), _n_words(0.05, 9, "eraser")) == (1, 0)
    # float edges: a share that is a whole number of words is that number
    assert _n_words(0.3, 10) == _n_words(0.3, 10, "eraser") == 3
    assert _n_words(1 - 0.7, 10) == 3  # was 4: 1 - 0.7 = 0.30000000000000004
    assert _n_words(7, 5) == _n_words(7, 5, "eraser") == 5  # counts are exact, capped


@pytest.mark.parametrize("kind", ["comprehensiveness", "sufficiency"])
def test_eraser_rounding_equals_erasers_formula(model, kind):
    exps = _explanations()
    sizes = [0.01, 0.05, 0.1, 0.2, 0.5]  # ERASER's bins; the 3-word text skips the small ones
    score = comprehensiveness_score if kind == "comprehensiveness" else sufficiency_score
    got = score(model, TEXTS, explanations=exps, size=sizes, rounding="eraser")
    assert got == pytest.approx(_eraser_reference(model, exps, sizes, kind), abs=1e-12)
    default = score(model, TEXTS, explanations=exps, size=sizes)
    if kind == "comprehensiveness":
        # the default rounds up: every text counts at every size, so the numbers differ
        assert default != pytest.approx(got, abs=1e-6)
    else:
        # removing ceil(s * d) words keeps d - ceil(s * d) = floor((1 - s) * d): the rules agree
        # unless the kept rationale is empty, which ERASER skips
        assert default == pytest.approx(got, abs=1e-12)


def test_sufficiency_keeps_exactly_the_top_share(model):
    exps = _explanations(seed=3)
    for s in (0.7, 0.3, 0.9):  # ERASER keeps the top s; size = 1 - s
        got = sufficiency_score(model, TEXTS, explanations=exps, size=1 - s, rounding="eraser")
        assert got == pytest.approx(_eraser_reference(model, exps, [1 - s], "sufficiency"))


def test_an_all_empty_rationale_is_a_clear_error(model):
    with pytest.raises(ValueError, match="no text has a non-empty rationale"):
        comprehensiveness_score(
            model, TEXTS[1:2], explanations=_explanations()[1:2], size=0.1, rounding="eraser"
        )
    with pytest.raises(ValueError, match="rounding must be one of"):
        comprehensiveness_score(model, TEXTS, explainer="random", rounding="round")


@pytest.mark.parametrize("kind", ["comprehensiveness", "sufficiency"])
@pytest.mark.parametrize("only_pos", [True, False])
def test_binned_aopc_equals_ferrets_loop(model, kind, only_pos):
    exps = _explanations(seed=1)
    bins = [round(0.1 * i, 1) for i in range(1, 11)]
    got = binned_aopc_score(model, TEXTS, explanations=exps, kind=kind, only_positive=only_pos)
    assert got == pytest.approx(_ferret_reference(model, exps, bins, kind, only_pos), abs=1e-12)


def test_binned_aopc_checks_its_arguments(model):
    with pytest.raises(ValueError, match="kind must be"):
        binned_aopc_score(model, TEXTS, explainer="random", kind="both")
    with pytest.raises(ValueError, match="bins must be fractions"):
        binned_aopc_score(model, TEXTS, explainer="random", bins=[0, 0.5])


@pytest.mark.parametrize("kind", ["comprehensiveness", "sufficiency"])
def test_binned_aopc_scores_a_text_without_rationale_as_ferret(model, kind):
    exps = _explanations(seed=2)
    # text 1 has no positive word: every bin is empty and skipped, so it has no rationale
    # (ferret scores it 0 / 1; skinterp used to predict the empty text for sufficiency)
    exps[1].scores[:] = -np.abs(exps[1].scores)
    bins = [round(0.1 * i, 1) for i in range(1, 11)]
    got = binned_aopc_score(model, TEXTS, explanations=exps, kind=kind)
    assert got == pytest.approx(_ferret_reference(model, exps, bins, kind, True), abs=1e-12)
    alone = binned_aopc_score(model, TEXTS[1:2], explanations=exps[1:2], kind=kind)
    assert alone == (0.0 if kind == "comprehensiveness" else 1.0)
