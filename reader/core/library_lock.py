"""The library folder's lock and its update journal: what every writer of the library shares.

The archive's sync, import, the Hugging Face sync and the summarizer (writing a summary into a digest) all
hold one lock beside the library (`library.lock`) while they change it. Taking the lock also finishes (or
undoes) an update a crash interrupted: the archive's sync writes its days as temporaries beside their places,
then renames them in together under a journal (`.<library>.sync-journal`), and whoever takes the lock next
replays that journal. The journal's format (written by reader.sources.archive.days, replayed here) lives in
this one module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from pathlib import Path

from reader.core.atomic import fsync_folder, write_bytes_atomic
from reader.core.files import load_json, read_regular
from reader.core.limits import MAX_STATE_BYTES
from reader.errors import UserError

LOCK_NAME = "library.lock"
LOCK_GRACE = 2.0  # seconds sync and import wait for the library lock before saying it is busy

TEMP = re.compile(r"\.(?P<name>.+)\.sync-[0-9a-f]{8}")  # a day being written: .DD.md.sync-1a2b3c4d


class LibraryLockError(UserError):
    """The library could not be taken: another writer holds it, or its folder cannot be used. One line."""


def lock_library(library: Path, error: type[UserError] = LibraryLockError, *, wait: float = LOCK_GRACE,
                 cancel: threading.Event | None = None):
    """Take the lock beside the library that sync and import hold (released with .release()), and finish
    any update a crash interrupted. Another holder still holding it after `wait` seconds, or a folder that
    cannot be used, raises `error`. (A summary written into a digest holds it for a few milliseconds: the
    short wait keeps a sync started at that moment from failing.)"""
    from filelock import FileLock, Timeout

    lock = FileLock(str(library.parent / LOCK_NAME), timeout=0)
    deadline = time.monotonic() + wait
    try:
        library.parent.mkdir(parents=True, exist_ok=True)
        while True:
            try:
                lock.acquire(timeout=0)
                break
            except Timeout:
                left = deadline - time.monotonic()
                if left <= 0 or (cancel is not None and cancel.is_set()):
                    raise
                if cancel is not None:
                    cancel.wait(min(0.05, left))
                else:
                    time.sleep(min(0.05, left))
    except Timeout:
        raise error("another sync or import is running on this library; try again when it is done") from None
    except OSError as exc:
        unusable = error(f"cannot use {library.parent}: {exc.strerror or exc}")
        unusable.library_unusable = True  # type: ignore[attr-defined]  # every source would fail the same way
        raise unusable from None
    try:
        recover(library)
    except OSError as exc:
        lock.release()
        raise error(f"cannot tidy {library.parent}: {exc.strerror or exc}") from None
    return lock


def real_folder(path: Path) -> Path:
    """Where a library that is a symbolic link leads (the library itself otherwise)."""
    return path.resolve() if path.is_symlink() else path


def journal_path(library: Path) -> Path:
    return library.parent / f".{library.name}.sync-journal"


def recover(library: Path) -> None:
    """Finish (or undo) an update of the library that a crash interrupted, and drop what it left behind."""
    replay_journal(journal_path(library))
    real = real_folder(library)
    old = real.parent / f".{real.name}.old"  # a whole-folder swap, as versions before 0.x made it
    if old.exists():
        if real.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(old, real)
    for leftover in real.parent.glob(f".{real.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in real.parent.glob(".upstream.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)


# -- the journal -------------------------------------------------------------------------------------------
def backup_of(temp: Path) -> Path:
    """The second name a replaced day keeps while its update is under way (put back if it fails)."""
    return temp.with_name(temp.name + ".old")


def write_journal(journal: Path, state: str, temps: list[Path], folders: list[str]) -> None:
    """The journal of an update: its state ("staged", then "commit" once every temporary is whole), the
    temporaries (each named TEMP beside the day it becomes) and the folders the update made."""
    write_bytes_atomic(journal, json.dumps({"version": 1, "state": state, "temps": [str(t) for t in temps],
                                            "folders": folders}).encode("utf-8"))


def remove_file(path: Path | str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def remove_folders(folders: list[str]) -> None:
    for folder in reversed(folders):
        try:
            os.rmdir(folder)
        except OSError:
            pass  # not empty (or gone): it stays


def replay_journal(journal: Path) -> None:
    """After a crash: a journal in state "commit" means every day was written whole, so the renames are
    finished; in any other state the temporaries are removed and the library is as it was."""
    half_written = re.compile(re.escape(f".{journal.name}.") + r"[a-z0-9_]{8}\.tmp")
    for name in os.listdir(journal.parent) if journal.parent.is_dir() else ():
        if half_written.fullmatch(name):  # a journal being written when the crash came
            remove_file(journal.parent / name)
    try:
        data = load_json(read_regular(journal, MAX_STATE_BYTES, what="a sync journal"))
        temps = [Path(t) for t in data["temps"] if isinstance(t, str)]
        folders = [f for f in data.get("folders", []) if isinstance(f, str)]
        state = data["state"]
    except FileNotFoundError:
        return
    except (ValueError, KeyError, TypeError):
        temps, folders, state = [], [], "damaged"  # not ours to act on: only removed
    touched = set()
    for temp in temps:
        m = TEMP.fullmatch(temp.name)
        if m is None or not temp.is_absolute():
            continue  # only our own temporaries, beside the day they are for
        target = temp.parent / m["name"]
        if state == "commit":
            if os.path.lexists(temp):
                os.replace(temp, target)
            remove_file(backup_of(temp))
        else:
            remove_file(temp)
        touched.add(temp.parent)
    if state != "commit":
        remove_folders(folders)
    for folder in touched:
        fsync_folder(folder)
    remove_file(journal)
    fsync_folder(journal.parent)
