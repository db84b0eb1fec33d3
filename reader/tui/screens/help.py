"""? : every key, with its id (for keymaps in config.json) and what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.core.sanitize import visible_line


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("j,down", "scroll('down')", "Down", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "Up", show=False, id="help.up"),
    ]

    def __init__(self, rows: list[tuple[str, str, str, str]], config_path: str) -> None:
        super().__init__()
        self.rows = rows
        self.config_path = config_path

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_header=True, header_style="bold")
        table.add_column("Key", no_wrap=True)
        table.add_column("Action")
        table.add_column("Where", style="dim", no_wrap=True)
        table.add_column("Binding id", style="dim", no_wrap=True)
        for keys, description, where, binding_id in self.rows:
            table.add_row(Text(visible_line(keys), style="bold"), Text(visible_line(description)),
                          Text(visible_line(where)), Text(visible_line(binding_id)))
        note = Text(f"\nRemap keys in {visible_line(self.config_path)}: {{\"keymap\": {{\"star\": \"x\"}}}}. "
                    "Ctrl+P: command palette.", style="dim")
        with VerticalScroll(id="help-box") as box:
            box.border_title = "daily-papers keys"
            box.border_subtitle = "Esc closes"
            yield Static(table)
            yield Static(note)

    def action_scroll(self, direction: str) -> None:
        box = self.query_one("#help-box", VerticalScroll)
        box.scroll_down() if direction == "down" else box.scroll_up()


def open_help(app: App, keymap: dict[str, str], config_path: str) -> None:
    """? : every key as the user has it (reader.tui.bindings.help_rows)."""
    from reader.tui.bindings import help_rows

    app.push_screen(HelpScreen(help_rows(keymap), config_path))
