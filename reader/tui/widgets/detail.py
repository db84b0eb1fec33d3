"""The detail pane: title, arXiv link (OSC 8), votes, date, authors, then each section as Markdown."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from reader.core.model import Paper
from reader.tui.markdown import SectionText

AUTHORS_SHORT = 6


def render_paper(paper: Paper, *, read: bool, starred: bool, all_authors: bool, accent: str = "cyan") -> RenderableType:
    """Everything from the digest goes in as Text or Markdown: never parsed as console markup."""
    parts: list[RenderableType] = [Text(paper.title, style="bold")]
    meta = Text()
    meta.append("arXiv ", style="dim")
    meta.append(paper.arxiv_id, style=Style(color=accent, underline=True, link=paper.url))
    meta.append("   ")
    meta.append("PDF", style=Style(color=accent, underline=True, link=paper.pdf_url))
    meta.append("   ")
    meta.append("HF", style=Style(color=accent, underline=True, link=paper.hf_url))
    meta.append("   votes ", style="dim")
    meta.append("-" if paper.votes is None else str(paper.votes), style="bold")
    meta.append("   ")
    meta.append(paper.date, style="dim")
    if starred:
        meta.append("   ★ starred", style="bold yellow")
    meta.append("   read" if read else "   ● unread", style="dim" if read else f"bold {accent}")
    parts.append(meta)
    if paper.authors:
        authors = Text(style="italic")
        shown = paper.authors if all_authors else paper.authors[:AUTHORS_SHORT]
        authors.append(", ".join(shown))
        hidden = len(paper.authors) - len(shown)
        if hidden > 0:
            authors.append(f", … +{hidden} more (a: all authors)", style="dim")
        parts.append(authors)
    for section in paper.sections:
        parts.append(Text(""))
        parts.append(Text(section.name, style=f"bold {accent}"))
        parts.append(SectionText(section.markdown, link_color=accent))
    return Group(*parts)


class PaperDetail(VerticalScroll, can_focus=True):
    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="detail.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="detail.up"),
        Binding("g", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("G", "scroll_end", "Bottom", show=False, id="detail.bottom"),
        Binding("space", "page_down", "Page down", show=False, id="detail.page_down"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.paper: Paper | None = None
        self.all_authors = False
        self._body = Static("", id="detail-body", markup=False)
        self.renderable: RenderableType | None = None  # what the body shows (tests read it)

    def compose(self):
        yield self._body

    def show(self, paper: Paper | None, *, read: bool = False, starred: bool = False, reset: bool = True) -> None:
        if reset and (paper is None or self.paper is None or paper.arxiv_id != self.paper.arxiv_id):
            self.all_authors = False
            self.scroll_home(animate=False)
        self.paper = paper
        if paper is None:
            self.renderable = Text("No paper here.", style="dim")
            self._body.update(self.renderable)
            return
        accent = (self.app.current_theme.accent or "cyan") if self.is_mounted else "cyan"
        self.renderable = render_paper(paper, read=read, starred=starred, all_authors=self.all_authors, accent=accent)
        self._body.update(self.renderable)
