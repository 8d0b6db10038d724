"""Dataset, dynamic-padding collate and length-bucketing sampler for encoded texts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import torch
from torch.utils.data import Dataset, Sampler

from ._tokenizers import EncodedText

__all__ = ["BucketBatchSampler", "Collator", "TextDataset"]


class TextDataset(Dataset):
    """A torch dataset over :class:`EncodedText` items and optional integer labels.

    Exposes ``X`` and ``y`` so skorch's ``ValidSplit`` can stratify on ``y``.
    """

    def __init__(self, encodings: Sequence[EncodedText], y: np.ndarray | None = None):
        self.X = list(encodings)
        self.y = None if y is None else np.asarray(y)
        self.lengths = np.fromiter((len(e) for e in self.X), dtype=np.int64, count=len(self.X))

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i: int) -> tuple[EncodedText, int | None]:
        return self.X[i], (None if self.y is None else self.y[i])


class Collator:
    """Pad a batch of encodings to its longest member (dynamic padding).

    Parameters
    ----------
    pad_id : int
        Token id used for padding.
    pad_to : int or None, default=None
        Pad every batch to this fixed length instead (static padding; used by benchmarks).

    Returns (from ``__call__``)
    ---------------------------
    X : dict of tensors
        ``input_ids``, ``attention_mask``, ``word_ids`` (``-1`` for special tokens and
        padding) and, when the tokenizer makes them, ``token_type_ids``; all ``(B, T)``.
    y : LongTensor of shape (B,) or None
    """

    def __init__(self, pad_id: int, pad_to: int | None = None):
        self.pad_id = pad_id
        self.pad_to = pad_to

    def __call__(self, batch: list[tuple[EncodedText, int | None]]) -> tuple[dict, torch.Tensor]:
        encs = [e for e, _ in batch]
        lengths = np.fromiter((len(e) for e in encs), dtype=np.int64, count=len(encs))
        width = int(lengths.max()) if self.pad_to is None else max(self.pad_to, int(lengths.max()))
        n = len(encs)
        input_ids = np.full((n, width), self.pad_id, dtype=np.int64)
        word_ids = np.full((n, width), -1, dtype=np.int64)
        has_types = encs[0].token_type_ids is not None
        types = np.zeros((n, width), dtype=np.int64) if has_types else None
        for i, e in enumerate(encs):
            m = len(e)
            input_ids[i, :m] = e.input_ids
            word_ids[i, :m] = e.word_ids
            if has_types:
                types[i, :m] = e.token_type_ids
        mask = np.arange(width)[None, :] < lengths[:, None]
        X = {
            "input_ids": torch.from_numpy(input_ids),
            "attention_mask": torch.from_numpy(mask.astype(np.int64)),
            "word_ids": torch.from_numpy(word_ids),
        }
        if has_types:
            X["token_type_ids"] = torch.from_numpy(types)
        labels = [lab for _, lab in batch]
        y = None if labels[0] is None else torch.as_tensor(np.asarray(labels), dtype=torch.long)
        return X, y


class BucketBatchSampler(Sampler[list[int]]):
    """Batches of similar length, so dynamic padding wastes little.

    Indices are shuffled, cut into pools of ``batch_size * pool_factor``, sorted by length
    inside each pool, cut into batches, and the batches are shuffled. Randomness comes from
    ``generator`` (seeded by the estimator), so runs are reproducible.

    Parameters
    ----------
    lengths : array of int
        Token count of each example.
    batch_size : int
    shuffle : bool, default=True
        If False, batches follow the global length order (for inference).
    pool_factor : int, default=50
    generator : torch.Generator or None
    """

    def __init__(
        self,
        lengths: np.ndarray,
        batch_size: int,
        shuffle: bool = True,
        pool_factor: int = 50,
        generator: torch.Generator | None = None,
    ):
        self.lengths = np.asarray(lengths)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.pool_factor = pool_factor
        self.generator = generator

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self) -> Iterator[list[int]]:
        n = len(self.lengths)
        if not self.shuffle:
            order = np.argsort(self.lengths, kind="stable")
            for s in range(0, n, self.batch_size):
                yield order[s : s + self.batch_size].tolist()
            return
        perm = torch.randperm(n, generator=self.generator).numpy()
        pool = self.batch_size * self.pool_factor
        batches = []
        for s in range(0, n, pool):
            chunk = perm[s : s + pool]
            chunk = chunk[np.argsort(self.lengths[chunk], kind="stable")]
            batches.extend(
                chunk[b : b + self.batch_size] for b in range(0, len(chunk), self.batch_size)
            )
        for j in torch.randperm(len(batches), generator=self.generator).tolist():
            yield batches[j].tolist()
