"""import: digests into the library, one file per day, never doubled; anything else skipped with a warning."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest_factory import day_text, readme_text, write_day
from reader import paths as app_paths
from reader.cli import main
from reader.commands.common import open_library
from reader.core.opening import default_library_paths, sample_notice
from reader.sources.importer import ImportFailed, import_paths


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def library_files() -> list[str]:
    root = app_paths.library_dir()
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def downloads(tmp_path) -> Path:
    """A folder as a user might have one: two digests in two naming styles, a README, notes, a picture."""
    root = tmp_path / "downloads"
    write_day(root / "paper_logs", "2024-02-01", ["2402.00001", "2402.00002"])
    (root / "2024-02-02.md").write_text(day_text("2024-02-02", ["2402.00003"]), encoding="utf-8")
    (root / "README.md").write_text(readme_text("2024-02-02", ["2402.00003"]), encoding="utf-8")
    (root / "notes-2024-02-03.md").write_text("# my notes for 2024-02-03\n\nnothing here\n", encoding="utf-8")
    (root / "cover.png").write_bytes(b"\x89PNG\r\n")
    return root


def test_import_a_folder(capsys, downloads):
    assert default_library_paths()[1]
    code, out, err = run(capsys, "import", str(downloads))
    assert code == 0
    assert out.splitlines() == [
        f"added 2024-02-02  1 paper  ({downloads / '2024-02-02.md'})",  # ("1 papers" before issue 13)
        f"added 2024-02-01  2 papers  ({downloads / 'paper_logs/2024/02/01.md'})",
        "imported 2 new days (3 papers); 2 skipped",
    ]
    warnings = err.splitlines()
    assert len(warnings) == 2 and all(w.startswith("daily-papers: warning: ") for w in warnings)
    assert "README.md: not a digest (no date in its name" in warnings[0]
    assert "notes-2024-02-03.md: not a digest (no papers in it)" in warnings[1]
    assert library_files() == ["2024/02/01.md", "2024/02/02.md"]
    assert (app_paths.library_dir() / "2024/02/02.md").read_bytes() == (downloads / "2024-02-02.md").read_bytes()
    assert default_library_paths() == ([app_paths.library_dir()], False) and sample_notice() is None
    code, out, _ = run(capsys, "dates")
    assert out == "2024-02-02  1\n2024-02-01  2\n"


def test_importing_twice_adds_nothing(capsys, downloads):
    run(capsys, "import", str(downloads))
    before = {name: (app_paths.library_dir() / name).stat().st_mtime_ns for name in library_files()}
    code, out, _ = run(capsys, "import", str(downloads), str(downloads / "2024-02-02.md"))
    assert code == 0
    assert out == "imported 0 new days (0 papers); 2 already in the library; 2 skipped\n"
    assert {name: (app_paths.library_dir() / name).stat().st_mtime_ns for name in library_files()} == before


def test_one_file_per_day_whatever_the_names(tmp_path):
    a = tmp_path / "a" / "2024-02-01.md"
    b = tmp_path / "b" / "2024" / "02" / "01.md"
    for path in (a, b):
        path.parent.mkdir(parents=True)
        path.write_text(day_text("2024-02-01", ["2402.00001"]), encoding="utf-8")
    result = import_paths([a, b])
    assert [i.date for i in result.added] == ["2024-02-01"] and result.unchanged == ["2024-02-01"]
    assert library_files() == ["2024/02/01.md"]


def test_a_different_copy_of_a_day_is_kept_unless_replace(tmp_path, capsys):
    first = write_day(tmp_path / "one", "2024-02-01", ["2402.00001"])
    other = write_day(tmp_path / "two", "2024-02-01", ["2402.00001", "2402.00009"])
    import_paths([first])
    code, out, err = run(capsys, "import", str(other))
    assert code == 0 and out == "imported 0 new days (0 papers); 1 skipped\n"
    assert "the library already has a different copy of 2024-02-01" in err and "--replace" in err
    assert (app_paths.library_dir() / "2024/02/01.md").read_bytes() == first.read_bytes()
    code, out, err = run(capsys, "import", "--replace", str(other))
    assert out.splitlines()[0].startswith("replaced 2024-02-01  2 papers")
    assert out.splitlines()[1] == "imported 0 new days (0 papers); replaced 1"
    assert (app_paths.library_dir() / "2024/02/01.md").read_bytes() == other.read_bytes()
    assert len(open_library(None).day("2024-02-01")) == 2


def test_a_day_kept_under_another_name_is_not_doubled(tmp_path):
    library = app_paths.library_dir()
    library.mkdir(parents=True)
    (library / "2024-02-01.md").write_text(day_text("2024-02-01", ["2402.00001"]), encoding="utf-8")
    newer = write_day(tmp_path / "new", "2024-02-01", ["2402.00001", "2402.00002"])
    assert import_paths([newer]).warnings  # kept
    result = import_paths([newer], replace=True)
    assert result.added[0].replaced
    assert library_files() == ["2024/02/01.md"]


def test_non_digest_files_given_by_name_are_skipped_with_a_warning(capsys, downloads):
    code, out, err = run(capsys, "import", str(downloads / "cover.png"), str(downloads / "README.md"))
    assert code == 0
    assert "cover.png: not a digest (not a .md file); skipped" in err
    assert "README.md: not a digest" in err
    assert out == "imported 0 new days (0 papers); 2 skipped\n"
    assert not app_paths.library_dir().exists() or library_files() == []


def test_a_missing_path_is_an_error_and_imports_nothing(capsys, downloads):
    code, out, err = run(capsys, "import", str(downloads), str(downloads / "nope.md"))
    assert code == 1 and out == ""
    assert err.strip().endswith("no such file or folder: " + str(downloads / "nope.md"))
    assert not app_paths.library_dir().exists()


def test_an_unwritable_library_is_one_line(tmp_path, capsys, downloads, user_dirs):
    (user_dirs["data"] / "daily-papers").write_text("a file where the data folder should be")
    code, out, err = run(capsys, "import", str(downloads))
    assert code == 1 and len(err.strip().splitlines()) == 1 and err.startswith("daily-papers: error: cannot ")
    with pytest.raises(ImportFailed):
        import_paths([downloads])


def test_imported_days_are_already_in_the_cache(downloads, monkeypatch):
    from reader.core import cache as cache_module

    import_paths([downloads])
    cache_module._shared.clear()  # a new process
    parsed = []
    monkeypatch.setattr(cache_module, "read_file", lambda path: parsed.append(path))
    assert len(open_library(None)) == 3 and parsed == []


def test_only_a_file_holding_the_days_papers_is_the_libraries_copy_of_it(tmp_path, capsys):
    """Notes and a README with a date in their name, a digest of another day under a day's name, notes in a
    day's very place, a file holding two days: none is the library's copy of a day, so import (and import
    --replace) never replaces, moves or deletes them; real copies are replaced, and a moved one is named."""
    library = app_paths.library_dir()
    mine = {
        "notes-2024-02-03.md": "# my notes for 2024-02-03\n\nread the third paper again\n",
        "README-2024-02-04.md": "# README (2024-02-04)\n\nhow I keep this folder\n",
        "2024-02-05.md": day_text("2024-02-06", ["2402.00061"]),  # named for the 5th, holds the 6th
        "2024/02/07.md": "my notes, in the day's very place\n",
        "2024-02-08.md": day_text("2024-02-08", ["2402.00081"]) + "\n" + day_text("2024-02-09", ["2402.00091"]),
    }
    for name, text in mine.items():
        (library / name).parent.mkdir(parents=True, exist_ok=True)
        (library / name).write_text(text, encoding="utf-8")
    moved = library / "2024-02-10.md"  # a real copy under another name: --replace moves the day to its place
    moved.write_text(day_text("2024-02-10", ["2402.00101"]), encoding="utf-8")
    downloads = tmp_path / "downloads"
    for day in ("2024-02-03", "2024-02-04", "2024-02-05", "2024-02-07", "2024-02-08", "2024-02-10"):
        write_day(downloads, day, [f"2402.{day[-2:]}001", f"2402.{day[-2:]}002"])
    for flags in ([], ["--replace"]):
        code, out, err = run(capsys, "import", *flags, str(downloads))
        assert code == 0, err
        for name, text in mine.items():  # every one of them untouched
            assert (library / name).read_text(encoding="utf-8") == text, name
    assert (library / "2024/02/03.md").is_file() and (library / "2024/02/04.md").is_file()
    assert (library / "2024/02/05.md").is_file()
    assert out.splitlines()[0] == (f"replaced 2024-02-10  2 papers  ({downloads / '2024/02/10.md'}; it replaces "
                                   f"{moved})")
    assert not moved.exists() and (library / "2024/02/10.md").read_bytes() == \
        (downloads / "2024/02/10.md").read_bytes()
    assert f"{library / '2024/02/07.md'} is in the day's place and is not a digest of 2024-02-07" in err
    assert f"{library / '2024-02-08.md'} holds other days too (2024-02-09)" in err
    assert sorted(open_library(None).dates()) == ["2024-02-03", "2024-02-04", "2024-02-05", "2024-02-06",
                                                  "2024-02-08", "2024-02-09", "2024-02-10"]


def test_a_day_that_is_a_link_in_the_library_is_replaced_through_it(tmp_path, capsys):
    library = app_paths.library_dir()
    kept = tmp_path / "elsewhere" / "01.md"
    kept.parent.mkdir()
    kept.write_text(day_text("2024-02-01", ["2402.00001"]), encoding="utf-8")
    (library / "2024" / "02").mkdir(parents=True)
    (library / "2024/02/01.md").symlink_to(kept)
    newer = write_day(tmp_path / "new", "2024-02-01", ["2402.00001", "2402.00002"])
    code, out, err = run(capsys, "import", "--replace", str(newer))
    assert code == 0 and out.startswith("replaced 2024-02-01  2 papers"), err
    assert os.readlink(library / "2024/02/01.md") == str(kept) and kept.read_bytes() == newer.read_bytes()
