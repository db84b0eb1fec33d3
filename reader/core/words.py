"""Counted nouns, the one way every message says how many: '1 paper', '2 papers', '1,024 papers'."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """n and the noun, singular for exactly one (plural: noun + 's' unless given)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
