"""The user's settings: config.json in the config directory. A missing or broken file means defaults."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple


class Config(NamedTuple):  # a tuple: a dataclass costs ~1 ms of the reader's start to define
    keymap: Mapping[str, str] = MappingProxyType({})  # binding id -> keys, e.g. {"star": "x"}
    citation_format: str = "bibtex"
    theme: str | None = None
    read_delay: float = 1.5  # seconds a paper stays shown before it counts as read
    sync_source: str | None = None  # a git URL for "Sync archive" (default: the public archive)
    problems: tuple[str, ...] = ()


def _keys_ok(keys: str) -> bool:
    """Key names as Textual writes them ("x", "ctrl+y", "question_mark", "f5,j"): printable, no spaces.
    (The footer and the help screen show them: a control character there would reach the terminal.)"""
    parts = [k.strip() for k in keys.split(",")]
    return 0 < len(keys) <= 200 and all(
        (len(k) == 1 and k.isprintable() and not k.isspace()) or re.fullmatch(r"[A-Za-z0-9_]+(?:\+[A-Za-z0-9_]+)*", k)
        for k in parts)


def load_config(path: Path) -> Config:
    from reader.core.files import FileRefused, load_json, read_regular
    from reader.core.limits import MAX_CONFIG_BYTES

    try:  # never a FIFO (it would wait for a writer), a device or a huge file
        raw = read_regular(path, MAX_CONFIG_BYTES, what="a config file")
    except FileNotFoundError:
        return Config()
    except FileRefused as exc:
        return Config(problems=(f"{exc}; using defaults",))
    except OSError as exc:
        return Config(problems=(f"cannot read {path}: {exc.strerror}",))
    try:
        data = load_json(raw, encoding="utf-8-sig")  # (a byte-order mark, as some editors write, is fine)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        return Config(problems=(f"{path} is not valid JSON ({str(exc).splitlines()[0][:80]}); using defaults",))
    problems: list[str] = []
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()):
        problems.append(f"{path}: 'keymap' must map binding ids to keys; ignored")
        keymap = {}
    for binding_id, keys in list(keymap.items()):
        if not _keys_ok(keys) or not _keys_ok(binding_id):
            problems.append(f"{path}: keymap {binding_id!r}: {keys!r} is not a list of keys like \"x\" or "
                            "\"ctrl+y,f5\"; ignored")
            del keymap[binding_id]
    fmt = data.get("citation_format", "bibtex")
    if not isinstance(fmt, str):
        problems.append(f"{path}: 'citation_format' must be a string; using bibtex")
        fmt = "bibtex"
    theme = data.get("theme")
    delay = data.get("read_delay", 1.5)
    if not isinstance(delay, (int, float)) or delay < 0:
        problems.append(f"{path}: 'read_delay' must be a number of seconds; using 1.5")
        delay = 1.5
    source = data.get("sync_source")
    if source is not None and not isinstance(source, str):
        problems.append(f"{path}: 'sync_source' must be a git URL; using the public archive")
        source = None
    return Config(keymap=keymap, citation_format=fmt, theme=theme if isinstance(theme, str) else None,
                  read_delay=float(delay), sync_source=source, problems=tuple(problems))
