"""Ranked search over the library's index: a page of results (any page: every result is reachable), the
number of results in all, and for each result a snippet of its summary with the found words marked.

Relevance is FTS5's bm25 over the search table's columns (reader.core.index.store), the title weighted
most, then the keywords and English terms (keys), the authors, the summary (body); ties (and words that
bm25 cannot weigh: one or two Korean syllables, found through the grams table) go to a title that holds
the word, then to more votes, then to the newer day. Sorting by date or by votes instead keeps the same
results. The papers found are those Library.search finds (every word and phrase in the folded text), less
what the filters leave out; marks come from the caller (the state store holds them, never the index).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import NamedTuple

from reader.core.finding.query import Query, check_sort
from reader.core.finding.snippets import snippet, spans, summary_text
from reader.core.index.query import FULL, ORDER, PAPER, ROWS
from reader.core.index.terms import Query as Terms, quoted, usable
from reader.core.model import Paper

WEIGHTS = {"title": 10.0, "ident": 1.0, "authors": 3.0, "body": 1.0, "keys": 4.0}  # bm25's, column by column
BM25 = "bm25(search, " + ", ".join(str(w) for w in WEIGHTS.values()) + ")"
PAGE = 50


class Marks(NamedTuple):
    """The ids each mark filter needs (from the state store; notes, once the store has them)."""

    starred: frozenset[str] | set[str] = frozenset()
    read: frozenset[str] | set[str] = frozenset()
    noted: frozenset[str] | set[str] = frozenset()


class Hit(NamedTuple):
    paper: Paper
    score: float  # relevance (higher is better; 0 when nothing weighs the words)
    snippet: str  # a line of the summary around the first found word
    spans: tuple[tuple[int, int], ...]  # where the found words are in the snippet
    title_spans: tuple[tuple[int, int], ...]  # ... and in the title


class Page(NamedTuple):
    total: int  # results in all
    offset: int
    hits: list[Hit]


EMPTY = Page(0, 0, [])

_OPERATORS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "=": "="}


def _conditions(query: Query, marks: Marks) -> tuple[str | None, list[str], list]:
    """(the FTS5 query for the search table, the SQL conditions on papers p, their parameters)."""
    terms = Terms(query.terms)
    match_parts = [terms.match] if terms.match else []
    where, params = ["p.newest = 1"], []
    if terms.grams and match_parts:
        where.append("p.id IN (SELECT rowid FROM grams WHERE grams MATCH ?)")
        params.append(terms.grams)
    for term in terms.scan:
        where.append("instr((SELECT title || char(10) || ident || char(10) || authors || char(10) || body "
                     "FROM search WHERE rowid = p.id), ?) > 0")
        params.append(term)
    for name in query.authors:
        if len(name) >= 3:
            match_parts.append("authors : " + quoted(name))
        else:
            where.append("instr((SELECT authors FROM search WHERE rowid = p.id), ?) > 0")
            params.append(name)
    for kind, wanted in (("starred", query.starred), ("noted", query.noted)):
        if wanted:
            where.append("p.arxiv_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(getattr(marks, kind))))
    if query.unread and marks.read:
        where.append("p.arxiv_id NOT IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(marks.read)))
    for operator, number in query.votes:
        where.append(f"p.votes {_OPERATORS[operator]} ?")
        params.append(number)
    if query.since:
        where.append("p.date >= ?")
        params.append(query.since)
    if query.until:
        where.append("p.date <= ?")
        params.append(query.until)
    if query.lang:
        where.append("p.ko = ?")
        params.append(1 if query.lang == "ko" else 0)
    return (" AND ".join(match_parts) or None), (terms.grams if not match_parts else None), where, params


def _order(sort: str, match: bool, grams: bool, short: list[str]) -> tuple[str, list[str]]:
    """ORDER BY for a sort, and its parameters."""
    title_hits = " + ".join("(instr(search.title, ?) > 0)" for _ in short)
    if sort == "date":
        return ORDER, []
    if sort == "votes":
        return "p.votes IS NULL, p.votes DESC, p.date DESC, f.rank, p.seq", []
    parts = [BM25] if match else ["bm25(grams)"] if grams else []
    if title_hits:
        parts.append(f"({title_hits}) DESC")
    return ", ".join([*parts, "p.votes IS NULL", "p.votes DESC", "p.date DESC", "f.rank", "p.seq"]), list(short)


def page(con: sqlite3.Connection, query: Query, paper_of: Callable[[tuple], Paper], *, sort: str = "relevance",
         offset: int = 0, limit: int = PAGE, marks: Marks = Marks()) -> Page:
    """Results offset .. offset+limit of the query, in the sort's order, and how many there are in all."""
    check_sort(sort)
    if query.empty() or not all(usable(t) for t in [*query.terms, *query.authors]):
        return EMPTY
    if (query.starred and not marks.starred) or (query.noted and not marks.noted):
        return EMPTY
    match, grams, where, params = _conditions(query, marks)
    short = [t for t in query.terms if len(t) < 3]
    order, order_params = _order(sort, match is not None, grams is not None, short)
    head = [match] if match is not None else [grams] if grams is not None else []
    if match is not None or grams is not None:
        table = "search" if match is not None else "grams"
        score = f"-{BM25}" if match is not None else "-bm25(grams)"
        counted = f"{table} JOIN papers p ON p.id = {table}.rowid JOIN files f ON f.id = p.file"
        source = counted + " JOIN bodies b ON b.id = p.id"
        where.insert(0, f"{table} MATCH ?")
        if match is None and short and sort == "relevance":
            source += " JOIN search ON search.rowid = p.id"
    else:
        score = "0.0"
        counted = ROWS
        source = FULL + (" JOIN search ON search.rowid = p.id" if short and sort == "relevance" else "")
    condition = " AND ".join(where)
    total = con.execute(f"SELECT count(*) FROM {counted} WHERE {condition}", head + params).fetchone()[0]
    if not total or offset >= total:
        return Page(total, offset, [])
    rows = con.execute(f"SELECT {PAPER}, {score} FROM {source} WHERE {condition} ORDER BY {order} LIMIT ? OFFSET ?",
                       head + params + order_params + [limit, offset]).fetchall()
    terms = query.terms
    hits = []
    for row in rows:
        paper = paper_of(row[:-1])
        shown, found = snippet(summary_text(paper.sections), terms)
        hits.append(Hit(paper, float(row[-1]), shown, tuple(found), tuple(spans(paper.title, terms))))
    return Page(total, offset, hits)
