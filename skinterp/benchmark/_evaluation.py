"""One run's evaluation: the explainer, the test sample and the metrics record, through
:func:`skinterp.metrics.evaluate`."""

from __future__ import annotations

import numpy as np

from ._config import DATASETS, EVALUATION_METRICS, Run


def record_config(
    run: Run, evaluation: dict, protocols: dict, n_train: int, dev: tuple | None, n_eval: int
) -> dict:
    """The ``config`` block of a run's record: how it was fitted and measured; ``dev`` is
    :func:`dev_texts`' answer (None: no dev split)."""
    return {
        "estimator": run.estimator,
        "params": dict(run.params),
        "init_from_base": run.init_from_base,
        "n_train": n_train,
        # texts of the data set's dev split the epoch was picked on (0: none given)
        "n_dev": 0 if dev is None else len(dev[0]),
        "n_eval": n_eval,
        "eval_sample": run.eval_sample,
        "eval_seed": run.eval_seed,
        "eval_max_words": run.max_words,
        "evaluation": evaluation,
        "protocols": {n: p for n, p in (protocols or {}).items() if run.method in p["methods"]},
    }


def _explainer(evaluation: dict):
    """The explainer that ranks words for every metric: a name, with constructor arguments."""
    from ..explain import get_explainer

    name, params = evaluation["explainer"], evaluation["explainer_params"]
    return type(get_explainer(name))(**params) if params else get_explainer(name)


def _metrics(clf, X, y, run: Run, evaluation: dict, lexicon, judge=None) -> dict:
    """The run's metrics from one :func:`skinterp.metrics.evaluate` call, as the flat record
    the tables read (``aopc@k``, ``posthoc@k``, ``posthoc_curve``, ``plausibility@k``, ...).

    ``evaluation["metrics"]`` chooses what is computed; NAOPC also needs ``naopc_k > 0`` and
    plausibility a sentiment data set."""
    from ..metrics import evaluate

    if evaluation.get("n_texts"):  # a protocol measured on the first n evaluation texts
        X, y = X[: evaluation["n_texts"]], y[: evaluation["n_texts"]]
    ks = list(evaluation["k"])
    wanted = set(evaluation["metrics"])
    if not evaluation["naopc_k"]:
        wanted.discard("naopc")
    plausible = run.plausibility and lexicon is not None
    if not plausible:
        wanted.discard("plausibility")
    metrics = [m for m in EVALUATION_METRICS if m in wanted and m != "decisiveness"]
    report = evaluate(
        clf,
        X,
        y,
        metrics=metrics,
        explainers=[_explainer(evaluation)],
        k=ks,
        curve_k=int(evaluation["curve_k"]),
        size=evaluation["size"],
        lexicon=lexicon if plausible else None,
        judge=judge,
        naopc_k=int(evaluation["naopc_k"]) or None,
        # the bounds need ~2 x beam_width x n_words forward passes per text and level, so
        # profiles may evaluate NAOPC on a prefix of the evaluation texts
        naopc_n=int(evaluation["naopc_n_eval"]) or None,
        beam_width=int(evaluation["naopc_beam_width"]),
        progress=False,
    )
    values = dict(zip(report["metric"], report["value"], strict=True))
    out = {"accuracy": values["accuracy"]}
    if "confidence" in wanted:
        out["confidence"] = values["confidence"]
    if "aopc" in wanted:
        out.update({f"aopc@{k}": values[f"aopc@{k}"] for k in ks})
        (curve,) = report.attrs["curves"]["aopc"].values()
        out["aopc_curve"] = list(curve)
        # SCC eq. 11 reports the drop at k itself, not the average over 1..k
        out.update({f"drop@{k}": curve[k - 1] for k in ks})
    if "posthoc_accuracy" in wanted:
        (curve,) = report.attrs["curves"]["posthoc_accuracy"].values()
        out["posthoc_curve"] = list(curve)
        out["posthoc_mean"] = float(np.mean(curve))  # the curve's average over k = 1..curve_k
    if "accuracy_drop" in wanted:
        # VAT Table 3: the judge's accuracy lost by deleting the top-k words
        out.update({f"accdrop@{k}": values[f"accuracy_drop@{k}"] for k in ks})
    for key in ("comprehensiveness", "sufficiency", "IR#", "UR#", "I-Var", "U-Var"):
        if key in values:
            out[key] = values[key]
    if "naopc" in wanted:
        key = f"naopc@{evaluation['naopc_k']}"
        out[key] = values[key]
    if "posthoc_accuracy" in wanted:
        out.update({f"posthoc@{k}": values[f"posthoc_accuracy@{k}"] for k in ks})
    if "decisiveness" in wanted:
        out.update(_decisiveness(clf, X))
    if "plausibility" in wanted:
        for k in ks:
            out[f"plausibility@{k}"] = {
                m: values[f"{m}@{k}"] for m in ("precision", "recall", "f1")
            }
    return out


def _decisiveness(clf, X) -> dict:
    """How decisive the model's own (native) explanations of ``X`` are, as its training history
    records it per epoch (:class:`skinterp.callbacks.Decisiveness`): the keep probabilities'
    ``keep_q10/q50/q90/spread`` for masks and gates, ``attn_entropy`` for attention; nothing
    for a model without such scores (the base model, PCT)."""
    from ..callbacks import Decisiveness

    kind = getattr(clf, "_decisiveness", None)
    if kind is None:
        return {}
    return Decisiveness(kind).initialize().measure(clf, clf.encode(X))


def cut_texts(X, max_words: int | None) -> list:
    """Texts cut to their first ``max_words`` words (all of each with None or 0), as the
    harness evaluates them: every word then lies in the model's window (a truncated word has
    no score, and removing it changes nothing, which would skew sufficiency and UR#)."""
    X = list(X)

    def ok(x) -> bool:  # a text, or a sentence pair (each side cut alike)
        if isinstance(x, tuple):
            return len(x) == 2 and all(isinstance(t, str) for t in x)
        return isinstance(x, str)

    bad = next((i for i, x in enumerate(X) if not ok(x)), None)
    if bad is not None:
        raise TypeError(f"X[{bad}] is a {type(X[bad]).__name__}, not a text or a pair of texts.")
    if not max_words:
        return X

    def cut(t: str) -> str:
        return " ".join(t.split()[:max_words])

    return [tuple(map(cut, x)) if isinstance(x, tuple) else cut(x) for x in X]


def load_data(name: str, files: dict | None = None):
    """A benchmark data set by its name.

    Parameters
    ----------
    name : str
        A key of ``DATASETS`` (``"rotten_tomatoes"``, ``"tweets"``, ``"bbc_news"``, ...) or of
        ``files``.
    files : dict, optional
        A configuration's ``[files]`` tables: data sets read from the user's files with
        :func:`skinterp.datasets.load_file`, split with a fixed seed (``test``: a share or a
        file; ``dev``: a share of the training rows).

    Returns
    -------
    Bunch
        What the data set's loader in :mod:`skinterp.datasets` returns: ``X_train``,
        ``y_train``, ``X_valid``, ``y_valid``, ``X_test``, ``y_test``, ``target_names``.
    """
    from .. import datasets

    if files and name in files:
        return _load_file_data(files[name])
    if name not in DATASETS:
        raise ValueError(f"Unknown data set {name!r}; choose one of {sorted(DATASETS)}.")
    return getattr(datasets, DATASETS[name][0])()


def _load_file_data(spec: dict):
    """A ``[files.NAME]`` data set: train / dev / test splits fixed by ``split_seed``."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    from ..datasets import load_file

    read = {k: spec[k] for k in ("text_column", "text_pair_column", "label_column") if k in spec}
    read.update({k: spec[k] for k in ("format", "encoding", "split") if k in spec})
    seed = int(spec.get("split_seed", 0))
    data = load_file(spec["path"], test=spec.get("test"), random_state=seed, **read)
    dev = float(spec.get("dev", 0) or 0)
    if dev > 0:
        y = np.asarray(data.y_train)
        counts = np.unique(y, return_counts=True)[1]
        stratify = y if counts.min() >= 2 else None
        idx = np.arange(len(y))
        train, valid = train_test_split(idx, test_size=dev, random_state=seed, stratify=stratify)
        X = data.X_train
        data.X_valid, data.y_valid = [X[i] for i in valid], y[valid]
        data.X_train, data.y_train = [X[i] for i in train], y[train]
    return data


def training_texts(run: Run, data) -> tuple:
    """The texts and labels ``run`` is fitted on.

    Parameters
    ----------
    run : Run
        One run of an expanded configuration (:func:`expand_runs`).
    data : Bunch
        Its data set, from :func:`load_data`.

    Returns
    -------
    (X, y)
        The first ``run.n_train`` texts and labels of the training split; all of them when
        ``run.n_train`` is None or 0.

    Raises
    ------
    TypeError
        When ``run`` is not a :class:`Run` or ``data`` has no training split.
    """
    _check_run_and_data(run, data, "X_train")
    X, y, n = data.X_train, data.y_train, run.n_train
    return (X, y) if not n or n >= len(X) else (X[:n], y[:n])


def dev_texts(run: Run, data) -> tuple[list, list] | None:
    """The dev-split texts and labels ``run`` scores (and picks) its epochs on, passed to
    ``fit`` as ``validation_data``; None when the run uses none or the data set has none.
    A ``TypeError`` names a ``run`` that is not a :class:`Run` or a ``data`` that is no data set."""
    _check_run_and_data(run, data, "X_train")
    valid = getattr(data, "X_valid", None)
    if not run.dev_split or valid is None or len(valid) == 0:
        return None
    return list(valid), list(data.y_valid)


def evaluation_texts(run: Run, data) -> tuple[list, list]:
    """The test texts and labels ``run`` is evaluated on: ``run.n_eval`` of ``data``'s test
    split (the first, or drawn at random with ``run.eval_seed``), cut to ``run.max_words``."""
    _check_run_and_data(run, data, "X_test")
    X, y = _eval_subset(data, run.n_eval, run.eval_sample, run.eval_seed)
    return cut_texts(X, run.max_words), y


def _check_run_and_data(run: Run, data, split: str) -> None:
    """Name a wrong argument of the public text helpers instead of an AttributeError."""
    if not isinstance(run, Run):
        raise TypeError(
            f"run must be a Run (one entry of expand_runs(config)), got {type(run).__name__}."
        )
    if not hasattr(data, split):
        raise TypeError(
            f"data must be a data set from load_data({run.dataset!r}) with {split}, got "
            f"{type(data).__name__}."
        )


def _eval_subset(data, n: int, sample: str, seed: int):
    """The evaluation texts: the first ``n`` test texts, or ``n`` drawn at random with a fixed
    seed (the same texts for every method, backbone and training seed)."""
    X, y = data.X_test, data.y_test
    if not n or n >= len(X):
        return list(X), list(y)
    if sample == "first":
        return list(X[:n]), list(y[:n])
    idx = np.sort(np.random.RandomState(seed).choice(len(X), n, replace=False))
    return [X[i] for i in idx], [y[i] for i in idx]


_HISTORY_KEYS = frozenset(
    {
        "epoch",
        "train_loss",
        "valid_loss",
        "valid_acc",
        "kept_epoch",
        "beta",
        "keep_q10",
        "keep_q50",
        "keep_q90",
        "keep_spread",
        "attn_entropy",
        "valid_acc_best",
    }
)
