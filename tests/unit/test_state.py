"""The reading state store: durable, recoverable, versioned, and one write per change (see test_state_processes
for several processes at once and kill -9)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from filelock import FileLock
from tinydb import TinyDB

from reader.core import state_storage
from reader.core.state import Mark, StateSchemaError, StateStore, export_data, marks_from_export
from reader.core.state_format import MIGRATIONS, SCHEMA_VERSION, StateError, migrate
from reader.core.state_storage import JournalStorage


@pytest.fixture
def path(tmp_path) -> Path:
    return tmp_path / "state.json"


def journal(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def journal_lines(path: Path) -> list[str]:
    return journal(path).read_text(encoding="utf-8").splitlines()


def aside_files(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if ".corrupt-" in p.name)


def reopen(path: Path, **kwargs) -> StateStore:
    store = StateStore(path, **kwargs)
    assert store.notices == []
    return store


# -- the basics -----------------------------------------------------------------------------------------------
def test_marks_survive_reopening_and_reads_are_from_memory(path):
    store = StateStore(path)
    assert store.notices == [] and store.marks() == {}
    assert not path.exists()  # opening alone writes nothing
    store.set_starred("2408.03326")
    store.set_read("2408.03326")
    store.set_read("2401.00001")
    store.set_read("2401.00001", False)
    store.close()
    again = reopen(path)
    assert again.is_starred("2408.03326") and again.is_read("2408.03326")
    assert not again.is_read("2401.00001") and again.mark("2401.00001").updated > 0
    assert again.starred_ids() == {"2408.03326"} and again.read_ids() == {"2408.03326"}
    assert again.mark("never-seen") == Mark()


def test_the_state_file_is_a_tinydb_database_with_a_schema_version(path):
    store = StateStore(path, journal_limit=0)  # compact on every write
    store.update(["a", "b"], read=True, starred=True)
    store.close()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["_meta"]["1"]["schema"] == SCHEMA_VERSION
    docs = TinyDB(path).table("marks").all()  # plain TinyDB reads it
    assert sorted((d["arxiv_id"], d["read"], d["starred"]) for d in docs) == [("a", True, True), ("b", True, True)]
    through_tinydb = TinyDB(path, storage=JournalStorage).table("marks").all()  # and through our Storage
    assert sorted(d["arxiv_id"] for d in through_tinydb) == ["a", "b"]


def test_a_change_is_one_fsynced_journal_line_and_waits_for_nothing_else(path, monkeypatch):
    store = StateStore(path)
    store.set_read("first")  # creates state.json and the journal
    journal_inode = journal(path).stat().st_ino
    synced = []
    for name in ("fsync", "fdatasync"):
        real = getattr(os, name, None)
        if real is not None:
            def spy(fd, real=real):
                synced.append(os.fstat(fd).st_ino)
                return real(fd)
            monkeypatch.setattr(os, name, spy)
    before = len(journal_lines(path))
    store.update([f"id{i}" for i in range(40)], read=True)  # "mark this day read"
    monkeypatch.undo()
    assert len(journal_lines(path)) == before + 1
    assert synced == [journal_inode]  # the journal, once, and nothing else
    assert json.loads(journal_lines(path)[-1])["marks"][0]["arxiv_id"] == "id0"


def test_update_returns_every_id_and_leaves_unchanged_marks_alone(path):
    store = StateStore(path)
    first = store.set_read("a")
    result = store.update(["a", "b", "a"], read=True)
    assert list(result) == ["a", "b"] and all(m.read for m in result.values())
    assert store.mark("a") == first  # already read: its time is not touched
    assert store.update(["a"]) == {"a": first}  # nothing asked: nothing written
    assert store.update([], read=True) == {}


def test_mark_a_day_read_and_undo_are_one_call_each(path):
    store = StateStore(path)
    store.set_starred("p2")
    day = ["p1", "p2", "p3"]
    before = store.snapshot(day)
    lines = len(journal_lines(path))
    store.update(day, read=True)
    assert store.read_ids() == {"p1", "p2", "p3"}
    store.restore(before)
    assert len(journal_lines(path)) == lines + 2
    assert store.read_ids() == set() and store.starred_ids() == {"p2"}
    store.close()
    assert reopen(path).read_ids() == set()


def test_update_undoable_returns_what_was_on_disk_just_before(path):
    tui = StateStore(path)
    other = StateStore(path)
    tui.set_read("p1")
    other.set_starred("p2")  # the tui has not seen this yet
    undo = tui.update_undoable(["p1", "p2", "p3"], read=True)
    assert undo == {"p2": other.mark("p2"), "p3": Mark()}  # p1 was already read: not part of the change
    assert tui.mark("p2").starred and tui.mark("p2").read
    tui.restore(undo)
    assert tui.read_ids() == {"p1"} and tui.starred_ids() == {"p2"}
    assert tui.update_undoable(["p1"], read=True) == {} and tui.update_undoable(["p1"]) == {}
    tui.close(), other.close()
    final = reopen(path)
    assert final.read_ids() == {"p1"} and final.starred_ids() == {"p2"}


def test_undo_puts_back_only_the_read_flag_and_keeps_a_star_given_since(path):
    tui = StateStore(path)
    other = StateStore(path)
    tui.set_starred("p4")
    undo = tui.update_undoable(["p1", "p2", "p3", "p4"], read=True)  # "mark day read"
    tui.set_starred("p1")  # starred in the reader after A
    other.set_starred("p2")  # starred elsewhere after A
    restored = tui.restore(undo)  # z
    assert set(restored) == {"p1", "p2", "p3", "p4"}
    assert tui.read_ids() == set() and tui.starred_ids() == {"p1", "p2", "p4"}
    assert tui.restore(undo) == {}  # undone once: a second undo changes nothing
    tui.close(), other.close()
    final = reopen(path)
    assert final.read_ids() == set() and final.starred_ids() == {"p1", "p2", "p4"}


def test_undo_leaves_a_read_flag_anyone_set_again_since(path):
    tui = StateStore(path)
    other = StateStore(path)
    undo = tui.update_undoable(["p1", "p2", "p3"], read=True)
    other.set_read("p1", False)
    other.set_read("p1", True)  # unread, then read again elsewhere: the user's newer word
    tui.set_read("p2", False)  # unread in the reader itself
    restored = tui.restore(undo)
    assert set(restored) == {"p3"}
    assert tui.read_ids() == {"p1"}
    tui.close(), other.close()
    assert reopen(path).read_ids() == {"p1"}


def test_undo_after_changes_seen_only_as_their_sum_keeps_them(path):
    """Another process compacted the file: only the result of its changes is known, not which flag each
    one set. A mark changed since is then left as it is (never a guess that could undo the user's word)."""
    tui = StateStore(path)
    other = StateStore(path, journal_limit=0)  # compacts after every change
    undo = tui.update_undoable(["p1", "p2"], read=True)
    other.set_starred("p1")
    assert set(tui.restore(undo)) == {"p2"}
    assert tui.read_ids() == {"p1"} and tui.starred_ids() == {"p1"}
    tui.close(), other.close()


class SteppedClock:
    def __init__(self, *times: float) -> None:
        self.times = list(times)

    def __call__(self) -> float:
        return self.times.pop(0) if len(self.times) > 1 else self.times[0]


def test_a_change_after_the_clock_stepped_back_is_still_the_newest(path, tmp_path):
    clock = SteppedClock(2_000_000_000.0, 1_000_000_000.0)  # the second change comes "before" the first
    laptop = StateStore(path, clock=clock)
    laptop.set_starred("x")
    starred = laptop.mark("x")
    laptop.set_starred("x", False)  # the user's last word, with the clock stepped back by 30 years
    assert laptop.mark("x").updated > starred.updated
    undo = laptop.update_undoable(["x"], read=True)
    laptop.restore(undo)  # restore stamps the same way
    assert laptop.mark("x").updated > undo["x"].updated
    # elsewhere, a copy that has the star: importing the laptop's marks takes the unstar
    desk = StateStore(tmp_path / "desk.json")
    desk.merge({"x": starred})
    desk.merge(marks_from_export(export_data(laptop.marks())))
    assert not desk.is_starred("x")
    laptop.close(), desk.close()


def test_in_memory_store_never_touches_the_disk(tmp_path):
    store = StateStore.in_memory()
    store.update(["x", "y"], starred=True)
    store.restore({"x": Mark()})
    assert store.starred_ids() == {"y"} and store.reload() == set() and store.flush()
    store.close()
    assert list(tmp_path.iterdir()) == []


# -- other writers ------------------------------------------------------------------------------------------
def test_two_stores_lose_no_update_and_reload_reports_what_changed(path):
    tui = StateStore(path)
    cli = StateStore(path)
    tui.set_read("x")
    cli.set_starred("x")  # cli picks up the tui's read before writing
    assert cli.mark("x").read and cli.mark("x").starred
    tui.set_read("y")  # tui picks up the star before writing y
    assert tui.is_starred("x")
    cli.set_starred("z")
    assert tui.reload() == {"z"} and tui.is_starred("z")
    assert tui.reload() == set()
    tui.close(), cli.close()
    final = reopen(path)
    assert final.mark("x").read and final.mark("x").starred and final.is_read("y") and final.is_starred("z")


def test_compaction_by_another_process_is_picked_up(path):
    a = StateStore(path)
    b = StateStore(path, journal_limit=0)
    a.set_read("1")
    b.set_read("2")  # compacts: a new state.json and a new journal
    a.set_read("3")  # must see the compaction and not append to a dead journal
    assert a.read_ids() == {"1", "2", "3"}
    a.close(), b.close()
    assert reopen(path).read_ids() == {"1", "2", "3"}


def test_compaction_keeps_everything_and_restarts_the_journal(path):
    store = StateStore(path, journal_limit=300)
    for i in range(30):
        store.set_read(f"2401.{i:05d}", i % 2 == 0)
        store.set_starred(f"2401.{i:05d}", i % 3 == 0)
    assert journal(path).stat().st_size <= 300 + 200
    expected = store.marks()
    store.close()
    assert reopen(path).marks() == expected
    header = json.loads(journal_lines(path)[0])
    assert header["gen"] == json.loads(path.read_text())["_meta"]["1"]["gen"]


# -- crashes ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("tail", [b'{"marks":[{"arxiv_id":"torn","re', b"\x00\x00\x00\x00", b"{"])
def test_a_torn_last_line_is_ignored_and_cut_off_before_the_next_append(path, tail):
    store = StateStore(path)
    store.set_starred("kept")
    store.close()
    with open(journal(path), "ab") as handle:
        handle.write(tail)  # a crash in the middle of an append
    again = reopen(path)
    assert again.marks().keys() == {"kept"}
    again.set_read("after")
    again.close()
    final = reopen(path)
    assert final.marks().keys() == {"kept", "after"} and final.is_read("after")
    assert all(line.endswith("}") for line in journal_lines(path))


def test_another_process_torn_line_does_not_swallow_our_append(path):
    ours = StateStore(path)
    ours.set_read("a")
    with open(journal(path), "ab") as handle:
        handle.write(b'{"marks":[{"arxiv_id":"half"')  # another process died mid-append
    ours.set_read("b")
    ours.close()
    assert reopen(path).read_ids() == {"a", "b"}


def test_crash_between_writing_state_json_and_the_new_journal(path, monkeypatch):
    store = StateStore(path)
    store.set_read("z")  # the first change creates state.json and the journal
    store.update(["a", "b"], starred=True)  # a journal line (old generation): a and b starred
    assert len(journal_lines(path)) == 2
    real = state_storage.write_bytes_atomic

    def crash_on_journal(target, data, **kw):
        if str(target).endswith(".journal"):
            raise KeyboardInterrupt("killed")  # stands for kill -9 after the first rename
        real(target, data, **kw)

    monkeypatch.setattr(state_storage, "write_bytes_atomic", crash_on_journal)
    store._storage.needs_compaction = True  # the next change goes straight into a new state.json
    with pytest.raises(KeyboardInterrupt):
        store.set_starred("a", False)
    monkeypatch.setattr(state_storage, "write_bytes_atomic", real)
    # state.json has the new generation (a unstarred); the journal still names the old one (a starred)
    assert json.loads(journal_lines(path)[0])["gen"] != json.loads(path.read_text())["_meta"]["1"]["gen"]
    after = reopen(path)
    assert after.starred_ids() == {"b"} and after.read_ids() == {"z"}  # the stale journal is not replayed over newer state
    after.set_starred("c")  # and is not appended to (and lost)
    after.close()
    assert reopen(path).starred_ids() == {"b", "c"}


def test_leftover_temporary_files_of_a_crashed_compaction_are_ignored_then_removed(path):
    store = StateStore(path)
    store.set_read("a")
    store.close()
    dead = [path.parent / ".state.json.abc123xy.tmp", path.parent / ".state.json.journal.k_9ZZ0aa.tmp"]
    for leftover in dead:
        leftover.write_bytes(b'{"_meta": {"1": {"schema": 1')
    other = path.parent / ".state.json.notours.tmp"
    other.write_bytes(b"x")
    again = StateStore(path, journal_limit=0)
    assert again.notices == [] and again.read_ids() == {"a"}
    again.set_read("b")  # a compaction clears what killed compactions left
    assert not any(p.exists() for p in dead) and other.exists()
    assert reopen(path).read_ids() == {"a", "b"}


# -- damaged files ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content", [
    b'{"_meta": {"1": {"schema": 1}}, "marks": {"1": {"arxiv_id": "a", "re',  # half written
    b"\x89PNG\r\n\x1a\n\x00\x00",  # not text at all
    b"[1, 2, 3]",  # JSON, but not ours
    b'{"_meta": {"1": {"schema": "one"}}, "marks": {}}',
    b'{"_meta": {"1": {"schema": 1}}, "marks": []}',
    b'{"notes": "not a table"}',
])
def test_a_damaged_state_file_is_moved_aside_and_the_app_starts_empty(path, content):
    path.write_bytes(content)
    store = StateStore(path)
    [moved] = aside_files(path)
    assert moved.read_bytes() == content  # kept, byte for byte
    assert len(store.notices) == 1 and str(moved) in store.notices[0] and "\n" not in store.notices[0]
    assert store.marks() == {}
    store.set_starred("new")
    store.close()
    assert reopen(path).starred_ids() == {"new"}
    assert aside_files(path) == [moved]


def test_valid_marks_are_recovered_from_a_file_with_some_bad_ones(path):
    path.write_text(json.dumps({"_meta": {"1": {"schema": 1}}, "marks": {
        "1": {"arxiv_id": "good", "read": True, "starred": True, "updated": 5.0},
        "2": {"arxiv_id": "bad", "read": "maybe", "starred": False, "updated": 5.0},
        "3": "not a document",
    }}))
    original = path.read_bytes()
    store = StateStore(path)
    assert store.marks() == {"good": Mark(True, True, 5.0)}
    [moved] = aside_files(path)
    assert moved.read_bytes() == original and "2 invalid" in store.notices[0]


def test_two_damaged_files_in_the_same_second_are_both_kept(path):
    for content in (b"first {", b"second {"):
        path.write_bytes(content)
        StateStore(path).close()
    assert sorted(p.read_bytes() for p in aside_files(path)) == [b"first {", b"second {"]


def test_a_damaged_journal_line_keeps_the_others_and_the_file(path):
    store = StateStore(path)
    store.set_read("one")
    store.close()
    with open(journal(path), "ab") as handle:
        handle.write(b"this is not json\n")
        handle.write(b'{"marks":[{"arxiv_id":"two","read":true,"starred":false,"updated":9.0}]}\n')
    damaged = journal(path).read_bytes()
    again = StateStore(path)
    assert again.read_ids() == {"one", "two"}
    [moved] = aside_files(journal(path))
    assert moved.read_bytes() == damaged and str(moved) in again.notices[0]
    again.close()
    assert reopen(path).read_ids() == {"one", "two"}


def test_a_damaged_file_that_cannot_be_moved_is_never_overwritten(path, monkeypatch):
    path.write_bytes(b"{ broken")

    def refuse(target, label):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(state_storage, "move_aside", refuse)
    store = StateStore(path)
    assert "could not be moved aside" in store.notices[0]
    store.set_starred("x")
    assert store.is_starred("x") and store.unsaved_ids() == {"x"}
    store.close()
    assert path.read_bytes() == b"{ broken"


# -- versions -----------------------------------------------------------------------------------------------
def test_a_newer_schema_is_refused_and_left_untouched(path):
    newer = {"_meta": {"1": {"schema": SCHEMA_VERSION + 1}}, "marks": {}, "notes": {"1": {"text": "x"}}}
    path.write_text(json.dumps(newer))
    before = path.read_bytes()
    with pytest.raises(StateSchemaError) as info:
        StateStore(path)
    message = str(info.value)
    assert "newer" in message and str(path) in message and "\n" not in message
    assert path.read_bytes() == before and aside_files(path) == []


def test_a_newer_journal_is_refused(path):
    store = StateStore(path)
    store.set_read("a")
    store.close()
    lines = journal_lines(path)
    journal(path).write_text(json.dumps({"daily_papers_journal": 99, "gen": "x"}) + "\n" + "\n".join(lines[1:]))
    with pytest.raises(StateSchemaError):
        StateStore(path)


def test_a_newer_schema_written_while_we_run_stops_our_writes(path):
    store = StateStore(path)
    store.set_read("a")
    newer = json.dumps({"_meta": {"1": {"schema": SCHEMA_VERSION + 1, "gen": "n"}}, "marks": {}})
    path.write_text(newer)
    store.set_read("b")  # no exception for the app: kept in memory, said once
    assert store.is_read("b") and "newer" in store.notices[-1]
    assert path.read_text() == newer


def test_the_first_state_format_is_migrated_and_kept(path):
    old = {"_default": {}, "marks": {
        "1": {"arxiv_id": "2408.03326", "read": True, "starred": True, "updated": 1723000000.5},
        "2": {"arxiv_id": "2408.00001", "read": False, "starred": True, "updated": 1723000001.0},
    }}
    path.write_text(json.dumps(old))  # what TinyDB's default storage wrote for the first StateStore
    store = StateStore(path)
    assert store.notices == []
    assert store.mark("2408.03326") == Mark(True, True, 1723000000.5) and store.starred_ids() == {
        "2408.03326", "2408.00001"}
    assert json.loads(path.read_text())["_meta"]["1"]["schema"] == SCHEMA_VERSION
    [backup] = [p for p in path.parent.iterdir() if ".schema0-" in p.name]
    assert json.loads(backup.read_text()) == old


def test_there_is_a_migration_for_every_older_schema():
    assert sorted(MIGRATIONS) == list(range(SCHEMA_VERSION))
    migrated = migrate({"marks": {}}, 0)
    assert migrated["_meta"]["1"]["schema"] == SCHEMA_VERSION


# -- when the disk says no ----------------------------------------------------------------------------------
def test_a_state_folder_that_cannot_exist_keeps_changes_in_memory(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = StateStore(blocker / "state.json")
    store.set_starred("x")
    store.update(["y"], read=True)
    assert store.is_starred("x") and store.is_read("y")
    assert store.unsaved_ids() == {"x", "y"}
    assert store.notices and all("\n" not in n for n in store.notices)
    assert any("kept in memory" in n for n in store.notices)
    assert len(store.notices) <= 2  # not one per change
    store.close()


def test_a_state_path_that_cannot_be_read_is_never_written_over(tmp_path):
    odd = tmp_path / "state.json"
    odd.mkdir()  # not a file: cannot be read
    (odd / "inside").write_text("keep")
    store = StateStore(odd)
    assert len(store.notices) == 1 and "cannot read" in store.notices[0]
    store.set_starred("x")
    assert store.is_starred("x") and store.unsaved_ids() == {"x"}
    store.close()
    assert odd.is_dir() and [p.name for p in odd.iterdir()] == ["inside"]


def test_failed_saves_are_retried_and_reach_the_disk(path, monkeypatch):
    store = StateStore(path)
    store.set_read("before")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(JournalStorage, "append", broken)
    monkeypatch.setattr(JournalStorage, "write_marks", broken)
    store.set_starred("during")
    assert store.unsaved_ids() == {"during"} and "No space left" in store.notices[-1]
    monkeypatch.undo()
    assert store.flush() and store.unsaved_ids() == set()
    assert "saved again" in store.notices[-1]
    store.close()
    assert reopen(path).marks().keys() == {"before", "during"}


def test_a_lock_held_too_long_does_not_block_the_app(path):
    store = StateStore(path, lock_timeout=0.2)
    store.set_read("a")
    held, release = threading.Event(), threading.Event()

    def holder():
        with FileLock(str(path) + ".lock"):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    try:
        store.set_read("b")
        assert store.is_read("b") and store.unsaved_ids() == {"b"} and "lock" in store.notices[-1]
    finally:
        release.set()
        thread.join()
    store.close()  # close retries
    assert reopen(path).read_ids() == {"a", "b"}


def test_unsaved_changes_lose_to_newer_changes_made_elsewhere(path, monkeypatch):
    mine = StateStore(path, lock_timeout=0.2)
    other = StateStore(path)
    monkeypatch.setattr(JournalStorage, "append", lambda *a, **k: (_ for _ in ()).throw(OSError(5, "I/O error")))
    mine.set_starred("x")  # not saved
    monkeypatch.undo()
    other.set_starred("x", False)  # later, elsewhere
    mine.flush()
    assert not mine.is_starred("x")
    mine.close(), other.close()
    assert not reopen(path).is_starred("x")


# -- import and export --------------------------------------------------------------------------------------
def test_merge_takes_only_newer_changes_and_keeps_their_times(path):
    store = StateStore(path)
    store.set_starred("mine-newer")
    store.set_read("theirs-newer")
    now = store.mark("mine-newer").updated
    taken = store.merge({
        "mine-newer": Mark(False, False, now - 100),
        "theirs-newer": Mark(False, True, now + 100),
        "new": Mark(True, False, 7.0),
    })
    assert taken.keys() == {"theirs-newer", "new"}
    assert store.mark("mine-newer").starred and store.mark("theirs-newer") == Mark(False, True, now + 100)
    assert store.mark("new") == Mark(True, False, 7.0)


def test_export_then_import_round_trips_every_mark():
    marks = {"a": Mark(True, False, 1.5), "b": Mark(False, False, 2.0), "c": Mark(False, True, 3.0)}
    data = json.loads(json.dumps(export_data(marks)))
    assert data["format"] == "daily-papers-state" and data["schema"] == SCHEMA_VERSION
    assert marks_from_export(data) == marks


def test_import_refuses_bad_or_newer_files():
    with pytest.raises(StateError, match="mark 2"):
        marks_from_export({"marks": [{"arxiv_id": "a"}, {"arxiv_id": 5}]})
    with pytest.raises(StateSchemaError):
        marks_from_export({"format": "daily-papers-state", "schema": SCHEMA_VERSION + 1, "marks": []})
    with pytest.raises(StateError):
        marks_from_export({"format": "something-else", "marks": []})
    with pytest.raises(StateError):
        marks_from_export("hello")


def test_import_reads_a_state_file_too_and_the_newer_duplicate_counts(path):
    store = StateStore(path, journal_limit=0)
    store.set_starred("x")
    store.close()
    assert marks_from_export(json.loads(path.read_text())).keys() == {"x"}
    assert marks_from_export([
        {"arxiv_id": "d", "read": True, "starred": False, "updated": 2.0},
        {"arxiv_id": "d", "read": False, "starred": False, "updated": 1.0},
    ]) == {"d": Mark(True, False, 2.0)}


def test_files_written_are_private_to_the_folder(path):
    store = StateStore(path)
    store.set_read("a")
    store.close()
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["state.json", "state.json.journal", "state.json.lock"]
    assert not any(name.endswith(".tmp") for name in os.listdir(path.parent))


# -- settle_later: the reader's first screen reads the marks without the lock -------------------------------

def _lock_file(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _sound_state(path: Path) -> None:
    with StateStore(path) as store:
        store.set_read("2401.00001", True)
        store.set_starred("2401.00002", True)  # state.json + one journal line
    _lock_file(path).unlink()


def test_settle_later_reads_sound_files_without_the_lock_and_the_same_marks(path):
    _sound_state(path)
    quick = StateStore(path, settle_later=True)
    assert not _lock_file(path).exists()  # no lock taken (nor its module imported: see test_core_isolation)
    assert quick.marks() == StateStore(path).marks()
    assert quick.is_read("2401.00001") and quick.is_starred("2401.00002")
    assert quick.settle() == set()  # the locked load agrees
    assert _lock_file(path).exists()


def test_settle_reports_what_another_process_wrote_in_between(path):
    _sound_state(path)
    quick = StateStore(path, settle_later=True)
    with StateStore(path) as other:
        other.set_starred("2401.00003", True)
    assert not quick.is_starred("2401.00003")
    assert quick.settle() == {"2401.00003"}
    assert quick.is_starred("2401.00003")


def test_a_write_before_settling_takes_the_lock_and_loses_nothing_written_elsewhere(path):
    _sound_state(path)
    quick = StateStore(path, settle_later=True)
    with StateStore(path) as other:
        other.set_starred("2401.00003", True)
    quick.set_read("2401.00004", True)
    assert quick.is_starred("2401.00003") and "2401.00003" in quick.external_changes
    assert StateStore(path).marks().keys() >= {"2401.00001", "2401.00002", "2401.00003", "2401.00004"}


@pytest.mark.parametrize("damage", ["state", "journal line", "torn line", "newer schema"])
def test_files_that_need_work_get_the_locked_load_at_once(path, damage):
    _sound_state(path)
    if damage == "state":
        path.write_text("{not json", encoding="utf-8")
    elif damage == "journal line":
        with open(journal(path), "a", encoding="utf-8") as handle:
            handle.write("not json\n")
    elif damage == "torn line":
        with open(journal(path), "a", encoding="utf-8") as handle:
            handle.write('{"marks": [{"arxiv_id": "2401.0')
    else:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["_meta"]["1"]["schema"] = SCHEMA_VERSION + 1
        path.write_text(json.dumps(data), encoding="utf-8")
    if damage == "newer schema":
        with pytest.raises(StateSchemaError):
            StateStore(path, settle_later=True)
        return
    quick = StateStore(path, settle_later=True)
    assert _lock_file(path).exists()  # the locked load ran: repairs as a normal open does
    if damage == "state":
        assert aside_files(path) and quick.notices
    else:
        assert quick.is_read("2401.00001") and quick.is_starred("2401.00002")
    assert quick.settle() == set()


def test_a_state_path_that_is_a_symlink_stays_one_and_everything_lives_beside_its_target(tmp_path):
    synced, home = tmp_path / "Dropbox", tmp_path / "home"
    synced.mkdir(), home.mkdir()
    link = home / "state.json"
    link.symlink_to(synced / "state.json")  # dangling until the first change
    store = StateStore(link, journal_limit=0)  # every change compacts: an atomic rewrite each time
    store.set_starred("a")
    store.update(["b", "c"], read=True)
    store.close()
    assert link.is_symlink() and os.readlink(link) == str(synced / "state.json")
    assert sorted(p.name for p in home.iterdir()) == ["state.json"]  # no journal, lock or temporary here
    assert {"state.json", "state.json.journal", "state.json.lock"} <= {p.name for p in synced.iterdir()}
    again = reopen(link)
    assert again.starred_ids() == {"a"} and again.read_ids() == {"b", "c"}
    again.set_read("a")  # appended to the journal beside the target
    again.close()
    assert reopen(synced / "state.json").read_ids() == {"a", "b", "c"}
    # a damaged file is moved aside beside the file itself, and the link still points to the new one
    (synced / "state.json").write_text("{not json", encoding="utf-8")
    damaged = StateStore(link)
    assert any("moved to" in n and str(synced) in n for n in damaged.notices), damaged.notices
    damaged.set_starred("d")
    damaged.close()
    assert link.is_symlink() and os.readlink(link) == str(synced / "state.json")
    assert [p.name for p in home.iterdir()] == ["state.json"]
    assert aside_files(synced / "state.json")


def test_an_atomic_rewrite_of_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    from reader.core.atomic import write_bytes_atomic

    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "config.json"
    target.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_bytes_atomic(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real"]
