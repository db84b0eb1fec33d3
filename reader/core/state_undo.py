"""An undo of one change of the marks: what update_undoable() returns and restore() takes back."""

from __future__ import annotations

from collections.abc import Mapping

from reader.core.state_format import Mark


class Undo(dict):
    """What update_undoable() returns: the marks it replaced ({arxiv id: Mark as it was just before}), plus
    what restore() needs to undo only that change: the flags it set (read, starred: the value set, or None)
    and the ids whose flag someone changed since (in this process or another, as the store saw it)."""

    def __init__(self, previous: Mapping[str, Mark], read: bool | None, starred: bool | None) -> None:
        super().__init__(previous)
        self.read = read
        self.starred = starred
        self.touched: set[str] = set()

    def _flags(self) -> list[tuple[int, bool]]:
        return [(i, bool(v)) for i, v in enumerate((self.read, self.starred)) if v is not None]

    def note(self, arxiv_id: str, old: Mark, new: Mark, exact: bool) -> None:
        """A change of this mark, old -> new. exact: seen as one change (not two changes or more seen only
        as their sum, as after another process compacted the file): then a change that leaves our flags
        alone (a star given after "mark day read") does not touch them."""
        if arxiv_id not in self or arxiv_id in self.touched or old == new:
            return
        if not exact or any(new[i] != old[i] for i, _ in self._flags()):
            self.touched.add(arxiv_id)

    def put_back(self, arxiv_id: str, mark: Mark, old: Mark) -> tuple[bool, bool] | None:
        """(read, starred) that undoing this change gives a mark now `mark` (it was `old` before the change):
        only the flags the change set go back; None when the mark is to stay as it is (someone changed its
        flag since, here or in another process, or it no longer shows what the change set)."""
        if arxiv_id in self.touched:
            return None
        flags = [mark.read, mark.starred]
        if any(flags[i] != value for i, value in self._flags()):
            return None  # not what the change set (a change we could not see): leave it
        for i, _ in self._flags():
            flags[i] = old[i]
        return flags[0], flags[1]
