"""The reader, as it is, on the library backed by the index (the rest: tests/unit/test_index.py)."""

from __future__ import annotations

from reader.core.index import open_indexed

import pytest

from digest_factory import write_day
from tui_support import searched
from reader.core.index.library import IndexedLibrary
from test_index import (  # noqa: F401 - its fixtures and helpers
    Library,
    answers,
    in_memory,
    opened,
)


@pytest.mark.parametrize("index", ["from nothing", "built before"])
async def test_the_reader_runs_on_the_library_backed_by_the_index(tmp_path, fixtures, index):
    """The API the reader uses (load_newest, then parse_pending in its worker and merge; day, dates, search,
    get, appearances) answers from the index as it did from memory."""
    from reader.core.config import Config
    from reader.core.state import StateStore
    from reader.tui.app import make_app
    from reader.tui.screens.search import SearchScreen
    from tui_support import FakeSystem

    paths = sorted(fixtures.glob("*.md"))
    folder = tmp_path / "index"
    if index == "built before":
        opened(paths, folder).close()
    library = open_indexed(paths, folder)
    library.load_newest()
    assert library.indexed and library.dates()[0] == "2024-12-31"
    app = make_app(library, StateStore.in_memory(), system=FakeSystem(), config=Config(read_delay=60))
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert library.pending == 0 and library.dates() == Library.open(paths).load_all().dates()
        await pilot.press("slash", *"lovelace")
        assert isinstance(app.screen, SearchScreen)
        await searched(pilot)
        assert sorted(p.arxiv_id for p in app.screen.results) == ["2312.00011", "2410.00031"]
        await pilot.press(*["backspace"] * len("lovelace"), *"토크나이저")
        await searched(pilot)
        assert [p.arxiv_id for p in app.screen.results] == ["2406.00021"]
        await pilot.press("enter")
        assert app.current_key == "2024-06-12"
    assert library.indexed and library.notices == []


# -- the reader as `daily-papers PATH` starts it: the newest day from its file, then the index takes over -----
def launched(paths, **options):
    """The app as reader.tui.launch builds it: the first screen from the newest day's file alone (no index
    opened), the library backed by its index (the cache folder's, in tmp) brought up to date in a worker."""
    from reader.core.config import Config
    from reader.core.opening import open_library
    from reader.core.state import StateStore
    from reader.startup import first_library
    from reader.tui.app import make_app
    from tui_support import FakeSystem

    first = first_library([str(p) for p in paths])
    assert not isinstance(first, IndexedLibrary)  # the first screen never waits for the index
    factory = options.pop("index_factory", None) or (lambda: open_library([str(p) for p in paths], load=False,
                                                                          index=True))
    return make_app(first, StateStore.in_memory(), system=FakeSystem(), config=Config(read_delay=60),
                    index_factory=factory, library_factory=factory, **options)


async def test_the_reader_shows_the_newest_day_then_the_index_takes_over_and_search_asks_it(fixtures, monkeypatch):
    from reader.tui.screens.search import SearchScreen
    from reader.tui.widgets.days import DayList
    from tui_support import row_texts

    monkeypatch.setattr(Library, "search_index", lambda self: pytest.fail("search built in memory"))
    paths = sorted(fixtures.glob("*.md"))
    app = launched(paths)
    async with app.run_test(size=(160, 45)) as pilot:
        first = app.library
        assert app.current_key == "2024-12-31" and not isinstance(first, IndexedLibrary)
        await app.workers.wait_for_complete()
        await pilot.pause()
        library = app.library
        assert isinstance(library, IndexedLibrary) and library.indexed and library is not first
        memory = Library.open(paths).load_all()
        assert library.dates() == memory.dates() and app.current_key == "2024-12-31"
        assert app.current_paper == memory.day("2024-12-31").papers[0]
        rows = row_texts(app.query_one(DayList))
        assert rows[1].startswith("♥ For you") and [r[:10] for r in rows[2:]] == memory.dates()
        assert str(app.query_one(DayList).border_subtitle) == ""
        await pilot.press("slash", *"lovelace")
        assert isinstance(app.screen, SearchScreen)
        await searched(pilot)
        assert sorted(p.arxiv_id for p in app.screen.results) == ["2312.00011", "2410.00031"]
        chosen = app.screen.results[0]
        await pilot.press("enter")
        assert (app.current_key, app.current_paper.arxiv_id) == (chosen.date, chosen.arxiv_id)
    assert library.notices == []


async def test_while_the_index_is_built_the_search_says_so_and_covers_everything_once_it_is_ready(tmp_path):
    import threading

    from reader.core.opening import open_library
    from reader.tui.screens.search import SearchScreen

    for n, day in enumerate(["2023-11-20", "2023-12-06", "2024-12-31"]):
        write_day(tmp_path / "lib", day, [f"240{n + 1}.0000{n}"], title="Alpha")
    ready = threading.Event()

    def slow_index():
        ready.wait(30)
        return open_library([str(tmp_path / "lib")], load=False, index=True)

    app = launched([tmp_path / "lib"], index_factory=slow_index)
    said: list[str] = []
    set_status = app.view.set_status
    app.view.set_status = lambda text: (said.append(text), set_status(text))[1]
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"alpha")
        await searched(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert {p.date for p in screen.results} == {"2024-12-31"}
        assert "still reading the archive (2 files left)" in str(screen.query_one("#search-count").render())
        ready.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        await searched(pilot)
        assert isinstance(app.library, IndexedLibrary)
        assert {p.date for p in screen.results} == {"2023-11-20", "2023-12-06", "2024-12-31"}
        assert str(screen.query_one("#search-count").render()).startswith("3 papers · Enter shows")
    assert "indexing 3/3" in said and said[-1] == ""  # the index built from nothing, its progress shown


async def test_a_day_that_lands_while_the_reader_runs_on_the_index_is_shown(tmp_path):
    from reader.core.parse import read_file
    from reader.tui.widgets.days import DayList
    from tui_support import row_texts

    root = tmp_path / "lib"
    write_day(root, "2024-01-01", ["2401.00001"])
    write_day(root, "2024-01-03", ["2401.00031"])
    app = launched([root])
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.library, IndexedLibrary)
        landed = write_day(root, "2024-01-04", ["2401.00041", "2401.00042"], title="Landed")
        app.files_changed([read_file(str(landed))])
        await pilot.pause()
        assert app.library.indexed and app.library.dates()[0] == "2024-01-04"
        assert row_texts(app.query_one(DayList))[2].startswith("2024-01-04")
        await pilot.press("slash", *"landed")
        await searched(pilot)
        assert sorted(p.arxiv_id for p in app.screen.results) == ["2401.00041", "2401.00042"]


async def test_a_damaged_index_is_said_once_and_built_again_after_the_first_screen(tmp_path):
    from reader import paths as app_paths
    from reader.core.index import index_path

    root = tmp_path / "lib"
    write_day(root, "2024-01-01", ["2401.00001"])
    write_day(root, "2024-01-03", ["2401.00031"])
    where = index_path([str(root)], app_paths.index_dir())
    where.parent.mkdir(parents=True, exist_ok=True)
    where.write_bytes(b"not a database at all" * 100)
    app = launched([root])
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        notes = [n.message for n in app._notifications if "library index" in n.message]
        assert len(notes) == 1 and "building it again" in notes[0]
        assert isinstance(app.library, IndexedLibrary) and app.library.indexed
        assert app.library.dates() == ["2024-01-03", "2024-01-01"]


async def test_quitting_while_the_index_is_built_stops_the_worker(tmp_path):
    import asyncio

    root = tmp_path / "lib"
    for n in range(1, 4):
        write_day(root, f"2024-01-0{n}", [f"2401.0000{n}"])
    app = launched([root])
    app._load_rest = lambda: None  # the worker is run by hand below
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        first = app.library
        app.updates.cancel.set()  # as exit() sets it
        await asyncio.to_thread(app._open_index)
        await pilot.pause()
        assert app.library is first  # no index handed over: the worker stopped at its first progress


async def test_a_day_that_lands_while_the_index_is_built_waits_for_it_and_is_shown(tmp_path):
    import asyncio
    import threading

    from reader.core.opening import open_library
    from reader.core.parse import read_file

    root = tmp_path / "lib"
    write_day(root, "2024-01-03", ["2401.00031"])  # one file: the first screen's library has read it all
    listed, ready = threading.Event(), threading.Event()

    def slow_index():
        library = open_library([str(root)], load=False, index=True)  # the files as they are now
        listed.set()
        ready.wait(30)
        return library

    app = launched([root], index_factory=slow_index, sync_library=root)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert await asyncio.to_thread(listed.wait, 30)
        landed = write_day(root, "2024-01-04", ["2401.00041"])  # a sync's day, after the index listed the files
        app.updates._landed(read_file(str(landed)))
        assert app.library.dates() == ["2024-01-03"]  # it waits for the index
        ready.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.library, IndexedLibrary) and app.library.dates() == ["2024-01-04", "2024-01-03"]


async def test_m_while_the_index_is_built_says_so_and_opens_nothing(tmp_path):
    import asyncio
    import threading

    from reader.core.opening import open_library
    from reader.tui.screens.similar import ScoresScreen

    for n, day in enumerate(["2023-11-20", "2024-12-31"]):
        write_day(tmp_path / "lib", day, [f"240{n + 1}.0000{n}"], title="Alpha")
    asked, ready = threading.Event(), threading.Event()

    def slow_index():
        asked.set()
        ready.wait(30)
        return open_library([str(tmp_path / "lib")], load=False, index=True)

    app = launched([tmp_path / "lib"], index_factory=slow_index)
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            assert await asyncio.to_thread(asked.wait, 30)
            await pilot.press("m")
            await pilot.pause()
            assert not isinstance(app.screen, ScoresScreen)
            assert [n.message for n in app._notifications if "Similar papers" in n.message] == [
                "Similar papers need the library's index, which is still being read: m and For you work once it "
                "is ready"]
            ready.set()
            # The index handed over, then similar papers weighed: each a worker's, the second started once a
            # frame is drawn after the first (on a busy machine, after more than one wait).
            for _ in range(100):
                await app.workers.wait_for_complete()
                await pilot.pause()
                if app.similar_not_ready() is None:
                    break
            assert app.similar_not_ready() is None
            await pilot.press("m")
            assert isinstance(app.screen, ScoresScreen)
    finally:
        ready.set()
