"""The core never imports Textual: it must stay usable by scripts and testable apart from the UI."""

import subprocess
import sys


def test_core_and_cli_commands_do_not_import_textual():
    code = (
        "import sys, pkgutil, importlib, reader.core, reader.commands\n"
        "for pkg in (reader.core, reader.commands):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
        "import reader.cli, reader.paths\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
