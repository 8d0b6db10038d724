"""Write a fixture of saved models in the current save format, with the answers they must give.

Usage (from the repository root)::

    python tests/data/make_saved_fixture.py tests/data/saved_formatN

Fits tiny models on the toy data, saves each with ``save``, and records ``predict_proba``,
``predict`` and the native explanation scores of four probe texts in ``expected.json``.
``tests/test_saved_formats.py`` loads every such folder with the current code and checks the
answers, so models saved by each format version keep loading identically.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PROBE = ["a great film", "awful boring plot", "i loved the music", "not a good film"]


def main(out: Path) -> None:
    import torch
    from _tiny import tiny_bert_config, tiny_fast_tokenizer, toy_data
    from sklearn.frozen import FrozenEstimator

    import skinterp
    from skinterp import EVarMClassifier, TextClassifier, VMaskClassifier

    torch.set_num_threads(1)
    X, y = toy_data()
    tok = tiny_fast_tokenizer()
    small = dict(embedding_dim=8, num_filters=4, max_epochs=2, lr=1e-2, random_state=0)
    base = TextClassifier(**small).fit(X, y)
    words = sorted({w for t in X for w in t.split()})
    vectors = (words, np.random.default_rng(0).normal(size=(len(words), 8)).astype("float32"))
    models = {
        "text_cnn": TextClassifier(**small).fit(X, np.where(np.asarray(y) == "pos", 1, 0)),
        "vmask_lstm": VMaskClassifier(
            encoder="lstm", embedding_dim=8, hidden_size=6, max_epochs=2, random_state=0
        ).fit(X, y),
        "evarm_bert": EVarMClassifier(
            encoder="transformer",
            pretrained=tiny_bert_config(len(tok)),
            tokenizer=tok,
            max_epochs=1,
            warmup_epochs=0,
            random_state=0,
        ).fit(X, y),
        "vmask_vectors_init_from": VMaskClassifier(
            embeddings=vectors, init_from=FrozenEstimator(base), **small
        ).fit(X, y),
    }
    out.mkdir(parents=True, exist_ok=True)
    expected = {
        "commit": subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip(),
        "skinterp": skinterp.__version__,
        "probe": PROBE,
        "models": {},
    }
    for name, model in models.items():
        model.save(out / name)
        expected["models"][name] = {
            "class": type(model).__name__,
            "proba": model.predict_proba(PROBE).tolist(),
            "predict": [str(p) for p in model.predict(PROBE)],
            "scores": [np.asarray(e.scores).tolist() for e in model.explain(PROBE)],
        }
    (out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
