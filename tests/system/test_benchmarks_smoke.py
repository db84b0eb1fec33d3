"""The benchmark suite in its smoke version: every figure is produced, so the suite never rots.

Only that the figures exist is checked here; goals are met (or not) in benchmarks/RESULTS.md, never in a
timed test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_benchmark_figure_is_produced(corpus):
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--smoke"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    table = result.stdout.split("| figure |")[-1]
    expected = [
        "first screen, tmux, 1x, warm", "first screen, headless, 1x, warm",
        "first screen, tmux, 1x, cold", "first screen, headless, 1x, cold",
        "cursor move: key received to the frame", "cursor move end to end", "search as you type", "toggle persisted (fsync'd)",
        "to JSON, warm cache", "peak RSS", "daily-papers dates over the archive",
        "daily-papers export over the archive", "first Hugging Face sync", "up-to-date Hugging Face sync",
        "summarize: 16 papers",
    ]
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    for name in expected:
        row = next((r for r in rows if name in r), None)
        assert row is not None, f"no figure {name!r} in:\n{table}"
        value = row.split("|")[2].strip().split()[0]
        assert float(value) > 0, row
