"""A question with a yes and a no (M: "mark every day up to this one read?", and the offer after a first sync
to start from today). Nothing happens until y or Enter; n or Esc leaves everything as it is."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape,q", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, question: str, detail: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box") as box:
            box.border_title = self.title_text
            box.border_subtitle = "y / Enter: yes · n / Esc: no"
            yield Static(self.question, id="confirm-question", markup=False)
            if self.detail:
                yield Static(self.detail, id="confirm-detail", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def confirm(app: App, title: str, question: str, detail: str, then: Callable[[], None]) -> None:
    """Ask; then() runs only on yes."""

    def answered(yes: bool | None) -> None:
        if yes:
            then()

    app.push_screen(ConfirmScreen(title, question, detail), answered)
