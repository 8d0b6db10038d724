"""Tokenizers that keep, for every token, the index of the word it came from.

Two back ends share one interface (:class:`BaseTextTokenizer`):

* :class:`WordTokenizer` -- one token per word of the segmentation rule, a vocabulary fitted
  on training text or adopted from pretrained vectors (for the CNN/LSTM backbones);
* :class:`HFTokenizer` -- any Hugging Face *fast* tokenizer; the words of the segmentation
  rule are fed with ``is_split_into_words=True`` and the tokenizer's own ``word_ids()``
  gives the word of every sub-word token.

Both encode single texts and sentence pairs into :class:`EncodedText` objects.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._segment import Word, segment_words

__all__ = [
    "BaseTextTokenizer",
    "EncodedText",
    "HFTokenizer",
    "WordTokenizer",
    "restore_tokenizer",
]

PAD, UNK, SEP, MASK = "[PAD]", "[UNK]", "[SEP]", "[MASK]"


@dataclass(eq=False)
class EncodedText:
    """A raw text (or pair) with its words and the token ids a model consumes.

    Attributes
    ----------
    text : str or tuple of (str, str)
        The raw input.
    words : list of Word
        Explanation units (see :func:`skinterp.text.segment_words`); for pairs the words of
        both sides, first side first, tagged by ``Word.side``.
    input_ids : ndarray of int64, shape (n_tokens,)
    word_ids : ndarray of int64, shape (n_tokens,)
        Index into ``words`` of each token, ``-1`` for special tokens.
    token_type_ids : ndarray of int64 or None
        Segment ids (0 for the first text, 1 for the second) where the tokenizer has them.
    tokenizer : BaseTextTokenizer
        The fitted tokenizer that produced the ids (shared, not copied).
    n_truncated_words : int
        Words dropped by truncation to ``max_length``; they get no tokens.
    """

    text: str | tuple[str, str]
    words: list[Word]
    input_ids: np.ndarray
    word_ids: np.ndarray
    token_type_ids: np.ndarray | None
    tokenizer: BaseTextTokenizer = field(repr=False)
    n_truncated_words: int = 0

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def is_pair(self) -> bool:
        return isinstance(self.text, tuple)


def _words_of(item: str | tuple[str, str]) -> tuple[list[Word], list[Word] | None]:
    if isinstance(item, tuple):
        return segment_words(item[0], 0), segment_words(item[1], 1)
    return segment_words(item), None


class BaseTextTokenizer(ABC):
    """Interface shared by the word and Hugging Face tokenizers.

    Subclasses implement :meth:`fit` and :meth:`_encode` and expose ``pad_id``, ``unk_id``,
    ``mask_id`` and ``vocab_size``.
    """

    max_length: int
    pad_id: int
    unk_id: int
    mask_id: int | None

    @property
    @abstractmethod
    def vocab_size(self) -> int:
        """Number of token ids (embedding rows) the tokenizer can produce."""

    def fit(self, texts: Sequence[str | tuple[str, str]]) -> BaseTextTokenizer:
        return self

    def encode(self, texts: Sequence[str | tuple[str, str]]) -> list[EncodedText]:
        """Encode validated raw texts or pairs; warns once if any text is truncated."""
        encodings = self._encode(list(texts))
        n_trunc = sum(e.n_truncated_words > 0 for e in encodings)
        if n_trunc:
            warnings.warn(
                f"{n_trunc} of {len(encodings)} texts were longer than max_length="
                f"{self.max_length} tokens and were truncated; truncated words get no tokens "
                "and an explanation score of 0.",
                UserWarning,
                stacklevel=3,
            )
        return encodings

    @abstractmethod
    def _encode(self, texts: list) -> list[EncodedText]:
        """Encode a list of validated texts or pairs."""

    def save_state(self, folder: Path) -> dict:
        """Write what a fitted tokenizer needs to ``folder``; return a JSON-able description
        that :func:`restore_tokenizer` turns back into an equal tokenizer."""
        raise TypeError(f"cannot save a {type(self).__name__} tokenizer; use joblib.")


class WordTokenizer(BaseTextTokenizer):
    """Word-level vocabulary tokenizer for the CNN and LSTM backbones.

    One token per word of the segmentation rule. Ids 0-3 are ``[PAD]``, ``[UNK]``, ``[SEP]``
    (between the two texts of a pair) and ``[MASK]``.

    Parameters
    ----------
    lowercase : bool, default=True
        Lower-case words before the vocabulary lookup.
    min_freq : int, default=1
        Minimum count in the training texts for a word to enter the vocabulary.
    max_vocab : int or None, default=None
        Keep at most this many words (the most frequent; ties broken alphabetically).
    max_length : int, default=256
        Maximum number of tokens per text (pairs: both sides and ``[SEP]`` together;
        the longer side is truncated first).
    vocabulary : sequence of str or None, default=None
        Adopt this fixed word list (e.g. the words of pretrained vectors, in the order of
        their matrix rows) instead of counting words in :meth:`fit`.
    """

    def __init__(
        self,
        lowercase: bool = True,
        min_freq: int = 1,
        max_vocab: int | None = None,
        max_length: int = 256,
        vocabulary: Sequence[str] | None = None,
    ):
        self.lowercase = lowercase
        self.min_freq = min_freq
        self.max_vocab = max_vocab
        self.max_length = max_length
        self.vocabulary = vocabulary
        self.pad_id, self.unk_id, self.sep_id, self.mask_id = 0, 1, 2, 3
        self.itos_: list[str] = [PAD, UNK, SEP, MASK]
        self.stoi_: dict[str, int] = {}

    def _norm(self, word: str) -> str:
        return word.lower() if self.lowercase else word

    @property
    def vocab_size(self) -> int:
        return len(self.itos_)

    @property
    def words_(self) -> list[str]:
        """Vocabulary words in id order, without the special tokens."""
        return self.itos_[4:]

    def fit(self, texts: Iterable[str | tuple[str, str]]) -> WordTokenizer:
        """Build the vocabulary from training texts (or adopt ``vocabulary``)."""
        if self.vocabulary is not None:
            words = [self._norm(w) for w in self.vocabulary]
            dup = len(words) - len(set(words))
            if dup:
                raise ValueError(
                    f"vocabulary has {dup} duplicate entries (after lower-casing="
                    f"{self.lowercase}); each word must map to one row."
                )
        else:
            counts: Counter[str] = Counter()
            for item in texts:
                parts = item if isinstance(item, tuple) else (item,)
                for part in parts:
                    counts.update(self._norm(w.text) for w in segment_words(part))
            ranked = sorted(
                (w for w, c in counts.items() if c >= self.min_freq),
                key=lambda w: (-counts[w], w),
            )
            words = ranked if self.max_vocab is None else ranked[: self.max_vocab]
        self.itos_ = [PAD, UNK, SEP, MASK, *words]
        self.stoi_ = {w: i for i, w in enumerate(self.itos_)}
        return self

    def _ids(self, words: list[Word]) -> list[int]:
        get, unk = self.stoi_.get, self.unk_id
        return [get(self._norm(w.text), unk) for w in words]

    def _encode(self, texts: list) -> list[EncodedText]:
        if not self.stoi_:
            raise RuntimeError("WordTokenizer is not fitted; call fit(texts) first.")
        out = []
        for item in texts:
            words_a, words_b = _words_of(item)
            ids_a = self._ids(words_a)
            if words_b is None:
                keep = min(len(ids_a), self.max_length)
                ids = ids_a[:keep]
                word_ids = list(range(keep))
                types = None
                n_trunc = len(ids_a) - keep
                words = words_a
            else:
                ids_b = self._ids(words_b)
                na, nb = len(ids_a), len(ids_b)
                budget = max(self.max_length - 1, 0)
                while na + nb > budget:  # longest-first truncation
                    if na >= nb:
                        na -= 1
                    else:
                        nb -= 1
                ids = [*ids_a[:na], self.sep_id, *ids_b[:nb]]
                off = len(words_a)
                word_ids = [*range(na), -1, *range(off, off + nb)]
                types = [0] * (na + 1) + [1] * nb
                n_trunc = len(ids_a) - na + len(ids_b) - nb
                words = words_a + words_b
            if not ids:  # empty text: one [UNK] that belongs to no word keeps shapes valid
                ids, word_ids = [self.unk_id], [-1]
                types = None if types is None else [0]
            out.append(
                EncodedText(
                    text=item,
                    words=words,
                    input_ids=np.asarray(ids, dtype=np.int64),
                    word_ids=np.asarray(word_ids, dtype=np.int64),
                    token_type_ids=None if types is None else np.asarray(types, dtype=np.int64),
                    tokenizer=self,
                    n_truncated_words=n_trunc,
                )
            )
        return out

    def save_state(self, folder: Path) -> dict:
        return {
            "kind": "word",
            "lowercase": self.lowercase,
            "min_freq": self.min_freq,
            "max_vocab": self.max_vocab,
            "max_length": self.max_length,
            "itos": list(self.itos_),
        }

    @classmethod
    def from_state(cls, state: dict, folder: Path) -> WordTokenizer:
        tok = cls(state["lowercase"], state["min_freq"], state["max_vocab"], state["max_length"])
        tok.itos_ = list(state["itos"])
        tok.stoi_ = {w: i for i, w in enumerate(tok.itos_)}
        return tok

    def __repr__(self) -> str:
        return (
            f"WordTokenizer(lowercase={self.lowercase}, min_freq={self.min_freq}, "
            f"max_vocab={self.max_vocab}, max_length={self.max_length}, "
            f"vocab_size={self.vocab_size})"
        )


class HFTokenizer(BaseTextTokenizer):
    """Adapter for any Hugging Face *fast* tokenizer that keeps word alignment.

    Parameters
    ----------
    tokenizer : str, os.PathLike or PreTrainedTokenizerFast
        A model id or local folder (loaded with ``AutoTokenizer.from_pretrained``), or a
        tokenizer object. It must be a fast (Rust) tokenizer, since word alignment comes from
        its ``word_ids()``.
    max_length : int, default=256
        Maximum number of tokens including special tokens (pairs: longest side truncated first).

    Notes
    -----
    Words of the segmentation rule are passed with ``is_split_into_words=True``, so each
    sub-word token maps to exactly one word; special tokens map to no word (``-1``).
    Byte-level BPE tokenizers (RoBERTa, GPT-2) need ``add_prefix_space=True`` for this; it is
    set automatically when loading by name.
    """

    def __init__(self, tokenizer: Any, max_length: int = 256):
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.hf_tokenizer_: Any = None

    def fit(self, texts: Any = None) -> HFTokenizer:
        """Load the tokenizer (texts are ignored: the vocabulary is the model's)."""
        tok = self.tokenizer
        if isinstance(tok, (str, bytes)) or hasattr(tok, "__fspath__"):
            from ._factory import load_hf_tokenizer

            tok = load_hf_tokenizer(str(tok))
        if not getattr(tok, "is_fast", False):
            raise TypeError(
                f"tokenizer {type(tok).__name__} is not a Hugging Face fast tokenizer; word "
                "alignment needs one (load it with AutoTokenizer.from_pretrained(..., "
                "use_fast=True))."
            )
        if tok.pad_token_id is None:
            raise ValueError(
                f"tokenizer {type(tok).__name__} has no pad token; set one first, e.g. "
                "tokenizer.pad_token = tokenizer.eos_token."
            )
        try:
            tok([["a"]], is_split_into_words=True)
        except ValueError as exc:
            raise ValueError(
                f"tokenizer {type(tok).__name__} cannot encode pre-split words ({exc}); create "
                "it with add_prefix_space=True."
            ) from exc
        self.hf_tokenizer_ = tok
        self.pad_id = int(tok.pad_token_id)
        self.unk_id = int(tok.unk_token_id if tok.unk_token_id is not None else tok.pad_token_id)
        self.mask_id = None if tok.mask_token_id is None else int(tok.mask_token_id)
        return self

    @property
    def vocab_size(self) -> int:
        return len(self.hf_tokenizer_)

    def _encode(self, texts: list) -> list[EncodedText]:
        if self.hf_tokenizer_ is None:
            raise RuntimeError("HFTokenizer is not fitted; call fit() first.")
        split = [_words_of(item) for item in texts]
        is_pair = split[0][1] is not None
        first = [[w.text for w in a] for a, _ in split]
        second = [[w.text for w in b] for _, b in split] if is_pair else None
        enc = self.hf_tokenizer_(
            first,
            second,
            is_split_into_words=True,
            truncation=True,
            max_length=self.max_length,
            return_token_type_ids=True,
            return_attention_mask=False,
        )
        out = []
        for i, (item, (words_a, words_b)) in enumerate(zip(texts, split, strict=True)):
            wid = np.array([-1 if w is None else w for w in enc.word_ids(i)], dtype=np.int64)
            words = words_a
            if is_pair:
                side = np.array([-1 if s is None else s for s in enc.sequence_ids(i)])
                wid = np.where((side == 1) & (wid >= 0), wid + len(words_a), wid)
                words = words_a + words_b
            n_seen = len(np.unique(wid[wid >= 0]))
            types = enc.get("token_type_ids")
            out.append(
                EncodedText(
                    text=item,
                    words=words,
                    input_ids=np.asarray(enc["input_ids"][i], dtype=np.int64),
                    word_ids=wid,
                    token_type_ids=None if types is None else np.asarray(types[i], np.int64),
                    tokenizer=self,
                    n_truncated_words=len(words) - n_seen,
                )
            )
        return out

    def save_state(self, folder: Path) -> dict:
        self.hf_tokenizer_.save_pretrained(folder / "tokenizer")
        return {"kind": "hf", "dir": "tokenizer", "max_length": self.max_length}

    @classmethod
    def from_state(cls, state: dict, folder: Path) -> HFTokenizer:
        from ._factory import load_saved_hf_tokenizer

        tok = load_saved_hf_tokenizer(folder / state["dir"])
        return cls(tok, max_length=state["max_length"]).fit()

    def __repr__(self) -> str:
        name = getattr(self.hf_tokenizer_, "name_or_path", None) or self.tokenizer
        return f"HFTokenizer({name!r}, max_length={self.max_length})"


def restore_tokenizer(state: dict, folder: Path) -> BaseTextTokenizer:
    """The tokenizer described by ``state`` (from ``save_state``), files read from ``folder``."""
    kinds = {"word": WordTokenizer, "hf": HFTokenizer}
    if state.get("kind") not in kinds:
        raise ValueError(f"unknown tokenizer kind {state.get('kind')!r} in the saved model.")
    return kinds[state["kind"]].from_state(state, folder)
