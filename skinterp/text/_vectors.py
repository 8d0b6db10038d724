"""Pretrained word vectors: accepted forms and alignment to a fitted vocabulary."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._tokenizers import BaseTextTokenizer, WordTokenizer

__all__ = ["embedding_matrix_for_vocab", "read_text_vectors"]


def read_text_vectors(path: str | os.PathLike, wanted: set[str] | None = None) -> dict:
    """Read a GloVe / word2vec *text* file, keeping only ``wanted`` words (streamed).

    A first line of two integers (word2vec header) is skipped. Memory stays bounded by the
    number of wanted words, not the file's size.
    """
    vectors: dict[str, np.ndarray] = {}
    dim = None
    with open(path, encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh):
            parts = line.rstrip().split(" ")
            if lineno == 0 and len(parts) == 2 and all(p.isdigit() for p in parts):
                continue
            if len(parts) < 2:
                continue
            word = parts[0]
            if wanted is not None and word not in wanted:
                continue
            vec = np.asarray(parts[1:], dtype=np.float32)
            if dim is None:
                dim = vec.shape[0]
            elif vec.shape[0] != dim:
                raise ValueError(
                    f"{path}: line {lineno + 1} has {vec.shape[0]} values; expected {dim}."
                )
            vectors[word] = vec
    if dim is None and wanted is None:
        raise ValueError(f"{path} holds no word vectors.")
    return vectors


def _as_lookup(embeddings: Any, wanted: set[str]) -> tuple[Mapping[str, np.ndarray], int | None]:
    """Turn the accepted forms into ``word -> vector`` (only wanted words are touched)."""
    if isinstance(embeddings, (str, os.PathLike)):
        table = read_text_vectors(embeddings, wanted)
        dim = next(iter(table.values())).shape[0] if table else None
        return table, dim
    if hasattr(embeddings, "index") and hasattr(embeddings, "to_numpy"):  # DataFrame
        words, matrix = list(map(str, embeddings.index)), embeddings.to_numpy(np.float32)
    elif isinstance(embeddings, Mapping):
        words = list(embeddings)
        matrix = np.stack([np.asarray(embeddings[w], np.float32) for w in words]) if words else None
    elif isinstance(embeddings, tuple) and len(embeddings) == 2:
        words, matrix = list(embeddings[0]), np.asarray(embeddings[1], np.float32)
    else:
        raise TypeError(
            "embeddings must be None, a 2-d array aligned with a fixed vocabulary, a "
            "(words, matrix) tuple, a word -> vector dict, a DataFrame indexed by word, or the "
            f"path of a GloVe/word2vec text file; got {type(embeddings).__name__}."
        )
    if matrix is None or matrix.ndim != 2 or matrix.shape[0] != len(words):
        shape = None if matrix is None else matrix.shape
        raise ValueError(
            f"pretrained vectors: {len(words)} words but a matrix of shape {shape}; expected "
            "one row per word."
        )
    row = {w: i for i, w in enumerate(words)}
    return {w: matrix[row[w]] for w in wanted if w in row}, matrix.shape[1]


def embedding_matrix_for_vocab(
    tokenizer: BaseTextTokenizer, embeddings: Any, seed: int | None = None
) -> tuple[np.ndarray, float]:
    """Embedding matrix with one row per token id of a fitted word tokenizer.

    Parameters
    ----------
    tokenizer : WordTokenizer
        Fitted; its vocabulary defines the rows.
    embeddings : array, (words, matrix), dict, DataFrame or path
        A bare 2-d array must have one row per vocabulary word (``len(tokenizer.words_)``,
        special tokens excluded) or per token id (``tokenizer.vocab_size``). Other forms are
        looked up word by word (exact form first, then lower-cased); only the rows of the
        fitted vocabulary are kept.
    seed : int or None
        Seed for the random rows of special tokens and words without a vector.

    Returns
    -------
    matrix : ndarray of float32, shape (vocab_size, dim)
        ``[PAD]`` row is zero; words without a pretrained vector are drawn from
        N(0, std of the pretrained rows).
    coverage : float
        Share of vocabulary words that have a pretrained vector.
    """
    if not isinstance(tokenizer, WordTokenizer):
        raise TypeError(
            "pretrained word vectors need the word tokenizer (CNN/LSTM backbones); a "
            f"{type(tokenizer).__name__} has its own vocabulary."
        )
    rng = np.random.default_rng(seed)
    words = tokenizer.words_
    n_special = tokenizer.vocab_size - len(words)
    if hasattr(embeddings, "shape") and not hasattr(embeddings, "index"):  # bare array/tensor
        if hasattr(embeddings, "detach"):  # torch tensor
            embeddings = embeddings.detach().cpu().numpy()
        matrix = np.asarray(embeddings, np.float32)
        if matrix.ndim != 2:
            raise ValueError(f"embedding matrix must be 2-d, got shape {matrix.shape}.")
        if matrix.shape[0] == tokenizer.vocab_size:
            return matrix.copy(), 1.0
        if matrix.shape[0] != len(words):
            raise ValueError(
                f"embedding matrix has {matrix.shape[0]} rows but the vocabulary has "
                f"{len(words)} words ({tokenizer.vocab_size} ids with special tokens); pass "
                "(words, matrix) so rows can be matched to words, or a Tokenizer with "
                "vocabulary=<the matrix's words>."
            )
        special = rng.normal(0.0, float(matrix.std()) or 1.0, (n_special, matrix.shape[1]))
        special[tokenizer.pad_id] = 0.0
        return np.vstack([special.astype(np.float32), matrix]), 1.0
    wanted = set(words) | {w.lower() for w in words}
    table, dim = _as_lookup(embeddings, wanted)
    if dim is None or not table:
        raise ValueError(
            "none of the vocabulary's words has a pretrained vector; check the vectors' "
            "language and casing (lowercase=True matches lower-cased vectors such as GloVe)."
        )
    found = np.stack(list(table.values()))
    std = float(found.std()) or 1.0
    matrix = rng.normal(0.0, std, (tokenizer.vocab_size, dim)).astype(np.float32)
    matrix[tokenizer.pad_id] = 0.0
    hits = 0
    for i, w in enumerate(words, start=n_special):
        vec = table.get(w)
        if vec is None:
            vec = table.get(w.lower())
        if vec is not None:
            matrix[i] = vec
            hits += 1
    return matrix, hits / max(len(words), 1)
