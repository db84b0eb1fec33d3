"""ReadingSession: what the reader decides on each key, without Textual.

Fed by a Library (the days and their papers) and a StateStore (read and starred marks), the session holds
which list is shown (a day, or the Starred view), whether only unread papers show, the highlighted paper and
the undo of the last "mark day read"; it decides what every key does to them and to the marks. Each call
that changes something returns a Change saying what to redraw (the day rows, the list, some rows, the
summary's header) and what to say (notices): the app applies it to its widgets and decides nothing itself.

The session never waits: the read delay's timer is the app's (a Change asks for it with `timer`; the app
calls read_delay_passed when it runs out), and reading the rest of the archive happens elsewhere (the
parsed files come to library_grew, a library read again to swap_library).
"""

from __future__ import annotations

from typing import NamedTuple

from reader.core.library import DayRow, Library
from reader.core.model import Paper
from reader.core.state import StateStore, Undo
from reader.core.words import count

STARRED = "starred"  # the key of the Starred view (every starred paper, from every day), beside the dates


class Notice(NamedTuple):
    """One line for the user (shown as typed: never markup)."""

    text: str
    severity: str = "information"  # "information", "warning" or "error"
    timeout: float | None = None  # seconds shown (None: the app's default)


class Change(NamedTuple):
    """What a session call changed: what the app redraws, and what it says."""

    days: bool = False  # every day row (days added or gone, counts of many days)
    day_rows: tuple[str, ...] = ()  # the rows of these days (their counts); STARRED for the Starred row
    papers: bool = False  # the list anew (another day, the filter, new papers): session.papers and title()
    keep: str | None = None  # ... highlighting this paper (else the first)
    rows: bool = False  # every row of the list (their marks)
    row_ids: tuple[str, ...] = ()  # the rows of these papers (their marks)
    detail: bool = False  # the summary's header (the marks of the paper shown), scrolled where it was
    focus_list: bool = False  # the paper list takes the focus
    stop_timer: bool = False  # stop the read timer running for the paper highlighted before
    timer: float | None = None  # start one: in this many seconds call read_delay_passed(highlighted id)
    empty: bool = False  # the library holds no day: show how to get digests
    objects: bool = False  # the list's papers are new objects with the same rows (session.papers): swap them in
    notices: tuple[Notice, ...] = ()

    def then(self, other: "Change") -> "Change":
        """This change followed by other: everything either redraws, the notices of both in order."""
        return Change(
            days=self.days or other.days,
            day_rows=self.day_rows + tuple(d for d in other.day_rows if d not in self.day_rows),
            papers=self.papers or other.papers,
            keep=other.keep if other.papers else self.keep,
            rows=self.rows or other.rows,
            row_ids=self.row_ids + tuple(i for i in other.row_ids if i not in self.row_ids),
            detail=self.detail or other.detail,
            focus_list=self.focus_list or other.focus_list,
            stop_timer=self.stop_timer or other.stop_timer,
            timer=other.timer if other.timer is not None else self.timer,
            empty=self.empty or other.empty,
            objects=self.objects or other.objects,
            notices=self.notices + other.notices,
        )


NOTHING = Change()


def _said(text: str, severity: str = "information", timeout: float | None = None) -> Change:
    return Change(notices=(Notice(text, severity, timeout),))


def _failed(exc: BaseException, what: str = "could not save") -> Change:
    return _said(f"{what}: {exc}", "error")


class ReadingSession:
    """The reader's decisions over a library and a state store. `key` is the list shown (a date or
    STARRED; None before the first), `papers` its papers as listed, `current` the highlighted one."""

    def __init__(self, library: Library, state: StateStore, *, read_delay: float = 1.5,
                 undo_key: str = "z") -> None:
        self.library = library
        self.state = state
        self.read_delay = read_delay  # seconds a highlighted paper stays before it counts as read
        self.undo_key = undo_key  # the key the "mark day read" notice names for undoing it
        self.key: str | None = None
        self.unread_only = False
        self.papers: list[Paper] = []
        self.current: Paper | None = None
        self._undo: Undo | None = None

    # -- what is shown --------------------------------------------------------------------------------
    def dates(self) -> list[str]:
        return self.library.dates()

    def starred_papers(self) -> list[Paper]:
        """Every starred paper the library holds: newest day first, by votes within a day."""
        papers = [p for p in (self.library.get(i) for i in self.state.starred_ids()) if p is not None]
        papers.sort(key=lambda p: (p.date, p.votes is not None, p.votes or 0), reverse=True)
        return papers

    def counts(self, date: str) -> tuple[int, int]:
        """(papers, unread papers) of a day; (0, 0) for a day the library does not hold."""
        day = self.library.day(date)
        if day is None:
            return 0, 0
        read = self.state.is_read
        return len(day), sum(1 for p in day.papers if not read(p.arxiv_id))

    def day_rows(self) -> list[DayRow]:
        """Every day of the day list (date, papers, unread, language), newest first, from the library's
        counts: no day's papers are read for it (the library's index answers it in two queries)."""
        return self.library.day_rows(self.state.read_ids())

    def language(self, date: str) -> str:
        """ko, en or ke: the language a day reads in (reader.core.freshness.day_language)."""
        return self.library.day_language(date)

    def dates_of(self, paper: Paper) -> tuple[str, ...]:
        """The days whose counts a mark of this paper changes (a paper can be listed on several days)."""
        dates = [p.date for p in self.library.appearances(paper.arxiv_id)]
        if paper.date not in dates:
            dates.append(paper.date)
        return tuple(dates)

    def title(self) -> str:
        """The shown list's title."""
        title = "Starred" if self.key == STARRED else (self.key or "")
        return title + " · unread only" if self.unread_only else title

    def is_read(self, paper: Paper) -> bool:
        return self.state.is_read(paper.arxiv_id)

    def is_starred(self, paper: Paper) -> bool:
        return self.state.is_starred(paper.arxiv_id)

    def _papers_for(self, key: str) -> list[Paper]:
        if key == STARRED:
            papers = self.starred_papers()
        else:
            day = self.library.day(key)
            papers = list(day.papers) if day else []
        if self.unread_only:
            papers = [p for p in papers if not self.state.is_read(p.arxiv_id)]
        return papers

    def show(self, key: str, keep: str | None = None) -> Change:
        """Show a day (or STARRED), highlighting the paper with id keep if it is listed."""
        self.key = key
        self.papers = self._papers_for(key)
        return Change(papers=True, keep=keep)

    def refresh(self) -> Change:
        """List the shown day again (marks, the filter or the library changed), the highlighted paper kept."""
        if self.key is None:
            return NOTHING
        return self.show(self.key, keep=self.current.arxiv_id if self.current else None)

    def highlight(self, paper: Paper | None) -> Change:
        """The list's cursor reached paper: it counts as read once it stays read_delay seconds."""
        self.current = paper
        wait = paper is not None and not self.state.is_read(paper.arxiv_id)
        return Change(stop_timer=True, timer=self.read_delay if wait else None)

    def read_delay_passed(self, arxiv_id: str) -> Change:
        """The read timer of arxiv_id ran out: read, if it is still the paper highlighted."""
        paper = self.current
        if paper is None or paper.arxiv_id != arxiv_id or self.state.is_read(arxiv_id):
            return NOTHING
        return self.set_read(paper, True)

    def open(self, paper: Paper) -> Change:
        """Enter on a paper: it is read."""
        return NOTHING if self.state.is_read(paper.arxiv_id) else self.set_read(paper, True)

    # -- moving ---------------------------------------------------------------------------------------
    def step_day(self, step: int) -> Change:
        """+1: the older day, -1: the newer one (from the Starred view: the newest or the oldest day)."""
        dates = self.library.dates()
        if not dates:
            return NOTHING
        if self.key in dates:
            index = dates.index(self.key) + step
        else:
            index = 0 if step > 0 else len(dates) - 1
        if 0 <= index < len(dates):
            return self.show(dates[index])
        if self.library.pending:  # the end of the days read so far, not of the archive
            return _said(f"Still reading the archive ({self.library.pending} files left): more days soon", timeout=3)
        return _said("no older day" if step > 0 else "no newer day", timeout=2)

    def go_to_paper(self, paper: Paper) -> Change:
        """Show a paper in its day (from search or the palette), even when only unread papers show."""
        if self.unread_only and self.state.is_read(paper.arxiv_id):
            self.unread_only = False
        return self.show(paper.date, keep=paper.arxiv_id)._replace(focus_list=True)

    def go_to_date(self, date: str) -> Change:
        if self.library.day(date) is None:
            return _said(f"no digest for {date}", "warning")
        return self.show(date)._replace(focus_list=True)

    def toggle_unread_only(self) -> Change:
        self.unread_only = not self.unread_only
        said = "showing unread papers only" if self.unread_only else "showing all papers"
        return self.refresh().then(_said(said, timeout=2))

    def reading_order(self) -> list[tuple[str, Paper]]:
        """Every (day, paper) in reading order: newest day first, by votes within a day."""
        return [(day.date, paper) for day in self.library.days() for paper in day.papers]

    def next_unread(self, step: int = +1) -> Change:
        """The next (step +1) or previous (-1) unread paper after the highlighted one, across days (in
        reading order: reading_order). Only the day shown and the first day with an unread paper are read,
        found by the day list's counts."""
        dates = self.library.dates()
        if not dates:
            return NOTHING
        is_read = self.state.is_read
        current = self.current
        start = 0 if step > 0 else len(dates) - 1
        if current is not None and self.key != STARRED and self.key in dates:
            here = dates.index(self.key)
            day = self.library.day(self.key)
            papers = list(day.papers) if day is not None else []
            position = next((i for i, p in enumerate(papers) if p.arxiv_id == current.arxiv_id), None)
            if position is not None:
                index = position + step
                while 0 <= index < len(papers):
                    if not is_read(papers[index].arxiv_id):
                        return self.show(self.key, keep=papers[index].arxiv_id)._replace(focus_list=True)
                    index += step
                start = here + step
        unread = {row.date for row in self.day_rows() if row.unread}
        index = start
        while 0 <= index < len(dates):
            date = dates[index]
            day = self.library.day(date) if date in unread else None
            if day is not None:
                for paper in (day.papers if step > 0 else reversed(day.papers)):
                    if not is_read(paper.arxiv_id):
                        return self.show(date, keep=paper.arxiv_id)._replace(focus_list=True)
            index += step
        return _said("no unread paper " + ("after this one" if step > 0 else "before this one"), timeout=3)

    # -- marks ----------------------------------------------------------------------------------------
    def _store_notices(self) -> tuple[Notice, ...]:
        notices = tuple(Notice(n, "warning", 10) for n in self.state.notices)
        self.state.notices.clear()
        return notices

    def take_notices(self) -> list[str]:
        """What the state store has to say (a damaged file moved aside, a write refused), once."""
        notices = list(self.state.notices)
        self.state.notices.clear()
        return notices

    def _marked(self, paper: Paper) -> Change:
        """The marks of paper changed: its rows, its days' counts, the summary if it is shown. When the
        write picked up marks another process wrote (`daily-papers mark`, another reader), every mark."""
        if self.state.external_changes:
            self.state.external_changes.clear()
            return self.marks_changed()
        shown = self.current is not None and self.current.arxiv_id == paper.arxiv_id
        return Change(row_ids=(paper.arxiv_id,), day_rows=self.dates_of(paper) + (STARRED,), detail=shown,
                      notices=self._store_notices())

    def marks_changed(self) -> Change:
        """Every mark may have changed (read again, settled, written elsewhere): redraw them all."""
        return Change(rows=True, days=True, detail=True, notices=self._store_notices())

    def set_read(self, paper: Paper, read: bool) -> Change:
        try:
            self.state.set_read(paper.arxiv_id, read)
        except Exception as exc:  # noqa: BLE001 - a state that cannot be saved must not end the reading
            return _failed(exc)
        return self._marked(paper)

    def toggle_read(self) -> Change:
        """r: the highlighted paper read or unread (its read timer stops either way)."""
        paper = self.current
        if paper is None:
            return NOTHING
        return Change(stop_timer=True).then(self.set_read(paper, not self.state.is_read(paper.arxiv_id)))

    def toggle_star(self) -> Change:
        paper = self.current
        if paper is None:
            return NOTHING
        starred = not self.state.is_starred(paper.arxiv_id)
        try:
            self.state.set_starred(paper.arxiv_id, starred)
        except Exception as exc:  # noqa: BLE001
            return _failed(exc)
        return self._marked(paper).then(_said(("Starred " if starred else "Unstarred ") + paper.arxiv_id, timeout=2))

    def mark_shown_read(self) -> Change:
        """A: every paper listed read; undo() takes back what this changed."""
        ids = [p.arxiv_id for p in self.papers if not self.state.is_read(p.arxiv_id)]
        if not ids:
            return _said("every paper here is read already", timeout=3)
        try:
            previous = self.state.update_undoable(ids, read=True)
        except Exception as exc:  # noqa: BLE001
            return _failed(exc)
        self._undo = previous  # held here: the store notes later changes in it only while someone holds it
        where = "starred papers" if self.key == STARRED else self.key
        return self.marks_changed().then(
            _said(f"Marked {count(len(ids), 'paper')} of {where} read. {self.undo_key} undoes.", timeout=8))

    def unread_up_to(self, date: str) -> tuple[list[str], int]:
        """(the unread papers of every day up to date, date included, each once; how many days that is)."""
        days = [day for day in self.library.days() if day.date <= date]
        read = self.state.is_read
        ids = list(dict.fromkeys(p.arxiv_id for day in days for p in day.papers if not read(p.arxiv_id)))
        return ids, len(days)

    def mark_until_read(self, date: str) -> Change:
        """M (after asking): every paper of every day up to date read, in one write; z undoes it, as A."""
        ids, days = self.unread_up_to(date)
        if not ids:
            return _said(f"every paper up to {date} is read already", timeout=3)
        try:
            self._undo = self.state.update_undoable(ids, read=True)
        except Exception as exc:  # noqa: BLE001
            return _failed(exc)
        return self.marks_changed().then(self.refresh() if self.unread_only else NOTHING).then(_said(
            f"Marked {count(len(ids), 'paper')} of {count(days, 'day')} up to {date} read. {self.undo_key} undoes.",
            timeout=8))

    def catch_up_offer(self, *, min_days: int = 3, unread_share: float = 0.9) -> tuple[str, int, int] | None:
        """After a first sync, every day unread: (the day before the newest, its unread papers and days up to
        it) to offer "start from today: mark older days read?"; None when the library is still being read,
        holds few days, or its older days are read enough already."""
        dates = self.library.dates()
        if self.library.pending or len(dates) < min_days:
            return None
        older = [day for day in self.library.days() if day.date <= dates[1]]
        total = sum(len(day.papers) for day in older)
        ids, days = self.unread_up_to(dates[1])
        if not total or len(ids) < unread_share * total:
            return None
        return dates[1], len(ids), days

    def undo(self) -> Change:
        """z: the read marks the last mark_shown_read set, taken back: a mark anyone changed since stays."""
        if not self._undo:
            return _said("nothing to undo", timeout=2)
        previous, self._undo = self._undo, None
        try:
            restored = self.state.restore(previous)
        except Exception as exc:  # noqa: BLE001
            return _failed(exc)
        kept = len(previous) - len(restored)
        return self.marks_changed().then(_said(
            f"Undone: {count(len(restored), 'paper')} unread again"
            + (f"; {kept} changed since (here or elsewhere) left as they are." if kept else "."), timeout=6))

    def reload_marks(self) -> Change:
        """R: the marks read from disk again (what other processes wrote)."""
        failed = NOTHING
        try:
            self.state.reload()
        except Exception as exc:  # noqa: BLE001
            failed = _failed(exc, "could not read the state")
        self.state.external_changes.clear()
        return failed.then(self.marks_changed())

    # -- the library changes --------------------------------------------------------------------------
    def library_grew(self, parsed) -> Change:
        """The rest of the archive was read (parsed files, Library.parse_pending): merged in; the list is
        shown again when it gained papers (the Starred view, or the shown day had more in another file)."""
        before = self.library.day(self.key) if self.key not in (None, STARRED) else None
        self.library.merge(parsed)
        if not self.library.dates():
            return Change(empty=True)
        if self.key is None:
            return Change(days=True).then(self.show(self.library.dates()[0]))
        if self.key == STARRED or (before is not None and len(before) != len(self.library.day(self.key))):
            return Change(days=True).then(self.refresh())
        return Change(days=True)

    def library_opened(self, library: Library) -> Change:
        """The whole library (the reader's, backed by its index) takes the place of the first screen's, which
        held the newest day alone: the same list stays shown, its highlighted paper kept; when its rows are
        the same, the new papers are swapped in and nothing is drawn again but the day list."""
        self.library = library
        if not library.dates():
            return Change(empty=True)
        if self.key is None:
            return Change(days=True).then(self.show(library.dates()[0]))
        listed = self._papers_for(self.key)
        if [p.arxiv_id for p in listed] != [p.arxiv_id for p in self.papers]:
            return Change(days=True).then(self.refresh())
        self.papers = listed
        shown = self.current
        if shown is not None:
            self.current = next((p for p in listed if p.arxiv_id == shown.arxiv_id), shown)
        return Change(days=True, objects=True, detail=self.current != shown)

    def files_changed(self, parsed_files) -> Change:
        """Digests rewritten while the reader runs (a sync's days as they land, summaries written into them):
        the library holds what they hold now. Every day row when a day is new, else those days' rows; the list
        again, its highlighted paper kept, when it shows one of them (or the Starred view)."""
        before = set(self.library.dates())
        dates: set[str] = set()
        for parsed in parsed_files:
            self.library.refresh_file(parsed)
            dates.update(p.date for p in parsed.papers)
        if not self.library.dates():
            return Change(empty=True)
        change = Change(days=True) if dates - before else Change(day_rows=tuple(sorted(dates, reverse=True)))
        if self.key is None:
            return change.then(self.show(self.library.dates()[0]))
        if self.key in dates or self.key == STARRED:
            listed = self._papers_for(self.key)
            if [p.arxiv_id for p in listed] != [p.arxiv_id for p in self.papers]:
                return change.then(self.refresh())
            # The same rows (a summary written, metadata refreshed): the new papers in place, nothing redrawn
            # but the summary of the paper highlighted, if it is one of them.
            self.papers = listed
            shown = self.current
            if shown is not None:
                self.current = next((p for p in listed if p.arxiv_id == shown.arxiv_id), shown)
            return change.then(Change(objects=True, detail=self.current is not shown))
        return change

    def swap_library(self, library: Library) -> Change:
        """The library read again (R, a sync): shown in place of the old one, on the same day if it is
        still there (else the newest), saying how many days are new."""
        before = set(self.library.dates())
        new_days = [d for d in library.dates() if d not in before]
        self.library = library
        if not library.dates():
            return Change(empty=True)
        if self.key not in library.dates() and self.key != STARRED:
            self.key = library.dates()[0]
        said = f"Library reloaded: {count(len(library.dates()), 'day')}" + (f", {len(new_days)} new" if new_days else "")
        return Change(days=True).then(self.refresh()).then(_said(said, timeout=4))
