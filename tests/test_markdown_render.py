"""Section Markdown rendered for the summary pane: lists with hanging indents, links, markup as text."""

from __future__ import annotations

import io

from rich.console import Console

from reader.tui.markdown import SectionText


def render(markdown: str, width: int = 40) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, force_terminal=False).print(SectionText(markdown))
    return out.getvalue()


def test_bullets_wrap_with_a_hanging_indent_and_korean_width():
    text = render("- 토크나이저 설명이 아주 길어서 줄이 바뀌어야 하는 경우를 봅니다.", width=30)
    lines = text.rstrip("\n").split("\n")
    assert lines[0].startswith("• 토크나이저")
    assert len(lines) > 1 and all(line.startswith("  ") and not line.startswith("   ") for line in lines[1:])
    from rich.cells import cell_len

    assert all(cell_len(line) <= 30 for line in lines)


def test_numbered_and_nested_lists_and_emphasis_dropped_to_words():
    text = render("intro **bold** text\n1. **Tokenizer**: one\n2. two\n    - nested", width=60)
    assert "intro bold text" in text and "**" not in text
    assert "1. Tokenizer: one" in text and "2. two" in text
    assert "   ◦ nested" in text


def test_markup_is_text_and_links_keep_their_url():
    section = SectionText("[@click=app.quit]x[/] [b]bold[/b] [site](https://example.org/a)")
    assert section.plain == "[@click=app.quit]x[/] [b]bold[/b] site"
    spans = [span for block in section.blocks for span in block.text.spans]
    assert any(getattr(span.style, "link", None) == "https://example.org/a" for span in spans)
