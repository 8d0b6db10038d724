"""Highlighted explanations as HTML: one fragment per explanation, or a standalone page.

Every piece of user text goes through :func:`html.escape`, so a text can never inject markup
or script. A word's background saturation is its score relative to the largest absolute score
of its explanation; positive scores (supporting the predicted label) and negative ones get two
different hues. Scores that are all >= 0 (mask keep-probabilities, attention weights) are
stretched between the text's lowest and highest score instead, so a mask that keeps most words
still shows which ones it keeps most.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["explanation_html", "render_html"]

POSITIVE_RGB = (214, 96, 77)  # supports the predicted label
NEGATIVE_RGB = (67, 147, 195)  # speaks against it

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.3em; }
table.skinterp { border-collapse: collapse; width: 100%; }
table.skinterp th, table.skinterp td { border: 1px solid #ddd; padding: 0.5em; vertical-align: top;
  text-align: left; }
table.skinterp th { background: #f5f5f5; }
div.skinterp-exp { line-height: 1.9; }
div.skinterp-exp .skinterp-head { font-size: 0.85em; color: #555; margin-bottom: 0.2em; }
div.skinterp-exp .skinterp-side { font-size: 0.8em; color: #777; margin-right: 0.4em; }
span.skinterp-w { border-radius: 3px; padding: 1px 2px; }
.skinterp-legend span { padding: 1px 6px; border-radius: 3px; margin-right: 0.5em; }
"""


def _saturation(scores: np.ndarray) -> np.ndarray:
    """Per word in [0, 1]: |score| / max |score|, or min-max stretched for scores all >= 0."""
    out = np.zeros(len(scores))
    finite = np.isfinite(scores)
    if not finite.any():
        return out
    vals = scores[finite]
    if vals.min() >= 0 and vals.max() > vals.min():
        out[finite] = (vals - vals.min()) / (vals.max() - vals.min())
    elif np.abs(vals).max() > 0:
        out[finite] = np.abs(vals) / np.abs(vals).max()
    return out


def _colour(score: float, alpha: float) -> str:
    if alpha <= 0 or not np.isfinite(score):
        return "transparent"
    r, g, b = POSITIVE_RGB if score >= 0 else NEGATIVE_RGB
    return f"rgba({r}, {g}, {b}, {alpha:.3f})"


def _side_html(text: str, words: list, spans, scores: np.ndarray, index: list[int], alphas):
    """The raw text of one side, its words wrapped in coloured spans (text between kept)."""
    parts, pos = [], 0
    for i in index:
        start, end = spans[i]
        parts.append(html.escape(text[pos:start]))
        s = float(scores[i])
        parts.append(
            f'<span class="skinterp-w" data-index="{i}" data-score="{s:.6g}" '
            f'title="{html.escape(words[i])}: {s:.4g}" '
            f'style="background-color: {_colour(s, alphas[i])}">'
            f"{html.escape(text[start:end])}</span>"
        )
        pos = end
    parts.append(html.escape(text[pos:]))
    return "".join(parts)


def explanation_html(explanation: Any, *, show_label: bool = True) -> str:
    """One explanation as an HTML fragment (a ``<div>``), as Jupyter shows it.

    Parameters
    ----------
    explanation : Explanation
    show_label : bool, default=True
        Start with the predicted label, its probability and the explanation method.

    Returns
    -------
    str
    """
    exp = explanation
    scores = np.asarray(exp.scores, dtype=np.float64)
    alphas = _saturation(scores)
    texts = exp.text if isinstance(exp.text, tuple) else (exp.text,)
    sides = exp.sides if exp.sides is not None else np.zeros(len(exp.words), dtype=np.int64)
    out = ['<div class="skinterp-exp">']
    if show_label:
        out.append(
            f'<div class="skinterp-head">predicted <b>{html.escape(str(exp.label))}</b> '
            f"({exp.proba:.3f}) · {html.escape(str(exp.method))}</div>"
        )
    for side, text in enumerate(texts):
        index = [i for i in range(len(exp.words)) if sides[i] == side]
        if exp.spans:
            body = _side_html(text, exp.words, exp.spans, scores, index, alphas)
        else:  # no character offsets: the words joined by spaces
            spans, pos, joined = {}, 0, []
            for i in index:
                spans[i] = (pos, pos + len(exp.words[i]))
                joined.append(exp.words[i])
                pos += len(exp.words[i]) + 1
            body = _side_html(" ".join(joined), exp.words, spans, scores, index, alphas)
        label = f'<span class="skinterp-side">{side + 1}:</span>' if len(texts) > 1 else ""
        out.append(f"<div>{label}{body}</div>")
    out.append("</div>")
    return "".join(out)


def _legend() -> str:
    pos = f"rgba({', '.join(map(str, POSITIVE_RGB))}, 0.8)"
    neg = f"rgba({', '.join(map(str, NEGATIVE_RGB))}, 0.8)"
    return (
        '<p class="skinterp-legend">'
        f'<span style="background-color: {pos}">supports the prediction</span>'
        f'<span style="background-color: {neg}">speaks against it</span>'
        "saturation: the word's score relative to the others in its text</p>"
    )


def page(title: str, body: str) -> str:
    """A standalone HTML page (UTF-8, styles inline, no external resources)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n{body}\n</body>\n</html>\n"
    )


def render_html(
    explanations: Any,
    path: str | os.PathLike | None = None,
    *,
    title: str = "skinterp explanations",
) -> str:
    """A standalone HTML page of highlighted explanations (the papers' case-study tables).

    Parameters
    ----------
    explanations : Explanation, list of Explanation, or mapping of name -> list
        One list per model (same texts, same order) puts the models side by side, one
        column each and one row per text.
    path : str or path, optional
        Also write the page there (UTF-8).
    title : str, default="skinterp explanations"

    Returns
    -------
    str
        The page.

    Examples
    --------
    >>> from skinterp import Explanation
    >>> from skinterp.plotting import render_html
    >>> exp = Explanation("a <b>fine</b> film", ["a", "b", "fine", "b", "film"],
    ...                   [0.0, 0.0, 0.9, 0.0, 0.1], "pos", 0.8, "demo",
    ...                   spans=[(0, 1), (3, 4), (6, 10), (12, 13), (15, 19)])
    >>> "<b>fine" in render_html(exp)  # user text is escaped, never markup
    False
    """
    from ..explain import Explanation

    if isinstance(explanations, Explanation):
        columns: Mapping[str, Sequence] = {"explanation": [explanations]}
    elif isinstance(explanations, Mapping):
        columns = {str(k): list(v) for k, v in explanations.items()}
    else:
        columns = {"explanation": list(explanations)}
    if not columns or not all(columns.values()):
        raise ValueError("render_html needs at least one explanation per model.")
    lengths = {name: len(v) for name, v in columns.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(
            f"every model needs one explanation per text; got {lengths}. Explain the same "
            "texts with each model."
        )
    for name, exps in columns.items():
        bad = [i for i, e in enumerate(exps) if not isinstance(e, Explanation)]
        if bad:
            raise TypeError(
                f"{name}[{bad[0]}] is a {type(exps[bad[0]]).__name__}, not an Explanation."
            )
    names = list(columns)
    n = lengths[names[0]]
    head = "".join(f"<th>{html.escape(name)}</th>" for name in names)
    rows = []
    for i in range(n):
        cells = "".join(f"<td>{explanation_html(columns[name][i])}</td>" for name in names)
        rows.append(f"<tr><td>{i + 1}</td>{cells}</tr>")
    body = (
        _legend()
        + f'<table class="skinterp"><thead><tr><th>#</th>{head}</tr></thead>'
        + f"<tbody>{''.join(rows)}</tbody></table>"
    )
    out = page(title, body)
    if path is not None:
        Path(path).write_text(out, encoding="utf-8")
    return out
