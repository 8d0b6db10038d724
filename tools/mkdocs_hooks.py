"""MkDocs hook: publish the committed benchmark results and the examples index in the site.

The result tables live next to the scripts that write them and the examples index next to the
examples; the site shows them without keeping a second copy in ``docs/``:

- ``benchmarks/archive/*.md``             -> ``benchmarks/<name>.md`` (archived results)
- ``benchmarks/{speed,startup,scorers,compare}/results/*.md`` -> ``benchmarks/<name>.md``
- ``benchmarks/reproduce/README.md``      -> ``benchmarks/reproduce/index.md``, with its
  generated ``INDEX.md``, every ``*.toml`` config (one folder per method) and every study's
  ``<group>/results/<study>/*.md`` and figures
- ``examples/README.md``                  -> ``examples.md``
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


def _add(files: Files, config, uri: str, path: Path) -> None:
    content = path.read_text() if path.suffix in (".md", ".toml") else path.read_bytes()
    files.append(File.generated(config, uri, content=content))


def on_files(files: Files, config) -> Files:
    results = [BENCH / name / "results" for name in ("speed", "startup", "scorers", "compare")]
    for folder in (BENCH / "archive", *results):
        for path in sorted(folder.glob("*.md")):
            if path.name == "README.md":  # the archive's note, summarised in docs/benchmarks.md
                continue
            _add(files, config, f"benchmarks/{path.name}", path)
    reproduce = BENCH / "reproduce"
    _add(files, config, "benchmarks/reproduce/index.md", reproduce / "README.md")
    if (reproduce / "INDEX.md").exists():
        _add(files, config, "benchmarks/reproduce/INDEX.md", reproduce / "INDEX.md")
    for path in sorted(reproduce.rglob("*.toml")):  # the example and every study's config
        rel = path.relative_to(reproduce).as_posix()
        _add(files, config, f"benchmarks/reproduce/{rel}", path)
    # each study's results live in its group's folder: <group>/results/<study>/
    for path in sorted(reproduce.glob("*/results/*/*")):
        if path.suffix in (".md", ".png"):
            rel = path.relative_to(reproduce).as_posix()
            _add(files, config, f"benchmarks/reproduce/{rel}", path)
    _add(files, config, "examples.md", ROOT / "examples" / "README.md")
    return files
