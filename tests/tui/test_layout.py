"""Whole titles: the panes' proportions follow the terminal's width, the summary keeps a comfortable measure and
the paper list takes the rest; the highlighted row shows its whole title, wrapped; Korean titles are cut by
cells; list_width in config.json widens the list."""

from __future__ import annotations

from rich.cells import cell_len

from reader.core.config import Config
from reader.core.library import Library
from reader.core.state import StateStore
from reader.tui.app import make_app
from reader.tui.widgets.papers import PaperList
from tui_support import FakeSystem

TITLE_60 = "Scaling Laws for Sparse Mixture of Experts in Vision Encoders"  # 60 characters
LONG = ("InfinityMATH: A Scalable Instruction Tuning Dataset in Programmatic Mathematical Reasoning for Large "
        "Language Models")
KOREAN = "한국어 제목이 아주 길어서 목록의 너비를 넘어가는 경우에도 정렬이 깨지지 않아야 합니다 (와이드 제목)"


def _app(tmp_path, config: Config | None = None, titles: list[str] | None = None):
    titles = titles or ["A short first paper", TITLE_60, LONG, KOREAN]
    lines = ["## Daily Papers (2024-08-15)", ""]
    for n, title in enumerate(titles):
        lines += [f"### [{title}](https://arxiv.org/abs/2408.{7000 + n:05d})", "", f"Vote: {20 - n}", "",
                  "Authors: Kim Minsu", "", "- **What's New**: 새로운 방법을 제안합니다.", ""]
    (tmp_path / "2024-08-15.md").write_text("\n".join(lines), encoding="utf-8")
    library = Library.open([tmp_path])
    library.load_all()
    return make_app(library, StateStore.in_memory(), system=FakeSystem(), config=config or Config(read_delay=60))


def _rows(app) -> list[str]:
    """The paper list's lines as the screen shows them (inside its border)."""
    papers = app.query_one(PaperList)
    region = papers.region
    strips = app.screen._compositor.render_strips()
    return [strips[y].crop(region.x + 1, region.right - 1).text for y in range(region.y + 1, region.bottom - 1)]


def _widths(app) -> tuple[int, int, int]:
    return tuple(app.query_one(name).region.width for name in ("#days", "#papers", "#detail"))


async def test_a_60_character_title_shows_whole_at_160_columns(tmp_path):
    app = _app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        rows = _rows(app)
        row = next(r for r in rows if "Scaling Laws" in r)
        assert TITLE_60 in row and "…" not in row
        assert app.query_one(PaperList).highlighted == 0  # not the highlighted row: every row shows it whole


async def test_the_summary_keeps_a_comfortable_measure_and_the_list_takes_the_rest(tmp_path):
    measured = {}
    for size in [(300, 50), (200, 50), (160, 45), (120, 35), (100, 30)]:
        app = _app(tmp_path)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            measured[size[0]] = _widths(app)
    for width, (days, papers, detail) in measured.items():
        assert days + papers + detail == width
        assert detail <= 96
        assert papers >= detail  # the list gets the larger share
    days = measured[300][0]
    assert measured[300][2] == 96 and measured[300][1] == 300 - days - 96  # the summary capped, the list the rest
    # The list grows with the terminal: more of each title shows.
    assert measured[100][1] < measured[120][1] < measured[160][1] < measured[200][1] < measured[300][1]


async def test_list_width_widens_the_list(tmp_path):
    app = _app(tmp_path, Config(read_delay=60, list_width=70))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        days, papers, detail = _widths(app)
        assert abs(papers - (160 - days) * 0.7) <= 1 and detail == 160 - days - papers
        wide = next(r for r in _rows(app) if "InfinityMATH" in r)
    default = _app(tmp_path)
    async with default.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert _widths(default)[1] < papers
        narrow = next(r for r in _rows(default) if "InfinityMATH" in r)
        assert len(wide.rstrip()) > len(narrow.rstrip())  # more of the title shows


async def test_the_highlighted_row_shows_its_whole_title_wrapped(tmp_path):
    app = _app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        rows = _rows(app)
        cut = next(r for r in rows if "InfinityMATH" in r)
        assert cut.rstrip().endswith("…")  # not highlighted: one line, cut
        await pilot.press("j", "j")  # to InfinityMATH
        await pilot.pause()
        rows = _rows(app)
        start = next(i for i, r in enumerate(rows) if "InfinityMATH" in r)
        shown = _title_lines(rows, start, rows[start].index("InfinityMATH"))
        assert len(shown) > 1 and " ".join(shown) == LONG  # every word, under the title's start
        assert "…" not in "".join(shown)
        assert any("한국어" in r for r in rows[start + len(shown):])  # the rows below moved down, all there
        await pilot.press("j")  # moving on: the row is one line again
        await pilot.pause()
        rows = _rows(app)
        assert next(r for r in rows if "InfinityMATH" in r).rstrip().endswith("…")
        assert not any(r.strip().startswith("Language Models") for r in rows)


def _title_lines(rows: list[str], start: int, indent: int) -> list[str]:
    """The lines of the row at rows[start] whose title starts at indent: its first line, and those under it."""
    shown = [rows[start][indent:].rstrip()]
    for row in rows[start + 1:]:
        if row[:indent].strip() or not row.strip():
            break
        shown.append(row[indent:].rstrip())
    return shown


async def test_korean_titles_are_cut_by_cells(tmp_path):
    app = _app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        inner = app.query_one(PaperList).region.width - 2
        row = next(r for r in _rows(app) if "한국어" in r)
        assert cell_len(row) == inner  # the row ends at the border, each Korean character two cells
        title = row[8:].rstrip()  # after the padding, "●", "★" and the votes
        assert title.endswith("…") and KOREAN.startswith(title[:-1].rstrip())
        assert cell_len(row.rstrip()) >= inner - 2  # cut where the row ends, not characters before it
        # Highlighted, the whole Korean title shows, wrapped by cells under its start.
        await pilot.press("G")
        await pilot.pause()
        rows = _rows(app)
        assert all(cell_len(r) == inner for r in rows)
        start = next(i for i, r in enumerate(rows) if "한국어" in r)
        lines = _title_lines(rows, start, 8)
        assert len(lines) > 1 and " ".join(lines) == KOREAN


async def test_a_long_list_scrolls_to_the_whole_highlighted_row(tmp_path):
    """More rows than the pane holds, most of them wrapping when highlighted: at each step down and up, the
    highlighted row's whole title is on the screen, and the rows stay in order."""
    titles = [f"Paper {n:02d} on Scaling Laws for Sparse Mixture of Experts in Very Large Vision Encoders end{n:02d}"
              for n in range(40)]
    app = _app(tmp_path, titles=titles)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        papers = app.query_one(PaperList)
        for step in [*["j"] * 39, *["k"] * 39]:
            await pilot.press(step)
            await pilot.pause()
            n = papers.highlighted
            text = "\n".join(_rows(app))
            assert f"Paper {n:02d} on" in text and f"end{n:02d}" in text, (n, text)
            numbers = [int(r.split("Paper ")[1][:2]) for r in _rows(app) if "Paper " in r]
            assert numbers == sorted(numbers) and len(numbers) == len(set(numbers))
        await pilot.press("G")
        await pilot.pause()
        assert "end39" in "\n".join(_rows(app))
        await pilot.press("g")
        await pilot.pause()
        assert "end00" in "\n".join(_rows(app))


async def test_the_row_the_cursor_leaves_is_drawn_as_not_highlighted(tmp_path):
    """Jumping from a short row to one that wraps: the row left behind loses the cursor's look at once."""
    app = _app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        papers = app.query_one(PaperList)
        top = papers.region.y + 1
        strips = app.screen._compositor.render_strips()
        cursor_bg = strips[top].crop(papers.region.x + 1, papers.region.right - 1)
        await pilot.press("G")  # the Korean row, which wraps
        await pilot.pause()
        strips = app.screen._compositor.render_strips()
        first = strips[top].crop(papers.region.x + 1, papers.region.right - 1)
        second = strips[top + 1].crop(papers.region.x + 1, papers.region.right - 1)
        # The first row now looks like the second (a plain row), not as it did under the cursor.
        background = {seg.style.bgcolor for seg in first if seg.style is not None}
        assert background == {seg.style.bgcolor for seg in second if seg.style is not None}
        assert background != {seg.style.bgcolor for seg in cursor_bg if seg.style is not None}
