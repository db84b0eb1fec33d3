"""A few words of a summary around what a search found, and where the found words are (to highlight).

Offsets are into the text shown (the snippet, the title), so a screen can mark them without searching
again. Words are found as search finds them, folded (reader.core.text.fold), character by character: an
offset in the folded text maps back to the character it came from (casefolding may make one character
two: 'ß' -> 'ss').
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from reader.core.lazy_re import lazy
from reader.core.text import fold

WIDTH = 160  # characters of summary around the first match
LEAD = 16  # ... of which before it: the match stays in sight where a narrow list cuts the line (Korean is two
# cells a character: 80 columns show about 30 of them)
SKIPPED = ("keywords", "links")  # sections that are no summary (hf_digest's)
_LINK = lazy(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = lazy(r"\*+|_{2,}|`+|\\(?=[\\`*_\[\]<>|])")


def plain(markdown: str) -> str:
    """Markdown as one line of words, cheaply (links to their text, emphasis and escapes dropped)."""
    return " ".join(_MARKS.sub("", _LINK.sub(r"\1", markdown)).split())


def summary_text(sections: Sequence[tuple[str, str]]) -> str:
    """A paper's summary as one line: its sections' texts but keywords and links."""
    return " ".join(plain(markdown) for name, markdown in sections if fold(name).strip() not in SKIPPED)


def _folded(text: str) -> "tuple[str, Sequence[int]]":
    """The folded text and, for each of its characters, the index of the character it came from."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        # Normalising changes nothing, and casefolding makes each character one or more: as many characters
        # as before means each one is folded into one, in place (a Korean summary, almost always).
        folded = text.casefold()
        if len(folded) == len(text):
            return folded, range(len(text))
    return _slow(text)


def _slow(text: str) -> tuple[str, list[int]]:
    parts: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        f = fold(ch)
        parts.append(f)
        where.extend([i] * len(f))
    return "".join(parts), where


def spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Where each term is found in text (start, end), sorted, overlapping spans merged."""
    terms = [t for t in terms if t]
    if not terms or not text:
        return []
    folded, where = _folded(text)
    found = []
    for term in terms:
        start = folded.find(term)
        while start >= 0:
            end = start + len(term)
            found.append((where[start], where[end - 1] + 1))
            start = folded.find(term, end)
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(text: str, terms: Sequence[str], width: int = WIDTH) -> tuple[str, list[tuple[int, int]]]:
    """About `width` characters of text around the first found term (the start when none is found in it),
    cut at spaces, '…' where it was cut; with the spans of the terms found in it."""
    found = spans(text, terms)
    if len(text) <= width:
        return text, found
    first = found[0][0] if found else 0
    start = max(0, first - LEAD)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width // 2, end)
        end = space if space > 0 else end
    head = "…" if start else ""
    shown = head + text[start:end] + ("…" if end < len(text) else "")
    shift = len(head) - start
    inside = [(max(s, start) + shift, min(e, end) + shift) for s, e in found if s < end and e > start]
    return shown, inside
