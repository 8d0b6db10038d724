"""Time ``bash run.sh demo`` on this machine and keep what it printed (the README quotes it).

Run on an otherwise idle machine (a second job slows small models about tenfold)::

    python benchmarks/demo/bench_demo.py

Writes ``benchmarks/demo/results/demo.json``: the wall time of the whole command (its install
check included), the machine, and the summary lines (test accuracy, LIME AOPC@5, the first
explanation); ``tools/results_tables.py`` puts them into the README.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).parent / "results" / "demo.json"


def summary(stdout: str) -> str:
    """The lines from 'test accuracy' to the end of the first explained sentence."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("test accuracy"))
    explained = next(i for i in range(start, len(lines)) if lines[i].startswith("- "))
    end = explained + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    return "\n".join(lines[start:end])


def main() -> int:
    env = dict(os.environ, PYTHON=sys.executable)
    t0 = time.perf_counter()
    proc = subprocess.run(
        ["bash", "run.sh", "demo"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - t0
    if proc.returncode:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        return proc.returncode
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    record = {
        "what": "wall time of `bash run.sh demo` (install check included) and its summary lines",
        "wall_s": round(wall, 1),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "git_commit": git.stdout.strip(),
        "summary": summary(proc.stdout),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(record, indent=1) + "\n")
    print(f"{wall:.0f} s\n{record['summary']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
