"""Finding papers (issue 19): the search language, ranked search with snippets over the index, similar papers
and the newest papers like the user's stars (reader.core.finding)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core import finding
from reader.core.finding import Marks, QueryError, parse
from reader.core.finding import vectors
from reader.core.index import open_indexed
from reader.core.library import Library
from reader.core.text import fold


def paper_md(arxiv_id: str, title: str, summary: str, *, votes: int | None = 1, authors: str = "Kim Minsu",
             keywords: str | None = None) -> str:
    lines = [f"### [{title}](https://arxiv.org/abs/{arxiv_id})", ""]
    if votes is not None:
        lines += [f"Vote: {votes}", ""]
    lines += [f"Authors: {authors}", "", f"- ***What's New***: {summary}"]
    if keywords:
        lines.append(f"- ***Keywords***: {keywords}")
    return "\n".join(lines) + "\n"


def write(root: Path, date: str, papers: list[str]) -> Path:
    y, m, d = date.split("-")
    path = root / y / m / f"{d}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"## Daily Papers ({date})\n\n" + "\n".join(papers), encoding="utf-8")
    return path


def indexed(root: Path, tmp_path: Path):
    library = open_indexed([root], tmp_path / "index")
    library.load_all()
    assert library.indexed
    return library


@pytest.fixture
def library(tmp_path):
    root = tmp_path / "lib"
    write(root, "2024-08-01", [
        paper_md("2408.00001", "Quokka: a small model", "작은 모델을 제안합니다.", votes=5),
        paper_md("2408.00002", "Another paper", "quokka quokka quokka 를 여러 번 언급하는 요약입니다. 칩 설계.", votes=50),
        paper_md("2408.00003", "Plain paper", "확산 모델(diffusion models)을 다룹니다.", votes=None,
                 authors="Kaiming He, Lee Jiwoo"),
    ])
    write(root, "2024-12-02", [
        paper_md("2412.00001", "Quokka returns", "다시 돌아온 모델.", votes=7),
        paper_md("2412.00002", "English only", "An English summary about token merging.", votes=3),
    ])
    lib = indexed(root, tmp_path)
    yield lib
    lib.close()


def ids(page) -> list[str]:
    return [hit.paper.arxiv_id for hit in page.hits]


# -- the language ----------------------------------------------------------------------------------------------
def test_the_language_reads_words_phrases_and_every_filter():
    q = parse('Quokka "Diffusion   Models" is:starred is:unread has:note votes:>=20 votes:<100 date:2024-12 '
              'author:"Kaiming He" lang:ko 모델')
    assert q.words == ["quokka", "모델"] and q.phrases == ["diffusion models"]
    assert (q.starred, q.unread, q.noted, q.lang) == (True, True, True, "ko")
    assert q.votes == [(">=", 20), ("<", 100)] and q.authors == ["kaiming he"]
    assert (q.since, q.until) == ("2024-12-01", "2024-12-31")
    assert (parse("since:2025 until:2025-02").since, parse("since:2025 until:2025-02").until) == ("2025-01-01",
                                                                                                  "2025-02-28")
    assert parse("votes:7").votes == [(">=", 7)] and parse("date:2024-02-29").since == "2024-02-29"
    assert parse("3:1 https://x.org").words == ["3:1", "https://x.org"]  # colons in words are words


@pytest.mark.parametrize("text, says", [
    ("is:stared", "is: takes starred or unread"), ("votes:many", "votes: takes >=N"), ("date:2024-13", "no month 13"),
    ("since:24", "takes a date as YYYY"), ("lang:fr", "lang: takes ko or en"), ("tag:x", "unknown filter 'tag:x'"),
    ('author:""', "author: takes a name"), ("since:2025 until:2024", "no day is both"),
])
def test_a_wrong_filter_says_in_one_line_what_is_allowed(text, says):
    with pytest.raises(QueryError) as raised:
        parse(text)
    message = str(raised.value)
    assert says in message and "\n" not in message
    if "filter" in says or "takes" in says:
        assert "is:starred" in message and 'author:"Name"' in message and "lang:ko|en" in message


# -- ranking ---------------------------------------------------------------------------------------------------
def test_a_word_in_the_title_outranks_the_same_word_in_a_summary_and_votes_break_ties(library):
    page = finding.search(library, "quokka")
    assert page.total == 3
    # both titles hold it once: the tie goes to votes (7 over 5); the summary that says it three times is last
    assert ids(page) == ["2412.00001", "2408.00001", "2408.00002"]
    assert page.hits[0].score >= page.hits[1].score > page.hits[2].score > 0


def test_sort_by_date_or_votes_keeps_the_results_and_changes_the_order(library):
    assert ids(finding.search(library, "quokka", sort="date")) == ["2412.00001", "2408.00002", "2408.00001"]
    assert ids(finding.search(library, "quokka", sort="votes")) == ["2408.00002", "2412.00001", "2408.00001"]
    with pytest.raises(QueryError):
        finding.search(library, "quokka", sort="title")


def test_every_result_is_reachable_page_by_page(tmp_path):
    root = tmp_path / "lib"
    for day in range(1, 29):
        write(root, f"2024-02-{day:02d}", [paper_md(f"2402.{day:02d}{n:03d}", f"Wombat {day} {n}", "웜뱃 요약",
                                                     votes=n) for n in range(12)])
    lib = indexed(root, tmp_path)
    seen = []
    offset = 0
    while True:
        page = finding.search(lib, "wombat", offset=offset, limit=50)
        assert page.total == 28 * 12
        if not page.hits:
            break
        seen += ids(page)
        offset += len(page.hits)
    assert len(seen) == len(set(seen)) == 336  # no cap of 200: every paper once
    assert finding.search(lib, "wombat", offset=1000).hits == []


def test_a_page_is_its_slice_of_the_whole_order_even_inside_a_run_of_equal_scores(tmp_path):
    # 24 papers weigh exactly the same (the same title and summary, ids of one length): the page's last score
    # is shared by rows on both sides of the page's edge, and votes must still order them across pages.
    root = tmp_path / "lib"
    write(root, "2024-03-01", [paper_md(f"2403.{n:05d}", "Numbat survey", "넘뱃 요약", votes=(n * 7) % 24)
                               for n in range(24)])
    write(root, "2024-03-02", [paper_md("2403.90001", "Numbat numbat numbat", "numbat 넘뱃", votes=0),
                               paper_md("2403.90002", "Other", "numbat", votes=99)])
    lib = indexed(root, tmp_path)
    whole = finding.search(lib, "numbat", limit=100)
    assert whole.total == 26 and len(whole.hits) == 26
    assert ids(whole)[0] == "2403.90001" and ids(whole)[-1] == "2403.90002"  # most weight first, least last
    run = [h.paper.votes for h in whole.hits[1:25]]
    assert run == sorted(run, reverse=True) and len({h.score for h in whole.hits[1:25]}) == 1
    for limit in (1, 3, 5, 10, 25):
        for offset in range(0, 27, 2):
            page = finding.search(lib, "numbat", limit=limit, offset=offset)
            assert page.total == 26 and ids(page) == ids(whole)[offset:offset + limit], (limit, offset)
            assert [b.arxiv_id for b in finding.listing(lib, "numbat", limit=offset + limit).briefs] == \
                ids(whole)[:offset + limit]
    lib.close()


def test_snippets_mark_the_found_words_in_the_summary_and_the_title(library):
    page = finding.search(library, "quokka 번")
    hit = page.hits[0]
    assert hit.paper.arxiv_id == "2408.00002"
    marked = [hit.snippet[s:e] for s, e in hit.spans]
    assert marked.count("quokka") == 3 and "번" in marked
    found = finding.search(library, "QUOKKA").hits[0]
    assert [found.paper.title[s:e] for s, e in found.title_spans] == ["Quokka"]


def test_a_long_summary_is_cut_around_the_first_match():
    from reader.core.finding.snippets import snippet

    text = "앞부분 " * 100 + "여기에 Needle 이 있습니다 " + "뒷부분 " * 100
    shown, spans = snippet(text, ["needle"], width=80)
    assert shown.startswith("…") and shown.endswith("…") and len(shown) <= 82
    assert [shown[s:e] for s, e in spans] == ["Needle"]


def test_korean_words_of_one_and_two_syllables_are_found_and_ranked(library):
    assert set(ids(finding.search(library, "모델"))) == {"2408.00001", "2408.00003", "2412.00001"}
    assert ids(finding.search(library, "칩")) == ["2408.00002"]
    assert ids(finding.search(library, "확산")) == ["2408.00003"]
    # one or two ASCII letters go through the index too
    assert ids(finding.search(library, "ai")) == ["2408.00003"]  # (Kaiming)


def test_filters_narrow_the_results(library):
    assert ids(finding.search(library, "quokka votes:>=6")) == ["2412.00001", "2408.00002"]
    assert ids(finding.search(library, "quokka votes:<6")) == ["2408.00001"]
    assert ids(finding.search(library, "quokka votes:=50")) == ["2408.00002"]
    assert ids(finding.search(library, "quokka date:2024-08", sort="date")) == ["2408.00002", "2408.00001"]
    assert ids(finding.search(library, "quokka since:2024-09")) == ["2412.00001"]
    assert ids(finding.search(library, "quokka until:2024-08-01", sort="votes")) == ["2408.00002", "2408.00001"]
    assert ids(finding.search(library, 'author:"kaiming he"')) == ["2408.00003"]
    assert ids(finding.search(library, "author:he 모델")) == ["2408.00003"]
    assert ids(finding.search(library, "lang:en")) == ["2412.00002"]
    assert set(ids(finding.search(library, "lang:ko quokka"))) == {"2408.00001", "2408.00002", "2412.00001"}
    assert ids(finding.search(library, '"token merging"')) == ["2412.00002"]
    assert finding.search(library, '"merging token"').total == 0


def test_mark_filters_take_the_ids_the_caller_gives(library):
    marks = Marks(starred={"2408.00001", "2412.00002"}, read={"2412.00001"}, noted={"2408.00002"})
    assert set(ids(finding.search(library, "is:starred", marks=marks))) == {"2408.00001", "2412.00002"}
    assert ids(finding.search(library, "is:starred quokka", marks=marks)) == ["2408.00001"]
    assert ids(finding.search(library, "is:unread quokka", marks=marks)) == ["2408.00001", "2408.00002"]
    assert ids(finding.search(library, "has:note", marks=marks)) == ["2408.00002"]
    assert finding.search(library, "is:starred").total == 0  # no stars given: nothing starred


def test_without_the_index_memory_gives_the_same_results(library, tmp_path):
    memory = Library.open([tmp_path / "lib"]).load_all()
    marks = Marks(starred={"2408.00001"}, read={"2412.00001"})
    for query in ("quokka", "모델", "칩", "quokka votes:>=6", "lang:en", 'author:"kaiming"', "is:unread quokka"):
        for sort in ("relevance", "date", "votes"):
            on_disk = finding.search(library, query, sort=sort, marks=marks)
            in_memory = finding.search(memory, query, sort=sort, marks=marks)
            assert set(ids(on_disk)) == set(ids(in_memory)) and on_disk.total == in_memory.total, (query, sort)
            if sort != "relevance":
                assert ids(on_disk) == ids(in_memory), (query, sort)
            assert [h.spans for h in on_disk.hits if h.paper.arxiv_id == ids(on_disk)[0]] == \
                [h.spans for h in in_memory.hits if h.paper.arxiv_id == ids(on_disk)[0]]
    assert library.indexed


def test_briefs_list_the_same_papers_in_the_same_order(library):
    for sort in ("relevance", "date", "votes"):
        assert [b.arxiv_id for b in finding.listing(library, "quokka", sort=sort).briefs] == \
            ids(finding.search(library, "quokka", sort=sort))
    assert [b.arxiv_id for b in finding.listing(library, "quokka", limit=1).briefs] == ["2412.00001"]


# -- similar papers --------------------------------------------------------------------------------------------
@pytest.fixture
def related(tmp_path):
    root = tmp_path / "lib"
    write(root, "2025-05-20", [
        paper_md("2505.00001", "Policy optimization for reasoning", "We train reasoning with rewards.",
                 keywords="reinforcement learning, GRPO, chain-of-thought"),
        paper_md("2505.00002", "Group relative rewards at scale", "A study of optimization.",
                 keywords="GRPO, reinforcement learning (RL)"),
        paper_md("2505.00003", "Texture synthesis with diffusion", "Images from noise.",
                 keywords="diffusion models, texture synthesis"),
        paper_md("2505.00004", "Video diffusion", "Frames from noise.", keywords="diffusion models, video generation"),
    ])
    write(root, "2024-08-01", [
        paper_md("2408.00011", "Rewards for thinking", "강화 학습(reinforcement learning)으로 추론을 학습합니다."),
        paper_md("2408.00012", "Moving pictures", "확산 모델(diffusion models)로 영상을 만듭니다."),
    ])
    lib = indexed(root, tmp_path)
    yield root, lib
    lib.close()


def test_similar_papers_share_keywords_and_english_terms_in_parentheses(related):
    _root, lib = related
    found = finding.similar(lib, "2505.00001", 3)
    assert [p.arxiv_id for p, _ in found][:2] == ["2505.00002", "2408.00011"]
    assert all(0 < s <= 1 for _, s in found) and [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    assert {p.arxiv_id for p, _ in finding.similar(lib, "2408.00012", 2)} == {"2505.00003", "2505.00004"}
    assert finding.similar(lib, "2505.99999") == []
    assert "2505.00001" not in [p.arxiv_id for p, _ in finding.similar(lib, "2505.00001", 10)]


def test_similarity_follows_the_index_when_a_day_changes(related, tmp_path):
    root, lib = related
    assert finding.similar(lib, "2505.00003", 1)[0][0].arxiv_id in {"2505.00004", "2408.00012"}
    write(root, "2025-05-21", [paper_md("2505.00009", "Texture synthesis with diffusion, again", "Images from noise.",
                                        keywords="diffusion models, texture synthesis")])
    again = indexed(root, tmp_path)
    assert finding.similar(again, "2505.00003", 1)[0][0].arxiv_id == "2505.00009"
    (root / "2025" / "05" / "21.md").unlink()
    third = indexed(root, tmp_path)
    assert "2505.00009" not in [p.arxiv_id for p, _ in finding.similar(third, "2505.00003", 10)]
    con = third._store.connection()
    assert vectors.refresh(con) == 0 and vectors.stale(con) == ([], [])  # nothing left to weigh
    for opened in (again, third):
        opened.close()


def test_a_full_pass_weighs_every_paper_again_when_many_changed(related, tmp_path):
    root, lib = related
    finding.refresh_similar(lib)
    con = lib._store.connection()
    assert con.execute("SELECT value FROM meta WHERE key = 'sim_n'").fetchone()[0] == "6"
    write(root, "2025-05-22", [paper_md(f"2505.001{n:02d}", f"New paper {n}", "Noise.") for n in range(3)])
    again = indexed(root, tmp_path)
    assert finding.refresh_similar(again) == 9  # 3 of 6 changed: more than a tenth, so all of them again
    assert again._store.connection().execute("SELECT value FROM meta WHERE key = 'sim_n'").fetchone()[0] == "9"
    again.close()


def weights(con) -> dict[tuple[str, str], float]:
    """(arXiv id, term) -> weight: every paper's vector as the similarity tables keep it."""
    return {(arxiv_id, term): round(w, 9) for arxiv_id, term, w in con.execute(
        "SELECT d.arxiv_id, t.term, p.w FROM sim_docs d JOIN sim_postings p ON p.doc = d.doc "
        "JOIN sim_terms t ON t.id = p.term")}


def test_a_full_pass_cut_short_is_resumed_by_the_next_refresh_not_begun_again(related, tmp_path, monkeypatch):
    """A refresh stopped between two batches (the reader quitting; a process killed mid-batch rolls that batch
    back, the same) leaves the index usable, and the next refresh weighs only the papers left, with the
    pass's counts: the same vectors as a pass never stopped."""
    root, lib = related
    monkeypatch.setattr(vectors, "BATCH", 2)
    stages: list[tuple[str, int, int]] = []

    class Stop(Exception):
        pass

    def stop_after_two(stage, done, total):
        stages.append((stage, done, total))
        if stage == "weighing" and done == 2:
            raise Stop

    with pytest.raises(Stop):
        finding.refresh_similar(lib, stop_after_two)
    assert stages[0] == ("counting", 2, 6) and stages[-1] == ("weighing", 2, 6)
    con = lib._store.connection()
    assert con.execute("SELECT count(*) FROM sim_docs").fetchone()[0] == 2
    assert lib.search("reasoning") and vectors.similar(con, "2505.99999", lib._paper) is None  # still usable
    stages.clear()
    assert finding.refresh_similar(lib, lambda *step: stages.append(step)) == 4  # the four left
    assert [s for s in stages if s[0] == "counting"] == [] and stages[-1] == ("weighing", 4, 4)
    assert finding.refresh_similar(lib) == 0
    fresh = indexed(root, tmp_path / "fresh")
    assert finding.refresh_similar(fresh) == 6
    assert weights(con) == weights(fresh._store.connection()) and len({k[0] for k in weights(con)}) == 6
    fresh.close()


def test_busy_commits_a_batch_as_it_is_and_hands_over_at_once_with_the_same_vectors(related, tmp_path):
    """busy() saying True (the reader's user pressing keys) ends the batch after the paper being weighed (and the
    counting of terms after the paper being read) with a call of progress outside any transaction, where the
    reader waits: every paper is weighed all the same, as a pass never interrupted weighs it."""
    root, lib = related
    con = lib._store.connection()
    calls = []

    def progress(stage, done, total):
        calls.append((stage, done, total, con.in_transaction))

    answers = iter([False, True] * 20)
    assert finding.refresh_similar(lib, progress, lambda: next(answers)) == 6
    counting = [c for c in calls if c[0] == "counting"]
    weighing = [c[1] for c in calls if c[0] == "weighing"]
    assert [c[1] for c in counting] == [2, 4, 6, 6] and weighing == [0, 2, 4, 6]  # (a batch is 256 papers)
    assert not any(c[3] for c in calls)  # never inside a transaction
    fresh = indexed(root, tmp_path / "fresh")
    assert finding.refresh_similar(fresh) == 6
    assert weights(con) == weights(fresh._store.connection())
    fresh.close()


def test_similar_needs_the_index(tmp_path, related):
    root, _lib = related
    memory = Library.open([root]).load_all()
    assert finding.similar(memory, "2505.00001") is None
    assert finding.for_you(memory, {"2505.00001"}, set()) is None


def test_for_you_ranks_the_newest_unread_papers_by_the_stars(related):
    _root, lib = related
    ranked = finding.for_you(lib, {"2408.00012"}, read={"2505.00004"}, days=1)
    assert [p.arxiv_id for p, _ in ranked][0] == "2505.00003"  # like the star; 00004 is read
    assert "2505.00004" not in [p.arxiv_id for p, _ in ranked]
    assert all(p.date == "2025-05-20" for p, _ in ranked)
    assert finding.for_you(lib, set(), set()) == []


def test_terms_hold_keywords_english_in_parentheses_and_korean_pairs():
    counts = vectors.terms("Flow matching models", [("What's New", "확산 모델(Diffusion Models; DM)을 씁니다."),
                                                   ("Keywords", "Large Language Models (LLMs), GRPO"),
                                                   ("Links", "[Code](https://github.com/x/y)")])
    assert {"k:diffusion model", "k:dm", "k:large language model", "k:llm", "k:grpo"} <= set(counts)
    assert {"확산", "모델", "씁니"} <= set(counts) and counts["flow"] == 2
    assert "github" not in counts and "https" not in counts and fold("the") not in counts


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "X", "Z", " ", "\u00df", "\u0130", "\ufb01", "\uac00", "\ub098",
                                 "\uff21", "\uff11", "\u1100\u1161", "\u0301", "\u03a3", "\u03c2"]),
                max_size=40).map("".join),
       st.sampled_from(["a", "ss", "\uac00", "ab", "x", "fi", "\u03c3"]))
def test_spans_are_found_the_same_whichever_way_the_text_is_folded(text, term):
    """A summary that folding leaves one character for one (a composed Korean summary) is mapped in one pass;
    every other text character by character: both give the same spans as folding each character alone."""
    from reader.core.finding import snippets

    folded, where = snippets._slow(text)
    expected = []
    start = folded.find(term)
    while start >= 0:
        expected.append((where[start], where[start + len(term) - 1] + 1))
        start = folded.find(term, start + len(term))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(expected):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    assert snippets.spans(text, [term]) == merged


def test_a_composed_korean_summary_is_folded_in_one_pass(monkeypatch):
    from reader.core.finding import snippets

    def refuse(text):
        raise AssertionError("folded character by character")

    monkeypatch.setattr(snippets, "_slow", refuse)
    text = "토큰 병합(Token Merging)으로 ViT를 가속합니다. " * 20
    assert [text[s:e] for s, e in snippets.spans(text, ["token", "가속"])][:2] == ["Token", "가속"]


def test_a_letter_alone_is_not_weighed_its_results_go_by_votes_then_date(library):
    """The first key of a word being typed (one ASCII letter or digit) is in nearly every paper: weighing
    every paper by bm25 for it was the slowest search there is (about 100 ms a keystroke at 10x) and says
    nothing. Its results go by votes, then the newer day; a Korean syllable alone is a word, and weighed."""
    page = finding.search(library, "q")
    assert ids(page) == ["2408.00002", "2412.00001", "2408.00001"] and page.total == 3
    assert {hit.score for hit in page.hits} == {0.0}
    assert finding.search(library, "칩").hits[0].score > 0
    assert finding.search(library, "qu").hits[0].score > 0  # two letters: a word, weighed


def test_a_letter_alones_pages_walk_the_papers_in_the_order_of_votes_and_equal_the_votes_sort(tmp_path):
    # (a letter's page is read from the papers in the order of votes, each asked whether it holds the letter:
    # the same pages as sorting every result by votes, ties, papers without votes and filters included)
    root = tmp_path / "lib"
    for day in range(4):
        write(root, f"2024-05-0{day + 1}", [paper_md(f"2405.{day}{n:04d}", f"Paper {n}", "q 요약" if n % 3 else "요약",
                                                     votes=None if n % 5 == 0 else n % 4) for n in range(15)])
    write(root, "2024-05-09", [paper_md("2405.00001", "Again", "q again", votes=99)])  # a paper listed again
    lib = indexed(root, tmp_path)
    for query in ("q", "q votes:>=2", "q since:2024-05-02", "q p"):
        whole = finding.search(lib, query, sort="votes", limit=100)
        assert whole.total == len(whole.hits) > 10
        for limit, offset in ((1, 0), (5, 0), (7, 3), (10, 20), (40, 0)):
            page = finding.search(lib, query, limit=limit, offset=offset)
            assert ids(page) == ids(whole)[offset:offset + limit] and page.total == whole.total, (query, limit, offset)
    assert ids(finding.search(lib, "q", limit=1)) == ["2405.00001"]
    lib.close()


def test_a_snippet_starts_a_few_words_before_the_match_so_a_narrow_list_shows_it():
    """At 80 columns a result's snippet line shows about 30 Korean characters (two cells each): the match,
    deep in a long summary, was put 53 characters in and cut off the screen."""
    from reader.core.finding.snippets import snippet

    text = "앞부분의 긴 설명이 이어집니다 " * 30 + "토큰 병합으로 가속합니다 " + "뒷부분 " * 60
    shown, spans = snippet(text, ["토큰"])
    assert [shown[s:e] for s, e in spans] == ["토큰"]
    assert spans[0][0] <= 20


def test_a_page_asked_while_another_process_rewrites_its_papers_is_read_from_one_state_of_them(tmp_path, monkeypatch):
    """A page's rows are found, then read whole in a second statement: a digest read again by another process
    in between (its papers under new row ids) made an internal error (KeyError). Both are read in
    one read transaction: the papers as they were when it began, whole."""
    from reader.core.finding import ranked

    root = tmp_path / "lib"
    write(root, "2024-03-01", [paper_md("2403.00001", "Numbat one", "numbat", votes=3),
                               paper_md("2403.00002", "Numbat two", "numbat numbat", votes=1)])
    lib = indexed(root, tmp_path)
    real, asked = ranked._ranked, []

    def then_rewritten(*args, **kwargs):
        answer = real(*args, **kwargs)
        if not asked:
            asked.append(answer)
            write(root, "2024-03-01", [paper_md("2403.00001", "Numbat one, revised", "numbat", votes=30),
                                       paper_md("2403.00003", "Numbat three", "numbat", votes=2)])
            indexed(root, tmp_path).close()  # (another process reads the file again)
        return answer

    monkeypatch.setattr(ranked, "_ranked", then_rewritten)
    page = finding.search(lib, "numbat", limit=5, sort="votes")
    assert [(h.paper.arxiv_id, h.paper.title, h.paper.votes) for h in page.hits] == [
        ("2403.00001", "Numbat one", 3), ("2403.00002", "Numbat two", 1)]
    assert page.total == 2 and asked
    lib.close()
