"""Cross-validate accuracy and interpretability together: base CNN vs VMASK, 3 folds.

``cross_validate`` takes skinterp's interpretability scorers next to "accuracy"; every fold
trains a fresh clone and scores the held-out texts with the model's own explanations.

Run: python examples/cross_validation.py [--fast]
"""

from __future__ import annotations

import argparse

import pandas as pd
from sklearn.model_selection import StratifiedKFold, cross_validate

from skinterp import TextClassifier, VMaskClassifier
from skinterp.datasets import load_rotten_tomatoes
from skinterp.metrics import (
    make_aopc_scorer,
    make_comprehensiveness_scorer,
    make_posthoc_accuracy_scorer,
    make_sufficiency_scorer,
)


def main(fast: bool = False) -> None:
    data = load_rotten_tomatoes()
    n, epochs = (600, 2) if fast else (3000, 4)
    X, y = data.X_train[:n], data.y_train[:n]
    scoring = {
        "accuracy": "accuracy",
        "aopc@5": make_aopc_scorer(k=5),
        # comparable across models (raw AOPC rewards confident models): see docs/metrics.md
        "naopc@5": make_aopc_scorer(k=5, normalization="naopc", beam_width=2),
        "posthoc@5": make_posthoc_accuracy_scorer(k=5),
        "comprehensiveness": make_comprehensiveness_scorer(size=0.2),
        "neg_sufficiency": make_sufficiency_scorer(size=0.2),  # negated: greater is better
    }
    common = dict(encoder="cnn", embeddings="glove-50d", max_epochs=epochs, random_state=0)
    rows = {}
    for name, est in (("base", TextClassifier(**common)), ("VMASK", VMaskClassifier(**common))):
        res = cross_validate(
            est, X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0), scoring=scoring
        )
        rows[name] = {
            key: f"{res[f'test_{key}'].mean():.3f} ± {res[f'test_{key}'].std():.3f}"
            for key in scoring
        }
        print(
            f"{name}: {res['fit_time'].sum():.0f} s fitting, "
            f"{res['score_time'].sum():.0f} s scoring"
        )
    print(f"\n3-fold cross-validation on {n} Rotten Tomatoes sentences (mean ± std over folds):")
    print(pd.DataFrame(rows).to_string())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="600 texts, 2 epochs")
    main(parser.parse_args().fast)
