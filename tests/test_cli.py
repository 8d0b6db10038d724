"""skinterp fit / explain / evaluate on real data, and their error messages."""

from __future__ import annotations

import json

import pytest
from conftest import need_data

from skinterp.cli import main

TINY = ["--param", "embeddings=none", "--param", "embedding_dim=16", "--param", "num_filters=8"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from skinterp.datasets import load_tweets

    need_data(load_tweets)
    out = tmp_path_factory.mktemp("cli") / "vmask"
    args = ["fit", "--method", "vmask", "--dataset", "tweets", "--out", str(out)]
    assert main([*args, "--epochs", "2", "--train-size", "300", *TINY]) == 0
    return out


def test_fit_saves_model_and_metadata(model_dir, capsys):
    assert (model_dir / "model.safetensors").is_file()
    meta = json.loads((model_dir / "run.json").read_text())
    assert meta["method"] == "vmask" and meta["estimator"] == "VMaskClassifier"
    assert meta["dataset"] == "tweets" and meta["n_train"] == 300
    assert meta["classes"] == [0, 1] and 0 <= meta["test_accuracy"] <= 1
    import skinterp

    clf = skinterp.load(model_dir)  # the folder is a saved model
    assert clf.embedding_dim == 16 and clf.embeddings is None


def test_fit_refuses_to_overwrite_without_force(model_dir, capsys):
    args = ["fit", "--method", "base", "--dataset", "tweets", "--out", str(model_dir)]
    assert main([*args, "--epochs", "1", "--train-size", "100", *TINY]) == 1
    assert "--force" in capsys.readouterr().err


def test_explain_prints_and_writes_html(model_dir, tmp_path, capsys):
    page = tmp_path / "e.html"
    texts = ["what a great day :)", "this is awful <b>really</b>"]
    assert main(["explain", str(model_dir), *texts, "--k", "2", "--html", str(page)]) == 0
    out = capsys.readouterr().out
    assert "predicted" in out and out.count("\n    ") == 4  # 2 words x 2 texts
    html = page.read_text(encoding="utf-8")
    assert html.count('class="skinterp-exp"') == 2 and "<b>really" not in html


def test_evaluate_prints_table_and_writes_report(model_dir, tmp_path, capsys):
    report = tmp_path / "r.html"
    args = ["evaluate", str(model_dir), "--n", "30", "--explainers", "native", "random"]
    assert main([*args, "--k", "3", "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert "aopc@3" in out and "posthoc_accuracy@3" in out and "accuracy" in out
    assert report.read_text(encoding="utf-8").count("data:image/png;base64,") == 2


@pytest.mark.parametrize(
    ("argv", "message", "code"),
    [
        (["explain", "/no/such/dir", "x"], "no such folder", 1),
        (["evaluate", "/no/such/dir"], "no such folder", 1),
        (["explain", "MODEL", "  "], "empty", 1),
        (["evaluate", "MODEL", "--n", "0"], "--n must be >= 1", 2),
        (["explain", "MODEL", "x", "--explainers"], "unrecognized", 2),
        (["evaluate", "MODEL", "--explainers", "nonsense"], "nonsense", 1),
    ],
)
def test_errors_name_the_problem(model_dir, capsys, argv, message, code):
    argv = [str(model_dir) if a == "MODEL" else a for a in argv]
    if code == 2 and message == "unrecognized":
        with pytest.raises(SystemExit):
            main(argv)
    else:
        assert main(argv) == code
    assert message in capsys.readouterr().err


def test_fit_errors(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["fit", "--method", "nope", "--dataset", "tweets", "--out", str(tmp_path)])
    assert "invalid choice" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["fit", "--method", "base", "--dataset", "imdb", "--out", str(tmp_path)])
    assert "invalid choice" in capsys.readouterr().err
    args = ["fit", "--method", "base", "--dataset", "tweets", "--out", str(tmp_path / "m")]
    assert main([*args, "--param", "beta"]) == 1
    assert "NAME=VALUE" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["explain", str(tmp_path / "empty"), "x"]) == 1
    assert "not a folder written by `skinterp fit" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["fit", "explain", "evaluate", "benchmark", "demo"])
def test_help_everywhere(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0 and "usage: skinterp" in capsys.readouterr().out


def test_fit_on_the_dev_split(tmp_path, capsys):
    """--dev: every training text trains and each epoch is scored on the dev split."""
    import skinterp

    args = ["fit", "--method", "base", "--dataset", "tweets", "--out", str(tmp_path / "d")]
    assert main([*args, "--dev", "--epochs", "2", "--train-size", "200", *TINY]) == 0
    meta = json.loads((tmp_path / "d" / "run.json").read_text())
    data = skinterp.datasets.load_tweets()
    assert meta["n_train"] == 200 and meta["n_dev"] == len(data.X_valid)
    clf = skinterp.load(tmp_path / "d")
    assert clf.history[-1, "valid_acc"] == pytest.approx(clf.score(data.X_valid, data.y_valid))
    own = tmp_path / "own.csv"
    own.write_text("text,label\n" + "".join(f"text {i},{i % 2}\n" for i in range(20)))
    mine = ["fit", "--method", "base", "--data", str(own), "--out", str(tmp_path / "o")]
    assert main([*mine, "--dev", "--epochs", "1", *TINY]) == 1
    assert "--dev: only with a built-in data set" in capsys.readouterr().err


def test_fit_init_from_a_saved_model(model_dir, tmp_path, capsys):
    from skinterp._cli_models import load_model_dir

    base_args = ["fit", "--method", "base", "--dataset", "tweets", "--out", str(tmp_path / "b")]
    assert main([*base_args, "--epochs", "1", "--train-size", "200", *TINY]) == 0
    args = ["fit", "--method", "scc", "--dataset", "tweets", "--out", str(tmp_path / "s")]
    args += ["--init-from", str(tmp_path / "b"), "--epochs", "1", "--train-size", "200", *TINY]
    assert main(args) == 0
    clf, meta = load_model_dir(tmp_path / "s")
    assert meta["estimator"] == "SCCClassifier" and clf.init_from is None  # no base copy kept
    assert clf.predict_proba(["good day"]).shape == (1, 2)
    bad = ["fit", "--method", "scc", "--dataset", "tweets", "--out", str(tmp_path / "x")]
    assert main([*bad, "--init-from", str(tmp_path / "nothing")]) == 1
    assert "no such folder" in capsys.readouterr().err
