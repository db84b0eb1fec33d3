"""The browser setting and the note editor as real processes: argv split as a shell would, never run by one,
the URL one argument; the reader suspended while a real editor has the terminal (tmux)."""

from __future__ import annotations

import json
import sys

from reader.core.config import browser_argv
from reader.core.state import StateStore
from reader.tui.system import System
from terminal import Terminal

HOSTILE_URL = "https://example.org/a b;touch PWNED$(touch PWNED2)`touch PWNED3`&x=1|cat"


def _recorder(tmp_path, code: int = 0):
    script = tmp_path / "record.py"
    script.write_text("import json, sys\n"
                      f"open({str(tmp_path / 'argv.json')!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
                      f"sys.exit({code})\n")
    return script


def test_browser_argv_splits_like_a_shell_and_keeps_the_url_one_argument():
    assert browser_argv("firefox --new-tab %u", HOSTILE_URL) == ["firefox", "--new-tab", HOSTILE_URL]
    assert browser_argv("'/opt/My Browser/run' --url=%u", "https://a") == ["/opt/My Browser/run", "--url=https://a"]
    assert browser_argv("open", "https://a") == ["open", "https://a"]  # no %u: the link last, as newsboat does


def test_the_browser_command_runs_without_a_shell(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    script = _recorder(tmp_path)
    result = System().run_browser(f"{sys.executable} {script} --open %u", HOSTILE_URL)
    assert result.opened
    assert json.loads((tmp_path / "argv.json").read_text()) == ["--open", HOSTILE_URL]
    assert not list(tmp_path.glob("PWNED*"))


def test_an_unknown_or_failing_browser_command_says_why(tmp_path):
    missing = System().run_browser("no-such-browser-anywhere %u", "https://a")
    assert not missing.opened and "no-such-browser-anywhere" in missing.reason and "could not run" in missing.reason
    failing = System().run_browser(f"{sys.executable} {_recorder(tmp_path, code=3)} %u", "https://a")
    assert not failing.opened and "exit code 3" in failing.reason


def test_e_hands_the_terminal_to_the_editor_and_keeps_the_note(tmp_path, fixtures):
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\n"
                      "path = sys.argv[1]\n"
                      "print('EDITOR RUNNING', flush=True)\n"
                      "sys.stdin.readline()\n"  # the terminal is the editor's: it reads the Enter typed
                      "open(path, 'a', encoding='utf-8').write('written in a real editor\\n')\n")
    state = tmp_path / "state.json"
    command = ["env", f"EDITOR={sys.executable} {editor}", f"DAILY_PAPERS_STATE={state}",
               sys.executable, "-m", "reader", str(fixtures / "votes_2023.md")]
    with Terminal(command, size=(120, 35)) as term:
        term.wait("arXiv 2312.00013")
        term.keys("e")
        term.wait("EDITOR RUNNING")
        term.keys("Enter")
        screen = term.wait("written in a real editor")  # the reader is back, the note under the summary
        assert "✎ note" in screen
        term.keys("q")
        term.wait("[exited 0]")
    assert StateStore(state).notes() == {"2312.00013": "written in a real editor"}
