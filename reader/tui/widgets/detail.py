"""The detail pane: title, arXiv link (OSC 8), votes, date, authors, then each section as Markdown."""

from __future__ import annotations

from collections import OrderedDict

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.core import limits
from reader.core.limits import cut, cut_report, marker
from reader.core.model import Paper
from reader.core.sanitize import clean, clean_line
from reader.tui.markdown import SectionText
from reader.tui.palette import RichColors, rich_colors

AUTHORS_SHORT = 6


def _cut_text(text: str, limit: int, style: Style | str = "", muted: Style | str = "dim") -> Text:
    shown, more = cut(text, limit)
    out = Text(clean(shown), style=style)
    if more:
        out.append(" " + marker(more), style=Style.parse("italic") + _style(muted))
    return out


def _style(style: Style | str) -> Style:
    return Style.parse(style) if isinstance(style, str) else style


def known_lines(paper: Paper, known, accent: Style | None = None, muted: Style | None = None) -> list[Text]:
    """What the Hub knows beyond the digest (reader.core.metadata.HFPaper): organization, comments, the code's
    stars; and keywords, code and project links where the digest has no such section (the archive's days)."""
    if known is None:
        return []
    accent = accent if accent is not None else Style(color="cyan")
    muted = muted if muted is not None else Style(dim=True)
    lines = []
    facts = Text(style=muted)
    if known.organization:
        facts.append(clean_line(known.organization)[:80])
    if known.comments:
        facts.append(("   " if facts else "") + f"{known.comments:,} comment{'s' if known.comments != 1 else ''}")
    if known.github_stars:
        facts.append(("   " if facts else "") + f"★ {known.github_stars:,} on GitHub")
    if facts:
        lines.append(facts)
    names = {section.name for section in paper.sections}
    if "Links" not in names:
        links = Text()
        for label, url in (("Code", known.github), ("Project page", known.project_page)):
            if url:
                links.append(("   " if links else "") + label + " ", style=muted)
                links.append(clean_line(url)[:200], style=accent + Style(underline=True, link=url))
        if links:
            lines.append(links)
    if "Keywords" not in names and known.keywords:
        lines.append(Text("Keywords: " + clean_line(", ".join(known.keywords))[:400], style=muted + Style(italic=True)))
    return lines


def render_paper(paper: Paper, *, read: bool, starred: bool, all_authors: bool,
                 colors: RichColors | None = None, known=None, note: str = "") -> RenderableType:
    """Everything from the digest goes in as Text or Markdown: never parsed as console markup. It is cleaned
    again here (a cache file is a file too) and cut where it is longer than anyone reads (reader.core.limits):
    the cut is marked, the data keeps every character. colors: the reader's colours in the theme
    (reader.tui.palette), readable on the pane; without them, the terminal's dim and plain colours."""
    if colors is None:
        muted, accent, warning = Style(dim=True), Style(color="cyan"), Style(color="yellow")
    else:
        muted, accent, warning = Style(color=colors.muted), Style(color=colors.accent), Style(color=colors.warning)
    bold = Style(bold=True)
    parts: list[RenderableType] = [_cut_text(clean_line(paper.title), limits.SHOWN_TITLE_CHARS, bold, muted)]
    meta = Text()
    meta.append("arXiv ", style=muted)
    link = accent + Style(underline=True)
    meta.append(paper.arxiv_id, style=link + Style(link=paper.url))
    meta.append("   ")
    meta.append("PDF", style=link + Style(link=paper.pdf_url))
    meta.append("   ")
    meta.append("HF", style=link + Style(link=paper.hf_url))
    meta.append("   votes ", style=muted)
    meta.append("-" if paper.votes is None else str(paper.votes), style=bold)
    meta.append("   ")
    meta.append(paper.date, style=muted)
    if starred:
        meta.append("   ★ starred", style=warning + bold)
    meta.append("   read" if read else "   ● unread", style=muted if read else accent + bold)
    if note:
        meta.append("   ✎ note", style=accent)
    parts.append(meta)
    # Some digests list every author twice in a row (a glitch of their source): show each name once.
    unique = list(dict.fromkeys(paper.authors))
    if unique:
        authors = Text(style="italic")
        shown = unique[:limits.SHOWN_AUTHORS] if all_authors else unique[:AUTHORS_SHORT]
        names, more_chars = cut(", ".join(shown), limits.SHOWN_AUTHOR_CHARS)
        authors.append(clean_line(names))
        if more_chars:
            authors.append(" " + marker(more_chars), style=muted)
        hidden = len(unique) - len(shown)
        if hidden > 0:
            note = " (a: all authors)" if not all_authors else f" (the reader shows {limits.SHOWN_AUTHORS:,})"
            authors.append(f", … +{hidden:,} more{note}", style=muted)
        parts.append(authors)
    parts.extend(known_lines(paper, known, accent, muted))
    budget = limits.SHOWN_PAPER_CHARS
    for index, section in enumerate(paper.sections):
        if budget <= 0:
            left = len(paper.sections) - index
            parts.append(Text(""))
            parts.append(Text(marker(left, "section"), style=muted + Style(italic=True)))
            break
        parts.append(Text(""))
        parts.append(_cut_text(clean_line(section.name), limits.SHOWN_NAME_CHARS, accent + bold, muted))
        shown, more = cut(section.markdown, min(limits.SHOWN_SECTION_CHARS, budget))
        budget -= len(shown)
        parts.append(SectionText(shown, link_color=accent.color.name if accent.color else "cyan", muted=muted))
        if more:
            parts.append(Text(marker(more), style=muted + Style(italic=True)))
    if note:  # the user's note (e), from an editor: untrusted text, cleaned and shown as typed
        parts.append(Text(""))
        parts.append(Text("Note", style=accent + bold))
        parts.append(_cut_text(clean(note), limits.SHOWN_SECTION_CHARS, "", muted))
    return Group(*parts)


class PaperDetail(ScrollView, can_focus=True):
    """The summary pane, on Textual's line API: the paper is rendered once into lines at the pane's width and
    scrolled virtually. No auto-height layout, one render per paper (a cursor move stays within a frame)."""

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
        self.renderable: RenderableType = Text("")  # what the pane shows (tests read it)
        self._lines: list[Strip] = []
        self._styled: dict[tuple[int, int, int], Strip] = {}  # (line, scroll x, width) -> the strip shown
        self._styled_with: object = None
        self._frame_style = None
        self._shown: tuple[Paper | None, bool, bool] = (None, False, False)
        # (id, read, starred, all authors, width, colours) -> (paper, renderable, lines): recent and prepared
        self._rendered: OrderedDict[tuple, tuple[Paper | None, RenderableType, list[Strip]]] = OrderedDict()
        self._width = 0
        self._warned: set[str] = set()  # papers whose cut was reported (once each)
        self._variables: dict[str, str] | None = None  # the app's CSS variables _colors_now were made from
        self._colors_now: RichColors | None = None
        self._drawn_colors: RichColors | None = None  # the colours the lines shown were rendered in
        # What the Hub knows of a paper (arXiv id -> HFPaper or None), and a count the app bumps when that
        # may have changed (a sync landed): part of every rendered paper's key.
        self.lookup = None
        self.known_version = 0
        self.note_of = None  # arXiv id -> the user's note ("" for none): the app's (reader.tui.notes)

    def show(self, paper: Paper | None, *, read: bool = False, starred: bool = False, reset: bool = True) -> None:
        if reset and (paper is None or self.paper is None or paper.arxiv_id != self.paper.arxiv_id):
            self.all_authors = False
            if self.scroll_offset.y or self.scroll_offset.x:
                self.scroll_home(animate=False)
        self.paper = paper
        if paper is not None and paper.arxiv_id not in self._warned and self.is_mounted:
            report = cut_report(paper)
            if report:
                self._warned.add(paper.arxiv_id)
                self.app.notify(report, severity="warning", markup=False, timeout=10)
        self._shown = (paper, read, starred)
        self._render_lines()

    def prepare(self, paper: Paper, *, read: bool, starred: bool) -> None:
        """Render a paper the cursor may move to next, while the reader is idle (j/k then only swap lines)."""
        if self.is_mounted and self.scrollable_content_region.width > 0:
            self._lines_for(paper, read, starred, all_authors=False)

    def _lines_for(self, paper: Paper | None, read: bool, starred: bool, all_authors: bool):
        width = self.scrollable_content_region.width
        colors = self._colors()
        note = self.note_of(paper.arxiv_id) if paper is not None and self.note_of is not None else ""
        key = (paper.arxiv_id if paper else None, read, starred, all_authors, width, colors, self.known_version, note)
        found = self._rendered.get(key)
        if found is not None and found[0] is paper:
            self._rendered.move_to_end(key)
            return found[1], found[2]
        if paper is None:
            renderable: RenderableType = Text("No paper here.", style=Style(color=colors.muted) if colors else "dim")
        else:
            renderable = render_paper(paper, read=read, starred=starred, all_authors=all_authors, colors=colors,
                                      known=self._known(paper), note=note)
        console = self.app.console
        options = self.app.console_options.update(width=width, min_width=width, max_width=width, highlight=False,
                                                  height=None)
        lines = [Strip(line) for line in console.render_lines(renderable, options, pad=False, new_lines=False)]
        self._rendered[key] = (paper, renderable, lines)
        while len(self._rendered) > 48:
            self._rendered.popitem(last=False)
        return renderable, lines

    def _colors(self) -> RichColors | None:
        """The reader's colours in the app's theme (reader.tui.palette), None before it has one."""
        if not self.is_mounted:
            return None
        variables = self.app.theme_variables
        if variables is not self._variables:  # a new theme (or the first): its colours
            self._variables, self._colors_now = variables, rich_colors(variables)
        return self._colors_now

    def _known(self, paper: Paper):
        if self.lookup is None:
            return None
        try:
            return self.lookup(paper.arxiv_id)
        except Exception:  # noqa: BLE001 - a store that cannot be read: the digest alone
            return None


    def _render_lines(self) -> None:
        width = self.scrollable_content_region.width
        self._width = width
        paper, read, starred = self._shown
        if width <= 0 or not self.is_mounted:
            self.renderable = (Text("No paper here.", style="dim") if paper is None else
                               render_paper(paper, read=read, starred=starred, all_authors=self.all_authors))
            self._lines = []
            return
        before = self._lines
        self._drawn_colors = self._colors()
        self.renderable, self._lines = self._lines_for(paper, read, starred, self.all_authors)
        # A summary shorter than the pane keeps the pane's height as its virtual size: moving between such
        # papers then changes no size, so no layout pass (the common case, and the cheapest frame).
        size = Size(width, max(len(self._lines), self.scrollable_content_region.height))
        resized = size != self.virtual_size
        if resized:
            self.virtual_size = size
        if resized or self.scroll_offset.y or self.scroll_offset.x or not before:
            self._styled = {}
            self.refresh()
            return
        # Same size, at the top: repaint only the lines that differ (the blank ones below a summary, often a
        # third of the pane, stay as they are; every line repainted costs a cursor move time).
        lines = self._lines
        for y in range(min(self.scrollable_content_region.height, max(len(before), len(lines)))):
            if (before[y] if y < len(before) else None) != (lines[y] if y < len(lines) else None):
                self._styled.pop((y, 0, width), None)
                self.refresh_line(y)

    def on_resize(self) -> None:
        region = self.scrollable_content_region
        if region.width != self._width:
            self._render_lines()
        elif self.virtual_size.height != max(len(self._lines), region.height):
            self.virtual_size = Size(region.width, max(len(self._lines), region.height))

    def on_mount(self) -> None:
        self.call_after_refresh(self._render_lines)

    def render_lines(self, crop):
        if self.scrollable_content_region.width != self._width or self._colors() != self._drawn_colors:
            # The first frame with a size (or a new width): lay the summary out now, so it is in this very
            # frame rather than in one more after a resize event (the first screen waited ~60 ms for it).
            # A new theme: the summary in its colours.
            self._render_lines()
        self._frame_style = self.rich_style  # once a frame, not once a line (it walks the CSS each time)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.scrollable_content_region.width
        style = self._frame_style if self._frame_style is not None else self.rich_style
        if style != self._styled_with:  # a theme change: style the lines afresh
            self._styled, self._styled_with = {}, style
        if index >= len(self._lines):
            return Strip.blank(width, style)
        key = (index, scroll_x, width)
        strip = self._styled.get(key)
        if strip is None:
            strip = self._styled[key] = self._lines[index].crop_extend(scroll_x, scroll_x + width, style).apply_style(style)
        return strip
