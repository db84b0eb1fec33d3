"""What a sync of the archive raises: one line each; the library is as it was."""

from __future__ import annotations

from reader.core.library_lock import LibraryLockError


class SyncError(LibraryLockError):
    """A sync that did not happen; the library is as it was. The message is one line."""


class SyncCancelled(SyncError):
    def __init__(self) -> None:
        super().__init__("sync cancelled; the library is unchanged")

