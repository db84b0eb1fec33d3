"""Read and starred marks, kept in TinyDB and keyed by arXiv id (a paper on two days shares its marks).

All marks are loaded once when the store opens (one read of the state file and its journal); reads are
dictionary lookups. A change is on disk, fsync'd, before the call returns: it takes the inter-process lock,
picks up what other processes wrote since (so two readers and any number of `daily-papers mark` lose no
update), applies the change to that fresh state and appends one journal line (see state_storage).

When the state cannot be written (a read-only folder, a lock held for too long, a damaged file that could
not be moved aside), changes are kept in memory, a one-line notice is put in ``.notices``, and every later
write (or ``flush()``/``reload()``) tries again; ``unsaved_ids()`` tells what is not on disk yet.
"""

from __future__ import annotations

import math
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from reader.core.state_format import SCHEMA_VERSION, Mark, StateError, StateSchemaError
from reader.core.state_export import EXPORT_FORMAT, export_data, marks_from_export
from reader.core.state_storage import JournalStorage, failure_reason, is_lock_timeout
from reader.core.state_notes import Note, NotesMixin
from reader.core.state_undo import Undo

__all__ = [
    "EXPORT_FORMAT",
    "SCHEMA_VERSION",
    "Mark",
    "Note",
    "StateError",
    "StateSchemaError",
    "StateStore",
    "Undo",
    "export_data",
    "marks_from_export",
]

#: A change is stamped at least this much later than the mark it replaces (see StateStore._stamp).
STAMP_STEP = 1e-6


class StateStore(NotesMixin):
    def __init__(self, path: str | os.PathLike[str], *, journal_limit: int | None = None,
                 lock_timeout: float | None = None, settle_later: bool = False,
                 clock: Callable[[], float] = time.time) -> None:
        """Open the state file at path (created on the first change). Raises StateSchemaError when it was
        written by a newer daily-papers; every other problem becomes a notice.

        settle_later: when the files are sound, read the marks without taking the lock (what the reader's
        first screen needs, and no lock module to import before it); the locked load, with any repair or
        compaction, then comes with settle() or the first write, whichever is first. Files that need work
        get the locked load at once, as without it.

        A path that is a symbolic link (into a synced folder, say) is followed once, here: the journal, the
        lock and every rewrite live beside the file it points to, and the link stays a link.

        clock: where the time of a change comes from (tests step it back)."""
        self._setup(Path(path), clock)
        self._real_path = Path(os.path.realpath(self.path))
        self._journal_limit = journal_limit
        kwargs: dict[str, Any] = {} if lock_timeout is None else {"lock_timeout": lock_timeout}
        self._db = TinyDB(self._real_path, storage=JournalStorage, **kwargs)
        self._storage: JournalStorage | None = self._db.storage  # type: ignore[assignment]
        self._mutex = threading.RLock()
        with self._mutex:
            peeked = self._storage.peek() if settle_later else None
            if peeked is None:
                self._full_load(initial=True)
            else:
                self._marks = {k: Mark(d["read"], d["starred"], d["updated"]) for k, d in peeked.items()}
                # _loaded stays False: the first write (or settle()) loads under the lock before changing

    def settle(self) -> set[str]:
        """The locked load that settle_later put off (nothing when it is done); returns the ids whose marks
        differ from what was shown (written by another process in between)."""
        with self._mutex:
            if self._loaded or self._storage is None:
                return set()
            before = dict(self._marks)
            try:
                self._full_load()
            except StateSchemaError as exc:  # a newer daily-papers wrote it since: as for a failed write
                self._save_failed(exc)
                return set()
            if not self._loaded:
                return set()
            return {k for k in before.keys() | self._marks.keys() if before.get(k) != self._marks.get(k)}

    @classmethod
    def open(cls, override: str | os.PathLike[str] | None = None, **kwargs: Any) -> "StateStore":
        """The store at --state, else $DAILY_PAPERS_STATE, else the default place (reader.paths)."""
        from reader import paths

        return cls(paths.state_path(override), **kwargs)

    @classmethod
    def in_memory(cls) -> "StateStore":
        store = cls.__new__(cls)
        store._setup(Path("<memory>"), time.time)
        store._journal_limit = None
        store._db = None
        store._storage = None
        store._mutex = threading.RLock()
        return store

    def _setup(self, path: Path, clock: Callable[[], float]) -> None:
        self.path = path
        self._clock = clock
        # live undo records (by id: an Undo is a dict, equal to any other with the same marks), told of every
        # change of their marks; one the caller dropped goes by itself
        self._undos: weakref.WeakValueDictionary[int, Undo] = weakref.WeakValueDictionary()
        self.notices: list[str] = []
        # Ids whose marks another process changed, picked up before one of our writes: the app redraws them
        # and clears the set.
        self.external_changes: set[str] = set()
        self._marks: dict[str, Mark] = {}
        self._unsaved: dict[str, Mark] = {}
        self._loaded = False  # the files were read (else writes first try to read them)
        self._failing: str | None = None  # the last save failure, until a save works again
        #: why the files could not be read when the store opened (the marks shown are then not the user's),
        #: until a later load works; None when they were read
        self.unreadable: str | None = None
        self._closed = False

    def __enter__(self) -> "StateStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _notice(self, message: str) -> None:
        if not self.notices or self.notices[-1] != message:
            self.notices.append(message)

    def _take_storage_notices(self) -> None:
        if self._storage is not None and self._storage.notices:
            for message in self._storage.notices:
                self._notice(message)
            self._storage.notices.clear()

    # -- loading and catching up ------------------------------------------------------------------------
    def _full_load(self, *, initial: bool = False) -> set[str]:
        """Read everything again under the lock; returns the ids whose marks changed."""
        assert self._storage is not None
        try:
            lock: Any = None
            try:
                lock = self._storage.lock
                lock.acquire()
            except OSError as exc:
                if is_lock_timeout(exc):  # (a TimeoutError, hence an OSError: not the case below)
                    raise
                lock = None  # cannot even create the lock file (read-only folder): read without it
            try:
                changed = self._load_locked()
                if lock is not None and self._storage.needs_compaction and not self._storage.blocked:
                    try:
                        self._compact_locked()
                    except OSError:
                        pass  # the next write tries again (and says so if it fails)
            finally:
                if lock is not None:
                    lock.release()
        except StateSchemaError:
            raise
        except OSError as exc:  # (filelock's Timeout is an OSError)
            self._take_storage_notices()
            if initial:
                self.unreadable = f"cannot read the reading state {self.path} ({failure_reason(exc, self._real_path)})"
                self._notice(
                    f"{self.unreadable}: starting with empty marks; "
                    "changes are kept in memory until it can be read"
                )
            return set()
        finally:
            self._take_storage_notices()
        return changed

    def _load_locked(self) -> set[str]:
        """(lock held) Replace the marks by what is on disk, keeping our unsaved changes where newer."""
        fresh: dict[str, Mark] = {}
        assert self._storage is not None
        # The storage's own load (what TinyDB's Table.all() gets through JournalStorage.read(), without
        # TinyDB copying 30,000 documents): state.json + journal, read once, documents already checked.
        for arxiv_id, doc in self._storage.load().items():
            fresh[arxiv_id] = Mark(doc["read"], doc["starred"], doc["updated"])
        for arxiv_id, mine in list(self._unsaved.items()):
            theirs = fresh.get(arxiv_id)
            if theirs is not None and theirs.updated > mine.updated:
                del self._unsaved[arxiv_id]  # changed elsewhere after ours: theirs wins
            else:
                fresh[arxiv_id] = mine
        old = self._marks
        self._marks = fresh
        self._loaded = True
        self.unreadable = None
        for undo in list(self._undos.values()):  # only the sum of what happened is known here: not exact
            for arxiv_id in undo:
                undo.note(arxiv_id, old.get(arxiv_id, Mark()), fresh.get(arxiv_id, Mark()), exact=False)
        if len(old) == 0:
            return set(fresh)
        return {k for k in old.keys() | fresh.keys() if old.get(k) != fresh.get(k)}

    def _catch_up_locked(self) -> set[str]:
        """(lock held) Take in what other processes wrote since we last looked."""
        assert self._storage is not None
        if not self._loaded:
            return self._load_locked()
        entries = self._storage.poll()
        if entries is None:
            return self._load_locked()
        changed: set[str] = set()
        for change in entries:
            for arxiv_id, theirs in change.items():
                mine = self._unsaved.get(arxiv_id)
                if mine is not None:
                    if theirs.updated <= mine.updated:
                        continue
                    del self._unsaved[arxiv_id]
                if self._marks.get(arxiv_id) != theirs:
                    self._replace(arxiv_id, theirs)
                    changed.add(arxiv_id)
        return changed

    def _replace(self, arxiv_id: str, new: Mark) -> None:
        """One change of one mark, seen as it was made (ours, or one journal line of another process)."""
        if self._undos:
            old = self._marks.get(arxiv_id, Mark())
            for undo in list(self._undos.values()):
                undo.note(arxiv_id, old, new, exact=True)
        self._marks[arxiv_id] = new

    def _apply(self, changes: Mapping[str, Mark]) -> None:
        for arxiv_id, new in changes.items():
            self._replace(arxiv_id, new)

    def _compact_locked(self) -> None:
        assert self._storage is not None
        self._storage.write_marks(self._marks.items())

    def _persist_locked(self) -> None:
        """(lock held, caught up) Put every unsaved mark on disk: one journal line, or a compaction."""
        assert self._storage is not None
        storage = self._storage
        if self._unsaved and storage.can_append():
            storage.append(self._unsaved)
            self._unsaved.clear()
            limit = self._journal_limit if self._journal_limit is not None else storage.journal_limit()
            if storage.journal_size > limit:
                try:
                    self._compact_locked()
                except OSError:
                    pass  # the change itself is safe in the journal; compaction is tried again later
        elif self._unsaved or storage.needs_compaction:
            self._compact_locked()
            self._unsaved.clear()

    def _write(self, compute: Callable[[], dict[str, Mark]]) -> dict[str, Mark]:
        """Lock, catch up, compute the changes from the fresh state, apply them, persist; returns the new
        marks. When the disk cannot be written the changes stay in memory (and in unsaved_ids())."""
        with self._mutex:
            changes: dict[str, Mark] | None = None
            if self._storage is None:  # in memory
                changes = compute()
                self._apply(changes)
                return changes
            try:
                with self._storage.lock:
                    self.external_changes |= self._catch_up_locked()
                    changes = compute()
                    self._apply(changes)
                    self._unsaved.update(changes)
                    if self._storage.blocked:
                        raise OSError(self._storage.blocked)
                    self._persist_locked()
                if self._failing is not None:
                    self._failing = None
                    self._notice(f"reading state saved again to {self.path}")
            except (OSError, StateSchemaError) as exc:  # (filelock's Timeout is an OSError)
                if changes is None:
                    changes = compute()
                    self._apply(changes)
                    self._unsaved.update(changes)
                self._save_failed(exc)
            finally:
                self._take_storage_notices()
            return changes

    def _save_failed(self, exc: BaseException) -> None:
        if self._storage is not None and self._storage.blocked:
            message = self._storage.blocked
        elif isinstance(exc, StateSchemaError):
            message = f"{exc}; changes are kept in memory only"
        else:
            message = (
                f"cannot save the reading state to {self.path} ({failure_reason(exc, self._real_path)}); "
                "changes are kept in memory and saving is retried with the next one"
            )
        if self._failing != message:
            self._failing = message
            self._notice(message)

    # -- public: loading ----------------------------------------------------------------------------------
    def reload(self) -> set[str]:
        """Pick up changes other processes made (and retry unsaved ones); returns the ids that changed."""
        with self._mutex:
            if self._storage is None:
                return set()
            changed: set[str] = set()
            try:
                with self._storage.lock:
                    changed = self._catch_up_locked()
                    if self._unsaved and not self._storage.blocked:
                        self._persist_locked()
                        if self._failing is not None:
                            self._failing = None
                            self._notice(f"reading state saved again to {self.path}")
            except StateSchemaError as exc:
                self._save_failed(exc)
            except OSError as exc:  # (filelock's Timeout is an OSError)
                if self._unsaved:
                    self._save_failed(exc)
            finally:
                self._take_storage_notices()
            return changed

    def flush(self) -> bool:
        """Try to write changes that could not be saved before; True when nothing is left unsaved."""
        self.reload()
        notes_saved = self.flush_notes()
        return not self._unsaved and notes_saved

    def save_problem(self) -> str | None:
        """Why the last save failed (one line), while changes (marks or notes) are unsaved."""
        if self._unsaved:
            return self._failing
        return self.notes_problem()

    def unsaved_ids(self) -> set[str]:
        """Ids whose latest change (a mark or a note) is only in memory (the disk could not be written)."""
        return set(self._unsaved) | self.unsaved_note_ids()

    def close(self) -> None:
        if self._closed:
            return
        with self._mutex:
            if self._unsaved or self.unsaved_note_ids():
                self.flush()
            self._closed = True
            if self._db is not None:
                self._db.close()

    # -- public: reading ----------------------------------------------------------------------------------
    def mark(self, arxiv_id: str) -> Mark:
        return self._marks.get(arxiv_id, Mark())

    def is_read(self, arxiv_id: str) -> bool:
        return self.mark(arxiv_id).read

    def is_starred(self, arxiv_id: str) -> bool:
        return self.mark(arxiv_id).starred

    def starred_ids(self) -> set[str]:
        return {k for k, m in self._marks.items() if m.starred}

    def read_ids(self) -> set[str]:
        return {k for k, m in self._marks.items() if m.read}

    def marks(self) -> dict[str, Mark]:
        return dict(self._marks)

    def snapshot(self, arxiv_ids: Iterable[str]) -> dict[str, Mark]:
        """The current marks of these papers: keep it to undo a change with restore()."""
        return {arxiv_id: self.mark(arxiv_id) for arxiv_id in arxiv_ids}

    def __len__(self) -> int:
        return len(self._marks)

    # -- public: writing ----------------------------------------------------------------------------------
    def set_read(self, arxiv_id: str, read: bool = True) -> Mark:
        return self.update([arxiv_id], read=read)[arxiv_id]

    def set_starred(self, arxiv_id: str, starred: bool = True) -> Mark:
        return self.update([arxiv_id], starred=starred)[arxiv_id]

    def update(self, arxiv_ids: Iterable[str], *, read: bool | None = None,
               starred: bool | None = None) -> dict[str, Mark]:
        """Set read and/or starred on many papers in one write (one fsync); returns the new marks of every
        id given. Papers already marked so are left as they are (their time is not touched)."""
        ids = list(dict.fromkeys(arxiv_ids))
        if ids and (read is not None or starred is not None):
            self._change(ids, read, starred)
        return self.snapshot(ids)

    def update_undoable(self, arxiv_ids: Iterable[str], *, read: bool | None = None,
                        starred: bool | None = None) -> Undo:
        """update(), returning instead the marks it replaced, as they were on disk just before (after
        picking up other processes' changes), as an Undo: give it to restore() to undo exactly this change."""
        ids = list(dict.fromkeys(arxiv_ids))
        if not ids or (read is None and starred is None):
            return Undo({}, read, starred)
        undo = Undo(self._change(ids, read, starred), read, starred)
        with self._mutex:
            self._undos[id(undo)] = undo  # from now on every change of these marks is noted in it
        return undo

    def _stamp(self, previous: Mark, now: float) -> float:
        """The time of a change: now, but always later than the mark it replaces, even when the clock has
        stepped back since (NTP, a dead CMOS battery, a virtual machine restored): a later import elsewhere
        (newest change wins) then keeps this change, the user's last word."""
        stamp = max(now, previous.updated + STAMP_STEP)
        if stamp <= previous.updated:  # a time so large that the step is lost in rounding
            stamp = math.nextafter(previous.updated, math.inf)
        return stamp if math.isfinite(stamp) else previous.updated

    def _change(self, ids: list[str], read: bool | None, starred: bool | None) -> dict[str, Mark]:
        previous: dict[str, Mark] = {}

        def compute() -> dict[str, Mark]:
            now = self._clock()
            changes: dict[str, Mark] = {}
            previous.clear()
            for arxiv_id in ids:
                mark = self.mark(arxiv_id)
                new_read = mark.read if read is None else bool(read)
                new_starred = mark.starred if starred is None else bool(starred)
                if (new_read, new_starred) != (mark.read, mark.starred):
                    changes[arxiv_id] = Mark(new_read, new_starred, self._stamp(mark, now))
                    previous[arxiv_id] = mark
            return changes

        self._write(compute)
        return previous

    def restore(self, previous: Mapping[str, Mark]) -> dict[str, Mark]:
        """Undo, in one write; returns the marks it changed (their new values).

        Given an Undo (from update_undoable), it undoes only that change: it puts back only the flags the
        change set (for "mark day read", the read flag: a star given since is kept), and only on marks whose
        flag nobody changed since, here or in another process (a paper marked unread, or read again, after
        it keeps that newer word). Given any other mapping (a snapshot()), it puts those marks back whole."""
        if not previous:
            return {}
        undo = previous if isinstance(previous, Undo) else None

        def compute() -> dict[str, Mark]:
            now = self._clock()
            changes: dict[str, Mark] = {}
            for arxiv_id, old in previous.items():
                mark = self.mark(arxiv_id)
                wanted = (old.read, old.starred) if undo is None else undo.put_back(arxiv_id, mark, old)
                if wanted is not None and wanted != (mark.read, mark.starred):
                    changes[arxiv_id] = Mark(wanted[0], wanted[1], self._stamp(mark, now))
            return changes

        changed = self._write(compute)
        if undo is not None:
            with self._mutex:
                self._undos.pop(id(undo), None)
                undo.touched.update(undo)  # undone: a second restore() changes nothing
        return changed

    def merge(self, incoming: Mapping[str, Mark]) -> dict[str, Mark]:
        """Take marks from elsewhere (an import), newest change wins by each mark's time; returns the marks
        that were taken. Times are kept as they are."""

        def compute() -> dict[str, Mark]:
            return {
                arxiv_id: mark
                for arxiv_id, mark in incoming.items()
                if mark.updated > self.mark(arxiv_id).updated and mark != self.mark(arxiv_id)
            }

        return self._write(compute)
