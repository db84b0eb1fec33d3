"""l : every link of the paper (arXiv, PDF, Hugging Face, code, project page, thumbnail), to open or copy.

Over SSH the browser often cannot open: the list shows each address whole, Enter opens it and y copies it
(OSC 52 reaches the user's own terminal). Links from the Hub are untrusted text: only http(s) addresses are
listed, shown cleaned, never as markup.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.core.sanitize import clean_line

_WEB = re.compile(r"https?://[^\s]+")
MAX_URL_CHARS = 2_000


def links_of(paper, known=None) -> list[tuple[str, str]]:
    """(name, address) of every link known for the paper: its own, then the Hub's (`known`, an HFPaper)."""
    found = [("arXiv page", paper.url), ("PDF", paper.pdf_url), ("Hugging Face page", paper.hf_url)]
    if known is not None:
        found += [("Code", known.github), ("Project page", known.project_page)]
    found.append(("Thumbnail", paper.thumbnail or (known.thumbnail if known is not None else None)))
    seen: set[str] = set()
    out = []
    for name, url in found:
        if isinstance(url, str) and len(url) <= MAX_URL_CHARS and _WEB.fullmatch(url) and url not in seen:
            seen.add(url)
            out.append((name, url))
    return out


class LinksScreen(ModalScreen[tuple[str, str, str] | None]):
    """Dismisses with ("open" or "copy", name, address), or None."""

    BINDINGS = [
        Binding("escape,q", "cancel", "Back", id="links.cancel"),
        Binding("y", "copy", "Copy", id="links.copy"),
        Binding("j", "cursor('down')", "Down", show=False, id="links.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="links.up"),
    ]

    def __init__(self, arxiv_id: str, links: list[tuple[str, str]]) -> None:
        super().__init__()
        self.arxiv_id = arxiv_id
        self.links = links

    def compose(self) -> ComposeResult:
        with Vertical(id="links-box") as box:
            box.border_title = f"Links of {self.arxiv_id}"
            box.border_subtitle = "Enter opens · y copies · Esc goes back"
            options = []
            for index, (name, url) in enumerate(self.links):
                prompt = Text()
                prompt.append(f"{name:<18}", style="bold")
                prompt.append(clean_line(url))
                options.append(Option(prompt, id=str(index)))
            yield OptionList(*options, id="links-list", markup=False)

    def on_mount(self) -> None:
        links = self.query_one("#links-list", OptionList)
        links.highlighted = 0 if self.links else None
        links.focus()

    def _current(self) -> tuple[str, str] | None:
        index = self.query_one("#links-list", OptionList).highlighted
        return self.links[index] if index is not None and index < len(self.links) else None

    @on(OptionList.OptionSelected, "#links-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        name, url = self.links[int(event.option.id or 0)]
        self.dismiss(("open", name, url))

    def action_copy(self) -> None:
        current = self._current()
        if current is not None:
            self.dismiss(("copy", *current))

    def action_cursor(self, direction: str) -> None:
        links = self.query_one("#links-list", OptionList)
        links.action_cursor_down() if direction == "down" else links.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
