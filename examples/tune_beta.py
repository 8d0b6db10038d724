"""Tune VMASK's beta and tau for accuracy and for faithfulness (NAOPC) with GridSearchCV.

Run: python examples/tune_beta.py
"""

from __future__ import annotations

import pandas as pd
from sklearn.model_selection import GridSearchCV

from skinterp import VMaskClassifier
from skinterp.datasets import load_rotten_tomatoes
from skinterp.metrics import make_aopc_scorer, make_posthoc_accuracy_scorer


def main() -> None:
    data = load_rotten_tomatoes()
    X, y = data.X_train[:3000], data.y_train[:3000]
    search = GridSearchCV(
        VMaskClassifier(encoder="cnn", embeddings="glove-50d", max_epochs=3, random_state=0),
        {"beta": [0.1, 1.0], "tau": [0.5, 1.0]},
        scoring={
            "acc": "accuracy",
            # NAOPC is comparable across models of different confidence; raw AOPC is not
            "naopc": make_aopc_scorer(k=5, normalization="naopc"),
            "posthoc": make_posthoc_accuracy_scorer(k=5),
        },
        refit="acc",
        cv=2,
    ).fit(X, y)
    cols = ["param_beta", "param_tau", "mean_test_acc", "mean_test_naopc", "mean_test_posthoc"]
    print(pd.DataFrame(search.cv_results_)[cols].round(3).to_string(index=False))
    print("best by accuracy:", search.best_params_)


if __name__ == "__main__":
    main()
