"""Which library to open and opening it: what the reader and the subcommands share (neither prints here).

With no PATH the library is the user's library folder once it holds a digest, else the two bundled sample days
(and the reader says so: sample_notice()). reader.commands.common.open_library wraps open_library() for the
subcommands, printing the library's warnings on stderr.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reader import paths as app_paths
from reader.core.library import Library, LibraryError
from reader.errors import UserError


def default_library_paths() -> tuple[list[Path], bool]:
    """The user's library folder if it holds any digest, else the bundled sample days (and True)."""
    library = app_paths.library_dir()
    if library.is_dir() and any(library.rglob("*.md")):
        return [library], False
    return [app_paths.bundled_data_dir()], True


def sample_notice() -> str | None:
    """The one line to show while the library is empty and the bundled sample days stand in, else None."""
    if not default_library_paths()[1]:
        return None
    count = sum(1 for _ in app_paths.bundled_data_dir().rglob("*.md"))
    return (f"showing the {count} bundled sample days; run 'daily-papers sync' to get the archive "
            f"(or 'daily-papers import PATH' for digests you have)")


def _shared_cache():
    """The parse cache, imported when first needed: not on the reader's way to its first screen, nor on a
    command's that the library's index answers (it and hashlib's OpenSSL cost a command 10-20 ms)."""
    from reader.core.cache import shared_cache

    return shared_cache()


def open_library(paths: list[str] | None, *, load: bool = True, index: bool | None = None,
                 progress: Callable[[int, int], None] | None = None, ahead: bool = False) -> Library:
    """The library at PATHs (default: the user's library, or the sample days while it is empty).

    With the index (the default when load=True, `index=load`), answers come from the library's index in the
    cache folder (reader.core.index), which reads only the files that changed since it last looked; if it
    cannot be used, the library is read through the shared parse cache, and one line in `library.notices`
    says so. With load=True (the subcommands) the library is brought up to date now (`progress(done,
    total)` as files are read), its warnings left in `library.warnings`; with load=False nothing is read
    (the reader: load_newest() parses the newest day directly, then parse_pending() in a worker opens the
    cache and reads the rest). With load=True and `ahead` (a command, asking from one thread) the files may
    still be being checked when it returns: the first question runs meanwhile and its answer waits for the
    check (IndexedLibrary.load_rest); the warnings are complete, and the caller told, at after_check().
    A PATH that does not exist is a UserError (one line).
    """
    targets = list(paths) if paths else default_library_paths()[0]
    try:
        if load if index is None else index:
            from reader.core.index import open_indexed

            library = open_indexed(targets, cache_factory=_shared_cache)
        elif load:
            library = Library.open(targets, cache=_shared_cache())
        else:
            library = Library.open(targets, cache_factory=_shared_cache)
    except LibraryError as exc:
        raise UserError(f"{exc} (give digest files or folders, or a command: see daily-papers --help)") from None
    if load:
        library.load_rest(progress, ahead=ahead)
    return library
