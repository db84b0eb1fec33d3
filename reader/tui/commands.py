"""The command palette's own commands (Ctrl+P): every keyed action, named for the palette, with its key as
the user has it (keymap included), plus the actions that have no key and "Go to date …"."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from textual.app import SystemCommand
from textual.binding import Binding

from reader.core.config import Config
from reader.core.library import Library
from reader.core.session import STARRED
from reader.tui.bindings import BINDINGS, keys_of

# binding id -> the palette's title (the footer's short words do not say enough there)
TITLES = {
    "search": "Search",
    "sync_now": "Sync now: days from Hugging Face",
    "summarize": "Summarize in Korean (your model)",
    "links": "Links: open or copy",
    "star": "Star / unstar paper",
    "read": "Toggle read",
    "open_arxiv": "Open on arXiv",
    "open_pdf": "Open PDF",
    "open_hf": "Open Hugging Face page",
    "copy_citation": "Copy citation",
    "choose_citation": "Copy citation as…",
    "copy_link": "Copy link",
    "unread_only": "Unread only",
    "older_day": "Older day",
    "newer_day": "Newer day",
    "all_authors": "Show all authors",
    "next_unread": "Next unread",
    "previous_unread": "Previous unread",
    "mark_day_read": "Mark this day read",
    "undo": "Undo mark day read",
    "reload": "Reload",
    "help": "Help: every key and its binding id",
    "note": "Note: write one for this paper (your editor)",
    "mark_until_read": "Mark every day up to this one read…",
}


class Reader(Protocol):
    """What the palette's commands reach in the reader (reader.tui.app.ReaderApp is one)."""

    config: Config

    @property
    def library(self) -> Library: ...

    def run_action(self, action: str) -> Any: ...

    def show_day(self, key: str, keep: str | None = None) -> None: ...

    def go_to_date(self, date: str) -> None: ...

    def export_starred(self, fmt: str, folder: Path | None = None) -> Path | None: ...

    def ask_export(self, fmt: str) -> None: ...

    def action_sync(self) -> None: ...


def palette_commands(app: Reader) -> Iterable[SystemCommand]:
    keymap = app.config.keymap
    for binding in BINDINGS:
        if isinstance(binding, Binding) and binding.id in TITLES:
            help_text = f"{binding.tooltip or binding.description} ({keys_of(binding, keymap)})"
            yield SystemCommand(TITLES[binding.id], help_text, partial(app.run_action, binding.action))
    yield SystemCommand("Starred papers", "Every starred paper, from every day", lambda: app.show_day(STARRED))
    yield SystemCommand("Export starred as BibTeX…", "Write every starred paper to a .bib file (you choose where)",
                        lambda: app.ask_export("bibtex"))
    yield SystemCommand("Export starred as Markdown…", "Write a reading list of every starred paper, with your notes",
                        lambda: app.ask_export("markdown"))
    yield SystemCommand("Sync archive", "Fetch new days from the daily_papers_ko archive (git) into your library",
                        app.action_sync)
    for date in app.library.dates():
        yield SystemCommand(f"Go to date {date}", f"Show the papers of {date}",
                            lambda d=date: app.go_to_date(d), discover=False)
