"""Pilot tests for the reader: every key, search, persistence, markup safety, the edges faked."""

from __future__ import annotations

import pytest

from reader.core.config import Config
from reader.tui.screens.empty import EmptyScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.search import SearchScreen
from reader.tui.widgets.days import STARRED, DayList
from reader.tui.widgets.detail import PaperDetail
from reader.tui.widgets.papers import PaperList
from tui_support import FIXTURES, FakeSystem, build, row_texts, searched


def ids(app) -> list[str]:
    return [p.arxiv_id for p in app.query_one(PaperList).papers]


def shown(app) -> str | None:
    paper = app.query_one(PaperDetail).paper
    return paper.arxiv_id if paper else None


async def test_start_shows_newest_day_and_its_top_paper():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert app.current_key == "2024-12-31"
        assert shown(app) == "2412.00041"
        days = row_texts(app.query_one(DayList))
        assert days[0].startswith("★ Starred") and days[1].startswith("♥ For you") and days[2].startswith("2024-12-31")
        assert [d[:10] for d in days[2:]] == ["2024-12-31", "2024-10-18", "2024-06-12", "2023-12-06", "2023-11-20"]
        assert app.focused is app.query_one(PaperList)


async def test_vote_order_and_marks_in_rows():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        app.show_day("2023-12-06")
        await pilot.pause()
        assert ids(app) == ["2312.00013", "2312.00011", "2312.00012"]
        rows = row_texts(app.query_one(PaperList))
        assert rows[0].startswith("● ") and "  40 Unvoted Paper" in rows[0]
        assert "   - Video Paper" in rows[2]


async def test_j_k_arrows_g_G_move_and_detail_follows():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        app.show_day("2023-12-06")
        await pilot.pause()
        await pilot.press("j")
        assert shown(app) == "2312.00011"
        await pilot.press("down")
        assert shown(app) == "2312.00012"
        await pilot.press("k")
        assert shown(app) == "2312.00011"
        await pilot.press("up")
        assert shown(app) == "2312.00013"
        await pilot.press("G")
        assert shown(app) == "2312.00012"
        await pilot.press("g")
        assert shown(app) == "2312.00013"


async def test_tab_enter_escape_move_between_panes():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        plist, days, detail = app.query_one(PaperList), app.query_one(DayList), app.query_one(PaperDetail)
        await pilot.press("tab")
        assert app.focused is detail
        await pilot.press("shift+tab")
        assert app.focused is plist
        await pilot.press("shift+tab")
        assert app.focused is days
        await pilot.press("enter")  # day -> list
        assert app.focused is plist and app.current_key == "2024-12-31"
        await pilot.press("escape")
        assert app.focused is days
        await pilot.press("j", "enter")  # the day below, then into its list
        assert app.current_key == "2024-10-18" and app.focused is plist
        await pilot.press("enter")  # list -> detail, and the paper counts as read
        assert app.focused is detail and app.state.is_read("2410.00031")
        await pilot.press("escape")
        assert app.focused is plist


async def test_brackets_step_days_from_anywhere():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("left_square_bracket")
        assert app.current_key == "2024-10-18" and shown(app) == "2410.00031"
        await pilot.press("tab")
        await pilot.press("left_square_bracket")
        assert app.current_key == "2024-06-12"
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert app.current_key == "2024-12-31"
        await pilot.press("right_square_bracket")  # nothing newer: stays
        assert app.current_key == "2024-12-31"


async def test_star_and_the_starred_entry():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("s")
        assert app.state.is_starred("2412.00041")
        assert row_texts(app.query_one(PaperList))[0][1] == "★"
        assert row_texts(app.query_one(DayList))[0] == "★ Starred  1"
        await pilot.press("left_square_bracket", "s")
        app.show_day(STARRED)
        await pilot.pause()
        assert ids(app) == ["2412.00041", "2410.00031"]
        await pilot.press("s")  # unstar from the starred list
        assert not app.state.is_starred("2412.00041")
        assert row_texts(app.query_one(DayList))[0] == "★ Starred  1"


class FakeClock:
    """Stands in for the read-delay timers (ReaderApp.schedule_read): time moves only when the test says,
    so a busy machine cannot make a passing paper "stay" long enough to count as read."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[list] = []  # [due, callback, stopped]

    def __call__(self, delay, callback):
        timer = [self.now + delay, callback, False]
        self.timers.append(timer)

        class Handle:
            def stop(self) -> None:
                timer[2] = True

        return Handle()

    def live(self) -> int:
        return sum(1 for t in self.timers if not t[2])

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for timer in list(self.timers):
            if not timer[2] and timer[0] <= self.now:
                timer[2] = True
                timer[1]()


async def test_read_only_after_a_moment_not_when_passing():
    app = build(config=Config(read_delay=1.0))
    clock = app.schedule_read = FakeClock()
    async with app.run_test(size=(160, 45)) as pilot:
        app.show_day("2023-12-06")
        await pilot.pause()
        await pilot.press("j", "j")  # pass over the first two
        clock.advance(0.9)  # however long the key presses took: by this clock, 0.9 s on the third
        await pilot.pause()
        assert not any(app.state.is_read(i) for i in ("2312.00013", "2312.00011", "2312.00012"))
        assert clock.live() == 1  # passing stopped the timers of the papers passed
        clock.advance(0.2)  # 1.1 s on the third
        await pilot.pause()
        assert not app.state.is_read("2312.00013") and not app.state.is_read("2312.00011")
        assert app.state.is_read("2312.00012")
        day_row = next(r for r in row_texts(app.query_one(DayList)) if r.startswith("2023-12-06"))
        assert "●2 " in day_row and day_row.rstrip().endswith("3")


async def test_the_read_delay_runs_on_a_real_timer():
    app = build(config=Config(read_delay=0.05))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        for _ in range(2000):  # waits for the event, not for a time: a slow machine only takes longer
            if app.state.is_read("2412.00041"):
                break
            await pilot.pause(0.01)
        assert app.state.is_read("2412.00041")


async def test_r_toggles_read_either_way():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("r")
        assert app.state.is_read("2412.00041")
        assert row_texts(app.query_one(PaperList))[0][0] == " "
        await pilot.press("r")
        assert not app.state.is_read("2412.00041")
        assert row_texts(app.query_one(PaperList))[0][0] == "●"


async def test_open_arxiv_and_pdf_through_the_seam():
    system = FakeSystem(browser=True)
    app = build(system=system)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("o", "p")
        await app.workers.wait_for_complete()
        assert system.opened == ["https://arxiv.org/abs/2412.00041", "https://arxiv.org/pdf/2412.00041"]


async def test_no_browser_shows_the_url_instead():
    system = FakeSystem(browser=False)
    app = build(system=system)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert system.opened == []
        messages = [n.message for n in app._notifications]
        assert any("https://arxiv.org/abs/2412.00041" in m and "no graphical browser" in m.lower() for m in messages)


async def test_copy_citation_and_link_send_osc52_and_say_how():
    system = FakeSystem(clipboard=True)
    app = build(system=system)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("c")
        assert app.clipboard.startswith("@misc{") and "eprint={2412.00041}" in app.clipboard
        assert system.copied == [app.clipboard]
        await pilot.press("y")
        assert app.clipboard == "https://arxiv.org/abs/2412.00041"
        messages = [n.message for n in app._notifications]
        assert any("OSC 52" in m and "system clipboard" in m for m in messages)


async def test_copy_without_system_clipboard_still_uses_osc52():
    app = build(system=FakeSystem(clipboard=False))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("y")
        assert app.clipboard == "https://arxiv.org/abs/2412.00041"
        messages = [n.message for n in app._notifications]
        assert any("OSC 52" in m and "system clipboard" not in m for m in messages)


async def test_search_as_you_type_enter_and_escape():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"lovelace")
        await searched(pilot)
        results = [p.arxiv_id for p in app.screen.results]
        assert sorted(results) == ["2312.00011", "2410.00031"]
        await pilot.press(*["backspace"] * len("lovelace"))
        await pilot.press(*"토크나이저")
        await searched(pilot)
        assert [p.arxiv_id for p in app.screen.results] == ["2406.00021"]
        await pilot.press("enter")
        assert not isinstance(app.screen, SearchScreen)
        assert app.current_key == "2024-06-12" and shown(app) == "2406.00021"
        await pilot.press("slash", *"gödel", "escape")
        assert app.current_key == "2024-06-12" and shown(app) == "2406.00021"


async def test_unread_only():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        app.show_day("2023-12-06")
        await pilot.pause()
        await pilot.press("r")  # 2312.00013 read
        await pilot.press("u")
        assert ids(app) == ["2312.00011", "2312.00012"]
        await pilot.press("u")
        assert ids(app) == ["2312.00013", "2312.00011", "2312.00012"]


async def test_all_authors_key():
    app = build(paths=[FIXTURES / "hostile"])
    async with app.run_test(size=(160, 45)) as pilot:
        app.show_day("2024-09-01")
        await pilot.press("G")
        detail = app.query_one(PaperDetail)
        assert "+3 more" in _detail_text(detail)
        await pilot.press("a")
        text = _detail_text(detail)
        assert "장숲" in text and "more" not in text


async def test_help_lists_every_binding_id():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {row[3] for row in app.screen.rows}
        for binding in app.BINDINGS:
            assert binding.id in listed
        assert {"list.down", "list.first", "day.last", "detail.down"} <= listed
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keymap_from_config_remaps_by_id():
    app = build(config=Config(read_delay=60, keymap={"star": "x"}))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("s")
        assert not app.state.is_starred("2412.00041")
        await pilot.press("x")
        assert app.state.is_starred("2412.00041")


async def test_palette_go_to_date_and_actions():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to date 2023-11-20")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.current_key == "2023-11-20"
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Star / unstar paper", "Copy citation", "Search", "Unread only"} <= titles
        assert any("theme" in t.lower() for t in titles)


async def test_q_quits():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0 and not app.is_running


async def test_state_persists_across_two_runs(tmp_path):
    state_file = tmp_path / "state.json"
    app = build(state_path=state_file)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("s", "left_square_bracket", "r")
    app.state.close()
    again = build(state_path=state_file)
    async with again.run_test(size=(160, 45)) as pilot:
        assert again.state.is_starred("2412.00041")
        assert again.state.is_read("2410.00031")
        assert row_texts(again.query_one(DayList))[0] == "★ Starred  1"
    again.state.close()


async def test_markup_in_digests_is_shown_as_typed_and_does_nothing():
    app = build(paths=[FIXTURES / "hostile"])
    async with app.run_test(size=(160, 45)) as pilot:
        app.show_day("2024-09-01")
        await pilot.pause()
        rows = row_texts(app.query_one(PaperList))
        assert rows[0].endswith("[/]")
        assert rows[1].endswith("[@click=app.quit]x[/]")
        await pilot.press("j")
        assert "[@click=app.quit]x[/]" in _detail_text(app.query_one(PaperDetail))
        await pilot.press("k")
        text = _detail_text(app.query_one(PaperDetail))
        assert "[red]Mallory[/red]" in text and "[@click=app.quit]클릭[/]" in text
        # clicking all over the rows and the summary runs no action hidden in the text
        for y in range(2, 12):
            await pilot.click(PaperDetail, offset=(3, y))
            await pilot.click(PaperList, offset=(12, y))
        assert app.is_running
        await pilot.press("slash", *"mallory")
        await searched(pilot)
        assert app.screen.results and app.is_running


async def test_empty_library_shows_how_to_get_digests(tmp_path):
    app = build(paths=[tmp_path])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, EmptyScreen)
        text = str(app.screen.query_one("#empty-message").render())
        assert "daily-papers sync" in text and "daily-papers import" in text


async def test_the_app_says_when_the_whole_library_is_read(tmp_path):
    for day in ("2024-01-02", "2024-01-03"):
        (tmp_path / f"{day}.md").write_text(f"## Daily Papers ({day})\n\n### [P {day}](https://arxiv.org/abs/"
                                            f"2401.0{day[-1]}000)\n\n- 요약.\n", encoding="utf-8")
    app = build(paths=[tmp_path], lazy=True)
    assert app.library.pending == 1
    loaded: list[int] = []
    app.on_library_loaded = lambda: loaded.append(app.library.pending)
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
    assert loaded == [0]  # once everything is read and indexed (launch then freezes it out of GC scans)


async def test_lazy_start_then_rest_loads_in_a_worker():
    app = build(paths=[FIXTURES], lazy=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.library.pending == 0
        assert len(row_texts(app.query_one(DayList))) == 2 + len(app.library.dates())  # Starred, For you, the days
        assert shown(app) == "2412.00041"


async def test_narrow_terminal_folds_the_sidebar():
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        days = app.query_one(DayList)
        assert days.region.width == 0
        assert app.query_one(PaperList).region.width == 80 - 0  # stacked: full width
        await pilot.press("b")
        await pilot.pause()
        assert days.region.width > 0 and app.focused is days


def _detail_text(detail: PaperDetail) -> str:
    import io

    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=200, color_system=None, force_terminal=False).print(detail.renderable)
    return out.getvalue()


async def test_n_and_N_jump_to_unread_across_days():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        # newest day (one paper) read: n goes on to the next day's first unread paper
        await pilot.press("r", "n")
        assert (app.current_key, shown(app)) == ("2024-10-18", "2410.00031")
        await pilot.press("r", "n")
        assert (app.current_key, shown(app)) == ("2024-10-18", "2410.00032")
        await pilot.press("N")  # back: 2410.00031 is read, 2412.00041 is read: nothing before
        assert shown(app) == "2410.00032"
        assert any("no unread paper before" in n.message for n in app._notifications)
        app.state.set_read("2412.00041", False)
        await pilot.press("N")
        assert (app.current_key, shown(app)) == ("2024-12-31", "2412.00041")


async def test_mark_day_read_and_undo_with_one_key():
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        app.show_day("2023-12-06")
        await pilot.pause()
        app.state.set_read("2312.00011", True)
        await pilot.press("A")
        assert all(app.state.is_read(i) for i in ("2312.00013", "2312.00011", "2312.00012"))
        day_row = next(r for r in row_texts(app.query_one(DayList)) if r.startswith("2023-12-06"))
        assert "✓" in day_row
        assert all(row[0] == " " for row in row_texts(app.query_one(PaperList)))
        await pilot.press("z")
        assert not app.state.is_read("2312.00013") and not app.state.is_read("2312.00012")
        assert app.state.is_read("2312.00011")  # it was read before: undo leaves it read
        day_row = next(r for r in row_texts(app.query_one(DayList)) if r.startswith("2023-12-06"))
        assert "●2" in day_row


async def test_undo_of_day_read_keeps_a_star_given_since_and_says_what_it_left(tmp_path, monkeypatch):
    from reader.core.state import StateStore

    shown_notes: list[str] = []
    app = build(state_path=tmp_path / "state.json")
    monkeypatch.setattr(app, "notify", lambda message, **kw: shown_notes.append(str(message)))
    async with app.run_test(size=(160, 45)) as pilot:
        app.show_day("2023-12-06")
        await pilot.pause()
        await pilot.press("A")
        await pilot.press("s")  # star the first paper after A
        elsewhere = StateStore(tmp_path / "state.json")
        elsewhere.set_read("2312.00012", False)
        elsewhere.set_read("2312.00012", True)  # read again in another reader: its newer word
        elsewhere.close()
        await pilot.press("z")
        assert app.state.is_starred("2312.00013") and not app.state.is_read("2312.00013")
        assert not app.state.is_read("2312.00011") and app.state.is_read("2312.00012")
        rows = row_texts(app.query_one(PaperList))
        assert [r[:2] for r in rows] == ["●★", "● ", "  "]  # unread and starred, unread, read
        assert any("2 papers unread again; 1 changed since" in n for n in shown_notes), shown_notes


async def test_R_picks_up_marks_and_files_changed_elsewhere(tmp_path):
    import shutil

    from reader.core.library import Library
    from reader.core.state import StateStore

    folder = tmp_path / "lib"
    folder.mkdir()
    shutil.copy(FIXTURES / "plain_2023.md", folder / "2023-11-20.md")
    state_file = tmp_path / "state.json"
    app = build(paths=[folder], state_path=state_file)
    app.library_factory = lambda: Library.open([folder])
    async with app.run_test(size=(160, 45)) as pilot:
        other = StateStore(state_file)  # another process stars a paper
        other.set_starred("2311.00002", True)
        other.close()
        shutil.copy(FIXTURES / "votes_2023.md", folder / "2023-12-06.md")
        await pilot.press("R")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.state.is_starred("2311.00002")
        assert row_texts(app.query_one(DayList))[0] == "★ Starred  1"
        assert "2023-12-06" in app.library.dates()
        assert any(r.startswith("2023-12-06") for r in row_texts(app.query_one(DayList)))
    app.state.close()


async def test_C_chooser_previews_every_format_and_copies_the_chosen_one():
    from reader.tui.screens.cite import CiteChooser

    app = build(system=FakeSystem(clipboard=False))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("C")
        assert isinstance(app.screen, CiteChooser)
        preview = app.screen.query_one("#cite-preview")
        assert "@misc{" in str(preview.render())
        await pilot.press("j")  # APA
        assert "https://doi.org/10.48550/arXiv.2412.00041" in str(preview.render())
        await pilot.press("j", "j", "enter")  # arXiv id
        assert not isinstance(app.screen, CiteChooser)
        assert app.clipboard == "arXiv:2412.00041"
        await pilot.press("C", "escape")
        assert app.clipboard == "arXiv:2412.00041" and not isinstance(app.screen, CiteChooser)


async def test_default_citation_format_from_config():
    app = build(config=Config(read_delay=60, citation_format="markdown"))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("c")
        assert app.clipboard.startswith("[Latest Paper](https://arxiv.org/abs/2412.00041)")


async def test_h_opens_the_hugging_face_page():
    system = FakeSystem()
    app = build(system=system)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("h")
        await app.workers.wait_for_complete()
        assert system.opened == ["https://huggingface.co/papers/2412.00041"]


async def test_palette_exports_starred_and_says_where(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("s", "left_square_bracket", "s")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Export starred as BibTeX")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # the dialog's path: starred-DATE.bib in the working folder
        await pilot.pause()
        written = sorted(tmp_path.glob("starred-*.bib"))
        assert len(written) == 1
        text = written[0].read_text(encoding="utf-8")
        assert text.count("@misc{") == 2 and "eprint={2410.00031}" in text
        assert any(str(written[0]) in n.message for n in app._notifications)
        second = app.export_starred("markdown")
        assert second.suffix == ".md" and "Triple Star Paper" in second.read_text(encoding="utf-8")


async def test_palette_sync_fetches_in_a_worker_and_shows_new_days_without_restart(tmp_path):
    from digest_factory import Upstream
    from reader.core.opening import open_library

    upstream = Upstream(tmp_path / "upstream")
    upstream.add_day("2025-01-02", ["2501.00001", "2501.00002"])
    upstream.commit("one day")
    app = build(paths=[FIXTURES / "plain_2023.md"], config=Config(read_delay=60, sync_source=upstream.url))
    app.library_factory = lambda: open_library(None, load=False)  # no PATH: the user's library
    async with app.run_test(size=(160, 45)) as pilot:
        assert "2025-01-02" not in app.library.dates()
        app.action_sync()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.library.dates()[0] == "2025-01-02"
        assert any(r.startswith("2025-01-02") for r in row_texts(app.query_one(DayList)))
        assert any("Synced: 1 new day, 2 new papers" in n.message for n in app._notifications)


async def test_palette_sync_failure_is_one_line_and_the_reader_goes_on(tmp_path):
    app = build(config=Config(read_delay=60, sync_source=(tmp_path / "nothing-here").as_uri()))
    async with app.run_test(size=(160, 45)) as pilot:
        before = app.library.dates()
        app.action_sync()
        await app.workers.wait_for_complete()
        await pilot.pause()
        failures = [n.message for n in app._notifications if n.message.startswith("Sync failed")]
        assert len(failures) == 1 and "\n" not in failures[0]
        assert app.library.dates() == before and app.is_running


async def test_marks_written_elsewhere_show_when_the_reader_next_writes(tmp_path):
    from reader.core.state import StateStore

    state_file = tmp_path / "state.json"
    app = build(state_path=state_file)
    async with app.run_test(size=(160, 45)) as pilot:
        app.show_day("2023-12-06")
        await pilot.pause()
        other = StateStore(state_file)  # `daily-papers mark --star` in another terminal
        other.set_starred("2312.00012", True)
        other.close()
        assert row_texts(app.query_one(PaperList))[2][1] == " "
        await pilot.press("s")  # our own write picks up theirs
        rows = row_texts(app.query_one(PaperList))
        assert rows[0][1] == "★" and rows[2][1] == "★"
        assert row_texts(app.query_one(DayList))[0] == "★ Starred  2"
    app.state.close()


async def test_a_huge_title_is_cited_in_a_worker_and_copied_whole(tmp_path):
    title = "Very Long Title " * 4000
    (tmp_path / "2024-09-02.md").write_text(
        f"## Daily Papers (2024-09-02)\n### [{title}](https://arxiv.org/abs/2409.00009)\nVote: 1\nAuthors: A B\n- x\n",
        encoding="utf-8")
    app = build(paths=[tmp_path])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        assert any("Building the citation" in n.message for n in app._notifications)  # the worker's way
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.clipboard.startswith("@misc{") and app.clipboard.count("Very Long Title") == 4000


async def test_control_characters_pasted_into_search_are_dropped():
    from textual.widgets import Input

    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("slash")
        box = app.screen.query_one(Input)
        box.value = "love\x1b]0;owned\x07lace\x08"
        await pilot.pause()
        assert box.value == "lovelace"
        await searched(pilot)
        assert sorted(p.arxiv_id for p in app.screen.results) == ["2312.00011", "2410.00031"]


async def test_palette_names_the_keys_the_user_has():
    app = build(config=Config(read_delay=60, keymap={"star": "x"}))
    async with app.run_test(size=(160, 45)) as pilot:
        star = next(c for c in app.get_system_commands(app.screen) if c.title == "Star / unstar paper")
        assert star.help.endswith("(x)")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Star / unstar paper")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.state.is_starred("2412.00041")


async def test_an_author_listed_twice_in_a_row_shows_once(tmp_path):
    (tmp_path / "2024-09-03.md").write_text(
        "## Daily Papers (2024-09-03)\n### [Twice](https://arxiv.org/abs/2409.00010)\nVote: 1\n"
        "Authors: Ada Lovelace, Ada Lovelace, Alan Turing, Alan Turing\n- x\n", encoding="utf-8")
    app = build(paths=[tmp_path])
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        text = _detail_text(app.query_one(PaperDetail))
        assert "Ada Lovelace, Alan Turing" in text and text.count("Ada Lovelace") == 1


async def test_the_first_frame_already_holds_the_summary_in_the_right_layout(monkeypatch):
    # The summary was once laid out on the first resize event, a frame after the first paint (the first
    # screen then waited ~60 ms for it); and the width class came with that event, so a narrow terminal
    # first flashed the wide layout. Both must be right in the very first frame.
    first: dict[str, object] = {}
    original = PaperDetail.render_lines

    def render_lines(self, crop):
        strips = original(self, crop)
        if self.size.width and "strips" not in first:
            first["strips"] = "".join(strip.text for strip in strips)
            first["classes"] = set(self.screen.classes)
            first["days_shown"] = self.app.query_one(DayList).display
        return strips

    monkeypatch.setattr(PaperDetail, "render_lines", render_lines)
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        title = app.query_one(PaperDetail).paper.title
    assert title.split()[0] in first["strips"] and "arXiv" in first["strips"]
    assert "-narrow" in first["classes"] and not first["days_shown"]


async def test_marks_written_before_the_state_settles_are_redrawn(tmp_path):
    # The first screen's marks come from a lock-free read (StateStore settle_later); the locked load right
    # after it must redraw what another process wrote in between.
    from reader.core.library import Library
    from reader.core.state import StateStore
    from reader.tui.app import make_app

    state_file = tmp_path / "state.json"
    with StateStore(state_file) as first:
        first.set_read("2312.00013", True)
    quick = StateStore(state_file, settle_later=True)
    with StateStore(state_file) as other:  # `daily-papers mark --star` in another terminal, meanwhile
        other.set_starred("2312.00012", True)
    library = Library.open([FIXTURES / "votes_2023.md"])
    library.load_all()
    app = make_app(library, quick, system=FakeSystem(), config=Config(read_delay=60))
    async with app.run_test(size=(160, 45)) as pilot:
        app.show_day("2023-12-06")
        for _ in range(100):  # the settling worker starts after the first frame: wait until it has run
            await app.workers.wait_for_complete()
            await pilot.pause()
            if quick._loaded:
                break
        await pilot.pause()
        assert "★ Starred  1" in row_texts(app.query_one(DayList))[0]
        assert any(row[1] == "★" for row in row_texts(app.query_one(PaperList)))
    quick.close()


async def test_a_search_opened_while_the_archive_loads_says_so_and_grows_when_it_is_read(tmp_path):
    # / pressed the moment the first screen is up: only the newest day is read yet. The search must say
    # its results are not complete, and cover the whole archive once it is read (not narrow stale results).
    for n, day in enumerate(["2023-11-20", "2023-12-06", "2024-12-31"]):
        (tmp_path / f"{day}.md").write_text(
            f"## Daily Papers ({day})\n\n### [Alpha paper {n}](https://arxiv.org/abs/2401.0000{n})\n\n"
            "- **What's New**: 요약.\n", encoding="utf-8")
    app = build(paths=[tmp_path], lazy=True)
    load_rest = app._load_rest
    app._load_rest = lambda: None  # hold the rest of the archive back until the search is open
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("slash", "a", "l")
        await searched(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        count = str(screen.query_one("#search-count").render())
        assert "still reading the archive" in count
        assert {p.date for p in screen.results} == {"2024-12-31"}
        load_rest()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        await searched(pilot)
        assert {p.date for p in screen.results} == {"2023-11-20", "2023-12-06", "2024-12-31"}
        assert "still reading" not in str(screen.query_one("#search-count").render())
        await pilot.press("p")  # typing on narrows the fresh results, not the early ones
        await searched(pilot)
        assert {p.date for p in screen.results} == {"2023-11-20", "2023-12-06", "2024-12-31"}


async def test_the_lists_keep_their_rows_after_the_first_frame_and_relayout_on_a_new_width(monkeypatch):
    # Textual's OptionList dropped every rendered row on the resize each widget gets right after the first
    # frame: the days and papers were laid out twice before the reader settled. Only a new width may do it.
    from textual.widgets import OptionList

    cleared: list[str] = []
    original = OptionList._clear_caches
    monkeypatch.setattr(OptionList, "_clear_caches", lambda self: (cleared.append(type(self).__name__), original(self)))
    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert "PaperList" not in cleared and "DayList" not in cleared
        papers = app.query_one(PaperList)
        await pilot.resize_terminal(110, 40)
        await pilot.pause()
        await pilot.pause()
        assert "PaperList" in cleared
        width = papers.scrollable_content_region.width
        row = papers.render_line(0)
        assert row.cell_length == width  # laid out anew for the new width (rows are cached by option, not width)


async def test_moving_between_papers_repaints_exactly_what_a_fresh_pane_shows(tmp_path):
    # The summary pane repaints only the lines that differ from the paper before (same size, at the top):
    # after each move the screen must equal the same pane repainted whole.
    import re

    sections = ["짧은 요약.", "중간 길이의 요약 " * 30, "조금 다른 짧은 요약.", "", "긴 요약 " * 200]
    papers = "".join(
        f"### [Paper {n} title](https://arxiv.org/abs/2401.0000{n})\n\nVote: {10 - n}\n\n"
        + (f"- **What's New**: {text}\n\n" if text else "")
        for n, text in enumerate(sections))
    (tmp_path / "2024-01-02.md").write_text(f"## Daily Papers (2024-01-02)\n\n{papers}", encoding="utf-8")

    def text_of(svg: str) -> str:
        return "".join(re.findall(r">([^<]*)</text>", svg))

    app = build(paths=[tmp_path])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        detail = app.query_one(PaperDetail)
        for key in ["j", "j", "j", "k", "k", "j", "j", "j", "k", "k", "k", "k"]:
            await pilot.press(key)
            await pilot.pause()
            moved = text_of(app.export_screenshot())
            detail._styled = {}
            detail.refresh()
            await pilot.pause()
            assert moved == text_of(app.export_screenshot()), key


async def test_the_palette_names_each_command_once():
    from collections import Counter

    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        names = [command.title for command in app.get_system_commands(app.screen)]
        assert "Help: every key and its binding id" in names
        assert [name for name, n in Counter(names).items() if n > 1] == []  # Textual's own "Keys" stays its own


async def test_words_typed_the_moment_slash_is_pressed_reach_the_search():
    """/ then a word typed at once (a fast typist, a busy machine: the index being built holds the interpreter):
    the keys are already queued before the search box takes the focus (Textual focuses after mounting), and
    they went nowhere. They land in the box, in order; keys that are not text keep their meaning."""
    from textual import events

    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app.post_message(events.Key("slash", "/"))
        for letter in "lovelace":
            app.post_message(events.Key(letter, letter))
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert screen.query_one("#search-input").value == "lovelace"
        await searched(pilot)
        assert sorted(p.arxiv_id for p in screen.results) == ["2312.00011", "2410.00031"]
        app.post_message(events.Key("escape", None))
        await pilot.pause()
        assert not isinstance(app.screen, SearchScreen)


@pytest.mark.parametrize("keys, expected", [
    (["k", "i", "m", "ctrl+u", "m", "e", "m", "o"], "memo"),
    (["k", "i", "m", "backspace", "backspace", "backspace", "메", "모"], "메모"),
    (["a", "b", "left", "c"], "acb"),
])
async def test_editing_keys_in_the_search_box_take_effect_in_the_order_typed(keys, expected):
    """Keys typed faster than the screen answers: an editing key bound on the box (ctrl+u, backspace, the
    arrows) ran after the text typed behind it (it went up to the app and back), so "kim", ctrl+u, "memo"
    left the box empty (seen in a real terminal under load; Textual issue #6605)."""
    from textual import events

    app = build()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        for key in keys:  # posted at once, as a burst from the terminal arrives
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#search-input").value == expected
