"""Each heavy word's best rows (its tier): what lets a ranked search of a word found in thousands of papers weigh
a few hundred of them instead of every one, and give the same page.

BM25 (reader.core.finding.ranked) sums, phrase by phrase, what the phrase's own counts in the row give: its
inverse document frequency times a share that grows with how often the row holds it and shrinks with the
row's length. For a phrase found in HEAVY rows or more, the index keeps its tier: the TIER rows that phrase
alone scores highest, and `bound`, the highest score of that phrase alone among the rows outside the tier. A
row outside every tier of a query's phrases scores at most the sum of their bounds. So once the last row of a
page weighed among the rows of the query's tiers scores above that sum, no other row can come before it, and
that page is the page of the whole order (score, then votes, date, ...): ranked asks only those rows. When it
cannot be sure (a page deeper than the tiers reach, a phrase without a tier, rows outside the tiers that
could still come first) it weighs every row, as without tiers.

A query of one heavy phrase and nothing else (the usual `search transformer`) reads its page from the tier
alone: the rows' scores kept with it (bm25's own, which the same papers give again), and the phrase's results
counted when it was weighed; no row of the FTS5 table is matched (`alone`).

A tier holds for the papers it was weighed over: each is kept with the index's generation (meta
'generation', bumped in the same transaction as any change of papers) and used only while it is the same.
The reader's worker weighs them all again after a change (refresh), after similar papers
(reader.tui.weighing); meta 'tiers_generation' names the generation it last weighed. A search that finds no
tier for its one phrase weighs every row anyway: it keeps that phrase's tier (keep), so a command (which
never runs the worker) weighs a heavy word whole once, not once per search; after a change of papers its
next search carries the tier over (below).

A tier of papers gone by is carried over rather than weighed whole again (carry, ranked._carry): a row's
text never changes under its id (a digest read again gives its papers new ids, never given before), so a row
the papers had then and still have scores now what it scored then, times the change of the phrase's idf,
times at most the change of the table's average row length when that grew (bm25's share for a row is a
mediant of 1 and that ratio; `carried`). The rows then in the tier and the rows new since (ids above `high`)
are weighed again, exactly, by FTS5; every other row scores at most the old bound so changed: the same
guarantee, from a few hundred rows weighed instead of thousands. Each tier keeps what it was weighed by
(Basis) for that.

Which phrases: each token of the grams table (two characters) and each one-character prefix found in HEAVY
rows or more, and each English word of the similarity terms (sim_terms) found in HEAVY papers or more, as a
phrase of the search table. A phrase in fewer rows costs little to weigh whole (HEAVY rows: about 5 ms).
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable
from typing import NamedTuple

from reader.core.index.store import meta_value as _meta

HEAVY = 3000  # rows a phrase is found in, from which it has a tier
TIER = 256  # rows of a tier: the first pages of the screen (a screenful, then pages of 50) and of a command

Progress = Callable[[str, int, int], None]  # (stage "tiers", done, total), as vectors.Progress
# A tier weighed over the papers as they are (the index's generation has not moved since).
_CURRENT = "generation IS (SELECT value FROM meta WHERE key = 'generation')"


def candidates(con: sqlite3.Connection, table: str, phrases: list[str]) -> tuple[str, float] | None:
    """(the row ids of the phrases' tiers as a JSON list, the sum of their bounds) when every phrase has a tier
    of the index's present generation; None otherwise."""
    if not phrases:
        return None
    rows = con.execute(
        f"SELECT phrase, ids, bound FROM tiers WHERE tab = ? AND phrase IN (SELECT value FROM json_each(?)) AND {_CURRENT}",
        (table, json.dumps(phrases))).fetchall()
    if len(rows) != len(set(phrases)):
        return None
    if len(rows) == 1:
        return rows[0][1], rows[0][2]
    ids: set[int] = set()
    for _phrase, found, _bound in rows:
        ids.update(json.loads(found))
    # (a score is summed phrase by phrase; this margin covers another order of the additions)
    return json.dumps(sorted(ids)), sum(row[2] for row in rows) * (1 + 1e-12)


class Basis(NamedTuple):
    """What bm25 weighed a tier's rows by: the table's rows and tokens (their average length), the rows the
    phrase is found in (its idf), and the highest paper id given then (every row after it is new)."""

    rows: int
    tokens: int
    df: int
    high: int


class Alone(NamedTuple):
    ranked: list  # [[row id, score], ...]: the tier's rows, best first
    bound: float  # the best score of a row outside them
    found: int  # the results the phrase finds (each paper's newest appearance)
    basis: Basis | None = None  # what they were weighed by (None: nothing outside them, not kept)
    carried: bool = False  # the bound carried over from papers gone by (above the best score outside)


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """SQLite's variable-length integer at `at` (FTS5 writes its records with it): (value, the next offset)."""
    value = 0
    for i in range(8):
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    return (value << 8) | data[at + 8], at + 9


def basis(con: sqlite3.Connection, table: str, df: int) -> Basis:
    """The Basis of a phrase found in `df` rows of `table`, the papers as they are: the rows and tokens of
    the table as FTS5's own bm25 counts them (its averages record, row 1 of the table's data: the rows, then
    each column's tokens) and the highest paper id AUTOINCREMENT has given."""
    block = con.execute(f"SELECT block FROM {table}_data WHERE id = 1").fetchone()
    rows = tokens = 0
    if block is not None and block[0]:
        data = bytes(block[0])
        rows, at = _varint(data, 0)
        while at < len(data):
            size, at = _varint(data, at)
            tokens += size
    high = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'papers'").fetchone()
    return Basis(rows, tokens, df, high[0] if high else 0)


def _idf(weighed: Basis) -> float:
    """bm25's inverse document frequency of the phrase, as FTS5 computes it (fts5_aux.c)."""
    idf = math.log((weighed.rows - weighed.df + 0.5) / (weighed.df + 0.5))
    return idf if idf > 0.0 else 1e-6


def carried(bound: float, then: Basis, now: Basis) -> float:
    """The highest score, over the papers as they are (`now`), of a row that scored at most `bound` over the
    papers `then` and is unchanged since. A row's bm25 for one phrase is idf * F(k1 + 1) / (F + k1(1 - b) +
    k1 b D / avgdl), F and D its own; only idf and avgdl move: the share changes by (A + B/avgdl) / (A + B/
    avgdl') with A, B >= 0, a mediant of 1 and avgdl'/avgdl, so at most the larger of them. A margin covers
    the rounding of the floats."""
    if not (then.rows and now.rows and then.tokens and now.tokens) or not math.isfinite(bound):
        return math.inf
    growth = (now.tokens / now.rows) / (then.tokens / then.rows)
    return bound * (_idf(now) / _idf(then)) * max(1.0, growth) * (1 + 1e-9)


def alone(con: sqlite3.Connection, table: str, phrase: str) -> Alone | None:
    """The tier of one phrase with its rows' scores and results, if it has one of the present generation."""
    row = con.execute(f"SELECT ranked, bound, found, carried FROM tiers WHERE tab = ? AND phrase = ? AND {_CURRENT}",
                      (table, phrase)).fetchone()
    return None if row is None else Alone(json.loads(row[0]), row[1], row[2], carried=bool(row[3]))


def stale(con: sqlite3.Connection, table: str, phrase: str) -> tuple[str, Alone] | None:
    """The tier of one phrase weighed over papers gone by (another generation), if it has one: (its row ids
    as a JSON list, the tier with what it was weighed by)."""
    row = con.execute(
        f"SELECT ids, ranked, bound, found, rows, tokens, df, high FROM tiers WHERE tab = ? AND phrase = ? AND NOT "
        f"({_CURRENT})", (table, phrase)).fetchone()
    if row is None:
        return None
    return row[0], Alone(json.loads(row[1]), row[2], row[3], Basis(*row[4:]))


def keep(con: sqlite3.Connection, table: str, phrase: str, generation: str | None, tier: Alone) -> bool:
    """Keep the tier a search weighed (ranked._weigh_alone, ranked._carry) for the generation it read, if the
    papers are still those, in place of the phrase's tier of papers gone by (the others stay: each is carried
    over when its phrase is next searched); True if kept. A search never waits for it: with another writer
    at work, a read-only or full disk, nothing is kept (the next search of the phrase weighs it again)."""
    if generation is None or con.in_transaction or tier.basis is None:
        return False
    from reader.core.index.update import transaction

    def write() -> None:
        if _meta(con, "generation") != generation:
            return  # papers changed since the search read them
        con.execute("INSERT OR REPLACE INTO tiers(tab, phrase, ids, bound, ranked, found, generation, rows, tokens, "
                    "df, high, carried) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (table, phrase, json.dumps(sorted(row[0] for row in tier.ranked)), tier.bound,
                     json.dumps(tier.ranked), tier.found, generation, *tier.basis, int(tier.carried)))

    try:
        transaction(con, write, wait=0)
        return True
    except sqlite3.OperationalError:  # (busy, read-only, disk full: a cache not written)
        return False


def heavy(con: sqlite3.Connection) -> list[tuple[str, str]]:
    """[(table, phrase)]: the phrases found in HEAVY rows or more (see the module's docstring)."""
    found: list[tuple[str, str]] = []
    con.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.grams_terms USING fts5vocab(main, grams, row)")
    starts: dict[str, int] = {}
    for term, rows in con.execute("SELECT term, doc FROM temp.grams_terms"):
        if len(term) == 2 and rows >= HEAVY:
            found.append(("grams", f'"{term}"'))
        starts[term[0]] = starts.get(term[0], 0) + rows  # (at least the rows its prefix is found in)
    for start, most in starts.items():
        phrase = f'"{start}"*'
        if most >= HEAVY and con.execute("SELECT count(*) FROM grams WHERE grams MATCH ?",
                                         (phrase,)).fetchone()[0] >= HEAVY:
            found.append(("grams", phrase))
    for (term,) in con.execute("SELECT term FROM sim_terms WHERE df >= ? ORDER BY term", (HEAVY,)):
        if len(term) >= 3 and term.isascii() and term.isalnum():
            found.append(("search", f'"{term}"'))
    return found


def refresh(con: sqlite3.Connection, scores: dict[str, str], progress: Progress | None = None,
            busy: Callable[[], bool] | None = None) -> int:
    """Weigh the tiers again if papers changed since they were weighed; returns how many were weighed.

    scores: each table's score SQL (ranked.SCORES). Each phrase is weighed in a statement of its own (no
    transaction held while progress waits); they are written together, and only if no paper changed
    meanwhile (else the next refresh weighs them again). progress is called after each phrase (an exception
    it raises stops the refresh: nothing is written); busy() is asked as vectors.refresh asks it."""
    from reader.core.index.update import transaction

    generation = _meta(con, "generation")
    if generation is None or generation == _meta(con, "tiers_generation"):
        return 0
    phrases = heavy(con)
    weighed: list[tuple[str, str, str, float, str, int, int]] = []
    for done, (table, phrase) in enumerate(phrases, 1):
        # (the results: the rows found that are a paper's newest appearance, counted in the same pass, and
        # the rows found, bm25's idf)
        rows = con.execute(
            f"WITH s AS MATERIALIZED (SELECT rowid AS id, {scores[table]} AS score FROM {table} WHERE {table} MATCH ?) "
            "SELECT id, score, (SELECT count(*) FROM s WHERE id NOT IN (SELECT id FROM papers WHERE newest = 0)), "
            "(SELECT count(*) FROM s) FROM s ORDER BY score DESC LIMIT ?", (phrase, TIER + 1)).fetchall()
        if len(rows) > TIER:
            weighed.append((table, phrase, json.dumps(sorted(r[0] for r in rows[:TIER])), rows[TIER][1],
                            json.dumps([[r[0], r[1]] for r in rows[:TIER]]), rows[0][2], rows[0][3]))
        if progress is not None and (done % 16 == 0 or done == len(phrases) or (busy is not None and busy())):
            progress("tiers", done, len(phrases))

    def write() -> None:
        if _meta(con, "generation") != generation:
            return  # papers changed meanwhile: what was weighed is of another library
        con.execute("DELETE FROM tiers WHERE generation IS NOT ?", (generation,))  # (a search's kept tiers stay)
        bases = {table: basis(con, table, 0) for table in {row[0] for row in weighed}}  # (the papers weighed)
        con.executemany("INSERT OR REPLACE INTO tiers(tab, phrase, ids, bound, ranked, found, generation, rows, "
                        "tokens, df, high, carried) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                        [(*row[:6], generation, *bases[row[0]]._replace(df=row[6])) for row in weighed])
        con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('tiers_generation', ?)", (generation,))

    transaction(con, write)
    return len(weighed)
