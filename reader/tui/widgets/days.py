"""The sidebar: "Starred", then every day, newest first, with paper and unread counts."""

from __future__ import annotations

from datetime import date as _date

from textual import on
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.core.session import STARRED  # noqa: F401 - the Starred row's key, named here too
from reader.tui.widgets.keys import list_bindings
from reader.tui.widgets.steady_list import SteadyOptionList


def day_prompt(day: str, total: int, unread: int, language: str = "") -> Content:
    """"2024-08-15 Thu ko ●7    8": the date, its weekday, in which language it reads (reader.core.freshness:
    ko, en, or ke for some of each), unread and total papers."""
    try:
        weekday = _date.fromisoformat(day).strftime("%a")
    except ValueError:
        weekday = "   "
    unread_text = f"●{unread:<3}" if unread else " ✓  "
    total_text = f"{total:>3}"
    if not unread_text.endswith(" ") and not total_text.startswith(" "):
        total_text = " " + total_text  # counts wider than their columns: "●1050 1200", never "●10501200"
    return Content.assemble(
        (day, "bold" if unread else ""),
        (f" {weekday} ", "$reader-muted"),
        (f"{language:<2} " if language else "", "$reader-muted"),
        (unread_text, "$reader-accent" if unread else "$reader-muted"),
        (total_text, "$reader-muted"),
    )


FOR_YOU = "for-you"  # the For you row's key (reader.tui.screens.similar)


def for_you_prompt() -> Content:
    return Content.assemble(("♥ For you", "bold $reader-accent"), ("  like your stars", "$reader-muted"))


def starred_prompt(count: int) -> Content:
    return Content.assemble(("★ Starred", "bold $reader-warning"), (f"  {count}", "$reader-muted"))


class DayList(SteadyOptionList):
    """Days as a virtual list: one OptionList row per day, never a widget per row."""

    BINDINGS = list_bindings("day")

    class DayChosen(Message):
        """A day (or "starred") was highlighted or selected."""

        def __init__(self, key: str, go_deeper: bool) -> None:
            super().__init__()
            self.key = key
            self.go_deeper = go_deeper

    def __init__(self, **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self._suppress = False

    def show(self, rows: list[tuple[str, Content]], keep: str | None) -> None:
        """Replace the rows (key, prompt) keeping the highlighted key where it still exists."""
        self._suppress = True
        try:
            self.set_options([Option(prompt, id=key) for key, prompt in rows])
            if keep is not None:
                self.select_key(keep)
        finally:
            self._suppress = False

    def update_prompt(self, key: str, prompt: Content) -> None:
        try:
            self.replace_option_prompt(key, prompt)
        except Exception:  # noqa: BLE001 - a row that is not there (yet) needs no update
            pass

    def select_key(self, key: str) -> None:
        try:
            index = self.get_option_index(key)
        except Exception:  # noqa: BLE001
            return
        self._suppress = True
        try:
            self.highlighted = index
        finally:
            self._suppress = False

    @property
    def current_key(self) -> str | None:
        if self.highlighted is None:
            return None
        return self.get_option_at_index(self.highlighted).id

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if not self._suppress and event.option.id:
            self.post_message(self.DayChosen(event.option.id, go_deeper=False))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.DayChosen(event.option.id, go_deeper=True))
