"""The word-level explanation object and token-to-word aggregation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..text._input import check_k
from ._render import html_of

__all__ = ["Explanation", "aggregate_token_scores"]


@dataclass
class Explanation:
    """Word-level explanation of one prediction.

    Attributes
    ----------
    text : str or tuple of (str, str)
        The raw input.
    words : list of str
        Explanation units (see :func:`skinterp.text.segment_words`).
    scores : ndarray of float, shape (n_words,)
        One score per word; higher means more important for (supporting) ``label``.
    label : object
        The predicted class label.
    proba : float
        The model's probability of ``label``.
    method : str
        How the scores were computed (e.g. ``"gradient_x_input"``).
    spans : list of (int, int)
        Character offsets of each word in its text.
    sides : ndarray of int or None
        For sentence pairs, 0/1 per word: which text the word belongs to.
    k : int or None
        Default number of words for :meth:`top_k` (set by ``explain(..., k=...)``).
    unknown : ndarray of bool or None
        For the native explanation of a word-vocabulary model: True for words outside the
        model's vocabulary. They all share one token (``[UNK]``), so the model cannot tell
        them apart; their scores reflect that shared token (None: not known).

    Notes
    -----
    Scores are per word *position*: a word that occurs twice has two entries, and ``repr``
    marks such words with their position (``'his' (word 3)``).
    """

    text: str | tuple[str, str]
    words: list[str]
    scores: np.ndarray
    label: Any
    proba: float
    method: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    sides: np.ndarray | None = None
    k: int | None = None
    unknown: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.unknown is not None:
            self.unknown = np.asarray(self.unknown, dtype=bool)
        self.scores = np.asarray(self.scores, dtype=np.float64)
        if self.scores.shape != (len(self.words),):
            raise ValueError(
                f"scores has shape {self.scores.shape}; expected ({len(self.words)},), "
                "one per word."
            )

    def ranking(self) -> np.ndarray:
        """Word indices from most to least important (ties keep text order)."""
        return np.argsort(-self.scores, kind="stable")

    def top_k(self, k: int | None = None, *, labels: bool = False) -> list[tuple[str, float]]:
        """The ``k`` words with the highest scores, as ``(word, score)`` pairs.

        Parameters
        ----------
        k : int or None, default=None
            Defaults to the ``k`` given to ``explain``, else all words. A ``k`` larger than
            the number of words returns every word.
        labels : bool, default=False
            Give each word as it should be shown: with its position when the word occurs
            more than once (``"not (word 4)"``), marked when it is outside the model's
            vocabulary (``"zorkish (unknown word)"``).
        """
        k = self.k if k is None else check_k(k)
        order = self.ranking()
        if k is not None:
            order = order[:k]
        if labels:
            counts = self._counts()
            return [(self._shown(i, counts, quote=False), float(self.scores[i])) for i in order]
        return [(self.words[i], float(self.scores[i])) for i in order]

    def _counts(self) -> dict:
        counts: dict = {}
        for w in self.words:
            counts[w] = counts.get(w, 0) + 1
        return counts

    def to_frame(self):
        """A DataFrame with one row per word: word, start, end, side, score, rank (1 = top)."""
        import pandas as pd

        rank = np.empty(len(self.words), dtype=np.int64)
        rank[self.ranking()] = np.arange(1, len(self.words) + 1)
        starts = [s for s, _ in self.spans] if self.spans else [None] * len(self.words)
        ends = [e for _, e in self.spans] if self.spans else [None] * len(self.words)
        sides = self.sides if self.sides is not None else np.zeros(len(self.words), np.int64)
        return pd.DataFrame(
            {
                "word": self.words,
                "start": starts,
                "end": ends,
                "side": sides,
                "score": self.scores,
                "rank": rank,
                "unknown": self.unknown if self.unknown is not None else [None] * len(self.words),
            }
        )

    def _repr_html_(self) -> str:
        """Jupyter's view: the text with each word highlighted by its score."""
        return html_of("explanation", self)

    def _shown(self, i: int, counts: dict, quote: bool = True) -> str:
        """Word ``i`` for display: its position when the word repeats, a mark when it is
        outside the model's vocabulary."""
        out = repr(self.words[i]) if quote else self.words[i]
        if counts[self.words[i]] > 1:
            out += f" (word {i + 1})"
        if self.unknown is not None and self.unknown[i]:
            out += " (unknown word)"
        return out

    def __repr__(self) -> str:
        counts = self._counts()
        order = self.ranking()[: self.k or 5]
        top = ", ".join(f"({self._shown(i, counts)}, {self.scores[i]:.3g})" for i in order)
        return (
            f"Explanation(label={self.label!r}, proba={self.proba:.3f}, method={self.method!r}, "
            f"n_words={len(self.words)}, top=[{top}])"
        )


def aggregate_token_scores(
    token_scores: np.ndarray, word_ids: np.ndarray, n_words: list[int], reduce: str = "sum"
) -> list[np.ndarray]:
    """Token scores to word scores for a padded batch, without a per-token loop.

    Sub-word tokens of one word are *summed* (``reduce="sum"``; for gradient x input this keeps
    the completeness of the attribution) or averaged (``"mean"``; for probabilities such as
    mask keep-probabilities); special and padding tokens (``word_ids == -1``) are dropped;
    words that received no token (truncated) score 0.

    Parameters
    ----------
    token_scores : ndarray (B, T)
    word_ids : ndarray of int (B, T)
    n_words : list of int, length B

    Returns
    -------
    list of ndarray
        Word scores of each example.
    """
    B = token_scores.shape[0]
    width = max(max(n_words, default=0), 1)
    valid = word_ids >= 0
    flat = (np.arange(B)[:, None] * width + word_ids)[valid]
    sums = np.bincount(flat, weights=token_scores[valid], minlength=B * width).reshape(B, width)
    if reduce == "mean":
        counts = np.bincount(flat, minlength=B * width).reshape(B, width)
        sums = sums / np.maximum(counts, 1)
    elif reduce != "sum":
        raise ValueError(f"reduce must be 'sum' or 'mean', got {reduce!r}.")
    return [sums[i, :n] for i, n in enumerate(n_words)]
