"""/ : search every day at once (titles, authors, Korean summaries), results as you type.

The screen asks `search(query, shown)` for the first `shown` papers and how many match in all (the library's
search_page: SQL over its index, or the library in memory); it holds no more papers than it lists."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.core.model import Paper
from reader.core.sanitize import clean_line
from reader.core.words import count as counted
from reader.tui.widgets.steady_list import SteadyOptionList

MAX_SHOWN = 200  # rows built per keystroke; the count says how many matched in all


class SearchScreen(ModalScreen[Paper | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Back", id="search.cancel"),
        Binding("down", "move(1)", "Next result", show=False, id="search.next"),
        Binding("up", "move(-1)", "Previous result", show=False, id="search.previous"),
        Binding("ctrl+n", "move(1)", "Next result", show=False, id="search.next_alt"),
        Binding("ctrl+p", "move(-1)", "Previous result", show=False, id="search.previous_alt"),
    ]

    def __init__(self, search: Callable[[str, int], tuple[list[Paper], int]], prompt_for: Callable[[Paper], Content],
                 query: str = "", status: Callable[[], str] | None = None) -> None:
        super().__init__()
        self._search = search  # search(query, shown) -> (the first papers, how many match), as Library.search_page
        self._prompt_for = prompt_for
        self._status = status  # what the results do not cover yet ("" when they cover everything)
        self._query = query
        self.results: list[Paper] = []  # the papers listed (the first MAX_SHOWN)
        self.total = 0  # how many match

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box") as box:
            box.border_title = "Search every day: titles, authors, summaries"
            yield Input(value=self._query, placeholder="words to find (all must match)", id="search-input")
            yield Static("", id="search-count", markup=False)
            yield SteadyOptionList(id="search-results", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self._query:
            self.run_query(self._query)

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        cleaned = clean_line(event.value)
        if cleaned != event.value:  # pasted control characters or escapes never reach the screen
            event.input.value = cleaned
            return
        self.run_query(event.value)

    def run_query(self, query: str) -> None:
        results, total = self._search(query, MAX_SHOWN) if query.strip() else ([], 0)
        self.results, self.total = results, total
        shown = results
        options = self.query_one("#search-results", OptionList)
        prompt_for = self._prompt_for
        options.set_options([Option(prompt_for(p)) for p in shown])
        if shown:
            options.highlighted = 0
        count = self.query_one("#search-count", Static)
        status = self._status() if self._status is not None else ""
        if not query.strip():
            count.update(status)
        elif not total:
            count.update("no match" + (f" yet · {status}" if status else ""))
        else:
            more = f" (first {len(shown)} shown)" if total > len(shown) else ""
            tail = f" · {status}" if status else " · Enter shows · Esc goes back"
            count.update(f"{counted(total, 'paper')}{more}{tail}")

    def library_changed(self) -> None:
        """More papers were read (the index ready, a reload, a sync): search them all again."""
        self.run_query(self.query_one(Input).value)

    def action_move(self, step: int) -> None:
        options = self.query_one("#search-results", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        options = self.query_one("#search-results", OptionList)
        if options.highlighted is not None and self.results:
            self.dismiss(self.results[options.highlighted])

    @on(OptionList.OptionSelected, "#search-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.results[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_search(app: App, search: Callable[[str, int], tuple[list[Paper], int]], prompt_for: Callable[[Paper], Content],
                status: Callable[[], str], chosen: Callable[[Paper], None]) -> None:
    """/ : the search screen (once: / in it is typed); chosen(paper) with the paper Enter picked."""
    if isinstance(app.screen, SearchScreen):
        return

    def done(paper: Paper | None) -> None:
        if paper is not None:
            chosen(paper)

    app.push_screen(SearchScreen(search, prompt_for, status=status), done)
