"""ReaderApp: days, the day's papers by votes, the Korean summary. make_app() is the one factory.

Data flows one way: Library and StateStore (reader.core) -> this app -> widgets. Widgets post messages
(DayChosen, PaperOpened; the cursor of the paper list calls back at once); the app answers them, changes the state store and tells the
widgets what to redraw. The edges (clipboard, browser) go through a System object that tests replace.

Work done in a worker thread (reading the rest of the archive, indexing it, a sync, a reload, a long citation)
comes back through _from_worker: the call is queued in the app's own message loop, never run straight from
the thread (App.call_from_thread runs it on the event loop whatever the app is doing, even while it takes its
screens apart on the way out). The app passes news on to its screens the same way, each in its own loop
(_library_changed): a screen that was just pushed is built (composed and mounted) before the call runs, and
one that is closing or gone drops it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from reader import paths as app_paths
from reader.core.config import Config
from reader.core.library import Library
from reader.core.model import Paper
from reader.core.state import StateStore, Undo
from reader.core.words import count
from reader.tui.palette import ReaderVariables
from reader.tui.system import System
from reader.tui.widgets.days import STARRED, DayList, day_prompt, starred_prompt
from reader.tui.widgets.detail import PaperDetail
from reader.tui.widgets.papers import PaperList, paper_prompt
from reader.tui.updates import Updates


LARGE_CITATION_CHARS = 20_000  # a citation of more text than this is built in a worker thread

# The paper's links: what o, p and h open (and show, where no browser can open them), and which y copies next.
LINKS = {
    "arxiv": ("the arXiv page", "arXiv", lambda paper: paper.url),
    "pdf": ("the PDF", "PDF", lambda paper: paper.pdf_url),
    "hf": ("the Hugging Face page", "Hugging Face", lambda paper: paper.hf_url),
}


class ReaderApp(ReaderVariables, App[None]):
    TITLE = "daily-papers"
    CSS_PATH = str(app_paths.stylesheet())
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (150, "-wide")]
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit the reader"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Show every key"),
        Binding("slash", "search", "Search", id="search", tooltip="Search every day: titles, authors, summaries"),
        Binding("left_square_bracket", "older_day", "Older day", show=False, id="older_day", tooltip="Step to the older day"),
        Binding("right_square_bracket", "newer_day", "Newer day", show=False, id="newer_day", tooltip="Step to the newer day"),
        Binding("s", "toggle_star", "Star", id="star", tooltip="Star or unstar the shown paper"),
        Binding("r", "toggle_read", "Read", show=False, id="read", tooltip="Mark the shown paper read or unread"),
        Binding("o", "open_arxiv", "arXiv", show=False, id="open_arxiv", tooltip="Open the arXiv page in the browser"),
        Binding("p", "open_pdf", "PDF", show=False, id="open_pdf", tooltip="Open the PDF in the browser"),
        Binding("c", "copy_citation", "Cite", id="copy_citation", tooltip="Copy the citation (BibTeX unless configured)"),
        Binding("C", "choose_citation", "Cite as…", show=False, id="choose_citation",
                tooltip="Choose a citation format (BibTeX, APA, Markdown, arXiv, RIS) with a preview, and copy"),
        Binding("h", "open_hf", "HF page", show=False, id="open_hf", tooltip="Open the Hugging Face paper page"),
        Binding("y", "copy_link", "Copy link", show=False, id="copy_link", tooltip="Copy the link p or h showed, else the arXiv link"),
        Binding("u", "toggle_unread_only", "Unread only", show=False, id="unread_only", tooltip="Show only unread papers, or all"),
        Binding("a", "toggle_authors", "All authors", show=False, id="all_authors", tooltip="Show the full author list, or the short one"),
        Binding("n", "next_unread", "Next unread", id="next_unread", tooltip="Jump to the next unread paper, across days"),
        Binding("N", "previous_unread", "Previous unread", show=False, id="previous_unread",
                tooltip="Jump to the previous unread paper, across days"),
        Binding("A", "mark_day_read", "Day read", show=False, id="mark_day_read",
                tooltip="Mark every paper of this day read (z undoes)"),
        Binding("z", "undo", "Undo", show=False, id="undo", tooltip="Undo the last 'mark day read'"),
        Binding("R", "reload", "Reload", show=False, id="reload",
                tooltip="Read the library and the reading state from disk again"),
        Binding("b", "toggle_sidebar", "Days", show=False, id="toggle_sidebar", tooltip="Show or hide the days on narrow terminals"),
        Binding("escape", "back", "Back", show=False, id="back", tooltip="Go back: summary → papers → days"),
        Binding("S", "sync_now", "Sync", show=False, id="sync_now",
                tooltip="Fetch the days since the newest one from Hugging Face now"),
        Binding("K", "summarize", "Summarize", show=False, id="summarize",
                tooltip="Write the Korean summary of this paper (or, from the day list, of the whole day) with your model"),
        Binding("l", "links", "Links", show=False, id="links",
                tooltip="Every link of the paper (arXiv, PDF, HF, code, project page), to open or copy"),
    ]

    def __init__(
        self,
        library: Library,
        state: StateStore,
        *,
        system: System | None = None,
        config: Config | None = None,
        config_path: Path | None = None,
        notices: Iterable[str] = (),
        where: str = "",
        library_factory: Callable[[], Library] | None = None,
        on_first_screen: Callable[[], None] | None = None,
        on_library_loaded: Callable[[], None] | None = None,
        sync_library: Path | None = None,
        today: Callable[[], str] | None = None,
    ) -> None:
        super().__init__()
        self.sync_library = sync_library  # the user's own library, which S, K and the automatic sync update
        self.updates = Updates(self, sync_library, **({"today": today} if today else {}))
        self.on_first_screen = on_first_screen
        self.on_library_loaded = on_library_loaded
        self.library_factory = library_factory
        self._undo: Undo | None = None
        self.marks_saved_to: Path | None = None  # where the quit dialog wrote the marks it could not save
        self.library = library
        self.state = state
        self.system = system or System()
        self.config = config or Config()
        self._metadata = None  # the metadata store (reader.core.metadata), opened on the first citation
        self._last_citation: tuple[str, str] | None = None  # (arXiv id, format) last copied
        self._fetching: set[str] = set()  # arXiv ids whose metadata a worker is asking arXiv for
        self.config_path = config_path or app_paths.config_path()
        self.notices = list(notices)
        self.where = where or "the library"
        self.current_key: str | None = None
        self.unread_only = False
        self._read_timer: Timer | None = None
        self._last_link: tuple[str, str] | None = None  # (arxiv id, LINKS key) of the link o, p or h last showed
        self.failure: BaseException | None = None  # the error that ended the reader, if one did (see launch)
        self._prepare_pending = False  # _prepare_neighbours is queued for after the next frame
        self._search_prompts: dict[tuple[int, bool, bool], tuple[Paper, Content]] = {}
        self._languages: dict[str, tuple[tuple[Paper, ...], str]] = {}
        if self.config.keymap:
            self.set_keymap(self.config.keymap)

    def _handle_exception(self, error: Exception) -> None:
        """An error nothing caught ends the reader, as Textual has it (return code 1). The launcher reports it
        (one line, or the traceback with --debug): Textual's own report, a traceback with the values of local
        variables that quotes outside text (a digest, a file name) raw to the terminal, is dropped."""
        if self.failure is None:
            from textual.worker import WorkerFailed

            self.failure = error.error if isinstance(error, WorkerFailed) else error
        super()._handle_exception(error)
        self._exit_renderables.clear()

    # -- building -------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            days = DayList(id="days")
            days.border_title = "Days"
            yield days
            papers = PaperList(id="papers", on_highlight=self._paper_highlighted)
            papers.border_title = "Papers"
            yield papers
            detail = PaperDetail(id="detail")
            detail.border_title = "Summary"
            yield detail
        yield Footer()


    def width_class(self, width: int) -> str:
        """The breakpoint class Textual gives a screen this wide (HORIZONTAL_BREAKPOINTS)."""
        return max(b for b in self.HORIZONTAL_BREAKPOINTS if width >= b[0])[1]

    def get_default_screen(self) -> Screen:
        # The width class (narrow/medium/wide) from the start: Textual sets it on the first resize event, a
        # frame after the first paint (a narrow terminal would first flash the wide layout), and setting it
        # later restyles every widget once more.
        screen = Screen(id="_default", classes=self.width_class(self.size.width))
        screen.AUTO_FOCUS = "#papers"  # focused as the screen is built: no restyle for a focus change after
        return screen

    def on_mount(self) -> None:
        if self.config.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self._theme_in_config = self.theme  # what is saved (or the default): changes from now on are the user's
        self.theme_changed_signal.subscribe(self, self._save_theme)
        for notice in [*self.notices, *self.config.problems, *self.state.notices]:
            self.notify(notice, markup=False, timeout=8)
        self.state.notices.clear()
        self._rebuild_days()
        newest = self.library.dates()[0] if self.library.dates() else None
        if newest:
            self.show_day(newest)
        self.call_after_refresh(self._first_screen_shown)
        if self.library.pending:
            self._set_loading_title(0, self.library.pending)
        else:
            self._report_warnings()  # everything is read already: say what was skipped now
            if not self.library.dates():
                self._show_empty()

    def _first_screen_shown(self) -> None:
        if self.on_first_screen is not None:
            self.on_first_screen()
        self._open_known()
        self._settle_state()
        self.updates.after_first_screen()
        if self.library.pending:
            # Read the rest once the first screen is up: a worker thread started earlier would share the
            # interpreter with the first paint and slow it down.
            self.set_timer(0.05, self._load_rest)

    @work(thread=True, exclusive=True, group="state")
    def _settle_state(self) -> None:
        """The state store's locked load, when the first screen was drawn from its lock-free read
        (StateStore settle_later): marks another process wrote in between are redrawn."""
        changed = self.state.settle()
        if changed or self.state.notices:
            self._from_worker(self._refresh_marks)

    def _report_warnings(self) -> None:
        warnings = len(self.library.warnings)
        if warnings:
            first = self.library.warnings[0]
            self.notify(f"{count(warnings, 'digest warning')}; first: {first}", severity="warning", markup=False, timeout=8)

    def _show_empty(self) -> None:
        from reader.tui.screens.empty import EmptyScreen  # screens load when first used: a faster first screen

        self.push_screen(EmptyScreen(self.where))

    @work(thread=True, exclusive=True, group="load")
    def _load_rest(self) -> None:
        parsed = self.library.parse_pending(
            lambda done, total: self._from_worker(self._set_loading_title, done, total) if done % 25 == 0 else None
        )
        self._from_worker(self._merge_loaded, parsed)

    @work(thread=True, exclusive=True, group="search-index")
    def _build_search_index(self) -> None:
        """The casefolded text of every paper, ready before the first / (0.4 s at ten times the archive);
        then an open search covers the new papers too."""
        self.library.search_index()
        self._from_worker(self._library_changed)

    def _from_worker(self, callback: Callable[..., object], *args: object, **kwargs: object) -> None:
        """From a worker thread: run callback(*args, **kwargs) in the app's message loop, after what is queued
        there already; never once the reader is closing (then the call is dropped). Thread-safe; never waits."""
        self.call_later(callback, *args, **kwargs)

    def _set_days_subtitle(self, text: str) -> None:
        self.query_one(DayList).border_subtitle = text

    def _set_loading_title(self, done: int, total: int) -> None:
        self._set_days_subtitle(f"loading {done}/{total}")

    def _merge_loaded(self, parsed) -> None:
        before = self.library.day(self.current_key) if self.current_key not in (None, STARRED) else None
        self.library.merge(parsed)
        self.query_one(DayList).border_subtitle = ""
        if not self.library.dates():
            self._show_empty()
            return
        self._rebuild_days()
        if self.current_key is None:
            self.show_day(self.library.dates()[0])
        elif self.current_key == STARRED or (before is not None and len(before) != len(self.library.day(self.current_key))):
            self._refresh_paper_list(keep_current=True)
        self._build_search_index()
        self._report_warnings()
        self.updates.library_loaded()

    # -- rows -----------------------------------------------------------------------------------------
    def _unread_count(self, date: str) -> tuple[int, int]:
        day = self.library.day(date)
        if day is None:
            return 0, 0
        read = self.state.is_read
        return len(day), sum(1 for p in day.papers if not read(p.arxiv_id))

    def _language(self, date: str) -> str:
        """ko, en or ke (reader.core.freshness.day_language), kept per day until the day's papers change."""
        from reader.core.freshness import day_language

        day = self.library.day(date)
        if day is None:
            return ""
        found = self._languages.get(date)
        if found is None or found[0] is not day.papers:
            found = self._languages[date] = (day.papers, day_language(day.papers))
        return found[1]

    def _rebuild_days(self) -> None:
        rows: list[tuple[str, Content]] = [(STARRED, starred_prompt(len(self._starred_papers())))]
        for date in self.library.dates():
            total, unread = self._unread_count(date)
            rows.append((date, day_prompt(date, total, unread, self._language(date))))
        self.query_one(DayList).show(rows, keep=self.current_key)
        self.show_status()

    def _refresh_day_row(self, date: str) -> None:
        days = self.query_one(DayList)
        if date in self.library.dates():
            total, unread = self._unread_count(date)
            days.update_prompt(date, day_prompt(date, total, unread, self._language(date)))
        days.update_prompt(STARRED, starred_prompt(len(self._starred_papers())))

    def prompt_for(self, paper: Paper) -> Content:
        return paper_prompt(
            paper,
            read=self.state.is_read(paper.arxiv_id),
            starred=self.state.is_starred(paper.arxiv_id),
            show_date=self.current_key == STARRED,
        )

    def search_prompt_for(self, paper: Paper) -> Content:
        # Kept per paper and marks: typing shows mostly the same newest papers keystroke after keystroke.
        read, starred = self.state.is_read(paper.arxiv_id), self.state.is_starred(paper.arxiv_id)
        key = (id(paper), read, starred)
        found = self._search_prompts.get(key)
        if found is None or found[0] is not paper:
            if len(self._search_prompts) > 4096:
                self._search_prompts.clear()
            found = self._search_prompts[key] = (paper, paper_prompt(paper, read, starred, True))
        return found[1]

    def _starred_papers(self) -> list[Paper]:
        papers = [p for p in (self.library.get(i) for i in self.state.starred_ids()) if p is not None]
        papers.sort(key=lambda p: (p.date, p.votes is not None, p.votes or 0), reverse=True)
        return papers

    def _papers_for(self, key: str) -> list[Paper]:
        if key == STARRED:
            papers = self._starred_papers()
        else:
            day = self.library.day(key)
            papers = list(day.papers) if day else []
        if self.unread_only:
            papers = [p for p in papers if not self.state.is_read(p.arxiv_id)]
        return papers

    # -- showing --------------------------------------------------------------------------------------
    def show_day(self, key: str, keep: str | None = None) -> None:
        self.current_key = key
        self.query_one(DayList).select_key(key)
        papers = self._papers_for(key)
        plist = self.query_one(PaperList)
        title = "Starred" if key == STARRED else key
        if self.unread_only:
            title += " · unread only"
        plist.border_title = title
        plist.border_subtitle = self._list_subtitle(len(papers))
        plist.show(papers, [self.prompt_for(p) for p in papers], keep=keep)

    def _refresh_paper_list(self, keep_current: bool = True) -> None:
        if self.current_key is None:
            return
        current = self.query_one(PaperList).current
        self.show_day(self.current_key, keep=current.arxiv_id if (current and keep_current) else None)

    @property
    def current_paper(self) -> Paper | None:
        detail = self.query_one(PaperDetail)
        return detail.paper

    def _show_detail(self, paper: Paper | None, reset: bool = True) -> None:
        read = paper is not None and self.state.is_read(paper.arxiv_id)
        starred = paper is not None and self.state.is_starred(paper.arxiv_id)
        self.query_one(PaperDetail).show(paper, read=read, starred=starred, reset=reset)

    # -- messages from widgets ------------------------------------------------------------------------
    @on(DayList.DayChosen)
    def _day_chosen(self, event: DayList.DayChosen) -> None:
        if event.key != self.current_key:
            self.show_day(event.key)
        if event.go_deeper:
            self.query_one(PaperList).focus()

    def _paper_highlighted(self, paper: Paper | None) -> None:
        """The list's cursor moved (called at once by PaperList, in the same frame)."""
        self._show_detail(paper)
        if self._last_link is not None and (paper is None or paper.arxiv_id != self._last_link[0]):
            self._last_link = None  # y copies the arXiv page of a paper whose links were not shown
        # Right after this frame is out (not after a pause: held-down j never pauses), render the papers above
        # and below, so the next move only swaps prepared lines. A key that comes meanwhile waits a few ms
        # at most; a move rendered on demand missed a frame a third of the time.
        if not self._prepare_pending:
            self._prepare_pending = True
            self.call_after_refresh(self._prepare_neighbours)
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        if paper is not None and not self.state.is_read(paper.arxiv_id):
            arxiv_id = paper.arxiv_id
            self._read_timer = self.schedule_read(self.config.read_delay, lambda: self._read_after_delay(arxiv_id))

    def schedule_read(self, delay: float, callback: Callable[[], None]) -> Timer:
        """The timer that marks a shown paper read (the tests replace it with a clock of their own)."""
        return self.set_timer(delay, callback, name="read-delay")

    def _prepare_neighbours(self) -> None:
        """Once the frame is out, render the papers above and below the cursor, so j/k only swaps prepared
        lines."""
        self._prepare_pending = False
        try:
            plist, detail = self.screen_stack[0].query_one(PaperList), self.screen_stack[0].query_one(PaperDetail)
        except (NoMatches, IndexError):  # the reader is closing
            return
        if plist.highlighted is None:
            return
        for index in (plist.highlighted + 1, plist.highlighted - 1):
            if 0 <= index < len(plist.papers):
                paper = plist.papers[index]
                detail.prepare(paper, read=self.state.is_read(paper.arxiv_id),
                               starred=self.state.is_starred(paper.arxiv_id))

    def _read_after_delay(self, arxiv_id: str) -> None:
        paper = self.current_paper
        if paper is not None and paper.arxiv_id == arxiv_id and not self.state.is_read(arxiv_id):
            self._set_read(paper, True)

    @on(PaperList.PaperOpened)
    def _paper_opened(self, event: PaperList.PaperOpened) -> None:
        if not self.state.is_read(event.paper.arxiv_id):
            self._set_read(event.paper, True)
        self.query_one(PaperDetail).focus()

    # -- state changes --------------------------------------------------------------------------------
    def _after_state_change(self, paper: Paper) -> None:
        if self.state.external_changes:  # another reader or `daily-papers mark` wrote too: show all of it
            self.state.external_changes.clear()
            self._refresh_marks()
            return
        for notice in self.state.notices:
            self.notify(notice, severity="warning", markup=False, timeout=10)
        self.state.notices.clear()
        self.query_one(PaperList).refresh_paper(paper.arxiv_id, self.prompt_for)
        for appearance in self.library.appearances(paper.arxiv_id):
            self._refresh_day_row(appearance.date)
        self._refresh_day_row(paper.date)
        if self.current_paper is not None and self.current_paper.arxiv_id == paper.arxiv_id:
            self._show_detail(self.current_paper, reset=False)

    def _set_read(self, paper: Paper, read: bool) -> bool:
        try:
            self.state.set_read(paper.arxiv_id, read)
        except Exception as exc:  # noqa: BLE001 - a state that cannot be saved must not end the reading
            self.notify(f"could not save: {exc}", severity="error", markup=False)
            return False
        self._after_state_change(paper)
        return True

    def action_toggle_read(self) -> None:
        paper = self.current_paper
        if paper is None:
            return
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        self._set_read(paper, not self.state.is_read(paper.arxiv_id))

    def action_toggle_star(self) -> None:
        paper = self.current_paper
        if paper is None:
            return
        starred = not self.state.is_starred(paper.arxiv_id)
        try:
            self.state.set_starred(paper.arxiv_id, starred)
        except Exception as exc:  # noqa: BLE001
            self.notify(f"could not save: {exc}", severity="error", markup=False)
            return
        self._after_state_change(paper)
        self.notify(("Starred " if starred else "Unstarred ") + paper.arxiv_id, markup=False, timeout=2)

    # -- navigation -----------------------------------------------------------------------------------
    def _step_day(self, step: int) -> None:
        dates = self.library.dates()
        if not dates:
            return
        if self.current_key in dates:
            index = dates.index(self.current_key) + step
        else:
            index = 0 if step > 0 else len(dates) - 1
        if 0 <= index < len(dates):
            self.show_day(dates[index])
        elif self.library.pending:  # the end of the days read so far, not of the archive
            self.notify(f"Still reading the archive ({self.library.pending} files left): more days soon", timeout=3)
        else:
            self.notify("no older day" if step > 0 else "no newer day", timeout=2)

    def action_older_day(self) -> None:
        self._step_day(+1)

    def action_newer_day(self) -> None:
        self._step_day(-1)

    def action_back(self) -> None:
        focused = self.focused
        if isinstance(focused, PaperDetail):
            self.query_one(PaperList).focus()
        elif isinstance(focused, PaperList):
            days = self.query_one(DayList)
            if days.region.width:  # the sidebar folds away on narrow terminals
                days.focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_status)  # the sidebar may have folded away, or come back

    def action_toggle_sidebar(self) -> None:
        self.screen.toggle_class("-show-days")
        self.show_status()
        if self.screen.has_class("-show-days"):
            self.query_one(DayList).focus()

    def action_toggle_authors(self) -> None:
        detail = self.query_one(PaperDetail)
        detail.all_authors = not detail.all_authors
        self._show_detail(detail.paper, reset=False)

    def action_toggle_unread_only(self) -> None:
        self.unread_only = not self.unread_only
        self._refresh_paper_list(keep_current=True)
        self.notify("showing unread papers only" if self.unread_only else "showing all papers", timeout=2)

    def go_to_paper(self, paper: Paper) -> None:
        """Show a paper in its day (from search or the palette)."""
        if self.unread_only and self.state.is_read(paper.arxiv_id):
            self.unread_only = False
        self.show_day(paper.date, keep=paper.arxiv_id)
        self.query_one(PaperList).focus()

    def go_to_date(self, date: str) -> None:
        if self.library.day(date) is None:
            self.notify(f"no digest for {date}", severity="warning", markup=False)
            return
        self.show_day(date)
        self.query_one(PaperList).focus()

    # -- the unread workflow --------------------------------------------------------------------------
    def _reading_order(self) -> list[tuple[str, Paper]]:
        """Every (day, paper) in reading order: newest day first, by votes within a day."""
        return [(day.date, paper) for day in self.library.days() for paper in day.papers]

    def _jump_unread(self, step: int) -> None:
        order = self._reading_order()
        if not order:
            return
        current = self.query_one(PaperList).current
        here = -1 if step > 0 else len(order)
        if current is not None and self.current_key != STARRED:
            here = next((i for i, (d, p) in enumerate(order) if d == self.current_key and p.arxiv_id == current.arxiv_id), here)
        index = here + step
        while 0 <= index < len(order):
            date, paper = order[index]
            if not self.state.is_read(paper.arxiv_id):
                self.show_day(date, keep=paper.arxiv_id)
                self.query_one(PaperList).focus()
                return
            index += step
        self.notify("no unread paper " + ("after this one" if step > 0 else "before this one"), timeout=3)

    def action_next_unread(self) -> None:
        self._jump_unread(+1)

    def action_previous_unread(self) -> None:
        self._jump_unread(-1)

    def action_mark_day_read(self) -> None:
        papers = self.query_one(PaperList).papers
        ids = [p.arxiv_id for p in papers if not self.state.is_read(p.arxiv_id)]
        if not ids:
            self.notify("every paper here is read already", timeout=3)
            return
        try:
            previous = self.state.update_undoable(ids, read=True)
        except Exception as exc:  # noqa: BLE001
            self.notify(f"could not save: {exc}", severity="error", markup=False)
            return
        self._undo = previous
        self._refresh_marks()
        where = "starred papers" if self.current_key == STARRED else self.current_key
        undo_key = self.config.keymap.get("undo", "z")
        self.notify(f"Marked {count(len(ids), 'paper')} of {where} read. {undo_key} undoes.", markup=False, timeout=8)

    def action_undo(self) -> None:
        if not self._undo:
            self.notify("nothing to undo", timeout=2)
            return
        previous, self._undo = self._undo, None
        try:
            restored = self.state.restore(previous)
        except Exception as exc:  # noqa: BLE001
            self.notify(f"could not save: {exc}", severity="error", markup=False)
            return
        self._refresh_marks()
        kept = len(previous) - len(restored)
        self.notify(f"Undone: {count(len(restored), 'paper')} unread again"
                    + (f"; {kept} changed since (here or elsewhere) left as they are." if kept else "."), timeout=6)

    def _refresh_marks(self) -> None:
        """Redraw every mark: the rows of the list, the sidebar counts, the summary header."""
        for notice in self.state.notices:
            self.notify(notice, severity="warning", markup=False, timeout=10)
        self.state.notices.clear()
        self.query_one(PaperList).refresh_rows(self.prompt_for)
        self._rebuild_days()
        self._show_detail(self.current_paper, reset=False)

    def action_reload(self) -> None:
        """R: pick up marks other processes wrote, and digests added or changed on disk."""
        try:
            self.state.reload()
        except Exception as exc:  # noqa: BLE001
            self.notify(f"could not read the state: {exc}", severity="error", markup=False)
        self.state.external_changes.clear()
        self._refresh_marks()
        if self.library_factory is None:
            self.notify("Reading state reloaded", timeout=2)
            return
        self.query_one(DayList).border_subtitle = "reloading…"
        self._reload_library()

    def action_sync(self) -> None:
        """Palette "Sync archive": fetch the upstream archive in a worker, then show the new days."""
        if any(w.group == "sync" and w.is_running for w in self.workers):
            self.notify("A sync is already running", timeout=3)
            return
        self.query_one(DayList).border_subtitle = "sync: starting…"
        self._sync_archive()

    @work(thread=True, exclusive=True, group="sync")
    def _sync_archive(self) -> None:
        from reader.sources.archive import DEFAULT_SOURCE, sync

        source = self.config.sync_source or DEFAULT_SOURCE

        def progress(phase: str, fraction: float | None) -> None:
            text = f"sync: {phase}" + (f" {fraction:.0%}" if fraction is not None else "…")
            self._from_worker(self._set_days_subtitle, text)

        try:
            result = sync(source, progress=progress)
        except Exception as exc:  # noqa: BLE001 - SyncError and anything else: one line, the reader goes on
            self._from_worker(self._sync_failed, str(exc) or exc.__class__.__name__)
            return
        self._from_worker(self._synced, result.summary())

    def _sync_failed(self, reason: str) -> None:
        self.query_one(DayList).border_subtitle = ""
        self.notify(f"Sync failed: {reason}", severity="error", markup=False, timeout=12)

    def _synced(self, summary: str) -> None:
        self.query_one(DayList).border_subtitle = ""
        self.notify(f"Synced: {summary}", markup=False, timeout=10)
        if self.library_factory is not None:
            self._reload_library()

    @work(thread=True, exclusive=True, group="load")
    def _reload_library(self) -> None:
        assert self.library_factory is not None
        library = self.library_factory()
        library.merge(library.parse_pending())
        self._from_worker(self._swap_library, library)

    def _swap_library(self, library: Library) -> None:
        before = set(self.library.dates())
        new_days = [d for d in library.dates() if d not in before]
        self.library = library
        self.query_one(DayList).border_subtitle = ""
        if not library.dates():
            self._show_empty()
            return
        if self.current_key not in library.dates() and self.current_key != STARRED:
            self.current_key = library.dates()[0]
        self._rebuild_days()
        self._refresh_paper_list(keep_current=True)
        self._build_search_index()
        self.notify(f"Library reloaded: {count(len(library.dates()), 'day')}" + (f", {len(new_days)} new" if new_days else ""),
                    timeout=4)

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Every notification reaches Textual as plain text with control characters shown as escapes: one may
        quote a file name, a path, a config value or a git error, none of which may drive the terminal or be
        markup. The reader passes markup=False for any message that quotes such text: it is shown as typed.
        A message written in Textual's markup (Textual's own, such as Ctrl+C's "Press [b]ctrl+q[/b] to quit the
        app", which leave markup at its default) is shown as the text it marks up, its tags neither shown raw
        nor obeyed (no style, no link, no action)."""
        from reader.core.sanitize import visible

        text = str(message)
        if markup:
            try:
                text = Content.from_markup(text).plain
            except Exception:  # noqa: BLE001 - not valid markup after all (MarkupError and kin): as typed
                pass
        super().notify(visible(text), title=visible(str(title)), severity=severity, timeout=timeout, markup=False)

    def _save_theme(self, theme) -> None:
        """A theme chosen in the palette is kept in config.json (its other settings as they were)."""
        from reader.core.config import save_setting

        if theme.name == self._theme_in_config:
            return
        try:
            save_setting(self.config_path, "theme", theme.name)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.notify(f"Theme {theme.name} is used now, but not saved: {reason}", severity="warning", timeout=8)
            return
        self._theme_in_config = theme.name
        self.notify(f"Theme {theme.name} saved to {self.config_path}", timeout=4)

    # -- bringing the library up to date (reader.tui.updates) ----------------------------------------
    def exit(self, *args, **kwargs) -> None:
        self.updates.cancel.set()  # a sync or summaries in flight stop at their next step
        super().exit(*args, **kwargs)

    def from_worker(self, callback: Callable[..., object], *args: object) -> None:
        self._from_worker(callback, *args)

    def run_in_thread(self, work: Callable[[], None], group: str) -> None:
        self.run_worker(work, thread=True, group=group, exit_on_error=False)

    def _sidebar_shown(self) -> bool:
        screen = self.screen_stack[0] if self.screen_stack else None
        return self.width_class(self.size.width) == "-wide" or (screen is not None and screen.has_class("-show-days"))

    def _list_subtitle(self, papers: int) -> str:
        """The paper list's bottom line: how many papers; where the sidebar is folded away, also what the
        sidebar would say (how fresh the library is, a sync's progress or what it could not do)."""
        text = count(papers, "paper")
        if not self._sidebar_shown():
            extra = self.updates.status or self.updates.freshness()
            if extra:
                text += f" · {extra}"
        return text

    def show_status(self) -> None:
        """The sidebar's title says how fresh the library is; its bottom line what is under way (loading,
        a sync, summaries) or what the last sync could not do."""
        try:
            days = self.query_one(DayList)
            plist = self.query_one(PaperList)
        except NoMatches:
            return
        freshness = self.updates.freshness()
        days.border_title = f"Days · {freshness}" if freshness else "Days"
        if self.library.pending and not self.updates.status:
            return  # the loading progress stays
        days.border_subtitle = self.updates.status
        plist.border_subtitle = self._list_subtitle(len(plist.papers) if hasattr(plist, "papers") else 0)

    @work(thread=True, group="metadata")
    def _open_known(self) -> None:
        """The metadata store (what the Hub knows of each paper), opened off the first screen's way; the
        pane shows what it knows from then on."""
        from reader.core.metadata import MetadataStore, default_path

        try:  # read-only: showing a paper never writes (the store is made by the first sync)
            store = MetadataStore(readonly=True) if default_path().is_file() else None
        except Exception:  # noqa: BLE001 - a store that cannot be read: the digests alone
            store = None
        if store is not None:
            self._from_worker(self._known_ready, store)

    def _known_ready(self, store) -> None:
        detail = self.query_one(PaperDetail)
        detail.lookup = store.paper
        detail.known_version += 1
        if detail.paper is not None:
            self._show_detail(detail.paper, reset=False)

    def days_landed(self, dates: list[str]) -> None:
        """Days a sync (or the summariser) wrote: their rows, and the list and the pane if one is shown."""
        detail = self.query_one(PaperDetail)
        detail.known_version += 1
        if detail.lookup is None:
            self._open_known()  # the first sync has just made the store
        for date in dates:
            self._languages.pop(date, None)
        self._rebuild_days()
        if self.current_key is None and self.library.dates():
            self.show_day(self.library.dates()[0])
        elif self.current_key in dates or self.current_key == STARRED:
            self._refresh_paper_list(keep_current=True)
            self._show_detail(self.query_one(PaperList).current, reset=False)
        self._build_search_index()

    def reload_library(self) -> None:
        if self.library_factory is not None:
            self._reload_library()

    def showing_own_library(self) -> bool:
        if self.sync_library is None:
            return False
        own = str(self.sync_library)
        return any(root == own for root in getattr(self.library, "roots", ()))

    def summary_target(self) -> tuple[str, list[str]] | None:
        """What K summarises: the day, when the day list has the focus; else the shown paper."""
        if isinstance(self.focused, DayList) and self.current_key not in (None, STARRED):
            return "day", [self.current_key]
        paper = self.current_paper
        return ("paper", [paper.arxiv_id]) if paper is not None else None

    def action_sync_now(self) -> None:
        self.updates.sync()

    def action_summarize(self) -> None:
        self.updates.summarize()

    def action_links(self) -> None:
        from reader.tui.screens.links import LinksScreen, links_of

        paper = self.current_paper
        if paper is None:
            return
        known = self._metadata_store().paper(paper.arxiv_id)

        def chosen(choice: tuple[str, str, str] | None) -> None:
            if choice is None:
                return
            how, name, url = choice
            if how == "copy":
                self.copy(url, f"the {name} link {url}")
            else:
                self._open_in_thread(url, f"the {name} link")

        self.push_screen(LinksScreen(paper.arxiv_id, links_of(paper, known)), chosen)

    # -- screens --------------------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """q, Ctrl+Q, the palette: with changes the disk refused, first retry; if that fails, ask (retry, save
        them to another file, quit anyway: reader.tui.screens.unsaved)."""
        from reader.tui.screens.unsaved import UnsavedScreen

        if isinstance(self.screen, UnsavedScreen):
            return
        if self.state.unsaved_ids() and not self.state.flush():
            self.clear_notifications()  # the dialog says why; toasts over it would hide it
            self.state.notices.clear()
            self.push_screen(UnsavedScreen(self.state), self._quit_chosen)
            return
        self.exit()

    def _quit_chosen(self, choice: "str | Path | None") -> None:
        if choice is None:
            return
        if isinstance(choice, Path):
            self.marks_saved_to = choice
        self.exit()

    def action_help(self) -> None:
        from reader.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.help_rows(), str(self.config_path)))

    def help_rows(self) -> list[tuple[str, str, str, str]]:
        from reader.tui.commands import keys_of

        rows = [
            ("j/k, ↓/↑", "move", "lists", "*.down / *.up"),
            ("Tab / Shift+Tab", "move focus between panes", "everywhere", "(built in)"),
            ("Enter", "go deeper: day → papers → summary (marks read)", "lists", "(built in)"),
            ("Ctrl+P", "command palette: every action, go to date, theme", "everywhere", "command_palette"),
        ]
        sources = [("everywhere", self.BINDINGS), ("days", DayList.BINDINGS), ("papers", PaperList.BINDINGS),
                   ("summary", PaperDetail.BINDINGS)]
        for where, bindings in sources:
            for binding in bindings:
                if isinstance(binding, Binding) and binding.id is not None:
                    rows.append((keys_of(binding, self.config.keymap), binding.tooltip or binding.description,
                                 where, binding.id))
        return rows

    def action_search(self) -> None:
        from reader.tui.screens.search import SearchScreen

        if isinstance(self.screen, SearchScreen):
            return

        def done(paper: Paper | None) -> None:
            if paper is not None:
                self.go_to_paper(paper)

        # The library is looked up at each search: a reload or a sync swaps it while the search is open.
        self.push_screen(SearchScreen(lambda *a, **k: self.library.search(*a, **k), self.search_prompt_for,
                                      status=self._search_status), done)

    def _search_status(self) -> str:
        pending = self.library.pending
        return f"still reading the archive ({count(pending, 'file')} left): results grow" if pending else ""

    def _library_changed(self) -> None:
        """The library is read (whole, again, or with a sync's new days) and indexed: let the process settle
        its memory, and tell an open search that there is more to search."""
        if self.on_library_loaded is not None:
            self.on_library_loaded()
        for screen in self.screen_stack:
            changed = getattr(screen, "library_changed", None)
            if changed is not None:
                screen.call_later(changed)  # in the screen's own loop: once it is built, never once it is gone

    # -- links and clipboard --------------------------------------------------------------------------
    def _open(self, link: str) -> None:
        paper = self.current_paper
        if paper is None:
            return
        what, _, url_of = LINKS[link]
        self._last_link = (paper.arxiv_id, link)
        self._open_in_thread(url_of(paper), what)

    @work(thread=True, group="browser")
    def _open_in_thread(self, url: str, what: str) -> None:
        result = self.system.open_url(url)
        if result.opened:
            self._from_worker(self.notify, f"Opened {what} in the browser", timeout=2)
        else:
            self._from_worker(
                self.notify, f"{result.reason.capitalize()}: {url}  (y copies the link)",
                title="Link", markup=False, timeout=12,
            )

    def action_open_arxiv(self) -> None:
        self._open("arxiv")

    def action_open_pdf(self) -> None:
        self._open("pdf")

    def action_open_hf(self) -> None:
        self._open("hf")

    def copy(self, text: str, what: str) -> None:
        """OSC 52 always (it reaches the user's terminal over SSH), the system clipboard where there is one."""
        self.copy_to_clipboard(text)
        how = ["terminal (OSC 52)"]
        if self.system.copy_system_clipboard(text):
            how.append("system clipboard")
        self.notify(f"Copied {what} to the {' and '.join(how)}", markup=False, timeout=3)

    def action_copy_link(self) -> None:
        """y: the link o, p or h just opened or showed for this paper, else its arXiv page."""
        paper = self.current_paper
        if paper is None:
            return
        link = self._last_link[1] if self._last_link and self._last_link[0] == paper.arxiv_id else "arxiv"
        _, name, url_of = LINKS[link]
        url = url_of(paper)
        self.copy(url, f"the {name} link {url}")

    def action_copy_citation(self) -> None:
        """Copy the best citation known at once; when arXiv's record is missing, ask for it in a worker (one
        request, 10 s at most) and copy again once it is here (reader.sources.citing)."""
        paper = self.current_paper
        if paper is None:
            return
        cited = self._known_citation(paper)
        if len(paper.title) + sum(map(len, paper.authors)) > LARGE_CITATION_CHARS:
            self.notify(f"Building the citation of {paper.arxiv_id} (a very long entry)…", timeout=3)
            self._cite_in_thread(paper, cited.citable)
        else:
            self._copy_citation(paper, *self._citation(cited.citable))
        self._after_known(paper, cited)

    def _metadata_store(self):
        from reader.core.metadata import MetadataStore

        if self._metadata is None:
            self._metadata = MetadataStore()
        return self._metadata

    def _known_citation(self, paper: Paper):
        from reader.sources.citing import known

        return known(paper, self._metadata_store())

    def _after_known(self, paper: Paper, cited) -> None:
        if cited.missing:
            if paper.arxiv_id not in self._fetching:  # one request per paper at a time
                self._fetching.add(paper.arxiv_id)
                self._fetch_citation(paper)
        elif cited.warning:
            self.notify(cited.warning, title="Citation", severity="warning", markup=False, timeout=8)

    def _citation(self, paper) -> tuple[str, str]:
        from reader.core.cite import format_citation

        fmt = self.config.citation_format
        try:
            return fmt, format_citation(paper, fmt)
        except (KeyError, ValueError):
            return "bibtex", format_citation(paper, "bibtex")

    def _copy_citation(self, paper: Paper, fmt: str, text: str) -> None:
        self.copy(text, f"the {fmt} citation of {paper.arxiv_id}")
        self._last_citation = (paper.arxiv_id, fmt)

    @work(thread=True, group="cite")
    def _cite_in_thread(self, paper: Paper, cited=None) -> None:
        """A digest with a title of megabytes takes seconds to escape for LaTeX: never on the key press."""
        fmt, text = self._citation(cited if cited is not None else paper)
        self._from_worker(self._copy_citation, paper, fmt, text)

    @work(thread=True, group="arxiv")
    def _fetch_citation(self, paper: Paper) -> None:
        from reader.sources.citing import fetched

        result = fetched(paper, self._metadata, endpoint_setting=self.config.arxiv_api)
        self._from_worker(self._citation_fetched, paper, result)

    def _citation_fetched(self, paper: Paper, result) -> None:
        """arXiv answered (or not): the open chooser shows the new texts; what was just copied of this paper is
        copied again from arXiv's metadata; else the warning."""
        from reader.core.cite import format_citation
        from reader.tui.screens.cite import LABELS, CiteChooser

        self._fetching.discard(paper.arxiv_id)
        if isinstance(self.screen, CiteChooser) and self.screen.paper.arxiv_id == paper.arxiv_id:
            self.screen.update_citation(result.citable, result.warning)
        elif result.citable.verified and self._last_citation and self._last_citation[0] == paper.arxiv_id:
            fmt = self._last_citation[1]
            self.copy(format_citation(result.citable, fmt),
                      f"the {LABELS.get(fmt, fmt)} citation of {paper.arxiv_id} with its authors from arXiv")
        if result.warning:
            self.notify(result.warning, title="Citation", severity="warning", markup=False, timeout=8)

    def action_choose_citation(self) -> None:
        paper = self.current_paper
        if paper is None:
            return
        from reader.tui.screens.cite import LABELS, CiteChooser

        def done(choice: tuple[str, str] | None) -> None:
            if choice is not None:
                fmt, text = choice
                self.copy(text, f"the {LABELS.get(fmt, fmt)} citation of {paper.arxiv_id}")
                self._last_citation = (paper.arxiv_id, fmt)

        cited = self._known_citation(paper)
        self.push_screen(CiteChooser(cited.citable, self.config.citation_format,
                                     note="asking arXiv for its metadata…" if cited.missing else cited.warning), done)
        self._after_known(paper, cited)

    def export_starred(self, fmt: str, folder: Path | None = None) -> Path | None:
        """Write every starred paper as fmt (bibtex, markdown, ...) to a new file; returns where."""
        from reader.core.atomic import write_text_atomic
        from reader.core.exporters import EXTENSIONS, export_papers

        papers = self._starred_papers()
        if not papers:
            self.notify("No starred papers to export: s stars the shown paper", severity="warning", timeout=4)
            return None
        ending = next((e for e, f in EXTENSIONS.items() if f == fmt), f".{fmt}")
        stamp = time.strftime("%Y-%m-%d")
        candidates = [folder] if folder else [Path.cwd(), app_paths.data_dir() / "exports"]
        for place in candidates:
            target = place / f"starred-{stamp}{ending}"
            n = 2
            while target.exists():
                target = place / f"starred-{stamp}-{n}{ending}"
                n += 1
            try:
                write_text_atomic(target, export_papers(papers, fmt, self._metadata_store()))
            except OSError:
                continue
            self.notify(f"Exported {count(len(papers), 'starred paper')} to {target}", markup=False, timeout=10)
            if fmt != "json":
                from reader.core.cite import from_store

                unverified = sum(not c.verified for c in from_store(papers, self._metadata_store()))
                if unverified:
                    self.notify(f"{unverified} of {count(len(papers), 'entry', 'entries')} are unverified (author order from the "
                                "archive): run `daily-papers enrich --starred`", severity="warning",
                                markup=False, timeout=10)
            return target
        self.notify("Could not write the export anywhere (is the disk full or read-only?)", severity="error")
        return None

    # -- palette --------------------------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is self.screen_stack[0]:  # the reader's own commands belong to its main screen
            from reader.tui.commands import palette_commands

            yield from palette_commands(self)


def make_app(library: Library, state: StateStore, **options) -> ReaderApp:
    """The one way to build the reader: the CLI and the tests both come through here. Options are
    ReaderApp's keywords: system (the clipboard/browser edge), config, config_path, notices, where,
    library_factory (how R and "Sync archive" read the library again), on_first_screen (called once the first
    screen is shown), on_library_loaded (called whenever the whole library has been read and indexed)."""
    return ReaderApp(library, state, **options)


__all__ = ["ReaderApp", "make_app"]
