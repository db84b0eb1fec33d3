"""Notes kept with the marks (reader.core.state_notes): on disk at once, under the state's lock, newest wins on
import, damage moved aside, exported and imported with `state export/import`, searchable with has:note."""

from __future__ import annotations

import json
import os

from reader.cli import main
from reader.core.state import StateStore
from reader.core.state_notes import MAX_NOTE_CHARS


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_a_note_is_on_disk_when_set_note_returns_and_private(tmp_path):
    path = tmp_path / "state.json"
    with StateStore(path) as store:
        assert store.set_note("2408.00001", "읽을 것: section 3\r\n\r\n") == ("읽을 것: section 3", 0)
        notes_file = tmp_path / "state.json.notes"
        assert notes_file.is_file() and oct(notes_file.stat().st_mode & 0o777) == "0o600"
        # a second process sees it, without this store closing first
        assert StateStore(path).notes() == {"2408.00001": "읽을 것: section 3"}
    assert StateStore(path).note("2408.00001") == "읽을 것: section 3"
    assert StateStore(path).note("2408.99999") == ""


def test_two_stores_writing_notes_lose_none(tmp_path):
    path = tmp_path / "state.json"
    first, second = StateStore(path), StateStore(path)
    first.notes(), second.notes()  # both have read the (empty) notes
    first.set_note("a", "from the first")
    second.set_note("b", "from the second")
    assert StateStore(path).notes() == {"a": "from the first", "b": "from the second"}
    assert second.notes() == {"a": "from the first", "b": "from the second"}


def test_an_emptied_note_is_gone_and_its_deletion_wins_over_an_older_import(tmp_path):
    path = tmp_path / "state.json"
    store = StateStore(path)
    store.set_note("a", "old words")
    old = store.note_records()
    store.set_note("a", "")
    assert store.notes() == {} and store.note_records()["a"].text == ""
    assert store.merge_notes(old) == {}  # the older note does not come back
    assert StateStore(path).notes() == {}


def test_a_note_is_capped(tmp_path):
    store = StateStore(tmp_path / "state.json")
    kept, cut = store.set_note("a", "x" * (MAX_NOTE_CHARS + 10))
    assert len(kept) == MAX_NOTE_CHARS and cut == 10
    assert len(StateStore(tmp_path / "state.json").note("a")) == MAX_NOTE_CHARS


def test_a_damaged_notes_file_is_moved_aside_with_a_notice(tmp_path):
    path = tmp_path / "state.json"
    (tmp_path / "state.json.notes").write_text("{not json", encoding="utf-8")
    store = StateStore(path)
    assert store.notes() == {}
    assert any("notes file was damaged" in n for n in store.notices)
    assert [p.name for p in tmp_path.iterdir() if "corrupt" in p.name]  # kept aside, never deleted
    store.set_note("a", "new")
    assert StateStore(path).notes() == {"a": "new"}


def refuse_notes_writes(monkeypatch):
    """The disk refuses the notes file (ENOSPC), whoever runs the test (chmod does not stop root)."""
    import errno

    from reader.core import atomic

    real = atomic.write_text_atomic

    def write(path, text, *args, **kwargs):
        if str(path).endswith(".notes"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, text, *args, **kwargs)

    monkeypatch.setattr(atomic, "write_text_atomic", write)


def test_a_notes_file_that_cannot_be_written_keeps_the_note_in_memory_with_one_notice(tmp_path, monkeypatch):
    store = StateStore(tmp_path / "state.json")
    store.set_read("x", True)  # the state's own files exist
    refuse_notes_writes(monkeypatch)
    store.set_note("a", "kept")
    store.set_note("b", "kept too")
    assert store.notes() == {"a": "kept", "b": "kept too"} and store.unsaved_note_ids() == {"a", "b"}
    assert len([n for n in store.notices if "cannot save the notes" in n]) == 1
    monkeypatch.undo()
    store.set_note("c", "again")
    assert StateStore(tmp_path / "state.json").notes() == {"a": "kept", "b": "kept too", "c": "again"}


def test_unsaved_notes_count_as_unsaved_changes_and_flush_and_close_retry_them(tmp_path, monkeypatch):
    """The quit dialog, the exit code and `Save marks to another file` all ask unsaved_ids()/flush()/
    save_problem(): a note the disk refused is a change that is not saved, like a mark."""
    store = StateStore(tmp_path / "state.json")
    store.set_read("x", True)
    refuse_notes_writes(monkeypatch)
    store.set_note("a", "only in memory")
    assert store.unsaved_ids() == {"a"}
    assert not store.flush()
    assert "cannot save the notes" in (store.save_problem() or "")
    monkeypatch.undo()
    assert store.flush() and store.unsaved_ids() == set() and store.save_problem() is None
    assert StateStore(tmp_path / "state.json").notes() == {"a": "only in memory"}
    refuse_notes_writes(monkeypatch)
    store.set_note("b", "written at close")
    monkeypatch.undo()
    store.close()
    assert StateStore(tmp_path / "state.json").notes() == {"a": "only in memory", "b": "written at close"}


def test_saving_elsewhere_on_quit_carries_the_unsaved_notes(capsys, tmp_path, monkeypatch):
    """The quit dialog's `Save marks to another file` (reader.tui.screens.unsaved.save_marks) writes the notes
    the disk refused too, in the export format `state import` takes back."""
    from reader.tui.screens.unsaved import save_marks

    store = StateStore(tmp_path / "state.json")
    store.set_starred("2408.03326")
    refuse_notes_writes(monkeypatch)
    store.set_note("2408.03326", "my thoughts")
    target = tmp_path / "elsewhere.json"
    assert save_marks(store, target) is None
    monkeypatch.undo()
    code, _, err = run(capsys, "state", "import", str(target), "--state", str(tmp_path / "other.json"))
    assert code == 0, err
    assert StateStore(tmp_path / "other.json").notes() == {"2408.03326": "my thoughts"}


def test_state_export_and_import_carry_the_notes(capsys, tmp_path):
    here, there = tmp_path / "here.json", tmp_path / "there.json"
    StateStore(here).set_note("2408.03326", "a note\nof two lines")
    export = tmp_path / "export.json"
    code, _, err = run(capsys, "state", "export", "--state", str(here), "-o", str(export))
    assert code == 0, err
    assert json.loads(export.read_text())["notes"]["2408.03326"]["text"] == "a note\nof two lines"
    code, out, err = run(capsys, "state", "import", str(export), "--state", str(there))
    assert code == 0, err
    assert "1 note, 1 taken" in out
    assert StateStore(there).notes() == {"2408.03326": "a note\nof two lines"}


def test_an_import_with_a_bad_note_is_refused_in_one_line_and_nothing_is_taken(capsys, tmp_path):
    there = tmp_path / "there.json"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "daily-papers-state", "schema": 1, "marks": [
        {"arxiv_id": "a", "read": True, "starred": False, "updated": 1.0}],
        "notes": {"a": {"text": 5, "updated": 1.0}}}))
    code, out, err = run(capsys, "state", "import", str(bad), "--state", str(there))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "nothing was imported" in err
    assert not StateStore(there).is_read("a")


def test_has_note_keeps_only_papers_with_a_note(tmp_path):
    """has:note is the search language's (reader.core.finding), its notes StateStore.notes(): alone it lists
    every paper with a note (newest first), beside words only the noted papers that match; a search without it
    reads no note. The same in memory and over the index."""
    from reader.core import finding
    from reader.core.index import open_indexed
    from reader.core.library import Library

    root = tmp_path / "lib"
    for date, arxiv_id, title in (("2024-01-01", "2401.00001", "any a"), ("2024-02-01", "2402.00001", "any b"),
                                  ("2024-03-01", "2403.00001", "any c")):
        y, m, d = date.split("-")
        (root / y / m).mkdir(parents=True, exist_ok=True)
        (root / y / m / f"{d}.md").write_text(f"## Daily Papers ({date})\n\n### [{title}](https://arxiv.org/abs/"
                                               f"{arxiv_id})\n\nVote: 1\n\n- ***Summary***: 요약\n", encoding="utf-8")
    store = StateStore(tmp_path / "state.json")
    store.set_note("2401.00001", "x")
    store.set_note("2402.00001", "y")
    store.set_note("2403.00001", "")  # emptied: no note
    indexed = open_indexed([root], tmp_path / "index")
    indexed.load_all()
    assert indexed.indexed
    memory = Library.open([root]).load_all()
    for library in (indexed, memory):
        def found(query: str) -> list[str]:
            return [hit.paper.arxiv_id for hit in finding.search(library, query, sort="date",
                                                                 marks=finding.marks_for(query, store)).hits]

        assert found("has:note") == ["2402.00001", "2401.00001"]
        assert found("Has:Note any") == ["2402.00001", "2401.00001"]
        assert found("has:note b") == ["2402.00001"]
        assert found("any") == ["2403.00001", "2402.00001", "2401.00001"]
    assert finding.marks_for("any", store) == finding.Marks()  # nothing read without a filter that needs it
    indexed.close()


def test_daily_papers_search_has_note(capsys):
    from reader import paths

    StateStore(paths.state_path()).set_note("2408.07246", "ChemVLM: read the ablation")
    code, out, err = run(capsys, "search", "has:note")
    assert code == 0, err
    assert [line.split()[2] for line in out.splitlines()] == ["2408.07246"]
    code, out, _ = run(capsys, "search", "has:note chemical")
    assert code == 0 and "2408.07246" in out
    code, out, _ = run(capsys, "search", "has:note photomontage")  # a paper without a note
    assert code == 1 and out == ""
    code2, out2, _ = run(capsys, "search", "has:note", "--json")
    assert json.loads(out2)[0]["arxiv_id"] == "2408.07246"
