"""A paper's searchable text in the index's columns (store.py: search(title, ident, authors, body, keys)).

title, ident (the arXiv id), authors and body (each section's name and text, one per line) are the folded
text search compares (reader.core.text.search_text), cut where it has line breaks: joined again they are
that text exactly (folding never joins two lines). keys repeats what names the paper's subject: the
keywords of a Keywords section (Hugging Face's, in its days' digests) and the English terms the Korean
summaries give in parentheses ("확산 모델(diffusion models)"); bm25 weighs them above the summary, and
similar papers (reader.core.finding.vectors) takes them as terms of their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reader.core.lazy_re import lazy
from reader.core.text import fold

KEYWORDS_SECTION = "keywords"  # (folded) the section hf_digest writes Hugging Face's keywords in
_PARENS = lazy(r"\(([A-Za-z][^()\n]{1,80})\)")
_HANGUL = lazy(r"[\uac00-\ud7a3]")


def keywords(sections: Sequence[tuple[str, str]]) -> list[str]:
    """The keywords of the Keywords sections, each one as written (the digest escapes Markdown's
    characters with a backslash: dropped)."""
    found: list[str] = []
    for name, markdown in sections:
        if fold(name).strip() == KEYWORDS_SECTION:
            found.extend(k.strip() for k in markdown.replace("\\", "").split(",") if k.strip())
    return found


def parenthesised(sections: Sequence[tuple[str, str]]) -> list[str]:
    """The English terms the Korean sections give in parentheses (a term that starts with a Latin letter;
    "; CFG" and the like split off: "classifier-free guidance; CFG")."""
    found: list[str] = []
    for name, markdown in sections:
        if not _HANGUL.search(markdown):
            continue
        for inside in _PARENS.findall(markdown):
            found.extend(part.strip() for part in re.split(r"[;,]", inside) if part.strip())
    return found


def columns(title: str, arxiv_id: str, authors: Sequence[str], sections: Sequence[tuple[str, str]]) -> tuple:
    """(title, ident, authors, body, keys), each folded."""
    body: list[str] = []
    for name, markdown in sections:
        body.append(name)
        body.append(markdown)
    keys = keywords(sections) + parenthesised(sections)
    return (fold(title), fold(arxiv_id), fold(" ".join(authors)), fold("\n".join(body)), fold("\n".join(keys)))


def joined(title: str, ident: str, authors: str, body: str) -> str:
    """search_text's text from the columns."""
    return f"{title}\n{ident}\n{authors}\n{body}" if body else f"{title}\n{ident}\n{authors}"
