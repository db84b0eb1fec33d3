"""Notes: a paper's own text (`e` in the reader), kept with its marks.

The notes live beside the state file, in `<state>.notes` (state.json.notes), under the same lock as the
marks and with the same promises: a change is on disk, fsync'd, before the call returns (an atomic rewrite:
a temporary file fsync'd and renamed over, so a crash leaves the old notes or the new, never half); before
each write the file is read again under the lock, so two readers and `state import` lose no note; a file
that cannot be written keeps the change in memory with one notice, and the next write tries again; a damaged
file is moved aside (never deleted) with a notice. Notes are few and written at the pace of a person editing
them: one whole rewrite per change needs no journal.

Each note carries the time it changed, and an emptied note stays as an empty one with its time, so that an
import (newest change wins, note by note, as for the marks) knows a deletion is newer. Text from an editor is
untrusted: it is capped (MAX_NOTE_CHARS) here and cleaned where it is shown.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, NamedTuple

NOTES_FORMAT = "daily-papers-notes"
MAX_NOTE_CHARS = 20_000


class Note(NamedTuple):
    text: str = ""
    updated: float = 0.0


def clean_note_text(text: str) -> tuple[str, int]:
    """(the text as kept: line ends made \\n, no NUL, no trailing blank lines, cut to MAX_NOTE_CHARS;
    how many characters were cut)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").rstrip()
    if len(text) > MAX_NOTE_CHARS:
        return text[:MAX_NOTE_CHARS], len(text) - MAX_NOTE_CHARS
    return text, 0


def parse_notes(data: Any, source: str = "the file") -> dict[str, Note]:
    """{arxiv id: Note} from a notes file or the "notes" of a state export; ValueError when one is not valid."""
    if isinstance(data, dict) and "notes" in data:
        data = data["notes"]
    if not isinstance(data, dict):
        raise ValueError(f"{source}: the notes are not an object")
    notes: dict[str, Note] = {}
    for arxiv_id, doc in data.items():
        text = doc.get("text") if isinstance(doc, dict) else None
        updated = doc.get("updated") if isinstance(doc, dict) else None
        if (not isinstance(arxiv_id, str) or not arxiv_id.strip() or len(arxiv_id) > 200 or not isinstance(text, str)
                or len(text) > MAX_NOTE_CHARS or isinstance(updated, bool) or not isinstance(updated, (int, float))
                or not math.isfinite(updated)):
            raise ValueError(f"{source}: the note of {arxiv_id[:40]!r} is not valid")
        notes[arxiv_id.strip()] = Note(text, float(updated))
    return notes


def notes_data(notes: dict[str, Note]) -> dict[str, dict]:
    return {k: {"text": n.text, "updated": n.updated} for k, n in sorted(notes.items())}


class NotesMixin:
    """The notes part of StateStore (reader.core.state): notes(), note(), set_note(), and what state
    export/import need (note_records(), merge_notes())."""

    path: Path
    _real_path: Path
    _storage: Any
    _clock: Any
    _mutex: Any

    def _notice(self, message: str) -> None: ...

    # -- the file ---------------------------------------------------------------------------------------
    def _notes_path(self) -> Path | None:
        return None if self._storage is None else self._real_path.with_name(self._real_path.name + ".notes")

    def _notes_loaded(self) -> dict[str, Note]:
        notes = getattr(self, "_notes", None)
        if notes is None:
            notes = self._notes = {}
            self._unsaved_notes: dict[str, Note] = {}
            self._notes_failing: str | None = None
            try:
                notes.update(self._read_notes())
            except OSError as exc:
                self._notice(f"cannot read the notes {self._notes_path()} ({exc.strerror or exc}); "
                             "notes written now are kept in memory until it can be read")
        return notes

    def _read_notes(self) -> dict[str, Note]:
        """What the notes file holds (empty when there is none); a damaged one is moved aside with a notice."""
        from reader.core.files import load_json, read_regular
        from reader.core.limits import MAX_STATE_BYTES

        path = self._notes_path()
        if path is None:
            return {}
        try:
            raw = read_regular(path, MAX_STATE_BYTES, what="a notes file")
        except FileNotFoundError:
            return {}
        if not raw.strip():
            return {}
        try:
            data = load_json(raw)
            if not isinstance(data, dict) or data.get("format") != NOTES_FORMAT:
                raise ValueError("not a daily-papers notes file")
            return parse_notes(data, path.name)
        except ValueError as exc:
            from reader.core.state_recovery import move_aside

            target = move_aside(path, "corrupt")
            self._notice(f"the notes file was damaged ({str(exc)[:80]}); it was moved to {target}")
            return {}

    def _write_notes(self, changes: dict[str, Note], newest_wins: bool) -> dict[str, Note]:
        """Under the lock: the file read again, the changes applied (those newer than what is there, when
        newest_wins), written whole; returns the changes taken. On failure they stay in memory."""
        from reader.core.atomic import write_text_atomic

        notes = self._notes_loaded()
        with self._mutex:
            path = self._notes_path()
            if path is None:
                taken = {k: n for k, n in changes.items() if not newest_wins or n.updated > notes.get(k, Note()).updated}
                notes.update(taken)
                return taken
            taken = {}
            try:
                with self._storage.lock:
                    fresh = self._read_notes()
                    for arxiv_id, mine in self._unsaved_notes.items():
                        if mine.updated >= fresh.get(arxiv_id, Note()).updated:
                            fresh[arxiv_id] = mine
                    taken = {k: n for k, n in changes.items()
                             if not newest_wins or n.updated > fresh.get(k, Note()).updated}
                    fresh.update(taken)
                    notes.clear()
                    notes.update(fresh)
                    body = {"format": NOTES_FORMAT, "schema": 1, "notes": notes_data(fresh)}
                    write_text_atomic(path, json.dumps(body, ensure_ascii=False, indent=1) + "\n", private=True)
                self._unsaved_notes.clear()
                if self._notes_failing:
                    self._notes_failing = None
                    self._notice(f"notes saved again to {path}")
            except OSError as exc:
                if not taken:
                    taken = {k: n for k, n in changes.items()
                             if not newest_wins or n.updated > notes.get(k, Note()).updated}
                notes.update(taken)
                self._unsaved_notes.update(taken)
                message = (f"cannot save the notes to {path} ({exc.strerror or exc}); they are kept in memory and "
                           "saving is retried with the next change")
                if self._notes_failing != message:
                    self._notes_failing = message
                    self._notice(message)
            return taken

    # -- public ---------------------------------------------------------------------------------------------
    def notes(self) -> dict[str, str]:
        """{arxiv id: note} of every paper with a note."""
        return {k: n.text for k, n in self._notes_loaded().items() if n.text}

    def note(self, arxiv_id: str) -> str:
        return self._notes_loaded().get(arxiv_id, Note()).text

    def set_note(self, arxiv_id: str, text: str) -> tuple[str, int]:
        """Keep text as the paper's note ("" deletes it); returns (the text kept, characters cut)."""
        kept, cut = clean_note_text(text)
        before = self._notes_loaded().get(arxiv_id, Note())
        if kept == before.text:
            return kept, cut
        updated = max(self._clock(), before.updated + 1e-6)
        self._write_notes({arxiv_id: Note(kept, updated)}, newest_wins=False)
        return kept, cut

    def note_records(self) -> dict[str, Note]:
        """Every note with its time, emptied ones too (for state export)."""
        return dict(self._notes_loaded())

    def merge_notes(self, incoming: dict[str, Note]) -> dict[str, Note]:
        """Take notes from an import, note by note: the newest change wins. Returns those taken."""
        if not incoming:
            return {}
        return self._write_notes(dict(incoming), newest_wins=True)

    def unsaved_note_ids(self) -> set[str]:
        return set(getattr(self, "_unsaved_notes", {}))

    def flush_notes(self) -> bool:
        """Try again to write the notes the disk refused (flush(), close() and quitting come here); True when
        none is left unsaved."""
        if self.unsaved_note_ids():
            self._write_notes({}, newest_wins=False)
        return not self.unsaved_note_ids()

    def notes_problem(self) -> str | None:
        """Why the notes could not be saved (one line), while some are unsaved."""
        return getattr(self, "_notes_failing", None) if self.unsaved_note_ids() else None
