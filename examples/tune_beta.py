"""Tune VMASK's beta and tau for accuracy and for faithfulness (NAOPC) with GridSearchCV.

Run: python examples/tune_beta.py [--fast]
"""

from __future__ import annotations

import argparse

import pandas as pd
from sklearn.model_selection import GridSearchCV

from skinterp import VMaskClassifier
from skinterp.datasets import load_rotten_tomatoes
from skinterp.metrics import make_aopc_scorer, make_posthoc_accuracy_scorer


def main(fast: bool = False) -> None:
    data = load_rotten_tomatoes()
    n, epochs = (400, 2) if fast else (3000, 3)
    X, y = data.X_train[:n], data.y_train[:n]
    search = GridSearchCV(
        VMaskClassifier(encoder="cnn", embeddings="glove-50d", max_epochs=epochs, random_state=0),
        {"beta": [0.1, 1.0], "tau": [0.5, 1.0]},
        scoring={
            "acc": "accuracy",
            # NAOPC is comparable across models of different confidence; raw AOPC is not
            # (beam_width=2: looser NAOPC bounds for long texts, about 2x cheaper than 5)
            "naopc": make_aopc_scorer(k=5, normalization="naopc", beam_width=2),
            "posthoc": make_posthoc_accuracy_scorer(k=5),
        },
        refit="acc",
        cv=2,
    ).fit(X, y)
    cols = ["param_beta", "param_tau", "mean_test_acc", "mean_test_naopc", "mean_test_posthoc"]
    print(pd.DataFrame(search.cv_results_)[cols].round(3).to_string(index=False))
    print("best by accuracy:", search.best_params_)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="600 texts, 2 epochs")
    main(parser.parse_args().fast)
