"""Explainers and metrics work on any scikit-learn text classifier with predict_proba.

Run: python examples/any_sklearn_model.py [--fast]
"""

from __future__ import annotations

import argparse

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from skinterp import evaluate
from skinterp.datasets import load_rotten_tomatoes, load_vader_lexicon
from skinterp.explain import LimeExplainer
from skinterp.metrics import make_comprehensiveness_scorer


def main(fast: bool = False) -> None:
    data = load_rotten_tomatoes()
    n_eval, n_cv, samples = (60, 600, 200) if fast else (200, 2000, 300)
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
    pipe.fit(data.X_train, data.y_train)
    print(f"TF-IDF + LR test accuracy: {pipe.score(data.X_test, data.y_test):.3f}")

    exp = LimeExplainer(num_samples=500, random_state=0).explain(pipe, data.X_test[:1])[0]
    print("LIME:", exp.top_k(5))

    report = evaluate(
        pipe,
        data.X_test[:n_eval],
        data.y_test[:n_eval],
        metrics=["aopc", "comprehensiveness", "sufficiency", "plausibility"],
        explainers=["occlusion", LimeExplainer(num_samples=samples, random_state=0), "random"],
        lexicon=load_vader_lexicon(),
        progress=False,
    )
    print(report.pivot(index="metric", columns="explainer", values="value").round(3))

    scores = cross_val_score(
        pipe,
        data.X_train[:n_cv],
        data.y_train[:n_cv],
        cv=3,
        scoring=make_comprehensiveness_scorer(explainer="occlusion"),
    )
    print("comprehensiveness per fold:", scores.round(3))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="fewer texts and LIME samples")
    main(parser.parse_args().fast)
