"""Building an unfitted tokenizer from a spec ("word", a model id, a folder, an object)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._tokenizers import BaseTextTokenizer, HFTokenizer, WordTokenizer

__all__ = ["make_tokenizer"]


def load_hf_tokenizer(name: str) -> Any:
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(name, use_fast=True)
        try:
            tok([["a"]], is_split_into_words=True)
        except ValueError:
            tok = AutoTokenizer.from_pretrained(name, use_fast=True, add_prefix_space=True)
    except OSError as exc:
        raise OSError(
            f"could not load a tokenizer from {name!r}: it is neither a local folder with "
            f"tokenizer files nor a reachable model id ({exc})."
        ) from exc
    return tok


def make_tokenizer(
    spec: Any = "word",
    *,
    lowercase: bool = True,
    min_freq: int = 1,
    max_vocab: int | None = None,
    max_length: int = 256,
    vocabulary: Sequence[str] | None = None,
) -> BaseTextTokenizer:
    """Build an unfitted tokenizer from a spec.

    Parameters
    ----------
    spec : "word", str, path or tokenizer object
        ``"word"`` gives a :class:`WordTokenizer`; a :class:`BaseTextTokenizer` is used as is;
        anything else (model id, folder, HF tokenizer object) gives an :class:`HFTokenizer`.
    lowercase, min_freq, max_vocab, vocabulary
        Options of :class:`WordTokenizer` (ignored by Hugging Face tokenizers).
    max_length : int, default=256
        Maximum tokens per text.
    """
    if isinstance(spec, BaseTextTokenizer):
        return spec
    if isinstance(spec, str) and spec == "word":
        return WordTokenizer(
            lowercase=lowercase,
            min_freq=min_freq,
            max_vocab=max_vocab,
            max_length=max_length,
            vocabulary=vocabulary,
        )
    return HFTokenizer(spec, max_length=max_length)
