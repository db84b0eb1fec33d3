"""The library's index (reader.core.index, issue 18): the answers of the library in memory, read from SQLite.

It follows the files (by the parse cache's identity), and whatever happens to it (deleted, damaged, of another
version, on a read-only disk, a writer killed at any moment, several processes at once) the answers stay the
same, with at most one notice. Failing disks are in tests/disk_scenarios.py (read_only_index)."""

from __future__ import annotations

from reader.core.index import open_indexed  # noqa: E402

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path

import pytest

from digest_factory import day_text, write_day
from reader import paths as app_paths
from reader.core import parse
from reader.core.index import query as index_query, update
from reader.core.index.library import IndexedLibrary
from reader.core.index.store import SCHEMA_VERSION
from reader.core.library import Library

QUERIES = [
    # English words, phrases, names
    "transformer", "edited", "diffusion model", "video generation", "benchmark", "zero-shot", "kim", "what's", "technical",
    # Korean: two syllables, one syllable, several words, mixed with Latin
    "모델", "토큰", "언어 모델", "강화 학습", "메모리 효율", "칩", "학", "모", "llm 모델", "rl 학습",
    # ids and parts of ids
    "2408.07246", "2412", "2311.00001",
    # Unicode forms: NFD Korean, full-width Latin and digits, case
    unicodedata.normalize("NFD", "모델"), unicodedata.normalize("NFD", "토큰화 언어"), "ＬＬａＶＡ", "２４０８",
    "Ｔｒａｎｓｆｏｒｍｅｒ", "TRANSFORMER", "ß", "STRASSE",
    # short Latin words, punctuation, nothing
    "3d", "ai", "x", "(", '"', "a\"b", "zzzz", "모델 zzzz", "\u200b모델",
]


def opened(paths, folder, **kwargs) -> Library:
    library = open_indexed(paths, folder, **kwargs)
    library.load_all()
    return library


def answers(library: Library, queries=QUERIES) -> dict:
    papers = list(library.papers())
    ids = sorted(library.ids())
    return {
        "dates": library.dates(), "newest": library.newest_date(), "counts": library.day_counts(), "len": len(library),
        "days": [library.day(d) for d in library.dates()], "no day": library.day("1999-01-01"),
        "papers": papers, "where": [(p.source, p.line) for p in papers],
        "ids": ids, "get": [library.get(i) for i in ids], "appearances": [library.appearances(i) for i in ids],
        "search": {q: library.search(q) for q in queries},
        "brief": {q: library.search_brief(q) for q in queries},
        "limited": library.search("모델", limit=5),
        "warnings": [str(w) for w in library.warnings],
    }


def in_memory(paths) -> dict:
    return answers(Library.open(paths).load_all())


def indexed_answers(library: Library) -> dict:
    assert isinstance(library, IndexedLibrary) and library.indexed, library.notices
    return answers(library)


@pytest.fixture
def tricky(tmp_path, fixtures) -> Path:
    """A library with every case where order and duplicates matter: one day over two files (the second
    repeating a paper of the first), a paper on two days with two texts, vote ties, papers without votes, a
    paper twice in one file, warnings, and the test fixtures' formats."""
    root = tmp_path / "lib"
    shutil.copytree(fixtures, root / "fixtures", ignore=shutil.ignore_patterns("hostile"))
    (root / "a.md").write_text("## Daily Papers (2024-03-01)\n### [A first](https://arxiv.org/abs/2403.00001)\n"
                               "Vote: 1\n- a 모델\n### [No link]\n", encoding="utf-8")
    (root / "sub").mkdir()
    (root / "sub" / "b.md").write_text(
        "## Daily Papers (2024-03-01)\n### [B](https://arxiv.org/abs/2403.00002)\nVote: 2\n- b\n"
        "### [A again](https://arxiv.org/abs/2403.00001)\nVote: 7\n- a 토큰\n", encoding="utf-8")
    for day, text in (("2024-04-01", "older 토큰화 text"), ("2024-04-02", "newer 모델 text")):
        (root / f"{day}.md").write_text(f"## Daily Papers ({day})\n### [Same](https://arxiv.org/abs/2404.00001)\n"
                                        f"- {text}\n", encoding="utf-8")
    ties = "## Daily Papers (2024-01-05)\n"
    for i, votes in enumerate([3, 5, 3, 5, None]):
        ties += f"### [P{i} 칩](https://arxiv.org/abs/2401.1000{i})\n" + (f"Vote: {votes}\n" if votes else "") + "- a\n"
    ties += "### [P0 again](https://arxiv.org/abs/2401.10000)\n- twice in one file\n"
    (root / "ties.md").write_text(ties, encoding="utf-8")
    # names that are not ASCII: Korean, and bytes that are not Unicode at all
    (root / "한글-2024-02-02.md").write_text(day_text("2024-02-02", ["2402.00002"]), encoding="utf-8")
    with open(os.path.join(os.fsencode(root), b"caf\xe9-2024-02-01.md"), "w", encoding="utf-8") as handle:
        handle.write(day_text("2024-02-01", ["2402.00001"]))
    return root


# -- the same answers --------------------------------------------------------------------------------------------
def test_the_index_answers_what_the_library_in_memory_answers(tricky, tmp_path):
    library = opened([tricky], tmp_path / "index")
    assert indexed_answers(library) == in_memory([tricky])
    again = opened([tricky], tmp_path / "index")  # from the index, nothing read again
    assert indexed_answers(again) == in_memory([tricky])
    assert [p.title for p in again.day("2024-03-01").papers] == ["B", "A first"]  # the first file's A, not "A again"
    assert [p.title for p in again.search("same")] == ["Same"] and again.search("토큰화") == []  # newest text only
    assert [p.title for p in again.day("2024-01-05").papers] == ["P1 칩", "P3 칩", "P0 칩", "P2 칩", "P4 칩"]




def test_korean_of_one_and_two_syllables_and_every_unicode_form_is_found(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    (root / "2024-05-01.md").write_text(
        "## Daily Papers (2024-05-01)\n"
        "### [토큰화 없는 언어모델](https://arxiv.org/abs/2405.00001)\n- 새 칩 설계\n"
        "### [ＬＬａＶＡ-Next](https://arxiv.org/abs/2405.00002)\n- 멀티모달 모델입니다\n"
        "### [Straße of Models](https://arxiv.org/abs/2405.00003)\n- English only\n", encoding="utf-8")
    library = opened([root], tmp_path / "index")

    def ids(query):
        return [p.arxiv_id for p in library.search(query)]

    assert ids("토큰") == ["2405.00001"]  # two syllables inside a word
    assert ids("모델") == ["2405.00001", "2405.00002"]  # inside 언어모델 and 모델입니다
    assert ids("칩") == ["2405.00001"] and ids("델") == ["2405.00001", "2405.00002"]  # one syllable
    assert ids(unicodedata.normalize("NFD", "토큰")) == ["2405.00001"]  # decomposed, as macOS gives it
    assert ids("llava") == ids("LLaVA") == ids("ＬＬａＶＡ") == ["2405.00002"]  # full-width Latin
    assert ids("strasse") == ids("STRASSE") == ["2405.00003"]  # casefolded, not just lower-cased
    assert ids("모델 llava") == ["2405.00002"] and ids("칩 llava") == [] and ids("ai") == []


# -- following the files -----------------------------------------------------------------------------------------
@pytest.fixture
def counted(monkeypatch) -> list[str]:
    """The digests parsed (every parse goes through parse_text)."""
    seen: list[str] = []
    real = parse.parse_text

    def parse_text(text, path="<text>", default_date=None):
        seen.append(os.path.basename(str(path)))
        return real(text, path, default_date)

    monkeypatch.setattr(parse, "parse_text", parse_text)
    return seen


def test_the_index_follows_an_edited_an_added_and_a_removed_file(tmp_path, counted):
    root = tmp_path / "lib"
    for date, ids in (("2024-06-01", ["2406.00001"]), ("2024-06-02", ["2406.00002"]), ("2024-06-03", ["2406.00003"])):
        write_day(root, date, ids)
    folder = tmp_path / "index"
    assert opened([root], folder).dates() == ["2024-06-03", "2024-06-02", "2024-06-01"]
    assert sorted(counted) == ["01.md", "02.md", "03.md"]
    counted.clear()
    library = opened([root], folder)
    assert counted == []  # nothing changed: nothing read
    assert indexed_answers(library) == in_memory([root])
    write_day(root, "2024-06-02", ["2406.00002", "2406.00022"], title="Edited")  # edited
    write_day(root, "2024-06-04", ["2406.00004"])  # added
    (root / "2024" / "06" / "01.md").unlink()  # removed
    counted.clear()
    library = opened([root], folder)
    assert sorted(counted) == ["02.md", "04.md"]  # just those
    assert library.dates() == ["2024-06-04", "2024-06-03", "2024-06-02"]
    assert [p.title for p in library.day("2024-06-02").papers] == ["Edited 2406.00002: a study", "Edited 2406.00022: a study"]
    assert library.get("2406.00001") is None and library.search("2406.00001") == []
    assert indexed_answers(library) == in_memory([root])


def _snapshots(folder: Path) -> int:
    [path] = folder.glob("*.sqlite3")
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM snapshot").fetchone()[0]
    finally:
        con.close()


def _snapshot_kept(root: Path, folder: Path, monkeypatch) -> list[Path]:
    """Five days whose index holds a snapshot of their identities (checked long after any change)."""
    paths = [write_day(root, f"2024-07-{d:02d}", [f"2407.000{d:02d}"], title="Before") for d in range(1, 6)]
    real = update.clock
    monkeypatch.setattr(update, "clock", lambda: real() + 60_000_000_000)
    opened([root], folder).close()
    opened([root], folder).close()
    assert _snapshots(folder) == 1
    return paths


def test_a_commands_first_question_is_answered_while_the_files_are_checked(tmp_path, monkeypatch):
    """load_rest(ahead=True) (a command's library): the snapshot's stat of every file runs in a thread while
    the first search runs (in SQLite, without Python's lock); the answer waits for it, and what loading says
    comes before the answer. A question that is mostly Python (a day's papers) waits for the check first:
    the two threads would take Python's lock from each other at every stat."""
    root, folder = tmp_path / "lib", tmp_path / "index"
    _snapshot_kept(root, folder, monkeypatch)
    asked = threading.Event()
    seen: list[bool] = []
    real = update.unchanged

    patience = [5.0]

    def unchanged(snapshot, paths):
        seen.append(asked.wait(timeout=patience[0]))  # (False: no question was asked while the files were checked)
        return real(snapshot, paths)

    monkeypatch.setattr(update, "unchanged", unchanged)
    library = open_indexed([root], folder)
    assert library.load_rest(ahead=True) == 0
    said: list[list[str]] = []
    library.after_check(lambda: said.append([str(w) for w in library.warnings]))
    assert said == []  # (not yet: the files are being checked)

    def question(con, _paper_of):
        asked.set()
        return con.execute("SELECT count(*) FROM papers").fetchone()[0]

    assert library.ask(question, lambda _lib: None) == 5
    assert seen == [True] and said == [[]]
    library.close()
    asked.clear()
    patience[0] = 0.3
    real_day_rows = index_query.day_rows
    monkeypatch.setattr(index_query, "day_rows", lambda *a: asked.set() or real_day_rows(*a))
    library = open_indexed([root], folder)
    library.load_rest(ahead=True)
    assert library.day("2024-07-03") is not None and seen == [True, False]  # (checked first)
    assert indexed_answers(library) == in_memory([root])
    library.close()


@pytest.mark.parametrize("how", ["edited in place", "edited, same size and mtime", "unchanged"])
def test_a_question_answered_while_the_files_are_checked_is_asked_again_when_one_changed(
        tmp_path, monkeypatch, how):
    """(A file added, removed or renamed changes its folder: the files are listed again, and checked before
    any question, as always.)"""
    root, folder = tmp_path / "lib", tmp_path / "index"
    paths = _snapshot_kept(root, folder, monkeypatch)
    path = paths[2]
    if how == "edited in place":  # (no folder changed: only the file's own identity says so)
        with path.open("a", encoding="utf-8") as out:
            out.write("\n### [Afters](https://example.org/x)\n- Afters\n")
    elif how == "edited, same size and mtime":
        stamp = path.stat().st_mtime_ns
        path.write_text(path.read_text(encoding="utf-8").replace("Before", "Afters"), encoding="utf-8")
        os.utime(path, ns=(stamp, stamp))
    asked: list[str] = []
    real = index_query.search_rows
    monkeypatch.setattr(index_query, "search_rows", lambda con, terms, *a, **k: asked.append(terms[0]) or real(con, terms, *a, **k))
    library = open_indexed([root], folder)
    library.load_rest(ahead=True)
    said: list[list[str]] = []
    library.after_check(lambda: said.append([str(w) for w in library.warnings]))
    found = library.search("2407.0000")
    expected = Library.open([root]).load_all()
    assert found == expected.search("2407.0000") and said == [[str(w) for w in expected.warnings]]
    assert asked == (["2407.0000"] if how == "unchanged" else ["2407.0000", "2407.0000"])
    if how == "edited in place":
        assert len(said[0]) == 1 and "paper link is not an arXiv link" in said[0][0]
    elif how == "edited, same size and mtime":
        assert [p.title for p in found if p.date == "2024-07-03"] == ["Afters 2407.00003: a study"]
    assert indexed_answers(library) == in_memory([root])
    library.close()


def test_a_library_closed_before_its_first_question_reads_nothing_then_and_checks_when_asked(
        tmp_path, monkeypatch, counted):
    """(A command interrupted by ^C closes its library in a finally: a file found changed is not read on the
    way out; a question asked after all still gets the file as it is.)"""
    root, folder = tmp_path / "lib", tmp_path / "index"
    paths = _snapshot_kept(root, folder, monkeypatch)
    paths[1].write_text(paths[1].read_text(encoding="utf-8").replace("Before", "Afters"), encoding="utf-8")
    library = open_indexed([root], folder)
    library.load_rest(ahead=True)
    counted.clear()
    library.close()
    assert counted == []
    assert [p.title for p in library.day("2024-07-02").papers] == ["Afters 2407.00002: a study"]
    assert counted == ["02.md"]
    library.close()


def test_damage_found_by_a_question_asked_while_the_files_are_checked_means_one_notice_and_the_right_answers(
        tmp_path, monkeypatch):
    root, folder = tmp_path / "lib", tmp_path / "index"
    _snapshot_kept(root, folder, monkeypatch)
    [path] = folder.glob("*.sqlite3")
    con = sqlite3.connect(path)
    con.execute("UPDATE bodies SET sections = '[[\"What''s New\", '")
    con.commit()
    con.close()
    library = open_indexed([root], folder)
    library.load_rest(ahead=True)
    said: list[int] = []
    library.after_check(lambda: said.append(len(library.notices)))
    assert library.search("2407") == Library.open([root]).load_all().search("2407")  # (the damage found)
    assert answers(library) == in_memory([root])
    assert said == [1] and len(library.notices) == 1 and "is damaged" in library.notices[0]
    assert not library.indexed and not path.exists()


@pytest.mark.parametrize("how", ["edited in place, same size and mtime", "removed", "added", "replaced"])
def test_a_clean_check_keeps_a_snapshot_that_the_next_check_trusts_only_while_no_file_changed(
        tmp_path, counted, monkeypatch, how):
    """After a check that found every file clean (none racy), the files' identities are kept in one row; the
    next check compares them all in one go (no row per file) and still finds any change, which drops it."""
    root = tmp_path / "lib"
    paths = [write_day(root, f"2024-07-{d:02d}", [f"2407.000{d:02d}"], title="Before") for d in range(1, 6)]
    real = update.clock
    monkeypatch.setattr(update, "clock", lambda: real() + 60_000_000_000)  # checked long after any change
    folder = tmp_path / "index"
    opened([root], folder).close()  # built
    assert _snapshots(folder) == 0
    opened([root], folder).close()  # found clean: kept
    assert _snapshots(folder) == 1
    checks: list[int] = []
    real_check = update.check
    monkeypatch.setattr(update, "check", lambda *a, **k: checks.append(1) or real_check(*a, **k))
    counted.clear()
    before = indexed_answers(opened([root], folder))
    assert checks == [] and counted == [] and before == in_memory([root])  # the snapshot alone decided
    path = paths[2]
    if how.startswith("edited"):
        stamp = path.stat().st_mtime_ns
        path.write_text(path.read_text(encoding="utf-8").replace("Before", "Afters"), encoding="utf-8")
        os.utime(path, ns=(stamp, stamp))
    elif how == "removed":
        path.unlink()
    elif how == "added":
        write_day(root, "2024-07-09", ["2407.00009"])
    else:
        other = path.with_name("new.tmp")
        other.write_text(path.read_text(encoding="utf-8").replace("Before", "Afters"), encoding="utf-8")
        os.replace(other, path)
    library = opened([root], folder)
    assert indexed_answers(library) == in_memory([root]) != before
    assert _snapshots(folder) == 0  # (the triggers on files dropped it)
    library.close()
    opened([root], folder).close()
    assert _snapshots(folder) == 1  # clean again: kept again


def test_no_snapshot_is_kept_while_a_file_is_racily_clean_nor_while_another_process_writes(tmp_path, monkeypatch):
    root = tmp_path / "lib"
    write_day(root, "2024-07-01", ["2407.00001"])
    folder = tmp_path / "index"
    opened([root], folder).close()
    opened([root], folder).close()  # just written: its bytes decide, and no snapshot may stand for it
    assert _snapshots(folder) == 0
    real = update.clock
    monkeypatch.setattr(update, "clock", lambda: real() + 60_000_000_000)
    opened([root], folder).close()  # long past: confirmed clean (a write), so nothing to keep yet
    [path] = folder.glob("*.sqlite3")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock: the snapshot is not waited for
    try:
        library = opened([root], folder)
        assert library.indexed and library.notices == [] and _snapshots(folder) == 0
        assert library.day("2024-07-01") is not None
        library.close()
    finally:
        other.execute("ROLLBACK")
        other.close()
    opened([root], folder).close()
    assert _snapshots(folder) == 1
    # Another process's row written in between (this one's check found every file clean, but that row is
    # racily clean): what is kept is the files table as it is then, so nothing is.
    from reader.core.index import listing

    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("UPDATE files SET checked_ns = max(mtime_ns, ctime_ns) + 1")
        assert con.execute("SELECT count(*) FROM snapshot").fetchone()[0] == 0
        con.execute("PRAGMA busy_timeout = 10000")
        listing.keep_snapshot(con)
        assert con.execute("SELECT count(*) FROM snapshot").fetchone()[0] == 0
        assert con.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    finally:
        con.close()


@pytest.mark.parametrize("how", ["in place", "by another file"])
def test_a_file_replaced_by_one_of_the_same_size_and_mtime_is_read_again(tmp_path, counted, monkeypatch, how):
    """As git's index: size and mtime alone cannot tell (cp -p, touch -r, unpacking an archive); the status
    change time and the inode can, and the file is long past being racily clean, so its bytes are not read."""
    root = tmp_path / "lib"
    path = write_day(root, "2024-07-01", ["2407.00001"], title="Before")
    stamp, size = path.stat().st_mtime_ns, path.stat().st_size
    real = update.clock
    monkeypatch.setattr(update, "clock", lambda: real() + 60_000_000_000)  # read and checked a minute later
    folder = tmp_path / "index"
    assert opened([root], folder).get("2407.00001").title.startswith("Before")
    text = path.read_text(encoding="utf-8").replace("Before", "Afters")  # the same size
    if how == "in place":
        path.write_text(text, encoding="utf-8")
    else:
        other = path.with_name("new.tmp")
        other.write_text(text, encoding="utf-8")
        os.replace(other, path)
    os.utime(path, ns=(stamp, stamp))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (size, stamp)
    counted.clear()
    library = opened([root], folder)
    assert counted == ["01.md"] and library.get("2407.00001").title.startswith("Afters")
    counted.clear()
    assert opened([root], folder).get("2407.00001").title.startswith("Afters") and counted == []


def _add_in_folder(root: Path) -> None:
    write_day(root, "2024-10-08", ["2410.00008"])  # a new day in the month's folder


def _add_in_new_folder(root: Path) -> None:
    write_day(root, "2024-11-01", ["2411.00001"])  # a new month


def _edit_in_place(root: Path) -> None:
    path = root / "2024" / "10" / "04.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Paper", "Renamed"), encoding="utf-8")


def _remove(root: Path) -> None:
    (root / "2024" / "10" / "04.md").unlink()


def _rename(root: Path) -> None:
    os.rename(root / "2024" / "10" / "04.md", root / "2024" / "10" / "09.md")


def _through_a_link(root: Path) -> None:
    write_day(root.parent / "elsewhere", "2023-01-02", ["2301.00002"])  # the linked folder gains a day


def _hidden(root: Path) -> None:
    (root / "2024" / "10" / ".notes.md").write_text("## Daily Papers (2024-10-30)\n", encoding="utf-8")


@pytest.mark.parametrize("change", [_add_in_folder, _add_in_new_folder, _edit_in_place, _remove, _rename,
                                    _through_a_link, _hidden])
def test_the_files_are_listed_again_only_when_a_folder_changed(tmp_path, monkeypatch, change):
    from reader.core import library as library_module

    root = tmp_path / "lib"
    _week(root)
    write_day(tmp_path / "elsewhere", "2023-01-01", ["2301.00001"])
    (root / "linked").symlink_to(tmp_path / "elsewhere")
    real = update.clock
    monkeypatch.setattr(update, "clock", lambda: real() + 60_000_000_000)  # listed long after any change
    listed: list[int] = []
    discover = library_module.discover
    monkeypatch.setattr(library_module, "discover", lambda *a, **k: listed.append(1) or discover(*a, **k))
    folder = tmp_path / "index"
    opened([root], folder).close()
    assert listed == [1]
    again = opened([root], folder)  # nothing changed: the listing kept, every file's identity checked
    assert listed == [1]
    assert indexed_answers(again) == in_memory([root])
    change(root)
    listed.clear()
    changed = opened([root], folder)
    assert listed == ([] if change is _edit_in_place else [1])  # an edit changes no folder: its file says
    assert indexed_answers(changed) == in_memory([root])
    listed.clear()
    last = opened([root], folder)
    assert listed == []
    assert indexed_answers(last) == in_memory([root])




def test_the_index_lives_in_the_cache_folder_one_file_per_library(tmp_path):
    root = tmp_path / "lib"
    write_day(root, "2024-09-01", ["2409.00001"])
    (tmp_path / "link").symlink_to(root)
    other = tmp_path / "other"
    write_day(other, "2024-09-02", ["2409.00002"])
    for paths in ([root], [tmp_path / "link"], [str(root) + "/"], [other]):
        library = open_indexed(paths, True)
        library.load_all()
        assert library.indexed and library.index_path.parent == app_paths.index_dir()
        assert str(library.index_path).startswith(str(app_paths.cache_dir()))
        library.close()
    assert len(list(app_paths.index_dir().glob("*.sqlite3"))) == 2  # the link is the same library


def test_the_index_follows_the_umask_like_every_file_the_reader_makes(tmp_path):
    root = tmp_path / "lib"
    write_day(root, "2024-09-01", ["2409.00001"])
    (root / "2024" / "09" / "02.md").write_text(day_text("2024-09-02", ["2409.00002"]), encoding="utf-8")
    for umask, expected in ((0o002, 0o664), (0o077, 0o600)):
        folder = tmp_path / f"index-{umask:o}"
        old = os.umask(umask)
        try:
            library = opened([root], folder)
            writer = open_indexed([root], folder)  # a second connection while the first is open: -wal, -shm
            writer.load_all()
            made = {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()}
            library.close()
            writer.close()
        finally:
            os.umask(old)
        assert len(made) == 3 and set(made.values()) == {expected}, made
        assert folder.stat().st_mode & 0o777 == 0o777 & ~umask


# -- deleted, damaged, another version, odd --------------------------------------------------------------------
def test_a_deleted_index_is_built_again_silently(tricky, tmp_path):
    folder = tmp_path / "index"
    first = opened([tricky], folder)
    first.close()
    for path in folder.iterdir():
        path.unlink()
    library = opened([tricky], folder)
    assert library.notices == [] and indexed_answers(library) == in_memory([tricky])


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "not a database":
        path.write_bytes(b"this is not a database at all " * 200)
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "pages overwritten":  # the header and the first pages (schema, meta) intact, the rest garbage
        page = int.from_bytes(data[16:18], "big")
        path.write_bytes(data[: 3 * page] + bytes([0xA5]) * (len(data) - 3 * page))
    else:
        raise AssertionError(how)




def test_a_value_the_index_kept_that_does_not_decode_is_damage_one_notice_and_the_right_answers(tricky, tmp_path):
    folder = tmp_path / "index"
    built = opened([tricky], folder)
    path = built.index_path
    built.close()
    con = sqlite3.connect(path)
    con.execute("UPDATE bodies SET sections = '[[\"What''s New\", ' WHERE id = (SELECT min(id) FROM bodies)")
    con.commit()
    con.close()
    library = opened([tricky], folder)
    assert answers(library) == in_memory([tricky])
    assert library.notices == [f"the library index {path} is damaged (Expecting value: line 1 column 17 (char 16)); "
                               "reading the digests without it (it is built again next time)"]
    assert not path.exists()
    again = opened([tricky], folder)
    assert again.notices == [] and indexed_answers(again) == in_memory([tricky])


@pytest.mark.parametrize("what", ["schema", "tables", "parser", "unicode", "not ours"])
def test_an_index_of_another_version_is_built_again_with_one_notice(tricky, tmp_path, what):
    folder = tmp_path / "index"
    built = opened([tricky], folder)
    path = built.index_path
    built.close()
    con = sqlite3.connect(path)
    if what == "schema":
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    elif what == "parser":
        con.execute("UPDATE meta SET value = '0' WHERE key = 'parser'")
    elif what == "tables":  # another build's tables under the same version number
        con.execute("DROP TABLE folders")
        con.execute("UPDATE meta SET value = 'another' WHERE key = 'schema'")
    elif what == "unicode":
        con.execute("UPDATE meta SET value = '1.0.0' WHERE key = 'unicode'")
    else:
        con.execute("PRAGMA application_id = 7")
    con.commit()
    con.close()
    library = opened([tricky], folder)
    assert library.notices == [f"the library index {path} is of another version; building it again"]
    assert indexed_answers(library) == in_memory([tricky])
    library.close()
    assert opened([tricky], folder).notices == []


def test_a_fifo_where_the_index_goes_is_left_as_it_is_and_the_library_read_without_it(tricky, tmp_path):
    folder = tmp_path / "index"
    probe = open_indexed([tricky], folder)
    path = probe.index_path
    probe.close()
    path.unlink()
    os.mkfifo(path)
    library = opened([tricky], folder)
    assert not isinstance(library, IndexedLibrary) and library.notices == [
        f"the library index {path} is a FIFO, not a file; reading the digests without it"]
    assert answers(library) == in_memory([tricky])
    assert path.is_fifo()


def test_a_write_failing_mid_update_means_one_notice_and_the_right_answers(tricky, tmp_path, monkeypatch):
    folder = tmp_path / "index"
    opened([tricky], folder).close()
    (tricky / "ties.md").write_text((tricky / "ties.md").read_text(encoding="utf-8") + "\n### [New](https://arxiv.org/abs/2401.10009)\n- n\n",
                                    encoding="utf-8")
    write_day(tricky, "2024-12-30", ["2412.00030"])

    def full(stage):
        if stage == "paper":
            raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(update, "HOOK", full)
    library = opened([tricky], folder)
    path = next(folder.glob("*.sqlite3"))
    assert library.notices == [f"cannot use the library index {path}: database or disk is full; reading the "
                               "digests without it"]
    assert not library.indexed and answers(library) == in_memory([tricky])
    monkeypatch.setattr(update, "HOOK", None)
    again = opened([tricky], folder)  # the failed transaction left nothing behind
    assert again.notices == [] and indexed_answers(again) == in_memory([tricky])


# -- several processes -------------------------------------------------------------------------------------------
WRITER = r"""
import json, os, signal, sys
from reader.core.index import update
from reader.core.index import open_indexed

root, folder, mode, stage, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
update.BATCH_FILES = 2
seen = 0


def hook(name):
    global seen
    if name != stage:
        return
    seen += 1
    if seen != count:
        return
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    print(name, flush=True)  # mode "pause": tell the test, and wait for its word
    sys.stdin.readline()


update.HOOK = hook
library = open_indexed([root], folder)
library.load_all()
print(json.dumps({"notices": library.notices, "dates": library.dates(), "indexed": library.indexed}), flush=True)
"""


def writer(tmp_path: Path, root: Path, folder: Path, mode: str, stage: str, count: int) -> subprocess.Popen:
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script), str(root), str(folder), mode, stage, str(count)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _week(root: Path, first: int = 1, days: int = 7, title: str = "Paper") -> None:
    for n in range(first, first + days):
        write_day(root, f"2024-10-{n:02d}", [f"2410.{n:05d}", f"2410.{n + 100:05d}"], title=title)


def _change(root: Path) -> None:
    """Edit two days, remove one, add two."""
    write_day(root, "2024-10-02", ["2410.00002", "2410.00202"], title="Edited")
    write_day(root, "2024-10-05", ["2410.00005"], title="Edited")
    (root / "2024" / "10" / "03.md").unlink()
    _week(root, 20, 2, title="Added")


def _sound(path: Path) -> None:
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.execute("INSERT INTO search(search) VALUES ('integrity-check')")
    con.execute("INSERT INTO grams(grams) VALUES ('integrity-check')")
    con.close()




def _edit(root: Path) -> None:
    """Edit two days (new titles, one paper more) and add two after them: files read, none removed or moved."""
    write_day(root, "2024-10-02", ["2410.00002", "2410.00102", "2410.00202"], title="Edited")
    write_day(root, "2024-10-05", ["2410.00005", "2410.00105", "2410.00205"], title="Edited")
    _week(root, 20, 2, title="Added")






def test_the_bm25_ranking_ranks_what_search_finds(corpus, tmp_path):
    library = opened([corpus], tmp_path / "index")
    for query in ("transformer", "diffusion model", "모델 transformer", "llava"):
        ranked = library.ranked_ids(query, limit=10_000)
        assert sorted(ranked) == sorted(p.arxiv_id for p in library.search(query)), query
    titled = library.ranked_ids("llava", limit=5)
    assert all("llava" in library.get(i).title.casefold() or "llava" in str(library.get(i).sections).casefold()
               for i in titled)


# -- the reader, as it is, on the library backed by the index ---------------------------------------------------


def test_short_lived_threads_share_connections_instead_of_opening_one_each(tmp_path):
    """The reader asks from a new worker thread for each search typed: each took a new connection (a cold
    page cache every keystroke) and kept it open until the library closed (a thousand keystrokes, a thousand
    open files). A thread that ends gives its connection back; the next thread takes it, warm."""
    import threading

    from reader.core import finding

    write_day(tmp_path / "lib", "2024-08-01", ["2408.00001", "2408.00002"])
    library = opened([tmp_path / "lib"], tmp_path / "index")
    store = library._store
    used = []

    def ask() -> None:
        used.append(library.ask(lambda con, _paper_of: con, lambda _lib: None))
        finding.search(library, "2408")

    for _ in range(50):
        thread = threading.Thread(target=ask)
        thread.start()
        thread.join()
    assert len(used) == 50 and len({id(con) for con in used}) == 1  # one connection, handed from thread to thread
    assert len(store._connections) == 2  # that one and the main thread's own
    library.close()
    assert store._connections == [] and store._idle == []


def test_closing_the_index_never_closes_a_connection_under_another_thread_it_closes_as_that_thread_ends(tmp_path):
    """The reader closes a library while its worker may still be weighing in it (Textual does not wait for a
    thread worker): the worker's connection stays open under it until the worker ends, then closes (the
    last one folds the write-ahead log into the file)."""
    write_day(tmp_path / "lib", "2024-08-01", ["2408.00001", "2408.00002"])
    library = opened([tmp_path / "lib"], tmp_path / "index")
    store = library._store
    inside, go_on = threading.Event(), threading.Event()
    seen: list = []

    def worker() -> None:
        con = store.connection()
        seen.append(con.execute("SELECT count(*) FROM papers").fetchone()[0])
        inside.set()
        assert go_on.wait(timeout=10)
        seen.append(con.execute("SELECT count(*) FROM papers").fetchone()[0])  # (closed under it: an error)
        seen.append(store.connection() is con)
        seen.append(con)

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(timeout=10)
    library.close()
    assert Path(f"{store.path}-wal").exists()  # (the worker's connection still open)
    go_on.set()
    thread.join()
    assert seen[:3] == [2, 2, True]
    with pytest.raises(sqlite3.ProgrammingError):  # closed as the worker ended
        seen[3].execute("SELECT 1")
    assert store._connections == store._idle == store._closing == []
    assert not Path(f"{store.path}-wal").exists()
    assert library.day("2024-08-01") is not None  # (asked again: a new connection)
    library.close()


def test_a_ctrl_c_while_another_process_holds_the_write_lock_ends_the_wait_at_once(tmp_path):
    """A writer waits for another's write lock (up to store.BUSY_SECONDS, here 30 s): a Ctrl+C meanwhile ends
    the wait at once, leaving no transaction open. SQLite's own wait sleeps in C, where Python sees no signal:
    a command interrupted while the reader's worker wrote ended only when the whole wait ran out."""
    import signal
    import time

    if threading.current_thread() is not threading.main_thread():  # pragma: no cover - (signals go there)
        pytest.skip("a signal is taken in the main thread only")
    path = tmp_path / "index.sqlite3"
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE t(x)")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    main = threading.main_thread().ident

    def interrupt() -> None:  # once the main thread is waiting in update.transaction
        while True:
            frame, names = sys._current_frames().get(main), set()
            while frame is not None:
                names.add(frame.f_code.co_name)
                frame = frame.f_back
            if "transaction" in names:
                break
            time.sleep(0.001)
        os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    started = time.monotonic()
    try:
        threading.Thread(target=interrupt, daemon=True).start()
        with pytest.raises(KeyboardInterrupt):
            update.transaction(con, lambda: con.execute("INSERT INTO t VALUES (1)"), wait=30)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - started < 10
    assert not con.in_transaction
    other.execute("ROLLBACK")
    update.transaction(con, lambda: con.execute("INSERT INTO t VALUES (2)"))  # (the lock free: at once)
    assert con.execute("SELECT x FROM t").fetchall() == [(2,)]
    assert con.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
    other.close()
    con.close()
