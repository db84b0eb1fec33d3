"""Bad command lines: unknown ids, malformed dates, unknown formats, paths that do not exist. Exit 2 (usage) or
1 (failure) with one line that says what to do, never a traceback; --debug or DAILY_PAPERS_DEBUG=1 shows the
traceback for a bug report."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reader.cli import main
from tui_support import FIXTURES

DAY = str(FIXTURES / "triple_2024.md")

# argv, exit code, what the one line must say (the problem, and what to do)
CASES = [
    (["show", "2401.99999", DAY], 1, ["no paper 2401.99999", "try: daily-papers search"]),
    (["cite", "2401.99999", DAY], 1, ["no paper 2401.99999", "try: daily-papers search"]),
    (["mark", "--star", "2401.99999", DAY], 1, ["not in the library: 2401.99999", "nothing was marked"]),
    (["show", "not-an-id", DAY], 2, ["is not an arXiv id", "like 2408.03326"]),
    (["list", "--date", "2024-13-40", DAY], 2, ["is not a date", "use YYYY-MM-DD"]),
    (["list", "--date", "yesterday", DAY], 2, ["is not a date", "use YYYY-MM-DD"]),
    (["export", "--date", "24-10-18", DAY], 2, ["is not a date", "use YYYY-MM-DD"]),
    (["list", "--date", "2020-01-01", DAY], 1, ["no digest for 2020-01-01", "nearest: 2024-10-18"]),
    (["export", "--format", "docx", DAY], 2, ["invalid choice: 'docx'", "choose from"]),
    (["cite", "2410.00031", "--format", "mla", DAY], 2, ["invalid choice: 'mla'", "choose from"]),
    (["dates", "/no/such/place"], 1, ["no such file or folder: /no/such/place", "see daily-papers --help"]),
    (["/no/such/place"], 1, ["no such file or folder: /no/such/place", "see daily-papers --help"]),
    (["frobnicate"], 1, ["no such file or folder: frobnicate", "or a command"]),
    (["import", "/no/such/place"], 1, ["no such file or folder: /no/such/place"]),
    (["state", "import", "/no/such/marks.json"], 1, ["cannot read /no/such/marks.json", "No such file"]),
    (["export", DAY, "-o", "/no/such/folder/out.json"], 1, ["there is no folder /no/such/folder", "create it first"]),
    (["state", "export", "-o", "/no/such/folder/marks.json"], 1, ["there is no folder", "create it first"]),
    (["list", "--starred", "--state", "/no/such/state.json", DAY], 1, ["no such state file", "daily-papers paths"]),
    (["export", "--starred", "--state", "/no/such/state.json", DAY], 1, ["no such state file", "daily-papers paths"]),
    (["state", "export", "--state", "/no/such/state.json"], 1, ["no such state file", "daily-papers paths"]),
    (["sync", "--source", "/no/such/repo"], 1, ["cannot fetch /no/such/repo", "the library is unchanged"]),
    (["list", "--frobnicate"], 2, ["unrecognized arguments: --frobnicate", "see: daily-papers"]),
    (["list", "--all", "--date", "2024-10-18", DAY], 2, ["not allowed with argument --all", "--help"]),
    (["mark", "2410.00031", DAY], 2, ["one of the arguments --read --unread --star --unstar is required"]),
    (["search"], 2, ["the following arguments are required: QUERY", "--help"]),
    (["summarize", "2401.00001", "--date", "2024-01-02"], 2, ["give arXiv ids or a range of days", "not both"]),
    (["summarize", "--date", "2024-01-02", "--since", "2024-01-01"], 2, ["--date is one day", "drop --since"]),
    (["summarize", "--since", "2026-08-05", "--until", "2026-08-01"], 2, ["--since 2026-08-05 is after --until"]),
    (["summarize", "--since", "soon"], 2, ["not a date: 'soon'", "use YYYY-MM-DD"]),
    (["summarize", "not-an-id"], 2, ["is not an arXiv id", "like 2408.03326"]),
    (["summarize", "2401.99999"], 1, ["no Hugging Face day in the library holds 2401.99999", "nothing was sent"]),
    (["--state"], 2, ["expected one argument", "--help"]),
]


@pytest.mark.parametrize("argv, code, says", CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_a_bad_command_line_is_one_line_that_says_what_to_do(capsys, argv, code, says):
    try:
        got = main(argv)
    except SystemExit as exc:
        got = exc.code
    out, err = capsys.readouterr()
    assert got == code, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("daily-papers") and "error:" in err
    for words in says:
        assert words in err, err
    assert not os.path.exists("/no/such")  # nothing was created on the way


@pytest.mark.parametrize("argv, code", [
    (["show", "2401.99999", DAY], 1), (["list", "--date", "2024-13-40", DAY], 2), (["/no/such/place"], 1),
    (["export", "--format", "docx", DAY], 2),
])
def test_the_real_process_prints_one_line_and_exits_with_its_code(argv, code):
    done = subprocess.run([sys.executable, "-m", "reader", *argv], capture_output=True, text=True,
                          env={**os.environ, "DAILY_PAPERS_DEBUG": ""})
    assert done.returncode == code and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


BOOM = ("import sys, reader.commands.reading as r\n"
        "def boom(*a, **k):\n    raise RuntimeError('kaboom')\n"
        "r.open_library = boom\nfrom reader.cli import main\nraise SystemExit(main(sys.argv[1:]))\n")


@pytest.mark.parametrize("how", ["plain", "--debug", "DAILY_PAPERS_DEBUG=1"])
def test_a_bug_is_one_line_unless_debug_asks_for_the_traceback(how):
    env = {**os.environ, "DAILY_PAPERS_DEBUG": "1" if how.startswith("DAILY") else ""}
    argv = (["--debug"] if how == "--debug" else []) + ["dates", DAY]
    done = subprocess.run([sys.executable, "-c", BOOM, *argv], capture_output=True, text=True, env=env)
    assert done.returncode == 1
    if how == "plain":
        assert done.stderr.splitlines() == [
            "daily-papers: internal error: RuntimeError: kaboom (run with --debug or DAILY_PAPERS_DEBUG=1 for "
            "details, and please report it)"]
    else:
        assert "Traceback (most recent call last)" in done.stderr and "RuntimeError: kaboom" in done.stderr


def test_debug_shows_the_traceback_of_a_user_error_too(capsys):
    from reader.errors import UserError

    with pytest.raises(UserError):
        main(["--debug", "show", "2401.99999", DAY])
