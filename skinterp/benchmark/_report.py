"""Tables shaped like the papers' and the post-hoc accuracy figure, from the run JSON files."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..plotting._figures import _pyplot
from ._config import DISPLAY

__all__ = ["build_report", "load_runs"]

_DATA_NAMES = {
    "rotten_tomatoes": "RT",
    "tweets": "tweets",
    "amazon": "Amazon",
    "crowdflower_tweets": "CF tweets",
    "bbc_news": "BBC",
}


def load_runs(folder: str | os.PathLike) -> list[dict]:
    """Every run record in ``folder/runs`` (or ``folder`` itself), sorted by file name."""
    folder = Path(folder)
    runs_dir = folder / "runs" if (folder / "runs").is_dir() else folder
    files = sorted(runs_dir.glob("*.json"))
    if not files:
        raise FileNotFoundError(
            f"no run results (*.json) in {runs_dir}; run `skinterp benchmark run` first."
        )
    records = []
    for f in files:
        try:
            records.append(json.loads(f.read_text()))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{f}: not a valid run record ({exc}).") from exc
    return records


def _order(values, preferred):
    seen = [v for v in preferred if v in values]
    return seen + sorted(v for v in values if v not in seen)


class _Grid:
    """Run records indexed by (method, dataset, backbone) -> list over seeds."""

    def __init__(self, records: list[dict], config: dict | None):
        self.cells = defaultdict(list)
        # registered methods by their papers' names; a config's variants by their own
        self.display = dict(DISPLAY)
        for r in records:
            self.cells[r["method"], r["dataset"], r["backbone"]].append(r)
            self.display.setdefault(r["method"], r.get("display", r["method"]))
        cfg = config or {}
        self.methods = _order({r["method"] for r in records}, cfg.get("methods", []))
        self.columns = [
            (d, b)
            for d in _order({r["dataset"] for r in records}, cfg.get("datasets", []))
            for b in _order({r["backbone"] for r in records}, cfg.get("backbones", []))
            if self.cells.get(("base", d, b))
            or any(self.cells.get((m, d, b)) for m in self.methods)
        ]
        self.seeds = sorted({r["seed"] for r in records})

    def values(self, method, column, get: Callable[[dict], float | None]) -> list[float]:
        out = []
        for r in self.cells.get((method, *column), []):
            v = get(r)
            if v is not None:
                out.append(float(v))
        return out

    def table(self, title: str, note: str, getters, fmt="{:.3f}", columns=None) -> list[str]:
        """One markdown table: rows are methods, columns (data set, backbone); a cell shows
        every getter's value joined by ' / ', each the mean over seeds (± std with >1 seed)."""
        columns = self.columns if columns is None else columns
        if not columns:
            return []
        head = [f"{_DATA_NAMES.get(d, d)} / {b}" for d, b in columns]
        lines = [f"### {title}", "", note, ""] if note else [f"### {title}", ""]
        lines += ["| method | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
        for m in self.methods:
            cells = []
            for col in columns:
                parts = []
                for get in getters:
                    vals = self.values(m, col, get)
                    if not vals:
                        parts.append("–")
                    elif len(vals) == 1:
                        parts.append(fmt.format(vals[0]))
                    else:
                        parts.append(f"{fmt.format(np.mean(vals))} ± {fmt.format(np.std(vals))}")
                cells.append(" / ".join(parts) if any(p != "–" for p in parts) else "–")
            if any(c != "–" for c in cells):
                lines.append(f"| {self.display[m]} | " + " | ".join(cells) + " |")
        return [*lines, ""]


def _metric(name):
    return lambda r: r["metrics"].get(name)


def _plausibility(k, key):
    return lambda r: r["metrics"].get(f"plausibility@{k}", {}).get(key)


def _ratio_to_base(grid: _Grid):
    def get(r):
        base = [
            b["timings"]["epoch_s"]
            for b in grid.cells.get(("base", r["dataset"], r["backbone"]), [])
            if b["seed"] == r["seed"]
        ]
        return r["timings"]["epoch_s"] / base[0] if base else None

    return get


def _tables(grid: _Grid, evaluation: dict) -> list[str]:
    ks, size = list(evaluation["k"]), evaluation["size"]
    naopc_k = evaluation.get("naopc_k", 5)
    subset = evaluation.get("naopc_n_eval", 0)
    naopc_on = (
        f" Computed on the first {subset} evaluation texts" if subset else " Computed"
    ) + f" with beam width {evaluation.get('naopc_beam_width', 5)} for long texts."
    size = f"{size:.0%}" if isinstance(size, float) else f"{size} words"
    kk = "/".join(f"@{k}" for k in ks)
    out = []
    out += grid.table(
        "Accuracy",
        "Test accuracy on the evaluation subset (VMASK Table 3, E-VarM Table 2, SCC Table 3, "
        "PCT Table 1, VAT Table 2).",
        [_metric("accuracy")],
    )
    out += grid.table(
        f"AOPC {kk}",
        "Mean drop of the predicted-class probability when the top-k words of the model's own "
        "explanation are deleted (paper normalisation; VMASK Table 3, E-VarM Table 3, SCC "
        "Table 2). Higher is better, but not comparable across models: see NAOPC.",
        [_metric(f"aopc@{k}") for k in ks],
    )
    if naopc_k:
        out += grid.table(
            f"NAOPC@{naopc_k}",
            "AOPC rescaled between the lowest and highest AOPC any word order reaches for that "
            "model and text (Edin et al., 2024), so it can be compared across models." + naopc_on,
            [_metric(f"naopc@{naopc_k}")],
        )
    out += grid.table(
        f"Post-hoc accuracy {kk}",
        "Share of texts whose prediction is unchanged when only the top-k words are kept "
        "(VMASK Fig. 1, E-VarM Table 3). Higher is better.",
        [_metric(f"posthoc@{k}") for k in ks],
    )
    out += grid.table(
        "Comprehensiveness / sufficiency",
        f"Probability drop when the top {size} of the words are removed (Comp, higher is "
        f"better) / when the bottom {size} are removed (Suff, lower is better); PCT Table 1. "
        "With a signed explanation (the base model's gradient × input) the bottom words are "
        "counter-evidence, so removing them can raise the confidence: Suff < 0.",
        [_metric("comprehensiveness"), _metric("sufficiency")],
    )
    out += grid.table(
        "IR# / UR#",
        "Words removed, most (IR#, lower is better) or least (UR#, higher is better) important "
        "first, until the label changes (PCT Table 2).",
        [_metric("IR#"), _metric("UR#")],
        fmt="{:.2f}",
    )
    out += grid.table(
        "I-Var / U-Var",
        "Variance of the saliency ranking after removing the most (I-Var) / least (U-Var) "
        "important word; I-Var > U-Var is the healthy pattern (PCT Table 2). A mask that "
        "depends on the word alone (VMASK, IBA) scores 0 / 0 by construction: removing a word "
        "never reorders the others.",
        [_metric("I-Var"), _metric("U-Var")],
        fmt="{:.1f}",
    )
    plaus_cols = [
        c
        for c in grid.columns
        if any(
            "plausibility@" + str(ks[0]) in r["metrics"]
            for m in grid.methods
            for r in grid.cells.get((m, *c), [])
        )
    ]
    for k in ks:
        out += grid.table(
            f"Plausibility @{k} (precision / recall / F1)",
            f"Top-{k} words against the VADER lexicon (|valence| >= 1, the sign of the "
            "predicted class), pooled over texts (VAT Table 5).",
            [_plausibility(k, key) for key in ("precision", "recall", "f1")],
            fmt="{:.2f}",
            columns=plaus_cols,
        )
    out += grid.table(
        "Training time: seconds per epoch / ratio to base",
        "Median epoch time of each fit and its ratio to the base model of the same cell and "
        "seed (single fits; the speed benchmark has interleaved timings).",
        [lambda r: r["timings"]["epoch_s"], _ratio_to_base(grid)],
        fmt="{:.2f}",
    )
    return out


def _figures(grid: _Grid, out_dir: Path) -> list[Path]:
    plt = _pyplot(headless=True)

    paths = []
    datasets = list(dict.fromkeys(d for d, _ in grid.columns))
    for d in datasets:
        cols = [c for c in grid.columns if c[0] == d]
        runs = [r for (_, *col), rs in grid.cells.items() if tuple(col) in cols for r in rs]
        if not any("posthoc_curve" in r["metrics"] for r in runs):
            continue  # a profile without post-hoc accuracy (e.g. defaults): no figure
        fig, axes = plt.subplots(1, len(cols), figsize=(4.2 * len(cols), 3.4), squeeze=False)
        for ax, col in zip(axes[0], cols, strict=True):
            for m in grid.methods:
                curves = [
                    r["metrics"]["posthoc_curve"]
                    for r in grid.cells.get((m, *col), [])
                    if "posthoc_curve" in r["metrics"]
                ]
                if not curves:
                    continue
                curve = np.mean(np.asarray(curves, dtype=float), axis=0)
                ax.plot(
                    np.arange(1, len(curve) + 1), curve, marker="o", ms=3, label=grid.display[m]
                )
            ax.set_title(f"{_DATA_NAMES.get(d, d)} / {col[1]}")
            ax.set_xlabel("k (words kept)")
            ax.grid(alpha=0.3)
        axes[0][0].set_ylabel("post-hoc accuracy")
        axes[0][-1].legend(fontsize=7, loc="lower right")
        fig.tight_layout()
        path = out_dir / f"posthoc_accuracy_{d}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths


def build_report(
    folder: str | os.PathLike, *, figures: bool = True, out: str | os.PathLike | None = None
) -> Path:
    """Write ``tables.md`` (and the post-hoc accuracy figures) from a benchmark's run records.

    Parameters
    ----------
    folder : path
        The ``out`` folder of :func:`run_benchmark` (with ``runs/*.json``).
    figures : bool, default=True
        Also draw ``posthoc_accuracy_<dataset>.png`` (needs matplotlib: ``pip install
        "skinterp[plot]"``).
    out : path, optional
        Where to write; default ``folder``.

    Returns
    -------
    Path
        The markdown file.
    """
    folder = Path(folder)
    out_dir = Path(out) if out is not None else folder
    out_dir.mkdir(parents=True, exist_ok=True)
    records = load_runs(folder)
    config = None
    if (folder / "config.json").is_file():
        config = json.loads((folder / "config.json").read_text())
    grid = _Grid(records, config)
    first = records[0]
    evaluation = first["config"]["evaluation"]
    env = first["environment"]
    total_fit = sum(r["timings"]["fit_s"] + r["timings"]["eval_s"] for r in records)
    machine = (
        f"{env['platform']}, {env['cpu_count']} CPUs, {env['torch_threads']} torch threads, "
        f"device {env['device']}{' (' + env['gpu'] + ')' if 'gpu' in env else ''}; "
        f"Python {env['python']}, torch {env['torch']}, transformers {env['transformers']}, "
        f"skinterp {env['skinterp']}" + (f" ({env['git_commit']})" if env.get("git_commit") else "")
    )
    n_train = sorted({r["config"]["n_train"] for r in records})
    n_eval = sorted({r["config"]["n_eval"] for r in records})
    lines = [
        f"# Reproduction benchmark: `{first.get('profile', 'custom')}` profile",
        "",
        f"- Machine: {machine}.",
        f"- Runs: {len(records)} ({len(grid.methods)} methods × {len(grid.columns)} data set / "
        f"backbone pairs × {len(grid.seeds)} seed(s): {grid.seeds}); fitting + evaluation "
        f"took {total_fit / 60:.1f} min in all.",
        f"- Training texts per run: {', '.join(map(str, n_train))} (the first of each fixed "
        f"split); evaluation texts: {', '.join(map(str, n_eval))} test texts. Every metric "
        "uses the model's own (native) explanation and is judged by the model itself.",
        "- Backbones: `cnn`/`lstm` = Kim-CNN / BiLSTM over GloVe-50d; `minilm-2` = MiniLM-L6 "
        "cut to 2 layers; `minilm` = all 6. Mask methods (VMASK, E-VarM, SCC, IBA) and Entropy "
        "start from the cell's trained base model, as in the papers.",
        "- Cells: mean over seeds (± standard deviation when there are several); "
        "'a / b' cells list the values named in the title in that order.",
        "- Each model is judged with its own explanation, so a row compares a training method "
        "*and* its explanation (base: gradient × input; VMASK, E-VarM, SCC: their masks; PCT: "
        "gradient saliency; attention, VAT: attention weights). Raw AOPC and post-hoc accuracy "
        "also grow with the model's confidence; NAOPC is the column that compares models.",
        "",
    ]
    lines += _tables(grid, evaluation)
    if figures:
        try:
            paths = _figures(grid, out_dir)
        except ImportError:
            lines += ["(figures skipped: matplotlib is not installed)", ""]
        else:
            lines += ["### Post-hoc accuracy vs k (as VMASK Fig. 1)", ""]
            lines += [f"![post-hoc accuracy, {p.stem[17:]}]({p.name})" for p in paths]
            lines.append("")
    path = out_dir / "tables.md"
    path.write_text("\n".join(lines))
    return path
