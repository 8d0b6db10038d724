"""tools/results_tables.py: the generated front-page numbers follow the committed records."""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).parents[1] / "tools" / "results_tables.py"
_spec = importlib.util.spec_from_file_location("results_tables", _PATH)
rt = importlib.util.module_from_spec(_spec)
sys.modules["results_tables"] = rt
_spec.loader.exec_module(rt)


def _record(
    claim_id="vmask-t4-lime",
    dataset="rotten_tomatoes",
    backbone="cnn",
    seeds=3,
    diff=0.05,
    verdict="reproduced",
    metric="aopc@5",
):
    return {
        "id": claim_id,
        "paper": "VMASK",
        "table": "Table 4",
        "claim": "AOPC@5 above the base.",
        "metric": metric,
        "method": "vmask",
        "baseline": "base",
        "dataset": dataset,
        "backbone": backbone,
        "seeds": list(range(seeds)),
        "method_mean": 0.5 + diff,
        "baseline_mean": 0.5,
        "diff_mean": diff,
        "ci95": [diff - 0.01, diff + 0.01],
        "verdict": verdict,
    }


def test_the_committed_texts_are_generated_from_the_committed_records():
    # CI's guard: README, benchmarks/reproduce/{README,INDEX}.md and the method pages' results
    # sections must equal what the records give (run the tool and commit when this fails)
    assert rt.main(["--check"]) == 0


def test_every_study_in_the_registry_has_its_config_and_is_listed_in_the_index():
    studies, diagnostics = rt.load_studies()
    assert len({s["name"] for s in studies}) == len(studies)
    for study in studies:
        assert study["group"] in rt.GROUPS, study["name"]
        if not study["config"].startswith("profile"):
            assert (rt.REPRO / study["config"]).exists(), study["config"]
    for diag in diagnostics:
        assert (rt.REPRO / diag["script"]).exists(), diag["script"]
    index = (rt.REPRO / "INDEX.md").read_text()
    assert all(f"### `{s['name']}`" in index for s in studies)
    # every results folder under the groups is registered: nothing unexplained is left lying about
    folders = {p.parent.name for p in rt.REPRO.glob("*/results/*/claims.json")}
    assert folders <= {s["name"] for s in studies}


def test_the_record_with_most_seeds_decides_a_cell():
    three = {"name": "a", "records": [_record(seeds=3, verdict="reproduced")]}
    six = {"name": "b", "records": [_record(seeds=6, verdict="inconclusive", diff=0.0)]}
    name, rec = rt.best_record(
        {"a": three, "b": six}, ["a", "b"], "vmask-t4-lime", "rotten_tomatoes", "cnn"
    )
    assert (name, rec["verdict"]) == ("b", "inconclusive")
    # a tie goes to the study listed first
    six_a = {"name": "a", "records": [_record(seeds=6)]}
    name, _ = rt.best_record(
        {"a": six_a, "b": six}, ["a", "b"], "vmask-t4-lime", "rotten_tomatoes", "cnn"
    )
    assert name == "a"
    assert rt.best_record({"a": three}, ["a"], "vmask-t4-lime", "tweets", "cnn") is None


def test_a_changed_record_changes_the_front_page_table():
    studies, _ = rt.load_studies()
    by_name = rt._by_name(studies)
    before = rt.methods_table(by_name, None, rt.ROOT)
    changed = copy.deepcopy(by_name)
    for rec in changed["vmask-t4-seeds"]["records"]:
        if rec["id"] == "vmask-t4-lime" and rec["dataset"] == "bbc_news":
            rec["verdict"] = "reproduced"
    after = rt.methods_table(changed, None, rt.ROOT)
    vmask_row = next(line for line in after.splitlines() if line.startswith("| [VMASK]"))
    assert before != after
    # CNN cells RT · tweets · BBC: the flipped BBC News verdict shows
    assert vmask_row.split(" | ")[3].endswith("✓")
    # no table cell of the front page is longer than 300 characters (the rule)
    for line in before.splitlines():
        assert max(len(cell) for cell in line.split("|")) <= 300


def test_accuracy_is_shown_in_points_and_other_metrics_as_differences():
    rows = rt._claims_matrix(
        [
            _record(metric="accuracy", diff=-0.018, verdict="contradicted"),
            _record(claim_id="x", diff=0.052),
        ]
    )
    assert "✗ −1.8 pt" in rows[2]
    assert "✓ +0.052" in rows[3]


def test_a_cell_with_too_few_seeds_is_not_shown(tmp_path):
    # a long run committed part-way: its unfinished cells are judged "too few seeds"
    folder = tmp_path / "defaults" / "results" / "partial"
    folder.mkdir(parents=True)
    done = _record(claim_id="vmask-defaults-accuracy", metric="accuracy")
    running = dict(done, dataset="tweets", seeds=[0], verdict="too few seeds")
    (folder / "claims.json").write_text(rt.json.dumps([done, running]))
    (tmp_path / "studies.toml").write_text(
        '[[study]]\nname = "partial"\ngroup = "defaults"\nconfig = "x.toml"\n'
    )
    studies, _ = rt.load_studies(tmp_path)
    assert [r["dataset"] for r in studies[0]["records"]] == ["rotten_tomatoes"]


def test_the_untuned_table_shows_both_training_sizes_side_by_side():
    # the same claim judged at 2,000 and at every training text: one row, a column per size
    # (once one size's records overwrote the other's in the same cell)
    small = _record(claim_id="vmask-defaults-accuracy", metric="accuracy", diff=-0.006)
    full = _record(claim_id="vmask-defaults-accuracy", metric="accuracy", diff=-0.016)
    naopc_small = _record(claim_id="vmask-untuned-2k-naopc", diff=0.019)
    naopc_full = _record(claim_id="vmask-untuned-naopc", diff=-0.013, verdict="contradicted")
    studies = {
        "defaults-untuned-2k": {"records": [small, naopc_small]},
        "defaults-untuned": {"records": [full, naopc_full]},
    }
    rows = rt.untuned_block(studies).splitlines()
    assert rows[0] == "| claim | RT/CNN 2k | RT/CNN all |"
    assert len(rows) == 4  # head, rule, accuracy, NAOPC
    assert rows[2].endswith("| ✓ −0.6 pt | ✓ −1.6 pt |")
    assert rows[3].endswith("| ✓ +0.019 | ✗ −0.013 |")


def test_a_method_page_gets_its_own_untuned_rows_named_by_what_they_check():
    acc = _record(claim_id="scc-defaults-accuracy", metric="accuracy", diff=-0.004)
    other = _record(claim_id="vmask-defaults-accuracy", metric="accuracy", diff=0.01)
    naopc = _record(claim_id="scc-untuned-2k-naopc", diff=0.02)
    acc["method"] = naopc["method"] = "scc"
    studies = {"defaults-untuned-2k": {"records": [acc, other, naopc]}}
    rows = rt.untuned_block(studies, "scc").splitlines()
    assert rows[0] == "| claim | RT/CNN 2k |"
    assert rows[2] == "| accuracy vs the base, points (within 1 point?) | ✓ −0.4 pt |"
    assert rows[3] == "| LIME NAOPC@5 vs the base (not below?) | ✓ +0.020 |"
    assert len(rows) == 4  # VMASK's row is not on SCC's page


def test_a_number_quoted_in_the_narrative_is_rewritten_from_its_record(tmp_path):
    rec = _record(claim_id="vmask-defaults-accuracy", metric="accuracy", diff=-0.018)
    rec["method_values"], rec["baseline_values"] = [0.77, 0.78], [0.79, 0.79]
    spread = _record(claim_id="vmask-defaults-decisive", metric="keep_spread", diff=0.2)
    spread["method_values"], spread["baseline_values"] = [0.5, 0.5], None
    studies = {"defaults": {"records": [rec, spread]}}
    page = tmp_path / "page.md"
    spec = "defaults vmask-defaults-accuracy rotten_tomatoes/cnn"
    text = (
        f"VMASK is <!-- v {spec} diff -->−2.5<!-- /v --> points "
        f"(per seed <!-- v {spec} seeds -->x<!-- /v -->; <!-- v {spec} verdict --><!-- /v -->)."
    )
    out = rt.inline_values(text, studies, page)
    assert out == (
        f"VMASK is <!-- v {spec} diff -->−1.8<!-- /v --> points "
        f"(per seed <!-- v {spec} seeds -->−2.0, −1.0<!-- /v -->; "
        f"<!-- v {spec} verdict -->reproduced<!-- /v -->)."
    )
    assert rt.inline_values(out, studies, page) == out
    for bad, message in (
        ("nope vmask-defaults-accuracy rotten_tomatoes/cnn diff", "no committed study 'nope'"),
        ("defaults vmask-defaults-accuracy tweets/cnn diff", "no such claim and cell"),
        ("defaults vmask-defaults-accuracy rotten_tomatoes/cnn mean", "field one of"),
        ("defaults vmask-defaults-accuracy diff", "use STUDY CLAIM DATASET/BACKBONE FIELD"),
        ("defaults vmask-defaults-decisive rotten_tomatoes/cnn seeds", "has no 'seeds'"),
        ("defaults vmask-defaults-accuracy rotten_tomatoes/cnn also:x", "the record has no 'x'"),
    ):
        with pytest.raises(SystemExit, match=message):
            rt.inline_values(f"<!-- v {bad} -->1<!-- /v -->", studies, page)


def test_a_hand_edited_block_is_stale_and_a_missing_marker_is_named(tmp_path, monkeypatch, capsys):
    page = tmp_path / "page.md"
    page.write_text(
        "intro\n<!-- results_tables: methods -->\n| hand-typed 0.99 |\n"
        "<!-- /results_tables -->\nend\n"
    )
    new = rt.replace_blocks(page.read_text(), {"methods": "| generated |"}, page)
    assert "hand-typed" not in new and new.startswith("intro\n") and new.endswith("end\n")
    monkeypatch.setattr(rt, "ROOT", tmp_path)
    monkeypatch.setattr(
        rt,
        "outputs",
        lambda: {page: lambda t: rt.replace_blocks(t, {"methods": "| generated |"}, page)},
    )
    assert rt.main(["--check"]) == 1
    assert "page.md" in capsys.readouterr().err
    assert "hand-typed" in page.read_text()  # --check never writes
    assert rt.main([]) == 0 and rt.main(["--check"]) == 0
    with pytest.raises(SystemExit, match="no generated block for \\['results'\\]"):
        rt.replace_blocks("no markers here", {"results": "x"}, page)
    with pytest.raises(SystemExit, match="unknown generated block 'other'"):
        rt.replace_blocks("<!-- results_tables: other -->\n<!-- /results_tables -->", {}, page)
