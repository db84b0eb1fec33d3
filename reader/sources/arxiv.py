"""arXiv's query API: each paper's authors in order, title, versions' dates, category, DOI, journal reference.

`GET {endpoint}?id_list=ID,ID,...&max_results=N` answers an Atom feed with one entry per known paper
(namespaced elements in any order); an id arXiv does not know is simply absent (HTTP 200), a malformed one
is HTTP 400 with an `Error` entry. The endpoint is https://export.arxiv.org/api/query unless the
DAILY_PAPERS_ARXIV_API environment variable or the `arxiv_api` setting names another (a mirror, a test).

arXiv's terms of use, kept by every caller of this module (the pacing lives in the one Pace of a process):
at most 100 ids a request, one request at a time on one connection, at least 3 s between two requests; each
paper is asked once and kept in the metadata store, and asked again only after RECHECK_DAYS (for versions
published since). What is sent: the arXiv ids asked about and the User-Agent (reader.sources.http); nothing
else.

Everything arXiv answers is untrusted: the XML is parsed with defusedxml (no DTD, no entity expansion), an
answer is read up to MAX_ANSWER bytes, and every field is checked and cleaned (reader.core.arxiv_record).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from reader.core.arxiv_record import ArxivRecord, record_from_fields, valid_id
from reader.core.sanitize import clean_line

DEFAULT_ENDPOINT = "https://export.arxiv.org/api/query"
ENDPOINT_ENV = "DAILY_PAPERS_ARXIV_API"
BATCH = 100  # ids a request (arXiv: "in slices of at most 100")
GAP_SECONDS = 3.0  # between two requests (arXiv: "no more than one request every three seconds")
RECHECK_DAYS = 30
MAX_ANSWER = 8 * 1024 * 1024  # 100 entries are about 300 KB
ONE_PAPER_BUDGET = 10.0  # the reader waits at most this long for one paper's metadata

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"


class ArxivFormatError(Exception):
    """The answer is not arXiv's Atom (one line)."""


def endpoint(config_value: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """DAILY_PAPERS_ARXIV_API, else the `arxiv_api` setting, else arXiv's own."""
    env = os.environ if environ is None else environ
    return (env.get(ENDPOINT_ENV) or config_value or DEFAULT_ENDPOINT).strip()


_PACE = None
_PACE_LOCK = threading.Lock()


def shared_pace():
    """The one Pace of this process for arXiv: one request at a time, 3 s apart, whoever asks."""
    global _PACE
    from reader.sources.http import Pace

    with _PACE_LOCK:
        if _PACE is None:
            _PACE = Pace(gap=GAP_SECONDS, concurrent=1)
        return _PACE


def open_arxiv(endpoint_setting: str | None = None, *, url: str | None = None, pace=None,
               sleep: Callable[[float], None] = time.sleep, cancel: threading.Event | None = None,
               timeout: float = 30.0, attempts: int = 4):
    """The Http client for arXiv's API (see the module for the pacing): at `url`, else endpoint()."""
    from reader.sources.http import Http

    return Http(url or endpoint(endpoint_setting), pace=pace or shared_pace(), sleep=sleep, cancel=cancel,
                timeout=timeout, connect_timeout=min(timeout, 10.0), attempts=attempts, backoff=3.0,
                max_bytes=MAX_ANSWER, what="arXiv")


# ---------------------------------------------------------------------------------------------------------
# The Atom answer
# ---------------------------------------------------------------------------------------------------------
def _parse_xml(content: bytes):
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    if len(content) > MAX_ANSWER:
        raise ArxivFormatError(f"the answer is more than {MAX_ANSWER:,} bytes")
    try:
        return SafeET.fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ArxivFormatError(f"the answer holds a DTD or an entity, which is refused ({exc.__class__.__name__})") from None
    except Exception as exc:  # noqa: BLE001 - ParseError, or any error of a malformed document
        raise ArxivFormatError(f"the answer is not XML ({clean_line(str(exc))[:120]})") from None


def _text(element, tag: str) -> str | None:
    found = element.find(tag)
    return found.text if found is not None and isinstance(found.text, str) else None


def _entry_id(raw: str | None) -> tuple[str | None, int]:
    """'http://arxiv.org/abs/2408.03326v2' -> ('2408.03326', 2)."""
    if not raw or "/abs/" not in raw:
        return None, 1
    tail = raw.strip().split("/abs/", 1)[1]
    base, _, version = tail.rpartition("v")
    if base and version.isdigit():
        return base, int(version)
    return tail, 1


class Feed(NamedTuple):
    records: list[ArxivRecord]
    problems: list[str]  # entries skipped, and why
    error: str | None  # arXiv's own Error entry, if the answer is one


def parse_feed(content: bytes) -> Feed:
    """An answer of the query API -> its records. ArxivFormatError when it is not an Atom feed at all."""
    root = _parse_xml(content)
    if root.tag != f"{ATOM}feed":
        raise ArxivFormatError(f"the answer is not an Atom feed (<{clean_line(str(root.tag))[:60]}>)")
    records: list[ArxivRecord] = []
    problems: list[str] = []
    error = None
    for entry in root.findall(f"{ATOM}entry")[: BATCH * 2]:
        raw_id = _text(entry, f"{ATOM}id") or ""
        if "/api/errors" in raw_id or (_text(entry, f"{ATOM}title") or "").strip() == "Error":
            error = clean_line(_text(entry, f"{ATOM}summary") or "an error")[:200]
            continue
        arxiv_id, version = _entry_id(raw_id)
        primary = entry.find(f"{ARXIV}primary_category")
        record, why = record_from_fields({
            "arxiv_id": arxiv_id,
            "title": _text(entry, f"{ATOM}title"),
            "authors": [_text(a, f"{ATOM}name") or "" for a in entry.findall(f"{ATOM}author")],
            "version": version,
            "published": _text(entry, f"{ATOM}published"),
            "updated": _text(entry, f"{ATOM}updated"),
            "primary_class": primary.get("term") if primary is not None else None,
            "categories": [c.get("term") for c in entry.findall(f"{ATOM}category")],
            "doi": _text(entry, f"{ARXIV}doi"),
            "journal_ref": _text(entry, f"{ARXIV}journal_ref"),
            "comment": _text(entry, f"{ARXIV}comment"),
        })
        if record is None:
            problems.append(why or "an unreadable entry")
        else:
            records.append(record)
    return Feed(records, problems, error)


# ---------------------------------------------------------------------------------------------------------
# Asking
# ---------------------------------------------------------------------------------------------------------
class Batch(NamedTuple):
    records: dict[str, ArxivRecord]
    missing: list[str]  # ids arXiv does not know
    problems: list[str]


def fetch_batch(http, ids: list[str]) -> Batch:
    """One request for up to BATCH ids (each a valid bare id). Raises HttpError or ArxivFormatError."""
    from reader.sources.http import HttpError

    if not ids or len(ids) > BATCH:
        raise ValueError(f"asking arXiv for {len(ids)} ids (1 to {BATCH})")
    for arxiv_id in ids:
        if not valid_id(arxiv_id):
            raise ValueError(f"not an arXiv id: {arxiv_id!r}")
    params = {"id_list": ",".join(ids), "start": 0, "max_results": len(ids)}
    try:
        response = http.get(http.base_url.rstrip("/"), params=params)
    except HttpError as exc:
        if exc.status == 400 and exc.body:
            try:
                feed = parse_feed(exc.body)
            except ArxivFormatError:
                raise exc from None
            if feed.error:
                raise HttpError(f"arXiv refused the request: {feed.error}", status=400) from None
        raise
    feed = parse_feed(response.content)
    if feed.error:
        raise ArxivFormatError(f"arXiv answered with an error: {feed.error}")
    wanted = set(ids)
    records = {r.arxiv_id: r for r in feed.records if r.arxiv_id in wanted}
    missing = [i for i in ids if i not in records]
    return Batch(records, missing, feed.problems)


def due(store, ids: Iterable[str], *, now: float | None = None, refresh: bool = False,
        recheck_days: int = RECHECK_DAYS) -> list[str]:
    """The ids to ask arXiv about: never asked, asked more than `recheck_days` ago, or all with refresh."""
    wanted = [i for i in dict.fromkeys(ids) if valid_id(i)]
    if refresh:
        return wanted
    known = store.arxiv_many(wanted)
    limit = (time.time() if now is None else now) - recheck_days * 86400
    out = []
    for arxiv_id in wanted:
        entry = known.get(arxiv_id)
        if entry is None or _stamp(entry.fetched) < limit:
            out.append(arxiv_id)
    return out


def _stamp(text: str) -> float:
    import calendar

    try:
        return float(calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")))
    except (ValueError, TypeError):
        return 0.0


@dataclass
class EnrichResult:
    asked: int = 0  # ids sent to arXiv
    found: int = 0
    missing: list[str] = field(default_factory=list)  # ids arXiv does not know
    cached: int = 0  # ids known already (not asked)
    invalid: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line per batch that failed
    offline: str | None = None  # arXiv could not be reached: stopped at once
    requests: int = 0
    unsaved: bool = False  # the store could not be written (records used for this run only)
    records: dict[str, ArxivRecord] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"{self.found:,} papers with arXiv's metadata"]
        if self.cached:
            parts.append(f"{self.cached:,} known already")
        if self.missing:
            parts.append(f"{len(self.missing):,} unknown to arXiv")
        if self.failed or self.offline:
            left = self.asked - self.found - len(self.missing)
            parts.append(f"{left:,} not fetched (run 'daily-papers enrich' again)")
        return ", ".join(parts) + f" ({self.requests:,} request{'' if self.requests == 1 else 's'})"


def enrich(store, http, ids: Iterable[str], *, refresh: bool = False, now: float | None = None,
           progress: Callable[[int, int], None] | None = None,
           cancel: threading.Event | None = None) -> EnrichResult:
    """Fetch arXiv's metadata for every id that is due (see due()), BATCH at a time, and keep each answer in
    the store as it arrives (one transaction a batch): an enrich stopped at any moment loses at most the
    batch in flight. Offline, it stops at once; a batch that fails otherwise is reported and the rest goes
    on."""
    from reader.sources.http import Cancelled, HttpError

    ids = list(dict.fromkeys(ids))
    result = EnrichResult(invalid=[i for i in ids if not valid_id(i)])
    todo = due(store, ids, now=now, refresh=refresh)
    result.cached = len(ids) - len(result.invalid) - len(todo)
    result.asked = len(todo)
    done = 0
    if progress:
        progress(0, len(todo))
    for start in range(0, len(todo), BATCH):
        if cancel is not None and cancel.is_set():
            break
        chunk = todo[start:start + BATCH]
        try:
            result.requests += 1
            batch = fetch_batch(http, chunk)
        except Cancelled:
            break
        except HttpError as exc:
            if exc.offline:
                result.offline = str(exc)
                break
            result.failed.append(f"{len(chunk)} papers from {chunk[0]}: {exc}")
            continue
        except ArxivFormatError as exc:
            result.failed.append(f"{len(chunk)} papers from {chunk[0]}: {exc}")
            continue
        if not store.put_arxiv(batch.records.values(), batch.missing):
            result.unsaved = True
        result.records.update(batch.records)
        result.found += len(batch.records)
        result.missing += batch.missing
        done += len(chunk)
        if progress:
            progress(done, len(todo))
    return result


# ---------------------------------------------------------------------------------------------------------
# The reader: one paper, now
# ---------------------------------------------------------------------------------------------------------
class OnePaper(NamedTuple):
    record: ArxivRecord | None  # None: not known (see problem)
    problem: str | None  # why there is no record (offline, timeout, unknown to arXiv), or None
    asked: bool  # a request was made


def fetch_one(store, arxiv_id: str, *, http=None, budget: float = ONE_PAPER_BUDGET,
              endpoint_setting: str | None = None) -> OnePaper:
    """arXiv's record of one paper: the store's when it has one that is not due, else one request (no
    retry), given at most `budget` seconds; the answer is kept in the store."""
    from reader.sources.http import HttpError

    entry = store.arxiv(arxiv_id)
    if not valid_id(arxiv_id):
        return OnePaper(None, f"{arxiv_id} is not an arXiv id arXiv's API knows", False)
    if not due(store, [arxiv_id]):
        if entry is not None and entry.record is not None:
            return OnePaper(entry.record, None, False)
        return OnePaper(None, f"arXiv does not know {arxiv_id}", False)
    cancel = threading.Event()
    own = http is None
    client = http if http is not None else open_arxiv(endpoint_setting, timeout=budget, attempts=1, cancel=cancel)
    outcome: list[Any] = []

    def ask() -> None:
        try:
            outcome.append(fetch_batch(client, [arxiv_id]))
        except (HttpError, ArxivFormatError) as exc:
            outcome.append(exc)
        finally:
            if own:
                client.close()

    worker = threading.Thread(target=ask, name="arxiv-one", daemon=True)
    worker.start()
    worker.join(budget)
    if not outcome:
        cancel.set()
        stale = entry.record if entry is not None else None
        return OnePaper(stale, f"arXiv did not answer within {budget:.0f} s", True)
    answer = outcome[0]
    if isinstance(answer, Exception):
        stale = entry.record if entry is not None else None
        return OnePaper(stale, str(answer), True)
    store.put_arxiv(answer.records.values(), answer.missing)
    record = answer.records.get(arxiv_id)
    return OnePaper(record, None if record else f"arXiv does not know {arxiv_id}", True)
