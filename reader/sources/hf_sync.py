"""Bring Hugging Face's days into the library and its metadata into the metadata store.

Which days (plan()):
- live days: from the day after the archive's newest one (or --since) up to today in UTC (or --until). A
  day is fetched when it was never fetched, when some of its items were skipped last time, when it is one
  of the last two days (papers are added all day and votes move), or with --refresh; any other day never
  again. Each becomes a digest in the library's own `huggingface/` folder (reader.sources.hf_digest), unless
  the archive holds that day: then the archive's Korean day stands, enriched with this metadata.
- archive days: each day the archive holds is asked once, for its metadata alone (the true author order).

How (sync_days()): at most `workers` requests at once through one Http whose Pace keeps the Hub's limits;
each day is written whole as it arrives (the digest atomically, then its store transaction), so a sync
killed at any moment loses at most the days in flight and the next one does the rest. A day that fails
(HTTP error, a malformed answer) is reported and left for the next sync; the rest goes on. Nothing here
prints or imports Textual: progress goes through a callback.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from pathlib import Path

from reader.core.atomic import write_text_atomic
from reader.core.freshness import today_utc
from reader.core.metadata import HFPaper, MetadataStore
from reader.core.parse import read_file
from reader.sources.hf import HFFormatError, fetch_day
from reader.sources.hf_digest import ENGLISH_SECTIONS, render_paper
from reader.sources.http import Cancelled, HttpError

HF_FOLDER = "huggingface"
ARCHIVE_LAST_DAY = "2025-05-09"  # where daily_papers_ko stopped: live days start after it when no archive is here
REFETCH_RECENT = 2  # today and yesterday are fetched on every sync


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def digest_path(library: Path, date: str) -> Path:
    year, month, day = date.split("-")
    return library / HF_FOLDER / year / month / f"{day}.md"


def _days(first: str, last: str) -> list[str]:
    start, end = Date.fromisoformat(first), Date.fromisoformat(last)
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


@dataclass(frozen=True, slots=True)
class Plan:
    live: list[str]  # days to fetch and write as digests (newest first: the reader shows them as they land)
    archive: list[str]  # archive days to fetch for their metadata only
    first_live: str | None  # the live range (for messages)
    last_live: str | None

    @property
    def requests(self) -> int:
        return len(self.live) + len(self.archive)


def plan(*, today: str, archive_dates: Iterable[str], known: dict, since: str | None = None,
         until: str | None = None, refresh: bool = False, archive_metadata: bool = True) -> Plan:
    """What to fetch. `known` is MetadataStore.days(): date -> DayRecord."""
    archive = sorted(set(archive_dates))
    newest_archive = archive[-1] if archive else ARCHIVE_LAST_DAY
    first = since or (Date.fromisoformat(newest_archive) + timedelta(days=1)).isoformat()
    last = min(until or today, today)
    recent = {(Date.fromisoformat(today) - timedelta(days=n)).isoformat() for n in range(REFETCH_RECENT)}

    def wanted(day: str) -> bool:
        record = known.get(day)
        return refresh or record is None or not record.complete or day in recent

    archive_set = set(archive)
    live = [d for d in reversed(_days(first, last)) if d not in archive_set and wanted(d)] if first <= last else []
    in_range = [d for d in archive if (since is None or d >= since) and (until is None or d <= until)]
    metadata_only = [d for d in in_range if wanted(d) and d not in recent] if archive_metadata else []
    # archive days inside the live range (a --since reaching back) are metadata-only too: the archive stands
    return Plan(live, metadata_only, first if first <= last else None, last if first <= last else None)


@dataclass(slots=True)
class Progress:
    days_done: int = 0
    days_total: int = 0
    papers: int = 0  # papers on the live days fetched so far
    requests: int = 0
    started: float = field(default_factory=time.monotonic)

    def eta(self, now: float | None = None) -> float | None:
        """Seconds left at the pace so far; None until a day is done."""
        if not self.days_done:
            return None
        spent = (time.monotonic() if now is None else now) - self.started
        return spent / self.days_done * (self.days_total - self.days_done)


@dataclass(slots=True)
class HFSyncResult:
    new_days: list[str] = field(default_factory=list)  # live days with papers the library did not have
    updated_days: list[str] = field(default_factory=list)  # live days whose digest changed
    new_papers: int = 0  # papers on new days, plus papers added to days already there
    empty_days: list[str] = field(default_factory=list)  # live days with no papers (yet)
    metadata_days: int = 0  # archive days whose metadata was fetched
    failed: list[str] = field(default_factory=list)  # one line each: the day and why
    warnings: list[str] = field(default_factory=list)  # skipped items, removed digests ...
    requests: int = 0
    cancelled: bool = False
    offline: str | None = None  # the Hub could not be reached: the sync stopped (one line: why)

    def summary(self) -> str:
        parts = [f"{_count(len(self.new_days), 'new day')}, {_count(self.new_papers, 'new paper')}"]
        if self.updated_days:
            parts.append(f"{_count(len(self.updated_days), 'day')} updated")
        if self.metadata_days:
            parts.append(f"metadata for {_count(self.metadata_days, 'archive day')}")
        if self.failed:
            parts.append(f"{_count(len(self.failed), 'day')} failed (tried again next sync)")
        if self.offline:
            return f"offline ({self.offline}); the next sync fetches what is missing"
        if self.cancelled:
            parts.append("stopped before the end (the next sync goes on)")
        return "; ".join(parts)


def _existing_korean(path: Path) -> dict[str, list[tuple[str, str]]]:
    """The sections a digest already holds that are not the API's own (the Korean summaries the summarizer
    wrote), by arXiv id: rewriting a day keeps them."""
    if not path.is_file():
        return {}
    kept: dict[str, list[tuple[str, str]]] = {}
    for paper in read_file(path).papers:
        sections = [(s.name, " ".join(s.markdown.split())) for s in paper.sections
                    if s.name not in ENGLISH_SECTIONS and s.markdown.strip()]
        if sections:
            kept[paper.arxiv_id] = sections
    return kept


def write_day_digest(library: Path, date: str, papers: list[HFPaper]) -> tuple[bool, int]:
    """Write (or rewrite) a live day's digest, keeping Korean sections already there. Returns (whether the
    file changed, how many papers it did not hold before)."""
    path = digest_path(library, date)
    before: set[str] = set()
    korean: dict[str, list[tuple[str, str]]] = {}
    if path.is_file():
        existing = read_file(path).papers
        before = {p.arxiv_id for p in existing}
        korean = _existing_korean(path)
    text = "\n".join([f"## Daily Papers ({date})\n", *(render_paper(p, korean.get(p.arxiv_id)) for p in papers)])
    try:
        if path.read_text(encoding="utf-8") == text:
            return False, 0
    except (OSError, UnicodeDecodeError):
        pass
    write_text_atomic(path, text, exclusive=True)  # written under the library's lock
    return True, len({p.arxiv_id for p in papers} - before)


def sync_days(http, store: MetadataStore, library: Path, the_plan: Plan, *, workers: int = 4,
              progress: Callable[[Progress], None] | None = None,
              cancel: threading.Event | None = None,
              landed: Callable[[str, Path], None] | None = None) -> HFSyncResult:
    """Fetch the plan's days; see the module's docstring. Never raises for one day's failure. `landed(date,
    path)` is called (in a worker thread) as soon as a live day's digest is written or rewritten."""
    result = HFSyncResult()
    jobs = [(d, True) for d in the_plan.live] + [(d, False) for d in the_plan.archive]
    state = Progress(days_total=len(jobs))
    lock = threading.Lock()

    def one(date: str, live: bool) -> None:
        answer = fetch_day(http, date)
        with lock:
            state.requests += answer.requests
        result.warnings.extend(answer.problems)
        complete = not answer.problems
        if live:
            path = digest_path(library, date)
            existed = path.is_file()
            if answer.papers:
                changed, added = write_day_digest(library, date, answer.papers)
                if changed and landed is not None:
                    landed(date, path)
                with lock:
                    if not existed:
                        result.new_days.append(date)
                    elif changed:
                        result.updated_days.append(date)
                    result.new_papers += added
                    state.papers += len(answer.papers)
            else:
                with lock:
                    result.empty_days.append(date)
        if not store.put_day(date, answer.papers, complete=complete):
            raise OSError(f"cannot write the metadata store {store.path}")
        with lock:
            if not live:
                result.metadata_days += 1

    if progress:
        progress(state)
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="hf-sync") as pool:
        pending: dict[Future, str] = {}
        queue = list(jobs)
        try:
            while queue or pending:
                while queue and len(pending) < max(1, workers) and not (cancel and cancel.is_set()):
                    date, live = queue.pop(0)
                    pending[pool.submit(one, date, live)] = date
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    date = pending.pop(future)
                    exc = future.exception()
                    if isinstance(exc, Cancelled):
                        result.cancelled = True
                    elif isinstance(exc, HttpError) and exc.offline:
                        result.offline = result.offline or str(exc)
                        queue.clear()  # no network: the other days would only fail the same way
                    elif isinstance(exc, (HttpError, HFFormatError)):
                        result.failed.append(f"{date}: {exc}")
                    elif isinstance(exc, OSError):
                        result.failed.append(f"{date}: {exc.strerror or exc}")
                    elif exc is not None:
                        raise exc
                    with lock:
                        state.days_done += 1
                    if progress:
                        progress(state)
                if cancel is not None and cancel.is_set():
                    result.cancelled = True
                    queue.clear()
        finally:
            for future in pending:
                future.cancel()
    result.requests = state.requests
    result.new_days.sort()
    result.updated_days.sort()
    result.empty_days.sort()
    return result


def remove_shadowed(library: Path, archive_dates: Iterable[str]) -> list[str]:
    """Our digest of a day the archive now holds too is removed (the archive's Korean day stands); one line
    each, naming the file."""
    removed = []
    for date in archive_dates:
        path = digest_path(library, date)
        if path.is_file():
            try:
                os.unlink(path)
            except OSError as exc:
                removed.append(f"could not remove {path} (the archive holds {date} now): {exc.strerror}")
                continue
            removed.append(f"removed {path}: the archive holds {date} now")
    return removed


def archive_dates(library: Path) -> list[str]:
    """The days the archive's own files hold in the library (by their names: no file is read)."""
    from reader.core.library import discover

    if not library.is_dir():
        return []
    ours = str(library / HF_FOLDER) + os.sep
    files, _ = discover([library])
    return sorted({f.date_hint for f in files if f.date_hint and not f.file.startswith(ours)})


def open_hub(*, endpoint_setting: str | None = None, per_5min: int = 450, workers: int = 4,
             cancel: threading.Event | None = None, sleep: Callable[[float], None] = time.sleep,
             clock: Callable[[], float] = time.monotonic):
    """The Http client for the Hub: HF_ENDPOINT or the setting or huggingface.co; HF_TOKEN as a bearer token
    to that origin only; at most per_5min requests in any five minutes and `workers` at once."""
    from reader.sources.hf import endpoint, token
    from reader.sources.http import Http, Pace

    pace = Pace(per_window=per_5min, window=300.0, concurrent=workers, clock=clock, sleep=sleep)
    return Http(endpoint(endpoint_setting), token=token(), pace=pace, sleep=sleep, cancel=cancel,
                timeout=30.0, what="Hugging Face")


def sync_hf(*, library: Path | None = None, store: MetadataStore | None = None, http=None,
            today: str | None = None, since: str | None = None, until: str | None = None,
            refresh: bool = False, archive_metadata: bool = True, workers: int = 4,
            progress: Callable[[Progress], None] | None = None,
            cancel: threading.Event | None = None,
            landed: Callable[[str, Path], None] | None = None) -> HFSyncResult:
    """Everything `daily-papers sync` does with Hugging Face, under the library's lock (as the archive's
    sync and import hold it). Raises LibraryLockError (one line) when the library cannot be used at all."""
    from reader import paths as app_paths
    from reader.core.library_lock import lock_library

    library = Path(library) if library is not None else app_paths.library_dir()
    lock = lock_library(library, cancel=cancel)  # first: a library that cannot be used stops here, having written nothing
    own_store = store is None
    own_http = http is None
    try:
        store = store if store is not None else MetadataStore()
        http = http if http is not None else open_hub(workers=workers, cancel=cancel)
        archive = archive_dates(library)
        the_plan = plan(today=today or today_utc(), archive_dates=archive, known=store.days(), since=since,
                        until=until, refresh=refresh, archive_metadata=archive_metadata)
        result = sync_days(http, store, library, the_plan, workers=workers, progress=progress, cancel=cancel,
                           landed=landed)
        result.warnings.extend(remove_shadowed(library, archive))
        result.warnings.extend(store.notices)
        return result
    finally:
        lock.release()
        if own_http and http is not None:
            http.close()
        if own_store and store is not None:
            store.close()
