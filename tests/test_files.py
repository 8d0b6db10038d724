"""Your own data: load_file / iter_file over CSV, TSV, JSON Lines, Parquet and a Hugging Face
folder, their error messages (file, line or row, column), and ``skinterp fit --data``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import need_data

from skinterp.cli import main
from skinterp.datasets import DataFileError, iter_file, load_file

TINY = ["--param", "embeddings=none", "--param", "embedding_dim=16", "--param", "num_filters=8"]


@pytest.fixture(scope="module")
def frame():
    """300 real tweets with string labels, an id, a text with a comma, quotes and a newline."""
    from skinterp.datasets import load_tweets

    data = need_data(load_tweets)
    df = pd.DataFrame(
        {
            "body": data.X_train[:300],
            "mood": np.where(data.y_train[:300] == 1, "happy", "sad"),
            "ticket": np.arange(1000, 1300),
        }
    )
    df.loc[0, "body"] = 'she said "no, thanks"\nand left'
    return df


def write(df: pd.DataFrame, path, fmt: str) -> None:
    if fmt == "csv":
        df.to_csv(path, index=False)
    elif fmt == "tsv":
        df.to_csv(path, sep="\t", index=False)
    elif fmt == "jsonl":
        df.to_json(path, orient="records", lines=True)
    elif fmt == "parquet":
        df.to_parquet(path)
    else:
        import datasets

        ds = datasets.Dataset.from_pandas(df, preserve_index=False)
        datasets.DatasetDict({"train": ds, "test": ds.select(range(50))}).save_to_disk(path)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "parquet", "hf"])
def test_every_format_reads_the_same_rows(frame, tmp_path, fmt):
    if fmt == "hf":
        pytest.importorskip("datasets")
    path = tmp_path / ("data" if fmt == "hf" else f"data.{fmt}")
    write(frame, path, fmt)
    data = load_file(path, text_column="body", label_column="mood", test=0.2, random_state=1)
    assert len(data.X_train) == 240 and len(data.X_test) == 60
    assert set(data.X_train) | set(data.X_test) == set(frame["body"])  # quotes, comma, newline
    assert list(data.classes) == ["happy", "sad"] and data.target_names == ["happy", "sad"]
    by_text = dict(zip(frame["body"], frame["mood"], strict=True))
    assert [by_text[t] for t in data.X_test] == list(data.y_test)
    # stratified: both classes keep their share in the test split
    share = (frame["mood"] == "happy").mean()
    assert abs((data.y_test == "happy").mean() - share) < 0.02
    again = load_file(path, text_column="body", label_column="mood", test=0.2, random_state=1)
    assert again.X_test == data.X_test  # the seed fixes the split
    chunks = list(iter_file(path, text_column="body", id_column="ticket", chunk_size=128))
    assert [len(c) for c in chunks] == [128, 128, 44]
    assert pd.concat(chunks)["id"].astype(int).tolist() == list(range(1000, 1300))


def test_pairs_integer_labels_and_a_test_file(tmp_path):
    df = pd.DataFrame({"a": ["x y", "p q"] * 10, "b": ["z", "w"] * 10, "y": [0, 1] * 10})
    df.to_csv(tmp_path / "train.csv", index=False)
    df.iloc[:4].to_json(tmp_path / "test.jsonl", orient="records", lines=True)
    cols = dict(text_column="a", text_pair_column="b", label_column="y")
    data = load_file(tmp_path / "train.csv", test=tmp_path / "test.jsonl", **cols)
    assert data.X_train[0] == ("x y", "z") and len(data.X_test) == 4
    assert data.y_train.dtype.kind == "i" and list(data.classes) == [0, 1]  # "0"/"1" -> ints
    assert data.X_test[1] == ("p q", "w") and list(data.y_test) == [0, 1, 0, 1]


def test_a_huggingface_folder_uses_its_splits_and_class_names(frame, tmp_path):
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_pandas(frame, preserve_index=False).class_encode_column("mood")
    datasets.DatasetDict({"train": ds, "test": ds.select(range(40))}).save_to_disk(tmp_path / "d")
    data = load_file(tmp_path / "d", text_column="body", label_column="mood")
    assert len(data.X_train) == 300 and len(data.X_test) == 40
    assert list(data.classes) == [0, 1] and data.target_names == ["happy", "sad"]
    only_test = load_file(tmp_path / "d", text_column="body", label_column="mood", split="test")
    assert len(only_test.X_train) == 40 and only_test.X_test is None
    with pytest.raises(DataFileError, match="no split 'dev'"):
        list(iter_file(tmp_path / "d", text_column="body", split="dev"))


BAD = [
    (
        "missing.csv",
        "text,y\nfine,1\n",
        r"missing.csv: no column 'label' \(the file has: text, y\)",
    ),
    (
        "empty_text.csv",
        "text,label\nfine,1\n  ,0\n",
        r"empty_text.csv line 3: column 'text' is empty",
    ),
    (
        "nan_label.csv",
        "text,label\nfine,1\nok,\n",
        r"nan_label.csv line 3: no label in column 'label'",
    ),
    (
        "fields.csv",
        'text,label\nfine,1\n"a\nb",1\nc,d,1\n',
        r"fields.csv line 5: 3 fields where the header has 2",
    ),
    ("quote.csv", 'text,label\n"open,1\n', r"quote.csv line \d: malformed row"),
    (
        "latin.csv",
        "text,label\nfine,1\ncaf\xe9,0\n".encode("latin-1"),
        r"latin.csv line 3: not valid utf-8 \(byte 0xe9 at column 4\)",
    ),
    (
        "bad.jsonl",
        '{"text": "a", "label": 1}\n{"text": "b", label: 1}\n',
        r"bad.jsonl line 2: not valid JSON",
    ),
    (
        "list.jsonl",
        '{"text": "a", "label": 1}\n\n[1, 2]\n',
        r"list.jsonl line 3: expected one JSON object",
    ),
    (
        "nan.jsonl",
        '{"text": "a", "label": 1}\n{"text": "b", "label": NaN}\n',
        r"nan.jsonl line 2: no label",
    ),
    (
        "num.jsonl",
        '{"text": 5, "label": 1}\n',
        r"num.jsonl line 1: column 'text' holds int 5, not a text",
    ),
    (
        "lost.jsonl",
        '{"text": "a", "label": 1}\n{"txt": "b", "label": 1}\n',
        r"lost.jsonl line 2: no column 'text' \(this line has: txt, label\)",
    ),
    ("notes.txt", "text,label\n", r"cannot tell the format .* '.txt'"),
    ("header_only.csv", "text,label\n", r"header_only.csv holds no rows"),
    ("empty.csv", "", r"empty.csv is empty"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_name_file_line_and_column(tmp_path, name, content, message):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError, match=message):
        load_file(path)


def test_bad_parquet_rows_and_options(tmp_path):
    pd.DataFrame({"text": ["a", None, "c"], "label": [1, 0, 1]}).to_parquet(tmp_path / "p.parquet")
    with pytest.raises(DataFileError, match=r"p.parquet row 2: column 'text' is empty"):
        load_file(tmp_path / "p.parquet")
    pd.DataFrame({"text": ["a", "b"], "label": [1.0, np.nan]}).to_parquet(tmp_path / "q.parquet")
    with pytest.raises(DataFileError, match=r"q.parquet row 2: no label in column 'label'"):
        load_file(tmp_path / "q.parquet")
    assert load_file(tmp_path / "q.parquet", test=None, label_column="text").y_train.tolist() == [
        "a",
        "b",
    ]
    (tmp_path / "ok.csv").write_bytes("text,label\ncaf\xe9,1\nbon,0\n".encode("latin-1"))
    assert load_file(tmp_path / "ok.csv", encoding="latin-1").X_train[0] == "café"
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_file(tmp_path / "nothing.csv")
    with pytest.raises(ValueError, match="format must be one of"):
        load_file(tmp_path / "ok.csv", format="xls")
    with pytest.raises(ValueError, match=r"test must be a share in \(0, 1\)"):
        load_file(tmp_path / "ok.csv", encoding="latin-1", test=1.5)
    with pytest.raises(ValueError, match="chunk_size must be"):
        next(iter_file(tmp_path / "ok.csv", chunk_size=0))
    (tmp_path / "folder").mkdir()
    with pytest.raises(DataFileError, match="not one written by datasets' save_to_disk"):
        load_file(tmp_path / "folder")


def test_fit_evaluate_explain_from_a_csv(frame, tmp_path, capsys):
    """The README's three commands: a CSV in, a model, a report and explanations out."""
    frame.to_csv(tmp_path / "tickets.csv", index=False)
    out = tmp_path / "model"
    cols = ["--text-column", "body", "--label-column", "mood"]
    args = ["fit", "--method", "base", "--data", str(tmp_path / "tickets.csv"), *cols]
    assert main([*args, "--test", "0.2", "--out", str(out), "--epochs", "2", *TINY]) == 0
    meta = json.loads((out / "run.json").read_text())
    assert meta["classes"] == ["happy", "sad"] and meta["n_train"] == 240
    assert meta["data"]["columns"]["text_column"] == "body" and 0 <= meta["test_accuracy"] <= 1
    capsys.readouterr()
    report = tmp_path / "r.html"
    ev = ["evaluate", str(out), "--data", str(tmp_path / "tickets.csv"), "--n", "40"]
    assert main([*ev, "--explainers", "native", "--report", str(report)]) == 0  # columns: saved
    assert "aopc@5" in capsys.readouterr().out and report.is_file()
    assert main(["explain", str(out), "a lovely day"]) == 0
    printed = capsys.readouterr().out
    assert "predicted happy (" in printed or "predicted sad (" in printed
    exp = ["explain", str(out), "--input", str(tmp_path / "tickets.csv"), "--id-column", "ticket"]
    assert main([*exp, "--output", str(tmp_path / "e.parquet"), "--chunk-size", "64"]) == 0
    got = pd.read_parquet(tmp_path / "e.parquet")
    assert len(got) == 300 and got["text"].tolist() == frame["body"].tolist()
    assert set(got["prediction"]) <= {"happy", "sad"} and got["id"].tolist()[:2] == ["1000", "1001"]
    assert all(len(w) == min(5, len(s)) for w, s in zip(got["words"], got["scores"], strict=True))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dataset", "tweets", "--test", "0.2"], "--test: only with your own file"),
        (["--data", "NOFILE"], "no such file"),
        (["--data", "BAD", "--text-column", "body"], "line 3: column 'body' is empty"),
    ],
)
def test_fit_file_errors(tmp_path, capsys, argv, message):
    (tmp_path / "bad.csv").write_text("body,label\nfine,1\n,0\n")
    swap = {"NOFILE": str(tmp_path / "none.csv"), "BAD": str(tmp_path / "bad.csv")}
    argv = [swap.get(a, a) for a in argv]
    assert main(["fit", "--method", "base", "--out", str(tmp_path / "m"), *argv]) == 1
    assert message in capsys.readouterr().err
