"""? : every key, with its id (for keymaps in config.json) and what it does."""

from __future__ import annotations

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.core.sanitize import visible_line
from reader.tui.palette import rich_colors


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

    def _texts(self) -> tuple[Table, Text]:
        """The table of keys and the note under it, the quiet columns in the theme's readable muted colour
        (reader.tui.palette): Rich's dim is not readable in every theme."""
        muted = Style(color=rich_colors(self.app.theme_variables).muted)
        table = Table(box=None, expand=True, show_header=True, header_style="bold")
        table.add_column("Key", no_wrap=True)
        table.add_column("Action")
        table.add_column("Where", style=muted, no_wrap=True)
        table.add_column("Binding id", style=muted, no_wrap=True)
        for keys, description, where, binding_id in self.rows:
            table.add_row(Text(visible_line(keys), style="bold"), Text(visible_line(description)),
                          Text(visible_line(where)), Text(visible_line(binding_id)))
        note = Text(f"\nRemap keys in {visible_line(self.config_path)}: {{\"keymap\": {{\"star\": \"x\"}}}}. "
                    "Ctrl+P: command palette.", style=muted)
        return table, note

    def compose(self) -> ComposeResult:
        table, note = self._texts()
        with VerticalScroll(id="help-box") as box:
            box.border_title = "daily-papers keys"
            box.border_subtitle = "Esc closes"
            yield Static(table, id="help-table")
            yield Static(note, id="help-note")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme) -> None:
        table, note = self._texts()
        self.query_one("#help-table", Static).update(table)
        self.query_one("#help-note", Static).update(note)

    def action_scroll(self, direction: str) -> None:
        box = self.query_one("#help-box", VerticalScroll)
        box.scroll_down() if direction == "down" else box.scroll_up()


def open_help(app: App, keymap: dict[str, str], config_path: str) -> None:
    """? : every key as the user has it (reader.tui.bindings.help_rows)."""
    from reader.tui.bindings import help_rows

    app.push_screen(HelpScreen(help_rows(keymap), config_path))
