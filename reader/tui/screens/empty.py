"""What an empty library shows: how to get digests, instead of empty panes."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Static

from reader.core.sanitize import visible
from reader.tui.palette import rich_colors


class EmptyScreen(Screen[None]):
    BINDINGS = [Binding("q", "app.quit", "Quit", id="empty.quit")]

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("No digests here yet\n\n", style="bold")
        text.append("Nothing to read in ")
        text.append(visible(self.where), style="italic")
        text.append(".\n\nTo get the daily_papers_ko archive:\n\n")
        text.append("  daily-papers sync", style="bold")
        text.append("              fetch the public archive (git)\n")
        text.append("  daily-papers import PATH", style="bold")
        text.append("       copy digest files you already have\n")
        text.append("  daily-papers FOLDER", style="bold")
        text.append("            read digests from a folder\n\n")
        text.append("A digest is a Markdown file with '## Daily Papers (YYYY-MM-DD)' and '### [Title](arXiv link)'.",
                    style=Style(color=rich_colors(self.app.theme_variables).muted))
        with Middle():
            with Center():
                yield Static(text, id="empty-message")
        yield Footer()


def show_empty(app: App, where: str) -> None:
    """The library holds no day: how to get digests, in place of the empty panes."""
    app.push_screen(EmptyScreen(where))
