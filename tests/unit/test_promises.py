"""The README's "What the reader promises": every promise names a test, and every named test exists."""

from __future__ import annotations

import re

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_promise_names_a_test_that_exists():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## What the reader promises"):]
    named = re.findall(r"`(tests/(?:unit/|tui/|system/)\w+\.py)::(\w+)`", section)
    assert len(named) >= 25
    for path, test in named:
        assert re.search(rf"^(async )?def {test}\(", (REPO / path).read_text(encoding="utf-8"), re.M), (path, test)
    for promise in re.findall(r"^- .*?(?=^- |^\*\*|\Z)", section, re.M | re.S):
        assert "`tests/" in promise, promise
