"""The names the command line offers, as plain data, so that parsing and checking arguments
imports neither torch nor scikit-learn (``skinterp --help`` answers at once).

Each tuple mirrors a registry that lives with its code; ``tests/test_cli.py`` checks that
they agree, so a method, data set or metric added there fails the tests until it is listed
here.
"""

from __future__ import annotations

__all__ = [
    "BACKBONES",
    "DATASETS",
    "EXPLAINERS",
    "FORMATS",
    "METHODS",
    "METRICS",
    "PROFILES",
    "WORD_VECTORS",
    "backbone_params",
]

#: skinterp.methods' registry (``skinterp.methods.REGISTRY``), in its order.
METHODS = (
    "base",
    "vmask",
    "l2x",
    "iba",
    "evarm",
    "evarm-ppl",
    "evarm-ete",
    "evarm-mask",
    "scc",
    "scl",
    "simcse",
    "agn",
    "pct",
    "entropy",
    "attention",
    "vat",
)
#: The built-in data sets (``skinterp.benchmark.DATASETS``).
DATASETS = ("amazon", "bbc_news", "crowdflower_tweets", "rotten_tomatoes", "tweets")
#: Benchmark profiles (``skinterp.benchmark.PROFILES``).
PROFILES = ("quick", "full", "claims", "claims-minilm", "defaults", "defaults-minilm")
#: Metric names of ``evaluate`` (``skinterp.metrics.METRICS``).
METRICS = (
    "aopc",
    "naopc",
    "posthoc_accuracy",
    "accuracy_drop",
    "comprehensiveness",
    "sufficiency",
    "confidence",
    "reduced_number",
    "saliency_variance",
    "plausibility",
)
#: Explainer names (``skinterp.explain.get_explainer``).
EXPLAINERS = (
    "global",
    "gradient",
    "integrated_gradients",
    "lime",
    "native",
    "occlusion",
    "random",
    "shapley",
)
#: Data file formats (``skinterp.datasets.FORMATS``).
FORMATS = ("csv", "tsv", "jsonl", "parquet", "hf")
#: Word vectors known by name (``skinterp.datasets.WORD_VECTORS``).
WORD_VECTORS = ("glove-50d",)

#: ``--backbone NAME``: exactly the arguments Python's estimators take for that backbone;
#: every other parameter keeps the estimator's own default (the benchmark profiles keep their
#: settings in their own files).
BACKBONES: dict[str, dict] = {
    "cnn": {"encoder": "cnn", "embeddings": "glove-50d"},
    "lstm": {"encoder": "lstm", "embeddings": "glove-50d"},
    "minilm": {"encoder": "transformer", "pretrained": "minilm"},
    "minilm-2": {
        "encoder": "transformer",
        "pretrained": "minilm",
        "transformer_kwargs": {"num_hidden_layers": 2},
    },
}


def backbone_params(name: str) -> dict:
    """The estimator arguments of ``--backbone NAME``: a name above, or a Hugging Face model id
    or a local ``save_pretrained`` folder (a transformer backbone)."""
    import os

    if name in BACKBONES:
        return dict(BACKBONES[name])
    if os.path.isdir(name) or (name.count("/") == 1 and not name.startswith((".", "/"))):
        return {"encoder": "transformer", "pretrained": name}
    raise ValueError(
        f"unknown backbone {name!r}: use one of {sorted(BACKBONES)}, a Hugging Face model id "
        "(org/name) or a local save_pretrained folder."
    )
