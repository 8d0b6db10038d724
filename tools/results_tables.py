"""Write every results number of the front pages from the committed result records.

The README's methods table and timings, ``benchmarks/reproduce/README.md``'s claims and defaults
tables, ``benchmarks/reproduce/INDEX.md`` and the "Results" section of each method page in
``docs/methods/`` are generated here from the records (``claims.json`` of every study listed in
``benchmarks/reproduce/studies.toml``, the speed, start-up, compare and demo records), so that
the same number cannot drift between pages::

    python tools/results_tables.py           # rewrite the generated blocks and INDEX.md
    python tools/results_tables.py --check   # exit 1 (naming the files) when one is out of date

A generated block sits between ``<!-- results_tables: NAME -->`` and
``<!-- /results_tables -->``; the text around it is hand-written (narrative only: why a claim
fails, what was tried). A number the narrative quotes is generated too, in place:
``<!-- v STUDY CLAIM_ID DATASET/BACKBONE FIELD -->-1.8<!-- /v -->`` is rewritten from that
study's record of that claim and cell (FIELD: see :data:`VALUE_FIELDS`, or ``also:NAME``
for a measure recorded beside the claim, both sides). CI runs ``--check``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from statistics import mean

import tomllib

ROOT = Path(__file__).resolve().parents[1]
REPRO = ROOT / "benchmarks" / "reproduce"
GROUPS = {
    "claims": "The claims suite",
    "defaults": "The defaults check",
    "vmask": "VMASK",
    "evarm": "E-VarM",
    "scc": "SCC",
    "pct": "PCT",
    "vat": "VAT",
}
SYMBOL = {"reproduced": "✓", "contradicted": "✗", "inconclusive": "?"}
DATASET = {
    "rotten_tomatoes": "RT",
    "tweets": "tweets",
    "bbc_news": "BBC News",
    "amazon": "Amazon",
    "crowdflower_tweets": "CrowdFlower",
}
BACKBONE = {"cnn": "CNN", "lstm": "LSTM", "minilm-2": "MiniLM-2", "minilm": "MiniLM"}
# The README's one table: per method, its paper's headline claim and the studies whose records
# give the verdicts. Per cell the record with the most seeds wins (ties: the first study listed).
METHODS = {
    "vmask": {
        "name": "VMASK",
        "what": "learns a keep/drop mask over words (variational IB)",
        "claim_id": "vmask-t4-lime",
        "claim": "LIME AOPC@5 above the base (Table 4)",
        "studies": ["vmask-t4-seeds", "claims", "claims-minilm"],
    },
    "evarm": {
        "name": "E-VarM",
        "what": "a mask gate on several layers + supervised contrast",
        "claim_id": "evarm-t3-lime-aopc1",
        "claim": "LIME AOPC@1 above VMASK (Table 3)",
        "studies": ["evarm-t3-seeds", "claims", "claims-minilm"],
    },
    "scc": {
        "name": "SCC",
        "what": "a sparse coding layer + contrast with the background",
        "claim_id": "scc-t2-drop5",
        "claim": "drop after deleting LIME's top 5 words above the base (Table 2)",
        "studies": ["claims", "claims-minilm"],
    },
    "pct": {
        "name": "PCT",
        "what": "contrastive pairs built from its own saliency",
        "claim_id": "pct-t1-comp",
        "claim": "comprehensiveness of one shared saliency above the base (Table 1)",
        "studies": ["pct-t1-seeds", "claims", "claims-minilm"],
    },
    "vat": {
        "name": "VAT",
        "what": "attention through a variational information bottleneck",
        "claim_id": "vat-t3-aopc",
        "claim": (
            "the base's accuracy lost by deleting its top 5 attention words, above plain "
            "attention (Table 3)"
        ),
        "studies": [
            "vat-t3-bbc-seeds",
            "vat-t3-minilm-seeds",
            "claims",
            "vat-cnn",
            "claims-minilm",
        ],
    },
}
VERDICT_CELLS = [
    ("cnn", ["rotten_tomatoes", "tweets", "bbc_news"]),
    ("lstm", ["rotten_tomatoes", "tweets", "bbc_news"]),
    ("minilm-2", ["rotten_tomatoes", "tweets"]),
]
# accuracy at the defaults: the defaults check's studies, the most seeds per cell winning
DEFAULTS_STUDIES = ["defaults-cnn-seeds", "defaults-lstm-seeds", "defaults", "defaults-minilm"]
UNTUNED_STUDIES = ["defaults-untuned-2k", "defaults-untuned"]
UNTUNED_SIZES = ["2k", "all"]  # training texts of each, as the untuned table's columns say
BEGIN = "<!-- results_tables: {name} -->"
END = "<!-- /results_tables -->"
BLOCK = re.compile(
    r"<!-- results_tables: (?P<name>[\w-]+) -->\n(?P<body>.*?)<!-- /results_tables -->", re.S
)

VALUE = re.compile(r"<!-- v (?P<spec>[^<>]*?) -->(?P<text>[^<\n]*)<!-- /v -->")


# ----------------------------------------------------------------------------- records


def load_studies(root: Path = REPRO) -> tuple[list[dict], list[dict]]:
    """The studies and diagnostics of ``studies.toml``, each study with its ``records``."""
    spec = tomllib.loads((root / "studies.toml").read_text())
    studies = []
    for study in spec.get("study", []):
        folder = root / study["group"] / "results" / study["name"]
        path = folder / "claims.json"
        study = dict(study, folder=folder)
        records = json.loads(path.read_text()) if path.exists() else None
        # a cell still running (fewer than three seeds committed) is judged "too few seeds":
        # not a result yet, so no table shows it
        if records is not None:
            records = [r for r in records if r["verdict"] in SYMBOL]
        study["records"] = records
        study["tuning"] = []
        studies.append(study)
    return studies, spec.get("diagnostic", [])


def tuning_records(root: Path = REPRO) -> dict[str, list[dict]]:
    """``tune.py``'s grid searches (``<group>/results/tuning/*.json``) per group."""
    out: dict[str, list[dict]] = {}
    for path in sorted(root.glob("*/results/tuning/*.json")):
        rec = json.loads(path.read_text())
        rec["path"] = path
        out.setdefault(path.parts[-4], []).append(rec)
    return out


def _by_name(studies: list[dict]) -> dict[str, dict]:
    return {s["name"]: s for s in studies}


def best_record(
    studies: dict[str, dict], names: Iterable[str], claim_id: str, dataset: str, backbone: str
):
    """The record of ``claim_id`` in one cell with the most seeds among ``names``."""
    best = None
    for name in names:
        for rec in (studies.get(name) or {}).get("records") or ():
            if (rec["id"], rec["dataset"], rec["backbone"]) != (claim_id, dataset, backbone):
                continue
            if best is None or len(rec["seeds"]) > len(best[1]["seeds"]):
                best = (name, rec)
    return best


# ----------------------------------------------------------------------------- formatting


def _is_accuracy(rec: dict) -> bool:
    return rec.get("metric") == "accuracy"


def fmt_value(value: float, rec: dict) -> str:
    return f"{value:.3f}"


def fmt_diff(value: float, points: bool = False) -> str:
    value = value * 100 if points else value
    text = f"{value:+.1f}" if points else f"{value:+.3f}"
    return text.replace("-", "−")


def fmt_ci(rec: dict, points: bool = False) -> str:
    lo, hi = rec["ci95"]
    return f"{fmt_diff(rec['diff_mean'], points)} [{fmt_diff(lo, points)}, {fmt_diff(hi, points)}]"


def _per_seed(rec: dict, points: bool) -> str:
    pairs = zip(rec["method_values"], rec["baseline_values"] or (), strict=True)
    return ", ".join(fmt_diff(m - b, points) for m, b in pairs)


def _vs(rec: dict) -> str:
    return f"{fmt_value(rec['method_mean'], rec)} vs {fmt_value(rec['baseline_mean'], rec)}"


def _verdict_md(rec: dict) -> str:
    return f"**{rec['verdict']}**" if rec["verdict"] == "reproduced" else rec["verdict"]


#: The fields an inline value can quote (accuracy differences in points, others as they are).
VALUE_FIELDS: dict[str, Callable[[dict, bool], str]] = {
    "diff": lambda r, pt: fmt_diff(r["diff_mean"], pt),
    "size": lambda r, pt: fmt_diff(abs(r["diff_mean"]), pt).lstrip("+"),
    "ci": lambda r, pt: fmt_ci(r, pt),
    "method": lambda r, pt: fmt_value(r["method_mean"], r),
    "baseline": lambda r, pt: fmt_value(r["baseline_mean"], r),
    "seeds": _per_seed,
    "seeds_above": lambda r, pt: (
        f"{sum(m > b for m, b in zip(r['method_values'], r['baseline_values'], strict=True))}"
        f" of {len(r['method_values'])}"
    ),
    "method_seeds": lambda r, pt: ", ".join(fmt_value(v, r) for v in r["method_values"]),
    "baseline_seeds": lambda r, pt: ", ".join(fmt_value(v, r) for v in r["baseline_values"]),
    "verdict": lambda r, pt: r["verdict"],
    # a claims table's cell: verdict (bold when reproduced), both sides, the interval
    "vs": lambda r, pt: _vs(r),
    "cell": lambda r, pt: f"{_verdict_md(r)} {_vs(r)}",
    "cell_ci": lambda r, pt: f"{_verdict_md(r)} {_vs(r)}, {fmt_ci(r, pt)}" + (" pt" if pt else ""),
}


def inline_values(text: str, studies: dict[str, dict], path: Path) -> str:
    """Rewrite every inline value of ``text`` from the records (see the module docstring)."""

    def sub(m: re.Match) -> str:
        spec = m.group("spec")
        parts = spec.split()
        if len(parts) != 4 or "/" not in parts[2]:
            raise SystemExit(
                f"{path}: inline value {spec!r}: use STUDY CLAIM DATASET/BACKBONE FIELD"
            )
        name, claim_id, cell, field = parts
        if name not in studies or not studies[name].get("records"):
            raise SystemExit(f"{path}: inline value {spec!r}: no committed study {name!r}")
        also = field.removeprefix("also:") if field.startswith("also:") else None
        if also is None and field not in VALUE_FIELDS:
            raise SystemExit(f"{path}: inline value {spec!r}: field one of {sorted(VALUE_FIELDS)}")
        dataset, backbone = cell.split("/", 1)
        hit = best_record(studies, [name], claim_id, dataset, backbone)
        if hit is None:
            raise SystemExit(f"{path}: inline value {spec!r}: {name} has no such claim and cell")
        rec = hit[1]
        if also is not None:  # a measure recorded beside the claim, e.g. also:posthoc@1
            if also not in (rec.get("also") or {}):
                raise SystemExit(f"{path}: inline value {spec!r}: the record has no {also!r}")
            side = rec["also"][also]
            value = f"{fmt_value(side['method'], rec)} vs {fmt_value(side['baseline'], rec)}"
        else:
            try:
                value = VALUE_FIELDS[field](rec, _is_accuracy(rec))
            except (KeyError, TypeError, ValueError):  # e.g. a threshold claim has no baseline
                raise SystemExit(
                    f"{path}: inline value {spec!r}: this record has no {field!r}"
                ) from None
        return f"<!-- v {spec} -->{value}<!-- /v -->"

    return VALUE.sub(sub, text)


def cell_name(rec: dict) -> str:
    dataset, backbone = rec["dataset"], rec["backbone"]
    return f"{DATASET.get(dataset, dataset)}/{BACKBONE.get(backbone, backbone)}"


def _link(path: Path, start: Path) -> str:
    import os

    return os.path.relpath(path, start).replace(os.sep, "/")


def study_table(study: dict) -> list[str]:
    """One row per claim and cell: both sides' means, the difference with its interval, verdict."""
    rows = [
        "| claim | cell | seeds | method | compared with | difference [95 % CI] | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for rec in study["records"]:
        than = rec.get("baseline") or f"threshold {rec.get('threshold')}"
        base = fmt_value(rec["baseline_mean"], rec) if rec.get("baseline_mean") is not None else "—"
        diff = fmt_ci(rec) if rec.get("ci95") else "—"
        rows.append(
            f"| {rec['paper']} {rec['table']}: {rec['id']} | {cell_name(rec)} | "
            f"{len(rec['seeds'])} | {rec['method']} {fmt_value(rec['method_mean'], rec)} | "
            f"{than} {base} | {diff} | {SYMBOL[rec['verdict']]} {rec['verdict']} |"
        )
    return rows


# ----------------------------------------------------------------------------- blocks


def methods_table(studies: dict[str, dict], speed: dict | None, start: Path) -> str:
    head = (
        "| method | what it does | headline claim | CNN: RT · tweets · BBC "
        "| LSTM: RT · tweets · BBC | MiniLM-2: RT · tweets "
        "| accuracy vs base at defaults, points | epoch time × base "
        "(CNN · LSTM · MiniLM-2) |"
    )
    rows = [head, "|---|---|---|---|---|---|---|---|"]
    ratios = {}
    for row in (speed or {}).get("methods", []):
        ratios[(row["method"], row["backbone"])] = row.get("paired_ratio", row.get("ratio"))
    for key, m in METHODS.items():
        verdicts = []
        for backbone, datasets in VERDICT_CELLS:
            cells = []
            for ds in datasets:
                hit = best_record(studies, m["studies"], m["claim_id"], ds, backbone)
                cells.append(SYMBOL[hit[1]["verdict"]] if hit else "–")
            verdicts.append(" · ".join(cells))
        acc = []
        for backbone, datasets in VERDICT_CELLS:
            diffs = []
            for ds in datasets[:2]:
                hit = best_record(
                    studies, DEFAULTS_STUDIES, f"{key}-defaults-accuracy", ds, backbone
                )
                diffs.append(fmt_diff(hit[1]["diff_mean"], points=True) if hit else "–")
            acc.append(f"{BACKBONE[backbone]} {' · '.join(diffs)}")
        cost = " · ".join(
            f"{ratios[(key, b)]:.2f}×" if (key, b) in ratios else "–"
            for b in ("cnn", "lstm", "minilm-2")
        )
        page = _link(ROOT / "docs" / "methods" / f"{key}.md", start)
        rows.append(
            f"| [{m['name']}]({page}) | {m['what']} | {m['claim']} | {verdicts[0]} | "
            f"{verdicts[1]} | {verdicts[2]} | {'; '.join(acc)} (RT · tweets) | {cost} |"
        )
    return "\n".join(rows)


def untuned_line(studies: dict[str, dict]) -> str | None:
    """Accuracy at the defaults on the untuned sets, per method, if those runs are committed."""
    parts = []
    for key, m in METHODS.items():
        diffs = [
            rec["diff_mean"]
            for name in UNTUNED_STUDIES
            for rec in (studies.get(name) or {}).get("records") or ()
            if rec["id"] == f"{key}-defaults-accuracy"
        ]
        if diffs:
            parts.append(f"{m['name']} {fmt_diff(mean(diffs), points=True)}")
    return ", ".join(parts) if parts else None


def readme_timings(bench: Path) -> str:
    lines = []
    demo = _read_json(bench / "demo" / "results" / "demo.json")
    if demo:
        lines.append(
            f"`bash run.sh demo` took {demo['wall_s']:.0f} s on {demo['machine']['cpus']} idle "
            "CPU cores (the install check included) and printed:\n\n"
            f"```\n{demo['summary'].strip()}\n```"
        )
    startup = _read_json(bench / "startup" / "results" / "startup.json")
    compare = [
        _read_json(bench / "compare" / "results" / f"compare_{n}.json") for n in ("fast", "full")
    ]
    facts = []
    if startup:
        facts.append(f"`skinterp --help` answers in {startup['median_s']['skinterp --help']:.2f} s")
    if all(compare):
        fast, full = compare
        facts.append(
            f"`skinterp compare --fast` took {fast['wall_s'] / 60:.1f} min on "
            f"{fast['texts']:,} texts and the full default {full['wall_s'] / 60:.1f} min on "
            f"{full['texts']:,}"
        )
    if facts:
        lines.append(
            "On 2 CPU cores: "
            + "; ".join(facts)
            + " ([start-up](benchmarks/startup/results/startup.md), "
            "[compare](benchmarks/compare/results/compare.md))."
        )
    return "\n\n".join(lines)


def compare_block(bench: Path) -> str:
    """docs/compare.md's time and outcome of the compare benchmark's two runs."""
    fast, full = (
        _read_json(bench / "compare" / "results" / f"compare_{n}.json") for n in ("fast", "full")
    )
    if not (fast and full):
        return "Not yet measured: no committed compare records."
    info, first = full["info"], fast["info"]
    verdict, first_verdict = full["recommendation"], fast["recommendation"]
    return (
        f"`--fast` on {fast['texts']:,} texts took **{fast['wall_s'] / 60:.1f} minutes**; the full "
        f"default ({len(info['methods'])} models, Kim-CNN, {len(info['seeds'])} seeds, "
        f"{info['n_train']:,} training texts, {info['n_dev']:,} dev, {info['n_test']:,} test) "
        f'**{full["wall_s"] / 60:.1f} minutes**. The full run\'s verdict: "{verdict}" The '
        f"`--fast` first look ({first['n_train']:,} training texts, fewer epochs): "
        f'"{first_verdict}"'
    )


def peers_block(bench: Path) -> str:
    """docs/transformers.md: skinterp against ferret and Captum (``bench_peers.py``)."""
    r = _read_json(bench / "speed" / "results" / "peers.json")
    if not r:
        return "Not measured yet: `python benchmarks/speed/bench_peers.py`."
    m, e = r["metrics"], r["explainers"]
    comp, suff = m["comprehensiveness"], m["sufficiency"]
    ig, gxi, lime = e["integrated_gradients"], e["gradient_x_input"], e["lime"]
    return (
        f"On {r['n_texts']} Rotten Tomatoes test texts and MiniLM-L6 fine-tuned on "
        f"{r['n_train']:,} texts ({r['machine'].split(';')[0].removeprefix('Machine: ')}): "
        f"ferret's AOPC comprehensiveness and sufficiency of the same explanations take "
        f"**{comp['ferret_over_ours']}x** and **{suff['ferret_over_ours']}x** as long with "
        f"ferret {r['ferret_versions']['ferret-xai']}'s evaluators as with `binned_aopc_score` "
        f"({comp['ferret_s']} s / {suff['ferret_s']} s against {comp['skinterp_s']} s / "
        f"{suff['skinterp_s']} s), and on the {comp['same_units_texts']} texts whose every word "
        f"is one word piece the per-text numbers agree to {_sci(comp['same_units_max_abs_diff'])}"
        f" / {_sci(suff['same_units_max_abs_diff'])}. Integrated gradients equal Captum's "
        f"`LayerIntegratedGradients` to {_sci(ig['captum_max_abs_diff'])} and gradient x input "
        f"its `LayerGradientXActivation` to {_sci(gxi['captum_max_abs_diff'])}; Captum takes "
        f"{ig['captum_over_ours']}x / {gxi['captum_over_ours']}x as long, ferret "
        f"{ig['ferret_over_ours']}x / {gxi['ferret_over_ours']}x. LIME at "
        f"{r['lime_samples']} samples: Captum {lime['captum_over_ours']}x, ferret "
        f"{lime['ferret_over_ours']}x as long. Every number and how it was measured: "
        "[peers benchmark](benchmarks/peers.md)."
    )


def _sci(value) -> str:
    return "n/a" if value is None else f"{value:.0e}"


def _read_json(path: Path):
    return json.loads(path.read_text()) if path.exists() else None


def readme_blocks(studies: dict[str, dict]) -> dict[str, str]:
    speed = _read_json(ROOT / "benchmarks" / "speed" / "results" / "speed.json")
    table = methods_table(studies, speed, ROOT)
    legend = (
        "✓ reproduced (the seed-paired 95 % bootstrap interval of the difference lies on the "
        "claimed side), ✗ contradicted, ? inconclusive, – not measured; per cell the study with "
        "the most seeds (3 or 6) decides. Accuracy: the mean difference to the base model fitted "
        "the same way (the defaults check; MiniLM-2 on the first 1,000 training texts), on the "
        "whole test split. Epoch time: the "
        "[speed benchmark](benchmarks/speed/results/speed.md)'s paired ratio."
    )
    untuned = untuned_line(studies)
    if untuned:
        legend += (
            " Accuracy on data no default was tuned on (Amazon, CrowdFlower; 2,000 and all "
            "training texts; mean over the measured cells, [table]"
            "(benchmarks/reproduce/README.md#data-nobody-tuned-on-defaultsdefaults_untuned_2ktoml"
            f"-defaultsdefaults_untunedtoml)): {untuned}."
        )
    return {"methods": f"{table}\n\n{legend}", "timings": readme_timings(ROOT / "benchmarks")}


def index_page(studies: list[dict], diagnostics: list[dict], tuning: dict[str, list[dict]]) -> str:
    out = [
        "# Reproduction studies: index",
        "",
        "<!-- generated by tools/results_tables.py from studies.toml and the committed records; "
        "do not edit -->",
        "",
        "Every study in this folder: the question it was run to answer and its answer, read from "
        "its records (✓ reproduced, ✗ contradicted, ? inconclusive: the seed-paired 95 % bootstrap "
        "interval of the difference lies on the claimed side, on the other, or across zero). The "
        "claims suite and the defaults check come first, then each method's own studies. The "
        "narrative (why a claim fails, what was tried) is on the method pages in `docs/methods/`.",
    ]
    for group, title in GROUPS.items():
        out += ["", f"## {title}"]
        for study in (s for s in studies if s["group"] == group):
            out += ["", f"### `{study['name']}`", "", study["question"], ""]
            config = study["config"]
            cfg = f"`{config}`" if config.startswith("profile") else f"[`{config}`]({config})"
            if study["records"] is None:
                out.append(f"Config: {cfg}. Not yet run: no committed records.")
                continue
            seeds = sorted({len(r["seeds"]) for r in study["records"]})
            link = _link(study["folder"] / "claims.md", REPRO)
            out.append(
                f"Config: {cfg}; results: [{link}]({link}); seeds per cell: "
                f"{', '.join(map(str, seeds))}."
            )
            out += ["", "Answer:", "", *_claims_matrix(study["records"])]
        for rec in tuning.get(group, []):
            link = _link(rec["path"].with_suffix(".md"), REPRO)
            out += [
                "",
                f"### Grid search `{rec['path'].stem}`",
                "",
                f"Which setting of {rec['estimator']}'s grid {rec['grid']} wins on "
                f"{rec['n_valid']} validation texts of {cell_name(rec)} ({rec['selection']}; "
                f"{rec['scoring']})?",
                "",
                f"Answer: {rec['chosen']} ([table]({link})).",
            ]
        for diag in (
            d
            for d in diagnostics
            if d["script"].split("/")[0] == group
            or (group == "defaults" and "/" not in d["script"])
        ):
            out += ["", f"### Diagnostic `{diag['script']}`", "", diag["question"], ""]
            where = f"; output `{diag['output']}`" if diag["output"] else ""
            out.append(f"Answer: {diag['answer']} (script `{diag['script']}`{where}).")
    return "\n".join(out) + "\n"


def reproduce_blocks(studies: dict[str, dict]) -> dict[str, str]:
    blocks = {}
    for name in ("claims", "claims-minilm"):
        study = studies[name]
        blocks[name] = "\n".join(_claims_matrix(study["records"]))
    defaults = [r for n in ("defaults", "defaults-minilm") for r in studies[n]["records"] or ()]
    blocks["defaults"] = "\n".join(_claims_matrix(defaults))
    blocks["profile-times"] = profile_times(studies)
    blocks["defaults-untuned"] = untuned_block(studies)
    return blocks


# a method page's untuned table names its rows by what they check
_UNTUNED_ROWS = {
    "defaults-accuracy": "accuracy vs the base, points (within 1 point?)",
    "defaults-decisive": "decisive: keep spread q90 − q10 (≥ 0.3?)",
    "untuned-naopc": "LIME NAOPC@5 vs the base (not below?)",
}


def untuned_block(studies: dict[str, dict], method: str | None = None) -> str:
    """The untuned check at both training sizes: a ``2k`` and an ``all`` column per cell, one
    row per claim (the NAOPC claims of the two configs share a row); ``method``: only that
    method's claims, rows named by what they check (a method page's at-a-glance table)."""
    records, tags = [], []
    for name, tag in zip(UNTUNED_STUDIES, UNTUNED_SIZES, strict=True):
        recs = (studies.get(name) or {}).get("records") or ()
        recs = [r for r in recs if method is None or r["method"] == method]
        records += recs
        tags += [tag] * len(recs)
    if not records:
        return "Not yet run: no committed records."

    def key(rec: dict) -> str:
        return rec["id"].replace("-untuned-2k-", "-untuned-")

    def label(rec: dict) -> str:
        suffix = key(rec).split("-", 1)[1]
        if suffix == "defaults-decisive" and rec["baseline"] != "threshold":  # VAT's attention
            return "attention entropy vs plain attention (no flatter?)"
        return _UNTUNED_ROWS.get(suffix, rec["claim"])

    rows = _claims_matrix(records, tags, key=key, label=label if method else None)
    return "\n".join(rows)


def profile_times(studies: dict[str, dict], site: bool = False) -> str:
    """Runs and summed run time (fit + evaluation) of each built-in profile's committed results;
    ``site``: for docs/benchmarks.md, linking each profile's table in the documentation site."""
    rows = [
        "| committed profile results | runs | sum of the runs' fit + evaluation time |",
        "|---|---|---|",
    ]
    for name in ("quick", "claims", "claims-minilm", "defaults", "defaults-minilm"):
        study = studies.get(name)
        runs = sorted((study["folder"] / "runs").glob("*.json")) if study else []
        if not runs:
            continue
        total = 0.0
        for path in runs:
            timings = json.loads(path.read_text()).get("timings", {})
            total += timings.get("fit_s", 0.0) + timings.get("eval_s", 0.0)
        link = _link(study["folder"], REPRO)
        if site:  # the site publishes each study's markdown, not its folder
            page = "claims.md" if (study["folder"] / "claims.md").exists() else "tables.md"
            link = f"benchmarks/reproduce/{link}/{page}"
        rows.append(f"| [`{name}`]({link}) | {len(runs)} | {total / 60:.1f} min |")
    claims_time = _read_json(ROOT / "benchmarks" / "speed" / "results" / "claims_time.json")
    where = (
        "[claims_time](benchmarks/claims_time.md)"
        if site
        else ("`benchmarks/speed/results/claims_time.md`")
    )
    note = (
        "Wall time is lower with `--jobs 2` (two cells at once) and higher with its start-up"
        f" and saving; measured wall time of the claims suite: {where}"
    )
    if claims_time:
        ct = claims_time
        note += (
            f" ({ct['runs']} runs of the CNN/LSTM part, seed {ct['seeds'][0]}, in "
            f"{ct['wall_s'] / 3600:.2f} h with `--jobs 2 --threads 1`; projected "
            f"{ct['projected_h']} h for {len(ct['profile_seeds'])} seeds)"
        )
    note += "."
    return "\n".join(rows) + "\n\n" + note if claims_time is not None or rows else note


def _claims_matrix(
    records: list[dict],
    tags: list[str] | None = None,
    key: Callable[[dict], str] | None = None,
    label: Callable[[dict], str] | None = None,
) -> list[str]:
    """Claims as rows, cells as columns: verdict and difference (accuracy in points).

    ``tags`` (one per record, in the order of ``tags`` first) split a cell into columns, e.g.
    the same data set at two training sizes; ``key`` names the row a record belongs to (its
    claim id by default), so one claim judged in two studies shares a row; ``label`` names a
    row (paper, table and claim by default)."""
    tags = tags or [""] * len(records)
    order = list(dict.fromkeys(tags))
    cells = sorted(
        {(r["backbone"], r["dataset"], t) for r, t in zip(records, tags, strict=True)},
        key=lambda c: (
            c[0],
            list(DATASET).index(c[1]) if c[1] in DATASET else 9,
            order.index(c[2]),
        ),
    )
    head = (
        "| claim | "
        + " | ".join(
            f"{DATASET.get(d, d)}/{BACKBONE.get(b, b)}" + (f" {t}" if t else "")
            for b, d, t in cells
        )
        + " |"
    )
    rows = [head, "|---|" + "---|" * len(cells)]
    by = {}
    for r, t in zip(records, tags, strict=True):
        by.setdefault((key or (lambda rec: rec["id"]))(r), {})[(r["backbone"], r["dataset"], t)] = r
    for per in by.values():
        first = next(iter(per.values()))
        vals = []
        for cell in cells:
            r = per.get(cell)
            if r is None:
                vals.append("")
                continue
            if r.get("baseline") == "threshold" or r.get("diff_mean") is None:  # e.g. keep spread
                value = fmt_value(r["method_mean"], r)
            elif _is_accuracy(r):
                value = f"{fmt_diff(r['diff_mean'], points=True)} pt"
            else:
                value = fmt_diff(r["diff_mean"])
            vals.append(f"{SYMBOL[r['verdict']]} {value}")
        table = first["table"]
        if len(order) > 1 and table in UNTUNED_STUDIES:  # one row for both sizes
            table = UNTUNED_STUDIES[-1]
        name = label(first) if label else f"{first['paper']} {table}: {first['claim']}"
        rows.append(f"| {name} | " + " | ".join(vals) + " |")
    return rows


def method_block(key: str, studies: list[dict]) -> str:
    """A method page's generated results: every study that measures one of its claims."""
    prefix = {"evarm": "evarm-", "vmask": "vmask", "scc": "scc", "pct": "pct-", "vat": "vat-"}[key]
    out = [
        "Generated from the committed records (`tools/results_tables.py`): every study with a "
        f"claim about {METHODS[key]['name']}, one row per claim and cell — the method's and the "
        "compared "
        "side's mean over seeds, the seed-paired difference with its 95 % bootstrap interval, and "
        "the verdict. Questions and configs: [the index](../benchmarks/reproduce/INDEX.md).",
    ]
    for study in studies:
        recs = [r for r in study["records"] or () if r["id"].startswith(prefix)]
        if not recs:
            continue
        # the docs site publishes benchmarks/ next to docs/ (tools/mkdocs_hooks.py)
        link = "../benchmarks/reproduce/" + _link(study["folder"] / "claims.md", REPRO)
        out += [
            "",
            f"### `{study['name']}`",
            "",
            f"{study['question']} ([claims table]({link}))",
            "",
        ]
        out += study_table(dict(study, records=recs))
    return "\n".join(out)


# ----------------------------------------------------------------------------- files


def replace_blocks(text: str, blocks: dict[str, str], path: Path) -> str:
    found = set()

    def sub(m: re.Match) -> str:
        name = m.group("name")
        if name not in blocks:
            raise SystemExit(f"{path}: unknown generated block {name!r} (known: {sorted(blocks)})")
        found.add(name)
        return f"{BEGIN.format(name=name)}\n{blocks[name].rstrip()}\n{END}"

    text = BLOCK.sub(sub, text)
    missing = set(blocks) - found
    if missing:
        raise SystemExit(f"{path}: no generated block for {sorted(missing)}; add its markers")
    return text


def outputs(root: Path = ROOT) -> dict[Path, Callable[[str], str] | str]:
    """Each generated file: its whole new text, or a function of its current text."""
    studies, diagnostics = load_studies(root / "benchmarks" / "reproduce")
    by_name = _by_name(studies)
    out: dict[Path, Callable[[str], str] | str] = {
        REPRO / "INDEX.md": index_page(studies, diagnostics, tuning_records()),
    }
    readme = readme_blocks(by_name)
    out[ROOT / "README.md"] = lambda t: replace_blocks(t, readme, ROOT / "README.md")
    repro = reproduce_blocks(by_name)
    out[REPRO / "README.md"] = lambda t: replace_blocks(t, repro, REPRO / "README.md")
    overview = {"profile-times": profile_times(by_name, site=True)}
    out[ROOT / "docs" / "benchmarks.md"] = lambda t: replace_blocks(
        t, overview, ROOT / "docs" / "benchmarks.md"
    )
    cmp_page = ROOT / "docs" / "compare.md"
    cmp_block = {"compare-time": compare_block(ROOT / "benchmarks")}
    out[cmp_page] = lambda t: replace_blocks(t, cmp_block, cmp_page)
    peers = {"peers": peers_block(ROOT / "benchmarks")}
    out[ROOT / "docs" / "transformers.md"] = lambda t: replace_blocks(
        t, peers, ROOT / "docs" / "transformers.md"
    )
    for key in METHODS:
        page = ROOT / "docs" / "methods" / f"{key}.md"
        block = {"results": method_block(key, studies), "untuned": untuned_block(by_name, key)}
        out[page] = lambda t, b=block, p=page: replace_blocks(t, b, p)
    # the hand-written narrative's quoted numbers, wherever they are
    for path, new in list(out.items()):
        if callable(new):
            out[path] = lambda t, f=new, p=path: inline_values(f(t), by_name, p)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--check", action="store_true", help="fail when a generated text is out of date"
    )
    args = ap.parse_args(argv)
    stale = []
    for path, new in outputs().items():
        old = path.read_text() if path.exists() else ""
        text = new(old) if callable(new) else new
        if text == old:
            continue
        stale.append(path.relative_to(ROOT).as_posix())
        if not args.check:
            path.write_text(text)
    if args.check and stale:
        print(
            "out of date (run `python tools/results_tables.py` and commit): " + ", ".join(stale),
            file=sys.stderr,
        )
        return 1
    print(("rewrote: " + ", ".join(stale)) if stale else "generated results are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
