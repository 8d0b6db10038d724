"""Per-epoch curves of one method on one data set: dev accuracy, keep spread and, for diagnosis
only, test accuracy. Nothing is chosen on the test numbers; they show whether a gap to the base
is over-training (it closes at an earlier epoch) or there at every epoch.

    python benchmarks/reproduce/epoch_curves.py --method vmask --seeds 0 1 2
    python benchmarks/reproduce/epoch_curves.py --method evarm --seeds 0

The dev split is passed as ``fit(X, y, validation_data=...)`` and so is scored after every
epoch; every training text trains. Scoring the test split after each epoch draws from the torch
random stream (a DataLoader per pass), so a curve's last epoch is not bit-identical to a run
without it. Each fit appends one JSON line to ``defaults/results/tuning/epoch_curves.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from skorch.callbacks import Callback

import skinterp
from skinterp.benchmark import BACKBONES, DATASETS, METHODS, load_data

OUT = Path(__file__).parent / "defaults" / "results" / "tuning" / "epoch_curves.jsonl"


class _TestAccuracy(Callback):
    """Records the test accuracy after every epoch (diagnosis only)."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def on_epoch_end(self, net, **kwargs):
        net.history.record("test_acc", float(net.score(self.X, self.y)))


def _curve(history, key):
    return [round(float(v), 4) for v in history[:, key]] if key in history[-1] else None


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="rotten_tomatoes", choices=sorted(DATASETS))
    p.add_argument("--backbone", default="cnn", choices=sorted(BACKBONES))
    p.add_argument("--method", required=True, choices=sorted(METHODS))
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--params", default="{}", help="JSON of estimator parameters on top")
    p.add_argument("--max-epochs", type=int, default=None, help="default: the estimator's")
    p.add_argument(
        "--n-train", type=int, default=None, help="the first N training texts (default: all)"
    )
    p.add_argument("--no-test", action="store_true", help="do not score the test split at all")
    p.add_argument("--threads", type=int, default=None, help="torch threads")
    args = p.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    data = load_data(args.dataset)
    if args.n_train:  # a small data set, as defaults_untuned_2k.toml takes its first texts
        data.X_train, data.y_train = data.X_train[: args.n_train], data.y_train[: args.n_train]
    cls_name, extra, _ = METHODS[args.method]
    params = {**BACKBONES[args.backbone], **extra, **json.loads(args.params)}
    params.pop("max_epochs", None)  # the estimator's own default, as a user gets it
    if args.max_epochs:
        params["max_epochs"] = args.max_epochs
    OUT.parent.mkdir(parents=True, exist_ok=True)
    for seed in args.seeds:
        track = [] if args.no_test else [("test_acc", _TestAccuracy(data.X_test, data.y_test))]
        clf = getattr(skinterp, cls_name)(**params, random_state=seed, callbacks=track)
        start = time.perf_counter()
        clf.fit(data.X_train, data.y_train, validation_data=(data.X_valid, data.y_valid))
        row = {
            "dataset": args.dataset,
            "backbone": args.backbone,
            "method": args.method,
            "seed": seed,
            "params": json.loads(args.params),
            "n_train": len(data.X_train),
            "max_epochs": clf.max_epochs,
            # rows without it predate encoder_lr (the method stage then trained at lr)
            "encoder_lr": clf.encoder_lr,
            "dev_acc": _curve(clf.history, "valid_acc"),
            "keep_spread": _curve(clf.history, "keep_spread"),
            "test_acc_diagnosis_only": _curve(clf.history, "test_acc"),
            "fit_s": round(time.perf_counter() - start, 1),
        }
        warm = getattr(clf, "warmup_model_", None)
        if warm is not None:
            row["warmup_dev_acc"] = _curve(warm.history, "valid_acc")
        with OUT.open("a") as f:
            f.write(json.dumps(row) + "\n")
        print(json.dumps(row))


if __name__ == "__main__":
    main()
