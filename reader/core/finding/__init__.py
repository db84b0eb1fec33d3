"""Finding papers (issue 19): the search language (query.py), ranked search with snippets over the
library's index (ranked.py; memory.py without it), papers like a paper and the papers like the user's
stars (vectors.py). Everything here asks the library (Library.ask) and never holds the archive."""

from __future__ import annotations

from reader.core.finding.query import Query, QueryError, parse
from reader.core.finding.ranked import PAGE, Hit, Marks, Page

__all__ = ["PAGE", "Hit", "Marks", "Page", "Query", "QueryError", "listing", "marks_for", "parse", "search", "similar",
           "for_you"]


def _query(query: "Query | str") -> Query:
    return parse(query) if isinstance(query, str) else query


def marks_for(query: "Query | str", store) -> Marks:
    """The marks a query's filters need (is:starred, is:unread, has:note) from a state store
    (reader.core.state.StateStore: its stars, read marks and notes); nothing read when none is needed."""
    found = _query(query)
    if not found.needs_marks:
        return Marks()
    return Marks(store.starred_ids() if found.starred else frozenset(),
                 store.read_ids() if found.unread else frozenset(),
                 set(store.notes()) if found.noted else frozenset())


def search(library, query: "Query | str", *, sort: str = "relevance", offset: int = 0, limit: int = PAGE,
           marks: Marks = Marks()) -> Page:
    """Results offset .. offset+limit of a query (a Query, or text in the search language: QueryError when
    it says something not allowed), ranked (or by date, or by votes), with how many there are in all."""
    from reader.core.finding import ranked

    found = _query(query)

    def from_memory(lib) -> Page:
        from reader.core.finding import memory  # (only without the index)

        return memory.page(lib, found, sort=sort, offset=offset, limit=limit, marks=marks)

    return library.ask(
        lambda con, paper_of: ranked.page(con, found, paper_of, sort=sort, offset=offset, limit=limit, marks=marks),
        from_memory)


def listing(library, query: "Query | str", *, sort: str = "relevance", limit: int | None = None,
            marks: Marks = Marks()):
    """The results as one-line listings (reader.core.library.Brief), in the sort's order, the first `limit`,
    and how many there are in all: a ranked.Listing."""
    from reader.core.finding import ranked
    from reader.core.library import Brief

    found = _query(query)

    def from_memory(lib) -> "ranked.Listing":
        from reader.core.finding import memory  # (only without the index)

        results = memory.found(lib, found, sort, marks)
        return ranked.Listing([Brief(p.date, p.votes, p.arxiv_id, p.title) for _, p in results[:limit]],
                              len(results))

    return library.ask(lambda con, _paper_of: ranked.listing(con, found, sort=sort, limit=limit, marks=marks),
                       from_memory)


def similar(library, arxiv_id: str, n: int = 10, progress=None) -> list | None:
    """[(paper, score)] of the n papers most like arxiv_id, best first ([] for a paper the library does not
    hold); None without the library's index (similarity lives in it). Brings the index's similarity tables up
    to date first (cheap when they are: reader.core.finding.vectors.refresh, progress(stage, done, total))."""
    from reader.core.finding import vectors as module

    def ask(con, paper_of):
        module.refresh(con, progress)
        found = module.similar(con, arxiv_id, paper_of, n)
        return [] if found is None else found

    return library.ask(ask, lambda _lib: None, writes=True)


def refresh_similar(library, progress=None, busy=None) -> int:
    """Bring the similarity tables of the library's index up to date (the reader's worker, reader.tui.weighing;
    `daily-papers similar`'s progress line); 0 without one. progress(stage, done, total) and busy(): see
    reader.core.finding.vectors.refresh (an exception progress raises stops the refresh there; while busy()
    says True, progress is called at once, outside any transaction, where the caller may wait)."""
    from reader.core.finding import vectors as module

    return library.ask(lambda con, _paper_of: module.refresh(con, progress, busy), lambda _lib: 0,
                       writes=True)


def refresh_tiers(library, progress=None, busy=None) -> int:
    """Weigh the heavy phrases' tiers of the library's index again if papers changed since (reader.core.finding.
    tiers: what makes a ranked search of a word found in thousands of papers weigh a few hundred); 0 without
    an index. progress and busy as refresh_similar's (stage "tiers")."""
    from reader.core.finding import ranked, tiers

    return library.ask(lambda con, _paper_of: tiers.refresh(con, ranked.SCORES, progress, busy),
                       lambda _lib: 0, writes=True)


def for_you(library, starred: set, read: set, days: int = 7, n: int = 100) -> list | None:
    """[(paper, score)]: the unread papers of the newest `days` days, most like the user's starred papers
    (the centroid of their vectors) first; [] with no stars; None without the library's index."""
    from reader.core.finding import vectors as module

    if not starred:
        return []
    dates = library.dates()[:days]
    candidates = [p.arxiv_id for date in dates for p in (library.day(date).papers if library.day(date) else ())
                  if p.arxiv_id not in read and p.arxiv_id not in starred]

    def ask(con, paper_of):
        module.refresh(con)
        return module.like_stars(con, set(starred), candidates, paper_of, n)

    return library.ask(ask, lambda _lib: None, writes=True)
