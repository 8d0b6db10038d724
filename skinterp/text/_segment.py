"""The word segmentation rule: the one definition of an explanation unit.

Every explainer, metric and tokenizer in skinterp works on the *words* this module produces,
so an explanation always maps back to character spans of the user's raw string.

The rule
--------
A word is either

* a maximal run of word characters (``\\w``: letters, digits, underscore, in any script), which may
  contain single inner apostrophes or hyphens joining two runs (``don't``, ``well-made``,
  ``l'amour``), or
* any single other non-space character (punctuation, symbols, each code point of an emoji).

Whitespace separates words and is never part of one. Text is not normalised: the word is
exactly ``text[start:end]``. Lower-casing, if any, is the tokenizer's business, not the rule's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["WORD_PATTERN", "Word", "segment_words"]

#: Compiled regular expression implementing the segmentation rule.
WORD_PATTERN = re.compile(r"\w+(?:['’\-]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class Word:
    """One explanation unit of a raw text.

    Attributes
    ----------
    text : str
        The word exactly as it appears in the raw string.
    start, end : int
        Character offsets: ``raw[start:end] == text``.
    side : int
        0 for single texts and the first text of a pair, 1 for the second text of a pair
        (offsets are then relative to that second text).
    """

    text: str
    start: int
    end: int
    side: int = 0


def segment_words(text: str, side: int = 0) -> list[Word]:
    """Split a raw text into words following the module's segmentation rule.

    Parameters
    ----------
    text : str
        The raw text.
    side : int, default=0
        Side tag stored on each word (1 for the second text of a sentence pair).

    Returns
    -------
    list of Word
        The words in order, with character offsets into ``text``.

    Examples
    --------
    >>> [w.text for w in segment_words("It's a well-made film, isn't it?")]
    ["It's", 'a', 'well-made', 'film', ',', "isn't", 'it', '?']
    """
    if not isinstance(text, str):
        raise TypeError(f"segment_words expects a str, got {type(text).__name__}")
    return [Word(m.group(), m.start(), m.end(), side) for m in WORD_PATTERN.finditer(text)]
