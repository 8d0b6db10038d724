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


#: File names a saved Hugging Face tokenizer folder may hold (what ``save_pretrained`` writes).
SAVED_TOKENIZER_FILES = frozenset(
    {
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "added_tokens.json",
        "chat_template.jinja",
        "chat_template.json",
        "vocab.txt",
        "vocab.json",
        "merges.txt",
    }
)


def load_saved_hf_tokenizer(folder: Any) -> Any:
    """A tokenizer folder written by ``save_pretrained`` inside a saved skinterp model, as data.

    The class is fixed (``PreTrainedTokenizerFast``: the Rust tokenizer of ``tokenizer.json``
    plus the special tokens of its JSON configs), so nothing the folder names is imported, no
    remote code is trusted and nothing is downloaded; a folder with other files is refused.
    """
    from pathlib import Path

    from transformers import PreTrainedTokenizerFast

    folder = Path(folder)
    if not (folder / "tokenizer.json").is_file():
        raise ValueError(f"{folder} holds no tokenizer.json: not a saved fast tokenizer.")
    other = sorted(p.name for p in folder.iterdir() if p.name not in SAVED_TOKENIZER_FILES)
    if other:
        raise ValueError(
            f"{folder} holds files a saved tokenizer does not write: {other}; refusing to load."
        )
    return PreTrainedTokenizerFast.from_pretrained(
        str(folder), local_files_only=True, trust_remote_code=False
    )


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
