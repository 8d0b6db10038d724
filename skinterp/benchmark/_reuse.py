"""Take finished runs from another benchmark's output folder (``run_benchmark(..., reuse=)``).

A run is copied only when its record was made with exactly the settings this configuration
gives it (estimator and parameters, training and evaluation texts, the evaluation and every
protocol that covers its method), so a reused record is the one this benchmark would write.
A method that starts from (or is judged by) its cell's base model is copied only together
with that very base model's record, so each cell keeps one base model; a base whose saved
model is needed by a run that still has to be fitted is copied only with that model.
"""

from __future__ import annotations

import filecmp
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._config import Run, expand_runs, judged_by_base
from ._evaluation import dev_texts, evaluation_texts, load_data, record_config, training_texts

__all__ = ["reuse_runs"]


def _expected_config(run: Run, cfg: dict, data: Any) -> dict:
    """The ``config`` block this run's record will have (what ``run_one`` writes)."""
    dev = dev_texts(run, data)
    record = record_config(
        run,
        cfg["evaluation"],
        cfg["protocols"],
        n_train=len(training_texts(run, data)[0]),
        dev=dev,
        n_eval=len(evaluation_texts(run, data)[0]),
    )
    return json.loads(json.dumps(record, default=str))  # as the JSON record stores it


def _measured(protocols: dict) -> dict:
    # which other methods a protocol covers does not change how it measured this one
    return {n: {k: v for k, v in p.items() if k != "methods"} for n, p in protocols.items()}


def _differences(recorded: dict, expected: dict) -> list[str]:
    recorded = {"n_dev": 0, **recorded}  # records from before dev splits have no n_dev
    recorded["protocols"] = _measured(recorded.get("protocols") or {})
    expected = {**expected, "protocols": _measured(expected["protocols"])}
    return [key for key in expected if recorded.get(key) != expected[key]]


def reuse_runs(
    cfg: dict, out: str | Path, source: str | Path, log: Callable[[str], None] = print
) -> list[str]:
    """Copy the runs of ``cfg`` that ``source`` finished with the same settings into ``out``.

    Parameters
    ----------
    cfg : dict
        A loaded (and possibly selected) benchmark configuration.
    out : path
        This benchmark's output folder; runs already there are left alone.
    source : path
        Another benchmark's output folder (its ``runs/`` and, for base models, ``models/``).
    log : callable
        Receives one line per run copied or passed over (and why).

    Returns
    -------
    list of str
        The run ids copied.
    """
    out, source = Path(out), Path(source)
    if not (source / "runs").is_dir():
        raise FileNotFoundError(
            f"reuse: {source} has no runs/ folder; pass the output folder of a benchmark run."
        )
    if out.resolve() == source.resolve():
        raise ValueError(f"reuse: {source} is this benchmark's own output folder.")
    (out / "runs").mkdir(parents=True, exist_ok=True)
    cells: dict[tuple, list[Run]] = {}
    for run in expand_runs(cfg):
        cells.setdefault((run.dataset, run.backbone, run.seed), []).append(run)
    loaded: dict[str, Any] = {}
    copied = []
    for cell_runs in cells.values():
        usable = {}  # run id -> its record in source, when its settings are this run's
        for run in cell_runs:
            src = source / "runs" / f"{run.run_id}.json"
            if (out / "runs" / f"{run.run_id}.json").exists() or not src.exists():
                continue
            if run.dataset not in loaded:
                loaded = {run.dataset: load_data(run.dataset, cfg.get("files"))}
            recorded = json.loads(src.read_text()).get("config", {})
            diff = _differences(recorded, _expected_config(run, cfg, loaded[run.dataset]))
            if diff:
                log(f"{run.run_id}: not reused, its settings differ ({', '.join(diff)})")
            else:
                usable[run.run_id] = src
        copied += _copy_cell(cell_runs, usable, cfg, out, source, log)
    return copied


def _copy_cell(runs: list[Run], usable: dict, cfg: dict, out: Path, source: Path, log) -> list:
    """Copy one cell's usable runs, keeping the cell to one base model."""
    base = next((r for r in runs if r.method == "base"), None)
    needs_base = [r for r in runs if r.init_from_base or judged_by_base(cfg, r.method)]
    if base is not None and base.run_id in usable and needs_base:
        model = source / "models" / base.run_id
        left = [
            r.run_id
            for r in needs_base
            if r.run_id not in usable and not (out / "runs" / f"{r.run_id}.json").exists()
        ]
        if left and not model.is_dir():
            log(
                f"{base.run_id}: not reused, {left[0]} still has to start from (or be judged by) "
                f"it and its saved model is not in {source / 'models'}"
            )
            del usable[base.run_id]
    copied = []
    for run in runs:  # the base first (expand_runs' order)
        if run.run_id not in usable:
            continue
        if run in needs_base and not _same_base(base, out, source):
            log(f"{run.run_id}: not reused, its cell's base model here is not the one it used")
            continue
        shutil.copy2(usable[run.run_id], out / "runs" / f"{run.run_id}.json")
        model = source / "models" / run.run_id
        if run.method == "base":  # a model saved here before belongs to no record here
            shutil.rmtree(out / "models" / run.run_id, ignore_errors=True)
            if model.is_dir():
                shutil.copytree(model, out / "models" / run.run_id)
        copied.append(run.run_id)
        log(f"{run.run_id}: reused from {source}")
    return copied


def _same_base(base: Run | None, out: Path, source: Path) -> bool:
    if base is None:
        return False
    ours, theirs = (f / "runs" / f"{base.run_id}.json" for f in (out, source))
    return ours.exists() and theirs.exists() and filecmp.cmp(ours, theirs, shallow=False)
