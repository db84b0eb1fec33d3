"""A command's check of its files in a helper process started before the command imports its modules
(reader.core.index.ahead, reader.startup.check_ahead): it answers only for a snapshot whose every file is as
the snapshot holds it, the command takes that answer instead of checking the files itself, and anything else
(no answer, a helper that failed or hung, another snapshot) leaves the check to the command: the same
answers either way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from digest_factory import write_day
from reader import paths as app_paths
from reader.core.index import ahead, index_path, open_indexed, update
from reader.core.index.listing import cached
from reader.core.library import Library
from reader.startup import check_ahead



IDLE = "0.10 0.05 0.01 1/100 4242\n"  # (/proc/loadavg of an idle machine: this process alone runnable)


def _load(tmp_path: Path, text: str) -> str:
    found = tmp_path / f"loadavg-{len(list(tmp_path.glob('loadavg-*')))}"
    found.write_text(text, encoding="ascii")
    return str(found)


@pytest.fixture(autouse=True)
def _no_helper_left(monkeypatch, tmp_path):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})  # (two CPUs, whatever this machine has)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(ahead, "LOADAVG", _load(tmp_path, IDLE))  # (one idle, however busy this machine is)
    yield
    ahead.forget()


def _kept(root: Path, folder: Path, monkeypatch) -> tuple[list[Path], Path]:
    """Five days whose index (in `folder`) holds a snapshot of their identities: (the days, the index file)."""
    paths = [write_day(root, f"2024-07-{d:02d}", [f"2407.000{d:02d}"], title="Before") for d in range(1, 6)]
    real = update.clock
    monkeypatch.setattr(update, "clock", lambda: real() + 60_000_000_000)  # (checked long after any change)
    for _ in range(2):
        library = open_indexed([root], folder)
        library.load_all()
        library.close()
    [index] = folder.glob("*.sqlite3")
    return paths, index


def _done(helper) -> None:
    """Until the helper has answered or ended (a command asks it some 35 ms after its start: by then it
    has; a test asks at once)."""
    import select

    assert helper is not None and select.select([helper._fd], [], [], 60)[0]


def _snapshot(root: Path, index: Path):
    library = open_indexed([root], index.parent)
    try:
        files, _rows, snapshot = cached(library._store.connection(), [str(root)])
        assert snapshot is not None
        return [f.file for f in files], snapshot
    finally:
        library.close()


def _change(path: Path, how: str) -> None:
    if how == "edited in place":
        with path.open("a", encoding="utf-8") as out:
            out.write("\n### [Afters](https://example.org/x)\n- Afters\n")
    elif how == "edited, same size and mtime":  # (only the status change time and the inode's data differ)
        stamp = path.stat().st_mtime_ns
        path.write_text(path.read_text(encoding="utf-8").replace("Before", "Afters"), encoding="utf-8")
        os.utime(path, ns=(stamp, stamp))
    elif how == "replaced by a copy":  # (the same bytes, another inode)
        copy = path.with_name("copy.tmp")
        copy.write_bytes(path.read_bytes())
        os.replace(copy, path)
    elif how == "removed":
        path.unlink()


@pytest.mark.parametrize("how", ["unchanged", "edited in place", "edited, same size and mtime", "replaced by a copy",
                                 "removed"])
def test_a_helper_answers_only_when_every_file_is_as_the_snapshot_holds_it(tmp_path, monkeypatch, how):
    root, folder = tmp_path / "lib", tmp_path / "index"
    days, index = _kept(root, folder, monkeypatch)
    paths, snapshot = _snapshot(root, index)
    _change(days[2], how)
    helper = ahead.start(str(index))
    _done(helper)
    found = helper.answer(*snapshot.kept)
    assert found is (how == "unchanged")
    assert found is (update.unchanged(snapshot, paths) is not None)  # (what the command would find itself)
    # Not for another snapshot: another list of files, or other identities.
    for kept in ((snapshot.kept[0] + b"\0x.md", snapshot.kept[1]), (snapshot.kept[0], snapshot.kept[1][::-1])):
        helper = ahead.start(str(index))
        _done(helper)
        assert not helper.answer(*kept)


@pytest.mark.parametrize("how", ["unchanged", "edited, same size and mtime"])
def test_a_commands_check_takes_its_helpers_answer_and_checks_the_files_itself_only_when_it_is_not_yes(
        tmp_path, monkeypatch, how):
    root, folder = tmp_path / "lib", tmp_path / "index"
    days, index = _kept(root, folder, monkeypatch)
    _change(days[2], how)
    checked: list[int] = []
    real = update.unchanged
    monkeypatch.setattr(update, "unchanged", lambda snapshot, paths: checked.append(len(paths)) or real(snapshot, paths))
    _done(ahead.start(str(index)))
    library = open_indexed([root], folder)
    library.load_rest(ahead=True)
    found = library.search("2407.00003")
    assert found == Library.open([root]).load_all().search("2407.00003")
    assert [p.title for p in found] == [f"{'Before' if how == 'unchanged' else 'Afters'} 2407.00003: a study"]
    assert checked == ([] if how == "unchanged" else [5])  # (the helper's yes stood for the command's own check)
    assert ahead.take(str(index)) is None  # (taken by that check)
    library.close()


@pytest.mark.parametrize("helper", ["fails", "says something else", "killed", "hangs"])
def test_a_helper_that_does_not_answer_yes_leaves_the_check_to_the_command_and_is_ended(
        tmp_path, monkeypatch, capfd, helper):
    root, folder = tmp_path / "lib", tmp_path / "index"
    _days, index = _kept(root, folder, monkeypatch)
    code = {"fails": "import sys; sys.stderr.write('Traceback: boom'); raise SystemExit(3)",
            "says something else": "import os; os.write(1, b'0123456789abcdef')",
            "killed": "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
            "hangs": "import time; time.sleep(600)"}[helper]
    monkeypatch.setattr(ahead, "_HELPER", code)
    checked: list[int] = []
    real = update.unchanged
    monkeypatch.setattr(update, "unchanged", lambda snapshot, paths: checked.append(len(paths)) or real(snapshot, paths))
    started = ahead.start(str(index))
    if helper != "hangs":
        _done(started)
    pid = started.pid
    library = open_indexed([root], folder)
    library.load_rest(ahead=True)
    assert library.search("2407") == Library.open([root]).load_all().search("2407")
    assert checked == [5]
    library.close()
    with pytest.raises(ChildProcessError):  # (ended and reaped: no process left behind)
        os.waitpid(pid, os.WNOHANG)
    assert capfd.readouterr().err == ""  # (its stderr is /dev/null)


def test_a_helper_no_check_took_is_ended_when_the_command_is_done(tmp_path, monkeypatch):
    root, folder = tmp_path / "lib", tmp_path / "index"
    _days, index = _kept(root, folder, monkeypatch)
    monkeypatch.setattr(ahead, "_HELPER", "import time; time.sleep(600)")
    helper = ahead.start(str(index))
    assert helper is not None and ahead.start(str(index)) is None  # (one an index)
    pid = helper.pid
    from reader.commands.common import close_libraries

    close_libraries()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    assert ahead.take(str(index)) is None


def test_no_helper_where_it_cannot_help(tmp_path, monkeypatch):
    root, folder = tmp_path / "lib", tmp_path / "index"
    _days, index = _kept(root, folder, monkeypatch)
    assert ahead.start(str(folder / "none.sqlite3")) is None  # (no index yet: nothing to compare with)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})  # (one CPU: it would take the command's)
    assert ahead.start(str(index)) is None
    monkeypatch.undo()
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    assert ahead.start(str(index)) is None
    monkeypatch.undo()
    monkeypatch.setattr(sys, "frozen", True, raising=False)  # (an app's own executable: no `python -c`)
    assert ahead.start(str(index)) is None


@pytest.mark.parametrize("cpus, load, started", [
    (2, IDLE, True),
    (2, "0.90 0.50 0.20 2/100 4242\n", False),  # (one other task runnable on two CPUs: none idle for a helper)
    (2, "0.90 0.50 0.20 3/100 4242\n", False),
    (4, "0.90 0.50 0.20 3/100 4242\n", True),  # (two others on four CPUs: one idle)
    (4, "0.90 0.50 0.20 4/100 4242\n", False),
    (2, "2.40 1.00 0.50 1/100 4242\n", True),  # (the last minute's load is not asked: only now counts)
    (2, "", True), (2, "garbage", True), (2, None, True),  # (no load to read: assume a CPU is idle)
])
def test_no_helper_unless_a_cpu_is_idle_for_it(tmp_path, monkeypatch, cpus, load, started):
    """Beside a task that keeps a CPU busy (a build, another command), a helper's start-up takes more CPU
    from the command than the stats it saves (measured: `list` at 10x beside a busy loop 77 ms with a helper,
    59 without; two at once 37 against 29): the command checks itself."""
    root, folder = tmp_path / "lib", tmp_path / "index"
    _days, index = _kept(root, folder, monkeypatch)
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    monkeypatch.setattr(ahead, "LOADAVG", str(tmp_path / "none") if load is None else _load(tmp_path, load))
    helper = ahead.start(str(index))
    assert (helper is not None) is started
    if helper is not None:
        _done(helper)
        assert helper.answer(*_snapshot(root, index)[1].kept)


def test_a_task_runnable_for_a_moment_does_not_keep_the_helper_away(tmp_path, monkeypatch):
    """The kernel's own brief work shows as a runnable task in one read of three on an idle machine: the
    load is read again a moment later."""
    import time

    root, folder = tmp_path / "lib", tmp_path / "index"
    _days, index = _kept(root, folder, monkeypatch)
    loadavg = Path(_load(tmp_path, "0.10 0.05 0.01 2/100 4242\n"))
    monkeypatch.setattr(ahead, "LOADAVG", str(loadavg))
    pauses: list[float] = []
    monkeypatch.setattr(time, "sleep", lambda seconds: pauses.append(seconds) or loadavg.write_text(IDLE))
    helper = ahead.start(str(index))
    assert helper is not None and 0 < pauses[0] <= 0.001
    helper.close()


def test_a_helper_reads_an_index_whose_path_starts_with_two_slashes(tmp_path, monkeypatch):
    """(XDG_CACHE_HOME=//tmp/cache is the same folder as /tmp/cache to the system; a URI file://tmp/... would
    name a host)"""
    root, folder = tmp_path / "lib", tmp_path / "index"
    _days, index = _kept(root, folder, monkeypatch)
    helper = ahead.start("/" + str(index))
    assert helper is not None and helper.index_file.startswith("//")
    _done(helper)
    assert helper.answer(*_snapshot(root, index)[1].kept)


def test_a_helper_does_not_wait_for_an_index_a_writer_holds(tmp_path, monkeypatch):
    import sqlite3

    root, folder = tmp_path / "lib", tmp_path / "index"
    _days, index = _kept(root, folder, monkeypatch)
    writer = sqlite3.connect(index, isolation_level=None)
    try:
        writer.execute("PRAGMA locking_mode=EXCLUSIVE")
        writer.execute("BEGIN EXCLUSIVE")
        helper = ahead.start(str(index))
        assert helper is not None
        import select

        # It ends at once, with no answer (with SQLite's usual busy timeout it would wait 5 s for the lock).
        assert select.select([helper._fd], [], [], 3.0)[0] and os.read(helper._fd, 64) == b""
        helper.close()
    finally:
        writer.close()


def _interrupted(tmp_path: Path, interrupt: str) -> list:
    """`daily-papers list` in a process of its own, its helper one that never answers, and `interrupt` (code
    run before the command) sending it a ^C somewhere (`on_spawn()` runs as the helper is spawned): [the
    command's exit status, whether its helper is still running after it, the helpers still recorded]."""
    root = tmp_path / "lib"
    write_day(root, "2024-07-01", ["2407.00001"])
    open_indexed([str(root)]).close()
    code = f"""
import json, os, signal, sys
os.sched_getaffinity = lambda _pid: {{0, 1}}
os.cpu_count = lambda: 2
from reader.core.index import ahead
ahead.LOADAVG = "/nonexistent"
ahead._HELPER = "import time; time.sleep(600)"
spawned = []
real_spawn = os.posix_spawn
on_spawn = lambda: None

def spawn(*args, **kwargs):
    spawned.append(real_spawn(*args, **kwargs))
    on_spawn()
    return spawned[-1]

os.posix_spawn = spawn
{interrupt}
sys.argv = ["daily-papers", "list", {str(root)!r}]
import reader.__main__ as entry
code = entry.main()
try:
    left = os.waitpid(spawned[0], os.WNOHANG) == (0, 0)
except ChildProcessError:
    left = False
if left:
    os.kill(spawned[0], 9)
print(json.dumps([code, left, len(ahead._started)]))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, timeout=60)
    assert done.stdout, done.stderr
    return json.loads(done.stdout)


def test_a_helper_is_ended_when_a_ctrl_c_ends_the_command_while_it_imports(tmp_path):
    assert _interrupted(tmp_path, """
class CtrlC:  # (the ^C lands while reader.cli is imported)
    def find_spec(self, name, path=None, target=None):
        if name == "reader.cli":
            raise KeyboardInterrupt

sys.meta_path.insert(0, CtrlC())
""") == [130, False, 0]


@pytest.mark.parametrize("argv", [["list", "{root}"], ["dates", "{root}"], ["search", "모델", "{root}"],
                                  ["--debug", "search", "x", "{root}", "{other}"], ["list"], ["search", "x"]])
def test_the_helper_is_started_for_the_index_the_command_opens(tmp_path, monkeypatch, argv):
    root, other = tmp_path / "lib", tmp_path / "other"
    write_day(root, "2024-07-01", ["2407.00001"])
    write_day(other, "2024-07-02", ["2407.00002"])
    if argv in (["list"], ["search", "x"]):  # (no PATH: the user's library, while it holds a digest)
        write_day(app_paths.library_dir(), "2024-07-03", ["2407.00003"])
        roots = [app_paths.library_dir()]
    else:
        roots = [root, other] if "{other}" in argv else [root]
    argv = [a.format(root=root, other=other) for a in argv]
    index = index_path([str(r) for r in roots], app_paths.index_dir())
    check_ahead(argv)
    assert ahead.take(str(index)) is None  # (no index yet: no helper)
    open_indexed([str(r) for r in roots]).close()
    check_ahead(argv)
    helper = ahead.take(str(index))
    assert helper is not None and helper.index_file == os.path.normpath(index)
    helper.close()


def test_the_bundled_days_index_is_the_one_named_while_the_users_library_is_empty(monkeypatch):
    roots = [app_paths.bundled_data_dir()]
    open_indexed(roots).close()
    check_ahead(["list"])
    assert ahead.take(str(index_path([str(r) for r in roots], app_paths.index_dir()))) is not None


@pytest.mark.parametrize("argv", [[], ["list", "--all"], ["search"], ["show", "2407.00001"], ["list", ""],
                                  ["README.md"], ["search", "x", "--limit", "3"]])
def test_no_helper_for_other_command_lines(tmp_path, argv):
    write_day(app_paths.library_dir(), "2024-07-03", ["2407.00003"])
    open_indexed([app_paths.library_dir()]).close()
    check_ahead(argv)
    assert ahead._started == {}


def test_starting_a_helper_imports_nothing_the_command_would_wait_for(tmp_path):
    """It runs before the command imports anything: typing, pathlib, sqlite3 and json would delay it by as
    much as the helper saves (measured: 6-11 ms for typing alone on this machine)."""
    write_day(app_paths.library_dir(), "2024-07-03", ["2407.00003"])
    open_indexed([app_paths.library_dir()]).close()
    code = ("import sys, os; os.sched_getaffinity = lambda _pid: {0, 1}; os.cpu_count = lambda: 2; "
            "from reader.core.index import ahead; ahead.LOADAVG = '/nonexistent'; "
            "from reader.startup import check_ahead; check_ahead(['list']); "
            "from reader.core.index import ahead; import json; "
            "print(json.dumps([len(ahead._started), sorted({'typing', 'pathlib', 'sqlite3', 'json'} & before)]))")
    code = "import sys; before = set(sys.modules); " + code.replace("import json; ", "before = set(sys.modules) - before; import json; ")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True)
    assert json.loads(done.stdout) == [1, []]


def test_a_command_answers_as_its_files_are_with_a_helper(tmp_path, monkeypatch):
    """The whole way: `daily-papers search` in a process of its own, its helper started by reader.__main__."""
    root = tmp_path / "lib"
    days = [write_day(root, f"2024-07-{d:02d}", [f"2407.000{d:02d}"], title="Before") for d in range(1, 6)]
    real = update.clock
    monkeypatch.setattr(update, "clock", lambda: real() + 60_000_000_000)  # (so that the snapshot is kept)
    for _ in range(2):
        library = open_indexed([str(root)])
        library.load_all()
        library.close()
    command = [sys.executable, "-m", "reader", "search", "2407.00003", str(root)]
    first = subprocess.run(command, capture_output=True, text=True, env=os.environ)
    _change(days[2], "edited, same size and mtime")
    second = subprocess.run(command, capture_output=True, text=True, env=os.environ)
    assert "Before 2407.00003" in first.stdout and "Afters 2407.00003" in second.stdout
    assert first.returncode == second.returncode == 0 and first.stderr == second.stderr == ""


def test_the_command_line_starts_the_check_ahead_before_the_command_and_the_command_ends_it(tmp_path, monkeypatch, capsys):
    import reader.__main__ as entry
    import reader.startup

    write_day(tmp_path / "lib", "2024-07-01", ["2407.00001"])
    started: list[list[str]] = []
    real = reader.startup.check_ahead
    monkeypatch.setattr(reader.startup, "check_ahead", lambda argv: started.append(list(argv)) or real(argv))
    monkeypatch.setattr(sys, "argv", ["daily-papers", "list", str(tmp_path / "lib")])
    assert entry.main() == 0
    assert started == [["list", str(tmp_path / "lib")]] and "2407.00001" in capsys.readouterr().out
    open_indexed([str(tmp_path / "lib")]).close()
    monkeypatch.setattr(ahead, "_HELPER", "import time; time.sleep(600)")
    monkeypatch.setattr(sys, "argv", ["daily-papers", "show", "2407.00001", str(tmp_path / "lib")])  # (takes none)
    monkeypatch.setattr(reader.startup, "check_ahead", lambda argv: ahead.start(
        str(index_path([str(tmp_path / "lib")], app_paths.index_dir()))))
    assert entry.main() == 0
    assert ahead._started == {}  # (ended on the way out)


def test_a_command_waits_for_its_helper_no_longer_than_its_own_check_would_take(tmp_path, monkeypatch):
    """A helper slowed by busy CPUs or a slow disk (here: one that never answers) costs the command no more
    than checking the files itself would: it waits about a stat's time a file, then checks them itself."""
    import select

    root, folder = tmp_path / "lib", tmp_path / "index"
    _days, index = _kept(root, folder, monkeypatch)
    monkeypatch.setattr(ahead, "_HELPER", "import time; time.sleep(600)")
    waited: list[float] = []
    real = select.select
    monkeypatch.setattr(select, "select", lambda r, w, x, timeout: waited.append(timeout) or real(r, w, x, timeout))
    helper = ahead.start(str(index))
    assert helper is not None
    assert not helper.answer(*_snapshot(root, index)[1].kept)
    assert waited and max(waited) <= max(ahead.MIN_WAIT, 5 * ahead.STAT_SECONDS)  # (five files)
    big = b"\0".join(b"f%d.md" % i for i in range(100_000))
    helper = ahead.start(str(index))
    waited.clear()
    assert helper is not None and not helper.answer(big, b"")
    assert 0.39 <= max(waited) <= 100_000 * ahead.STAT_SECONDS  # (a large library: its own check takes longer)


def test_a_helper_is_ended_when_a_ctrl_c_lands_while_the_command_waits_for_it(tmp_path, monkeypatch):
    import select

    root, folder = tmp_path / "lib", tmp_path / "index"
    _days, index = _kept(root, folder, monkeypatch)
    monkeypatch.setattr(ahead, "_HELPER", "import time; time.sleep(600)")
    helper = ahead.start(str(index))
    assert helper is not None and ahead.take(str(index)) is helper  # (taken by the check: forget() no longer knows it)
    pid = helper.pid

    def ctrl_c(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(select, "select", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        helper.answer(*_snapshot(root, index)[1].kept)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_a_ctrl_c_as_the_helper_starts_leaves_no_helper_behind(tmp_path):
    """SIGINT delivered the moment the helper is spawned, before the command has recorded it: it waits until
    the helper is recorded, so the command's way out ends it."""
    assert _interrupted(tmp_path, "on_spawn = lambda: os.kill(os.getpid(), signal.SIGINT)  # (^C, this very moment)\n") \
        == [130, False, 0]


def test_the_helper_starts_with_no_signal_blocked(tmp_path, monkeypatch):
    """(SIGINT is held while the helper is spawned and recorded: the helper must not inherit that, or a ^C to
    the terminal's process group would not reach it)"""
    root, folder = tmp_path / "lib", tmp_path / "index"
    _days, index = _kept(root, folder, monkeypatch)
    monkeypatch.setattr(ahead, "_HELPER", "import os, signal; "
                        "os.write(1, repr(sorted(signal.pthread_sigmask(signal.SIG_BLOCK, []))).encode())")
    helper = ahead.start(str(index))
    _done(helper)
    assert os.read(helper._fd, 256) == b"[]"
    helper.close()
