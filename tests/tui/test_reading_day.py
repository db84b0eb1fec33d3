"""The reading day (issue 20): catching up in one step, notes, the browser command, keys found at every width,
notices that leave the summary readable, and the choices the reader remembers."""

from __future__ import annotations

import pytest

from reader.core.config import Config
from reader.core.state import StateStore
from reader.tui.system import OpenResult
from tui_support import FakeSystem, build, searched


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
        await searched(pilot)
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


# -- catching up ------------------------------------------------------------------------------------------
async def test_M_asks_how_many_then_marks_every_day_up_to_this_one_read_and_z_undoes_it(tmp_path):
    app = build(state_path=tmp_path / "state.json")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        dates = app.session.dates()
        app.show_day(dates[1])
        await pilot.pause()
        app.state.set_read("2312.00011", True)  # read already: not counted, left as it is
        expected, days = app.session.unread_up_to(dates[1])
        assert days == len(dates) - 1 and "2312.00011" not in expected
        await pilot.press("M")
        await pilot.pause()
        from reader.tui.screens.confirm import ConfirmScreen

        assert isinstance(app.screen, ConfirmScreen)
        assert f"Mark {len(expected)} unread papers of {days} days up to {dates[1]} read?" in app.screen.question
        await pilot.press("n")  # no: nothing changes
        await pilot.pause()
        assert not any(app.state.is_read(i) for i in expected)
        await pilot.press("M")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert all(app.state.is_read(i) for i in expected)
        newest = [p.arxiv_id for p in app.library.day(dates[0]).papers]
        assert not any(app.state.is_read(i) for i in newest if i not in expected)  # the newer day is untouched
        assert StateStore(tmp_path / "state.json").read_ids() >= set(expected)
        assert any(f"Marked {len(expected)} papers of {days} days" in m and "z undoes" in m for m in _messages(app))
        await pilot.press("z")
        await pilot.pause()
        assert not any(app.state.is_read(i) for i in expected) and app.state.is_read("2312.00011")


async def test_M_from_the_starred_view_says_to_choose_a_day():
    from reader.core.session import STARRED

    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        app.show_day(STARRED)
        await pilot.pause()
        await pilot.press("M")
        await pilot.pause()
        assert len(app.screen_stack) == 1 and any("Choose a day first" in m for m in _messages(app))


def _own_library(tmp_path, days: int = 5):
    """A library folder of `days` days, 3 papers each, as a first sync leaves it."""
    folder = tmp_path / "library"
    folder.mkdir()
    for n in range(days):
        date = f"2024-08-{10 + n:02d}"
        lines = [f"## Daily Papers ({date})", ""]
        for k in range(3):
            lines += [f"### [Paper {n}.{k}](https://arxiv.org/abs/2408.{n * 10 + k + 1:05d})", "", f"Vote: {9 - k}", "",
                      "Authors: Kim Minsu", "", "- **What's New**: 새로운 방법.", ""]
        (folder / f"{date}.md").write_text("\n".join(lines), encoding="utf-8")
    return folder


def _reader_on(folder, state_path, remembered, lazy=False):
    from reader.core.library import Library
    from reader.tui.app import make_app

    library = Library.open([folder])
    library.load_newest() if lazy else library.load_all()
    return make_app(library, StateStore(state_path), system=FakeSystem(), config=Config(read_delay=60, auto_sync=False),
                    sync_library=folder, remembered=remembered)


@pytest.mark.parametrize("lazy", [False, True])  # read whole at once, or the newest day first and the rest after
async def test_after_a_first_sync_the_reader_offers_once_to_start_from_today(tmp_path, lazy):
    from reader.core.remembered import Remembered
    from reader.tui.screens.confirm import ConfirmScreen

    folder = _own_library(tmp_path)
    remembered_path = tmp_path / "remembered.json"
    app = _reader_on(folder, tmp_path / "state.json", Remembered(remembered_path), lazy=lazy)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Start from today (2024-08-14): mark the older days read?" in app.screen.question
        assert "12 unread papers of 4 days up to 2024-08-13" in app.screen.detail
        await pilot.press("y")
        await pilot.pause()
        newest = {p.arxiv_id for p in app.library.day("2024-08-14").papers}
        older = {p.arxiv_id for d in app.library.days() if d.date < "2024-08-14" for p in d.papers}
        assert app.state.read_ids() == older and not newest & app.state.read_ids()
    # asked once: the next start, everything unread again, does not ask
    StateStore(tmp_path / "state.json").update(older, read=False)
    app = _reader_on(folder, tmp_path / "state.json", Remembered(remembered_path))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app._library_changed()
        await pilot.pause()
        assert len(app.screen_stack) == 1


async def test_the_offer_is_not_made_for_folders_given_or_a_library_mostly_read(tmp_path):
    from reader.core.library import Library
    from reader.core.remembered import Remembered
    from reader.tui.app import make_app

    folder = _own_library(tmp_path)
    library = Library.open([folder])
    library.load_all()
    app = make_app(library, StateStore.in_memory(), system=FakeSystem(), config=Config(read_delay=60),
                   remembered=Remembered(None))  # folders given on the command line: never the user's own
    async with app.run_test(size=(160, 45)) as pilot:
        app._library_changed()
        await pilot.pause()
        assert len(app.screen_stack) == 1
    store = StateStore(tmp_path / "state.json")
    store.update([p.arxiv_id for d in library.days()[1:] for p in d.papers][:4], read=True)  # a third read
    app = _reader_on(folder, tmp_path / "state.json", Remembered(None))
    async with app.run_test(size=(160, 45)) as pilot:
        app._library_changed()
        await pilot.pause()
        assert len(app.screen_stack) == 1


# -- remembered choices -----------------------------------------------------------------------------------
async def test_the_export_dialog_writes_where_it_is_told_and_offers_that_place_next_time(tmp_path, monkeypatch):
    from reader.core.remembered import Remembered
    from reader.tui.screens.export import ExportScreen

    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "papers"
    folder.mkdir()
    remembered = Remembered(tmp_path / "remembered.json")

    async def export(app, pilot, typed: str | None, fmt="markdown"):
        app.ask_export(fmt)
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        field = app.screen.query_one("Input")
        offered = field.value
        if typed is not None:
            field.value = typed
        await pilot.press("enter")
        await pilot.pause()
        return offered

    app = build(system=FakeSystem())
    app.remembered = remembered
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        app.state.set_note(app.current_paper.arxiv_id, "why it matters")
        offered = await export(app, pilot, str(folder / "reading.md"))
        assert offered.startswith(str(tmp_path / "starred-")) and offered.endswith(".md")
        assert "*Note:* why it matters" in (folder / "reading.md").read_text(encoding="utf-8")
    app = build(system=FakeSystem())
    app.remembered = Remembered(tmp_path / "remembered.json")  # the next session
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        offered = await export(app, pilot, None, fmt="bibtex")
        assert offered == str(folder / "reading.bib")  # the folder and name of last time, this format's ending
        assert "@misc{" in (folder / "reading.bib").read_text(encoding="utf-8")
        before = (folder / "reading.bib").read_text(encoding="utf-8")
        await export(app, pilot, None, fmt="bibtex")  # there already: the first Enter only asks
        assert isinstance(app.screen, ExportScreen) and "Enter again replaces it" in str(
            app.screen.query_one("#export-note").render())
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.screen_stack) == 1 and (folder / "reading.bib").read_text(encoding="utf-8") == before
        app.ask_export("bibtex")
        await pilot.pause()
        await pilot.press("escape")  # nothing written, nothing remembered anew
        await pilot.pause()
        assert len(app.screen_stack) == 1


async def test_unread_only_and_the_starred_view_come_back_on_the_next_start():
    from reader import paths
    from reader.core.session import STARRED

    app = make_default_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("s", "u")
        app.show_day(STARRED)
        await pilot.pause()
        await pilot.press("q")
    assert paths.remembered_path().is_file()
    app = make_default_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert app.current_key == STARRED and app.session.unread_only
        assert app.view.papers.border_title == "Starred · unread only"
        await pilot.press("u")
        app.show_day(app.session.dates()[0])
        await pilot.pause()
        await pilot.press("q")
    app = make_default_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert app.current_key == app.session.dates()[0] and not app.session.unread_only


def make_default_app():
    """An app built as the launcher builds it: what it remembers from the data folder."""
    from reader.core.library import Library
    from reader.tui.app import make_app
    from tui_support import FIXTURES

    library = Library.open(list(FIXTURES.glob("*.md")))
    library.load_all()
    return make_app(library, StateStore.in_memory(), system=FakeSystem(), config=Config(read_delay=60))


# -- every key findable, notices beside the summary ---------------------------------------------------------
async def _footer_line(app, pilot, wanted: str = "Quit") -> str:
    """The footer's line once it holds its keys (it composes when the screen's bindings are ready)."""
    line = ""
    for _ in range(50):  # each pause lets the queued messages run; no sleeping
        await pilot.pause()
        line = app.screen._compositor.render_strips()[app.size.height - 1].text
        if wanted in line:
            break
    return line


async def test_below_150_columns_the_footer_names_b_o_brackets_u_and_ends_with_more_keys():
    for width, height in [(149, 40), (120, 35), (100, 30), (80, 24), (60, 20)]:
        app = build()
        async with app.run_test(size=(width, height)) as pilot:
            await pilot.pause()
            line = await _footer_line(app, pilot)
            for named in ("b Days", "o arXiv", "[ ] Day", "u Unread"):
                assert named in line, (width, line)
            assert line.rstrip().removesuffix("▏^p palette").rstrip().endswith("? more keys"), (width, line)
            assert len(line) == width  # nothing cut off the right edge
    app = build(config=Config(read_delay=60, keymap={"toggle_sidebar": "B"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "B Days" in await _footer_line(app, pilot)  # the keys the user has
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        line = await _footer_line(app, pilot)
        assert "? Help" in line and "b Days" not in line  # wide: every pane shows, the footer as it was
        await pilot.resize_terminal(90, 30)
        await pilot.pause()
        await pilot.pause()
        assert "? more keys" in await _footer_line(app, pilot, "more keys")


async def test_notices_never_cover_the_summary_and_some_summary_stays_visible_at_60x20():
    from textual.widgets._toast import Toast

    for size in [(80, 24), (60, 20), (120, 35), (160, 45)]:
        app = build()
        async with app.run_test(size=size, notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("u", "s", "u", "s")  # four notices at once
            toasts = []
            for _ in range(50):  # until they are laid out (each pause runs what is queued; no sleeping)
                await pilot.pause()
                toasts = [t.region for t in app.screen.query(Toast) if t.region.height]
                if len(toasts) >= 4:
                    break
            assert len(toasts) >= 2, size
            detail = app.view.detail.region
            assert all(not region.overlaps(detail) for region in toasts), (size, toasts, detail)
            assert all(region.height <= 2 for region in toasts)  # short notices are a line high
    app = build()
    async with app.run_test(size=(60, 20), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("u", "s", "u", "s", "u", "s", "u", "s", "u", "s")  # more than fit over the list
        await pilot.pause()
        strips = app.screen._compositor.render_strips()
        detail = app.view.detail.region
        shown = "".join(strips[y].text for y in range(detail.y, detail.bottom))
        assert app.current_paper.title in shown
