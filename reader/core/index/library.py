"""The library backed by the index: Library's API, its answers from SQLite, only what is asked for in memory.

`open_indexed(paths)` makes one. Opening lists the files (as the in-memory library does); loading checks
each file's identity against the index and reads only what changed (update.py; a command's first question
runs beside that check: checking.py); every answer after that is a query: a day's papers, the day list with
counts, a paper by id, search (terms.py). Only the files' names and a few recent days stay in memory.

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
from reader.core.index.checking import Check
from reader.core.index.store import Store, key_function, key_path, path_key
from reader.core.library import Brief, DayRow, DigestFile, Library, Reader, search_terms
from reader.core.index.terms import usable
from reader.core.model import Day, Paper, vote_order
from reader.core.parse import ParsedFile, ParseWarning, read_file

DAYS_KEPT = 16  # days held in memory, most recently asked for first
CHUNK_DAYS = 64  # papers() reads this many days a query


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
        self._check: Check | None = None  # the check load_rest(ahead=True) left running
        self._after_check: list[Callable[[], None]] = []
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

    def _try(self, operation: Callable[[], object], fallback: Callable[[], object], *, ahead: bool = False):
        """operation() on the index, or fallback() on the library in memory once the index failed. The check
        load_rest(ahead=True) started is waited for first, or with `ahead` (a search: a question that writes
        nothing, and runs in SQLite, which lets the check's thread have Python's lock) after operation: its
        answer stands if every file is as the index holds it, else it is asked again."""
        if self._store is not None:
            try:
                if self._check is not None and not ahead:
                    self._settle()
                if self._check is not None:  # (ahead: asked while the check runs)
                    try:
                        answer = operation()
                    except Exception as exc:  # (the index's own failure is the index's, below)
                        if isinstance(exc, (sqlite3.Error, ValueError)) or self._settle():
                            raise
                    else:
                        if self._settle():
                            return answer
                return operation()
            except (sqlite3.Error, ValueError) as exc:  # ValueError: a value SQLite kept is not what was written
                self._give_up(exc)
        answer = fallback()
        self._checked()
        return answer

    def _read(self, operation: Callable, name: str, *args, ahead: bool = False):  # else Library's `name`(*args)
        return self._try(operation, lambda: (self._catch_up(), getattr(Library, name)(self, *args))[1], ahead=ahead)

    def _settle(self) -> bool:
        """Finish load_rest(ahead=True)'s check: True if every file is as the index holds it, else read them."""
        check, self._check = self._check, None
        assert check is not None
        plan = check.result()
        self._all_checked(self._refresh(self._all, complete=True, progress=check.progress, plan=plan))
        self._checked()
        return plan is not None

    def after_check(self, callback: Callable[[], None]) -> None:
        self._after_check.append(callback)
        self._checked()

    def _checked(self) -> None:  # what after_check() left waiting, once the files are checked (or read in memory)
        while self._after_check and self._check is None:
            self._after_check.pop(0)()

    def _give_up(self, exc: Exception) -> None:
        check, self._check = self._check, None
        if check is not None:
            check.result()  # (its answer no longer matters: the library in memory reads every file)
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
        if self._check is not None:  # (no question waited for it, or one was interrupted: the next one will)
            self._check.result()
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
                 progress: Callable[[int, int], None] | None = None,
                 plan: "update.Plan | None" = None) -> dict[str, tuple[int, int]]:
        """Check `files` (all of them: `complete`), read what changed. `plan`: update.unchanged's, if known."""
        from reader.core.index import listing

        con = self._store.connection()
        rows, self._rows = (self._rows, None) if complete else (None, self._rows)
        snapshot, self._snapshot = (self._snapshot, None) if complete else (None, self._snapshot)
        if plan is None and snapshot is not None:
            plan = update.unchanged(snapshot, [f.file for f in files])
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
        if self._key is not path_key:  # (else a file's key is the path it was found by: _source_of)
            self._source.update((file_id, path) for path, file_id in plan.fresh.items())
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

    def load_rest(self, progress: Callable[[int, int], None] | None = None, *, ahead: bool = False) -> int:
        """Check every file and read what changed (the papers read). `ahead` (a command's library, asked from
        one thread): when the index's snapshot can decide, the files are compared with it in a thread while the
        first question runs (checking.py; _try), and 0 is returned at once."""
        if self._store is None:
            self._catch_up()
            return super().load_rest(progress)
        if self._stage == "open":
            self._listing_warnings = list(self.warnings)
        self._stage = "all"
        if ahead and self._snapshot is not None and self._check is None:
            self._check = Check(self._snapshot, [f.file for f in self._all], progress, os.fspath(self._store.path))
            self._snapshot = None  # (spent: if the check finds a change, the files are checked in full)
            return 0
        return self._try(lambda: self._all_checked(self._refresh(self._all, complete=True, progress=progress)),
                         lambda: (self._catch_up(), 0)[1])

    def _all_checked(self, done: dict[str, tuple[int, int]]) -> int:
        """Every file checked, what changed read (`done`): the warnings published; the papers read."""
        self._changed()
        self._pending = []
        self._publish_warnings()
        return sum(papers for _, papers in done.values())

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

    def _counted(self) -> list[tuple[str, int]]:
        if self._counts is None:
            self._counts = query.day_counts(self._store.connection())
        return self._counts

    def day_counts(self) -> list[tuple[str, int]]:
        """(date, papers) for every day, newest first: the day list, without reading a day's papers."""
        return self._read(lambda: list(self._counted()), "day_counts")

    def _day_table(self) -> dict[str, tuple[int, str]]:
        if self._table is None:
            self._table = {date: (papers, language) for date, papers, language in
                           query.day_table(self._store.connection())}
        return self._table

    def day_language(self, date: str) -> str:
        def operation() -> str:
            found = self._day_table().get(date)
            return found[1] if found is not None else ""

        return self._read(operation, "day_language", date)

    def day_rows(self, read_ids) -> list[DayRow]:
        """The day list from the index's days and one query for the read ones (never a day's papers)."""
        def operation() -> list[DayRow]:
            table = self._day_table()
            read = query.listed(self._store.connection(), sorted(read_ids)) if read_ids else {}
            return [DayRow(date, papers, papers - read.get(date, 0), language)
                    for date, (papers, language) in sorted(table.items(), reverse=True)]

        return self._read(operation, "day_rows", read_ids)

    def dates(self) -> list[str]:
        def operation() -> list[str]:
            if self._dates_list is None:
                self._dates_list = [date for date, _ in self._counted()]
            return self._dates_list

        return self._read(operation, "dates")

    def newest_date(self) -> str | None:  # (without reading every day's row: `list` at 10x)
        return self._read(lambda: query.newest_date(self._store.connection()), "newest_date")

    def __len__(self) -> int:
        return self._read(lambda: query.total(self._store.connection()), "__len__")

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

        return self._read(operation, "day", date)

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

        return self._read(operation, "get", arxiv_id)

    def appearances(self, arxiv_id: str) -> list[Paper]:
        return self._read(lambda: self._appearances(arxiv_id), "appearances", arxiv_id)

    def ids(self) -> set[str]:
        return self._read(lambda: query.ids(self._store.connection()), "ids")

    # -- search -----------------------------------------------------------------------------------------
    def search_index(self) -> list[tuple[Paper, str]]:
        """Library.search_index() read from the index (not kept: for callers that want every paper's text)."""
        def operation() -> list[tuple[Paper, str]]:
            return [(self._paper(row[:-1]), row[-1]) for row in query.search_texts(self._store.connection())]

        return self._read(operation, "search_index")

    def _searched(self, name: str, query_text: str, args: tuple, empty, answer: Callable[[list[str]], object]):
        """Library's `name`(query_text, *args) from the index: answer(the query's words), or `empty` when it
        has no word the index can find."""
        def operation():
            terms = search_terms(query_text)
            return answer(terms) if terms and all(usable(t) for t in terms) else empty

        return self._read(operation, name, query_text, *args, ahead=True)

    def search(self, query_text: str, limit: int | None = None, within: list[Paper] | None = None) -> list[Paper]:
        def answer(terms: list[str]) -> list[Paper]:
            rows = query.search_rows(self._store.connection(), terms, limit=limit if within is None else None)
            papers = [self._paper(row) for row in rows]
            if within is not None:
                keep = {(p.arxiv_id, p.date) for p in within}
                papers = [p for p in papers if (p.arxiv_id, p.date) in keep][:limit]
            return papers

        return self._searched("search", query_text, (limit, within), [], answer)

    def search_page(self, query_text: str, shown: int) -> tuple[list[Paper], int]:
        """The first `shown` papers search finds and how many it finds (query.page): the fields of the shown
        ones only (the search screen holds no more than it shows)."""
        def answer(terms: list[str]) -> tuple[list[Paper], int]:
            rows, total = query.page(self._store.connection(), terms, shown)
            return [self._paper(row) for row in rows], total

        return self._searched("search_page", query_text, (shown,), ([], 0), answer)

    def search_brief(self, query_text: str) -> list[Brief]:
        return self._searched("search_brief", query_text, (), [],
                              lambda terms: query.search_brief(self._store.connection(), terms))

    def ranked_ids(self, query_text: str, limit: int = 50) -> list[str]:
        """The ids search finds, best first by BM25 (query.ranked_ids); newest first in memory."""
        return self._searched("ranked_ids", query_text, (limit,), [],
                              lambda terms: query.ranked_ids(self._store.connection(), terms, limit))

    def ask(self, operation: Callable, fallback: Callable[[Library], object], *, writes: bool = False):
        """operation(connection, paper_of_row) on this thread's connection; once the index failed, fallback
        over the library in memory (reader.core.finding). One that `writes` (similar papers' tables) waits for
        the check load_rest(ahead=True) left running; a question runs meanwhile (_try)."""
        return self._try(lambda: operation(self._store.connection(), self._paper),
                         lambda: (self._catch_up(), fallback(self))[1], ahead=not writes)
