"""Bring the upstream archive (a git repository with paper_logs/YYYY/MM/DD.md) into the library folder.

`sync()` is safe to call from a worker thread: it prints nothing, reports through `progress(phase, fraction)`
and returns a SyncResult, or raises SyncError with a one-line reason. It works in three steps:

1. fetch: git (a subprocess, never a prompt) fetches the source's HEAD, one commit deep, into a bare repository
   beside the library (`upstream.git` in the user data folder). The first sync fetches into a temporary
   repository and renames it into place only when the fetch succeeded; later ones fetch into it, and git moves
   its ref only on success, sending only objects it does not have.
2. compare: only paper_logs/YYYY/MM/DD.md counts (the upstream README repeats the newest day inside project
   prose and is never copied). A day is copied when the library lacks it or holds different bytes (upstream's
   copy wins); nothing is ever deleted from the library.
3. swap: the new library is built in a temporary folder beside it (unchanged files hard-linked, or copied when
   links are not possible) and swapped in with two renames; a failure anywhere before leaves the library as
   it was. Counting new days and papers reads the library before and after through the parse cache, which
   leaves the cache warm for the next start.

The reading state (state.json) is never touched.

From the reader (a thread worker), then picking up the new days without a restart:

    result = sync(progress=lambda phase, fraction: app.call_from_thread(show, phase, fraction), cancel=event)
    app.call_from_thread(app.notify, result.summary())        # SyncError: str(exc) is the one line to show
    library = open_library(args.paths, load=False).load_all()  # same PATHs as at start (none: the library,
                                                               # no longer the samples); cached files are not
                                                               # parsed again, and the cache is saved
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import secrets
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as _date
from pathlib import Path

from reader.core.cache import ParseCache, shared_cache
from reader.core.library import Library
from reader.core.words import count
from reader.errors import UserError

DEFAULT_SOURCE = "https://github.com/l-yohai/daily_papers_ko.git"
DIGEST_FOLDER = "paper_logs"
UPSTREAM_REF = "refs/heads/upstream"
LOCK_NAME = "library.lock"

Progress = Callable[[str, float | None], None]  # (what is happening, fraction done 0..1 or None)

_DIGEST = re.compile(r"^paper_logs/([0-9]{4})/([0-9]{2})/([0-9]{2})\.md$")
_GIT_PROGRESS = re.compile(r"^(?:remote: )?(?P<phase>[A-Za-z][A-Za-z ]*):\s+(?P<pct>[0-9]{1,3})% ")
_GIT_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
                      "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES")


class SyncError(UserError):
    """A sync that did not happen; the library is as it was. The message is one line."""


class SyncCancelled(SyncError):
    def __init__(self) -> None:
        super().__init__("sync cancelled; the library is unchanged")


@dataclass(frozen=True, slots=True)
class SyncResult:
    source: str
    commit: str
    new_days: int  # days the library did not have before
    new_papers: int  # (day, paper) pairs it did not have before
    copied: int  # digest files written (new or changed upstream)
    days: int  # days in the library now
    papers: int  # (day, paper) pairs in the library now
    first: bool  # the first sync (a fresh clone)

    def summary(self) -> str:
        return (f"{count(self.new_days, 'new day')}, {count(self.new_papers, 'new paper')} "
                f"(library: {count(self.days, 'day')}, {count(self.papers, 'paper')})")


# -- the library folder, locked ----------------------------------------------------------------------------
def lock_library(library: Path, error: type[UserError] = SyncError):
    """Take the lock beside the library that sync and import hold (released with .release()), and finish
    any swap a crash interrupted. Another holder, or a folder that cannot be used, raises `error`."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(library.parent / LOCK_NAME), timeout=0)
    try:
        library.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:
        raise error("another sync or import is running on this library; try again when it is done") from None
    except OSError as exc:
        raise error(f"cannot use {library.parent}: {exc.strerror or exc}") from None
    try:
        recover(library)
    except OSError as exc:
        lock.release()
        raise error(f"cannot tidy {library.parent}: {exc.strerror or exc}") from None
    return lock


def _fresh_dir(parent: Path, prefix: str) -> Path:
    """A new empty folder with the usual permissions (mkdtemp's are owner-only, and a swap would keep them)."""
    parent.mkdir(parents=True, exist_ok=True)
    while True:
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


def _real(path: Path) -> Path:
    return path.resolve() if path.is_symlink() else path


def recover(library: Path) -> None:
    """Finish or undo a swap that a crash interrupted, and drop temporary folders left behind."""
    real = _real(library)
    old = real.parent / f".{real.name}.old"
    if old.exists():
        if real.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(old, real)
    for leftover in real.parent.glob(f".{real.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in real.parent.glob(".upstream.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)


# -- git ---------------------------------------------------------------------------------------------------
def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARS}
    env["GIT_TERMINAL_PROMPT"] = "0"  # never ask for a password: fail instead (and no terminal: see _popen)
    env["LC_ALL"] = "C"  # progress and errors in the words we parse
    env.pop("LANGUAGE", None)
    return env


def _find_git() -> str:
    git = shutil.which("git")
    if git is None:
        raise SyncError("git is not installed (or not on PATH); install git and run the sync again")
    return git


def _popen(git: str, args: list[str], **kw) -> subprocess.Popen:
    try:
        # A session of its own: no controlling terminal, so nothing (ssh, a credential helper) can prompt on
        # the user's screen, and the TUI's screen stays intact. Ctrl-C reaches Python, which ends git.
        return subprocess.Popen([git, *args], stdout=subprocess.PIPE, env=_git_env(), start_new_session=True,
                                **kw)
    except OSError as exc:
        raise SyncError(f"cannot run git: {exc.strerror or exc}") from None


def _reason(stderr_lines: list[str], code: int) -> str:
    for prefix in ("fatal: ", "error: "):
        found = [line for line in stderr_lines if line.startswith(prefix)]
        if found:
            return found[0][len(prefix):].strip()
    meaningful = [line for line in stderr_lines if line.strip() and not _GIT_PROGRESS.match(line)]
    return meaningful[-1].strip() if meaningful else f"git exited with status {code}"


def _run_git(git: str, args: list[str], *, progress: Progress | None = None,
             cancel: threading.Event | None = None) -> str:
    """Run git; report its --progress lines; return stdout. Raises SyncError (one line) when it fails."""
    proc = _popen(git, args, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
    chunks: queue.Queue[bytes | None] = queue.Queue()
    out: list[bytes] = []

    def pump(stream, sink, last=None) -> None:
        try:
            while data := stream.read1(65536):
                sink(data)
        except (OSError, ValueError):
            pass
        finally:
            if last is not None:
                last(None)

    readers = [threading.Thread(target=pump, args=(proc.stderr, chunks.put, chunks.put), daemon=True),
               threading.Thread(target=pump, args=(proc.stdout, out.append), daemon=True)]
    for reader in readers:
        reader.start()
    lines: list[str] = []
    pending = ""
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise SyncCancelled()
            try:
                data = chunks.get(timeout=0.1)
            except queue.Empty:
                continue
            if data is None:
                break
            pending += data.decode("utf-8", errors="replace")
            *complete, pending = re.split(r"[\r\n]", pending)
            for line in complete:
                _note(line, lines, progress)
        if pending:
            _note(pending, lines, progress)
        for reader in readers:
            reader.join()
        code = proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if code != 0:
        raise SyncError(_reason(lines, code))
    return b"".join(out).decode("utf-8", errors="surrogateescape")


def _note(line: str, lines: list[str], progress: Progress | None) -> None:
    if not line.strip():
        return
    m = _GIT_PROGRESS.match(line)
    if m:
        if progress:
            progress(m["phase"].strip(), min(int(m["pct"]), 100) / 100)
        return
    lines.append(line)
    del lines[:-50]


def _is_repository(git: str, repo: Path) -> bool:
    if not (repo / "HEAD").is_file():
        return False
    try:
        _run_git(git, [f"--git-dir={repo}", "rev-parse", "--git-dir"])
    except SyncError:
        return False
    return True


def _git_version(git: str) -> tuple[int, ...]:
    m = re.search(r"([0-9]+)\.([0-9]+)", _run_git(git, ["version"]))
    return (int(m[1]), int(m[2])) if m else (0, 0)


def _fetch(git: str, repo: Path, source: str, progress: Progress | None, cancel) -> None:
    # The ref moves only when the fetch succeeds; without FETCH_HEAD (git 2.29+) a failure writes nothing.
    quiet = ["--no-write-fetch-head"] if _git_version(git) >= (2, 29) else []
    try:
        _run_git(git, [f"--git-dir={repo}", "fetch", "--depth=1", "--no-tags", "--progress", *quiet, "--",
                       source, f"+HEAD:{UPSTREAM_REF}"], progress=progress, cancel=cancel)
    except SyncCancelled:
        raise
    except SyncError as exc:
        raise SyncError(f"cannot fetch {source}: {exc}; the library is unchanged") from None


def fetch_upstream(git: str, repo: Path, source: str, progress: Progress | None = None,
                   cancel: threading.Event | None = None) -> bool:
    """Fetch source's HEAD into repo; True when the repository was made anew (the first sync)."""
    if _is_repository(git, repo):
        _fetch(git, repo, source, progress, cancel)
        return False
    fresh = _fresh_dir(repo.parent, ".upstream.new-")
    try:
        _run_git(git, ["init", "--quiet", "--bare", str(fresh)])
        _fetch(git, fresh, source, progress, cancel)
        if repo.is_dir() and not repo.is_symlink():
            shutil.rmtree(repo)  # not a repository (damaged, or something else): replaced
        elif repo.exists() or repo.is_symlink():
            repo.unlink()
        os.rename(fresh, repo)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return True


@dataclass(frozen=True, slots=True)
class _Blob:
    rel: str  # YYYY/MM/DD.md
    oid: str
    size: int


def upstream_digests(git: str, repo: Path) -> list[_Blob]:
    """paper_logs/YYYY/MM/DD.md of the fetched commit (real dates only); nothing else of the tree."""
    listing = _run_git(git, [f"--git-dir={repo}", "ls-tree", "-r", "-l", "-z", UPSTREAM_REF, "--",
                             f"{DIGEST_FOLDER}/"])
    found = []
    for record in listing.split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        parts = meta.split()
        if len(parts) != 4 or parts[0] not in ("100644", "100755") or parts[1] != "blob" \
                or not parts[3].isdigit():
            continue  # symbolic links, submodules, folders
        m = _DIGEST.match(path)
        if not m:
            continue
        try:
            _date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
        found.append(_Blob(f"{m[1]}/{m[2]}/{m[3]}.md", parts[2], int(parts[3])))
    return found


def _blob_id(data: bytes, length: int) -> str:
    algo = hashlib.sha256 if length == 64 else hashlib.sha1
    return algo(b"blob %d\0" % len(data) + data).hexdigest()


def _differs(target: Path, blob: _Blob) -> bool:
    try:
        if target.stat().st_size != blob.size:
            return True
        return _blob_id(target.read_bytes(), len(blob.oid)) != blob.oid
    except OSError:
        return True


def _read_blobs(git: str, repo: Path, blobs: list[_Blob], write: Callable[[_Blob, bytes], None],
                progress: Progress | None) -> None:
    """Stream the blobs out of git (cat-file --batch) and hand each to write()."""
    proc = _popen(git, [f"--git-dir={repo}", "cat-file", "--batch"], stdin=subprocess.PIPE,
                  stderr=subprocess.DEVNULL)

    def feed() -> None:
        try:
            proc.stdin.write("".join(f"{b.oid}\n" for b in blobs).encode())
            proc.stdin.close()
        except OSError:
            pass  # git went away; the reading side says why

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    done = False
    try:
        for i, blob in enumerate(blobs, start=1):
            header = proc.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                raise SyncError(f"git could not read {DIGEST_FOLDER}/{blob.rel} from the fetched archive")
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)  # the newline after each object
            write(blob, data)
            if progress:
                progress("Copying days", i / len(blobs))
        done = True
    finally:
        if not done and proc.poll() is None:
            proc.kill()
        feeder.join()
        proc.stdout.close()
        proc.wait()


# -- the library -------------------------------------------------------------------------------------------
def _pairs(library: Path, cache: ParseCache) -> tuple[set[str], set[tuple[str, str]]]:
    if not library.is_dir():
        return set(), set()
    lib = Library.open([library], cache=cache).load_all()
    return set(lib.dates()), {(p.date, p.arxiv_id) for p in lib.papers()}


def _link_tree(source: Path, target: Path) -> None:
    """target gets every file of source: hard links where possible (same inode, mtime and all), else copies."""
    for folder, dirs, files in os.walk(source):
        rel = Path(folder).relative_to(source)
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            src, dst = Path(folder, name), target / rel / name
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()  # a hard link to the old library's file: never write through it
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _swap(staged: Path, library: Path) -> None:
    old = library.parent / f".{library.name}.old"
    if old.exists():
        shutil.rmtree(old)
    had = library.exists()
    if had:
        os.rename(library, old)
    try:
        os.rename(staged, library)
    except BaseException:
        if had:
            os.rename(old, library)
        raise
    shutil.rmtree(old, ignore_errors=True)


def sync(source: str = DEFAULT_SOURCE, *, library: Path | None = None, repo: Path | None = None,
         cache: ParseCache | None = None, progress: Progress | None = None,
         cancel: threading.Event | None = None) -> SyncResult:
    """Sync the library with the archive at source (any git URL). Raises SyncError; prints nothing."""
    from reader import paths as app_paths

    library = Path(library) if library is not None else app_paths.library_dir()
    repo = Path(repo) if repo is not None else app_paths.data_dir() / "upstream.git"
    cache = cache if cache is not None else shared_cache()
    git = _find_git()
    lock = lock_library(library)
    try:
        return _sync(git, source, library, repo, cache, progress, cancel)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise SyncError(f"cannot sync: {exc.strerror or exc}{where}; the library is unchanged") from None
    finally:
        lock.release()


def _sync(git: str, source: str, library: Path, repo: Path, cache: ParseCache, progress: Progress | None,
          cancel: threading.Event | None) -> SyncResult:
    real = _real(library)
    if progress:
        progress("Fetching", None)
    first = fetch_upstream(git, repo, source, progress, cancel)
    commit = _run_git(git, [f"--git-dir={repo}", "rev-parse", f"{UPSTREAM_REF}^{{commit}}"]).strip()
    blobs = upstream_digests(git, repo)
    if not blobs:
        raise SyncError(f"{source} holds no digests ({DIGEST_FOLDER}/YYYY/MM/DD.md); is it the archive?")
    if cancel is not None and cancel.is_set():
        raise SyncCancelled()
    changed = [b for b in blobs if _differs(real / b.rel, b)]
    days_before, pairs_before = _pairs(real, cache)
    if changed:
        _stage_and_swap(git, repo, real, changed, progress, cancel)
    if progress:
        progress("Reading new days", None)
    days_after, pairs_after = _pairs(real, cache) if changed else (days_before, pairs_before)
    cache.save()
    return SyncResult(source=source, commit=commit, new_days=len(days_after - days_before),
                      new_papers=len(pairs_after - pairs_before), copied=len(changed),
                      days=len(days_after), papers=len(pairs_after), first=first)


def _stage_and_swap(git: str, repo: Path, library: Path, changed: list[_Blob], progress, cancel) -> None:
    staged = _fresh_dir(library.parent, f".{library.name}.new-")
    try:
        if library.is_dir():
            shutil.copymode(library, staged)
            _link_tree(library, staged)
        _read_blobs(git, repo, changed, lambda blob, data: _write_new(staged / blob.rel, data), progress)
        if cancel is not None and cancel.is_set():
            raise SyncCancelled()
        _swap(staged, library)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
