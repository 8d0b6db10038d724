"""MkDocs hook: publish the committed benchmark results (benchmarks/results/*.md) in the site.

The result tables live next to the scripts that write them; the site shows them under
``benchmarks/`` without keeping a second copy in ``docs/``.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"


def on_files(files: Files, config) -> Files:
    for path in sorted(RESULTS.glob("*.md")):
        files.append(File.generated(config, f"benchmarks/{path.name}", content=path.read_text()))
    return files
