"""m (papers like the shown one) and the day list's For you, in the reader (the rest: tests/unit/test_finding.py)."""

from __future__ import annotations

from pathlib import Path

from reader.core.index import open_indexed
from tui_support import searched

from test_finding import paper_md, write


def library_of(tmp_path: Path):
    root = tmp_path / "lib"
    write(root, "2025-05-20", [
        paper_md("2505.00001", "Policy optimization for reasoning", "We train reasoning with rewards.", votes=9,
                 keywords="reinforcement learning, GRPO, chain-of-thought"),
        paper_md("2505.00002", "Group relative rewards at scale", "A study of optimization.", votes=5,
                 keywords="GRPO, reinforcement learning (RL)"),
        paper_md("2505.00003", "Texture synthesis with diffusion", "Images from noise.", votes=3,
                 keywords="diffusion models, texture synthesis"),
    ])
    write(root, "2024-08-01", [
        paper_md("2408.00012", "Moving pictures", "확산 모델(diffusion models)로 영상을 만듭니다.", votes=2),
    ])
    library = open_indexed([root], tmp_path / "index")
    library.load_all()
    return library


def app_of(library, state=None):
    from reader.core.config import Config
    from reader.core.state import StateStore
    from reader.tui.app import make_app
    from tui_support import FakeSystem

    return make_app(library, state if state is not None else StateStore.in_memory(), system=FakeSystem(), config=Config(read_delay=60))


async def test_m_lists_the_papers_most_like_the_shown_one_and_enter_opens_one(tmp_path):
    from reader.tui.screens.similar import ScoresScreen
    from tui_support import row_texts

    library = library_of(tmp_path)
    app = app_of(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.current_paper.arxiv_id == "2505.00001"  # the newest day, most votes first
        await pilot.press("m")
        screen = app.screen
        assert isinstance(screen, ScoresScreen)
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert [p.arxiv_id for p, _ in screen.results][0] == "2505.00002"
        rows = row_texts(screen.query_one("#scores-list"))
        assert rows[0].startswith(f"{screen.results[0][1]:5.3f} 2025-05-20") and "Group relative rewards" in rows[0]
        await pilot.press("enter")
        assert not isinstance(app.screen, ScoresScreen)
        assert app.current_paper.arxiv_id == "2505.00002"
    library.close()


async def test_for_you_without_stars_says_how_it_works_and_with_stars_ranks_the_newest_unread(tmp_path):
    from reader.core.state import StateStore
    from reader.tui.screens.similar import FOR_YOU_HELP, ScoresScreen
    from reader.tui.widgets.days import FOR_YOU

    library = library_of(tmp_path)
    state = StateStore.in_memory()
    app = app_of(library, state)
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        days = app.view.days
        days.focus()
        days.select_key(FOR_YOU)
        await pilot.pause()
        assert app.current_key == "2025-05-20"  # passing over For you opens nothing
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, ScoresScreen)
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert str(screen.query_one("#scores-note").render()) == FOR_YOU_HELP
        await pilot.press("escape")
        assert not isinstance(app.screen, ScoresScreen)
        state.set_starred("2408.00012", True)
        state.set_read("2505.00001", True)
        days.select_key(FOR_YOU)
        await pilot.press("enter")
        screen = app.screen
        await screen.workers.wait_for_complete()
        await pilot.pause()
        ranked = [p.arxiv_id for p, _ in screen.results]
        assert ranked[0] == "2505.00003" and "2505.00001" not in ranked  # like the star; the read one left out
        await pilot.press("enter")
        assert app.current_paper.arxiv_id == "2505.00003"
    library.close()


def many_library(tmp_path: Path, n: int):
    root = tmp_path / "many"
    write(root, "2025-06-02", [paper_md(f"2506.{i:05d}", f"Quokka study {i}", f"quokka 모델 {i}번째 요약.",
                                        votes=i) for i in range(1, n + 1)])
    library = open_indexed([root], tmp_path / "index-many")
    library.load_all()
    return library


async def test_search_screen_ranks_shows_highlighted_snippets_cycles_order_and_reaches_every_result(tmp_path):
    """/ on finding.search: a snippet line under each row with the found word styled (never markup from the
    text), ctrl+s cycles relevance, date, votes (said in the count line), every result reachable (pages asked
    for as the cursor nears the end: more than the old 200 cap), query, order and cursor kept for the next /."""
    from reader.tui.screens.search import PAGE, SNIPPET_STYLE, SearchScreen

    n = 230
    library = many_library(tmp_path, n)
    app = app_of(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("slash", *"quokka")
        await searched(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        count = str(screen.query_one("#search-count").render())
        assert count.startswith(f"{n} papers") and "by relevance (ctrl+s)" in count
        options = screen.query_one("#search-results")
        first = screen.first_page()  # a screenful (tests/tui/test_search_list.py), fewer than a page
        assert len(screen.results) == first == options.option_count and first < PAGE
        prompt = options.get_option_at_index(0).prompt
        lines = str(prompt).split("\n")
        assert len(lines) == 2 and "quokka" in lines[1]
        start = lines[0].__len__() + 1 + lines[1].index("quokka")
        assert any(span.start == start and span.end == start + len("quokka") and str(span.style) == SNIPPET_STYLE
                   for span in prompt.spans)
        await pilot.press("ctrl+s")
        await searched(pilot)
        assert "by date (ctrl+s)" in str(screen.query_one("#search-count").render())
        await pilot.press("ctrl+s")
        await searched(pilot)
        assert "by votes (ctrl+s)" in str(screen.query_one("#search-count").render())
        assert [p.votes for p in screen.results[:3]] == [n, n - 1, n - 2]
        for _ in range(n + 5):  # down to the last result: every page arrives on the way
            await pilot.press("down")
            await searched(pilot)
        assert len(screen.results) == n and options.highlighted == n - 1
        assert len({p.arxiv_id for p in screen.results}) == n
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("slash")
        await searched(pilot)
        again = app.screen
        assert isinstance(again, SearchScreen) and again is not screen
        assert again.query_one("#search-input").value == "quokka" and again.sort == "votes"
        assert again.query_one("#search-results").highlighted == n - 1
        assert again.results[n - 1].votes == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_paper.arxiv_id == "2506.00001"
        await pilot.press("slash")
        await pilot.pause()
        assert app.screen.query_one("#search-input").value == "quokka"  # kept after a result was opened too
    library.close()


async def test_has_note_in_the_search_screen_keeps_the_papers_with_a_note(tmp_path):
    from reader.core.state import StateStore

    library = library_of(tmp_path)
    state = StateStore(tmp_path / "state.json")
    state.set_note("2505.00003", "texture: read later")
    app = app_of(library, state)
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("slash", *"has:note")
        await searched(pilot)
        assert [p.arxiv_id for p in app.screen.results] == ["2505.00003"]
    library.close()


# -- similar papers made ready in a worker after the first screen (reader.tui.weighing) ------------------------
class HeldRefresh:
    """finding.refresh_similar as the reader's worker calls it, held at its first step of weighing until the
    test releases it (threading events: no sleeps)."""

    def __init__(self) -> None:
        import threading

        from reader.core import finding

        self.real = finding.refresh_similar
        self.held, self.release = threading.Event(), threading.Event()
        self.stages: list[tuple[str, int, int]] = []

    def __call__(self, library, progress=None, busy=None):
        def step(stage, done, total):
            self.stages.append((stage, done, total))
            if progress is not None:
                progress(stage, done, total)
            if stage == "weighing" and not self.held.is_set():
                self.held.set()
                assert self.release.wait(30), "never released"

        return self.real(library, step, busy)


async def test_similar_papers_are_weighed_after_the_first_screen_keys_work_meanwhile_and_m_says_so(tmp_path,
                                                                                                  monkeypatch):
    import asyncio

    from reader.core import finding
    from reader.tui.screens.similar import ScoresScreen
    from reader.tui.widgets.days import FOR_YOU

    held = HeldRefresh()
    monkeypatch.setattr(finding, "refresh_similar", held)
    library = library_of(tmp_path)
    app = app_of(library)
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            assert await asyncio.to_thread(held.held.wait, 30)  # the worker is weighing, held there
            await pilot.pause()
            days = app.view.days
            assert str(days.border_subtitle) == "similar papers 0%"
            assert ("counting", 4, 4) in held.stages
            assert app.current_paper.arxiv_id == "2505.00001"
            await pilot.press("j")  # keys work meanwhile
            assert app.current_paper.arxiv_id == "2505.00002"
            await pilot.press("m")
            await pilot.pause()
            assert not isinstance(app.screen, ScoresScreen)
            said = [n.message for n in app._notifications if "Similar papers are being prepared" in n.message]
            assert said == ["Similar papers are being prepared (0/4 papers weighed): m and For you work once that "
                            "is done"]
            days.focus()
            days.select_key(FOR_YOU)
            await pilot.press("enter")
            await pilot.pause()
            assert not isinstance(app.screen, ScoresScreen)
            assert len([n for n in app._notifications if "Similar papers are being prepared" in n.message]) == 2
            held.release.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert str(days.border_subtitle) == ""
            assert held.stages[-1] == ("weighing", 4, 4)
            app.view.papers.focus()
            await pilot.press("m")
            screen = app.screen
            assert isinstance(screen, ScoresScreen)
            await screen.workers.wait_for_complete()
            await pilot.pause()
            assert [p.arxiv_id for p, _ in screen.results][0] == "2505.00001"  # like 2505.00002, the shown one
    finally:
        held.release.set()
    library.close()


async def test_quitting_while_similar_papers_are_weighed_stops_the_worker_and_the_next_refresh_finishes(
        tmp_path, monkeypatch):
    import asyncio

    from reader.core import finding
    from reader.core.finding import vectors

    held = HeldRefresh()
    monkeypatch.setattr(finding, "refresh_similar", held)
    monkeypatch.setattr(vectors, "BATCH", 3)  # two batches of papers to weigh, a transaction each
    library = library_of(tmp_path)
    app = app_of(library)
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            assert await asyncio.to_thread(held.held.wait, 30)
            app.updates.cancel.set()  # as exit() sets it
            held.release.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app._weighing is not None  # stopped at its next step: never said to be done
            assert not [n for n in app._notifications if "could not be prepared" in n.message]
    finally:
        held.release.set()
    assert held.stages[-1] == ("weighing", 3, 4)  # the first batch weighed, then it stopped
    con = library._store.connection()
    assert con.execute("SELECT count(*) FROM sim_docs").fetchone()[0] == 3
    assert held.real(library) == 1  # the next refresh weighs the one left
    assert [p.arxiv_id for p, _ in finding.similar(library, "2505.00001", 1)] == ["2505.00002"]
    library.close()


async def test_after_similar_papers_the_worker_weighs_the_search_lists_and_m_works_meanwhile(tmp_path, monkeypatch):
    import asyncio
    import threading

    from reader.core import finding
    from reader.core.finding import tiers
    from reader.tui.screens.similar import ScoresScreen

    monkeypatch.setattr(tiers, "HEAVY", 2)  # (a tier for the words of a few papers)
    monkeypatch.setattr(tiers, "TIER", 1)
    real = finding.refresh_tiers
    held, release = threading.Event(), threading.Event()

    def refresh_tiers(library, progress=None, busy=None):
        def step(stage, done, total):
            progress(stage, done, total)
            held.set()
            assert release.wait(30), "never released"

        return real(library, step, busy)

    monkeypatch.setattr(finding, "refresh_tiers", refresh_tiers)
    library = library_of(tmp_path)
    app = app_of(library)
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            assert await asyncio.to_thread(held.wait, 30)  # similar papers weighed; the search lists held
            await pilot.pause()
            assert str(app.view.days.border_subtitle).startswith("search lists ")
            await pilot.press("m")  # similar papers are ready: m opens
            assert isinstance(app.screen, ScoresScreen)
            assert not [n for n in app._notifications if "being prepared" in n.message]
            release.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert str(app.view.days.border_subtitle) == ""
    finally:
        release.set()
    con = library._store.connection()
    assert con.execute("SELECT count(*) FROM tiers").fetchone()[0] > 0
    assert real(library) == 0  # weighed for the papers as they are: nothing to weigh again
    library.close()


async def test_search_lists_that_cannot_be_weighed_say_so_and_similar_papers_still_open(tmp_path, monkeypatch):
    import sqlite3

    from reader.core import finding
    from reader.tui.screens.similar import ScoresScreen

    def refresh_tiers(library, progress=None, busy=None):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(finding, "refresh_tiers", refresh_tiers)
    library = library_of(tmp_path)
    app = app_of(library)
    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert said == ["The search lists could not be weighed (database or disk is full): search gives the same "
                        "results, only slower"]
        assert str(app.view.days.border_subtitle) == ""
        await pilot.press("m")
        assert isinstance(app.screen, ScoresScreen)
    library.close()


# -- the / screen asks in a worker: no key waits for a search -------------------------------------------------
def two_kinds(tmp_path: Path):
    root = tmp_path / "kinds"
    write(root, "2025-06-03", [paper_md("2506.00001", "Alpha particles", "alpha decay.", votes=3),
                               paper_md("2506.00002", "Beta blockers", "beta testing.", votes=2),
                               paper_md("2506.00003", "Beta version", "beta again.", votes=1)])
    library = open_indexed([root], tmp_path / "index-kinds")
    library.load_all()
    return library


class HeldSearch:
    """finding.search as the screen's worker asks it, the question for `word` held until released."""

    def __init__(self, word: str) -> None:
        import threading

        from reader.core import finding

        self.real, self.word = finding.search, word
        self.held, self.release, self.answered = threading.Event(), threading.Event(), threading.Event()

    def __call__(self, library, query, **options):
        if self.word not in query.words:
            return self.real(library, query, **options)
        self.held.set()
        assert self.release.wait(30), "never released"
        try:
            return self.real(library, query, **options)
        finally:
            self.answered.set()


def held_reader(tmp_path, monkeypatch, word: str):
    """(the held search, the library, its reader): finding.search held whenever the query holds `word`."""
    from reader.core import finding

    held = HeldSearch(word)
    monkeypatch.setattr(finding, "search", held)
    library = two_kinds(tmp_path)
    return held, library, app_of(library)


async def test_a_search_held_up_blocks_no_key_and_its_late_results_are_dropped(tmp_path, monkeypatch):
    import asyncio

    from textual.widgets import Input

    from reader.tui.screens.search import SearchScreen

    held, library, app = held_reader(tmp_path, monkeypatch, "alpha")
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("slash")
            screen = app.screen
            assert isinstance(screen, SearchScreen)
            box = screen.query_one(Input)
            box.value = "alpha"
            await pilot.pause()
            assert await asyncio.to_thread(held.held.wait, 30)  # its worker asks, held there
            box.value = "beta"  # a newer keystroke: the screen is not waiting for the older question
            await searched(pilot)
            assert sorted(p.arxiv_id for p in screen.results) == ["2506.00002", "2506.00003"]
            held.release.set()
            assert await asyncio.to_thread(held.answered.wait, 30)
            await searched(pilot)
            await pilot.pause()
            assert sorted(p.arxiv_id for p in screen.results) == ["2506.00002", "2506.00003"]  # alpha's came too late
            assert str(screen.query_one("#search-count").render()).startswith("2 papers")
            assert screen.remembered.query == "beta"
    finally:
        held.release.set()
    library.close()


async def test_enter_before_the_results_arrive_opens_the_top_one_when_they_do(tmp_path, monkeypatch):
    import asyncio

    from reader.core import finding
    from reader.tui.screens.search import SearchScreen

    held, library, app = held_reader(tmp_path, monkeypatch, "beta")
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("slash", *"beta")
            assert await asyncio.to_thread(held.held.wait, 30)
            await pilot.press("enter")
            assert isinstance(app.screen, SearchScreen) and app.current_paper.arxiv_id == "2506.00001"
            held.release.set()
            await searched(pilot)
            assert not isinstance(app.screen, SearchScreen)
            top = held.real(library, finding.parse("beta")).hits[0].paper
            assert app.current_paper.arxiv_id == top.arxiv_id and "beta" in top.title.lower()
    finally:
        held.release.set()
    library.close()


async def test_similar_papers_wait_while_the_user_presses_keys_and_go_on_after(tmp_path):
    """The worker waits between two transactions while keys come (its Python would share the interpreter with
    each of them), and goes on once QUIET seconds passed without one (the clock is the test's)."""
    import asyncio
    import threading

    from reader.tui.weighing import QUIET

    library = library_of(tmp_path)
    app = app_of(library)
    now = [1000.0]
    app.input_clock = lambda: now[0]
    app._last_input = now[0]  # a key just pressed as the reader starts
    asked = threading.Event()
    active = app.user_active

    def user_active() -> bool:
        if threading.current_thread() is not threading.main_thread():
            asked.set()  # the worker asks: it is at a step between two transactions
        return active()

    app.user_active = user_active
    async with app.run_test(size=(160, 45)) as pilot:
        assert await asyncio.to_thread(asked.wait, 30)
        await pilot.press("j")  # (the clock stands still: still just now)
        assert app.current_paper.arxiv_id == "2505.00002"
        con = library._store.connection()
        assert con.execute("SELECT count(*) FROM sim_docs").fetchone()[0] == 0  # it waits: nothing weighed
        assert app._weighing is not None
        now[0] += QUIET
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app._weighing is None and str(app.view.days.border_subtitle) == ""
        assert con.execute("SELECT count(*) FROM sim_docs").fetchone()[0] == 4
    library.close()
