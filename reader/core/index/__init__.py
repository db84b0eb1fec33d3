"""The library's index: a SQLite file in the cache folder holding every paper of every day, so that a day,
the day list, a paper by id and search cost the same whatever the archive's size (issue 18).

It is only a cache of the digests: delete it freely, it is built again (store.py says where it lives and
what it holds; update.py how it follows the files; terms.py how search finds words; library.py the
Library that answers from it). `Library.open(paths, index=True)` opens the library with it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from reader.core.index.store import SCHEMA_VERSION, IndexUnavailable, Store, index_path

__all__ = ["SCHEMA_VERSION", "IndexUnavailable", "index_path", "open_indexed"]


def open_indexed(paths: list, files: list, index, *, reader: Callable, cache=None, cache_factory=None):
    """The library on `files` (found under `paths`) backed by its index in `index` (True: the cache folder's
    index/, else a folder); the in-memory library with one notice when the index cannot be used."""
    from reader.core.index.library import IndexedLibrary
    from reader.core.library import Library

    if index is True:
        from reader import paths as app_paths

        folder = app_paths.index_dir()
    else:
        folder = os.fspath(index)
    roots = [os.fspath(p) for p in paths]
    store = Store(index_path(roots, folder), roots)
    try:
        store.prepare()
    except IndexUnavailable as exc:
        library = Library(files, reader=reader, cache=cache, cache_factory=cache_factory)
        library.notices.append(str(exc))
        return library
    return IndexedLibrary(files, roots, store, reader=reader, cache=cache, cache_factory=cache_factory)
