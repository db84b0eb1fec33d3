"""Read and starred marks, kept in TinyDB and keyed by arXiv id (a paper on two days shares its marks).

All marks are loaded once when the store opens; reads are dictionary lookups; every change is written
before the call returns.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from tinydb import Query, TinyDB

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Mark:
    read: bool = False
    starred: bool = False
    updated: float = 0.0

    def to_dict(self, arxiv_id: str) -> dict:
        return {"arxiv_id": arxiv_id, "read": self.read, "starred": self.starred, "updated": self.updated}


class StateStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.notices: list[str] = []
        self._marks: dict[str, Mark] = {}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = TinyDB(self.path, ensure_ascii=False)
        self._table = self._db.table("marks")
        self.reload()

    @classmethod
    def in_memory(cls) -> "StateStore":
        from tinydb.storages import MemoryStorage

        store = cls.__new__(cls)
        store.path = Path("<memory>")
        store.notices = []
        store._marks = {}
        store._db = TinyDB(storage=MemoryStorage)
        store._table = store._db.table("marks")
        return store

    def reload(self) -> None:
        self._marks = {
            doc["arxiv_id"]: Mark(bool(doc.get("read")), bool(doc.get("starred")), float(doc.get("updated", 0)))
            for doc in self._table.all()
            if isinstance(doc.get("arxiv_id"), str)
        }

    def close(self) -> None:
        self._db.close()

    # -- reading ----------------------------------------------------------------------------------------
    def mark(self, arxiv_id: str) -> Mark:
        return self._marks.get(arxiv_id, Mark())

    def is_read(self, arxiv_id: str) -> bool:
        return self.mark(arxiv_id).read

    def is_starred(self, arxiv_id: str) -> bool:
        return self.mark(arxiv_id).starred

    def starred_ids(self) -> set[str]:
        return {k for k, m in self._marks.items() if m.starred}

    def read_ids(self) -> set[str]:
        return {k for k, m in self._marks.items() if m.read}

    def marks(self) -> dict[str, Mark]:
        return dict(self._marks)

    # -- writing ----------------------------------------------------------------------------------------
    def _put(self, changes: dict[str, Mark]) -> None:
        q = Query()
        for arxiv_id, mark in changes.items():
            self._table.upsert(mark.to_dict(arxiv_id), q.arxiv_id == arxiv_id)
        self._marks.update(changes)

    def set_read(self, arxiv_id: str, read: bool = True) -> Mark:
        return self.update([arxiv_id], read=read)[arxiv_id]

    def set_starred(self, arxiv_id: str, starred: bool = True) -> Mark:
        return self.update([arxiv_id], starred=starred)[arxiv_id]

    def update(self, arxiv_ids: Iterable[str], *, read: bool | None = None, starred: bool | None = None) -> dict[str, Mark]:
        """Set read and/or starred on many papers in one write; returns the new marks."""
        now = time.time()
        changes: dict[str, Mark] = {}
        for arxiv_id in arxiv_ids:
            mark = self.mark(arxiv_id)
            new = replace(
                mark,
                read=mark.read if read is None else read,
                starred=mark.starred if starred is None else starred,
                updated=now,
            )
            changes[arxiv_id] = new
        if changes:
            self._put(changes)
        return changes

    def restore(self, previous: dict[str, Mark]) -> None:
        """Put marks back as they were (undo)."""
        if previous:
            self._put({k: replace(v, updated=time.time()) for k, v in previous.items()})
