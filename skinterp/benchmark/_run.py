"""Run a benchmark grid: one JSON file per (data set, backbone, method, seed)."""

from __future__ import annotations

import json
import os
import statistics
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._config import Run, expand_runs, judged_by_base, load_config, select_config
from ._environment import environment
from ._evaluation import (
    _HISTORY_KEYS,
    _metrics,
    dev_texts,
    evaluation_texts,
    load_data,
    record_config,
    training_texts,
)
from ._parallel import resolve_jobs, run_cells
from ._reuse import reuse_runs

__all__ = ["environment", "run_benchmark", "run_one"]


def _round(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _round(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_round(x) for x in v]
    if isinstance(v, (float, np.floating)):
        return round(float(v), 5)
    return v


def run_one(
    run: Run,
    data,
    evaluation: dict,
    *,
    base=None,
    lexicon=None,
    protocols: dict | None = None,
) -> tuple[dict, Any]:
    """Fit and evaluate one run; returns its record (without environment) and the model.

    ``base`` is the same cell's trained base model: the start of methods that begin from it,
    and the judge of every other method when ``evaluation["judge"] == "base"``.
    ``protocols`` (name -> evaluation settings with their ``methods``) evaluate the same model
    again under each protocol that lists this method; the record keeps each under
    ``protocols[name]``.
    """
    from sklearn.frozen import FrozenEstimator

    import skinterp

    cls_name = run.estimator

    def judge_of(ev: dict):
        if ev["judge"] != "base" or run.method == "base":
            return None
        if base is None:
            raise ValueError(f"{run.run_id}: judge = 'base' needs the cell's base model.")
        return base

    judge = judge_of(evaluation)
    for proto in (protocols or {}).values():
        if run.method in proto["methods"]:
            judge_of(proto)  # fail before training, not after
    params = dict(run.params)
    if run.init_from_base:
        if base is None:
            raise ValueError(f"{run.run_id}: this method starts from the trained base model.")
        params["init_from"] = FrozenEstimator(base)
    clf = getattr(skinterp, cls_name)(**params, random_state=run.seed)
    X, y = training_texts(run, data)
    X_eval, y_eval = evaluation_texts(run, data)
    dev = dev_texts(run, data)
    if run.dev_split and dev is None:
        raise ValueError(
            f"{run.run_id}: [data] validation = 'dataset', but {run.dataset} has no "
            "validation split; use validation = 'holdout'."
        )
    fit_kw = {} if dev is None else {"validation_data": dev}
    start = time.perf_counter()
    clf.fit(X, y, **fit_kw)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    metrics = _metrics(clf, X_eval, y_eval, run, evaluation, lexicon, judge=judge)
    by_protocol = {
        name: _metrics(clf, X_eval, y_eval, run, proto, lexicon, judge=judge_of(proto))
        for name, proto in (protocols or {}).items()
        if run.method in proto["methods"]
    }
    eval_s = time.perf_counter() - start
    durations = list(clf.history[:, "dur"])
    record = {
        "run_id": run.run_id,
        "dataset": run.dataset,
        "backbone": run.backbone,
        "method": run.method,
        "display": run.display,
        "seed": run.seed,
        "config": record_config(
            run,
            evaluation,
            protocols,
            n_train=len(X),
            dev=dev,
            n_eval=len(X_eval),
        ),
        "metrics": _round(metrics),
        "protocols": _round(by_protocol),
        # per epoch: losses, validation accuracy, the decisiveness of masks / attention, beta
        "history": _round(
            [{k: v for k, v in row.items() if k in _HISTORY_KEYS} for row in clf.history]
        ),
        "timings": _round(
            {
                "fit_s": fit_s,
                "epoch_s": statistics.median(durations),
                "epochs": len(durations),
                "eval_s": eval_s,
            }
        ),
    }
    return record, clf


def _write_json(path: Path, obj: dict) -> None:
    # a name of its own per process: parallel workers all write the grid's config.json
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(obj, indent=1, default=str) + "\n")
    os.replace(tmp, path)  # never leave a half-written result behind


def run_benchmark(
    config: str | os.PathLike | dict,
    out: str | os.PathLike,
    *,
    datasets: Sequence[str] | None = None,
    backbones: Sequence[str] | None = None,
    methods: Sequence[str] | None = None,
    seeds: Sequence[int] | None = None,
    device: str | None = None,
    force: bool = False,
    log: Callable[[str], None] | None = print,
    progress: bool = False,
    n_jobs: int | None = None,
    threads: int | None = None,
    reuse: str | os.PathLike | None = None,
    dask: Any = None,
) -> list[Path]:
    """Run every cell of a benchmark configuration and write one JSON per run.

    Finished runs (their JSON exists) are skipped unless ``force``, so an interrupted
    benchmark resumes where it stopped. A base model that other methods start from (or are
    judged by) is saved to ``out/models/<run_id>/`` and loaded when a later invocation needs it,
    so every method of a cell meets the very base model of the cell's record; without that
    folder (another machine) the base is trained again and its record rewritten. Warnings
    raised during a run (e.g. texts truncated to ``max_length``) are recorded in its JSON
    (``warnings``: category, message, count).

    Parameters
    ----------
    config : str, path or dict
        ``"quick"``, ``"full"``, a TOML file or a dict (see :func:`load_config`).
    out : path
        Output folder; runs go to ``out/runs/<run_id>.json``, the resolved configuration to
        ``out/config.json``.
    datasets, backbones, methods, seeds : sequence, optional
        Restrict the grid to these (each must be in the configuration).
    device : str, optional
        Overrides the configuration's device (``"cpu"``, ``"cuda"``, ...).
    force : bool, default=False
        Re-run finished runs.
    log : callable or None, default=print
        Receives one progress line per run.
    progress : bool, default=False
        Show a progress bar over the runs (tqdm, stderr; the log lines print above it), or
        over the cells when ``n_jobs > 1``.
    n_jobs : int or None, default=None
        Worker processes, each running whole cells (data set, backbone, seed: the base model,
        then the methods that share it); ``None`` or 1 runs in this process, -1 uses every
        CPU. The records are the same as a serial run's. Workers print their log lines,
        prefixed with their cell, instead of passing them to ``log``.
    threads : int, optional
        Torch threads of each worker (``n_jobs > 1`` only); default: the CPUs divided among
        the workers, at least 1.
    reuse : path, optional
        Another benchmark's output folder: its finished runs whose recorded settings are
        this configuration's are copied first (base models with their saved model), so only
        the rest are fitted (:mod:`skinterp.benchmark._reuse` has the rules).
    dask : "local", str or distributed.Client, optional
        Run the cells as tasks on a Dask cluster instead: ``"local"`` starts a
        ``LocalCluster`` here (``n_jobs`` worker processes, default one per CPU, one thread
        each), a string is a scheduler address, or pass a ``Client``. Each worker writes its
        cells' records into ``out``, which must be a folder every worker can write (a shared
        file system on a real cluster); resumable exactly like a serial run. ``threads``
        sets each worker's torch threads (default: 1 with ``"local"``, else torch's own).

    Returns
    -------
    list of Path
        The JSON file of every run in the grid.
    """
    cfg = load_config(config)
    if device is not None:
        cfg["device"] = device
    selected = select_config(
        cfg, datasets=datasets, backbones=backbones, methods=methods, seeds=seeds
    )
    log = log or (lambda _msg: None)
    if reuse is not None:
        if force:
            raise ValueError("reuse and force together: force re-runs every run it would copy.")
        reuse_runs(selected, out, reuse, log)
    jobs = resolve_jobs(n_jobs)
    if dask is not None:
        from ._parallel import dask_executor

        if isinstance(config, (str, os.PathLike)) and Path(config).is_file():
            config = str(Path(config).resolve())  # workers may not share this working folder
        local = dask == "local"
        with dask_executor(dask, jobs if n_jobs is not None else None) as (executor, workers):
            return _run_parallel(
                config,
                cfg,
                selected,
                Path(out).resolve(),
                methods,
                device,
                force,
                workers,
                threads if threads is not None or not local else 1,
                log,
                progress,
                executor=executor,
                kind="Dask workers",
            )
    if jobs > 1:
        return _run_parallel(
            config, cfg, selected, out, methods, device, force, jobs, threads, log, progress
        )
    from tqdm.auto import tqdm

    bar = tqdm(total=len(expand_runs(selected)), unit="run", disable=not progress)
    if progress and log is print:
        log = bar.write  # lines above the bar, not through it
    out = Path(out)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    # the whole grid's configuration, so that a partial run leaves the tables' order intact
    _write_json(out / "config.json", cfg)
    cfg = selected
    runs = expand_runs(cfg)
    env = environment(cfg["device"])
    paths, loaded, bases, lexicon = [], {}, {}, None
    base_cells = {
        (r.dataset, r.backbone, r.seed)
        for r in runs
        if r.init_from_base or judged_by_base(cfg, r.method)
    }
    start_all = time.perf_counter()
    for i, run in enumerate(runs, 1):
        bar.update(i - 1 - bar.n)  # every run before this one is done (or skipped)
        bar.set_postfix_str(run.run_id)
        path = out / "runs" / f"{run.run_id}.json"
        paths.append(path)
        cell = (run.dataset, run.backbone, run.seed)
        if (
            path.exists()
            and not force
            and not (run.method == "base" and cell in base_cells and _pending(runs, cell, out, cfg))
        ):
            log(f"[{i}/{len(runs)}] {run.run_id}: done before, skipped")
            continue
        saved = out / "models" / run.run_id
        if run.method == "base" and path.exists() and not force and saved.is_dir():
            # the very model whose record exists, not a retrained one (a refit on another
            # machine or beside another job can differ in the last digits)
            from ..core import load

            bases = {cell: load(saved)}
            log(f"[{i}/{len(runs)}] {run.run_id}: done before, its saved model loaded")
            continue
        if run.dataset not in loaded:
            loaded = {run.dataset: load_data(run.dataset, cfg.get("files"))}
        if run.plausibility and lexicon is None:
            from ..datasets import load_vader_lexicon

            lexicon = load_vader_lexicon()
        bases = {c: m for c, m in bases.items() if c == cell}  # keep one cell's base in memory
        t0 = time.perf_counter()
        try:
            # warnings (e.g. truncated texts) go into the run's record, not once per fit
            # into the log
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                record, clf = run_one(
                    run,
                    loaded[run.dataset],
                    cfg["evaluation"],
                    base=bases.get(cell),
                    lexicon=lexicon,
                    protocols=cfg["protocols"],
                )
        except (ValueError, TypeError) as exc:  # a bad setting in the config: name the run
            raise ValueError(f"run {run.run_id} failed: {exc}") from exc
        record["warnings"] = [
            {"category": cat, "message": msg, "count": n}
            for (cat, msg), n in Counter(
                (w.category.__name__, str(w.message)) for w in caught
            ).items()
        ]
        record["profile"] = cfg["name"]
        record["environment"] = env
        _write_json(path, record)
        if run.method == "base":
            bases[cell] = clf
            if cell in base_cells:  # kept (git-ignored) for the methods that need it later
                clf.save(saved, overwrite=True)
        m, t, k = record["metrics"], record["timings"], cfg["evaluation"]["k"][0]
        aopc = f"AOPC@{k} {m[f'aopc@{k}']:.3f}, " if f"aopc@{k}" in m else ""
        log(
            f"[{i}/{len(runs)}] {run.run_id}: accuracy {m['accuracy']:.3f}, {aopc}"
            f"{t['epoch_s']:.2f} s/epoch, {time.perf_counter() - t0:.0f} s"
        )
    bar.update(len(runs) - bar.n)
    bar.close()
    log(f"{len(runs)} runs in {out} ({time.perf_counter() - start_all:.0f} s)")
    return paths


def _run_parallel(
    config,
    cfg,
    selected,
    out,
    methods,
    device,
    force,
    jobs,
    threads,
    log,
    progress,
    executor=None,
    kind="workers",
) -> list[Path]:
    """:func:`run_benchmark` over worker processes (or ``executor``), one cell per task."""
    out = Path(out)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    _write_json(out / "config.json", cfg)
    runs = expand_runs(selected)
    cells = list(dict.fromkeys((r.dataset, r.backbone, r.seed) for r in runs))
    if threads is None and executor is None:
        threads = max(1, (os.cpu_count() or 1) // min(jobs, len(cells)))
    start = time.perf_counter()
    run_cells(
        config,
        out,
        cells,
        methods=methods,
        device=device,
        force=force,
        n_jobs=jobs,
        threads=threads,
        log=log,
        progress=progress,
        executor=executor,
    )
    log(f"{len(runs)} runs in {out} ({time.perf_counter() - start:.0f} s, {jobs} {kind})")
    return [out / "runs" / f"{r.run_id}.json" for r in runs]


def _pending(runs: list[Run], cell: tuple, out: Path, cfg: dict) -> bool:
    """Whether a method of this cell that starts from (or is judged by) the base model still
    has to run (the base is then trained again: same seed, same model)."""
    return any(
        (r.init_from_base or judged_by_base(cfg, r.method))
        and (r.dataset, r.backbone, r.seed) == cell
        and not (out / "runs" / f"{r.run_id}.json").exists()
        for r in runs
    )
