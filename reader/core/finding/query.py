"""The search language, shared by the reader's `/` and `daily-papers search`.

    words "a quoted phrase" is:starred is:unread has:note votes:>=20 date:2024-12
    since:2025-01-01 until:2025-03 author:"Kaiming He" lang:ko

Words and phrases must all be found (folded as search folds text: reader.core.text.fold); filters narrow.
votes takes >=, >, <=, <, = (or a bare number: at least). date takes a year, a month or a day; since and
until take the same, since from its first day, until to its last. A filter that is not one of these, or a
value it cannot take, is a QueryError whose text is one line saying what is allowed.
"""

from __future__ import annotations

import re

from reader.core.lazy_re import lazy
from reader.core.sanitize import clean_line
from reader.core.text import fold

FILTERS = ('is:starred', 'is:unread', 'has:note', 'votes:>=N', 'date:YYYY[-MM[-DD]]', 'since:DATE', 'until:DATE',
           'author:"Name"', 'lang:ko|en')
ALLOWED = "filters: " + ", ".join(FILTERS)
SORTS = ("relevance", "date", "votes")

_TOKEN = lazy(r'(\S+?):"([^"]*)"?|"([^"]*)"?|(\S+)')
_FILTER = lazy(r"([A-Za-z]+):(.*)", re.S)  # a filter's name in any case (Has:Note)
_VOTES = lazy(r"(>=|<=|>|<|=)?([0-9]{1,9})")
_DATE = lazy(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_NAMES = ("is", "has", "votes", "date", "since", "until", "author", "lang")


class QueryError(ValueError):
    """A query the language does not allow: str() is one line saying what is."""


_FIELDS = ("words", "phrases", "starred", "unread", "noted", "votes", "since", "until", "authors", "lang")


class Query:
    """What a line of the search language asks for. (What @dataclass would make, written out: dataclasses and
    the inspect module it imports cost `daily-papers search` a tenth of its time.)"""

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value: as a dataclass

    def __init__(self, words: list[str] | None = None, phrases: list[str] | None = None, starred: bool = False,
                 unread: bool = False, noted: bool = False, votes: list[tuple[str, int]] | None = None,
                 since: str | None = None, until: str | None = None, authors: list[str] | None = None,
                 lang: str | None = None) -> None:
        self.words: list[str] = [] if words is None else words  # folded, each without whitespace
        self.phrases: list[str] = [] if phrases is None else phrases  # folded, whitespace collapsed to one space
        self.starred = starred
        self.unread = unread
        self.noted = noted
        self.votes: list[tuple[str, int]] = [] if votes is None else votes  # (operator, number)
        self.since = since  # YYYY-MM-DD, inclusive
        self.until = until  # YYYY-MM-DD, inclusive
        self.authors: list[str] = [] if authors is None else authors  # folded
        self.lang = lang  # "ko" or "en"

    def _value(self) -> tuple:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._value() == other._value()  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"Query({', '.join(f'{name}={getattr(self, name)!r}' for name in _FIELDS)})"

    @property
    def terms(self) -> list[str]:
        """Everything that must be found in the text: words, then phrases."""
        return [*self.words, *self.phrases]

    def empty(self) -> bool:
        """Nothing to find and nothing to filter by."""
        return self == Query()

    @property
    def needs_marks(self) -> bool:
        return self.starred or self.unread or self.noted


def _period(value: str, name: str) -> tuple[str, str]:
    """The first and last day of a year, a month or a day."""
    m = _DATE.fullmatch(value)
    if not m:
        raise QueryError(f"{name}: takes a date as YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}; {ALLOWED}")
    year, month, day = m.group(1), m.group(2), m.group(3)
    if month is None:
        return f"{year}-01-01", f"{year}-12-31"
    if not 1 <= int(month) <= 12:
        raise QueryError(f"{name}: {value!r} has no month {month}; {ALLOWED}")
    import calendar  # (and the locale module it imports: a query without a date does without)

    last = calendar.monthrange(int(year), int(month))[1]
    if day is None:
        return f"{year}-{month}-01", f"{year}-{month}-{last:02d}"
    if not 1 <= int(day) <= last:
        raise QueryError(f"{name}: {value!r} is not a day; {ALLOWED}")
    return value, value


def _filter(query: Query, name: str, value: str, raw: str) -> None:
    if name == "is":
        if value not in ("starred", "unread"):
            raise QueryError(f"is: takes starred or unread, not {value!r}; {ALLOWED}")
        setattr(query, value, True)
    elif name == "has":
        if value not in ("note", "notes"):
            raise QueryError(f"has: takes note, not {value!r}; {ALLOWED}")
        query.noted = True
    elif name == "votes":
        m = _VOTES.fullmatch(value)
        if not m:
            raise QueryError(f"votes: takes >=N, >N, <=N, <N or =N, not {value!r}; {ALLOWED}")
        query.votes.append((m.group(1) or ">=", int(m.group(2))))
    elif name == "date":
        first, last = _period(value, "date")
        query.since = max(query.since or first, first)
        query.until = min(query.until or last, last)
    elif name == "since":
        first, _ = _period(value, "since")
        query.since = max(query.since or first, first)
    elif name == "until":
        _, last = _period(value, "until")
        query.until = min(query.until or last, last)
    elif name == "author":
        folded = " ".join(fold(value).split())
        if not folded:
            raise QueryError(f'author: takes a name, as author:"Kaiming He"; {ALLOWED}')
        query.authors.append(folded)
    elif name == "lang":
        if value not in ("ko", "en"):
            raise QueryError(f"lang: takes ko or en, not {value!r}; {ALLOWED}")
        query.lang = value
    else:
        raise QueryError(f"unknown filter {raw!r}; {ALLOWED}")


def parse(text: str) -> Query:
    """The query a line of the search language says (QueryError if it says something not allowed)."""
    query = Query()
    for m in _TOKEN.finditer(clean_line(text)):
        named, named_value, phrase, bare = m.groups()
        if phrase is not None:
            folded = " ".join(fold(phrase).split())
            if " " in folded:
                query.phrases.append(folded)
            elif folded:
                query.words.append(folded)
            continue
        if named is not None:
            name, value, raw = named, named_value, m.group(0)
        else:
            f = _FILTER.fullmatch(bare)
            if f is None or not f.group(2) or (f.group(1).lower() not in _NAMES and f.group(2).startswith("/")):
                query.words.extend(fold(bare).split())  # a word, even with a colon ("3:1", "https://...")
                continue
            name, value, raw = f.group(1), f.group(2), bare
        name = name.lower()
        if name not in _NAMES:
            raise QueryError(f"unknown filter {raw!r}; {ALLOWED}")
        _filter(query, name, value.strip().casefold() if name != "author" else value, raw)
    if query.since and query.until and query.since > query.until:
        raise QueryError(f"since {query.since} is after until {query.until}: no day is both")
    return query


def check_sort(sort: str) -> str:
    if sort not in SORTS:
        raise QueryError(f"sort by {', '.join(SORTS)}, not {sort!r}")
    return sort
