"""How fresh the library is, and in which language each day reads: what the sidebar says about the days.

- `age(newest, today)`: "today", "yesterday", "572 days old" (dates as YYYY-MM-DD; today is UTC's, as the
  Hugging Face days are named).
- `day_language(papers)`: "ko" when every paper of the day has its Korean summary (the archive's days, or a
  Hugging Face day the user's model summarised), "en" when none has (a Hugging Face day as it arrives), "ke"
  for a day with some of each.
- `local_time(stamp)`: a UTC ISO 8601 stamp (the metadata store's) as the user's local "YYYY-MM-DD HH:MM".
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date as Date, datetime, timezone

from reader.core.korean import has_korean_summary

LANGUAGES = {"ko": "Korean summaries", "en": "English only (from Hugging Face)", "ke": "some Korean, some English"}


def today_utc(now: float | None = None) -> str:
    """Today's date in UTC, the calendar the Hugging Face days follow."""
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() if now is None else now))


def days_between(older: str, newer: str) -> int | None:
    try:
        return (Date.fromisoformat(newer) - Date.fromisoformat(older)).days
    except ValueError:
        return None


def age(newest: str, today: str) -> str:
    days = days_between(newest, today)
    if days is None:
        return ""
    if days <= 0:
        return "today"  # (a clock behind the Hub's: the newest day is never "in the future")
    if days == 1:
        return "yesterday"
    return f"{days} days old"


def behind(newest: str | None, today: str) -> bool:
    """Whether the library lacks days up to today (no day at all counts as behind)."""
    if newest is None:
        return True
    days = days_between(newest, today)
    return days is not None and days > 0


def day_language(papers: Iterable) -> str:
    korean = english = False
    for paper in papers:
        if has_korean_summary(paper):
            korean = True
        else:
            english = True
        if korean and english:
            return "ke"
    return "ko" if korean or not english else "en"


def local_time(stamp: str) -> str:
    """"2026-12-01T08:14:03Z" -> the user's local "2026-12-01 08:14" (as given when it cannot be read)."""
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
