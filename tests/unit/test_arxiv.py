"""arXiv's metadata (reader.sources.arxiv, reader.core.arxiv_record, the store's arxiv table): read from a
loopback server speaking arXiv's Atom (tests/arxiv_server.py, from ../shared/arxiv-api's real responses and
generated metadata), never the real network; the pacing is checked with an injected clock."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from arxiv_server import ArxivServer, paper, recording
from reader.core.arxiv_record import ArxivRecord
from reader.core.metadata import SCHEMA, HFPaper, MetadataStore
from reader.sources.arxiv import (
    ArxivFormatError, endpoint, enrich, fetch_batch, fetch_one, open_arxiv, parse_feed,
)
from reader.sources.http import HttpError, Pace


class FakeClock:
    """Time that passes only when someone sleeps: the pacing is measured, never waited for."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.sleeps.append(seconds)
            self.now += max(0.0, seconds)


def client(url: str, clock: FakeClock | None = None, **options):
    clock = clock or FakeClock()
    pace = Pace(gap=3.0, concurrent=1, clock=clock, sleep=clock.sleep)
    return open_arxiv(url=url, pace=pace, sleep=clock.sleep, **options)


def store_at(tmp_path: Path) -> MetadataStore:
    return MetadataStore(tmp_path / "metadata.sqlite3")


def ids(n: int, start: int = 1) -> list[str]:
    return [f"2401.{i:05d}" for i in range(start, start + n)]


def generated(arxiv_ids: list[str]) -> dict[str, dict]:
    return {i: paper(f"Paper {i}", [f"Author {i} One", f"Author {i} Two"]) for i in arxiv_ids}


# -- the Atom answer ----------------------------------------------------------------------------------------
def test_a_recorded_entry_reads_with_every_field():
    feed = parse_feed(recording("1605.08386")["body"].encode())
    (record,) = feed.records
    assert record == ArxivRecord(
        arxiv_id="1605.08386", title="Heat-bath random walks with Markov bases",
        authors=("Caprice Stanley", "Tobias Windisch"), version=1, published="2016-05-26", updated="2016-05-26",
        primary_class="math.CO", categories=("math.CO", "math.ST"), doi=None, journal_ref=None,
        comment="20 pages, 3 figures")
    assert record.year == "2016"


def test_two_ids_one_unknown_give_one_record_with_its_34_authors_in_order():
    feed = parse_feed(recording("0808.05394_1707.08567")["body"].encode())
    (record,) = feed.records
    assert record.arxiv_id == "1707.08567" and record.primary_class == "cs.IT"
    assert len(record.authors) == 34
    assert record.authors[:2] == ("Kees A. Schouhamer Immink", "Stan Baggen")
    assert record.authors[-1] == "Hirosuke Yamamoto" and "Peter H. N. de With" in record.authors


def test_a_versioned_id_a_title_that_is_a_number_an_empty_feed_and_an_error_entry():
    (record,) = parse_feed(recording("2104.12255v1")["body"].encode()).records
    assert (record.arxiv_id, record.version, record.title) == ("2104.12255", 1, "0")
    assert parse_feed(recording("id_0000.0000_")["body"].encode()) == ([], [], None)
    error = parse_feed(recording("id_abc_")["body"].encode())
    assert error.records == [] and error.error == "incorrect id format for abc"


@pytest.mark.parametrize("body, message", [
    (b"<!DOCTYPE feed [<!ENTITY x 'boom'>]><feed xmlns='http://www.w3.org/2005/Atom'>&x;</feed>", "DTD"),
    (b"<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;'>]>"
     b"<lolz>&lol2;</lolz>", "DTD"),
    (b"<html><body>busy</body></html>", "not an Atom feed"),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", "not XML"),
    (b"", "not XML"),
])
def test_a_hostile_or_broken_answer_is_one_line_and_never_expands_an_entity(body, message):
    with pytest.raises(ArxivFormatError, match=message) as exc:
        parse_feed(body)
    assert "\n" not in str(exc.value)


def test_hostile_text_is_cleaned_and_bad_fields_dropped():
    # XML 1.0 cannot carry ESC, but it can carry C1 controls (8-bit CSI and OSC) and bidi overrides
    meta = paper("Evil\x9d52;c;aGk=\x9c Title\x9b2J", ["Mallory\x9b31m Red", "\u202eevil"], primary="bad cat!",
                 doi="not-a-doi 10.1234/abc.5", comment="x" * 5000)
    with ArxivServer({"2401.00001": meta}, recorded=False) as api:
        (record,) = parse_feed(api.feed(["2401.00001"])).records
    assert record.title == "Evil Title" and record.authors == ("Mallory Red", "evil")
    assert record.primary_class is None and record.doi == "10.1234/abc.5" and len(record.comment) == 1000


# -- asking ---------------------------------------------------------------------------------------------------
def test_the_endpoint_comes_from_the_environment_then_the_setting_then_arxiv():
    assert endpoint(None, {}) == "https://export.arxiv.org/api/query"
    assert endpoint("http://mirror/api/query", {}) == "http://mirror/api/query"
    assert endpoint("http://mirror/api/query", {"DAILY_PAPERS_ARXIV_API": "http://t/q"}) == "http://t/q"


def test_a_batch_sends_only_the_ids_and_reads_records_and_missing_ones():
    with ArxivServer(generated(["2401.00001"])) as api:
        batch = fetch_batch(client(api.url), ["2401.00001", "1605.08386", "0808.05394"])
    assert set(batch.records) == {"2401.00001", "1605.08386"} and batch.missing == ["0808.05394"]
    assert api.queries == [{"id_list": "2401.00001,1605.08386,0808.05394", "start": "0", "max_results": "3"}]
    assert api.headers[0]["user-agent"].startswith("daily-papers/")
    assert "authorization" not in api.headers[0] and "cookie" not in api.headers[0]


def test_a_malformed_id_is_never_sent_and_a_400_is_said_in_arxivs_words():
    with ArxivServer() as api:
        http = client(api.url)
        with pytest.raises(ValueError):
            fetch_batch(http, ["abc"])  # refused before any request
        assert api.requests == []
        api.fail(400, body=recording("id_abc_")["body"].encode())
        with pytest.raises(HttpError, match="^arXiv refused the request: incorrect id format for abc$") as exc:
            fetch_batch(http, ["2401.00001"])
    assert exc.value.status == 400


def test_enrich_asks_in_batches_of_100_one_at_a_time_3_seconds_apart(tmp_path):
    wanted = ids(250)
    clock = FakeClock()
    starts: list[float] = []
    store = store_at(tmp_path)
    with ArxivServer(generated(wanted)) as api:
        http = client(api.url, clock)
        original = http._send

        def timed(*args):
            starts.append(clock())
            return original(*args)

        http._send = timed
        seen = []
        result = enrich(store, http, wanted, progress=lambda done, total: seen.append((done, total)))
    assert [len(r) for r in api.requests] == [100, 100, 50]
    assert [i for r in api.requests for i in r] == wanted  # each id once
    assert api.max_concurrent == 1
    assert all(b - a >= 3.0 for a, b in zip(starts, starts[1:])), starts
    assert result.found == 250 and result.requests == 3 and not result.failed
    assert seen == [(0, 250), (100, 250), (200, 250), (250, 250)]
    assert store.arxiv("2401.00250").record.authors == ("Author 2401.00250 One", "Author 2401.00250 Two")


def test_each_paper_is_fetched_once_and_checked_again_after_30_days(tmp_path):
    store = store_at(tmp_path)
    wanted = ids(3) + ["0808.05394"]  # the last is unknown to arXiv: remembered as such
    with ArxivServer(generated(ids(3))) as api:
        first = enrich(store, client(api.url), wanted)
        again = enrich(store, client(api.url), wanted)
        import time as _time

        later = enrich(store, client(api.url), wanted, now=_time.time() + 31 * 86400)
    assert first.found == 3 and first.missing == ["0808.05394"]
    assert again.requests == 0 and again.cached == 4
    assert later.requests == 1 and later.asked == 4
    assert len(api.requests) == 2
    assert store.arxiv("0808.05394").record is None


def test_a_new_version_found_on_the_recheck_changes_the_year(tmp_path):
    store = store_at(tmp_path)
    with ArxivServer({"2312.00001": paper("T", ["A B"], published="2023-12-01T00:00:00Z")}, recorded=False) as api:
        enrich(store, client(api.url), ["2312.00001"])
        assert store.arxiv("2312.00001").record.year == "2023"
        api.papers["2312.00001"] = paper("T", ["A B"], published="2023-12-01T00:00:00Z",
                                         updated="2024-02-03T00:00:00Z", version=2)
        import time as _time

        enrich(store, client(api.url), ["2312.00001"], now=_time.time() + 31 * 86400)
    record = store.arxiv("2312.00001").record
    assert (record.version, record.updated, record.year) == (2, "2024-02-03", "2024")


def test_a_503_is_retried_then_a_failing_batch_is_reported_and_the_rest_fetched(tmp_path):
    clock = FakeClock()
    store = store_at(tmp_path)
    wanted = ids(150)
    with ArxivServer(generated(wanted)) as api:
        api.fail(503, headers={"Retry-After": "5"})  # the first try of batch 1, then it answers
        result = enrich(store, client(api.url, clock), wanted)
        assert result.found == 150 and not result.failed
        api.fail(503, times=10)
        broken = enrich(store, client(api.url, clock, attempts=2), ids(150, start=500))
    assert len(broken.failed) == 2 and all("HTTP 503" in line and "\n" not in line for line in broken.failed)
    assert broken.found == 0 and "not fetched" in broken.summary()


def test_offline_enrich_stops_at_once_with_one_line(tmp_path):
    store = store_at(tmp_path)
    clock = FakeClock()
    result = enrich(store, client("http://127.0.0.1:9/api/query", clock), ids(300))
    assert result.offline and "cannot connect" in result.offline and result.requests == 1
    assert store.arxiv("2401.00001") is None


def test_a_server_that_never_answers_times_out_with_one_line(tmp_path):
    store = store_at(tmp_path)
    with ArxivServer(generated(ids(1))) as api:
        api.fail("hang")
        result = enrich(store, client(api.url, timeout=0.5, attempts=1), ids(1))
    assert result.failed and "timeout" in result.failed[0]


def test_the_reader_fetches_one_paper_once_within_its_budget(tmp_path):
    store = store_at(tmp_path)
    with ArxivServer(generated(ids(1))) as api:
        one = fetch_one(store, "2401.00001", http=client(api.url))
        cached = fetch_one(store, "2401.00001", http=client(api.url))
        api.fail("hang")
        slow = fetch_one(store, "2401.00002", http=client(api.url, attempts=1), budget=0.3)
    assert one.record and one.asked and one.problem is None
    assert cached.record == one.record and not cached.asked
    assert slow.record is None and slow.asked and "did not answer within" in slow.problem
    assert api.requests == [["2401.00001"], ["2401.00002"]]


# -- the store ------------------------------------------------------------------------------------------------
def test_a_layout_1_store_gains_the_arxiv_table_and_keeps_its_days(tmp_path):
    path = tmp_path / "metadata.sqlite3"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE hf_days (date TEXT PRIMARY KEY, fetched TEXT NOT NULL, papers INTEGER NOT NULL,
                              complete INTEGER NOT NULL);
        CREATE TABLE hf_papers (date TEXT NOT NULL, arxiv_id TEXT NOT NULL, rank INTEGER NOT NULL,
                                data TEXT NOT NULL, PRIMARY KEY (date, arxiv_id));
        PRAGMA user_version = 1;
    """)
    hf = HFPaper("2401.00001", "A title", ("Wei Li", "Min Hong"))
    db.execute("INSERT INTO hf_days VALUES ('2024-01-02', '2024-01-02T00:00:00Z', 1, 1)")
    db.execute("INSERT INTO hf_papers VALUES ('2024-01-02', '2401.00001', 0, ?)", (json.dumps(hf.to_dict()),))
    db.commit()
    db.close()
    path.chmod(0o444)
    readonly = MetadataStore(path, readonly=True)
    assert readonly.paper("2401.00001") == hf and readonly.arxiv("2401.00001") is None
    assert not [n for n in readonly.notices if "cannot read" in n]
    readonly.close()
    path.chmod(0o644)
    store = MetadataStore(path)
    assert store.paper("2401.00001") == hf and store.days()["2024-01-02"].papers == 1
    record = ArxivRecord("2401.00001", "A title", ("Wei Li", "Min Hong"), primary_class="cs.CL")
    assert store.put_arxiv([record], ["2401.99999"])
    store.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA == 2
    again = MetadataStore(path)
    assert again.arxiv("2401.00001").record == record and again.arxiv("2401.99999").record is None


def test_an_arxiv_record_tampered_with_on_disk_is_checked_again(tmp_path):
    store = store_at(tmp_path)
    good = ArxivRecord("2401.00001", "Title", ("A B",), primary_class="cs.CL", doi="10.1/x")
    store.put_arxiv([good, good._replace(arxiv_id="2401.00002")])
    store.close()
    db = sqlite3.connect(tmp_path / "metadata.sqlite3")
    bad = good.to_dict() | {"title": "bad\x1b[2Jtitle", "authors": ["ok", 5], "doi": "javascript:x"}
    db.execute("UPDATE arxiv_papers SET data = ? WHERE arxiv_id = '2401.00001'", (json.dumps(bad),))
    db.execute("UPDATE arxiv_papers SET data = ? WHERE arxiv_id = '2401.00002'", ("[" * 10000,))
    db.commit()
    db.close()
    again = store_at(tmp_path)
    record = again.arxiv("2401.00001").record
    assert (record.title, record.authors, record.doi) == ("badtitle", ("ok",), None)
    assert again.arxiv("2401.00002") is None  # damaged: asked again on the next enrich


def test_a_read_only_store_still_gives_the_answers_of_this_run(tmp_path):
    path = tmp_path / "metadata.sqlite3"
    store_at(tmp_path).close()
    store = MetadataStore(path, readonly=True)  # as on a read-only disk (root writes through chmod)
    with ArxivServer(generated(ids(2))) as api:
        result = enrich(store, client(api.url), ids(2))
    assert result.unsaved and set(result.records) == set(ids(2))
    assert store.arxiv("2401.00001") is None
