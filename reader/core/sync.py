"""Bring the upstream archive (a git repository with paper_logs/YYYY/MM/DD.md) into the library folder.

`sync()` is safe to call from a worker thread: it prints nothing, reports through `progress(phase, fraction)`
and returns a SyncResult, or raises SyncError with a one-line reason. It works in three steps:

1. fetch: git (a subprocess, never a prompt) fetches the source's HEAD, one commit deep, into a bare repository
   beside the library (`upstream.git` in the user data folder). The first sync fetches into a temporary
   repository and renames it into place only when the fetch succeeded; later ones fetch into it, and git moves
   its ref only on success, sending only objects it does not have. What a git killed half way left there
   (lock files, half-written packs) is removed first: the library's lock proves no sync of ours is running,
   and every git a sync starts ends before the sync lets the lock go (git's own maintenance included).
2. compare: only files named exactly paper_logs/YYYY/MM/DD.md (ASCII digits, a real date) count; anything
   else in paper_logs/ is ignored and counted (the upstream README repeats the newest day inside project
   prose and is never copied). A day over the reader's size limit is skipped with a warning naming it, its
   size known from git before anything is read. A day is copied when the library lacks it or holds different
   bytes (upstream's copy wins, and the summary names the day); nothing else in the library is touched.
3. write: each new or changed day is written beside its place (a hidden temporary in the same folder, so a
   library that is a mount point or on another disk is no different), then all are renamed into place
   together under a journal beside the library's lock: a failure before the last rename puts back every
   file it replaced, a crash is finished (or undone) by the next sync or import. A symbolic link in the
   library (a folder kept on another disk, a day linked from elsewhere) stays the same link: a day is written
   through it; a link to something missing, or something that is not a file where a day goes, is left as it
   is with a warning naming it. Counting new days and papers reads the library before and after through the
   parse cache, which leaves the cache warm for the next start.

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
import signal
import stat
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as _date
from pathlib import Path

from reader.core.atomic import create_beside, fsync_folder, write_through
from reader.core.cache import ParseCache, shared_cache
from reader.core.library import Library
from reader.core.library_lock import (TEMP, LibraryLockError, backup_of, journal_path, lock_library, real_folder,
                                       remove_file, remove_folders, write_journal)
from reader.core.limits import MAX_DIGEST_BYTES, size_text
from reader.core.words import count

DEFAULT_SOURCE = "https://github.com/l-yohai/daily_papers_ko.git"
DIGEST_FOLDER = "paper_logs"
UPSTREAM_REF = "refs/heads/upstream"

Progress = Callable[[str, float | None], None]  # (what is happening, fraction done 0..1 or None)

# The whole name, ASCII digits only: no "03.md\n", no full-width digits, no control character can pass.
_DIGEST = re.compile(r"paper_logs/([0-9]{4})/([0-9]{2})/([0-9]{2})\.md")
_GIT_PROGRESS = re.compile(r"^(?:remote: )?(?P<phase>[A-Za-z][A-Za-z ]*):\s+(?P<pct>[0-9]{1,3})% ")
_GIT_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
                      "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES")
# Maintenance that git starts after a fetch runs before the fetch returns (never detached, outliving our lock).
_GIT_CONFIG = ["-c", "gc.autoDetach=false", "-c", "maintenance.autoDetach=false"]
_MAX_LISTING_RECORD = 64 * 1024  # one entry of git's tree listing (a path name) longer than this is ignored


class SyncError(LibraryLockError):
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
    updated: tuple[str, ...] = ()  # the library's files that upstream's different copy replaced (YYYY/MM/DD.md)
    ignored: int = 0  # entries of paper_logs/ not named YYYY/MM/DD.md (or not a file)
    warnings: tuple[str, ...] = ()  # days not copied, one line each naming the file (too big, left as it is)

    def summary(self) -> str:
        text = (f"{count(self.new_days, 'new day')}, {count(self.new_papers, 'new paper')} "
                f"(library: {count(self.days, 'day')}, {count(self.papers, 'paper')})")
        if self.updated:
            text += f"; updated from the archive: {_names(self.updated)}"
        if self.ignored:
            text += f"; {count(self.ignored, 'other file')} in {DIGEST_FOLDER}/ ignored (not YYYY/MM/DD.md)"
        if len(self.warnings) == 1:
            text += f"; {self.warnings[0]}"
        elif self.warnings:
            text += f"; {len(self.warnings):,} days not copied (the first: {self.warnings[0]})"
        return text


def _names(items: tuple[str, ...], shown: int = 5) -> str:
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more:,} more" if more > 0 else "")


def _fresh_dir(parent: Path, prefix: str) -> Path:
    """A new empty folder with the usual permissions (mkdtemp's are owner-only)."""
    parent.mkdir(parents=True, exist_ok=True)
    while True:
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


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


def _end(proc: subprocess.Popen) -> None:
    """Stop git and every process it started (its session is its own): asked first, so that it removes its
    lock files; killed if it does not go."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except OSError:
            proc.send_signal(sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _reason(stderr_lines: list[str], code: int) -> str:
    for prefix in ("fatal: ", "error: "):
        found = [line for line in stderr_lines if line.startswith(prefix)]
        if found:
            return found[0][len(prefix):].strip()
    meaningful = [line for line in stderr_lines if line.strip() and not _GIT_PROGRESS.match(line)]
    return meaningful[-1].strip() if meaningful else f"git exited with status {code}"


def _run_git(git: str, args: list[str], *, progress: Progress | None = None,
             cancel: threading.Event | None = None, sink: Callable[[bytes], None] | None = None) -> str:
    """Run git; report its --progress lines; return stdout (or hand it to sink piece by piece, as it comes,
    and return ""). Raises SyncError (one line) when it fails."""
    proc = _popen(git, args, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
    chunks: queue.Queue[bytes | None] = queue.Queue()
    out: list[bytes] = []

    def pump(stream, take, last=None) -> None:
        try:
            while data := stream.read1(65536):
                take(data)
        except (OSError, ValueError):
            pass
        finally:
            if last is not None:
                last(None)

    readers = [threading.Thread(target=pump, args=(proc.stderr, chunks.put, chunks.put), daemon=True),
               threading.Thread(target=pump, args=(proc.stdout, sink or out.append), daemon=True)]
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
            pending = pending[-4096:]  # a line git never ends is not kept whole
        if pending:
            _note(pending, lines, progress)
        for reader in readers:
            reader.join()
        code = proc.wait()
    finally:
        _end(proc)
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


def tidy_repository(repo: Path) -> list[str]:
    """Remove what a git killed half way left in our repository: lock files (shallow.lock, config.lock,
    HEAD.lock, index.lock, refs/.../NAME.lock, packed-refs.lock ...) and half-written objects and packs.
    Only ever called under the library's lock, which no sync of ours lets go while a git of its runs: no
    other process is using them. Returns what it removed (relative to repo)."""
    removed: list[str] = []
    if repo.is_symlink() or not repo.is_dir():
        return removed
    for folder, dirs, files in os.walk(repo):
        for name in files:
            if name.endswith(".lock") or name.startswith(("tmp_pack_", "tmp_idx_", "tmp_obj_", "tmp_rev_")):
                path = os.path.join(folder, name)
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    continue
                removed.append(os.path.relpath(path, repo))
    return removed


def _fetch(git: str, repo: Path, source: str, progress: Progress | None, cancel) -> None:
    # The ref moves only when the fetch succeeds; without FETCH_HEAD (git 2.29+) a failure writes nothing.
    quiet = ["--no-write-fetch-head"] if _git_version(git) >= (2, 29) else []
    try:
        _run_git(git, [*_GIT_CONFIG, f"--git-dir={repo}", "fetch", "--depth=1", "--no-tags", "--progress",
                       *quiet, "--", source, f"+HEAD:{UPSTREAM_REF}"], progress=progress, cancel=cancel)
    except SyncCancelled:
        raise
    except SyncError as exc:
        raise SyncError(f"cannot fetch {source}: {exc}; the library is unchanged") from None


def fetch_upstream(git: str, repo: Path, source: str, progress: Progress | None = None,
                   cancel: threading.Event | None = None) -> bool:
    """Fetch source's HEAD into repo; True when the repository was made anew (the first sync)."""
    if _is_repository(git, repo):
        tidy_repository(repo)
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


@dataclass(slots=True)
class UpstreamDigests:
    """What the fetched commit's paper_logs/ holds, as the sync sees it."""

    blobs: list[_Blob] = field(default_factory=list)  # the days to consider
    too_big: list[tuple[str, int]] = field(default_factory=list)  # (path, size) over MAX_DIGEST_BYTES
    ignored: int = 0  # anything else under paper_logs/
    _rest: bytes = b""
    _skipping: bool = False

    def feed(self, data: bytes) -> None:
        """A piece of `git ls-tree -r -l -z` output: its whole records are read, the last part kept."""
        records = (self._rest + data).split(b"\0")
        self._rest = records.pop()
        for record in records:
            if self._skipping:  # the end of a record too long to keep
                self._skipping = False
                self.ignored += 1
            elif record:
                self._take(record)
        if len(self._rest) > _MAX_LISTING_RECORD:
            self._rest, self._skipping = b"", True

    def close(self) -> None:
        if self._rest or self._skipping:
            self.ignored += 1
        self._rest, self._skipping = b"", False

    def _take(self, record: bytes) -> None:
        meta, _, raw_path = record.partition(b"\t")
        parts = meta.split()
        m = _DIGEST.fullmatch(raw_path.decode("utf-8", errors="surrogateescape"))
        if m is None or len(parts) != 4 or parts[0] not in (b"100644", b"100755") or parts[1] != b"blob" \
                or not (parts[3].isascii() and parts[3].isdigit()):
            self.ignored += 1  # symbolic links, submodules, other names
            return
        try:
            _date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            self.ignored += 1  # no such day
            return
        size = int(parts[3])
        if size > MAX_DIGEST_BYTES:
            self.too_big.append((m[0], size))
            return
        self.blobs.append(_Blob(f"{m[1]}/{m[2]}/{m[3]}.md", parts[2].decode("ascii", errors="replace"), size))


def upstream_digests(git: str, repo: Path) -> UpstreamDigests:
    """paper_logs/YYYY/MM/DD.md of the fetched commit (real dates, within the size limit; the size is git's,
    known before anything is read), read from git's listing as it comes: whatever else the tree holds costs
    no memory."""
    found = UpstreamDigests()
    _run_git(git, [f"--git-dir={repo}", "ls-tree", "-r", "-l", "-z", "--full-tree", UPSTREAM_REF, "--",
                   f"{DIGEST_FOLDER}/"], sink=found.feed)
    found.close()
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
            header = proc.stdout.readline(200).split()
            if len(header) != 3 or header[1] != b"blob" or header[2] != str(blob.size).encode():
                raise SyncError(f"git could not read {DIGEST_FOLDER}/{blob.rel} from the fetched archive")
            data = proc.stdout.read(blob.size)  # at most MAX_DIGEST_BYTES: bigger ones were never asked for
            proc.stdout.read(1)  # the newline after each object
            write(blob, data)
            if progress:
                progress("Copying days", i / len(blobs))
        done = True
    finally:
        if not done:
            _end(proc)
        feeder.join()
        proc.stdout.close()
        proc.wait()


# -- the library, changed day by day ----------------------------------------------------------------------
def _pairs(library: Path, cache: ParseCache) -> tuple[set[str], set[tuple[str, str]]]:
    if not library.is_dir():
        return set(), set()
    lib = Library.open([library], cache=cache).load_all()
    return set(lib.dates()), {(p.date, p.arxiv_id) for p in lib.papers()}


@dataclass(slots=True)
class _Change:
    """One day to write: `target` is the file it replaces or makes (where a link in the library leads)."""

    blob: _Blob
    target: Path
    token: str = field(default_factory=lambda: secrets.token_hex(4))
    existed: bool = False

    @property
    def temp(self) -> Path:
        return self.target.parent / f".{self.target.name}.sync-{self.token}"

    @property
    def backup(self) -> Path:
        return backup_of(self.temp)


def _place(library: Path, rel: str) -> tuple[Path | None, str | None]:
    """Where a day of the library is written (links followed), or (None, why it is left as it is)."""
    path = library
    parts = rel.split("/")
    for i, part in enumerate(parts):
        path = path / part
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            break  # made when the day is written
        last = i == len(parts) - 1
        if stat.S_ISLNK(st.st_mode):
            try:
                st = os.stat(path)
            except OSError:
                return None, (f"{DIGEST_FOLDER}/{rel} not copied: {path} is a link to {os.readlink(path)}, which "
                              "is missing (a disk not mounted?); left as it is")
        if last and not stat.S_ISREG(st.st_mode):
            return None, (f"{DIGEST_FOLDER}/{rel} not copied: {path} is not a file (a folder, a FIFO ...); left "
                          "as it is")
        if not last and not stat.S_ISDIR(st.st_mode):
            return None, f"{DIGEST_FOLDER}/{rel} not copied: {path} is not a folder; left as it is"
    return write_through(library / rel), None


def _write_new(path: Path, data: bytes) -> None:
    """The temporary `path` (.DD.md.sync-TOKEN) with data, durable, with the mode its day's file should have
    (the file it replaces keeps its own; a new one gets the umask's)."""
    target = path.parent / TEMP.fullmatch(path.name)["name"]
    with os.fdopen(create_beside(target, path.name), "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _make_folders(folder: Path, made: list[str]) -> None:
    """folder and its missing parents, each noted in made (deepest last) so that an undo can remove them."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            continue
        made.append(str(path))


def _keep_backup(target: Path, backup: Path) -> bool:
    """A second name for the file a day replaces, to put it back if the update fails (a hard link; a copy
    where the file system has none). False when there is no such file."""
    try:
        os.link(target, backup, follow_symlinks=False)
        return True
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        with open(target, "rb") as source, os.fdopen(create_beside(target, backup.name), "wb") as copy:
            shutil.copyfileobj(source, copy)
            copy.flush()
            os.fsync(copy.fileno())
    except FileNotFoundError:
        remove_file(backup)
        return False
    except BaseException:
        remove_file(backup)
        raise
    return True


def _commit(changes: list[_Change], journal: Path, folders: list[str]) -> None:
    """Every temporary renamed into place; on a failure, every file put back as it was."""
    done: list[_Change] = []
    try:
        for change in changes:
            change.existed = _keep_backup(change.target, change.backup)
            os.rename(change.temp, change.target)  # the day is there all along: the old copy, then the new
            done.append(change)
    except BaseException as exc:
        try:
            for change in reversed(done):
                if change.existed:
                    os.replace(change.backup, change.target)
                else:
                    os.unlink(change.target)
            for change in changes:
                remove_file(change.temp)
            remove_folders(folders)
            remove_file(journal)
        except OSError as undo:
            # The journal stays: the next sync (or import) finishes the update from it.
            raise SyncError(f"cannot sync: {getattr(exc, 'strerror', None) or exc}, and the library could not be "
                            f"put back ({undo.strerror or undo}); the next sync finishes the update") from None
        raise
    for folder in {change.target.parent for change in changes}:
        fsync_folder(folder)
    for change in changes:
        if change.existed:
            remove_file(change.backup)
    remove_file(journal)
    fsync_folder(journal.parent)


def _write_days(git: str, repo: Path, library: Path, changes: list[_Change], progress: Progress | None,
                cancel: threading.Event | None) -> None:
    """Write the changed days: staged beside their places, then renamed in together (see the module's
    description); the library is unchanged unless all of them made it."""
    journal = journal_path(library)
    folders: list[str] = []
    by_blob = {id(change.blob): change for change in changes}
    write_journal(journal, "staged", [c.temp for c in changes], folders)
    try:
        for change in changes:
            _make_folders(change.target.parent, folders)
        write_journal(journal, "staged", [c.temp for c in changes], folders)
        _read_blobs(git, repo, [c.blob for c in changes],
                    lambda blob, data: _write_new(by_blob[id(blob)].temp, data), progress)
        if cancel is not None and cancel.is_set():
            raise SyncCancelled()
        write_journal(journal, "commit", [c.temp for c in changes], folders)
    except BaseException:
        for change in changes:
            remove_file(change.temp)
        remove_folders(folders)
        remove_file(journal)
        raise
    _commit(changes, journal, folders)


def sync(source: str = DEFAULT_SOURCE, *, library: Path | None = None, repo: Path | None = None,
         cache: ParseCache | None = None, progress: Progress | None = None,
         cancel: threading.Event | None = None) -> SyncResult:
    """Sync the library with the archive at source (any git URL). Raises SyncError; prints nothing."""
    from reader import paths as app_paths

    library = Path(library) if library is not None else app_paths.library_dir()
    repo = Path(repo) if repo is not None else app_paths.data_dir() / "upstream.git"
    cache = cache if cache is not None else shared_cache()
    git = _find_git()
    lock = lock_library(library, SyncError)
    try:
        return _sync(git, source, library, repo, cache, progress, cancel)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise SyncError(f"cannot sync: {exc.strerror or exc}{where}; the library is unchanged") from None
    finally:
        lock.release()


def _sync(git: str, source: str, library: Path, repo: Path, cache: ParseCache, progress: Progress | None,
          cancel: threading.Event | None) -> SyncResult:
    if library.is_symlink() and not library.exists():
        raise SyncError(f"the library {library} is a link to {os.readlink(library)}, which is missing (a disk not "
                        "mounted?); mount it, or remove the link to start a library there")
    real = real_folder(library)
    if progress:
        progress("Fetching", None)
    first = fetch_upstream(git, repo, source, progress, cancel)
    commit = _run_git(git, [f"--git-dir={repo}", "rev-parse", f"{UPSTREAM_REF}^{{commit}}"]).strip()
    listing = upstream_digests(git, repo)
    if not listing.blobs and not listing.too_big:
        raise SyncError(f"{source} holds no digests ({DIGEST_FOLDER}/YYYY/MM/DD.md); is it the archive?")
    if cancel is not None and cancel.is_set():
        raise SyncCancelled()
    warnings = [f"{path} not copied: it is {size_text(size)}, more than a digest may be "
                f"({size_text(MAX_DIGEST_BYTES)})" for path, size in listing.too_big]
    changes: list[_Change] = []
    for blob in listing.blobs:
        target, why = _place(real, blob.rel)
        if target is None:
            warnings.append(why)
        elif _differs(target, blob):
            changes.append(_Change(blob, target))
    days_before, pairs_before = _pairs(real, cache)
    if changes:
        _write_days(git, repo, library, changes, progress, cancel)
    if progress:
        progress("Reading new days", None)
    days_after, pairs_after = _pairs(real, cache) if changes else (days_before, pairs_before)
    cache.save()
    return SyncResult(source=source, commit=commit, new_days=len(days_after - days_before),
                      new_papers=len(pairs_after - pairs_before), copied=len(changes),
                      days=len(days_after), papers=len(pairs_after), first=first,
                      updated=tuple(c.blob.rel for c in changes if c.existed), ignored=listing.ignored,
                      warnings=tuple(warnings))
