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
