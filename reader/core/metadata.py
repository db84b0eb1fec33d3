"""Every paper's true metadata, as the sources gave it: a versioned SQLite file in the user data folder.

Hugging Face's API knows each paper's authors in their order, its upvotes, comments, code and project links,
organization, keywords and AI summary; the archive wrote authors through a set (the first author is wrong
for 83% of its papers) and knows none of the rest. `sync` asks the API for every day, the archive's too, and
keeps the answers here; the reader, the citations and the exports look a paper up by its arXiv id. arXiv's
own records (reader.core.arxiv_record: authors, versions' dates, category, DOI) are kept in their own table
by `daily-papers enrich` and the reader's `c`/`C` (reader.sources.arxiv), with when each was asked.

- SQLite (the standard library's): each day is written in one transaction, so a sync killed at any moment
  leaves every day whole or absent, and the next sync fetches what is missing; several processes read and
  write at once (WAL, a busy timeout).
- Versioned: PRAGMA user_version says which layout the file has; a newer one than this code knows is never
  written (opened read-only, with a notice); a damaged file is moved aside (`metadata.sqlite3.corrupt-TIME`)
  with a notice and the next sync fetches again what it held.
- Read-only disks: the file is read, nothing is written, and one notice says so.
- Every record read back is checked again as API text is (reader.sources.hf.HFPaper.from_dict).

Holds no reading marks (those are the state store's) and nothing secret.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from reader.core.arxiv_record import ArxivRecord
from reader.core.files import load_json
from reader.core.sanitize import clean, clean_line

# What one item may hold (the API's biggest real values are a fraction of these).
MAX_TITLE = 1_000
MAX_NAME = 200
MAX_AUTHORS = 2_000
MAX_ABSTRACT = 20_000
MAX_AI_SUMMARY = 5_000
MAX_KEYWORDS = 100
MAX_KEYWORD = 100
MAX_URL = 2_000
MAX_COUNT = 10**9

_ARXIV_ID = re.compile(r"[0-9]{4}\.[0-9]{4,5}")
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9:.]+Z?)?")
_URL = re.compile(r"https?://[^\s<>\"'`\\\x00-\x1f\x7f-\x9f]+", re.ASCII)


class HFPaper(NamedTuple):
    """One paper as the API describes it on one day (every text cleaned, every field checked)."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...] = ()
    upvotes: int | None = None
    comments: int | None = None
    abstract: str = ""
    ai_summary: str = ""
    keywords: tuple[str, ...] = ()
    github: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    organization: str | None = None
    published: str | None = None  # YYYY-MM-DD (arXiv's publication)
    submitted: str | None = None  # YYYY-MM-DD (added to Daily Papers)
    thumbnail: str | None = None
    withdrawn: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = self._asdict()
        data["authors"] = list(self.authors)
        data["keywords"] = list(self.keywords)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HFPaper | None:
        """A record this module wrote (the metadata store): checked again, as anything read from disk."""
        paper, _ = record_from_fields(data)
        return paper


def _text(value: Any, limit: int, *, line: bool = True) -> str | None:
    if not isinstance(value, str):
        return None
    text = clean_line(value) if line else clean(value)
    text = " ".join(text.split()) if line else text.strip()
    return text[:limit] if text else None


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        return None
    return value


def _url(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > MAX_URL:
        return None
    value = value.strip()
    return value if _URL.fullmatch(value) else None


def _day(value: Any) -> str | None:
    if isinstance(value, str) and _STAMP.fullmatch(value.strip()):
        return value.strip()[:10]
    return None


def author_names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    names = []
    for entry in value[:MAX_AUTHORS]:
        raw = entry.get("name") if isinstance(entry, dict) else entry
        if isinstance(entry, dict) and entry.get("hidden") is True:
            pass  # a hidden author is still an author of the paper (hidden only from the Hub's page)
        name = _text(raw, MAX_NAME)
        if name:
            names.append(name)
    return tuple(names)


def _keywords(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    seen: dict[str, None] = {}
    for entry in value[:MAX_KEYWORDS * 2]:
        word = _text(entry, MAX_KEYWORD)
        if word and word.casefold() not in {k.casefold() for k in seen}:
            seen[word] = None
        if len(seen) >= MAX_KEYWORDS:
            break
    return tuple(seen)


def record_from_fields(data: Mapping[str, Any]) -> tuple[HFPaper | None, str | None]:
    arxiv_id = data.get("arxiv_id")
    if not isinstance(arxiv_id, str) or not _ARXIV_ID.fullmatch(arxiv_id):
        return None, f"an item without a valid arXiv id ({clean_line(str(arxiv_id))[:40]!r})"
    title = _text(data.get("title"), MAX_TITLE)
    if not title:
        return None, f"{arxiv_id} has no title"
    stars = data.get("github_stars")
    return HFPaper(
        arxiv_id=arxiv_id,
        title=title,
        authors=tuple(n for n in (_text(a, MAX_NAME) for a in (data.get("authors") or ())[:MAX_AUTHORS]) if n)
        if isinstance(data.get("authors"), (list, tuple)) else (),
        upvotes=_count(data.get("upvotes")),
        comments=_count(data.get("comments")),
        abstract=_text(data.get("abstract"), MAX_ABSTRACT) or "",
        ai_summary=_text(data.get("ai_summary"), MAX_AI_SUMMARY) or "",
        keywords=_keywords(list(data.get("keywords") or ()) if isinstance(data.get("keywords"), (list, tuple)) else None),
        github=_url(data.get("github")),
        github_stars=_count(stars),
        project_page=_url(data.get("project_page")),
        organization=_text(data.get("organization"), MAX_NAME),
        published=_day(data.get("published")),
        submitted=_day(data.get("submitted")),
        thumbnail=_url(data.get("thumbnail")),
        withdrawn=data.get("withdrawn") is True,
    ), None

SCHEMA = 2  # 1: Hugging Face's days and papers; 2: + arXiv's records (a layout-1 file gains the table)
FILE_NAME = "metadata.sqlite3"

_CREATE = """
CREATE TABLE IF NOT EXISTS hf_days (
    date TEXT PRIMARY KEY,
    fetched TEXT NOT NULL,      -- when (UTC, ISO 8601)
    papers INTEGER NOT NULL,
    complete INTEGER NOT NULL   -- 0: some items were skipped; fetched again next time
);
CREATE TABLE IF NOT EXISTS hf_papers (
    date TEXT NOT NULL,
    arxiv_id TEXT NOT NULL,
    rank INTEGER NOT NULL,      -- the API's order within the day
    data TEXT NOT NULL,         -- HFPaper.to_dict() as JSON
    PRIMARY KEY (date, arxiv_id)
);
CREATE INDEX IF NOT EXISTS hf_papers_by_id ON hf_papers (arxiv_id, date);
CREATE TABLE IF NOT EXISTS arxiv_papers (
    arxiv_id TEXT PRIMARY KEY,  -- without a version
    fetched TEXT NOT NULL,      -- when arXiv was asked (UTC, ISO 8601)
    found INTEGER NOT NULL,     -- 0: arXiv knows no such paper (asked again after ARXIV_RECHECK_DAYS)
    data TEXT                   -- ArxivRecord.to_dict() as JSON (NULL when not found)
);
"""


class MetadataError(Exception):
    """The store cannot be used at all (one line)."""


class ArxivEntry(NamedTuple):
    """What the store knows of a paper from arXiv: its record (None: arXiv knows no such paper), and when."""

    record: ArxivRecord | None
    fetched: str


class DayRecord(NamedTuple):
    date: str
    fetched: str
    papers: int
    complete: bool


def default_path() -> Path:
    from reader import paths

    return paths.data_dir() / FILE_NAME


class MetadataStore:
    """Open with MetadataStore(path); every method is safe from any thread (one connection, one lock)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, readonly: bool = False) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.notices: list[str] = []
        self.readonly = readonly
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self._open()

    # -- opening ----------------------------------------------------------------------------------------
    def _open(self) -> None:
        if not self.readonly:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                self.readonly = True
        if self.path.exists() and not self.path.is_file():
            self.notices.append(f"{self.path} is not a regular file; metadata is not kept this time")
            self.readonly = True
            return
        try:
            self._db = self._connect()
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA:
                self.notices.append(f"{self.path} was written by a newer daily-papers (layout {version}); "
                                    "it is read-only here: upgrade daily-papers")
                self._reopen_readonly()
                return
            if not self.readonly:
                with self._db:
                    self._db.executescript(_CREATE)
                    self._db.execute(f"PRAGMA user_version = {SCHEMA}")
            self._db.execute("SELECT count(*) FROM hf_days").fetchone()
        except sqlite3.OperationalError as exc:
            if self.readonly or "readonly" in str(exc) or "read-only" in str(exc) or "unable to open" in str(exc):
                self._reopen_readonly()
                return
            self._damaged(exc)
        except sqlite3.DatabaseError as exc:
            self._damaged(exc)

    def _connect(self, readonly: bool | None = None) -> sqlite3.Connection:
        readonly = self.readonly if readonly is None else readonly
        if readonly:
            uri = self.path.absolute().as_uri() + "?mode=ro"
            db = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=10)
        else:
            db = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            try:
                db.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                pass  # a file system without shared memory: the rollback journal is as safe, only slower
            db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _reopen_readonly(self) -> None:
        self.close()
        self.readonly = True
        if not self.path.is_file():
            return
        try:
            self._db = self._connect(readonly=True)
            self._db.execute("SELECT count(*) FROM hf_days").fetchone()
        except sqlite3.DatabaseError:
            self.close()
        if not any("read-only" in n for n in self.notices):
            self.notices.append(f"{self.path} cannot be written; metadata is read, not updated")

    def _damaged(self, exc: BaseException) -> None:
        self.close()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, target)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.replace(side, target.with_name(target.name + suffix))
        except OSError as move:
            self.notices.append(f"{self.path} is damaged ({exc}) and could not be moved aside "
                                f"({move.strerror or move}); metadata is not kept this time")
            self.readonly = True
            return
        self.notices.append(f"{self.path} was damaged ({exc}); it was moved to {target.name} and "
                            "the next sync fetches the metadata again")
        self._db = self._connect()
        with self._db:
            self._db.executescript(_CREATE)
            self._db.execute(f"PRAGMA user_version = {SCHEMA}")

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                try:
                    self._db.close()
                except sqlite3.Error:
                    pass
                self._db = None

    def __enter__(self) -> "MetadataStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------------------------
    def _rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            if self._db is None:
                return []
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.DatabaseError as exc:
                message = f"cannot read {self.path}: {exc}"
                if message not in self.notices:
                    self.notices.append(message)
                return []

    def days(self) -> dict[str, DayRecord]:
        """Every day fetched so far (an empty day too) -> its record."""
        return {r[0]: DayRecord(r[0], r[1], r[2], bool(r[3]))
                for r in self._rows("SELECT date, fetched, papers, complete FROM hf_days")}

    def day(self, date: str) -> list[HFPaper]:
        """The papers Hugging Face listed on that day, in its order."""
        return self._decode(self._rows("SELECT data FROM hf_papers WHERE date = ? ORDER BY rank", (date,)))

    def paper(self, arxiv_id: str) -> HFPaper | None:
        """What Hugging Face says of this paper (its newest day's record)."""
        found = self._decode(self._rows(
            "SELECT data FROM hf_papers WHERE arxiv_id = ? ORDER BY date DESC LIMIT 1", (arxiv_id,)))
        return found[0] if found else None

    def papers(self, ids: Iterable[str]) -> dict[str, HFPaper]:
        """Many at once (exports): id -> record, for the ids known."""
        wanted = list(dict.fromkeys(ids))
        result: dict[str, HFPaper] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._rows(f"SELECT arxiv_id, data FROM hf_papers WHERE arxiv_id IN ({marks}) "
                              "ORDER BY date", tuple(chunk))
            for arxiv_id, data in rows:
                decoded = self._decode([(data,)])
                if decoded:
                    result[arxiv_id] = decoded[0]  # ordered by date: the newest day's record stays
        return result

    # -- arXiv's records ---------------------------------------------------------------------------------
    def _arxiv_rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Rows of arxiv_papers; none (and no notice) from a layout-1 file opened read-only, which lacks it."""
        if not self._rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'arxiv_papers'"):
            return []
        return self._rows(sql, args)

    @staticmethod
    def _arxiv_entry(fetched: Any, found: Any, data: Any) -> ArxivEntry | None:
        if not isinstance(fetched, str):
            return None
        if not found:
            return ArxivEntry(None, fetched)
        try:
            decoded = load_json(data) if isinstance(data, str) else None
        except ValueError:
            return None
        record = ArxivRecord.from_dict(decoded) if isinstance(decoded, dict) else None
        return ArxivEntry(record, fetched) if record is not None else None  # a damaged record: fetch again

    def arxiv(self, arxiv_id: str) -> ArxivEntry | None:
        """What arXiv said of this paper, and when; None when it was never asked (or the record is damaged)."""
        return self.arxiv_many([arxiv_id]).get(arxiv_id)

    def arxiv_many(self, ids: Iterable[str]) -> dict[str, ArxivEntry]:
        wanted = list(dict.fromkeys(ids))
        result: dict[str, ArxivEntry] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for arxiv_id, fetched, found, data in self._arxiv_rows(
                    f"SELECT arxiv_id, fetched, found, data FROM arxiv_papers WHERE arxiv_id IN ({marks})",
                    tuple(chunk)):
                entry = self._arxiv_entry(fetched, found, data)
                if entry is not None and (entry.record is None or entry.record.arxiv_id == arxiv_id):
                    result[arxiv_id] = entry
        return result

    def put_arxiv(self, records: Iterable[ArxivRecord], missing: Iterable[str] = (), *,
                  fetched: str | None = None) -> bool:
        """Keep what one answer of arXiv said (one transaction): its records, and the ids it does not know.
        False when the store cannot be written."""
        fetched = fetched or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        rows = [(r.arxiv_id, fetched, 1, json.dumps(r.to_dict(), ensure_ascii=False)) for r in records]
        rows += [(arxiv_id, fetched, 0, None) for arxiv_id in missing]
        with self._lock:
            if self._db is None or self.readonly:
                return False
            try:
                with self._db:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO arxiv_papers (arxiv_id, fetched, found, data) VALUES (?, ?, ?, ?)",
                        rows)
            except sqlite3.DatabaseError as exc:
                message = f"cannot write {self.path}: {exc}"
                if message not in self.notices:
                    self.notices.append(message)
                return False
            return True

    @staticmethod
    def _decode(rows: list[tuple]) -> list[HFPaper]:
        found = []
        for (data,) in rows:
            try:
                record = load_json(data) if isinstance(data, str) else None
            except ValueError:
                continue
            paper = HFPaper.from_dict(record) if isinstance(record, dict) else None
            if paper is not None:
                found.append(paper)
        return found

    # -- writing ----------------------------------------------------------------------------------------
    def put_day(self, date: str, papers: list[HFPaper], *, complete: bool = True,
                fetched: str | None = None) -> bool:
        """Replace what is kept for `date` (one transaction); False when the store cannot be written."""
        fetched = fetched or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._lock:
            if self._db is None or self.readonly:
                return False
            try:
                with self._db:
                    self._db.execute("DELETE FROM hf_papers WHERE date = ?", (date,))
                    self._db.executemany(
                        "INSERT OR REPLACE INTO hf_papers (date, arxiv_id, rank, data) VALUES (?, ?, ?, ?)",
                        [(date, p.arxiv_id, rank, json.dumps(p.to_dict(), ensure_ascii=False))
                         for rank, p in enumerate(papers)])
                    self._db.execute(
                        "INSERT OR REPLACE INTO hf_days (date, fetched, papers, complete) VALUES (?, ?, ?, ?)",
                        (date, fetched, len(papers), int(complete)))
            except sqlite3.DatabaseError as exc:
                message = f"cannot write {self.path}: {exc}"
                if message not in self.notices:
                    self.notices.append(message)
                return False
            return True
