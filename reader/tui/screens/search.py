"""/ : search every day at once (titles, authors, Korean summaries), results as you type.

The screen asks `search(query, sort, offset, limit)` for a page of results (reader.core.finding.search: ranked
by relevance over the library's index, or by date or votes; in memory without the index) with how many match
in all; each row has a line of the summary under it with the found words highlighted (styles on the text's
spans, never markup from it). ctrl+s cycles the order. A keystroke asks for a screenful (the rows the list
shows and AHEAD more: first_page) and the next page is asked for as the cursor (down, PageDown) or the view
(the wheel, the scrollbar) nears the end of what is listed, so every result can be reached and a keystroke
lays out and draws no more than a screen (reader/tui/widgets/result_list.py). The query, order and cursor are kept for the next `/`.

No key waits for a search: `search(...)` parses the query and reads the marks its filters need (in the
screen's loop: a wrong filter is said at once) and returns the question, which a worker thread asks the
library (exclusive: a newer keystroke's question replaces an older one's). Only the results of the newest
question are shown; whatever an older one finds arrives too late and is dropped. Enter pressed before the
newest results arrived opens the highlighted one of them when they do."""

from __future__ import annotations

from collections.abc import Callable

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content, Span
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from reader.core.finding.query import SORTS, QueryError, parse
from reader.core.model import Paper
from reader.core.sanitize import clean_line
from reader.core.words import count as counted
from reader.tui.widgets.result_list import ResultList, Row
from reader.tui.widgets.text_box import TextBox

PAGE = 50  # results asked for at a time as the list is scrolled (the first: a screenful, first_page)
AHEAD = 10  # the next page is asked for when the cursor (or the view) is this near the last listed result
SNIPPET_STYLE = "bold reverse"


def result_row(prompt: Content, snippet: str, spans) -> Row:
    """A result's row: its prompt and, when it has a snippet, the snippet under it, indented, the found words
    styled (spans: (start, end) in the snippet; styles on the text, never markup from it)."""
    if not snippet:
        return Row(prompt.plain, list(prompt.spans))
    start = len(prompt.plain) + 1 + 4
    return Row(f"{prompt.plain}\n    {clean_line(snippet)}",
               [*prompt.spans, *(Span(start + a, start + b, SNIPPET_STYLE) for a, b in spans)])


class SearchPlace:
    """What the last search screen held (query, order, cursor), for the next `/`."""

    def __init__(self) -> None:
        self.query = ""
        self.sort = "relevance"
        self.cursor = 0


class SearchScreen(ModalScreen[Paper | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Back", id="search.cancel"),
        Binding("down", "move(1)", "Next result", show=False, id="search.next"),
        Binding("up", "move(-1)", "Previous result", show=False, id="search.previous"),
        Binding("ctrl+n", "move(1)", "Next result", show=False, id="search.next_alt"),
        Binding("ctrl+p", "move(-1)", "Previous result", show=False, id="search.previous_alt"),
        Binding("pagedown", "page(1)", "Results a page down", show=False, id="search.page_down"),
        Binding("pageup", "page(-1)", "Results a page up", show=False, id="search.page_up"),
        Binding("ctrl+s", "cycle_sort", "Order", id="search.sort"),
    ]

    def __init__(self, search: Callable, prompt_for: Callable[[Paper], Content], query: str = "",
                 status: Callable[[], str] | None = None, remembered: SearchPlace | None = None) -> None:
        super().__init__()
        # search(query, sort, offset, limit) -> ask, where ask() -> reader.core.finding.Page runs in a worker
        # thread (search itself raises QueryError for a query the language does not allow)
        self._search = search
        self._prompt_for = prompt_for
        self._status = status  # what the results do not cover yet ("" when they cover everything)
        self.remembered = remembered if remembered is not None else SearchPlace()
        self._query = query or self.remembered.query
        self.sort = self.remembered.sort
        self._cursor = self.remembered.cursor if not query else 0
        self.results: list[Paper] = []  # the papers listed (pages asked for so far)
        self.total = 0  # how many match
        self._ran = ""  # the query the listed results are for
        self._asking = ""  # the query of the newest question
        self._asked = 0  # the newest question (results of an older one are dropped)
        self._question: tuple | None = None  # what it asks: (the parsed query, the sort), None if nothing
        self._shown = 0  # the question the listed results answer
        self._paging = False  # a next page is being asked for
        self._open_when_shown = False  # Enter came before the newest results
        self._said = ""  # what the count line says

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box") as box:
            box.border_title = "Search every day: titles, authors, summaries"
            yield TextBox(value=self._query, placeholder="words to find (all must match)", id="search-input")
            yield Static("", id="search-count", markup=False)
            yield ResultList(id="search-results", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.watch(self.query_one(ResultList), "scroll_y", self._scrolled, init=False)
        if self._query:
            self.run_query(self._query, cursor=self._cursor)

    def on_key(self, event: events.Key) -> None:
        self.take_early_key(event)

    def take_early_key(self, event: events.Key) -> bool:
        """Text that did not go through the box goes into it, in order, instead of nowhere. "/word" typed at
        once (or on a machine busy building the index) leaves the word's keys queued for the list below, which
        had the focus when they came: they bubble up to the app once the search is on top (ReaderApp.on_key
        sends them here). Keys the screen gets before the box has the focus, or from its results list, come
        here too. (A key typed into the box never comes here: the box takes it.)"""
        if not event.is_printable or not event.character:
            return False
        box = self.query_one(Input)
        event.stop()
        event.prevent_default()
        box.insert_text_at_cursor(event.character)
        box.focus()
        return True

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        cleaned = clean_line(event.value)
        if cleaned != event.value:  # pasted control characters or escapes never reach the screen
            event.input.value = cleaned
            return
        if event.value != self._asking:  # (the value the screen opened with is asked for already)
            self.run_query(event.value)

    def first_page(self) -> int:
        """How many results the first page asks for: the rows the list shows (two lines a result) and AHEAD
        more. Fewer than a page makes each keystroke's list cheap to lay out and draw; the rest come as the
        list is scrolled."""
        options = self.query_one("#search-results", OptionList)
        lines = options.scrollable_content_region.height or self.app.size.height  # (not laid out yet: at most)
        return (lines + 1) // 2 + AHEAD

    def _options(self, hits) -> list[Option]:
        prompt_for = self._prompt_for
        return [Option(result_row(prompt_for(hit.paper), hit.snippet, hit.spans)) for hit in hits]

    def run_query(self, query: str, cursor: int = 0, *, again: bool = False) -> None:
        """List the first page (or as many pages as reach `cursor`) of the query's results: asked for in a
        worker, shown when they come (unless a newer question was asked meanwhile). Text that asks what the
        newest question asks (a space typed after a word, before the next one) keeps its results, listed or
        on their way, unless `again` (the library changed)."""
        question = None
        if query.strip():
            try:
                question = (parse(query), self.sort)
            except QueryError:
                pass
        if question is not None and question == self._question and not again:
            self._asking = self.remembered.query = query
            return
        self._question = question
        self._asked += 1
        self._asking = query
        self._paging = False
        self.remembered.query, self.remembered.sort, self.remembered.cursor = query, self.sort, cursor
        ask = None
        problem = ""
        if query.strip():
            try:
                ask = self._search(query, self.sort, 0, max(self.first_page(), cursor + 1 + AHEAD))
            except QueryError as exc:
                problem = str(exc)
        if ask is None:
            self._show(self._asked, query, cursor, None, problem)
        else:
            self._ask(self._asked, query, cursor, ask)

    @work(thread=True, exclusive=True, group="search")
    def _ask(self, asked: int, query: str, cursor: int, ask: Callable) -> tuple | None:
        if get_current_worker().is_cancelled:
            return None  # a newer keystroke came before this one started
        return "query", asked, query, cursor, ask()

    @work(thread=True, exclusive=True, group="search-page")
    def _ask_page(self, asked: int, offset: int, ask: Callable) -> tuple:
        return "page", asked, offset, ask()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group not in ("search", "search-page") or not self.is_attached:
            return
        if event.state is WorkerState.SUCCESS and event.worker.result is not None:
            kind, *rest = event.worker.result
            if kind == "query":
                self._show(*rest)
            else:
                self._add_page(*rest)
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED) and event.worker.group == "search-page":
            self._paging = False

    def _show(self, asked: int, query: str, cursor: int, page, problem: str = "") -> None:
        if asked != self._asked:
            return  # an older question's answer: a newer one is on its way
        hits = page.hits if page is not None else []
        self.results, self.total = [h.paper for h in hits], page.total if page else 0
        self._ran, self._shown = query, asked
        options = self.query_one(ResultList)
        options.set_options(self._options(hits))
        if hits:
            options.highlighted = min(cursor, len(hits) - 1)
        self._remember()
        if hits and self._near_end():
            self._more()  # rows of one line (no snippet) that do not fill the view
        status = self._status() if self._status is not None else ""
        if problem:
            said = problem
        elif not query.strip():
            said = status
        elif not self.total:
            said = "no match" + (f" yet · {status}" if status else "")
        else:
            tail = f" · {status}" if status else " · Enter shows · Esc goes back"
            said = f"{counted(self.total, 'paper')}{tail} · by {self.sort} (ctrl+s)"
        if said != self._said:  # one line of a fixed height: no layout of the screen for it
            self._said = said
            self.query_one("#search-count", Static).update(said, layout=False)
        if self._open_when_shown:
            self._open_when_shown = False
            self._submitted()

    def _near_end(self) -> bool:
        """Whether the cursor is within AHEAD results of the last listed one, or the view within AHEAD lines of
        its end (scrolled there by the wheel or the scrollbar, or the listed rows do not fill it)."""
        options = self.query_one(ResultList)
        return ((options.highlighted or 0) >= len(self.results) - AHEAD
                or options.max_scroll_y - options.scroll_y < AHEAD)

    def _scrolled(self, _old: float, _new: float) -> None:
        if self._near_end():
            self._more()

    def _more(self) -> None:
        """The next page, when the cursor or the view nears the end of what is listed and more match (in a
        worker)."""
        if self._paging or self._shown != self._asked or len(self.results) >= self.total or not self._ran.strip():
            return
        try:
            ask = self._search(self._ran, self.sort, len(self.results), PAGE)
        except QueryError:
            return
        self._paging = True
        self._ask_page(self._asked, len(self.results), ask)

    def _add_page(self, asked: int, offset: int, page) -> None:
        self._paging = False
        if asked != self._asked or offset != len(self.results) or not page.hits:
            return  # for an older question, or the list changed meanwhile
        self.results.extend(h.paper for h in page.hits)
        self.query_one(ResultList).add_options(self._options(page.hits))
        if self._near_end():
            self._more()  # the cursor (or the view) went on to the end meanwhile

    def _remember(self) -> None:
        options = self.query_one("#search-results", OptionList)
        self.remembered.query, self.remembered.sort = self.query_one(Input).value, self.sort
        self.remembered.cursor = options.highlighted or 0

    @on(OptionList.OptionHighlighted, "#search-results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.remembered.cursor = event.option_index
        if event.option_index >= len(self.results) - AHEAD:
            self._more()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.run_query(self.query_one(Input).value)

    def library_changed(self) -> None:
        """More papers were read (the index ready, a reload, a sync): search them all again (the cursor kept)."""
        self.run_query(self.query_one(Input).value, cursor=self.query_one("#search-results", OptionList).highlighted or 0,
                       again=True)

    def action_move(self, step: int) -> None:
        options = self.query_one("#search-results", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def action_page(self, direction: int) -> None:
        """PageDown, PageUp: the cursor a list's height down or up (the next page asked for near the end)."""
        options = self.query_one(ResultList)
        if options.option_count:
            options.action_page_down() if direction > 0 else options.action_page_up()

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        if self._shown != self._asked:  # the newest results are on their way: Enter opens one of them
            self._open_when_shown = True
            return
        options = self.query_one("#search-results", OptionList)
        if options.highlighted is not None and self.results:
            self.dismiss(self.results[options.highlighted])

    @on(OptionList.OptionSelected, "#search-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.results[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_search(app: App, search: Callable, prompt_for: Callable[[Paper], Content], status: Callable[[], str],
                chosen: Callable[[Paper], None], remembered: SearchPlace | None = None) -> None:
    """/ : the search screen (once: / in it is typed); chosen(paper) with the paper Enter picked."""
    if isinstance(app.screen, SearchScreen):
        return

    def done(paper: Paper | None) -> None:
        if paper is not None:
            chosen(paper)

    app.push_screen(SearchScreen(search, prompt_for, status=status, remembered=remembered), done)
