"""ReadingSession (reader.core.session): every decision the reader makes on a key, without Textual.

A real Library over small digests and a real StateStore in tmp; no Pilot, no app. Each test plays the part
of the app where it must: after a Change that lists papers anew it reports the highlighted paper back
(highlight), as the paper list does."""

from __future__ import annotations

import pytest

from digest_factory import write_day
from reader.core.library import Library
from reader.core.parse import read_file
from reader.core.session import NOTHING, STARRED, Change, Notice, ReadingSession
from reader.core.state import StateStore

# Newest first; within a day the first id has the most votes. 2401.00021 is listed on two days.
DAYS = {
    "2024-01-03": ["2401.00031", "2401.00032", "2401.00033"],
    "2024-01-02": ["2401.00021", "2401.00022"],
    "2024-01-01": ["2401.00011", "2401.00021"],
}


@pytest.fixture
def make(tmp_path):
    stores: list[StateStore] = []

    def make(days=DAYS, *, lazy=False, **options) -> ReadingSession:
        root = tmp_path / "lib"
        for date, ids in days.items():
            write_day(root, date, ids)
        library = Library.open([root])
        library.load_newest() if lazy else library.load_all()
        state = StateStore(tmp_path / "state.json")
        stores.append(state)
        return ReadingSession(library, state, **options)

    yield make
    for state in stores:
        state.close()


def ids(session: ReadingSession) -> list[str]:
    return [p.arxiv_id for p in session.papers]


def at(session: ReadingSession, key: str, arxiv_id: str | None = None) -> ReadingSession:
    """Show key and put the cursor on arxiv_id (else the first paper), as the app's list would."""
    change = session.show(key, keep=arxiv_id)
    assert change.papers
    highlight_kept(session, change)
    return session


def highlight_kept(session: ReadingSession, change: Change) -> Change:
    """What the paper list does after a Change that lists papers: highlight `keep`, else the first."""
    paper = next((p for p in session.papers if p.arxiv_id == change.keep), session.papers[0] if session.papers else None)
    return session.highlight(paper)


def texts(change: Change) -> list[str]:
    return [n.text for n in change.notices]


# -- what is shown ---------------------------------------------------------------------------------------
def test_a_day_lists_its_papers_by_votes_and_keeps_the_paper_asked_for(make):
    session = make()
    assert session.dates() == ["2024-01-03", "2024-01-02", "2024-01-01"]
    change = session.show("2024-01-03", keep="2401.00032")
    assert change == Change(papers=True, keep="2401.00032")
    assert session.key == "2024-01-03" and ids(session) == ["2401.00031", "2401.00032", "2401.00033"]
    assert session.title() == "2024-01-03"


def test_the_starred_view_gathers_starred_papers_newest_day_first_by_votes(make):
    session = make()
    session.state.update(["2401.00011", "2401.00032", "2401.00031"], starred=True)
    session.show(STARRED)
    assert ids(session) == ["2401.00031", "2401.00032", "2401.00011"]
    assert [p.arxiv_id for p in session.starred_papers()] == ids(session)
    assert session.title() == "Starred"


def test_counts_are_papers_and_unread_papers_of_a_day(make):
    session = make()
    session.state.update(["2401.00031", "2401.00033"], read=True)
    assert session.counts("2024-01-03") == (3, 1)
    assert session.counts("2024-01-02") == (2, 2)
    assert session.counts("1999-01-01") == (0, 0)


def test_unread_only_filters_the_list_keeps_the_paper_highlighted_and_says_so(make):
    session = at(make(), "2024-01-03", "2401.00033")
    session.state.set_read("2401.00031", True)
    change = session.toggle_unread_only()
    assert change.papers and change.keep == "2401.00033"
    assert ids(session) == ["2401.00032", "2401.00033"]
    assert session.title() == "2024-01-03 · unread only"
    assert texts(change) == ["showing unread papers only"]
    change = session.toggle_unread_only()
    assert ids(session) == ["2401.00031", "2401.00032", "2401.00033"] and texts(change) == ["showing all papers"]


# -- moving ----------------------------------------------------------------------------------------------
def test_stepping_days_goes_older_and_newer_and_says_where_the_days_end(make):
    session = at(make(), "2024-01-03")
    assert session.step_day(+1).papers and session.key == "2024-01-02"
    session.step_day(+1)
    change = session.step_day(+1)
    assert session.key == "2024-01-01" and not change.papers and texts(change) == ["no older day"]
    session.step_day(-1)
    session.step_day(-1)
    change = session.step_day(-1)
    assert session.key == "2024-01-03" and texts(change) == ["no newer day"]


def test_stepping_from_the_starred_view_enters_the_newest_or_the_oldest_day(make):
    session = make()
    session.show(STARRED)
    session.step_day(+1)
    assert session.key == "2024-01-03"
    session.show(STARRED)
    session.step_day(-1)
    assert session.key == "2024-01-01"


def test_stepping_past_the_days_read_so_far_says_the_rest_is_still_being_read(make):
    session = make(lazy=True)
    assert session.dates() == ["2024-01-03"] and session.library.pending == 2
    session.show("2024-01-03")
    for step in (+1, -1):
        change = session.step_day(step)
        assert session.key == "2024-01-03"
        assert texts(change) == ["Still reading the archive (2 files left): more days soon"]


def test_next_and_previous_unread_go_across_days_in_reading_order(make):
    session = at(make(), "2024-01-03")
    session.state.update(["2401.00032", "2401.00033", "2401.00021"], read=True)
    change = session.next_unread()
    assert (session.key, change.keep, change.focus_list) == ("2024-01-02", "2401.00022", True)
    highlight_kept(session, change)
    change = session.next_unread()
    assert (session.key, change.keep) == ("2024-01-01", "2401.00011")
    highlight_kept(session, change)
    change = session.next_unread()  # 2401.00021 is read on this day too
    assert session.key == "2024-01-01" and texts(change) == ["no unread paper after this one"]
    change = session.next_unread(-1)
    assert (session.key, change.keep) == ("2024-01-02", "2401.00022")
    highlight_kept(session, change)
    change = session.next_unread(-1)
    assert (session.key, change.keep) == ("2024-01-03", "2401.00031")
    highlight_kept(session, change)
    assert texts(session.next_unread(-1)) == ["no unread paper before this one"]


def test_next_unread_from_the_starred_view_starts_at_the_newest_day(make):
    session = make()
    session.state.update(["2401.00031"], read=True)
    session.state.set_starred("2401.00011", True)
    at(session, STARRED)
    change = session.next_unread()
    assert (session.key, change.keep) == ("2024-01-03", "2401.00032")


def test_going_to_a_read_paper_shows_all_papers_again(make):
    session = at(make(), "2024-01-03")
    session.state.set_read("2401.00022", True)
    session.toggle_unread_only()
    change = session.go_to_paper(session.library.get("2401.00022"))
    assert not session.unread_only and session.key == "2024-01-02"
    assert change.keep == "2401.00022" and change.focus_list
    assert ids(session) == ["2401.00021", "2401.00022"]


def test_going_to_a_date_without_a_digest_says_so(make):
    session = at(make(), "2024-01-03")
    change = session.go_to_date("2023-05-05")
    assert session.key == "2024-01-03" and change.notices == (Notice("no digest for 2023-05-05", "warning"),)
    change = session.go_to_date("2024-01-01")
    assert session.key == "2024-01-01" and change.papers and change.focus_list


# -- read on open or after the delay ---------------------------------------------------------------------
def test_a_highlighted_unread_paper_asks_for_the_read_timer_a_read_one_does_not(make):
    session = make(read_delay=2.5)
    session.show("2024-01-03")
    session.state.set_read("2401.00032", True)
    assert session.highlight(session.papers[0]) == Change(stop_timer=True, timer=2.5)
    assert session.highlight(session.papers[1]) == Change(stop_timer=True, timer=None)
    assert session.highlight(None) == Change(stop_timer=True)


def test_the_delay_passed_marks_read_only_the_paper_still_highlighted(make):
    session = at(make(), "2024-01-03")
    first, second = session.papers[0], session.papers[1]
    session.highlight(second)  # moved on before the first one's delay ran out
    assert session.read_delay_passed(first.arxiv_id) == NOTHING
    assert not session.state.is_read(first.arxiv_id)
    change = session.read_delay_passed(second.arxiv_id)
    assert session.state.is_read(second.arxiv_id)
    assert change.row_ids == (second.arxiv_id,) and change.detail
    assert change.day_rows == ("2024-01-03", STARRED)


def test_opening_a_paper_marks_it_read_once(make):
    session = at(make(), "2024-01-03")
    paper = session.papers[1]
    change = session.open(paper)
    assert session.state.is_read(paper.arxiv_id)
    assert change.row_ids == (paper.arxiv_id,) and not change.detail  # not the highlighted one
    assert session.open(paper) == NOTHING


def test_a_mark_redraws_every_day_the_paper_is_listed_on(make):
    session = at(make(), "2024-01-02")
    change = session.toggle_read()
    assert session.state.is_read("2401.00021")
    assert change.stop_timer and set(change.day_rows) == {"2024-01-02", "2024-01-01", STARRED}
    assert set(session.dates_of(session.current)) == {"2024-01-02", "2024-01-01"}


# -- marks -----------------------------------------------------------------------------------------------
def test_r_toggles_read_both_ways(make):
    session = at(make(), "2024-01-03")
    session.toggle_read()
    assert session.state.is_read("2401.00031")
    session.toggle_read()
    assert not session.state.is_read("2401.00031")


def test_s_toggles_the_star_and_says_which(make):
    session = at(make(), "2024-01-03")
    change = session.toggle_star()
    assert session.state.is_starred("2401.00031") and texts(change) == ["Starred 2401.00031"]
    assert STARRED in change.day_rows and change.detail
    change = session.toggle_star()
    assert not session.state.is_starred("2401.00031") and texts(change) == ["Unstarred 2401.00031"]


def test_keys_on_an_empty_list_change_nothing(make):
    session = make()
    session.show(STARRED)
    session.highlight(None)
    assert session.toggle_read() == NOTHING and session.toggle_star() == NOTHING
    assert texts(session.mark_shown_read()) == ["every paper here is read already"]


def test_a_mark_the_disk_refuses_is_one_error_line(make, monkeypatch):
    session = at(make(), "2024-01-03")

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(session.state, "set_read", refuse)
    monkeypatch.setattr(session.state, "set_starred", refuse)
    for change in (session.toggle_read(), session.toggle_star()):
        assert change.notices == (Notice("could not save: [Errno 28] No space left on device", "error"),)
        assert not change.row_ids and not change.rows


def test_mark_day_read_then_undo_puts_back_only_what_it_set(make):
    session = at(make(undo_key="x"), "2024-01-03")
    session.state.set_read("2401.00032", True)
    change = session.mark_shown_read()
    assert all(session.state.is_read(i) for i in ids(session))
    assert change.rows and change.days and change.detail
    assert texts(change) == ["Marked 2 papers of 2024-01-03 read. x undoes."]
    session.toggle_star()  # a star given since stays
    change = session.undo()
    assert not session.state.is_read("2401.00031") and not session.state.is_read("2401.00033")
    assert session.state.is_read("2401.00032") and session.state.is_starred("2401.00031")
    assert change.rows and change.days and texts(change) == ["Undone: 2 papers unread again."]
    assert texts(session.undo()) == ["nothing to undo"]


def test_undo_leaves_a_mark_someone_changed_since_and_says_so(make, tmp_path):
    session = at(make(), "2024-01-02")
    session.mark_shown_read()
    with StateStore(tmp_path / "state.json") as other:  # another reader: unread, then read again
        other.set_read("2401.00022", False)
        other.set_read("2401.00022", True)
    change = session.undo()
    assert not session.state.is_read("2401.00021") and session.state.is_read("2401.00022")
    assert texts(change) == ["Undone: 1 paper unread again; 1 changed since (here or elsewhere) left as they are."]


def test_mark_starred_read_names_the_starred_papers(make):
    session = make()
    session.state.update(["2401.00011", "2401.00022"], starred=True)
    at(session, STARRED)
    assert texts(session.mark_shown_read()) == ["Marked 2 papers of starred papers read. z undoes."]
    assert session.state.is_read("2401.00011") and session.state.is_read("2401.00022")


def test_a_write_that_picks_up_marks_from_elsewhere_redraws_every_mark(make, tmp_path):
    session = at(make(), "2024-01-03")
    with StateStore(tmp_path / "state.json") as other:  # `daily-papers mark --star` in another terminal
        other.set_starred("2401.00011", True)
    change = session.toggle_star()
    assert change.rows and change.days and change.detail
    assert [p.arxiv_id for p in session.starred_papers()] == ["2401.00031", "2401.00011"]
    assert not session.state.external_changes


def test_reload_marks_reads_what_other_processes_wrote(make, tmp_path):
    session = at(make(), "2024-01-03")
    with StateStore(tmp_path / "state.json") as other:
        other.set_read("2401.00033", True)
    assert not session.state.is_read("2401.00033")
    change = session.reload_marks()
    assert session.state.is_read("2401.00033") and change.rows and change.days and not change.notices


def test_reload_marks_that_fail_say_so_and_redraw_anyway(make, monkeypatch):
    session = at(make(), "2024-01-03")
    monkeypatch.setattr(session.state, "reload", lambda: (_ for _ in ()).throw(OSError(5, "I/O error")))
    change = session.reload_marks()
    assert change.rows and change.notices == (Notice("could not read the state: [Errno 5] I/O error", "error"),)


def test_the_stores_notices_are_taken_once(make):
    session = make()
    session.state.notices.append("the state file was damaged; moved aside")
    assert session.take_notices() == ["the state file was damaged; moved aside"]
    assert session.take_notices() == []
    session.state.notices.append("could not save")
    at(session, "2024-01-03")
    assert session.toggle_read().notices == (Notice("could not save", "warning", 10),)


# -- the library changes ---------------------------------------------------------------------------------
def test_the_rest_of_the_archive_adds_days_and_keeps_the_day_shown(make):
    session = make(lazy=True)
    at(session, "2024-01-03", "2401.00032")
    change = session.library_grew(session.library.parse_pending())
    assert change == Change(days=True)  # the day shown gained nothing: its list stays as it is
    assert session.dates() == ["2024-01-03", "2024-01-02", "2024-01-01"] and session.key == "2024-01-03"


def test_the_rest_of_the_archive_relists_the_starred_view(make):
    session = make(lazy=True)
    session.state.set_starred("2401.00011", True)
    at(session, STARRED)
    assert ids(session) == []
    change = session.library_grew(session.library.parse_pending())
    assert change.days and change.papers and ids(session) == ["2401.00011"]


def test_papers_read_later_for_the_day_shown_relist_it(make, tmp_path):
    # Another file holds more papers of the day shown (read with the rest of the archive): relisted, the
    # highlighted paper kept.
    session = at(make(), "2024-01-03", "2401.00032")
    more = write_day(tmp_path / "more", "2024-01-03", ["2401.00030"])
    change = session.library_grew([read_file(str(more))])
    assert change.days and change.papers and change.keep == "2401.00032"
    assert sorted(ids(session)) == ["2401.00030", "2401.00031", "2401.00032", "2401.00033"]


def test_a_library_read_before_anything_was_shown_shows_its_newest_day(make, tmp_path):
    session = make({"2024-01-03": ["2401.00031"]}, lazy=True)
    empty = ReadingSession(Library([]), session.state)
    assert empty.library_grew([]) == Change(empty=True)
    fresh = ReadingSession(Library.open([tmp_path / "lib"]), session.state)
    change = fresh.library_grew(fresh.library.parse_pending())
    assert change.days and change.papers and fresh.key == "2024-01-03"


def test_a_library_read_again_keeps_the_day_and_says_what_is_new(make, tmp_path):
    session = at(make(), "2024-01-02", "2401.00022")
    write_day(tmp_path / "lib", "2024-01-04", ["2401.00041"])
    again = Library.open([tmp_path / "lib"]).load_all()
    change = session.swap_library(again)
    assert session.library is again and session.key == "2024-01-02"
    assert change.days and change.papers and change.keep == "2401.00022"
    assert texts(change) == ["Library reloaded: 4 days, 1 new"]


def test_a_library_read_again_without_the_day_shown_goes_to_its_newest_day(make, tmp_path):
    session = at(make(), "2024-01-01")
    (tmp_path / "lib" / "2024" / "01" / "01.md").unlink()
    change = session.swap_library(Library.open([tmp_path / "lib"]).load_all())
    assert session.key == "2024-01-03" and change.papers and texts(change) == ["Library reloaded: 2 days"]
    assert session.swap_library(Library([])) == Change(empty=True)


def test_changes_add_up(make):
    first = Change(day_rows=("a", STARRED), row_ids=("p",), timer=1.0, notices=(Notice("one"),))
    second = Change(day_rows=(STARRED, "b"), papers=True, keep="q", stop_timer=True, notices=(Notice("two"),))
    both = first.then(second)
    assert both.day_rows == ("a", STARRED, "b") and both.row_ids == ("p",)
    assert both.papers and both.keep == "q" and both.stop_timer and both.timer == 1.0
    assert texts(both) == ["one", "two"]
    assert first.then(NOTHING) == first and NOTHING.then(first) == first


def test_a_new_day_landing_redraws_every_day_and_a_rewritten_day_only_its_row_and_its_list(make, tmp_path):
    session = at(make(), "2024-01-02", "2401.00022")
    root = tmp_path / "lib"
    new = read_file(str(write_day(root, "2024-01-04", ["2401.00041"])))
    change = session.files_changed([new])
    assert change.days and not change.papers  # a day the list does not show: the rows only
    assert session.library.dates()[0] == "2024-01-04"
    assert session.key == "2024-01-02"
    rewritten = read_file(str(write_day(root, "2024-01-02", ["2401.00021", "2401.00022", "2401.00023"])))
    change = session.files_changed([rewritten])
    assert not change.days and change.day_rows == ("2024-01-02",)
    assert change.papers and change.keep == "2401.00022"  # the list again, the cursor where it was
    assert ids(session) == ["2401.00021", "2401.00022", "2401.00023"]
    elsewhere = read_file(str(write_day(root, "2024-01-01", ["2401.00011"])))
    change = session.files_changed([elsewhere])
    assert change.day_rows == ("2024-01-01",) and not change.papers


def test_a_summary_written_into_the_shown_day_swaps_the_papers_in_and_redraws_only_the_summary(make, tmp_path):
    session = at(make(), "2024-01-03", "2401.00032")
    root = tmp_path / "lib"
    path = write_day(root, "2024-01-03", DAYS["2024-01-03"], title="Summarised")  # the same rows, new text
    change = session.files_changed([read_file(str(path))])
    assert change.objects and not change.papers and not change.days  # no list drawn anew: j/k stay smooth
    assert change.day_rows == ("2024-01-03",) and change.detail
    assert session.current.arxiv_id == "2401.00032" and session.current.title.startswith("Summarised")
    assert [p.title.split()[0] for p in session.papers] == ["Summarised"] * 3
    other = write_day(root, "2024-01-01", DAYS["2024-01-01"], title="Other")
    change = session.files_changed([read_file(str(other))])
    assert not change.objects and not change.detail and change.day_rows == ("2024-01-01",)
