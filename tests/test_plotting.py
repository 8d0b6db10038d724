"""Highlighted HTML, the figures, the evaluation report and the rendered pages."""

from __future__ import annotations

import html as html_lib
import os
import re
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from skinterp import Explanation, VMaskClassifier, evaluate
from skinterp.metrics import EvaluationReport, confidence_under_reduction
from skinterp.plotting import (
    explanation_html,
    plot_aopc,
    plot_confidence_density,
    plot_embedding,
    plot_importance_vs_frequency,
    plot_posthoc_accuracy,
    plot_top_words,
    render_html,
)

SPAN = re.compile(
    r'<span class="skinterp-w" data-index="(\d+)" data-score="([^"]+)"[^>]*'
    r'background-color: ([^"]+)">(.*?)</span>'
)


def spans(fragment):
    return [(int(i), float(s), colour, text) for i, s, colour, text in SPAN.findall(fragment)]


def alpha(colour):
    return 0.0 if colour == "transparent" else float(colour.rsplit(",", 1)[1].strip(" )"))


@pytest.fixture(scope="module")
def vmask(toy):
    X, y = toy
    return VMaskClassifier(embedding_dim=16, num_filters=8, max_epochs=3, random_state=0).fit(X, y)


def test_every_word_in_order_with_colours_ordered_by_score(fitted_cnn, toy):
    exp = fitted_cnn.explain(toy[0][3])
    html = explanation_html(exp)
    found = spans(html)
    assert [t for _, _, _, t in found] == exp.words
    assert [i for i, _, _, _ in found] == list(range(len(exp.words)))
    np.testing.assert_allclose([s for _, s, _, _ in found], exp.scores, rtol=1e-5, atol=1e-9)
    # saturation grows with |score|; the hue tells the sign
    order = np.argsort(np.abs(exp.scores))
    alphas = np.array([alpha(c) for _, _, c, _ in found])
    assert np.all(np.diff(alphas[order]) >= -1e-9)
    for _, s, colour, _ in found:
        if s > 0:
            assert colour.startswith("rgba(214, 96, 77")
        elif s < 0:
            assert colour.startswith("rgba(67, 147, 195")
    assert exp._repr_html_() == html
    assert f"<b>{exp.label}</b>" in html


def test_nonnegative_scores_are_stretched_between_their_min_and_max():
    exp = Explanation(
        "a b c", ["a", "b", "c"], [0.5, 0.75, 1.0], 1, 0.9, "mask", spans=[(0, 1), (2, 3), (4, 5)]
    )
    found = spans(explanation_html(exp))
    assert [alpha(c) for _, _, c, _ in found] == [0.0, 0.5, 1.0]


def test_user_text_never_becomes_markup():
    text = 'x <script>alert("x")</script> <img src=x onerror=alert(1)> & "q"'
    from skinterp.text import segment_words

    words = segment_words(text)
    exp = Explanation(
        text,
        [w.text for w in words],
        np.linspace(-1, 1, len(words)),
        "<b>lbl</b>",
        0.5,
        "<i>m</i>",
        spans=[(w.start, w.end) for w in words],
    )
    page = render_html({"<model>": [exp]})
    assert "<script>" not in page and "<img" not in page and "<b>lbl" not in page
    assert "<i>m" not in page and "&lt;model&gt;" in page and "&lt;b&gt;lbl&lt;/b&gt;" in page
    # what the browser shows is the whole text, character for character
    visible = html_lib.unescape(re.sub(r"<[^>]+>", "", page.split("<tbody>")[1]))
    assert text in visible


def test_pairs_show_both_sides():
    exp = Explanation(
        ("good film", "bad plot"),
        ["good", "film", "bad", "plot"],
        [1.0, 0.1, -0.5, 0.0],
        "same",
        0.7,
        "mask",
        spans=[(0, 4), (5, 9), (0, 3), (4, 8)],
        sides=np.array([0, 0, 1, 1]),
    )
    html = explanation_html(exp)
    assert "1:</span>" in html and "2:</span>" in html
    assert [t for _, _, _, t in spans(html)] == ["good", "film", "bad", "plot"]


def test_render_html_side_by_side(fitted_cnn, vmask, toy, tmp_path):
    X = toy[0][:3]
    path = tmp_path / "page.html"
    page = render_html(
        {"base": fitted_cnn.explain(X), "VMASK": vmask.explain(X)}, path, title="two models"
    )
    assert path.read_text(encoding="utf-8") == page
    assert page.startswith("<!DOCTYPE html>") and "<th>base</th><th>VMASK</th>" in page
    assert page.count("<tr><td>") == 3 and page.count('class="skinterp-exp"') == 6
    assert "http" not in page  # self-contained: no external resources


def test_render_html_errors(fitted_cnn, toy):
    exps = fitted_cnn.explain(toy[0][:2])
    with pytest.raises(ValueError, match="one explanation per text"):
        render_html({"a": exps, "b": exps[:1]})
    with pytest.raises(TypeError, match="not an Explanation"):
        render_html({"a": ["text"]})
    with pytest.raises(ValueError, match="at least one"):
        render_html({})


def test_figures_return_figures_and_never_show(fitted_cnn, vmask, toy, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("show() was called"))
    X, y = toy
    figs = [
        plot_posthoc_accuracy({"base": fitted_cnn, "VMASK": vmask}, X[:20], k=4),
        plot_posthoc_accuracy(
            {"VMASK": vmask}, X[:20], k=3, global_scores=vmask.global_importance_
        ),
        plot_aopc({"base": fitted_cnn, "from JSON": [0.1, 0.2, 0.25]}, X[:20], k=3),
        plot_embedding(vmask, X[:30], y[:30]),
        plot_confidence_density(fitted_cnn, X[:15], max_reduced=4, explainer="gradient"),
        plot_importance_vs_frequency(vmask, X),
        plot_top_words(vmask.global_importance_, n=6),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
    lines = figs[0].axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["base", "VMASK"]
    assert len(lines[0].get_xdata()) == 4
    assert len(figs[4].axes) == 3 and len(figs[4].axes[0].get_lines()) == 5  # 0..4 removed
    assert len(figs[6].axes[0].patches) == 6
    _, ax = plt.subplots()
    assert plot_aopc({"x": [0.1, 0.2]}, ax=ax) is ax.figure
    plt.close("all")


def test_figure_errors(fitted_cnn, toy):
    with pytest.raises(TypeError, match="non-empty mapping"):
        plot_posthoc_accuracy([fitted_cnn], toy[0])
    with pytest.raises(ValueError, match="1-d curve"):
        plot_aopc({"x": [[0.1]]})
    with pytest.raises(ValueError, match="at least 5 texts"):
        plot_embedding(fitted_cnn, toy[0][:3])
    with pytest.raises(ValueError, match="empty"):
        plot_top_words({})
    plt.close("all")


def test_confidence_under_reduction(fitted_cnn, toy):
    X = toy[0][:10]
    out = confidence_under_reduction(fitted_cnn, X, max_reduced=3)
    assert out["important"].shape == out["unimportant"].shape == (10, 4)
    p = fitted_cnn.predict_proba(X)
    np.testing.assert_allclose(out["important"][:, 0], p.max(1), rtol=1e-5)
    np.testing.assert_allclose(out["unimportant"][:, 0], p.max(1), rtol=1e-5)


def test_evaluate_report_to_html(fitted_cnn, toy, tmp_path):
    X, y = toy
    rep = evaluate(
        fitted_cnn,
        X[:15],
        y[:15],
        metrics=["aopc", "posthoc_accuracy", "sufficiency"],
        explainers=["native", "random"],
        k=3,
        progress=False,
    )
    assert isinstance(rep, EvaluationReport)
    assert list(rep.columns) == ["explainer", "metric", "value"]
    curves = rep.attrs["curves"]
    assert set(curves) == {"aopc", "posthoc_accuracy"} and len(curves["aopc"]["native"]) == 3
    post = rep.query("explainer == 'native' and metric == 'posthoc_accuracy@3'")["value"].item()
    assert post == pytest.approx(curves["posthoc_accuracy"]["native"][-1])
    page = rep.to_html(tmp_path / "r.html", title="report <1>")
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == page
    assert page.count('src="data:image/png;base64,') == 2 and "report &lt;1&gt;" in page
    assert "posthoc_accuracy@3" in page and "sufficiency" in page
    # one header row (metric, then the explainers); the model's accuracy apart, above it
    thead = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    assert thead.count("<tr") == 1 and re.findall(r"<th>([^<]*)</th>", thead) == [
        "metric",
        "native",
        "random",
    ]
    acc = fitted_cnn.score(X[:15], y[:15])
    assert f"accuracy <b>{acc:.4f}</b>" in page and "<td>accuracy</td>" not in page
    assert "<img" not in rep.to_html(figures=False)


sys.path.insert(0, str(Path(__file__).parents[1] / "tools"))
from render_check import dump_dom, find_chromium, screenshot  # noqa: E402

needs_browser = pytest.mark.skipif(
    find_chromium() is None and not os.environ.get("SKINTERP_REQUIRE_BROWSER"),
    reason="needs Chromium (apt: chromium); CI installs it and sets SKINTERP_REQUIRE_BROWSER",
)


def _pixels(png: Path) -> np.ndarray:
    """The screenshot as 0..255 RGB."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return np.round(plt.imread(png)[..., :3] * 255).astype(int)


def _share(rgb: np.ndarray, colour) -> float:
    """Share of pixels within 3 of ``colour`` in every channel."""
    return float((np.abs(rgb - np.asarray(colour)) <= 3).all(axis=-1).mean())


@needs_browser
def test_pages_render_in_headless_chromium(fitted_cnn, toy, tmp_path):
    from skinterp.plotting._html import NEGATIVE_RGB, POSITIVE_RGB

    exps = fitted_cnn.explain(toy[0][:3], k=2)
    render_html({"base": exps}, tmp_path / "page.html")
    rgb = _pixels(screenshot(tmp_path / "page.html", tmp_path / "page.png", size="800,600"))
    assert 1 - _share(rgb, (255, 255, 255)) > 0.01  # not a blank page
    # each text's top word has the full colour (alpha 1) of its sign: it was painted
    for colour in {
        POSITIVE_RGB if e.scores.max() > -e.scores.min() else NEGATIVE_RGB for e in exps
    }:
        assert _share(rgb, colour) > 1e-4, f"no word highlighted in rgb{colour}"
    dom = dump_dom(tmp_path / "page.html")
    for e in exps:  # the top words are in highlighted spans of the rendered page
        for word, _ in e.top_k():
            assert re.search(rf'class="skinterp-w"[^>]*>{re.escape(html_lib.escape(word))}<', dom)

    X, y = toy
    rep = evaluate(
        fitted_cnn, X[:12], y[:12], metrics=["aopc"], explainers=["native"], k=3, progress=False
    )
    rep.to_html(tmp_path / "report.html")
    rgb = _pixels(screenshot(tmp_path / "report.html", tmp_path / "r.png", size="900,900"))
    assert 1 - _share(rgb, (255, 255, 255)) > 0.02
    assert _share(rgb, (0xF5, 0xF5, 0xF5)) > 1e-3  # the table's header row was laid out
    dom = dump_dom(tmp_path / "report.html")
    assert dom.count("<img") == 1 and "aopc@3" in dom
