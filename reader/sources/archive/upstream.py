"""The upstream archive as git holds it: fetched one commit deep into a bare repository beside the library
(what a killed git left there removed first), its paper_logs/YYYY/MM/DD.md listed (real dates, within the size
limit) and their bytes streamed out."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as _date
from pathlib import Path

from reader.core.limits import MAX_DIGEST_BYTES
from reader.sources.archive.errors import SyncCancelled, SyncError
from reader.sources.archive.git import (GIT_CONFIG, Progress, end_git, git_version, is_repository, popen_git,
                                        run_git)

DIGEST_FOLDER = "paper_logs"
UPSTREAM_REF = "refs/heads/upstream"

# The whole name, ASCII digits only: no "03.md\n", no full-width digits, no control character can pass.
_DIGEST = re.compile(r"paper_logs/([0-9]{4})/([0-9]{2})/([0-9]{2})\.md")
_MAX_LISTING_RECORD = 64 * 1024  # one entry of git's tree listing (a path name) longer than this is ignored


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
    quiet = ["--no-write-fetch-head"] if git_version(git) >= (2, 29) else []
    try:
        run_git(git, [*GIT_CONFIG, f"--git-dir={repo}", "fetch", "--depth=1", "--no-tags", "--progress",
                       *quiet, "--", source, f"+HEAD:{UPSTREAM_REF}"], progress=progress, cancel=cancel)
    except SyncCancelled:
        raise
    except SyncError as exc:
        raise SyncError(f"cannot fetch {source}: {exc}; the library is unchanged") from None


def fetch_upstream(git: str, repo: Path, source: str, progress: Progress | None = None,
                   cancel: threading.Event | None = None) -> bool:
    """Fetch source's HEAD into repo; True when the repository was made anew (the first sync)."""
    if is_repository(git, repo):
        tidy_repository(repo)
        _fetch(git, repo, source, progress, cancel)
        return False
    fresh = _fresh_dir(repo.parent, ".upstream.new-")
    try:
        run_git(git, ["init", "--quiet", "--bare", str(fresh)])
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
class Blob:
    rel: str  # YYYY/MM/DD.md
    oid: str
    size: int


@dataclass(slots=True)
class UpstreamDigests:
    """What the fetched commit's paper_logs/ holds, as the sync sees it."""

    blobs: list[Blob] = field(default_factory=list)  # the days to consider
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
        self.blobs.append(Blob(f"{m[1]}/{m[2]}/{m[3]}.md", parts[2].decode("ascii", errors="replace"), size))


def upstream_digests(git: str, repo: Path) -> UpstreamDigests:
    """paper_logs/YYYY/MM/DD.md of the fetched commit (real dates, within the size limit; the size is git's,
    known before anything is read), read from git's listing as it comes: whatever else the tree holds costs
    no memory."""
    found = UpstreamDigests()
    run_git(git, [f"--git-dir={repo}", "ls-tree", "-r", "-l", "-z", "--full-tree", UPSTREAM_REF, "--",
                   f"{DIGEST_FOLDER}/"], sink=found.feed)
    found.close()
    return found


def read_blobs(git: str, repo: Path, blobs: list[Blob], write: Callable[[Blob, bytes], None],
                progress: Progress | None) -> None:
    """Stream the blobs out of git (cat-file --batch) and hand each to write()."""
    proc = popen_git(git, [f"--git-dir={repo}", "cat-file", "--batch"], stdin=subprocess.PIPE,
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
            end_git(proc)
        feeder.join()
        proc.stdout.close()
        proc.wait()
