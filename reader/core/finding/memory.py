"""Ranked search without the index (it could not be used: a read-only disk, a damaged file): the same
results from the library in memory, ranked by a simpler weight (a word in the title counts ten times one
in the rest), the same ties, sorts, pages and snippets."""

from __future__ import annotations

from reader.core.finding.query import Query, check_sort
from reader.core.finding.ranked import PAGE, Hit, Marks, Page
from reader.core.finding.snippets import snippet, spans, summary_text
from reader.core.korean import has_korean_summary
from reader.core.model import Paper
from reader.core.text import fold

_OPS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b,
        "=": lambda a, b: a == b}


def found(library, query: Query, sort: str, marks: Marks) -> list[tuple[float, Paper]]:
    """(score, paper) of every result, in the sort's order."""
    check_sort(sort)
    if query.empty():
        return []
    terms = query.terms
    found = []
    for rank, (paper, text) in enumerate(library.search_index()):
        if not all(t in text for t in terms):
            continue
        if query.authors and not all(a in fold(" ".join(paper.authors)) for a in query.authors):
            continue
        if (query.starred and paper.arxiv_id not in marks.starred) or (query.noted and paper.arxiv_id not in
                                                                       marks.noted):
            continue
        if query.unread and paper.arxiv_id in marks.read:
            continue
        if query.votes and (paper.votes is None or not all(_OPS[o](paper.votes, n) for o, n in query.votes)):
            continue
        if (query.since and paper.date < query.since) or (query.until and paper.date > query.until):
            continue
        if query.lang and has_korean_summary(paper) != (query.lang == "ko"):
            continue
        title = fold(paper.title)
        score = float(sum(10 * title.count(t) + text.count(t) for t in terms))
        found.append((score, rank, paper))
    votes = lambda p: (p.votes is None, -(p.votes or 0))  # noqa: E731
    if sort == "date":
        found.sort(key=lambda e: e[1])  # search_index's order: newest day first, then by votes
    elif sort == "votes":
        found.sort(key=lambda e: (*votes(e[2]), e[1]))
    else:
        found.sort(key=lambda e: (-e[0], *votes(e[2]), e[1]))
    return [(score, paper) for score, _rank, paper in found]


def page(library, query: Query, *, sort: str = "relevance", offset: int = 0, limit: int = PAGE,
         marks: Marks = Marks()) -> Page:
    results = found(library, query, sort, marks)
    hits = []
    for score, paper in results[offset:offset + limit]:
        shown, where = snippet(summary_text(paper.sections), query.terms)
        hits.append(Hit(paper, score, shown, tuple(where), tuple(spans(paper.title, query.terms))))
    return Page(len(results), offset, hits)
