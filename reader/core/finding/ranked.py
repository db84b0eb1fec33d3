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
import math
import sqlite3
import threading
from collections.abc import Callable
from typing import NamedTuple

from reader.core.finding import tiers
from reader.core.finding.query import Query, check_sort
from reader.core.finding.snippets import snippet, spans, summary_text
from reader.core.index.query import FULL, PAPER
from reader.core.index.terms import Query as Terms, quoted, usable
from reader.core.library import Brief
from reader.core.model import Paper

WEIGHTS = {"title": 10.0, "ident": 1.0, "authors": 3.0, "body": 1.0, "keys": 4.0}  # bm25's, column by column
BM25 = "bm25(search, " + ", ".join(str(w) for w in WEIGHTS.values()) + ")"
SCORES = {"search": f"-{BM25}", "grams": "-bm25(grams)"}  # a row's relevance (higher is better), table by table
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


def _conditions(query: Query, marks: Marks) -> tuple[str | None, str | None, list[str], list, list[str], list,
                                                     list[str]]:
    """(the FTS5 query for the search table, or else for the grams table; conditions on a row id, written
    with {id}, and their parameters; conditions on papers p beside p.newest = 1, and theirs; the phrases the
    FTS5 query weighs when each is a plain phrase, else [])."""
    terms = Terms(query.terms)
    match_parts = [terms.match] if terms.match else []
    phrases = terms.phrases if match_parts else terms.gram_phrases
    ids: list[str] = []
    id_params: list = []
    where: list[str] = []
    params: list = []
    if terms.grams and match_parts:
        ids.append("{id} IN (SELECT rowid FROM grams WHERE grams MATCH ?)")
        id_params.append(terms.grams)
    for term in terms.scan:
        ids.append("instr((SELECT title || char(10) || ident || char(10) || authors || char(10) || body "
                   "FROM search WHERE rowid = {id}), ?) > 0")
        id_params.append(term)
    for name in query.authors:
        if len(name) >= 3:
            match_parts.append("authors : " + quoted(name))
            phrases = []  # (a phrase of one column: no tier)
        else:
            ids.append("instr((SELECT authors FROM search WHERE rowid = {id}), ?) > 0")
            id_params.append(name)
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
        where.append("p.korean = ?")
        params.append(1 if query.lang == "ko" else 0)
    return ((" AND ".join(match_parts) or None), (terms.grams if not match_parts else None), ids, id_params, where, params,
            phrases)


# How results are ordered, sort by sort (over what _ranked selects: score, hits and the o_ columns).
ORDERS = {
    "relevance": "score DESC, hits DESC, o_votes IS NULL, o_votes DESC, o_date DESC, o_rank, o_seq",
    "date": "o_date DESC, o_votes IS NULL, o_votes DESC, o_rank, o_seq",  # (index.query.ORDER's)
    "votes": "o_votes IS NULL, o_votes DESC, o_date DESC, o_rank, o_seq",
}
# The rows that are not a paper's newest appearance (few: a paper listed again on a later day), by the
# partial index papers_older: a row found in an FTS5 table is a result unless it is one of these.
_OLDER = "NOT IN (SELECT id FROM papers WHERE newest = 0)"


class _Plan(NamedTuple):
    table: str | None  # the FTS5 table the query matches in (search or grams), None: no MATCH
    match: str | None  # its MATCH query
    ids: str  # conditions on a row id, {id} standing for it ("" when none)
    id_params: list
    where: list[str]  # conditions on papers p beside p.newest = 1
    params: list
    short: list[str]  # words nothing weighs (a title holding them comes first)
    sort: str
    letters: bool  # the words are single ASCII letters or digits: no word, nothing to weigh (see _ranked)
    phrases: list[str]  # the phrases the MATCH weighs, each with its tier or none (tiers.candidates)

    @property
    def source(self) -> str:
        """FROM ... (papers p) WHERE ...: every result, with `arguments`."""
        where = ["p.newest = 1", *([self.ids.format(id="p.id")] if self.ids else []), *self.where]
        if self.table is None:
            return f"papers p WHERE {' AND '.join(where)}"
        return f"{self.table} JOIN papers p ON p.id = {self.table}.rowid WHERE {self.table} MATCH ? AND {' AND '.join(where)}"

    @property
    def arguments(self) -> list:
        return [*([self.match] if self.table else []), *self.id_params, *self.params]

    @property
    def found(self) -> str | None:
        """FROM ... WHERE ... over the FTS5 table alone (no papers row read), when no condition needs one."""
        if self.table is None or self.where:
            return None
        rowid = f"{self.table}.rowid"
        # (+: a condition on the row id must not be the one FTS5 answers first, a MATCH per row it lists)
        ids = f" AND {self.ids.format(id='+' + rowid)}" if self.ids else ""
        return f"{self.table} WHERE {self.table} MATCH ? AND {rowid} {_OLDER}{ids}"

    @property
    def found_arguments(self) -> list:
        return [self.match, *self.id_params]


def _plan(query: Query, sort: str, marks: Marks) -> _Plan | None:
    """How SQL finds a query's results (None: it finds nothing)."""
    check_sort(sort)
    if query.empty() or not all(usable(t) for t in [*query.terms, *query.authors]):
        return None
    if (query.starred and not marks.starred) or (query.noted and not marks.noted):
        return None
    match, grams, ids, id_params, where, params, phrases = _conditions(query, marks)
    if match is not None or grams is not None:
        table = "search" if match is not None else "grams"
        short = []
    else:
        table = None
        short = [t for t in query.terms if len(t) < 3] if sort == "relevance" else []
    letters = all(len(t) == 1 and t.isascii() for t in query.terms) and bool(query.terms)
    return _Plan(table, match if match is not None else grams, " AND ".join(ids), id_params, where, params,
                 short, sort, letters, phrases)


def count(con: sqlite3.Connection, plan: _Plan) -> int:
    """The results in all (nothing weighed, no column read)."""
    if plan.found is not None and plan.table == "grams" and not plan.ids:
        # Tokens alone: FTS5 counts them without reading a position, less the few rows that are a paper's
        # older appearance (each found by its row id).
        return con.execute("SELECT (SELECT count(*) FROM grams WHERE grams MATCH ?1) - (SELECT count(*) FROM grams "
                           "WHERE grams MATCH ?1 AND rowid IN (SELECT id FROM papers WHERE newest = 0))",
                           (plan.match,)).fetchone()[0]
    if plan.found is not None:
        return con.execute(f"SELECT count(*) FROM {plan.found}", plan.found_arguments).fetchone()[0]
    return con.execute(f"SELECT count(*) FROM {plan.source}", plan.arguments).fetchone()[0]


def _weighed(plan: _Plan) -> str | None:
    """The relevance score's SQL (higher is better) if the plan's results are weighed by bm25."""
    if plan.sort != "relevance" or plan.table is None or plan.letters:
        return None
    return SCORES[plan.table]


def _best(con: sqlite3.Connection, plan: _Plan, score: str, columns: str, limit: int,
          offset: int) -> tuple[list, int]:
    """_ranked's answer when only FTS5 is asked: every result's row id and score, from the FTS5 table alone;
    the papers rows read only for the page and whatever ties its last score (the order after the score:
    votes, date, ...), and the count from the same pass. A page the tiers of the query's phrases answer
    (reader.core.finding.tiers) is weighed among their rows alone, and counted apart; one phrase alone is
    read from its tier (_from_tier), or from its tier of papers gone by carried over (_carry), or weighed
    whole in one pass that keeps its best rows (_weigh_alone)."""
    if limit > 0 and len(plan.phrases) == 1 and plan.match == plan.phrases[0] and not plan.ids:
        kept = tiers.alone(con, plan.table, plan.match)
        within = offset + limit <= tiers.TIER
        if kept is None and within:
            kept = _carry(con, plan, score) or _weigh_alone(con, plan, score)
        while kept is not None:
            rows = _from_tier(con, kept.ranked, columns, limit, offset)
            # (as below: the whole order's page; every result when nothing is outside the tier)
            if kept.bound == -math.inf or (len(rows) == limit and rows[-1][-6] > kept.bound):
                return rows, kept.found
            # A bound carried over (above the best score outside) that cannot vouch for a page within the
            # tier: every row weighed, once, and that tier kept in its place.
            kept = _weigh_alone(con, plan, score) if kept.carried and within else None
    if limit > 0:
        tiered = tiers.candidates(con, plan.table, plan.phrases)
        if tiered is not None:
            # Counted apart where FTS5 counts without reading positions (tokens of the grams table, nothing
            # else asked), else in the same pass (a phrase of the search table is matched once).
            apart = plan.table == "grams" and not plan.ids
            rows, total = _page_of(con, plan, score, columns, limit, offset, tiered[0], apart)
            # (the last row of the page scores above any row outside the tiers: the page is the whole order's)
            if len(rows) == limit and rows[-1][-6] > tiered[1]:
                return rows, count(con, plan) if apart else total
    return _page_of(con, plan, score, columns, limit, offset)


class _Weighed(NamedTuple):
    rows: list  # [(id, score), ...]: the best TIER + 1 rows weighed, best first
    found: int  # the rows the phrase finds (bm25's idf)
    results: int  # ... that are a result (a paper's newest appearance)
    generation: str | None  # the index's generation they were read in


def _weigh_one(con: sqlite3.Connection, plan: _Plan, score: str, among: tuple[int, str] | None = None) -> _Weighed:
    """One phrase's rows weighed, best first, and the rows it finds counted, in one read of the FTS5 table
    (two for a token). Every row found is weighed, or with `among` (a paper id and a JSON list of row ids)
    only the rows after that id and those listed. A tier ranks every row found, a paper's older appearances
    too (which are no result), so that each row is either in it or under its bound, whatever later changes
    make a result."""
    table = plan.table
    counts = (f"SELECT count(*), count(*) FILTER (WHERE rowid {_OLDER}), (SELECT value FROM meta WHERE key = "
              f"'generation') FROM {table} WHERE {table} MATCH ?")
    if table == "grams":
        # A token's rows are matched at little cost (no positions compared): the rows weighed, best first (a
        # sorter keeping TIER + 1), and the rows found counted in a pass of their own, cost less than every row
        # kept in one table (4,750 rows of 토큰 at 10x: 4.6 ms against 6.1; 1.4 against 2.5 for a carried tier).
        asked = "" if among is None else " AND (rowid > ? OR rowid IN (SELECT value FROM json_each(?)))"
        rows = con.execute(f"SELECT rowid, {score} AS score FROM grams WHERE grams MATCH ?{asked} ORDER BY score DESC "
                           "LIMIT ?", [plan.match, *(among or ()), tiers.TIER + 1]).fetchall()
        return _Weighed(rows, *con.execute(counts, (plan.match,)).fetchone())
    chosen = score if among is None else (f"CASE WHEN {table}.rowid > ? OR {table}.rowid IN "
                                          f"(SELECT value FROM json_each(?)) THEN {score} END")
    rows = con.execute(
        f"WITH s AS MATERIALIZED (SELECT {table}.rowid AS id, {chosen} AS score FROM {table} WHERE {table} MATCH ?) "
        f"SELECT id, score, (SELECT count(*) FROM s), (SELECT count(*) FROM s WHERE id {_OLDER}), "
        "(SELECT value FROM meta WHERE key = 'generation') FROM s WHERE score IS NOT NULL ORDER BY score DESC LIMIT ?",
        [*(among or ()), plan.match, tiers.TIER + 1]).fetchall()
    if not rows:  # (nothing weighed: the rows found counted in a pass of their own)
        return _Weighed([], *con.execute(counts, (plan.match,)).fetchone())
    return _Weighed([row[:2] for row in rows], *rows[0][2:])


def _later(plan: _Plan, generation: str | None, tier: tiers.Alone) -> tiers.Alone:
    """`tier`, kept once _one_state's read is done (a write) if its phrase is heavy."""
    if tier.found >= tiers.HEAVY:
        later = getattr(_kept_after, "keeps", None)
        if later is not None:
            later.append((plan.table, plan.match, generation, tier))
    return tier


def _weigh_alone(con: sqlite3.Connection, plan: _Plan, score: str) -> tiers.Alone | None:
    """One phrase with no tier: every row it finds weighed (_weigh_one), its best TIER rows (with their
    scores), the best score after them and the results counted; the tier of a phrase found in HEAVY rows
    or more is kept for the index's generation read in the same pass (tiers.keep), so the next search of
    it reads its page from there. Nothing outside the tier when it holds every row (bound -inf)."""
    weighed = _weigh_one(con, plan, score)
    ranked = [[row[0], row[1]] for row in weighed.rows[:tiers.TIER]]
    if len(weighed.rows) <= tiers.TIER:
        return tiers.Alone(ranked, -math.inf, weighed.results)
    return _later(plan, weighed.generation, tiers.Alone(ranked, weighed.rows[tiers.TIER][1], weighed.results,
                                                        tiers.basis(con, plan.table, weighed.found)))


def _carry(con: sqlite3.Connection, plan: _Plan, score: str) -> tiers.Alone | None:
    """One phrase whose tier was weighed over papers gone by (tiers.stale): that tier carried over to the
    papers as they are (tiers.carried), weighing again only the rows then in it and the rows new since; kept
    as _weigh_alone keeps its tier. None when it has no such tier."""
    old = tiers.stale(con, plan.table, plan.match)
    if old is None:
        return None
    ids, then = old
    weighed = _weigh_one(con, plan, score, (then.basis.high, ids))
    now = tiers.basis(con, plan.table, weighed.found)
    bound = tiers.carried(then.bound, then.basis, now)
    if len(weighed.rows) > tiers.TIER:
        bound = max(bound, weighed.rows[tiers.TIER][1])
    if not math.isfinite(bound):
        return None
    ranked = [[row[0], row[1]] for row in weighed.rows[:tiers.TIER]]
    return _later(plan, weighed.generation, tiers.Alone(ranked, bound, weighed.results, now, carried=True))


_kept_after = threading.local()  # the tiers a search in _one_state weighed, kept once its read is done


def _one_state(con: sqlite3.Connection, ask: Callable[[], object]):
    """ask() in one read transaction: every statement of a search (a tier, then its page; a page's ids, then
    their rows; a page, then its count) sees one state of the index, never another process's commit in
    between (a rewritten digest's papers come back under new row ids: a paper dropped from its page, a page
    with another state's count, a row not found). The tiers it weighed are kept after."""
    if con.in_transaction:
        return ask()
    keeps: list = []
    _kept_after.keeps = keeps
    con.execute("BEGIN")
    try:
        answer = ask()
    finally:
        _kept_after.keeps = None
        if con.in_transaction:
            con.execute("COMMIT")  # (a read: nothing written)
    for keep in keeps:
        tiers.keep(con, *keep)
    return answer


def _from_tier(con: sqlite3.Connection, ranked: list, columns: str, limit: int, offset: int) -> list:
    """_best's page among a tier's rows (best first), by the scores kept with it (bound as the numbers they
    are). Only the rows down to the page's last and those tied with it are read, the page of a few rows out
    of the tier's 256: every row after them scores less than each of them. If some of those are a paper's
    older appearance (a tier the reader's worker weighed keeps them; they are no result), the page comes
    short of them, and is read among the whole tier."""
    end = offset + limit
    if end < len(ranked):
        last = ranked[end - 1][1]
        while end < len(ranked) and ranked[end][1] == last:
            end += 1
    rows = _tier_page(con, ranked[:end], columns, limit, offset)
    if len(rows) < limit and end < len(ranked):
        rows = _tier_page(con, ranked, columns, limit, offset)
    return rows


def _tier_page(con: sqlite3.Connection, ranked: list, columns: str, limit: int, offset: int) -> list:
    if not ranked:
        return []
    values = ", ".join("(?, ?)" for _ in ranked)
    return con.execute(
        f"WITH t(id, score) AS (VALUES {values}) SELECT {columns}, t.score AS score, 0 AS hits, p.votes AS o_votes, "
        f"p.date AS o_date, f.rank AS o_rank, p.seq AS o_seq FROM t JOIN papers p ON p.id = t.id JOIN files f ON "
        f"f.id = p.file WHERE p.newest = 1 ORDER BY {ORDERS['relevance']} LIMIT ? OFFSET ?",
        [value for pair in ranked for value in pair] + [limit, offset]).fetchall()


def _page_of(con: sqlite3.Connection, plan: _Plan, score: str, columns: str, limit: int, offset: int,
             among: str | None = None, apart: bool = False) -> tuple[list, int]:
    """_best's SQL: the page, and the results in all. With `among` (a JSON list of row ids) only those rows
    are weighed: the page of those rows alone, and the results in all (the others kept with no score), or
    with `apart` the number of those rows alone (the others left out)."""
    params = plan.found_arguments
    if among is None:
        found = f"SELECT {plan.table}.rowid AS id, {score} AS score FROM {plan.found}"
    elif apart:
        found = (f"SELECT {plan.table}.rowid AS id, {score} AS score FROM {plan.found} "
                 f"AND +{plan.table}.rowid IN (SELECT value FROM json_each(?))")
        params.append(among)
    else:
        found = (f"SELECT {plan.table}.rowid AS id, CASE WHEN {plan.table}.rowid IN (SELECT value FROM json_each(?)) "
                 f"THEN {score} END AS score FROM {plan.found}")
        params.insert(0, among)
    edge = ""
    if limit >= 0:
        # The score of the last row of the page: rows below it cannot be on the page.
        edge = "WHERE s.score >= coalesce((SELECT score FROM s ORDER BY score DESC LIMIT 1 OFFSET ?), s.score)"
        params.append(offset + limit - 1)
    rows = con.execute(
        f"WITH s AS MATERIALIZED ({found}) "
        f"SELECT {columns}, s.score AS score, 0 AS hits, p.votes AS o_votes, p.date AS o_date, f.rank AS o_rank, "
        f"p.seq AS o_seq, (SELECT count(*) FROM s) FROM s JOIN papers p ON p.id = s.id JOIN files f ON f.id = p.file "
        f"{edge} ORDER BY {ORDERS['relevance']} LIMIT ? OFFSET ?", params + [limit, offset]).fetchall()
    if rows:
        return [row[:-1] for row in rows], rows[0][-1]
    return [], count(con, plan) if offset else 0


def _ranked(con: sqlite3.Connection, plan: _Plan, columns: str, limit: int, offset: int = 0) -> tuple[list, int]:
    """(the rows offset .. offset+limit in the sort's order: `columns`, then the score; the results in all).

    Ranked by relevance with nothing but words (the usual search), the FTS5 table alone gives every
    result's row id and score in one pass, and only the page's papers rows are read (_best). Otherwise
    SQLite orders the results keeping only the best offset+limit rows (ORDER BY ... LIMIT, a heap) and
    counts them apart, with no table of every result.

    A letter or a digit alone (the first key of a word being typed) is in nearly every paper and weighs
    nothing worth the cost of weighing every paper (bm25 over the whole library, the slowest search there
    is): its results go by votes, then the newer day. A Korean syllable alone is a word (칩, 뇌) and weighed.
    """
    weighed = _weighed(plan)
    if weighed is not None and plan.found is not None:
        return _best(con, plan, weighed, columns, limit, offset)
    score, hits, params = weighed or "0.0", "0", plan.arguments
    source = plan.source.replace(" WHERE ", " JOIN files f ON f.id = p.file WHERE ", 1)
    if weighed is None and plan.short:  # nothing weighs these words: a title that holds them first
        source = source.replace(" WHERE ", " JOIN search ON search.rowid = p.id WHERE ", 1)
        hits = " + ".join("(instr(search.title, ?) > 0)" for _ in plan.short)
        params = plan.short + params
    order = ORDERS[plan.sort]
    if plan.letters and plan.table == "grams" and plan.sort == "relevance" and limit > 0:
        # Found in nearly every paper: the papers in the order of votes (papers_votes), each asked whether it
        # is found (the set found, made once), until the page is full; not every result ordered.
        where = ["+p.id IN (SELECT rowid FROM grams WHERE grams MATCH ?)", "p.newest = 1",
                 *([plan.ids.format(id="p.id")] if plan.ids else []), *plan.where]
        source = f"papers p INDEXED BY papers_votes JOIN files f ON f.id = p.file WHERE {' AND '.join(where)}"
        order = ORDERS["votes"]  # (the same order: no score, no hits)
    select = (f"SELECT {columns}, {score} AS score, {hits} AS hits, p.votes AS o_votes, p.date AS o_date, "
              f"f.rank AS o_rank, p.seq AS o_seq FROM {source}")
    if plan.table == "search":
        # Phrases over trigrams: matching is the cost, paid once for the page and the count together.
        # (MATERIALIZED: bm25() is only allowed where the FTS5 query runs, not beside the count's window)
        rows = con.execute(f"WITH r AS MATERIALIZED ({select}) SELECT *, count(*) OVER () FROM r ORDER BY {order} "
                           "LIMIT ? OFFSET ?", params + [limit, offset]).fetchall()
        if rows or not offset:
            return [row[:-1] for row in rows], rows[0][-1] if rows else 0
        return [], count(con, plan)
    rows = con.execute(f"{select} ORDER BY {order} LIMIT ? OFFSET ?", params + [limit, offset]).fetchall()
    if 0 < len(rows) < limit or (not rows and not offset) or limit < 0:
        return rows, offset + len(rows)
    return rows, count(con, plan)


def page(con: sqlite3.Connection, query: Query, paper_of: Callable[[tuple], Paper], *, sort: str = "relevance",
         offset: int = 0, limit: int = PAGE, marks: Marks = Marks()) -> Page:
    """Results offset .. offset+limit of the query, in the sort's order, and how many there are in all."""
    plan = _plan(query, sort, marks)
    if plan is None:
        return EMPTY
    # The page's rows are found and ordered first, then only they are read whole (their summaries).
    def ask() -> tuple[list, int, dict]:
        ranked, total = _ranked(con, plan, "p.id", limit, offset)
        return ranked, total, _rows_of(con, ranked)

    ranked, total, rows = _one_state(con, ask)
    if not ranked and not offset:
        return EMPTY
    terms = query.terms
    hits = []
    for row_id, score, *_order in ranked:
        paper = paper_of(rows[row_id])
        shown, found = snippet(summary_text(paper.sections), terms)
        hits.append(Hit(paper, float(score), shown, tuple(found), tuple(spans(paper.title, terms))))
    return Page(total, offset, hits)


def _rows_of(con: sqlite3.Connection, ranked: list) -> dict:
    """page()'s rows, whole, by row id."""
    if not ranked:
        return {}
    return {row[-1]: row[:-1] for row in con.execute(
        f"SELECT {PAPER}, p.id FROM {FULL} WHERE p.id IN (SELECT value FROM json_each(?))",
        (json.dumps([r[0] for r in ranked]),))}


class Listing(NamedTuple):
    briefs: list[Brief]  # the first `limit` results as one-line listings
    total: int  # results in all


def listing(con: sqlite3.Connection, query: Query, *, sort: str = "relevance", limit: int | None = None,
            marks: Marks = Marks()) -> Listing:
    """The results as one-line listings (no summary read), in the sort's order, the first `limit`; and how
    many there are in all."""
    plan = _plan(query, sort, marks)
    if plan is None:
        return Listing([], 0)
    rows, total = _one_state(con, lambda: _ranked(con, plan, "p.date, p.votes, p.arxiv_id, p.title",
                                                 -1 if limit is None else limit))
    return Listing([Brief(*row[:4]) for row in rows], total)
