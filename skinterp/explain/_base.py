"""What every explainer shares: the base class, the prediction of the unperturbed texts,
building :class:`~skinterp.interface.Explanation` objects, and chunking many texts' variants
into bounded model passes."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from ..interface import Explanation, aggregate_token_scores
from ..text import segment_words
from ._perturb import Item, as_items, predict_variants, unwrap_pipeline

__all__ = ["BaseExplainer", "text_seed"]

_MAX_ROWS = 50_000  # variants predicted per model pass (bounds memory)


def _py(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _full_proba(estimator, items: list[Item]) -> np.ndarray:
    keeps = [np.ones((1, it.n_words), dtype=bool) for it in items]
    return np.vstack(predict_variants(estimator, items, keeps))


def _build(estimator, items, scores, proba, method) -> list[Explanation]:
    classes = estimator.classes_
    out = []
    for item, sc, p in zip(items, scores, proba, strict=True):
        c = int(np.argmax(p))
        spans = []
        if item.encoding is not None:
            spans = [(w.start, w.end) for w in item.encoding.words]
        else:
            parts = item.text if isinstance(item.text, tuple) else (item.text,)
            spans = [(w.start, w.end) for i, t in enumerate(parts) for w in segment_words(t, i)]
        out.append(
            Explanation(
                text=item.text,
                words=list(item.words),
                scores=np.asarray(sc, dtype=np.float64),
                label=_py(classes[c]),
                proba=float(p[c]),
                method=method,
                spans=spans,
                sides=item.sides.copy() if isinstance(item.text, tuple) else None,
            )
        )
    return out


def _from_token_scores(estimator, items, token_scores, method: str) -> list[Explanation]:
    """Explanations from a per-batch function ``token_scores(batch) -> (scores (B, T), logits)``
    on the model's own batches, token scores summed into word scores."""
    scores: list = [None] * len(items)
    proba: list = [None] * len(items)
    for idx, batch in estimator.iter_batches([it.encoding for it in items]):
        tok, logits = token_scores(batch)
        words = aggregate_token_scores(
            tok.float().cpu().numpy(),
            batch["word_ids"].cpu().numpy(),
            [items[i].n_words for i in idx],
        )
        p = logits.float().softmax(-1).cpu().numpy()
        for j, i in enumerate(idx):
            scores[i], proba[i] = words[j], p[j]
    return _build(estimator, items, scores, np.array(proba), method)


def text_seed(random_state: int, text: str | tuple[str, str]) -> int:
    """The seed of one text's own random stream in the random explainers.

    LIME, SampleShapley and the random explainer draw each text's perturbations from
    ``numpy.random.RandomState(text_seed(random_state, text))``, so a text gets the same
    explanation whatever else is explained with it (batch, chunk, Dask worker or order).
    To reproduce a :class:`~skinterp.explain.LimeExplainer` explanation with the ``lime``
    package, pass this seed as the package explainer's ``random_state``.

    Parameters
    ----------
    random_state : int
        The explainer's ``random_state``.
    text : str or (str, str)
        The text (or sentence pair) as given to ``explain``.

    Returns
    -------
    int
        A seed in ``[0, 2**32)``.
    """
    key = text if isinstance(text, str) else "\x1f".join(text)
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    words = np.random.SeedSequence([int(random_state), int.from_bytes(digest, "little")])
    return int(words.generate_state(1)[0])


def _base_seed(random_state: Any) -> int:
    """The ``random_state`` every text's stream is seeded from (see :func:`text_seed`): an
    int as it is; ``None`` or a RandomState draws one for this ``explain`` call."""
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state)
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def _text_stream(base: int, item: Item) -> np.random.RandomState:
    """The text's own random stream."""
    return np.random.RandomState(text_seed(base, item.text))


def _progress(explainer: Any, n_texts: int):
    """A progress bar over texts for explainers with ``verbose > 0`` (stderr, tqdm)."""
    from tqdm.auto import tqdm

    return tqdm(
        total=n_texts,
        unit="text",
        desc=f"{getattr(explainer, 'name', 'explain')} explanations",
        disable=not getattr(explainer, "verbose", 0),
        leave=False,
    )


def _chunks(items: list[Item], rows_per_item) -> list[list[int]]:
    """Group item indices so each group predicts at most ~_MAX_ROWS variants."""
    groups, cur, rows = [], [], 0
    for i, it in enumerate(items):
        r = rows_per_item(it)
        if cur and rows + r > _MAX_ROWS:
            groups.append(cur)
            cur, rows = [], 0
        cur.append(i)
        rows += r
    if cur:
        groups.append(cur)
    return groups


class BaseExplainer(ABC):
    """Base class: ``explain(estimator, X) -> list[Explanation]``."""

    name = "base"

    def explain(self, estimator: Any, X: Any) -> list[Explanation]:
        """Explain the estimator's predictions on ``X`` (texts or pairs)."""
        estimator, X = unwrap_pipeline(estimator, X)
        return self._explain_items(estimator, as_items(estimator, X))

    @abstractmethod
    def _explain_items(self, estimator, items: list[Item]) -> list[Explanation]:
        """Explanations for prepared items (implemented by each explainer)."""

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"
