"""ARCHITECTURE.md stays true: every module it names exists (or is marked planned, and then does not exist
yet), every package under reader/ is named there, its arrows are the import contracts', and no module in
reader/ is over 500 lines."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "ARCHITECTURE.md"
MAX_LINES = 500
# Modules over MAX_LINES until they are split (issue 14, item 1). Empty it as they shrink: a module that is
# no longer too big must leave this set.
TOO_BIG_FOR_NOW: set[str] = set()

_NAMED = re.compile(r"`(reader/[A-Za-z0-9_/.]*)`(\s*\(planned)?")


def named() -> dict[str, bool]:
    """Every reader/ path the page names -> whether it is marked planned (there at least once as planned)."""
    found: dict[str, bool] = {}
    for m in _NAMED.finditer(DOC.read_text(encoding="utf-8")):
        path = m[1]
        found[path] = found.get(path, False) or m[2] is not None
    return found


def modules() -> list[Path]:
    return sorted(p for p in (REPO / "reader").rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_it_names_exists_unless_planned():
    paths = named()
    assert len(paths) > 20  # the page names its rooms
    missing = [p for p, planned in paths.items() if not planned and not (REPO / p).exists()]
    assert not missing, f"ARCHITECTURE.md names what does not exist: {missing}"
    landed = [p for p, planned in paths.items() if planned and (REPO / p).exists()]
    assert not landed, f"these exist now: drop their '(planned)' in ARCHITECTURE.md: {landed}"
    folders = [p for p in paths if p.endswith("/") and not (REPO / p / "__init__.py").exists() and not paths[p]]
    assert not folders, f"ARCHITECTURE.md names as packages what are not: {folders}"


def test_every_package_under_reader_is_named():
    paths = named()
    packages = sorted(str(p.parent.relative_to(REPO)) + "/" for p in (REPO / "reader").rglob("__init__.py")
                      if "__pycache__" not in p.parts and p.parent != REPO / "reader")
    assert len(packages) >= 8
    unnamed = [p for p in packages if p not in paths]
    assert not unnamed, f"packages ARCHITECTURE.md does not name: {unnamed}"


def test_its_arrows_are_the_import_contracts_layers():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = [c["layers"] for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    arrows = " > ".join(layer.replace("reader.", "") for layer in layers)
    assert arrows == "cli > tui | commands > startup > sources > core > paths | errors"
    assert f"\n    {arrows}\n" in DOC.read_text(encoding="utf-8")


def test_no_module_in_reader_is_over_500_lines():
    sizes = {str(p.relative_to(REPO)): len(p.read_text(encoding="utf-8").splitlines()) for p in modules()}
    too_big = {p: n for p, n in sizes.items() if n > MAX_LINES and p not in TOO_BIG_FOR_NOW}
    assert not too_big, f"modules over {MAX_LINES} lines (split them by what they hold): {too_big}"
    shrunk = [p for p in TOO_BIG_FOR_NOW if sizes.get(p, 0) <= MAX_LINES]
    assert not shrunk, f"no longer over {MAX_LINES} lines (or gone): remove from TOO_BIG_FOR_NOW: {shrunk}"
