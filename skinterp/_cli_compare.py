"""``skinterp compare``: every method against the base model on your own labelled file."""

from __future__ import annotations

import argparse
import time

from ._cli_files import add_file_options, columns_of, test_option

__all__ = ["add_compare_command"]


def compare_command(args: argparse.Namespace) -> int:
    from ._cli_models import _parse_params
    from .benchmark import compare
    from .datasets import load_file

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if not 0 <= args.dev < 1:
        raise ValueError(f"--dev must be a share in [0, 1), got {args.dev}.")
    test = test_option(args.test)
    data = load_file(args.data, test=test, random_state=0, split=args.split, **columns_of(args))
    if data.X_test is None:
        raise ValueError("--test: pass a test file or the share to hold out (e.g. 0.2).")
    start = time.perf_counter()
    table = compare(
        data.X_train,
        data.y_train,
        data.X_test,
        data.y_test,
        methods=args.methods,
        backbone=args.backbone,
        params={k: None if v == "none" else v for k, v in _parse_params(args.param).items()},
        seeds=args.seeds,
        dev=args.dev,
        k=args.k,
        tolerance=args.tolerance / 100,
        fast=args.fast,
        n_jobs=args.jobs,
        device=args.device,
        out=args.out,
        dask=args.dask,
    )
    rec = table.attrs["recommendation"]
    print(f"\n{rec['text']}")
    print(f"files: {args.out}/compare.md, compare.html, compare.json")
    print(f"wall time: {(time.perf_counter() - start) / 60:.1f} min")
    return 0


def add_compare_command(sub) -> None:
    from ._names import BACKBONES, METHODS

    cmp = sub.add_parser(
        "compare",
        help="which method helps on your data? every method vs the base model, with intervals",
        description="Fit the base model and each method at its defaults on your labelled file, "
        "over seeds, and compare them under one protocol (accuracy; LIME AOPC@k and NAOPC@k; "
        "comprehensiveness/sufficiency of one shared gradient saliency; post-hoc accuracy of "
        "each model's own explanation; training time): seed-paired differences with 95 % "
        "bootstrap intervals, verdicts and a recommendation, in OUT/compare.{md,html,json}. "
        "Run the same command again after a kill: finished runs are kept.",
    )
    cmp.add_argument("--data", required=True, help="your labelled file (CSV, TSV, JSONL, ...)")
    cmp.add_argument(
        "--test", default="0.2", help="a test file, or the share held out (default 0.2)"
    )
    cmp.add_argument(
        "--dev",
        type=float,
        default=0.1,
        help="share of the training texts held out as the dev split, where a method picks "
        "its epoch (default 0.1; never the test texts)",
    )
    cmp.add_argument(
        "--methods",
        nargs="+",
        default=["vmask", "evarm", "scc", "pct", "vat"],
        choices=METHODS,
        metavar="METHOD",
        help="methods to compare with the base model (default: vmask evarm scc pct vat)",
    )
    cmp.add_argument(
        "--backbone",
        default="cnn",
        metavar="BACKBONE",
        help=f"{', '.join(BACKBONES)}, a Hugging Face model id or a save_pretrained folder "
        "(default: cnn)",
    )
    cmp.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="an estimator parameter for every model, repeatable (e.g. --param max_epochs=5)",
    )
    cmp.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default 3, at least 3)")
    cmp.add_argument("--k", type=int, default=5, help="k of AOPC, NAOPC, post-hoc accuracy")
    cmp.add_argument(
        "--tolerance",
        type=float,
        default=1.0,
        help="accuracy points a recommended method may lose (default 1.0)",
    )
    cmp.add_argument(
        "--fast",
        action="store_true",
        help="a first look: at most 2,000 training and 300 test texts, 3 epochs, LIME with "
        "200 samples on 60 texts (three seeds still: an interval needs them)",
    )
    cmp.add_argument("--jobs", type=int, default=1, help="worker processes (-1: one per CPU)")
    cmp.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS",
        help="fit the seeds on a Dask cluster: a scheduler address or 'local'",
    )
    cmp.add_argument("--device", default="cpu", help="cpu, cuda, ...")
    cmp.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    cmp.add_argument("--out", default="compare-results", help="output folder")
    add_file_options(cmp)
    cmp.set_defaults(func=compare_command)
