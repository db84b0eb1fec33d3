"""The library's index with real processes: the commands, writers killed at any moment, readers and writers at once, the whole archive's search against today's (the rest: tests/unit/test_index.py)."""

from __future__ import annotations

from reader.core.index import open_indexed

import io
import json
import pytest
import shutil
import signal
import sys

from reader.cli import main
from test_index import (  # noqa: F401 - its fixtures and helpers
    IndexedLibrary,
    Library,
    QUERIES,
    _change,
    _damage,
    _edit,
    _sound,
    _week,
    answers,
    counted,
    day_text,
    in_memory,
    indexed_answers,
    opened,
    parse,
    tricky,
    unicodedata,
    write_day,
    writer,
)


def test_search_equals_todays_search_over_the_whole_archive(corpus, tmp_path, capsys, monkeypatch):
    library = opened([corpus], tmp_path / "index")
    memory = Library.open([corpus]).load_all()
    for query in QUERIES:
        assert library.search(query) == memory.search(query), query
        assert library.search_brief(query) == memory.search_brief(query), query
    assert indexed_answers(library) == answers(memory)
    found = {q: len(memory.search(q)) for q in ("모델", "토큰", "칩", "ＬＬａＶＡ", unicodedata.normalize("NFD", "모델"))}
    assert all(found.values()) and found["모델"] == found[unicodedata.normalize("NFD", "모델")], found
    # the search screen's page (the first 200 and the count) as in memory, the matches many or few
    for query in ("t", "tr", "m", "x", "3d", "kim", "모", "언어 모", "transformer", "a모"):
        assert library.search_page(query, 200) == memory.search_page(query, 200), query
    # typing on narrows an earlier result as a fresh search would
    first = library.search("m")
    for query in ("mo", "mod", "model", "model 언어"):
        narrowed = library.search(query, within=first)
        assert narrowed == memory.search(query) and narrowed
        first = narrowed
    # the command prints what it printed before the index, every match (--all: the best 20 are the default now)
    # sorted by date, as it then was (relevance is now the default, issue 19)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cli-cache"))  # (the test's own: never the next test's)
    for query in ("transformer", "모델", "２４０８.０７２４６", "칩 3d"):
        assert main(["search", "--all", "--sort", "date", query, str(corpus)]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines == [f"{p.date}  {p.votes if p.votes is not None else '-':>4}  {p.arxiv_id:<12}  {p.title}"
                         for p in memory.search(query)], query
    assert main(["search", "--all", "--json", "--sort", "date", "강화 학습", str(corpus)]) == 0
    assert json.loads(capsys.readouterr().out) == [p.to_dict() for p in memory.search("강화 학습")]


def test_list_of_a_day_and_search_read_no_digest_when_the_index_is_fresh(tmp_path, counted, capsys, monkeypatch):
    from reader.commands.common import open_library
    from reader.core.cache import ParseCache

    root = tmp_path / "lib"
    for n in range(1, 6):
        write_day(root, f"2024-08-0{n}", [f"2408.0000{n}", f"2408.0001{n}"])
    assert main(["list", str(root)]) == 0 and main(["search", "새로운 방법", str(root)]) == 0
    first = capsys.readouterr().out
    assert len(counted) == 5
    counted.clear()
    cached: list[str] = []  # nor are the parsed digests taken from the parse cache
    real_read = ParseCache.read
    monkeypatch.setattr(ParseCache, "read", lambda self, path: cached.append(path) or real_read(self, path))
    library = open_library([str(root)])
    assert isinstance(library, IndexedLibrary) and library.indexed and library.day("2024-08-03") is not None
    library.close()
    assert main(["list", str(root)]) == 0 and main(["search", "새로운 방법", str(root)]) == 0
    assert capsys.readouterr().out == first and counted == []
    assert main(["list", "--date", "2024-08-03", str(root)]) == 0 and main(["show", "2408.00012", str(root)]) == 0
    assert main(["dates", str(root)]) == 0 and counted == [] and cached == []


@pytest.mark.parametrize("how", ["not a database", "truncated", "pages overwritten"])
def test_a_damaged_index_means_one_notice_and_the_right_answers(tricky, tmp_path, how, capsys, monkeypatch):
    folder = tmp_path / "index"
    built = opened([tricky], folder)
    path = built.index_path
    built.close()
    _damage(path, how)
    library = opened([tricky], folder)
    assert answers(library) == in_memory([tricky])  # damage found on opening, or by a question
    assert len(library.notices) == 1 and str(path) in library.notices[0] and "damaged" in library.notices[0]
    library.close()
    again = opened([tricky], folder)  # built again (now or at this start)
    assert again.notices == [] and indexed_answers(again) == in_memory([tricky])
    # the command: one line on stderr, the output as ever
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cli-cache"))  # (the test's own: never the next test's)
    assert main(["list", "--all", str(tricky)]) == 0
    expected = capsys.readouterr()
    index_file = next((tmp_path / "cli-cache" / "daily-papers" / "index").glob("*.sqlite3"))
    _damage(index_file, how)
    assert main(["list", "--all", str(tricky)]) == 0
    out, err = capsys.readouterr()
    notices = [line for line in err.splitlines(keepends=True) if "library index" in line]
    assert out == expected.out and err.replace(notices[0], "") == expected.err and expected.err, err  # (a warning)
    assert len(notices) == 1 and notices[0].startswith(f"daily-papers: warning: the library index {index_file} ")
    assert "damaged" in notices[0]


@pytest.mark.parametrize("when", ["building", "updating"])
@pytest.mark.parametrize("stage, count, kept", [("paper", 3, False), ("paper", 7, True), ("file", 3, True),
                                                ("commit", 3, True)])
def test_a_writer_killed_at_any_moment_leaves_the_index_usable(tmp_path, when, stage, count, kept, counted):
    """Two files a transaction: killed in the first one (nothing kept) or in a later one (the earlier kept)."""
    root = tmp_path / "lib"
    folder = tmp_path / "index"
    _week(root)
    if when == "updating":
        opened([root], folder).close()
        _change(root)
    proc = writer(tmp_path, root, folder, "kill", stage, count)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, (out, err)
    counted.clear()
    library = opened([root], folder)
    changed = 7 if when == "building" else 4
    if kept:  # what the killed writer committed stayed; only the rest was read again
        assert 0 < len(counted) < changed, counted
    else:
        assert len(counted) == changed, counted
    assert library.notices == [] and indexed_answers(library) == in_memory([root])
    _sound(library.index_path)


@pytest.mark.parametrize("stage, count, committed", [("paper", 4, []), ("file", 3, ["2024-10-02", "2024-10-05"])])
def test_readers_see_each_file_before_or_after_a_writers_transaction_never_half(tmp_path, stage, count, committed):
    """A writer pauses inside a transaction (two files a transaction: in the first, half a file written; or
    in the second, after the first two files were committed): a reader sees each day whole, as it was or as
    it is, and what the open transaction wrote not at all."""
    root = tmp_path / "lib"
    folder = tmp_path / "index"
    _week(root)
    opened([root], folder).close()
    before = in_memory([root])
    _edit(root)
    after = in_memory([root])
    proc = writer(tmp_path, root, folder, "pause", stage, count)
    try:
        assert proc.stdout.readline() == f"{stage}\n", proc.stderr.read()
        reader = open_indexed([root], folder)  # reads while the writer holds its transaction
        assert reader.indexed
        dates = before["dates"]
        assert reader.dates() == dates  # the added days are in the open transaction
        for date, day_before, day_after in zip(dates, before["days"], [after["days"][after["dates"].index(d)]
                                                                       for d in dates]):
            assert reader.day(date) == (day_after if date in committed else day_before), date
        assert reader.search("edited") == [p for p in after["search"]["edited"] if p.date in committed] \
            if committed else reader.search("edited") == []
        proc.stdin.write("\n")
        proc.stdin.flush()
        result = json.loads(proc.stdout.readline())
    finally:
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and result["notices"] == [] and result["indexed"], err
    fresh = open_indexed([root], folder)  # after the commit, without reading a file
    assert fresh.dates() == after["dates"] and [fresh.day(d) for d in fresh.dates()] == after["days"]
    assert indexed_answers(opened([root], folder)) == after


def test_two_writers_at_once_both_finish_and_agree(tmp_path):
    root = tmp_path / "lib"
    folder = tmp_path / "index"
    _week(root)
    opened([root], folder).close()
    _change(root)
    first = writer(tmp_path, root, folder, "pause", "file", 1)  # holds the write lock
    try:
        assert first.stdout.readline() == "file\n", first.stderr.read()
        second = writer(tmp_path, root, folder, "pause", "file", 99)  # (never pauses) waits for the lock
        first.stdin.write("\n")
        first.stdin.flush()
        results = [json.loads(p.stdout.readline()) for p in (first, second)]
    finally:
        for proc in (first, locals().get("second")):
            if proc is not None:
                proc.communicate(timeout=60)
    expected = in_memory([root])
    assert all(r["notices"] == [] and r["indexed"] and r["dates"] == expected["dates"] for r in results), results
    assert indexed_answers(opened([root], folder)) == expected
    _sound(next(folder.glob("*.sqlite3")))


class TerminalStream(io.StringIO):
    """stderr as a terminal: progress lines are shown there."""

    def isatty(self) -> bool:
        return True


def test_similar_weighing_the_library_shows_its_progress_on_a_terminal_and_nothing_elsewhere(tmp_path, monkeypatch,
                                                                                            capsys):
    from test_finding import paper_md, write

    root = tmp_path / "lib"
    write(root, "2025-05-20", [paper_md(f"2505.0000{n}", f"Paper {n} on rewards", "Rewards.") for n in range(1, 4)])

    terminal = TerminalStream()
    stderr = sys.stderr
    monkeypatch.setattr(sys, "stderr", terminal)
    try:
        code = main(["similar", "2505.00001", str(root), "-n", "1"])
    finally:
        monkeypatch.setattr(sys, "stderr", stderr)
    shown = terminal.getvalue()
    assert code == 0 and len(capsys.readouterr().out.splitlines()) == 1
    assert "\rsimilar papers: counting terms: 3/3" in shown and "\rweighing similar papers: 3/3" in shown
    assert shown.endswith("\r" + " " * len("weighing similar papers: 3/3") + "\r")  # gone before the answer
    assert main(["similar", "2505.00002", str(root)]) == 0  # weighed already: nothing to show
    assert capsys.readouterr().err == ""
    write(root, "2025-05-21", [paper_md("2505.00009", "Paper 9 on rewards", "Rewards.")])
    assert main(["similar", "2505.00009", str(root)]) == 0  # (stderr not a terminal)
    assert capsys.readouterr().err == ""


def test_a_command_building_the_index_shows_its_progress_on_a_terminal_and_nothing_elsewhere(tmp_path, monkeypatch,
                                                                                           capsys):
    from reader.commands.common import close_libraries, open_library

    root = tmp_path / "lib"
    for n in range(250):
        (root / f"{n:03d}").mkdir(parents=True)
        (root / f"{n:03d}" / f"2020-01-{n % 28 + 1:02d}.md").write_text(day_text(f"2020-01-{n % 28 + 1:02d}",
                                                                               [f"2001.{n:05d}"]), encoding="utf-8")

    terminal = TerminalStream()
    stderr = sys.stderr
    monkeypatch.setattr(sys, "stderr", terminal)
    library = open_library([str(root)])
    close_libraries()
    monkeypatch.setattr(sys, "stderr", stderr)
    shown = terminal.getvalue()
    assert "\rreading the library: 25/250 files" in shown and "\rreading the library: 250/250 files" in shown
    assert shown.endswith("\r" + " " * len("reading the library: 250/250 files") + "\r")  # gone when done
    assert library.indexed and len(library.dates()) == 28
    other = tmp_path / "other"
    shutil.copytree(root, other)
    open_library([str(other)])  # (stderr not a terminal)
    close_libraries()
    assert capsys.readouterr().err == ""
