"""Section 6 of bench_speed.py: corpus-scale explanations (``skinterp explain --input``).

Throughput in texts per second of the native explainer and of LIME over a CSV of real Rotten
Tomatoes sentences (repeated to the size asked), and the peak resident memory of the CLI
process for two corpus sizes, to show that memory does not grow with the corpus.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd


def _corpus_csv(texts: list[str], n: int, path: Path) -> Path:
    reps = -(-n // len(texts))
    rows = (texts * reps)[:n]
    pd.DataFrame({"id": range(n), "text": rows}).to_csv(path, index=False)
    return path


# The CLI run in a child that reports its own peak resident memory (VmHWM, Linux) on exit:
# rusage of a forked child would also count the pages of this process before the exec.
_CHILD = """
import atexit, sys
def _peak():
    with open("/proc/self/status") as fh:
        kib = next(line.split()[1] for line in fh if line.startswith("VmHWM"))
    with open(sys.argv[1], "w") as out:
        out.write(kib)
atexit.register(_peak)
from skinterp.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _cli(args: list[str], threads: int) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one ``skinterp`` CLI process."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    with tempfile.NamedTemporaryFile(suffix=".kib") as peak:
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, peak.name, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            raise RuntimeError(f"skinterp {' '.join(args)} failed: {done.stderr.decode()[-2000:]}")
        return wall, int(Path(peak.name).read_text()) / 1024


def corpus_speed(clf, texts: list[str], sizes=(20_000, 100_000), n_lime=500, threads=2):
    """Texts/s of native and LIME corpus explanations; peak memory of the CLI per size."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model = str(tmp / "model")
        clf.save(model)
        # start-up: interpreter, imports, loading the model, one text explained
        startup, _ = _cli(["explain", model, texts[0]], threads)

        def measure(name: str, n: int, explainer: str) -> dict:
            csv, out = _corpus_csv(texts, n, tmp / f"{name}.csv"), tmp / f"{name}.parquet"
            args = ["explain", model, "--input", str(csv), "--output", str(out)]
            wall, rss = _cli([*args, "--explainer", explainer, "--id-column", "id"], threads)
            assert len(pd.read_parquet(out, columns=["row"])) == n
            return {
                "n_texts": n,
                "csv_mib": round(csv.stat().st_size / 2**20, 2),
                "wall_s": round(wall, 1),
                "texts_per_s": round(n / wall, 1),
                "texts_per_s_after_startup": round(n / max(wall - startup, 1e-9), 1),
                "peak_rss_mib": round(rss),
            }

        rows = [{"explainer": "native", **measure(f"c{n}", n, "native")} for n in sizes]
        rows.append({"explainer": "lime (1,000 samples)", **measure("lime", n_lime, "lime")})
        _, base_rss = _cli(["fetch-data", "--help"], threads)
    return {"rows": rows, "import_rss_mib": round(base_rss), "startup_s": round(startup, 1)}


def corpus_markdown(c: dict) -> list[str]:
    lines = [
        "## 6. Explaining a corpus: `skinterp explain MODEL --input FILE --output OUT.parquet`",
        "",
        "One CLI process per row (model load, streaming in chunks of 1,000, Parquet output "
        "included); the CSV holds real Rotten Tomatoes test sentences, repeated to the size. "
        "Peak RSS: the process's VmHWM at exit.",
        "",
        "| explainer | texts | CSV MiB | seconds | texts/s | texts/s after start-up | "
        "peak RSS MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in c["rows"]:
        lines.append(
            f"| {r['explainer']} | {r['n_texts']:,} | {r['csv_mib']} | {r['wall_s']} | "
            f"{r['texts_per_s']} | {r['texts_per_s_after_startup']} | {r['peak_rss_mib']} |"
        )
    lines += [
        "",
        f"Peak RSS of `skinterp fetch-data --help` (Python, torch and skinterp imported): "
        f"{c['import_rss_mib']} MiB. Start-up (interpreter, imports, loading the model, "
        f"explaining one text): {c['startup_s']} s, subtracted in the column after start-up. "
        "Memory is bounded by a chunk, not by the corpus.",
    ]
    return lines
