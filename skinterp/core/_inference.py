"""Inference: prediction, embedding, the native explanation and the model protocol."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from skorch import NeuralNet
from skorch.utils import to_tensor
from torch.utils.data import Dataset, Subset

from ..interface import Explanation, aggregate_token_scores
from ..text import Collator, EncodedText, TextDataset, check_k

__all__ = ["InferenceMixin", "lengths_of", "py_value"]


class InferenceMixin:
    """Prediction, embedding, native explanation and the model protocol (``encode``,
    ``iter_batches``, ``token_gradients``, ``predict_proba_tokens``) that explainers and
    metrics use; needs ``module_``, ``tokenizer_``, ``classes_``, ``batch_size``, ``device``."""

    def token_gradients(
        self,
        batch: dict,
        target: torch.Tensor | None = None,
        output: str = "logit",
        transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Model protocol: gradient of one class output w.r.t. the token embeddings, for a batch.

        Parameters
        ----------
        batch : dict of tensors on the module's device (a collated batch)
        target : LongTensor (B,) or None
            Class index per example; None = the predicted class.
        output : {"logit", "proba"}
            Differentiate the class logit or its softmax probability.
        transform : callable or None
            Maps the embeddings ``(B, T, E)`` to the ones the model continues with (e.g. a
            point on the path of integrated gradients); the gradient is taken there.

        Returns
        -------
        grad, emb : Tensor (B, T, E)
            The gradient and the embeddings it was taken at (the embeddings-block output for
            transformers; after ``transform``).
        logits : Tensor (B, C)
        """
        captured = {}

        def hook(emb):
            emb = emb.detach() if transform is None else transform(emb.detach())
            emb = emb.detach().requires_grad_(True)
            captured["emb"] = emb
            return emb

        self.module_.eval()
        with torch.enable_grad():
            logits, _ = self.module_(**batch, embedding_hook=hook)
            if target is None:
                target = logits.argmax(1)
            out = logits if output == "logit" else torch.softmax(logits, -1)
            chosen = out.gather(1, target.view(-1, 1).to(out.device)).sum()
            (grad,) = torch.autograd.grad(chosen, captured["emb"])
        return grad, captured["emb"].detach(), logits.detach()

    def _inference_batch_size(self) -> int:
        return max(self.batch_size, 128)

    _token_gradients = token_gradients  # names used before the model protocol

    def predict_proba_tokens(
        self, rows: list[np.ndarray], types: list[np.ndarray] | None = None
    ) -> np.ndarray:
        """Model protocol: class probabilities of already tokenized rows (token id arrays),
        in one batched, length-sorted pass with dynamic padding (perturbation fast path)."""
        self._check_fitted()
        n = len(rows)
        if n == 0:
            return np.zeros((0, len(self.classes_)), dtype=np.float32)
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=n)
        order = np.argsort(lengths, kind="stable")
        out = np.empty((n, len(self.classes_)), dtype=np.float32)
        pad = self.tokenizer_.pad_id
        bs = self._inference_batch_size()
        self.module_.eval()
        with torch.no_grad():
            for s in range(0, n, bs):
                idx = order[s : s + bs]
                width = int(lengths[idx[-1]])
                ids = np.full((len(idx), width), pad, dtype=np.int64)
                tt = None if types is None else np.zeros((len(idx), width), dtype=np.int64)
                for j, i in enumerate(idx):
                    ids[j, : lengths[i]] = rows[i]
                    if tt is not None:
                        tt[j, : lengths[i]] = types[i]
                mask = (np.arange(width)[None, :] < lengths[idx][:, None]).astype(np.int64)
                batch = {"input_ids": ids, "attention_mask": mask}
                if tt is not None:
                    batch["token_type_ids"] = tt
                logits, _ = self.module_(**to_tensor(batch, device=self.device))
                out[idx] = torch.softmax(logits.float(), -1).cpu().numpy()
        return out

    def _sorted_dataset(self, encodings: list[EncodedText]) -> tuple[TextDataset, np.ndarray]:
        """Length-sorted dataset (dynamic padding then wastes ~nothing) and its permutation."""
        order = np.argsort([len(e) for e in encodings], kind="stable")
        return TextDataset([encodings[i] for i in order]), order

    @staticmethod
    def _unsort(values: np.ndarray, order: np.ndarray) -> np.ndarray:
        out = np.empty_like(values)
        out[order] = values
        return out

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes); columns follow ``classes_``."""
        if isinstance(X, Dataset):  # skorch internals (callbacks) pass datasets
            return NeuralNet.predict_proba(self, X)
        encodings = self.encode(X)
        _warn_empty(encodings, "its prediction is the model's answer for an empty text")
        dataset, order = self._sorted_dataset(encodings)
        return self._unsort(NeuralNet.predict_proba(self, dataset), order)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels (elements of ``classes_``)."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def embed(self, X: Any) -> np.ndarray:
        """Pooled sentence representations, shape (n_samples, output_dim), as numpy."""
        dataset, order = self._sorted_dataset(self.encode(X))
        parts = [extras["pooled"].numpy() for _, extras in self.forward_iter(dataset)]
        return self._unsort(np.concatenate(parts), order)

    def iter_batches(self, encodings: list[EncodedText]):
        """Model protocol: yield ``(indices, batch)`` over ``encodings`` in length order; ``batch``
        is a collated dict of tensors on the module's device (``word_ids`` included)."""
        dataset, order = self._sorted_dataset(encodings)
        collate = Collator(self.tokenizer_.pad_id)
        bs = self.batch_size
        for s in range(0, len(dataset), bs):
            Xb, _ = collate([dataset[i] for i in range(s, min(s + bs, len(dataset)))])
            yield order[s : s + bs], to_tensor(Xb, device=self.device)

    def _native_token_scores(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """Hook: ``(token_scores (B, T), logits (B, C))`` for the native explanation.

        Base: gradient x input on the token embeddings (the output of the embeddings block for
        transformers), for the predicted class logit, summed over the embedding dimension.
        """
        grad, emb, logits = self.token_gradients(batch)
        return (grad * emb).sum(-1), logits

    def explain(self, X: Any, k: int | None = None) -> Explanation | list[Explanation]:
        """Word-level explanations of the model's own predictions.

        Parameters
        ----------
        X : str, (str, str), EncodedText, or a sequence of them
            A single text gives one :class:`~skinterp.explain.Explanation`, a sequence a list.
        k : int or None, default=None
            Default number of words reported by ``Explanation.top_k()`` and ``repr``
            (scores are always computed for every word).

        Returns
        -------
        Explanation or list of Explanation
        """
        if k is not None:
            k = check_k(k)
        single = isinstance(X, (str, EncodedText)) or (
            isinstance(X, tuple) and len(X) == 2 and all(isinstance(t, str) for t in X)
        )
        encodings = self.encode([X] if single else X)
        _warn_empty(encodings, "its explanation has no words")
        out: list[Explanation | None] = [None] * len(encodings)
        # a word vocabulary maps every unseen word to [UNK]; sub-word tokenizers rarely do
        unk = (
            getattr(self.tokenizer_, "unk_id", None) if hasattr(self.tokenizer_, "itos_") else None
        )
        self.module_.eval()
        for idx, batch in self.iter_batches(encodings):
            scores, logits = self._native_token_scores(batch)
            proba = torch.softmax(logits.float(), -1).cpu().numpy()
            word_scores = aggregate_token_scores(
                scores.float().cpu().numpy(),
                batch["word_ids"].cpu().numpy(),
                [len(encodings[i].words) for i in idx],
                reduce=self._word_aggregation,
            )
            for j, i in enumerate(idx):
                enc = encodings[i]
                c = int(proba[j].argmax())
                unknown = None
                if unk is not None and len(enc.words):  # words outside the vocabulary
                    wid = np.asarray(enc.word_ids)
                    on = wid >= 0
                    n_tok = np.bincount(wid[on], minlength=len(enc.words))
                    n_unk = np.bincount(
                        wid[on],
                        weights=np.asarray(enc.input_ids)[on] == unk,
                        minlength=len(enc.words),
                    )
                    unknown = (n_tok > 0) & (n_unk == n_tok)
                out[i] = Explanation(
                    text=enc.text,
                    words=[w.text for w in enc.words],
                    scores=word_scores[j],
                    label=py_value(self.classes_[c]),
                    proba=float(proba[j, c]),
                    method=self._native_method,
                    spans=[(w.start, w.end) for w in enc.words],
                    sides=np.array([w.side for w in enc.words]) if enc.is_pair else None,
                    k=k,
                    unknown=unknown,
                )
        return out[0] if single else out

    _predict_proba_rows = predict_proba_tokens
    _batches = iter_batches


def _warn_empty(encodings: list, consequence: str) -> None:
    """One warning per call when texts have no words (the documented empty-input policy:
    they are valid input, answered, and said so)."""
    n = sum(not e.words for e in encodings if isinstance(e, EncodedText))
    if n:
        warnings.warn(
            f"{n} of {len(encodings)} texts have no words (empty, or only spaces); {consequence}.",
            UserWarning,
            stacklevel=3,
        )


def lengths_of(dataset: Dataset) -> np.ndarray:
    """Token counts of a TextDataset (or a Subset of one)."""
    if isinstance(dataset, Subset):
        return lengths_of(dataset.dataset)[np.asarray(dataset.indices)]
    return dataset.lengths


def py_value(value: Any) -> Any:
    """A numpy scalar label as the plain Python value (nicer reprs, JSON-friendly)."""
    return value.item() if isinstance(value, np.generic) else value
