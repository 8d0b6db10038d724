"""Word-level saliency and input reduction on collated token batches (PCT, Entropy).

Everything works on whole batches: word saliency is one gradient pass, a set of reduced
texts is one gather, so training-time augmentation never loops over sentences in Python.
Word ids of the surviving tokens keep their original values, so scores of a reduced text
map straight back to the words of the original one.
"""

from __future__ import annotations

import torch

__all__ = ["beam_input_reduction", "drop_words", "word_saliency"]


def _n_words(word_ids: torch.Tensor) -> torch.Tensor:
    return (word_ids.max(1).values + 1).clamp_min(0)


def word_saliency(
    net, batch: dict, target: torch.Tensor, n_words: int | None = None
) -> torch.Tensor:
    """Gradient saliency of every word (PCT eqs. 1-2), shape ``(B, W)``.

    The L2 norm of the gradient of the ``target`` class probability at each token embedding,
    summed over a word's sub-words, in evaluation mode. Gradients are taken with respect to
    the embeddings only (``torch.autograd.grad``), so no parameter's ``.grad`` changes.
    Words absent from a row (removed, or beyond its length) score 0.
    """
    grad, _, _ = net.token_gradients(batch, target=target, output="proba")
    tok = grad.norm(dim=-1).float()
    wid = batch["word_ids"]
    W = int(_n_words(wid).max()) if n_words is None else n_words
    out = torch.zeros(len(wid), W + 1, device=tok.device)
    out.scatter_add_(1, torch.where(wid >= 0, wid, W), tok)
    return out[:, :W]


def drop_words(
    batch: dict, keep: torch.Tensor, rows: torch.Tensor | None = None, pad_id: int = 0
) -> dict:
    """The texts of ``batch`` (rows ``rows``) with the words where ``keep`` is False deleted.

    Parameters
    ----------
    batch : dict of (B, T) tensors
        ``input_ids``, ``attention_mask``, ``word_ids`` and optionally ``token_type_ids``.
    keep : bool Tensor (R, W)
        Word keep-mask per output row, indexed by the batch's word ids; special tokens
        (``word_id == -1``) are always kept.
    rows : LongTensor (R,) or None
        Which batch row each output row reduces; None = ``arange(B)``.
    pad_id : int, default=0

    Returns
    -------
    dict of (R, T') tensors, tokens compacted to the left and padded to the longest row.
    """
    if rows is None:
        rows = torch.arange(len(keep), device=keep.device)
    ids, am = batch["input_ids"][rows], batch["attention_mask"][rows].bool()
    wid = batch["word_ids"][rows]
    T = ids.shape[1]
    if keep.shape[1] == 0:
        keep_tok = am.clone()
    else:
        keep_tok = am & ((wid < 0) | keep.gather(1, wid.clamp(0, keep.shape[1] - 1)))
    pos = torch.arange(T, device=ids.device)
    order = torch.argsort((~keep_tok).long() * T + pos, dim=1)  # kept tokens first, in order
    lengths = keep_tok.sum(1)
    width = max(int(lengths.max()) if len(lengths) else 0, 1)
    order = order[:, :width]
    real = pos[:width].unsqueeze(0) < lengths.unsqueeze(1)
    out = {
        "input_ids": ids.gather(1, order).masked_fill(~real, pad_id),
        "attention_mask": real.to(am.dtype if am.dtype != torch.bool else torch.long),
        "word_ids": wid.gather(1, order).masked_fill(~real, -1),
    }
    if batch.get("token_type_ids") is not None:
        out["token_type_ids"] = batch["token_type_ids"][rows].gather(1, order).masked_fill(~real, 0)
    return out


@torch.no_grad()
def _proba(net, batch: dict) -> torch.Tensor:
    net.module_.eval()
    logits, _ = net.module_(**batch)
    return torch.softmax(logits.float(), -1)


def beam_input_reduction(
    net, batch: dict, beam_size: int = 1, max_steps: int | None = None
) -> torch.Tensor:
    """Input reduction (Feng et al., 2018): remove the least salient word while the
    prediction stays, with a beam; returns the word keep-mask ``(B, W)`` of each text's
    shortest reduction.

    Every step, each of a text's (up to) ``beam_size`` current reductions proposes removing
    each of its ``beam_size`` least salient remaining words (saliency recomputed on the
    reduced text, :func:`word_saliency`); proposals that change the model's prediction of the
    original text are discarded and the ``beam_size`` most confident distinct ones are kept.
    A text stops when no proposal survives, when one word is left, or after ``max_steps``
    removals. ``beam_size=1`` is Feng et al.'s greedy reduction. Each step is one gradient
    pass and one forward pass over all active reductions of the batch.
    """
    was_training = net.module_.training
    wid = batch["word_ids"]
    B = len(wid)
    n = _n_words(wid)
    W = int(n.max()) if B else 0
    dev = wid.device
    real = torch.arange(W, device=dev).unsqueeze(0) < n.unsqueeze(1)
    best = real.clone()
    if W == 0:
        return best
    target = _proba(net, batch).argmax(1)
    keep, owner = real, torch.arange(B, device=dev)
    steps = W - 1 if max_steps is None else min(max_steps, W - 1)
    for _ in range(steps):
        sal = word_saliency(
            net, drop_words(batch, keep, owner, net.tokenizer_.pad_id), target[owner], n_words=W
        )
        left = keep.sum(1)
        b = min(beam_size, W)
        cand_word = sal.masked_fill(~keep, float("inf")).topk(b, dim=1, largest=False).indices
        ok = keep.gather(1, cand_word) & (left > 1).unsqueeze(1)
        c_owner = owner.repeat_interleave(b)[ok.flatten()]
        c_keep = keep.repeat_interleave(b, 0)[ok.flatten()]
        c_keep[torch.arange(len(c_keep), device=dev), cand_word.flatten()[ok.flatten()]] = False
        if not len(c_keep):
            break
        p = _proba(net, drop_words(batch, c_keep, c_owner, net.tokenizer_.pad_id))
        same = p.argmax(1) == target[c_owner]
        c_owner, c_keep, conf = c_owner[same], c_keep[same], p[same, target[c_owner[same]]]
        if not len(c_owner):
            break
        # distinct reductions only (two removal orders can reach the same set of words)
        key = torch.cat([c_owner.unsqueeze(1), c_keep.long()], 1)
        _, inverse = torch.unique(key, dim=0, return_inverse=True)
        first = torch.full((int(inverse.max()) + 1,), len(key), device=dev)
        first.scatter_reduce_(0, inverse, torch.arange(len(key), device=dev), "amin")
        c_owner, c_keep, conf = c_owner[first], c_keep[first], conf[first]
        # the beam_size most confident per text: sort by confidence, then stably by text
        o = torch.argsort(conf, descending=True, stable=True)
        o = o[torch.argsort(c_owner[o], stable=True)]
        c_owner, c_keep = c_owner[o], c_keep[o]
        start = torch.searchsorted(c_owner, c_owner, side="left")
        rank = torch.arange(len(c_owner), device=dev) - start
        sel = rank < beam_size
        owner, keep = c_owner[sel], c_keep[sel]
        best[owner[rank[sel] == 0]] = keep[rank[sel] == 0]
    net.module_.train(was_training)
    return best
