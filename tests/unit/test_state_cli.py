"""daily-papers paths, mark, state export and state import."""

from __future__ import annotations

import io
import json
import sys

import pytest

from reader import paths
from reader.cli import main
from reader.core.state import Mark, StateStore
from reader.core.state_format import SCHEMA_VERSION

# on the bundled sample days (the default library while the user's is empty)
A, B, C = "2408.03326", "2408.02718", "2408.07246"


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def state_file(tmp_path):
    return tmp_path / "synced" / "state.json"


# -- paths --------------------------------------------------------------------------------------------------
def test_paths_prints_one_line_each(capsys, user_dirs):
    code, out, err = run(capsys, "paths")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == ["library", "state", "cache", "config"]
    values = dict(line.split(": ", 1) for line in lines)
    assert values["library"] == str(paths.library_dir()) and values["library"].startswith(str(user_dirs["data"]))
    assert values["state"] == str(paths.state_path()) and values["state"].startswith(str(user_dirs["data"]))
    assert values["cache"].startswith(str(user_dirs["cache"]))
    assert values["config"].startswith(str(user_dirs["config"]))


def test_paths_shows_the_state_file_chosen_by_option_or_environment(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("DAILY_PAPERS_STATE", str(tmp_path / "env.json"))
    _, out, _ = run(capsys, "paths")
    assert f"state: {tmp_path / 'env.json'}" in out.splitlines()
    _, out, _ = run(capsys, "paths", "--state", str(tmp_path / "opt.json"))
    assert f"state: {tmp_path / 'opt.json'}" in out.splitlines()


# -- mark ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("flag, check", [
    ("--read", lambda m: m.read and not m.starred),
    ("--star", lambda m: m.starred and not m.read),
])
def test_mark_sets_marks_on_disk(capsys, state_file, flag, check):
    code, out, err = run(capsys, "mark", flag, A, f"https://arxiv.org/abs/{B}v2", "--state", str(state_file))
    assert code == 0 and err == "" and out.startswith("marked 2 papers ")
    store = StateStore(state_file)
    assert check(store.mark(A)) and check(store.mark(B)) and store.mark(C) == Mark()


def test_unread_and_unstar_undo_read_and_star(capsys, state_file):
    run(capsys, "mark", "--read", A, B, "--state", str(state_file))
    run(capsys, "mark", "--star", A, B, "--state", str(state_file))
    assert run(capsys, "mark", "--unread", A, "--state", str(state_file))[0] == 0
    assert run(capsys, "mark", "--unstar", B, "--state", str(state_file))[0] == 0
    store = StateStore(state_file)
    assert store.read_ids() == {B} and store.starred_ids() == {A}


def test_mark_uses_the_environment_and_the_default_place(capsys, monkeypatch, tmp_path):
    run(capsys, "mark", "--star", A)
    assert StateStore(paths.state_path()).starred_ids() == {A}
    monkeypatch.setenv("DAILY_PAPERS_STATE", str(tmp_path / "env.json"))
    run(capsys, "mark", "--star", B)
    assert StateStore(tmp_path / "env.json").starred_ids() == {B}


def test_mark_takes_paths_after_the_ids(capsys, state_file, fixtures):
    code, out, err = run(capsys, "mark", "--read", "2312.00011", str(fixtures), "--state", str(state_file))
    assert code == 0, err
    assert StateStore(state_file).read_ids() == {"2312.00011"}
    # that id is not in the default library
    code, _, err = run(capsys, "mark", "--read", "2312.00011", "--state", str(state_file))
    assert code == 1


def test_unknown_ids_are_one_line_error_and_nothing_is_written(capsys, state_file):
    code, out, err = run(capsys, "mark", "--star", A, "2401.99999", "--state", str(state_file))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "2401.99999" in err and A not in err
    assert not state_file.exists()
    run(capsys, "mark", "--read", B, "--state", str(state_file))
    before = state_file.read_bytes(), state_file.with_name("state.json.journal").read_bytes()
    assert run(capsys, "mark", "--star", B, "2401.99999", "--state", str(state_file))[0] == 1
    assert (state_file.read_bytes(), state_file.with_name("state.json.journal").read_bytes()) == before


@pytest.mark.parametrize("argv", [
    ["mark", A],  # no action
    ["mark", "--read", "--star", A],  # two actions
    ["mark", "--read"],  # no id
    ["mark", "--read", "not-an-id"],  # no id either (the word is taken for a path)
])
def test_mark_usage_errors_exit_2(capsys, argv, state_file):
    code, out, err = run(capsys, *argv, "--state", str(state_file))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert not state_file.exists()


def test_mark_refuses_a_newer_state_file_in_one_line(capsys, state_file):
    state_file.parent.mkdir(parents=True)
    newer = json.dumps({"_meta": {"1": {"schema": SCHEMA_VERSION + 1}}, "marks": {}})
    state_file.write_text(newer)
    code, out, err = run(capsys, "mark", "--read", A, "--state", str(state_file))
    assert code == 1 and out == "" and err.count("\n") == 1 and "newer" in err
    assert state_file.read_text() == newer


def test_mark_on_a_damaged_state_file_says_where_it_went(capsys, state_file):
    state_file.parent.mkdir(parents=True)
    state_file.write_bytes(b'{"marks": {"1": {"arxiv_id": "x", "re')
    code, out, err = run(capsys, "mark", "--star", A, "--state", str(state_file))
    assert code == 0
    [moved] = [p for p in state_file.parent.iterdir() if ".corrupt-" in p.name]
    assert err.count("\n") == 1 and str(moved) in err and err.startswith("daily-papers: warning:")
    assert StateStore(state_file).starred_ids() == {A}


def test_mark_fails_when_the_state_cannot_be_saved(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    code, out, err = run(capsys, "mark", "--star", A, "--state", str(tmp_path / "file" / "state.json"))
    assert code == 1 and "marked" not in out
    assert err.splitlines()[-1].startswith("daily-papers: error: the reading state was not saved")


# -- export and import --------------------------------------------------------------------------------------
def test_export_writes_every_mark_as_json(capsys, state_file, tmp_path):
    store = StateStore(state_file)
    store.update([A, B], read=True)
    store.set_starred(B)
    store.set_starred(C)
    store.set_starred(C, False)  # unmarked, but its time counts in a later import
    store.close()
    code, out, err = run(capsys, "state", "export", "--state", str(state_file))
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["format"] == "daily-papers-state" and data["schema"] == SCHEMA_VERSION and data["count"] == 3
    by_id = {m["arxiv_id"]: m for m in data["marks"]}
    assert by_id[B]["read"] and by_id[B]["starred"] and not by_id[C]["starred"] and by_id[C]["updated"] > 0
    code, _, err = run(capsys, "state", "export", "--state", str(state_file), "-o", str(tmp_path / "backup.json"))
    assert code == 0 and json.loads((tmp_path / "backup.json").read_text())["marks"] == data["marks"]


def test_import_merges_and_the_newest_change_wins(capsys, state_file, tmp_path):
    store = StateStore(state_file)
    store.set_starred(A)  # A: starred here, unstarred earlier on the other machine
    store.set_read(B)  # B: read here, starred later on the other machine
    here = store.mark(A).updated
    store.close()
    backup = tmp_path / "other-machine.json"
    backup.write_text(json.dumps({"format": "daily-papers-state", "schema": 1, "marks": [
        {"arxiv_id": A, "read": False, "starred": False, "updated": here - 3600},
        {"arxiv_id": B, "read": False, "starred": True, "updated": here + 3600},
        {"arxiv_id": "2301.00001", "read": True, "starred": True, "updated": 1.0},  # only over there
    ]}))
    code, out, err = run(capsys, "state", "import", str(backup), "--state", str(state_file))
    assert code == 0 and err == "" and "3 marks, 2 taken" in out
    store = StateStore(state_file)
    assert store.mark(A).starred  # ours was newer
    assert store.mark(B) == Mark(False, True, here + 3600)  # theirs was newer, with its own time
    assert store.mark("2301.00001") == Mark(True, True, 1.0)


def test_export_then_import_moves_a_machine(capsys, tmp_path):
    old, new = tmp_path / "old" / "state.json", tmp_path / "new" / "state.json"
    store = StateStore(old)
    store.update([A, B], starred=True)
    store.set_read(C)
    store.close()
    run(capsys, "state", "export", "--state", str(old), "-o", str(tmp_path / "move.json"))
    code, out, _ = run(capsys, "state", "import", str(tmp_path / "move.json"), "--state", str(new))
    assert code == 0
    assert StateStore(new).marks() == StateStore(old).marks()
    # importing again changes nothing
    code, out, _ = run(capsys, "state", "import", str(tmp_path / "move.json"), "--state", str(new))
    assert "0 taken" in out


def test_import_from_standard_input(capsys, monkeypatch, state_file):
    payload = json.dumps([{"arxiv_id": A, "read": True, "starred": False, "updated": 5.0}]).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(payload)))
    code, out, _ = run(capsys, "state", "import", "-", "--state", str(state_file))
    assert code == 0 and StateStore(state_file).read_ids() == {A}


@pytest.mark.parametrize("content", [
    b"{ not json",
    json.dumps({"format": "daily-papers-state", "schema": 1, "marks": [{"arxiv_id": A, "read": "yes"}]}).encode(),
    json.dumps({"format": "daily-papers-state", "schema": SCHEMA_VERSION + 1, "marks": []}).encode(),
    json.dumps({"papers": []}).encode(),
])
def test_a_bad_import_file_is_one_line_error_and_nothing_is_written(capsys, state_file, tmp_path, content):
    StateStore(state_file).set_starred(B)
    before = state_file.read_bytes(), state_file.with_name("state.json.journal").read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    code, out, err = run(capsys, "state", "import", str(bad), "--state", str(state_file))
    assert code == 1 and out == "" and err.count("\n") == 1 and err.startswith("daily-papers: error:")
    assert (state_file.read_bytes(), state_file.with_name("state.json.journal").read_bytes()) == before


def test_import_of_a_missing_file(capsys, state_file, tmp_path):
    code, _, err = run(capsys, "state", "import", str(tmp_path / "nope.json"), "--state", str(state_file))
    assert code == 1 and "nope.json" in err and err.count("\n") == 1


def test_state_needs_an_action(capsys):
    code, _, err = run(capsys, "state")
    assert code == 2 and err.count("\n") == 1


# -- mark --read --until D / --all, and --undo --------------------------------------------------------------
def _three_days(tmp_path):
    """Three days of our own: 2024-03-01 (A1, A2), 2024-03-02 (B1, and A2 again), 2024-03-03 (C1)."""
    from digest_factory import write_day

    root = tmp_path / "days"
    write_day(root, "2024-03-01", ["2403.00001", "2403.00002"])
    write_day(root, "2024-03-02", ["2403.00011", "2403.00002"])
    write_day(root, "2024-03-03", ["2403.00021"])
    return root


def test_mark_read_until_marks_every_paper_of_every_day_up_to_d_in_one_write(capsys, state_file, tmp_path):
    root = _three_days(tmp_path)
    run(capsys, "mark", "--read", "2403.00011", str(root), "--state", str(state_file))  # read already
    run(capsys, "mark", "--star", "2403.00001", str(root), "--state", str(state_file))
    before = StateStore(state_file)
    read_before, star_before = before.mark("2403.00011"), before.mark("2403.00001")
    before.close()
    journal = state_file.with_name(state_file.name + ".journal")
    lines_before = journal.read_text().count("\n")
    code, out, err = run(capsys, "mark", "--read", "--until", "2024-03-02", str(root), "--state", str(state_file))
    assert code == 0 and err == ""
    # Three papers in the two days (2403.00002 is on both), one read already: two marked.
    assert out.startswith("marked 2 papers read (up to 2024-03-02: 2 days, 3 papers, 1 read already)")
    store = StateStore(state_file)
    assert store.mark("2403.00001").read and store.mark("2403.00002").read
    assert not store.mark("2403.00021").read  # the day after D
    assert store.mark("2403.00011") == read_before  # read already: its mark as it was (its time too)
    assert store.mark("2403.00001").starred and not store.mark("2403.00002").starred  # stars as they were
    assert star_before.starred
    store.close()
    assert journal.read_text().count("\n") == lines_before + 1  # one write


def test_mark_read_all_marks_every_day_and_undo_takes_back_only_what_it_marked_and_nobody_changed_since(capsys, state_file, tmp_path):
    root = _three_days(tmp_path)
    run(capsys, "mark", "--read", "2403.00011", str(root), "--state", str(state_file))
    code, out, err = run(capsys, "mark", "--read", "--all", str(root), "--state", str(state_file))
    assert code == 0 and out.startswith("marked 3 papers read (of every day: 3 days, 4 papers, 1 read already)")
    assert "mark --undo" in out
    # Since: a star on one it marked, and one of them marked unread and read again in the reader.
    run(capsys, "mark", "--star", "2403.00002", str(root), "--state", str(state_file))
    run(capsys, "mark", "--unread", "2403.00021", str(root), "--state", str(state_file))
    run(capsys, "mark", "--read", "2403.00021", str(root), "--state", str(state_file))
    code, out, err = run(capsys, "mark", "--undo", "--state", str(state_file))
    assert code == 0 and err == ""
    assert out.strip() == "marked 1 paper unread again (2 kept: changed since)"
    store = StateStore(state_file)
    assert not store.mark("2403.00001").read  # unread again
    assert store.mark("2403.00002").read and store.mark("2403.00002").starred  # changed since: kept whole
    assert store.mark("2403.00011").read  # read before the command: still read
    assert store.mark("2403.00021").read  # read again since: that newer word stays
    store.close()
    code, out, err = run(capsys, "mark", "--undo", "--state", str(state_file))
    assert code == 1 and "nothing to undo" in err and len(err.splitlines()) == 1


def test_mark_read_until_latest_and_a_day_between_days(capsys, state_file, tmp_path):
    root = _three_days(tmp_path)
    code, out, _ = run(capsys, "mark", "--read", "--until", "2024-03-01", str(root), "--state", str(state_file))
    assert out.startswith("marked 2 papers read (up to 2024-03-01: 1 day,")
    code, out, _ = run(capsys, "mark", "--until", "latest", str(root), "--read", "--state", str(state_file))
    assert code == 0 and out.startswith("marked 2 papers read (up to 2024-03-03: 3 days, 4 papers, 2 read already)")
    code, out, _ = run(capsys, "mark", "--read", "--until", "2024-03-03", str(root), "--state", str(state_file))
    assert code == 0 and out.strip() == "marked 0 papers read (up to 2024-03-03: 3 days, 4 papers, 4 read already)"


@pytest.mark.parametrize("argv, code, words", [
    (["mark", "--star", "--until", "2024-03-02"], 2, "--until and --all go with --read"),
    (["mark", "--read", "--until", "2024-02-30"], 2, "is not a date"),
    (["mark", "--read", "--until", "2024-03-02", "--all"], 2, "not allowed with"),
    (["mark", "--read", "--all", "2403.00001"], 2, "takes PATHs, not ids"),
    (["mark", "--undo", "2403.00001"], 2, "--undo takes no action, ids"),
    (["mark", "--undo", "--read"], 2, "--undo takes no action, ids"),
    (["mark", "--read", "--until", "2020-01-01"], 1, "no day up to 2020-01-01: the oldest is 2024-03-01"),
])
def test_mark_days_bad_input_is_one_line_and_nothing_is_written(capsys, state_file, tmp_path, argv, code, words):
    root = _three_days(tmp_path)
    got, out, err = run(capsys, *argv, str(root), "--state", str(state_file))
    assert got == code and out == "" and words in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2  # (argparse adds its usage line)
    assert not state_file.exists() or all(not m.read for m in StateStore(state_file).marks().values())
