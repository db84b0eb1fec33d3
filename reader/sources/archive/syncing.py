"""sync(): the archive's git repository brought into the library folder (see reader.sources.archive)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from reader.core.cache import ParseCache, shared_cache
from reader.core.library import Library
from reader.core.library_lock import lock_library, real_folder
from reader.core.limits import MAX_DIGEST_BYTES, size_text
from reader.core.words import count
from reader.sources.archive.days import Change, differs, place, write_days
from reader.sources.archive.errors import SyncCancelled, SyncError
from reader.sources.archive.git import Progress, find_git, run_git
from reader.sources.archive.upstream import DIGEST_FOLDER, UPSTREAM_REF, fetch_upstream, upstream_digests

DEFAULT_SOURCE = "https://github.com/l-yohai/daily_papers_ko.git"


@dataclass(frozen=True, slots=True)
class SyncResult:
    source: str
    commit: str
    new_days: int  # days the library did not have before
    new_papers: int  # (day, paper) pairs it did not have before
    copied: int  # digest files written (new or changed upstream)
    days: int  # days in the library now
    papers: int  # (day, paper) pairs in the library now
    first: bool  # the first sync (a fresh clone)
    updated: tuple[str, ...] = ()  # the library's files that upstream's different copy replaced (YYYY/MM/DD.md)
    ignored: int = 0  # entries of paper_logs/ not named YYYY/MM/DD.md (or not a file)
    warnings: tuple[str, ...] = ()  # days not copied, one line each naming the file (too big, left as it is)

    def summary(self) -> str:
        text = (f"{count(self.new_days, 'new day')}, {count(self.new_papers, 'new paper')} "
                f"(library: {count(self.days, 'day')}, {count(self.papers, 'paper')})")
        if self.updated:
            text += f"; updated from the archive: {_names(self.updated)}"
        if self.ignored:
            text += f"; {count(self.ignored, 'other file')} in {DIGEST_FOLDER}/ ignored (not YYYY/MM/DD.md)"
        if len(self.warnings) == 1:
            text += f"; {self.warnings[0]}"
        elif self.warnings:
            text += f"; {len(self.warnings):,} days not copied (the first: {self.warnings[0]})"
        return text


def _names(items: tuple[str, ...], shown: int = 5) -> str:
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more:,} more" if more > 0 else "")


def _pairs(library: Path, cache: ParseCache) -> tuple[set[str], set[tuple[str, str]]]:
    if not library.is_dir():
        return set(), set()
    lib = Library.open([library], cache=cache).load_all()
    return set(lib.dates()), {(p.date, p.arxiv_id) for p in lib.papers()}


def sync(source: str = DEFAULT_SOURCE, *, library: Path | None = None, repo: Path | None = None,
         cache: ParseCache | None = None, progress: Progress | None = None,
         cancel: threading.Event | None = None) -> SyncResult:
    """Sync the library with the archive at source (any git URL). Raises SyncError; prints nothing."""
    from reader import paths as app_paths

    library = Path(library) if library is not None else app_paths.library_dir()
    repo = Path(repo) if repo is not None else app_paths.data_dir() / "upstream.git"
    cache = cache if cache is not None else shared_cache()
    git = find_git()
    lock = lock_library(library, SyncError)
    try:
        return _sync(git, source, library, repo, cache, progress, cancel)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise SyncError(f"cannot sync: {exc.strerror or exc}{where}; the library is unchanged") from None
    finally:
        lock.release()


def _sync(git: str, source: str, library: Path, repo: Path, cache: ParseCache, progress: Progress | None,
          cancel: threading.Event | None) -> SyncResult:
    if library.is_symlink() and not library.exists():
        raise SyncError(f"the library {library} is a link to {os.readlink(library)}, which is missing (a disk not "
                        "mounted?); mount it, or remove the link to start a library there")
    real = real_folder(library)
    if progress:
        progress("Fetching", None)
    first = fetch_upstream(git, repo, source, progress, cancel)
    commit = run_git(git, [f"--git-dir={repo}", "rev-parse", f"{UPSTREAM_REF}^{{commit}}"]).strip()
    listing = upstream_digests(git, repo)
    if not listing.blobs and not listing.too_big:
        raise SyncError(f"{source} holds no digests ({DIGEST_FOLDER}/YYYY/MM/DD.md); is it the archive?")
    if cancel is not None and cancel.is_set():
        raise SyncCancelled()
    warnings = [f"{path} not copied: it is {size_text(size)}, more than a digest may be "
                f"({size_text(MAX_DIGEST_BYTES)})" for path, size in listing.too_big]
    changes: list[Change] = []
    for blob in listing.blobs:
        target, why = place(real, blob.rel)
        if target is None:
            warnings.append(why)
        elif differs(target, blob):
            changes.append(Change(blob, target))
    days_before, pairs_before = _pairs(real, cache)
    if changes:
        write_days(git, repo, library, changes, progress, cancel)
    if progress:
        progress("Reading new days", None)
    days_after, pairs_after = _pairs(real, cache) if changes else (days_before, pairs_before)
    cache.save()
    return SyncResult(source=source, commit=commit, new_days=len(days_after - days_before),
                      new_papers=len(pairs_after - pairs_before), copied=len(changes),
                      days=len(days_after), papers=len(pairs_after), first=first,
                      updated=tuple(c.blob.rel for c in changes if c.existed), ignored=listing.ignored,
                      warnings=tuple(warnings))

