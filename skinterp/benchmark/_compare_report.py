"""The files of ``skinterp compare``: ``compare.md`` and ``compare.html`` (tables per metric,
the recommendation with its evidence, and a figure of accuracy cost against faithfulness gain)."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import pandas as pd

__all__ = ["write_html", "write_markdown", "write_outputs"]

_MARK = {"reproduced": "✓", "contradicted": "✗", "inconclusive": "?", "too few seeds": "–"}


def _fmt(x: float, metric: str) -> str:
    if metric == "accuracy":
        return f"{100 * x:+.1f} pt"
    if metric == "fit_time":
        return f"{x:.2f}×"
    return f"{x:+.3f}"


def _rows(table: pd.DataFrame) -> dict[str, list[list[str]]]:
    """Per metric: one row per method (mean, base, difference [interval], verdict)."""
    out: dict[str, list[list[str]]] = {}
    for label, group in table.groupby("label", sort=False):
        rows = []
        for r in group.itertuples():
            scale = 100 if r.metric == "accuracy" else 1
            if r.metric == "fit_time":
                vs = f"{r.method_mean:.1f} s vs {r.base_mean:.1f} s"
                diff = f"{r.diff:.2f}× (seeds: {r.ci_low:.2f}–{r.ci_high:.2f})"
            elif r.metric == "decisive":  # against a fixed line, not the base model
                vs = f"{r.method_mean:.3g} (line {r.base_mean:.3g})"
                diff = f"{r.diff:+.3f} [{r.ci_low:+.3f}, {r.ci_high:+.3f}]"
            else:
                vs = f"{scale * r.method_mean:.3g} vs {scale * r.base_mean:.3g}"
                diff = (
                    f"{_fmt(r.diff, r.metric)} [{_fmt(r.ci_low, r.metric)}, "
                    f"{_fmt(r.ci_high, r.metric)}]"
                )
            verdict = f"{_MARK.get(r.verdict, '')} {r.finding}".strip()
            rows.append([r.method, vs, diff, verdict])
        out[str(label)] = rows
    return out


def _what_verdicts_mean() -> str:
    return (
        "Differences are method − base, matched by seed, with a 95 % percentile-bootstrap "
        "interval over seeds (with three seeds it spans the smallest to the largest seed "
        "difference: ✓ means every seed agrees). ✓ the method is better than the base model "
        "(accuracy: its cost stays within the tolerance), ✗ worse (accuracy: costs more), ? "
        "the interval straddles the line."
    )


def write_markdown(path: Path, table: pd.DataFrame, rec: dict, info: dict) -> None:
    lines = [
        "# skinterp compare",
        "",
        f"**Recommendation: {rec['method']}.** {rec['text']}",
        "",
        f"Rule: {rec['rule']}.",
        "",
        f"Backbone {info['backbone']}; seeds {info['seeds']}; {info['n_train']} training "
        f"texts, {info['n_dev']} dev texts (where a method picks its epoch), "
        f"{info['n_test']} test texts"
        + (" (`--fast`: a subset, fewer epochs and LIME samples)" if info["fast"] else "")
        + ".",
        "",
        _what_verdicts_mean(),
        "",
        "Protocols:",
        *(f"- {name}: {text}" for name, text in info["protocols"].items()),
        "",
    ]
    for label, rows in _rows(table).items():
        lines += [f"## {label}", "", "| method | method vs base | difference [95 % CI] | verdict |"]
        lines += ["|---|---|---|---|", *("| " + " | ".join(r) + " |" for r in rows), ""]
    path.write_text("\n".join(lines))


def _figure(table: pd.DataFrame) -> str | None:
    """Accuracy cost (x) against LIME NAOPC gain (y), each with its interval, as a PNG."""
    from ..plotting._figures import _pyplot

    acc = table[table["metric"] == "accuracy"].set_index("method")
    gain = table[table["metric"] == "naopc"].set_index("method")
    methods = [m for m in gain.index if m in acc.index]
    if not methods:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for m in methods:
        x, y = 100 * acc.loc[m, "diff"], gain.loc[m, "diff"]
        xerr = [[x - 100 * acc.loc[m, "ci_low"]], [100 * acc.loc[m, "ci_high"] - x]]
        yerr = [[y - gain.loc[m, "ci_low"]], [gain.loc[m, "ci_high"] - y]]
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o", capsize=3, label=m)
        ax.annotate(m, (x, y), textcoords="offset points", xytext=(5, 5), fontsize=9)
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("accuracy difference vs base (points)")
    ax.set_ylabel("LIME NAOPC gain vs base")
    ax.set_title("faithfulness gain against accuracy cost (95 % CI over seeds)")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def write_html(path: Path, table: pd.DataFrame, rec: dict, info: dict) -> None:
    e = html.escape
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>skinterp compare</title>",
        "<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;}"
        "table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;"
        "padding:4px 8px}.rec{background:#eef6ee;padding:1em;border-radius:6px}</style>",
        "</head><body><h1>skinterp compare</h1>",
        f"<div class='rec'><b>Recommendation: {e(rec['method'])}.</b> {e(rec['text'])}"
        f"<br><small>Rule: {e(rec['rule'])}.</small></div>",
        f"<p>Backbone {e(str(info['backbone']))}; seeds {e(str(info['seeds']))}; "
        f"{info['n_train']} training texts, {info['n_dev']} dev texts, {info['n_test']} test "
        f"texts{' (fast: a first look)' if info['fast'] else ''}.</p>",
        f"<p>{e(_what_verdicts_mean())}</p><ul>",
        *(f"<li>{e(n)}: {e(t)}</li>" for n, t in info["protocols"].items()),
        "</ul>",
    ]
    png = _figure(table)
    if png:
        parts.append(
            f"<img alt='accuracy cost vs faithfulness gain' src='data:image/png;base64,{png}'>"
        )
    for label, rows in _rows(table).items():
        parts.append(f"<h2>{e(label)}</h2><table><tr><th>method</th><th>method vs base</th>"
                     "<th>difference [95 % CI]</th><th>verdict</th></tr>")  # fmt: skip
        parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
        parts.append("</table>")
    parts.append("</body></html>\n")
    path.write_text("\n".join(parts), encoding="utf-8")


def write_outputs(
    out: Path, table: pd.DataFrame, recommendation: dict, cfg: dict, fast: bool, backbone: str
) -> None:
    """compare.json, compare.md and compare.html of a finished comparison in ``out``."""
    from ._evaluation import load_data

    data = load_data("data", cfg["files"])
    n_dev = len(getattr(data, "X_valid", None) or [])
    info = {
        "backbone": f"{backbone} {cfg['backbone_params']['backbone']}",
        "methods": cfg["methods"],
        "seeds": cfg["seeds"],
        "fast": fast,
        "n_train": len(data.X_train),
        "n_dev": n_dev,
        "n_test": len(data.X_test),
        "protocols": {
            "evaluation": "each model's own explanation (post-hoc accuracy); accuracy on "
            "every test text",
            **{n: p["description"] for n, p in cfg["protocols"].items()},
        },
    }
    payload = {
        "info": info,
        "recommendation": recommendation,
        "records": table.to_dict(orient="records"),
    }
    (out / "compare.json").write_text(json.dumps(payload, indent=1, default=float) + "\n")
    write_markdown(out / "compare.md", table, recommendation, info)
    write_html(out / "compare.html", table, recommendation, info)
