"""The library's index (reader.core.index, issue 18): the answers of the library in memory, read from SQLite.

It follows the files (by the parse cache's identity), and whatever happens to it (deleted, damaged, of another
version, on a read-only disk, a writer killed at any moment, several processes at once) the answers stay the
same, with at most one notice. Failing disks are in tests/disk_scenarios.py (read_only_index)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from digest_factory import day_text, write_day
from reader import paths as app_paths
from reader.cli import main
from reader.core import parse
from reader.core.index import update
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
    library = Library.open(paths, index=folder, **kwargs)
    library.load_all()
    return library


def answers(library: Library, queries=QUERIES) -> dict:
    papers = list(library.papers())
    ids = sorted(library.ids())
    return {
        "dates": library.dates(), "counts": library.day_counts(), "len": len(library),
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


def test_search_equals_todays_search_over_the_whole_archive(corpus, tmp_path, capsys):
    library = opened([corpus], tmp_path / "index")
    memory = Library.open([corpus]).load_all()
    for query in QUERIES:
        assert library.search(query) == memory.search(query), query
        assert library.search_brief(query) == memory.search_brief(query), query
    assert indexed_answers(library) == answers(memory)
    found = {q: len(memory.search(q)) for q in ("모델", "토큰", "칩", "ＬＬａＶＡ", unicodedata.normalize("NFD", "모델"))}
    assert all(found.values()) and found["모델"] == found[unicodedata.normalize("NFD", "모델")], found
    # typing on narrows an earlier result as a fresh search would
    first = library.search("m")
    for query in ("mo", "mod", "model", "model 언어"):
        narrowed = library.search(query, within=first)
        assert narrowed == memory.search(query) and narrowed
        first = narrowed
    # the command prints what it printed before the index
    os.environ["XDG_CACHE_HOME"] = str(tmp_path / "cli-cache")
    for query in ("transformer", "모델", "２４０８.０７２４６", "칩 3d"):
        assert main(["search", query, str(corpus)]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines == [f"{p.date}  {p.votes if p.votes is not None else '-':>4}  {p.arxiv_id:<12}  {p.title}"
                         for p in memory.search(query)], query
    assert main(["search", "--json", "강화 학습", str(corpus)]) == 0
    assert json.loads(capsys.readouterr().out) == [p.to_dict() for p in memory.search("강화 학습")]


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


def test_the_index_lives_in_the_cache_folder_one_file_per_library(tmp_path):
    root = tmp_path / "lib"
    write_day(root, "2024-09-01", ["2409.00001"])
    (tmp_path / "link").symlink_to(root)
    other = tmp_path / "other"
    write_day(other, "2024-09-02", ["2409.00002"])
    for paths in ([root], [tmp_path / "link"], [str(root) + "/"], [other]):
        library = Library.open(paths, index=True)
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
            writer = Library.open([root], index=folder)  # a second connection while the first is open: -wal, -shm
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


@pytest.mark.parametrize("how", ["not a database", "truncated", "pages overwritten"])
def test_a_damaged_index_means_one_notice_and_the_right_answers(tricky, tmp_path, how, capsys):
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
    os.environ["XDG_CACHE_HOME"] = str(tmp_path / "cli-cache")
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
    probe = Library.open([tricky], index=folder)
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
from reader.core.library import Library

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
library = Library.open([root], index=folder)
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


def _edit(root: Path) -> None:
    """Edit two days (new titles, one paper more) and add two after them: files read, none removed or moved."""
    write_day(root, "2024-10-02", ["2410.00002", "2410.00102", "2410.00202"], title="Edited")
    write_day(root, "2024-10-05", ["2410.00005", "2410.00105", "2410.00205"], title="Edited")
    _week(root, 20, 2, title="Added")


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
        reader = Library.open([root], index=folder)  # reads while the writer holds its transaction
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
    fresh = Library.open([root], index=folder)  # after the commit, without reading a file
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


def test_the_bm25_ranking_ranks_what_search_finds(corpus, tmp_path):
    library = opened([corpus], tmp_path / "index")
    for query in ("transformer", "diffusion model", "모델 transformer", "llava"):
        ranked = library.ranked_ids(query, limit=10_000)
        assert sorted(ranked) == sorted(p.arxiv_id for p in library.search(query)), query
    titled = library.ranked_ids("llava", limit=5)
    assert all("llava" in library.get(i).title.casefold() or "llava" in str(library.get(i).sections).casefold()
               for i in titled)


# -- the reader, as it is, on the library backed by the index ---------------------------------------------------
@pytest.mark.parametrize("index", ["from nothing", "built before"])
async def test_the_reader_runs_on_the_library_backed_by_the_index(tmp_path, fixtures, index):
    """The API the reader uses (load_newest, then parse_pending in its worker and merge; day, dates, search,
    get, appearances) answers from the index as it did from memory."""
    from reader.core.config import Config
    from reader.core.state import StateStore
    from reader.tui.app import make_app
    from reader.tui.screens.search import SearchScreen
    from tui_support import FakeSystem

    paths = sorted(fixtures.glob("*.md"))
    folder = tmp_path / "index"
    if index == "built before":
        opened(paths, folder).close()
    library = Library.open(paths, index=folder)
    library.load_newest()
    assert library.indexed and library.dates()[0] == "2024-12-31"
    app = make_app(library, StateStore.in_memory(), system=FakeSystem(), config=Config(read_delay=60))
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert library.pending == 0 and library.dates() == Library.open(paths).load_all().dates()
        await pilot.press("slash", *"lovelace")
        assert isinstance(app.screen, SearchScreen)
        assert sorted(p.arxiv_id for p in app.screen.results) == ["2312.00011", "2410.00031"]
        await pilot.press(*["backspace"] * len("lovelace"), *"토크나이저")
        assert [p.arxiv_id for p in app.screen.results] == ["2406.00021"]
        await pilot.press("enter")
        assert app.current_key == "2024-06-12"
    assert library.indexed and library.notices == []


def test_a_command_building_the_index_shows_its_progress_on_a_terminal_and_nothing_elsewhere(tmp_path, monkeypatch,
                                                                                           capsys):
    import io

    from reader.commands.common import close_libraries, open_library

    root = tmp_path / "lib"
    for n in range(250):
        (root / f"{n:03d}").mkdir(parents=True)
        (root / f"{n:03d}" / f"2020-01-{n % 28 + 1:02d}.md").write_text(day_text(f"2020-01-{n % 28 + 1:02d}",
                                                                               [f"2001.{n:05d}"]), encoding="utf-8")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
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
