"""The reference for cursor latency: a bare Textual OptionList whose highlight updates one Static."""

import sys

from textual.app import App, ComposeResult
from textual.widgets import OptionList, Static


class BareListApp(App[None]):
    BINDINGS = [("q", "quit", "Quit"), ("j", "down", "Down"), ("k", "up", "Up")]

    def __init__(self, ids: list[str]) -> None:
        super().__init__()
        self.ids = ids

    def compose(self) -> ComposeResult:
        yield OptionList(*self.ids)
        yield Static("")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one(Static).update(f"arXiv {self.ids[event.option_index]}")

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()


if __name__ == "__main__":
    BareListApp(sys.argv[1:]).run()
