"""Quickstart: train on real movie reviews, explain predictions, measure faithfulness.

Run: python examples/quickstart.py [--fast]
"""

from __future__ import annotations

import argparse

from skinterp import TextClassifier, VMaskClassifier, evaluate
from skinterp.datasets import load_rotten_tomatoes


def main(fast: bool = False) -> None:
    data = load_rotten_tomatoes()
    n = 2000 if fast else len(data.X_train)
    X_train, y_train = data.X_train[:n], data.y_train[:n]
    epochs = 2 if fast else 6

    base = TextClassifier(encoder="cnn", embeddings="glove-50d", max_epochs=epochs, random_state=0)
    vmask = VMaskClassifier(
        encoder="cnn", embeddings="glove-50d", max_epochs=epochs, random_state=0
    )
    for name, clf in (("base", base), ("VMASK", vmask)):
        clf.fit(X_train, y_train)
        print(f"{name}: test accuracy {clf.score(data.X_test, data.y_test):.3f}")

    text = "A gorgeous, witty, seductive movie."
    for name, clf in (("base", base), ("VMASK", vmask)):
        exp = clf.explain(text, k=3)
        print(f"{name}: {exp.label} ({exp.proba:.2f}) because of {exp.top_k()}")

    print("VMASK's most important word types:", list(vmask.global_importance_.index[:10]))
    report = evaluate(
        vmask,
        data.X_test[:100],
        data.y_test[:100],
        explainers=["native", "occlusion", "random"],
        progress=False,
    )
    print(report.pivot(index="metric", columns="explainer", values="value").round(3))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="2,000 sentences, 2 epochs")
    main(parser.parse_args().fast)
