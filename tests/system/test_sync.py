"""sync: real git against repositories made here (file:// URLs); a failed sync changes nothing."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from digest_factory import Upstream, day_text, git, write_day
from reader import paths as app_paths
from reader.cli import main
from reader.commands.common import open_library
from reader.core.opening import default_library_paths, sample_notice
from reader.sources.archive import days as days_module
from reader.sources.archive import SyncError, sync


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder (hidden ones too) with its bytes."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def upstream(tmp_path) -> Upstream:
    up = Upstream(tmp_path / "upstream")
    up.add_day("2024-01-02", ["2401.00001", "2401.00002", "2401.00003"])
    up.add_day("2024-01-03", ["2401.00004", "2401.00005"])
    up.commit("two days")
    return up


@pytest.fixture
def state_file() -> Path:
    path = app_paths.state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"marks": {"1": {"arxiv_id": "2401.00001", "read": true, "starred": true}}}')
    return path


def library_days() -> list[str]:
    root = app_paths.library_dir()
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.md"))


def test_first_sync_clones_and_counts(upstream, capsys):
    assert default_library_paths()[1] and sample_notice()
    assert main(["sync", "--archive-only", "--source", upstream.url]) == 0
    out, err = capsys.readouterr()
    assert out == "2 new days, 5 new papers (library: 2 days, 5 papers)\n"
    assert err == ""  # no progress noise when stderr is not a terminal
    assert library_days() == ["2024/01/02.md", "2024/01/03.md"]
    assert (app_paths.library_dir() / "2024/01/03.md").read_bytes() == \
        (upstream.path / "paper_logs/2024/01/03.md").read_bytes()
    assert default_library_paths() == ([app_paths.library_dir()], False) and sample_notice() is None
    assert main(["dates"]) == 0
    assert capsys.readouterr().out == "2024-01-03  2\n2024-01-02  3\n"


def test_the_readme_repeating_the_latest_day_is_not_a_second_copy(upstream, capsys):
    assert "## Daily Papers (2024-01-03)\n\n### [Paper 2401.00004" in (upstream.path / "README.md").read_text(encoding="utf-8")
    result = sync(upstream.url)
    assert (result.new_days, result.new_papers) == (2, 5)
    assert not any(app_paths.library_dir().rglob("README*"))
    library = open_library(None)
    assert [p.arxiv_id for p in library.day("2024-01-03").papers] == ["2401.00004", "2401.00005"]
    assert [(p.date, p.source.endswith("03.md")) for p in library.appearances("2401.00004")] == \
        [("2024-01-03", True)]


def test_a_later_sync_fetches_only_what_is_new(upstream, capsys):
    first = sync(upstream.url)
    assert first.first and first.new_days == 2
    repo = app_paths.data_dir() / "upstream.git"
    kept = (app_paths.library_dir() / "2024/01/02.md").stat()
    upstream.add_day("2024-01-04", ["2401.00006", "2401.00007"])
    upstream.add_day("2024-01-05", ["2401.00008", "2401.00002"])  # an old paper on a new day counts too
    upstream.commit("two more days")
    progress: list[tuple[str, float | None]] = []
    second = sync(upstream.url, progress=lambda phase, done: progress.append((phase, done)))
    assert not second.first
    assert (second.new_days, second.new_papers, second.copied) == (2, 4, 2)
    assert (second.days, second.papers) == (4, 9)
    assert second.commit == git(upstream.path, "rev-parse", "HEAD").strip()
    assert git(repo, "rev-parse", "refs/heads/upstream").strip() == second.commit
    assert library_days() == ["2024/01/02.md", "2024/01/03.md", "2024/01/04.md", "2024/01/05.md"]
    unchanged = (app_paths.library_dir() / "2024/01/02.md").stat()
    assert (unchanged.st_ino, unchanged.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)  # untouched, cache-valid
    assert any(phase == "Copying days" and done == 1.0 for phase, done in progress)
    assert all(done is None or 0 <= done <= 1 for _, done in progress)
    assert main(["sync", "--archive-only", "--source", upstream.url]) == 0
    assert capsys.readouterr().out == "0 new days, 0 new papers (library: 4 days, 9 papers)\n"


def test_git_progress_reaches_the_callback(upstream):
    for n in range(40):  # enough objects for git to report counting them
        upstream.add_day(f"2023-12-{n % 28 + 1:02d}" if n < 28 else f"2023-11-{n - 27:02d}", [f"2312.{n:05d}"])
    upstream.commit("many days")
    seen: list[str] = []
    sync(upstream.url, progress=lambda phase, done: seen.append(phase))
    assert {"Counting objects", "Compressing objects", "Receiving objects"} & set(seen), seen
    assert seen[0] == "Fetching" and seen[-1] == "Reading new days"


def test_a_day_changed_upstream_is_updated_and_nothing_is_deleted(upstream):
    sync(upstream.url)
    mine = app_paths.library_dir() / "2023" / "12" / "01.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("## Daily Papers (2023-12-01)\n\n### [Mine](https://arxiv.org/abs/2312.99999)\n")
    upstream.add_day("2024-01-03", ["2401.00004", "2401.00005", "2401.00010"])
    (upstream.path / "paper_logs/2024/01/02.md").unlink()
    upstream.commit("a longer day, one removed")
    result = sync(upstream.url)
    assert (result.new_days, result.new_papers, result.copied) == (0, 1, 1)
    assert library_days() == ["2023/12/01.md", "2024/01/02.md", "2024/01/03.md"]
    assert "2401.00010" in (app_paths.library_dir() / "2024/01/03.md").read_text(encoding="utf-8")


def test_reading_marks_are_untouched(upstream, state_file):
    before = state_file.read_bytes()
    sync(upstream.url)
    upstream.add_day("2024-01-04", ["2401.00006"])
    upstream.commit()
    sync(upstream.url)
    with pytest.raises(SyncError):
        sync((upstream.path.parent / "nowhere").as_uri())
    assert state_file.read_bytes() == before


@pytest.mark.parametrize("source", ["file:///no/such/repository", "not-a-url-at-all", "https://invalid.invalid/x.git"])
def test_a_bad_source_fails_in_one_line_and_changes_nothing(upstream, capsys, state_file, source):
    assert main(["sync", "--archive-only", "--source", upstream.url]) == 0
    capsys.readouterr()
    before = snapshot(app_paths.data_dir())
    cache_before = snapshot(app_paths.cache_dir())
    assert main(["sync", "--archive-only", "--source", source]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("daily-papers: error: cannot fetch ") and "the library is unchanged" in err
    assert snapshot(app_paths.data_dir()) == before
    assert snapshot(app_paths.cache_dir()) == cache_before


def test_a_failed_first_sync_leaves_no_trace(tmp_path, capsys):
    assert main(["sync", "--archive-only", "--source", (tmp_path / "missing").as_uri()]) == 1
    assert "cannot fetch" in capsys.readouterr().err
    assert not app_paths.library_dir().exists()
    assert [p.name for p in app_paths.data_dir().iterdir()] == ["library.lock"]
    assert default_library_paths()[1]


def test_a_repository_without_digests_is_refused(tmp_path, capsys):
    other = Upstream(tmp_path / "other")
    (other.path / "README.md").write_text("# something else\n")
    (other.path / "docs").mkdir()
    (other.path / "docs" / "2024-01-01.md").write_text("## Daily Papers (2024-01-01)\n")
    other.commit()
    assert main(["sync", "--archive-only", "--source", other.url]) == 1
    err = capsys.readouterr().err
    assert "holds no digests (paper_logs/YYYY/MM/DD.md)" in err
    assert not app_paths.library_dir().exists()


def test_git_missing_from_path(upstream, capsys, monkeypatch, tmp_path):
    sync(upstream.url)
    before = snapshot(app_paths.data_dir())
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert main(["sync", "--archive-only", "--source", upstream.url]) == 1
    out, err = capsys.readouterr()
    assert err == "daily-papers: error: git is not installed (or not on PATH); install git and run the sync again\n"
    assert snapshot(app_paths.data_dir()) == before


def test_a_disk_error_while_writing_changes_nothing(upstream, capsys, monkeypatch):
    sync(upstream.url)
    upstream.add_day("2024-01-04", ["2401.00006"])
    upstream.add_day("2024-01-05", ["2401.00007"])
    upstream.commit()
    before = snapshot(app_paths.library_dir())
    real_write = days_module._write_new
    calls = []

    def failing(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(path))
        real_write(path, data)

    monkeypatch.setattr(days_module, "_write_new", failing)
    assert main(["sync", "--archive-only", "--source", upstream.url]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "the library is unchanged" in err
    assert len(calls) == 2
    assert snapshot(app_paths.library_dir()) == before
    assert not [p for p in app_paths.data_dir().iterdir() if p.name.startswith(".")]  # no staging left
    monkeypatch.setattr(days_module, "_write_new", real_write)
    assert sync(upstream.url).new_days == 2  # and the next sync takes it from there


def test_a_failed_swap_puts_the_library_back(upstream, monkeypatch):
    """The days are renamed into place together: when the second rename fails, the first day is put back."""
    sync(upstream.url)
    upstream.add_day("2024-01-03", ["2401.00004", "2401.00005", "2401.00009"])  # a changed day
    upstream.add_day("2024-01-04", ["2401.00006"])  # and a new one
    upstream.commit()
    before = snapshot(app_paths.library_dir())
    real_rename = os.rename
    into_place = []

    def rename(src, dst):
        if ".sync-" in Path(src).name and not Path(src).name.endswith(".old"):
            into_place.append(dst)
            if len(into_place) == 2:
                raise OSError(5, "Input/output error")
        return real_rename(src, dst)

    monkeypatch.setattr(days_module.os, "rename", rename)
    with pytest.raises(SyncError, match="Input/output error"):
        sync(upstream.url)
    monkeypatch.setattr(days_module.os, "rename", real_rename)
    assert len(into_place) == 2
    assert snapshot(app_paths.library_dir()) == before
    assert sorted(p.name for p in app_paths.data_dir().iterdir()) == ["library", "library.lock", "upstream.git"]
    assert sync(upstream.url).copied == 2


def test_an_interrupted_swap_is_recovered(upstream):
    sync(upstream.url)
    library = app_paths.library_dir()
    before = snapshot(library)
    os.rename(library, library.parent / ".library.old")  # a crash between the two renames
    (library.parent / ".library.new-dead").mkdir()
    upstream.add_day("2024-01-04", ["2401.00006"])
    upstream.commit()
    result = sync(upstream.url)
    assert (result.new_days, result.days) == (1, 3)
    assert {k: v for k, v in snapshot(library).items() if k in before} == before
    assert sorted(p.name for p in library.parent.iterdir()) == ["library", "library.lock", "upstream.git"]


def test_a_damaged_repository_is_fetched_anew(upstream):
    sync(upstream.url)
    repo = app_paths.data_dir() / "upstream.git"
    shutil.rmtree(repo)
    repo.mkdir()
    (repo / "HEAD").write_text("garbage")
    upstream.add_day("2024-01-04", ["2401.00006"])
    upstream.commit()
    result = sync(upstream.url)
    assert result.first and result.new_days == 1


def test_cancel_stops_and_changes_nothing(upstream):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(SyncError, match="cancelled"):
        sync(upstream.url, cancel=cancel)
    assert not app_paths.library_dir().exists()


def test_sync_leaves_the_cache_warm(upstream, monkeypatch):
    from reader.core import cache as cache_module

    sync(upstream.url)
    cache_module._shared.clear()  # a new process
    parsed = []
    monkeypatch.setattr(cache_module, "read_file", lambda path: parsed.append(path))
    library = open_library(None)
    assert parsed == [] and len(library) == 5


def test_only_real_digest_files_are_copied(upstream):
    logs = upstream.path / "paper_logs"
    (logs / "2024" / "01" / "09.md").symlink_to("../../../README.md")
    (logs / "2024" / "02").mkdir()
    (logs / "2024" / "02" / "30.md").write_text("## Daily Papers (2024-02-30)\n")  # no such date
    (logs / "2024" / "monthly.md").write_text("## Daily Papers (2024-01-31)\n")
    (logs / "2024" / "01" / "notes.txt").write_text("notes")
    upstream.commit("odd files")
    result = sync(upstream.url)
    assert (result.new_days, result.copied) == (2, 2)
    assert library_days() == ["2024/01/02.md", "2024/01/03.md"]


def test_a_sync_of_the_whole_archive(corpus, tmp_path, monkeypatch):
    """The real archive's layout, README included: every day once, and the next start parses nothing."""
    from reader.core import cache as cache_module

    up = Upstream(tmp_path / "archive")
    shutil.copytree(corpus, up.path / "paper_logs")
    latest = max(corpus.rglob("*.md"))
    (up.path / "README.md").write_text("# Daily Papers\n\nprose\n\n" + latest.read_text(encoding="utf-8")
                                       + "\n## License\n\nCC BY-NC 4.0\n", encoding="utf-8")
    up.commit("the archive")
    result = sync(up.url)
    assert (result.new_days, result.new_papers) == (239, 3273) == (result.days, result.papers)
    cache_module._shared.clear()  # the next start
    parsed = []
    monkeypatch.setattr(cache_module, "read_file", lambda path: parsed.append(path))
    library = open_library(None)
    assert parsed == [] and len(library) == 3273 and len(library.dates()) == 239


# -- a sync killed half way ----------------------------------------------------------------------------------
GIT_LOCKS = ["shallow.lock", "index.lock", "HEAD.lock", "config.lock", "packed-refs.lock",
             "refs/heads/upstream.lock", "objects/info/commit-graph.lock"]


def test_lock_files_a_killed_git_left_are_cleared_and_the_sync_works(upstream, capsys):
    """What a fetch killed with its git child (power loss, the OOM killer, a container stopped) leaves in the
    repository: every lock file git takes. The next sync holds the library's lock, so no sync of ours runs:
    they are stale, and it clears them."""
    sync(upstream.url)
    repo = app_paths.data_dir() / "upstream.git"
    for name in GIT_LOCKS:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("")
    (repo / "objects" / "pack" / "tmp_pack_a1B2c3").write_bytes(b"PACK\0\0\0\2")  # a pack cut short
    upstream.add_day("2024-01-04", ["2401.00006"])
    upstream.commit()
    assert main(["sync", "--archive-only", "--source", upstream.url]) == 0
    out, err = capsys.readouterr()
    assert out == "1 new day, 1 new paper (library: 3 days, 6 papers)\n" and err == ""
    assert not [p for p in repo.rglob("*") if p.name.endswith(".lock") or p.name.startswith("tmp_")]
    assert git(repo, "rev-parse", "refs/heads/upstream").strip() == git(upstream.path, "rev-parse", "HEAD").strip()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the git processes through /proc")
def test_a_sync_killed_with_its_git_during_the_fetch_is_followed_by_one_that_works(upstream, tmp_path):
    """A real sync process, killed (SIGKILL, with its git and everything git started) while git receives the
    pack and holds shallow.lock: the next sync works."""
    sync(upstream.url)
    upstream.add_day("2024-01-04", ["2401.00006"])
    upstream.commit()
    repo = app_paths.data_dir() / "upstream.git"
    marker = tmp_path / "stalled"
    stall = Path(__file__).resolve().parents[1] / "stall_ssh.py"
    env = {**os.environ, "GIT_SSH_COMMAND": f'"{sys.executable}" "{stall}"', "STALL_MARKER": str(marker)}
    proc = subprocess.Popen([sys.executable, "-m", "reader", "sync", "--archive-only", "--source", f"ssh://localhost{upstream.path}"],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():  # until the fetch is receiving the pack
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the fetch never got to the pack"
            time.sleep(0.02)
        assert (repo / "shallow.lock").exists()  # git is half way through
        for child in _children(proc.pid):  # git runs in a session of its own: its whole group
            os.killpg(child, signal.SIGKILL)
        proc.kill()
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert (repo / "shallow.lock").exists()  # left behind
    result = sync(upstream.url)
    assert (result.new_days, result.days) == (1, 3)
    assert not list(repo.rglob("*.lock"))


KILL_AT_RENAME = """
import os, signal, sys
calls = 0
def counted(real):
    def call(*args, **kw):
        global calls
        calls += 1
        if calls == int(sys.argv[1]):
            os.kill(os.getpid(), signal.SIGKILL)  # the power goes, just before this rename
        return real(*args, **kw)
    return call
os.rename, os.replace = counted(os.rename), counted(os.replace)
from reader.cli import main
sys.exit(main(["sync", "--archive-only", "--source", sys.argv[2]]))
"""


def test_a_sync_killed_at_any_rename_leaves_whole_days_and_the_next_finishes_it(upstream, tmp_path):
    """A real sync process killed (SIGKILL) just before its first rename, its second, ... until one that runs
    to its end: after each, every day is whole (the old copy or the new), and the next sync leaves the library
    complete, with the user's own file and nothing of ours behind."""
    sync(upstream.url)
    data, library = app_paths.data_dir(), app_paths.library_dir()
    (library / "notes.txt").write_text("mine")
    template = tmp_path / "template"
    shutil.copytree(data, template, symlinks=True)
    old = snapshot(library)
    upstream.add_day("2024-01-03", ["2401.00004", "2401.00005", "2401.00009"])
    upstream.add_day("2024-01-04", ["2401.00006"])
    upstream.add_day("2024-01-05", ["2401.00007"])
    upstream.commit()
    new = {**old, **{f"2024/01/{d}.md": (upstream.path / f"paper_logs/2024/01/{d}.md").read_bytes()
                     for d in ("03", "04", "05")}}
    for kill_at in range(1, 40):
        shutil.rmtree(data)
        shutil.copytree(template, data, symlinks=True)
        run = subprocess.run([sys.executable, "-c", KILL_AT_RENAME, str(kill_at), upstream.url], env=dict(os.environ),
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        if run.returncode == 0:
            break
        assert run.returncode == -signal.SIGKILL, run.stderr
        after_crash = {k: v for k, v in snapshot(library).items() if not Path(k).name.startswith(".")}
        assert all(after_crash.get(name) in (old.get(name), new[name]) for name in new), kill_at
        result = sync(upstream.url)
        assert snapshot(library) == new, kill_at
        assert (result.days, result.papers) == (4, 8)
        assert sorted(p.name for p in data.iterdir()) == ["library", "library.lock", "upstream.git"]
    assert snapshot(library) == new and kill_at > 6, kill_at  # every rename of the sync was a crash point


# -- what the user keeps in the library ----------------------------------------------------------------------
def test_links_and_the_users_own_files_in_the_library_survive_a_sync(upstream, tmp_path, capsys):
    """A folder of days kept on another disk (a link), a day linked from elsewhere, notes, a hidden file, an
    empty folder, a FIFO, a private folder: after a sync that adds a day and changes two, each is still there
    as it was; a changed day that is a link is written through it (the link stays) and the summary names it."""
    sync(upstream.url)
    library = app_paths.library_dir()
    elsewhere = tmp_path / "other-disk"
    write_day(elsewhere / "2023", "2023-12-01", ["2312.00001"])  # elsewhere/2023/2023/12/01.md
    (library / "2023").symlink_to(elsewhere / "2023" / "2023")
    linked_day = elsewhere / "02.md"
    linked_day.write_text(day_text("2024-01-02", ["2401.00001"]), encoding="utf-8")  # differs from upstream
    (library / "2024/01/02.md").unlink()
    (library / "2024/01/02.md").symlink_to(linked_day)
    (library / "notes.txt").write_text("mine")
    (library / ".hidden").write_text("mine too")
    (library / "empty").mkdir()
    private = library / "private"
    private.mkdir(mode=0o700)
    (private / "2024-01-09.md").write_text(day_text("2024-01-09", ["2401.00090"]), encoding="utf-8")
    os.mkfifo(library / "2024" / "pipe")
    links = {p: os.readlink(p) for p in library.rglob("*") if p.is_symlink()}
    assert len(links) == 2
    upstream.add_day("2023-12-01", ["2312.00001", "2312.00002"])  # changed: its day lives on the other disk
    upstream.add_day("2024-01-03", ["2401.00004", "2401.00005", "2401.00009"])  # changed
    upstream.add_day("2024-01-04", ["2401.00006"])  # new
    upstream.commit()
    assert main(["sync", "--archive-only", "--source", upstream.url]) == 0
    out, err = capsys.readouterr()
    assert {p: os.readlink(p) for p in library.rglob("*") if p.is_symlink()} == links  # the same links
    assert linked_day.read_bytes() == (upstream.path / "paper_logs/2024/01/02.md").read_bytes()  # written through
    assert (elsewhere / "2023/2023/12/01.md").read_bytes() == \
        (upstream.path / "paper_logs/2023/12/01.md").read_bytes()
    assert (library / "notes.txt").read_text() == "mine" and (library / ".hidden").read_text() == "mine too"
    assert (library / "empty").is_dir() and (private / "2024-01-09.md").is_file()
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert stat.S_ISFIFO(os.lstat(library / "2024" / "pipe").st_mode)
    assert (library / "2024/01/04.md").is_file()
    assert not [p for p in [*library.rglob("*"), *elsewhere.rglob("*")] if ".sync-" in p.name]
    assert out == ("1 new day, 5 new papers (library: 5 days, 10 papers); updated from the archive: "
                   "2023/12/01.md, 2024/01/02.md, 2024/01/03.md\n")
    assert err.count("replaced by the archive's copy") == 3 and str(library / "2024/01/02.md") in err


def test_a_link_to_something_missing_is_left_as_it_is_with_a_line_naming_it(upstream, tmp_path, capsys):
    """A day linked to a disk that is not mounted, a folder of days likewise, something that is not a file
    where a day goes: each left as it is (nothing is made through a link to nowhere), with a warning naming
    it; the other days are synced."""
    sync(upstream.url)
    library = app_paths.library_dir()
    (library / "2024/01/03.md").unlink()
    (library / "2024/01/03.md").symlink_to(tmp_path / "unmounted" / "03.md")
    (library / "2023").symlink_to(tmp_path / "unmounted" / "2023")
    (library / "2024/01/05.md").mkdir()  # a folder where a day goes
    upstream.add_day("2023-12-01", ["2312.00001"])
    upstream.add_day("2024-01-03", ["2401.00004", "2401.00005", "2401.00009"])
    upstream.add_day("2024-01-04", ["2401.00006"])
    upstream.add_day("2024-01-05", ["2401.00007"])
    upstream.commit()
    links = {p: os.readlink(p) for p in library.rglob("*") if p.is_symlink()}
    assert main(["sync", "--archive-only", "--source", upstream.url]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("1 new day, 1 new paper (library: 2 days, 4 papers); 3 days not copied (the first: ")
    warnings = err.splitlines()
    assert len(warnings) == 3 and all(w.startswith("daily-papers: warning: ") for w in warnings), err
    assert f"{library / '2023'} is a link to {tmp_path / 'unmounted' / '2023'}, which is missing" in err
    assert f"{library / '2024/01/03.md'} is a link to {tmp_path / 'unmounted' / '03.md'}, which is missing" in err
    assert f"{library / '2024/01/05.md'} is not a file" in err
    assert {p: os.readlink(p) for p in library.rglob("*") if p.is_symlink()} == links
    assert not (tmp_path / "unmounted").exists()
    assert (library / "2024/01/05.md").is_dir() and (library / "2024/01/04.md").is_file()


# -- what upstream may hold ----------------------------------------------------------------------------------
def test_only_names_that_are_exactly_a_day_are_taken_and_the_rest_is_counted(upstream, capsys):
    """paper_logs/YYYY/MM/DD.md as a whole name, ASCII digits only: "03.md" followed by a newline, full-width
    digits, an escape sequence after the name are ignored (never copied over a real day), and counted."""
    logs = upstream.path / "paper_logs"
    genuine = (logs / "2024/01/03.md").read_bytes()
    hostile = day_text("2024-01-03", ["2401.06666"], title="Impostor").encode()
    (logs / "2024/01/03.md\n").write_bytes(hostile)  # sorts after 03.md: on main it was copied over it
    (logs / "2024/01/04.md\x1b[2J").write_bytes(hostile)
    (logs / "\uff12\uff10\uff12\uff14" / "\uff10\uff11").mkdir(parents=True)  # ２０２４/０１/０５.md
    (logs / "\uff12\uff10\uff12\uff14" / "\uff10\uff11" / "\uff10\uff15.md").write_bytes(hostile)
    (logs / "2024/01/notes.txt").write_text("notes")
    upstream.commit("odd names")
    assert main(["sync", "--archive-only", "--source", upstream.url]) == 0
    out, err = capsys.readouterr()
    assert (app_paths.library_dir() / "2024/01/03.md").read_bytes() == genuine
    assert sorted(p.name for p in app_paths.library_dir().iterdir()) == ["2024"]
    assert library_days() == ["2024/01/02.md", "2024/01/03.md"]
    assert out == ("2 new days, 5 new papers (library: 2 days, 5 papers); 4 other files in paper_logs/ ignored "
                   "(not YYYY/MM/DD.md)\n"), err


def test_a_day_over_the_size_limit_is_never_read_and_a_warning_names_it(tmp_path):
    """A 200 MB digest upstream (git says how big it is before anything is read): skipped with a warning
    naming it, the other days synced, and the sync process's peak memory stays far below the file's size."""
    from hardening import fast_scratch, reader_command, remove, run_measured
    from reader.core.limits import MAX_DIGEST_BYTES, size_text

    scratch = fast_scratch(tmp_path)
    try:
        up = Upstream(scratch / "upstream")
        up.add_day("2024-01-02", ["2401.00001"])
        big = up.path / "paper_logs/2024/01/04.md"
        line = "- **What's New**: " + "요약 " * 40 + "\n"
        with open(big, "w", encoding="utf-8") as handle:
            handle.write("## Daily Papers (2024-01-04)\n\n### [Huge](https://arxiv.org/abs/2401.00004)\n\n")
            chunk = line * 10_000
            while handle.tell() < 200 * 1024 * 1024:
                handle.write(chunk)
        assert big.stat().st_size > 12 * MAX_DIGEST_BYTES
        up.commit("a huge day")
        run = run_measured(reader_command("sync", "--archive-only", "--source", up.url), env=dict(os.environ),
                           timeout=300)
        assert run.code == 0, run.err
        assert run.peak_mb < 100, run.peak_mb  # never read into memory (git's own processes are not ours)
        why = (f"paper_logs/2024/01/04.md not copied: it is {size_text(big.stat().st_size)}, more than a digest "
               "may be (16.0 MB)")
        assert run.out == f"1 new day, 1 new paper (library: 1 day, 1 paper); {why}\n"
        assert run.err == f"daily-papers: warning: {why}\n"
        assert library_days() == ["2024/01/02.md"]
    finally:
        remove(scratch)


def test_a_tree_of_many_long_names_is_read_as_it_comes(tmp_path):
    """paper_logs/ holding 60,000 entries with 1,000-character names (git's listing of them is 60 MB): the
    sync reads the listing as git writes it and keeps only the days, so its memory does not grow with it."""
    from hardening import fast_scratch, reader_command, remove, run_measured

    scratch = fast_scratch(tmp_path)
    try:
        up = Upstream(scratch / "upstream")
        up.add_day("2024-01-02", ["2401.00001"])
        up.commit()

        def plumb(*args: str, data: str | None = None) -> str:
            return subprocess.run(["git", *args], cwd=up.path, input=data, capture_output=True, text=True,
                                  check=True).stdout.strip()

        blob = plumb("hash-object", "-w", "--stdin", data="not a day\n")
        junk = plumb("mktree", data="".join(f"100644 blob {blob}\t{'n' * 990}{i:08d}.md\n" for i in range(60_000)))
        year = plumb("rev-parse", "HEAD:paper_logs/2024")
        logs = plumb("mktree", data=f"040000 tree {year}\t2024\n040000 tree {junk}\tjunk\n")
        root = plumb("mktree", data=f"040000 tree {logs}\tpaper_logs\n")
        commit = git(up.path, "commit-tree", root, "-p", "HEAD", "-m", "many long names").strip()
        plumb("update-ref", "HEAD", commit)
        run = run_measured(reader_command("sync", "--archive-only", "--source", up.url), env=dict(os.environ),
                           timeout=300)
        assert run.code == 0, run.err
        assert run.peak_mb < 60, run.peak_mb
        assert run.out == ("1 new day, 1 new paper (library: 1 day, 1 paper); 60,000 other files in paper_logs/ "
                           "ignored (not YYYY/MM/DD.md)\n")
        assert library_days() == ["2024/01/02.md"]
    finally:
        remove(scratch)


def test_a_source_given_once_is_remembered_for_the_next_syncs(upstream, capsys):
    import json

    config = app_paths.config_path()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('{"theme": "nord"}', encoding="utf-8")
    assert main(["sync", "--archive-only", "--source", (upstream.path.parent / "nowhere").as_uri()]) == 1
    assert json.loads(config.read_text()) == {"theme": "nord"}  # a source that failed is not remembered
    assert main(["sync", "--archive-only", "--source", upstream.url]) == 0
    assert json.loads(config.read_text()) == {"theme": "nord", "sync_source": upstream.url}
    upstream.add_day("2024-01-04", ["2401.00006"])
    upstream.commit()
    capsys.readouterr()
    assert main(["sync", "--archive-only"]) == 0  # no --source: the one given last time
    out, err = capsys.readouterr()
    assert out.startswith("1 new day") and err == ""
    assert "remembered" in subprocess.run([sys.executable, "-m", "reader", "sync", "--help"], capture_output=True,
                                          text=True).stdout
