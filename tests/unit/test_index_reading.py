"""What the reader asks the library's index (issue 18): the day list, a page of search results, a file that
changed while it runs, the next unread paper. Each answer equals the library in memory's, and the reader's
questions never read every day (tests/tui/test_index_reader.py runs the reader on it)."""

from __future__ import annotations

from reader.core.index import open_indexed  # noqa: E402

import shutil

import pytest

from digest_factory import write_day
from reader.core.index.library import IndexedLibrary
from reader.core.library import Library
from reader.core.parse import read_file
from reader.core.session import ReadingSession
from reader.core.state import StateStore

from test_index import QUERIES, opened, tricky  # noqa: F401 - its fixture and helpers

KOREAN = "- **What's New**: 새 모델의 요약입니다.\n"
ENGLISH = "- **Abstract**: An English abstract only.\n"


def paper(arxiv_id: str, votes: int, summary: str, title: str = "Paper") -> str:
    return f"### [{title} {arxiv_id}](https://arxiv.org/abs/{arxiv_id})\nVote: {votes}\n{summary}"


@pytest.fixture
def languages(tmp_path):
    """Days in each language: Korean (the archive's), English (a Hugging Face day as it lands), some of each
    (one day over two files), and a paper twice on one day whose first appearance decides."""
    root = tmp_path / "languages"
    (root / "huggingface").mkdir(parents=True)
    (root / "2024-05-01.md").write_text("## Daily Papers (2024-05-01)\n" + paper("2405.00001", 3, KOREAN),
                                        encoding="utf-8")
    (root / "huggingface" / "2024-05-01.md").write_text(
        "## Daily Papers (2024-05-01)\n" + paper("2405.00002", 5, ENGLISH) + paper("2405.00001", 9, ENGLISH),
        encoding="utf-8")
    (root / "2024-05-02.md").write_text("## Daily Papers (2024-05-02)\n" + paper("2405.00003", 1, ENGLISH),
                                        encoding="utf-8")
    (root / "2024-05-03.md").write_text("## Daily Papers (2024-05-03)\n" + paper("2405.00004", 2, KOREAN)
                                        + paper("2405.00002", 1, KOREAN), encoding="utf-8")
    return root


def day_list(library: Library, read: set[str]) -> list:
    return [tuple(row) for row in library.day_rows(read)], {d: library.day_language(d) for d in library.dates()}


def test_the_day_list_from_the_index_is_the_library_in_memorys(languages, tricky, tmp_path):
    for root in (languages, tricky):
        indexed = opened([root], tmp_path / "index")
        memory = Library.open([root]).load_all()
        some = {p.arxiv_id for p in list(memory.papers())[::3]}
        for read in (set(), some, memory.ids()):
            assert day_list(indexed, read) == day_list(memory, read)
    rows = {row.date: row for row in opened([languages], tmp_path / "index").day_rows({"2405.00001"})}
    assert [(r.papers, r.unread, r.language) for r in rows.values()] == [(2, 2, "ko"), (1, 1, "en"), (2, 1, "ke")]


def test_the_day_list_reads_no_days_papers(languages, tmp_path, monkeypatch):
    library = opened([languages], tmp_path / "index")
    monkeypatch.setattr(IndexedLibrary, "day", lambda self, date: pytest.fail(f"day({date}) read"))
    monkeypatch.setattr(IndexedLibrary, "papers", lambda self: pytest.fail("every paper read"))
    assert [row.date for row in library.day_rows({"2405.00003"})] == ["2024-05-03", "2024-05-02", "2024-05-01"]
    assert library.day_language("2024-05-01") == "ke" and library.day_language("1999-01-01") == ""


@pytest.mark.parametrize("dense", [1, 2000])
def test_a_page_of_search_results_is_the_first_papers_search_finds_and_their_count(tricky, tmp_path, dense,
                                                                                 monkeypatch):
    from reader.core.index import query

    monkeypatch.setattr(query, "DENSE", dense)  # the papers walked in order, or the matches sorted
    indexed = opened([tricky], tmp_path / "index")
    memory = Library.open([tricky]).load_all()
    for query in QUERIES:
        found = memory.search(query)
        for shown in (1, 3, 200):
            assert indexed.search_page(query, shown) == memory.search_page(query, shown) == (found[:shown], len(found))


def test_typing_on_narrows_the_last_page_in_memory_until_the_library_changes(tmp_path):
    root = tmp_path / "lib"
    write_day(root, "2024-01-01", ["2401.00001"], title="Alpha")
    library = Library.open([root]).load_all()
    assert library.search_page("al", 10)[1] == 1
    write_day(root, "2024-01-02", ["2401.00002"], title="Alpha")
    library.refresh_file(read_file(str(root / "2024" / "01" / "02.md")))
    assert library.search_page("alp", 10)[1] == 2  # the new paper too, not the last page narrowed


def test_a_file_changed_while_the_reader_runs_is_read_again_and_a_new_one_takes_its_place(tmp_path):
    root = tmp_path / "lib"
    write_day(root, "2024-01-01", ["2401.00001", "2401.00002"])
    write_day(root, "2024-01-03", ["2401.00031"])
    library = opened([root], tmp_path / "index")
    assert library.roots == (str(root),)
    summary = root / "2024" / "01" / "01.md"  # a summary written into a day
    summary.write_text(summary.read_text(encoding="utf-8").replace("Paper 2401", "Summarised 2401"), encoding="utf-8")
    assert library.refresh_file(read_file(str(summary))) == 2
    new = write_day(root, "2024-01-02", ["2401.00021", "2401.00001"], title="Landed")  # a day a sync wrote
    library.refresh_file(read_file(str(new)))
    fresh = Library.open([root]).load_all()
    assert library.dates() == fresh.dates() == ["2024-01-03", "2024-01-02", "2024-01-01"]
    assert [library.day(d) for d in library.dates()] == [fresh.day(d) for d in fresh.dates()]
    assert library.search("landed") == fresh.search("landed") and library.search("summarised") == fresh.search("summarised")
    assert library.indexed and library.notices == []
    reopened = opened([root], tmp_path / "index")  # the index holds it: the next start reads nothing again
    assert [reopened.day(d) for d in reopened.dates()] == [fresh.day(d) for d in fresh.dates()]


def test_next_unread_reads_only_the_days_it_passes_through_the_counts(tmp_path, monkeypatch):
    root = tmp_path / "lib"
    days = {f"2024-02-{n:02d}": [f"2402.{n:03d}01", f"2402.{n:03d}02"] for n in range(1, 21)}
    for date, ids in days.items():
        write_day(root, date, ids)
    library = opened([root], tmp_path / "index")
    state = StateStore(tmp_path / "state.json")
    state.update([i for date, ids in days.items() if date != "2024-02-01" for i in ids], read=True)
    session = ReadingSession(library, state)
    session.show("2024-02-20")
    session.highlight(session.papers[0])
    asked: list[str] = []
    real = IndexedLibrary.day
    monkeypatch.setattr(IndexedLibrary, "day", lambda self, date: (asked.append(date), real(self, date))[1])
    change = session.next_unread()
    assert (session.key, change.keep) == ("2024-02-01", "2402.00101")
    assert asked.count("2024-02-01") >= 1 and set(asked) == {"2024-02-20", "2024-02-01"}
    state.close()
    shutil.rmtree(tmp_path / "index")
