"""What ``skinterp compare`` concludes: the metrics it compares, the table of seed-paired
differences (from the claims suite's rows) and the recommendation rule."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DECISIVE", "METRICS", "recommend", "results_table"]

METRICS = (  # (claim key, protocol, record metric, direction, label, higher is better)
    ("accuracy", "evaluation", "accuracy", "not_less", "accuracy"),
    ("naopc", "lime", "naopc@{k}", "greater", "LIME NAOPC@{k}"),
    ("aopc", "lime", "aopc@{k}", "greater", "LIME AOPC@{k}"),
    ("comprehensiveness", "gradient", "comprehensiveness", "greater", "comprehensiveness"),
    ("sufficiency", "gradient", "sufficiency", "less", "sufficiency (lower is better)"),
    ("posthoc", "evaluation", "posthoc@{k}", "greater", "post-hoc accuracy@{k} (own)"),
)

#: A mask's (or gate's) decisiveness on the test texts, for the methods that explain with one:
#: (claim key, record metric, line, label). Below the line the mask keeps every word alike.
DECISIVE = ("decisive", "keep_spread", 0.3, "own mask decisive: keep spread q90 − q10 (≥ 0.3)")


def results_table(
    rows: list[dict], records: list[dict], methods: list[str], k: int
) -> pd.DataFrame:
    """One row per (method, metric) from the claims suite's rows, plus training time."""
    labels = {key: label.format(k=k) for key, _, _, _, label in METRICS}
    labels[DECISIVE[0]] = DECISIVE[3]
    out = []
    for r in rows:
        key = r["id"][len(r["method"]) + 1 :]  # "<method>-<metric key>"
        out.append(
            {
                "method": r["method"],
                "metric": key,
                "label": labels[key],
                "method_mean": r["method_mean"],
                "base_mean": r["baseline_mean"],
                "diff": r["diff_mean"],
                "ci_low": r["ci95"][0],
                "ci_high": r["ci95"][1],
                "verdict": r["verdict"],
                "finding": _finding(key, r["verdict"]),
                "seeds": len(r["seeds"]),
            }
        )
    fit = {}
    for rec in records:
        fit.setdefault(rec["method"], {})[rec["seed"]] = rec["timings"]["fit_s"]
    for m in methods:
        if m == "base" or m not in fit or "base" not in fit:
            continue
        seeds = sorted(set(fit[m]) & set(fit["base"]))
        ratio = [fit[m][s] / fit["base"][s] for s in seeds]
        out.append(
            {
                "method": m,
                "metric": "fit_time",
                "label": "training time (× base)",
                "method_mean": float(np.mean([fit[m][s] for s in seeds])),
                "base_mean": float(np.mean([fit["base"][s] for s in seeds])),
                # the ratio of the mean times; the seeds' own ratios give its range
                "diff": float(np.mean([fit[m][s] for s in seeds]))
                / float(np.mean([fit["base"][s] for s in seeds])),
                "ci_low": float(min(ratio)),
                "ci_high": float(max(ratio)),
                "verdict": "",
                "finding": "",
                "seeds": len(seeds),
            }
        )
    return pd.DataFrame(out)


def _finding(metric: str, verdict: str) -> str:
    """The claims suite's verdict in the words of a comparison."""
    if metric == DECISIVE[0] and verdict in ("reproduced", "contradicted"):
        return "decisive" if verdict == "reproduced" else "not decisive"
    if verdict == "reproduced":
        return "within tolerance" if metric == "accuracy" else "better than base"
    if verdict == "contradicted":
        return "costs more than the tolerance" if metric == "accuracy" else "worse than base"
    return verdict  # inconclusive, too few seeds


def recommend(table: pd.DataFrame, *, tolerance: float = 0.01, k: int = 5) -> dict:
    """The recommendation, by a stated rule.

    Among the methods whose LIME NAOPC@k gain over the base model has a 95 % interval above
    0 (``reproduced``) and whose accuracy difference's interval stays above ``-tolerance``
    (the ``not_less`` verdict ``reproduced``), the one with the largest mean NAOPC gain.
    Without one: the base model with LIME explanations (``"base + LIME"``).

    Returns
    -------
    dict
        ``method``, ``rule``, ``evidence`` (the numbers behind it) and ``text``.
    """
    rule = (
        f"the method with the largest LIME NAOPC@{k} gain over the base model whose 95 % "
        f"interval excludes 0 and whose accuracy cost's interval stays within {tolerance:.3g} "
        "(accuracy points / 100); otherwise the base model with LIME explanations"
    )
    naopc = table[table["metric"] == "naopc"].set_index("method")
    acc = table[table["metric"] == "accuracy"].set_index("method")
    ok = [
        m
        for m in naopc.index
        if naopc.loc[m, "verdict"] == "reproduced"
        and m in acc.index
        and acc.loc[m, "verdict"] == "reproduced"
    ]
    evidence = {
        m: {
            "naopc_gain": float(naopc.loc[m, "diff"]),
            "naopc_ci": [float(naopc.loc[m, "ci_low"]), float(naopc.loc[m, "ci_high"])],
            "accuracy_diff": float(acc.loc[m, "diff"]) if m in acc.index else None,
            "accuracy_ci": (
                [float(acc.loc[m, "ci_low"]), float(acc.loc[m, "ci_high"])]
                if m in acc.index
                else None
            ),
        }
        for m in naopc.index
    }
    decisive = table[table["metric"] == DECISIVE[0]].set_index("method")
    for m in evidence:
        if m in decisive.index:
            evidence[m]["keep_spread"] = float(decisive.loc[m, "method_mean"])
            evidence[m]["decisive"] = str(decisive.loc[m, "verdict"])
    if ok:
        best = max(ok, key=lambda m: naopc.loc[m, "diff"])
        e = evidence[best]
        text = (
            f"Use {best}: its LIME NAOPC@{k} is {e['naopc_gain']:+.3f} above the base model's "
            f"[{e['naopc_ci'][0]:+.3f}, {e['naopc_ci'][1]:+.3f}], and its accuracy differs by "
            f"{100 * e['accuracy_diff']:+.1f} points [{100 * e['accuracy_ci'][0]:+.1f}, "
            f"{100 * e['accuracy_ci'][1]:+.1f}], within the tolerance of "
            f"{100 * tolerance:.1f}."
        )
        if e.get("decisive") not in (None, "reproduced"):
            # the rule judges LIME's explanations of the model; its own mask is another matter
            text += (
                f" Its own mask is not shown to be decisive on these texts (keep spread "
                f"{e['keep_spread']:.2f} on average, the line {DECISIVE[2]}): explain it with "
                "LIME rather than with its mask."
            )
        return {"method": best, "rule": rule, "evidence": evidence, "text": text}
    text = (
        "Use the base model and explain it with LIME: no method's LIME NAOPC@"
        f"{k} gain has an interval above 0 with an accuracy cost inside the tolerance of "
        f"{100 * tolerance:.1f} points on these texts."
    )
    return {"method": "base + LIME", "rule": rule, "evidence": evidence, "text": text}
