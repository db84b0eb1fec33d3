"""The command line: output, exit codes, one-line errors, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from reader.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_dates_default_library_is_the_bundled_sample(capsys):
    code, out, err = run(capsys, "dates")
    assert code == 0
    assert out == "2024-08-15  8\n2024-08-07  12\n"


def test_dates_over_fixtures(capsys, fixtures):
    code, out, _ = run(capsys, "dates", str(fixtures))
    lines = out.splitlines()
    assert lines[0] == "2024-12-31  1" and "2023-12-06  3" in lines and lines[-1] == "2023-11-20  2"


def test_list_newest_by_default_and_json(capsys, fixtures):
    code, out, _ = run(capsys, "list", str(fixtures), "--date", "2023-12-06")
    assert code == 0
    assert [line.split()[2] for line in out.splitlines()] == ["2312.00013", "2312.00011", "2312.00012"]
    assert out.splitlines()[2].split()[1] == "-"
    code, out, _ = run(capsys, "list", "--json")
    data = json.loads(out)
    assert [p["date"] for p in data] == ["2024-08-15"] * 8
    assert data[0]["votes"] >= data[-1]["votes"]
    code, out, _ = run(capsys, "list", "--all")
    assert len(out.splitlines()) == 20


def test_show_plain_text(capsys):
    code, out, _ = run(capsys, "show", "https://arxiv.org/abs/2408.03326v2")
    assert code == 0
    assert out.startswith("LLaVA-OneVision: Easy Visual Task Transfer\n")
    assert "https://arxiv.org/abs/2408.03326" in out and "Renrui Zhang" in out
    assert "## What's New" in out and "**" not in out


def test_search(capsys, fixtures):
    code, out, _ = run(capsys, "search", "LOVELACE", str(fixtures))
    assert code == 0 and sorted(line.split()[2] for line in out.splitlines()) == ["2312.00011", "2410.00031"]
    code, out, _ = run(capsys, "search", "토크나이저", str(fixtures), "--json")
    assert [p["arxiv_id"] for p in json.loads(out)] == ["2406.00021"]


def test_export_json_shape(capsys, fixtures):
    code, out, _ = run(capsys, "export", str(fixtures / "sections_2024.md"), "--format", "json")
    assert code == 0
    papers = json.loads(out)["papers"]
    assert set(papers[0]) == {"date", "arxiv_id", "title", "url", "pdf_url", "thumbnail", "votes", "authors", "sections"}
    assert papers[0]["sections"][0] == {"name": "What's New", "markdown": "새로운 점입니다."}


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["list", "--date", "2024-13-40"], 2, "is not a date"),
        (["list", "--date", "yesterday"], 2, "is not a date"),
        (["list", "--date", "2020-01-01"], 1, "no digest for 2020-01-01"),
        (["show", "not-an-id"], 2, "is not an arXiv id"),
        (["show", "2401.99999"], 1, "no paper 2401.99999"),
        (["export", "--format", "docx"], 2, "invalid choice"),
        (["dates", "/no/such/place"], 1, "no such file or folder"),
        (["list", "--frobnicate"], 2, "unrecognized arguments"),
    ],
)
def test_bad_command_lines_give_one_line(capsys, argv, code, message):
    with pytest.raises(SystemExit) if code == 2 else _nothing():
        got = main(argv)
        assert got == code
    out, err = capsys.readouterr()
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_warnings_go_to_stderr_and_exit_zero(capsys, tmp_path, fixtures):
    (tmp_path / "bad.md").write_bytes(b"\x00\x00binary")
    (tmp_path / "good.md").write_text((fixtures / "plain_2023.md").read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run(capsys, "dates", str(tmp_path))
    assert code == 0 and out == "2023-11-20  2\n"
    assert "bad.md" in err and "binary" in err


def test_every_subcommand_has_help(capsys):
    from reader.cli import build_parser

    _, commands = build_parser()
    assert {"dates", "list", "show", "search", "export"} <= commands
    for command in commands:
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage:" in capsys.readouterr().out


def test_internal_errors_are_one_line_unless_debug(capsys, monkeypatch):
    import reader.commands.reading as reading

    def boom(paths):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(reading, "open_library", boom)
    assert main(["dates"]) == 1
    err = capsys.readouterr().err
    assert "kaboom" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    with pytest.raises(RuntimeError):
        main(["--debug", "dates"])
    monkeypatch.setenv("DAILY_PAPERS_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["dates"])


def test_python_dash_m_reader(tmp_path):
    result = subprocess.run([sys.executable, "-m", "reader", "dates"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("2024-08-15  8")


def test_list_starred_and_unread_read_the_tuis_state(capsys, tmp_path):
    from reader.core.state import StateStore

    state_file = tmp_path / "state.json"
    store = StateStore(state_file)
    store.set_starred("2408.03326", True)
    store.set_read("2408.07246", True)
    store.close()
    code, out, _ = run(capsys, "list", "--starred", "--state", str(state_file))
    assert code == 0 and [line.split()[2] for line in out.splitlines()] == ["2408.03326"]
    code, out, _ = run(capsys, "list", "--unread", "--date", "2024-08-15", "--json", "--state", str(state_file))
    unread = [p["arxiv_id"] for p in json.loads(out)]
    assert len(unread) == 7 and "2408.07246" not in unread
    code, out, _ = run(capsys, "list", "--unread", "--state", str(state_file))
    assert len(out.splitlines()) == 19


def test_list_state_from_the_environment_and_the_default_location(capsys, tmp_path, monkeypatch, user_dirs):
    from reader import paths
    from reader.core.state import StateStore

    default = paths.state_path()
    assert str(default).startswith(str(user_dirs["data"]))
    store = StateStore(default)
    store.set_starred("2408.02718", True)
    store.close()
    code, out, _ = run(capsys, "list", "--starred")
    assert [line.split()[2] for line in out.splitlines()] == ["2408.02718"]
    monkeypatch.setenv("DAILY_PAPERS_STATE", str(tmp_path / "elsewhere.json"))
    code, out, _ = run(capsys, "list", "--starred")
    assert out == ""


def test_the_static_command_names_match_the_registered_subcommands():
    from reader.cli import COMMAND_MODULES, build_parser
    from reader.startup import COMMAND_NAMES

    _, registered = build_parser()
    assert registered == COMMAND_NAMES == set(COMMAND_MODULES)
    for name in COMMAND_NAMES:  # a command's parser alone: its module registers it
        _, alone = build_parser(name)
        assert name in alone and {COMMAND_MODULES[other] for other in alone} == {COMMAND_MODULES[name]}


def test_opening_the_reader_builds_no_subcommand_parser(monkeypatch):
    from reader import cli

    monkeypatch.setattr(cli, "build_parser", lambda: (_ for _ in ()).throw(AssertionError("built")))
    monkeypatch.setattr(cli, "run_tui", lambda args: 7)
    assert cli.main(["some/folder"]) == 7


def test_no_cyclic_gc_until_the_first_screen_then_it_is_back(monkeypatch, fixtures):
    # A full collection over Textual's freshly imported objects once landed in the middle of the first
    # frame: the reader starts with the collector off and turns it back on once the first screen is shown.
    import gc

    from reader.tui.app import ReaderApp

    seen: list[tuple[str, bool]] = []

    def run(self, *args, **kwargs):
        seen.append(("before the first screen", gc.isenabled()))
        self.on_first_screen()
        seen.append(("after", gc.isenabled()))
        frozen = gc.get_freeze_count()
        garbage = [[]]
        garbage[0].append(garbage)  # a cycle the parser might leave: collected, not frozen
        del garbage
        papers = [[n] for n in range(100)]  # what the worker read: kept
        self.on_library_loaded()  # the whole archive read: its papers are frozen out of later scans too
        seen.append(("library frozen", gc.get_freeze_count() >= frozen + len(papers)))

    monkeypatch.setattr(ReaderApp, "run", run)
    assert gc.isenabled()
    try:
        assert main([str(fixtures / "votes_2023.md")]) == 0
        assert seen == [("before the first screen", False), ("after", True), ("library frozen", True)]
        assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


@pytest.mark.parametrize("argv", [[], ["a"], ["a", "b/c"], ["--state", "s.json", "a"], ["a", "--state=s.json"],
                                  ["--debug", "a"], ["a", "--debug", "--state", "s.json", "b"]])
def test_the_usual_reader_command_lines_read_as_argparse_reads_them(argv):
    from reader import cli, startup

    simple = startup.simple_tui_args(argv)
    parsed = cli.build_tui_parser().parse_intermixed_args(argv)
    assert simple is not None
    assert (simple.paths, simple.state, simple.debug) == (parsed.paths, parsed.state, parsed.debug)


@pytest.mark.parametrize("argv", [["-x"], ["--state"], ["--state", "--debug"], ["--", "-odd-name"], ["--help"],
                                  ["--state", "a", "--state", "b"], ["--stat", "a"]])
def test_other_reader_command_lines_go_to_argparse(argv, capsys, monkeypatch):
    from reader import cli, startup

    assert startup.simple_tui_args(argv) is None
    monkeypatch.setattr(cli, "run_tui", lambda args: 0)
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code in (0, 2) and "Traceback" not in err
    assert code == 0 or err.count("\n") == 1


@pytest.mark.parametrize("argv", [["dates"], ["dates", "a", "b/c"], ["list"], ["list", "a"], ["--debug", "list", "a"],
                                  ["search", "word"], ["search", "two words", "a", "b"], ["search", "q", "--debug", "a"],
                                  ["search", "is:starred votes:>=3", "a"], ["search", "토큰"]])
def test_the_usual_command_lines_read_as_argparse_reads_them(argv):
    # dates, list and search read their usual command lines without argparse (reader.commands.reading.simple_args):
    # every attribute argparse would set, with the same value.
    from reader.cli import build_parser
    from reader.commands.reading import simple_args

    simple = simple_args(argv)
    parsed = build_parser(next(a for a in argv if a != "--debug"))[0].parse_args(argv)
    assert simple is not None
    assert vars(simple) == vars(parsed)


@pytest.mark.parametrize("argv", [["search"], ["search", "--all", "q"], ["search", "q", "--limit", "3"],
                                  ["search", "--", "-q"], ["search", ""], ["list", "--date", "latest"],
                                  ["list", "--json", "a"], ["list", "-h"], ["dates", "--hel"], ["show", "2408.03326"],
                                  ["list", "a", "--"], ["search", "-x"]])
def test_other_command_lines_go_to_argparse(argv):
    from reader.commands.reading import simple_args

    assert simple_args(argv) is None


def test_an_option_takes_the_command_line_to_argparse(capsys, fixtures):
    code, out, _ = run(capsys, "search", "LOVELACE", str(fixtures), "--limit", "1")
    assert code == 0 and len(out.splitlines()) == 1
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "LOVELACE", str(fixtures), "--limit", "0"])
    out, err = capsys.readouterr()
    assert exit_info.value.code == 2 and out == "" and "--limit: a whole number of 1 or more" in err


def test_the_reader_asks_textual_for_120_frames_a_second_unless_the_user_set_it(monkeypatch, fixtures):
    import gc

    from reader import cli, startup

    monkeypatch.delenv("TEXTUAL_FPS", raising=False)
    monkeypatch.setattr(cli, "run_tui", lambda args: (startup.prepare_tui_process(), 0)[1])
    try:
        assert cli.main([str(fixtures)]) == 0
        assert os.environ["TEXTUAL_FPS"] == "120"
        monkeypatch.setenv("TEXTUAL_FPS", "30")
        startup.prepare_tui_process()
        assert os.environ["TEXTUAL_FPS"] == "30"
    finally:
        gc.enable()


# -- finding (issue 19) ------------------------------------------------------------------------------------------
def test_search_ranks_sorts_limits_and_filters(capsys, tmp_path):
    from test_finding import paper_md, write

    root = tmp_path / "lib"
    write(root, "2024-08-01", [paper_md("2408.00001", "Quokka: a model", "작은 모델.", votes=5),
                               paper_md("2408.00002", "Other", "quokka quokka quokka 요약.", votes=50)])
    write(root, "2024-12-02", [paper_md("2412.00001", "Quokka returns", "모델.", votes=7)])
    listed = lambda out: [line.split()[2] for line in out.splitlines()]  # noqa: E731
    code, out, _ = run(capsys, "search", "quokka", str(root))
    assert code == 0 and listed(out) == ["2412.00001", "2408.00001", "2408.00002"]  # the title counts most
    assert listed(run(capsys, "search", "quokka", str(root), "--sort", "votes")[1]) == ["2408.00002", "2412.00001",
                                                                                       "2408.00001"]
    assert listed(run(capsys, "search", "quokka", str(root), "--sort", "date", "--limit", "1")[1]) == ["2412.00001"]
    assert listed(run(capsys, "search", "quokka votes:>=6 date:2024", str(root))[1]) == ["2412.00001", "2408.00002"]
    code, out, _ = run(capsys, "search", "--json", "quokka since:2024-09", str(root))
    assert [p["arxiv_id"] for p in json.loads(out)] == ["2412.00001"]


def test_search_prints_the_best_twenty_and_says_how_many_more_match(capsys, tmp_path):
    """Ranked results come best first, so a search prints the first 20 (a library grows every day: printing
    every match of a common word grows with it) and one line on stderr says how many more and how to see
    them; --all prints every match, --limit N as many as asked. The exit code stays 0."""
    from test_finding import paper_md, write

    root = tmp_path / "lib"
    write(root, "2024-08-01", [paper_md(f"2408.{n:05d}", f"Wombat {n}" if n % 5 == 0 else f"Paper {n}",
                                        "wombat 요약.", votes=n) for n in range(1, 26)])
    listed = lambda out: [line.split()[2] for line in out.splitlines()]  # noqa: E731
    code, out, err = run(capsys, "search", "wombat", str(root))
    titled = {f"2408.{n:05d}" for n in (25, 20, 15, 10, 5)}  # the title counts most
    assert code == 0 and len(listed(out)) == 20 and set(listed(out)[:5]) == titled
    assert err == "daily-papers: 20 of 25 papers shown, best first; --limit N or --all for more\n"
    code, out, err = run(capsys, "search", "wombat", str(root), "--all")
    assert code == 0 and len(listed(out)) == 25 and err == ""
    code, out, err = run(capsys, "search", "wombat", str(root), "--limit", "30", "--sort", "votes")
    assert code == 0 and len(listed(out)) == 25 and err == ""
    code, out, err = run(capsys, "search", "wombat", str(root), "--limit", "3", "--sort", "date")
    assert len(listed(out)) == 3 and "3 of 25 papers shown, newest first" in err
    code, out, err = run(capsys, "search", "--json", "wombat", str(root))
    assert len(json.loads(out)) == 20 and "20 of 25 papers shown" in err
    assert len(json.loads(run(capsys, "search", "--json", "--all", "wombat", str(root))[1])) == 25


@pytest.mark.parametrize("argv, says", [
    (["search", "quokka is:stared"], "is: takes starred or unread"),
    (["search", "tag:x"], "unknown filter 'tag:x'"),
    (["search", "quokka", "--sort", "title"], "invalid choice"),
    (["search", "quokka", "--limit", "0"], "a whole number of 1 or more"),
    (["search", "quokka", "--limit", "3", "--all"], "not allowed with"),
    (["similar", "2408.00001", "-n", "x"], "a whole number of 1 or more"),
])
def test_finding_with_bad_input_says_one_line_and_exits_2(capsys, tmp_path, argv, says):
    from test_finding import paper_md, write

    write(tmp_path / "lib", "2024-08-01", [paper_md("2408.00001", "Quokka", "요약.")])
    try:
        code, out, err = run(capsys, *argv, str(tmp_path / "lib"))
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
        out, err = capsys.readouterr()
    assert code == 2 and out == "" and says in err and len(err.strip().splitlines()) == 1


def test_similar_prints_the_papers_most_like_one_with_scores(capsys, tmp_path):
    from test_finding import paper_md, write

    root = tmp_path / "lib"
    write(root, "2025-05-20", [
        paper_md("2505.00001", "Policy optimization for reasoning", "Rewards.", keywords="reinforcement learning, GRPO"),
        paper_md("2505.00002", "Group relative rewards", "Optimization.", keywords="GRPO, reinforcement learning"),
        paper_md("2505.00003", "Texture synthesis", "Noise.", keywords="diffusion models"),
    ])
    code, out, _ = run(capsys, "similar", "2505.00001", str(root), "-n", "1")
    score, date, _votes, arxiv_id, *_ = out.split()
    assert code == 0 and len(out.splitlines()) == 1 and arxiv_id == "2505.00002" and 0 < float(score) <= 1
    code, out, _ = run(capsys, "similar", "2505.00001", str(root), "--json")
    found = json.loads(out)
    assert found[0]["arxiv_id"] == "2505.00002" and found[0]["score"] > 0
    code, _, err = run(capsys, "similar", "2505.09999", str(root))
    assert code == 1 and "no paper 2505.09999" in err


def test_a_command_finds_a_file_edited_in_place_and_says_its_warnings(capsys, tmp_path, monkeypatch):
    """The files are checked (one stat each, against the index's snapshot of them) beside the command's first
    question: a file edited in place since (its folder unchanged) is read again, its warnings said, and the
    answer is the edited file's."""
    import threading

    from digest_factory import write_day
    from reader.core.index import update

    root = tmp_path / "lib"
    paths = [write_day(root, f"2024-07-{d:02d}", [f"2407.000{d:02d}"], title="Before") for d in range(1, 4)]
    real = update.clock
    monkeypatch.setattr(update, "clock", lambda: real() + 60_000_000_000)  # (checked long after the writes)
    for _ in range(2):  # built, then found clean: the snapshot kept
        assert run(capsys, "dates", str(root))[0] == 0
    checked_in: list[str] = []
    real_unchanged = update.unchanged
    monkeypatch.setattr(update, "unchanged", lambda *a: checked_in.append(threading.current_thread().name)
                        or real_unchanged(*a))
    text = paths[1].read_text(encoding="utf-8").replace("Before", "Afters")
    with paths[1].open("w", encoding="utf-8") as out:  # (in place: the same file, its folder unchanged)
        out.write(text + "\n### [Elsewhere](https://example.org/x)\n- x\n")
    code, out, err = run(capsys, "search", "afters", str(root))
    assert code == 0 and [line.split()[2] for line in out.splitlines()] == ["2407.00002"]
    assert "paper link is not an arXiv link: 'https://example.org/x'; skipped" in err
    assert checked_in == ["index check"]
    code, out, err = run(capsys, "search", "before", str(root))
    assert [line.split()[2] for line in out.splitlines()] == ["2407.00003", "2407.00001"]
    assert err.count("paper link is not an arXiv link") == 1  # (the file's warnings, said by every command)


@pytest.mark.parametrize("date", [[], ["--date", "2024-01-01"]])
def test_list_over_a_library_of_no_digests_says_so(capsys, tmp_path, date):
    (tmp_path / "notes.md").write_text("# not a digest\n", encoding="utf-8")
    code, out, err = run(capsys, "list", str(tmp_path), *date)
    assert (code, out) == (1, "") and err.endswith("the library holds no digests\n")


def test_ctrl_c_while_the_command_line_is_still_imported_ends_quietly(monkeypatch, capsys):
    """(^C in the first tens of milliseconds, while Python imports the command line: exit 130, as during it,
    where a traceback was printed before.)"""
    import builtins

    import reader.__main__ as entry

    real = builtins.__import__

    def interrupted(name, *args, **kwargs):
        if name == "reader.cli":
            raise KeyboardInterrupt
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", interrupted)
    assert entry.main() == 130
    assert capsys.readouterr() == ("", "")
