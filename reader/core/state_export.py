"""The marks as a file of their own (`daily-papers state export`, the copy saved when quitting with unsaved
changes) and back: every mark with its time, so that an import keeps whichever change is newest."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from reader.core.state_format import SCHEMA_VERSION, Mark, StateError, StateSchemaError, parse_doc

EXPORT_FORMAT = "daily-papers-state"


def export_data(marks: Mapping[str, Mark], notes: Mapping[str, Any] | None = None) -> dict:
    """Every mark, unmarked ones too (their time lets a later import know an unstar is newer), and the notes
    (StateStore.note_records(): emptied ones too, for the same reason) when there are any."""
    data = {
        "format": EXPORT_FORMAT,
        "schema": SCHEMA_VERSION,
        "exported": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "count": len(marks),
        "marks": [marks[k].to_dict(k) for k in sorted(marks)],
    }
    if notes:
        from reader.core.state_notes import notes_data

        data["notes"] = notes_data(dict(notes))
    return data


def _preview(value: Any) -> str:
    """A short look at a value from a file, however deep it nests (str() of a deep one recurses)."""
    import reprlib

    short = reprlib.Repr()
    short.maxlevel, short.maxstring, short.maxother = 3, 40, 40
    return short.repr(value)[:60]


def marks_from_export(data: Any, source: str = "the file") -> dict[str, Mark]:
    """An export (or a state file, or a bare list of marks) -> marks; one bad mark refuses the whole file.
    When an id appears twice, the newer mark counts."""
    if isinstance(data, dict):
        schema = data.get("schema")
        meta = data.get("_meta")
        if isinstance(meta, dict) and isinstance(meta.get("1"), dict):
            schema = meta["1"].get("schema")
        if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA_VERSION:
            raise StateSchemaError(
                f"{source} was written by a newer daily-papers (schema {schema}; this one knows "
                f"{SCHEMA_VERSION}): upgrade daily-papers to import it"
            )
        if "format" in data and data["format"] != EXPORT_FORMAT:
            raise StateError(f"{source} is not a daily-papers state export (format {data['format']!r})")
        docs = data.get("marks")
        if isinstance(docs, dict):  # a state file: TinyDB's table {doc_id: doc}
            docs = list(docs.values())
    else:
        docs = data
    if not isinstance(docs, list):
        raise StateError(f"{source} holds no list of marks (expected a 'daily-papers state export' file)")
    result: dict[str, Mark] = {}
    for number, doc in enumerate(docs, 1):
        parsed = parse_doc(doc)
        if parsed is None:
            raise StateError(f"{source}: mark {number} is not valid ({_preview(doc)}); nothing was imported")
        arxiv_id, mark = parsed
        if arxiv_id not in result or mark.updated > result[arxiv_id].updated:
            result[arxiv_id] = mark
    return result


def dump_export(data: dict) -> str:
    """JSON with one mark per line: easy to read, diff and merge by hand."""
    head = {k: v for k, v in data.items() if k != "marks"}
    lines = [json.dumps(m, ensure_ascii=False) for m in data["marks"]]
    body = ",\n".join(lines)
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "marks": [\n' + body + ("\n" if lines else "") + "]}\n"
