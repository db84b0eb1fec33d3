"""The command line as people type it: options anywhere, grep's exit code for no match, a mistyped command
named, names shown with their newlines and control characters as visible escapes, counts in good English."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from digest_factory import day_text
from reader import cli
from reader.cli import main
from reader.core.words import count
from tui_support import FIXTURES

DAY = str(FIXTURES / "triple_2024.md")
OTHER = str(FIXTURES / "votes_2023.md")
ID = "2410.00031"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# -- 7. options anywhere ------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv, usual", [
    (["cite", ID, "--format", "apa", DAY], ["cite", ID, DAY, "--format", "apa"]),
    (["search", "star", "--json", DAY], ["search", "star", DAY, "--json"]),
    (["show", ID, DAY, "--debug"], ["show", ID, DAY]),
    (["export", DAY, "--format", "csv", OTHER], ["export", "--format", "csv", DAY, OTHER]),
    (["list", DAY, "--all", OTHER, "--json"], ["list", "--all", "--json", DAY, OTHER]),
    (["state", "export", "--debug"], ["state", "export"]),
])
def test_options_may_stand_anywhere(capsys, argv, usual):
    code, out, err = run(capsys, *argv)
    assert code == 0 and "error" not in err, err  # (cite and export may warn that an author order is unverified)
    assert (0, out, err) == run(capsys, *usual)


def test_a_double_dash_still_ends_the_options(capsys):
    assert run(capsys, "search", "--", "-zero", DAY) == (1, "", "daily-papers: no paper matches '-zero'\n")
    code, out, _ = run(capsys, "search", "--json", "--", "star", DAY)
    assert code == 0 and [p["arxiv_id"] for p in json.loads(out)] == ["2410.00031"]


def test_mark_takes_its_action_after_the_ids(capsys):
    code, out, err = run(capsys, "mark", ID, "--star", DAY)
    assert (code, out, err) == (0, "marked 1 paper starred\n", "")
    code, out, _ = run(capsys, "list", "--starred", DAY)
    assert out.split()[2] == ID


# -- 8. no match -----------------------------------------------------------------------------------------------
def test_a_search_with_no_match_says_so_on_stderr_and_exits_1(capsys):
    assert run(capsys, "search", "nothing-like-this", DAY) == (1, "", "daily-papers: no paper matches 'nothing-like-this'\n")
    code, out, err = run(capsys, "search", "--json", "nothing-like-this", DAY)
    assert (code, json.loads(out), err) == (1, [], "daily-papers: no paper matches 'nothing-like-this'\n")
    code, out, err = run(capsys, "search", "   ", DAY)
    assert code == 2 and "give the words to find" in err


def test_the_real_process_exits_1_for_no_match():
    done = subprocess.run([sys.executable, "-m", "reader", "search", "nothing-like-this", DAY], capture_output=True,
                          text=True)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "daily-papers: no paper matches 'nothing-like-this'\n"


# -- 9. a mistyped command -------------------------------------------------------------------------------------
@pytest.mark.parametrize("word, meant", [("lsit", "list"), ("serach", "search"), ("dats", "dates"), ("Export", "export"),
                                         ("stat", "state")])
def test_a_mistyped_command_is_named_with_what_was_meant(capsys, word, meant, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, word, "--all")
    assert code == 2 and out == ""
    assert err == (f"daily-papers: error: '{word}' is not a command, nor a file or folder: did you mean '{meant}'? "
                   "(see: daily-papers --help)\n")


def test_a_word_that_names_a_folder_here_or_no_command_at_all_is_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lsit").mkdir()
    assert cli.mistyped_command("lsit") is None  # a folder of that name: the reader opens it
    assert cli.mistyped_command("frobnicate") is None
    assert cli.mistyped_command("./lsit.md") is None
    assert cli.mistyped_command("serch") == "search"


# -- 10. names shown with their escapes ------------------------------------------------------------------------
NEWLINE_NAME = "bad\nname\t\x1b[2J.md"
SHOWN = "bad\\x0aname\\x09\\x1b[2J.md"


def test_a_file_name_with_a_newline_is_one_warning_line(capsys, tmp_path):
    (tmp_path / NEWLINE_NAME).write_bytes(b"\x00binary")
    (tmp_path / "2024-10-18.md").write_text(day_text("2024-10-18", ["2410.00001"]), encoding="utf-8")
    code, out, err = run(capsys, "dates", str(tmp_path))
    assert (code, out) == (0, "2024-10-18  1\n")
    (line,) = err.splitlines()
    assert line.startswith("daily-papers: warning: ") and SHOWN in line and "binary" in line


def test_names_the_commands_print_show_newlines_as_escapes(capsys, tmp_path, monkeypatch):
    digest = tmp_path / "in\nbox" / "2024-10-18.md"
    digest.parent.mkdir()
    digest.write_text(day_text("2024-10-18", ["2410.00001"]), encoding="utf-8")
    code, out, err = run(capsys, "import", str(digest))
    assert code == 0 and len(out.splitlines()) == 2 and "in\\x0abox" in out.splitlines()[0]

    target = tmp_path / "out\nput.json"
    code, out, err = run(capsys, "export", DAY, "-o", str(target))
    assert code == 0 and err == f"wrote 2 papers to {tmp_path}/out\\x0aput.json (json)\n"
    code, out, err = run(capsys, "state", "export", "-o", str(target))
    assert code == 0 and err == f"wrote 0 marks to {tmp_path}/out\\x0aput.json\n"
    code, out, err = run(capsys, "state", "import", str(target))
    assert code == 0 and out.startswith(f"imported {tmp_path}/out\\x0aput.json: 0 marks") and len(out.splitlines()) == 1

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "con\nfig"))
    code, out, err = run(capsys, "paths")
    lines = out.splitlines()
    assert len(lines) == 4 and lines[3] == f"config: {tmp_path}/con\\x0afig/daily-papers/config.json"


# -- 11. counts ------------------------------------------------------------------------------------------------
def test_count_says_one_and_many():
    assert [count(n, "paper") for n in (0, 1, 2, 1234)] == ["0 papers", "1 paper", "2 papers", "1,234 papers"]
    assert count(1, "new day") == "1 new day" and count(3, "entry", "entries") == "3 entries"


def test_counts_of_one_are_singular_in_every_command(capsys, tmp_path):
    one = tmp_path / "2024-10-18.md"
    one.write_text(day_text("2024-10-18", ["2410.00001"]), encoding="utf-8")
    code, out, err = run(capsys, "export", str(one), "-o", str(tmp_path / "one.bib"))
    assert err.splitlines() == [f"wrote 1 paper to {tmp_path / 'one.bib'} (bibtex)",
                                "daily-papers: note: 1 of 1 entry is unverified (author order from the archive): "
                                "run `daily-papers enrich --all`"]
    code, out, err = run(capsys, "import", str(one))
    assert out.splitlines() == [f"added 2024-10-18  1 paper  ({one})", "imported 1 new day (1 paper)"]
    run(capsys, "mark", "--star", "2410.00001")
    code, out, err = run(capsys, "state", "export", "-o", str(tmp_path / "marks.json"))
    assert err == f"wrote 1 mark to {tmp_path / 'marks.json'}\n"
    code, out, err = run(capsys, "state", "import", str(tmp_path / "marks.json"))
    assert out == f"imported {tmp_path / 'marks.json'}: 1 mark, 0 taken (newer), 1 kept as it was\n"


def test_the_cut_marker_counts_in_good_english():
    from reader.core.limits import marker

    assert marker(1) == "… (cut: 1 more character)" and marker(2, "section") == "… (cut: 2 more sections)"


async def test_counts_of_one_are_singular_in_the_reader(tmp_path):
    from reader.core.config import Config
    from reader.core.library import Library
    from reader.core.state import StateStore
    from reader.tui.app import make_app
    from reader.tui.screens.search import SearchScreen
    from reader.tui.widgets.papers import PaperList
    from tui_support import FakeSystem

    (tmp_path / "2024-10-18.md").write_text(day_text("2024-10-18", ["2410.00001"]), encoding="utf-8")
    (tmp_path / "2024-10-19.md").write_text(day_text("2024-10-19", ["2410.00002", "2410.00003"]), encoding="utf-8")
    library = Library.open([tmp_path]).load_all()
    app = make_app(library, StateStore.in_memory(), system=FakeSystem(), config=Config(read_delay=60))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("left_square_bracket")  # the older day: one paper
        assert app.query_one(PaperList).border_subtitle == "1 paper"
        await pilot.press("A")
        await pilot.press("z")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Marked 1 paper of 2024-10-18 read.") for m in messages), messages
        assert "Undone: 1 paper unread again." in messages
        await pilot.press("slash", *"2410.00001")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert str(screen.query_one("#search-count").render()).startswith("1 paper ·")
