"""e : a note for the shown paper, written in the user's own editor ($VISUAL, $EDITOR, else nano or vi).

The reader hands the terminal to the editor (Textual's App.suspend, through the System edge) on a private
temporary file holding the note, reads the file back when the editor ends and keeps it with the marks
(reader.core.state_notes: on disk at once, exported and imported with them). What the editor leaves is
untrusted text: capped when kept, cleaned where it is shown (the summary pane). With no editor, or a
terminal that cannot be handed over (over SSH, say, with no editor installed): one notice, nothing changed.

A mixin of the app, as sharing and navigation are.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from reader.core.session import ReadingSession
from reader.core.words import count
from reader.tui.system import System

# What is read back of the file: a note is capped anyway (reader.core.state_notes.MAX_NOTE_CHARS); an editor
# that left a huge file costs no more than this.
READ_BACK_BYTES = 1024 * 1024


class Notes:
    session: ReadingSession
    system: System

    def action_note(self) -> None:
        from textual.app import SuspendNotSupported

        paper = self.session.current
        if paper is None:
            return
        argv = self.system.editor()
        if argv is None:
            self.notify("No editor to write the note in: set $EDITOR (export EDITOR=nano, say)",
                        severity="warning", markup=False, timeout=8)
            return
        state = self.session.state
        with tempfile.TemporaryDirectory(prefix="daily-papers-note-") as folder:
            path = Path(folder) / (re.sub(r"[^A-Za-z0-9._-]", "_", paper.arxiv_id)[:60] + ".md")
            before = state.note(paper.arxiv_id)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(before + ("\n" if before else ""))
            try:
                with self.system.suspended(self):
                    problem = self.system.run_editor(argv, str(path))
            except SuspendNotSupported:
                problem = "this terminal cannot be handed to an editor; the note was not changed"
            if problem:
                self.notify(problem[0].upper() + problem[1:], severity="warning", markup=False, timeout=8)
                return
            try:
                with open(path, "rb") as handle:
                    text = handle.read(READ_BACK_BYTES).decode("utf-8", errors="replace")
            except OSError as exc:
                self.notify(f"Could not read the note back ({exc.strerror or exc}); nothing changed",
                            severity="warning", markup=False, timeout=8)
                return
        kept, cut = state.set_note(paper.arxiv_id, text)
        for notice in self.session.take_notices():
            self.notify(notice, severity="warning", markup=False, timeout=10)
        if cut:
            self.notify(f"The note was cut to its first {count(len(kept), 'character')}",
                        severity="warning", markup=False, timeout=8)
        elif kept != before:
            self.notify("Note saved" if kept else "Note deleted", markup=False, timeout=2)
        self.view.draw_detail(self.session.current, reset=False)
