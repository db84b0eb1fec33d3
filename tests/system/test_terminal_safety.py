"""Terminal safety end to end: no control character or escape sequence from a digest - nor from a file name, a
path, a config value, an argument - reaches the terminal from any screen or any command, and Rich/Textual
markup in digest text shows as typed. The tests read the screen text and the bytes the terminal receives:
Textual's compositor output (Pilot), the real app's output recorded by `script` in tmux, and every command's
stdout and stderr."""

from __future__ import annotations

import json
import re
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from hardening import (
    MARKUP,
    NotificationLog,
    copied_payloads,
    hostile_digest,
    reader_command,
    run_measured,
    screen_dump,
    terminal_problems,
)
from reader.cli import main
from reader.core.config import load_config
from reader.core.library import Library
from reader.core.sanitize import is_safe
from reader.core.state import StateStore
from reader.tui.app import make_app
from reader.tui.screens.cite import CiteChooser
from reader.tui.screens.empty import EmptyScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.search import SearchScreen
from terminal import Terminal
from tui_support import FakeSystem, searched

IDS = ["2409.10001", "2409.10002", "2409.10003", "2409.10004", "2409.10005"]
EVIL_NAME = "\x1b]0;PWNED-FILE\x07\x1b]52;c;ZXZpbA==\x07[@click=app.quit]x\u202e.md"  # a file name is text too
EVIL_DIR = "state\x1b]2;PWNED-STATE\x07"


def hostile_library(root: Path) -> Path:
    """A day of hostile papers, an older plain day, and a binary file with a hostile name (a warning)."""
    lib = root / "lib"
    lib.mkdir()
    (lib / "2024-09-02.md").write_text(hostile_digest("2024-09-02", IDS), encoding="utf-8")
    (lib / "2024-09-01.md").write_text(
        "## Daily Papers (2024-09-01)\n\n### [Plain](https://arxiv.org/abs/2409.00009)\n\n- 평범한 요약.\n",
        encoding="utf-8")
    (lib / EVIL_NAME).write_bytes(b"\x00\x01binary")
    return lib


def hostile_config(root: Path) -> Path:
    path = root / "config\x1b]0;PWNED-CFG\x07.json"
    path.write_text(json.dumps({"keymap": {"star": "\x1b]52;c;ZXZpbA==\x07", "help": "[b]x[/b]"},
                                "read_delay": "\x1b[2J", "theme": "\x1b]0;x\x07"}), encoding="utf-8")
    return path


def _assert_clean_screen(app, where: str) -> str:
    text, raw = screen_dump(app)
    assert terminal_problems(raw) == [], where
    assert is_safe(text), where
    return text


async def test_every_screen_shows_hostile_text_safely_and_markup_as_typed(tmp_path, monkeypatch):
    lib = hostile_library(tmp_path)
    (tmp_path / "blocker").write_text("a file where the state folder should be")
    state = StateStore(tmp_path / "blocker" / EVIL_DIR / "state.json")
    log = NotificationLog(monkeypatch)
    library = Library.open([lib])
    library.load_newest()
    config_path = hostile_config(tmp_path)
    app = make_app(library, state, system=FakeSystem(), config=load_config(config_path), config_path=config_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.current_paper.arxiv_id == IDS[0]
        text = _assert_clean_screen(app, "main screen: sidebar, list, summary, notifications")
        for markup in MARKUP[:3]:  # rows and summary: markup as typed
            assert markup in text
        assert "Hostile 0 evilx[b]bold[/b] title" in text and "Mallory evilx, [b]bold[/b], Eve" in text
        for n in range(len(IDS)):
            await pilot.press("j" if n else "a")
            text = _assert_clean_screen(app, f"paper {n}")
            assert MARKUP[n % len(MARKUP)] in text
        await pilot.press("g", "slash", *"hostile")
        await searched(pilot)
        assert isinstance(app.screen, SearchScreen) and len(app.screen.results) == len(IDS)
        text = _assert_clean_screen(app, "search results")
        assert "[@click=app.quit]click[/]" in text
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        _assert_clean_screen(app, "help")
        note = str(app.screen.query("Static").last().render())
        assert "\\x1b]0;PWNED-CFG\\x07" in note  # the config path, its escapes made visible
        await pilot.press("escape", "C")
        assert isinstance(app.screen, CiteChooser)
        _assert_clean_screen(app, "citation chooser")
        await pilot.press("escape", "s")  # the state cannot be saved: a notice quoting its path
        await pilot.pause()
        _assert_clean_screen(app, "notifications")
        await pilot.press("x", "left_square_bracket", "R")
        await app.workers.wait_for_complete()
        await pilot.pause()
        _assert_clean_screen(app, "after reload")
        assert app.is_running  # no [@click=app.quit] ran
    messages = log.messages
    assert any("kept in memory" in m and "\\x1b]2;PWNED-STATE\\x07" in m for m in messages)
    assert any("binary" in m and "\\x1b]0;PWNED-FILE\\x07" in m and "\\u202e" in m for m in messages)
    assert any("keymap" in m and "not a list of keys" in m for m in messages)
    assert all(is_safe(m) for m in messages), messages
    assert all(markup is False for _, _, markup in log.seen)


async def test_the_empty_screen_shows_a_hostile_folder_name_escaped(tmp_path):
    folder = tmp_path / "empty\x1b]0;PWNED\x07[@click=app.quit]x[b]"
    folder.mkdir()
    app = make_app(Library.open([folder]), StateStore.in_memory(), system=FakeSystem(), where=str(folder))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, EmptyScreen)
        _assert_clean_screen(app, "empty screen")
        message = str(app.screen.query_one("#empty-message").render())
        assert "empty\\x1b]0;PWNED\\x07[@click=app.quit]x[b]" in message


async def test_copying_sends_the_sanitized_payload(tmp_path):
    lib = hostile_library(tmp_path)
    system = FakeSystem(clipboard=True)
    app = make_app(Library.open([lib]).load_all(), StateStore.in_memory(), system=system)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("c", "y")
        await pilot.press("C", "down", "down", "enter")  # Markdown
    assert len(system.copied) == 3
    for copied in system.copied:
        assert is_safe(copied) and "\x1b" not in copied
    assert "Hostile 0 evilx\\[b\\]bold" in system.copied[2] and app.clipboard == system.copied[2]


# -- the bytes a real terminal receives ---------------------------------------------------------------------------
WRAPPER = '''
import os, sys
os.environ["DAILY_PAPERS_STATE"] = sys.argv[1] + "/blocker/" + {evil_dir!r} + "/state.json"
# The config's read_delay is hostile (not a number): the reader falls back to the default, here an hour, so
# that no paper counts as read however long the test (on a loaded machine) keeps it shown: the star is the
# one change.
import reader.core.config
reader.core.config.DEFAULT_READ_DELAY = 3600
from reader.cli import main
raise SystemExit(main([sys.argv[2]]))
'''


def test_the_real_terminal_receives_no_foreign_control_sequence(tmp_path, user_dirs):
    lib = hostile_library(tmp_path)
    (tmp_path / "blocker").write_text("not a folder")
    config = user_dirs["config"] / "daily-papers" / "config.json"
    config.parent.mkdir(parents=True)
    config.write_text(hostile_config(tmp_path).read_text(encoding="utf-8"), encoding="utf-8")
    wrapper = tmp_path / "run_reader.py"
    wrapper.write_text(WRAPPER.format(evil_dir=EVIL_DIR), encoding="utf-8")
    record = tmp_path / "terminal.bin"
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(wrapper))} {shlex.quote(str(tmp_path))} {shlex.quote(str(lib))}"
    with Terminal(["script", "-q", "-e", "-f", "-c", command, str(record)], size=(160, 45)) as term:
        term.wait("Hostile 0 evilx[b]bold[/b] title")
        term.wait("2024-09-01")  # the rest loaded, the warnings shown
        term.keys("a")  # all authors (these are few: the same screen)
        for n in range(1, len(IDS)):  # every paper's summary is drawn, so its bytes reach the terminal
            term.keys("j")
            term.wait(f"arXiv {IDS[n]}")
        term.keys("g")
        term.wait(f"arXiv {IDS[0]}")
        term.keys("/")
        term.wait("Search every day")
        term.keys("-l", "hostile")
        term.wait("5 papers · Enter shows")
        # Each overlay is seen gone before the next key: a key right after Escape would read as Alt+key.
        term.keys("Escape")
        term.gone("Search every day")
        term.keys("?")
        term.wait("Binding id")
        term.keys("Escape")
        term.gone("Binding id")
        term.keys("C")
        term.wait("Copy a citation")
        term.keys("Escape")
        term.gone("Copy a citation")
        term.keys("s")
        term.wait("kept in memory")
        screen = term.screen()
        # markup from the digest shows as the text it is (the list may cut the row's end: "[/…")
        assert "[@click=app.quit]click[/" in screen or "[link=https://evil.example]link[/link]" in screen
        title = subprocess.run(term.tmux + ["display", "-p", "-t", "t", "#{pane_title}"], capture_output=True,
                               text=True).stdout
        assert "PWNED" not in title
        assert term.clipboard() == ""  # no OSC 52 reached tmux
        before_copy = record.read_bytes()
        term.keys("c")  # now the user copies: one OSC 52, of the sanitized citation
        copied = term.wait_clipboard()
        term.keys("q")  # the star could not be saved: the reader asks before it quits (its path shown escaped)
        term.wait("Changes not saved")
        term.keys("Q")  # quit anyway: one line on stderr, exit 1
        screen = term.wait("[exited 1]", joined=True)
        assert "1 change was not saved to" in screen
    assert terminal_problems(before_copy) == []
    data = record.read_bytes()
    assert terminal_problems(data, allow_copy=True) == []
    payloads = copied_payloads(data)
    assert payloads == [copied] and copied.startswith("@misc{") and is_safe(copied)


# -- every command's output ----------------------------------------------------------------------------------------
def _commands(lib: Path, tmp: Path) -> list[list[str]]:
    day = str(lib / "2024-09-02.md")
    evil_out = str(tmp / ("out\x1b]0;PWNED\x07.bib"))
    evil_state = str(tmp / "blocker" / EVIL_DIR / "state.json")
    commands = [
        ["dates", str(lib)], ["list", str(lib)], ["list", "--all", "--json", str(lib)],
        ["show", IDS[0], str(lib)], ["show", IDS[2], day], ["search", "hostile", str(lib)],
        ["search", "--json", "mallory", str(lib)], ["paths"], ["paths", "--state", evil_state],
        ["export", str(lib), "-o", evil_out], ["mark", "--star", "--state", evil_state, IDS[0], str(lib)],
        ["list", "--starred", "--state", evil_state, str(lib)], ["state", "export", "--state", evil_state],
        ["import", str(lib / EVIL_NAME)],
        # errors that quote what was typed
        ["dates", str(tmp / "no such \x1b]0;PWNED\x07 place")], ["show", "\x1b]52;c;ZXZpbA==\x07", str(lib)],
        ["show", "2409.99999\x1b[2J", str(lib)], ["list", "--date", "\x1b]0;PWNED\x07", str(lib)],
        ["list", "--\x1b]0;PWNED\x07"], ["export", "--format", "\x1b[31mbib", str(lib)],
        ["cite", IDS[0], "--format", "\x9b2J", str(lib)], ["state", "import", str(tmp / "gone\x1b]0;x\x07.json")],
    ]
    for fmt in ("bibtex", "apa", "markdown", "arxiv", "ris"):
        commands.append(["cite", IDS[1], "--format", fmt, str(lib)])
    for fmt in ("json", "bibtex", "ris", "csv", "markdown"):
        commands.append(["export", str(lib), "--format", fmt])
    return commands


def test_no_command_writes_a_control_sequence_whatever_it_is_given(tmp_path, capsys, monkeypatch):
    lib = hostile_library(tmp_path)
    (tmp_path / "blocker").write_text("not a folder")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config\x1b]0;PWNED\x07"))
    for argv in _commands(lib, tmp_path):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
        out, err = capsys.readouterr()
        assert code in (0, 1, 2), argv
        assert "\x1b" not in out + err, argv
        assert terminal_problems(out + err) == [], argv
        if code:  # warnings about files may come first; then one line of error
            errors = [line for line in err.splitlines() if not line.startswith("daily-papers: warning: ")]
            assert len(errors) == 1 and re.match(r"daily-papers( \w+)*: error: ", errors[0]), (argv, err)
        if argv[0] in ("list", "search", "show") and "--json" not in argv and code == 0 and out.strip():
            assert "[b]bold[/b]" in out or "[@click=app.quit]click[/]" in out or "Plain" in out, argv


@pytest.mark.parametrize("argv", [
    ["show", "2409.10001"], ["list", "--date", "\x1b]0;PWNED\x07"], ["dates", "no\x1b]52;c;ZXZpbA==\x07where"],
])
def test_the_bytes_a_command_writes_hold_no_control_sequence(tmp_path, argv):
    lib = hostile_library(tmp_path)
    run = run_measured(reader_command(*argv, str(lib)), env=dict(os.environ), timeout=60)
    assert run.code in (0, 1, 2)
    assert terminal_problems(run.out + run.err) == [] and "\x1b" not in run.out + run.err
    if run.code:
        assert len(run.err.strip().splitlines()) == 1 and "\\x1b" in run.err  # quoted, made visible
    else:
        assert "Hostile 0 evilx[b]bold[/b] title" in run.out
