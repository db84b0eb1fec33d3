"""ReaderApp: days, the day's papers by votes, the Korean summary. make_app() is the one factory.

Data flows one way: Library and StateStore (reader.core) -> the reading session (reader.core.session, which
decides what every key does) -> this app -> widgets. The app turns keys and widget messages (DayChosen,
PaperOpened; the cursor of the paper list calls back at once) into session calls, and the Change each call
returns into widget updates (apply). The rest lives beside it: the keys (bindings), the drawing (view), the
workers reading the library (loader) and weighing similar papers (weighing), links and citations
(sharing), the keys that move (navigation), the theme; each screen opens from its own module. The edges
(clipboard, browser) go through a System object that tests replace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer

from reader import paths as app_paths
from reader.core.config import Config
from reader.core.library import Library
from reader.core.model import Paper
from reader.core.remembered import Remembered
from reader.core.session import STARRED, Change, ReadingSession
from reader.core.state import StateStore
from reader.tui.bindings import BINDINGS
from reader.tui.catching_up import CatchingUp
from reader.tui.loader import Loading
from reader.tui.navigation import Navigation
from reader.tui.notes import Notes
from reader.tui.sharing import Sharing
from reader.tui.palette import ReaderVariables
from reader.tui.system import System
from reader.tui.updates import Updates, Updating
from reader.tui.view import View
from reader.tui.weighing import Weighing
from reader.tui.widgets.days import FOR_YOU, DayList
from reader.tui.widgets.footer import ReaderFooter
from reader.tui.widgets.papers import PaperList


class ReaderApp(ReaderVariables, Loading, Weighing, Sharing, Navigation, Updating, Notes, CatchingUp, App[None]):
    TITLE = "daily-papers"
    CSS_PATH = str(app_paths.stylesheet())
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (150, "-wide")]
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = BINDINGS

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
        index_factory: Callable[[], Library] | None = None,
        on_first_screen: Callable[[], None] | None = None,
        on_library_loaded: Callable[[], None] | None = None,
        sync_library: Path | None = None,
        today: Callable[[], str] | None = None,
        remembered: Remembered | None = None,
    ) -> None:
        super().__init__()
        self.on_first_screen = on_first_screen
        self.on_library_loaded = on_library_loaded
        self.library_factory = library_factory
        self.index_factory = index_factory  # the library backed by its index, taking the first library's place
        self.marks_saved_to: Path | None = None  # where the quit dialog wrote the marks it could not save
        self.system = system or System()
        self.config = config or Config()
        self.session = ReadingSession(library, state, read_delay=self.config.read_delay,
                                      undo_key=self.config.keymap.get("undo", "z"))
        # the last session's filters, where the export wrote, what was offered once (reader.core.remembered)
        self.remembered = remembered if remembered is not None else Remembered(app_paths.remembered_path())
        self.session.unread_only = self.remembered.get("unread_only", False)
        self.view = View(self.session, self._highlighted)
        self.view.list_note = self.list_note
        self.sync_library = sync_library  # the user's own library: S, K and the automatic sync update it
        self.updates = Updates(self, sync_library, **({"today": today} if today else {}))
        self.config_path = config_path or app_paths.config_path()
        self.notices = list(notices)
        self.where = where or "the library"
        self._read_timer: Timer | None = None
        self.failure: BaseException | None = None  # the error that ended the reader, if one did (see launch)
        self._prepare_pending = False  # the view's prepare_neighbours is queued for after the next frame
        if self.config.keymap:
            self.set_keymap(self.config.keymap)

    # What the session holds, named as the app always named it (the palette, the launcher, tests).
    @property
    def library(self) -> Library:
        return self.session.library

    @property
    def state(self) -> StateStore:
        return self.session.state

    @property
    def current_key(self) -> str | None:
        return self.session.key

    @property
    def current_paper(self) -> Paper | None:
        return self.session.current

    def exit(self, *args, **kwargs) -> None:
        """Quitting: the filters and the view of this session are remembered for the next one."""
        self.remembered.remember(unread_only=self.session.unread_only,
                                 view="starred" if self.session.key == STARRED else "day")
        super().exit(*args, **kwargs)

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
            yield from self.view.panes()
        yield ReaderFooter()

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
        from reader.tui.theme import remember_theme

        remember_theme(self, self.config.theme, self.config_path)
        self.view.detail.note_of = self.state.note
        for notice in [*self.notices, *self.config.problems, *self.session.take_notices()]:
            self.notify(notice, markup=False, timeout=8)
        self.view.draw_days()
        dates = self.session.dates()
        if dates:
            self.show_day(STARRED if self.remembered.get("view") == "starred" else dates[0])
        self.call_after_refresh(self._first_screen_shown)
        if self.library.pending:
            self._set_loading_title(0, self.library.pending)
        else:
            self._report_warnings()  # everything is read already: say what was skipped now
            if not dates:
                self._show_empty()

    def on_key(self, event) -> None:
        # A key that reaches the app after bubbling from a screen that is no longer on top was typed for the
        # screen now on top: "/word" typed at once queues the word for the list before / opens the search.
        taker = getattr(self.screen, "take_early_key", None)
        if taker is not None:
            taker(event)

    # -- a session's change onto the widgets ----------------------------------------------------------
    def apply(self, change: Change) -> None:
        if change.empty:
            self._show_empty()
            return
        view = self.view
        if change.days:
            view.draw_days()
        if change.papers:
            view.draw_list(change.keep)  # the list reports its highlighted paper: _highlighted
        elif change.rows:
            view.draw_rows()
        elif change.row_ids:
            view.draw_rows(change.row_ids)
        if change.objects:
            view.papers.papers = self.session.papers  # the same rows: the papers they stand for, anew
        if change.day_rows:
            view.draw_day_rows(change.day_rows)
        if change.detail:
            view.draw_detail(self.session.current, reset=False)
        if change.stop_timer and self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        if change.timer is not None and self.session.current is not None:
            arxiv_id = self.session.current.arxiv_id
            self._read_timer = self.schedule_read(change.timer,
                                                  lambda: self.apply(self.session.read_delay_passed(arxiv_id)))
        if change.focus_list:
            view.papers.focus()
        for notice in change.notices:
            self.notify(notice.text, severity=notice.severity, timeout=notice.timeout, markup=False)

    def schedule_read(self, delay: float, callback: Callable[[], None]) -> Timer:
        """The timer that marks a shown paper read (the tests replace it with a clock of their own)."""
        return self.set_timer(delay, callback, name="read-delay")

    def show_day(self, key: str, keep: str | None = None) -> None:
        """Show a day (or the Starred view, reader.core.session.STARRED), highlighting the paper keep."""
        self.apply(self.session.show(key, keep))

    # -- messages from widgets ------------------------------------------------------------------------
    def _highlighted(self, paper: Paper | None) -> None:
        """The list's cursor moved (called at once by PaperList, in the same frame)."""
        change = self.session.highlight(paper)
        self.view.draw_detail(paper)
        self.forget_link(paper)
        # Right after this frame is out (not after a pause: held-down j never pauses), render the papers above
        # and below, so the next move only swaps prepared lines. A key that comes meanwhile waits a few ms
        # at most; a move rendered on demand missed a frame a third of the time.
        if not self._prepare_pending:
            self._prepare_pending = True
            self.call_after_refresh(self._prepare_neighbours)
        self.apply(change)

    def _prepare_neighbours(self) -> None:
        self._prepare_pending = False
        self.view.prepare_neighbours()

    @on(DayList.DayChosen)
    def _day_chosen(self, event: DayList.DayChosen) -> None:
        if event.key == FOR_YOU:  # a screen of its own, on Enter (never on passing over it)
            if event.go_deeper:
                from reader.tui.screens.similar import open_for_you

                open_for_you(self, self.go_to_paper)
            return
        if event.key != self.session.key:
            self.show_day(event.key)
        if event.go_deeper:
            self.view.papers.focus()

    @on(PaperList.PaperOpened)
    def _paper_opened(self, event: PaperList.PaperOpened) -> None:
        self.apply(self.session.open(event.paper))
        self.view.detail.focus()

    # -- marks ----------------------------------------------------------------------------------------
    def action_toggle_read(self) -> None:
        self.apply(self.session.toggle_read())

    def action_toggle_star(self) -> None:
        self.apply(self.session.toggle_star())

    def action_mark_day_read(self) -> None:
        self.apply(self.session.mark_shown_read())

    def action_undo(self) -> None:
        self.apply(self.session.undo())

    # -- notices, screens, the palette ----------------------------------------------------------------
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

    async def action_quit(self) -> None:
        """q, Ctrl+Q, the palette: with changes the disk refused, first retry; if that fails, ask (retry, save
        them to another file, quit anyway: reader.tui.screens.unsaved)."""
        from reader.tui.screens.unsaved import quit_or_ask

        quit_or_ask(self, self.state, lambda path: setattr(self, "marks_saved_to", path))

    def action_help(self) -> None:
        from reader.tui.screens.help import open_help

        open_help(self, self.config.keymap, str(self.config_path))

    def action_search(self) -> None:
        from reader.core import finding
        from reader.tui.screens.search import SearchPlace, open_search

        # The library is looked up at each search: the index, a reload or a sync swaps it while it is open.
        # The search language's filters (is:starred, is:unread, has:note) take the marks and notes of the state,
        # read here, in the app's loop; the question is asked in the screen's worker thread.
        def search(query: str, sort: str, offset: int, limit: int):
            found = finding.parse(query)
            library, marks = self.library, finding.marks_for(found, self.state)
            return lambda: finding.search(library, found, sort=sort, offset=offset, limit=limit, marks=marks)

        if getattr(self, "_search_remembered", None) is None:
            self._search_remembered = SearchPlace()
        open_search(self, search, self.view.search_prompt_for, self._search_status, self.go_to_paper,
                    self._search_remembered)

    def action_similar(self) -> None:
        from reader.tui.screens.similar import open_similar

        open_similar(self, self.current_paper, self.go_to_paper)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is self.screen_stack[0]:  # the reader's own commands belong to its main screen
            from reader.tui.commands import palette_commands

            yield from palette_commands(self)


def make_app(library: Library, state: StateStore, **options) -> ReaderApp:
    """The one way to build the reader: the CLI and the tests both come through here. Options are
    ReaderApp's keywords: system (the clipboard/browser edge), config, config_path, notices, where,
    library_factory (how R and "Sync archive" read the library again), index_factory (the same library backed
    by its index, not yet brought up to date: the loading worker does that and it replaces the first
    screen's library, which holds the newest day alone), on_first_screen (called once the first
    screen is shown), on_library_loaded (called whenever the whole library has been read and indexed),
    sync_library (the user's own library, which the reader syncs and summarises: None for folders given on
    the command line), today (today's date, UTC, as YYYY-MM-DD: tests fix it), remembered (what the reader
    remembers between sessions, reader.core.remembered: the data folder's remembered.json by default)."""
    return ReaderApp(library, state, **options)


__all__ = ["ReaderApp", "make_app"]
