"""``skinterp fit / explain / evaluate``: train a model into a folder, then use it.

A model folder is a saved estimator (``estimator.save``: ``model.safetensors`` weights and
``skinterp.json``; loading runs no pickled code) plus ``run.json`` (method, backbone, data set,
class names, test accuracy, training time).
"""

from __future__ import annotations

import argparse
import ast
import json
import textwrap
import time
from pathlib import Path
from typing import Any

from ._cli_files import (
    META_FILE,
    MODEL_FILE,
    add_file_options,
    columns_of,
    explain_file,
    load_data_file,
    load_model_dir,
    plain_params,
    test_option,
)


def _parse_params(pairs: list[str] | None) -> dict:
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ValueError(f"--param {pair!r}: use NAME=VALUE, e.g. --param beta=0.5.")
        name, raw = pair.split("=", 1)
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = raw  # a plain string, e.g. --param pooling=mean
        out[name.strip()] = value
    return out


def _load_data(name: str, train_size: int | None, seed: int):
    import numpy as np

    from .benchmark import load_data

    data = load_data(name)
    data.classes = np.arange(len(data.target_names))
    if train_size and train_size < len(data.X_train):
        keep = np.sort(np.random.default_rng(seed).choice(len(data.X_train), train_size, False))
        data.X_train = [data.X_train[i] for i in keep]
        data.y_train = data.y_train[keep]
    return data


def fit_command(args: argparse.Namespace) -> int:
    import torch
    from sklearn.frozen import FrozenEstimator

    import skinterp

    from ._names import backbone_params
    from .benchmark import METHODS

    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    if (out / MODEL_FILE).exists() and not args.force:
        raise FileExistsError(f"{out} already holds a model; pass --force to replace it.")
    cls_name, extra, _ = METHODS[args.method]
    # Python's defaults: the backbone's own arguments and the method's registry variant only
    params = {**backbone_params(args.backbone), **extra, **_parse_params(args.param)}
    if args.epochs:
        params["max_epochs"] = args.epochs
    if args.init_from:
        base, _ = load_model_dir(args.init_from)
        params["init_from"] = FrozenEstimator(base)
    params = {k: None if v == "none" else v for k, v in params.items()}
    clf = getattr(skinterp, cls_name)(
        **params, device=args.device, random_state=args.seed, verbose=2
    )
    file_only = (
        "test",
        "text_column",
        "text_pair_column",
        "label_column",
        "format",
        "encoding",
        "split",
    )
    given = [f"--{o.replace('_', '-')}" for o in file_only if getattr(args, o) is not None]
    if given and not args.data:
        raise ValueError(f"{', '.join(given)}: only with your own file (--data FILE).")
    if args.data:
        data = load_data_file(args, test_option(args.test))
        source = Path(args.data).name
        if args.train_size and args.train_size < len(data.X_train):
            raise ValueError("--train-size applies to the built-in data sets; pass a smaller file.")
    else:
        data = _load_data(args.dataset, args.train_size, args.seed)
        source = args.dataset
    used = plain_params(clf)
    print(
        f"Training {cls_name} ({args.backbone}) on {len(data.X_train):,} {source} texts "
        f"for {clf.max_epochs} epochs, with parameters:"
    )
    listed = ", ".join(f"{k}={v!r}" for k, v in used.items())
    print(textwrap.fill(listed, 100, initial_indent="  ", subsequent_indent="  "))
    fit_kw = {}
    if args.dev:
        if args.data:
            raise ValueError("--dev: only with a built-in data set (--dataset), which has one.")
        fit_kw["validation_data"] = (list(data.X_valid), data.y_valid)
    start = time.perf_counter()
    clf.fit(data.X_train, data.y_train, **fit_kw)
    fit_s = time.perf_counter() - start
    acc = None if data.X_test is None else float(clf.score(data.X_test, data.y_test))
    out.mkdir(parents=True, exist_ok=True)
    if isinstance(clf.init_from, FrozenEstimator):
        clf.set_params(init_from=None)  # the weights are in the model; drop the base copy
    clf.save(out, overwrite=True)  # --force was checked above
    meta = {
        "method": args.method,
        "estimator": cls_name,
        "backbone": args.backbone,
        "dataset": args.dataset,
        "data": {"path": str(args.data), "columns": columns_of(args)} if args.data else None,
        "target_names": list(data.target_names),
        "classes": [c.item() if hasattr(c, "item") else c for c in data.classes],
        "n_train": len(data.X_train),
        "n_dev": len(fit_kw["validation_data"][0]) if fit_kw else 0,
        "test_accuracy": None if acc is None else round(acc, 4),
        "fit_seconds": round(fit_s, 1),
        "params": used,
        "skinterp": skinterp.__version__,
        "torch": torch.__version__,
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=1) + "\n")
    if acc is None:
        print("no test split (pass --test 0.2 or --test FILE for a test accuracy)")
    else:
        print(f"test accuracy: {acc:.3f}")
    print(f"saved to {out}/ (load it with skinterp.load)")
    return 0


def _title(clf: Any, meta: dict) -> str:
    """``skinterp: vmask on rotten_tomatoes`` (or on the training file's name), or just the
    method when the model folder does not say what it was trained on."""
    method = meta.get("method") or type(clf).__name__
    data = meta.get("data") or {}
    source = meta.get("dataset") or (Path(data["path"]).name if data.get("path") else None)
    return f"skinterp: {method}" + (f" on {source}" if source else "")


def _label(value, meta):
    """A predicted class with its name, when the model's data named its classes."""
    names, classes = meta.get("target_names") or [], meta.get("classes") or []
    if len(names) == len(classes) and value in classes:
        name = names[classes.index(value)]
        if str(name) != str(value):
            return f"{value} ({name})"
    return str(value)


def explain_command(args: argparse.Namespace) -> int:
    from .plotting import render_html

    clf, meta = load_model_dir(args.model)
    if args.input or args.output:
        return explain_file(args, clf, meta)
    texts = args.texts
    if not texts:
        raise ValueError("pass texts to explain, or --input FILE --output OUT.parquet.")
    if any(not t.strip() for t in texts):
        raise ValueError("a text to explain is empty; pass some words.")
    exps = clf.explain(texts, k=args.k)
    for text, exp in zip(texts, exps, strict=True):
        print(f"{text}\n  predicted {_label(exp.label, meta)} ({exp.proba:.3f}), {exp.method}:")
        for word, score in exp.top_k(labels=True):
            print(f"    {word:<20s} {score:+.4f}")
    if args.html:
        render_html(
            {meta.get("estimator", type(clf).__name__): exps},
            args.html,
            title=_title(clf, meta),
        )
        print(f"HTML: {args.html}")
    return 0


def evaluate_command(args: argparse.Namespace) -> int:
    from . import evaluate

    clf, meta = load_model_dir(args.model)
    if args.data:
        from .datasets import load_file
        from .datasets._readers import hf_splits

        split = args.split or ("test" if "test" in hf_splits(args.data) else None)
        data = load_file(args.data, split=split, **columns_of(args, meta))
        dataset = Path(args.data).name
        n = len(data.X_train) if args.n is None else args.n  # every row, unless --n says
        X, y = data.X_train[:n], data.y_train[:n]
    else:
        dataset = args.dataset or meta.get("dataset")
        if not dataset:
            raise ValueError("pass --dataset or --data FILE: the model has no data set of ours.")
        data = _load_data(dataset, None, 0)
        n = 200 if args.n is None else args.n
        X, y = data.X_test[:n], data.y_test[:n]
    lexicon = None
    if "plausibility" in args.metrics:
        from .datasets import load_vader_lexicon

        lexicon = load_vader_lexicon()
    report = evaluate(
        clf,
        X,
        y,
        metrics=args.metrics,
        explainers=args.explainers,
        k=args.k,
        lexicon=lexicon,
        progress=True,
    )
    from .plotting import metric_table

    acc = report.loc[report["metric"] == "accuracy", "value"]
    if len(acc):
        print(f"accuracy: {float(acc.iloc[0]):.4f} on {len(X)} texts")
    print(metric_table(report[report["metric"] != "accuracy"]).round(4).to_string(index=False))
    if args.report:
        report.to_html(
            args.report, title=f"{meta.get('estimator', type(clf).__name__)} on {dataset}"
        )
        print(f"report: {args.report}")
    return 0


def add_model_commands(sub) -> None:
    from ._names import BACKBONES, DATASETS, EXPLAINERS, METHODS, METRICS

    fit = sub.add_parser(
        "fit",
        help="train a method on a data set and save it to a folder",
        description="Train one method (any of skinterp's estimators) on an offline data set "
        "and save the fitted model and its metadata into OUT.",
    )
    fit.add_argument("--method", required=True, choices=sorted(METHODS), help="method")
    src = fit.add_mutually_exclusive_group(required=True)
    src.add_argument("--dataset", choices=sorted(DATASETS), help="a built-in data set")
    src.add_argument("--data", help="your own labelled file (see the options below)")
    fit.add_argument(
        "--test", default=None, help="with --data: a test file, or the share held out (0.2)"
    )
    fit.add_argument("--out", required=True, help="folder to save the model in")
    fit.add_argument(
        "--backbone",
        default="cnn",
        metavar="BACKBONE",
        help=f"{', '.join(BACKBONES)}, a Hugging Face model id or a save_pretrained folder "
        "(default: cnn, Kim-CNN over GloVe-50d)",
    )
    fit.add_argument(
        "--epochs", type=int, default=None, help="max_epochs (default: the estimator's own)"
    )
    fit.add_argument("--train-size", type=int, default=None, help="random training subset")
    fit.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="an estimator parameter, repeatable (e.g. --param beta=0.5)",
    )
    fit.add_argument(
        "--dev",
        action="store_true",
        help="score every epoch on the data set's dev split (validation_data), and pick the "
        "best epoch on it when the method picks one (SCC; --param early_stopping=valid_acc)",
    )
    fit.add_argument("--init-from", default=None, help="a model folder to start from")
    fit.add_argument("--device", default="cpu", help="cpu, cuda, ...")
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    fit.add_argument("--force", action="store_true", help="replace a model in OUT")
    add_file_options(fit)
    fit.set_defaults(func=fit_command)

    exp = sub.add_parser(
        "explain",
        help="explain texts, or every row of a file, with a saved model",
        description="Print each text's prediction and its top words; --html writes a page "
        "with the words highlighted. --input FILE --output OUT.parquet|.jsonl explains every "
        "row of a file in chunks (bounded memory, a progress bar; run it again to resume).",
    )
    exp.add_argument(
        "model",
        help="a folder written by `skinterp fit`, or a Hugging Face save_pretrained folder of "
        "a fine-tuned sequence classifier",
    )
    exp.add_argument("texts", nargs="*", help="one or more texts")
    exp.add_argument("--k", type=int, default=5, help="top words (default 5)")
    exp.add_argument("--html", default=None, help="also write an HTML page here")
    exp.add_argument("--input", default=None, help="a file of texts to explain")
    exp.add_argument("--output", default=None, help="with --input: a .parquet or .jsonl file")
    exp.add_argument(
        "--explainer",
        default="native",
        choices=EXPLAINERS,
        help="with --input: native (default), lime, ...",
    )
    exp.add_argument("--chunk-size", type=int, default=1000, help="texts per chunk")
    exp.add_argument("--id-column", default=None, help="a column copied into the output")
    exp.add_argument(
        "--dask", default=None, help="a Dask scheduler address, or 'local' for this machine"
    )
    exp.add_argument(
        "--on-empty",
        choices=["keep", "error"],
        default="keep",
        help="with --input: a row with an empty text is kept with no words and a note "
        "(keep, default) or stops the run (error)",
    )
    exp.add_argument("--force", action="store_true", help="replace OUTPUT, restart a run")
    add_file_options(exp, labels=False)
    exp.set_defaults(func=explain_command)

    ev = sub.add_parser(
        "evaluate",
        help="interpretability metrics of a saved model on a test split",
        description="Accuracy and interpretability metrics of a saved model on your labelled "
        "file (every row) or on the first N texts of a built-in test split; --report writes one "
        "self-contained HTML report.",
    )
    ev.add_argument(
        "model",
        help="a folder written by `skinterp fit`, or a Hugging Face save_pretrained folder of "
        "a fine-tuned sequence classifier",
    )
    src = ev.add_mutually_exclusive_group()
    src.add_argument(
        "--dataset", default=None, choices=sorted(DATASETS), help="default: the model's"
    )
    src.add_argument(
        "--data", default=None, help="your own labelled file: every row is tested (or --n)"
    )
    ev.add_argument(
        "--n",
        type=int,
        default=None,
        help="test only the first N texts (default: every row of --data; the first 200 of a "
        "built-in data set's test split)",
    )
    ev.add_argument(
        "--metrics",
        nargs="+",
        default=["aopc", "posthoc_accuracy", "comprehensiveness", "sufficiency"],
        choices=METRICS,
    )
    ev.add_argument("--explainers", nargs="+", default=["native", "occlusion", "random"])
    ev.add_argument("--k", type=int, default=5, help="k of AOPC, post-hoc accuracy")
    ev.add_argument("--report", default=None, help="write an HTML report here")
    add_file_options(ev)
    ev.set_defaults(func=evaluate_command)


def check_positive(args: argparse.Namespace) -> str | None:
    """The first count option below 1, as an error message."""
    for name in ("epochs", "train_size", "k", "n", "chunk_size", "seeds"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            return f"--{name.replace('_', '-')} must be >= 1"
    return None
