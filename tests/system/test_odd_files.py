"""Odd things where the reader keeps its files: a FIFO (opening one for reading waits for a writer), a device,
a file far bigger than any real one, JSON nested deeper than the parser can go. Each case runs the real
command in its own process (a hang is a timeout, reading a file whole shows in its peak memory); nothing is
ever an internal error, nothing waits, nothing of the user's is replaced."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from hardening import reader_command, run_measured
from reader.core.cache import ParseCache
from reader.core.config import Config, load_config
from reader.core.files import FileRefused, check_regular, load_json, read_regular
from reader.core.limits import MAX_CACHE_BYTES, MAX_CONFIG_BYTES, MAX_STATE_BYTES
from reader.core.state import StateStore

HANG = 60  # seconds: far more than any of these takes; a process still running then is hung
SMALL_MB = 150  # the peak memory of a command that did not read a huge file whole
DEEP = "[" * 200_000 + "]" * 200_000  # deeper than json.loads can go (RecursionError)


def make_odd(path: Path, kind: str, huge: int) -> None:
    """A FIFO, a link to a device, or a sparse file of `huge` bytes (no disk space used) at path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/null")  # (not /dev/zero: a reader that reads it whole never ends)
    else:
        with open(path, "wb") as handle:
            handle.truncate(huge)


def what_it_is(path: Path) -> tuple:
    st = os.lstat(path)
    return stat.S_IFMT(st.st_mode), st.st_size, os.readlink(path) if path.is_symlink() else None


def an_id() -> str:
    run = run_measured(reader_command("list", "--all", "--json"), env=dict(os.environ))
    return json.loads(run.out)[0]["arxiv_id"]


def python_file(folder: Path, code: str) -> str:
    """A program to run in its own process (run_measured takes a file: it measures its peak memory)."""
    folder.mkdir(exist_ok=True)
    (folder / "probe.py").write_text(code, encoding="utf-8")
    return str(folder / "probe.py")


def repo_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}


def one_error_line(run, *names: str) -> None:
    assert run.code == 1 and run.out == "", (run.code, run.out, run.err)
    assert run.err.count("\n") == 1 and run.err.startswith("daily-papers: error:"), run.err
    assert "internal error" not in run.err
    for name in names:
        assert name in run.err, run.err


# -- the shared helper ------------------------------------------------------------------------------------------
def test_the_one_reader_refuses_odd_files_without_waiting_or_reading_them(tmp_path):
    for kind in ("fifo", "device", "huge"):
        make_odd(tmp_path / kind, kind, 10_001)
        with pytest.raises(FileRefused) as refused:
            read_regular(tmp_path / kind, 10_000, what="a test file")
        assert str(tmp_path / kind) in str(refused.value) and "\n" not in str(refused.value)
        with pytest.raises(FileRefused):
            check_regular(tmp_path / kind, 10_000)
    assert "a FIFO" in str(pytest.raises(FileRefused, read_regular, tmp_path / "fifo", 10).value)
    assert "character device" in str(pytest.raises(FileRefused, read_regular, tmp_path / "device", 10).value)
    too_big = pytest.raises(FileRefused, read_regular, tmp_path / "huge", 10, what="a test file").value
    assert "is 9.8 KB, more than a test file may be (10 bytes)" in str(too_big)
    (tmp_path / "fine").write_bytes(b"x" * 10_000)
    assert read_regular(tmp_path / "fine", 10_000) == b"x" * 10_000
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "missing", 10)
    assert check_regular(tmp_path / "missing") is None


@pytest.mark.parametrize("text", [DEEP, '{"a": ' * 100_000 + "1" + "}" * 100_000, "1" * 5000, "\ud800",
                                  b"\xff\xfe", "", "[1,]"])
def test_the_one_json_loader_raises_only_value_error(text):
    with pytest.raises(ValueError):
        load_json(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)


# -- where the state should be ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["fifo", "device", "huge"])
def test_an_odd_file_where_the_state_should_be_is_one_line_and_left_as_it_is(tmp_path, kind):
    state = tmp_path / "state.json"
    make_odd(state, kind, MAX_STATE_BYTES + 1)
    before = what_it_is(state)
    arxiv_id = an_id()
    good = tmp_path / "elsewhere" / "marks.json"
    good.parent.mkdir()
    good.write_text(json.dumps([{"arxiv_id": arxiv_id, "read": True, "starred": False, "updated": 5.0}]))
    for command in (["mark", "--star", arxiv_id], ["state", "export"], ["state", "import", str(good)]):
        run = run_measured(reader_command(*command, "--state", str(state)), env=dict(os.environ), timeout=HANG)
        one_error_line(run, "state.json")
        assert run.peak_mb < SMALL_MB, (command, run.peak_mb)
    assert what_it_is(state) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "state.json"]  # no lock, journal ...
    assert not os.path.lexists("/dev/null.lock")  # ... nor beside the device the link points to


STORE_PROBE = """
import json, sys
from reader.core.state import StateStore
found = []
for settle_later in (True, False):  # the reader's first, lock-free read too
    store = StateStore(sys.argv[1], settle_later=settle_later)
    store.set_starred("x")  # kept in memory, never written over it
    found.append([store.unreadable, store.notices, sorted(store.unsaved_ids())])
    store.close()
print(json.dumps(found))
"""


@pytest.mark.parametrize("kind", ["fifo", "device", "huge"])
def test_the_reader_opens_beside_an_odd_state_and_says_so(tmp_path, kind):
    state = tmp_path / "state.json"
    make_odd(state, kind, MAX_STATE_BYTES + 1)
    before = what_it_is(state)
    run = run_measured([sys.executable, python_file(tmp_path / "probe", STORE_PROBE), str(state)],
                       env=repo_env(), timeout=HANG)
    assert run.code == 0, run.err
    for unreadable, notices, unsaved in json.loads(run.out):
        assert unreadable and str(state) in notices[0] and "\n" not in notices[0]
        assert unsaved == ["x"]
    assert run.peak_mb < SMALL_MB
    assert what_it_is(state) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["probe", "state.json"]


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_an_odd_journal_or_lock_stops_writes_and_never_waits(tmp_path, kind):
    for odd in ("state.json.journal", "state.json.lock"):
        folder = tmp_path / odd
        StateStore(folder / "state.json").set_starred("a")  # a sound state and journal
        (folder / odd).unlink(missing_ok=True)
        make_odd(folder / odd, kind, 0)
        run = run_measured(reader_command("mark", "--star", an_id(), "--state", str(folder / "state.json")),
                           env=dict(os.environ), timeout=HANG)
        one_error_line(run, odd)
        assert what_it_is(folder / odd)[0] == (stat.S_IFIFO if kind == "fifo" else stat.S_IFLNK)


def test_json_too_deep_in_the_state_file_is_damage_moved_aside(tmp_path):
    state = tmp_path / "state.json"
    state.write_text(DEEP, encoding="utf-8")
    arxiv_id = an_id()
    run = run_measured(reader_command("mark", "--star", arxiv_id, "--state", str(state)), env=dict(os.environ),
                       timeout=HANG)
    assert run.code == 0 and "internal error" not in run.err, run.err
    assert run.err.count("\n") == 1 and "moved to" in run.err and "nested too deeply" in run.err
    [aside] = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert aside.read_text(encoding="utf-8") == DEEP  # kept whole
    assert StateStore(state).starred_ids() == {arxiv_id}


def test_json_too_deep_in_the_journal_keeps_the_other_lines(tmp_path):
    state = tmp_path / "state.json"
    store = StateStore(state)
    store.set_starred("a")
    store.close()
    journal = tmp_path / "state.json.journal"
    with open(journal, "a", encoding="utf-8") as handle:
        handle.write(DEEP + "\n")
    again = StateStore(state)
    assert again.starred_ids() == {"a"}
    assert any("journal was damaged" in n for n in again.notices), again.notices
    header_first = tmp_path / "other.json"
    StateStore(header_first).set_starred("b")
    (tmp_path / "other.json.journal").write_text(DEEP + "\n", encoding="utf-8")  # the first line itself
    assert StateStore(header_first).starred_ids() == {"b"}


# -- where config.json should be --------------------------------------------------------------------------------
CONFIG_PROBE = """
import json, sys
from pathlib import Path
from reader.core.config import load_config
config = load_config(Path(sys.argv[1]))
print(json.dumps([list(config.problems), config.citation_format]))
"""


@pytest.mark.parametrize("kind", ["fifo", "device", "huge", "deep"])
def test_an_odd_config_file_means_defaults_and_one_notice(tmp_path, kind):
    config = tmp_path / "config.json"
    if kind == "deep":
        config.write_text('{"keymap": ' + DEEP + "}", encoding="utf-8")
    else:
        make_odd(config, kind, 300 * 1024 * 1024)  # sparse: no disk used, 300 MB if it were read whole
    before = what_it_is(config)
    run = run_measured([sys.executable, python_file(tmp_path / "probe", CONFIG_PROBE), str(config)],
                       env=repo_env(), timeout=HANG)
    assert run.code == 0, run.err
    [problem], fmt = json.loads(run.out)
    assert str(config) in problem and "defaults" in problem and "\n" not in problem
    assert fmt == "bibtex" and run.peak_mb < SMALL_MB
    assert what_it_is(config) == before
    assert load_config(tmp_path / "missing.json") == Config()
    assert MAX_CONFIG_BYTES < 300 * 1024 * 1024


# -- where the parse cache should be ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["fifo", "device", "huge"])
def test_an_odd_parse_cache_is_skipped_and_left_as_it_is(kind, user_dirs, fixtures):
    cache = user_dirs["cache"] / "daily-papers" / "parsed.jsonl"
    make_odd(cache, kind, MAX_CACHE_BYTES + 1)
    before = what_it_is(cache)
    expected = run_measured(reader_command("dates", str(fixtures)), env={**os.environ, "XDG_CACHE_HOME": "/nonexistent/x"})
    for _ in range(2):
        run = run_measured(reader_command("dates", str(fixtures)), env=dict(os.environ), timeout=HANG)
        assert run.code == 0 and run.out == expected.out and run.out, run.err
        assert run.peak_mb < SMALL_MB, run.peak_mb
    assert what_it_is(cache) == before


def test_a_cache_entry_nested_too_deep_is_ignored_and_the_file_parsed(tmp_path, fixtures):
    store = tmp_path / "c.jsonl"
    digest = next(iter(sorted(fixtures.glob("*.md"))))
    cache = ParseCache(store)
    want = cache.read(digest)
    cache.save()
    head, key_and_entry = store.read_bytes().split(b"\n", 1)
    key = key_and_entry.split(b"\t", 1)[0]
    store.write_bytes(head + b"\n" + key + b"\t" + DEEP.encode() + b"\n")
    again = ParseCache(store)
    assert again.read(digest) == want and again.misses == 1
    store.write_bytes(head + b"\n" + DEEP.encode() + b"\t{}\n")  # the key itself
    third = ParseCache(store)
    assert third.read(digest) == want and third.misses == 1


# -- a `state import` file ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["fifo", "device", "huge", "deep", "deep-mark"])
def test_an_odd_import_file_is_refused_in_one_line(tmp_path, kind):
    source = tmp_path / "marks.json"
    if kind == "deep":
        source.write_text(DEEP, encoding="utf-8")
    elif kind == "deep-mark":  # parses, but a mark of 900 nested lists: shown short, never str()'d whole
        source.write_text('{"marks": [' + "[" * 900 + "]" * 900 + "]}", encoding="utf-8")
    else:
        make_odd(source, kind, MAX_STATE_BYTES + 1)
    state = tmp_path / "state.json"
    run = run_measured(reader_command("state", "import", str(source), "--state", str(state)), env=dict(os.environ),
                       timeout=HANG)
    one_error_line(run, "marks.json", "nothing was imported")
    assert run.peak_mb < SMALL_MB
    assert not state.exists()
