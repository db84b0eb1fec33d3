"""What the reader remembers between sessions, beside the reading state (remembered.json in the data folder):
the last session's filters (unread only, the Starred view), where the palette's export last wrote, and that
"start from today" was offered once. Not settings (those are config.json's): a missing, damaged or odd file
means nothing remembered, and a file that cannot be written means nothing remembered next time, never an
error. Every value is checked as it is read (a wrong type is as good as missing)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# name -> its type; anything else in the file is ignored
FIELDS: dict[str, type] = {
    "unread_only": bool,  # u was on when the reader last quit
    "view": str,  # "starred": the Starred view was shown when the reader last quit
    "export_folder": str,  # the folder the palette's export last wrote to
    "export_name": str,  # and the file name typed there
    "catch_up_offered": bool,  # "start from today: mark older days read?" was asked once
}
MAX_BYTES = 64 * 1024


class Remembered:
    def __init__(self, path: Path | None) -> None:
        """path None: remember nothing (tests, a reader on another state)."""
        self.path = path
        self.values: dict[str, Any] = self._read() if path is not None else {}

    def _read(self) -> dict[str, Any]:
        from reader.core.files import load_json, read_regular

        assert self.path is not None
        try:
            data = load_json(read_regular(self.path, MAX_BYTES, what="a remembered-choices file"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items()
                if k in FIELDS and type(v) is FIELDS[k] and (not isinstance(v, str) or len(v) <= 4096)}

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def remember(self, **values: Any) -> bool:
        """Keep these values (an atomic rewrite when any changed); False when the file could not be written."""
        from reader.core.atomic import write_text_atomic

        changed = {k: v for k, v in values.items() if self.values.get(k) != v}
        if not changed:
            return True
        self.values.update(changed)
        if self.path is None:
            return True
        try:
            write_text_atomic(self.path, json.dumps(self.values, ensure_ascii=False, indent=1) + "\n", private=True)
        except OSError:
            return False
        return True
