"""explain_corpus: every text of a file explained in chunks, equal to explaining the texts one
call at a time, resumable, and the same on Dask workers as here."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from skinterp import explain_corpus
from skinterp.explain import LimeExplainer


@pytest.fixture(scope="module")
def corpus(toy, tmp_path_factory):
    X, y = toy
    folder = tmp_path_factory.mktemp("corpus")
    df = pd.DataFrame({"review": list(X) * 3, "key": np.arange(3 * len(X))})
    df.to_csv(folder / "texts.csv", index=False)
    return folder, df


def test_rows_match_the_models_own_explanations(fitted_cnn, corpus, tmp_path):
    folder, df = corpus
    out = explain_corpus(
        fitted_cnn,
        folder / "texts.csv",
        tmp_path / "e.parquet",
        text_column="review",
        id_column="key",
        k=3,
        chunk_size=7,
        verbose=0,
    )
    got = pd.read_parquet(out)
    assert got["row"].tolist() == list(range(len(df)))
    assert got["text"].tolist() == df["review"].tolist()
    assert got["id"].astype(int).tolist() == df["key"].tolist()
    want = fitted_cnn.explain(df["review"].tolist(), k=3)
    assert got["prediction"].tolist() == [e.label for e in want]
    np.testing.assert_allclose(got["probability"], [e.proba for e in want], rtol=1e-5)
    assert [list(w) for w in got["words"]] == [[w for w, _ in e.top_k()] for e in want]
    np.testing.assert_allclose(
        np.concatenate(got["scores"].tolist()),
        np.concatenate([[s for _, s in e.top_k()] for e in want]),
        rtol=1e-4,
        atol=1e-6,
    )
    assert not (tmp_path / "e.parquet.parts").exists()  # merged, then cleaned up


def test_jsonl_dataframe_and_iterable_sources_agree(fitted_cnn, corpus, tmp_path):
    _, df = corpus
    a = explain_corpus(fitted_cnn, df, tmp_path / "a.jsonl", text_column="review", verbose=0)
    b = explain_corpus(
        fitted_cnn, iter(df["review"]), tmp_path / "b.parquet", chunk_size=5, verbose=0
    )
    rows = [json.loads(line) for line in a.read_text().splitlines()]
    assert len(rows) == len(df) and set(rows[0]) == {
        "row",
        "text",
        "prediction",
        "probability",
        "words",
        "scores",
        "note",
    }
    other = pd.read_parquet(b)
    assert [r["words"] for r in rows] == [list(w) for w in other["words"]]


def test_lime_is_seeded_per_text_whatever_the_chunks(fitted_cnn, corpus, tmp_path):
    _, df = corpus
    kw = dict(explainer=LimeExplainer(num_samples=60), text_column="review")
    a = explain_corpus(fitted_cnn, df, tmp_path / "a.parquet", verbose=0, chunk_size=8, **kw)
    b = explain_corpus(fitted_cnn, df, tmp_path / "b.parquet", verbose=0, chunk_size=8, **kw)
    c = explain_corpus(fitted_cnn, df, tmp_path / "c.parquet", verbose=0, chunk_size=5, **kw)
    pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b))
    pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(c))
    # and equal to explaining the texts in memory with random_state=0
    exps = LimeExplainer(num_samples=60, random_state=0).explain(fitted_cnn, list(df["review"]))
    assert pd.read_parquet(a)["words"].map(list).tolist() == [
        [w for w, _ in e.top_k(5)] for e in exps
    ]


def test_an_interrupted_run_resumes_without_redoing_chunks(
    fitted_cnn, corpus, tmp_path, monkeypatch
):
    import skinterp.corpus as corpus_mod

    folder, df = corpus
    out = tmp_path / "e.parquet"
    real, calls, fail = corpus_mod._explain_frame, [], [True]

    def flaky(estimator, frame, *args, **kwargs):
        calls.append(len(frame))
        if fail[0] and len(calls) == 3:
            raise RuntimeError("stopped")  # the run stops in its third chunk
        return real(estimator, frame, *args, **kwargs)

    monkeypatch.setattr(corpus_mod, "_explain_frame", flaky)
    with pytest.raises(RuntimeError, match="stopped"):
        explain_corpus(
            fitted_cnn, folder / "texts.csv", out, text_column="review", chunk_size=10, verbose=0
        )
    assert not out.exists() and len(list((tmp_path / "e.parquet.parts").glob("part-*"))) == 2
    calls.clear()
    fail[0] = False
    explain_corpus(
        fitted_cnn, folder / "texts.csv", out, text_column="review", chunk_size=10, verbose=0
    )
    n_chunks = -(-len(df) // 10)
    assert len(calls) == n_chunks - 2  # the two finished chunks were not redone
    whole = explain_corpus(
        fitted_cnn,
        folder / "texts.csv",
        tmp_path / "w.parquet",
        text_column="review",
        chunk_size=10,
        verbose=0,
    )
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(whole))


def test_errors(fitted_cnn, corpus, tmp_path):
    folder, df = corpus
    with pytest.raises(ValueError, match=r"\.parquet or \.jsonl"):
        explain_corpus(fitted_cnn, df, tmp_path / "e.csv", text_column="review")
    with pytest.raises(ValueError, match="unknown explainer 'nope'"):
        explain_corpus(fitted_cnn, df, tmp_path / "e.jsonl", explainer="nope")
    with pytest.raises(ValueError, match="no column 'text'"):
        explain_corpus(fitted_cnn, df, tmp_path / "e.jsonl", verbose=0)
    with pytest.raises(ValueError, match="row 1 is empty"):  # the default keeps the row
        explain_corpus(
            fitted_cnn, ["fine words", "  "], tmp_path / "e.jsonl", on_empty="error", verbose=0
        )
    with pytest.raises(ValueError, match="on_empty must be"):
        explain_corpus(fitted_cnn, ["fine words"], tmp_path / "e2.jsonl", on_empty="skip")
    with pytest.raises(TypeError, match="iterable of texts"):
        explain_corpus(fitted_cnn, 42, tmp_path / "f.jsonl", verbose=0)
    with pytest.raises(ValueError, match="k must be"):
        explain_corpus(fitted_cnn, df, tmp_path / "g.jsonl", k=0)
    explain_corpus(fitted_cnn, df[:5], tmp_path / "h.jsonl", text_column="review", verbose=0)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        explain_corpus(fitted_cnn, df[:5], tmp_path / "h.jsonl", text_column="review")
    # parts of an unfinished run with other settings are not mixed into a new one
    parts = tmp_path / "i.jsonl.parts"
    parts.mkdir()
    (parts / "settings.json").write_text(json.dumps({"k": 99}))
    (parts / "part-000000.jsonl").write_text("{}\n")
    with pytest.raises(ValueError, match="other settings"):
        explain_corpus(fitted_cnn, df, tmp_path / "i.jsonl", text_column="review", verbose=0)
    explain_corpus(
        fitted_cnn, df, tmp_path / "i.jsonl", text_column="review", verbose=0, overwrite=True
    )
    assert len((tmp_path / "i.jsonl").read_text().splitlines()) == len(df)


def test_dask_workers_give_the_local_output(fitted_cnn, corpus, tmp_path):
    distributed = pytest.importorskip("distributed")
    dd = pytest.importorskip("dask.dataframe")
    folder, df = corpus
    kw = dict(
        explainer=LimeExplainer(num_samples=40),
        text_column="review",
        id_column="key",
        chunk_size=9,
        verbose=0,
    )
    local = pd.read_parquet(
        explain_corpus(fitted_cnn, folder / "texts.csv", tmp_path / "l.parquet", **kw)
    )
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = explain_corpus(
            fitted_cnn, folder / "texts.csv", tmp_path / "d.parquet", client=client, **kw
        )
        pd.testing.assert_frame_equal(local, pd.read_parquet(on_dask))
        # a scheduler address (what `skinterp explain --dask ADDRESS` passes) connects to it
        by_address = explain_corpus(
            fitted_cnn,
            folder / "texts.csv",
            tmp_path / "a.parquet",
            client=cluster.scheduler_address,
            **kw,
        )
        pd.testing.assert_frame_equal(local, pd.read_parquet(by_address))
        # a Dask DataFrame: its partitions are the chunks, explained on the workers
        ddf = dd.from_pandas(df, npartitions=4)
        parts = pd.read_parquet(explain_corpus(fitted_cnn, ddf, tmp_path / "p.parquet", **kw))
    assert parts["row"].tolist() == list(range(len(df)))
    assert parts["id"].tolist() == df["key"].tolist()
    assert parts["prediction"].tolist() == local["prediction"].tolist()


def test_two_loads_of_a_saved_model_share_one_identity(fitted_cnn, tmp_path):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skinterp import load
    from skinterp.corpus import model_identity

    folder = fitted_cnn.save(tmp_path / "m")
    a, b = load(folder), load(folder)
    assert model_identity(a) == model_identity(b) == model_identity(fitted_cnn)
    pipe = lambda m: make_pipeline(FunctionTransformer(), m)  # noqa: E731
    assert model_identity(pipe(a)) == model_identity(pipe(b))
    other = load(folder)
    with __import__("torch").no_grad():
        next(other.module_.parameters())[0].add_(1e-3)
    assert model_identity(other) != model_identity(a)


def test_a_cli_run_killed_with_sigkill_resumes_in_a_new_process(fitted_cnn, tmp_path):
    """`skinterp explain MODEL --input --output` killed mid-run (SIGKILL), then the same
    command: it resumes without --force, keeps the finished chunks, every row appears once and
    the output equals an uninterrupted run's."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from skinterp import load

    model = fitted_cnn.save(tmp_path / "model")
    texts = [f"{t} {i}" for i, t in enumerate(["a great film", "a dull plot", "i loved it"] * 700)]
    pd.DataFrame({"text": texts}).to_csv(tmp_path / "in.csv", index=False)
    out = tmp_path / "out.parquet"
    cmd = [sys.executable, "-m", "skinterp.cli", "explain", str(model), "--input",
           str(tmp_path / "in.csv"), "--output", str(out), "--explainer", "lime",
           "--chunk-size", "20"]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    parts = tmp_path / "out.parquet.parts"
    deadline = time.time() + 300
    while len(list(parts.glob("part-*.parquet"))) < 3:
        assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
        assert time.time() < deadline, "the run made no progress"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = {p.name: p.stat().st_mtime_ns for p in parts.glob("part-*.parquet")}
    assert 3 <= len(kept) < 105 and not out.exists()
    again = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"{len(kept)} finished chunks are kept" in again.stderr
    got = pd.read_parquet(out)
    assert got["row"].tolist() == list(range(len(texts)))  # every row exactly once, in order
    whole = explain_corpus(
        load(model), tmp_path / "in.csv", tmp_path / "whole.parquet", explainer="lime",
        chunk_size=20, verbose=0,
    )  # fmt: skip
    pd.testing.assert_frame_equal(got, pd.read_parquet(whole))
