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


def test_the_readers_first_screen_imports_neither_the_lock_nor_the_markdown_parser(tmp_path):
    # filelock (~10 ms), mistune (~12 ms) and argparse (~3 ms) are imported after the first screen, if at
    # all: the state is read without the lock (reader.startup.first_state), plain sections skip the parser, and
    # the usual command line is read by hand.
    code = (
        "import sys\n"
        "import reader.cli, reader.startup, reader.tui.launch, reader.tui.app\n"
        "reader.startup.simple_tui_args(['some/folder', '--state', 'x.json'])\n"
        "from reader.tui.markdown import SectionText\n"
        f"reader.startup.first_state({str(tmp_path / 'state.json')!r})\n"
        "SectionText('평범한 문장입니다.\\n다음 줄도 그렇습니다.')\n"
        "print(sorted(m for m in ('argparse', 'filelock', 'mistune') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_only_the_launcher_imports_the_app_and_the_app_stays_thin():
    # The app sits on top of the TUI: nothing in reader/tui imports it (not even for typing, which made
    # tui/app.py and tui/commands.py import each other), except the launcher that runs it. What the reader
    # decides lives in the session (reader.core.session); ReaderApp only turns keys into session calls and
    # their changes into widget updates, in at most 300 lines.
    import ast
    from pathlib import Path

    import reader.tui

    root = Path(reader.tui.__file__).parent
    importers = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom) else
                     [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            if any(name == "reader.tui.app" for name in names):
                importers.append(path.relative_to(root).as_posix())
    assert importers == ["launch.py"]
    tree = ast.parse((root / "app.py").read_text(encoding="utf-8"))
    (app,) = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "ReaderApp"]
    assert app.end_lineno - app.lineno + 1 <= 300
