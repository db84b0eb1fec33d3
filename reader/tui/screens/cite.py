"""C : choose a citation format with a preview of each, and copy the chosen one."""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.core.cite import FORMATS, Citable, format_citation
from reader.core.limits import SHOWN_CITATION_CHARS, cut, marker
from reader.core.sanitize import clean
from reader.core.model import Paper
from reader.tui.palette import rich_colors

LABELS = {"bibtex": "BibTeX", "apa": "APA 7", "markdown": "Markdown", "arxiv": "arXiv id", "ris": "RIS"}


class CiteChooser(ModalScreen[tuple[str, str] | None]):
    """Dismisses with (format, citation text), or None."""

    BINDINGS = [
        Binding("escape,q", "cancel", "Back", id="cite.cancel"),
        Binding("j", "cursor('down')", "Down", show=False, id="cite.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="cite.up"),
    ]

    def __init__(self, paper: Paper | Citable, default: str = "bibtex", note: str | None = None) -> None:
        super().__init__()
        self.paper = paper
        self.default = default if default in FORMATS else "bibtex"
        self.texts = {fmt: format_citation(paper, fmt) for fmt in FORMATS}
        self.note = note  # where the authors come from, when they are unverified or still being fetched

    def compose(self) -> ComposeResult:
        with Vertical(id="cite-box") as box:
            box.border_title = f"Copy a citation of {self.paper.arxiv_id}"
            box.border_subtitle = "Enter copies · Esc goes back"
            note = Static(clean(self.note or ""), id="cite-note", markup=False)
            note.display = bool(self.note)
            yield note
            with Horizontal():
                yield OptionList(*[Option(LABELS.get(f, f), id=f) for f in FORMATS], id="cite-formats", markup=False)
                with VerticalScroll(id="cite-preview-box"):
                    yield Static("", id="cite-preview", markup=False)

    def on_mount(self) -> None:
        formats = self.query_one("#cite-formats", OptionList)
        formats.highlighted = FORMATS.index(self.default)
        formats.focus()
        self._preview(self.default)

    def _preview(self, fmt: str) -> None:
        """The citation as it will be copied (whole); the preview shows its start when it is huge."""
        shown, more = cut(self.texts[fmt], SHOWN_CITATION_CHARS)
        preview = Text(clean(shown))
        if more:
            muted = rich_colors(self.app.theme_variables).muted  # readable in the theme (reader.tui.palette)
            preview.append("\n" + marker(more) + " (copied whole)", style=Style(color=muted, italic=True))
        self.query_one("#cite-preview", Static).update(preview)

    def update_citation(self, paper: Paper | Citable, note: str | None) -> None:
        """arXiv's metadata arrived (or did not, and `note` says why): the texts and the preview follow."""
        self.paper = paper
        self.texts = {fmt: format_citation(paper, fmt) for fmt in FORMATS}
        self.note = note
        shown = self.query_one("#cite-note", Static)
        shown.update(Text(clean(note or "")))
        shown.display = bool(note)
        highlighted = self.query_one("#cite-formats", OptionList).highlighted
        self._preview(FORMATS[highlighted] if highlighted is not None else self.default)

    @on(OptionList.OptionHighlighted, "#cite-formats")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self._preview(event.option.id)

    @on(OptionList.OptionSelected, "#cite-formats")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        fmt = event.option.id or self.default
        self.dismiss((fmt, self.texts[fmt]))

    def action_cursor(self, direction: str) -> None:
        formats = self.query_one("#cite-formats", OptionList)
        formats.action_cursor_down() if direction == "down" else formats.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


def choose_citation(app: App, cited: Citable, default: str, note: str | None,
                    copy: Callable[[str, str], None]) -> None:
    """C : the chooser over cited; copy(format, text) with the one Enter picked."""

    def done(choice: tuple[str, str] | None) -> None:
        if choice is not None:
            copy(*choice)

    app.push_screen(CiteChooser(cited, default, note=note), done)


def open_chooser(app: App, arxiv_id: str) -> CiteChooser | None:
    """The chooser open on top for this paper, if there is one."""
    screen = app.screen
    return screen if isinstance(screen, CiteChooser) and screen.paper.arxiv_id == arxiv_id else None
