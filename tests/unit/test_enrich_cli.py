"""`daily-papers enrich`, and `cite` / `export` with the metadata it fetched (issue 17): from a loopback arXiv
API (tests/arxiv_server.py), with arXiv's pace on an injected clock."""

from __future__ import annotations

import json

import bibtexparser
import pytest

import reader.sources.arxiv as arxiv_source
from arxiv_server import ArxivServer, paper
from reader.cli import main
from reader.core.metadata import MetadataStore, default_path
from reader.core.state import StateStore
from reader.sources.http import Pace
from test_export import ENTRIES, archive, state_file  # noqa: F401 - the made-up archive and its stars

ARXIV_META = {
    arxiv_id: paper(title, list(reversed([a.strip() for a in authors.split(",") if a.strip() != "+"])) + ["Last Author"],
                    primary="cs.CL", updated="2025-06-01T00:00:00Z", version=3)
    for _, arxiv_id, title, _, authors, _ in ENTRIES
}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def fake_pace(monkeypatch):
    """The process's arXiv pace on a clock that moves only when it is slept on."""
    clock = Clock()
    monkeypatch.setattr(arxiv_source, "_PACE", Pace(gap=3.0, concurrent=1, clock=clock, sleep=clock.sleep))
    return clock


@pytest.fixture
def api(monkeypatch):
    with ArxivServer(ARXIV_META) as server:
        monkeypatch.setenv("DAILY_PAPERS_ARXIV_API", server.url)
        yield server


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cite_without_metadata_warns_that_the_order_is_unverified(capsys, archive):  # noqa: F811 - the fixtures of test_export
    code, out, err = run(capsys, "cite", "2403.00012", archive)
    assert code == 0 and "author={{\\L}ukasz Nowak and Daumé, III, Hal and Ana Sousa and others}" in out
    assert err == ("daily-papers: warning: 2403.00012: author order unverified; names are missing from the list: "
                   "run `daily-papers enrich 2403.00012`\n")
    assert not default_path().exists()  # reading never creates the store


def test_enrich_then_cite_gives_arxivs_authors_year_and_category_without_a_warning(capsys, archive, api):  # noqa: F811 - the fixtures of test_export
    code, out, err = run(capsys, "enrich", "2403.00012")
    assert code == 0 and out.startswith("arxiv: 1 papers with arXiv's metadata (1 request)"), (out, err)
    assert api.requests == [["2403.00012"]]
    code, out, err = run(capsys, "cite", "2403.00012", archive)
    entry = bibtexparser.parse_string(out).entries[0]
    assert entry["author"] == "Ana Sousa and Daumé, III, Hal and {\\L}ukasz Nowak and Last Author"
    assert (entry.key, entry["year"], entry["primaryClass"]) == ("sousa2025loudmodels90", "2025", "cs.CL")
    assert err == ""
    code, out, err = run(capsys, "cite", "2403.00012", archive, "--format", "apa")
    assert out.startswith("Sousa, A., Daumé, H., III, Nowak, Ł., & Author, L. (2025). Loud models & 90% gains.")


def test_export_says_how_many_entries_are_unverified_and_enrich_makes_them_all_verified(
        capsys, archive, api, state_file):  # noqa: F811
    code, out, err = run(capsys, "export", archive, "--starred", "--state", state_file, "--format", "bibtex")
    assert code == 0 and out.count("@misc{") == 2
    assert ("daily-papers: note: 2 of 2 entries are unverified (author order from the archive): run "
            "`daily-papers enrich --starred`") in err
    code, out, err = run(capsys, "enrich", "--starred", "--state", state_file, archive)
    assert code == 0 and "2 papers with arXiv's metadata" in out
    assert sorted(api.requests[0]) == ["2403.00001", "2403.00011"]
    code, out, err = run(capsys, "export", archive, "--starred", "--state", state_file, "--format", "bibtex")
    assert "unverified" not in err and out.count("primaryClass={cs.CL}") == 2
    code, out, err = run(capsys, "enrich", "--all", archive)  # only the ones not known yet are asked
    assert code == 0 and "2 known already" in out
    assert sorted(api.requests[1]) == ["2403.00002", "2403.00012", "2403.00013"]


def test_enrich_of_a_whole_library_paces_its_batches_three_seconds_apart(capsys, tmp_path, fake_pace, monkeypatch):
    many = {f"2402.{i:05d}": paper(f"Paper {i}", [f"A{i} B"]) for i in range(1, 251)}
    with ArxivServer(many, recorded=False) as server:
        monkeypatch.setenv("DAILY_PAPERS_ARXIV_API", server.url)
        code, out, _ = run(capsys, "enrich", *many)
    assert code == 0 and "250 papers" in out and "(3 requests)" in out
    assert [len(r) for r in server.requests] == [100, 100, 50] and server.max_concurrent == 1
    assert sum(fake_pace.sleeps) >= 6.0  # two gaps of 3 s, on the injected clock


def test_enrich_offline_is_one_line_and_exit_1(capsys, archive):  # noqa: F811 - the fixtures of test_export
    code, out, err = run(capsys, "enrich", "2403.00012")  # DAILY_PAPERS_ARXIV_API: a closed loopback port
    assert code == 1 and out.startswith("offline: ") and out.count("\n") == 1 and "Traceback" not in err


def test_the_arxiv_api_setting_names_the_endpoint(capsys, monkeypatch, user_dirs):
    with ArxivServer(ARXIV_META) as server:
        monkeypatch.delenv("DAILY_PAPERS_ARXIV_API")
        config = user_dirs["config"] / "daily-papers" / "config.json"
        config.parent.mkdir(parents=True)
        config.write_text(json.dumps({"arxiv_api": server.url}))
        code, out, _ = run(capsys, "enrich", "2403.00013")
    assert code == 0 and server.requests == [["2403.00013"]]


@pytest.mark.parametrize("argv, message", [
    (["enrich", "2403.00012", "--all"], "not both"),
    (["enrich", "--date", "2024-13-01"], "is not a date"),
])
def test_enrich_usage_errors_are_one_line(capsys, archive, argv, message):  # noqa: F811 - the fixtures of test_export
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    _, err = capsys.readouterr()
    assert code == 2 and message in err and err.count("\n") == 1


def test_enrich_of_stars_when_there_are_none_is_a_failure(capsys, archive, tmp_path):  # noqa: F811 - the fixtures of test_export
    StateStore(tmp_path / "empty.json").close()
    code, _, err = run(capsys, "enrich", "--starred", "--state", tmp_path / "empty.json", archive)
    assert code == 1 and "no starred papers" in err


def test_a_store_that_cannot_be_written_is_said(capsys, archive, api, monkeypatch):  # noqa: F811 - the fixtures of test_export
    real = MetadataStore.put_arxiv
    monkeypatch.setattr(MetadataStore, "put_arxiv", lambda self, *a, **k: False)
    code, out, err = run(capsys, "enrich", "2403.00012")
    assert code == 1 and "could not be saved" in err
    monkeypatch.setattr(MetadataStore, "put_arxiv", real)
