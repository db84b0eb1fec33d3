"""The reader, as it is, on the library backed by the index (the rest: tests/unit/test_index.py)."""

from __future__ import annotations

from reader.core.index import open_indexed

import pytest

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
        assert sorted(p.arxiv_id for p in app.screen.results) == ["2312.00011", "2410.00031"]
        await pilot.press(*["backspace"] * len("lovelace"), *"토크나이저")
        assert [p.arxiv_id for p in app.screen.results] == ["2406.00021"]
        await pilot.press("enter")
        assert app.current_key == "2024-06-12"
    assert library.indexed and library.notices == []
