"""Markdown -> plain text with mistune, for the terminal's `show`, search snippets and reading lists; the
folding that search compares text in."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from reader.core.limits import MAX_MARKDOWN_DEPTH

if TYPE_CHECKING:
    import mistune


def fold(text: str) -> str:
    """Text as search compares it: NFKC-normalised, then casefolded. Korean written decomposed (NFD, as
    macOS file names and PDF copies give it) matches the composed syllables, and full-width Latin and digits
    (typed with a Korean input method: 'ＬＬａＶＡ', '２４０８') match their ASCII letters."""
    if text.isascii():  # O(1) in CPython: nothing to normalise
        return text.casefold()
    return unicodedata.normalize("NFKC", text).casefold()


def search_text(title: str, arxiv_id: str, authors: "tuple[str, ...] | list[str]",
                sections: "tuple[tuple[str, str], ...] | list[tuple[str, str]]") -> str:
    """What search looks in for one paper, folded: its title, id, authors, each section's name and text
    (one per line: a search word never holds a line break, so no match spans two fields)."""
    parts = [title, arxiv_id, " ".join(authors)]
    for name, markdown in sections:
        parts.append(name)
        parts.append(markdown)
    return fold("\n".join(parts))


@lru_cache(maxsize=1)
def markdown_ast() -> "mistune.Markdown":
    """The one mistune parser (AST out) that both plain text here and the reader's summary pane use.
    mistune is imported here, on first use: the reader's first screen does without it when it can."""
    import mistune

    return mistune.create_markdown(renderer=None, plugins=["strikethrough"])


def flat_text(tok: Any) -> str:
    """A token's words with no structure (what is shown below the nesting cap); iterative, never recursive."""
    out: list[str] = []
    stack = [tok]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if item.get("type") in ("softbreak", "linebreak", "blank_line"):
                out.append(" ")
            elif "children" in item:
                stack.append(item["children"])
            elif isinstance(item.get("raw"), str):
                out.append(item["raw"])
    return " ".join("".join(out).split())


def _inline(tokens: list[dict[str, Any]], depth: int = 0) -> str:
    if depth > MAX_MARKDOWN_DEPTH:
        return flat_text(tokens)
    depth += 1
    out: list[str] = []
    for tok in tokens:
        kind = tok["type"]
        if kind in ("text", "codespan", "inline_html"):
            out.append(tok.get("raw", ""))
        elif kind in ("softbreak",):
            out.append(" ")
        elif kind == "linebreak":
            out.append("\n")
        elif kind == "image":
            out.append(_inline(tok.get("children", []), depth) or "")
        else:
            out.append(_inline(tok.get("children", []), depth))
    return "".join(out)


def _blocks(tokens: list[dict[str, Any]], indent: str, lines: list[str], depth: int = 0) -> None:
    if depth > MAX_MARKDOWN_DEPTH:
        lines.append(indent + flat_text(tokens))
        return
    depth += 1
    for tok in tokens:
        kind = tok["type"]
        if kind in ("paragraph", "block_text", "heading"):
            text = _inline(tok.get("children", []))
            lines.extend(indent + line for line in text.split("\n"))
        elif kind == "list":
            ordered = tok.get("attrs", {}).get("ordered", False)
            start = tok.get("attrs", {}).get("start", 1) or 1
            for number, item in enumerate(tok.get("children", []), start=start):
                bullet = f"{number}. " if ordered else "- "
                sub: list[str] = []
                _blocks(item.get("children", []), "", sub, depth)
                for i, line in enumerate(sub or [""]):
                    lines.append(indent + (bullet if i == 0 else " " * len(bullet)) + line)
        elif kind in ("block_code",):
            lines.extend(indent + line for line in tok.get("raw", "").rstrip("\n").split("\n"))
        elif kind == "block_quote":
            _blocks(tok.get("children", []), indent + "> ", lines, depth)
        elif kind == "thematic_break":
            lines.append(indent + "---")
        elif kind == "block_html":
            continue
        elif "children" in tok:
            _blocks(tok["children"], indent, lines, depth)


def plain_text(markdown: str) -> str:
    """Readable plain text: emphasis and links dropped to their words, lists kept as '- ' and '1. '."""
    lines: list[str] = []
    try:
        _blocks(markdown_ast()(markdown), "", lines)
    except Exception:  # noqa: BLE001 - RecursionError or a parser bug: the text as it is
        return markdown.strip("\n")
    return "\n".join(lines).strip("\n")


def first_sentence_line(markdown: str) -> str:
    """The first line of a section as plain text (a reading list's one-line summary)."""
    text = plain_text(markdown)
    return " ".join(text.split("\n", 1)[0].split()) if text else ""
