"""The claims suite: one entry per quantitative claim of a paper, judged over seeds.

A claim compares one metric of a method with the same metric of a baseline (or with another
metric of the same model, e.g. PCT's I-Var > U-Var, or with a fixed ``threshold``, e.g. a mask's
keep spread >= 0.3) under one evaluation protocol, in every
(data set, backbone) cell of a benchmark. Per cell: the mean ± sd over seeds of both sides, the
paired difference (method − baseline, matched by seed) with a 95 % percentile-bootstrap
interval over seeds, and a verdict:

- ``reproduced``: the interval lies entirely on the claimed side (for ``direction =
  "not_less"``, above ``-margin``);
- ``contradicted``: it lies entirely on the other side;
- ``inconclusive``: it straddles the boundary;
- ``too few seeds``: fewer than three paired seeds.

With three seeds the percentile interval of the mean spans from the smallest to the largest
seed difference (each resample that repeats one seed thrice has probability 1/27 > 2.5 %), so
"reproduced" means every seed agrees: a conservative rule, stated with the results.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from ..plotting._figures import _pyplot

__all__ = ["build_claims", "check_claims", "claim_rows"]

_DIRECTIONS = ("greater", "less", "not_less", "not_greater")
_REQUIRED = ("id", "paper", "table", "claim", "metric", "method", "baseline", "direction")
_OPTIONAL = ("protocol", "baseline_metric", "margin", "also_show", "note", "threshold")
_BOOTSTRAP = 10_000


# the start of a record's metric name -> the [evaluation] metric that writes it
_SOURCES = (
    ("accdrop@", "accuracy_drop"),
    ("naopc@", "naopc"),
    ("aopc", "aopc"),
    ("drop@", "aopc"),
    ("posthoc", "posthoc_accuracy"),
    ("plausibility@", "plausibility"),
    ("comprehensiveness", "comprehensiveness"),
    ("sufficiency", "sufficiency"),
    ("confidence", "confidence"),
    ("IR#", "reduced_number"),
    ("UR#", "reduced_number"),
    ("I-Var", "saliency_variance"),
    ("U-Var", "saliency_variance"),
    ("keep_", "decisiveness"),
    ("attn_entropy", "decisiveness"),
)


def _check_metric(metric: Any, ev: dict, where: str, protocol: str) -> None:
    """A claim's metric must be one its protocol writes into the records (else the claim
    would silently have no rows)."""
    if metric == "accuracy":
        return
    source = next(
        (src for start, src in _SOURCES if isinstance(metric, str) and metric.startswith(start)),
        None,
    )
    if source is None:
        raise ValueError(
            f"{where}: unknown metric {metric!r}; use accuracy or a record key such as aopc@5, "
            "drop@5, naopc@5, posthoc@5, accdrop@5, plausibility@5.f1, comprehensiveness, IR#."
        )
    if source not in ev["metrics"]:
        raise ValueError(
            f"{where}: {metric!r} is not computed under protocol {protocol!r}; add "
            f"{source!r} to its metrics {ev['metrics']}."
        )
    at = metric.split("@", 1)[1].split(".")[0] if "@" in metric else None
    if at is not None and not at.isdigit():
        raise ValueError(f"{where}: in {metric!r} the k after '@' must be an integer.")
    if source == "naopc" and at != str(ev["naopc_k"]):
        raise ValueError(f"{where}: {metric!r} needs naopc_k = {at} in protocol {protocol!r}.")
    if at is not None and source != "naopc" and int(at) not in ev["k"]:
        raise ValueError(f"{where}: {metric!r} needs {at} in the k of protocol {protocol!r}.")


def check_claims(cfg: dict) -> None:
    """Validate the ``[[claims]]`` entries of a configuration (names, protocols, methods)."""
    claims = cfg.get("claims", [])
    if not isinstance(claims, list):
        raise ValueError("claims must be a list of [[claims]] tables.")
    methods = set(cfg["methods"]) | {"base"}
    seen = set()
    for i, c in enumerate(claims):
        if not isinstance(c, dict):
            raise ValueError(f"claims[{i}] must be a table.")
        where = f"claim {c.get('id', i)!r}"
        const = "threshold" in c  # a fixed value takes the baseline's place
        number = isinstance(c.get("threshold"), (int, float)) and not isinstance(
            c.get("threshold"), bool
        )
        if const and ("baseline" in c or not number):
            raise ValueError(f"{where}: threshold must be a number, given instead of a baseline.")
        missing = [k for k in _REQUIRED if k not in c and not (const and k == "baseline")]
        if missing:
            raise ValueError(f"{where} misses {missing}.")
        extra = sorted(set(c) - set(_REQUIRED) - set(_OPTIONAL))
        if extra:
            raise ValueError(f"{where}: unknown key(s) {extra}; known: {[*_REQUIRED, *_OPTIONAL]}.")
        if c["id"] in seen:
            raise ValueError(f"{where}: the id is used twice.")
        seen.add(c["id"])
        if c["direction"] not in _DIRECTIONS:
            raise ValueError(f"{where}: direction must be one of {_DIRECTIONS}.")
        protocol = c.get("protocol", "evaluation")
        if protocol != "evaluation" and protocol not in cfg["protocols"]:
            raise ValueError(
                f"{where}: protocol {protocol!r} is not 'evaluation' or one of "
                f"{sorted(cfg['protocols'])}."
            )
        ev = cfg["evaluation"] if protocol == "evaluation" else cfg["protocols"][protocol]
        for metric in (c["metric"], c.get("baseline_metric"), *c.get("also_show", [])):
            if metric is not None:
                _check_metric(metric, ev, where, protocol)
        for key in ("method", "baseline")[: 1 if const else 2]:
            if c[key] not in methods:
                raise ValueError(f"{where}: {key} {c[key]!r} is not a method of this config.")
            if protocol != "evaluation" and c[key] not in cfg["protocols"][protocol]["methods"]:
                raise ValueError(
                    f"{where}: {key} {c[key]!r} is not evaluated under protocol {protocol!r}."
                )


def _value(record: dict, protocol: str, metric: str) -> float | None:
    metrics = record["metrics"] if protocol == "evaluation" else record["protocols"].get(protocol)
    if not metrics:
        return None
    v: Any = metrics
    for part in metric.split("."):  # "plausibility@5.f1" reaches into nested values
        if not isinstance(v, dict) or part not in v:
            return None
        v = v[part]
    return None if v is None else float(v)


def _bootstrap_ci(diffs: np.ndarray, seed: int = 0) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    means = diffs[rng.integers(0, len(diffs), size=(_BOOTSTRAP, len(diffs)))].mean(1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    return float(lo), float(hi)


def _verdict(lo: float, hi: float, direction: str, margin: float, n: int) -> str:
    if n < 3:
        return "too few seeds"
    bound = {"greater": 0.0, "less": 0.0, "not_less": -margin, "not_greater": margin}[direction]
    above = direction in ("greater", "not_less")
    if (lo > bound) if above else (hi < bound):
        return "reproduced"
    if (hi < bound) if above else (lo > bound):
        return "contradicted"
    return "inconclusive"


def claim_rows(records: list[dict], claims: list[dict]) -> list[dict]:
    """One row per (claim, data set, backbone) with both sides' values per seed, the paired
    difference, its bootstrap interval and the verdict."""
    by = defaultdict(dict)
    for r in records:
        by[r["dataset"], r["backbone"], r["method"]][r["seed"]] = r
    cells = sorted({(r["dataset"], r["backbone"]) for r in records})
    rows = []
    for c in claims:
        protocol = c.get("protocol", "evaluation")
        metric, base_metric = c["metric"], c.get("baseline_metric", c["metric"])
        const = c.get("threshold")
        for dataset, backbone in cells:
            m_runs, b_runs = (
                by.get((dataset, backbone, c["method"])),
                by.get((dataset, backbone, c["method"] if const is not None else c["baseline"])),
            )
            if not m_runs or not b_runs:
                continue
            pairs = []
            for seed in sorted(set(m_runs) & set(b_runs)):
                mv = _value(m_runs[seed], protocol, metric)
                bv = (
                    float(const)
                    if const is not None
                    else _value(b_runs[seed], protocol, base_metric)
                )
                if mv is not None and bv is not None:
                    pairs.append((seed, mv, bv))
            if not pairs:
                continue
            seeds, mv, bv = (np.array(x) for x in zip(*pairs, strict=True))
            diffs = mv - bv
            lo, hi = _bootstrap_ci(diffs)
            row = {
                "id": c["id"],
                "paper": c["paper"],
                "table": c["table"],
                "claim": c["claim"],
                "protocol": protocol,
                "metric": metric,
                "baseline_metric": base_metric,
                "method": c["method"],
                "baseline": c.get("baseline", "threshold"),
                "direction": c["direction"],
                "margin": float(c.get("margin", 0.0)),
                "dataset": dataset,
                "backbone": backbone,
                "seeds": seeds.tolist(),
                "method_values": mv.tolist(),
                "baseline_values": bv.tolist(),
                "method_mean": float(mv.mean()),
                "method_sd": float(mv.std(ddof=1)) if len(mv) > 1 else 0.0,
                "baseline_mean": float(bv.mean()),
                "baseline_sd": float(bv.std(ddof=1)) if len(bv) > 1 else 0.0,
                "diff_mean": float(diffs.mean()),
                "ci95": [lo, hi],
                "verdict": _verdict(
                    lo, hi, c["direction"], float(c.get("margin", 0.0)), len(diffs)
                ),
                "also": {},
            }
            for extra in c.get("also_show", []):
                vals = {
                    side: [
                        v for s in seeds if (v := _value(runs[int(s)], protocol, extra)) is not None
                    ]
                    for side, runs in (("method", m_runs), ("baseline", b_runs))
                }
                row["also"][extra] = {
                    side: float(np.mean(v)) if v else None for side, v in vals.items()
                }
            rows.append(row)
    return rows


def _protocol_text(cfg: dict, protocol: str) -> str:
    ev = cfg["evaluation"] if protocol == "evaluation" else cfg["protocols"][protocol]
    params = ", ".join(f"{k}={v}" for k, v in ev["explainer_params"].items())
    explainer = ev["explainer"] + (f" ({params})" if params else "")
    judge = "the cell's base model" if ev["judge"] == "base" else "the model itself"
    data = cfg["data"]
    sample = (
        "every test text"
        if not data["n_eval"]
        else f"{data['n_eval']} test texts drawn at random (seed {data['eval_seed']})"
        if data["eval_sample"] == "random"
        else f"the first {data['n_eval']} test texts"
    )
    training = (
        "" if cfg["from_base"] else "every method fitted with its defaults, not from the base; "
    )
    if data["validation"] == "dataset":
        training += "epochs picked on the data set's dev split; "
    if not set(ev["metrics"]) - {"confidence", "decisiveness"}:  # no word rankings scored
        return f"{training}accuracy, confidence and the model's own explanation on {sample}"
    return (
        f"{training}rankings: {explainer}; judged by {judge}; k = {ev['k']}; words deleted "
        f"from the raw text; AOPC normalised by 1/(k+1), NAOPC per text by its exact or "
        f"beam-searched bounds (beam {ev['naopc_beam_width']}); {sample}"
    )


def _fmt(mean: float, sd: float) -> str:
    return f"{mean:.3f} ± {sd:.3f}"


def build_claims(
    folder: str | os.PathLike, *, figures: bool = True, out: str | os.PathLike | None = None
) -> Path:
    """Judge every claim of a finished benchmark: ``claims.json``, ``claims.md`` and (with
    matplotlib) ``claims.png`` in ``out`` (default ``folder``).

    Parameters
    ----------
    folder : path
        A benchmark folder (``config.json`` and ``runs/``) whose configuration has claims.
    figures : bool, default=True
    out : path, optional

    Returns
    -------
    Path
        The markdown file.
    """
    from ._report import load_runs

    folder = Path(folder)
    out = Path(out) if out is not None else folder
    out.mkdir(parents=True, exist_ok=True)
    cfg_path = folder / "config.json"
    if not cfg_path.is_file():
        raise FileNotFoundError(f"{cfg_path} is missing; run the benchmark first.")
    cfg = json.loads(cfg_path.read_text())
    if not cfg.get("claims"):
        raise ValueError(f"the configuration in {cfg_path} has no [[claims]].")
    rows = claim_rows(load_runs(folder), cfg["claims"])
    (out / "claims.json").write_text(json.dumps(rows, indent=1) + "\n")
    lines = [
        f"# Claims: {cfg.get('name', '')}",
        "",
        cfg.get("description", ""),
        "",
        "Per cell (data set / backbone): mean ± sd over seeds of the method and of the baseline,",
        "the paired difference (method − baseline, matched by seed) with its 95 % percentile",
        "bootstrap interval over seeds, and the verdict (`reproduced` when the interval lies on",
        "the claimed side; with three seeds that means every seed agrees). Never tuned on the",
        "test texts.",
        "",
        "## Verdicts at a glance",
        "",
        "| claim | " + " | ".join(f"{d} / {b}" for d, b in _cells(rows)) + " |",
        "|---|" + "---|" * len(_cells(rows)),
    ]
    verdicts = {(r["id"], r["dataset"], r["backbone"]): r["verdict"] for r in rows}
    for c in cfg["claims"]:
        cells = [verdicts.get((c["id"], d, b), "–") for d, b in _cells(rows)]
        lines.append(f"| {c['id']} | " + " | ".join(cells) + " |")
    lines.append("")
    for c in cfg["claims"]:
        mine = [r for r in rows if r["id"] == c["id"]]
        lines += [
            f"## {c['id']}: {c['paper']} {c['table']}",
            "",
            f"**Claim.** {c['claim']}",
            "",
            f"**Protocol.** {_protocol_text(cfg, c.get('protocol', 'evaluation'))}.",
            "",
        ]
        if c.get("note"):
            lines += [c["note"], ""]
        if not mine:
            lines += ["No finished runs for this claim.", ""]
            continue
        also = list(c.get("also_show", []))
        other = c.get("baseline_metric", c["metric"])
        other = "threshold" if "threshold" in c else f"{c['baseline']} {other}"
        head = f"| cell | {c['method']} {c['metric']} | {other} | difference [95 % CI] | seeds |"
        sides = c["method"] if "threshold" in c else f"{c['method']} / {c['baseline']}"
        head += " verdict |" + "".join(f" {a} ({sides}) |" for a in also)
        lines += [head, "|---" * (6 + len(also)) + "|"]
        for r in mine:
            lo, hi = r["ci95"]
            cell = (
                f"| {r['dataset']} / {r['backbone']} | {_fmt(r['method_mean'], r['method_sd'])} | "
                f"{_fmt(r['baseline_mean'], r['baseline_sd'])} | {r['diff_mean']:+.3f} "
                f"[{lo:+.3f}, {hi:+.3f}] | {len(r['seeds'])} | {r['verdict']} |"
            )
            for a in also:
                v = r["also"].get(a, {})
                m, b = v.get("method"), v.get("baseline")
                cell += f" {_num(m)} |" if "threshold" in c else f" {_num(m)} / {_num(b)} |"
            lines.append(cell)
        lines.append("")
    path = out / "claims.md"
    path.write_text("\n".join(lines) + "\n")
    if figures:
        _figure(rows, out / "claims.png")
    return path


def _num(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def _cells(rows: list[dict]) -> list[tuple[str, str]]:
    return sorted({(r["dataset"], r["backbone"]) for r in rows})


def _figure(rows: list[dict], path: Path) -> None:
    """A forest plot: each claim × cell's paired difference and interval, coloured by verdict."""
    try:
        plt = _pyplot(headless=True)
    except ImportError:  # tables without the figure
        return
    colours = {"reproduced": "tab:green", "contradicted": "tab:red"}
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(rows) + 1.2))
    for i, r in enumerate(rows):
        lo, hi = r["ci95"]
        c = colours.get(r["verdict"], "tab:gray")
        ax.plot([lo, hi], [i, i], color=c, lw=2)
        ax.plot(r["diff_mean"], i, "o", color=c, ms=4)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{r['id']} · {r['dataset']}/{r['backbone']}" for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("method − baseline (paired by seed), 95 % bootstrap interval")
    ax.set_title("green: reproduced, red: contradicted, grey: inconclusive", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
