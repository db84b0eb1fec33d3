"""Section Markdown -> a light Rich renderable, through mistune's AST.

Rich's own Markdown builds a markdown-it parser and a tree of renderables per call (about 4 ms a paper
here); this builds plain Text blocks once and wraps them at render time with hanging indents for list
items (about 1 ms), which keeps a cursor move within a frame. Digest text only ever becomes Text content:
never console markup. Links keep their URL as an OSC 8 hyperlink.

Nesting is capped (reader.core.limits.MAX_MARKDOWN_DEPTH): below that depth a list, quote or emphasis is
shown as flat text, and a parser that gives up (RecursionError, any other error) leaves the section shown as
its plain text, never a crash.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from reader.core.limits import MAX_MARKDOWN_DEPTH
from reader.core.sanitize import clean, clean_line
from reader.core.text import flat_text, markdown_ast


class _Block:
    __slots__ = ("indent", "marker", "text")

    def __init__(self, indent: int, marker: str, text: Text) -> None:
        self.indent, self.marker, self.text = indent, marker, text


_BOLD = Style(bold=True)
_ITALIC = Style(italic=True)
_STRIKE = Style(strike=True)
_DIM = Style(dim=True)  # the quiet parts (a list marker, an image's text) unless the reader gives its muted colour


def _inline(tokens: list[dict[str, Any]], out: Text, style: Style, link_color: str, depth: int = 0,
            muted: Style = _DIM) -> None:
    if depth > MAX_MARKDOWN_DEPTH:
        out.append(clean(flat_text(tokens)), style)
        return
    depth += 1
    for tok in tokens:
        kind = tok["type"]
        if kind == "text":  # clean() again: a character reference must not bring a control character back
            out.append(clean(tok.get("raw", "")), style)
        elif kind == "strong":
            _inline(tok.get("children", []), out, style + _BOLD, link_color, depth, muted)
        elif kind == "emphasis":
            _inline(tok.get("children", []), out, style + _ITALIC, link_color, depth, muted)
        elif kind == "strikethrough":
            _inline(tok.get("children", []), out, style + _STRIKE, link_color, depth, muted)
        elif kind == "codespan":
            out.append(clean(tok.get("raw", "")), style + Style(reverse=False, bold=True, dim=False))
        elif kind == "link":
            url = clean_line(tok.get("attrs", {}).get("url", ""))
            if not url.lower().startswith(("https://", "http://")):
                url = ""  # file:, javascript:, ... a click in the terminal must not open those: shown as text
            link_style = style + Style(color=link_color, underline=True, link=url or None)
            _inline(tok.get("children", []), out, link_style, link_color, depth, muted)
        elif kind == "image":
            alt = Text()
            _inline(tok.get("children", []), alt, style, link_color, depth, muted)
            out.append(f"[image: {alt.plain or 'no description'}]", style + muted)
        elif kind == "softbreak":
            out.append(" ", style)
        elif kind == "linebreak":
            out.append("\n", style)
        elif kind == "inline_html":
            out.append(clean(tok.get("raw", "")), style + muted)
        elif "children" in tok:
            _inline(tok["children"], out, style, link_color, depth, muted)
        elif "raw" in tok:
            out.append(clean(str(tok["raw"])), style)


def _blocks(tokens: list[dict[str, Any]], indent: int, blocks: list[_Block], link_color: str, marker: str = "",
            depth: int = 0, muted: Style = _DIM) -> None:
    """marker (a list bullet) goes before the first block; the blocks after it hang under its text."""
    if depth > MAX_MARKDOWN_DEPTH:
        blocks.append(_Block(indent, marker, Text(clean(flat_text(tokens)))))
        return
    depth += 1
    inner = indent + len(marker)
    first = True
    for tok in tokens:
        kind = tok["type"]
        mark, at = (marker, indent) if first else ("", inner)
        if kind in ("paragraph", "block_text", "heading"):
            text = Text()
            _inline(tok.get("children", []), text, _BOLD if kind == "heading" else Style(), link_color, 0, muted)
            blocks.append(_Block(at, mark, text))
        elif kind == "list":
            if mark:  # a list that opens a list item: the item's own marker gets its line
                blocks.append(_Block(at, mark, Text()))
            ordered = tok.get("attrs", {}).get("ordered", False)
            number = tok.get("attrs", {}).get("start", 1) or 1
            for item in tok.get("children", []):
                bullet = f"{number}. " if ordered else ("• " if inner == 0 else "◦ ")
                _blocks(item.get("children", []), inner, blocks, link_color, bullet, depth, muted)
                number += 1
        elif kind == "block_code":
            blocks.append(_Block(at, mark, Text(clean(tok.get("raw", "")).rstrip("\n"), style="bold")))
        elif kind == "block_quote":
            _blocks(tok.get("children", []), at, blocks, link_color, mark or "│ ", depth, muted)
        elif kind == "thematic_break":
            blocks.append(_Block(at, mark, Text("───", style=muted)))
        elif kind in ("blank_line", "block_html"):
            continue
        elif "children" in tok:
            _blocks(tok["children"], at, blocks, link_color, mark, depth, muted)
        else:
            continue
        first = False


# Anything that can make Markdown of a text: emphasis, code, links, HTML, character references, escapes,
# strikethrough; a line opening a list, heading, quote, table or setext underline; an indented code block; a
# hard line break; any whitespace but the space and the newline (tabs, no-break and ideographic spaces, which
# the parser trims in its own way) and any control character. A text with none of these is paragraphs of
# words (80% of the archive's sections), and the parser would only join each paragraph's lines with spaces.
_MARKDOWN_SYNTAX = re.compile(
    r"[\\`*_\[\]<>&~]|^ *(?:[-+=#>|]|[0-9]+[.)])|^ {4}| {2,}$|[^\S \n]|[\x00-\x09\x0b-\x1f\x7f-\x9f]", re.M
)


def plain_blocks(markdown: str) -> list[_Block] | None:
    """The blocks of a text with no Markdown syntax, without the parser (exactly what it gives: the tests
    compare both over the whole archive and over generated text); None when the text needs the parser."""
    if _MARKDOWN_SYNTAX.search(markdown):
        return None
    blocks: list[_Block] = []
    paragraph: list[str] = []
    for line in markdown.split("\n"):
        words = line.strip(" ")
        if words:
            paragraph.append(words)
        elif paragraph:
            blocks.append(_Block(0, "", Text(clean(" ".join(paragraph)))))
            paragraph = []
    if paragraph:
        blocks.append(_Block(0, "", Text(clean(" ".join(paragraph)))))
    return blocks


class SectionText:
    """A rendered section: blocks of Text wrapped to the width with hanging indents."""

    def __init__(self, markdown: str, link_color: str = "cyan", muted: Style = _DIM) -> None:
        """link_color: links; muted: list markers and the quiet parts (the reader's colours: reader.tui.palette)."""
        self.muted = muted
        plain = plain_blocks(markdown)
        if plain is not None:  # no parser needed (nor imported: the first screen is faster without it)
            self.blocks = plain
            return
        self.blocks = []
        try:
            _blocks(markdown_ast()(markdown), 0, self.blocks, link_color, muted=muted)
        except Exception:  # noqa: BLE001 - RecursionError or a parser bug: the words, unformatted
            self.blocks = [_Block(0, "", Text(line)) for line in clean(markdown).split("\n")]

    @property
    def plain(self) -> str:
        return "\n".join(" " * b.indent + b.marker + b.text.plain for b in self.blocks)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        new_line = Segment.line()
        for block in self.blocks:
            lead = block.indent + len(block.marker)
            inner = max(8, width - lead)
            lines = block.text.wrap(console, inner, overflow="fold") if block.text.plain else [Text()]
            for i, line in enumerate(lines):
                prefix = " " * block.indent + (block.marker if i == 0 else " " * len(block.marker))
                if prefix:
                    yield Segment(prefix, self.muted if block.marker and i == 0 else None)
                yield from line.render(console)
                yield new_line
