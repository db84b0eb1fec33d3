"""Vim-style movement for the reader's lists, with binding ids under a prefix (day.down, list.first, ...)."""

from __future__ import annotations

from textual.binding import Binding


def list_bindings(prefix: str) -> list[Binding]:
    return [
        Binding("j", "cursor_down", "Down", show=False, id=f"{prefix}.down"),
        Binding("k", "cursor_up", "Up", show=False, id=f"{prefix}.up"),
        Binding("g", "first", "First", show=False, id=f"{prefix}.first"),
        Binding("G", "last", "Last", show=False, id=f"{prefix}.last"),
    ]
