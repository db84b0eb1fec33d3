"""The reader's `c` and `C` with arXiv's metadata (issue 17): what is known is copied at once; a missing record
is fetched in a worker (one request, a budget of 10 s) and the citation copied again from it; offline, the
archive's citation stands with the warning. arXiv is a loopback server (tests/arxiv_server.py)."""

from __future__ import annotations

import threading

import pytest

import reader.sources.arxiv as arxiv_source
from arxiv_server import ArxivServer, paper
from reader.core.metadata import MetadataStore
from reader.sources.http import Pace
from reader.tui.screens.cite import CiteChooser
from tui_support import FakeSystem, build

FIRST = "2412.00041"  # the first paper shown (tests/fixtures): "Latest Paper" by A. Person
ARXIV = {FIRST: paper("Latest Paper", ["Zoe Quinn", "A. Person"], primary="cs.CV", updated="2025-03-04T00:00:00Z",
                      version=2)}


@pytest.fixture(autouse=True)
def quick_pace(monkeypatch):
    monkeypatch.setattr(arxiv_source, "_PACE", Pace(gap=3.0, concurrent=1, clock=lambda: 0.0, sleep=lambda s: None))


@pytest.fixture
def api(monkeypatch):
    with ArxivServer(ARXIV, recorded=False) as server:
        monkeypatch.setenv("DAILY_PAPERS_ARXIV_API", server.url)
        yield server


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_c_copies_at_once_then_again_with_arxivs_authors_after_one_request(api):
    system = FakeSystem(clipboard=True)
    app = build(system=system)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("c")
        await app.workers.wait_for_complete()
        assert "author={A. Person}" in system.copied[0]  # the archive's, at once
        await pilot.pause()
        assert "author={Zoe Quinn and A. Person}" in app.clipboard
        assert "primaryClass={cs.CV}" in app.clipboard and "year={2025}" in app.clipboard
        assert app.clipboard.startswith("@misc{quinn2025latestpaper,")
        assert any("with its authors from arXiv" in m for m in messages(app))
        assert not any("unverified" in m for m in messages(app))
        await pilot.press("c")  # known now: copied at once, nothing asked
        await app.workers.wait_for_complete()
        assert system.copied[-1] == system.copied[-2] and len(system.copied) == 3
    assert api.requests == [[FIRST]]


async def test_c_offline_keeps_the_archives_citation_and_says_its_order_is_unverified():
    app = build(system=FakeSystem(clipboard=True))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "author={A. Person}" in app.clipboard and "primaryClass" not in app.clipboard
        warning = [m for m in messages(app) if "unverified" in m]
        assert warning and "author order unverified: run `daily-papers enrich`" in warning[0]
        assert "cannot connect" in warning[0]


async def test_c_waits_for_arxiv_no_longer_than_its_budget(monkeypatch):
    monkeypatch.setattr(arxiv_source, "ONE_PAPER_BUDGET", 0.3)
    with ArxivServer(ARXIV, recorded=False) as server:
        monkeypatch.setenv("DAILY_PAPERS_ARXIV_API", server.url)
        server.fail("hang")
        app = build(system=FakeSystem(clipboard=True))
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("c")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "author={A. Person}" in app.clipboard
            assert any("unverified" in m and "did not answer within" in m for m in messages(app))
    assert server.requests == [[FIRST]]


async def test_the_chooser_shows_arxivs_citation_once_it_arrives(api, monkeypatch):
    import reader.sources.citing as citing

    arrived = threading.Event()
    real = citing.fetched
    monkeypatch.setattr(citing, "fetched", lambda *a, **k: (arrived.wait(30), real(*a, **k))[1])
    app = build(system=FakeSystem(clipboard=True))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("C")
        assert isinstance(app.screen, CiteChooser)
        note = app.screen.query_one("#cite-note")
        assert note.display and "asking arXiv" in str(note.render())
        assert "primaryClass" not in str(app.screen.query_one("#cite-preview").render())
        arrived.set()  # arXiv answers now
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not note.display
        assert "primaryClass={cs.CV}" in str(app.screen.query_one("#cite-preview").render())
        await pilot.press("down", "enter")  # APA
        assert app.clipboard.startswith("Quinn, Z., & Person, A. (2025). Latest paper. arXiv:2412.00041 [Preprint].")
    assert api.requests == [[FIRST]]


async def test_hugging_faces_authors_are_verified_without_asking_arxiv_again_within_30_days(api):
    from reader.core.metadata import HFPaper

    store = MetadataStore()
    store.put_day("2024-12-31", [HFPaper(FIRST, "Latest Paper", ("Hf First", "A. Person"))])
    store.put_arxiv([], [FIRST])  # asked before: arXiv did not know it
    store.close()
    app = build(system=FakeSystem(clipboard=True))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "author={Hf First and A. Person}" in app.clipboard
        assert not any("unverified" in m for m in messages(app))
    assert api.requests == []


async def test_the_palettes_export_of_starred_papers_uses_the_metadata_and_counts_the_unverified(tmp_path):
    from reader.core.arxiv_record import ArxivRecord

    store = MetadataStore()
    store.put_arxiv([ArxivRecord(FIRST, "Latest Paper", ("Zoe Quinn", "A. Person"), primary_class="cs.CV")])
    store.close()
    app = build(system=FakeSystem(clipboard=True))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("s", "left_square_bracket", "s")  # this paper and one of the day before
        written = app.export_starred("bibtex", folder=tmp_path)
        await pilot.pause()
        text = written.read_text(encoding="utf-8")
        assert "author={Zoe Quinn and A. Person}" in text and text.count("primaryClass={cs.CV}") == 1
        assert any("1 of 2 entries are unverified" in m for m in messages(app)), messages(app)
