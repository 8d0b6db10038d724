"""Batched, gradient and token-row inference shared by every skinterp estimator."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from skorch.utils import to_tensor
from torch.utils.data import Dataset, Subset

__all__ = ["InferenceMixin"]


class InferenceMixin:
    """Inference helpers of :class:`skinterp.TextClassifier` (needs ``module_``,
    ``tokenizer_``, ``classes_``, ``batch_size`` and ``device``)."""

    def _token_gradients(
        self, batch: dict, target: torch.Tensor | None = None, output: str = "logit"
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Gradient of one class output w.r.t. the token embeddings, for a batch.

        Parameters
        ----------
        batch : dict of tensors on the module's device (a collated batch)
        target : LongTensor (B,) or None
            Class index per example; None = the predicted class.
        output : {"logit", "proba"}
            Differentiate the class logit or its softmax probability.

        Returns
        -------
        grad, emb : Tensor (B, T, E)
            The gradient and the embeddings it was taken at (the embeddings-block output for
            transformers).
        logits : Tensor (B, C)
        """
        captured = {}

        def hook(emb):
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

    def _predict_proba_rows(
        self, rows: list[np.ndarray], types: list[np.ndarray] | None = None
    ) -> np.ndarray:
        """Class probabilities of already tokenized rows (token id arrays), in one batched,
        length-sorted pass with dynamic padding. The fast path of perturbation metrics."""
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


def _lengths(dataset: Dataset) -> np.ndarray:
    if isinstance(dataset, Subset):
        return _lengths(dataset.dataset)[np.asarray(dataset.indices)]
    return dataset.lengths


def _py(value: Any) -> Any:
    """A numpy scalar label as the plain Python value (nicer reprs, JSON-friendly)."""
    return value.item() if isinstance(value, np.generic) else value
