"""The library: digest files found on disk, parsed (or taken from the cache), indexed by day and by arXiv id.

Loading is incremental so the first screen never waits for the whole archive: `Library.open()` only lists
files, `load_newest()` parses just the files that can hold the newest day (by their names), and
`parse_pending()` reads the remainder in the reader's worker thread (the main thread then `merge()`s it).
Command-line tools call `load_all()`. `reader.core.index.open_indexed(paths)` gives the same Library backed by the
library's index: loading then reads only the files that changed, every answer a query, only it in memory.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple, Protocol

from reader.core.model import Day, Paper, vote_order
from reader.core.parse import ParsedFile, ParseWarning, date_from_path, read_file
from reader.core.sanitize import clean_line
from reader.core.text import fold, search_text

Reader = Callable[[Path], ParsedFile]


class Cache(Protocol):
    """What Library needs of a parse cache (reader.core.cache.ParseCache): a reader, and save() that never raises."""

    def read(self, path: str | os.PathLike[str]) -> ParsedFile: ...
    def save(self) -> bool: ...


class LibraryError(Exception):
    """A problem with the paths given (one line, shown to the user)."""


class DigestFile(NamedTuple):  # a tuple: discovery makes thousands, and a frozen dataclass costs 3x more each
    file: str  # the path as found (a str: thousands of pathlib objects cost more than the whole scan)
    date_hint: str | None  # the date the file name gives, if any

    @property
    def path(self) -> Path:
        return Path(self.file)


class _DayBucket:
    __slots__ = ("papers", "ids", "ordered", "language")

    def __init__(self) -> None:
        self.papers: list[Paper] = []
        self.ids: set[str] = set()
        self.ordered: tuple[Paper, ...] | None = None
        self.language: tuple[tuple[Paper, ...], str] | None = None  # (the papers it was found for, ko/en/ke)


_MONTH_FOLDER = re.compile(r"(?:^|/)([0-9]{4})/([0-9]{2})$")


def _month_of(month: re.Match) -> tuple[str, int] | None:
    """A YYYY/MM folder -> ("YYYY-MM-", the number of days that month has); None for no such month."""
    import calendar  # (and the locale module it imports: not on a command's way when the index answers)
    year, number = int(month[1]), int(month[2])
    if not (1 <= number <= 12 and 1 <= year):
        return None
    return f"{year:04d}-{number:02d}-", calendar.monthrange(year, number)[1]


def _day_hint(month: tuple[str, int], name: str) -> str | None | bool:
    """DD.md in that folder -> its date, as date_from_path gives it (False: ask date_from_path)."""
    day = name[:2]
    if len(name) == 5 and day.isascii() and day.isdigit() and 1 <= int(day) <= month[1]:
        return month[0] + day
    return False


def discover(paths: Iterable[str | os.PathLike[str]],
             folders: list[tuple[str, os.stat_result]] | None = None) -> tuple[list[DigestFile], list[ParseWarning]]:
    """Every *.md file under the given files and folders, in name order (recursive; hidden entries skipped).
    `folders`, if given, gets each folder listed, with its stat as it was before it was listed (the index
    lists the library again only when one of them changed). One os.scandir per folder and no stat per file
    (a file's identity is its folder's device and the inode scandir already gives; a symlink is followed
    with one stat): 2,400 files in about 10 ms.
    A file reached twice (the same file given twice, a symlinked folder) counts once; symlink loops are cut;
    a folder that cannot be listed is a warning, not an error, and so is a file that vanishes before it is
    read (during the scan or after it: reading it says so).
    """
    found: list[DigestFile] = []
    warnings: list[ParseWarning] = []
    seen: set[tuple[int, int]] = set()

    def add(path: str, key: tuple[int, int], hint: str | None | bool = False) -> None:
        if key not in seen:
            seen.add(key)
            found.append(DigestFile(path, date_from_path(path) if hint is False else hint))

    for raw in paths:
        root = os.path.abspath(os.path.expanduser(os.fspath(raw)))
        try:
            st = os.stat(root)
        except FileNotFoundError:
            raise LibraryError(f"no such file or folder: {os.fspath(raw)}") from None
        except OSError as exc:
            raise LibraryError(f"cannot read {os.fspath(raw)}: {exc.strerror}") from None
        if not stat.S_ISDIR(st.st_mode):
            add(root, (st.st_dev, st.st_ino))
            continue
        visited = {(st.st_dev, st.st_ino)}
        stack = [(root, st.st_dev, st)]
        while stack:
            folder, device, folder_st = stack.pop()
            if folders is not None:
                folders.append((folder, folder_st))
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                warnings.append(ParseWarning(folder, 0, f"cannot list folder: {exc.strerror}"))
                continue
            subfolders = []
            found_month = _MONTH_FOLDER.search(folder)  # .../YYYY/MM: the archive's layout, its files are DD.md
            month = _month_of(found_month) if found_month else None
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                try:
                    if name[-3:].lower() == ".md" and entry.is_file():
                        if entry.is_symlink():
                            est = entry.stat()  # the file it points to
                            add(entry.path, (est.st_dev, est.st_ino))
                        else:
                            add(entry.path, (device, entry.inode()), _day_hint(month, name) if month else False)
                    elif entry.is_dir():
                        est = entry.stat()
                        key = (est.st_dev, est.st_ino)
                        if key not in visited:
                            visited.add(key)
                            subfolders.append((entry.path, est.st_dev, est))
                except OSError:
                    continue  # vanished or unreadable while we looked: the next scan will see it
            stack.extend(reversed(subfolders))
    return found, warnings


class DayRow(NamedTuple):
    """What the day list shows of a day."""

    date: str
    papers: int
    unread: int
    language: str  # reader.core.freshness.day_language: ko, en or ke


class Brief(NamedTuple):
    """What a one-line listing of a paper shows (`daily-papers search` without --json)."""

    date: str
    votes: int | None
    arxiv_id: str
    title: str


class Library:
    """Days and papers found in digest files. Held in memory, or backed by the library's index
    (`reader.core.index.open_indexed(paths)`), with the same methods and answers."""

    def __init__(self, files: Iterable[DigestFile] = (), reader: Reader = read_file,
                 cache: Cache | None = None, cache_factory: Callable[[], Cache] | None = None) -> None:
        # With a cache, files are read through it and it is saved whenever the remaining files have been
        # read (load_rest, load_all, parse_pending: in whichever thread did the reading). A cache_factory
        # defers opening the cache to the first bulk read: the newest day (one file) is parsed directly, so
        # the first screen never waits for the cache's index (the reader's start).
        self._cache = cache
        self._cache_factory = cache_factory if reader is read_file else None
        self._reader = cache.read if cache is not None and reader is read_file else reader
        self._pending: list[DigestFile] = list(files)
        self._days: dict[str, _DayBucket] = {}
        self._by_id: dict[str, list[Paper]] = {}
        self._dates: list[str] | None = None
        self._search_index: tuple[int, list[tuple[Paper, str]]] | None = None
        # (results, their index entries, the index they came from): the last search, which typing on narrows
        self._last_search: tuple[list[Paper], list[tuple[Paper, str]], list[tuple[Paper, str]]] | None = None
        self._last_page: tuple[int, str, list[Paper]] | None = None  # (generation, folded query, results)
        self._generation = 0  # bumped whenever papers are added
        self.warnings: list[ParseWarning] = []
        self.notices: list[str] = []  # about the index (rebuilt, or not usable): one line each, for the user
        self._loaded_files = 0
        self.roots: tuple[str, ...] = ()  # the files and folders it was opened on

    # -- building ---------------------------------------------------------------------------------------
    @classmethod
    def open(cls, paths: Iterable[str | os.PathLike[str]], reader: Reader = read_file,
             cache: Cache | None = None, cache_factory: Callable[[], Cache] | None = None) -> "Library":
        """The library of the digest files under `paths`, in memory (reader.core.index.open_indexed gives the
        same Library backed by the library's index)."""
        paths = list(paths)
        files, warnings = discover(paths)
        library = cls(files, reader=reader, cache=cache, cache_factory=cache_factory)
        library.warnings.extend(warnings)
        library.roots = tuple(os.fspath(p) for p in paths)
        return library

    def close(self) -> None:
        """Let go of what it holds open (the index's connections; nothing in memory)."""

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def files(self) -> int:
        return len(self._pending) + self._loaded_files

    def add(self, parsed: ParsedFile) -> int:
        """Merge one parsed file; returns how many papers were new. A (day, id) pair seen before is skipped."""
        self.warnings.extend(parsed.warnings)
        self._loaded_files += 1
        added = 0
        for paper in parsed.papers:
            bucket = self._days.get(paper.date)
            if bucket is None:
                bucket = self._days[paper.date] = _DayBucket()
                self._dates = None
            if paper.arxiv_id in bucket.ids:
                continue
            bucket.ids.add(paper.arxiv_id)
            bucket.papers.append(paper)
            self._generation += 1
            bucket.ordered = None
            self._by_id.setdefault(paper.arxiv_id, []).append(paper)
            added += 1
        return added

    def refresh_file(self, parsed: ParsedFile) -> int:
        """Hold what `parsed` gives in place of what its file gave before (a day a sync wrote or rewrote, a
        summary written into it): that file's papers are dropped, then parsed is added. A file not read yet
        leaves the pending list. Returns how many papers were new to their day."""
        real = os.path.realpath(parsed.path)
        name = os.path.basename(real)
        same: dict[str, bool] = {}

        def from_file(source: str) -> bool:  # the same file, whichever name the library found it by
            if source not in same:
                same[source] = source == parsed.path or (
                    os.path.basename(source) == name and os.path.realpath(source) == real)
            return same[source]

        was_read = False
        for date in list(self._days):
            bucket = self._days[date]
            kept = [p for p in bucket.papers if not from_file(p.source)]
            if len(kept) == len(bucket.papers):
                continue
            was_read = True
            for paper in bucket.papers:
                if from_file(paper.source):
                    others = [q for q in self._by_id.get(paper.arxiv_id, ()) if q is not paper]
                    if others:
                        self._by_id[paper.arxiv_id] = others
                    else:
                        self._by_id.pop(paper.arxiv_id, None)
            if kept:
                bucket.papers = kept
                bucket.ids = {p.arxiv_id for p in kept}
                bucket.ordered = None
            else:
                del self._days[date]
                self._dates = None
            self._generation += 1
        self._pending = [f for f in self._pending if not from_file(f.file)]
        if was_read:
            self._loaded_files -= 1  # add counts it again
        return self.add(parsed)

    def _take(self, files: list[DigestFile], progress: Callable[[int, int], None] | None = None) -> int:
        added = 0
        for i, digest in enumerate(files, start=1):
            added += self.add(self._reader(digest.file))
            if progress:
                progress(i, len(files))
        return added

    def _open_cache(self) -> None:
        if self._cache is None and self._cache_factory is not None:
            self._cache = self._cache_factory()
            self._reader = self._cache.read
            self._cache_factory = None

    def parse_pending(self, progress: Callable[[int, int], None] | None = None) -> list[ParsedFile]:
        """Parse (without merging) the pending files: safe to call from a worker thread."""
        self._open_cache()
        files = list(self._pending)
        parsed = []
        for i, digest in enumerate(files, start=1):
            parsed.append(self._reader(digest.file))
            if progress:
                progress(i, len(files))
        self._save_cache()
        return parsed

    def _save_cache(self) -> None:
        if self._cache is not None:
            self._cache.save()
            release = getattr(self._cache, "release", None)
            if release is not None:
                release()  # everything is read: the papers live here now, not twice

    def _newest_files(self) -> list[DigestFile]:
        hinted = [f.date_hint for f in self._pending if f.date_hint]
        newest = max(hinted) if hinted else None
        return [f for f in self._pending if f.date_hint is None or f.date_hint == newest]

    def merge(self, parsed_files: Iterable[ParsedFile]) -> int:
        """Merge files parsed elsewhere (see parse_pending) and drop them from the pending list."""
        done = set()
        added = 0
        for parsed in parsed_files:
            done.add(parsed.path)
            added += self.add(parsed)
        self._pending = [f for f in self._pending if f.file not in done]
        return added

    def load_newest(self) -> int:
        """Parse just what can hold the newest day: files named for the latest date and files with no date."""
        files = self._newest_files()
        taken = set(files)  # a set: 40,000 undated files took minutes with a list
        self._pending = [f for f in self._pending if f not in taken]
        return self._take(files)

    def load_rest(self, progress: Callable[[int, int], None] | None = None, *, ahead: bool = False) -> int:
        self._open_cache()  # (ahead: the library's index may answer while it checks its files; this reads now)
        files, self._pending = self._pending, []
        added = self._take(files, progress)
        self._save_cache()
        return added

    def after_check(self, callback: Callable[[], None]) -> None:  # once the files are read, their warnings known:
        callback()  # now (the library's index calls it later while load_rest(ahead=True)'s check runs)

    def load_all(self) -> "Library":
        self.load_rest()
        return self

    # -- reading ----------------------------------------------------------------------------------------
    def dates(self) -> list[str]:
        """Days held, newest first."""
        if self._dates is None:
            self._dates = sorted(self._days, reverse=True)
        return self._dates

    def __len__(self) -> int:
        return sum(len(b.papers) for b in self._days.values())

    def day(self, date: str) -> Day | None:
        bucket = self._days.get(date)
        if bucket is None:
            return None
        if bucket.ordered is None:
            bucket.ordered = tuple(vote_order(bucket.papers))
        return Day(date, bucket.ordered)

    def day_counts(self) -> list[tuple[str, int]]:
        """(date, number of papers) for every day, newest first."""
        return [(date, len(self._days[date].papers)) for date in self.dates()]

    def day_language(self, date: str) -> str:
        """The language a day reads in (reader.core.freshness.day_language: ko, en, ke; "" for no such day)."""
        from reader.core.freshness import day_language

        bucket = self._days.get(date)
        day = self.day(date)
        if bucket is None or day is None:
            return ""
        if bucket.language is None or bucket.language[0] is not day.papers:
            bucket.language = (day.papers, day_language(day.papers))
        return bucket.language[1]

    def day_rows(self, read_ids: "set[str] | frozenset[str]") -> list[DayRow]:
        """The day list: every day, newest first: its papers, how many are not among read_ids, its language."""
        rows = []
        for date in self.dates():
            papers = self._days[date].papers
            unread = sum(1 for p in papers if p.arxiv_id not in read_ids)
            rows.append(DayRow(date, len(papers), unread, self.day_language(date)))
        return rows

    def days(self) -> list[Day]:
        return [d for d in (self.day(date) for date in self.dates()) if d is not None]

    def newest_date(self) -> str | None:  # (the index: without reading every day's row)
        return next(iter(self.dates()), None)

    def newest(self) -> Day | None:
        return self.day(self.newest_date() or "")  # (no day is "")

    def papers(self) -> Iterator[Paper]:
        """Every paper: newest day first, by votes within a day. A paper on two days comes twice."""
        for day in self.days():
            yield from day.papers

    def get(self, arxiv_id: str) -> Paper | None:
        """The paper with this id (its newest appearance)."""
        found = self._by_id.get(arxiv_id)
        return max(found, key=lambda p: p.date) if found else None

    def appearances(self, arxiv_id: str) -> list[Paper]:
        return sorted(self._by_id.get(arxiv_id, []), key=lambda p: p.date, reverse=True)

    def ids(self) -> set[str]:
        return set(self._by_id)

    # -- search -----------------------------------------------------------------------------------------
    @staticmethod
    def _text_of(paper: Paper) -> str:
        return search_text(paper.title, paper.arxiv_id, paper.authors, paper.sections)

    def search_index(self) -> list[tuple[Paper, str]]:
        """Each paper once (at its newest day), newest first, with its folded text (reader.core.text.fold: NFKC,
        casefolded). Built on first use and kept until the library changes (the reader's loading worker)."""
        index = self._search_index
        generation = self._generation
        if index is None or index[0] != generation:
            seen: set[str] = set()
            entries = []
            for paper in self.papers():
                if paper.arxiv_id not in seen:
                    seen.add(paper.arxiv_id)
                    entries.append((paper, self._text_of(paper)))
            index = self._search_index = (generation, entries)
        return index[1]

    def search(self, query: str, limit: int | None = None, within: list[Paper] | None = None) -> list[Paper]:
        """Papers whose title, authors or summary hold every word of the query, compared folded (case and
        Unicode normalisation aside: reader.core.text.fold), the query cleaned as digest text is.

        Newest day first; a paper that appears on several days is listed once, at its newest day. `within`
        narrows the search to an earlier result (typing on: a longer query only ever matches fewer papers).
        """
        terms = search_terms(query)
        if not terms:
            return []
        index = entries = self.search_index()
        if within is not None:
            last = self._last_search
            if last is not None and last[0] is within and last[2] is index:
                entries = last[1]  # typing on: the entries of the results it narrows, kept from that search
            else:
                keep = {id(p) for p in within}
                entries = [e for e in entries if id(e[0]) in keep]
        if limit is not None:
            results: list[Paper] = []
            for paper, text in entries:
                if all(term in text for term in terms):
                    results.append(paper)
                    if len(results) >= limit:
                        break
            return results
        matched = self._matching(entries, terms)
        results = [paper for paper, _ in matched]
        self._last_search = (results, matched, index)
        return results

    def search_page(self, query: str, shown: int) -> tuple[list[Paper], int]:
        """The first `shown` papers search(query) finds, and how many it finds (the search screen, as you
        type). Typing on only narrows: a query that extends the last one searches the last one's results."""
        folded = fold(query)
        last = self._last_page
        if last is not None and last[0] == self._generation and folded.startswith(last[1]):
            results = self.search(query, within=last[2])
        else:
            results = self.search(query)
        self._last_page = (self._generation, folded, results) if search_terms(query) else None
        return results[:shown], len(results)

    def search_brief(self, query: str) -> list[Brief]:  # search(query) as one-line listings (the index: no summary)
        return [Brief(p.date, p.votes, p.arxiv_id, p.title) for p in self.search(query)]

    def ranked_ids(self, query: str, limit: int = 50) -> list[str]:  # best first (the index: BM25; here newest)
        return [p.arxiv_id for p in self.search(query, limit=limit)]

    def ask(self, operation: Callable, fallback: Callable[["Library"], object], *, writes: bool = False):
        return fallback(self)  # (reader.core.finding's: operation(connection, paper_of_row) needs an index)

    @staticmethod
    def _matching(entries: list[tuple[Paper, str]], terms: list[str]) -> list[tuple[Paper, str]]:
        # Comprehensions, one per term count: a keystroke's scan of every paper, a third faster than appending.
        if len(terms) == 1:
            term = terms[0]
            return [entry for entry in entries if term in entry[1]]
        if len(terms) == 2:
            first, second = terms
            return [entry for entry in entries if first in entry[1] and second in entry[1]]
        return [entry for entry in entries if all(term in entry[1] for term in terms)]


def search_terms(query: str) -> list[str]:
    """The words of a query as the search index holds text: cleaned as digest text is (a zero-width joiner
    or a variation selector the index never holds is dropped), then folded."""
    return fold(clean_line(query)).split()
