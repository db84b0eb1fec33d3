"""Several real processes on one state file at once, and kill -9 in the middle of writing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from reader.core.state import StateStore

REPO = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import sys
    from reader.core.state import StateStore
    path, name, count, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    store = StateStore(path, journal_limit=limit, lock_timeout=60)
    shared = [f"shared{i}" for i in range(count)]
    for i in range(count):
        store.set_starred(f"{name}-{i}")                 # ids of its own
        if name == "reader":
            store.set_read(shared[i])                    # the same ids as "starrer", another field
        elif name == "starrer":
            store.set_starred(shared[i])
    assert not store.unsaved_ids(), store.notices
    store.close()
    print("done", flush=True)
""")

KILLED = textwrap.dedent("""
    import sys
    from reader.core.state import StateStore
    path, start, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    store = StateStore(path, journal_limit=limit)
    assert not store.notices, store.notices
    i = start
    while True:
        if i % 7 == 0:
            store.update([f"k{i}", f"k{i}-b", f"k{i}-c"], read=True, starred=True)
        else:
            store.set_starred(f"k{i}")
        assert not store.unsaved_ids(), store.notices
        print(i, flush=True)                             # acknowledged: on disk
        i += 1
""")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_many_writer_processes_lose_no_update(tmp_path):
    path = tmp_path / "state.json"
    count = 40
    names = ["reader", "starrer", "w1", "w2", "w3"]
    # a small journal limit makes the writers compact under each other's feet too
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(count), "3000"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
        for name in names
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0 and out.strip() == "done", err
    store = StateStore(path)
    assert store.notices == []
    for name in names:
        assert {f"{name}-{i}" for i in range(count)} <= store.starred_ids()
    for i in range(count):
        mark = store.mark(f"shared{i}")
        assert mark.read and mark.starred, (i, mark)  # read by one process, starred by another: both kept
    assert len(store.marks()) == len(names) * count + count


def test_many_mark_commands_at_once_lose_no_update(tmp_path):
    path = tmp_path / "state.json"
    ids = [p["arxiv_id"] for p in json.loads(subprocess.run(
        [sys.executable, "-m", "reader", "list", "--all", "--json"], capture_output=True, text=True,
        env=_env(), check=True).stdout)]
    ids = list(dict.fromkeys(ids))[:8]
    assert len(ids) == 8
    jobs = [["--star", i] for i in ids] + [["--read", *ids[:4]], ["--read", *ids[4:]]]
    procs = [
        subprocess.Popen([sys.executable, "-m", "reader", "mark", *args, "--state", str(path)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
        for args in jobs
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert out.startswith("marked ") and err == ""
    store = StateStore(path)
    assert store.starred_ids() == set(ids) and store.read_ids() == set(ids)


def test_an_open_reader_sees_marks_made_by_commands_and_keeps_them(tmp_path):
    path = tmp_path / "state.json"
    tui = StateStore(path)
    tui.set_read("2408.03326")
    subprocess.run([sys.executable, "-m", "reader", "mark", "--star", "2408.03326", "--state", str(path)],
                   check=True, capture_output=True, env=_env())
    assert tui.reload() == {"2408.03326"} and tui.is_starred("2408.03326")
    tui.set_read("2408.03326", False)  # the TUI's next write keeps the command's star
    tui.close()
    final = StateStore(path)
    assert final.is_starred("2408.03326") and not final.is_read("2408.03326")


def _run_and_kill(path: Path, start: int, limit: int, acks_wanted: int) -> list[int]:
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(path), str(start), str(limit)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    acked: list[int] = []
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            acked.append(int(line))
            if len(acked) >= acks_wanted:
                break
    finally:
        proc.send_signal(signal.SIGKILL)  # not a clean exit: in the middle of whatever it was doing
        proc.wait(timeout=60)
    assert acked, proc.stderr.read() if proc.stderr else ""
    return acked


def test_kill_9_during_writes_never_loses_an_acknowledged_mark_nor_breaks_the_file(tmp_path):
    path = tmp_path / "state.json"
    start = 0
    acknowledged: list[int] = []
    # a tiny journal limit makes some kills land in a compaction (state.json rewrite + new journal)
    for round_number, (limit, wanted) in enumerate([(2000, 60), (600, 90), (0, 25), (1 << 30, 150), (900, 70)]):
        acked = _run_and_kill(path, start, limit, wanted)
        acknowledged += acked
        store = StateStore(path)
        assert store.notices == [], (round_number, store.notices)  # nothing damaged, nothing moved aside
        starred = store.starred_ids()
        missing = [i for i in acknowledged if f"k{i}" not in starred]
        assert not missing, (round_number, missing[:10])
        for i in acknowledged:
            if i % 7 == 0:
                assert store.is_read(f"k{i}-b") and store.is_starred(f"k{i}-c")
        store.close()
        start = max(acked) + 1000  # the killed one may have written one more than it acknowledged
    assert not [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]


def test_undo_of_mark_day_read_keeps_what_other_processes_did_since(tmp_path):
    """The reader's A then z (update_undoable, restore), with `daily-papers mark` runs in between: a star
    given elsewhere survives the undo, and a paper marked read again elsewhere stays read."""
    path = tmp_path / "state.json"
    listed = json.loads(subprocess.run([sys.executable, "-m", "reader", "list", "--all", "--json"],
                                       capture_output=True, text=True, env=_env(), check=True).stdout)
    ids = list(dict.fromkeys(p["arxiv_id"] for p in listed))[:4]

    def mark(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "reader", "mark", *args, "--state", str(path)],
                       check=True, capture_output=True, env=_env())

    tui = StateStore(path)
    undo = tui.update_undoable(ids, read=True)  # A
    mark("--star", ids[0])
    mark("--unread", ids[1])
    mark("--read", ids[1])
    tui.set_starred(ids[2])  # in the reader itself
    tui.restore(undo)  # z
    for store in (tui, StateStore(path)):
        assert [store.is_read(i) for i in ids] == [False, True, False, False]
        assert [store.is_starred(i) for i in ids] == [True, False, True, False]
    tui.close()
