"""The check of a command's files beside its first question (IndexedLibrary.load_rest(ahead=True)).

One stat a file is most of what a command costs beyond its question (2,400 files: about 8 ms), and SQLite
answers without holding the GIL: so the files' identities are compared with the index's snapshot of them
(update.unchanged) while the question runs, and the answer stands only once the check finds every file as
the index holds it; else the changed files are read and the question asked again.

Where the command started a helper process for its index before importing its modules (ahead.py), the
check is that helper's answer for this snapshot, and nothing runs in this process unless the answer is not
"every file as the snapshot holds it" (then update.unchanged here, as without a helper). Else the files are
compared in a thread of their own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from reader.core.index import update
from reader.core.index import ahead
from reader.core.index.ahead import Helper


class Check:
    """update.unchanged(snapshot, paths), by the helper started for `index_file` if there is one (ahead.take),
    else in a thread started now; result() waits for it."""

    def __init__(self, snapshot, paths: list[str], progress: Callable[[int, int], None] | None,
                 index_file: str | None = None) -> None:
        self.progress = progress  # (for the files read if the check finds any changed)
        self._plan: update.Plan | None = None
        self._snapshot = snapshot
        self._paths = paths
        self._helper: Helper | None = None if index_file is None else ahead.take(index_file)
        helper = self._helper
        self._thread: threading.Thread | None = None
        if helper is None:
            self._thread = threading.Thread(target=self._run, args=(snapshot, paths), name="index check", daemon=True)
            self._thread.start()

    def _run(self, snapshot, paths: list[str]) -> None:
        try:
            self._plan = update.unchanged(snapshot, paths)
        except BaseException:  # (a MemoryError, say: the full check decides)
            self._plan = None

    def result(self) -> "update.Plan | None":
        """update.unchanged's plan (every file as the snapshot holds it), or None: check them in full."""
        helper, self._helper = self._helper, None
        if helper is not None:
            if helper.answer(*self._snapshot.kept) and len(self._paths) == len(self._snapshot.ids):
                self._plan = update.Plan()
                self._plan.fresh = dict(zip(self._paths, self._snapshot.ids))
            else:
                self._run(self._snapshot, self._paths)
        elif self._thread is not None:
            self._thread.join()
        return self._plan
