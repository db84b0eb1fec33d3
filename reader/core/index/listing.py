"""The library's files as the index last listed them, used again while no folder changed.

Listing the library (reader.core.library.discover: one scandir per folder) costs as much as checking every
file's identity; a folder's own identity (device, inode, modification and status change times) changes
whenever a name in it is added, removed or renamed, so while every folder listed last time is the same (and
was not changed within RACY_NS of being listed), the files are those of last time, in the same order: the
index's files in rank order. Each file's own identity is still checked (update.check): only the listing is
skipped. Kept only for a library of folders, reached by their own names (no root through a link), listed
without a warning, and only once the files table holds exactly that listing in that order.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from typing import TYPE_CHECKING, NamedTuple

from reader.core.index.store import begin, key_path, path_key
from reader.core.library import DigestFile
from reader.core.limits import RACY_NS

if TYPE_CHECKING:
    from array import array


def roots_text(roots: list[str]) -> str:
    return json.dumps([os.path.abspath(os.path.expanduser(r)) for r in roots], ensure_ascii=True)


def cached(con: sqlite3.Connection, roots: list[str]) -> tuple[list[DigestFile], list[tuple] | None,
                                                              "Snapshot | None"] | None:
    """The files (and their rows for update.check, or the snapshot for update.unchanged) if the listing kept
    for these roots still holds."""
    row = con.execute("SELECT value FROM meta WHERE key = 'listing'").fetchone()
    if row is None or row[0] != roots_text(roots):
        return None
    for path, dev, ino, mtime_ns, ctime_ns, seen_ns in con.execute(
            "SELECT path, dev, ino, mtime_ns, ctime_ns, seen_ns FROM folders"):
        try:
            st = os.stat(path)
        except OSError:
            return None
        if not (stat.S_ISDIR(st.st_mode) and st.st_dev == dev and st.st_ino == ino and st.st_mtime_ns == mtime_ns
                and st.st_ctime_ns == ctime_ns) or max(mtime_ns, ctime_ns) >= seen_ns - RACY_NS:
            return None
    kept = con.execute("SELECT keys, hints, ids, identity FROM snapshot").fetchone()
    if kept is not None:
        snapshot = _snapshot(*kept)
        if snapshot is not None:
            return snapshot.files, None, snapshot
    rows = con.execute("SELECT key, id, rank, size, mtime_ns, ctime_ns, ino, checked_ns, hint FROM files "
                       "ORDER BY rank").fetchall()
    return [DigestFile(r[0] if type(r[0]) is str else key_path(r[0]), r[8]) for r in rows], [r[:8] for r in rows], None


class Snapshot(NamedTuple):
    """The files table in rank order as one row (table snapshot): what a check needs of 2,400 files in one
    fetch instead of 2,400 rows. Kept after a check that found every file clean and none racy, dropped by
    the triggers on files whenever any of its rows is written (by any process)."""

    files: list[DigestFile]
    ids: "array"  # each file's id
    identity: "array"  # each file's (size, mtime_ns, ctime_ns, ino), one after another
    kept: tuple[bytes, bytes] = (b"", b"")  # the row's keys and identity as stored (a helper's digest: ahead.py)


def _snapshot(keys: bytes, hints: bytes, ids: bytes, identity: bytes) -> Snapshot | None:
    from array import array

    paths = keys.decode("utf-8").split("\0")
    dates = hints.decode("ascii").split("\0")
    numbers, seen = array("q"), array("q")
    numbers.frombytes(ids)
    seen.frombytes(identity)
    if not (len(paths) == len(dates) == len(numbers) == len(seen) // 4):
        return None
    return Snapshot([DigestFile(path, date or None) for path, date in zip(paths, dates)], numbers, seen,
                    (bytes(keys), bytes(identity)))


def keep_snapshot(con: sqlite3.Connection) -> None:
    """Write the files table's snapshot (after a check that found every file clean and none racy), unless
    the files cannot be written as one (a name that is not Unicode) or another process holds the index: it
    only saves the next command time, and never makes this one wait or fail."""
    from array import array

    try:
        begin(con, 0)
        try:
            rows = con.execute("SELECT key, hint, id, size, mtime_ns, ctime_ns, ino, checked_ns FROM files "
                               "ORDER BY rank").fetchall()
            # (as they are now, another process's rows too: each a Unicode name, none racily clean)
            if rows and all(type(r[0]) is str and "\0" not in r[0] and None not in r[3:]
                            and max(r[4], r[5]) < r[7] - RACY_NS for r in rows):
                con.execute("INSERT OR REPLACE INTO snapshot(id, keys, hints, ids, identity) VALUES (1, ?, ?, ?, ?)", (
                    "\0".join(r[0] for r in rows).encode("utf-8"), "\0".join(r[1] or "" for r in rows).encode("ascii"),
                    array("q", [r[2] for r in rows]).tobytes(), array("q", [v for r in rows for v in r[3:7]]).tobytes()))
            con.execute("COMMIT")
        finally:
            if con.in_transaction:
                con.execute("ROLLBACK")
    except (sqlite3.Error, OverflowError, UnicodeError):
        pass


def save(con: sqlite3.Connection, roots: list[str], files: list[DigestFile],
         folders: list[tuple[str, os.stat_result]], seen_ns: int) -> None:
    """Keep this listing (taken at seen_ns) if the files table holds exactly these files in this order."""
    from reader.core.index.update import transaction

    keys = [path_key(f.file) for f in files]
    rows = [(path_key(path), st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, seen_ns) for path, st in folders]

    def body() -> None:
        if [row[0] for row in con.execute("SELECT key FROM files ORDER BY rank, id")] != keys:
            return  # another process's listing or order came in between: list again next time
        con.execute("DELETE FROM folders")
        con.executemany("INSERT OR REPLACE INTO folders(path, dev, ino, mtime_ns, ctime_ns, seen_ns) "
                        "VALUES (?, ?, ?, ?, ?, ?)", rows)
        con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('listing', ?)", (roots_text(roots),))

    transaction(con, body)
