"""The palette's "Export starred as …": a dialog with the file to write, the last folder and name chosen
(reader.core.remembered) as its default, else starred-DATE.ext in the working folder. Enter writes; a file
that is there already is replaced only on a second Enter; Esc writes nothing."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from reader.core.sanitize import clean_line
from reader.tui.widgets.text_box import TextBox

_DATED = re.compile(r"starred-[0-9]{4}-[0-9]{2}-[0-9]{2}(?:-[0-9]+)?\.[A-Za-z]+")


def default_path(ending: str, folder: str | None, name: str | None) -> Path:
    """The path the dialog offers: the folder last chosen (while it is there), else the working folder; the
    name last typed (with this format's ending), else starred-DATE (a free one: -2, -3 ...)."""
    place = Path(folder) if folder and os.path.isdir(folder) else Path.cwd()
    if name and not _DATED.fullmatch(name):
        return place / (Path(name).stem + ending)
    stamp = time.strftime("%Y-%m-%d")
    target, n = place / f"starred-{stamp}{ending}", 2
    while target.exists():
        target, n = place / f"starred-{stamp}-{n}{ending}", n + 1
    return target


class ExportScreen(ModalScreen[Path | None]):
    BINDINGS = [Binding("escape", "cancel", "Back", id="export.cancel")]

    def __init__(self, what: str, path: Path) -> None:
        super().__init__()
        self.what = what
        self.path = path
        self._replace: Path | None = None  # the file a second Enter replaces

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box") as box:
            box.border_title = f"Export starred as {self.what}"
            box.border_subtitle = "Enter writes · Esc goes back"
            yield TextBox(value=str(self.path), id="export-path")
            yield Static("The file to write (the folder and name are remembered for next time)", id="export-note",
                         markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def say(self, text: str) -> None:
        self.query_one("#export-note", Static).update(text)

    @on(Input.Changed, "#export-path")
    def _changed(self, event: Input.Changed) -> None:
        cleaned = clean_line(event.value)
        if cleaned != event.value:  # pasted control characters never reach the screen
            event.input.value = cleaned

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.say("Type the file to write")
            return
        path = Path(text).expanduser()
        path = path if path.is_absolute() else Path.cwd() / path
        if path.is_dir():
            self.say(f"{path} is a folder: add a file name")
        elif not path.parent.is_dir():
            self.say(f"No folder {path.parent}")
        elif path.exists() and self._replace != path:
            self._replace = path
            self.say(f"{path.name} is there already: Enter again replaces it")
        else:
            self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_export(app: App, what: str, path: Path, write: Callable[[Path], None]) -> None:
    def chosen(target: Path | None) -> None:
        if target is not None:
            write(target)

    app.push_screen(ExportScreen(what, path), chosen)
