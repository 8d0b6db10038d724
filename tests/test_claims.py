"""The claims suite: verdicts from seed-paired differences, the protocol each claim names,
the tables and the errors for malformed claims (synthetic run records: no training)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from skinterp.benchmark import build_claims, claim_rows, load_config
from skinterp.benchmark._claims import _bootstrap_ci

CLAIM = {
    "id": "vmask-t4",
    "paper": "VMASK",
    "table": "Table 4",
    "claim": "AOPC@5 of LIME's rankings: VMASK > base",
    "protocol": "lime",
    "metric": "aopc@5",
    "method": "vmask",
    "baseline": "base",
    "direction": "greater",
    "also_show": ["naopc@5"],
}


def config(**kw):
    cfg = {
        "name": "claims-test",
        "datasets": ["tweets"],
        "methods": ["base", "vmask", "pct"],
        "seeds": [0, 1, 2],
        "protocols": {
            "lime": {
                "explainer": "lime",
                "methods": ["base", "vmask"],
                "metrics": ["aopc", "naopc"],
                "naopc_k": 5,
            }
        },
        "claims": [CLAIM],
    }
    cfg.update(kw)
    return cfg


def record(method, seed, lime=None, dataset="tweets", **metrics):
    return {
        "dataset": dataset,
        "backbone": "cnn",
        "method": method,
        "seed": seed,
        "metrics": {"accuracy": 0.8, **metrics},
        "protocols": {} if lime is None else {"lime": lime},
    }


def rows_for(method_vals, base_vals, claim=CLAIM):
    recs = [record("vmask", s, {"aopc@5": v, "naopc@5": 0.9}) for s, v in enumerate(method_vals)]
    recs += [record("base", s, {"aopc@5": v, "naopc@5": 0.8}) for s, v in enumerate(base_vals)]
    return claim_rows(recs, [claim])


def test_verdicts_follow_the_paired_interval():
    (up,) = rows_for([0.5, 0.52, 0.51], [0.4, 0.45, 0.41])
    assert up["verdict"] == "reproduced"
    assert up["diff_mean"] == pytest.approx(np.mean([0.1, 0.07, 0.1]))
    # with three seeds the interval spans the smallest to the largest seed difference
    assert up["ci95"] == pytest.approx([0.07, 0.1])
    assert up["method_sd"] == pytest.approx(np.std([0.5, 0.52, 0.51], ddof=1))
    assert up["also"]["naopc@5"] == pytest.approx({"method": 0.9, "baseline": 0.8})
    (down,) = rows_for([0.3, 0.31, 0.32], [0.4, 0.45, 0.41])
    assert down["verdict"] == "contradicted"
    (mixed,) = rows_for([0.5, 0.3, 0.5], [0.4, 0.45, 0.41])
    assert mixed["verdict"] == "inconclusive"
    (few,) = rows_for([0.5, 0.52], [0.4, 0.45])
    assert few["verdict"] == "too few seeds"


def test_seeds_are_paired_not_pooled():
    # the method is below the baseline on average over seeds but above it within every seed
    (row,) = rows_for([0.21, 0.51, 0.81], [0.2, 0.5, 0.8])
    assert row["verdict"] == "reproduced"


def test_non_inferiority_and_metric_vs_metric():
    acc = {**CLAIM, "id": "acc", "protocol": "evaluation", "metric": "accuracy"}
    acc.update(direction="not_less", margin=0.01, also_show=[])
    recs = [record("vmask", s) for s in range(3)] + [record("base", s) for s in range(3)]
    for r, d in zip(recs[:3], [-0.005, 0.0, -0.002], strict=True):
        r["metrics"]["accuracy"] += d
    (row,) = claim_rows(recs, [acc])
    assert row["verdict"] == "reproduced"  # within one point
    var = {**acc, "id": "ivar", "metric": "I-Var", "baseline_metric": "U-Var", "baseline": "pct"}
    var.update(method="pct", direction="greater", margin=0.0)
    recs = [record("pct", s, **{"I-Var": 5.0 + s, "U-Var": 1.0}) for s in range(3)]
    (row,) = claim_rows(recs, [var])
    assert row["verdict"] == "reproduced" and row["diff_mean"] == pytest.approx(5.0)


def test_a_threshold_claim_compares_each_seed_with_a_fixed_value(tmp_path):
    spread = {**CLAIM, "id": "spread", "protocol": "evaluation", "metric": "keep_spread"}
    del spread["baseline"]
    spread.update(threshold=0.3, direction="not_less", also_show=["keep_q50"])
    recs = [
        record("vmask", s, keep_spread=v, keep_q50=0.6) for s, v in enumerate([0.45, 0.5, 0.35])
    ]
    (row,) = claim_rows(recs, [spread])
    assert row["verdict"] == "reproduced" and row["baseline"] == "threshold"
    assert row["baseline_values"] == [0.3] * 3
    assert row["diff_mean"] == pytest.approx(np.mean([0.15, 0.2, 0.05]))
    recs[2]["metrics"]["keep_spread"] = 0.2
    assert claim_rows(recs, [spread])[0]["verdict"] == "inconclusive"
    cfg = config(
        evaluation={"metrics": ["confidence", "decisiveness"]}, claims=[spread], protocols={}
    )
    load_config(cfg)  # a threshold claim needs no baseline method
    (tmp_path / "runs").mkdir()
    (tmp_path / "config.json").write_text(json.dumps(load_config(cfg)))
    for i, r in enumerate(recs):
        (tmp_path / "runs" / f"r{i}.json").write_text(json.dumps(r))
    table = build_claims(tmp_path, figures=False).read_text()
    assert "| vmask keep_spread | threshold | difference" in table
    assert "verdict | keep_q50 (vmask) |" in table  # the threshold has no keep_q50 of its own
    assert "| inconclusive | 0.600 |" in table
    for bad, message in (
        ({**spread, "baseline": "base"}, "threshold must be a number, given instead"),
        ({**spread, "threshold": "high"}, "threshold must be a number"),
        ({**spread, "threshold": True}, "threshold must be a number"),
        ({k: v for k, v in spread.items() if k != "threshold"}, r"misses \['baseline'\]"),
        ({**spread, "metric": "keep_spread", "protocol": "lime"}, "add 'decisiveness'"),
    ):
        with pytest.raises(ValueError, match=message):
            load_config({**cfg, "claims": [bad], "protocols": config()["protocols"]})


def test_the_defaults_profile_keeps_its_threshold_claims_when_narrowed():
    narrowed = load_config({"extends": "defaults", "methods": ["vmask"]})
    assert {c["id"] for c in narrowed["claims"]} == {
        "vmask-defaults-accuracy",
        "vmask-defaults-decisive",
    }


def test_bootstrap_interval_is_seeded_and_ordered():
    d = np.array([0.1, -0.2, 0.3, 0.05])
    assert _bootstrap_ci(d) == _bootstrap_ci(d)
    lo, hi = _bootstrap_ci(d)
    assert d.min() <= lo < d.mean() < hi <= d.max()


def test_build_claims_writes_tables_and_figure(tmp_path):
    cfg = load_config(config())
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    runs = tmp_path / "runs"
    runs.mkdir()
    for m, vals in (("vmask", [0.5, 0.52, 0.51]), ("base", [0.4, 0.45, 0.41])):
        for s, v in enumerate(vals):
            rec = record(m, s, {"aopc@5": v, "naopc@5": 0.9})
            (runs / f"{m}{s}.json").write_text(json.dumps(rec))
    path = build_claims(tmp_path)
    text = path.read_text()
    assert "## vmask-t4: VMASK Table 4" in text
    assert "rankings: lime" in text and "judged by the model itself" in text
    row = (
        "| tweets / cnn | 0.510 ± 0.010 | 0.420 ± 0.026 | +0.090 [+0.070, +0.100] | 3 | reproduced"
    )
    assert row in text
    assert (tmp_path / "claims.png").stat().st_size > 1000
    rows = json.loads((tmp_path / "claims.json").read_text())
    assert rows[0]["verdict"] == "reproduced"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"direction": "bigger"}, "direction must be"),
        ({"protocol": "shap"}, "protocol 'shap'"),
        ({"method": "vat"}, "method 'vat' is not a method"),
        ({"method": "pct"}, "not evaluated under protocol 'lime'"),
        ({"colour": 1}, "unknown key"),
        ({"metric": "f1@5"}, "unknown metric 'f1@5'"),
        ({"metric": "aopc@x"}, "must be an integer"),
        ({"metric": "aopc@7"}, "needs 7 in the k of protocol 'lime'"),
        ({"metric": "naopc@3"}, "needs naopc_k = 3"),
        (
            {"also_show": ["IR#"]},
            r"'IR#' is not computed under protocol 'lime'; add 'reduced_number'",
        ),
    ],
)
def test_bad_claims_name_the_problem(change, message):
    with pytest.raises(ValueError, match=message):
        load_config(config(claims=[{**CLAIM, **change}]))
    bad = dict(CLAIM)
    del bad["metric"]
    with pytest.raises(ValueError, match="misses"):
        load_config(config(claims=[bad]))
    with pytest.raises(ValueError, match="used twice"):
        load_config(config(claims=[CLAIM, CLAIM]))


def test_protocols_merge_over_the_evaluation():
    cfg = load_config(config())
    lime = cfg["protocols"]["lime"]
    assert lime["explainer"] == "lime" and lime["k"] == cfg["evaluation"]["k"]
    assert lime["methods"] == ["base", "vmask"]
    with pytest.raises(ValueError, match="unknown key"):
        load_config(config(protocols={"x": {"explainr": "lime"}}))
    with pytest.raises(ValueError, match="not methods of this config"):
        load_config(config(protocols={"x": {"methods": ["vat"]}}, claims=[]))


def test_a_profile_extends_another_and_keeps_its_claims_for_the_methods_it_runs():
    parent, sub = load_config("claims"), load_config("claims-minilm")
    assert sub["backbones"] == ["minilm-2"] and sub["datasets"] == ["rotten_tomatoes", "tweets"]
    assert sub["data"]["n_eval"] == 100 and sub["data"]["eval_seed"] == parent["data"]["eval_seed"]
    assert sub["protocols"]["lime"]["naopc_n_eval"] == 50
    assert sub["protocols"]["lime"]["explainer_params"] == {"num_samples": 500, "random_state": 0}
    assert sub["protocols"]["lime"]["methods"] == ["base", "vmask", "evarm", "scc"]
    kept = {c["id"] for c in sub["claims"]}
    # every claim of the parent whose two sides are run is kept, and no other
    runs = set(sub["methods"])
    assert kept == {c["id"] for c in parent["claims"] if {c["method"], c["baseline"]} <= runs}
    headline = {"vmask-t4-lime", "evarm-t3-lime-aopc5", "scc-t2-drop5", "pct-t1-comp"}
    assert headline | {"vat-t3-aopc"} <= kept
    assert "vmask-t4-lime-iba" not in kept  # IBA is not run on MiniLM
    with pytest.raises(ValueError, match="extends = 'nope'"):
        load_config({"extends": "nope"})


def test_more_claims_add_to_the_kept_claims_where_claims_replace_them():
    extra = {
        "id": "evarm-vs-ppl",
        "paper": "E-VarM",
        "table": "Table 2",
        "claim": "E-VarM is more accurate than E-VarM-PPL.",
        "metric": "accuracy",
        "method": "evarm",
        "baseline": "evarm-ppl",
        "direction": "greater",
    }
    narrow = {"extends": "claims", "methods": ["base", "evarm", "evarm-mask", "evarm-ppl"]}
    added = load_config({**narrow, "more_claims": [extra]})
    kept = [c["id"] for c in load_config(narrow)["claims"]]
    assert [c["id"] for c in added["claims"]] == [*kept, "evarm-vs-ppl"]
    assert "evarm-t2-accuracy-base" in kept and "evarm-t2-variants" in kept
    replaced = load_config({**narrow, "claims": [extra]})
    assert [c["id"] for c in replaced["claims"]] == ["evarm-vs-ppl"]
    with pytest.raises(ValueError, match="without extends"):
        load_config(config(more_claims=[extra]))
    with pytest.raises(ValueError, match="array of tables"):
        load_config({**narrow, "more_claims": extra})


def test_a_variant_inherits_its_methods_overrides_under_its_own_parameters():
    from skinterp.benchmark import expand_runs

    cfg = load_config(
        {
            "extends": "claims",
            "datasets": ["tweets"],
            "backbones": ["lstm"],
            "methods": ["base", "vmask-tuned"],
            "variants": {"vmask-tuned": {"method": "vmask", "beta": 0.01}},
            "method": {"vmask-tuned": {"tau": 0.5}},
            "claims": [],
        }
    )
    run = next(r for r in expand_runs(cfg) if r.method == "vmask-tuned")
    # [method.vmask] max_epochs = 20 of the claims profile, then the variant's beta and tau
    assert run.params["max_epochs"] == 20
    assert run.params["beta"] == 0.01 and run.params["tau"] == 0.5
    base = next(r for r in expand_runs(cfg) if r.method == "base")
    assert base.params["max_epochs"] == 10


def test_vat_table_3_reads_the_papers_accuracy_drop():
    """VAT's AOPC is "the average change of accuracy ... by deleting top K words" (K = 5),
    judged by the base model: the claims profile computes it and reads it for Table 3."""
    cfg = load_config("claims")
    judged = cfg["protocols"]["judged"]
    assert judged["judge"] == "base" and "accuracy_drop" in judged["metrics"]
    (t3,) = [c for c in cfg["claims"] if c["id"] == "vat-t3-aopc"]
    assert (t3["protocol"], t3["metric"], t3["baseline"]) == ("judged", "accdrop@5", "attention")
    recs = [
        {**record(m, s), "protocols": {"judged": {"accdrop@5": v, "aopc@5": 0.1}}}
        for s in range(3)
        for m, v in (("vat", 0.3 + s / 100), ("attention", 0.2))
    ]
    (row,) = claim_rows(recs, [t3])
    assert row["verdict"] == "reproduced"
    assert row["also"]["aopc@5"]["method"] == pytest.approx(0.1)
