"""Reading the index: a day, the day list, a paper by id, search (in the order the in-memory library gives)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from reader.core.index.terms import TEXT, Query
from reader.core.library import Brief
from reader.core.model import Paper, Section

# A paper row as the queries below select it (p: papers, f: files).
PAPER = ("p.arxiv_id, p.title, b.url, b.pdf_url, b.thumbnail, p.votes, b.authors, p.date, b.sections, p.line, "
         "p.file, f.key")
ROWS = "papers p JOIN files f ON f.id = p.file"  # a row's small fields and its file (what ORDER needs)
FULL = ROWS + " JOIN bodies b ON b.id = p.id"  # ... and the rest of it (what PAPER needs)
# Search results: newest day first, by votes within a day (papers without votes last), then as the files
# were found and in file order: what Library.papers() gives.
ORDER = "p.date DESC, p.votes IS NULL, p.votes DESC, f.rank, p.seq"

Source = Callable[[int, bytes], str]


def paper(row: tuple, source: Source) -> Paper:
    arxiv_id, title, url, pdf_url, thumbnail, votes, authors, date, sections, line, file, key = row
    return Paper(arxiv_id, title, url, pdf_url, thumbnail, votes, tuple(json.loads(authors)), date,
                 tuple(Section(name, markdown) for name, markdown in json.loads(sections)), source(file, key), line)


def first_per_day(rows: list[tuple]) -> list[tuple]:
    """Rows in file order, each (date, arxiv_id) once: the first, as the in-memory library keeps it."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for row in rows:
        key = (row[7], row[0])
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def day_counts(con: sqlite3.Connection) -> list[tuple[str, int]]:
    return con.execute("SELECT date, papers FROM days ORDER BY date DESC").fetchall()


def newest_date(con: sqlite3.Connection) -> str | None:
    return con.execute("SELECT max(date) FROM days").fetchone()[0]


def day_table(con: sqlite3.Connection) -> list[tuple[str, int, str]]:
    """(date, papers, language) of every day, newest first: the day list."""
    return con.execute("SELECT date, papers, language FROM days ORDER BY date DESC").fetchall()


def listed(con: sqlite3.Connection, ids: list[str]) -> dict[str, int]:
    """date -> how many of these arXiv ids the day lists (each id once a day): the day list's read counts."""
    return dict(con.execute("SELECT date, count(DISTINCT arxiv_id) FROM papers WHERE arxiv_id IN "
                            "(SELECT value FROM json_each(?)) GROUP BY date", (json.dumps(ids),)))


DENSE = 2000  # matches from which page() walks the papers in order (papers_order) rather than sorting them


def page(con: sqlite3.Connection, terms: list[str], shown: int) -> tuple[list[tuple], int]:
    """The first `shown` rows search_rows finds, and how many it finds (the search screen, as you type): the
    matches found once, unordered; then, when they are many (DENSE), the newest papers walked in order (index
    papers_order) until `shown` of them are matches, else the few matches sorted. Either way a keystroke costs
    about the same at any archive size (sorting 30,000 matches took 45 ms at 10x)."""
    where, params = Query(terms).where()
    found = {row[0] for row in con.execute(f"SELECT p.id FROM papers p WHERE p.newest = 1 AND {where}", params)}
    if not found or not shown:
        return [], len(found)
    if len(found) >= DENSE:
        ids = []
        for (row_id,) in con.execute(f"SELECT p.id FROM papers p INDEXED BY papers_order JOIN files f ON "
                                     f"f.id = p.file WHERE p.newest = 1 ORDER BY {ORDER}"):
            if row_id in found:
                ids.append(row_id)
                if len(ids) == shown:
                    break
    else:
        ids = [row[0] for row in con.execute(
            f"SELECT p.id FROM {ROWS} WHERE p.id IN (SELECT value FROM json_each(?)) ORDER BY {ORDER} LIMIT ?",
            (json.dumps(sorted(found)), shown))]
    return rows_of(con, ids), len(found)


def rows_of(con: sqlite3.Connection, row_ids: list[int]) -> list[tuple]:
    """The paper rows of these row ids, in the order given."""
    rows = con.execute(f"SELECT {PAPER}, p.id FROM {FULL} WHERE p.id IN (SELECT value FROM json_each(?))",
                       (json.dumps(row_ids),)).fetchall()
    place = {row_id: i for i, row_id in enumerate(row_ids)}
    rows.sort(key=lambda row: place[row[-1]])
    return [row[:-1] for row in rows]


def total(con: sqlite3.Connection) -> int:
    return con.execute("SELECT coalesce(sum(papers), 0) FROM days").fetchone()[0]


def day_rows(con: sqlite3.Connection, date: str) -> list[tuple]:
    return con.execute(f"SELECT {PAPER} FROM {FULL} WHERE p.date = ? ORDER BY f.rank, p.seq", (date,)).fetchall()


def days_rows(con: sqlite3.Connection, newest: str, oldest: str) -> Iterator[tuple]:
    """Rows of the days from `newest` down to `oldest`, newest day first, each day's in file order."""
    return con.execute(f"SELECT {PAPER} FROM {FULL} WHERE p.date <= ? AND p.date >= ? "
                       "ORDER BY p.date DESC, f.rank, p.seq", (newest, oldest))


def id_rows(con: sqlite3.Connection, arxiv_id: str) -> list[tuple]:
    return con.execute(f"SELECT {PAPER} FROM {FULL} WHERE p.arxiv_id = ? ORDER BY f.rank, p.seq",
                       (arxiv_id,)).fetchall()


def ids(con: sqlite3.Connection) -> set[str]:
    return {row[0] for row in con.execute("SELECT DISTINCT arxiv_id FROM papers")}


def search_rows(con: sqlite3.Connection, terms: list[str], columns: str = PAPER,
                limit: int | None = None) -> list[tuple]:
    """The newest row of every paper whose folded text holds every term, in the library's order."""
    where, params = Query(terms).where()
    tables = FULL if "b." in columns else ROWS
    sql = f"SELECT {columns} FROM {tables} WHERE p.newest = 1 AND {where} ORDER BY {ORDER}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return con.execute(sql, params).fetchall()


def search_brief(con: sqlite3.Connection, terms: list[str]) -> list[Brief]:
    return [Brief(*row) for row in search_rows(con, terms, "p.date, p.votes, p.arxiv_id, p.title")]


def search_texts(con: sqlite3.Connection) -> Iterator[tuple]:
    """Every newest row with its folded text, in the library's order (Library.search_index)."""
    return con.execute(f"SELECT {PAPER}, {TEXT} FROM {FULL} JOIN search s ON s.rowid = p.id WHERE p.newest = 1 "
                       f"ORDER BY {ORDER}")


def ranked_ids(con: sqlite3.Connection, terms: list[str], limit: int = 50) -> list[str]:
    """The arXiv ids of the papers search finds, best first by BM25 over the words of three characters and
    more (FTS5's bm25(): rarer words weigh more, shorter texts win ties), then newest first; with no such
    word, newest first. For ranking results (issue 19); the same papers as search_rows finds."""
    query = Query(terms)
    where, params = query.where()
    if query.match is None:
        sql = f"SELECT p.arxiv_id FROM {ROWS} WHERE p.newest = 1 AND {where} ORDER BY {ORDER} LIMIT ?"
    else:
        sql = (f"SELECT p.arxiv_id FROM search JOIN papers p ON p.id = search.rowid JOIN files f ON f.id = p.file "
               f"WHERE search MATCH ? AND p.newest = 1 AND {where} ORDER BY bm25(search), {ORDER} LIMIT ?")
        params.insert(0, query.match)
    params.append(limit)
    return [row[0] for row in con.execute(sql, params)]
