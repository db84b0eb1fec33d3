"""The main screen's three panes drawn from the reading session: the days with their counts, the list shown
(its title, its rows and their marks) and the summary of the highlighted paper. The view only draws: what is
shown is the session's to decide (reader.core.session)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from textual.content import Content
from textual.widget import Widget

from reader.core.model import Paper
from reader.core.session import STARRED, ReadingSession
from reader.core.words import count
from reader.tui.widgets.days import FOR_YOU, DayList, day_prompt, for_you_prompt, starred_prompt
from reader.tui.widgets.detail import PaperDetail
from reader.tui.widgets.papers import PaperList, paper_prompt


class View:
    def __init__(self, session: ReadingSession, on_highlight: Callable[[Paper | None], None]) -> None:
        self.session = session
        self._on_highlight = on_highlight
        self._search_prompts: dict[tuple[int, bool, bool], tuple[Paper, Content]] = {}
        # What the paper list's bottom line adds while the days are folded away (the app's: how fresh the
        # library is, or what a sync is doing); "" while the days show it themselves.
        self.list_note: Callable[[], str] = lambda: ""

    def panes(self) -> Iterator[Widget]:
        """The three panes, built as the app composes its screen."""
        self.days = DayList(id="days")
        self.days.border_title = "Days"
        yield self.days
        self.papers = PaperList(id="papers", on_highlight=self._on_highlight)
        self.papers.border_title = "Papers"
        yield self.papers
        self.detail = PaperDetail(id="detail")
        self.detail.border_title = "Summary"
        yield self.detail

    # -- rows -----------------------------------------------------------------------------------------
    def prompt_for(self, paper: Paper) -> Content:
        state = self.session.state
        return paper_prompt(paper, read=state.is_read(paper.arxiv_id), starred=state.is_starred(paper.arxiv_id),
                            show_date=self.session.key == STARRED)

    def search_prompt_for(self, paper: Paper) -> Content:
        # Kept per paper and marks: typing shows mostly the same newest papers keystroke after keystroke.
        read, starred = self.session.state.is_read(paper.arxiv_id), self.session.state.is_starred(paper.arxiv_id)
        key = (id(paper), read, starred)
        found = self._search_prompts.get(key)
        if found is None or found[0] is not paper:
            if len(self._search_prompts) > 4096:
                self._search_prompts.clear()
            found = self._search_prompts[key] = (paper, paper_prompt(paper, read, starred, True))
        return found[1]

    def _day_prompt(self, date: str) -> Content:
        total, unread = self.session.counts(date)
        return day_prompt(date, total, unread, self.session.language(date))

    def draw_days(self) -> None:
        """Every day row, and the Starred and For you rows; the day shown stays highlighted. From the day
        list's counts: no day's papers are read for it."""
        rows: list[tuple[str, Content]] = [(STARRED, starred_prompt(len(self.session.starred_papers()))),
                                           (FOR_YOU, for_you_prompt())]
        rows.extend((row.date, day_prompt(row.date, row.papers, row.unread, row.language))
                    for row in self.session.day_rows())
        self.days.show(rows, keep=self.session.key)

    def draw_day_rows(self, keys: Iterable[str]) -> None:
        dates = self.session.dates()
        for key in keys:
            if key == STARRED:
                self.days.update_prompt(STARRED, starred_prompt(len(self.session.starred_papers())))
            elif key in dates:
                self.days.update_prompt(key, self._day_prompt(key))

    def draw_list(self, keep: str | None) -> None:
        """The list the session shows, anew, highlighting keep (else the first paper)."""
        session = self.session
        if session.key is not None:
            self.days.select_key(session.key)
        papers = session.papers
        self.papers.border_title = session.title()
        self.papers.border_subtitle = self.list_subtitle()
        self.papers.show(papers, [self.prompt_for(p) for p in papers], keep=keep)

    def draw_rows(self, arxiv_ids: Iterable[str] | None = None) -> None:
        """The marks of these papers' rows (None: every row)."""
        if arxiv_ids is None:
            self.papers.refresh_rows(self.prompt_for)
        else:
            for arxiv_id in arxiv_ids:
                self.papers.refresh_paper(arxiv_id, self.prompt_for)

    def draw_detail(self, paper: Paper | None, reset: bool = True) -> None:
        """The summary of paper (reset: from its top, with the short author list)."""
        state = self.session.state
        read = paper is not None and state.is_read(paper.arxiv_id)
        starred = paper is not None and state.is_starred(paper.arxiv_id)
        self.detail.show(paper, read=read, starred=starred, reset=reset)

    def toggle_authors(self) -> None:
        self.detail.all_authors = not self.detail.all_authors
        self.draw_detail(self.detail.paper, reset=False)

    def prepare_neighbours(self) -> None:
        """Render the papers above and below the cursor (once the frame is out), so j/k only swaps
        prepared lines."""
        plist, detail = self.papers, self.detail
        if not plist.is_attached or plist.highlighted is None:  # the reader is closing
            return
        state = self.session.state
        for index in (plist.highlighted + 1, plist.highlighted - 1):
            if 0 <= index < len(plist.papers):
                paper = plist.papers[index]
                detail.prepare(paper, read=state.is_read(paper.arxiv_id), starred=state.is_starred(paper.arxiv_id))

    def list_subtitle(self) -> str:
        text = count(len(self.session.papers), "paper")
        note = self.list_note()
        return f"{text} · {note}" if note else text

    def show_freshness(self, freshness: str, status: str) -> None:
        """The days' title says how fresh the library is, their bottom line what is under way (a loading
        progress stays until the loading ends); the list's bottom line follows (list_note)."""
        # Each assignment repaints its pane: only what changed is assigned (a summarising run reports every paper).
        _set(self.days, "border_title", f"Days · {freshness}" if freshness else "Days")
        if status or not self.session.library.pending:
            _set(self.days, "border_subtitle", status)
        _set(self.papers, "border_subtitle", self.list_subtitle())

    def set_status(self, text: str) -> None:
        """The line under the days: loading, reloading, a sync's progress ("" clears it)."""
        _set(self.days, "border_subtitle", text)


def _set(widget: Widget, name: str, text: str) -> None:
    if str(getattr(widget, name) or "") != text:
        setattr(widget, name, text)
