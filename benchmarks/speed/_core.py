"""Helpers of bench_speed.py: estimator overhead vs a bare PyTorch loop, dynamic vs static padding.

(a) epoch time of ``TextClassifier`` (skorch loop, callbacks, history) against a bare PyTorch
    training loop over the *same* module, data, batches, collate and optimizer -- the ratio
    isolates what the estimator layer costs.
(b) training throughput (sentences/s) with dynamic padding (pad to the longest text in the
    batch, the default) against static padding to ``max_length``.
"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import statistics
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

import skinterp
from skinterp import TextClassifier
from skinterp.benchmark import BACKBONES, METHODS, environment
from skinterp.benchmark._config import DISPLAY
from skinterp.text import Collator, TextDataset


def machine_line(env: dict, threads: int) -> str:
    """The results' first line: machine, threads, versions and commit (no full stop)."""
    commit = f" ({env['git_commit']})" if env.get("git_commit") else ""
    return (
        f"Machine: {env['platform']}, {env['cpu_count']} CPUs, {threads} torch threads, device "
        f"{env.get('device', 'cpu')}; torch {env['torch']}, skinterp {env['skinterp']}{commit}"
    )


def in_fresh_process(threads: int, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in a new Python process (spawn) with ``threads`` torch threads.

    A long benchmark process slows later fits, and not evenly: CNN dynamic / static padding
    measured 2.36 in a fresh process, 2.02 in the same process after section 2's fits and 2.21
    after ``gc.collect(); gc.freeze()`` there. Every timed case therefore starts from the same
    clean state, as a user's training job does.
    """
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        1, mp_context=ctx, initializer=torch.set_num_threads, initargs=(threads,)
    ) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def method_epochs(backbone, X, y, epochs, rounds, methods):
    """Median steady epoch time of every method, fits interleaved round by round."""
    per = {m: [] for m in methods}
    params = {k: v for k, v in BACKBONES[backbone].items() if k != "max_epochs"}
    for r in range(rounds):
        for m in methods:
            cls_name, extra, _ = METHODS[m]
            extra = {k: v for k, v in extra.items() if k != "max_epochs"}
            clf = getattr(skinterp, cls_name)(
                **params, **extra, max_epochs=epochs, random_state=r
            ).fit(X, y)
            per[m].append(steady(list(clf.history[:, "dur"])))
            print(f"  {backbone} {m} round {r}: {per[m][-1]:.3f} s/epoch", flush=True)
    base = statistics.median(per["base"])
    rows = []
    for m in methods:
        # each round's method fit against the base fit of the same round (paired)
        paired = [t / b for t, b in zip(per[m], per["base"], strict=True)]
        rows.append(
            {
                "backbone": backbone,
                "method": m,
                "n_train": len(X),
                "epoch_s": round(statistics.median(per[m]), 4),
                "ratio": round(statistics.median(per[m]) / base, 2),
                "round_ratios": [round(r, 3) for r in paired],
                "paired_ratio": round(statistics.median(paired), 3),
            }
        )
    return rows


def bare_loop_epoch_times(module, encodings, y, *, epochs, batch_size, lr, pad_id, seed):
    """What a user would write in plain PyTorch over the same module and batches."""
    torch.manual_seed(seed)
    # the estimator's default optimizer: Adam with its fused implementation
    opt = torch.optim.Adam(module.parameters(), lr=lr, fused=True)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(
        TextDataset(encodings, y), batch_size=batch_size, shuffle=True, collate_fn=Collator(pad_id)
    )
    times = []
    for _ in range(epochs):
        module.train()
        start = time.perf_counter()
        for X, yb in loader:
            opt.zero_grad()
            logits, _ = module(**X)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    return times


def steady(times):
    """Median epoch time without the first (warm-up) epoch."""
    return statistics.median(times[1:] if len(times) > 1 else times)


def overhead_case(name, params, X, y, epochs, rounds):
    est_times, bare_times, fit_walls = [], [], []
    for r in range(rounds):
        clf = TextClassifier(**params, max_epochs=epochs, random_state=r)
        t0 = time.perf_counter()
        clf.fit(X, y)
        fit_walls.append(time.perf_counter() - t0)
        est_times.append(steady(list(clf.history[:, "dur"])))
        # a freshly built module from the public API (a fit of 0 epochs builds and seeds it
        # exactly as the timed fit did), same encodings and labels
        fresh = TextClassifier(**params, max_epochs=0, random_state=r).fit(X, y).module_
        encodings = clf.tokenizer_.encode(X)
        y_enc = np.searchsorted(clf.classes_, y)
        bare = bare_loop_epoch_times(
            fresh,
            encodings,
            y_enc,
            epochs=epochs,
            batch_size=params["batch_size"],
            lr=params["lr"],
            pad_id=clf.tokenizer_.pad_id,
            seed=r,
        )
        bare_times.append(steady(bare))
    est, bare = statistics.median(est_times), statistics.median(bare_times)
    return {
        "case": name,
        "n_train": len(X),
        "epochs": epochs,
        "rounds": rounds,
        "textclassifier_epoch_s": round(est, 4),
        "bare_pytorch_epoch_s": round(bare, 4),
        "ratio": round(est / bare, 3),
        "textclassifier_fit_wall_s": round(statistics.median(fit_walls), 3),
        "goal": "<= 1.10",
    }


def padding_case(name, params, X, y, epochs, max_length):
    """Training sentences/s with dynamic padding (the default), dynamic padding over
    length-bucketed batches (``bucket_by_length=True``) and static padding to max_length."""
    out = {}
    for mode in ("dynamic", "bucketed", "static"):
        extra = {}
        if mode == "static":
            extra["iterator_train__collate_fn"] = Collator(
                params.get("pad_id", 0), pad_to=max_length
            )
        if mode == "bucketed":
            extra["bucket_by_length"] = True
        kw = {k: v for k, v in params.items() if k != "pad_id"}
        clf = TextClassifier(
            **kw, **extra, max_length=max_length, max_epochs=epochs, random_state=0
        )
        clf.fit(X, y)
        out[mode] = len(X) / steady(list(clf.history[:, "dur"]))
    return {
        "case": name,
        "n_train": len(X),
        "max_length": max_length,
        "dynamic_sentences_per_s": round(out["dynamic"], 1),
        "bucketed_sentences_per_s": round(out["bucketed"], 1),
        "static_sentences_per_s": round(out["static"], 1),
        "speedup": round(out["dynamic"] / out["static"], 2),
        "bucketed_speedup": round(out["bucketed"] / out["static"], 2),
        "goal": ">= 2",
    }


def pass_costs(name, params, X, y, n_batches=40):
    """Seconds per training batch of the base model's parts, timed on the same batches: a
    forward pass without gradients (n), with gradients (f), the backward pass (b) and the
    optimizer step (o). They give the floor of a method's epoch-time ratio from the passes
    its training step makes (section 2's arithmetic)."""
    from skorch.utils import to_tensor

    clf = TextClassifier(**params, max_epochs=1, random_state=0).fit(X, y)
    module, opt = clf.module_, clf.optimizer_
    ds = clf.get_dataset(list(X), np.searchsorted(clf.classes_, np.asarray(y)))
    parts = {"n": [], "f": [], "b": [], "o": []}
    module.train()
    for i, (Xi, yi) in enumerate(clf.get_iterator(ds, training=True)):
        if i == n_batches:
            break
        Xi, yi = to_tensor(Xi, "cpu"), torch.as_tensor(yi)
        t0 = time.perf_counter()
        with torch.no_grad():
            module(**Xi)
        t1 = time.perf_counter()
        logits, _ = module(**Xi)
        loss = nn.functional.cross_entropy(logits, yi)
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        opt.step()
        opt.zero_grad()
        t4 = time.perf_counter()
        if i:  # the first batch warms up
            for key, dt in zip("nfbo", (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                parts[key].append(dt)
    n, f, b, o = (statistics.median(parts[k]) for k in "nfbo")
    step = f + b + o
    return {
        "case": name,
        "n_s": round(n, 5),
        "f_s": round(f, 5),
        "b_s": round(b, 5),
        "o_s": round(o, 5),
        # E-VarM (iterative): a gate pass without gradients, the masked pass (stage 1) and
        # the 3N-row contrastive batch (stage 2), each stage with its own optimizer step
        "evarm_floor": round((n + 4 * (f + b) + 2 * o) / step, 2),
        # SCC: the whole text (whose states the coding layer reads), the foreground and the
        # background, each with gradients, one optimizer step
        "scc_floor": round((3 * (f + b) + o) / step, 2),
    }


def claims_time(folder) -> list[dict]:
    """Total training + evaluation time of the committed claims runs, per backbone, from the
    timings each run recorded (``skinterp benchmark run --profile claims``)."""
    import json
    from pathlib import Path

    per: dict[str, dict] = {}
    for path in sorted(Path(folder).glob("runs/*.json")):
        r = json.loads(path.read_text())
        c = per.setdefault(
            r["backbone"],
            {"backbone": r["backbone"], "runs": 0, "fit_s": 0.0, "eval_s": 0.0, "threads": set()},
        )
        c["runs"] += 1
        c["fit_s"] += r["timings"]["fit_s"]
        c["eval_s"] += r["timings"]["eval_s"]
        c["threads"].add(r["environment"].get("torch_threads"))
    return [
        {
            **c,
            "threads": sorted(t for t in c["threads"] if t),
            "hours": round((c["fit_s"] + c["eval_s"]) / 3600, 2),
        }
        for c in per.values()
    ]


def cost_only(args, data) -> None:
    """Section 2 alone for a few methods, more rounds: each round's ratio to the base fit of
    the same round, their median and range (how far one round can move the ratio)."""
    start = time.perf_counter()
    methods = ["base", *[m for m in args.cost_only.split(",") if m != "base"]]
    n = min(args.n_methods, len(data.X_train))
    X, y = data.X_train[:n], data.y_train[:n]
    rows = []
    for backbone in ("cnn", "lstm"):
        rows += in_fresh_process(
            args.threads, method_epochs, backbone, X, y, args.method_epochs, args.rounds, methods
        )
    env = environment("cpu")
    lines = [
        "# Speed benchmark, method cost alone (`--cost-only`)",
        "",
        machine_line(env, args.threads)
        + f". First {n} Rotten Tomatoes training texts; per backbone one fresh process, "
        f"{args.rounds} interleaved rounds of {args.method_epochs}-epoch fits (first epoch left "
        f"out). Command: `python benchmarks/speed/bench_speed.py --cost-only {args.cost_only} "
        f"--rounds {args.rounds} --threads {args.threads}` "
        f"({(time.perf_counter() - start) / 60:.1f} min).",
        "",
        "| backbone | method | s/epoch (median) | ratio to base, median of rounds | "
        "range over rounds |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        if r["method"] == "base":
            continue
        lines.append(
            f"| {r['backbone']} | {DISPLAY.get(r['method'], r['method'])} | {r['epoch_s']} | "
            f"{r['paired_ratio']}× | {min(r['round_ratios'])}–{max(r['round_ratios'])}× |"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    result = {"environment": env, "args": {k: str(v) for k, v in vars(args).items()}}
    (args.out / "cost.json").write_text(json.dumps({**result, "methods": rows}, indent=2))
    (args.out / "cost.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
