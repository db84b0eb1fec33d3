"""Each heavy word's best rows (reader.core.finding.tiers): a page they answer is the page of the whole ranked
order, they answer only while no paper changed since they were weighed, and whatever they cannot vouch for
is weighed whole."""

from __future__ import annotations

import random

import pytest

from reader.core import finding
from reader.core.finding import ranked, tiers
from tests.unit.test_finding import indexed, paper_md, write

QUERIES = ["numbat", "모델", "넘", "모델 넘", "numbat 모델", "numbat wombat", "ai", "wombat"]


def _library(root, tmp_path, extra: int = 0):
    rng = random.Random(7)
    for day in range(6):
        papers = []
        for n in range(12):
            number = day * 100 + n + extra
            words = rng.choice(["numbat", "numbat numbat", "numbat numbat numbat", "wombat", "numbat wombat"])
            korean = " ".join(rng.choice(["모델", "넘뱃", "모델 모델", "데이터", "모델을 넘어"]) for _ in range(rng.randint(1, 6)))
            filler = " filler" * rng.randint(0, 30)
            papers.append(paper_md(f"2403.{number:05d}", f"{rng.choice(['Numbat', 'Study', 'AI'])} {number}",
                                   f"{words} {korean} ai{filler}", votes=rng.randint(0, 9)))
        write(root, f"2024-03-{day + 1:02d}", papers)
    return indexed(root, tmp_path)


@pytest.fixture
def small_tiers(monkeypatch):
    monkeypatch.setattr(tiers, "HEAVY", 10)
    monkeypatch.setattr(tiers, "TIER", 8)


def _weighing(monkeypatch) -> list[bool | str]:
    """A list that records each weighing of _best: "tier" a page read from one phrase's tier (its rows'
    scores kept with it), "alone" one phrase with no tier weighed whole (its best rows kept in one pass),
    "carried" one phrase's tier of papers gone by carried over (None: it had none), True weighed among the
    tiers' rows, False over every row."""
    calls: list[bool | str] = []
    page_of, from_tier, weigh_alone, carry = ranked._page_of, ranked._from_tier, ranked._weigh_alone, ranked._carry

    def carry_spy(*args, **kwargs):
        tier = carry(*args, **kwargs)
        if tier is not None:
            calls.append("carried")
        return tier

    def alone_spy(*args, **kwargs):
        calls.append("alone")
        return weigh_alone(*args, **kwargs)

    def spy(*args, **kwargs):
        calls.append(len(args) > 6 or "among" in kwargs)
        return page_of(*args, **kwargs)

    def tier_spy(*args, **kwargs):
        calls.append("tier")
        return from_tier(*args, **kwargs)

    monkeypatch.setattr(ranked, "_page_of", spy)
    monkeypatch.setattr(ranked, "_from_tier", tier_spy)
    monkeypatch.setattr(ranked, "_weigh_alone", alone_spy)
    monkeypatch.setattr(ranked, "_carry", carry_spy)
    return calls


def _whole(lib, monkeypatch, ask):
    """ask(lib) with no tier read or kept: every row weighed (the order the tiers must give again)."""
    with monkeypatch.context() as m:
        m.setattr(tiers, "alone", lambda *args: None)
        m.setattr(tiers, "candidates", lambda *args: None)
        m.setattr(ranked, "_weigh_alone", lambda *args: None)
        m.setattr(ranked, "_carry", lambda *args: None)
        return ask(lib)


def _kept(lib) -> set:
    return lib.ask(lambda con, _p: {(t, p) for t, p in con.execute(
        "SELECT tab, phrase FROM tiers WHERE generation = (SELECT value FROM meta WHERE key = 'generation')")}, None)


def _pages(lib) -> dict:
    return {(query, limit, offset): (page.total, [h.paper.arxiv_id for h in page.hits], [h.score for h in page.hits])
            for query in QUERIES for limit in (1, 3, 5, 8) for offset in range(0, 12, 3)
            for page in [finding.search(lib, query, limit=limit, offset=offset)]}


def test_a_page_the_tiers_answer_is_the_page_of_the_whole_order(tmp_path, small_tiers, monkeypatch):
    lib = _library(tmp_path / "lib", tmp_path)
    finding.refresh_similar(lib)
    whole = _whole(lib, monkeypatch, _pages)
    assert _kept(lib) == set()
    # The tiers the searches keep, each phrase alone weighed whole once: the same pages, totals and scores.
    assert _pages(lib) == whole
    assert {("search", '"numbat"'), ("grams", '"모델"'), ("grams", '"넘"*'), ("grams", '"ai"')} <= _kept(lib)
    assert finding.refresh_tiers(lib) > 0  # (then every heavy phrase's, as the reader's worker weighs them)
    assert {("search", '"numbat"'), ("grams", '"모델"'), ("grams", '"넘"*'), ("grams", '"ai"')} <= _kept(lib)
    calls = _weighing(monkeypatch)
    assert _pages(lib) == whole  # (the same pages, totals and scores)
    assert calls.count("tier") > 20 and calls.count(True) > 20  # the tiers answered pages ...
    calls.clear()
    finding.search(lib, "numbat", limit=5)
    finding.search(lib, "모델 넘", limit=3)
    # ... a first page of a heavy word is read from its tier, and one of heavy words weighs their tiers' rows
    assert calls == ["tier", True]
    assert finding.refresh_tiers(lib) == 0  # nothing changed: nothing weighed again
    lib.close()


def test_tiers_answer_only_until_papers_change_and_are_weighed_again(tmp_path, small_tiers, monkeypatch):
    root = tmp_path / "lib"
    lib = _library(root, tmp_path)
    finding.refresh_similar(lib)
    finding.refresh_tiers(lib)
    lib.close()
    # A new day whose paper holds the word most of all: the tiers weighed before it cannot know it.
    write(root, "2024-04-01", [paper_md("2404.99999", "Numbat numbat numbat", "numbat numbat 모델 모델 모델", votes=0)])
    lib = indexed(root, tmp_path)
    whole = _whole(lib, monkeypatch, lambda lib: finding.search(lib, "numbat", limit=3))
    calls = _weighing(monkeypatch)
    first = finding.search(lib, "numbat", limit=3)
    # (the tier of the papers before carried over: the new paper weighed with the tier's rows, kept)
    assert first.hits[0].paper.arxiv_id == "2404.99999" and calls == ["carried", "tier"]
    assert (first.total, [(h.paper.arxiv_id, h.score) for h in first.hits]) == (
        whole.total, [(h.paper.arxiv_id, h.score) for h in whole.hits])
    for weigh in (lambda: None, lambda: finding.refresh_tiers(lib)):
        weigh()
        calls.clear()
        again = finding.search(lib, "numbat", limit=3)
        assert [h.paper.arxiv_id for h in again.hits] == [h.paper.arxiv_id for h in first.hits] and calls == ["tier"]
        assert again.total == first.total and [h.score for h in again.hits] == [h.score for h in first.hits]
    lib.close()


def test_a_search_keeps_its_heavy_words_tier_for_the_papers_it_weighed(tmp_path, small_tiers, monkeypatch):
    """A command never runs the reader's worker: its first search of a heavy word weighs every row and keeps
    the word's tier, which the next search reads, until the papers change; a word in few papers keeps none."""
    root = tmp_path / "lib"
    lib = _library(root, tmp_path)
    whole = _whole(lib, monkeypatch, lambda lib: finding.search(lib, "numbat", limit=5))
    calls = _weighing(monkeypatch)
    first = finding.search(lib, "numbat", limit=5)
    rare = finding.search(lib, "00102", limit=5)  # (one paper: every result in one pass, nothing to keep)
    assert rare.total == 1 and calls == ["alone", "tier", "alone", "tier"]
    assert _kept(lib) == {("search", '"numbat"')}
    calls.clear()
    again = finding.search(lib, "numbat", limit=5)
    assert calls == ["tier"]
    for page in (first, again):
        assert (page.total, [(h.paper.arxiv_id, h.score) for h in page.hits]) == (
            whole.total, [(h.paper.arxiv_id, h.score) for h in whole.hits])
    lib.close()
    write(root, "2024-04-01", [paper_md("2404.99999", "Numbat numbat numbat", "numbat numbat numbat", votes=0)])
    lib = indexed(root, tmp_path)
    assert _kept(lib) == set()  # (the papers changed: the tier is of papers gone by, carried over)
    calls = _weighing(monkeypatch)
    assert finding.search(lib, "numbat", limit=5).hits[0].paper.arxiv_id == "2404.99999"
    assert calls == ["carried", "tier"] and _kept(lib) == {("search", '"numbat"')}
    assert lib.ask(lambda con, _p: con.execute("SELECT count(*) FROM tiers").fetchone()[0], None) == 1
    lib.close()


def test_a_search_never_waits_to_keep_a_tier_and_answers_when_it_cannot(tmp_path, small_tiers, monkeypatch):
    """Keeping a tier is a write a search does not wait for (another writer at work: nothing kept at once,
    the connection's wait for writers given back after); a read-only index answers the same, keeping none."""
    import sqlite3

    from reader.core.index import update

    lib = _library(tmp_path / "lib", tmp_path)
    whole = _whole(lib, monkeypatch, lambda lib: finding.search(lib, "numbat", limit=5))
    waits: list[float] = []
    real = update.begin

    def watched(con, wait):  # (how long the write lock is waited for)
        waits.append(wait)
        return real(con, wait)

    monkeypatch.setattr(update, "begin", watched)
    other = sqlite3.connect(lib.index_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # (another process writing)
    busy = finding.search(lib, "numbat", limit=5)
    other.execute("ROLLBACK")
    assert waits == [0] and _kept(lib) == set()
    lib.ask(lambda con, _p: con.execute("PRAGMA query_only = 1"), None)
    read_only = finding.search(lib, "numbat", limit=5)
    assert _kept(lib) == set() and len(waits) == 2
    assert lib.ask(lambda con, _p: con.execute("PRAGMA busy_timeout").fetchone()[0], None) == 10_000
    for page in (busy, read_only):
        assert (page.total, [(h.paper.arxiv_id, h.score) for h in page.hits]) == (
            whole.total, [(h.paper.arxiv_id, h.score) for h in whole.hits])
    lib.ask(lambda con, _p: con.execute("PRAGMA query_only = 0"), None)
    finding.search(lib, "numbat", limit=5)
    assert _kept(lib) == {("search", '"numbat"')}
    other.close()
    lib.close()


def test_a_heavy_word_alone_is_read_from_its_tier_with_the_same_scores_and_results(tmp_path, small_tiers, monkeypatch):
    """A paper listed again on a later day (its older appearance in the tier, but not a result) and one phrase
    alone: the page and the count read from the tier (no FTS5 row matched) are those of the whole order."""
    root = tmp_path / "lib"
    _library(root, tmp_path).close()
    twice = paper_md("2404.88888", "Numbat numbat", "numbat numbat numbat 모델 모델", votes=5)
    write(root, "2024-04-02", [twice])
    write(root, "2024-04-03", [twice, paper_md("2404.77777", "Numbat", "numbat 모델", votes=1)])
    lib = indexed(root, tmp_path)
    finding.refresh_similar(lib)
    whole = _whole(lib, monkeypatch, lambda lib: {
        (q, limit, offset): finding.search(lib, q, limit=limit, offset=offset)
        for q in ("numbat", "모델") for limit in (1, 4, 6) for offset in (0, 1)})
    assert finding.refresh_tiers(lib) > 0
    calls = _weighing(monkeypatch)
    matched: list[str] = []
    lib.ask(lambda con, _p: con.set_trace_callback(lambda sql: matched.append(sql) if "MATCH" in sql else None), None)
    for (q, limit, offset), page in whole.items():
        again = finding.search(lib, q, limit=limit, offset=offset)
        assert (again.total, [(h.paper.arxiv_id, h.paper.date, h.score) for h in again.hits]) == (
            page.total, [(h.paper.arxiv_id, h.paper.date, h.score) for h in page.hits]), (q, limit, offset)
    assert set(calls) == {"tier"} and matched == []
    assert [h.paper.date for h in whole[("numbat", 6, 0)].hits].count("2024-04-02") == 0  # (its newest day only)
    lib.close()


def test_a_page_read_from_a_tier_reads_only_the_rows_down_to_its_last(tmp_path, small_tiers, monkeypatch):
    """A page of one heavy phrase reads the papers rows of the tier's best rows down to the page's last and
    those tied with it, not the whole tier: the same page (the older appearances among them are read past)."""
    root = tmp_path / "lib"
    _library(root, tmp_path).close()
    twice = paper_md("2404.88888", "Numbat numbat numbat", "numbat numbat numbat numbat 모델 모델", votes=5)
    write(root, "2024-04-02", [twice])
    write(root, "2024-04-03", [twice])
    lib = indexed(root, tmp_path)
    finding.refresh_similar(lib)
    asks = [(q, limit, offset) for q in ("numbat", "모델") for limit in (1, 2, 3) for offset in (0, 1, 2)]
    whole = _whole(lib, monkeypatch, lambda lib: [finding.search(lib, q, limit=limit, offset=offset)
                                                   for q, limit, offset in asks])
    assert finding.refresh_tiers(lib) > 0
    bound: list[int] = []
    tier_page = ranked._tier_page
    monkeypatch.setattr(ranked, "_tier_page", lambda con, rows, *rest: bound.append(len(rows)) or tier_page(con, rows, *rest))
    calls = _weighing(monkeypatch)
    for (q, limit, offset), page in zip(asks, whole):
        again = finding.search(lib, q, limit=limit, offset=offset)
        assert (again.total, [(h.paper.arxiv_id, h.paper.date, h.score) for h in again.hits]) == (
            page.total, [(h.paper.arxiv_id, h.paper.date, h.score) for h in page.hits]), (q, limit, offset)
    assert set(calls) == {"tier"}
    assert bound and min(bound) < tiers.TIER and bound.count(tiers.TIER) < len(bound) / 2, bound
    lib.close()


def test_what_the_tiers_cannot_vouch_for_is_weighed_whole(tmp_path, small_tiers, monkeypatch):
    lib = _library(tmp_path / "lib", tmp_path)
    finding.refresh_similar(lib)
    whole = finding.search(lib, "numbat", limit=40)
    finding.refresh_tiers(lib)
    calls = _weighing(monkeypatch)
    deep = finding.search(lib, "numbat", limit=5, offset=10)  # beyond a tier's 8 rows
    assert [h.paper.arxiv_id for h in deep.hits] == [h.paper.arxiv_id for h in whole.hits[10:15]]
    assert calls == ["tier", True, False]

    def doubt(con, _paper_of):  # a bound no row of the tier scores above
        con.execute("UPDATE tiers SET bound = 1e9")

    lib.ask(doubt, None)
    calls.clear()
    page = finding.search(lib, "numbat", limit=5)
    assert [h.paper.arxiv_id for h in page.hits] == [h.paper.arxiv_id for h in whole.hits[:5]]
    assert page.total == whole.total and calls == ["tier", True, False]
    lib.close()


def test_tiers_weighed_while_papers_changed_are_not_kept(tmp_path, small_tiers):
    lib = _library(tmp_path / "lib", tmp_path)
    finding.refresh_similar(lib)

    def progress(stage, done, total):  # another process writes a day while the tiers are weighed
        assert stage == "tiers" and 0 < done <= total
        lib.ask(lambda con, _p: con.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'"), None)

    finding.refresh_tiers(lib, progress)
    assert lib.ask(lambda con, _p: con.execute("SELECT count(*) FROM tiers").fetchone()[0], None) == 0
    assert finding.refresh_tiers(lib) > 0  # the next refresh weighs them
    lib.close()


def test_a_count_of_short_words_leaves_out_a_papers_older_appearances(tmp_path):
    root = tmp_path / "lib"
    write(root, "2024-04-01", [paper_md("2404.00001", "Same", "older 토큰 text")])
    write(root, "2024-04-02", [paper_md("2404.00001", "Same", "newer 모델 text"), paper_md("2404.00002", "Other", "토큰 모델")])
    lib = indexed(root, tmp_path)
    assert [h.paper.arxiv_id for h in finding.search(lib, "토큰").hits] == ["2404.00002"]
    assert finding.search(lib, "토큰").total == finding.search(lib, "토").total == 1  # (the older text's 토큰 is not)
    assert finding.search(lib, "모델").total == 2 and finding.listing(lib, "토큰", limit=5).total == 1
    lib.close()


def test_a_page_read_from_a_tier_while_another_process_rewrites_its_papers_is_of_one_state(tmp_path, small_tiers,
                                                                                           monkeypatch):
    """The tier, then its page's papers: a digest read again by another process in between (its papers under
    new row ids) dropped the best paper from the page. Both are read in one state of the index."""
    root = tmp_path / "lib"
    lib = _library(root, tmp_path)
    finding.refresh_similar(lib)
    assert finding.refresh_tiers(lib) > 0
    before = finding.search(lib, "numbat", limit=5)
    best = before.hits[0].paper
    real, rewritten = tiers.alone, []

    def then_rewritten(*args):
        answer = real(*args)
        if answer is not None and not rewritten:
            path = root / best.date[:4] / best.date[5:7] / f"{best.date[8:]}.md"
            path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
            indexed(root, tmp_path).close()  # (another process reads the day again)
            rewritten.append(path)
        return answer

    monkeypatch.setattr(tiers, "alone", then_rewritten)
    during = finding.search(lib, "numbat", limit=5)
    assert rewritten
    assert (during.total, [(h.paper.arxiv_id, h.score) for h in during.hits]) == (
        before.total, [(h.paper.arxiv_id, h.score) for h in before.hits])
    lib.close()


def _sound(lib) -> int:
    """Every tier of the present papers holds its rows' exact scores (FTS5's, weighing every row found), and
    no row outside it scores above its bound; returns how many tiers were looked at."""
    def look(con, _paper_of):
        looked = 0
        for tab, phrase, ranked_json, bound in con.execute(
                "SELECT tab, phrase, ranked, bound FROM tiers WHERE generation = "
                "(SELECT value FROM meta WHERE key = 'generation')").fetchall():
            scores = dict(con.execute(f"SELECT rowid, {ranked.SCORES[tab]} FROM {tab} WHERE {tab} MATCH ?", (phrase,)))
            kept = dict(map(tuple, __import__("json").loads(ranked_json)))
            assert all(scores[row] == score for row, score in kept.items()), (tab, phrase)
            outside = [score for row, score in scores.items() if row not in kept]
            assert not outside or max(outside) <= bound, (tab, phrase, max(outside), bound)
            looked += 1
        return looked

    return lib.ask(look, None)


def test_a_tier_of_papers_gone_by_is_carried_over_to_the_pages_of_the_whole_order(tmp_path, small_tiers, monkeypatch):
    """Papers change in every way a library's do (a day added with the word's best papers, a day without it,
    a day of long summaries and one of short ones, a day removed, a day rewritten, a paper listed again on a
    later day and that day removed again, so its first row is a result again): after each, the first search
    of a heavy word carries its tier over (the rows then in it and the new ones weighed again, the rest under
    the old bound changed by idf and average length) and gives the pages, totals and scores of the whole order;
    each tier it keeps holds exact scores and a bound no other row scores above."""
    root = tmp_path / "lib"
    lib = _library(root, tmp_path)
    finding.refresh_similar(lib)
    assert finding.refresh_tiers(lib) > 0
    best = finding.search(lib, "numbat", limit=1).hits[0].paper
    lib.close()
    rng = random.Random(11)

    def day(date: str, count: int, words: str, filler: int) -> None:
        write(root, date, [paper_md(f"{date[2:4]}{date[5:7]}.{date[8:]}{n:03d}", f"Paper {date} {n}",
                                    f"{words} {'filler ' * rng.randint(0, filler)}", votes=rng.randint(0, 9))
                           for n in range(count)])

    relisted = root / "2024" / "05" / "09.md"
    changes = [
        lambda: day("2024-04-01", 3, "numbat numbat numbat numbat 모델 모델 모델 모델 넘넘", 2),  # the best of them
        lambda: day("2024-04-02", 20, "nothing of them here", 5),  # (the word's idf grows: every score too)
        lambda: day("2024-04-03", 6, "numbat 모델 넘", 400),  # (summaries much longer: the average grows)
        lambda: day("2024-04-04", 30, "short", 0),  # (... and shrinks)
        lambda: (root / "2024" / "03" / "02.md").unlink(),
        lambda: (root / "2024" / "03" / "04.md").write_text(
            (root / "2024" / "03" / "04.md").read_text(encoding="utf-8").replace("Vote: ", "Vote: 1"), encoding="utf-8"),
        lambda: write(root, "2024-05-09", [paper_md(best.arxiv_id, "Listed again", "other words entirely")]),
        lambda: relisted.unlink(),  # (its first row is a result again, and was weighed as no result)
    ]
    carried = 0
    for change in changes:
        change()
        lib = indexed(root, tmp_path)
        whole = _whole(lib, monkeypatch, _pages)
        calls = _weighing(monkeypatch)
        assert _pages(lib) == whole
        carried += calls.count("carried")
        # (every heavy word had a tier: the first search of each carried it over, none weighed it whole first)
        assert calls[0] == "carried" and calls.count("alone") <= calls.count("carried"), calls
        assert _sound(lib) >= 3
        monkeypatch.undo()
        monkeypatch.setattr(tiers, "HEAVY", 10)
        monkeypatch.setattr(tiers, "TIER", 8)
        lib.close()
    assert carried >= 3 * len(changes)
    lib = indexed(root, tmp_path)
    again = _pages(lib)
    assert best.arxiv_id in {h.paper.arxiv_id for h in finding.search(lib, "numbat", limit=8).hits}
    lib.close()
    assert again == whole


def test_a_carried_bound_holds_every_unchanged_row_under_it():
    """tiers.carried against bm25 as FTS5 computes it: whatever a row's own counts and however the table's rows,
    tokens and the phrase's rows move, a row that scored at most a bound scores at most the bound carried."""
    from hypothesis import given, settings, strategies as st

    def bm25(freq: float, length: int, basis: tiers.Basis) -> float:  # (fts5_aux.c, k1 1.2, b 0.75)
        avgdl = basis.tokens / basis.rows
        return tiers._idf(basis) * ((freq * 2.2) / (freq + 1.2 * (1 - 0.75 + 0.75 * length / avgdl)))

    bases = st.builds(lambda rows, df, per: tiers.Basis(rows, rows * per, min(df, rows), 0),
                      st.integers(1, 400_000), st.integers(1, 400_000), st.integers(1, 5_000))

    @settings(max_examples=3000, deadline=None)
    @given(st.integers(1, 200).map(float), st.integers(1, 100_000), bases, bases)
    def check(freq, length, then, now):
        assert bm25(freq, length, now) <= tiers.carried(bm25(freq, length, then), then, now)

    check()


def test_a_tables_rows_and_tokens_are_read_as_fts5_counts_them(tmp_path):
    """tiers.basis reads FTS5's own record of a table's rows and tokens (varints of one to several bytes)."""
    import sqlite3

    con = sqlite3.connect(tmp_path / "t.sqlite3")
    con.execute("CREATE TABLE papers(id INTEGER PRIMARY KEY AUTOINCREMENT, x)")
    con.execute("CREATE VIRTUAL TABLE t_search USING fts5(a, b, tokenize='ascii')")
    assert tiers.basis(con, "t_search", 3) == tiers.Basis(0, 0, 3, 0)
    texts = [("a b c", "d e"), ("x " * 200, "y " * 20_000), ("one", "")]
    con.executemany("INSERT INTO t_search(a, b) VALUES (?, ?)", texts)
    con.executemany("INSERT INTO papers(x) VALUES (?)", [(1,)] * 5)
    con.commit()
    assert tiers.basis(con, "t_search", 2) == tiers.Basis(3, 5 + 200 + 20_000 + 1, 2, 5)
    con.execute("DELETE FROM t_search WHERE rowid = 1")
    con.commit()  # (FTS5 writes its record at the commit)
    assert tiers.basis(con, "t_search", 2) == tiers.Basis(2, 200 + 20_000 + 1, 2, 5)
    con.close()


def test_a_carried_tier_that_cannot_vouch_for_a_page_is_weighed_whole_once_and_replaced(tmp_path, small_tiers,
                                                                                        monkeypatch):
    """A carried bound is above the best score outside the tier (by how much depends on how idf and the average
    length moved): a page within the tier it cannot vouch for weighs every row once and keeps that exact
    tier, which answers the next search, rather than weighing every row at each search until papers change."""
    root = tmp_path / "lib"
    lib = _library(root, tmp_path)
    finding.refresh_similar(lib)
    assert finding.refresh_tiers(lib) > 0
    lib.close()
    write(root, "2024-04-01", [paper_md("2404.99999", "Numbat numbat numbat", "numbat numbat", votes=0)])
    lib = indexed(root, tmp_path)
    whole = _whole(lib, monkeypatch, lambda lib: [finding.search(lib, "numbat", limit=n) for n in (1, 5)])
    calls = _weighing(monkeypatch)
    assert finding.search(lib, "numbat", limit=1).hits[0].paper.arxiv_id == "2404.99999"
    assert calls == ["carried", "tier"]  # (its first page vouched for; the carried tier kept)
    # A bound carried over that no row of the tier scores above (as one much looser than the truth).
    lib.ask(lambda con, _p: con.execute("UPDATE tiers SET bound = 1e9 WHERE carried = 1"), None)
    calls.clear()
    page = finding.search(lib, "numbat", limit=5)
    assert calls == ["tier", "alone", "tier"]
    calls.clear()
    again = finding.search(lib, "numbat", limit=5)
    assert calls == ["tier"]
    for got in (page, again):
        assert (got.total, [(h.paper.arxiv_id, h.score) for h in got.hits]) == (
            whole[1].total, [(h.paper.arxiv_id, h.score) for h in whole[1].hits])
    assert lib.ask(lambda con, _p: con.execute("SELECT carried FROM tiers WHERE phrase = '\"numbat\"'").fetchone()[0],
                   None) == 0
    assert _sound(lib) >= 1
    lib.close()


def test_a_token_weighed_while_another_process_adds_papers_is_counted_in_the_same_state(tmp_path, small_tiers,
                                                                                       monkeypatch):
    """A token is weighed, then its rows counted, in two statements (ranked._weigh_one): another process that
    adds papers holding it in between changes neither the page nor the count, both of one state."""
    root = tmp_path / "lib"
    lib = _library(root, tmp_path)
    before = _whole(lib, monkeypatch, lambda lib: finding.search(lib, "모델", limit=5))
    added: list[str] = []

    def trace(sql: str) -> None:
        if "count(*) FILTER" in sql and "FROM grams" in sql and not added:
            added.append(sql)
            write(root, "2024-04-09", [paper_md(f"2404.{n:05d}", f"Paper {n}", "모델 모델 모델 모델") for n in range(6)])
            indexed(root, tmp_path).close()  # (another process reads the new day)

    lib.ask(lambda con, _p: con.set_trace_callback(trace), None)
    page = finding.search(lib, "모델", limit=5)
    lib.ask(lambda con, _p: con.set_trace_callback(None), None)
    assert added
    assert (page.total, [(h.paper.arxiv_id, h.score) for h in page.hits]) == (
        before.total, [(h.paper.arxiv_id, h.score) for h in before.hits])
    lib.close()
