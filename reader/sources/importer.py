"""Copy digest files (or folders of them) into the library, one file per day: YYYY/MM/DD.md.

A digest is a *.md file whose name holds its date (YYYY/MM/DD.md, YYYY-MM-DD.md, ...) and which gives papers
of that day. Anything else is skipped with a warning (a README, notes, a file that is not Markdown). A day
the library already has is never doubled: the same bytes are "already there"; different bytes keep the
library's copy (with a warning) unless replace=True. Only a file that holds that day's papers is the
library's copy of a day: notes or a README with a date in their name are never replaced, moved or deleted,
and neither is a file that holds other days too (or anything that is not a digest in the day's place); a
copy that --replace moves to the day's place is named in its line. Each file is written atomically (a link
written through, the mode kept); the parse cache learns every file written, so the next start does not
parse them again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reader.core.atomic import write_bytes_atomic
from reader.core.cache import ParseCache, shared_cache
from reader.core.library import LibraryError, discover
from reader.core.parse import read_file
from reader.core.library_lock import lock_library
from reader.core.words import count
from reader.errors import UserError


class ImportFailed(UserError):
    """An import that could not run (a missing path, an unwritable library): one line."""


@dataclass(frozen=True, slots=True)
class Imported:
    date: str
    papers: int
    path: Path  # where it now lives in the library
    source: Path
    replaced: bool = False
    removed: Path | None = None  # the library's old copy of the day, under another name, that it replaced


@dataclass(slots=True)
class ImportResult:
    added: list[Imported] = field(default_factory=list)  # new days, and replaced ones (replaced=True)
    unchanged: list[str] = field(default_factory=list)  # days already there with the same bytes
    warnings: list[str] = field(default_factory=list)  # skipped files and kept copies, one line each

    @property
    def papers(self) -> int:
        return sum(item.papers for item in self.added)

    def summary(self) -> str:
        new = [i for i in self.added if not i.replaced]
        parts = [f"imported {count(len(new), 'new day')} ({count(sum(i.papers for i in new), 'paper')})"]
        replaced = len(self.added) - len(new)
        if replaced:
            parts.append(f"replaced {replaced}")
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} already in the library")
        if self.warnings:
            parts.append(f"{len(self.warnings)} skipped")
        return "; ".join(parts)


def _library_days(library: Path) -> dict[str, list[Path]]:
    """The files of the library whose names give each day, in the reader's order: the candidates for that
    day's copy (which of them hold its papers is asked when a day is imported)."""
    if not library.is_dir():
        return {}
    files, _ = discover([library])
    days: dict[str, list[Path]] = {}
    for digest in files:
        if digest.date_hint:
            days.setdefault(digest.date_hint, []).append(digest.path)
    return days


def _days_in(path: Path, cache: ParseCache) -> set[str]:
    """The days whose papers the file holds (none for notes, a README, something unreadable)."""
    return {paper.date for paper in cache.read(path).papers}


def _day_copy(date: str, target: Path, candidates: list[Path], cache: ParseCache) -> Path | None:
    """The library's copy of date: the file in the day's place if it holds that day's papers, else the first
    other file named for the day that does."""
    ordered = sorted(candidates, key=lambda p: p != target)
    return next((p for p in ordered if date in _days_in(p, cache)), None)


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def import_paths(paths: Iterable[str | os.PathLike[str]], *, library: Path | None = None,
                 replace: bool = False, cache: ParseCache | None = None) -> ImportResult:
    """Copy the digests under paths into the library. Raises ImportFailed before writing anything if a path
    is missing, and on a write error (what was written before it stays: each file is whole)."""
    from reader import paths as app_paths

    library = Path(library) if library is not None else app_paths.library_dir()
    cache = cache if cache is not None else shared_cache()
    sources = [Path(p).expanduser() for p in paths]
    try:
        found, problems = discover(sources)
    except LibraryError as exc:
        raise ImportFailed(str(exc)) from None
    result = ImportResult(warnings=[str(p) for p in problems])
    lock = lock_library(library, ImportFailed)
    try:
        have = _library_days(library)
        for digest in found:
            _import_one(digest.path, digest.date_hint, library, have, replace, cache, result)
    finally:
        lock.release()
    cache.save()
    return result


def _import_one(source: Path, date: str | None, library: Path, have: dict[str, list[Path]], replace: bool,
                cache: ParseCache, result: ImportResult) -> None:
    if source.suffix.lower() != ".md":
        result.warnings.append(f"{source}: not a digest (not a .md file); skipped")
        return
    if date is None:
        result.warnings.append(f"{source}: not a digest (no date in its name, like 2024/08/07.md or "
                               "2024-08-07.md); skipped")
        return
    parsed = read_file(source)
    if not parsed.papers:
        why = f" ({parsed.warnings[0].message})" if parsed.warnings else ""
        result.warnings.append(f"{source}: not a digest (no papers in it){why}; skipped")
        return
    days = {paper.date for paper in parsed.papers}
    if date not in days:
        result.warnings.append(f"{source}: not a digest of {date}, the day its name gives (its papers are of "
                               f"{', '.join(sorted(days)[:3])}); skipped")
        return
    y, m, d = date.split("-")
    target = library / y / m / f"{d}.md"
    existing = _day_copy(date, target, have.get(date, []), cache)
    if existing != target and os.path.lexists(target):
        result.warnings.append(f"{source}: {target} is in the day's place and is not a digest of {date}; kept it, "
                               "nothing imported for that day")
        return
    if existing is not None:
        if _same_bytes(existing, source):
            result.unchanged.append(date)
            return
        if not replace:
            result.warnings.append(f"{source}: the library already has a different copy of {date} ({existing}); "
                                   "kept it (--replace takes this one)")
            return
        others = sorted(_days_in(existing, cache) - {date})
        if others:  # replacing (or moving) it would lose those days
            result.warnings.append(f"{source}: {existing} holds other days too ({', '.join(others[:3])}); kept it, "
                                   "nothing imported for that day")
            return
    removed = None
    try:
        write_bytes_atomic(target, source.read_bytes())
        if existing is not None and existing != target:
            existing.unlink()  # one file per day: the new one takes the day's place (and its line says so)
            removed = existing
    except OSError as exc:
        raise ImportFailed(f"cannot write {target}: {exc.strerror or exc}") from None
    have[date] = [target]
    papers = len(cache.read(target).papers)  # the cache learns the file as the reader will see it
    result.added.append(Imported(date, papers, target, source, replaced=existing is not None, removed=removed))
