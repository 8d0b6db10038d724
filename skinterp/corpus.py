"""Explanations at corpus scale: every text of a file (or DataFrame, or iterable) explained in
chunks with bounded memory, one output row per text, resumable, optionally on Dask workers.

``explain_corpus(model, "tickets.csv", "explanations.parquet")`` does what
``skinterp explain MODEL --input tickets.csv --output explanations.parquet`` does.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._corpus_store import _fingerprint, _frames_of, _merge, _write_part, model_identity
from .explain import get_explainer

__all__ = ["explain_corpus", "model_identity"]

_OUTPUTS = {".parquet": "parquet", ".jsonl": "jsonl"}


#: Texts explained per call inside a chunk: the progress bar advances this often.
_STEP = 32


def _explain_chunk(
    estimator, texts: list, explainer, k: int, seed: int | None, progress=None
) -> pd.DataFrame:
    """One output row per text: prediction, its probability and the top-k words with scores."""
    explainer = copy.copy(get_explainer(explainer))
    if seed is not None and hasattr(explainer, "random_state"):
        # random explainers seed every text's own stream from it (text_seed): a text gets the
        # same explanation in any chunk, on any worker, and as from explainer.explain alone
        explainer.random_state = seed
    exps = []
    for s in range(0, len(texts), _STEP):
        exps.extend(explainer.explain(estimator, texts[s : s + _STEP]))
        if progress is not None:
            progress(len(texts[s : s + _STEP]))
    tops = [e.top_k(k) for e in exps]
    return pd.DataFrame(
        {
            "prediction": [e.label for e in exps],
            "probability": np.array([e.proba for e in exps], dtype=np.float64),
            "words": [[w for w, _ in t] for t in tops],
            "scores": [[float(s) for _, s in t] for t in tops],
        }
    )


def _has_words(text: Any) -> bool:
    from .text import segment_words

    parts = text if isinstance(text, tuple) else (text,)
    return all(isinstance(t, str) for t in parts) and any(segment_words(t) for t in parts)


def _explain_frame(
    estimator, frame: pd.DataFrame, explainer, k, seed, start, on_empty="keep", progress=None
) -> pd.DataFrame:
    texts = frame["text"].tolist()
    ok = [_has_words(t) for t in texts]
    if on_empty == "error" and not all(ok):
        j = ok.index(False)
        raise ValueError(
            f"the text at row {start + j} is empty, has no words or is not a string: "
            f"{texts[j]!r} (on_empty='keep' / --on-empty keep explains the other rows)."
        )
    keep = [t for t, good in zip(texts, ok, strict=True) if good]
    rows = _explain_chunk(estimator, keep, explainer, k, seed, progress)
    if not all(ok):  # the empty rows: the model's answer for an empty text, no words
        blank = [t if isinstance(t, tuple) else "" for t, good in zip(texts, ok, strict=True)]
        with warnings.catch_warnings():  # the note column says it, row by row
            warnings.simplefilter("ignore", UserWarning)
            proba = estimator.predict_proba([b for b, g in zip(blank, ok, strict=True) if not g])
        proba = np.asarray(proba)
        classes = np.asarray(estimator.classes_)
        empty = pd.DataFrame(
            {
                "prediction": [_py(classes[i]) for i in proba.argmax(1)],
                "probability": proba.max(1).astype(np.float64),
                "words": [[] for _ in proba],
                "scores": [[] for _ in proba],
            }
        )
        where = np.asarray(ok)
        rows.index, empty.index = np.flatnonzero(where), np.flatnonzero(~where)
        rows = pd.concat([rows, empty]).sort_index().reset_index(drop=True)
        if progress is not None:
            progress(len(empty))
    head = pd.DataFrame({"row": np.arange(start, start + len(frame), dtype=np.int64)})
    if "id" in frame:
        head["id"] = frame["id"].to_numpy()
    if texts and isinstance(texts[0], tuple):
        head["text"] = [a for a, _ in texts]
        head["text_pair"] = [b for _, b in texts]
    else:
        head["text"] = texts
    out = pd.concat([head, rows], axis=1)
    out["note"] = pd.Series(
        [None if good else "empty text: no words to explain" for good in ok], dtype=object
    )
    return out


def _py(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _dask_client(client):
    if isinstance(client, str):
        from distributed import Client

        return Client(client), True
    return client, False


def explain_corpus(
    estimator: Any,
    source: Any,
    output: str | os.PathLike,
    *,
    explainer: Any = "native",
    k: int = 5,
    chunk_size: int = 1000,
    text_column: str = "text",
    text_pair_column: str | None = None,
    id_column: str | None = None,
    format: str | None = None,
    encoding: str = "utf-8",
    split: str | None = None,
    client: Any = None,
    random_state: int | None = 0,
    on_empty: str = "keep",
    overwrite: bool = False,
    verbose: int = 1,
) -> Path:
    """Explain every text of a corpus, chunk by chunk, into a Parquet or JSON Lines file.

    Memory stays bounded by a few chunks whatever the corpus size. Each finished chunk is
    written to ``OUTPUT.parts/`` at once, so an interrupted run called again with the same
    settings resumes without redoing finished chunks; the parts are merged into ``output``
    at the end.

    Parameters
    ----------
    estimator : fitted classifier
        A skinterp estimator or any scikit-learn text classifier the explainer supports.
    source : path, pandas.DataFrame, dask.dataframe.DataFrame or iterable of str
        A file (CSV, TSV, JSON Lines, Parquet, a ``save_to_disk`` folder; see
        :func:`skinterp.datasets.iter_file`), a DataFrame with ``text_column``, or texts.
        A Dask DataFrame is explained partition by partition on its workers.
    output : path
        ``.parquet`` or ``.jsonl``: one row per text with ``row`` (its position in the
        source), ``id`` (with ``id_column``), ``text`` (and ``text_pair``), ``prediction``,
        ``probability`` (of the predicted class), ``words`` and ``scores`` (the top ``k``).
    explainer : str or explainer, default="native"
        ``"native"`` (the model's own explanation), ``"lime"``, ``"occlusion"``, ... or an
        explainer object.
    k : int, default=5
        Top words per text.
    chunk_size : int, default=1000
        Texts per chunk (the unit of work, of resuming and of a Dask task).
    text_column, text_pair_column, id_column, format, encoding, split
        How to read a file (or the columns of a DataFrame), as in ``iter_file``.
    client : dask.distributed.Client or str, optional
        Spread the chunks over these Dask workers (a scheduler address is connected to).
    random_state : int or None, default=0
        Seeds a random explainer (LIME, Shapley, random); each text draws from its own
        stream (:func:`skinterp.explain.text_seed`), so its explanation is the same in any
        chunk, locally or on any worker, and equals ``explainer.explain`` on that text.
        ``None`` leaves the explainer's own seed.
    on_empty : {"keep", "error"}, default="keep"
        A text that is empty, blank, missing or has no words: kept as a row with the
        model's prediction for an empty text, no words and a ``note`` saying so
        (``"keep"``: one bad row never stops a long run), or an error naming its row.
    overwrite : bool, default=False
        Replace an existing ``output`` (and discard the parts of an unfinished run).
    verbose : int, default=1
        0 shows no progress bar.

    Returns
    -------
    Path
        The output file.
    """
    from tqdm.auto import tqdm

    output = Path(output)
    kind = _OUTPUTS.get(output.suffix.lower())
    if kind is None:
        raise ValueError(f"output must end in .parquet or .jsonl, got {output.name!r}.")
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}.")
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be an integer >= 1, got {chunk_size!r}.")
    get_explainer(explainer)  # an unknown explainer fails before any work
    if on_empty not in ("keep", "error"):
        raise ValueError(f"on_empty must be 'keep' or 'error', got {on_empty!r}.")
    if not hasattr(estimator, "classes_"):
        raise ValueError("the estimator is not fitted; call fit (or skinterp.load) first.")
    parts_dir = output.with_name(output.name + ".parts")
    if output.exists() and not overwrite:
        raise FileExistsError(f"{output} exists; pass overwrite=True (--force) to replace it.")
    settings = _fingerprint(
        estimator,
        source,
        {
            "explainer": explainer if isinstance(explainer, str) else repr(explainer),
            "k": k,
            "chunk_size": chunk_size,
            "random_state": random_state,
            "columns": [text_column, text_pair_column, id_column, split],
            "on_empty": on_empty,
        },
    )
    manifest = parts_dir / "settings.json"
    if overwrite and parts_dir.exists():
        shutil.rmtree(parts_dir)
    finished = list(parts_dir.glob("part-*")) if parts_dir.exists() else []
    if finished and manifest.exists() and json.loads(manifest.read_text()) != settings:
        raise ValueError(
            f"{parts_dir} holds an unfinished run with other settings (model, explainer, k, "
            "chunk size or input); pass overwrite=True (--force) to start again."
        )
    parts_dir.mkdir(parents=True, exist_ok=True)
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(json.dumps(settings))
    os.replace(tmp, manifest)

    job = _Job(estimator, parts_dir, kind, explainer, k, random_state, on_empty)
    if job.done and verbose:
        print(
            f"resuming {parts_dir}: {len(job.done)} finished chunks are kept "
            "(pass overwrite=True / --force to start again)",
            file=sys.stderr,
        )
    client, own_client = _dask_client(client)
    dask_df = type(source).__module__.startswith("dask")
    if dask_df:
        lengths = source.map_partitions(len).compute().tolist()
        total = int(sum(lengths))
    else:
        read = dict(
            text_column=text_column,
            text_pair_column=text_pair_column,
            id_column=id_column,
            format=format,
            encoding=encoding,
            split=split,
            empty=on_empty,
        )
        frames, total = _frames_of(source, chunk_size, read)
    job.bar = tqdm(total=total, unit="text", disable=not verbose, desc=f"explaining ({explainer})")
    try:
        if dask_df:
            _run_dask_frame(job, source, lengths, client, text_column, id_column)
        else:
            _run_chunks(job, frames, client)
    finally:
        job.bar.close()
        if own_client:
            client.close()
    parts = sorted(parts_dir.glob(f"part-*.{kind}"))
    if not parts:
        raise ValueError("the source holds no texts.")
    _merge(parts, output, kind)
    shutil.rmtree(parts_dir)
    return output


@dataclass
class _Job:
    """One corpus run: the model, where finished chunks go, and how to explain."""

    estimator: Any
    parts_dir: Path
    kind: str
    explainer: Any
    k: int
    random_state: int | None
    on_empty: str = "keep"
    bar: Any = None
    model: Any = None  # the estimator scattered to the Dask workers

    def __post_init__(self):
        self.done = {int(p.stem.split("-")[1]) for p in self.parts_dir.glob(f"part-*.{self.kind}")}

    def args(self, start: int) -> tuple:
        return (self.explainer, self.k, self.random_state, start, self.on_empty)

    def write(self, i: int, rows: pd.DataFrame, counted: bool = False) -> None:
        _write_part(rows, self.parts_dir / f"part-{i:06d}.{self.kind}", self.kind)
        if not counted:
            self.bar.update(len(rows))

    def local(self, i: int, frame: pd.DataFrame, start: int) -> None:
        # here the bar advances every few texts; on Dask workers once per finished chunk
        rows = _explain_frame(self.estimator, frame, *self.args(start), progress=self.bar.update)
        self.write(i, rows, counted=True)

    def submit(self, client, pending: dict, i: int, frame: Any, start: int) -> None:
        """Run chunk ``i`` on a worker; at most two chunks per worker are in flight."""
        if self.model is None:
            self.model = client.scatter(self.estimator, broadcast=True)
        fut = client.submit(_explain_frame, self.model, frame, *self.args(start))
        pending[fut] = i
        if len(pending) >= 2 * max(1, len(client.scheduler_info()["workers"])):
            self.collect(pending, wait_one=True)

    def collect(self, pending: dict, wait_one: bool = False) -> None:
        from distributed import wait

        while pending:
            for fut in wait(list(pending), return_when="FIRST_COMPLETED").done:
                self.write(pending.pop(fut), fut.result())
            if wait_one:
                return


def _run_chunks(job: _Job, frames, client) -> None:
    start, pending = 0, {}
    for i, frame in enumerate(frames):
        if i in job.done:
            job.bar.update(len(frame))
        elif client is None:
            job.local(i, frame, start)
        else:
            job.submit(client, pending, i, frame, start)
        start += len(frame)
    job.collect(pending)


def _run_dask_frame(job: _Job, ddf, lengths, client, text_column, id_column) -> None:
    import dask

    if client is None:  # the current Dask client if there is one, else here, in order
        from distributed import get_client

        try:
            client = get_client()
        except ValueError:
            client = None
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int).tolist()
    cols = [text_column] + ([id_column] if id_column else [])
    pending = {}
    for i, part in enumerate(ddf[cols].to_delayed()):
        if i in job.done:
            job.bar.update(lengths[i])
            continue
        frame = dask.delayed(_renamed)(part, text_column, id_column)
        if client is None:
            job.local(i, frame.compute(), starts[i])
        else:
            job.submit(client, pending, i, client.compute(frame), starts[i])
    job.collect(pending)


def _renamed(part: pd.DataFrame, text_column: str, id_column: str | None) -> pd.DataFrame:
    out = pd.DataFrame({"text": part[text_column].tolist()})
    if id_column:
        out["id"] = part[id_column].to_numpy()
    return out
