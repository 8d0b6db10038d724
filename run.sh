#!/usr/bin/env bash
# One entry point that sets everything up on a fresh machine and runs it.
#   bash run.sh demo [demo options]   train on real movie reviews and explain predictions
#   bash run.sh test [pytest options] the test suite (what CI runs)
#   bash run.sh lint                  ruff + the import layers contract (lint-imports)
#   bash run.sh docs [mkdocs options] build the documentation site into site/ (warnings fail)
#   bash run.sh benchmark [options]   reproduction benchmark; no options: the quick profile into
#                                     benchmark-results/quick (skinterp benchmark run)
# Set PYTHON to choose the interpreter (default: python3; use a virtualenv's if you like).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}

install() {
  # The CPU wheel first: with no torch installed, a bare "torch" requirement pulls a
  # multi-GB CUDA build. The project's own range accepts this one, so pip keeps it.
  "$PY" -m pip install -q --disable-pip-version-check "torch==2.13.0"
  "$PY" -m pip install -q --disable-pip-version-check -e ".[$1]"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  demo)
    install glove
    exec "$PY" -m skinterp.cli demo "$@"
    ;;
  test)
    install test,glove
    echo "running the test suite (about 10 minutes on 2 idle cores) ..."
    start=$(date +%s)
    rc=0
    "$PY" -m pytest "$@" || rc=$?
    secs=$(( $(date +%s) - start ))
    echo "test suite: $( [ "$rc" -eq 0 ] && echo passed || echo "FAILED (pytest exit code $rc)" ) in $((secs / 60)) min $((secs % 60)) s"
    exit "$rc"
    ;;
  lint)
    install test
    "$PY" -m ruff check .
    "$PY" -m ruff format --check .
    # the layers contract of pyproject.toml (function-level imports count)
    exec "$PY" tools/lint_imports.py
    ;;
  benchmark)
    install glove,minilm,plot
    [ $# -eq 0 ] && set -- --profile quick --out benchmark-results/quick
    exec "$PY" -m skinterp.cli benchmark run "$@"
    ;;
  docs)
    install docs
    exec "$PY" -m mkdocs build --strict "$@"
    ;;
  *)
    echo "usage: bash run.sh {demo|test|lint|docs|benchmark} [options]" >&2
    exit 2
    ;;
esac
