"""The library's index: a SQLite file in the cache folder holding every paper of every day, so that a day,
the day list, a paper by id and search cost the same whatever the archive's size (issue 18).

It is only a cache of the digests: delete it freely, it is built again (store.py says where it lives and
what it holds; update.py how it follows the files; terms.py how search finds words; library.py the
Library that answers from it). `open_indexed(paths)` opens the library with it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from reader.core.index.store import SCHEMA_VERSION, IndexUnavailable, Store, index_path, path_key

__all__ = ["SCHEMA_VERSION", "IndexUnavailable", "index_path", "open_answering", "open_indexed"]


def _prepared(roots: list[str], index) -> Store:
    """The index's store for these roots in `index` (True: the cache folder's index/, else a folder), opened
    (IndexUnavailable if it cannot be used). A root that is not there is the error it always was (LibraryError)
    and makes no index."""
    from reader.core.library import discover

    for root in roots:
        try:
            os.stat(os.path.abspath(os.path.expanduser(root)))
        except OSError:
            discover(roots)  # raises LibraryError (or lists it, if it came meanwhile)
            break
    if index is True:
        from reader import paths as app_paths

        folder = app_paths.index_dir()
    else:
        folder = os.fspath(index)
    store = Store(index_path(roots, folder), roots)
    store.prepare()
    return store


def _open_indexed(paths: list, index=True, *, reader: Callable | None = None, cache=None, cache_factory=None,
                  store: Store | None = None):
    """The library of the files under `paths` backed by its index in `index` (True: the cache folder's
    index/, else a folder; or `store`, opened already); the in-memory library with one notice when the index
    cannot be used. The files are listed again only if a folder changed since the index last listed them
    (listing.py)."""
    import sqlite3

    from reader.core.index import listing, update
    from reader.core.index.library import IndexedLibrary, key_function
    from reader.core.library import Library, discover
    from reader.core.parse import read_file

    reader = reader or read_file
    roots = [os.fspath(p) for p in paths]
    try:
        store = store or _prepared(roots, index)
    except IndexUnavailable as exc:
        files, warnings = discover(roots)
        library = Library(files, reader=reader, cache=cache, cache_factory=cache_factory)
        library.warnings.extend(warnings)
        library.notices.append(str(exc))
        return library
    key = key_function(roots)
    found = None
    if key is path_key:
        try:
            found = listing.cached(store.connection(), roots)
        except sqlite3.Error:  # damage: seen (and said) by the first question
            found = None
    folders: list | None = None
    rows = None
    seen_ns = update.clock()
    try:
        if found is not None:
            files, rows = found
            warnings = []
        else:
            folders = [] if key is path_key and all(os.path.isdir(r) for r in roots) else None
            files, warnings = discover(roots, folders)
    except BaseException:
        store.close()
        raise
    library = IndexedLibrary(files, roots, store, reader=reader, cache=cache, cache_factory=cache_factory,
                             listing=None if warnings or folders is None else (folders, seen_ns), rows=rows)
    library.warnings.extend(warnings)
    return library


def open_indexed(paths, index=True, *, reader: Callable | None = None, cache=None, cache_factory=None,
                 store: Store | None = None):
    """The library of the files under `paths` backed by its index (see _open_indexed), remembering the paths
    it was opened on (Library.roots), as Library.open does."""
    paths = list(paths)
    library = _open_indexed(paths, index, reader=reader, cache=cache, cache_factory=cache_factory, store=store)
    library.roots = tuple(os.fspath(p) for p in paths)
    return library


def open_answering(paths, operation: Callable, fallback: Callable, index=True, *, reader: Callable | None = None,
                   cache_factory=None, progress: Callable[[int, int], None] | None = None):
    """(the library at `paths` opened and loaded, as open_indexed and load_rest give it; the answer of
    operation(connection) over its index once it is loaded, or of fallback(library) if the index cannot be
    used: Library.ask's).

    Listing the files and checking each one's identity is what costs more as the library grows (a stat a
    file). The command's question does not wait for it: it is asked over the index as it stands while the
    files are listed and checked in a thread of their own (both spend their time in stat and SQLite, which
    let the other run), and asked again only if the index changed meanwhile (PRAGMA data_version: anything
    the check wrote, or another process). So the answer is always the one asked of the loaded library."""
    import sqlite3
    import sys
    import threading

    paths = list(paths)
    roots = [os.fspath(p) for p in paths]
    try:
        store = _prepared(roots, index)
    except IndexUnavailable:
        store = None
    if store is None:  # (opened again by the usual way, which says why in a notice)
        library = open_indexed(paths, index, reader=reader, cache_factory=cache_factory)
        library.load_rest(progress)
        return library, library.ask(lambda con, _paper_of: operation(con), fallback)
    outcome: dict = {}

    def load() -> None:
        try:
            library = open_indexed(paths, index, reader=reader, cache_factory=cache_factory, store=store)
            library.load_rest(progress)
            outcome["library"] = library
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            outcome["error"] = exc

    early = None
    thread = threading.Thread(target=load, name="daily-papers-check", daemon=True)
    switching = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)  # (the question takes Python's lock back at once when SQLite gives it up)
    try:
        con = store.connection()
        version = con.execute("PRAGMA data_version").fetchone()[0]
        thread.start()
        try:
            early = (operation(con),)
            unchanged = lambda: con.execute("PRAGMA data_version").fetchone()[0] == version  # noqa: E731
        except (sqlite3.Error, ValueError):
            early = None
    finally:
        if thread.ident is not None:
            thread.join()
        sys.setswitchinterval(switching)
    if "error" in outcome:
        store.close()
        raise outcome["error"]
    library = outcome["library"]
    if early is not None and library.indexed and not library.notices:
        try:
            if unchanged():
                return library, early[0]
        except sqlite3.Error:
            pass
    return library, library.ask(lambda con, _paper_of: operation(con), fallback)
