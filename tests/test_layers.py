"""The layers contract (import-linter, ``[tool.importlinter]`` in pyproject.toml) holds, and it
would catch a wrong import: a function-level import of plotting from the text layer, planted
in a copy of the package, breaks it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = shutil.which("lint-imports")
pytestmark = pytest.mark.skipif(LINT is None, reason="import-linter is not installed")


def _lint(where: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(
        [LINT, "--config", str(where / "pyproject.toml"), "--no-cache"],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory):
    where = tmp_path_factory.mktemp("layers")
    shutil.copytree(
        ROOT / "skinterp", where / "skinterp", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", where / "pyproject.toml")
    return where


def test_layers_contract_is_kept(package_copy):
    result = _lint(package_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "planted"),
    [
        ("text/_segment.py", "from ..plotting import render_html"),  # text -> plotting
        ("explain/_perturb.py", "from ..core import TextClassifier"),  # explain -> estimator
        ("core/_inference.py", "from ..explain import LimeExplainer"),  # core -> explain
    ],
)
def test_a_wrong_function_level_import_breaks_the_contract(package_copy, tmp_path, module, planted):
    where = tmp_path / "pkg"
    shutil.copytree(package_copy, where)
    path = where / "skinterp" / module
    path.write_text(path.read_text() + f"\n\ndef _planted():\n    {planted}\n")
    result = _lint(where)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout or "broken" in result.stdout
