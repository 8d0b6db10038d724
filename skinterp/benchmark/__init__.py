"""Reproduction benchmarks: methods × backbones × data sets × seeds from a configuration.

``run_benchmark("quick", "results/quick")`` trains and evaluates every cell, one JSON per run;
``build_report("results/quick")`` turns them into markdown tables shaped like the papers' and
the post-hoc accuracy figures. The same as ``skinterp benchmark run`` / ``skinterp benchmark
tables`` on the command line. A configuration with ``[[claims]]`` (the ``claims`` profile) is
judged claim by claim, over seeds, by ``build_claims`` (``skinterp benchmark claims``).
"""

from ._claims import build_claims, claim_rows
from ._compare import DEFAULT_METHODS, compare
from ._compare_rules import recommend
from ._config import (
    BACKBONES,
    DATASETS,
    METHODS,
    PROFILES,
    Run,
    expand_runs,
    load_config,
    select_config,
)
from ._evaluation import cut_texts, evaluation_texts, load_data, training_texts
from ._report import build_report, load_runs
from ._run import environment, run_benchmark, run_one

__all__ = [
    "BACKBONES",
    "DATASETS",
    "DEFAULT_METHODS",
    "METHODS",
    "PROFILES",
    "Run",
    "build_claims",
    "build_report",
    "claim_rows",
    "compare",
    "cut_texts",
    "environment",
    "evaluation_texts",
    "expand_runs",
    "load_config",
    "load_data",
    "load_runs",
    "recommend",
    "run_benchmark",
    "run_one",
    "select_config",
    "training_texts",
]
