"""A newcomer's first hour: one set of defaults, fast start-up, progress, the empty-input
policy, scorers that show their settings, pipelines, and the smaller surprises (issue 41)."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import need_data, small_cnn

from skinterp.cli import main


@pytest.fixture(scope="module")
def tweets_csv(tmp_path_factory):
    from skinterp.datasets import load_tweets

    data = need_data(load_tweets)
    folder = tmp_path_factory.mktemp("tweets")
    train = pd.DataFrame({"text": data.X_train[:160], "label": data.y_train[:160]})
    test = pd.DataFrame({"text": data.X_test[:230], "label": data.y_test[:230]})
    train.to_csv(folder / "train.csv", index=False)
    test.to_csv(folder / "test.csv", index=False)
    return folder, train, test


SMALL = ["--param", "embedding_dim=16", "--param", "num_filters=8", "--epochs", "2"]


def test_the_cli_fits_what_python_fits(tweets_csv, tmp_path, capsys):
    """`skinterp fit --method vmask --backbone cnn` is VMaskClassifier(encoder="cnn",
    embeddings="glove-50d") with the flags given, nothing else: the same model."""
    from skinterp import VMaskClassifier, load

    folder, train, test = tweets_csv
    out = tmp_path / "m"
    argv = ["fit", "--method", "vmask", "--data", str(folder / "train.csv"), "--out", str(out)]
    assert main([*argv, "--param", "embeddings=none", *SMALL]) == 0
    printed = capsys.readouterr().out
    assert "with parameters:" in printed and "max_length=256" in printed and "beta=0.1" in printed
    assert "epoch" in printed and "keep_spread" in printed  # a line per epoch
    py = VMaskClassifier(
        encoder="cnn", embedding_dim=16, num_filters=8, max_epochs=2, random_state=0
    ).fit(train["text"].tolist(), train["label"].to_numpy())
    cli = load(out)
    same = lambda m: {  # noqa: E731  (constructor parameters; verbose only prints)
        k: v
        for k, v in m.get_params(deep=False).items()
        if k not in ("verbose", "_params_to_validate")
    }
    assert same(cli) == same(py)
    np.testing.assert_array_equal(cli.predict_proba(test["text"]), py.predict_proba(test["text"]))
    saved = json.loads((out / "run.json").read_text())["params"]
    assert saved["max_epochs"] == 2 and saved["embedding_dim"] == 16 and saved["beta"] == 0.1


def test_evaluate_data_tests_every_row_and_agrees_with_fit(tweets_csv, tmp_path, capsys):
    folder, _, test = tweets_csv
    out = tmp_path / "m"
    argv = ["fit", "--method", "base", "--data", str(folder / "train.csv"), "--out", str(out)]
    argv += ["--test", str(folder / "test.csv"), "--param", "embeddings=none", *SMALL]
    assert main(argv) == 0
    fit_acc = json.loads((out / "run.json").read_text())["test_accuracy"]
    capsys.readouterr()
    ev = ["evaluate", str(out), "--data", str(folder / "test.csv"), "--explainers", "native"]
    assert main([*ev, "--metrics", "aopc"]) == 0
    printed = capsys.readouterr().out
    assert f"on {len(test)} texts" in printed  # every row, not the first 200
    acc = float(printed.split("accuracy: ")[1].split()[0])
    assert acc == pytest.approx(fit_acc, abs=1e-4)


def test_help_and_argument_errors_import_no_torch():
    code = (
        "import sys, skinterp, skinterp.cli as c\n"
        "p = c.build_parser()\n"
        "for argv in (['fit', '--help'], ['explain', 'M', '--k', '0']):\n"
        "    try:\n"
        "        c.main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = [m for m in ('torch', 'sklearn', 'transformers', 'matplotlib', 'pandas')"
        " if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr
    assert "--k must be >= 1" in out.stderr


def test_lazy_package_gives_every_public_name():
    import skinterp

    for name in skinterp.__all__:
        assert getattr(skinterp, name) is not None
    assert skinterp.datasets.load_tweets and "VMaskClassifier" in dir(skinterp)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        skinterp.nope  # noqa: B018


def test_the_cli_name_lists_match_the_registries():
    from skinterp import _names
    from skinterp.benchmark import BACKBONES, DATASETS, METHODS, PROFILES
    from skinterp.datasets import FORMATS, WORD_VECTORS
    from skinterp.explain._explainers import _EXPLAINERS
    from skinterp.metrics import METRICS

    assert tuple(METHODS) == _names.METHODS
    assert set(DATASETS) == set(_names.DATASETS) and tuple(PROFILES) == _names.PROFILES
    assert tuple(METRICS) == _names.METRICS and tuple(FORMATS) == _names.FORMATS
    assert set(_EXPLAINERS) == set(_names.EXPLAINERS)
    assert set(WORD_VECTORS) == set(_names.WORD_VECTORS)
    assert set(BACKBONES) == set(_names.BACKBONES)


def test_unknown_names_list_the_known_ones(toy):
    from skinterp._names import backbone_params

    X, y = toy
    with pytest.raises(ValueError, match=r"glove-100d.*known: \['glove-50d'\]"):
        small_cnn(embeddings="glove-100d", max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"unknown backbone 'gru'.*cnn"):
        backbone_params("gru")
    assert backbone_params("org/model") == {"encoder": "transformer", "pretrained": "org/model"}


def test_predict_and_explain_warn_once_on_empty_texts(fitted_cnn):
    with pytest.warns(UserWarning, match="2 of 3 texts have no words") as record:
        fitted_cnn.predict(["", "   ", "a great film"])
    assert len([w for w in record if "no words" in str(w.message)]) == 1
    with pytest.warns(UserWarning, match="its explanation has no words"):
        assert fitted_cnn.explain("").words == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted_cnn.predict(["a great film"])  # no warning without empty texts


def test_a_corpus_run_keeps_empty_rows_with_a_note(fitted_cnn, tmp_path):
    from skinterp import explain_corpus

    path = tmp_path / "in.csv"
    path.write_text('text\na great film\n""\n   \nawful plot\n')
    out = explain_corpus(fitted_cnn, path, tmp_path / "o.parquet", verbose=0)
    got = pd.read_parquet(out)
    assert got["row"].tolist() == [0, 1, 2, 3]
    assert got["note"].tolist()[1:3] == ["empty text: no words to explain"] * 2
    assert got["note"].isna().tolist() == [True, False, False, True]
    assert [len(w) for w in got["words"]] == [3, 0, 0, 2]
    with pytest.warns(UserWarning):
        empty_label = fitted_cnn.predict([""])[0]
    assert got["prediction"][1] == empty_label
    with pytest.raises(ValueError, match="line 3: column .text. is empty"):
        explain_corpus(fitted_cnn, path, tmp_path / "p.parquet", on_empty="error", verbose=0)


def test_the_corpus_bar_advances_within_a_chunk(fitted_cnn, tmp_path, monkeypatch):
    import skinterp.corpus as corpus

    updates = []
    real = corpus._explain_chunk

    def spy(estimator, texts, explainer, k, seed, progress=None):
        def count(n):
            updates.append(n)
            progress(n)

        return real(estimator, texts, explainer, k, seed, count)

    monkeypatch.setattr(corpus, "_explain_chunk", spy)
    texts = ["a great film"] * 200
    corpus.explain_corpus(fitted_cnn, texts, tmp_path / "o.jsonl", chunk_size=100, verbose=1)
    assert sum(updates) == 200 and len(updates) >= 8  # several steps per 100-text chunk


def test_force_is_named_as_the_flag_on_the_command_line(fitted_cnn, tmp_path, capsys):
    model = fitted_cnn.save(tmp_path / "m")
    (tmp_path / "in.csv").write_text("text\na great film\n")
    argv = ["explain", str(model), "--input", str(tmp_path / "in.csv")]
    assert main([*argv, "--output", str(tmp_path / "o.jsonl")]) == 0
    assert main([*argv, "--output", str(tmp_path / "o.jsonl")]) == 1
    err = capsys.readouterr().err
    assert "--force" in err and "overwrite=True" not in err


def test_python_save_refuses_to_overwrite_like_the_cli(fitted_cnn, tmp_path):
    fitted_cnn.save(tmp_path / "m")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        fitted_cnn.save(tmp_path / "m")
    fitted_cnn.save(tmp_path / "m", overwrite=True)


def test_html_title_names_the_method_and_its_data(fitted_cnn, tmp_path, capsys):
    model = fitted_cnn.save(tmp_path / "m")
    page = tmp_path / "e.html"
    assert main(["explain", str(model), "a great film", "--html", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "None" not in html.split("</title>")[0] and "skinterp: TextClassifier" in html


def test_pipeline_explanations_reach_the_last_step(toy):
    from sklearn.pipeline import make_pipeline

    from skinterp.explain import explain
    from skinterp.text import Tokenizer

    X, y = toy
    pipe = make_pipeline(Tokenizer(), small_cnn(max_epochs=3)).fit(X, y)
    one = explain(pipe, "a dull plot", k=2)
    assert one.words == ["a", "dull", "plot"] and one.k == 2
    direct = pipe[-1].explain("a dull plot")
    np.testing.assert_allclose(one.scores, direct.scores)
    assert len(explain(pipe, ["a dull plot", "great fun"], explainer="occlusion")) == 2


def test_repeated_and_unknown_words_are_marked(fitted_cnn):
    exp = fitted_cnn.explain("the film was the zorkish film", k=6)
    assert exp.unknown.tolist() == [False, False, False, False, True, False]
    text = repr(exp)
    assert "'the' (word 1)" in text and "'the' (word 4)" in text
    assert "'zorkish' (unknown word)" in text
    assert bool(exp.to_frame()["unknown"][4])
    shown = [w for w, _ in exp.top_k(labels=True)]
    assert (
        "the (word 1)" in shown and "zorkish (unknown word)" in shown and "film (word 2)" in shown
    )


def test_scorers_default_to_comparing_models_and_show_their_settings(fitted_cnn, toy):
    from skinterp.metrics import aopc_score, make_aopc_scorer, make_posthoc_accuracy_scorer

    X, _ = toy
    scorer = make_aopc_scorer()
    assert repr(scorer) == (
        "make_aopc_scorer(beam_width=2, exact_limit=512, explainer='native', k=5, "
        "normalization='naopc', perturbation='delete')"
    )
    naopc = aopc_score(fitted_cnn, X[:8], k=5, normalization="naopc", beam_width=2)
    assert scorer(fitted_cnn, X[:8]) == pytest.approx(naopc)
    assert "normalization='paper'" in repr(make_aopc_scorer(normalization="paper"))
    assert "k=5" in repr(make_posthoc_accuracy_scorer())
