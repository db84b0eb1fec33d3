"""The / screen's list at each keystroke: a screenful asked for first, the rest as the list is scrolled (the
cursor, PageDown, the view itself), heights said without laying out the text (reader/tui/screens/search.py, reader/tui/widgets/result_list.py)."""

from __future__ import annotations

from pathlib import Path

from reader.core.index import open_indexed
from tui_support import searched

from test_finding import write
from test_finding_reader import app_of, many_library


class Asked:
    """finding.search, recording the offset and limit of each question."""

    def __init__(self) -> None:
        from reader.core import finding

        self.real, self.asked = finding.search, []

    def __call__(self, library, query, **options):
        self.asked.append((options["offset"], options["limit"]))
        return self.real(library, query, **options)


async def searching(app, pilot, word: str):
    """The / screen of a reader that is ready, `word` typed and its results listed: (screen, its list)."""
    from reader.tui.screens.search import SearchScreen
    from reader.tui.widgets.result_list import ResultList

    await app.workers.wait_for_complete()
    await pilot.press("slash", *word)
    await searched(pilot)
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    return screen, screen.query_one(ResultList)


async def test_the_first_question_asks_for_a_screenful_and_pages_follow_the_cursor(tmp_path, monkeypatch):
    from reader.core import finding
    from reader.tui.screens.search import AHEAD, PAGE

    asked = Asked()
    monkeypatch.setattr(finding, "search", asked)
    n = 230
    library = many_library(tmp_path, n)
    for size in ((80, 24), (160, 45)):
        app = app_of(library)
        async with app.run_test(size=size) as pilot:
            screen, options = await searching(app, pilot, "quokka")
            shown_rows = (options.scrollable_content_region.height + 1) // 2  # two lines a result (the last in part)
            offset, limit = asked.asked[-1]
            assert offset == 0 and limit == shown_rows + AHEAD < PAGE  # a screenful and a margin, not 50
            assert len(screen.results) == options.option_count == limit
            for _ in range(limit - AHEAD):  # the cursor near the end of what is listed: the next page
                await pilot.press("down")
            await searched(pilot)
            assert asked.asked[-1] == (limit, PAGE) and len(screen.results) == limit + PAGE
            asked.asked.clear()
    library.close()


async def test_pagedown_and_scrolling_the_view_reach_the_last_result(tmp_path):
    """PageDown moves the cursor a page (Input has no use for it); the wheel or the scrollbar move the view
    and not the cursor: the next page comes as the view nears the end all the same."""

    n = 230
    library = many_library(tmp_path, n)
    app = app_of(library)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, options = await searching(app, pilot, "quokka")
        await pilot.press("ctrl+s", "ctrl+s")  # by votes: n, n - 1, ... 1
        await searched(pilot)
        assert screen.sort == "votes"
        for _ in range(n):
            await pilot.press("pagedown")
            await searched(pilot)
            if options.highlighted == n - 1:
                break
        assert options.highlighted == n - 1 and len(screen.results) == n
        assert screen.results[-1].votes == 1 and len({p.arxiv_id for p in screen.results}) == n
        await pilot.press("pageup")
        assert options.highlighted < n - 1
    app = app_of(library)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, options = await searching(app, pilot, "quokka")
        first = len(screen.results)
        for _ in range(n):
            options.scroll_end(animate=False, immediate=True)  # the view, as the wheel moves it
            await searched(pilot)
            if len(screen.results) == n:
                break
        assert len(screen.results) == n > first and options.highlighted == 0  # the cursor stayed
        assert options.option_count == n
    library.close()


def bare_library(tmp_path: Path, n: int):
    """n papers without a summary: their rows have no snippet line (one line each)."""
    root = tmp_path / "bare"
    write(root, "2025-06-04", [f"### [Wombat {i}](https://arxiv.org/abs/2506.{i:05d})\n\nVote: {i}\n\nAuthors: Kim\n"
                               for i in range(1, n + 1)])
    library = open_indexed([root], tmp_path / "index-bare")
    library.load_all()
    return library


async def test_rows_of_one_line_still_fill_the_list(tmp_path):
    """The first page counts two lines a result; results without a snippet take one: the next page is asked
    for at once rather than leaving the list's lower half empty."""

    n = 120
    library = bare_library(tmp_path, n)
    app = app_of(library)
    async with app.run_test(size=(160, 45)) as pilot:
        _screen, options = await searching(app, pilot, "wombat")
        assert str(options.get_option_at_index(0).prompt).count("\n") == 0  # no snippet line
        height = options.scrollable_content_region.height
        assert options.option_count >= height and options.virtual_size.height >= height
    library.close()


async def test_a_rows_height_is_its_line_count_without_laying_it_out(tmp_path):
    """Row.get_height agrees with Content's for the search list's style (nowrap, ellipsis) whatever the
    width, and leaves wrapping lists to Content."""
    from textual.content import Content

    from reader.tui.widgets.result_list import Row

    text = "●    7 2034-04-27 Cached Transformers: Improving Transformers with a long title\n    …메커니즘을 확장하는 새로운"
    for width in (10, 40, 200):
        for rules in ({"text_wrap": "nowrap", "text_overflow": "ellipsis"}, {"text_wrap": "nowrap", "text_overflow": "clip"},
                      {"text_wrap": "wrap", "text_overflow": "fold"}):
            assert Row(text).get_height(rules, width) == Content(text).get_height(rules, width)
    assert Row(text).get_height({"text_wrap": "nowrap", "text_overflow": "ellipsis"}, 10) == 2
    assert Row(text).get_height({"text_wrap": "wrap"}, 10) > 2


async def test_a_space_after_a_word_asks_nothing_new_and_its_results_stay(tmp_path, monkeypatch):
    """Typing the space between two words does not change what is asked: the listed results are its results,
    with no search run again (at 10x that was a whole search for nothing, one keystroke of the few slowest);
    the next letter asks, and so does a change of the sort or of the library."""
    from reader.core import finding

    asked = Asked()
    monkeypatch.setattr(finding, "search", asked)
    library = many_library(tmp_path, 30)
    app = app_of(library)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, options = await searching(app, pilot, "quokka")
        before, listed = len(asked.asked), list(screen.results)
        await pilot.press("space", "space")
        await searched(pilot)
        assert len(asked.asked) == before and screen.results == listed and options.option_count == len(listed)
        assert screen.remembered.query == "quokka  "
        await pilot.press("ctrl+s")  # the sort: asked again
        await searched(pilot)
        assert len(asked.asked) == before + 1 and screen.sort == "date"
        screen.library_changed()  # more papers: asked again, the same words
        await searched(pilot)
        assert len(asked.asked) == before + 2
        await pilot.press("q")  # a word more: asked
        await searched(pilot)
        assert len(asked.asked) == before + 3 and screen._ran == "quokka  q"
    library.close()
