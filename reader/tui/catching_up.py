"""Catching up in one step: M marks every paper of the shown day and of every older day read, after a question
that says how many (z undoes it, as it undoes A); and, the first time the reader opens a library after a sync
with every day unread, the offer "start from today: mark older days read?" (asked once: reader.core.remembered
keeps that it was). The decisions are the session's (reader.core.session: unread_up_to, mark_until_read,
catch_up_offer); here only the asking. A mixin of the app."""

from __future__ import annotations

from collections.abc import Callable

from reader.core.remembered import Remembered
from reader.core.session import STARRED, Change, ReadingSession
from reader.core.words import count
from reader.tui.screens.confirm import confirm


class CatchingUp:
    session: ReadingSession
    remembered: Remembered
    apply: Callable[[Change], None]

    def action_mark_until_read(self) -> None:
        date = self.session.key
        if date is None or date == STARRED:
            self.notify("Choose a day first: M marks it and every older day read", timeout=4)
            return
        if self.session.library.pending:
            self.notify("Still reading the archive: M counts every day once it is read, in a moment", timeout=4)
            return
        ids, days = self.session.unread_up_to(date)
        if not ids:
            self.notify(f"Every paper up to {date} is read already", timeout=3)
            return
        confirm(self, "Mark read", f"Mark {count(len(ids), 'unread paper')} of {count(days, 'day')} up to {date} "
                "read?", f"This day and every older one. {self.session.undo_key} undoes it.",
                lambda: self.apply(self.session.mark_until_read(date)))

    def offer_catch_up(self) -> None:
        """After the whole library is read: once, when it is the user's own and nearly every day is unread
        (a first sync), offer to start from the newest day."""
        if self.remembered.get("catch_up_offered") or not self.showing_own_library():
            return
        if len(self.screen_stack) > 1:  # a screen is open (search, help): ask another time
            return
        offer = self.session.catch_up_offer()
        if offer is None:
            return
        date, unread, days = offer
        self.remembered.remember(catch_up_offered=True)
        newest = self.session.dates()[0]
        confirm(self, "Start from today", f"Start from today ({newest}): mark the older days read?",
                f"{count(unread, 'unread paper')} of {count(days, 'day')} up to {date} would be marked read; "
                f"{newest} stays unread. {self.session.undo_key} undoes it. This is asked only once (M does it "
                "from any day).", lambda: self._caught_up(date))

    def _caught_up(self, date: str) -> None:
        self.apply(self.session.mark_until_read(date))
