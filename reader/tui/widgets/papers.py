"""The paper list of a day: unread and starred marks, votes, the title cut with an ellipsis (by cells: a
Korean title is cut where the row ends, not after so many characters); the highlighted row shows its whole
title, wrapped under itself."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.core.limits import SHOWN_ROW_CHARS
from reader.core.model import Paper
from reader.core.sanitize import clean_line
from reader.tui.widgets.keys import list_bindings
from reader.tui.widgets.steady_list import SteadyOptionList


def paper_prompt(paper: Paper, read: bool, starred: bool, show_date: bool = False) -> Content:
    votes = "-" if paper.votes is None else str(paper.votes)
    parts: list[str | tuple[str, str]] = [
        ("●" if not read else " ", "$reader-accent"),
        ("★" if starred else " ", "$reader-warning"),
        (f"{votes:>4} ", "$reader-muted"),
    ]
    if show_date:
        parts.append((f"{paper.date} ", "$reader-muted"))
    # A row shows a few dozen characters of the title (then "…"); the rest never needs laying out.
    parts.append((row_title(paper), "bold" if not read else ""))
    return Content.assemble(*parts)


def row_title(paper: Paper) -> str:
    """The title as a row holds it (the highlighted row shows all of it, wrapped, up to SHOWN_ROW_CHARS)."""
    return clean_line(paper.title[:SHOWN_ROW_CHARS])


def wrapped_prompt(prompt: Content, title_chars: int, width: int) -> Content | None:
    """prompt (a row: marks, votes, the title last, title_chars characters of it) on as many lines as its title
    needs at width cells, the title's lines under its start; None when it fits on one line."""
    if prompt.cell_length <= width or width <= 0:
        return None
    split = len(prompt.plain) - title_chars
    lead, title = prompt[:split], prompt[split:]
    indent = lead.cell_length
    if width - indent < 10:  # too narrow to wrap under the title: the row as it is (cut)
        return None
    lines = title.wrap(width - indent, overflow="fold")
    if len(lines) <= 1:
        return None
    rows = [lead + lines[0], *(Content(" " * indent) + line.rstrip() for line in lines[1:])]
    return Content("\n").join(rows)


class PaperList(SteadyOptionList):
    """Papers as a virtual list (OptionList): thousands of rows cost one widget."""

    BINDINGS = list_bindings("list")

    class PaperOpened(Message):
        def __init__(self, paper: Paper) -> None:
            super().__init__()
            self.paper = paper

    def __init__(self, on_highlight: Callable[[Paper | None], None] | None = None, **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.papers: list[Paper] = []
        # Called at once (not through a message) when the highlighted paper changes: the summary is redrawn
        # in the same frame as the cursor, where a message would cost a second frame.
        self.on_highlight = on_highlight
        self._reported: Paper | None = None
        # Rows wrapped as the highlighted row shows them: (option, id of its prompt, width) -> (the prompt,
        # the visual, None where it fits on one line).
        self._wrapped: dict[tuple, tuple] = {}

    def show(self, papers: list[Paper], prompts: list[Content], keep: str | None = None) -> None:
        """Show papers; highlight the one with id keep if present, else the first."""
        self.papers = papers
        self.set_options([Option(prompt, id=str(i)) for i, prompt in enumerate(prompts)])
        index = 0
        if keep is not None:
            index = next((i for i, p in enumerate(papers) if p.arxiv_id == keep), 0)
        self._reported = None
        if papers:
            self.highlighted = index
            self.scroll_to_highlight()
        self._report(force=True)

    def _report(self, force: bool = False) -> None:
        paper = self.current
        if self.on_highlight is not None and (force or paper is not self._reported):
            self._reported = paper
            self.on_highlight(paper)

    # Moving the cursor repaints the two rows it leaves and reaches, not the whole list (one row a line:
    # the list never wraps). Half the cost of a cursor frame was repainting unchanged rows.
    highlighted: reactive[int | None] = reactive(None, repaint=False)

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        moved = self._relayout(old, new)
        super().watch_highlighted(new)
        if moved is not None:
            # A row of more than one line came or went: repaint from there (to the end of the two rows, or,
            # when the rows below moved, of the list).
            self.refresh_lines(moved[0], moved[1] - moved[0])
        for index in (old, new):  # the row the cursor left and the one it reached
            if index is not None:
                line = self._line_cache.index_to_line.get(index, index)
                self.refresh_lines(line, self._line_cache.heights.get(index, 1))
        self._report()

    def _relayout(self, old: int | None, new: int | None) -> tuple[int, int] | None:
        """The rows old and new take the lines they need now (the highlighted one its whole title); the
        other rows keep theirs, unmeasured (one line each: the list never wraps). Returns the lines to
        repaint (first, end), None when no row changed its height."""
        cache = self._line_cache
        if not cache.lines:
            return None  # nothing laid out yet: OptionList measures every row when it lays them out
        heights = cache.heights
        changed: list[int] = []
        for index in (old, new):
            if index is None or index not in heights:
                continue
            wrapped = self._wrapped_visual(index) if index == new else None
            height = 1 if wrapped is None else wrapped.plain.count("\n") + 1
            if heights[index] != height:
                heights[index] = height
                changed.append(index)
        if not changed:
            return None
        lines, index_to_line = cache.lines, cache.index_to_line
        first, last = min(changed), max(changed)
        start, before = index_to_line[first], len(lines)
        del lines[start:]
        for index in range(first, len(heights)):
            index_to_line[index] = len(lines)
            lines.extend([(index, line) for line in range(heights[index])])
        if len(lines) == before:  # the rows below stay where they were
            return start, index_to_line[last] + heights[last]
        size = Size(self.virtual_size.width, len(lines))
        height = self.scrollable_content_region.height
        if (size.height > height) == (self.virtual_size.height > height):
            # No scrollbar comes or goes: no layout of the screen for it (that is what the reactive would
            # cost: a layout pass on every cursor move).
            self.set_reactive(OptionList.virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size
            self._scroll_update(size)
        return start, max(len(lines), before)

    def _row_width(self) -> int:
        padding = self.get_component_styles("option-list--option").padding
        return self.scrollable_content_region.width - self._get_left_gutter_width() - padding.width

    def _wrapped_visual(self, index: int) -> Content | None:
        """The row at index on the lines its whole title needs (None: it fits on one)."""
        option = self.options[index]
        prompt = option.prompt
        key = (option, id(prompt), self._row_width())
        found = self._wrapped.get(key, self)
        if found is not self and found[0] is prompt:
            return found[1]
        wrapped = None
        if isinstance(prompt, Content) and index < len(self.papers):
            wrapped = wrapped_prompt(prompt, len(row_title(self.papers[index])), key[2])
        self._wrapped[key] = (prompt, wrapped)
        if len(self._wrapped) > 256:
            self._wrapped.pop(next(iter(self._wrapped)))
        return wrapped

    def _get_visual(self, option: Option):
        # OptionList asks each row's visual for its height and its render: the highlighted row's is its whole
        # title, wrapped (its cached renders are keyed by the highlighted style, so they never mix).
        if self.highlighted is not None and self.highlighted < self.option_count \
                and self.options[self.highlighted] is option:
            wrapped = self._wrapped_visual(self.highlighted)
            if wrapped is not None:
                return wrapped
        return super()._get_visual(option)

    @property
    def current(self) -> Paper | None:
        if self.highlighted is None or not self.papers or self.highlighted >= len(self.papers):
            return None
        return self.papers[self.highlighted]

    def refresh_rows(self, prompts_for) -> None:
        """Redraw the rows whose marks may have changed; prompts_for(paper) gives a row."""
        for i, paper in enumerate(self.papers):
            self.replace_option_prompt_at_index(i, prompts_for(paper))

    def refresh_paper(self, arxiv_id: str, prompt_for) -> None:
        for i, paper in enumerate(self.papers):
            if paper.arxiv_id == arxiv_id:
                self.replace_option_prompt_at_index(i, prompt_for(paper))

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()  # reported through on_highlight already

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.current is not None:
            self.post_message(self.PaperOpened(self.current))
