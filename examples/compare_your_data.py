"""Which method helps on your data? `skinterp compare` on a CSV it has never seen.

The Amazon review snippets (vaderSentiment's sdist) were not used to choose any default, so
they stand in for your own file: written to a CSV, then compared on the command line exactly
as you would (`skinterp compare --data reviews.csv --fast`). The report (compare.md / .html /
.json) gives every method against the base model with 95 % intervals over seeds, and a
recommendation by a stated rule.

Run: python examples/compare_your_data.py [--fast] [--out DIR]
(without --fast: `skinterp compare --fast` itself, about 5 minutes on 2 CPU cores; --fast here
is the test suite's smoke run: 600 texts, tiny models, two methods.)
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from skinterp.cli import main as skinterp
from skinterp.datasets import load_amazon


def main(fast: bool = False, out: str | None = None) -> None:
    data = load_amazon()
    folder = Path(out or tempfile.mkdtemp(prefix="skinterp-compare-"))
    folder.mkdir(parents=True, exist_ok=True)
    labels = [data.target_names[i] for i in data.y_train]
    reviews = pd.DataFrame({"review": data.X_train, "sentiment": labels})
    if fast:
        reviews = reviews.groupby("sentiment").head(300)
    reviews.to_csv(folder / "reviews.csv", index=False)
    argv = ["compare", "--data", str(folder / "reviews.csv"), "--text-column", "review"]
    argv += ["--label-column", "sentiment", "--fast", "--out", str(folder / "report")]
    if fast:  # tiny models: a smoke run of the whole path, not a result
        argv += ["--methods", "vmask", "pct", "--param", "embeddings=none"]
        argv += ["--param", "embedding_dim=16", "--param", "num_filters=8"]
        argv += ["--param", "max_epochs=2"]
    assert skinterp(argv) == 0
    print((folder / "report" / "compare.md").read_text().split("\n## ")[0])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="a smoke run on 600 texts")
    parser.add_argument("--out", default=None, help="folder for the CSV and the report")
    args = parser.parse_args()
    main(args.fast, args.out)
