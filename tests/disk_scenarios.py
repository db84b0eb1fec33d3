"""Failing disks, each scenario run in its own process by tests/test_failing_disks.py:

    python tests/disk_scenarios.py SCENARIO ROOT (mount | seam)

`mount` makes the real thing (run under `unshare -m`, as root: a read-only bind mount, a 256 KB tmpfs that
fills up); `seam` injects the same errors (EROFS, ENOSPC after half a write) into the os and io calls for
paths under a folder. The scenario's code and its checks are the same either way. Exit 0 when every check
holds; a failed check raises (a traceback and exit 1).
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


# -- the seam ----------------------------------------------------------------------------------------------------
class Faults:
    """os/io calls on paths under `root` fail as a read-only or a full file system would."""

    def __init__(self) -> None:
        self.read_only: list[str] = []
        self.full: list[str] = []
        self.mounts: list[str] = []  # folders that are mount points of other file systems
        self.fds: dict[int, str] = {}
        self._install()

    def _under(self, path, roots) -> bool:
        try:
            text = os.path.abspath(os.fsdecode(path))
        except TypeError:
            return False
        return any(text == r or text.startswith(r + os.sep) for r in roots)

    def _check(self, path, creating: bool = False, writing: bool = True) -> None:
        if writing and self._under(path, self.read_only):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))
        if creating and self._under(path, self.full):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fsdecode(path))

    def _check_move(self, src, dst) -> None:
        """rename/replace/link as the kernel answers across mount points: the mount point itself cannot be
        moved (EBUSY), nothing moves from one file system to another (EXDEV)."""
        def fs(path):
            text = os.path.abspath(os.fsdecode(path))
            return next((r for r in sorted(self.mounts, key=len, reverse=True)
                         if text == r or text.startswith(r + os.sep)), None), text

        (fs_src, src_text), (fs_dst, dst_text) = fs(src), fs(dst)
        if src_text in self.mounts or dst_text in self.mounts:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), src_text)
        if fs_src != fs_dst:
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), src_text)

    def _install(self) -> None:
        real = {name: getattr(os, name) for name in
                ("open", "write", "mkdir", "rename", "replace", "unlink", "remove", "rmdir", "ftruncate", "link",
                 "symlink", "chmod", "utime")}
        real_open = io.open
        faults = self
        writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

        def os_open(path, flags, mode=0o777, *, dir_fd=None):
            if flags & writes:
                faults._check(path, creating=bool(flags & os.O_CREAT) and not os.path.exists(path))
            fd = real["open"](path, flags, mode, dir_fd=dir_fd)
            if flags & writes and faults._under(path, faults.full):
                faults.fds[fd] = os.fsdecode(path)
            return fd

        def os_write(fd, data):
            if fd in faults.fds:  # a full disk takes part of a write, then refuses
                half = memoryview(data)[: len(data) // 2]
                if half:
                    real["write"](fd, half)
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real["write"](fd, data)

        def io_open(file, mode="r", *args, **kwargs):
            if isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+"):
                faults._check(file, creating=not os.path.exists(file))
                if faults._under(file, faults.full):
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fsdecode(file))
            return real_open(file, mode, *args, **kwargs)

        def guard(name, creating=False, paths=1):
            def call(*args, **kwargs):
                for path in args[:paths]:
                    faults._check(path, creating=creating)
                if name in ("rename", "replace", "link"):
                    faults._check_move(args[0], args[1])
                return real[name](*args, **kwargs)
            return call

        def ftruncate(fd, length):
            if fd in faults.fds:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real["ftruncate"](fd, length)

        os.open = os_open
        os.write = os_write
        os.mkdir = guard("mkdir", creating=True)
        for name in ("rename", "replace", "link", "symlink"):
            setattr(os, name, guard(name, creating=True, paths=2))
        for name in ("unlink", "remove", "rmdir", "chmod", "utime"):
            setattr(os, name, guard(name))
        os.ftruncate = ftruncate
        io.open = builtins.open = io_open

        def close(fd, _close=os.close):
            faults.fds.pop(fd, None)
            return _close(fd)

        os.close = close

        # SQLite (the library's index) writes from C, past the calls above: a database under a read-only
        # folder is opened read-only, as SQLite opens one on a read-only file system.
        import sqlite3

        real_connect = sqlite3.connect

        def connect(database, *args, **kwargs):
            if isinstance(database, (str, os.PathLike)) and faults._under(database, faults.read_only):
                database, kwargs["uri"] = Path(os.path.abspath(database)).as_uri() + "?mode=ro", True
            return real_connect(database, *args, **kwargs)

        sqlite3.connect = connect


MECHANISM = ""
FAULTS: Faults | None = None


def make_read_only(path: Path) -> None:
    if MECHANISM == "mount":
        subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True)
    else:
        FAULTS.read_only.append(str(path))


def make_tiny(path: Path) -> None:
    """An empty file system of 256 KB at path (before anything is written there)."""
    path.mkdir(parents=True, exist_ok=True)
    if MECHANISM == "mount":
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(path)], check=True)


def make_mount(path: Path) -> None:
    """A file system of its own (8 MB) mounted at path, an empty folder."""
    path.mkdir(parents=True, exist_ok=True)
    if MECHANISM == "mount":
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(path)], check=True)
    else:
        FAULTS.mounts.append(str(path))


def fill_up(path: Path) -> Path:
    """Take every free byte of path's file system."""
    filler = path / "filler"
    if MECHANISM == "mount":
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            for size in (65536, 4096, 1):
                with contextlib.suppress(OSError):
                    while True:
                        os.write(fd, b"\0" * size)
        finally:
            os.close(fd)
    else:
        filler.write_bytes(b"")
        FAULTS.full.append(str(path))
    return filler


def free_up(path: Path, filler: Path) -> None:
    filler.unlink()
    if MECHANISM == "seam":
        FAULTS.full.remove(str(path))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- helpers -----------------------------------------------------------------------------------------------------
def day(date: str, ids: list[str]) -> str:
    out = [f"## Daily Papers ({date})", ""]
    for n, arxiv_id in enumerate(ids):
        out += [f"### [Paper {arxiv_id}](https://arxiv.org/abs/{arxiv_id})", "", f"Vote: {10 - n}", "",
                f"- **What's New**: {arxiv_id} 요약.", ""]
    return "\n".join(out)


def user_dirs(root: Path) -> dict[str, Path]:
    dirs = {name: root / name for name in ("data", "cache", "config", "home")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    os.environ.update({"XDG_DATA_HOME": str(dirs["data"]), "XDG_CACHE_HOME": str(dirs["cache"]),
                       "XDG_CONFIG_HOME": str(dirs["config"]), "HOME": str(dirs["home"])})
    os.environ.pop("DAILY_PAPERS_STATE", None)
    return dirs


def cli(*argv: str) -> tuple[int, str, str]:
    from reader.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def one_line_error(err: str) -> str:
    errors = [line for line in err.splitlines() if not line.startswith("daily-papers: warning:")]
    assert len(errors) == 1 and "error:" in errors[0] and "Traceback" not in err, err
    return errors[0]


async def star_papers(paths: list[Path], state, keys: list[str]) -> list[str]:
    """The reader over paths with this state store; presses keys; returns what it notified."""
    from textual.app import App

    from reader.core.config import Config
    from reader.core.library import Library
    from reader.tui.app import make_app
    from tui_support import FakeSystem

    notified: list[str] = []
    original = App.notify

    def notify(app, message, **kw):
        notified.append(str(message))
        return original(app, message, **kw)

    App.notify = notify
    try:
        app = make_app(Library.open(paths).load_all(), state, system=FakeSystem(), config=Config(read_delay=60))
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            assert app.is_running
    finally:
        App.notify = original
    return notified


# -- scenarios -----------------------------------------------------------------------------------------------------
def read_only_library(root: Path) -> None:
    """The library folder (and the folder beside it) cannot be written: everything reads; sync and import
    fail in one line; nothing in it changes."""
    dirs = user_dirs(root)
    home = dirs["data"] / "daily-papers"
    library = home / "library"
    for date, ids in (("2024-09-01", ["2409.00001"]), ("2024-09-02", ["2409.00011", "2409.00012"])):
        path = library / date[:4] / date[5:7] / f"{date[8:]}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(day(date, ids), encoding="utf-8")
    extra = root / "extra" / "2024-09-03.md"
    extra.parent.mkdir()
    extra.write_text(day("2024-09-03", ["2409.00021"]), encoding="utf-8")
    os.environ["DAILY_PAPERS_STATE"] = str(root / "state" / "state.json")
    make_read_only(home)
    before = snapshot(home)
    code, out, err = cli("dates")
    assert (code, out) == (0, "2024-09-02  2\n2024-09-01  1\n"), (code, out, err)
    code, out, err = cli("show", "2409.00012")
    assert code == 0 and "2409.00012 요약" in out
    code, out, err = cli("import", str(extra))
    line = one_line_error(err)
    assert code == 1 and str(home) in line and ("Read-only" in line or "read-only" in line), line
    code, out, err = cli("sync", "--archive-only", "--source", (root / "no-such-repo").as_uri())
    assert code == 1
    one_line_error(err)
    from reader.core.state import StateStore

    state = StateStore(root / "state" / "state.json")
    notified = asyncio.run(star_papers([library], state, ["s", "j", "s"]))
    assert state.is_starred("2409.00011") and state.is_starred("2409.00012") and not state.unsaved_ids()
    assert not any("cannot" in m for m in notified), notified
    state.close()
    assert snapshot(home) == before


def read_only_state(root: Path) -> None:
    """The state folder cannot be written: marks on disk are read, changes are kept in memory and the user is
    told once; the file on disk is untouched."""
    from reader.core.state import StateStore

    user_dirs(root)
    lib = root / "lib"
    lib.mkdir()
    (lib / "2024-09-02.md").write_text(day("2024-09-02", ["2409.00011", "2409.00012", "2409.00013"]),
                                       encoding="utf-8")
    state_dir = root / "state"
    state_dir.mkdir()
    path = state_dir / "state.json"
    with StateStore(path) as store:
        store.set_starred("2409.00013")
        store.set_read("2409.00013")
    make_read_only(state_dir)
    before = snapshot(state_dir)
    state = StateStore(path)
    assert state.is_starred("2409.00013") and state.is_read("2409.00013")
    notified = asyncio.run(star_papers([lib], state, ["s", "j", "s", "r", "j", "s"]))
    told = [m for m in notified if "kept in memory" in m]
    assert len(told) == 1 and str(path) in told[0], notified
    assert state.unsaved_ids() == {"2409.00011", "2409.00012", "2409.00013"}
    assert state.is_starred("2409.00011") and state.is_read("2409.00012") and not state.is_starred("2409.00013")
    state.close()
    assert snapshot(state_dir) == before
    code, out, err = cli("mark", "--star", "--state", str(path), "2409.00011", str(lib))
    assert code == 1 and "not saved" in one_line_error(err)
    code, out, err = cli("list", "--starred", "--state", str(path), str(lib))
    assert code == 0 and "2409.00013" in out  # reading still works
    assert snapshot(state_dir) == before


def full_disk(root: Path) -> None:
    """The disk fills up: a state write fails, the previous state stays whole on disk, the user is told, the
    change waits in memory and is saved once there is room again."""
    from reader.core.state import StateStore

    user_dirs(root)
    state_dir = root / "state"
    make_tiny(state_dir)
    path = state_dir / "state.json"
    state = StateStore(path, journal_limit=400)  # small: a later write compacts (rewrites state.json)
    for n in range(3):
        state.set_starred(f"2409.{n:05d}")
    assert not state.unsaved_ids() and not state.notices
    filler = fill_up(state_dir)
    ids = {f"2409.{n:05d}" for n in range(3, 80)}
    for arxiv_id in sorted(ids):  # journal appends and compactions, on a full disk
        state.set_read(arxiv_id)
    assert state.unsaved_ids() and state.unsaved_ids() <= ids  # (a real disk may take a few into a page)
    assert state.read_ids() == ids  # nothing lost: what could not be saved is kept in memory
    told = [n for n in state.notices if "No space left" in n and "kept in memory" in n]
    assert len(told) == 1, state.notices
    with StateStore(path) as fresh:  # what is on disk: whole, the marks from before and those saved
        assert not fresh.notices, fresh.notices
        assert fresh.starred_ids() == {f"2409.{n:05d}" for n in range(3)}
        assert fresh.read_ids() | state.unsaved_ids() == ids
    free_up(state_dir, filler)
    assert state.flush() and not state.unsaved_ids()
    assert any("saved again" in n for n in state.notices)
    state.close()
    with StateStore(path) as fresh:
        assert fresh.read_ids() == ids and len(fresh.starred_ids()) == 3


def unwritable_cache(root: Path) -> None:
    """The cache folder cannot be written: every command and the reader run without a cache, silently but for
    the one line each command says about the library's index (it is read without it: the same answers)."""
    dirs = user_dirs(root)
    lib = root / "lib"
    lib.mkdir()
    (lib / "2024-09-02.md").write_text(day("2024-09-02", ["2409.00011"]), encoding="utf-8")
    make_read_only(dirs["cache"])
    for _ in range(2):
        code, out, err = cli("dates", str(lib))
        notice = (f"daily-papers: warning: cannot make the folder of the library index {dirs['cache']}/daily-papers/"
                  "index: Read-only file system; reading the digests without it\n")
        assert (code, out, err) == (0, "2024-09-02  1\n", notice), (code, out, err)
    assert not (dirs["cache"] / "daily-papers").exists()
    from reader.core.cache import ParseCache, shared_cache

    cache = shared_cache()
    assert cache.save() is False and cache.problem and "running without it" in cache.problem
    assert not any(dirs["cache"].rglob("*.jsonl"))
    state_path = root / "state.json"
    from reader.core.state import StateStore

    with StateStore(state_path) as state:
        asyncio.run(star_papers([lib], state, ["s"]))
        assert state.is_starred("2409.00011")
    assert isinstance(cache, ParseCache)


def read_only_index(root: Path) -> None:
    """The library's index was built, then its disk turned read-only and a day changed: each command reads
    the digests without the index, with one line saying so, and answers as ever; nothing in the cache
    changes."""
    dirs = user_dirs(root)
    lib = root / "lib"
    lib.mkdir()
    (lib / "2024-09-02.md").write_text(day("2024-09-02", ["2409.00011"]), encoding="utf-8")
    code, out, err = cli("dates", str(lib))
    assert (code, out, err) == (0, "2024-09-02  1\n", ""), (code, out, err)
    index = dirs["cache"] / "daily-papers" / "index"
    before = {p.name: p.read_bytes() for p in index.iterdir()}
    assert len(before) == 1, before
    (lib / "2024-09-02.md").write_text(day("2024-09-02", ["2409.00011", "2409.00012"]), encoding="utf-8")
    (lib / "2024-09-03.md").write_text(day("2024-09-03", ["2409.00021"]), encoding="utf-8")
    make_read_only(dirs["cache"])
    for _ in range(2):
        code, out, err = cli("dates", str(lib))
        assert (code, out) == (0, "2024-09-03  1\n2024-09-02  2\n"), (code, out, err)
        assert err.count("\n") == 1 and err.startswith("daily-papers: warning: ") and "library index" in err \
            and err.endswith("reading the digests without it\n"), err
        code, out, err = cli("search", "2409.00012", str(lib))
        assert code == 0 and out.split() == ["2024-09-02", "9", "2409.00012", "Paper", "2409.00012"], (out, err)
    # (Under the seam SQLite, in C, still makes its -wal and -shm beside a database opened read-only.)
    assert {p.name: p.read_bytes() for p in index.iterdir() if p.name in before} == before


def _sync_twice_and_import(root: Path, library: Path) -> None:
    """Sync (a first time, then with a changed day and a new one) and import into this library."""
    from digest_factory import Upstream, day_text

    up = Upstream(root / "upstream")
    up.add_day("2024-09-01", ["2409.00001"])
    up.add_day("2024-09-02", ["2409.00011"])
    up.commit()
    code, out, err = cli("sync", "--archive-only", "--source", up.url)
    assert (code, out) == (0, "2 new days, 2 new papers (library: 2 days, 2 papers)\n"), (code, out, err)
    (library / "notes.txt").write_text("mine")
    up.add_day("2024-09-02", ["2409.00011", "2409.00012"])
    up.add_day("2024-09-03", ["2409.00021"])
    up.commit()
    code, out, err = cli("sync", "--archive-only", "--source", up.url)
    assert (code, out) == (0, "1 new day, 2 new papers (library: 3 days, 4 papers); updated from the archive: "
                              "2024/09/02.md\n"), (code, out, err)
    extra = root / "extra" / "2024-09-04.md"
    extra.parent.mkdir()
    extra.write_text(day_text("2024-09-04", ["2409.00031"]), encoding="utf-8")
    code, out, err = cli("import", str(extra))
    assert code == 0 and out.endswith("imported 1 new day (1 paper)\n"), (code, out, err)
    code, out, err = cli("dates")
    assert out == "2024-09-04  1\n2024-09-03  1\n2024-09-02  2\n2024-09-01  1\n", (code, out, err)
    assert (library / "notes.txt").read_text() == "mine"
    assert (library / "2024/09/02.md").read_bytes() == (up.path / "paper_logs/2024/09/02.md").read_bytes()
    assert not [p for p in library.rglob("*") if p.name.startswith(".") and p.name != "lost+found"]


def mounted_library(root: Path) -> None:
    """The library folder is a mount point (a Docker volume, a disk of its own): sync and import work in it,
    and it stays the mount point."""
    dirs = user_dirs(root)
    library = dirs["data"] / "daily-papers" / "library"
    make_mount(library)
    _sync_twice_and_import(root, library)
    if MECHANISM == "mount":
        assert os.path.ismount(library)


def library_on_another_disk(root: Path) -> None:
    """The library is a link to a folder on another file system than the data folder beside it (where the
    lock and the upstream repository live) and than TMPDIR: sync and import work, the link stays."""
    dirs = user_dirs(root)
    disk = root / "disk"
    make_mount(disk)
    (disk / "papers").mkdir()
    tmp = root / "tmp"
    make_mount(tmp)
    os.environ["TMPDIR"] = str(tmp)
    home = dirs["data"] / "daily-papers"
    home.mkdir(parents=True)
    (home / "library").symlink_to(disk / "papers")
    _sync_twice_and_import(root, disk / "papers")
    assert os.readlink(home / "library") == str(disk / "papers")


SCENARIOS = {f.__name__: f for f in (read_only_library, read_only_state, full_disk, unwritable_cache,
                                      read_only_index, mounted_library, library_on_another_disk)}


def main() -> None:
    global MECHANISM, FAULTS
    name, root, MECHANISM = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    if MECHANISM == "seam":
        FAULTS = Faults()
    SCENARIOS[name](root)
    print(json.dumps({"scenario": name, "mechanism": MECHANISM, "ok": True}))


if __name__ == "__main__":
    main()
