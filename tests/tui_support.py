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

    def graphical_browser_available(self) -> bool:
        return self.browser

    def open_url(self, url: str) -> OpenResult:
        if not self.browser:
            return OpenResult(False, "no graphical browser over SSH")
        self.opened.append(url)
        return OpenResult(True)

    def copy_system_clipboard(self, text: str) -> bool:
        if self.clipboard:
            self.copied.append(text)
        return self.clipboard


def build(paths=None, state_path: Path | None = None, *, system=None, config=None, lazy=False) -> ReaderApp:
    library = Library.open(paths or [p for p in FIXTURES.glob("*.md")])
    if lazy:
        library.load_newest()
    else:
        library.load_all()
    state = StateStore(state_path) if state_path else StateStore.in_memory()
    return make_app(library, state, system=system or FakeSystem(), config=config or Config(read_delay=60))


def row_texts(option_list) -> list[str]:
    return [option_list.get_option_at_index(i).prompt.plain for i in range(option_list.option_count)]
