"""Benchmark configuration: what can be run (data sets, backbones, methods) and the profiles.

A configuration is a TOML file (or a dict of the same shape)::

    name = "quick"
    seeds = [0]
    datasets = ["rotten_tomatoes", "tweets"]
    backbones = ["cnn", "lstm", "minilm-2"]
    methods = ["base", "vmask", "evarm", "scc", "pct", "vat"]

    [data]                 # subsets; 0 = all
    n_train = 1000
    n_train_transformer = 400
    n_eval = 100
    validation = "holdout" # or "dataset": a method that picks its best epoch picks it on the
                           # data set's own dev split (fit's validation_data), not a held-out share

    [evaluation]
    k = [1, 5, 9]          # AOPC@k, post-hoc accuracy@k, plausibility@k
    curve_k = 10           # post-hoc accuracy curve 1..curve_k (the figure)
    size = 0.1             # words removed by comprehensiveness / sufficiency
    naopc_k = 5            # NAOPC@naopc_k (0 = skip) ...
    naopc_n_eval = 0       # ... on the first naopc_n_eval evaluation texts (0 = all) ...
    naopc_beam_width = 5   # ... with this beam for texts too long to enumerate
    explainer = "native"   # what ranks the words for every metric: native, lime, shapley, ...
    explainer_params = {}  # ... with these constructor arguments (e.g. num_samples = 500)
    judge = "self"         # whose predictions score the perturbed texts: "self" or "base"

    [variants.vmask-const] # a method under another name, with its own parameters
    method = "vmask"
    display = "VMASK (constant beta)"
    beta = 0.1
    beta_step = 0.0

    [backbone.cnn]         # keyword overrides for the estimator, per backbone ...
    max_epochs = 3
    [method.vmask]         # ... and per method
    beta = 0.5

Your own data and backbones (what ``skinterp compare`` writes)::

    datasets = ["tickets"]
    [files.tickets]          # a data set read from files (skinterp.datasets.load_file)
    path = "tickets.csv"
    text_column = "body"
    label_column = "queue"
    test = 0.2               # a share held out for testing, or a test file's path
    dev = 0.1                # a share of the training rows held out as the dev split (0: none)
    split_seed = 0           # the seed of both splits (fixed: every run sees the same texts)
    [backbone_params.mine]   # a backbone's complete estimator arguments (replaces the table)
    encoder = "transformer"
    pretrained = "my-org/my-model"

``extends = "<profile>"`` starts from a profile and changes only what the file sets: tables
merge key by key, anything else is replaced, and a narrower ``methods`` keeps the profile's
claims and protocols for those methods only (``claims-minilm`` extends ``claims``);
``[[more_claims]]`` adds claims to the ones kept, where ``[[claims]]`` would replace them.

TOML has no null: in the override tables the string ``"none"`` stands for ``None`` (e.g.
``embeddings = "none"`` for randomly initialised word vectors).

A variant is an ordinary entry of ``methods`` (e.g. ``methods = ["base", "vmask",
"vmask-const"]``); it runs the named registered method with its parameters on top.
``from_base = false`` fits every method as ``Method(backbone settings).fit(X, y)`` does, never
from the cell's base model (the defaults profile). ``judge = "base"`` scores every method's
explanations with the predictions of the same cell's base model (VAT's protocol; the base
model is added to the grid).

Each run is one (data set, backbone, method, seed); see :func:`expand_runs`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..methods import REGISTRY
from ._catalog import BACKBONES, DATASETS, DISPLAY, METHODS, _check_files
from ._profiles import PROFILES, _extend, _profile_text, tomllib
from ._protocols import (
    EVALUATION_METRICS,
    _check_data,
    _check_evaluation,
    _check_variants,
    _resolve_protocols,
)

__all__ = [
    "BACKBONES",
    "DATASETS",
    "EVALUATION_METRICS",
    "METHODS",
    "PROFILES",
    "Run",
    "backbone_settings",
    "expand_runs",
    "judged_by_base",
    "load_config",
    "method_spec",
    "needs_base",
    "select_config",
]

_DEFAULTS: dict[str, Any] = {
    "name": "custom",
    "description": "",
    "seeds": [0],
    "datasets": ["rotten_tomatoes"],
    "backbones": ["cnn"],
    "methods": ["base"],
    "device": "cpu",
    "data": {
        "n_train": 1000,
        "n_train_transformer": 400,
        "n_eval": 100,
        "eval_sample": "first",
        "eval_seed": 0,
        "validation": "holdout",
    },
    "evaluation": {
        "k": [1, 5, 9],
        "curve_k": 10,
        "size": 0.1,
        "naopc_k": 5,
        "naopc_n_eval": 0,
        "naopc_beam_width": 5,
        "explainer": "native",
        "explainer_params": {},
        "judge": "self",
        "metrics": list(EVALUATION_METRICS),
    },
    "protocols": {},
    "claims": [],
    "variants": {},
    "backbone": {},
    "method": {},
    "dataset": {},
    "files": {},
    "backbone_params": {},
    "extends": None,
    "from_base": True,
}


@dataclass(frozen=True)
class Run:
    """One cell of the grid: a data set, a backbone, a method and a seed."""

    dataset: str
    backbone: str
    method: str
    seed: int
    params: dict = field(compare=False)
    init_from_base: bool = field(compare=False)
    estimator: str = field(compare=False)  # class name in skinterp
    display: str = field(compare=False)  # the name tables show
    n_train: int = field(compare=False)
    n_eval: int = field(compare=False)
    max_words: int | None = field(compare=False)
    plausibility: bool = field(compare=False)
    eval_sample: str = field(default="first", compare=False)  # "first" or "random" test texts
    eval_seed: int = field(default=0, compare=False)
    dev_split: bool = field(default=False, compare=False)  # fit picks on the data's dev split

    @property
    def run_id(self) -> str:
        return f"{self.dataset}__{self.backbone}__{self.method}__seed{self.seed}"


def load_config(config: str | os.PathLike | dict) -> dict:
    """Read and validate a benchmark configuration.

    Parameters
    ----------
    config : str, path or dict
        A profile name (``"quick"``, ``"full"``, ``"claims"``, ``"claims-minilm"``), the path
        of a TOML file, or a dict of the same shape. Missing keys take the defaults listed in
        this module's docstring; ``extends = "<profile>"`` starts from that profile instead.

    Returns
    -------
    dict
        The complete configuration.
    """
    if isinstance(config, dict):
        raw = copy.deepcopy(config)
    elif str(config) in PROFILES:
        raw = tomllib.loads(_profile_text(str(config)))
    else:
        path = Path(config)
        if not path.is_file():
            raise FileNotFoundError(
                f"benchmark config {str(config)!r} is neither a profile ({', '.join(PROFILES)}) "
                "nor an existing TOML file."
            )
        try:
            raw = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML ({exc}).") from exc
    unknown = sorted(set(raw) - set(_DEFAULTS) - {"more_claims"})
    if unknown:
        raise ValueError(f"unknown config key(s) {unknown}; known: {sorted(_DEFAULTS)}.")
    raw = _extend(raw)
    cfg = copy.deepcopy(_DEFAULTS)
    for key, value in raw.items():
        if isinstance(cfg[key], dict) and key in ("data", "evaluation"):
            extra = sorted(set(value) - set(cfg[key]))
            if extra:
                raise ValueError(f"unknown key(s) {extra} in [{key}]; known: {sorted(cfg[key])}.")
            cfg[key].update(value)
        else:
            cfg[key] = value
    _check_variants(cfg["variants"])
    _check_evaluation(cfg["evaluation"], "[evaluation]")
    cfg["protocols"] = _resolve_protocols(cfg)
    methods = {**METHODS, **cfg["variants"]}
    _check_files(cfg["files"])
    datasets = {**DATASETS, **cfg["files"]}
    if not isinstance(cfg["backbone_params"], dict) or not all(
        isinstance(v, dict) for v in cfg["backbone_params"].values()
    ):
        raise ValueError("[backbone_params.NAME] tables must hold estimator arguments.")
    backbones = {**BACKBONES, **cfg["backbone_params"]}
    for key, known in (("datasets", datasets), ("backbones", backbones), ("methods", methods)):
        names = cfg[key]
        if not isinstance(names, list) or not names:
            raise ValueError(f"{key} must be a non-empty list of names from {sorted(known)}.")
        bad = [n for n in names if n not in known]
        if bad:
            raise ValueError(f"unknown {key} {bad}; choose from {sorted(known)}.")
        table = key[:-1]  # [backbone.x] / [method.x] / [dataset.x] override tables
        bad = [n for n in cfg[table] if n not in known]
        if bad:
            raise ValueError(f"[{table}.{bad[0]}] names no known {table}; use {sorted(known)}.")
    for name, over in cfg["dataset"].items():
        bad = sorted(set(over) - {"max_length", "max_words", "plausibility"})
        if bad:
            raise ValueError(
                f"[dataset.{name}] accepts max_length, max_words and plausibility, not {bad}."
            )
    seeds = cfg["seeds"]
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) for s in seeds):
        raise ValueError(f"seeds must be a non-empty list of integers, got {seeds!r}.")
    _check_data(cfg["data"])
    if not isinstance(cfg["from_base"], bool):
        raise ValueError(f"from_base must be true or false, got {cfg['from_base']!r}.")
    for name, proto in cfg["protocols"].items():
        bad = [m for m in proto["methods"] if m not in cfg["methods"] and m != "base"]
        if bad:
            raise ValueError(f"[protocols.{name}] methods {bad} are not methods of this config.")
    from ._claims import check_claims  # the claims name protocols, methods and metrics

    check_claims(cfg)
    if "base" not in cfg["methods"] and needs_base(cfg, cfg["methods"]):
        # methods that start from the trained base (or are judged by it) need it in the grid
        cfg["methods"] = ["base", *cfg["methods"]]
    return cfg


def backbone_settings(cfg: dict, backbone: str) -> dict:
    """The estimator arguments of a backbone: the configuration's ``[backbone_params.NAME]``
    (complete) or the table's, then its ``[backbone.NAME]`` overrides."""
    base = cfg.get("backbone_params", {}).get(backbone)
    params = dict(BACKBONES[backbone] if base is None else base)
    return {**params, **cfg["backbone"].get(backbone, {})}


def method_spec(cfg: dict, name: str) -> tuple[str, dict, bool, str]:
    """(estimator class name, keyword arguments, starts from the base, display name) of a
    registered method or of one of the configuration's variants (whose keyword arguments are
    the method's, then its ``[method.<method>]`` overrides, then the variant's own)."""
    variant = cfg["variants"].get(name)
    dev = cfg["data"]["validation"] == "dataset"
    if variant is None:
        cls_name, params, _ = METHODS[name]
        merged = {**params, **cfg["method"].get(name, {})}
        from_base = cfg["from_base"] and REGISTRY[name].starts_from_base(merged, dev)
        return cls_name, dict(params), from_base, DISPLAY[name]
    over = {k: v for k, v in variant.items() if k not in ("method", "display")}
    cls_name, params, _ = METHODS[variant["method"]]
    # the method's own override table ([method.vmask]) applies to its variants too, under
    # the variant's parameters (a VMASK variant trains VMASK's 20 epochs unless it says so)
    inherited = cfg["method"].get(variant["method"], {})
    merged = {**params, **inherited, **over}
    from_base = cfg["from_base"] and REGISTRY[variant["method"]].starts_from_base(merged, dev)
    return cls_name, merged, from_base, variant.get("display", name)


def select_config(
    cfg: dict,
    *,
    datasets: Sequence[str] | None = None,
    backbones: Sequence[str] | None = None,
    methods: Sequence[str] | None = None,
    seeds: Sequence[int] | None = None,
) -> dict:
    """A copy of a loaded configuration restricted to these data sets, backbones, methods and
    seeds (each must be in it); the base model is kept when a chosen method needs it."""
    cfg = dict(cfg)
    for key, chosen in (
        ("datasets", datasets),
        ("backbones", backbones),
        ("methods", methods),
        ("seeds", seeds),
    ):
        if chosen:
            bad = [c for c in chosen if c not in cfg[key]]
            if bad:
                raise ValueError(f"{key} {bad} are not in this configuration ({cfg[key]}).")
            keep = list(chosen)
            if key == "methods" and "base" not in keep and needs_base(cfg, keep):
                keep.insert(0, "base")  # the methods that start from it (or are judged) need it
            cfg[key] = keep
    return cfg


def needs_base(cfg: dict, methods: list[str]) -> bool:
    """Whether these methods need the cell's base model (to start from, or as the judge)."""
    if any(judged_by_base(cfg, m) for m in methods):
        return True
    return any(method_spec(cfg, m)[2] for m in methods)


def judged_by_base(cfg: dict, method: str) -> bool:
    """Whether some evaluation of this method is judged by the cell's base model."""
    if method == "base":
        return False
    evaluations = [cfg["evaluation"], *cfg.get("protocols", {}).values()]
    return any(
        ev["judge"] == "base" and method in ev.get("methods", [method]) for ev in evaluations
    )


def expand_runs(cfg: dict) -> list[Run]:
    """All runs of a configuration, ordered so each cell's base model is trained first."""
    runs = []
    methods = sorted(cfg["methods"], key=lambda m: m != "base")
    for dataset in cfg["datasets"]:
        _, ds = DATASETS.get(dataset, ("", {}))  # a [files] data set: no lexicon, no cut
        ds = {**ds, **cfg["dataset"].get(dataset, {})}
        for backbone in cfg["backbones"]:
            settings = backbone_settings(cfg, backbone)
            transformer = settings.get("encoder") == "transformer"
            for seed in cfg["seeds"]:
                for method in methods:
                    cls_name, extra, from_base, display = method_spec(cfg, method)
                    params = dict(settings)
                    if "max_length" in ds:
                        params["max_length"] = ds["max_length"]
                    params.update(extra)
                    params.update(cfg["method"].get(method, {}))
                    params = {k: None if v == "none" else v for k, v in params.items()}
                    params["device"] = cfg["device"]
                    data = cfg["data"]
                    spec = REGISTRY[cfg["variants"].get(method, {}).get("method", method)]
                    dev = data["validation"] == "dataset" and spec.takes_dev_split(params)
                    runs.append(
                        Run(
                            dataset=dataset,
                            backbone=backbone,
                            method=method,
                            seed=seed,
                            params=params,
                            init_from_base=from_base,
                            estimator=cls_name,
                            display=display,
                            n_train=data["n_train_transformer" if transformer else "n_train"],
                            n_eval=data["n_eval"],
                            max_words=ds.get("max_words"),
                            plausibility=bool(ds.get("plausibility")),
                            eval_sample=data["eval_sample"],
                            eval_seed=int(data["eval_seed"]),
                            dev_split=dev,
                        )
                    )
    return runs
