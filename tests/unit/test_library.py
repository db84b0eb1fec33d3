"""Library: files and folders, days newest first, vote order, lookup, search, incremental loading."""

from __future__ import annotations

import os
import shutil

import pytest

from reader.core.library import Library, LibraryError


def test_days_newest_first_and_vote_order(fixtures):
    lib = Library.open([fixtures]).load_all()
    assert lib.dates() == sorted(lib.dates(), reverse=True)
    assert lib.dates()[0] == "2024-12-31"
    day = lib.day("2023-12-06")
    # 40 votes first, then 17, then the one without votes ("Vote: -") last
    assert [p.arxiv_id for p in day.papers] == ["2312.00013", "2312.00011", "2312.00012"]


def test_ties_keep_file_order(tmp_path):
    text = "## Daily Papers (2024-01-05)\n"
    for i, votes in enumerate([3, 5, 3, 5]):
        text += f"### [P{i}](https://arxiv.org/abs/2401.1000{i})\nVote: {votes}\n- a\n"
    (tmp_path / "d.md").write_text(text, encoding="utf-8")
    day = Library.open([tmp_path]).load_all().day("2024-01-05")
    assert [p.title for p in day.papers] == ["P1", "P3", "P0", "P2"]


def test_one_day_over_several_files_is_one_day(tmp_path, fixtures):
    a = tmp_path / "a.md"
    b = tmp_path / "sub" / "b.md"
    b.parent.mkdir()
    a.write_text("## Daily Papers (2024-03-01)\n### [A](https://arxiv.org/abs/2403.00001)\nVote: 1\n- a\n", encoding="utf-8")
    b.write_text("## Daily Papers (2024-03-01)\n### [B](https://arxiv.org/abs/2403.00002)\nVote: 2\n- b\n"
                 "### [A again](https://arxiv.org/abs/2403.00001)\nVote: 1\n- a\n", encoding="utf-8")
    lib = Library.open([tmp_path]).load_all()
    assert lib.dates() == ["2024-03-01"]
    assert [p.arxiv_id for p in lib.day("2024-03-01").papers] == ["2403.00002", "2403.00001"]


def test_mix_of_files_and_folders_and_lookup(fixtures, tmp_path):
    lib = Library.open([fixtures / "plain_2023.md", fixtures]).load_all()
    assert len([p for p in lib.papers() if p.arxiv_id == "2311.00001"]) == 1  # the same file twice is read once
    assert lib.get("2406.00022").title == "List Literal Paper"
    assert lib.get("0000.00000") is None


def test_paper_on_two_days(tmp_path):
    for day in ("2024-04-01", "2024-04-02"):
        (tmp_path / f"{day}.md").write_text(
            f"## Daily Papers ({day})\n### [Same](https://arxiv.org/abs/2404.00001)\n- a\n", encoding="utf-8")
    lib = Library.open([tmp_path]).load_all()
    assert lib.get("2404.00001").date == "2024-04-02"
    assert [p.date for p in lib.appearances("2404.00001")] == ["2024-04-02", "2024-04-01"]
    assert len(lib.search("same")) == 1


def test_missing_path_is_a_library_error(tmp_path):
    with pytest.raises(LibraryError, match="no such file or folder"):
        Library.open([tmp_path / "nope"])


def test_symlink_loop_is_cut(tmp_path, fixtures):
    shutil.copy(fixtures / "plain_2023.md", tmp_path / "2023-11-20.md")
    (tmp_path / "loop").symlink_to(tmp_path)
    lib = Library.open([tmp_path]).load_all()
    assert len(lib) == 2


def test_search_titles_authors_korean_case_insensitive(fixtures):
    lib = Library.open([fixtures]).load_all()
    assert [p.arxiv_id for p in lib.search("tiny MODELS")] == ["2311.00001"]
    assert [p.arxiv_id for p in lib.search("gödel")] == ["2312.00012"]
    assert [p.arxiv_id for p in lib.search("토크나이저")] == ["2406.00021"]
    assert lib.search("토크나이저 nothing-like-this") == []
    assert lib.search("   ") == []


def test_newest_day_loads_before_the_rest(tmp_path):
    for i, day in enumerate(("2024-01-01", "2024-01-02", "2024-01-03")):
        path = tmp_path / day[:4] / day[5:7] / f"{day[8:]}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"## Daily Papers ({day})\n### [P{i}](https://arxiv.org/abs/2401.0000{i})\n- a\n", encoding="utf-8")
    read = []

    def reader(path):
        from reader.core.parse import read_file

        read.append(os.path.basename(path))
        return read_file(path)

    lib = Library.open([tmp_path], reader=reader)
    assert read == [] and lib.pending == 3
    lib.load_newest()
    assert read == ["03.md"] and lib.dates() == ["2024-01-03"]
    progress = []
    lib.load_rest(lambda done, total: progress.append((done, total)))
    assert lib.dates() == ["2024-01-03", "2024-01-02", "2024-01-01"]
    assert progress[-1] == (2, 2) and lib.pending == 0


def test_parse_in_worker_then_merge(tmp_path, fixtures):
    shutil.copy(fixtures / "votes_2023.md", tmp_path / "2023-12-06.md")
    lib = Library.open([tmp_path])
    parsed = lib.parse_pending()
    assert lib.dates() == []
    assert lib.merge(parsed) == 3 and lib.pending == 0
    assert lib.dates() == ["2023-12-06"]


def test_a_file_reached_by_a_symlink_or_a_hard_link_counts_once(tmp_path, fixtures):
    from reader.core.library import discover

    shutil.copy(fixtures / "plain_2023.md", tmp_path / "2023-11-20.md")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "link.md").symlink_to(tmp_path / "2023-11-20.md")
    os.link(tmp_path / "2023-11-20.md", tmp_path / "sub" / "hard.md")
    (tmp_path / "other.md").write_text("# nothing\n", encoding="utf-8")
    files, _ = discover([tmp_path, tmp_path / "sub" / "link.md"])
    assert sorted(os.path.basename(f.file) for f in files) == ["2023-11-20.md", "other.md"]


def test_typing_on_narrows_the_last_results_and_gives_what_a_fresh_search_gives(corpus):
    lib = Library.open([corpus]).load_all()
    first = lib.search("m")
    for query in ("mo", "mod", "mode", "model", "model 언어"):
        narrowed = lib.search(query, within=first)
        assert narrowed == lib.search(query) and narrowed  # (the fresh search replaced the kept one)
        first = lib.search(query)
    earlier = lib.search("diffusion")
    lib.search("transformer")  # another search in between: the narrowing falls back to filtering
    assert lib.search("diffusion model", within=earlier) == lib.search("diffusion model")


def test_discovery_dates_files_as_date_from_path_does(tmp_path):
    from reader.core.library import discover
    from reader.core.parse import date_from_path

    names = ["2024/02/29.md", "2023/02/29.md", "2024/02/30.md", "2024/13/01.md", "2024/00/01.md", "2024/01/1.md",
             "2024/01/001.md", "2024/01/0a.md", "2024/01/31.MD", "2024/04/31.md", "0000/01/01.md", "2024/01/٠١.md",
             "2024/01/01.notes.md", "x2024/01/02.md", "2024/01/2024-01-05.md", "misc/2023-11-20.md", "misc/notes.md"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# x\n", encoding="utf-8")
    files, _ = discover([tmp_path])
    assert len(files) == len(names)
    assert {f.file: f.date_hint for f in files} == {f.file: date_from_path(f.file) for f in files}
    assert {os.path.relpath(f.file, tmp_path): f.date_hint for f in files}["2024/02/29.md"] == "2024-02-29"


def test_a_rewritten_day_replaces_what_its_file_gave_and_nothing_else(tmp_path):
    from reader.core.parse import read_file

    hf = tmp_path / "huggingface" / "2026" / "12"
    hf.mkdir(parents=True)
    day = hf / "02.md"
    day.write_text("## Daily Papers (2026-12-02)\n### [Old](https://arxiv.org/abs/2612.00001)\nVote: 1\n- a\n"
                   "### [Gone](https://arxiv.org/abs/2612.00002)\nVote: 2\n- b\n", encoding="utf-8")
    other = tmp_path / "2024-01-05.md"
    other.write_text("## Daily Papers (2024-01-05)\n### [Kept](https://arxiv.org/abs/2401.00001)\nVote: 3\n- c\n",
                     encoding="utf-8")
    lib = Library.open([tmp_path]).load_all()
    files = lib.files
    day.write_text("## Daily Papers (2026-12-02)\n### [New title](https://arxiv.org/abs/2612.00001)\nVote: 9\n- a\n"
                   "### [Added](https://arxiv.org/abs/2612.00003)\nVote: 4\n- d\n", encoding="utf-8")
    # the sync names the file its own way: the same file by another path is still the same file
    added = lib.refresh_file(read_file(str(tmp_path / "huggingface" / "2026" / ".." / "2026" / "12" / "02.md")))
    assert added == 2
    assert [p.title for p in lib.day("2026-12-02").papers] == ["New title", "Added"]
    assert lib.get("2612.00002") is None and lib.get("2612.00001").title == "New title"
    assert [p.title for p in lib.day("2024-01-05").papers] == ["Kept"]
    assert lib.files == files
    assert [p.arxiv_id for p in lib.search("added")] == ["2612.00003"]  # the search follows


def test_a_new_day_file_refreshed_before_the_rest_was_read_is_read_once(tmp_path):
    from reader.core.parse import read_file

    for n, date in enumerate(["2024-01-05", "2024-01-06"]):
        (tmp_path / f"{date}.md").write_text(
            f"## Daily Papers ({date})\n### [P{n}](https://arxiv.org/abs/2401.0000{n})\nVote: 1\n- a\n", encoding="utf-8")
    lib = Library.open([tmp_path])
    lib.load_newest()
    assert lib.pending == 1
    lib.refresh_file(read_file(str(tmp_path / "2024-01-05.md")))
    assert lib.pending == 0 and lib.files == 2
    lib.load_rest()
    assert [len(lib.day(d)) for d in lib.dates()] == [1, 1]
