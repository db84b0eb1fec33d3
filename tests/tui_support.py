"""Helpers for Pilot tests: the fake edges (clipboard, browser) and a factory over fixtures."""

from __future__ import annotations

from pathlib import Path

from reader.core.config import Config
from reader.core.library import Library
from reader.core.state import StateStore
from reader.tui.app import ReaderApp, make_app
from reader.tui.system import OpenResult, System

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class FakeSystem(System):
    def __init__(self, browser: bool = True, clipboard: bool = False) -> None:
        self.browser = browser
        self.clipboard = clipboard
        self.opened: list[str] = []
        self.copied: list[str] = []
        self.browser_commands: list[tuple[str, str]] = []  # (the browser setting, the URL) run_browser was given
        self.browser_result = OpenResult(True)
        self.editor_argv: list[str] | None = ["fake-editor"]  # what editor() finds (None: no editor)
        self.editor_writes: str | None = None  # what the editor leaves in the file (None: leaves it as it was)
        self.editor_problem = ""  # what run_editor reports ("": the editor ended well)
        self.edited: list[str] = []  # what the file held when the editor opened it

    def graphical_browser_available(self) -> bool:
        return self.browser

    def open_url(self, url: str) -> OpenResult:
        if not self.browser:
            return OpenResult(False, "no graphical browser over SSH")
        self.opened.append(url)
        return OpenResult(True)

    def run_browser(self, command: str, url: str) -> OpenResult:
        self.browser_commands.append((command, url))
        return self.browser_result

    def editor(self):
        return self.editor_argv

    def suspended(self, app):
        from contextlib import nullcontext

        return nullcontext()  # (a headless app cannot suspend: tests/system runs the real editor in tmux)

    def run_editor(self, argv, path) -> str:
        self.edited.append(Path(path).read_text(encoding="utf-8"))
        if self.editor_writes is not None and not self.editor_problem:
            Path(path).write_text(self.editor_writes, encoding="utf-8")
        return self.editor_problem

    def copy_system_clipboard(self, text: str) -> bool:
        if self.clipboard:
            self.copied.append(text)
        return self.clipboard


def build(paths=None, state_path: Path | None = None, *, system=None, config=None, lazy=False,
          today: str | None = None) -> ReaderApp:
    """The reader on the fixture days (or `paths`); `today` fixes the date it compares the newest day with."""
    library = Library.open(paths or [p for p in FIXTURES.glob("*.md")])
    if lazy:
        library.load_newest()
    else:
        library.load_all()
    state = StateStore(state_path) if state_path else StateStore.in_memory()
    return make_app(library, state, system=system or FakeSystem(), config=config or Config(read_delay=60),
                    today=(lambda: today) if today else None)


def row_texts(option_list) -> list[str]:
    return [option_list.get_option_at_index(i).prompt.plain for i in range(option_list.option_count)]


SEARCH_WORKERS = ("search", "search-page")


async def searched(pilot) -> None:
    """Until the search screen's questions (its worker threads: the query typed, a next page) are answered and
    their results shown."""
    from textual.worker import WorkerCancelled, WorkerState

    app = pilot.app
    while True:
        pending = [w for w in app.workers if w.group in SEARCH_WORKERS
                   and w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
        if not pending:
            await pilot.pause()
            if not [w for w in app.workers if w.group in SEARCH_WORKERS
                    and w.state in (WorkerState.PENDING, WorkerState.RUNNING)]:
                return
            continue
        try:
            await app.workers.wait_for_complete(pending)
        except WorkerCancelled:  # (replaced by a newer question)
            pass
        await pilot.pause()
