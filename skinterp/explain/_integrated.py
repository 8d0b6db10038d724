"""Integrated gradients on the token embeddings, batched over texts and path steps."""

from __future__ import annotations

import inspect

import numpy as np
import torch

from ._base import BaseExplainer, _from_token_scores
from ._perturb import is_skinterp

__all__ = ["IntegratedGradientsExplainer", "path_steps"]

_METHODS = ("gausslegendre", "riemann_trapezoid")
_BASELINES = ("pad", "zeros")


def path_steps(n_steps: int, method: str = "gausslegendre") -> tuple[np.ndarray, np.ndarray]:
    """Points ``alpha`` in [0, 1] on the straight path and their quadrature weights.

    ``"gausslegendre"``: the ``n_steps``-point Gauss-Legendre rule mapped from [-1, 1] to
    [0, 1] (Captum's default); ``"riemann_trapezoid"``: ``n_steps`` evenly spaced points with
    the trapezoid rule's weights. The weights sum to 1.
    """
    if method == "gausslegendre":
        x, w = np.polynomial.legendre.leggauss(n_steps)
        return (x + 1) / 2, w / 2
    if n_steps < 2:
        raise ValueError("method='riemann_trapezoid' needs n_steps >= 2.")
    w = np.full(n_steps, 1.0 / (n_steps - 1))
    w[[0, -1]] /= 2
    return np.linspace(0.0, 1.0, n_steps), w


class IntegratedGradientsExplainer(BaseExplainer):
    """Integrated gradients (Sundararajan et al., 2017) on the token embeddings.

    A token's score is ``(e - e') . integral_0^1 dF(e' + a (e - e')) / de da`` summed over the
    embedding dimensions, with ``e`` its embedding (the output of the embeddings block for
    transformers, as :class:`GradientExplainer`) and ``e'`` the baseline; ``F`` is the predicted
    class's logit (or probability). Sub-word tokens are summed into words, so a text's word
    scores add up to about ``F(x) - F(baseline)`` (completeness; the gap shrinks with
    ``n_steps``). Every text of a batch and several path steps go through the model in one
    pass.

    Parameters
    ----------
    n_steps : int, default=50
        Points on the path.
    method : {"gausslegendre", "riemann_trapezoid"}, default="gausslegendre"
        Quadrature rule (see :func:`path_steps`); Captum's default is Gauss-Legendre.
    baseline : {"pad", "zeros"}, default="pad"
        ``"pad"``: the embeddings of the same text with every word token replaced by the
        padding token (special tokens kept; for transformers this is Captum's
        ``LayerIntegratedGradients`` recipe with a ``[PAD]`` reference input); ``"zeros"``:
        zero embeddings.
    output : {"logit", "proba"}, default="logit"
        Integrate the gradient of the predicted class's logit or of its probability.
    batch_rows : int, default=256
        Rows (texts x path steps) per model pass; lower it if memory runs short.
    """

    name = "integrated_gradients"

    def __init__(
        self,
        n_steps: int = 50,
        method: str = "gausslegendre",
        baseline: str = "pad",
        output: str = "logit",
        batch_rows: int = 256,
    ):
        self.n_steps = n_steps
        self.method = method
        self.baseline = baseline
        self.output = output
        self.batch_rows = batch_rows

    def _check(self, estimator) -> None:
        if not isinstance(self.n_steps, int) or self.n_steps < 1:
            raise ValueError(f"n_steps must be a positive int, got {self.n_steps!r}.")
        if not isinstance(self.batch_rows, int) or self.batch_rows < 1:
            raise ValueError(f"batch_rows must be a positive int, got {self.batch_rows!r}.")
        for name, value, allowed in (
            ("method", self.method, _METHODS),
            ("baseline", self.baseline, _BASELINES),
            ("output", self.output, ("logit", "proba")),
        ):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}.")
        if not is_skinterp(estimator):
            raise TypeError(
                "IntegratedGradientsExplainer needs a skinterp estimator (gradients on its "
                f"embeddings); got {type(estimator).__name__}."
            )
        if "transform" not in inspect.signature(estimator.token_gradients).parameters:
            raise TypeError(
                f"{type(estimator).__name__}.token_gradients has no 'transform' argument, "
                "which integrated gradients need (see skinterp.interface's model protocol)."
            )

    def _explain_items(self, estimator, items):
        self._check(estimator)
        alphas, weights = path_steps(self.n_steps, self.method)
        return _from_token_scores(
            estimator,
            items,
            lambda batch: self._batch(estimator, batch, alphas, weights),
            "integrated_gradients",
        )

    def _batch(self, estimator, batch, alphas, weights):
        """Token scores ``(B, T)`` and logits of one collated batch."""
        _, emb, logits = estimator.token_gradients(batch, output=self.output)
        target = logits.argmax(1)
        if self.baseline == "pad":
            ids = batch["input_ids"].clone()
            ids[batch["word_ids"] >= 0] = estimator.tokenizer_.pad_id
            _, base, _ = estimator.token_gradients(
                {**batch, "input_ids": ids}, target=target, output=self.output
            )
        else:
            base = torch.zeros_like(emb)
        diff = emb - base
        n = emb.shape[0]
        total = torch.zeros_like(emb)
        per_pass = max(1, self.batch_rows // n)
        for s in range(0, len(alphas), per_pass):
            a = torch.as_tensor(alphas[s : s + per_pass], dtype=emb.dtype, device=emb.device)
            w = torch.as_tensor(weights[s : s + per_pass], dtype=emb.dtype, device=emb.device)
            k = len(a)
            # k copies of the batch, copy j at the path point a[j]
            rows = {key: v.repeat(k, *([1] * (v.dim() - 1))) for key, v in batch.items()}
            start, step = base.repeat(k, 1, 1), diff.repeat(k, 1, 1)
            scale = a.repeat_interleave(n).view(-1, 1, 1)
            grad, _, _ = estimator.token_gradients(
                rows,
                target=target.repeat(k),
                output=self.output,
                transform=lambda _e, start=start, step=step, scale=scale: start + scale * step,
            )
            total += (grad.view(k, *emb.shape) * w.view(-1, 1, 1, 1)).sum(0)
        return (diff * total).sum(-1), logits
