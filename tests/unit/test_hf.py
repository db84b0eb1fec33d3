"""Hugging Face days (reader.sources.hf, hf_digest, hf_sync; reader.core.metadata): fetched from a loopback
Hub that answers from ../shared/hf-api's real recordings, never the real network."""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path

import pytest

from hub_server import HubServer, recorded_days
from reader.core.metadata import HFPaper, MetadataStore
from reader.core.parse import read_file
from reader.sources.hf import HFFormatError, fetch_day, parse_page, paper_from_item
from reader.sources.hf_sync import (
    archive_dates, digest_path, plan, sync_hf, write_day_digest,
)
from reader.sources.http import Http

REPO = Path(__file__).resolve().parents[2]
RECORDED = recorded_days()


def store_at(tmp_path: Path) -> MetadataStore:
    return MetadataStore(tmp_path / "metadata.sqlite3")


# -- items --------------------------------------------------------------------------------------------------
def test_every_recorded_item_reads_with_its_authors_in_order():
    total = 0
    for day, items in RECORDED.items():
        papers, problems = parse_page(items)
        assert not problems, (day, problems[:3])
        assert len(papers) == len(items)
        for paper, item in zip(papers, items):
            assert paper.arxiv_id == item["paper"]["id"]
            assert list(paper.authors) == [a["name"].strip() for a in item["paper"]["authors"] if a["name"].strip()]
            assert paper.upvotes == item["paper"]["upvotes"]
        total += len(papers)
    assert total > 1000


def test_fields_added_over_time_are_kept_where_the_api_gives_them():
    papers = {p.arxiv_id: p for p in parse_page(RECORDED["2026-08-21"])[0]}
    paper = papers["2608.19880"]
    assert paper.organization == "Google"
    assert paper.github == "https://github.com/google-research/envharness" and paper.github_stars == 8
    assert paper.project_page == "https://envharness.com/"
    assert "EnvRigger" in paper.keywords and paper.ai_summary.startswith("EnvHarness and EnvRigger")
    assert paper.submitted == "2026-08-21" and paper.published == "2026-08-20"
    old = parse_page(RECORDED["2024-08-07"])[0][0]
    assert old.keywords == () and old.github is None and old.ai_summary == ""


def hostile_item() -> dict:
    item = copy.deepcopy(RECORDED["2026-08-21"][0])
    item["paper"]["title"] = "Evil\x1b]52;c;ZXZpbA==\x07 title [b]bold[/b]\n\nsecond line"
    item["paper"]["authors"][0]["name"] = "Mallory\x1b[31m Red"
    item["paper"]["summary"] = "x" * 50_000
    item["paper"]["upvotes"] = "many"
    item["paper"]["githubRepo"] = "javascript:alert(1)"
    item["paper"]["projectPage"] = "https://ok.example/\x1b[2J"
    item["paper"]["ai_keywords"] = ["ok", 3, {"x": 1}, "ok", "\x07bell"]
    item["numComments"] = -4
    return item


def test_a_hostile_item_is_cleaned_and_capped_field_by_field():
    paper, why = paper_from_item(hostile_item())
    assert why is None and paper is not None
    assert "\x1b" not in paper.title and "\x07" not in paper.title and "\n" not in paper.title
    assert paper.title.startswith("Evil") and "[b]bold[/b]" in paper.title  # markup stays text, shown as typed
    assert paper.authors[0] == "Mallory Red"
    assert len(paper.abstract) == 20_000
    assert paper.upvotes is None and paper.comments is None
    assert paper.github is None and paper.project_page is None
    assert paper.keywords == ("ok", "bell")


@pytest.mark.parametrize("item", [None, [], {"paper": None}, {"paper": {"id": "２４０８.０７２４６", "title": "x"}},
                                  {"paper": {"id": "2408.07246", "title": ""}}, {"paper": {"id": "../../etc"}}])
def test_an_item_without_a_usable_id_or_title_is_skipped_with_a_reason(item):
    paper, why = paper_from_item(item)
    assert paper is None and why


@pytest.mark.parametrize("body", [{"error": "Invalid date"}, "a string", 42, None])
def test_an_answer_that_is_not_a_list_is_a_format_error(body):
    with pytest.raises(HFFormatError):
        parse_page(body)


# -- paging -------------------------------------------------------------------------------------------------
def test_a_busy_day_is_paged_with_limit_100_until_a_short_page():
    items = []
    for n in range(250):
        item = copy.deepcopy(RECORDED["2024-08-07"][n % 12])
        item["paper"]["id"] = f"2408.{10000 + n}"
        items.append(item)
    with HubServer({"2024-08-07": items}) as hub:
        answer = fetch_day(Http(hub.url), "2024-08-07")
    assert len(answer.papers) == 250 and answer.requests == 3
    pages = [(q["limit"], q["p"]) for _, q, _ in hub.requests]
    assert pages == [("100", "0"), ("100", "1"), ("100", "2")]


def test_a_day_of_exactly_100_papers_asks_for_the_empty_page_after_it():
    items = []
    for n in range(100):
        item = copy.deepcopy(RECORDED["2024-08-07"][0])
        item["paper"]["id"] = f"2408.{20000 + n}"
        items.append(item)
    with HubServer({"2024-08-07": items}) as hub:
        answer = fetch_day(Http(hub.url), "2024-08-07")
    assert len(answer.papers) == 100 and answer.requests == 2


# -- digests ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("day", sorted(RECORDED))
def test_a_fetched_day_reads_back_through_the_parser_with_every_field(tmp_path, day):
    papers = parse_page(RECORDED[day])[0]
    write_day_digest(tmp_path, day, papers)
    parsed = read_file(digest_path(tmp_path, day))
    assert not parsed.warnings
    assert [p.arxiv_id for p in parsed.papers] == [p.arxiv_id for p in papers]
    for back, paper in zip(parsed.papers, papers):
        assert back.title == paper.title
        assert back.authors == paper.authors
        assert back.votes == paper.upvotes
        assert back.date == day
        assert back.thumbnail == paper.thumbnail
        names = [s.name for s in back.sections]
        expected = ["AI Summary", "Abstract"] if paper.ai_summary else ["Abstract"]
        assert names[:len(expected)] == expected
        if paper.keywords:
            assert "Keywords" in names
        if paper.github:
            assert paper.github in back.section("Links").markdown


def test_markdown_in_api_text_stays_text(tmp_path):
    paper = HFPaper("2608.00001", "A *bold* [link](javascript:x) <img src=x> title", ("A, Jr.", "B"),
                    abstract="Uses <script>alert(1)</script> and **stars** and [x](file:///etc/passwd).")
    write_day_digest(tmp_path, "2026-08-03", [paper])
    back = read_file(digest_path(tmp_path, "2026-08-03")).papers[0]
    assert back.title == paper.title
    assert back.authors == ("A, Jr.", "B")  # a comma inside a name survives
    from reader.core.text import plain_text

    text = plain_text(back.section("Abstract").markdown)
    assert "<script>alert(1)</script>" in text and "**stars**" in text


def test_rewriting_a_day_keeps_the_korean_summaries_already_written(tmp_path):
    papers = parse_page(RECORDED["2026-08-03"])[0]
    write_day_digest(tmp_path, "2026-08-03", papers)
    path = digest_path(tmp_path, "2026-08-03")
    text = path.read_text(encoding="utf-8")
    first = papers[0].arxiv_id
    heading = f"(https://arxiv.org/abs/{first})"
    head, _, rest = text.partition(heading)
    block_end = rest.index("- ***Abstract***")
    korean = "- ***What's New***: 새로운 방법(method)을 제안합니다.\n"
    path.write_text(head + heading + rest[:block_end] + korean + rest[block_end:], encoding="utf-8")
    changed, added = write_day_digest(tmp_path, "2026-08-03", papers)
    back = {p.arxiv_id: p for p in read_file(path).papers}
    assert back[first].section("What's New").markdown == "새로운 방법(method)을 제안합니다."
    assert added == 0


# -- planning -----------------------------------------------------------------------------------------------
def test_the_plan_runs_from_the_day_after_the_archive_to_today():
    p = plan(today="2025-05-14", archive_dates=["2025-05-08", "2025-05-09"], known={})
    # newest first: the reader shows each day as it lands, today's before the older ones
    assert p.live == ["2025-05-14", "2025-05-13", "2025-05-12", "2025-05-11", "2025-05-10"]
    assert p.archive == ["2025-05-08", "2025-05-09"]


def test_the_plan_skips_days_known_except_the_last_two_and_incomplete_ones(tmp_path):
    store = store_at(tmp_path)
    for day in ["2025-05-10", "2025-05-11", "2025-05-12", "2025-05-13", "2025-05-14"]:
        store.put_day(day, [], complete=day != "2025-05-11")
    store.put_day("2025-05-09", [])
    p = plan(today="2025-05-14", archive_dates=["2025-05-09"], known=store.days())
    assert p.live == ["2025-05-14", "2025-05-13", "2025-05-11"] and p.archive == []
    assert plan(today="2025-05-14", archive_dates=["2025-05-09"], known=store.days(), refresh=True).requests == 6
    bounded = plan(today="2025-05-14", archive_dates=["2025-05-09"], known={}, since="2025-05-12", until="2025-05-13")
    assert bounded.live == ["2025-05-13", "2025-05-12"] and bounded.archive == []


# -- syncing ------------------------------------------------------------------------------------------------
def synced(tmp_path: Path, hub: HubServer, **kw):
    library = tmp_path / "library"
    store = kw.pop("store", None) or store_at(tmp_path)
    today = kw.pop("today", "2025-05-31")
    result = sync_hf(library=library, store=store, http=Http(hub.url, sleep=lambda s: None), today=today, **kw)
    return library, store, result


def test_a_sync_brings_every_day_after_the_archive_and_an_up_to_date_one_makes_at_most_three_requests(tmp_path):
    with HubServer() as hub:
        library, store, result = synced(tmp_path, hub, since="2025-05-10")
        assert result.failed == []
        recorded = [d for d in RECORDED if "2025-05-10" <= d <= "2025-05-31"]
        assert result.new_days == recorded
        assert result.new_papers == sum(len(RECORDED[d]) for d in recorded)
        for day in recorded:
            assert len(read_file(digest_path(library, day)).papers) == len(RECORDED[day])
        assert store.paper(RECORDED["2025-05-12"][0]["paper"]["id"]) is not None
        before = len(hub.requests)
        _, _, again = synced(tmp_path, hub, store=store)
        assert len(hub.requests) - before <= 3
        assert again.new_days == [] and again.new_papers == 0


def test_each_day_is_announced_as_it_lands_newest_first_and_only_when_its_digest_changed(tmp_path):
    landed: list[tuple[str, Path]] = []
    with HubServer() as hub:
        library, store, result = synced(tmp_path, hub, since="2025-05-10", workers=1,
                                        landed=lambda date, path: landed.append((date, path)))
        recorded = [d for d in RECORDED if "2025-05-10" <= d <= "2025-05-31"]
        assert [d for d, _ in landed] == sorted(recorded, reverse=True)
        for date, path in landed:  # written whole when announced
            assert path == digest_path(library, date) and len(read_file(path).papers) == len(RECORDED[date])
        landed.clear()
        synced(tmp_path, hub, store=store, landed=lambda date, path: landed.append((date, path)))
        assert landed == []  # the last two days fetched again, unchanged: nothing new to show


def test_archive_days_get_their_metadata_once_and_no_digest(tmp_path, corpus):
    library = tmp_path / "library"
    (library / "2024" / "08").mkdir(parents=True)
    for name in ("07.md", "15.md"):
        (library / "2024" / "08" / name).write_bytes((corpus / "2024" / "08" / name).read_bytes())
    assert archive_dates(library) == ["2024-08-07", "2024-08-15"]
    with HubServer() as hub:
        _, store, result = synced(tmp_path, hub, since="2024-08-01", until="2024-08-20")
        assert result.metadata_days == 2
        assert not digest_path(library, "2024-08-07").exists()
        assert "2024-08-07" not in result.new_days and "2024-08-08" in result.new_days
        truth = store.paper("2408.03326")  # on 2024-08-07: the archive's authors came through a set
        assert truth is not None and truth.authors[0] == RECORDED["2024-08-07"][[i["paper"]["id"] for i in RECORDED["2024-08-07"]].index("2408.03326")]["paper"]["authors"][0]["name"]
        asked = hub.day_requests().count("2024-08-07")
        synced(tmp_path, hub, store=store, since="2024-08-01", until="2024-08-20")
        assert hub.day_requests().count("2024-08-07") == asked  # once


@pytest.mark.parametrize("fault", [500, "html", "cut", "close"])
def test_a_failing_day_is_skipped_with_a_line_and_fetched_again_next_time(tmp_path, fault):
    with HubServer() as hub:
        hub.fail("2025-05-13", fault, times=10)
        library, store, result = synced(tmp_path, hub, since="2025-05-12", until="2025-05-16")
        assert [line.split(":")[0] for line in result.failed] == ["2025-05-13"]
        assert "\n" not in result.failed[0]
        assert not digest_path(library, "2025-05-13").exists()
        assert digest_path(library, "2025-05-14").exists()  # the rest went on
        hub.heal()
        _, _, again = synced(tmp_path, hub, store=store, since="2025-05-12", until="2025-05-16")
        assert again.failed == [] and again.new_days == ["2025-05-13"]


def test_escape_sequences_in_titles_never_reach_the_digest(tmp_path):
    day = [hostile_item()]
    with HubServer({"2026-08-21": day}) as hub:
        library, _, result = synced(tmp_path, hub, since="2026-08-21", until="2026-08-21", today="2026-08-21")
    raw = digest_path(library, "2026-08-21").read_bytes()
    assert b"\x1b" not in raw and b"\x07" not in raw
    assert result.new_days == ["2026-08-21"]


def test_an_empty_day_is_remembered_as_empty_and_not_asked_again(tmp_path):
    with HubServer({}) as hub:
        _, store, result = synced(tmp_path, hub, since="2025-05-20", until="2025-05-22", today="2025-05-31")
        assert result.empty_days == ["2025-05-20", "2025-05-21", "2025-05-22"]
        assert store.days()["2025-05-21"].papers == 0
        n = len(hub.requests)
        synced(tmp_path, hub, store=store, since="2025-05-20", until="2025-05-22", today="2025-05-31")
        assert len(hub.requests) == n


def test_a_day_the_archive_gains_later_shows_once_the_archives_way(tmp_path, corpus):
    with HubServer() as hub:
        library, store, _ = synced(tmp_path, hub, since="2024-08-14", until="2024-08-15", today="2024-08-20")
        assert digest_path(library, "2024-08-15").exists()
        (library / "2024" / "08").mkdir(parents=True)
        (library / "2024" / "08" / "15.md").write_bytes((corpus / "2024" / "08" / "15.md").read_bytes())
        _, _, result = synced(tmp_path, hub, store=store, since="2024-08-14", until="2024-08-15", today="2024-08-20")
    assert not digest_path(library, "2024-08-15").exists()
    assert any("2024-08-15" in w and "removed" in w for w in result.warnings)
    from reader.core.library import Library

    lib = Library.open([library]).load_all()
    day = lib.day("2024-08-15")
    assert len({p.arxiv_id for p in day.papers}) == len(day.papers)
    assert all(p.section("What's New") for p in day.papers if p.sections)


KILL_SCRIPT = textwrap.dedent("""
    import sys, os, time
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from reader.core.metadata import MetadataStore
    from reader.sources.hf_sync import sync_hf
    from reader.sources.http import Http
    from reader.sources import hf_sync
    real = hf_sync.write_day_digest
    def slow(*a, **k):
        r = real(*a, **k)
        print("WROTE", a[1], flush=True)
        time.sleep(0.2)
        return r
    hf_sync.write_day_digest = slow
    sync_hf(library=Path({library!r}), store=MetadataStore({store!r}), http=Http({url!r}), today="2025-05-31",
            since="2025-05-12", workers=1)
""")




def test_the_store_keeps_whole_days_and_refuses_a_newer_layout(tmp_path):
    store = store_at(tmp_path)
    papers = parse_page(RECORDED["2024-08-07"])[0]
    assert store.put_day("2024-08-07", papers)
    assert [p.arxiv_id for p in store.day("2024-08-07")] == [p.arxiv_id for p in papers]
    assert store.papers([papers[0].arxiv_id, "0000.00000"]) == {papers[0].arxiv_id: papers[0]}
    store.close()
    import sqlite3

    db = sqlite3.connect(tmp_path / "metadata.sqlite3")
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    newer = store_at(tmp_path)
    assert any("newer" in n for n in newer.notices)
    assert newer.paper(papers[0].arxiv_id) == papers[0]  # still read
    assert newer.put_day("2024-08-08", []) is False  # never written


def test_a_damaged_store_is_moved_aside_with_a_notice(tmp_path):
    (tmp_path / "metadata.sqlite3").write_bytes(b"this is not a database" * 100)
    store = store_at(tmp_path)
    assert any("damaged" in n for n in store.notices)
    assert list(tmp_path.glob("metadata.sqlite3.corrupt-*"))
    assert store.put_day("2024-08-07", [])


def test_a_record_tampered_with_on_disk_is_checked_again(tmp_path):
    store = store_at(tmp_path)
    papers = parse_page(RECORDED["2024-08-07"])[0]
    store.put_day("2024-08-07", papers)
    store.close()
    import sqlite3

    db = sqlite3.connect(tmp_path / "metadata.sqlite3")
    bad = papers[0].to_dict() | {"title": "bad\x1b[2Jtitle", "authors": ["ok", 5]}
    db.execute("UPDATE hf_papers SET data = ? WHERE arxiv_id = ?", (json.dumps(bad), papers[0].arxiv_id))
    db.execute("UPDATE hf_papers SET data = ? WHERE arxiv_id = ?", ("[" * 10000, papers[1].arxiv_id))
    db.commit()
    db.close()
    again = store_at(tmp_path)
    assert again.paper(papers[0].arxiv_id).title == "badtitle"
    assert again.paper(papers[0].arxiv_id).authors == ("ok",)
    assert again.paper(papers[1].arxiv_id) is None


def test_offline_the_sync_stops_at_once_with_one_line_and_loses_nothing(tmp_path):
    library = tmp_path / "library"
    store = store_at(tmp_path)
    store.put_day("2025-05-12", parse_page(RECORDED["2025-05-12"])[0])
    attempts = []
    http = Http("http://127.0.0.1:9", sleep=attempts.append)  # nothing listens there
    result = sync_hf(library=library, store=store, http=http, today="2026-08-21", since="2025-05-10", workers=4)
    assert result.offline and "cannot connect" in result.offline and "\n" not in result.summary()
    assert result.summary().startswith("offline")
    assert len(attempts) <= 8  # a few quick tries per request in flight, not one per day of the ~470
    assert len(store.day("2025-05-12")) == len(RECORDED["2025-05-12"])  # what was there stays
