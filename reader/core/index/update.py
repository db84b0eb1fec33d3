"""Keeping the index in step with the files: what changed (check), then writing just that (apply).

A file is unchanged when its size, modification and status change times (ns) and inode are those stored
with its rows, as the parse cache decides (reader.core.cache: a file replaced by one of the same size and
mtime has a new ctime and usually a new inode), and a file changed within RACY_NS of being read is checked
against the hash of its bytes first. The parser's version and the Unicode data's are the index's own
(store.py): another version is another index.

Changed and added files are parsed outside any transaction, then written a few at a time, each file whole
within one transaction (its old rows out, its new rows, its identity, the newest-appearance flags and the
day counts they touch): a writer killed at any moment leaves the index as it was before that transaction,
and the next check finds the files it did not finish still changed. Another process writing the same file
meanwhile is noticed inside the transaction (the stored identity is already the new one) and not repeated;
a file that changed after it was read here is not written over the rows another process may have stored
of its newer version (the next check reads it again if they are not).
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections.abc import Callable
from typing import NamedTuple

from reader.core.files import read_regular
from reader.core.index import fields, terms
from reader.core.index.store import BUSY_SECONDS, begin
from reader.core.korean import has_korean_summary
from reader.core.limits import MAX_DIGEST_BYTES, RACY_NS
from reader.core.parse import ParsedFile, parse_bytes, read_file

BATCH_FILES = 64  # files written in one transaction, at most ...
BATCH_SECONDS = 0.25  # ... and about this much parsing: a writer holds the lock briefly, a kill loses little

# Tests only: called with "paper" after each row written, "file" after each file, "commit" before each
# commit (a test process kills itself there to show what a killed writer leaves).
HOOK: Callable[[str], None] | None = None

Key = Callable[[str], "str | bytes"]
clock: Callable[[], int] = time.time_ns  # when a file is read or checked (tests move it)


def _hash(data: bytes) -> str:
    import hashlib  # (only when a file is read: a fresh index answers without it)

    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Plan:
    """What a check found: files unchanged (path -> file id), files to read (with their rank), file ids no
    longer found, ranks to rewrite, racy files whose bytes proved unchanged."""

    __slots__ = ("fresh", "stale", "removed", "ranks", "reordered", "confirmed", "racy")

    def __init__(self) -> None:
        self.fresh: dict[str, int] = {}
        self.stale: list[tuple[str, int, str | None]] = []  # (path, rank, date hint)
        self.removed: list[int] = []
        self.ranks: list[tuple[int, int]] = []  # (rank, file id)
        self.reordered = False  # files known before are found in another order (ties between them change)
        self.confirmed: list[tuple[int, int]] = []  # (checked_ns, file id)
        self.racy = 0  # files whose bytes decided (changed too near their last check for the identity to)

    def work(self) -> bool:
        return bool(self.stale or self.removed or self.ranks or self.confirmed)


_KNOWN = "SELECT key, id, rank, size, mtime_ns, ctime_ns, ino, checked_ns FROM files"


def check(con: sqlite3.Connection, files: list[tuple[str, int, str | None]], key: Key, *, complete: bool,
          rows: list[tuple] | None = None) -> Plan:
    """Compare `files` ((path, rank, date hint) in discovery order) with what the index holds (`rows`: its
    files' rows, as _KNOWN selects them, if already read). `complete`: these are all the library's files, so
    a stored file not among them was removed. (One stat a file: 2,400 files in about 10 ms.)"""
    plan = Plan()
    if complete:
        known = {row[0]: row for row in (rows if rows is not None else con.execute(_KNOWN))}
    else:
        known = {}
        for path, _rank, _hint in files:
            row = con.execute(_KNOWN + " WHERE key = ?", (key(path),)).fetchone()
            if row is not None:
                known[row[0]] = row
    last_rank = None
    now = clock()
    fresh, stale, ranks = plan.fresh, plan.stale, plan.ranks
    pop, stat_of, regular = known.pop, os.stat, stat.S_ISREG
    for path, rank, hint in files:
        row = pop(key(path), None)
        if row is None:
            stale.append((path, rank, hint))
            continue
        _key, file_id, stored_rank, size, mtime_ns, ctime_ns, ino, checked_ns = row
        if stored_rank != rank:
            ranks.append((rank, file_id))
            if last_rank is not None and stored_rank <= last_rank:
                plan.reordered = True
        last_rank = stored_rank
        try:
            st = stat_of(path)
        except OSError:
            stale.append((path, rank, hint))
            continue
        if not (size == st.st_size and mtime_ns == st.st_mtime_ns and ctime_ns == st.st_ctime_ns
                and ino == st.st_ino and size is not None and regular(st.st_mode) and size <= MAX_DIGEST_BYTES):
            stale.append((path, rank, hint))
            continue
        changed_ns = max(mtime_ns, ctime_ns)
        if changed_ns >= checked_ns - RACY_NS:  # racily clean: the bytes decide
            plan.racy += 1
            digest = con.execute("SELECT digest FROM files WHERE id = ?", (file_id,)).fetchone()[0]
            try:
                same = _hash(read_regular(path, MAX_DIGEST_BYTES, what="a digest")) == digest
            except OSError:
                same = False
            if not same:
                stale.append((path, rank, hint))
                continue
            if now - changed_ns > RACY_NS:
                plan.confirmed.append((now, file_id))
        fresh[path] = file_id
    if complete:
        plan.removed = [row[1] for row in known.values()]
    return plan


def unchanged(snapshot, paths: list[str]) -> Plan | None:
    """The plan of a check that finds every file of the index's snapshot (listing.Snapshot: the files in rank
    order, as a check that found them all clean and none racy left them) with the identity it holds: every
    one fresh. None as soon as one differs or is gone (check() then finds which). One stat a file and one
    comparison of them all: a third of check()'s cost."""
    from array import array
    from itertools import chain

    if len(paths) != len(snapshot.ids):
        return None
    try:
        seen = array("q", chain.from_iterable((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                                              for st in map(os.stat, paths)))
    except (OSError, OverflowError):
        return None
    if seen != snapshot.identity:
        return None
    plan = Plan()
    plan.fresh = dict(zip(paths, snapshot.ids))
    return plan


class _Read(NamedTuple):
    path: str
    rank: int
    hint: str | None
    identity: tuple | None  # (size, mtime_ns, ctime_ns, ino, checked_ns, digest), None: read it again next time
    warnings: str | None
    rows: list[tuple]


def _read(path: str, rank: int, hint: str | None, reader: Callable[[str], ParsedFile]) -> _Read:
    """Parse one file as `reader` does, with the identity of what was read (stat first: a change after it
    makes the next check read the file again)."""
    identity = None
    parsed = None
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is not None and stat.S_ISREG(st.st_mode) and st.st_size <= MAX_DIGEST_BYTES:
        checked = clock()
        try:
            data = read_regular(path, MAX_DIGEST_BYTES, what="a digest")
        except OSError:
            data = None
        if data is not None:
            identity = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, checked, _hash(data))
            parsed = parse_bytes(data, path) if reader is read_file else reader(path)
    if parsed is None:
        parsed = reader(path)  # it says why it could not be read
    rows = []
    for seq, p in enumerate(parsed.papers):
        columns = fields.columns(p.title, p.arxiv_id, p.authors, p.sections)
        rows.append((seq, p.date, p.arxiv_id, p.title, p.url, p.pdf_url, p.thumbnail, p.votes,
                     json.dumps(list(p.authors), ensure_ascii=False),
                     json.dumps([[s.name, s.markdown] for s in p.sections], ensure_ascii=False), p.line,
                     columns, terms.grams(fields.joined(*columns[:4])), int(has_korean_summary(p))))
    warnings = (json.dumps([[w.line, w.message] for w in parsed.warnings], ensure_ascii=False)
                if parsed.warnings else None)
    return _Read(path, rank, hint, identity, warnings, rows)


def _delete_papers(con: sqlite3.Connection, file_id: int, ids: set[str], dates: set[str]) -> None:
    old = con.execute("SELECT p.id, p.arxiv_id, p.date, s.title, s.ident, s.authors, s.body FROM papers p "
                      "LEFT JOIN search s ON s.rowid = p.id WHERE p.file = ?", (file_id,)).fetchall()
    for row_id, arxiv_id, date, *text in old:
        ids.add(arxiv_id)
        dates.add(date)
        tokens = terms.grams(fields.joined(*text)) if text[0] is not None else ""
        if tokens:  # a contentless table forgets a row when given exactly what it was given
            con.execute("INSERT INTO grams(grams, rowid, tokens) VALUES ('delete', ?, ?)", (row_id, tokens))
        con.execute("DELETE FROM search WHERE rowid = ?", (row_id,))
        con.execute("DELETE FROM bodies WHERE id = ?", (row_id,))
    con.execute("DELETE FROM papers WHERE file = ?", (file_id,))


# Each day's papers (its first row of each arXiv id, in discovery order, as Library.day keeps them):
# their count and the language the day reads in (reader.core.freshness.day_language).
_DAY_ROWS = """
SELECT date, count(*), CASE WHEN min(korean) = 1 THEN 'ko' WHEN max(korean) = 0 THEN 'en' ELSE 'ke' END
FROM (SELECT p.date, p.korean, row_number() OVER (PARTITION BY p.date, p.arxiv_id ORDER BY f.rank, p.seq) AS n
      FROM papers p JOIN files f ON f.id = p.file WHERE p.date IN (SELECT value FROM json_each(?)))
WHERE n = 1 GROUP BY date
"""


def _settle(con: sqlite3.Connection, ids: set[str], dates: set[str]) -> None:
    """The newest-appearance flag of these papers and the rows of these days (count, language), as their
    rows now are."""
    if ids or dates:  # papers changed: what is computed from them (similar papers) looks again
        con.execute("INSERT INTO meta(key, value) VALUES ('generation', 1) "
                    "ON CONFLICT(key) DO UPDATE SET value = value + 1")
    if ids:
        con.execute(
            "UPDATE papers SET newest = (id = (SELECT p2.id FROM papers p2 JOIN files f ON f.id = p2.file "
            "WHERE p2.arxiv_id = papers.arxiv_id ORDER BY p2.date DESC, f.rank, p2.seq LIMIT 1)) "
            "WHERE arxiv_id IN (SELECT value FROM json_each(?))", (json.dumps(sorted(ids)),))
    if dates:
        chosen = json.dumps(sorted(dates))
        con.execute("DELETE FROM days WHERE date IN (SELECT value FROM json_each(?))", (chosen,))
        con.execute("INSERT INTO days(date, papers, language) " + _DAY_ROWS, (chosen,))


def _write(con: sqlite3.Connection, read: _Read, key: str | bytes, ids: set[str], dates: set[str]) -> int:
    row = con.execute("SELECT id, size, mtime_ns, ctime_ns, ino, digest FROM files WHERE key = ?", (key,)).fetchone()
    identity = read.identity
    if row is not None and identity is not None and row[1:5] == identity[:4] and row[5] == identity[5]:
        con.execute("UPDATE files SET rank = ? WHERE id = ?", (read.rank, row[0]))
        return row[0]  # another process wrote this very version meanwhile
    if row is not None and identity is not None and _changed_since(read.path, identity):
        # The file changed after it was read here, and another process may have written the newer version
        # meanwhile (a reader that checked before this write would then be given this older one): the rows
        # stored stay. Whichever version they are, the next check compares them with the file again.
        return row[0]
    values = (read.rank, *(identity or (None,) * 6), read.warnings, read.hint)
    if row is not None:
        file_id = row[0]
        _delete_papers(con, file_id, ids, dates)
        con.execute("UPDATE files SET rank = ?, size = ?, mtime_ns = ?, ctime_ns = ?, ino = ?, checked_ns = ?, "
                    "digest = ?, warnings = ?, hint = ? WHERE id = ?", (*values, file_id))
    else:
        file_id = con.execute("INSERT INTO files(rank, size, mtime_ns, ctime_ns, ino, checked_ns, digest, warnings, "
                              "hint, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*values, key)).lastrowid
        con.execute("DELETE FROM meta WHERE key = 'listing'")  # a file it did not list
    for (seq, date, arxiv_id, title, url, pdf_url, thumbnail, votes, authors, sections, line, columns, tokens,
         korean) in read.rows:
        paper_id = con.execute(
            "INSERT INTO papers(file, seq, date, votes, arxiv_id, line, title, korean) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (file_id, seq, date, votes, arxiv_id, line, title, korean)).lastrowid
        con.execute("INSERT INTO bodies(id, url, pdf_url, thumbnail, authors, sections) VALUES (?, ?, ?, ?, ?, ?)",
                    (paper_id, url, pdf_url, thumbnail, authors, sections))
        con.execute("INSERT INTO search(rowid, title, ident, authors, body, keys) VALUES (?, ?, ?, ?, ?, ?)",
                    (paper_id, *columns))
        if tokens:
            con.execute("INSERT INTO grams(rowid, tokens) VALUES (?, ?)", (paper_id, tokens))
        ids.add(arxiv_id)
        dates.add(date)
        if HOOK is not None:
            HOOK("paper")
    if HOOK is not None:
        HOOK("file")
    return file_id


def _changed_since(path: str, identity: tuple) -> bool:
    """Whether the file is no longer as it was when read (`identity`: size, mtime, ctime, inode first)."""
    try:
        st = os.stat(path)
    except OSError:
        return True
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) != identity[:4]


def _commit(con: sqlite3.Connection) -> None:
    if HOOK is not None:
        HOOK("commit")
    con.execute("COMMIT")


def transaction(con: sqlite3.Connection, body: Callable[[], None], wait: float = BUSY_SECONDS) -> None:
    """body() in one write transaction (store.begin: a second writer waits its turn, up to `wait` seconds),
    committed whole or rolled back."""
    try:
        begin(con, wait)
        body()
        _commit(con)
    except BaseException:
        if con.in_transaction:
            try:
                con.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        raise


def apply(con: sqlite3.Connection, plan: Plan, key: Key, reader: Callable[[str], ParsedFile] = read_file,
          progress: Callable[[int, int], None] | None = None) -> dict[str, tuple[int, int]]:
    """Write what `plan` found changed; returns {path: (file id, papers)} for each file read."""
    if plan.removed or plan.ranks or plan.confirmed:
        def housekeeping() -> None:
            ids: set[str] = set()
            dates: set[str] = set()
            for file_id in plan.removed:
                _delete_papers(con, file_id, ids, dates)
                con.execute("DELETE FROM files WHERE id = ?", (file_id,))
            con.executemany("UPDATE files SET rank = ? WHERE id = ?", plan.ranks)
            if plan.removed or plan.ranks:
                con.execute("DELETE FROM meta WHERE key = 'listing'")  # not the files it listed, in its order
            con.executemany("UPDATE files SET checked_ns = ? WHERE id = ?", plan.confirmed)
            if plan.reordered:  # which of two rows on one day comes first may have changed
                for arxiv_id, date in con.execute(
                        "SELECT arxiv_id, date FROM papers GROUP BY arxiv_id, date HAVING count(*) > 1"):
                    ids.add(arxiv_id)
                    dates.add(date)
            _settle(con, ids, dates)

        transaction(con, housekeeping)
    done: dict[str, tuple[int, int]] = {}
    total = len(plan.stale)
    position = 0
    while position < total:
        batch: list[_Read] = []
        started = time.perf_counter()
        while position < total and len(batch) < BATCH_FILES and (
                not batch or time.perf_counter() - started < BATCH_SECONDS):
            path, rank, hint = plan.stale[position]
            batch.append(_read(path, rank, hint, reader))
            position += 1

        def write() -> None:
            ids: set[str] = set()
            dates: set[str] = set()
            for read in batch:
                done[read.path] = (_write(con, read, key(read.path), ids, dates), len(read.rows))
            _settle(con, ids, dates)

        transaction(con, write)
        if progress is not None:
            for number in range(position - len(batch) + 1, position + 1):
                progress(number, total)
    return done
