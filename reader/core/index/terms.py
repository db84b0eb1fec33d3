"""How a search word is found in SQL, exactly as `word in folded_text` finds it in memory.

Every word is folded already (reader.core.library.search_terms) and holds no whitespace, so it is found
within the folded text of a paper (reader.core.text.search_text) or not at all:

- 3 characters or more: the `search` table (FTS5's trigram tokenizer, case-sensitive over folded text) as a
  phrase, which is substring matching;
- 1 or 2 characters, all of them non-ASCII (a Korean word of one or two syllables: 칩, 모델, 토큰) or all
  ASCII letters and digits (`ai`, `3d`, `x`): the `grams` table, which holds each pair of adjacent
  characters of one kind (and the last of a run alone) as a token (FTS5's ascii tokenizer keeps every
  non-ASCII character and every ASCII letter and digit in a token, so a token is exactly that text): two
  characters are a token, one character the prefix of one;
- 1 or 2 characters of other kinds (`c#`, `a토`): instr() over the stored folded text of the rows the other
  words leave (every newest row when there is no other word: the one search that reads them all).
"""

from __future__ import annotations

from reader.core.lazy_re import lazy

TEXT = ("s.title || char(10) || s.ident || char(10) || s.authors || "
        "CASE WHEN s.body = '' THEN '' ELSE char(10) || s.body END")  # a row's folded text (fields.joined)

_RUN_AT = lazy(r"(?=([^\x00-\x7f]{1,2}|[a-z0-9]{1,2}))")
_GRAM = lazy(r"[^\x00-\x7f]{1,2}|[a-z0-9]{1,2}")


def grams(text: str) -> str:
    """The grams table's tokens for a folded text: at each non-ASCII character, it and the next one when
    that is not ASCII either (the last of a run alone); the same for ASCII letters and digits. A word of two such characters is then a token, and
    one of a single character the start of one (a prefix query). In text order: the same text always gives
    the same string, which deleting a row from a contentless table needs; FTS5 keeps a token once a row."""
    return " ".join(_RUN_AT.findall(text))


def quoted(term: str) -> str:
    """An FTS5 string: the word as one phrase, whatever it holds."""
    return '"' + term.replace('"', '""') + '"'


def usable(term: str) -> bool:
    """A word SQLite can be given: one that is not valid Unicode (a command-line argument's undecodable
    bytes) or holds NUL is in no folded text, in memory or in the index."""
    if "\0" in term:
        return False
    try:
        term.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Query:
    """A search's words sorted by how SQL finds them; `match`/`grams` are FTS5 query strings (or None)."""

    __slots__ = ("match", "grams", "scan", "phrases", "gram_phrases")

    def __init__(self, terms: list[str]) -> None:
        long = [t for t in terms if len(t) >= 3]
        short = [t for t in terms if len(t) < 3]
        wide = [t for t in short if _GRAM.fullmatch(t)]
        self.phrases = [quoted(t) for t in dict.fromkeys(long)]  # (the phrases of `match`, of `grams`)
        self.gram_phrases = [quoted(t) + ("*" if len(t) == 1 else "") for t in dict.fromkeys(wide)]
        self.match = " AND ".join(self.phrases) or None
        self.grams = " AND ".join(self.gram_phrases) or None
        self.scan = [t for t in dict.fromkeys(short) if t not in wide]

    def where(self) -> tuple[str, list[str]]:
        """The SQL condition on papers p (alias p) that a row must meet, and its parameters."""
        parts, params = [], []
        if self.match is not None:
            parts.append("p.id IN (SELECT rowid FROM search WHERE search MATCH ?)")
            params.append(self.match)
        if self.grams is not None:
            parts.append("p.id IN (SELECT rowid FROM grams WHERE grams MATCH ?)")
            params.append(self.grams)
        for term in self.scan:
            parts.append(f"instr((SELECT {TEXT} FROM search s WHERE s.rowid = p.id), ?) > 0")
            params.append(term)
        return " AND ".join(parts) or "1", params
