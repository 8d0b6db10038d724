"""Wall time of the claims suite's CNN/LSTM part on this machine (issue 17's goal: <= 3 h on
2 cores).

Runs ``skinterp benchmark run --profile claims --backbones cnn lstm`` for the chosen seeds in a
fresh output folder with ``--jobs`` worker processes at ``--threads`` torch threads each, times
the whole command, and writes ``results/claims_time.{json,md}``: the measured wall time, the
sum of the runs' own training and evaluation times per backbone, and the projection to the
profile's three seeds. Every seed trains the same grid (13 methods x 3 data sets x 2
backbones), so the work per seed is the same; the projection multiplies the measured wall time
by (the profile's seeds / the seeds measured).

Usage (on an otherwise idle machine)::

    python benchmarks/speed/claims_time.py --seeds 0 --jobs 2 --threads 1 --out /tmp/claims-time

``--summarise`` only re-reads a finished folder and its ``log.txt`` (the command's output).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _core import machine_line

from skinterp.benchmark import environment, load_config

RESULTS = Path(__file__).parent / "results"
COMMITTED = Path(__file__).parents[1] / "reproduce" / "results" / "claims"


def run(args) -> float:
    """The claims command for these seeds, timed; its output goes to ``OUT/log.txt``."""
    args.out.mkdir(parents=True, exist_ok=True)
    if any(args.out.glob("runs/*.json")):
        sys.exit(f"{args.out} already holds runs: time a fresh folder (or use --summarise).")
    cmd = [
        sys.executable, "-m", "skinterp.cli", "benchmark", "run", "--profile", "claims",
        "--backbones", "cnn", "lstm", "--seeds", *map(str, args.seeds), "--out", str(args.out),
        "--jobs", str(args.jobs), "--threads", str(args.threads), "--no-figures",
    ]  # fmt: skip
    start = time.perf_counter()
    with open(args.out / "log.txt", "w") as log:
        subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=True)
    return time.perf_counter() - start


def summarise(folder: Path, wall_s: float | None) -> dict:
    """Per backbone: runs, summed fit and evaluation time; the wall time (measured, or the
    command's own ``wall time`` line in ``log.txt``) and the projection to three seeds."""
    runs = [json.loads(p.read_text()) for p in sorted(folder.glob("runs/*.json"))]
    if not runs:
        sys.exit(f"no runs in {folder}/runs")
    if wall_s is None:
        found = re.findall(r"wall time: ([0-9.]+) min", (folder / "log.txt").read_text())
        if not found:
            sys.exit(f"{folder}/log.txt has no 'wall time' line: the command did not finish")
        wall_s = float(found[-1]) * 60
    seeds = sorted({r["seed"] for r in runs})
    profile_seeds = load_config("claims")["seeds"]
    per, changed = {}, {"methods": set(), "timed_s": 0.0, "now_s": 0.0}
    for r in runs:
        c = per.setdefault(r["backbone"], {"runs": 0, "fit_s": 0.0, "eval_s": 0.0, "before_s": 0.0})
        c["runs"] += 1
        c["fit_s"] += r["timings"]["fit_s"]
        c["eval_s"] += r["timings"]["eval_s"]
        committed = COMMITTED / "runs" / f"{r['run_id']}.json"
        if committed.is_file():  # the same run as committed, timed then beside other work
            rec = json.loads(committed.read_text())
            t = rec["timings"]
            c["before_s"] += t["fit_s"] + t["eval_s"]
            if rec["config"]["init_from_base"] != r["config"]["init_from_base"]:
                # the method's setup changed after this timing (SCC: its own warm-up stage
                # instead of the base model); its committed re-run tells the new cost
                changed["methods"].add(r["method"])
                changed["timed_s"] += r["timings"]["fit_s"] + r["timings"]["eval_s"]
                changed["now_s"] += t["fit_s"] + t["eval_s"]
    env = runs[0]["environment"]
    return {
        "machine": machine_line(env, env["torch_threads"]),
        "seeds": seeds,
        "cells": len({(r["dataset"], r["backbone"], r["seed"]) for r in runs}),
        "runs": len(runs),
        "wall_s": round(wall_s, 1),
        "projected_h": round(wall_s * len(profile_seeds) / len(seeds) / 3600, 2),
        "profile_seeds": profile_seeds,
        "work_h": round(sum(c["fit_s"] + c["eval_s"] for c in per.values()) / 3600, 2),
        "changed": {
            "methods": sorted(changed["methods"]),
            "timed_s": round(changed["timed_s"], 1),
            "now_s": round(changed["now_s"], 1),
        },
        "per_backbone": {b: {k: round(v, 1) for k, v in c.items()} for b, c in sorted(per.items())},
    }


def markdown(res: dict, jobs: int, threads: int) -> list[str]:
    hours = res["wall_s"] / 3600
    lines = [
        res["machine"],
        "",
        "# The claims suite's CNN/LSTM part: wall time",
        "",
        f"Command: `skinterp benchmark run --profile claims --backbones cnn lstm --seeds "
        f"{' '.join(map(str, res['seeds']))} --jobs {jobs} --threads {threads}` on an otherwise "
        f"idle machine, in a fresh output folder (every model trained, nothing loaded).",
        "",
        f"- Measured: {res['runs']} runs ({res['cells']} cells of data set x backbone x seed) "
        f"in **{hours:.2f} h** wall time; the runs' own training + evaluation times add up to "
        f"{res['work_h']:.2f} h, so the {jobs} workers kept "
        f"{res['work_h'] / hours:.2f} of {jobs} cores busy.",
        f"- Projected to the profile's {len(res['profile_seeds'])} seeds (the same grid per "
        f"seed): **{res['projected_h']:.2f} h** (goal <= 3 h on 2 cores).",
    ]
    ch = res["changed"]
    if ch["methods"]:
        # extra work spreads over the workers; the profile runs every seed
        extra_h = (ch["now_s"] - ch["timed_s"]) * len(res["profile_seeds"]) / jobs / 3600
        lines.append(
            f"- Changed since this timing: {', '.join(ch['methods'])} no longer starts from the "
            f"base model. Its runs of the measured seeds took {ch['timed_s'] / 60:.1f} min of "
            f"work here and take {ch['now_s'] / 60:.1f} min in the committed re-run; spread "
            f"over {jobs} workers and {len(res['profile_seeds'])} seeds that adds about "
            f"{extra_h * 60:.0f} min: about **{res['projected_h'] + extra_h:.2f} h** today."
        )
    lines += [
        "",
        "| backbone | runs | training (h) | evaluation (h) | the same runs as committed (h) |",
        "|---|---|---|---|---|",
    ]
    for b, c in res["per_backbone"].items():
        lines.append(
            f"| {b} | {c['runs']} | {c['fit_s'] / 3600:.2f} | {c['eval_s'] / 3600:.2f} | "
            f"{c['before_s'] / 3600:.2f} |"
        )
    lines += [
        "",
        "The last column: the same runs' recorded times in the committed claims results, which "
        "were measured one job at a time or beside other work of the session.",
        "",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("benchmark-results/claims-time"))
    parser.add_argument("--summarise", action="store_true", help="only read a finished folder")
    parser.add_argument(
        "--note", action="append", default=[], help="a line on the conditions (repeatable)"
    )
    args = parser.parse_args()
    wall_s = None if args.summarise else run(args)
    res = summarise(args.out, wall_s)
    res.update(jobs=args.jobs, threads=args.threads, environment=environment())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "claims_time.json").write_text(json.dumps(res, indent=2) + "\n")
    res["notes"] = args.note
    lines = markdown(res, args.jobs, args.threads) + [f"- {n}" for n in args.note]
    (RESULTS / "claims_time.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
