"""How long `skinterp compare` takes on 2 CPU cores: `--fast`, and the full default.

Both runs use the CrowdFlower tweets (three classes; no default was chosen on them), written to
a CSV as a user's file would be, and time the command line end to end (reading, every fit and
evaluation, the report) in a fresh process:

- ``fast``: ``skinterp compare --data tweets5k.csv --fast`` on 5,000 texts (a 20 % test share
  held out; ``--fast`` keeps at most 2,000 training and 300 test texts). Goal: < 5 minutes.
- ``full``: ``skinterp compare --data tweets12k.csv`` on 12,500 texts (10,000 training, 2,500
  test), the default six models (base, VMASK, E-VarM, SCC, PCT, VAT), CNN, 3 seeds. Goal: < 60
  minutes.

Usage: ``python benchmarks/compare/bench_compare.py [fast|full ...] [--jobs 1]``; each run
writes ``results/compare_<name>.json`` when it finishes, and ``results/compare.md`` is rebuilt
from every finished run. Run it on an otherwise idle machine. A killed run resumes (the
compare output folder is kept under ``results/work/``, git-ignored).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "results"
SIZES = {"fast": 5000, "full": 12500}


def _csv(n: int) -> Path:
    import pandas as pd

    from skinterp.datasets import load_crowdflower_tweets

    data = load_crowdflower_tweets()
    names = data.target_names
    frame = pd.DataFrame({"tweet": data.X_train[:n], "mood": [names[i] for i in data.y_train[:n]]})
    path = OUT / "work" / f"tweets{n}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    # quote every field: some tweets hold bare carriage returns, which an unquoted CSV field
    # cannot (skinterp's reader names the line of such a file instead of guessing)
    frame.to_csv(path, index=False, quoting=csv.QUOTE_ALL)
    return path


def run(name: str, jobs: int) -> dict:
    path = _csv(SIZES[name])
    out = OUT / "work" / name
    argv = [sys.executable, "-m", "skinterp.cli", "compare", "--data", str(path)]
    argv += ["--text-column", "tweet", "--label-column", "mood", "--out", str(out)]
    argv += ["--jobs", str(jobs)] + (["--fast"] if name == "fast" else [])
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed:\n{proc.stderr[-3000:]}")
    report = json.loads((out / "compare.json").read_text())
    result = {
        "name": name,
        "command": "skinterp " + " ".join(argv[3:]).replace(str(OUT) + "/", ""),
        "texts": SIZES[name],
        "wall_s": round(wall, 1),
        "resumed": "done before" in proc.stdout,
        "goal_s": 300 if name == "fast" else 3600,
        "info": report["info"],
        "recommendation": report["recommendation"]["text"],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    (OUT / f"compare_{name}.json").write_text(json.dumps(result, indent=1) + "\n")
    return result


def table() -> None:
    lines = [
        "# `skinterp compare`: how long it takes",
        "",
        "Measured end to end (a fresh process: reading the CSV, every fit and evaluation, the "
        "report) by `benchmarks/compare/bench_compare.py` on CrowdFlower tweets (3 classes, "
        "no default was chosen on them), Kim-CNN over GloVe-50d, the default six models, "
        "3 seeds.",
        "",
        "| run | texts | training / test texts | wall time | goal | met | recommendation |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in SIZES:
        path = OUT / f"compare_{name}.json"
        if not path.exists():
            continue
        r = json.loads(path.read_text())
        split = f"{r['info']['n_train']} (+{r['info']['n_dev']} dev) / {r['info']['n_test']}"
        met = "yes" if r["wall_s"] <= r["goal_s"] else "no"
        resumed = " (resumed)" if r["resumed"] else ""
        lines.append(
            f"| `{r['command']}` | {r['texts']} | {split} | {r['wall_s'] / 60:.1f} min{resumed}"
            f" | {r['goal_s'] / 60:.0f} min | {met} | {r['recommendation']} |"
        )
    (OUT / "compare.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", default=["fast", "full"], choices=list(SIZES))
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    for name in args.runs:
        print(run(name, args.jobs), flush=True)
        table()


if __name__ == "__main__":
    main()
