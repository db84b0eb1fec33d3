"""The one-way arrows between the reader's rooms (pyproject.toml, [tool.importlinter]; ARCHITECTURE.md draws
them): `lint-imports` keeps them, and a import against them breaks it.

The contracts: the layers cli > tui | commands > startup > sources > core > paths | errors (the TUI and the
subcommands never import each other); Textual only in the TUI; no import cycle between the modules of any
package. Each check runs lint-imports on a copy of the source (PYTHONPATH), never on an installed copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "pyproject.toml"


def lint_imports(source_root: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """lint-imports (the venv's, beside this Python) with the project's contracts, on the `reader` package
    found under source_root."""
    script = Path(sys.executable).with_name("lint-imports")
    assert script.exists(), f"no lint-imports beside {sys.executable}: install the test extra ('.[test]')"
    env = dict(os.environ, PYTHONPATH=str(source_root))
    return subprocess.run([str(script), "--no-cache", "--no-logo", str(CONFIG)], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=300)


def test_the_import_contracts_hold(tmp_path):
    result = lint_imports(REPO, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Contracts: 3 kept, 0 broken." in result.stdout


# (the module changed, the import added to it, the contract it breaks)
VIOLATIONS = [
    ("reader/core/words.py", "import textual", "Only the TUI imports Textual"),
    ("reader/sources/http.py", "from textual.app import App", "Only the TUI imports Textual"),
    ("reader/core/words.py", "import reader.sources.http", "Layers"),
    ("reader/core/text.py", "from reader.commands import common", "Layers"),
    ("reader/tui/launch.py", "from reader.commands.common import open_library", "Layers"),
    ("reader/commands/paths.py", "import reader.tui.system", "Layers"),
    ("reader/tui/widgets/days.py", "from reader.tui import app", "No import cycles"),
    ("reader/core/words.py", "import reader.core.library", "No import cycles"),
]


@pytest.mark.parametrize(("module", "line", "contract"), VIOLATIONS,
                         ids=[f"{m.split('/', 1)[1]}:{line}" for m, line, _ in VIOLATIONS])
def test_an_import_against_the_arrows_breaks_the_contracts(tmp_path, module, line, contract):
    source = tmp_path / "src"
    shutil.copytree(REPO / "reader", source / "reader", ignore=shutil.ignore_patterns("__pycache__"))
    target = source / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # against the arrows\n", encoding="utf-8")
    result = lint_imports(source, tmp_path)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken
