"""PCT against the saliency-confidence pathology, and VAT's sharper attention, on real reviews.

Part 1 trains a base CNN and a PCT CNN (GloVe-50d) and prints the pathology metrics of PCT's
Tables 1-2 with gradient saliency: F(X), Comp, Suff, IR#, UR#. Part 2 trains an attention LSTM
and a VAT LSTM and compares their attention with VADER's sentiment words (P/R/F1@5) and
shows one explanation.

Run: python examples/pathology_and_attention.py [--fast]
"""

from __future__ import annotations

import argparse

from skinterp import AttentionClassifier, PCTClassifier, TextClassifier, VATClassifier
from skinterp.datasets import load_rotten_tomatoes, load_vader_lexicon
from skinterp.metrics import (
    comprehensiveness_score,
    confidence_score,
    plausibility_scores,
    reduced_number,
    sufficiency_score,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="small subsets, fewer epochs")
    args = parser.parse_args()
    n, epochs, n_eval = (800, 2, 60) if args.fast else (4000, 4, 300)
    data = load_rotten_tomatoes()
    X, y = data.X_train[:n], data.y_train[:n]
    X_test, y_test = data.X_test[:n_eval], data.y_test[:n_eval]
    common = dict(embeddings="glove-50d", lr=1e-3, batch_size=50, random_state=0)

    print("== PCT vs base (gradient saliency) ==")
    for name, cls in (("base", TextClassifier), ("PCT", PCTClassifier)):
        clf = cls(max_epochs=epochs, **common).fit(X, y)
        comp = comprehensiveness_score(clf, X_test, explainer="gradient", size=0.1)
        suff = sufficiency_score(clf, X_test, explainer="gradient", size=0.1)
        ir, ur = reduced_number(clf, X_test, explainer="gradient")
        print(
            f"{name:5s} acc {clf.score(X_test, y_test):.3f}  F(X) "
            f"{confidence_score(clf, X_test):.3f}  Comp {comp:.3f}  Suff {suff:.3f}  "
            f"Comp-Suff {comp - suff:.3f}  IR# {ir:.2f}  UR# {ur:.2f}"
        )

    print("== VAT vs attention (LSTM) ==")
    lexicon = load_vader_lexicon()
    for name, cls in (("attention", AttentionClassifier), ("VAT", VATClassifier)):
        clf = cls(encoder="lstm", hidden_size=50, max_epochs=epochs + 1, **common).fit(X, y)
        p, r, f1 = plausibility_scores(clf, X_test, lexicon, k=5)
        acc = clf.score(X_test, y_test)
        print(f"{name:9s} acc {acc:.3f}  VADER P/R/F1@5 {p:.2f}/{r:.2f}/{f1:.2f}")
        print("   ", clf.explain(X_test[0], k=3))


if __name__ == "__main__":
    main()
