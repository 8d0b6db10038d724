"""Tokenization as its own, cached Pipeline step; grid search over the classifier only.

``skinterp.text.Tokenizer`` turns raw texts into encodings that keep the words of the raw
text, so the last step still explains words. With ``memory=`` the pipeline caches the fitted
tokenizer and its output, so a grid search over ``clf__beta`` tokenizes each fold once.
Metrics and explainers accept the whole pipeline.

Run: python examples/pipeline_tokenizer.py [--fast]
"""

from __future__ import annotations

import argparse
import tempfile

from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skinterp import VMaskClassifier
from skinterp.datasets import load_tweets
from skinterp.metrics import aopc_score, make_posthoc_accuracy_scorer
from skinterp.text import Tokenizer


def main(fast: bool = False) -> None:
    data = load_tweets()
    n, epochs = (600, 2) if fast else (2500, 5)
    X, y = data.X_train[:n], data.y_train[:n]
    with tempfile.TemporaryDirectory() as cache:
        pipe = Pipeline(
            [
                ("tok", Tokenizer(min_freq=1, max_length=64)),
                ("clf", VMaskClassifier(encoder="cnn", max_epochs=epochs, random_state=0)),
            ],
            memory=cache,
        )
        search = GridSearchCV(
            pipe,
            {"clf__beta": [0.1, 1.0]},
            scoring={"acc": "accuracy", "posthoc@3": make_posthoc_accuracy_scorer(k=3)},
            refit="acc",
            cv=2,
        ).fit(X, y)
    best = search.best_estimator_
    print("best:", search.best_params_)
    for key in ("mean_test_acc", "mean_test_posthoc@3"):
        print(f"{key}: {search.cv_results_[key].round(3).tolist()}")
    X_test = data.X_test[:200]
    print(f"test accuracy: {best.score(X_test, data.y_test[:200]):.3f}")
    print(f"AOPC@5 of the pipeline: {aopc_score(best, X_test, k=5):.3f}")
    # the classifier explains the raw text's words; the tokenizer step encodes them
    text = "@friend the new phone is AWESOME, battery lasts forever :)"
    exp = best[-1].explain(best[:-1].transform([text]), k=4)[0]
    print(f'"{text}" -> {exp.top_k()}')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="600 texts, 2 epochs")
    main(parser.parse_args().fast)
