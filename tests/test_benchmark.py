"""Reproduction benchmark: configuration, runs on real data, tables and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import need_data

from skinterp.benchmark import (
    BACKBONES,
    METHODS,
    build_report,
    expand_runs,
    load_config,
    load_data,
    load_runs,
    run_benchmark,
    select_config,
)
from skinterp.cli import main

TINY_CNN = {"embeddings": None, "embedding_dim": 16, "num_filters": 8, "max_epochs": 2}


def tiny_config(**kw):
    cfg = {
        "name": "tiny",
        "datasets": ["tweets"],
        "backbones": ["cnn"],
        "methods": ["base", "vmask", "vat"],
        "data": {"n_train": 120, "n_eval": 12},
        "evaluation": {"k": [1, 3], "curve_k": 4, "naopc_k": 2, "naopc_n_eval": 6},
        "backbone": {"cnn": TINY_CNN},
    }
    cfg.update(kw)
    return cfg


@pytest.fixture(scope="module")
def tweets():
    from skinterp.datasets import load_tweets

    return need_data(load_tweets)


@pytest.mark.parametrize("profile", ["quick", "full", "defaults", "defaults-minilm"])
def test_profiles_load_and_expand(profile):
    cfg = load_config(profile)
    runs = expand_runs(cfg)
    assert len(runs) == (
        len(cfg["datasets"]) * len(cfg["backbones"]) * len(cfg["methods"]) * len(cfg["seeds"])
    )
    assert len({r.run_id for r in runs}) == len(runs)
    # within each cell the base model comes first: the mask methods start from it
    first = {}
    for r in runs:
        first.setdefault((r.dataset, r.backbone, r.seed), r.method)
    assert set(first.values()) == {"base"}


def test_quick_profile_is_the_documented_grid():
    cfg = load_config("quick")
    assert {"vmask", "evarm", "scc", "pct", "vat"} <= set(cfg["methods"])
    assert set(cfg["backbones"]) == {"cnn", "lstm", "minilm-2"}
    assert BACKBONES["minilm-2"]["transformer_kwargs"] == {"num_hidden_layers": 2}


def test_full_profile_covers_every_dataset_and_method():
    from skinterp import datasets

    cfg = load_config("full")
    assert len(cfg["seeds"]) == 3 and "minilm" in cfg["backbones"]
    loaders = {n for n in datasets.__all__ if n.startswith("load_") and n != "load_vader_lexicon"}
    loaders -= {"load_glove_50d", "load_file"}
    assert {f"load_{d}" for d in cfg["datasets"]} == loaders
    assert set(cfg["methods"]) == set(METHODS) - {"evarm-ppl", "evarm-ete"}


def test_overrides_merge_in_order():
    cfg = load_config(
        tiny_config(
            datasets=["bbc_news"],
            methods=["entropy"],
            backbone={"cnn": {**TINY_CNN, "max_epochs": 5}},
            method={"entropy": {"lam": 0.5}},
            dataset={"bbc_news": {"max_words": 20}},
        )
    )
    assert cfg["methods"] == ["base", "entropy"]  # added: entropy starts from the base
    runs = {r.method: r for r in expand_runs(cfg)}
    ent = runs["entropy"]
    assert ent.init_from_base and not runs["base"].init_from_base
    assert runs["base"].params["max_epochs"] == 5
    assert ent.params["lam"] == 0.5 and ent.params["max_epochs"] == 2  # method beats backbone
    assert ent.params["embedding_dim"] == 16 and ent.params["max_length"] == 96  # dataset's
    assert ent.max_words == 20 and not ent.plausibility


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"methods": ["vmask", "nope"]}, "unknown methods"),
        ({"datasets": []}, "non-empty list"),
        ({"seeds": [0, "1"]}, "seeds must be"),
        ({"data": {"n_train": -1}}, "n_train"),
        ({"data": {"n_test": 5}}, "unknown key"),
        ({"evaluation": {"k": [0]}}, "k must be"),
        ({"colour": "red"}, "unknown config key"),
        ({"backbone": {"gpt": {}}}, "backbone.gpt"),
        ({"dataset": {"tweets": {"lr": 1.0}}}, "dataset.tweets"),
        ({"evaluation": {"judge": "oracle"}}, "judge must be 'self' or 'base'"),
        ({"evaluation": {"explainer": "magic"}}, "unknown explainer 'magic'"),
        ({"evaluation": {"explainer": "lime", "explainer_params": {"n": 3}}}, "do not fit lime"),
        ({"variants": {"vmask": {"method": "vmask"}}}, "reuses a method's name"),
        ({"variants": {"v2": {"method": "nope"}}}, "variants.v2. needs method"),
        ({"variants": {"v2": {"method": "vmask"}}, "methods": ["v3"]}, "unknown methods"),
        ({"data": {"validation": "dev"}}, "validation must be 'holdout' or 'dataset'"),
        ({"data": {"n_eval": True}}, "n_eval must be an integer"),
        ({"from_base": "no"}, "from_base must be true or false"),
        ({"evaluation": {"metrics": ["spread"]}}, "unknown"),
    ],
)
def test_bad_configs_name_the_problem(change, message):
    cfg = tiny_config()
    for key, value in change.items():
        if isinstance(value, dict) and key in ("data", "evaluation"):
            cfg[key] = {**cfg[key], **value}
        else:
            cfg[key] = value
    with pytest.raises(ValueError, match=message):
        load_config(cfg)


def test_load_data_names_an_unknown_data_set():
    with pytest.raises(ValueError, match=r"Unknown data set 'imdb'; choose one of \['amazon'"):
        load_data("imdb")


def test_text_helpers_name_a_wrong_run_or_data_set(tweets):
    from skinterp.benchmark import evaluation_texts, training_texts
    from skinterp.benchmark._evaluation import dev_texts

    run = expand_runs(load_config(tiny_config()))[0]
    for helper in (training_texts, dev_texts, evaluation_texts):
        with pytest.raises(TypeError, match=r"run must be a Run .*got dict"):
            helper({"n_train": 10}, tweets)
        with pytest.raises(TypeError, match=r"data must be a data set from load_data\('tweets'\)"):
            helper(run, (tweets.X_train, tweets.y_train))
    assert len(training_texts(run, tweets)[0]) == min(run.n_train or 10**9, len(tweets.X_train))


def test_config_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="neither a profile"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_config(bad)


@pytest.fixture(scope="module")
def finished(tweets, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    lines = []
    paths = run_benchmark(tiny_config(), out, log=lines.append)
    return out, paths, lines


def test_run_writes_one_json_per_run(finished):
    out, paths, lines = finished
    assert [p.name for p in paths] == [
        "tweets__cnn__base__seed0.json",
        "tweets__cnn__vmask__seed0.json",
        "tweets__cnn__vat__seed0.json",
    ]
    rec = json.loads(paths[1].read_text())
    assert rec["config"]["estimator"] == "VMaskClassifier" and rec["config"]["init_from_base"]
    assert rec["config"]["n_train"] == 120 and rec["config"]["n_eval"] == 12
    assert rec["environment"]["torch"] and rec["environment"]["cpu_count"] >= 1
    m = rec["metrics"]
    for key in ("accuracy", "aopc@1", "aopc@3", "naopc@2", "posthoc@1", "IR#", "U-Var"):
        assert isinstance(m[key], float), key
    assert len(m["posthoc_curve"]) == 4 and 0 <= m["posthoc@3"] <= 1
    assert m["posthoc@3"] == m["posthoc_curve"][2]
    assert set(m["plausibility@1"]) == {"precision", "recall", "f1"}  # tweets: sentiment
    assert rec["timings"]["epochs"] == 2 and rec["timings"]["fit_s"] > 0
    # one tweet is longer than max_length: recorded with the run, counted, not printed
    truncated = [w for w in rec["warnings"] if "truncated" in w["message"]]
    assert truncated and truncated[0]["count"] >= 1
    assert len(lines) == 4 and "accuracy" in lines[0]


def test_a_runs_metrics_equal_the_metric_functions(tweets):
    """The numbers of a run's record are those of skinterp.metrics on the run's model and its
    evaluation texts (not merely floats)."""
    from skinterp.benchmark import cut_texts, evaluation_texts
    from skinterp.benchmark._run import run_one
    from skinterp.explain import get_explainer
    from skinterp.metrics import aopc_score, posthoc_accuracy_curve, reduced_number

    cfg = load_config(tiny_config())
    run = expand_runs(cfg)[0]
    assert run.method == "base"
    rec, clf = run_one(run, tweets, cfg["evaluation"])
    X, y = evaluation_texts(run, tweets)
    assert cut_texts(["a b c d", "e"], 2) == ["a b", "e"] and cut_texts(X, None) == X
    with pytest.raises(TypeError, match=r"X\[1\] is a int, not a text"):
        cut_texts(["a", 3], 2)
    m = rec["metrics"]
    assert m["accuracy"] == pytest.approx(clf.score(X, y), abs=6e-6)  # records: 5 decimals
    exps = get_explainer(cfg["evaluation"]["explainer"]).explain(clf, X)
    aopc = aopc_score(clf, X, k=[1, 3], explanations=exps)
    assert [m["aopc@1"], m["aopc@3"]] == pytest.approx(list(aopc), abs=6e-6)
    curve = posthoc_accuracy_curve(clf, X, k=4, explanations=exps)
    assert m["posthoc_curve"] == pytest.approx(list(curve), abs=6e-6)
    assert m["posthoc@1"] == pytest.approx(curve[0], abs=6e-6)
    naopc = aopc_score(clf, X[:6], k=2, normalization="naopc", explanations=exps[:6])
    assert m["naopc@2"] == pytest.approx(naopc, abs=6e-6)
    ir = reduced_number(clf, X, explanations=exps).important
    assert m["IR#"] == pytest.approx(ir, abs=6e-6)


def test_finished_runs_are_skipped_and_results_kept(finished, capfd):
    out, paths, _ = finished
    before = [p.read_text() for p in paths]
    lines = []
    capfd.readouterr()
    run_benchmark(tiny_config(), out, log=lines.append)
    assert all("skipped" in line for line in lines[:3])
    assert [p.read_text() for p in paths] == before
    assert capfd.readouterr().err == ""  # no bar unless asked
    run_benchmark(tiny_config(), out, log=None, progress=True)
    assert "3/3" in capfd.readouterr().err  # the bar over the runs


def test_resume_retrains_the_base_for_a_missing_dependent(finished, tmp_path):
    out, paths, _ = finished
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "runs" / paths[1].name).unlink()  # the VMASK run was interrupted
    assert (copy / "models" / paths[0].stem / "model.safetensors").is_file()
    base_record = (copy / "runs" / paths[0].name).read_text()
    lines = []
    run_benchmark(tiny_config(), copy, log=lines.append)
    # the saved base model is loaded, not retrained: its record stays as it was
    assert "its saved model loaded" in lines[0] and "skipped" not in lines[1]
    assert "skipped" in lines[2]
    assert (copy / "runs" / paths[0].name).read_text() == base_record
    again = json.loads((copy / "runs" / paths[1].name).read_text())
    orig = json.loads(paths[1].read_text())
    assert again["metrics"] == orig["metrics"]  # same seed, same base, same model
    # without the saved model (another machine) the base is trained again
    shutil.rmtree(copy / "models")
    (copy / "runs" / paths[1].name).unlink()
    lines = []
    run_benchmark(tiny_config(), copy, log=lines.append)
    assert "skipped" not in lines[0] and "loaded" not in lines[0]


def test_reuse_copies_the_runs_finished_with_the_same_settings(finished, tmp_path):
    out, paths, _ = finished
    new = tmp_path / "new"
    # VAT at another learning rate: its record in `out` is not what this config would write
    cfg = tiny_config(method={"vat": {"lr": 0.005}})
    stale = new / "models" / paths[0].stem / "stale.txt"  # a model left without its record
    stale.parent.mkdir(parents=True)
    stale.write_text("x")
    lines = []
    run_benchmark(cfg, new, reuse=out, log=lines.append)
    assert not stale.exists()
    assert lines[:3] == [
        "tweets__cnn__vat__seed0: not reused, its settings differ (params)",
        f"tweets__cnn__base__seed0: reused from {out}",
        f"tweets__cnn__vmask__seed0: reused from {out}",
    ]
    for p in paths[:2]:  # byte for byte, and the base's saved model with it
        assert (new / "runs" / p.name).read_bytes() == p.read_bytes()
    assert (new / "models" / paths[0].stem / "model.safetensors").is_file()
    assert "skipped" in lines[3] and "skipped" in lines[4]
    vat = json.loads((new / "runs" / paths[2].name).read_text())
    assert vat["config"]["params"]["lr"] == 0.005  # fitted here
    # a second pass finds everything there already and copies nothing
    lines = []
    run_benchmark(cfg, new, reuse=out, log=lines.append)
    assert not any("reused" in line for line in lines)


def test_reuse_keeps_one_base_model_per_cell(finished, tmp_path):
    import shutil

    out, paths, _ = finished
    src = tmp_path / "src"
    shutil.copytree(out, src)
    shutil.rmtree(src / "models")
    (src / "runs" / paths[1].name).unlink()  # VMASK still has to start from the base
    lines = []
    run_benchmark(tiny_config(), tmp_path / "a", reuse=src, log=lines.append)
    assert lines[0] == (
        "tweets__cnn__base__seed0: not reused, tweets__cnn__vmask__seed0 still has to start "
        f"from (or be judged by) it and its saved model is not in {src / 'models'}"
    )
    assert lines[1] == f"tweets__cnn__vat__seed0: reused from {src}"  # VAT needs no base
    # a method started from another base model than the one here is not copied
    other = tmp_path / "b"
    (other / "runs").mkdir(parents=True)
    record = json.loads(paths[0].read_text())
    record["metrics"]["accuracy"] += 0.5
    (other / "runs" / paths[0].name).write_text(json.dumps(record))
    lines = []
    run_benchmark(tiny_config(), other, reuse=out, log=lines.append)
    assert lines[0] == (
        "tweets__cnn__vmask__seed0: not reused, its cell's base model here is not the one it used"
    )


def test_reuse_compares_how_each_run_was_measured():
    from skinterp.benchmark._reuse import _differences

    lime = {"k": [1, 5], "explainer": "lime", "methods": ["base", "vmask"]}
    recorded = {"params": {"lr": 0.001}, "protocols": {"lime": lime}}  # no n_dev: from before
    expected = {"params": {"lr": 0.001}, "n_dev": 0, "protocols": {"lime": lime}}
    # a protocol that now covers one more method measured this run the same way
    more = {"lime": {**lime, "methods": ["base", "vmask", "evarm"]}}
    assert _differences(recorded, {**expected, "protocols": more}) == []
    other_k = {"lime": {**lime, "k": [1]}}
    assert _differences(recorded, {**expected, "protocols": other_k}) == ["protocols"]
    assert _differences(recorded, {**expected, "n_dev": 213}) == ["n_dev"]


def test_reuse_names_a_wrong_folder(finished, tmp_path):
    out, _, _ = finished
    with pytest.raises(FileNotFoundError, match="has no runs/ folder"):
        run_benchmark(tiny_config(), tmp_path / "a", reuse=tmp_path / "nothing")
    with pytest.raises(ValueError, match="own output folder"):
        run_benchmark(tiny_config(), out, reuse=out)
    with pytest.raises(ValueError, match="reuse and force together"):
        run_benchmark(tiny_config(), tmp_path / "a", reuse=out, force=True)


def test_parallel_workers_write_the_serial_records(finished, tmp_path, capfd):
    """Two worker processes, one cell each: the seed-0 cell's records equal the serial run's
    (same base model shared in the worker, same seed), and each worker's log names its cell."""
    import torch

    out, paths, _ = finished
    lines = []
    par = run_benchmark(
        tiny_config(seeds=[0, 1]),
        tmp_path,
        n_jobs=2,
        threads=torch.get_num_threads(),  # the serial run's threads: the same arithmetic
        log=lines.append,
    )
    assert [p.name for p in par] == [p.name for p in paths] + [
        p.name.replace("seed0", "seed1") for p in paths
    ]
    for serial, parallel in zip(paths, par[:3], strict=True):
        a, b = json.loads(serial.read_text()), json.loads(parallel.read_text())
        assert a["metrics"] == b["metrics"] and a["protocols"] == b["protocols"], serial.name
    seed1 = json.loads(par[4].read_text())
    assert seed1["seed"] == 1 and seed1["config"]["init_from_base"]
    assert (tmp_path / "models" / "tweets__cnn__base__seed1").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json", "models", "runs"]
    assert sum("done in" in line for line in lines) == 2 and "2 workers" in lines[-1]
    printed = capfd.readouterr().out
    assert "(tweets/cnn/seed1) [2/3] tweets__cnn__vmask__seed1: accuracy" in printed
    # resumable as the serial run is: nothing left to do, every run skipped
    run_benchmark(tiny_config(seeds=[0, 1]), tmp_path, n_jobs=2, log=None)
    assert capfd.readouterr().out.count("skipped") == 6


def test_dask_local_cluster_writes_the_serial_records_and_resumes(finished, tmp_path, capfd):
    """Cells as tasks on a LocalCluster with 2 workers: the same records as the serial run
    (one code path with n_jobs: a concurrent.futures executor), resumable the same way."""
    import torch

    out, paths, _ = finished
    lines = []
    par = run_benchmark(
        tiny_config(seeds=[0, 1]),
        tmp_path,
        n_jobs=2,
        threads=torch.get_num_threads(),
        log=lines.append,
        dask="local",
    )
    for serial, parallel in zip(paths, par[:3], strict=True):
        a, b = json.loads(serial.read_text()), json.loads(parallel.read_text())
        assert a["metrics"] == b["metrics"] and a["protocols"] == b["protocols"], serial.name
    assert json.loads(par[4].read_text())["seed"] == 1
    assert "2 Dask workers" in lines[-1]
    capfd.readouterr()
    run_benchmark(tiny_config(seeds=[0, 1]), tmp_path, n_jobs=2, log=lines.append, dask="local")
    assert sum("done in" in line for line in lines) == 4  # the second pass: every cell skipped
    with pytest.raises(ValueError, match="dask must be 'local'"):
        run_benchmark(tiny_config(), tmp_path, log=None, dask=3)


def test_a_failing_worker_names_its_cell(tweets, tmp_path):
    cfg = tiny_config(methods=["base"], seeds=[0, 1], backbone={"cnn": {**TINY_CNN, "lr": -1.0}})
    with pytest.raises(RuntimeError, match=r"cell tweets/cnn/seed\d failed .*resumes"):
        run_benchmark(cfg, tmp_path, n_jobs=2, threads=1, log=None)


@pytest.mark.parametrize("bad", [0, 1.5, True, "2"])
def test_n_jobs_must_be_a_non_zero_integer(bad, tmp_path):
    with pytest.raises(ValueError, match="n_jobs must be a non-zero integer"):
        run_benchmark(tiny_config(), tmp_path, n_jobs=bad, log=None)


def test_report_tables_and_figure(finished, tmp_path):
    out, _, _ = finished
    path = build_report(out, out=tmp_path)
    text = path.read_text()
    for title in ("### Accuracy", "### AOPC @1/@3", "### NAOPC@2", "### IR# / UR#", "F1)"):
        assert title in text, title
    assert "| method | tweets / cnn |" in text
    rows = [line for line in text.splitlines() if line.startswith("| VMASK |")]
    assert len(rows) == 10  # one row per table
    acc = json.loads((out / "runs" / "tweets__cnn__vmask__seed0.json").read_text())["metrics"]
    assert f"| VMASK | {acc['accuracy']:.3f} |" in text
    assert (tmp_path / "posthoc_accuracy_tweets.png").stat().st_size > 1000


def test_report_averages_seeds(finished, tmp_path):
    out, paths, _ = finished
    runs = tmp_path / "runs"
    runs.mkdir()
    for seed, acc in ((0, 0.5), (1, 0.7)):
        rec = json.loads(paths[0].read_text())
        rec["seed"], rec["metrics"]["accuracy"] = seed, acc
        (runs / f"r{seed}.json").write_text(json.dumps(rec))
    text = build_report(tmp_path, figures=False).read_text()
    assert "| base | 0.600 ± 0.100 |" in text
    assert "/ 1.00 ± 0.00 |" in text  # each seed's epoch time vs its own base


def test_report_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="skinterp benchmark run"):
        load_runs(tmp_path)
    (tmp_path / "x.json").write_text("{")
    with pytest.raises(ValueError, match="x.json"):
        load_runs(tmp_path)


def test_methods_that_pick_epochs_on_held_out_texts_do_not_start_from_the_base():
    """The base model trains on every training text, so a method that picks its best epoch
    on a held-out share of them runs its own warm-up stage instead of starting from it."""
    runs = {r.method: r for r in expand_runs(load_config(tiny_config(methods=["vmask", "scc"])))}
    assert runs["vmask"].init_from_base and not runs["scc"].init_from_base
    assert load_config(tiny_config(methods=["scc"]))["methods"] == ["scc"]  # no base needed
    no_pick = tiny_config(methods=["scc"], method={"scc": {"early_stopping": False}})
    cfg = load_config(no_pick)
    assert cfg["methods"] == ["base", "scc"] and expand_runs(cfg)[1].init_from_base
    picks = {"vmask-es": {"method": "vmask", "early_stopping": "valid_acc"}}
    cfg = load_config(tiny_config(methods=["base", "vmask-es"], variants=picks))
    assert not expand_runs(cfg)[1].init_from_base


def test_a_dev_split_lets_a_picking_method_start_from_the_base():
    """With validation = "dataset" a method that picks its epoch picks it on the data set's
    dev split, which the base model never saw, so it starts from the base like the paper."""
    dev = tiny_config(methods=["vmask", "scc"], data={"n_train": 120, "validation": "dataset"})
    runs = {r.method: r for r in expand_runs(load_config(dev))}
    assert runs["scc"].dev_split and runs["scc"].init_from_base
    assert not runs["vmask"].dev_split and runs["vmask"].init_from_base  # picks no epoch
    # an explicit validation_fraction is the user's hold-out: kept, and no start from the base
    held = {**dev, "method": {"scc": {"validation_fraction": 0.2}}}
    scc = expand_runs(load_config(held))[-1]
    assert not scc.dev_split and not scc.init_from_base


def test_from_base_false_fits_every_method_with_its_defaults():
    cfg = load_config(tiny_config(methods=["vmask", "evarm", "scc"], from_base=False))
    assert cfg["methods"] == ["vmask", "evarm", "scc"]  # nothing needs the base model
    assert not any(r.init_from_base for r in expand_runs(cfg))
    runs = {r.method: r for r in expand_runs(load_config("defaults"))}
    assert not any(r.init_from_base or r.dev_split for r in runs.values())
    assert runs["vmask"].params["max_epochs"] == 20 and runs["evarm"].params["max_epochs"] == 10
    assert runs["base"].n_eval == 0  # the whole test split


def test_a_run_picks_on_the_dev_split_and_records_decisiveness(tweets):
    """The SCC run fits with validation_data = the dev split (every training text trains)
    and starts from the base; "decisiveness" records the keep-probability quantiles of its own
    explanations of the test texts, as its training history does per epoch; the base model,
    which has no mask, records none."""
    from skinterp.benchmark import evaluation_texts, run_one
    from skinterp.callbacks import Decisiveness

    cfg = load_config(
        tiny_config(
            methods=["base", "scc"],
            data={"n_train": 120, "n_eval": 12, "validation": "dataset"},
            evaluation={"k": [1], "naopc_k": 0, "metrics": ["confidence", "decisiveness"]},
        )
    )
    base_run, scc_run = expand_runs(cfg)
    base_rec, base = run_one(base_run, tweets, cfg["evaluation"])
    rec, scc = run_one(scc_run, tweets, cfg["evaluation"], base=base)
    assert rec["config"]["n_dev"] == len(tweets.X_valid) and base_rec["config"]["n_dev"] == 0
    assert rec["config"]["n_train"] == 120 and rec["config"]["init_from_base"]
    assert sum(scc.history[-1, "batches", :, "train_batch_size"]) == 120
    assert scc.history[-1, "valid_acc"] == pytest.approx(scc.score(tweets.X_valid, tweets.y_valid))
    assert set(base_rec["metrics"]) == {"accuracy", "confidence"}
    X_eval, _ = evaluation_texts(scc_run, tweets)
    want = Decisiveness("keep").initialize().summary([e.scores for e in scc.explain(X_eval)])
    assert {k: rec["metrics"][k] for k in want} == pytest.approx(want, abs=1e-5)
    assert set(want) == {"keep_q10", "keep_q50", "keep_q90", "keep_spread"}
    # the record's history says which epoch's weights were evaluated
    assert [row["kept_epoch"] for row in rec["history"] if "kept_epoch" in row] == [scc.kept_epoch_]


def test_a_profile_without_rankings_runs_and_reports(tweets, tmp_path):
    """The defaults profile's shape: accuracy, confidence and decisiveness only; the run log,
    the tables and the claims need no AOPC or post-hoc curve (no figure is drawn)."""
    cfg = tiny_config(
        methods=["base", "vmask"],
        from_base=False,
        data={"n_train": 120, "n_eval": 0},
        evaluation={"k": [1], "naopc_k": 0, "metrics": ["confidence", "decisiveness"]},
    )
    lines = []
    run_benchmark(cfg, tmp_path, log=lines.append)
    assert "AOPC" not in lines[0] and "accuracy" in lines[0]
    assert build_report(tmp_path).is_file()
    assert not list(tmp_path.glob("posthoc_accuracy_*.png"))
    record = json.loads((tmp_path / "runs" / "tweets__cnn__vmask__seed0.json").read_text())
    assert record["config"]["n_eval"] == len(tweets.X_test)  # the whole test split
    assert not record["config"]["init_from_base"] and "keep_spread" in record["metrics"]


def test_restricting_a_profile(tmp_path):
    with pytest.raises(ValueError, match="not in this configuration"):
        run_benchmark(tiny_config(), tmp_path, methods=["pct"], log=None)
    cfg = load_config("claims")
    part = select_config(cfg, datasets=["tweets"], methods=["evarm"], seeds=[2])
    assert part["datasets"] == ["tweets"] and part["seeds"] == [2]
    assert part["methods"] == ["base", "evarm"]  # E-VarM's Table 3 is judged by the base
    assert cfg["datasets"] != ["tweets"]  # the configuration itself is left whole


def test_cli_benchmark(finished, tmp_path, capsys):
    out, _, _ = finished
    assert main(["benchmark", "run", "--profile", "quick", "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "rotten_tomatoes__cnn__base__seed0" and "42 runs" in lines[-1]
    # the dry run lists the same restricted grid the run would train, base model included
    argv = ["benchmark", "run", "--profile", "claims", "--dry-run", "--datasets", "tweets"]
    assert main([*argv, "--backbones", "lstm", "--methods", "evarm", "--seeds", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # (E-VarM's Table 3 is judged by the base model, so the base comes with it)
    assert lines[:-1] == ["tweets__lstm__base__seed1", "tweets__lstm__evarm__seed1"]
    assert main(["benchmark", "tables", str(out), "--out", str(tmp_path), "--no-figures"]) == 0
    assert (tmp_path / "tables.md").is_file()
    assert main(["benchmark", "tables", str(tmp_path / "none")]) == 1
    assert "no run results" in capsys.readouterr().err
    assert main(["benchmark", "run", "--config", str(tmp_path / "nope.toml")]) == 1
    assert "neither a profile" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["benchmark", "run", "--methods", "bogus"])
    assert "invalid choice" in capsys.readouterr().err


def test_cli_runs_a_config_file(tweets, tmp_path, capsys):
    cfg = tmp_path / "mine.toml"
    cfg.write_text(
        'name = "mine"\ndatasets = ["tweets"]\nbackbones = ["cnn"]\nmethods = ["base"]\n'
        "[data]\nn_train = 60\nn_eval = 8\n[evaluation]\nnaopc_k = 0\n"
        "[backbone.cnn]\nembedding_dim = 8\nnum_filters = 4\nmax_epochs = 1\n"
        'embeddings = "none"\n'
    )
    out = tmp_path / "res"
    code = main(["benchmark", "run", "--config", str(cfg), "--out", str(out), "--no-figures"])
    assert code == 0, capsys.readouterr().err
    assert (out / "runs" / "tweets__cnn__base__seed0.json").is_file()
    text = (out / "tables.md").read_text()
    assert "`mine` profile" in text and "### NAOPC" not in text
    capsys.readouterr()
    again = ["benchmark", "run", "--config", str(cfg), "--out", str(tmp_path / "again")]
    assert main([*again, "--reuse", str(out), "--no-figures"]) == 0
    assert f"tweets__cnn__base__seed0: reused from {out}" in capsys.readouterr().out


def test_variants_judge_and_explainer_options(tweets, tmp_path):
    """The three protocols the retired bench scripts had: a constant-beta VMASK variant as an
    ordinary method, LIME rankings for every metric, and the base model as the judge."""
    from skinterp.benchmark import environment
    from skinterp.benchmark._run import run_one
    from skinterp.explain import LimeExplainer
    from skinterp.metrics import accuracy_drop_score, aopc_score

    cfg = load_config(
        tiny_config(
            methods=["vmask-const"],
            variants={"vmask-const": {"method": "vmask", "display": "VMASK b=0.1", "beta": 0.1}},
            evaluation={
                "k": [1, 3],
                "curve_k": 4,
                "naopc_k": 0,
                "explainer": "lime",
                "explainer_params": {"num_samples": 30, "random_state": 0},
                "judge": "base",
                "metrics": ["aopc", "accuracy_drop"],
            },
        )
    )
    assert cfg["methods"] == ["base", "vmask-const"]  # the judge joins the grid
    base_run, variant = expand_runs(cfg)
    assert variant.estimator == "VMaskClassifier" and variant.params["beta"] == 0.1
    assert variant.display == "VMASK b=0.1"
    record, base = run_one(base_run, tweets, cfg["evaluation"])
    record, clf = run_one(variant, tweets, cfg["evaluation"], base=base)
    assert record["display"] == "VMASK b=0.1"
    X = list(tweets.X_test[:12])  # as evaluated (LIME seeds each text by its exact string)
    exps = LimeExplainer(num_samples=30, random_state=0).explain(clf, X)
    judged = aopc_score(base, X, k=3, explanations=exps)
    assert record["metrics"]["aopc@3"] == pytest.approx(judged, abs=1e-5)
    assert judged != pytest.approx(aopc_score(clf, X, k=3, explanations=exps), abs=1e-5)
    # VAT Table 3: the judge's accuracy lost by deleting the top-k words, against gold labels
    lost = accuracy_drop_score(base, X, list(tweets.y_test[:12]), k=[1, 3], explanations=exps)
    got = [record["metrics"]["accdrop@1"], record["metrics"]["accdrop@3"]]
    assert got == pytest.approx(lost, abs=1e-4)
    with pytest.raises(ValueError, match="needs the cell's base model"):
        run_one(variant, tweets, cfg["evaluation"])
    # the tables name the variant by its display name
    out = tmp_path / "runs"
    out.mkdir()
    (out / "a.json").write_text(json.dumps({**record, "environment": environment()}))
    text = build_report(tmp_path, figures=False, out=tmp_path).read_text()
    assert "| VMASK b=0.1 |" in text


_REPRODUCE = Path(__file__).resolve().parents[1] / "benchmarks" / "reproduce"


@pytest.mark.parametrize(
    "name",
    sorted(
        p.relative_to(_REPRODUCE).as_posix()
        for p in _REPRODUCE.rglob("*.toml")
        if p.name != "studies.toml"  # the study registry (tools/results_tables.py)
    ),
)
def test_committed_configs_load(name):
    cfg = load_config(_REPRODUCE / name)
    assert expand_runs(cfg)


def test_every_committed_config_is_checked():
    # the glob above must find the configs (a moved folder would silently test nothing)
    names = {p.relative_to(_REPRODUCE).as_posix() for p in _REPRODUCE.rglob("*.toml")}
    assert {"example.toml", "claims/claims_defaults.toml", "scc/scc_ablation.toml"} <= names


@pytest.mark.parametrize(
    "argv", [["--jobs", "0"], ["--threads", "0"], ["--jobs", "2", "--threads", "-1"]]
)
def test_cli_benchmark_rejects_bad_worker_counts(argv, capsys):
    assert main(["benchmark", "run", "--profile", "quick", *argv]) == 2
    assert "--jobs must not be 0 and --threads must be >= 1" in capsys.readouterr().err
