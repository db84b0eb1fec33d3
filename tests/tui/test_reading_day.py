"""The reading day (issue 20): catching up in one step, notes, the browser command, keys found at every width,
notices that leave the summary readable, and the choices the reader remembers."""

from __future__ import annotations

from reader.core.config import Config
from reader.core.state import StateStore
from reader.tui.system import OpenResult
from tui_support import FakeSystem, build


def _detail_text(app) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, file=open("/dev/null", "w"))
    console.print(app.view.detail.renderable)
    return console.export_text()


def _messages(app) -> list[str]:
    return [n.message for n in app._notifications]


# -- notes ------------------------------------------------------------------------------------------------
async def test_e_writes_a_note_in_the_editor_kept_with_the_marks_and_shown_under_the_summary(tmp_path):
    system = FakeSystem()
    system.editor_writes = "다시 읽기: 3절\n\x1b[31mred\x1b[0m and [b]markup[/b]\n"
    app = build(state_path=tmp_path / "state.json", system=system)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        paper = app.current_paper
        await pilot.press("e")
        await pilot.pause()
        assert system.edited == [""]  # the editor opened an empty note
        assert StateStore(tmp_path / "state.json").note(paper.arxiv_id).startswith("다시 읽기: 3절")
        text = _detail_text(app)
        assert "✎ note" in text and "Note\n다시 읽기: 3절" in text
        assert "\x1b" not in text and "[b]markup[/b]" in text  # cleaned, and shown as typed
        assert "Note saved" in _messages(app)
        system.editor_writes = None  # the editor leaves the file as it was: the note stays
        await pilot.press("e")
        await pilot.pause()
        assert system.edited[-1].startswith("다시 읽기: 3절")
        assert StateStore(tmp_path / "state.json").note(paper.arxiv_id).startswith("다시 읽기: 3절")
        system.editor_writes = ""  # emptied: deleted
        await pilot.press("e")
        await pilot.pause()
        assert StateStore(tmp_path / "state.json").notes() == {}
        assert "✎ note" not in _detail_text(app)


async def test_no_editor_or_a_failing_one_is_one_notice_and_nothing_changes(tmp_path):
    system = FakeSystem()
    system.editor_argv = None
    app = build(state_path=tmp_path / "state.json", system=system)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert [m for m in _messages(app) if "editor" in m] == [
            "No editor to write the note in: set $EDITOR (export EDITOR=nano, say)"]
        system.editor_argv = ["vim"]
        system.editor_writes = "never kept"
        system.editor_problem = "the editor 'vim' ended with exit code 1; the note was not changed"
        await pilot.press("e")
        await pilot.pause()
        assert len([m for m in _messages(app) if "editor" in m]) == 2
        assert StateStore(tmp_path / "state.json").notes() == {}


async def test_slash_finds_papers_with_a_note_with_has_note():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app.state.set_note("2312.00012", "look at the loss")
        await pilot.press("slash")
        for key in "has:note":
            await pilot.press(key)
        await pilot.pause()
        assert [p.arxiv_id for p in app.screen.results] == ["2312.00012"]


# -- the browser setting ----------------------------------------------------------------------------------
async def test_every_open_key_uses_the_browser_command_and_a_failure_is_one_notice():
    system = FakeSystem()
    app = build(system=system, config=Config(read_delay=60, browser="my-browser --tab %u"))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        paper = app.current_paper
        await pilot.press("o")
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("down", "enter")  # the PDF, from the links screen
        await app.workers.wait_for_complete()
        assert system.browser_commands == [("my-browser --tab %u", paper.url), ("my-browser --tab %u", paper.pdf_url)]
        assert system.opened == []  # the system's browser was never asked
        system.browser_result = OpenResult(False, "the browser command 'my-browser' failed (exit code 2)")
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        failed = [m for m in _messages(app) if "my-browser" in m]
        assert len(failed) == 1 and paper.url in failed[0]
