"""What the reading state's files hold: the schema of state.json (TinyDB tables "_meta" and "marks"), one mark
document and how it is checked, the migrations from older schemas, and the journal's lines (see state_storage
for how the files are written and read together)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from reader.core.files import load_json
from reader.errors import UserError

SCHEMA_VERSION = 1
JOURNAL_VERSION = 1
MARKS_TABLE = "marks"
META_TABLE = "_meta"
JOURNAL_KEY = "daily_papers_journal"


class StateError(UserError):
    """The reading state cannot be used as it is (one line for the user)."""


class StateSchemaError(StateError):
    """The state file was written by a newer daily-papers: it is left untouched."""


class Mark(NamedTuple):  # a tuple: a dataclass costs ~1 ms of the reader's start to define
    read: bool = False
    starred: bool = False
    updated: float = 0.0

    def to_dict(self, arxiv_id: str) -> dict:
        return {"arxiv_id": arxiv_id, "read": self.read, "starred": self.starred, "updated": self.updated}


_INF = float("inf")


def clean_doc(doc: Any) -> dict | None:
    """A stored mark document as exactly {"arxiv_id", "read", "starred", "updated"} (the same object when
    it already is), or None when it is not a valid mark."""
    if type(doc) is dict and len(doc) == 4:  # the fast path: exactly what we write
        arxiv_id, read, starred = doc.get("arxiv_id"), doc.get("read"), doc.get("starred")
        updated = doc.get("updated")
        if (type(arxiv_id) is str and type(read) is bool and type(starred) is bool and type(updated) is float
                and 0 < len(arxiv_id) <= 200 and arxiv_id == arxiv_id.strip() and -_INF < updated < _INF):
            return doc
    if not isinstance(doc, Mapping):
        return None
    arxiv_id = doc.get("arxiv_id")
    if not isinstance(arxiv_id, str) or not arxiv_id.strip() or len(arxiv_id) > 200:
        return None
    flags = []
    for key in ("read", "starred"):
        value = doc.get(key, False)
        if isinstance(value, bool):
            flags.append(value)
        elif type(value) is int and value in (0, 1):
            flags.append(bool(value))
        else:
            return None
    updated = doc.get("updated", 0.0)
    if isinstance(updated, bool) or not isinstance(updated, (int, float)) or not math.isfinite(updated):
        return None
    return {"arxiv_id": arxiv_id.strip(), "read": flags[0], "starred": flags[1], "updated": float(updated)}


def parse_doc(doc: Any) -> tuple[str, Mark] | None:
    """One stored mark document -> (arxiv id, Mark), or None when it is not a valid one."""
    clean = clean_doc(doc)
    if clean is None:
        return None
    return clean["arxiv_id"], Mark(clean["read"], clean["starred"], clean["updated"])


Docs = dict[str, dict]  # arxiv id -> clean mark document


# -- migrations ---------------------------------------------------------------------------------------------
def _migrate_0_to_1(data: dict) -> dict:
    """Schema 0 is the first StateStore: TinyDB's plain JSON file with a "marks" table and no "_meta".
    Schema 1 adds "_meta" (schema, generation) and the journal; the mark documents are unchanged."""
    out = dict(data)
    if not out.get("_default"):
        out.pop("_default", None)  # TinyDB's empty default table, never used by us
    out[META_TABLE] = {"1": {"schema": 1}}
    out.setdefault(MARKS_TABLE, {})
    return out


#: MIGRATIONS[n] turns a schema-n document (already parsed JSON) into a schema-(n+1) one.
MIGRATIONS = {0: _migrate_0_to_1}


def migrate(data: dict, version: int) -> dict:
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
    return data


# -- the journal's lines -------------------------------------------------------------------------------------
def journal_header(data: bytes) -> tuple[dict | None, int]:
    """The journal's first line (its version and the generation of state.json it continues) and where the
    changes start; (None, 0) when there is no valid one."""
    newline = data.find(b"\n")
    if newline < 0:
        return None, 0
    try:
        header = load_json(data[:newline])
    except ValueError:
        return None, 0
    if not isinstance(header, dict) or JOURNAL_KEY not in header:
        return None, 0
    return header, newline + 1


def journal_lines(data: bytes, start: int) -> tuple[list[Docs], int, int]:
    """The journal's complete lines from start -> (changes, offset after the last complete line, invalid lines)."""
    newline = data.rfind(b"\n", start)
    valid_end = newline + 1 if newline >= 0 else start
    entries: list[Docs] = []
    bad = 0
    for line in data[start:valid_end].split(b"\n"):
        if not line.strip():
            continue
        try:
            obj = load_json(line)
        except ValueError:
            bad += 1
            continue
        docs = obj.get("marks") if isinstance(obj, dict) else None
        if not isinstance(docs, list):
            bad += 1
            continue
        change: Docs = {}
        for doc in docs:
            clean = clean_doc(doc)
            if clean is None:
                bad += 1
                change = {}
                break
            change[clean["arxiv_id"]] = clean
        if change:
            entries.append(change)
    return entries, valid_end, bad
