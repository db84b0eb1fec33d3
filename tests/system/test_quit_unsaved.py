"""Quitting while changes to the marks could not be saved: never in silence. The reader retries, then asks:
retry, save the marks to another file (the `state export` format), or quit anyway (one line on stderr,
exit 1). Pilot tests for the dialog; a real terminal for the exit code and the line."""

from __future__ import annotations

import errno
import json
import os
import sys

import pytest

from reader.core.state import StateStore, marks_from_export
from reader.core.state_storage import JournalStorage
from reader.tui.screens.unsaved import UnsavedScreen
from tui_support import build

FIRST = "2412.00041"  # the newest fixture day's top paper: shown when the reader opens


class Disk:
    """The state folder refuses every write (read-only) until `heal()`."""

    def __init__(self, monkeypatch) -> None:
        self.monkeypatch = monkeypatch

        def refuse(*args, **kwargs):
            raise OSError(errno.EROFS, "Read-only file system")

        monkeypatch.setattr(JournalStorage, "append", refuse)
        monkeypatch.setattr(JournalStorage, "write_marks", refuse)

    def heal(self) -> None:
        self.monkeypatch.undo()


def dialog_text(app) -> str:
    return " ".join(str(w.render()) for w in app.screen.query("#unsaved-box Static"))


@pytest.fixture
def state_path(tmp_path):
    path = tmp_path / "state.json"
    StateStore(path).set_read("2412.00099")  # a sound state file with one mark
    return path


async def test_quitting_with_unsaved_changes_retries_then_asks_and_retry_saves_and_quits(state_path, monkeypatch):
    disk = Disk(monkeypatch)
    app = build(state_path=state_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("s")
        assert app.state.unsaved_ids() == {FIRST}
        await pilot.press("q")
        assert isinstance(app.screen, UnsavedScreen) and app.is_running
        assert "1 change was not saved" in dialog_text(app) and "Read-only" in dialog_text(app)
        await pilot.press("r")  # still read-only: the dialog stays, and says so
        assert isinstance(app.screen, UnsavedScreen) and "Still not saved" in dialog_text(app)
        disk.heal()
        await pilot.press("r")
        await pilot.pause()
    assert app.state.unsaved_ids() == set()
    assert StateStore(state_path).is_starred(FIRST)


async def test_a_retry_on_quitting_that_works_quits_at_once(state_path, monkeypatch):
    disk = Disk(monkeypatch)
    app = build(state_path=state_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("s")
        disk.heal()  # the disk is back before the user quits: the retry on quitting saves
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, UnsavedScreen)
    assert StateStore(state_path).is_starred(FIRST)


async def test_escape_goes_back_to_reading_and_nothing_is_lost(state_path, monkeypatch):
    Disk(monkeypatch)
    app = build(state_path=state_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("s", "q")
        assert isinstance(app.screen, UnsavedScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, UnsavedScreen) and app.is_running
        assert app.state.is_starred(FIRST) and app.state.unsaved_ids() == {FIRST}
        await pilot.press("q")  # asks again
        assert isinstance(app.screen, UnsavedScreen)
        await pilot.press("ctrl+q")  # another way to quit: the dialog stays
        assert isinstance(app.screen, UnsavedScreen) and app.is_running


async def test_save_marks_to_another_file_writes_a_state_export_and_quits(state_path, monkeypatch, tmp_path):
    Disk(monkeypatch)
    app = build(state_path=state_path)
    target = tmp_path / "rescue" / "marks.json"
    taken = tmp_path / "taken.json"
    taken.write_text("mine")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("s", "q", "s")  # star, quit, "save to another file"
        box = app.screen.query_one("#unsaved-path")
        assert box.has_focus and box.value.endswith(".json")
        box.value = str(taken)
        await pilot.press("enter")  # an existing file is never written over
        assert isinstance(app.screen, UnsavedScreen) and "exists" in dialog_text(app)
        assert taken.read_text() == "mine"
        box.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
    assert app.marks_saved_to == target
    marks = marks_from_export(json.loads(target.read_text(encoding="utf-8")), str(target))
    assert marks[FIRST].starred and marks["2412.00099"].read  # every mark, the unsaved one with them
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "daily-papers-state"
    assert not StateStore(state_path).is_starred(FIRST)  # (the state file itself could not take it)


async def test_quit_anyway_quits_with_the_changes_unsaved(state_path, monkeypatch):
    Disk(monkeypatch)
    app = build(state_path=state_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("s", "q")
        assert isinstance(app.screen, UnsavedScreen)
        await pilot.press("Q")
        await pilot.pause()
    assert app.state.unsaved_ids() == {FIRST} and app.marks_saved_to is None


async def test_quitting_with_everything_saved_asks_nothing(state_path):
    app = build(state_path=state_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("s", "q")
        await pilot.pause()
        assert not isinstance(app.screen, UnsavedScreen)
    assert StateStore(state_path).is_starred(FIRST)


def test_the_real_reader_says_how_many_changes_were_not_saved_and_exits_1(tmp_path):
    from terminal import Terminal

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # so the state folder can never be made, even by root
    state = blocker / "state.json"
    fixtures = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
    command = [sys.executable, "-m", "reader", "--state", str(state), fixtures]
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))}
    config = os.path.join(env["XDG_CONFIG_HOME"], "daily-papers", "config.json")
    os.makedirs(os.path.dirname(config))
    with open(config, "w", encoding="utf-8") as handle:
        json.dump({"read_delay": 3600}, handle)  # the star is the one change
    with Terminal(command, size=(120, 35), env=env) as term:
        term.wait("Latest Paper")
        term.wait("cannot read the reading state")
        term.keys("s")
        term.wait("★")
        term.keys("q")
        term.wait("Changes not saved")
        term.keys("Q")
        screen = term.wait("[exited", joined=True)
    assert "[exited 1]" in screen
    # one line on stderr (the terminal wraps it where the temporary path makes it longer than 120 columns:
    # read with the wrapped lines joined)
    assert f"daily-papers: 1 change was not saved to {state}\n" in screen
