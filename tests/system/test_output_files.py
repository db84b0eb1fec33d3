"""The files a command writes with -o (export, state export), and the modes of every file the reader makes.

Real processes with a chosen umask: a link given to -o is written through and stays a link, a file keeps
its mode, a new one gets the umask's; '-' and /dev/stdout are standard output and a FIFO is written
directly, never replaced by a file. Digests (imported or synced), exports, the library's folders and the
cache follow the umask; only the reading state is private (0600).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from digest_factory import Upstream, write_day
from hardening import REPO
from test_failing_disks import real_mounts_available

COMMANDS = {  # command -> (its arguments before -o, what its output holds)
    "export": lambda archive, state: ["export", str(archive), "--format", "json"],
    "state export": lambda archive, state: ["state", "export", "--state", str(state)],
}


def reader(*args: str, umask: int = 0o022, cwd: Path | None = None, stdout=subprocess.PIPE,
           prefix: list[str] = ()) -> subprocess.CompletedProcess:
    """`daily-papers ARGS` in a real process with this umask (set by the shell, as a user's is)."""
    command = [*prefix, "sh", "-c", f'umask {umask:03o} && exec "$@"', "sh", sys.executable, "-m", "reader",
               *args]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(command, cwd=cwd or REPO, env=env, stdout=stdout, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture
def archive(tmp_path) -> Path:
    root = tmp_path / "archive"
    write_day(root, "2024-03-01", ["2403.00001", "2403.00002"])
    return root


@pytest.fixture
def state(tmp_path) -> Path:
    from reader.core.state import StateStore

    path = tmp_path / "state" / "state.json"
    with StateStore(path) as store:
        store.set_starred("2403.00001")
    return path


def expected(command: str, archive: Path, state: Path) -> str:
    done = reader(*COMMANDS[command](archive, state))
    assert done.returncode == 0, done.stderr
    return done.stdout.decode()


def same(a: str | bytes, b: str | bytes) -> bool:
    """The same output, but for the time a state export was made."""
    def content(text):
        data = json.loads(text)
        data.pop("exported", None)
        return data

    text_a, text_b = (x.decode() if isinstance(x, bytes) else x for x in (a, b))
    return content(text_a) == content(text_b) and text_a.count("\n") == text_b.count("\n")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_link_is_written_through_and_a_file_keeps_its_mode(tmp_path, archive, state, command):
    want = expected(command, archive, state)
    elsewhere = tmp_path / "synced-folder"
    elsewhere.mkdir()
    kept = elsewhere / "out.json"
    kept.write_text("old\n")
    os.chmod(kept, 0o604)  # the user's choice: readable by others, not by the group
    link = tmp_path / "out.json"
    link.symlink_to("synced-folder/out.json")
    dangling = tmp_path / "later.json"
    dangling.symlink_to("synced-folder/later.json")  # a link to a file not made yet

    for target, through in ((link, kept), (dangling, elsewhere / "later.json")):
        done = reader(*COMMANDS[command](archive, state), "-o", str(target), umask=0o027)
        assert done.returncode == 0 and done.stdout == b"", done.stderr
        assert target.is_symlink() and os.readlink(target) == f"synced-folder/{through.name}"
        assert same(through.read_text(), want)
    assert mode(kept) == 0o604  # kept, whatever the umask
    assert mode(elsewhere / "later.json") == 0o640  # new: the umask's
    assert sorted(p.name for p in elsewhere.iterdir()) == ["later.json", "out.json"]  # no temporary left


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("umask", [0o027, 0o002])
def test_a_new_file_gets_the_umasks_mode(tmp_path, archive, state, command, umask):
    out = tmp_path / "new.json"
    done = reader(*COMMANDS[command](archive, state), "-o", str(out), umask=umask)
    assert done.returncode == 0, done.stderr
    assert mode(out) == 0o666 & ~umask
    assert same(out.read_text(), expected(command, archive, state))


def _in_a_private_dev() -> list[str]:
    """A mount namespace whose /dev is a fresh tmpfs holding only stdout -> /proc/self/fd/1 (so that a writer
    that replaced /dev/stdout by a file could do no harm to this machine's /dev)."""
    return ["unshare", "-m", "--propagation", "private", "sh", "-c",
            'mount -t tmpfs tmpfs /dev && ln -s /proc/self/fd/1 /dev/stdout && ln -s /proc/self/fd /dev/fd '
            '&& exec "$@"', "sh"]


STDOUT_NAMES = ["-", "/dev/fd/1", "/proc/self/fd/1",
                pytest.param("/dev/stdout", marks=pytest.mark.skipif(
                    not real_mounts_available(), reason="needs root and unshare -m for a private /dev"))]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", STDOUT_NAMES)
def test_dash_and_dev_stdout_are_standard_output(tmp_path, archive, state, command, name):
    want = expected(command, archive, state)
    prefix = _in_a_private_dev() if name == "/dev/stdout" else []
    done = reader(*COMMANDS[command](archive, state), "-o", name, cwd=tmp_path, prefix=prefix)
    assert done.returncode == 0, done.stderr
    assert same(done.stdout, want)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "state"]  # no file named "-"
    # Standard output opened for appending (>>): what was there stays, the output follows it.
    log = tmp_path / "log.txt"
    log.write_text("before\n")
    with open(log, "ab") as handle:
        done = reader(*COMMANDS[command](archive, state), "-o", name, cwd=tmp_path, prefix=prefix, stdout=handle)
    assert done.returncode == 0, done.stderr
    before, _, rest = log.read_text().partition("\n")
    assert before == "before" and same(rest, want)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_fifo_is_written_directly_and_stays_a_fifo(tmp_path, archive, state, command):
    want = expected(command, archive, state)
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def drain() -> None:
        with open(fifo, "rb") as handle:  # blocks until the writer opens it; ends when it closes it
            got.append(handle.read())

    reader_thread = threading.Thread(target=drain, daemon=True)
    reader_thread.start()
    done = reader(*COMMANDS[command](archive, state), "-o", str(fifo))
    if not got and reader_thread.is_alive():  # nothing opened the FIFO for writing: let the drain end
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    reader_thread.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert len(got) == 1 and same(got[0], want)


def test_every_file_follows_the_umask_and_only_the_state_is_private(tmp_path, user_dirs):
    """Imported and synced digests, the library's folders, exports and the cache: 0666/0777 less the umask
    (here 027: 0640 and 0750); the reading state and its journal: 0600."""
    from reader import paths as app_paths

    umask = 0o027
    downloads = tmp_path / "downloads"
    write_day(downloads, "2024-02-01", ["2402.00001"])
    up = Upstream(tmp_path / "upstream")
    up.add_day("2024-03-01", ["2403.00001", "2403.00002"])
    up.commit()
    for args in (["import", str(downloads)], ["sync", "--archive-only", "--source", up.url], ["mark", "--star", "2403.00001"],
                 ["export", "--format", "bibtex", "-o", str(tmp_path / "refs.bib")],
                 ["state", "export", "-o", str(tmp_path / "marks.json")]):
        done = reader(*args, umask=umask)
        assert done.returncode == 0, (args, done.stderr)
    library = app_paths.library_dir()
    files = {p: mode(p) for p in library.rglob("*") if p.is_file()}
    folders = {p: mode(p) for p in [library, *library.rglob("*")] if p.is_dir()}
    assert sorted(str(p.relative_to(library)) for p in files) == ["2024/02/01.md", "2024/03/01.md"]
    assert set(files.values()) == {0o640}, files  # imported (02/01) and synced (03/01) alike
    assert set(folders.values()) == {0o750}, folders
    assert mode(tmp_path / "refs.bib") == mode(tmp_path / "marks.json") == 0o640
    cache_files = [p for p in app_paths.cache_dir().rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert cache_files and {mode(p) for p in cache_files} == {0o640}
    state = app_paths.state_path()
    private = [state, *state.parent.glob("state.json.journal")]
    assert len(private) == 2 and {mode(p) for p in private} == {0o600}
    assert json.loads((tmp_path / "marks.json").read_text())["marks"][0]["arxiv_id"] == "2403.00001"
