"""Batched word perturbation: predict many word-subset variants of many texts at once.

Every perturbation explainer and metric reduces to "predict the class probabilities of these
texts with these words removed (or replaced)". This module does it in one batched pass:

* for skinterp estimators, in *token space*: the tokens of removed words are dropped (or
  replaced by a mask/pad/unk id) from the text's existing encoding -- no strings are built and
  nothing is re-tokenized. Both tokenizers encode every word independently, so this equals
  re-tokenizing the reduced text;
* for any other estimator with ``predict_proba`` on raw strings (e.g. a TF-IDF pipeline), the
  reduced texts are rebuilt as strings -- the kept words joined by single spaces, or the
  replacement string in place of each removed word -- and sent in large chunks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..interface import is_token_model
from ..text import EncodedText, check_texts, segment_words

__all__ = ["PERTURBATIONS", "Item", "as_items", "predict_variants"]

PERTURBATIONS = ("delete", "mask", "pad", "unk")
_REPLACEMENT_TEXT = {"mask": "[MASK]", "pad": "[PAD]", "unk": "[UNK]"}
_STRING_CHUNK = 20_000


@dataclass
class Item:
    """One input text prepared for perturbation."""

    text: str | tuple[str, str]
    words: list[str]
    sides: np.ndarray
    encoding: EncodedText | None = None

    @property
    def n_words(self) -> int:
        return len(self.words)


def is_skinterp(estimator: Any) -> bool:
    """Whether ``estimator`` follows skinterp's model protocol (token-space fast path)."""
    return is_token_model(estimator)


def unwrap_pipeline(estimator: Any, X: Any) -> tuple[Any, Any]:
    """A scikit-learn Pipeline ending in a skinterp estimator becomes that estimator, with X
    passed through the earlier steps (e.g. a cached ``Tokenizer``), so native explanations and
    the token-space fast path apply. Anything else is returned unchanged."""
    from sklearn.pipeline import Pipeline
    from torch.utils.data import Dataset

    if isinstance(estimator, Pipeline) and is_skinterp(estimator.steps[-1][1]):
        if not isinstance(X, Dataset) and len(estimator.steps) > 1:
            X = estimator[:-1].transform(X)
        return estimator.steps[-1][1], X
    return estimator, X


def check_proba_estimator(estimator: Any) -> None:
    if not hasattr(estimator, "predict_proba"):
        raise TypeError(
            f"{type(estimator).__name__} has no predict_proba; interpretability metrics and "
            "perturbation explainers need class probabilities."
        )
    if not hasattr(estimator, "classes_"):
        from sklearn.exceptions import NotFittedError

        raise NotFittedError(f"{type(estimator).__name__} is not fitted; call fit first.")


def _dataset_encodings(X: Any) -> list[EncodedText] | None:
    """Encodings behind a TextDataset (or Subset), as skorch's EpochScoring passes them."""
    from torch.utils.data import Subset

    from ..text import TextDataset

    if isinstance(X, Subset):
        inner = _dataset_encodings(X.dataset)
        return None if inner is None else [inner[i] for i in X.indices]
    if isinstance(X, TextDataset):
        return list(X.X)
    return None


def as_items(estimator: Any, X: Any) -> list[Item]:
    """Validate ``X`` and prepare one :class:`Item` per text (or pair)."""
    check_proba_estimator(estimator)
    encodings = _dataset_encodings(X)
    if is_skinterp(estimator):
        encs = estimator.encode(encodings if encodings is not None else X)
        return [
            Item(
                text=e.text,
                words=[w.text for w in e.words],
                sides=np.fromiter((w.side for w in e.words), dtype=np.int64, count=len(e.words)),
                encoding=e,
            )
            for e in encs
        ]
    if encodings is not None:
        raise TypeError("a skinterp dataset can only be scored with a skinterp estimator.")
    values, kind = check_texts(X, allow_encoded=False)
    items = []
    for v in values:
        if kind == "pair":
            words = segment_words(v[0], 0) + segment_words(v[1], 1)
        else:
            words = segment_words(v)
        items.append(
            Item(v, [w.text for w in words], np.array([w.side for w in words], dtype=np.int64))
        )
    return items


def _token_variants(item: Item, keep: np.ndarray, perturbation: str, tokenizer) -> tuple:
    enc = item.encoding
    ids, wid = enc.input_ids, enc.word_ids
    belongs = wid >= 0
    keep_tok = np.ones((keep.shape[0], len(ids)), dtype=bool)
    keep_tok[:, belongs] = keep[:, wid[belongs]]
    types = enc.token_type_ids
    if perturbation == "delete":
        rows, trows = [], [] if types is not None else None
        for row in keep_tok:
            kept = ids[row]
            if kept.size == 0:  # every token removed: the tokenizer's encoding of ""
                kept = np.array([tokenizer.unk_id], dtype=np.int64)
                row = np.zeros(len(ids), dtype=bool)
                row[0] = True
            rows.append(kept)
            if trows is not None:
                trows.append(types[row])
        return rows, trows
    rep = {"mask": tokenizer.mask_id, "pad": tokenizer.pad_id, "unk": tokenizer.unk_id}[
        perturbation
    ]
    if rep is None:
        raise ValueError(f"the tokenizer has no {perturbation} token; use another perturbation.")
    block = np.where(keep_tok, ids[None, :], rep)
    return list(block), (None if types is None else [types] * len(block))


def _string_variant(item: Item, keep: np.ndarray, perturbation: str):
    if perturbation == "delete":
        parts = [(w, s) for w, s, k in zip(item.words, item.sides, keep, strict=True) if k]
    else:
        rep = _REPLACEMENT_TEXT[perturbation]
        parts = [(w if k else rep, s) for w, s, k in zip(item.words, item.sides, keep, strict=True)]
    if isinstance(item.text, tuple):
        return (
            " ".join(w for w, s in parts if s == 0),
            " ".join(w for w, s in parts if s == 1),
        )
    return " ".join(w for w, _ in parts)


def _distinct(keep: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The distinct rows of a keep matrix and, when some repeat, each row's index among them
    (LIME and SampleShapley draw the same word subset many times in short texts)."""
    n, d = keep.shape
    if n < 2:
        return keep, None
    if d == 0:
        return keep[:1], np.zeros(n, dtype=np.int64)
    packed = np.ascontiguousarray(np.packbits(keep, axis=1))
    rows = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    if len(first) == n:
        return keep, None
    return keep[first], inverse.ravel()


def predict_variants(
    estimator: Any,
    items: list[Item],
    keeps: list[np.ndarray],
    perturbation: str = "delete",
    stats: dict | None = None,
) -> list[np.ndarray]:
    """Class probabilities of word-subset variants of each item, in one batched pass.

    A variant that repeats within an item is predicted once.

    Parameters
    ----------
    estimator : fitted classifier with ``predict_proba``
    items : list of Item
    keeps : list of bool arrays, ``keeps[i]`` of shape (n_variants_i, n_words_i)
        True keeps a word, False removes (or replaces) it.
    perturbation : {"delete", "mask", "pad", "unk"}
        Remove the words, or replace each by the tokenizer's mask / pad / unk token
        (``"[MASK]"``/``"[PAD]"``/``"[UNK]"`` strings for non-skinterp estimators).
    stats : dict, optional
        Counts are added to its ``"variants"`` (asked for) and ``"predicted"`` (distinct
        variants that went through the model).

    Returns
    -------
    list of ndarray, ``(n_variants_i, n_classes)``
    """
    if perturbation not in PERTURBATIONS:
        raise ValueError(f"perturbation must be one of {PERTURBATIONS}, got {perturbation!r}.")
    keeps = [np.asarray(k, dtype=bool) for k in keeps]
    distinct = [_distinct(k) for k in keeps]
    if stats is not None:
        stats["variants"] = stats.get("variants", 0) + sum(k.shape[0] for k in keeps)
        stats["predicted"] = stats.get("predicted", 0) + sum(u.shape[0] for u, _ in distinct)
    counts = [u.shape[0] for u, _ in distinct]
    if is_skinterp(estimator):
        tok = estimator.tokenizer_
        rows, trows = [], []
        for item, (keep, _) in zip(items, distinct, strict=True):
            r, t = _token_variants(item, keep, perturbation, tok)
            rows.extend(r)
            if t is not None:
                trows.extend(t)
        proba = estimator.predict_proba_tokens(rows, trows if trows else None)
    else:
        texts = [
            _string_variant(item, row, perturbation)
            for item, (keep, _) in zip(items, distinct, strict=True)
            for row in keep
        ]
        parts = [
            np.asarray(estimator.predict_proba(texts[s : s + _STRING_CHUNK]), dtype=np.float64)
            for s in range(0, len(texts), _STRING_CHUNK)
        ]
        proba = np.concatenate(parts) if parts else np.zeros((0, len(estimator.classes_)))
    blocks = np.split(proba, np.cumsum(counts)[:-1]) if counts else []
    return [b if inv is None else b[inv] for b, (_, inv) in zip(blocks, distinct, strict=True)]
