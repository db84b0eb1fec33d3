"""A few pinned screens on fixture data: the layout at 80x24 and 160x45, wide Korean titles, help."""

from __future__ import annotations

from tui_support import FIXTURES, build as build_on

TODAY = "2026-12-03"  # (the sidebar says how far behind today the newest day is: a pinned screen pins the date)


def build(**options):
    return build_on(today=TODAY, **options)


def test_wide_layout_160x45(snap_compare):
    assert snap_compare(build(), terminal_size=(160, 45))


def test_narrow_layout_80x24(snap_compare):
    assert snap_compare(build(), terminal_size=(80, 24))


def test_korean_and_markup_titles_80x24(snap_compare):
    app = build(paths=[FIXTURES / "hostile"])
    assert snap_compare(app, terminal_size=(80, 24), press=["G"])


def test_help_screen_120x40(snap_compare):
    assert snap_compare(build(), terminal_size=(120, 40), press=["question_mark"])
