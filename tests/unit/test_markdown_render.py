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


# -- the parser-free path for text with no Markdown syntax ---------------------------------------------------

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from reader.tui.markdown import _blocks, plain_blocks  # noqa: E402


def _shape(blocks) -> list:
    return [(b.indent, b.marker, b.text.plain, [(s.start, s.end, str(s.style)) for s in b.text.spans])
            for b in blocks]


def _parsed(markdown: str) -> list:
    from reader.core.text import markdown_ast

    blocks: list = []
    _blocks(markdown_ast()(markdown), 0, blocks, "cyan")
    return _shape(blocks)


_PIECES = st.sampled_from(
    list("ab 가나\n.,:;-+=#>|()0123456789!?'\"/%$@^{}*_`[]<>&~\\")
    + ["\t", "\r", "\xa0", "\u3000", "\x0b", "\x0c", "\x1b", "\x85", "\u2028", "    ", "  \n", "\n\n", "1. ",
       "- ", "# ", "모델은 ", "words "]
)
_TEXT = st.lists(_PIECES, max_size=40).map("".join)


@settings(max_examples=600, deadline=None)
@given(_TEXT)
@example("one line\nand its continuation\n\n   next paragraph   \n")
@example("2024년 1.5배 빨라진 모델 - 결과는 A/B 테스트 (p=0.01)")
@example("a\n---")
@example("a\n===")
@example("a\u3000\nb\xa0")
def test_the_parser_free_path_gives_exactly_what_the_parser_gives(markdown):
    fast = plain_blocks(markdown)
    if fast is not None:
        assert _shape(fast) == _parsed(markdown)


def test_the_parser_free_path_matches_the_parser_over_the_archive(corpus):
    from reader.core.library import Library

    library = Library.open([corpus]).load_all()
    taken = 0
    for paper in library.papers():
        for section in paper.sections:
            fast = plain_blocks(section.markdown)
            if fast is not None:
                taken += 1
                assert _shape(fast) == _parsed(section.markdown), (paper.arxiv_id, section.name)
    assert taken > 4000  # most sections take it (5,809 of 7,247 when written)


def test_markdown_still_goes_through_the_parser():
    assert plain_blocks("**bold** and `code`") is None
    assert plain_blocks("- a list") is None and plain_blocks("1. one") is None
    assert plain_blocks("a [link](https://x)") is None and plain_blocks("    code") is None
    assert plain_blocks("plain words\nover two lines") is not None
