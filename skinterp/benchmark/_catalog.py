"""What a benchmark can run: the built-in data sets, the backbones' estimator arguments, the
methods (read from the one method registry), and the ``[files.NAME]`` tables of one's own data."""

from __future__ import annotations

from typing import Any

from ..methods import REGISTRY

__all__ = ["BACKBONES", "DATASETS", "DISPLAY", "METHODS"]

_SENTIMENT = {"plausibility": True}

# name -> (loader in skinterp.datasets, per-data-set settings)
DATASETS: dict[str, tuple[str, dict]] = {
    "rotten_tomatoes": ("load_rotten_tomatoes", dict(_SENTIMENT)),
    "tweets": ("load_tweets", dict(_SENTIMENT)),
    "amazon": ("load_amazon", dict(_SENTIMENT)),
    # 3 classes (negative / neutral / positive): no binary lexicon sign for "neutral"
    "crowdflower_tweets": ("load_crowdflower_tweets", {"plausibility": False}),
    # whole articles: evaluated on their first 40 words so every word is inside the window
    "bbc_news": ("load_bbc_news", {"plausibility": False, "max_words": 40, "max_length": 96}),
}

_GLOVE = {
    "embeddings": "glove-50d",
    "num_filters": 100,
    "hidden_size": 100,
    "max_length": 64,
    "lr": 1e-3,
    "batch_size": 50,
    "max_epochs": 3,
}
_MINILM = {
    "encoder": "transformer",
    "pretrained": "minilm",
    "max_length": 64,
    "batch_size": 32,
}
# name -> estimator keyword arguments
BACKBONES: dict[str, dict] = {
    "cnn": {"encoder": "cnn", **_GLOVE},
    "lstm": {"encoder": "lstm", **_GLOVE},
    # MiniLM-L6 cut to its first 2 layers: the CPU setting of our benchmarks
    "minilm-2": {
        **_MINILM,
        "transformer_kwargs": {"num_hidden_layers": 2},
        "lr": 5e-4,
        "max_epochs": 2,
    },
    "minilm": {**_MINILM, "lr": 5e-5, "max_epochs": 3},
}

# name -> (class name in skinterp, keyword arguments, starts from the trained base model),
# read from the one method registry
METHODS: dict[str, tuple[str, dict, bool]] = {
    name: (spec.estimator.__name__, dict(spec.params), spec.from_base)
    for name, spec in REGISTRY.items()
}

# how the tables name the methods (the papers' names)
DISPLAY = {name: spec.display for name, spec in REGISTRY.items()}


_FILE_KEYS = {
    "path",
    "text_column",
    "text_pair_column",
    "label_column",
    "format",
    "encoding",
    "split",
    "test",
    "dev",
    "split_seed",
}


def _check_files(files: Any) -> None:
    """The [files.NAME] tables: a path and how to read and split it."""
    if not isinstance(files, dict):
        raise ValueError("[files] must be a table of [files.NAME] tables.")
    for name, spec in files.items():
        if name in DATASETS:
            raise ValueError(f"[files.{name}] shadows the built-in data set {name!r}.")
        if not isinstance(spec, dict) or "path" not in spec:
            raise ValueError(f"[files.{name}] needs a path.")
        bad = sorted(set(spec) - _FILE_KEYS)
        if bad:
            raise ValueError(f"[files.{name}] accepts {sorted(_FILE_KEYS)}, not {bad}.")
