"""ReaderApp: days, the day's papers by votes, the Korean summary. make_app() is the one factory.

Data flows one way: Library and StateStore (reader.core) -> the reading session (reader.core.session, which
decides what every key does) -> this app -> widgets. The app turns keys and widget messages (DayChosen,
PaperOpened; the cursor of the paper list calls back at once) into session calls, and the Change each call
returns into widget updates (apply). The rest lives beside it: the keys (bindings), the drawing (view), the
workers reading the library (loader), the theme; each screen opens from its own module. The edges (clipboard, browser) go through a System object
that tests replace.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from reader import paths as app_paths
from reader.core.config import Config
from reader.core.library import Library
from reader.core.model import Paper
from reader.core.session import Change, ReadingSession
from reader.core.state import StateStore
from reader.core.words import count
from reader.tui.bindings import BINDINGS
from reader.tui.loader import Loading
from reader.tui.system import System
from reader.tui.view import View
from reader.tui.widgets.days import DayList
from reader.tui.widgets.detail import PaperDetail
from reader.tui.widgets.papers import PaperList


LARGE_CITATION_CHARS = 20_000  # a citation of more text than this is built in a worker thread

# The paper's links: what o, p and h open (and show, where no browser can open them), and which y copies next.
LINKS = {
    "arxiv": ("the arXiv page", "arXiv", lambda paper: paper.url),
    "pdf": ("the PDF", "PDF", lambda paper: paper.pdf_url),
    "hf": ("the Hugging Face page", "Hugging Face", lambda paper: paper.hf_url),
}


class ReaderApp(Loading, App[None]):
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
        on_first_screen: Callable[[], None] | None = None,
        on_library_loaded: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.on_first_screen = on_first_screen
        self.on_library_loaded = on_library_loaded
        self.library_factory = library_factory
        self.marks_saved_to: Path | None = None  # where the quit dialog wrote the marks it could not save
        self.system = system or System()
        self.config = config or Config()
        self.session = ReadingSession(library, state, read_delay=self.config.read_delay,
                                      undo_key=self.config.keymap.get("undo", "z"))
        self.view = View(self.session, self._highlighted)
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
        from reader.tui.theme import remember_theme

        remember_theme(self, self.config.theme, self.config_path)
        for notice in [*self.notices, *self.config.problems, *self.session.take_notices()]:
            self.notify(notice, markup=False, timeout=8)
        self.view.draw_days()
        dates = self.session.dates()
        if dates:
            self.show_day(dates[0])
        self.call_after_refresh(self._first_screen_shown)
        if self.library.pending:
            self._set_loading_title(0, self.library.pending)
        else:
            self._report_warnings()  # everything is read already: say what was skipped now
            if not dates:
                self._show_empty()

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
        from reader.tui.screens.search import open_search

        # The library is looked up at each search: a reload or a sync swaps it while the search is open.
        open_search(self, lambda *a, **k: self.library.search(*a, **k), self.view.search_prompt_for,
                    self._search_status, self.go_to_paper)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is self.screen_stack[0]:  # the reader's own commands belong to its main screen
            from reader.tui.commands import palette_commands

            yield from palette_commands(self)

    _last_link: tuple[str, str] | None = None  # (arxiv id, LINKS key) of the link o, p or h last showed
    _last_citation: tuple[str, str] | None = None  # (arXiv id, format) last copied
    _metadata = None  # the metadata store (reader.core.metadata), opened on the first citation
    _fetching: frozenset[str] = frozenset()  # arXiv ids whose metadata a worker is asking arXiv for

    def forget_link(self, paper: Paper | None) -> None:
        """The cursor moved: y copies the arXiv page of a paper whose other links were not shown."""
        if self._last_link is not None and (paper is None or paper.arxiv_id != self._last_link[0]):
            self._last_link = None

    # -- links ----------------------------------------------------------------------------------------
    def _open(self, link: str) -> None:
        paper = self.session.current
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
        paper = self.session.current
        if paper is None:
            return
        link = self._last_link[1] if self._last_link and self._last_link[0] == paper.arxiv_id else "arxiv"
        _, name, url_of = LINKS[link]
        url = url_of(paper)
        self.copy(url, f"the {name} link {url}")

    # -- citations ------------------------------------------------------------------------------------
    def action_copy_citation(self) -> None:
        """Copy the best citation known at once; when arXiv's record is missing, ask for it in a worker (one
        request, 10 s at most) and copy again once it is here (reader.sources.citing)."""
        paper = self.session.current
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
                self._fetching = self._fetching | {paper.arxiv_id}
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

    def _copy_citation(self, paper: Paper, fmt: str, text: str, label: str | None = None) -> None:
        self.copy(text, f"the {label or fmt} citation of {paper.arxiv_id}")
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
        from reader.tui.screens.cite import LABELS, open_chooser

        self._fetching = self._fetching - {paper.arxiv_id}
        chooser = open_chooser(self, paper.arxiv_id)
        if chooser is not None:
            chooser.update_citation(result.citable, result.warning)
        elif result.citable.verified and self._last_citation and self._last_citation[0] == paper.arxiv_id:
            fmt = self._last_citation[1]
            self.copy(format_citation(result.citable, fmt),
                      f"the {LABELS.get(fmt, fmt)} citation of {paper.arxiv_id} with its authors from arXiv")
        if result.warning:
            self.notify(result.warning, title="Citation", severity="warning", markup=False, timeout=8)

    def action_choose_citation(self) -> None:
        paper = self.session.current
        if paper is None:
            return
        from reader.tui.screens.cite import LABELS, choose_citation

        cited = self._known_citation(paper)
        choose_citation(self, cited.citable, self.config.citation_format,
                        "asking arXiv for its metadata…" if cited.missing else cited.warning,
                        lambda fmt, text: self._copy_citation(paper, fmt, text, LABELS.get(fmt, fmt)))
        self._after_known(paper, cited)

    # -- export ---------------------------------------------------------------------------------------
    def export_starred(self, fmt: str, folder: Path | None = None) -> Path | None:
        """Write every starred paper as fmt (bibtex, markdown, ...) to a new file; returns where."""
        from reader.core.atomic import write_text_atomic
        from reader.core.exporters import EXTENSIONS, export_papers

        papers = self.session.starred_papers()
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


    def action_older_day(self) -> None:
        self.apply(self.session.step_day(+1))

    def action_newer_day(self) -> None:
        self.apply(self.session.step_day(-1))

    def action_next_unread(self) -> None:
        self.apply(self.session.next_unread(+1))

    def action_previous_unread(self) -> None:
        self.apply(self.session.next_unread(-1))

    def action_toggle_unread_only(self) -> None:
        self.apply(self.session.toggle_unread_only())

    def go_to_paper(self, paper: Paper) -> None:
        """Show a paper in its day (from search or the palette)."""
        self.apply(self.session.go_to_paper(paper))

    def go_to_date(self, date: str) -> None:
        self.apply(self.session.go_to_date(date))

    def action_toggle_authors(self) -> None:
        self.view.toggle_authors()

    def action_back(self) -> None:
        focused = self.focused
        if isinstance(focused, PaperDetail):
            self.view.papers.focus()
        elif isinstance(focused, PaperList):
            days = self.view.days
            if days.region.width:  # the sidebar folds away on narrow terminals
                days.focus()

    def action_toggle_sidebar(self) -> None:
        self.screen.toggle_class("-show-days")
        if self.screen.has_class("-show-days"):
            self.view.days.focus()


def make_app(library: Library, state: StateStore, **options) -> ReaderApp:
    """The one way to build the reader: the CLI and the tests both come through here. Options are
    ReaderApp's keywords: system (the clipboard/browser edge), config, config_path, notices, where,
    library_factory (how R and "Sync archive" read the library again), on_first_screen (called once the first
    screen is shown), on_library_loaded (called whenever the whole library has been read and indexed)."""
    return ReaderApp(library, state, **options)


__all__ = ["ReaderApp", "make_app"]
