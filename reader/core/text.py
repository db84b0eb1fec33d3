"""Markdown -> plain text with mistune, for the terminal's `show`, search snippets and reading lists."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import mistune


@lru_cache(maxsize=1)
def _markdown() -> mistune.Markdown:
    return mistune.create_markdown(renderer=None, plugins=["strikethrough"])


def _inline(tokens: list[dict[str, Any]]) -> str:
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
            out.append(_inline(tok.get("children", [])) or "")
        else:
            out.append(_inline(tok.get("children", [])))
    return "".join(out)


def _blocks(tokens: list[dict[str, Any]], indent: str, lines: list[str]) -> None:
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
                _blocks(item.get("children", []), "", sub)
                for i, line in enumerate(sub or [""]):
                    lines.append(indent + (bullet if i == 0 else " " * len(bullet)) + line)
        elif kind in ("block_code",):
            lines.extend(indent + line for line in tok.get("raw", "").rstrip("\n").split("\n"))
        elif kind == "block_quote":
            _blocks(tok.get("children", []), indent + "> ", lines)
        elif kind == "thematic_break":
            lines.append(indent + "---")
        elif kind == "block_html":
            continue
        elif "children" in tok:
            _blocks(tok["children"], indent, lines)


def plain_text(markdown: str) -> str:
    """Readable plain text: emphasis and links dropped to their words, lists kept as '- ' and '1. '."""
    lines: list[str] = []
    _blocks(_markdown()(markdown), "", lines)
    return "\n".join(lines).strip("\n")


def first_sentence_line(markdown: str) -> str:
    """The first line of a section as plain text (a reading list's one-line summary)."""
    text = plain_text(markdown)
    return " ".join(text.split("\n", 1)[0].split()) if text else ""
