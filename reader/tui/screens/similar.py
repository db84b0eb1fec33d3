"""m : the papers of the library most like the shown one, with their scores; the day list's "For you": the
newest days' unread papers most like the user's stars. Enter opens a paper (in its day), Esc goes back.

The papers are found in a worker thread (reader.core.finding), the list says so meanwhile. The reader weighs
the library's papers in a worker of its own once its index is handed over (reader.tui.weighing); until that is
done, m and For you say so in one notice and open nothing (a library not backed by the index is weighed
here, the first time).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from reader.core.model import Paper
from reader.core.sanitize import clean_line

FOR_YOU_HELP = ("For you ranks the unread papers of the newest days by how much they are like the papers you "
                "starred (tf-idf over their English terms and Korean syllable pairs; the centroid of your "
                "stars). Star papers with s, and they show here.")


def score_prompt(paper: Paper, score: float, starred: bool) -> Content:
    votes = "-" if paper.votes is None else str(paper.votes)
    return Content.assemble((f"{score:5.3f} ", "$reader-accent"), (f"{paper.date} ", "$reader-muted"),
                            (f"{votes:>4} ", "$reader-muted"), ("★ " if starred else "  ", "$reader-warning"),
                            clean_line(paper.title))


class ScoresScreen(ModalScreen[Paper | None]):
    """Papers with scores, found by `find` (in a thread: None means it cannot, with `unavailable` said)."""

    BINDINGS = [
        Binding("escape,q", "cancel", "Back", id="scores.cancel"),
        Binding("j", "cursor('down')", "Down", show=False, id="scores.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="scores.up"),
    ]

    def __init__(self, title: str, find: Callable[[], "list[tuple[Paper, float]] | None"],
                 starred: Callable[[str], bool], empty: str, unavailable: str) -> None:
        super().__init__()
        self._title = title
        self._find = find
        self._starred = starred
        self._empty = empty
        self._unavailable = unavailable
        self.results: list[tuple[Paper, float]] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="scores-box") as box:
            box.border_title = clean_line(self._title)
            box.border_subtitle = "Enter opens · Esc goes back"
            yield Static("finding them (the first time, every paper of the library is weighed)…", id="scores-note",
                         markup=False)
            yield OptionList(id="scores-list", markup=False)

    def on_mount(self) -> None:
        self.query_one("#scores-list", OptionList).focus()
        self._load()

    @work(thread=True, exclusive=True, group="scores")
    def _load(self) -> tuple:
        """(found, problem): the worker's result reaches the screen through its own message loop."""
        try:
            return self._find(), None
        except Exception as exc:  # noqa: BLE001 - said in the screen, never a traceback
            return None, f"cannot find them: {exc.__class__.__name__}: {exc}"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "scores" and event.state is WorkerState.SUCCESS and self.is_attached:
            self._show(*event.worker.result)

    def _show(self, found: "list[tuple[Paper, float]] | None", problem: str | None) -> None:
        note = self.query_one("#scores-note", Static)
        options = self.query_one("#scores-list", OptionList)
        self.results = found or []
        if problem is not None or found is None:
            note.update(problem or self._unavailable)
            return
        if not found:
            note.update(self._empty)
            return
        note.update(f"{len(found)} papers, most alike first (score: cosine similarity, 0 to 1)")
        options.set_options([Option(score_prompt(p, s, self._starred(p.arxiv_id))) for p, s in found])
        options.highlighted = 0

    @on(OptionList.OptionSelected, "#scores-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.results:
            self.dismiss(self.results[event.option_index][0])

    def action_cursor(self, direction: str) -> None:
        options = self.query_one("#scores-list", OptionList)
        options.action_cursor_down() if direction == "down" else options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


def indexed_library(library):
    """The library backed by its index: itself, or (a reader still holding the library in memory) the index
    of the same folders, brought up to date (in the screen's worker: quick when it is fresh)."""
    if getattr(library, "indexed", False) or not getattr(library, "roots", ()):
        return library
    from reader.core.index import open_indexed

    found = open_indexed(list(library.roots))
    found.load_all()
    return found


def _not_ready(app) -> bool:
    """While similar papers are being prepared (reader.tui.weighing): one notice saying so, nothing opened."""
    said = app.similar_not_ready() if hasattr(app, "similar_not_ready") else None
    if said is not None:
        app.notify(said, markup=False, timeout=4)
    return said is not None


def open_similar(app, paper: Paper | None, chosen: Callable[[Paper], None]) -> None:
    """m : the papers most like `paper`."""
    from reader.core import finding

    if paper is None:
        app.notify("Open a paper first: m lists the papers most like it")
        return
    if _not_ready(app):
        return
    library = app.library
    screen = ScoresScreen(f"Papers like {paper.arxiv_id}: {paper.title}",
                          lambda: finding.similar(indexed_library(library), paper.arxiv_id, 30),
                          app.state.is_starred, "no other paper of the library is like it",
                          "similar papers need the library's index, which cannot be used here")
    app.push_screen(screen, lambda picked: chosen(picked) if picked is not None else None)


def open_for_you(app, chosen: Callable[[Paper], None]) -> None:
    """The day list's For you row: the newest days' unread papers, most like the stars first."""
    from reader.core import finding

    if _not_ready(app):
        return
    library, state = app.library, app.state
    starred, read = set(state.starred_ids()), set(state.read_ids())
    screen = ScoresScreen("For you: the newest days' unread papers, most like your stars",
                          lambda: finding.for_you(indexed_library(library), starred, read, days=7, n=200),
                          state.is_starred,
                          FOR_YOU_HELP if not starred else "every paper of the newest days is read, or none is "
                          "like your stars yet", "For you needs the library's index, which cannot be used here")
    app.push_screen(screen, lambda picked: chosen(picked) if picked is not None else None)
