"""Size and shape limits: a 5 MB single-line summary, a 400-level nested list, a 100 MB digest, a library of
100,000 files, symlink loops, FIFOs and devices, files that vanish during the scan. No crash, no hang, memory
bounded; what is too long to show is shown cut with a visible marker and a warning, and kept whole in the data
(reader.core.limits)."""

from __future__ import annotations

import datetime
import json
import os
import time
import tracemalloc

import pytest

from hardening import NotificationLog, fast_scratch, probe_command, reader_command, remove, run_measured
from reader.cli import main
from reader.core import limits
from reader.core.library import Library
from reader.core.parse import read_file
from tui_support import build

# These tests measure (time, memory, the benchmarks' figures): on one xdist worker, one after another, so
# that two of them never measure at the same time (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("measure")

WORDS = "이 논문은 새로운 방법을 [제안](https://example.org)합니다. **굵게** and plain words "


def five_megabyte_day(folder, date="2024-05-02"):
    """A day whose top paper has one summary line of 5,000,000 characters (ending in a word to find)."""
    summary = (WORDS * (5_000_000 // len(WORDS) + 1))[: 5_000_000 - 12] + " FINDME-LAST"
    text = (f"## Daily Papers ({date})\n\n### [Huge Summary](https://arxiv.org/abs/2405.00001)\n\nVote: 99\n\n"
            f"- **What's New**: {summary}\n- **Limitations**: 짧은 한계.\n\n"
            f"### [Normal Paper](https://arxiv.org/abs/2405.00002)\n\nVote: 1\n\n- **What's New**: 보통 요약.\n")
    path = folder / f"{date}.md"
    path.write_text(text, encoding="utf-8")
    return path


def _detail_text(app) -> str:
    import io

    from rich.console import Console

    from reader.tui.widgets.detail import PaperDetail

    out = io.StringIO()
    Console(file=out, width=200, color_system=None, force_terminal=False).print(app.query_one(PaperDetail).renderable)
    return out.getvalue()


# -- a 5 MB single-line summary -------------------------------------------------------------------------------
async def test_a_five_megabyte_summary_is_shown_cut_with_a_marker_and_one_warning(tmp_path, monkeypatch):
    path = five_megabyte_day(tmp_path)
    log = NotificationLog(monkeypatch)
    app = build(paths=[path])
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert app.current_paper.arxiv_id == "2405.00001"
        text = _detail_text(app)
        cut_by = 5_000_000 - limits.SHOWN_SECTION_CHARS
        assert f"… (cut: {cut_by:,} more characters)" in text
        assert "FINDME-LAST" not in text and "짧은 한계" in text  # the section after it is still shown
        warnings = [m for m in log.messages if "longer than the reader shows" in m]
        assert len(warnings) == 1 and "What's New" in warnings[0] and "export" in warnings[0]
        start = time.perf_counter()
        for key in "jkjk":  # moving off and back is quick, and warns no more
            await pilot.press(key)
        assert time.perf_counter() - start < 5.0
        assert len([m for m in log.messages if "longer than the reader shows" in m]) == 1
        # nothing was dropped from the data: search finds the last word, export writes it all
        paper = app.library.get("2405.00001")
        assert len(paper.sections[0].markdown) == 5_000_000 and paper.sections[0].markdown.endswith("FINDME-LAST")
        assert [p.arxiv_id for p in app.library.search("findme-last")] == ["2405.00001"]


def test_showing_a_five_megabyte_summary_takes_bounded_time_and_memory(tmp_path):
    from rich.console import Console

    from reader.tui.widgets.detail import render_paper

    paper = read_file(five_megabyte_day(tmp_path)).papers[0]
    console = Console(width=100, file=open(os.devnull, "w"), color_system="truecolor", force_terminal=True)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        lines = console.render_lines(render_paper(paper, read=False, starred=False, all_authors=True),
                                     console.options.update(width=100))
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 5.0  # uncut: 14 s and 670 MB
    assert peak < 60 * 1024 * 1024
    assert len(lines) < 2_000


def test_show_cuts_and_warns_export_and_search_keep_everything(tmp_path, capsys):
    path = five_megabyte_day(tmp_path)
    assert main(["show", "2405.00001", str(path)]) == 0
    out, err = capsys.readouterr()
    assert f"… (cut: {5_000_000 - limits.SHOWN_SECTION_CHARS:,} more characters)" in out and len(out) < 40_000
    assert "warning: 2405.00001 is longer than the reader shows" in err and len(err.splitlines()) == 1
    assert main(["export", str(path), "--format", "json"]) == 0
    papers = json.loads(capsys.readouterr().out)["papers"]
    assert len(papers[0]["sections"][0]["markdown"]) == 5_000_000
    assert main(["search", "FINDME-LAST", str(path)]) == 0
    assert "2405.00001" in capsys.readouterr().out


async def test_a_huge_title_and_author_list_are_cut_in_the_list_the_summary_and_the_chooser(tmp_path, monkeypatch):
    title = "긴 제목 " * 20_000  # 100,000 characters (citations of it take about a second: ~6 us a character)
    authors = ", ".join(f"Author Number{n}" for n in range(5_000))
    (tmp_path / "2024-05-03.md").write_text(
        f"## Daily Papers (2024-05-03)\n\n### [{title}](https://arxiv.org/abs/2405.00003)\n\nVote: 3\n\n"
        f"Authors: {authors}\n\n- **What's New**: 요약.\n", encoding="utf-8")
    log = NotificationLog(monkeypatch)
    app = build(paths=[tmp_path])
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        start = time.perf_counter()
        await pilot.press("a")  # every author
        text = _detail_text(app)
        assert "more characters)" in text and len(text) < 40_000
        assert "+4,000 more" in text
        await pilot.press("C")  # the citation chooser: a preview, cut; the copy is whole
        await pilot.pause()
        preview = str(app.screen.query_one("#cite-preview").render())
        assert "more characters) (copied whole)" in preview
        await pilot.press("enter")
        assert time.perf_counter() - start < 15.0
        assert any("longer than the reader shows" in m for m in log.messages)
        assert app.library.get("2405.00003").title == " ".join(title.split())


# -- nesting -----------------------------------------------------------------------------------------------------
async def test_a_400_level_nested_list_is_shown_whole_in_bounded_time(tmp_path):
    nested = "\n".join("  " * i + f"- level{i}" for i in range(400))
    quotes = ">" * 400 + " deepquote"
    (tmp_path / "2024-05-04.md").write_text(
        f"## Daily Papers (2024-05-04)\n\n### [Nested](https://arxiv.org/abs/2405.00004)\n\n"
        f"- **What's New**: 목록:\n{nested}\n- **Quotes**: {quotes}\n", encoding="utf-8")
    app = build(paths=[tmp_path])
    start = time.perf_counter()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        text = _detail_text(app)
        # 400 levels of two-space indents are 160,000 characters: shown up to the section limit, then cut
        assert "• level0\n  ◦ level1\n" in text and "level100" in text and "more characters)" in text
        assert "deepquote" in text  # 400 nested quotes: below the nesting cap they are shown flat
    assert time.perf_counter() - start < 20.0
    tokens = "\n".join(" " * i + "- " + str(i) for i in range(0, 800, 2))  # under the limit: all 400 shown
    from reader.tui.markdown import SectionText

    plain = SectionText(tokens).plain
    assert all(f" {i}" in plain for i in range(0, 800, 2))


def _deep_tokens(depth: int) -> list[dict]:
    """What a Markdown parser without its own nesting cap would give for `depth` nested lists."""
    node: list[dict] = [{"type": "paragraph", "children": [{"type": "text", "raw": f"bottom{depth}"}]}]
    for level in range(depth):
        inline = {"type": "emphasis", "children": [{"type": "text", "raw": f"e{level}"}]}
        for _ in range(level % 5):
            inline = {"type": "strong", "children": [inline]}
        node = [{"type": "list", "attrs": {"ordered": False}, "children": [
            {"type": "list_item", "children": [{"type": "block_text", "children": [inline]}, *node]}]}]
    return node


def test_the_renderers_cap_nesting_themselves_and_survive_a_parser_that_gives_up(monkeypatch):
    import reader.core.text as text_module
    import reader.tui.markdown as markdown_module

    deep = _deep_tokens(5_000)  # far deeper than Python's recursion limit
    monkeypatch.setattr(markdown_module, "markdown_ast", lambda: (lambda md: deep))
    monkeypatch.setattr(text_module, "markdown_ast", lambda: (lambda md: deep))
    section = markdown_module.SectionText("**ignored**")  # Markdown syntax: the parser path
    assert "bottom5000" in section.plain and "e0" in section.plain  # below the cap: flat, not dropped
    assert max(b.indent for b in section.blocks) < 4 * limits.MAX_MARKDOWN_DEPTH
    assert "bottom5000" in text_module.plain_text("ignored")

    def gives_up(md):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(markdown_module, "markdown_ast", lambda: gives_up)
    monkeypatch.setattr(text_module, "markdown_ast", lambda: gives_up)
    assert markdown_module.SectionText("- a\n  - b").plain == "- a\n  - b"
    assert text_module.plain_text("- a\n  - b") == "- a\n  - b"


# -- a 100 MB digest -----------------------------------------------------------------------------------------------
def _hundred_megabyte_digest(folder):
    block = "".join(f"### [Paper {n}](https://arxiv.org/abs/2405.{n:05d})\n\nVote: 1\n\n- **What's New**: "
                    f"{'요약 ' * 200}\n\n" for n in range(100))
    path = folder / "2024-05-01.md"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("## Daily Papers (2024-05-01)\n\n")
        while handle.tell() < 100 * 1024 * 1024:
            handle.write(block)
    return path


def test_a_100_megabyte_digest_is_skipped_with_a_warning_naming_it_in_bounded_memory(tmp_path):
    scratch = fast_scratch(tmp_path)
    try:
        big = _hundred_megabyte_digest(scratch)
        assert big.stat().st_size >= 100 * 1024 * 1024
        (scratch / "2024-05-02.md").write_text(
            "## Daily Papers (2024-05-02)\n\n### [Small](https://arxiv.org/abs/2405.09999)\n\n- 요약.\n",
            encoding="utf-8")
        run = run_measured(reader_command("dates", str(scratch)), env=dict(os.environ), timeout=60)
        assert run.code == 0 and run.out == "2024-05-02  1\n"
        assert str(big) in run.err and "skipped" in run.err and "16.0 MB" in run.err
        assert run.peak_mb < 150, run.peak_mb  # the file is never read into memory
        probe = run_measured(probe_command(scratch), env=dict(os.environ), timeout=60)
        assert probe.code == 0, probe.err
        shown = json.loads(probe.out)
        assert shown["shown"] == "2405.09999"
        assert any(str(big) in m and "skipped" in m for m in shown["notifications"])
        assert probe.peak_mb < 250, probe.peak_mb
    finally:
        remove(scratch)


# -- a library of 100,000 files ----------------------------------------------------------------------------------
def _hundred_thousand_files(root):
    """2,000 days of digests, 38,000 Markdown notes with no paper, 60,000 other files, in 100 folders."""
    def put(rel: str, data: bytes) -> None:
        fd = os.open(root / rel, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)

    for k in range(100):
        (root / f"d{k:03d}").mkdir()
    first = datetime.date(2019, 1, 1)
    for j in range(2_000):
        day = (first + datetime.timedelta(days=j)).isoformat()
        put(f"d{j % 100:03d}/{day}.md", f"## Daily Papers ({day})\n\n### [Paper {j}](https://arxiv.org/abs/2401.{j:05d})"
            f"\n\nVote: {j % 50}\n\n- **What's New**: 요약 {j}.\n".encode())
    for j in range(38_000):
        put(f"d{j % 100:03d}/note-{j}.md", b"# a note\n\nnothing to read here\n")
    for j in range(60_000):
        put(f"d{j % 100:03d}/image-{j}.png", b"\x89PNG\r\n")
    return (first + datetime.timedelta(days=1_999)).isoformat()


def test_a_library_folder_of_100000_files(tmp_path):
    scratch = fast_scratch(tmp_path)
    try:
        newest = _hundred_thousand_files(scratch)
        assert sum(len(files) for _, _, files in os.walk(scratch)) == 100_000
        env = dict(os.environ)
        run = run_measured(reader_command("dates", str(scratch)), env=env, timeout=120)
        assert run.code == 0 and len(run.out.splitlines()) == 2_000 and run.out.startswith(f"{newest}  1\n")
        assert run.peak_mb < 300, run.peak_mb
        probe = run_measured(probe_command(scratch), env=env, timeout=120)
        assert probe.code == 0, probe.err
        shown = json.loads(probe.out)
        assert shown["current"] == newest and shown["dates"] == 2_000
        assert shown["first_screen"] < 20, shown["first_screen"]  # it read 38,000 undated notes first
        assert probe.peak_mb < 400, probe.peak_mb
    finally:
        remove(scratch)


# -- links, loops, FIFOs, devices, files that vanish ---------------------------------------------------------------
def _odd_folder(root):
    (root / "2024-05-05.md").write_text(
        "## Daily Papers (2024-05-05)\n\n### [Fine](https://arxiv.org/abs/2405.00005)\n\n- 요약.\n", encoding="utf-8")
    (root / "sub").mkdir()
    os.symlink("..", root / "sub" / "up")  # a loop to an ancestor
    os.symlink(".", root / "here")  # a loop to itself
    os.symlink("self.md", root / "self.md")  # a link to itself (ELOOP)
    os.symlink("nowhere.md", root / "dangling.md")
    os.symlink("/dev/zero", root / "zero.md")  # endless
    os.symlink("/dev/null", root / "null.md")
    os.mkfifo(root / "fifo.md")  # blocks whoever opens it for reading
    (root / "folder.md").mkdir()
    return root


def test_symlink_loops_fifos_and_devices_never_hang_the_scan(tmp_path):
    (tmp_path / "odd").mkdir()
    root = _odd_folder(tmp_path / "odd")
    run = run_measured(reader_command("dates", str(root)), env=dict(os.environ), timeout=30)
    assert run.code == 0 and run.out == "2024-05-05  1\n", run.err
    # named on the command line, they are skipped with a warning naming them
    for name in ("fifo.md", "zero.md", "null.md", "folder.md"):
        run = run_measured(reader_command("dates", str(root / name), str(root / "2024-05-05.md")),
                           env=dict(os.environ), timeout=30)
        assert run.code == 0 and run.out == "2024-05-05  1\n", (name, run.err)
        if name != "folder.md":
            assert name in run.err and "not a regular file" in run.err
    run = run_measured(reader_command("dates", str(root / "self.md")), env=dict(os.environ), timeout=30)
    assert run.code == 1 and run.err.count("\n") == 1 and "self.md" in run.err


def test_files_that_vanish_during_the_scan_or_before_they_are_read(tmp_path, monkeypatch):
    import contextlib

    import reader.core.library as library_module

    for n in range(30):
        folder = tmp_path / f"f{n % 3}"
        folder.mkdir(exist_ok=True)
        (folder / f"2024-06-{n + 1:02d}.md").write_text(
            f"## Daily Papers (2024-06-{n + 1:02d})\n\n### [P{n}](https://arxiv.org/abs/2406.{n:05d})\n\n- 요약.\n",
            encoding="utf-8")
    real_scandir = os.scandir
    vanished: list[str] = []

    def scandir(path):  # each folder loses its first file and its first subfolder right after it is listed
        with real_scandir(path) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in [e for e in entries if e.name.endswith(".md")][:1] + [e for e in entries if e.is_dir()][:1]:
            if entry.is_dir():
                for name in os.listdir(entry.path):
                    os.unlink(os.path.join(entry.path, name))
                os.rmdir(entry.path)
            else:
                os.unlink(entry.path)
            vanished.append(entry.name)
        return contextlib.nullcontext(iter(entries))

    monkeypatch.setattr(library_module.os, "scandir", scandir)
    library = Library.open([tmp_path])
    monkeypatch.undo()
    assert vanished == ["f0", "2024-06-02.md", "2024-06-03.md"]
    # Discovery takes no stat per file (a file's identity comes from the listing), so the two files that
    # vanished right after their folder was listed are still found; reading them says they are gone.
    assert library.files == 20 and not library.warnings
    for path in sorted(tmp_path.rglob("*.md"))[:5]:  # and five vanish after the scan, before they are read
        path.unlink()
    library.load_all()
    assert len(library.dates()) == 13
    assert [w.message for w in library.warnings] == ["cannot read: No such file or directory"] * 7


async def test_the_reader_names_a_skipped_file_even_when_nothing_is_left_to_load(tmp_path, monkeypatch):
    (tmp_path / "2024-05-06.md").write_text(
        "## Daily Papers (2024-05-06)\n\n### [Fine](https://arxiv.org/abs/2405.00006)\n\n- 요약.\n", encoding="utf-8")
    os.mkfifo(tmp_path / "2024-05-07.md")  # the newest name: read first, and skipped
    log = NotificationLog(monkeypatch)
    app = build(paths=[tmp_path / "2024-05-07.md", tmp_path / "2024-05-06.md"])  # everything read before start
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert app.library.pending == 0 and app.current_paper.arxiv_id == "2405.00006"
    assert any("2024-05-07.md" in m and "not a regular file" in m for m in log.messages), log.messages
