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
        # Highlighted, the Korean title shows whole, wrapped under itself: every line as wide as the terminal.
        lines = screen.splitlines()
        under = lines[lines.index(rows[2]) + 1]
        assert "정렬이" in rows[2] and "(Wide Korean Title)" in under and cell_len(under) == 80
        # Not highlighted, it is cut where the row ends (by cells), with "…".
        term.keys("k")
        screen = term.wait("arXiv 2409.00002")
        rows = [line for line in screen.splitlines() if line.startswith("│ ●")]
        assert {cell_len(row) for row in rows} == {80}
        assert "정렬이" in screen and "…" in rows[2]


def test_copy_reaches_the_terminal_clipboard_by_osc52(fixtures):
    with Terminal(reader(str(fixtures / "votes_2023.md")), size=(120, 35)) as term:
        term.wait("arXiv 2312.00013")
        term.keys("y")
        term.wait_clipboard()
        assert term.clipboard() == "https://arxiv.org/abs/2312.00013"
        term.keys("q")
        term.wait("[exited 0]")


def test_emoji_sequences_and_combining_marks_never_shift_a_border(tmp_path):
    # Textual and the terminal must agree on every character's width, or a row pushes its pane's border
    # aside (ZWJ emoji, variation selectors, skin tones, spacing marks: reader.core.sanitize).
    import unicodedata

    from rich.cells import cell_len

    titles = [
        "Family 👨\u200d👩\u200d👧\u200d👦 and 👩\u200d💻 at work",
        "Heart \u2764\ufe0f and star \u2b50\ufe0f with VS16",
        "Keycap 1\ufe0f\u20e3 and skin 👍🏽 tone",
        "Spacing marks क्षि and trigram \u2630 here",
        "Combining e\u0301\u0301 z\u0336a\u0336 and " + unicodedata.normalize("NFD", "한국어 제목"),
        "Tags \U000e0068\U000e0069 hidden \u2028 separator",
    ]
    lines = ["## Daily Papers (2024-09-02)", ""]
    for n, title in enumerate(titles, 1):
        lines += [f"### [{title}](https://arxiv.org/abs/2409.{n:05d})", "", f"Vote: {10 - n}", "",
                  "Authors: Kim Minsu", "", f"- **What's New**: {title} 요약.", ""]
    (tmp_path / "2024-09-02.md").write_text("\n".join(lines), encoding="utf-8")
    with Terminal(reader(str(tmp_path)), size=(160, 20)) as term:
        screen = term.wait("arXiv 2409.00001")
        for _ in titles[1:]:
            term.keys("j")
        screen = term.wait(f"arXiv 2409.{len(titles):05d}")
        rows = screen.splitlines()[:19]  # the panes (the footer is the last line)

        def borders(row: str) -> list[int]:
            return [cell_len(row[:i]) for i, char in enumerate(row) if char in "│╭╮╰╯"]

        assert rows[0].startswith("╭") and rows[-1].startswith("╰")
        expected = borders(rows[0])
        assert len(expected) == 6
        for row in rows:
            assert borders(row) == expected, f"a border moved:\n{screen}"
        assert "👨👩👧👦" in screen and "한국어 제목" in screen
