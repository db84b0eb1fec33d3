"""Papers like this one, and the newest papers like the user's stars: tf-idf and cosine similarity.

A paper's terms (terms()): the English words of its title (twice) and its English sections (Hugging Face's
abstract and AI summary, in its days' digests), its keywords and the English terms its Korean summary gives
in parentheses, each as one term ("k:diffusion model", six times: the strongest sign of a subject; measured
in benchmarks/bench_finding.py), and
the pairs of adjacent Hangul syllables of its Korean summary. A weight is (1 + log tf) * idf over the
library's papers (each once, at its newest day), the vector normalised; the strongest TOP terms of each
paper are kept in the index by term (sim_postings), so that a query reads a few short lists, not the
library: the cosine of two papers is then the sum over the terms both keep.

refresh() keeps those tables in step with the index's papers: a paper added or changed is weighed with the
document frequencies of the last full pass; when more than a tenth of the papers changed since, every
paper is weighed again (a full pass: the frequencies counted, then a batch of papers a transaction; one cut
short is resumed by the next refresh). The reader runs it in a worker once its index is handed over
(reader.tui.weighing, its progress under the days); `daily-papers similar` before it asks, with a
progress line on a terminal.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import sqlite3
from array import array
from collections import Counter
from collections.abc import Callable, Sequence

from reader.core.index.fields import parenthesised
from reader.core.index.store import meta_value as _meta
from reader.core.model import Paper
from reader.core.text import fold

TOP = 40  # terms kept per paper
TITLE, KEYWORD = 2, 6  # how many times a word of the title and a keyword count
QUERY_TERMS = 32  # of those, the ones a query asks for
CENTROID_TERMS = 64
DRIFT = 0.1  # share of papers changed since the last full pass that makes the next one full
BATCH = 256

_WORD = re.compile(r"[a-z][a-z0-9]*(?:[-'.][a-z0-9]+)*")
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]{2,}")
_PAREN = re.compile(r"\s*\(([^)]*)\)")
STOP = frozenset("""a an the of and or to in on for with by from as is are was were be been being we our this that
these those which at it its into using use used based via can than more new also such their they them both each
other all any not no only over under between within without through while when where how what who whose may
might will would should could has have had do does did about after before up down out off then so very most
much many some one two three first second show shows shown propose proposed present presents paper work method
methods approach approaches results result performance existing across however further thus well make makes
https http www com github org arxiv abs html pdf io""".split())
_SKIP = ("links",)


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-3] + "y" if word.endswith("ies") else word[:-1]
    return word


def words(folded: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(folded) if w not in STOP and len(w) > 1]


def _phrase(text: str) -> list[str]:
    """A keyword as terms: 'large language models (llms)' -> 'k:large language model', 'k:llm'."""
    out = []
    folded = fold(text.replace("\\", ""))
    inner = _PAREN.findall(folded)
    for part in [_PAREN.sub("", folded), *inner]:
        stemmed = " ".join(_stem(w) for w in _WORD.findall(part))
        if stemmed:
            out.append("k:" + stemmed)
    return out


def terms(title: str, sections: Sequence[tuple[str, str]]) -> Counter:
    """A paper's terms and how often each counts (see the module's text)."""
    found: Counter = Counter()
    for w in words(fold(title)):
        found[w] += TITLE
    for name, markdown in sections:
        kind = fold(name).strip()
        if kind in _SKIP:
            continue
        if kind == "keywords":
            for keyword in markdown.split(","):
                for term in _phrase(keyword):
                    found[term] += KEYWORD
            continue
        text = fold(markdown)
        for w in words(text):
            found[w] += 1
        for run in _HANGUL_RUN.findall(text):
            for i in range(len(run) - 1):
                found[run[i:i + 2]] += 1
    for term in parenthesised(sections):
        for t in _phrase(term):
            found[t] += KEYWORD
    return found


def weigh(counts: Counter, df: Callable[[str], int], n: int) -> dict[str, float]:
    """The normalised tf-idf vector of a paper's term counts."""
    vector = {}
    for term, tf in counts.items():
        idf = math.log((n + 1) / (df(term) + 0.5))
        if idf > 0:
            vector[term] = (1 + math.log(tf)) * idf
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    return {t: w / norm for t, w in vector.items()}


def strongest(vector: dict[str, float], count: int) -> list[tuple[str, float]]:
    return sorted(vector.items(), key=lambda item: (-item[1], item[0]))[:count]


# -- the tables ------------------------------------------------------------------------------------------------
_NEWEST = "SELECT p.id, p.arxiv_id, p.title, b.sections FROM papers p JOIN bodies b ON b.id = p.id WHERE p.newest = 1"


def _set(con: sqlite3.Connection, key: str, value: object) -> None:
    con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, str(value)))


def _counts(row: tuple) -> Counter:
    return terms(row[2], [tuple(s) for s in json.loads(row[3])])


def _drop(con: sqlite3.Connection, doc: int, blob: bytes) -> None:
    con.executemany("DELETE FROM sim_postings WHERE term = ? AND doc = ?",
                    [(term, doc) for term in array("i", blob)])
    con.execute("DELETE FROM sim_docs WHERE doc = ?", (doc,))


def _put(con: sqlite3.Connection, row_id: int, arxiv_id: str, kept: list[tuple[int, float]]) -> None:
    old = con.execute("SELECT doc, terms FROM sim_docs WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
    if old is not None:
        _drop(con, *old)
    doc = con.execute("INSERT INTO sim_docs(arxiv_id, row, terms) VALUES (?, ?, ?)",
                      (arxiv_id, row_id, array("i", [t for t, _ in kept]).tobytes())).lastrowid
    con.executemany("INSERT INTO sim_postings(term, doc, w) VALUES (?, ?, ?)", [(t, doc, w) for t, w in kept])


def _term_ids(con: sqlite3.Connection, names: list[str], create: bool) -> dict[str, tuple[int, int]]:
    """term -> (id, df) for the terms the table has (and, with create, a new row of df 1 for the others)."""
    found = {}
    for start in range(0, len(names), 500):
        chunk = names[start:start + 500]
        for term, term_id, df in con.execute("SELECT term, id, df FROM sim_terms WHERE term IN "
                                             "(SELECT value FROM json_each(?))", (json.dumps(chunk),)):
            found[term] = (term_id, df)
    if create:
        for term in names:
            if term not in found:
                found[term] = (con.execute("INSERT INTO sim_terms(term, df) VALUES (?, 1)", (term,)).lastrowid, 1)
    return found


def stale(con: sqlite3.Connection) -> tuple[list[int], list[tuple[int, bytes]]]:
    """(papers rows to weigh, docs to drop): what the similarity tables miss of the index's papers."""
    rows = [r[0] for r in con.execute(
        "SELECT p.id FROM papers p LEFT JOIN sim_docs d ON d.arxiv_id = p.arxiv_id "
        "WHERE p.newest = 1 AND (d.row IS NULL OR d.row != p.id)")]
    gone = con.execute("SELECT d.doc, d.terms FROM sim_docs d WHERE NOT EXISTS "
                       "(SELECT 1 FROM papers p WHERE p.id = d.row AND p.newest = 1)").fetchall()
    return rows, gone


Progress = Callable[[str, int, int], None]  # (stage, done, total): "counting" the terms, then "weighing" papers


def refresh(con: sqlite3.Connection, progress: Progress | None = None,
            busy: Callable[[], bool] | None = None) -> int:
    """Bring the similarity tables up to date with the index's papers; returns how many papers were weighed.

    progress(stage, done, total) is called as it goes (stage "counting": the document frequencies of a full
    pass, papers read so far; "weighing": papers weighed and written), between transactions: an exception it
    raises stops the refresh there (the reader quitting), as a process killed at any moment does. What was
    committed stays, the tables still answer (the papers weighed so far), and the next refresh finishes the
    work: a full pass cut short is resumed (its counts are in sim_terms, the papers left are weighed with
    them), not begun again. busy() is asked after each paper: while it says True, a batch is committed as it
    is and progress is called at once (outside any transaction), so that the caller may wait there (the
    reader, while its user moves: the worker would share the interpreter with every key)."""
    generation = _meta(con, "generation")
    if generation == _meta(con, "sim_generation") and _meta(con, "sim_n") is not None:
        return 0  # no paper changed since the last refresh
    rows, gone = stale(con)
    pass_n = _meta(con, "sim_pass")  # a full pass cut short: the number of papers it counted
    if not rows and not gone and pass_n is None:
        if generation is not None:
            from reader.core.index.update import transaction

            transaction(con, lambda: _set(con, "sim_generation", generation))
        return 0
    n = con.execute("SELECT count(*) FROM papers WHERE newest = 1").fetchone()[0]
    last = int(_meta(con, "sim_n") or 0)
    changed = int(_meta(con, "sim_changed") or 0) + len(rows) + len(gone)
    if pass_n is not None:
        return _weigh(con, rows, gone, int(pass_n), progress, busy, generation, full=True)
    if not last or changed > DRIFT * max(last, n):
        return _full(con, n, progress, busy, generation)
    return _weigh(con, rows, gone, last, progress, busy, generation, full=False)


def _weigh(con: sqlite3.Connection, rows: list[int], gone: list[tuple[int, bytes]], n: int,
           progress: Progress | None, busy: Callable[[], bool] | None, generation: str | None, *,
           full: bool) -> int:
    """Weigh `rows` (papers rows) with the document frequencies in sim_terms over `n` papers, a batch a
    transaction, after dropping the docs `gone`; then the tables are marked up to date (for a full pass: its
    end). A term sim_terms does not have counts once."""
    from reader.core.index.update import transaction

    epoch = _meta(con, "sim_epoch")
    done = 0
    total = len(rows)
    # A full pass holds the terms table in memory (one row a term: a few MB at ten times the archive); a few
    # papers changed look their terms up.
    table = {term: (i, df) for i, term, df in con.execute("SELECT id, term, df FROM sim_terms")} if full else None

    def term_ids(names: list[str]) -> dict[str, tuple[int, int]]:
        if table is None:
            return _term_ids(con, names, create=True)
        missing = [t for t in names if t not in table]
        if missing:  # (a paper written meanwhile)
            table.update(_term_ids(con, missing, create=True))
        return table

    if gone:
        def drop() -> None:
            for doc, blob in gone:
                _drop(con, doc, blob)
            if not full:
                _set(con, "sim_changed", int(_meta(con, "sim_changed") or 0) + len(gone))

        transaction(con, drop)
    if progress is not None and total:
        progress("weighing", 0, total)
    pending = sorted(rows)
    position = 0  # pending[:position] are weighed (or gone from the index meanwhile)
    while position < total:
        chunk = pending[position:position + BATCH]
        reached = position + len(chunk)

        def batch() -> None:
            nonlocal done, reached
            if _meta(con, "sim_epoch") != epoch:
                raise _Superseded
            for row in con.execute(f"{_NEWEST} AND p.id IN (SELECT value FROM json_each(?)) ORDER BY p.id",
                                   (json.dumps(chunk),)).fetchall():
                counts = _counts(row)
                ids = term_ids(list(counts))
                vector = weigh(counts, lambda t: ids[t][1], n)
                _put(con, row[0], row[1], [(ids[t][0], w) for t, w in strongest(vector, TOP)])
                done += 1
                if busy is not None and busy():  # the batch as it is, and progress at once
                    reached = bisect.bisect_right(pending, row[0], position, reached)
                    break
            if not full:
                _set(con, "sim_changed", int(_meta(con, "sim_changed") or 0) + reached - position)

        try:
            transaction(con, batch)
        except _Superseded:
            return done
        position = reached
        if progress is not None:
            progress("weighing", position, total)

    def finish() -> None:
        if _meta(con, "sim_epoch") != epoch:
            return
        if full:
            _set(con, "sim_n", n)
            _set(con, "sim_changed", 0)
            con.execute("DELETE FROM meta WHERE key = 'sim_pass'")
        elif _meta(con, "sim_n") is None:
            _set(con, "sim_n", n)
        if generation is not None:
            _set(con, "sim_generation", generation)

    transaction(con, finish)
    return done


def _full(con: sqlite3.Connection, n: int, progress: Progress | None, busy: Callable[[], bool] | None,
          generation: str | None) -> int:
    """Weigh every paper again: the document frequencies counted anew (nothing written meanwhile), then kept
    in sim_terms with the pass's paper count (meta sim_pass) before any paper is weighed with them."""
    from reader.core.index.update import transaction

    all_rows = [r[0] for r in con.execute("SELECT p.id FROM papers p WHERE p.newest = 1 ORDER BY p.id")]
    df: Counter = Counter()
    for position in range(0, len(all_rows), BATCH):
        for at, row in enumerate(con.execute(f"{_NEWEST} AND p.id IN (SELECT value FROM json_each(?))",
                                             (json.dumps(all_rows[position:position + BATCH]),)).fetchall()):
            df.update(_counts(row).keys())
            if busy is not None and progress is not None and busy():
                progress("counting", position + at + 1, len(all_rows))
        if progress is not None:
            progress("counting", min(position + BATCH, len(all_rows)), len(all_rows))
    epoch = int(_meta(con, "sim_epoch") or 0) + 1

    def start() -> None:
        con.execute("DELETE FROM sim_postings")
        con.execute("DELETE FROM sim_docs")
        con.execute("DELETE FROM sim_terms")
        con.execute("DELETE FROM meta WHERE key IN ('sim_generation', 'sim_n')")
        con.executemany("INSERT INTO sim_terms(id, term, df) VALUES (?, ?, ?)",
                        [(i, term, count) for i, (term, count) in enumerate(df.items(), 1)])
        _set(con, "sim_epoch", epoch)
        _set(con, "sim_pass", n)

    transaction(con, start)
    df.clear()  # (the counts are in sim_terms now)
    return _weigh(con, all_rows, [], n, progress, busy, generation, full=True)


class _Superseded(Exception):
    """Another process started a full pass meanwhile: it finishes the work."""


# -- queries ---------------------------------------------------------------------------------------------------
def _vector(con: sqlite3.Connection, doc: int, blob: bytes) -> dict[int, float]:
    return dict(con.execute("SELECT term, w FROM sim_postings WHERE doc = ? AND term IN "
                            "(SELECT value FROM json_each(?))", (doc, json.dumps(list(array("i", blob))))))


def _scores(con: sqlite3.Connection, vector: dict[int, float], count: int, limit: int,
            where: str = "", params: tuple = ()) -> list[tuple[int, float]]:
    query = dict(sorted(vector.items(), key=lambda item: -item[1])[:count])
    return con.execute(
        "SELECT sp.doc, sum(sp.w * j.value) AS score FROM json_each(?) j "
        f"JOIN sim_postings sp ON sp.term = CAST(j.key AS INTEGER) {where} "
        "GROUP BY sp.doc ORDER BY score DESC, sp.doc LIMIT ?",
        (json.dumps({str(k): v for k, v in query.items()}), *params, limit)).fetchall()


def _papers(con: sqlite3.Connection, scored: list[tuple[int, float]],
            paper_of: Callable[[tuple], Paper]) -> list[tuple[Paper, float]]:
    from reader.core.index.query import FULL, PAPER

    found = []
    for doc, score in scored:
        row = con.execute(f"SELECT {PAPER} FROM {FULL} JOIN sim_docs d ON d.row = p.id WHERE d.doc = ?",
                          (doc,)).fetchone()
        if row is not None:
            found.append((paper_of(row), round(score, 4)))
    return found


def similar(con: sqlite3.Connection, arxiv_id: str, paper_of: Callable[[tuple], Paper],
            n: int = 10) -> list[tuple[Paper, float]] | None:
    """The n papers most like arxiv_id (cosine over the terms both keep), best first; None when the
    similarity tables do not hold that paper (not in the library, or refresh() not run since)."""
    found = con.execute("SELECT doc, terms FROM sim_docs WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
    if found is None:
        return None
    doc = found[0]
    scored = _scores(con, _vector(con, *found), QUERY_TERMS, n + 1, "WHERE sp.doc != ?", (doc,))
    return _papers(con, [s for s in scored if s[0] != doc][:n], paper_of)


def like_stars(con: sqlite3.Connection, starred: set[str], candidates: list[str],
               paper_of: Callable[[tuple], Paper], n: int = 100) -> list[tuple[Paper, float]]:
    """The candidates (arXiv ids) most like the centroid of the starred papers' vectors, best first."""
    centroid: Counter = Counter()
    stars = 0
    ids = sorted(starred)
    for start in range(0, len(ids), 500):
        for doc, blob in con.execute("SELECT doc, terms FROM sim_docs WHERE arxiv_id IN (SELECT value FROM "
                                     "json_each(?))", (json.dumps(ids[start:start + 500]),)).fetchall():
            centroid.update(_vector(con, doc, blob))
            stars += 1
    if not stars or not candidates:
        return []
    centroid = Counter({t: w / stars for t, w in centroid.items()})
    scored = _scores(con, centroid, CENTROID_TERMS, n,
                     "JOIN sim_docs d ON d.doc = sp.doc WHERE d.arxiv_id IN (SELECT value FROM json_each(?))",
                     (json.dumps(sorted(set(candidates))),))
    return _papers(con, scored, paper_of)
