"""The library backed by the index: Library's API, its answers from SQLite, only what is asked for in memory.

`open_indexed(paths)` makes one. Opening lists the files (as the in-memory library does);
loading checks each file's identity against the index and reads only what changed (update.py); every
answer after that is a query: a day's papers, the day list with counts, a paper by id, search (terms.py).
Nothing of the archive stays in memory but the files' names and a few recent days.

Whatever goes wrong with the index on the way (a disk that fills or turns read-only, a file damaged while in
use, a lock held longer than the busy timeout) means one notice and the in-memory library from then on,
loaded as far as this one was (Library's own methods, through the parse cache): the answers stay the same.
A damaged file is deleted so that the next start builds it again.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterator

from reader.core.index import query, store as store_module, update
from reader.core.index.store import Store, key_path, path_key
from reader.core.library import Brief, DayRow, DigestFile, Library, Reader, search_terms
from reader.core.index.terms import usable
from reader.core.model import Day, Paper, vote_order
from reader.core.parse import ParsedFile, ParseWarning, read_file

DAYS_KEPT = 16  # days held in memory, most recently asked for first
CHUNK_DAYS = 64  # papers() reads this many days a query


def key_function(roots: list[str]) -> Callable[[str], str | bytes]:
    """A file's key in the index: its path with the root it was found under resolved (a library reached
    through a link is the same library), as store.path_key keeps it."""
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


class IndexedLibrary(Library):
    def __init__(self, files: list[DigestFile], roots: list[str], store: Store, reader: Reader = read_file,
                 cache=None, cache_factory=None, listing: tuple[list, int] | None = None,
                 rows: list[tuple] | None = None, snapshot=None) -> None:
        super().__init__(files, reader=reader, cache=cache, cache_factory=cache_factory)
        self._store: Store | None = store
        self._roots = roots
        self._listing = listing  # (folders, when) of a new listing, to keep once the index holds it
        self._rows = rows  # the index's file rows read with a kept listing (the first check's)
        self._snapshot = snapshot  # ... or its snapshot of them (listing.Snapshot)
        self._all = list(files)
        self._rank = {f.file: i for i, f in enumerate(self._all)}
        self._key = key_function(roots)
        self._source: dict[int, str] = {}  # file id -> the path it was found by
        self._read_now: dict[str, int] = {}  # path -> papers read from it by this library (merge's count)
        self._stage = "open"  # "newest" once load_newest ran, "all" once every file was checked
        self._memory_stage = "open"  # how far the in-memory fallback has loaded
        self._days_kept: OrderedDict[str, Day | None] = OrderedDict()
        self._counts: list[tuple[str, int]] | None = None
        self._table: dict[str, tuple[int, str]] | None = None  # date -> (papers, language)
        self._dates_list: list[str] | None = None
        self._listing_warnings: list[ParseWarning] = []
        self._published = False  # every file's warnings are in self.warnings (a fallback must not add them again)
        self.roots = tuple(roots)
        if store.notice:
            self.notices.append(store.notice)

    # -- the index, or the library in memory when it fails ----------------------------------------------
    @property
    def indexed(self) -> bool:
        """True while answers come from the index (False once it failed and memory took over)."""
        return self._store is not None

    @property
    def index_path(self):
        return self._store.path if self._store is not None else None

    def _try(self, operation: Callable[[], object], fallback: Callable[[], object]):
        if self._store is not None:
            try:
                return operation()
            except (sqlite3.Error, ValueError) as exc:  # ValueError: a value SQLite kept is not what was written
                self._give_up(exc)
        return fallback()

    def _give_up(self, exc: Exception) -> None:
        store, self._store = self._store, None
        assert store is not None
        store.close()
        where = store.path
        if isinstance(exc, ValueError) or store_module.damaged(exc):
            try:
                store_module.remove_files(where)  # built again by the next start
            except OSError:
                pass
            notice = (f"the library index {where} is damaged ({store_module.reason(exc)}); reading the digests "
                      "without it (it is built again next time)")
        else:
            notice = (f"cannot use the library index {where}: {store_module.reason(exc)}; reading the digests "
                      "without it")
        if not self.notices:  # one notice, whatever happens after the first
            self.notices.append(notice)
        self._pending = list(self._all)
        self._days_kept.clear()

    def _catch_up(self) -> None:
        """The in-memory library loaded as far as the indexed one was (after _give_up)."""
        if self._stage == "all" and self._memory_stage != "all":
            self._memory_stage = "all"
            before = list(self.warnings)
            super().load_rest()
            if self._published:
                self.warnings = before  # they were said already
        elif self._stage == "newest" and self._memory_stage == "open":
            self._memory_stage = "newest"
            super().load_newest()

    def close(self) -> None:
        """Close the index's connections (the last one folds the write-ahead log into the file); a question
        asked afterwards opens one again."""
        if self._store is not None:
            self._store.close()

    # -- loading ----------------------------------------------------------------------------------------
    def _changed(self) -> None:
        self._days_kept.clear()
        self._counts = None
        self._table = None
        self._dates_list = None
        self._generation += 1

    def _refresh(self, files: list[DigestFile], *, complete: bool,
                 progress: Callable[[int, int], None] | None = None) -> dict[str, tuple[int, int]]:
        from reader.core.index import listing

        con = self._store.connection()
        rows, self._rows = (self._rows, None) if complete else (None, self._rows)
        snapshot, self._snapshot = (self._snapshot, None) if complete else (None, self._snapshot)
        plan = update.unchanged(snapshot, [f.file for f in files]) if snapshot is not None else None
        from_snapshot = plan is not None
        if plan is None:
            plan = update.check(con, [(f.file, self._rank[f.file], f.date_hint) for f in files], self._key,
                                complete=complete, rows=rows)
        done = update.apply(con, plan, self._key, self._reader, progress)
        if done or plan.removed:
            self._rows = None  # (read again by the next check)
        if complete and self._listing is not None:
            folders, seen_ns = self._listing
            self._listing = None
            listing.save(con, self._roots, self._all, folders, seen_ns)
        if complete and not from_snapshot and not plan.work() and not done and not plan.racy and self._key is path_key:
            listing.keep_snapshot(con)  # (the next check's one fetch)
        for path, file_id in plan.fresh.items():
            self._source[file_id] = path
        for path, (file_id, papers) in done.items():
            self._source[file_id] = path
            self._read_now[path] = papers
        return done  # (the caller forgets what it kept: in the reader's thread, not its worker's)

    def _publish_warnings(self) -> None:
        """The warnings of every file, as reading them all gives them: the listing's first, then each file's
        in discovery order (the index keeps each file's warnings with its rows)."""
        con = self._store.connection()
        stored = con.execute("SELECT key, warnings FROM files WHERE warnings IS NOT NULL").fetchall()
        found: list[ParseWarning] = []
        if stored:
            by_key = dict(stored)
            for digest in self._all:
                text = by_key.get(self._key(digest.file))
                if text is not None:
                    found.extend(ParseWarning(digest.file, line, message) for line, message in json.loads(text))
        self.warnings[:] = [*self._listing_warnings, *found]
        self._published = True

    def load_newest(self) -> int:
        if self._store is None:
            return super().load_newest()
        self._stage = "newest"
        self._listing_warnings = list(self.warnings)
        files = self._newest_files()

        def operation() -> int:
            done = self._refresh(files, complete=False)
            self._changed()
            taken = {f.file for f in files}
            self._pending = [f for f in self._pending if f.file not in taken]
            return sum(papers for _, papers in done.values())

        return self._try(operation, lambda: (self._catch_up(), 0)[1])

    def load_rest(self, progress: Callable[[int, int], None] | None = None) -> int:
        if self._store is None:
            self._catch_up()
            return super().load_rest(progress)
        if self._stage == "open":
            self._listing_warnings = list(self.warnings)
        self._stage = "all"

        def operation() -> int:
            done = self._refresh(self._all, complete=True, progress=progress)
            self._changed()
            self._pending = []
            self._publish_warnings()
            return sum(papers for _, papers in done.values())

        return self._try(operation, lambda: (self._catch_up(), 0)[1])

    def parse_pending(self, progress: Callable[[int, int], None] | None = None) -> list[ParsedFile]:
        """Bring the index up to date with every file (safe in a worker thread: it has its own connection);
        returns one (empty) ParsedFile per pending file for merge(): the papers are in the index."""
        if self._store is None:
            self._catch_up()
            return super().parse_pending(progress)
        pending = list(self._pending)

        def operation() -> list[ParsedFile]:
            self._refresh(self._all, complete=True, progress=progress)
            return [ParsedFile(f.file, [], []) for f in pending]

        return self._try(operation, lambda: (self._catch_up(), super(IndexedLibrary, self).parse_pending(progress))[1])

    def merge(self, parsed_files) -> int:
        if self._store is None:
            return super().merge(parsed_files)
        done = {parsed.path for parsed in parsed_files}
        self._pending = [f for f in self._pending if f.file not in done]
        if not self._pending:
            self._stage = "all"
            self._try(self._publish_warnings, self._catch_up)
        self._changed()
        return sum(self._read_now.get(path, 0) for path in done)

    def refresh_file(self, parsed: ParsedFile) -> int:
        """The index holds what the file holds now (a day a sync wrote or rewrote, a summary written into it):
        its rows read again, by its identity as every check does. A file the library did not list (a new day)
        means listing the folders again, as opening does, so that it takes its place in discovery order.
        Returns how many papers were read from it."""
        if self._store is None:
            self._catch_up()
            return super().refresh_file(parsed)

        def operation() -> int:
            known = self._listed(parsed.path)
            if known is None:
                from reader.core.library import discover

                files, _ = discover(self._roots)
                self._all = files
                self._rank = {f.file: i for i, f in enumerate(files)}
                done = self._refresh(self._all, complete=True)
                known = self._listed(parsed.path)
            else:
                done = self._refresh([known], complete=False)
            if known is not None:
                self._pending = [f for f in self._pending if f.file != known.file]
            self._changed()
            return sum(papers for _, papers in done.values())

        return self._try(operation, lambda: (self._catch_up(), super(IndexedLibrary, self).refresh_file(parsed))[1])

    def _listed(self, path: str) -> DigestFile | None:
        """The library's file at `path`, whichever name the library found it by."""
        if path in self._rank:
            return self._all[self._rank[path]]
        real = os.path.realpath(path)
        name = os.path.basename(real)
        for digest in self._all:
            if os.path.basename(digest.file) == name and os.path.realpath(digest.file) == real:
                return digest
        return None

    def add(self, parsed: ParsedFile) -> int:
        if self._store is not None:
            raise TypeError("a library backed by the index reads its files; add() is for a library in memory")
        return super().add(parsed)

    @property
    def files(self) -> int:
        return len(self._all)

    # -- reading ----------------------------------------------------------------------------------------
    def _paper(self, row: tuple) -> Paper:
        return query.paper(row, self._source_of)

    def _source_of(self, file_id: int, key: str | bytes) -> str:
        found = self._source.get(file_id)
        return found if found is not None else key_path(key)

    def day_counts(self) -> list[tuple[str, int]]:
        """(date, papers) for every day, newest first: the day list, without reading a day's papers."""
        def operation() -> list[tuple[str, int]]:
            if self._counts is None:
                self._counts = query.day_counts(self._store.connection())
            return list(self._counts)

        return self._try(operation, lambda: (self._catch_up(), super(IndexedLibrary, self).day_counts())[1])

    def _day_table(self) -> dict[str, tuple[int, str]]:
        if self._table is None:
            self._table = {date: (papers, language) for date, papers, language in
                           query.day_table(self._store.connection())}
        return self._table

    def day_language(self, date: str) -> str:
        def operation() -> str:
            found = self._day_table().get(date)
            return found[1] if found is not None else ""

        return self._try(operation, lambda: (self._catch_up(), super(IndexedLibrary, self).day_language(date))[1])

    def day_rows(self, read_ids) -> list[DayRow]:
        """The day list from the index's days and one query for the read ones (never a day's papers)."""
        def operation() -> list[DayRow]:
            table = self._day_table()
            read = query.listed(self._store.connection(), sorted(read_ids)) if read_ids else {}
            return [DayRow(date, papers, papers - read.get(date, 0), language)
                    for date, (papers, language) in sorted(table.items(), reverse=True)]

        return self._try(operation, lambda: (self._catch_up(), super(IndexedLibrary, self).day_rows(read_ids))[1])

    def dates(self) -> list[str]:
        def operation() -> list[str]:
            if self._dates_list is None:
                if self._counts is None:
                    self._counts = query.day_counts(self._store.connection())
                self._dates_list = [date for date, _ in self._counts]
            return self._dates_list

        return self._try(operation, lambda: (self._catch_up(), super(IndexedLibrary, self).dates())[1])

    def __len__(self) -> int:
        return self._try(lambda: query.total(self._store.connection()),
                         lambda: (self._catch_up(), super(IndexedLibrary, self).__len__())[1])

    def _day_of(self, rows: list[tuple], date: str) -> Day | None:
        papers = [self._paper(row) for row in query.first_per_day(rows)]
        return Day(date, tuple(vote_order(papers))) if papers else None

    def day(self, date: str) -> Day | None:
        def operation() -> Day | None:
            kept = self._days_kept
            if date in kept:
                kept.move_to_end(date)
                return kept[date]
            found = self._day_of(query.day_rows(self._store.connection(), date), date)
            kept[date] = found
            if len(kept) > DAYS_KEPT:
                kept.popitem(last=False)
            return found

        return self._try(operation, lambda: (self._catch_up(), super(IndexedLibrary, self).day(date))[1])

    def papers(self) -> Iterator[Paper]:
        """Every paper: newest day first, by votes within a day (a few dozen days a query)."""
        if self._store is None:
            self._catch_up()
            yield from super().papers()
            return
        dates = self.dates()
        position = 0
        while position < len(dates):
            chunk = dates[position:position + CHUNK_DAYS]
            days = None
            if self._store is not None:
                try:
                    by_day: dict[str, list[tuple]] = {}
                    for row in query.days_rows(self._store.connection(), chunk[0], chunk[-1]):
                        by_day.setdefault(row[7], []).append(row)
                    days = [self._day_of(by_day.get(date, []), date) for date in chunk]
                except (sqlite3.Error, ValueError) as exc:
                    self._give_up(exc)
            if days is None:  # the index failed: the rest from memory
                self._catch_up()
                for date in dates[position:]:
                    day = super().day(date)
                    if day is not None:
                        yield from day.papers
                return
            for day in days:
                if day is not None:
                    yield from day.papers
            position += CHUNK_DAYS

    def _appearances(self, arxiv_id: str) -> list[Paper]:
        rows = query.first_per_day(query.id_rows(self._store.connection(), arxiv_id))
        return sorted((self._paper(row) for row in rows), key=lambda p: p.date, reverse=True)

    def get(self, arxiv_id: str) -> Paper | None:
        def operation() -> Paper | None:
            found = self._appearances(arxiv_id)
            return found[0] if found else None

        return self._try(operation, lambda: (self._catch_up(), super(IndexedLibrary, self).get(arxiv_id))[1])

    def appearances(self, arxiv_id: str) -> list[Paper]:
        return self._try(lambda: self._appearances(arxiv_id),
                         lambda: (self._catch_up(), super(IndexedLibrary, self).appearances(arxiv_id))[1])

    def ids(self) -> set[str]:
        return self._try(lambda: query.ids(self._store.connection()),
                         lambda: (self._catch_up(), super(IndexedLibrary, self).ids())[1])

    # -- search -----------------------------------------------------------------------------------------
    def search_index(self) -> list[tuple[Paper, str]]:
        """What the in-memory library's search_index() holds, read from the index (not kept: the index
        needs no warming; this is for callers that want every paper's text)."""
        def operation() -> list[tuple[Paper, str]]:
            return [(self._paper(row[:-1]), row[-1]) for row in query.search_texts(self._store.connection())]

        return self._try(operation, lambda: (self._catch_up(), super(IndexedLibrary, self).search_index())[1])

    def search(self, query_text: str, limit: int | None = None, within: list[Paper] | None = None) -> list[Paper]:
        def operation() -> list[Paper]:
            terms = search_terms(query_text)
            if not terms or not all(usable(t) for t in terms):
                return []
            rows = query.search_rows(self._store.connection(), terms, limit=limit if within is None else None)
            papers = [self._paper(row) for row in rows]
            if within is not None:
                keep = {(p.arxiv_id, p.date) for p in within}
                papers = [p for p in papers if (p.arxiv_id, p.date) in keep]
                if limit is not None:
                    papers = papers[:limit]
            return papers

        return self._try(operation, lambda: (self._catch_up(),
                                             super(IndexedLibrary, self).search(query_text, limit, within))[1])

    def search_page(self, query_text: str, shown: int) -> tuple[list[Paper], int]:
        """The first `shown` papers search finds and how many it finds (query.page): the fields of the shown
        ones only (the search screen holds no more than it shows)."""
        def operation() -> tuple[list[Paper], int]:
            terms = search_terms(query_text)
            if not terms or not all(usable(t) for t in terms):
                return [], 0
            rows, total = query.page(self._store.connection(), terms, shown)
            return [self._paper(row) for row in rows], total

        return self._try(operation, lambda: (self._catch_up(),
                                             super(IndexedLibrary, self).search_page(query_text, shown))[1])

    def search_brief(self, query_text: str) -> list[Brief]:
        def operation() -> list[Brief]:
            terms = search_terms(query_text)
            if not terms or not all(usable(t) for t in terms):
                return []
            return query.search_brief(self._store.connection(), terms)

        return self._try(operation, lambda: (self._catch_up(),
                                             super(IndexedLibrary, self).search_brief(query_text))[1])

    def ranked_ids(self, query_text: str, limit: int = 50) -> list[str]:
        """The ids search finds, best first by BM25 (query.ranked_ids); newest first in memory."""
        def operation() -> list[str]:
            terms = search_terms(query_text)
            if not terms or not all(usable(t) for t in terms):
                return []
            return query.ranked_ids(self._store.connection(), terms, limit)

        return self._try(operation, lambda: (self._catch_up(),
                                             super(IndexedLibrary, self).ranked_ids(query_text, limit))[1])

    def ask(self, operation: Callable, fallback: Callable[[Library], object]):
        """operation(connection, paper_of_row) on this thread's connection; once the index failed, fallback
        over the library in memory (reader.core.finding)."""
        return self._try(lambda: operation(self._store.connection(), self._paper),
                         lambda: (self._catch_up(), fallback(self))[1])
