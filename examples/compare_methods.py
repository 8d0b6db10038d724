"""Compare the five methods (and the base model) on one data set with the same metrics.

Tweets, Kim-CNN over GloVe-50d, the same data, epochs and seed for every model. The mask
methods (VMASK, E-VarM, SCC) start from the trained base model, as their papers start from a
trained classifier. Each model is judged with its own (native) explanation.
``skinterp benchmark run`` does this over backbones, data sets and seeds.

Run: python examples/compare_methods.py [--fast]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
from sklearn.frozen import FrozenEstimator

from skinterp import (
    EVarMClassifier,
    PCTClassifier,
    SCCClassifier,
    TextClassifier,
    VATClassifier,
    VMaskClassifier,
    evaluate,
)
from skinterp.datasets import load_tweets


def main(fast: bool = False) -> None:
    data = load_tweets()
    n, epochs, n_eval = (800, 3, 100) if fast else (2800, 5, 400)
    X, y = data.X_train[:n], data.y_train[:n]
    X_test, y_test = data.X_test[:n_eval], data.y_test[:n_eval]
    common = dict(encoder="cnn", embeddings="glove-50d", max_epochs=epochs, random_state=0)
    base = TextClassifier(**common).fit(X, y)
    models = {
        "base": base,
        "VMASK": VMaskClassifier(**common, init_from=FrozenEstimator(base)),
        "E-VarM": EVarMClassifier(**common, init_from=FrozenEstimator(base)),
        "SCC": SCCClassifier(**common, init_from=FrozenEstimator(base)),
        "PCT": PCTClassifier(**common),
        "VAT": VATClassifier(**common),
    }
    reports = []
    for name, model in models.items():
        start = time.perf_counter()
        if model is not base:
            model.fit(X, y)
        report = evaluate(
            model,
            X_test,
            y_test,
            metrics=["aopc", "naopc", "posthoc_accuracy", "comprehensiveness", "sufficiency"],
            k=5,
            progress=False,
        )
        reports.append(report.assign(model=name))
        print(f"{name}: fitted and evaluated in {time.perf_counter() - start:.0f} s")
    table = (
        pd.concat(reports)
        .pivot(index="model", columns="metric", values="value")
        .reindex(list(models))
    )
    print(f"\n{n} training tweets, {epochs} epochs; {n_eval} test tweets:")
    print(table.round(3).to_string())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="800 texts, 3 epochs")
    main(parser.parse_args().fast)
