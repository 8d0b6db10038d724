"""Run import-linter's contracts from pyproject.toml with this interpreter (no console script
needed on PATH); exits non-zero when a contract is broken."""

import sys

from importlinter.cli import lint_imports

if __name__ == "__main__":
    sys.exit(lint_imports(no_cache=True))
