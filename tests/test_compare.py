"""skinterp compare: every method against the base model on the user's data, with intervals,
verdicts from the claims suite's code and a recommendation by a stated rule; resumable."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from _tiny import toy_data

from skinterp import compare
from skinterp.benchmark import recommend
from skinterp.cli import main

TINY = {"embeddings": None, "embedding_dim": 8, "num_filters": 4, "max_epochs": 2, "lr": 1e-2}


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    X, y = toy_data(6)
    out = tmp_path_factory.mktemp("cmp") / "report"
    table = compare(X, y, methods=["vmask"], params=TINY, fast=True, out=out, verbose=0)
    return X, y, out, table


def test_writes_three_files_with_intervals_and_a_recommendation(done):
    X, y, out, table = done
    assert {"compare.json", "compare.md", "compare.html"} <= {p.name for p in out.iterdir()}
    metrics = set(table["metric"])
    assert metrics == {
        "accuracy",
        "naopc",
        "aopc",
        "comprehensiveness",
        "sufficiency",
        "posthoc",
        "decisive",
        "fit_time",
    }
    # VMASK explains with a keep mask: is it decisive on these texts? (a fixed line, 0.3)
    dec = table[table["metric"] == "decisive"].iloc[0]
    assert dec["method"] == "vmask" and dec["base_mean"] == 0.3
    assert np.isclose(dec["diff"], dec["method_mean"] - 0.3)
    row = table[(table["metric"] == "naopc") & (table["method"] == "vmask")].iloc[0]
    assert row["seeds"] == 3 and row["ci_low"] <= row["diff"] <= row["ci_high"]
    rec = table.attrs["recommendation"]
    assert rec["method"] in ("vmask", "base + LIME") and "NAOPC@5" in rec["rule"]
    saved = json.loads((out / "compare.json").read_text())
    assert saved["recommendation"]["method"] == rec["method"]
    assert len(saved["records"]) == len(table)
    md = (out / "compare.md").read_text()
    assert "**Recommendation:" in md and "## LIME NAOPC@5" in md
    assert "## own mask decisive" in md and "(line 0.3)" in md
    html = (out / "compare.html").read_text()
    assert "data:image/png;base64," in html and "Recommendation" in html


def test_the_verdicts_are_the_claims_suites(done):
    """One code path: the compare table's intervals are claim_rows' on the same records."""
    from skinterp.benchmark import claim_rows

    X, y, out, table = done
    records = [json.loads(p.read_text()) for p in sorted((out / "runs").glob("*.json"))]
    claim = {
        "id": "x",
        "paper": "p",
        "table": "t",
        "claim": "c",
        "metric": "naopc@5",
        "protocol": "lime",
        "method": "vmask",
        "baseline": "base",
        "direction": "greater",
    }
    (row,) = claim_rows(records, [claim])
    mine = table[(table["metric"] == "naopc") & (table["method"] == "vmask")].iloc[0]
    assert row["ci95"] == [mine["ci_low"], mine["ci_high"]] and row["verdict"] == mine["verdict"]


def test_runs_again_without_refitting_and_refuses_other_data(done, capsys):
    X, y, out, table = done
    before = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.json")}
    again = compare(X, y, methods=["vmask"], params=TINY, fast=True, out=out, verbose=1)
    assert {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.json")} == before
    assert "done before, skipped" in capsys.readouterr().out
    pd.testing.assert_frame_equal(again, table)
    with pytest.raises(ValueError, match="holds a comparison of other texts"):
        compare(X[::-1], y[::-1], methods=["vmask"], params=TINY, fast=True, out=out, verbose=0)
    with pytest.raises(ValueError, match=r"other settings \(backbone_params"):
        compare(X, y, methods=["vmask"], params={**TINY, "lr": 0.5}, fast=True, out=out)


def test_errors_name_the_problem(tmp_path):
    X, y = toy_data(6)
    with pytest.raises(ValueError, match="single class"):
        compare(X, ["a"] * len(X), out=tmp_path)
    few = list(y[:-3]) + ["rare"] * 3
    with pytest.raises(ValueError, match="class 'rare' has 3 training text"):
        compare(X, few, out=tmp_path)
    with pytest.raises(ValueError, match="unknown method"):
        compare(X, y, methods=["vmaskk"], out=tmp_path)
    with pytest.raises(ValueError, match="seeds must be an integer >= 3"):
        compare(X, y, seeds=1, out=tmp_path)
    with pytest.raises(ValueError, match="2 labels for 96 texts"):
        compare(X, y[:2], out=tmp_path)
    with pytest.raises(ValueError, match="unknown backbone"):
        compare(X, y, backbone="gru", out=tmp_path)


def test_cli_errors_for_files_and_columns(tmp_path, capsys):
    (tmp_path / "d.csv").write_text("body,label\nfine,1\nbad,0\n")
    argv = ["compare", "--data", str(tmp_path / "d.csv"), "--out", str(tmp_path / "o")]
    assert main([*argv, "--text-column", "nope"]) == 1
    assert "nope" in capsys.readouterr().err
    assert main(["compare", "--data", str(tmp_path / "none.csv")]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main([*argv, "--text-column", "body"]) == 1
    assert "single class" in capsys.readouterr().err
    rows = "".join(f"good text {i},1\n" for i in range(20)) + "".join(
        f"bad text {i},0\n" for i in range(4)
    )
    (tmp_path / "d.csv").write_text("body,label\n" + rows)
    assert main([*argv, "--text-column", "body"]) == 1
    assert "class '0' has 3 training text(s)" in capsys.readouterr().err
    assert main([*argv, "--text-column", "body", "--seeds", "0"]) == 2


def test_the_rule_picks_the_largest_faithful_gain_within_tolerance():
    def row(method, metric, diff, lo, hi, verdict):
        return dict(method=method, metric=metric, diff=diff, ci_low=lo, ci_high=hi, verdict=verdict)

    table = pd.DataFrame(
        [
            row("a", "naopc", 0.05, 0.01, 0.09, "reproduced"),
            row("a", "accuracy", -0.002, -0.008, 0.004, "reproduced"),
            row("b", "naopc", 0.09, 0.02, 0.12, "reproduced"),
            row("b", "accuracy", -0.03, -0.05, -0.02, "contradicted"),  # costs too much
            row("c", "naopc", 0.20, -0.01, 0.30, "inconclusive"),  # interval includes 0
            row("c", "accuracy", 0.0, -0.001, 0.001, "reproduced"),
        ]
    )
    rec = recommend(table, tolerance=0.01)
    assert rec["method"] == "a" and "+0.050" in rec["text"] and "mask" not in rec["text"]
    # a recommended method whose own mask is not decisive: the text says to explain with LIME
    mask = row("a", "decisive", -0.1, -0.15, -0.05, "contradicted")
    rec = recommend(pd.concat([table, pd.DataFrame([{**mask, "method_mean": 0.2}])]))
    assert rec["method"] == "a" and "not shown to be decisive" in rec["text"]
    assert "keep spread 0.20" in rec["text"] and rec["evidence"]["a"]["decisive"] == "contradicted"
    table.loc[0, "verdict"] = "inconclusive"
    assert recommend(table)["method"] == "base + LIME"
    assert np.isclose(recommend(table)["evidence"]["b"]["naopc_gain"], 0.09)


def test_config_files_and_backbone_params_are_checked(tmp_path):
    from skinterp.benchmark import load_config

    base = {"datasets": ["mine"], "backbones": ["b"], "methods": ["base"]}
    with pytest.raises(ValueError, match=r"\[files.mine\] needs a path"):
        load_config({**base, "files": {"mine": {}}, "backbone_params": {"b": {}}})
    with pytest.raises(ValueError, match="shadows the built-in data set 'tweets'"):
        load_config({**base, "files": {"tweets": {"path": "x"}}, "backbone_params": {"b": {}}})
    with pytest.raises(ValueError, match="accepts .* not \\['colour'\\]"):
        load_config({**base, "files": {"mine": {"path": "x", "colour": 1}}})
    cfg = load_config(
        {
            **base,
            "files": {"mine": {"path": "x.csv"}},
            "backbone_params": {"b": {"encoder": "lstm"}},
        }
    )
    (run,) = __import__("skinterp").benchmark.expand_runs(cfg)
    assert run.params["encoder"] == "lstm" and "embeddings" not in run.params


def test_sentence_pairs(tmp_path):
    X, y = toy_data(6)
    pairs = [(a, b) for a, b in zip(X, X[1:] + X[:1], strict=True)]
    table = compare(pairs, y, methods=["pct"], params=TINY, fast=True, out=tmp_path, verbose=0)
    assert set(table["method"]) == {"pct"} and len(table) == 7
    first = json.loads((tmp_path / "data" / "train.jsonl").read_text().splitlines()[0])
    assert set(first) == {"text", "text_pair", "label"}
