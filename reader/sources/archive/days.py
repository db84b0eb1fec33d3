"""The library, changed day by day: each new or changed day staged beside its place (links followed, anything
odd in its place left as it is with a warning), then all renamed in together under the library's journal
(reader.core.library_lock); a failure before the last rename puts back every file it replaced."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

from reader.core.atomic import create_beside, fsync_folder, write_through
from reader.core.library_lock import (TEMP, backup_of, journal_path, remove_file, remove_folders,
                                       write_journal)
from reader.sources.archive.errors import SyncCancelled, SyncError
from reader.sources.archive.git import Progress
from reader.sources.archive.upstream import DIGEST_FOLDER, Blob, read_blobs


def _blob_id(data: bytes, length: int) -> str:
    algo = hashlib.sha256 if length == 64 else hashlib.sha1
    return algo(b"blob %d\0" % len(data) + data).hexdigest()


def differs(target: Path, blob: Blob) -> bool:
    try:
        if target.stat().st_size != blob.size:
            return True
        return _blob_id(target.read_bytes(), len(blob.oid)) != blob.oid
    except OSError:
        return True


@dataclass(slots=True)
class Change:
    """One day to write: `target` is the file it replaces or makes (where a link in the library leads)."""

    blob: Blob
    target: Path
    token: str = field(default_factory=lambda: secrets.token_hex(4))
    existed: bool = False

    @property
    def temp(self) -> Path:
        return self.target.parent / f".{self.target.name}.sync-{self.token}"

    @property
    def backup(self) -> Path:
        return backup_of(self.temp)


def place(library: Path, rel: str) -> tuple[Path | None, str | None]:
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


def _commit(changes: list[Change], journal: Path, folders: list[str]) -> None:
    """Every temporary renamed into place; on a failure, every file put back as it was."""
    done: list[Change] = []
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


def write_days(git: str, repo: Path, library: Path, changes: list[Change], progress: Progress | None,
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
        read_blobs(git, repo, [c.blob for c in changes],
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
