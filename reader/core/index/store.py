"""The index's SQLite file: where it lives, its schema, opening it (or rebuilding it), one connection per thread.

One file per library (the folders and files it was opened on, resolved: a link to the library finds the same
file), named by a hash of them, in the cache folder's index/ (reader.paths.index_dir). Write-ahead logging
lets readers go on while one process writes; a writer waits (busy timeout) for another to finish its
transaction. The file is a cache of the digests: whatever is wrong with it (not a database, truncated,
damaged, of another schema, parser or Unicode version) it is deleted and built again, and whatever keeps it
from being used (a read-only disk, a folder that cannot be made, a FIFO in its place) means reading the
digests without it; either way the caller gets one notice (IndexUnavailable, or LibraryIndex.notice).

Schema (PRAGMA user_version = SCHEMA_VERSION; application_id marks the file as ours):

    meta(key, value)        format, parser version, Unicode version, the library's roots
    files(id, key, rank, size, mtime_ns, ctime_ns, ino, checked_ns, digest, warnings, hint)
                            one row per digest file: key is its path (the library's root resolved),
                            rank its place in discovery order, then its identity as the parse cache keeps it
                            (reader.core.cache: NULL when it could not be read, so it is read again), the
                            parser's warnings as JSON [[line, message], ...], the date its name gives
    folders(path, dev, ino, mtime_ns, ctime_ns, seen_ns)
                            each folder of the last listing, as it was (listing.py; meta 'listing' names
                            the roots it is for)
    papers(id, file, seq, newest, date, votes, arxiv_id, line, title, korean)
                            one row per paper per day as the file gave it (seq: its place in the file);
                            newest = 1 on the one row search covers for each arXiv id (its newest day, first
                            in discovery order); korean = 1 when it has its Korean summary
                            (reader.core.korean; lang:ko). Small rows: a search reads thousands of them
    bodies(id, url, pdf_url, thumbnail, authors, sections)
                            the rest of each paper row (authors and sections as JSON), id = papers.id
    days(date, papers, language)
                            the day list with each day's count of distinct papers and the language it
                            reads in (reader.core.freshness.day_language: ko, en, ke)
    search(title, ident, authors, body, keys)
                            FTS5, trigram tokenizer, case-sensitive: the folded text (reader.core.text.fold)
                            of each paper row in columns, rowid = papers.id; words of 3 characters and more.
                            title, arXiv id, authors and body (each section's name and text) joined by line
                            breaks are search_text's text (query.TEXT); keys repeats the keywords and the
                            English terms in parentheses (reader.core.finding.fields), for bm25's weights
    sim_terms(id, term, df), sim_docs(doc, arxiv_id, row, terms), sim_postings(term, doc, w)
                            similar papers (reader.core.finding.vectors): each term's document frequency,
                            each paper's vector (its newest row), its strongest terms' weights by term
    tiers(tab, phrase, ids, bound, ranked, found, generation, rows, tokens, df, high, carried)
                            each heavy phrase's best rows (reader.core.finding.tiers): the table it is a phrase
                            of, the FTS5 phrase, its TIER best row ids (JSON), the best score outside them, the
                            same rows best first with their scores (JSON [[id, score], ...]), the results the
                            phrase finds, the generation (meta) of the papers they were weighed over, and what
                            bm25 weighed them by: the table's rows and tokens, the rows the phrase is found in,
                            the highest paper id given then; carried = 1 when the bound was carried over from
                            papers gone by (a bound above the best score outside, not that score)
    grams(tokens)           FTS5, contentless (positions kept: bm25 ranks by them; an index of 1-character
                            prefixes): each pair of adjacent non-ASCII characters, or ASCII letters and digits, of
                            a row (reader.core.index.terms), for words of one or two syllables
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import stat
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path

from reader.core import parse
from reader.core.index.naming import blake2b, index_name


SCHEMA_VERSION = 8  # 2: search's columns, papers.korean, days.language, the similarity tables; 3: one table for short
# words; 4: papers_older (the rows that are not a paper's newest appearance), the files' snapshot; 5: tiers,
# papers_votes; 6: a tier's rows with their scores, and its phrase's results; 7: each tier's generation; 8: what
# each tier was weighed by (a tier of papers gone by is carried over: reader.core.finding.tiers)
APPLICATION_ID = 0x64704958  # "dpIX"
FORMAT = "daily-papers/library-index"
BUSY_SECONDS = 10.0  # how long a writer waits for another's transaction before giving up on the index

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE files(
    id INTEGER PRIMARY KEY,
    key BLOB NOT NULL UNIQUE,  -- (no affinity: text, or bytes for a name that is not Unicode, as path_key)
    rank INTEGER NOT NULL,
    size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, ino INTEGER, checked_ns INTEGER, digest TEXT,
    warnings TEXT,
    hint TEXT
);
CREATE TABLE folders(
    path BLOB PRIMARY KEY, dev INTEGER, ino INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, seen_ns INTEGER
) WITHOUT ROWID;
CREATE TABLE papers(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    newest INTEGER NOT NULL DEFAULT 0,
    date TEXT NOT NULL,
    votes INTEGER,
    arxiv_id TEXT NOT NULL,
    line INTEGER NOT NULL,
    title TEXT NOT NULL,
    korean INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE bodies(
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    pdf_url TEXT NOT NULL,
    thumbnail TEXT,
    authors TEXT NOT NULL,
    sections TEXT NOT NULL
);
CREATE INDEX papers_file ON papers(file);
CREATE INDEX papers_date ON papers(date);
CREATE INDEX papers_id ON papers(arxiv_id, date);
CREATE TABLE days(date TEXT PRIMARY KEY, papers INTEGER NOT NULL, language TEXT NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE search USING fts5(title, ident, authors, body, keys, tokenize='trigram case_sensitive 1');
CREATE VIRTUAL TABLE grams USING fts5(tokens, content='', tokenize='ascii', prefix='1');
CREATE INDEX papers_order ON papers(date DESC, votes IS NULL, votes DESC) WHERE newest = 1;
CREATE INDEX papers_older ON papers(id) WHERE newest = 0;
CREATE INDEX papers_votes ON papers(votes IS NULL, votes DESC, date DESC) WHERE newest = 1;
CREATE TABLE snapshot(id INTEGER PRIMARY KEY CHECK (id = 1), keys BLOB NOT NULL, hints BLOB NOT NULL, ids BLOB NOT NULL,
                      identity BLOB NOT NULL);
CREATE TRIGGER files_added AFTER INSERT ON files BEGIN DELETE FROM snapshot; END;
CREATE TRIGGER files_changed AFTER UPDATE ON files BEGIN DELETE FROM snapshot; END;
CREATE TRIGGER files_removed AFTER DELETE ON files BEGIN DELETE FROM snapshot; END;
CREATE TABLE tiers(tab TEXT NOT NULL, phrase TEXT NOT NULL, ids TEXT NOT NULL, bound REAL NOT NULL,
                   ranked TEXT NOT NULL, found INTEGER NOT NULL, generation TEXT NOT NULL, rows INTEGER NOT NULL,
                   tokens INTEGER NOT NULL, df INTEGER NOT NULL, high INTEGER NOT NULL, carried INTEGER NOT NULL,
                   PRIMARY KEY (tab, phrase))
    WITHOUT ROWID;
CREATE TABLE sim_terms(id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE, df INTEGER NOT NULL);
CREATE TABLE sim_docs(doc INTEGER PRIMARY KEY, arxiv_id TEXT NOT NULL UNIQUE, row INTEGER NOT NULL, terms BLOB NOT NULL);
CREATE TABLE sim_postings(term INTEGER NOT NULL, doc INTEGER NOT NULL, w REAL NOT NULL, PRIMARY KEY (term, doc))
    WITHOUT ROWID;
"""


def _statements(script: str) -> list[str]:
    """A script's statements (a trigger's body holds semicolons of its own)."""
    found, pending = [], ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                found.append(pending)
            pending = ""
    return found


def path_key(path: str) -> str | bytes:
    """A path as the index stores it (files.key, folders.path): the text itself, or its bytes when it is not
    valid Unicode (a name of undecodable bytes). Most paths are ASCII, and cost nothing to check."""
    if path.isascii():
        return path
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path)
    return path


def key_function(roots: list[str]) -> Callable[[str], str | bytes]:
    """A file's key in the index: its path with the root it was found under resolved (a library reached
    through a link is the same library), as path_key keeps it."""
    pairs = []
    for root in roots:
        found = os.path.abspath(os.path.expanduser(os.fspath(root)))
        pairs.append((found, found if found.endswith(os.sep) else found + os.sep, os.path.realpath(found)))
    pairs.sort(key=lambda pair: len(pair[0]), reverse=True)
    if all(found == real for found, _, real in pairs):
        return path_key  # no root reached through a link: a path is its key

    def key(path: str) -> str | bytes:
        for found, prefix, real in pairs:
            if path == found:
                return path_key(real)
            if path.startswith(prefix):
                return path_key(os.path.join(real, path[len(prefix):]))
        return path_key(path)

    return key


def meta_value(con: sqlite3.Connection, key: str) -> str | None:
    """A value of the index's meta table (None when it has none)."""
    row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def key_path(key: str | bytes) -> str:
    return key if type(key) is str else os.fsdecode(key)


class IndexUnavailable(Exception):
    """The index cannot be used here (read-only disk, no cache folder, not a file in its place ...): str()
    is the one notice to show; the library is read without it."""


def index_path(roots: list[str], folder: str | os.PathLike[str]) -> Path:
    """Where the index of a library opened on `roots` (files and folders) lives: one file per set of roots,
    whichever way they are written (relative, through a link, in another order)."""
    return Path(folder) / index_name(roots)


def _meta(roots: list[str]) -> dict[str, str]:
    # "schema": the tables' own text, so that a file made by a build whose tables differ (under the same
    # SCHEMA_VERSION, as while the schema is being written) is another version too, never "no such table".
    return {"format": FORMAT, "parser": str(parse.PARSER_VERSION), "unicode": unicodedata.unidata_version,
            "schema": blake2b(_SCHEMA.encode(), digest_size=8).hexdigest(),
            "roots": json.dumps(sorted(os.fsdecode(os.path.realpath(os.path.abspath(os.path.expanduser(
                os.fspath(r))))) for r in roots), ensure_ascii=True)}


WAIT_SLICE_MS = 100  # a wait for the write lock returns to Python this often (a Ctrl+C is seen there)


def begin(con: sqlite3.Connection, wait: float = BUSY_SECONDS) -> None:
    """BEGIN IMMEDIATE: the write lock, waiting up to `wait` seconds while another connection writes (0: not
    at all), then sqlite3.OperationalError (database is locked). SQLite's own wait (the busy timeout) sleeps
    in C, where no signal is seen: a Ctrl+C while another process wrote took effect only when the whole wait
    ran out. So it waits in slices of WAIT_SLICE_MS, and Python runs between them."""
    from time import monotonic

    deadline = monotonic() + wait
    try:
        while True:
            con.execute(f"PRAGMA busy_timeout = {max(0, min(WAIT_SLICE_MS, int((deadline - monotonic()) * 1000)))}")
            try:
                con.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", 0) & 0xFF != sqlite3.SQLITE_BUSY or monotonic() >= deadline:
                    raise
    finally:
        con.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")


def damaged(exc: BaseException) -> bool:
    """An SQLite error that says the file is not a sound database of ours (not a database, corrupt)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    text = str(exc)
    return "malformed" in text or "not a database" in text


def reason(exc: BaseException) -> str:
    """An SQLite or OS error in a few words ("attempt to write a readonly database", "Permission denied")."""
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc) or exc.__class__.__name__


class _Rebuild(Exception):
    pass


class Store:
    """The open index file: a connection per thread (WAL: a worker writes while the main thread reads)."""

    def __init__(self, path: Path, roots: list[str]) -> None:
        self.path = path
        self.roots = roots
        self.notice: str | None = None  # the one notice of opening it (rebuilt), if any
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []  # every one open (held by a thread or idle)
        self._idle: list[sqlite3.Connection] = []  # given back by threads that ended
        self._closing: list[sqlite3.Connection] = []  # held by a live thread when the store closed
        self._lock = threading.Lock()

    # -- opening ----------------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Open the file, creating it or rebuilding it as needed; IndexUnavailable if it cannot be used."""
        where = self.path
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexUnavailable(f"cannot make the folder of the library index {where.parent}: "
                                   f"{reason(exc)}; reading the digests without it") from None
        for attempt in range(2):
            try:
                st = os.stat(where)
            except FileNotFoundError:
                st = None
            except OSError as exc:
                raise IndexUnavailable(f"cannot use the library index {where}: {reason(exc)}; "
                                       "reading the digests without it") from None
            if st is None:
                try:  # made here, not by SQLite (0644): 0666 less the umask, as every file the reader makes
                    os.close(os.open(where, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
                except FileExistsError:
                    pass
                except OSError as exc:
                    raise IndexUnavailable(f"cannot make the library index {where}: {reason(exc)}; "
                                           "reading the digests without it") from None
            elif not stat.S_ISREG(st.st_mode):
                from reader.core.files import kind_of

                raise IndexUnavailable(f"the library index {where} is {kind_of(st.st_mode)}, not a file; "
                                       "reading the digests without it")
            try:
                self._open_schema()
                return
            except _Rebuild as why:
                problem = str(why)
            except sqlite3.Error as exc:
                if not damaged(exc) or attempt:
                    self.close()
                    raise IndexUnavailable(f"cannot use the library index {where}: {reason(exc)}; "
                                           "reading the digests without it") from None
                problem = f"was damaged ({reason(exc)})"
            self.close()
            try:
                remove_files(where)
            except OSError as exc:
                raise IndexUnavailable(f"the library index {where} {problem} and cannot be replaced: "
                                       f"{reason(exc)}; reading the digests without it") from None
            self.notice = f"the library index {where} {problem}; building it again"
        raise IndexUnavailable(f"cannot use the library index {where}; reading the digests without it")

    def _open_schema(self) -> None:
        con = self.connection()
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            # A new file (or one another program left empty): made ours under the write lock, where a second
            # process opening it at the same moment waits and then finds it made.
            con.execute("PRAGMA journal_mode=WAL")
            begin(con)
            try:
                version = con.execute("PRAGMA user_version").fetchone()[0]
                if version == 0:
                    if con.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]:
                        raise _Rebuild("is not an index of this program")
                    for statement in _statements(_SCHEMA):  # (executescript would commit first)
                        con.execute(statement)
                    con.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", _meta(self.roots).items())
                    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
            version = SCHEMA_VERSION
        if version != SCHEMA_VERSION or con.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise _Rebuild("is of another version")
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        wanted = _meta(self.roots)
        if any(meta.get(key) != wanted[key] for key in ("format", "parser", "unicode", "schema")):
            raise _Rebuild("is of another version")

    # -- connections ------------------------------------------------------------------------------------
    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit: transactions are explicit, BEGIN IMMEDIATE for writes).

        A thread that ends gives its connection back, and the next new thread takes it: the reader asks
        from short-lived worker threads (a thread for each search typed), and a connection of its own for
        each of them was a cold page cache every keystroke (half the search's time at 10x) and an open
        file that stayed open until the library closed (a thousand keystrokes, a thousand files)."""
        held = getattr(self._local, "held", None)
        if held is not None:
            return held.con
        with self._lock:
            con = self._idle.pop() if self._idle else None
        if con is None:
            con = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
            try:
                con.execute("PRAGMA synchronous = NORMAL")  # WAL: a crash loses at most the last commits
                con.execute("PRAGMA temp_store = MEMORY")
            except BaseException:
                con.close()
                raise
            with self._lock:
                self._connections.append(con)
        elif con.in_transaction:  # (left so by a thread that died in the middle of one)
            con.execute("ROLLBACK")
        self._local.held = _Held(con, self._give_back)
        return con

    def _give_back(self, con: sqlite3.Connection) -> None:
        with self._lock:
            if con in self._connections:
                self._idle.append(con)
                return
            closing = con in self._closing  # (the store closed while this thread held it)
            if closing:
                self._closing.remove(con)
        if closing:
            _close(con)

    def close(self) -> None:
        """Close the idle connections and this thread's own (a thread that asks again gets a new one). One
        another thread holds is closed when that thread gives it back (as it ends), never under a statement
        it is running: the reader closes a library while its worker may still be weighing in it, and a
        connection closed under a running statement can bring the process down."""
        held = getattr(self._local, "held", None)
        mine = held.con if held is not None else None
        with self._lock:
            connections, self._connections, idle, self._idle = self._connections, [], self._idle, []
            now = [con for con in connections if con is mine or con in idle]
            self._closing.extend(con for con in connections if not (con is mine or con in idle))
        self._local.held = None  # (its _Held gives back a connection the store no longer has: nothing)
        for con in now:
            _close(con)


def _close(con: sqlite3.Connection) -> None:
    try:
        con.close()
    except sqlite3.Error:
        pass


class _Held:
    """A thread's hold on a connection, kept in the thread's local storage: when the thread ends, its storage
    is dropped with this, and the connection goes back to the store's idle ones."""

    __slots__ = ("con", "_give_back")

    def __init__(self, con: sqlite3.Connection, give_back: Callable[[sqlite3.Connection], None]) -> None:
        self.con = con
        self._give_back = give_back

    def __del__(self) -> None:
        try:
            self._give_back(self.con)
        except Exception:  # (at interpreter exit)
            pass


def remove_files(path: Path) -> None:
    """Delete an index file and what SQLite keeps beside it (its write-ahead log and shared memory)."""
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            os.unlink(name)
        except FileNotFoundError:
            pass
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise
