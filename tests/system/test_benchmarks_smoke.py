"""The benchmark suite in its smoke version: every figure is produced, so the suite never rots.

Only that the figures exist is checked here; goals are met (or not) in benchmarks/RESULTS.md, never in a
timed test.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# These tests measure (time, memory, the benchmarks' figures): on one xdist worker, one after another, so
# that two of them never measure at the same time (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("measure")


def part_of_the_archive(corpus: Path, folder: Path, every: int = 6) -> Path:
    """Every sixth day of the real archive, in its layout (YYYY/MM/DD.md): the same kinds of days, a sixth of
    the work (every figure is produced all the same; the figures themselves are benchmarks/run.py's own)."""
    days = sorted(corpus.rglob("*.md"))
    for day in {*days[::every], days[-1]}:  # and the newest day: the first screen's
        target = folder / day.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(day, target)
    return folder


def test_every_benchmark_figure_is_produced(corpus, tmp_path):
    archive = part_of_the_archive(corpus, tmp_path / "archive")
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--smoke", "--archive",
                             str(archive)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    table = result.stdout.split("| figure |")[-1]
    expected = [
        "first screen, tmux, 1x, warm", "first screen, headless, 1x, warm",
        "first screen, tmux, 1x, cold", "first screen, headless, 1x, cold",
        "cursor move: key received to the frame", "cursor move end to end", "search as you type", "toggle persisted (fsync'd)",
        "to JSON, warm cache", "peak RSS", "daily-papers dates over the archive",
        "daily-papers export over the archive", "first Hugging Face sync", "up-to-date Hugging Face sync",
        "summarize: 16 papers", "index built from nothing", "daily-papers list (newest day)",
        "daily-papers search transformer, 1x, index fresh", "vs grep -ri transformer",
        "transformer, 1x, its first search since the papers changed (its tier of the papers before carried over)",
        "transformer, 1x, its first search ever in the index (no tier",
        "daily-papers search --all transformer (every match printed)", "peak RSS, daily-papers list",
        "peak RSS, daily-papers search", "no PATH, auto_sync off", "no PATH, auto_sync on",
        "while K summarises a day", "first screen to the whole archive searched by /",
        "similar papers weighed before: m on 4 papers and For you", "similar papers weighed by its worker",
        "similar papers to weigh (its worker waits for the keys)",
    ]
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    for name in expected:
        row = next((r for r in rows if name in r), None)
        assert row is not None, f"no figure {name!r} in:\n{table}"
        value = row.split("|")[2].strip().split()[0]
        assert float(value) > 0, row


def test_the_ten_times_archive_is_distinct_papers_on_real_dates(tmp_path, corpus):
    """The benchmarks' bigger archives are the archive shifted: every copy's papers have ids of their own and
    every day is a real date, its file named for it (corpus.check holds the generator to it as it writes)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import corpus as generator
    from datetime import date

    from reader.core.library import Library

    folder = generator.scaled(3, tmp_path / "x3")
    archive = Library.open([corpus]).load_all()
    copies = Library.open([folder]).load_all()
    assert len(copies.ids()) == 3 * len(archive.ids()) and len(copies) == 3 * len(archive)
    assert len(copies.dates()) == 3 * len(archive.dates())
    for day in copies.dates():
        assert date.fromisoformat(day).isoformat() == day
    leap_days = [d for d in copies.dates() if d.endswith("-02-29")]
    assert all(int(d[:4]) % 4 == 0 and (int(d[:4]) % 100 or int(d[:4]) % 400 == 0) for d in leap_days)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.md"))
    assert [f"{f[:4]}-{f[5:7]}-{f[8:10]}" for f in files] == sorted(copies.dates())
