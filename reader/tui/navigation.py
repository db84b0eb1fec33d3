"""The keys that move: days older and newer, the next and previous unread paper, back out of a pane, the
day list on narrow terminals, unread only, every author, and going to a paper or a date (search, palette).

A mixin of the app: what each key shows is the session's decision; here only the focus is the app's own."""

from __future__ import annotations

from collections.abc import Callable

from reader.core.model import Paper
from reader.core.session import Change, ReadingSession
from reader.tui.view import View
from reader.tui.widgets.detail import PaperDetail
from reader.tui.widgets.papers import PaperList


class Navigation:
    session: ReadingSession
    view: View
    apply: Callable[[Change], None]  # the app's: a session's Change onto the widgets

    def action_older_day(self) -> None:
        self.apply(self.session.step_day(+1))

    def action_newer_day(self) -> None:
        self.apply(self.session.step_day(-1))

    def action_next_unread(self) -> None:
        self.apply(self.session.next_unread(+1))

    def action_previous_unread(self) -> None:
        self.apply(self.session.next_unread(-1))

    def action_toggle_unread_only(self) -> None:
        self.apply(self.session.toggle_unread_only())

    def go_to_paper(self, paper: Paper) -> None:
        """Show a paper in its day (from search or the palette)."""
        self.apply(self.session.go_to_paper(paper))

    def go_to_date(self, date: str) -> None:
        self.apply(self.session.go_to_date(date))

    def action_toggle_authors(self) -> None:
        self.view.toggle_authors()

    def action_back(self) -> None:
        focused = self.focused
        if isinstance(focused, PaperDetail):
            self.view.papers.focus()
        elif isinstance(focused, PaperList):
            days = self.view.days
            if days.region.width:  # the sidebar folds away on narrow terminals
                days.focus()

    def action_toggle_sidebar(self) -> None:
        self.screen.toggle_class("-show-days")
        self.show_status()
        if self.screen.has_class("-show-days"):
            self.view.days.focus()
