"""Tokenization as a scikit-learn pipeline step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._factory import make_tokenizer
from ._input import check_texts
from ._tokenizers import EncodedText

__all__ = ["Tokenizer"]


class Tokenizer(TransformerMixin, BaseEstimator):
    """Scikit-learn transformer: raw texts (or pairs) in, :class:`EncodedText` list out.

    Every skinterp estimator accepts its output in place of raw text, so tokenization can be
    a separate, cacheable pipeline step::

        Pipeline([("tok", Tokenizer()), ("clf", TextClassifier())], memory="cache_dir")

    The encodings keep the raw text and its words, so the classifier's ``explain`` still
    returns words of the raw text.

    Parameters
    ----------
    tokenizer : "word", str, path or tokenizer object, default="word"
        ``"word"`` for a word-vocabulary tokenizer (CNN/LSTM); otherwise a Hugging Face fast
        tokenizer (model id, local folder, or object) for transformer backbones.
    lowercase : bool, default=True
        Word tokenizer only: lower-case before the vocabulary lookup.
    min_freq : int, default=1
        Word tokenizer only: minimum training count of a vocabulary word.
    max_vocab : int or None, default=None
        Word tokenizer only: maximum vocabulary size.
    max_length : int, default=256
        Maximum number of tokens per text.
    vocabulary : sequence of str or None, default=None
        Word tokenizer only: adopt this fixed vocabulary (e.g. of pretrained vectors).

    Attributes
    ----------
    tokenizer_ : BaseTextTokenizer
        The fitted tokenizer.

    Examples
    --------
    >>> from skinterp.text import Tokenizer
    >>> enc = Tokenizer().fit_transform(["a fine film", "a dull film"])
    >>> enc[0].input_ids.tolist(), [w.text for w in enc[0].words]
    ([4, 7, 5], ['a', 'fine', 'film'])
    """

    def __init__(
        self,
        tokenizer: Any = "word",
        lowercase: bool = True,
        min_freq: int = 1,
        max_vocab: int | None = None,
        max_length: int = 256,
        vocabulary: Sequence[str] | None = None,
    ):
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.min_freq = min_freq
        self.max_vocab = max_vocab
        self.max_length = max_length
        self.vocabulary = vocabulary

    def fit(self, X: Any, y: Any = None) -> Tokenizer:
        """Fit the vocabulary (word tokenizer) or load the Hugging Face tokenizer."""
        texts, _ = check_texts(X, allow_encoded=False)
        self.tokenizer_ = make_tokenizer(
            self.tokenizer,
            lowercase=self.lowercase,
            min_freq=self.min_freq,
            max_vocab=self.max_vocab,
            max_length=self.max_length,
            vocabulary=self.vocabulary,
        ).fit(texts)
        return self

    def transform(self, X: Any) -> list[EncodedText]:
        """Encode texts into :class:`EncodedText` items."""
        check_is_fitted(self, "tokenizer_")
        texts, _ = check_texts(X, allow_encoded=False)
        return self.tokenizer_.encode(texts)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.one_d_array = True
        tags.requires_fit = True
        return tags
