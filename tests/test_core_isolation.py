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
