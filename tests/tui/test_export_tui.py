"""The palette's export in the reader (the rest of the export tests: tests/unit/test_export.py)."""

from __future__ import annotations

from test_export import (  # noqa: F401 - its fixtures and helpers
    Library,
    StateStore,
    _hostile_papers,
    _rendered,
)


async def test_the_palettes_markdown_export_is_the_same_safe_reading_list(tmp_path):
    from reader.tui.app import make_app
    from tui_support import FakeSystem

    state = StateStore.in_memory()
    for paper in _hostile_papers():
        state.set_starred(paper.arxiv_id, True)
    library = Library()
    from reader.core.parse import ParsedFile

    library.add(ParsedFile("hostile.md", _hostile_papers(), []))
    app = make_app(library, state, system=FakeSystem())
    async with app.run_test(size=(160, 45)):
        written = app.export_starred("markdown", folder=tmp_path)
    tokens = _rendered(written.read_text(encoding="utf-8"))
    assert [t for t in tokens if t.type in ("html_inline", "html_block", "image")] == []
    assert all(str(t.attrGet("href")).startswith("https://") for t in tokens if t.type == "link_open")
