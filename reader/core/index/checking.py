"""The check of a command's files beside its first question (IndexedLibrary.load_rest(ahead=True)).

One stat a file is most of what a command costs beyond its question (2,400 files: about 8 ms), and SQLite
answers without holding the GIL: so the files' identities are compared with the index's snapshot of them
(update.unchanged) in a thread of their own while the question runs, and the answer stands only once the
check finds every file as the index holds it; else the changed files are read and the question asked again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from reader.core.index import update


class Check:
    """update.unchanged(snapshot, paths) in a thread started now; result() waits for it."""

    def __init__(self, snapshot, paths: list[str], progress: Callable[[int, int], None] | None) -> None:
        self.progress = progress  # (for the files read if the check finds any changed)
        self._plan: update.Plan | None = None
        self._thread = threading.Thread(target=self._run, args=(snapshot, paths), name="index check", daemon=True)
        self._thread.start()

    def _run(self, snapshot, paths: list[str]) -> None:
        try:
            self._plan = update.unchanged(snapshot, paths)
        except BaseException:  # (a MemoryError, say: the full check decides)
            self._plan = None

    def result(self) -> "update.Plan | None":
        """update.unchanged's plan (every file as the snapshot holds it), or None: check them in full."""
        self._thread.join()
        return self._plan
