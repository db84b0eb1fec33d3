"""Quitting while changes to the marks could not be saved: retry, save them to another file, or quit anyway.

The reader shows this only after a retry on quitting has failed (quit_or_ask, on q). It
dismisses with None (back to reading), "saved" (a retry worked: quit), a Path (every mark was written there,
in the `daily-papers state export` format, so `daily-papers state import PATH` takes them back: quit), or
"quit" (quit anyway: the reader then says on stderr how many changes were not saved, and exits 1).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from reader.core.sanitize import visible
from reader.core.state import StateStore
from reader.tui.widgets.text_box import TextBox


def changes_text(count: int) -> str:
    return f"{count} change was" if count == 1 else f"{count} changes were"


class UnsavedScreen(ModalScreen["str | Path | None"]):
    DEFAULT_CSS = """
    UnsavedScreen { align: center middle; background: $background 60%; }
    #unsaved-box { width: 90%; max-width: 100; height: auto; border: round $error; background: $surface;
                   padding: 1 2; color: $reader-text; }
    #unsaved-message { height: auto; }
    #unsaved-status { height: auto; color: $reader-warning; }
    #unsaved-buttons { height: auto; margin-top: 1; }
    #unsaved-buttons Button { margin-right: 2; }
    #unsaved-path { display: none; margin-top: 1; }
    #unsaved-path.-shown { display: block; }
    """

    BINDINGS = [
        Binding("r", "retry", "Retry", id="unsaved.retry"),
        Binding("s", "ask_path", "Save marks to another file", id="unsaved.save_elsewhere"),
        Binding("Q", "quit_anyway", "Quit anyway", id="unsaved.quit_anyway"),
        Binding("escape", "back", "Back to reading", id="unsaved.back"),
    ]

    def __init__(self, state: StateStore) -> None:
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        with Vertical(id="unsaved-box") as box:
            box.border_title = "Changes not saved"
            box.border_subtitle = "r retry · s save elsewhere · Q quit anyway · Esc back"
            yield Static("", id="unsaved-message", markup=False)
            yield Static("", id="unsaved-status", markup=False)
            yield TextBox(placeholder="a file for your marks (daily-papers state import FILE takes them back)",
                        id="unsaved-path")
            with Horizontal(id="unsaved-buttons"):
                yield Button("Retry", id="unsaved-retry", variant="primary")
                yield Button("Save marks to another file…", id="unsaved-save")
                yield Button("Quit anyway", id="unsaved-quit", variant="error")

    def on_mount(self) -> None:
        self._describe()
        self.query_one("#unsaved-retry", Button).focus()

    def _describe(self) -> None:
        count = len(self.state.unsaved_ids())
        why = self.state.save_problem() or ""
        self.query_one("#unsaved-message", Static).update(visible(
            f"{changes_text(count)} not saved to {self.state.path}.\n{why}\n\n"
            "Retry, save every mark to another file (daily-papers state import FILE takes them back later), "
            "or quit anyway and lose them."))

    def _status(self, text: str) -> None:
        self.query_one("#unsaved-status", Static).update(visible(text))

    # -- the choices ----------------------------------------------------------------------------------------
    def action_retry(self) -> None:
        if self.state.flush():
            self.dismiss("saved")
            return
        self._describe()
        self._status(f"Still not saved ({time.strftime('%H:%M:%S')}).")

    def action_ask_path(self) -> None:
        box = self.query_one("#unsaved-path", Input)
        if not box.has_class("-shown"):
            box.add_class("-shown")
            box.value = str(Path.home() / f"daily-papers-marks-{time.strftime('%Y%m%d-%H%M%S')}.json")
        box.focus()
        self._status("Type a file name and press Enter (Esc goes back).")

    def action_quit_anyway(self) -> None:
        self.dismiss("quit")

    def action_back(self) -> None:
        box = self.query_one("#unsaved-path", Input)
        if box.has_focus:  # first Esc leaves the file name, the second the dialog
            self.query_one("#unsaved-save", Button).focus()
            return
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        {"unsaved-retry": self.action_retry, "unsaved-save": self.action_ask_path,
         "unsaved-quit": self.action_quit_anyway}[event.button.id or ""]()

    @on(Input.Submitted, "#unsaved-path")
    def _save(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self._status("Type a file name first.")
            return
        target = Path(text).expanduser()
        if target.is_dir():
            target = target / f"daily-papers-marks-{time.strftime('%Y%m%d-%H%M%S')}.json"
        if target.exists() or target.is_symlink():
            self._status(f"{target} exists: it is left as it is; type another name.")
            return
        problem = save_marks(self.state, target)
        if problem is not None:
            self._status(problem)
            return
        self.dismiss(target)


def save_marks(state: StateStore, target: Path) -> str | None:
    """Every mark and note (the unsaved ones with them) to target, as `daily-papers state export` writes them;
    None when it worked, else why not (one line)."""
    from reader.core.atomic import write_text_atomic
    from reader.core.state_export import dump_export, export_data

    try:
        write_text_atomic(target, dump_export(export_data(state.marks(), state.note_records())))
    except OSError as exc:
        return f"Cannot write {target}: {exc.strerror or exc}; type another name."
    return None


def quit_or_ask(app: App, state: StateStore, saved_to: Callable[[Path], None]) -> None:
    """q, Ctrl+Q, the palette: quit; with changes the disk refused, first retry, and if that fails ask
    (retry, save them to another file: saved_to(path), quit anyway)."""
    if isinstance(app.screen, UnsavedScreen):
        return
    if state.unsaved_ids() and not state.flush():
        app.clear_notifications()  # the dialog says why; toasts over it would hide it
        state.notices.clear()

        def chosen(choice: "str | Path | None") -> None:
            if choice is None:
                return
            if isinstance(choice, Path):
                saved_to(choice)
            app.exit()

        app.push_screen(UnsavedScreen(state), chosen)
        return
    app.exit()
