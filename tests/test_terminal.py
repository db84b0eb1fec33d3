"""The real app in a real terminal (tmux): what only shows there."""

from __future__ import annotations

import sys

from terminal import Terminal


def reader(*args: str) -> list[str]:
    return [sys.executable, "-m", "reader", *args]


def test_first_screen_shows_the_whole_summary_at_120_columns(corpus):
    # A title exactly as wide as the pane once left the summary one line tall in a real terminal only.
    with Terminal(reader(str(corpus / "2024" / "12" / "31.md")), size=(120, 35)) as term:
        screen = term.wait("arXiv 2412.18525")
        assert "Zero-shot Generalization" in screen and "What's New" in screen and "Technical Details" in screen
        term.keys("j")
        term.wait("arXiv 2412.20070")
        term.keys("k")
        screen = term.wait("arXiv 2412.18525")
        assert "What's New" in screen


def test_narrow_80x24_stacks_and_korean_titles_keep_alignment(fixtures):
    with Terminal(reader(str(fixtures / "hostile")), size=(80, 24)) as term:
        term.wait("arXiv 2409.00001")
        term.keys("G")
        screen = term.wait("arXiv 2409.00003")
        rows = [line for line in screen.splitlines() if line.startswith("│ ●")]
        assert len(rows) == 3
        from rich.cells import cell_len

        assert {cell_len(row) for row in rows} == {80}  # every row exactly as wide as the terminal
        assert "[@click=app.quit]x[/]" in screen and "[/]" in screen
        assert "정렬이" in screen and "…" in rows[2]


def test_copy_reaches_the_terminal_clipboard_by_osc52(fixtures):
    with Terminal(reader(str(fixtures / "votes_2023.md")), size=(120, 35)) as term:
        term.wait("arXiv 2312.00013")
        term.keys("y")
        import time

        end = time.monotonic() + 10
        while time.monotonic() < end and "https://arxiv.org/abs/2312.00013" not in term.clipboard():
            time.sleep(0.05)
        assert term.clipboard() == "https://arxiv.org/abs/2312.00013"
        term.keys("q")
        term.wait("[exited 0]")
