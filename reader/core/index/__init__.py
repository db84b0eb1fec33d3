"""The library's index: a SQLite file in the cache folder holding every paper of every day, so that a day,
the day list, a paper by id and search cost the same whatever the archive's size (issue 18).

It is only a cache of the digests: delete it freely, it is built again (store.py says where it lives and
what it holds; update.py how it follows the files; terms.py how search finds words; library.py the
Library that answers from it). `open_indexed(paths)` opens the library with it.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # (typing's, without importing typing: ahead.py is imported before anything)
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["SCHEMA_VERSION", "IndexUnavailable", "index_path", "open_indexed"]


def __getattr__(name: str):
    """store.py's names, imported on first use: importing the package (for ahead.py, before a command has
    imported anything) costs nothing."""
    if name in ("SCHEMA_VERSION", "IndexUnavailable", "index_path"):
        from reader.core.index import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _open_indexed(paths: list, index=True, *, reader: Callable | None = None, cache=None, cache_factory=None):
    """The library of the files under `paths` backed by its index in `index` (True: the cache folder's
    index/, else a folder); the in-memory library with one notice when the index cannot be used. The files
    are listed again only if a folder changed since the index last listed them (listing.py)."""
    import sqlite3

    from reader.core.index import listing, update
    from reader.core.index.library import IndexedLibrary
    from reader.core.index.store import IndexUnavailable, Store, index_path, key_function, path_key
    from reader.core.library import Library, discover
    from reader.core.parse import read_file

    reader = reader or read_file
    roots = [os.fspath(p) for p in paths]
    for root in roots:  # a path that is not there is the error it always was, and makes no index
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
    try:
        store.prepare()
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
    rows = snapshot = None
    seen_ns = update.clock()
    try:
        if found is not None:
            files, rows, snapshot = found
            warnings = []
        else:
            folders = [] if key is path_key and all(os.path.isdir(r) for r in roots) else None
            files, warnings = discover(roots, folders)
    except BaseException:
        store.close()
        raise
    library = IndexedLibrary(files, roots, store, reader=reader, cache=cache, cache_factory=cache_factory,
                             listing=None if warnings or folders is None else (folders, seen_ns), rows=rows,
                             snapshot=snapshot)
    library.warnings.extend(warnings)
    return library


def open_indexed(paths, index=True, *, reader: Callable | None = None, cache=None, cache_factory=None):
    """The library of the files under `paths` backed by its index (see _open_indexed), remembering the paths
    it was opened on (Library.roots), as Library.open does."""
    paths = list(paths)
    library = _open_indexed(paths, index, reader=reader, cache=cache, cache_factory=cache_factory)
    library.roots = tuple(os.fspath(p) for p in paths)
    return library
