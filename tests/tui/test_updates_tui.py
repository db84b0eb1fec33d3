"""The reader brings the library up to date by itself (issue 15.5) and writes Korean summaries on K (issue 16.3):
against loopback servers (tests/hub_server.py, tests/model_server.py), never the real network."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from digest_factory import write_day
from hub_server import HubServer, recorded_days
from model_server import MODEL, ModelServer
from reader import paths as app_paths
from reader.core.config import Config
from reader.core.korean import has_korean_summary
from reader.core.library import Library
from reader.core.metadata import MetadataStore
from reader.core.state import StateStore
from reader.sources.hf import parse_page
from reader.sources.hf_sync import write_day_digest
from reader.tui.app import make_app
from reader.tui.widgets.days import DayList
from reader.tui.widgets.detail import PaperDetail
from reader.tui.widgets.papers import PaperList
from tui_support import FakeSystem, row_texts

RECORDED = recorded_days()
TODAY = "2025-05-14"
NEW = ["2025-05-14", "2025-05-13", "2025-05-12"]  # the recorded days after the archive day, up to TODAY


def own_library() -> Path:
    """The user's library: one archive day (Korean), the day before the Hub days."""
    library = app_paths.library_dir()
    write_day(library, "2025-05-09", ["2505.00001", "2505.00002"])
    return library


def reader(library: Path | None = None, *, paths=None, config: Config | None = None, today: str = TODAY,
           system=None):
    lib = Library.open(paths or [library])
    lib.load_all()
    return make_app(lib, StateStore.in_memory(), system=system or FakeSystem(), config=config or Config(read_delay=60),
                    sync_library=library, today=lambda: today)


def pane_text(app) -> str:
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    Console(file=out, width=200, color_system=None, force_terminal=False).print(app.query_one(PaperDetail).renderable)
    return out.getvalue()


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def settle(app, pilot) -> None:
    """Until every worker is done and what they sent back is drawn (no timing: Textual's own waits)."""
    for _ in range(5):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def hub(monkeypatch):
    with HubServer() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        yield server


async def test_after_the_first_screen_the_days_since_the_newest_arrive_with_one_notice(hub):
    library = own_library()
    app = reader(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        days = app.query_one(DayList)
        rows = row_texts(days)
        assert rows[1].startswith("♥ For you") and [r[:10] for r in rows[2:6]] == [*NEW, "2025-05-09"]
        papers = sum(len(RECORDED[d]) for d in NEW)
        assert messages(app).count(f"3 new days, {papers} papers") == 1
        assert [m for m in messages(app) if "new day" in m] == [f"3 new days, {papers} papers"]
        assert str(days.border_title) == "Days · up to today"
        assert str(days.border_subtitle) == ""
        # the list shows the newest day as it came, its papers readable as any digest's
        assert app.library.day("2025-05-14") is not None
        assert len(app.library.day("2025-05-14")) == len(RECORDED["2025-05-14"])
    asked = [q.get("date") for path, q, _ in hub.requests if path.startswith("/api/daily_papers")]
    assert set(NEW) <= set(asked)


async def test_days_appear_one_by_one_as_they_land(hub, monkeypatch):
    from reader.tui import updates as updates_module

    library = own_library()
    app = reader(library)
    seen: list[list[str]] = []
    real = updates_module.Updating.files_changed

    def files_changed(self, parsed_files):
        real(self, parsed_files)
        seen.append([d for d in app.library.dates() if d in NEW])

    monkeypatch.setattr(updates_module.Updating, "files_changed", files_changed)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
    # one day at a time, as each is written (asked newest first: tests/unit/test_hf.py checks the order)
    assert [len(days) for days in seen] == [1, 2, 3] and seen[-1] == NEW


async def test_each_day_says_its_language_and_the_sidebar_how_fresh_the_library_is():
    library = own_library()
    write_day_digest(library, "2025-05-12", parse_page(RECORDED["2025-05-12"])[0][:3])
    app = reader(library, config=Config(read_delay=60, auto_sync=False), today="2025-05-20")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        days = app.query_one(DayList)
        rows = row_texts(days)
        assert rows[2].startswith("2025-05-12 Mon en ")
        assert rows[3].startswith("2025-05-09 Fri ko ")
        assert str(days.border_title) == "Days · 8 days behind"
    app = reader(library, config=Config(read_delay=60, auto_sync=False), today="2025-05-13")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        assert str(app.query_one(DayList).border_title) == "Days · up to yesterday"


async def test_where_the_sidebar_is_folded_away_the_paper_list_says_how_fresh_the_library_is():
    library = own_library()
    app = reader(library, config=Config(read_delay=60, auto_sync=False), today="2025-06-08")
    async with app.run_test(size=(90, 30)) as pilot:
        await settle(app, pilot)
        assert str(app.query_one(PaperList).border_subtitle) == "2 papers · 30 days behind"


async def test_auto_sync_off_sends_nothing(hub):
    library = own_library()
    app = reader(library, config=Config(read_delay=60, auto_sync=False))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        assert app.library.dates() == ["2025-05-09"]
    assert hub.requests == []


async def test_a_reader_on_folders_it_was_given_never_syncs_them(hub, tmp_path):
    folder = tmp_path / "elsewhere"
    write_day(folder, "2025-05-09", ["2505.00001"])
    app = reader(None, paths=[folder])
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("S")
        await settle(app, pilot)
        assert any("S syncs your own library" in m for m in messages(app))
    assert hub.requests == []
    assert not any(folder.rglob("huggingface"))


async def test_an_up_to_date_library_makes_no_request_by_itself_and_S_says_so(hub):
    library = own_library()
    write_day_digest(library, TODAY, parse_page(RECORDED[TODAY])[0][:2])
    app = reader(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        assert hub.requests == []  # newest is today: nothing to fetch by itself
        await pilot.press("S")
        await settle(app, pilot)
        assert "Up to date: no new papers" in messages(app) or any("new day" in m for m in messages(app))
        assert hub.requests  # S asked


async def test_offline_one_quiet_line_with_the_last_sync_and_no_notice():
    # HF_ENDPOINT is a closed port on loopback (conftest): as offline as a machine gets
    library = own_library()
    store = MetadataStore()
    store.put_day("2025-05-08", [], fetched="2025-05-08T07:14:00Z")
    store.close()
    os.environ["TZ"] = "UTC"
    try:
        import time
        time.tzset()
        app = reader(library)
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(app, pilot)
            days = app.query_one(DayList)
            assert str(days.border_subtitle) == "offline; last synced 2025-05-08 07:14"
            assert messages(app) == []  # quiet: no toast, no dialog
            assert len(app.screen_stack) == 1
            await pilot.press("S")  # asked for: then it says so
            await settle(app, pilot)
            assert messages(app) == ["Sync: offline; last synced 2025-05-08 07:14"]
    finally:
        os.environ.pop("TZ", None)
        time.tzset()


async def test_a_sync_that_lands_while_the_reader_shows_the_sample_days_switches_to_the_library(hub):
    library = app_paths.library_dir()  # empty: the reader shows the bundled samples
    samples = Library.open([app_paths.bundled_data_dir()])
    samples.load_all()
    from reader.commands.common import open_library

    app = make_app(samples, StateStore.in_memory(), system=FakeSystem(), config=Config(read_delay=60),
                   sync_library=library, today=lambda: "2025-05-13",
                   library_factory=lambda: open_library(None, load=False))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await settle(app, pilot)
        assert app.library.dates()[:2] == ["2025-05-13", "2025-05-12"]
        assert "2024-08-15" not in app.library.dates()  # the samples are gone: the library stands


def configure(server: ModelServer, **more) -> None:
    path = app_paths.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"summarizer": {"base_url": server.url, "model": MODEL, **more}}), encoding="utf-8")


def hf_day(library: Path, day: str = "2026-08-03", n: int = 3) -> list[str]:
    papers = parse_page(RECORDED[day])[0][:n]
    write_day_digest(library, day, papers)
    return [p.arxiv_id for p in papers]


async def test_K_summarises_the_shown_paper_and_the_pane_shows_the_korean_sections():
    library = app_paths.library_dir()
    hf_day(library)
    with ModelServer() as server:
        configure(server)
        app = reader(library, config=Config(read_delay=60, auto_sync=False), today="2026-08-03")
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(app, pilot)
            shown = app.query_one(PaperDetail).paper
            assert not has_korean_summary(shown)
            await pilot.press("K")
            await settle(app, pilot)
            paper = app.query_one(PaperDetail).paper
            assert paper.arxiv_id == shown.arxiv_id and has_korean_summary(paper)
            assert "What's New" in pane_text(app)
            assert any(m.startswith("Summaries: 1 paper summarized") for m in messages(app))
            rows = row_texts(app.query_one(DayList))
            assert rows[2].startswith("2026-08-03 Mon ke ")  # one of three in Korean now
        assert server.papers_asked() == [shown.title]  # that paper only
    assert sum(has_korean_summary(p) for p in Library.open([library]).load_all().day("2026-08-03").papers) == 1


async def test_K_from_the_day_list_summarises_the_whole_day():
    library = app_paths.library_dir()
    ids = hf_day(library)
    with ModelServer() as server:
        configure(server)
        app = reader(library, config=Config(read_delay=60, auto_sync=False), today="2026-08-03")
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(app, pilot)
            app.query_one(DayList).focus()
            await pilot.press("K")
            await settle(app, pilot)
            assert row_texts(app.query_one(DayList))[2].startswith("2026-08-03 Mon ko ")
        assert len(server.papers_asked()) == len(ids) == 3


async def test_K_without_a_model_says_how_to_set_one_and_sends_nothing():
    library = app_paths.library_dir()
    hf_day(library)
    with ModelServer() as server:
        app = reader(library, config=Config(read_delay=60, auto_sync=False), today="2026-08-03")
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(app, pilot)
            await pilot.press("K")
            await settle(app, pilot)
            assert any("set summarizer.model in config.json" in m for m in messages(app))
        assert server.papers_asked() == []


async def test_auto_summarize_writes_the_new_days_after_a_sync(hub):
    library = own_library()
    with ModelServer() as server:
        configure(server, auto_summarize=True)
        app = reader(library, today="2025-05-12")
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(app, pilot)
            await settle(app, pilot)
            assert row_texts(app.query_one(DayList))[2].startswith("2025-05-12 Mon ko ")
        assert len(server.papers_asked()) == len(RECORDED["2025-05-12"])


async def test_l_lists_every_link_to_open_or_copy():
    from reader.tui.screens.links import LinksScreen

    library = app_paths.library_dir()
    day = "2026-08-03"
    papers = parse_page(RECORDED[day])[0]
    with_code = next(p for p in papers if p.github and p.project_page)
    write_day_digest(library, day, [with_code])
    store = MetadataStore()
    store.put_day(day, [with_code])
    store.close()
    system = FakeSystem()
    app = reader(library, config=Config(read_delay=60, auto_sync=False), today=day, system=system)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("l")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LinksScreen)
        names = [name for name, _ in screen.links]
        assert names[:5] == ["arXiv page", "PDF", "Hugging Face page", "Code", "Project page"]
        assert dict(screen.links)["Code"] == with_code.github
        await pilot.press("j", "j", "j", "y")  # Code
        await pilot.pause()
        assert not isinstance(app.screen, LinksScreen)
        assert any(with_code.github in m for m in messages(app))
        await pilot.press("l", "j", "enter")  # PDF, opened
        await settle(app, pilot)
        assert system.opened == [app.query_one(PaperDetail).paper.pdf_url]


async def test_the_pane_shows_what_the_hub_knows_of_an_archive_paper():
    from reader.core.metadata import HFPaper

    library = own_library()
    store = MetadataStore()
    store.put_day("2025-05-09", [HFPaper("2505.00001", "Paper", authors=("A. Author",), comments=3,
                                         github="https://github.com/example/code", github_stars=1234,
                                         project_page="https://example.org/project", organization="Example Lab",
                                         keywords=("diffusion", "tokens"))])
    store.close()
    app = reader(library, config=Config(read_delay=60, auto_sync=False), today="2025-05-09")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("g")  # the paper with the most votes: 2505.00001
        await settle(app, pilot)
        assert app.query_one(PaperDetail).paper.arxiv_id == "2505.00001"
        text = pane_text(app)
        assert "Example Lab   3 comments   ★ 1,234 on GitHub" in text
        assert "Code https://github.com/example/code   Project page https://example.org/project" in text
        assert "Keywords: diffusion, tokens" in text
        await pilot.press("j")  # a paper the Hub does not know: the digest alone
        await settle(app, pilot)
        assert "Example Lab" not in pane_text(app)


async def test_the_paper_list_says_how_fresh_only_while_the_sidebar_is_folded_away():
    library = own_library()
    app = reader(library, config=Config(read_delay=60, auto_sync=False), today="2025-06-08")
    async with app.run_test(size=(90, 30)) as pilot:
        await settle(app, pilot)
        plist = app.query_one(PaperList)
        assert str(plist.border_subtitle) == "2 papers · 30 days behind"
        await pilot.press("b")  # the days come back: they say it
        await pilot.pause()
        assert str(plist.border_subtitle) == "2 papers"
        await pilot.press("b")
        await pilot.pause()
        await pilot.resize_terminal(160, 45)
        await settle(app, pilot)
        assert str(plist.border_subtitle) == "2 papers"
