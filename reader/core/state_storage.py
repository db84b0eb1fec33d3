"""The files behind the reading state: a TinyDB JSON document, an fsync'd journal beside it, and a lock.

    state.json          the TinyDB database: table "_meta" (schema version, generation) and table "marks"
                        (one document per arXiv id: read, starred, updated). Written only whole, to a temporary
                        file in the same folder that is fsync'd and renamed over (a "compaction").
    state.json.journal  append-only, one JSON line per change (a change may carry many marks). The first line
                        names the generation of state.json it continues; a change is acknowledged only after its
                        line is fsync'd. A last line without its newline is a torn append (a crash): ignored, and
                        cut off before the next append.
    state.json.lock     the inter-process lock (filelock) held around every read-modify-write.

A crash at any instant leaves either the old or the new state: a compaction writes state.json (new
generation) first and then a fresh journal; a crash in between leaves a journal naming the old generation,
which is ignored because the new state.json already holds it.

Every record is an absolute mark (not a delta), so replaying a change twice is harmless; within the journal,
order decides (appends are serialised by the lock).
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb.storages import Storage

if TYPE_CHECKING:
    from filelock import FileLock

from reader.core.atomic import write_bytes_atomic
from reader.core.files import check_regular, load_json, open_regular, read_regular
from reader.core.limits import MAX_STATE_BYTES
from reader.core.state_format import (JOURNAL_KEY, JOURNAL_VERSION, MARKS_TABLE, META_TABLE, SCHEMA_VERSION, Docs,
                                      Mark, StateSchemaError, clean_doc, journal_header, journal_lines, migrate,
                                      parse_doc)
from reader.core.state_recovery import backup_before_migration, move_aside
from reader.core.words import count

LOCK_TIMEOUT = 15.0
#: Compact once the journal is bigger than this, or than a quarter of state.json, whichever is larger.
JOURNAL_MIN_LIMIT = 256 * 1024


# -- small file helpers -------------------------------------------------------------------------------------
def is_lock_timeout(exc: BaseException) -> bool:
    """filelock's Timeout (a TimeoutError, so an OSError too), known without importing filelock: it is
    imported with the first lock, and no lock, no Timeout."""
    filelock = sys.modules.get("filelock")
    return filelock is not None and isinstance(exc, filelock.Timeout)


def failure_reason(exc: BaseException, path: Path | None = None) -> str:
    """Why reading or writing the state failed, in a few words (`path`: the state file, named already)."""
    from reader.core.files import FileRefused

    if is_lock_timeout(exc):
        return "another daily-papers holds its lock"
    if isinstance(exc, FileRefused) and path is not None and exc.filename == os.fspath(path):
        return exc.reason  # the state file itself: the message names it already
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or exc.__class__.__name__


def _fsync(fd: int) -> None:
    if sys.platform == "darwin":  # pragma: no cover - macOS: fsync does not reach the platter
        import fcntl

        try:
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
        except OSError:
            pass
    sync = getattr(os, "fdatasync", os.fsync)
    sync(fd)


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _bad(path: Path, why: str) -> str:
    return f"{path.name}: {why}"


# -- the storage --------------------------------------------------------------------------------------------
class JournalStorage(Storage):
    """A TinyDB Storage: read() gives state.json with the journal applied; write() compacts (rewrites
    state.json atomically and starts a new journal); append() adds one fsync'd journal line.

    The caller holds ``self.lock`` around every call (StateStore does), so that what is read and what is
    written belong together across processes.
    """

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.path = Path(path)
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.lock_timeout = lock_timeout
        self._lock: FileLock | None = None
        #: one-line messages for the user (damaged files moved aside, ...); StateStore passes them on
        self.notices: list[str] = []
        #: set when the state file must not be written (it is damaged and could not be moved aside)
        self.blocked: str | None = None
        #: set by read() when state.json should be rewritten soon (migrated, damaged, stale journal, ...)
        self.needs_compaction = False
        self._gen: str | None = None
        self._main_sig: tuple[int, int, int] | None = None
        self._main_size = 0
        self._journal_ok = False  # the journal exists, continues our generation, and we know its valid end
        self._journal_sig: tuple[int, int, int] | None = None
        self._jpos = 0  # byte offset just after the last complete journal line applied
        self._extra: dict[str, Any] = {}  # tables we do not know: written back untouched

    # -- locking ----------------------------------------------------------------------------------------
    def check_files(self) -> None:
        """Raise FileRefused (an OSError) when the state file, its journal or its lock is not a regular file
        (a FIFO, a device, a folder) or the state is bigger than any real one: then nothing is locked,
        read or written here (no lock file is created beside a device, no FIFO waits for a writer)."""
        check_regular(self.path, MAX_STATE_BYTES, what="a state file")
        check_regular(self.journal_path, MAX_STATE_BYTES, what="a state journal")
        check_regular(self.lock_path)

    @property
    def lock(self) -> "FileLock":
        """The inter-process lock (after check_files(): raises FileRefused instead for odd files)."""
        self.check_files()
        if self._lock is None:
            from filelock import FileLock  # on the first locked read or write (its import takes ~10 ms)

            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = FileLock(str(self.lock_path), timeout=self.lock_timeout, poll_interval=0.005)
        return self._lock

    @property
    def journal_size(self) -> int:
        return self._jpos if self._journal_ok else 0

    def journal_limit(self) -> int:
        return max(JOURNAL_MIN_LIMIT, self._main_size // 4)

    # -- reading ----------------------------------------------------------------------------------------
    def read(self) -> dict[str, dict[str, Any]]:
        """The whole state as TinyDB data: state.json, migrated if older, with the journal applied."""
        docs = self.load()
        table = {str(i): doc for i, doc in enumerate(docs.values(), 1)}
        return {META_TABLE: {"1": {"schema": SCHEMA_VERSION, "gen": self._gen}}, MARKS_TABLE: table}

    def load(self) -> Docs:
        """Read state.json and the journal from the start. Raises StateSchemaError for a newer schema and
        OSError when the files cannot be read."""
        self.needs_compaction = False
        marks, main_ok = self._load_main()
        self._load_journal(marks, main_ok)
        return marks

    def peek(self) -> Docs | None:
        """The marks as state.json and its journal hold them now, read without the lock and without
        changing any file: what the reader shows on its first screen, before the locked load. None whenever
        that load has work to do (a damaged, older or newer file, a journal of another generation, a torn or
        invalid line, a file that cannot be read): the caller then does that load at once.

        Safe without the lock: state.json is only ever replaced whole (an atomic rename), and the journal
        only grows by complete lines, checked by generation id against state.json."""
        try:
            self.check_files()
            raw = read_regular(self.path, MAX_STATE_BYTES, what="a state file")
        except FileNotFoundError:
            raw = b""
        except OSError:
            return None
        marks: Docs = {}
        gen = None
        if raw.strip():
            try:
                data = load_json(raw)
            except ValueError:
                return None
            meta = data.get(META_TABLE) if isinstance(data, dict) else None
            doc = meta.get("1") if isinstance(meta, dict) else None
            if not isinstance(doc, dict) or doc.get("schema") != SCHEMA_VERSION or not isinstance(doc.get("gen"), str):
                return None
            gen = doc["gen"]
            table = data.get(MARKS_TABLE, {})
            if not isinstance(table, dict):
                return None
            for item in table.values():
                clean = clean_doc(item)
                if clean is None:
                    return None
                marks[clean["arxiv_id"]] = clean
        try:
            journal = read_regular(self.journal_path, MAX_STATE_BYTES, what="a state journal")
        except FileNotFoundError:
            return marks
        except OSError:
            return None
        header, start = journal_header(journal)
        if header is None or header.get(JOURNAL_KEY) != JOURNAL_VERSION or header.get("gen") != gen:
            return None
        entries, valid_end, bad = journal_lines(journal, start)
        if bad or valid_end != len(journal):
            return None
        for change in entries:
            marks.update(change)
        return marks

    def _load_main(self) -> tuple[Docs, bool]:
        """-> (marks, whether a valid state.json was there)."""
        self._gen = None
        self._extra = {}
        stats: list[os.stat_result] = []
        try:
            raw = read_regular(self.path, MAX_STATE_BYTES, what="a state file", stat_out=stats)
            st = stats[0]
            sig = (st.st_ino, st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            self._main_sig, self._main_size = None, 0
            return {}, False
        self._main_sig, self._main_size = sig, len(raw)
        if not raw.strip():
            return {}, False  # an empty file: nothing was ever stored in it
        try:
            data = load_json(raw)
        except ValueError as exc:
            return self._damaged(_bad(self.path, f"not valid JSON ({str(exc).splitlines()[0][:80]})"), {})
        if not isinstance(data, dict):
            return self._damaged(_bad(self.path, "not a JSON object"), {})
        meta = data.get(META_TABLE)
        if meta is None:
            version = 0
        else:
            doc = meta.get("1") if isinstance(meta, dict) else None
            version = doc.get("schema") if isinstance(doc, dict) else None
            if isinstance(version, bool) or not isinstance(version, int) or version < 1:
                return self._damaged(_bad(self.path, "no valid schema version in _meta"), {})
        if version > SCHEMA_VERSION:
            raise StateSchemaError(
                f"the state file {self.path} was written by a newer daily-papers (schema {version}; this one "
                f"knows {SCHEMA_VERSION}): upgrade daily-papers, or use --state with another file"
            )
        if not all(isinstance(table, dict) for table in data.values()):
            return self._damaged(_bad(self.path, "not a TinyDB database (a table is not an object)"), {})
        migrated = version < SCHEMA_VERSION
        if migrated:
            data = migrate(data, version)
        else:
            gen = data[META_TABLE]["1"].get("gen")
            self._gen = gen if isinstance(gen, str) else None
        table = data.get(MARKS_TABLE, {})
        if not isinstance(table, dict):
            return self._damaged(_bad(self.path, "the marks table is not an object"), {})
        marks: Docs = {}
        bad = 0
        for doc in table.values():
            clean = clean_doc(doc)
            if clean is None:
                bad += 1
            else:
                marks[clean["arxiv_id"]] = clean
        if bad:
            return self._damaged(_bad(self.path, count(bad, "invalid mark")), marks)
        self._extra = {k: v for k, v in data.items() if k not in (META_TABLE, MARKS_TABLE)}
        if migrated:
            backup_before_migration(self.path, version)
            self.needs_compaction = True
        return marks, True

    def _damaged(self, why: str, recovered: Docs) -> tuple[Docs, bool]:
        """state.json is not valid: move it aside (never delete it) and go on with what could be recovered."""
        self._gen = None
        try:
            target = move_aside(self.path, "corrupt")
        except OSError as exc:
            self.blocked = (
                f"the state file {self.path} is damaged ({why}) and could not be moved aside "
                f"({exc.strerror or exc}): it is left as it is and changes are kept in memory only"
            )
            self.notices.append(self.blocked)
            return recovered, False
        kept = f"; {count(len(recovered), 'mark')} recovered" if recovered else "; starting with empty reading state"
        self.notices.append(f"the state file was damaged ({why}); it was moved to {target}{kept}")
        self._main_sig, self._main_size = None, 0
        self.needs_compaction = True
        return recovered, False

    def _load_journal(self, marks: Docs, main_ok: bool) -> None:
        self._journal_ok, self._jpos = False, 0
        stats: list[os.stat_result] = []
        try:
            data = read_regular(self.journal_path, MAX_STATE_BYTES, what="a state journal", stat_out=stats)
            st = stats[0]
        except FileNotFoundError:
            self._journal_sig = None
            return
        self._journal_sig = (st.st_ino, st.st_size, st.st_mtime_ns)
        if not data.strip():
            self.needs_compaction = True  # an empty journal: replace it with a proper one
            return
        header, end = journal_header(data)
        if header is None:
            # no valid first line: salvage what can be read, keep the file aside
            self._journal_damaged("no valid first line", data, 0, marks)
            return
        version = header.get(JOURNAL_KEY)
        if not isinstance(version, int) or version > JOURNAL_VERSION:
            raise StateSchemaError(
                f"the journal {self.journal_path} was written by a newer daily-papers (version {version}): "
                f"upgrade daily-papers, or use --state with another file"
            )
        gen = header.get("gen")
        if main_ok and gen != self._gen:
            # written before the last compaction, which already holds it (a crash between the two renames)
            self.needs_compaction = True
            return
        entries, valid_end, bad = journal_lines(data, end)
        for docs in entries:
            marks.update(docs)
        if bad:
            self._journal_damaged(f"{bad} invalid line(s)", None, 0, None)
            return
        if not main_ok:
            # state.json is missing: the journal alone holds these
            self.needs_compaction = self.needs_compaction or bool(entries)
            return
        self._journal_ok, self._jpos = True, valid_end

    def _journal_damaged(self, why: str, data: bytes | None, start: int, marks: Docs | None) -> None:
        if data is not None and marks is not None:
            for docs in journal_lines(data, start)[0]:
                marks.update(docs)
        try:
            target = move_aside(self.journal_path, "corrupt")
        except OSError as exc:
            self.blocked = (
                f"the journal {self.journal_path} is damaged ({why}) and could not be moved aside "
                f"({exc.strerror or exc}): changes are kept in memory only"
            )
            self.notices.append(self.blocked)
            return
        self.notices.append(
            f"the state journal was damaged ({why}); it was moved to {target} and its valid lines were kept"
        )
        self._journal_sig = None
        self.needs_compaction = True

    def poll(self) -> list[dict[str, Mark]] | None:
        """Changes other processes appended since we last looked, in order; None when state.json was
        rewritten (or anything else moved) and the caller must load() again."""
        if _signature(self.path) != self._main_sig:
            return None
        if not self._journal_ok:
            return [] if _signature(self.journal_path) == self._journal_sig else None
        try:
            with open_regular(self.journal_path, MAX_STATE_BYTES, what="a state journal") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size < self._jpos:
                    return None
                header, _ = journal_header(handle.read(4096))
                if header is None or header.get("gen") != self._gen:
                    return None
                if size == self._jpos:
                    return []
                handle.seek(self._jpos)
                data = handle.read()
        except FileNotFoundError:
            return None
        entries, valid_end, bad = journal_lines(data, 0)
        if bad:
            return None  # load() will keep the valid lines and move the file aside
        self._jpos += valid_end
        return [
            {k: Mark(d["read"], d["starred"], d["updated"]) for k, d in change.items()} for change in entries
        ]

    # -- writing ----------------------------------------------------------------------------------------
    def can_append(self) -> bool:
        return self._journal_ok and not self.needs_compaction

    def append(self, marks: Mapping[str, Mark]) -> None:
        """One journal line holding these marks, fsync'd before returning. Call poll() first (same lock)."""
        if self.blocked:
            raise OSError(errno.EROFS, self.blocked)
        if not self._journal_ok:
            raise RuntimeError("append() without a current journal: compact first")
        line = json.dumps(
            {"marks": [m.to_dict(k) for k, m in marks.items()]}, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8") + b"\n"
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0))
        try:
            if os.fstat(fd).st_size != self._jpos:
                os.ftruncate(fd, self._jpos)  # a torn last line (a crash mid-append): cut it off
            view = memoryview(line)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            _fsync(fd)
            st = os.fstat(fd)
        except BaseException:
            # the line may be half there: forget where the journal ends so the next call re-reads it
            self._journal_ok = False
            self._journal_sig = None
            raise
        finally:
            os.close(fd)
        self._jpos += len(line)
        self._journal_sig = (st.st_ino, st.st_size, st.st_mtime_ns)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Compaction: TinyDB data -> state.json (atomic, fsync'd), then a fresh journal."""
        if self.blocked:
            raise OSError(errno.EROFS, self.blocked)
        docs = data.get(MARKS_TABLE, {}).values()
        self.write_marks((parsed for parsed in map(parse_doc, docs) if parsed is not None))

    def write_marks(self, marks: Iterable[tuple[str, Mark]]) -> None:
        if self.blocked:
            raise OSError(errno.EROFS, self.blocked)
        self._remove_dead_temporaries()
        gen = os.urandom(8).hex()
        meta = {"1": {"schema": SCHEMA_VERSION, "gen": gen, "app": "daily-papers",
                      "written": time.strftime("%Y-%m-%dT%H:%M:%S%z")}}
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
        parts = ['{"', META_TABLE, '": ', dumps(meta)]
        for name, table in self._extra.items():
            parts += [",\n", dumps(name), ": ", dumps(table)]
        parts += [',\n"', MARKS_TABLE, '": {']
        sep = "\n"
        for i, (arxiv_id, mark) in enumerate(marks, 1):
            parts += [sep, '"', str(i), '": ', dumps(mark.to_dict(arxiv_id))]
            sep = ",\n"
        parts.append("\n}}\n")
        raw = "".join(parts).encode("utf-8")
        write_bytes_atomic(self.path, raw, private=True)  # the reading state is private (0600)
        self._gen, self._main_size = gen, len(raw)
        self._main_sig = _signature(self.path)
        self._journal_ok = False  # until the new journal is in place
        self.needs_compaction = False
        header = json.dumps({JOURNAL_KEY: JOURNAL_VERSION, "gen": gen}).encode("utf-8") + b"\n"
        write_bytes_atomic(self.journal_path, header, private=True)
        self._journal_ok, self._jpos = True, len(header)
        self._journal_sig = _signature(self.journal_path)

    def _remove_dead_temporaries(self) -> None:
        """Temporary files of compactions killed half way (only ever written under the lock we hold)."""
        pattern = re.compile(r"\." + re.escape(self.path.name) + r"(\.journal)?\.[A-Za-z0-9_]{8}\.tmp")
        try:
            names = os.listdir(self.path.parent)
        except OSError:
            return
        for name in names:
            if pattern.fullmatch(name):
                try:
                    os.unlink(self.path.parent / name)
                except OSError:
                    pass

    def close(self) -> None:
        pass
