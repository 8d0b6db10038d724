"""Word-level explainers with one interface: ``explainer.explain(estimator, X)``.

Perturbation explainers (LIME, SampleShapley, occlusion) need only ``predict_proba`` on raw
strings, so they work on any scikit-learn text classifier; on skinterp estimators they run in
token space (see :mod:`skinterp.explain._perturb`). All of them batch every perturbed variant
of many texts into large model calls.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from ..interface import Explanation, aggregate_token_scores
from ..text import segment_words
from ._perturb import Item, as_items, is_skinterp, predict_variants, unwrap_pipeline

__all__ = [
    "BaseExplainer",
    "GradientExplainer",
    "LimeExplainer",
    "NativeExplainer",
    "OcclusionExplainer",
    "RandomExplainer",
    "ShapleyExplainer",
    "get_explainer",
    "global_importance",
]

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


class NativeExplainer(BaseExplainer):
    """The estimator's own explanation (``estimator.explain``): mask probabilities, attention,
    or gradient x input for the base model."""

    name = "native"

    def _explain_items(self, estimator, items):
        if not hasattr(estimator, "explain"):
            raise TypeError(
                f"{type(estimator).__name__} has no native explanations; use a model-agnostic "
                "explainer: 'occlusion', 'lime', 'shapley' or 'random'."
            )
        X = [it.encoding for it in items] if is_skinterp(estimator) else [it.text for it in items]
        return list(estimator.explain(X))


class GradientExplainer(BaseExplainer):
    """Gradient saliency on the token embeddings (PCT eqs. 1-2).

    Parameters
    ----------
    variant : {"norm", "grad_x_input"}, default="norm"
        ``"norm"``: the L2 norm of the gradient at each token embedding (always >= 0);
        ``"grad_x_input"``: gradient times embedding, summed over dimensions (signed).
    output : {"proba", "logit"}, default="proba"
        Differentiate the predicted class's probability (the model's confidence F, as in PCT)
        or its logit.

    Notes
    -----
    Sub-word token scores are summed into word scores.
    """

    name = "gradient"

    def __init__(self, variant: str = "norm", output: str = "proba"):
        self.variant = variant
        self.output = output

    def _explain_items(self, estimator, items):
        if self.variant not in ("norm", "grad_x_input"):
            raise ValueError(f"variant must be 'norm' or 'grad_x_input', got {self.variant!r}.")
        if self.output not in ("proba", "logit"):
            raise ValueError(f"output must be 'proba' or 'logit', got {self.output!r}.")
        if not is_skinterp(estimator):
            raise TypeError(
                "GradientExplainer needs a skinterp estimator (gradients on its embeddings); "
                f"got {type(estimator).__name__}."
            )
        encs = [it.encoding for it in items]
        scores: list = [None] * len(items)
        proba: list = [None] * len(items)
        for idx, batch in estimator.iter_batches(encs):
            grad, emb, logits = estimator.token_gradients(batch, output=self.output)
            tok = grad.norm(dim=-1) if self.variant == "norm" else (grad * emb).sum(-1)
            words = aggregate_token_scores(
                tok.float().cpu().numpy(),
                batch["word_ids"].cpu().numpy(),
                [items[i].n_words for i in idx],
            )
            p = logits.float().softmax(-1).cpu().numpy()
            for j, i in enumerate(idx):
                scores[i], proba[i] = words[j], p[j]
        return _build(estimator, items, scores, np.array(proba), f"gradient_{self.variant}")


class OcclusionExplainer(BaseExplainer):
    """Leave-one-word-out: a word's score is the drop in the predicted class's probability
    when that word alone is removed (or replaced, see ``perturbation``)."""

    name = "occlusion"

    def __init__(self, perturbation: str = "delete"):
        self.perturbation = perturbation

    def _explain_items(self, estimator, items):
        scores, proba = [None] * len(items), [None] * len(items)
        for group in _chunks(items, lambda it: it.n_words + 1):
            keeps = []
            for i in group:
                d = items[i].n_words
                keeps.append(np.vstack([np.ones((1, d), bool), ~np.eye(d, dtype=bool)]))
            preds = predict_variants(estimator, [items[i] for i in group], keeps, self.perturbation)
            for i, p in zip(group, preds, strict=True):
                c = int(np.argmax(p[0]))
                scores[i] = p[0, c] - p[1:, c]
                proba[i] = p[0]
        return _build(estimator, items, scores, np.array(proba), "occlusion")


class RandomExplainer(BaseExplainer):
    """Uniform random word scores: the floor any explainer should beat."""

    name = "random"

    def __init__(self, random_state: Any = None):
        self.random_state = random_state

    def _explain_items(self, estimator, items):
        rng = check_random_state(self.random_state)
        scores = [rng.uniform(size=it.n_words) for it in items]
        return _build(estimator, items, scores, _full_proba(estimator, items), "random")


class ShapleyExplainer(BaseExplainer):
    """SampleShapley (Strumbelj & Kononenko, 2010): Monte-Carlo estimate of each word's Shapley
    value for the predicted class's probability.

    For each of ``num_samples`` random word orders, words are added one at a time to an empty
    text; a word's marginal contribution is the probability change when it is added. Scores
    are the mean contributions; they sum to ``p(full text) - p(empty text)``. All prefixes of
    all orders of many texts are predicted in one batched pass.

    Parameters
    ----------
    num_samples : int, default=10
        Random permutations per text.
    random_state : int, RandomState or None
    perturbation : {"delete", "mask", "pad", "unk"}, default="delete"
    """

    name = "shapley"

    def __init__(self, num_samples: int = 10, random_state: Any = None, perturbation="delete"):
        self.num_samples = num_samples
        self.random_state = random_state
        self.perturbation = perturbation

    def _explain_items(self, estimator, items):
        if int(self.num_samples) < 1:
            raise ValueError(f"num_samples must be >= 1, got {self.num_samples}.")
        rng = check_random_state(self.random_state)
        m = int(self.num_samples)
        perms = [np.array([rng.permutation(it.n_words) for _ in range(m)]) for it in items]
        scores, proba = [None] * len(items), [None] * len(items)
        for group in _chunks(items, lambda it: m * max(it.n_words - 1, 0) + 2):
            keeps = []
            for i in group:
                d = items[i].n_words
                # prefix j of order r keeps perm[r, :j]; j = 0 (empty) and d (full) are shared
                rank = np.argsort(perms[i], axis=1)  # position of each word in each order
                inner = [(rank < j) for j in range(1, d)]
                middle = np.stack(inner, 1).reshape(-1, d) if inner else np.zeros((0, d), bool)
                keeps.append(np.vstack([np.ones((1, d), bool), np.zeros((1, d), bool), middle]))
            preds = predict_variants(estimator, [items[i] for i in group], keeps, self.perturbation)
            for i, p in zip(group, preds, strict=True):
                d = items[i].n_words
                c = int(np.argmax(p[0]))
                full, empty = p[0, c], p[1, c]
                curve = np.empty((m, d + 1))
                curve[:, 0], curve[:, d] = empty, full
                if d > 1:
                    curve[:, 1:d] = p[2:, c].reshape(m, d - 1)
                gains = np.diff(curve, axis=1)  # gain of the word added at each step
                contrib = np.zeros(d)
                np.add.at(contrib, perms[i].ravel(), gains.ravel())
                scores[i], proba[i] = contrib / m, p[0]
        return _build(estimator, items, scores, np.array(proba), "shapley")


def _lime_split(text: str) -> list[str]:
    return [w.text for w in segment_words(text)]


class LimeExplainer(BaseExplainer):
    """LIME (Ribeiro et al., 2016) through the ``lime`` package, batched across texts.

    Uses ``lime.lime_text.LimeTextExplainer`` with skinterp's word segmentation
    (``split_expression``), position-wise words (``bow=False``) and removed words replaced by a
    space (``mask_string=" "``, so words that touched a removed one are not glued together).
    Perturbation masks are drawn exactly as the package draws them, from
    its ``random_state`` and in text order, so a fixed ``random_state`` gives the same
    explanations as calling ``explain_instance`` text by text; the package's ridge regression
    and kernel (``LimeBase.explain_instance_with_data``) fit the scores. What changes is speed:
    the perturbed variants of many texts go through the model in large batches (in token
    space for skinterp estimators), instead of one ``classifier_fn`` call per text.

    Parameters
    ----------
    num_samples : int, default=1000
        Perturbed samples per text (LIME's default is 5000).
    random_state : int, RandomState or None
    kernel_width : float, default=25
    feature_selection : str, default="auto"
        As in ``lime``; scores are reported for every word.
    """

    name = "lime"

    def __init__(
        self,
        num_samples: int = 1000,
        random_state: Any = None,
        kernel_width: float = 25,
        feature_selection: str = "auto",
    ):
        self.num_samples = num_samples
        self.random_state = random_state
        self.kernel_width = kernel_width
        self.feature_selection = feature_selection

    def lime_explainer(self):
        """The ``LimeTextExplainer`` configured as this explainer uses it."""
        from lime.lime_text import LimeTextExplainer

        return LimeTextExplainer(
            kernel_width=self.kernel_width,
            split_expression=_lime_split,
            bow=False,
            # a removed word becomes a space, so neighbours that touched it (as in
            # "W.Somerset") stay separate words: exactly the token-space deletion
            mask_string=" ",
            feature_selection=self.feature_selection,
            random_state=self.random_state,
        )

    def _explain_items(self, estimator, items):
        from scipy.sparse import csr_matrix
        from sklearn.metrics.pairwise import pairwise_distances

        n = int(self.num_samples)
        if n < 2:
            raise ValueError(f"num_samples must be >= 2, got {self.num_samples}.")
        lime = self.lime_explainer()
        rs = lime.random_state
        # masks drawn exactly like LimeTextExplainer.__data_labels_distances, text by text
        datas = []
        for it in items:
            d = it.n_words
            data = np.ones((n, d))
            if d:
                sizes = rs.randint(1, d + 1, n - 1)
                # the package calls rs.choice(range(d), size, replace=False), which the legacy
                # RandomState implements as permutation(d)[:size]: same stream, less overhead
                for row, size in enumerate(sizes, start=1):
                    data[row, rs.permutation(d)[:size]] = 0
            datas.append(data)
        scores, proba = [None] * len(items), [None] * len(items)
        for group in _chunks(items, lambda it: n):
            preds = predict_variants(
                estimator, [items[i] for i in group], [datas[i] > 0 for i in group]
            )
            for i, yss in zip(group, preds, strict=True):
                d = items[i].n_words
                label = int(np.argmax(yss[0]))
                proba[i] = yss[0]
                if d == 0:
                    scores[i] = np.zeros(0)
                    continue
                sparse = csr_matrix(datas[i])
                distances = pairwise_distances(sparse, sparse[0], metric="cosine").ravel() * 100
                _, local_exp, _, _ = lime.base.explain_instance_with_data(
                    datas[i],
                    yss,
                    distances,
                    label,
                    d,
                    feature_selection=self.feature_selection,
                )
                sc = np.zeros(d)
                for feature, weight in local_exp:
                    sc[feature] = weight
                scores[i] = sc
        return _build(estimator, items, scores, np.array(proba), "lime")


_EXPLAINERS = {
    "native": NativeExplainer,
    "gradient": GradientExplainer,
    "lime": LimeExplainer,
    "shapley": ShapleyExplainer,
    "occlusion": OcclusionExplainer,
    "random": RandomExplainer,
}


def get_explainer(spec: Any) -> BaseExplainer:
    """An explainer from a name (``"native"``, ``"gradient"``, ``"lime"``, ``"shapley"``,
    ``"occlusion"``, ``"random"``) or an object with ``explain(estimator, X)``."""
    if isinstance(spec, str):
        if spec not in _EXPLAINERS:
            raise ValueError(f"unknown explainer {spec!r}; use one of {sorted(_EXPLAINERS)}.")
        return _EXPLAINERS[spec]()
    if hasattr(spec, "explain") and callable(spec.explain):
        return spec
    raise TypeError(
        f"explainer must be a name or an object with explain(estimator, X); got {spec!r}."
    )


def global_importance(estimator: Any, X: Any, explainer: Any = "native", *, lowercase: bool = True):
    """Global word importance: the sum of local scores per word type (SP-LIME style, VMASK §5.2).

    Parameters
    ----------
    estimator : fitted classifier
    X : texts
    explainer : str or explainer, default="native"
    lowercase : bool, default=True
        Merge word types that differ only in case.

    Returns
    -------
    pandas.Series
        Word type -> summed score, sorted from most to least important.
    """
    import pandas as pd

    totals: dict[str, float] = {}
    estimator, X = unwrap_pipeline(estimator, X)
    for exp in get_explainer(explainer).explain(estimator, X):
        for word, score in zip(exp.words, exp.scores, strict=True):
            key = word.lower() if lowercase else word
            totals[key] = totals.get(key, 0.0) + float(score)
    series = pd.Series(totals, dtype=np.float64, name="importance")
    return series.sort_values(ascending=False, kind="stable")
