"""The reader's rough edges (issue 13, items 12-17): what the user types and sees is right, whatever the
moment (the archive still loading, a screen just opened), whatever the size of a day, and the reader's exit
code says how it ended."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from digest_factory import write_day
from hardening import screen_dump
from reader.tui.screens.search import SearchScreen
from reader.tui.widgets.days import DayList
from terminal import Terminal
from tui_support import FIXTURES, FakeSystem, build, row_texts, searched


async def test_a_day_of_a_thousand_papers_keeps_its_two_counts_apart(tmp_path):
    # "●1050 1200", never "●10501200": the unread count and the total run into each other once a count has
    # more digits than its column (100 unread already did).
    ids = [f"2401.{n:05d}" for n in range(1200)]
    write_day(tmp_path, "2024-01-02", ids)
    write_day(tmp_path, "2024-01-01", [f"2312.{n:05d}" for n in range(150)])
    app = build(paths=[tmp_path])
    app.state.update(ids[:150], read=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        rows = row_texts(app.query_one(DayList))
        # (each day's language, ko: its summaries are Korean, between the weekday and the counts)
        assert rows[2] == "2024-01-02 Tue ko ●1050 1200"
        assert rows[3] == "2024-01-01 Mon ko ●150 150"
        text, _ = screen_dump(app)
        assert "2024-01-02 Tue ko ●1050 1200" in text and "2024-01-01 Mon ko ●150 150" in text
        app.state.update(ids, read=True)
        app.view.draw_days()
        await pilot.pause()
        assert row_texts(app.query_one(DayList))[2] == "2024-01-02 Tue ko  ✓  1200"


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_stepping_past_the_days_read_so_far_says_the_rest_is_still_being_read(tmp_path):
    # [ at the only day read yet (the rest of the archive still loading) is not "no older day".
    for n, day in enumerate(["2023-11-20", "2023-12-06", "2024-12-31"]):
        write_day(tmp_path, day, [f"240{n + 1}.0000{n}"])
    app = build(paths=[tmp_path], lazy=True)
    load_rest = app._load_rest
    app._load_rest = lambda: None  # the archive is still being read while the keys come
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert app.current_key == "2024-12-31" and app.library.pending == 2
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert app.current_key == "2024-12-31"
        assert notices(app)[-1] == "Still reading the archive (2 files left): more days soon"
        assert not any("no older day" in m for m in notices(app))
        app.action_newer_day()  # ] at the newest day read so far: the same
        assert notices(app)[-1] == "Still reading the archive (2 files left): more days soon"
        load_rest()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("left_square_bracket")
        assert app.current_key == "2023-12-06"
        await pilot.press("left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert app.current_key == "2023-11-20" and notices(app)[-1] == "no older day"


async def test_y_copies_the_link_just_shown_and_says_which():
    # Over SSH o, p and h show the link instead of opening it, and say "y copies the link": y copies that one.
    app = build(system=FakeSystem(browser=False))
    async with app.run_test(size=(160, 45)) as pilot:
        app.show_day("2023-12-06")
        await pilot.pause()
        assert app.current_paper.arxiv_id == "2312.00013"
        await pilot.press("y")  # nothing shown yet: the arXiv page
        assert app.clipboard == "https://arxiv.org/abs/2312.00013"
        assert notices(app)[-1] == "Copied the arXiv link https://arxiv.org/abs/2312.00013 to the terminal (OSC 52)"
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "https://arxiv.org/pdf/2312.00013" in notices(app)[-1]
        await pilot.press("y")
        assert app.clipboard == "https://arxiv.org/pdf/2312.00013"
        assert notices(app)[-1] == "Copied the PDF link https://arxiv.org/pdf/2312.00013 to the terminal (OSC 52)"
        await pilot.press("h", "y")
        assert app.clipboard == "https://huggingface.co/papers/2312.00013"
        assert notices(app)[-1].startswith("Copied the Hugging Face link https://huggingface.co/papers/2312.00013")
        await pilot.press("o", "y")
        assert app.clipboard == "https://arxiv.org/abs/2312.00013"
        await pilot.press("p", "j", "y")  # another paper: its links were not shown, so its arXiv page
        assert app.current_paper.arxiv_id == "2312.00011"
        assert app.clipboard == "https://arxiv.org/abs/2312.00011"
        await pilot.press("k", "y")  # back again: what was shown before the move no longer counts
        assert app.clipboard == "https://arxiv.org/abs/2312.00013"


async def test_ctrl_c_says_how_to_quit_without_raw_markup_and_digest_text_never_becomes_markup():
    # Textual's own notice is written in its markup ("Press [b]ctrl+q[/b] to quit the app"): it reads as
    # text. The reader's notices quoting outside text (markup=False) show it as typed, tags and all.
    app = build()
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert notices(app)[-1] == "Press ctrl+q to quit the app"
        text, _ = screen_dump(app)
        assert "Press ctrl+q to quit the app" in text and "[b]" not in text
        app.notify("file [b]x[/b] [@click=app.quit]y[/]", markup=False)
        app.notify("[@click=app.quit]quit[/] [link='https://evil.example']z[/link]")  # markup at its default
        app.notify("a [/b] b")  # not valid markup: as typed
        await pilot.pause()
        assert notices(app)[-3:] == ["file [b]x[/b] [@click=app.quit]y[/]", "quit z", "a [/b] b"]
        text, _ = screen_dump(app)
        assert "file [b]x[/b] [@click=app.quit]y[/]" in text
        assert all(n.markup is False for n in app._notifications)  # Textual is never asked to read markup


async def test_search_opened_the_moment_the_archive_is_read_never_crashes(tmp_path):
    # The index worker's news (_library_changed) can land right after / pushed the search screen and before
    # Textual built it: it used to call the screen at once, which found no input box (NoMatches) and ended
    # the reader. Here it lands in exactly that moment, every time.
    for n, day in enumerate(["2023-11-20", "2023-12-06", "2024-12-31"]):
        write_day(tmp_path, day, [f"240{n + 1}.0000{n}"], title="Alpha")
    app = build(paths=[tmp_path], lazy=True)
    load_rest = app._load_rest
    app._load_rest = lambda: None
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        load_rest()  # the rest is read, merged and indexed; the news is held back for the chosen moment
        app._library_changed, news = (lambda: None), app._library_changed
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.library.pending == 0
        app.action_search()
        screen = app.screen_stack[-1]
        assert isinstance(screen, SearchScreen) and not screen.is_mounted  # pushed, not built yet
        news()
        await pilot.pause()
        assert app.screen is screen and app.is_running
        await pilot.press(*"alpha")
        await searched(pilot)
        assert {p.date for p in screen.results} == {"2023-11-20", "2023-12-06", "2024-12-31"}
        assert "still reading" not in str(screen.query_one("#search-count").render())
        await pilot.press("escape")
        await pilot.pause()
        news()  # the screen is gone: nothing to tell, nothing fails
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, SearchScreen)


def test_no_worker_calls_into_the_app_from_its_thread():
    # The mechanism behind the test above: a worker's result reaches the app through the app's own message
    # loop (ReaderApp._from_worker), and the app's news reaches a screen through the screen's loop. Never
    # App.call_from_thread, which runs the call at once on the event loop, whatever state the app or the
    # screen it reaches is in (just pushed and not built, or being taken apart as the reader quits).
    import ast
    from pathlib import Path

    import reader.tui

    calls = []
    for path in sorted(Path(reader.tui.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "call_from_thread":
                calls.append(f"{path.name}:{node.lineno}")
    assert calls == []


# A reader with a bug planted: where it fails, and how it is run (headless: no terminal needed; the process
# is real). The error quotes a control sequence, as an error quoting a digest or a file name can.
BUGGY_READER = """
import sys
from reader.core.library import Library
from reader.tui.app import ReaderApp

def boom(*args, **kwargs):
    raise RuntimeError("kaboom \\x1b]0;PWNED\\x07")

async def press_help(pilot):
    await pilot.press("question_mark")

where, headless = sys.argv[1], sys.argv[2] == "headless"
if where == "key":
    ReaderApp.action_help = boom
else:
    from reader.core.index.library import IndexedLibrary

    Library.parse_pending = boom  # the worker that reads the rest of the archive (without the index)
    IndexedLibrary.load_rest = boom  # ... or brings the library's index up to date (the reader's own start)
if headless:
    run = ReaderApp.run
    ReaderApp.run = lambda self, **kw: run(self, headless=True, auto_pilot=press_help if where == "key" else None)
from reader.cli import main
raise SystemExit(main(sys.argv[3:]))
"""


def run_buggy_reader(root, where: str, *args: str, debug_env: str = "") -> subprocess.CompletedProcess:
    for n, day in enumerate(["2024-01-02", "2024-01-03"]):  # the older day is read in the worker
        write_day(root, day, [f"2401.0000{n}"])
    env = {**os.environ, "DAILY_PAPERS_DEBUG": debug_env}
    return subprocess.run([sys.executable, "-c", BUGGY_READER, where, "headless", *args, str(root)],
                          capture_output=True, text=True, env=env, timeout=120)


ONE_LINE = ("daily-papers: internal error: RuntimeError: kaboom \\x1b]0;PWNED\\x07 (run with --debug or "
            "DAILY_PAPERS_DEBUG=1 for details, and please report it)")


@pytest.mark.parametrize("where", ["key", "worker"])
def test_an_error_that_ends_the_reader_exits_1_with_one_line(tmp_path, where):
    done = run_buggy_reader(tmp_path, where)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [ONE_LINE]  # no traceback, no raw control sequence
    assert "\x1b]0;PWNED" not in done.stdout


@pytest.mark.parametrize("how", ["--debug", "DAILY_PAPERS_DEBUG=1"])
def test_an_error_that_ends_the_reader_shows_its_traceback_when_debug_asks(tmp_path, how):
    done = run_buggy_reader(tmp_path, "worker", *(["--debug"] if how == "--debug" else []),
                            debug_env="1" if how.startswith("DAILY") else "")
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr and "RuntimeError: kaboom" in done.stderr
    assert "in boom" in done.stderr  # the traceback reaches where the error was raised


def test_an_error_that_ends_the_reader_in_a_real_terminal_leaves_one_line_and_exit_code_1():
    command = [sys.executable, "-c", BUGGY_READER, "key", "terminal", str(FIXTURES / "votes_2023.md")]
    with Terminal(command, size=(120, 35)) as term:
        term.wait("arXiv 2312.00013")
        term.keys("?")
        screen = term.wait("[exited 1]")
        assert "daily-papers: internal error: RuntimeError: kaboom \\x1b]0;PWNED\\x07 (run with --debug" in screen
        assert "Traceback" not in screen and "locals" not in screen
