"""Inputs: validation, tokenizer fitting, ``init_from`` and encoding."""

from __future__ import annotations

import copy
import os
import warnings
from typing import Any

from ..datasets._pretrained import resolve_pretrained
from ..text import EncodedText, check_texts, make_tokenizer

__all__ = ["InputsMixin"]


class InputsMixin:
    """Turns raw input into :class:`~skinterp.text.EncodedText` with the fitted tokenizer."""

    def _init_source(self):
        """The fitted model named by ``init_from`` (unwrapping a FrozenEstimator), the base
        model trained by the warm-up stage, or None."""
        src = self.init_from
        if src is None:
            return getattr(self, "warmup_model_", None)
        src = getattr(src, "estimator", src)  # sklearn.frozen.FrozenEstimator
        if not isinstance(src, InputsMixin):
            raise TypeError(
                f"init_from must be a fitted skinterp estimator, got {type(src).__name__}."
            )
        if not hasattr(src, "module_") or not hasattr(src, "tokenizer_"):
            raise ValueError(
                "init_from is not fitted. If it went through clone() or GridSearchCV, wrap it "
                "as sklearn.frozen.FrozenEstimator(model) so it keeps its weights."
            )
        return src

    def resolved_warmup_epochs(self) -> int:
        """The epochs of plain base-model training that :meth:`fit` runs first: 0 with an
        ``init_from``; for ``warmup_epochs="auto"``, half of ``max_epochs`` (at least 1) when
        the method's paper starts from a fine-tuned backbone, otherwise 0."""
        if self.init_from is not None:
            return 0
        if self.warmup_epochs != "auto":
            return int(self.warmup_epochs)
        when = self._starts_from_fine_tuned
        if when == "always" or (when == "transformer" and self._is_transformer()):
            return max(1, int(self.max_epochs) // 2)
        return 0

    def _fit_tokenizer(self, items: list, kind: str):
        src = self._init_source()
        if src is not None:
            if kind == "encoded":
                self._check_encodings_against(items, src.tokenizer_)
            return src.tokenizer_
        if kind == "encoded":
            tok = items[0].tokenizer
            if any(e.tokenizer is not tok for e in items):
                raise ValueError("X holds encodings made by different tokenizers.")
            return tok
        if self.tokenizer is not None:
            spec = self.tokenizer
        elif self._is_transformer():
            if not isinstance(self.pretrained, (str, os.PathLike)):  # config or model object
                raise ValueError(
                    "pretrained is not a model id or path, so the tokenizer cannot be derived "
                    "from it; pass tokenizer=<id, folder or fast tokenizer object>."
                )
            spec = resolve_pretrained(self.pretrained)
        else:
            spec = "word"
        spec = copy.deepcopy(spec) if not isinstance(spec, str) else spec
        tok = make_tokenizer(
            spec,
            lowercase=self.lowercase,
            min_freq=self.min_freq,
            max_vocab=self.max_vocab,
            max_length=self.max_length,
        )
        return tok.fit(items)

    def _encode(self, items: list, kind: str, fitting: bool = False) -> list[EncodedText]:
        """Encode validated input with the fitted tokenizer, checking it matches the model."""
        if kind == "encoded":
            self._check_encodings(items)
            pair = items[0].is_pair
        else:
            pair = kind == "pair"
        if fitting:
            self.input_kind_ = "pair" if pair else "text"
        elif ("pair" if pair else "text") != self.input_kind_:
            got = "sentence pairs" if pair else "single texts"
            want = "sentence pairs" if self.input_kind_ == "pair" else "single texts"
            raise ValueError(f"X holds {got}, but this model was trained on {want}.")
        return items if kind == "encoded" else self.tokenizer_.encode(items)

    def _check_encodings(self, items: list[EncodedText]) -> None:
        if hasattr(self, "tokenizer_"):
            self._check_encodings_against(items, self.tokenizer_)

    @staticmethod
    def _check_encodings_against(items: list[EncodedText], mine) -> None:
        for tok in {id(e.tokenizer): e.tokenizer for e in items}.values():
            same = tok is mine or (
                type(tok) is type(mine)
                and tok.vocab_size == mine.vocab_size
                and getattr(tok, "itos_", None) == getattr(mine, "itos_", None)
            )
            if not same:
                raise ValueError(
                    "X was encoded by a tokenizer that differs from the one this model was "
                    f"trained with ({tok!r} vs {mine!r}); encode X with the same Tokenizer."
                )

    def _warn_if_no_words(self, encodings: list[EncodedText]) -> None:
        """Warn when every training text is empty: no words can be learned."""
        if encodings and not any(len(e.words) for e in encodings):
            warnings.warn(
                f"{type(self).__name__}: all {len(encodings)} training texts are empty (no "
                "words), so no words were learned; every prediction will be the same.",
                UserWarning,
                stacklevel=4,
            )

    def _check_fitted(self) -> None:
        self.check_is_fitted(["module_", "tokenizer_", "classes_"])

    def encode(self, X: Any) -> list[EncodedText]:
        """Model protocol: validate ``X`` and encode it with the fitted tokenizer.

        Parameters
        ----------
        X : str sequence, (str, str) pairs, 2-column DataFrame or list of EncodedText

        Returns
        -------
        list of EncodedText
            One per text, with its words and the token ids and word index of every token.
        """
        self._check_fitted()
        items, kind = check_texts(X)
        return self._encode(items, kind)

    _prepare = encode  # the name used before the model protocol
