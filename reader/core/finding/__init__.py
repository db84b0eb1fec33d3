"""Finding papers (issue 19): the search language (query.py), ranked search with snippets over the
library's index (ranked.py; memory.py without it), papers like a paper and the papers like the user's
stars (similar.py). Everything here asks the library (Library.ask) and never holds the archive."""

from __future__ import annotations

from reader.core.finding.query import Query, QueryError, parse
from reader.core.finding.ranked import PAGE, Hit, Marks, Page

__all__ = ["PAGE", "Hit", "Marks", "Page", "Query", "QueryError", "parse", "search"]


def search(library, query: "Query | str", *, sort: str = "relevance", offset: int = 0, limit: int = PAGE,
           marks: Marks = Marks()) -> Page:
    """Results offset .. offset+limit of a query (a Query, or text in the search language: QueryError when
    it says something not allowed), ranked (or by date, or by votes), with how many there are in all."""
    from reader.core.finding import memory, ranked

    if isinstance(query, str):
        query = parse(query)
    found = query
    return library.ask(
        lambda con, paper_of: ranked.page(con, found, paper_of, sort=sort, offset=offset, limit=limit, marks=marks),
        lambda lib: memory.page(lib, found, sort=sort, offset=offset, limit=limit, marks=marks))
