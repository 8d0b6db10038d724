"""Run a benchmark's cells in worker processes (``run_benchmark(..., n_jobs=2)``) or on a
Dask cluster (``run_benchmark(..., dask="tcp://scheduler:8786")``).

The unit of work is a cell, (data set, backbone, seed): its base model comes first and the
methods that start from it (or are judged by it) follow in the same process, so the base is
shared exactly as in a serial run and every run's record is the one a serial run writes.
Workers are spawned (not forked: torch's thread pools do not survive a fork) and each sets
its own number of torch threads, so ``n_jobs`` workers at ``threads`` each fill
``n_jobs * threads`` cores without oversubscribing them.

One code path for both: the cells go to a ``concurrent.futures`` executor, a spawned
``ProcessPoolExecutor`` for ``n_jobs`` or a Dask client's executor (``Client.get_executor``) for
``dask``. Each cell's worker writes its records into ``out`` as the serial run does, so on a
cluster ``out`` must be a folder every worker can write (a shared file system); an interrupted
run resumes from the records there, whichever executor ran it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

__all__ = ["dask_executor", "resolve_jobs", "run_cells"]


@contextlib.contextmanager
def dask_executor(dask: Any, n_workers: int | None = None) -> Iterator[tuple[Executor, int]]:
    """``(executor, number of workers)`` of a Dask cluster: ``"local"`` (a ``LocalCluster`` on
    this machine, ``n_workers`` processes of one thread each; default one per CPU), a scheduler
    address, or a ``distributed.Client``. A cluster made here is closed on exit."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - distributed is a dependency of the extra
        raise ImportError(
            "dask= needs the distributed package: pip install 'dask[distributed]'."
        ) from None
    made = []
    if isinstance(dask, Client):
        client = dask
    elif dask == "local":
        cluster = LocalCluster(
            n_workers=n_workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
        made = [client, cluster]
    elif isinstance(dask, str) and dask:
        try:
            client = Client(dask, timeout="20s")
        except OSError as exc:
            raise ConnectionError(
                f"could not reach a Dask scheduler at {dask!r} ({exc}); start one "
                "(dask scheduler / dask worker) or pass dask='local'."
            ) from None
        made = [client]
    else:
        raise ValueError(
            f"dask must be 'local', a scheduler address or a distributed.Client, got {dask!r}."
        )
    try:
        workers = len(client.scheduler_info().get("workers", {})) or 1
        yield client.get_executor(pure=False), workers
    finally:
        for obj in made:
            obj.close()


def resolve_jobs(n_jobs: int | None) -> int:
    """``n_jobs`` as scikit-learn reads it: ``None`` or 1 is serial, -1 every CPU, -2 all but
    one, ..."""
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero integer (or None), got {n_jobs!r}.")
    cpus = os.cpu_count() or 1
    return n_jobs if n_jobs > 0 else max(1, cpus + 1 + n_jobs)


def _name(cell: tuple) -> str:
    dataset, backbone, seed = cell
    return f"{dataset}/{backbone}/seed{seed}"


def _run_cell(
    config, out: str, cell: tuple, methods, device, force: bool, threads: int | None
) -> float:
    """One cell in a worker: its runs one after the other, as the serial loop runs them."""
    import torch

    from ._run import run_benchmark

    if threads:
        torch.set_num_threads(threads)
    dataset, backbone, seed = cell
    name = _name(cell)
    start = time.perf_counter()
    run_benchmark(
        config,
        out,
        datasets=[dataset],
        backbones=[backbone],
        seeds=[seed],
        methods=methods,
        device=device,
        force=force,
        log=lambda msg: print(f"({name}) {msg}", flush=True),
    )
    return time.perf_counter() - start


def run_cells(
    config,
    out: Path,
    cells: Sequence[tuple],
    *,
    methods: Sequence[str] | None,
    device: str | None,
    force: bool,
    n_jobs: int,
    threads: int | None,
    log: Callable[[str], None],
    progress: bool,
    executor: Executor | None = None,
) -> None:
    """Run these cells on ``n_jobs`` spawned workers (or on ``executor``, e.g. a Dask
    client's); the first failure stops the rest (their finished runs stay written, so the
    benchmark resumes) and is raised naming its cell."""
    from tqdm.auto import tqdm

    n_jobs = min(n_jobs, len(cells))
    bar = tqdm(total=len(cells), unit="cell", disable=not progress)
    if progress and log is print:
        log = bar.write  # lines above the bar, not through it
    if executor is None:
        ctx = multiprocessing.get_context("spawn")
        pool_cm = ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx)
    else:  # its owner closes it
        pool_cm = contextlib.nullcontext(executor)
    with pool_cm as pool:
        futures = {
            pool.submit(
                _run_cell, config, str(out), cell, methods and list(methods), device, force, threads
            ): cell
            for cell in cells
        }
        pending, failed = set(futures), None
        while pending and failed is None:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                cell = _name(futures[future])
                if future.exception() is not None:
                    failed = (cell, future.exception())
                    continue
                bar.update(1)
                log(f"cell {cell} done in {future.result():.0f} s")
        if failed is not None:
            for future in pending:
                future.cancel()
            log(f"cell {failed[0]} failed; the cells already running finish first")
    bar.close()
    if failed is not None:
        cell, exc = failed
        raise RuntimeError(
            f"cell {cell} failed in its worker: {str(exc).rstrip('.')}. The runs finished "
            f"before stay in {out}, so the same command resumes."
        ) from exc
