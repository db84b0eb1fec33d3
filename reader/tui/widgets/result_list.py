"""The search screen's list of results: replaced at each keystroke, so what a replacement costs is kept small.

A result's row (`Row`) is a Content of one or two lines that says its height without laying out its text
when the list does not wrap (the search list's style: nowrap, ellipsis)."""

from __future__ import annotations

from textual.content import Content

from reader.tui.widgets.steady_list import SteadyOptionList


class Row(Content):
    """Content whose height, in a list that does not wrap, is its number of lines (each line is cut at the
    list's width: it never takes more), said without wrapping and cutting its text to find out."""

    def get_height(self, rules, width: int) -> int:
        if rules.get("text_wrap", "wrap") == "nowrap" and rules.get("text_overflow", "fold") != "fold":
            return self.plain.count("\n") + 1
        return super().get_height(rules, width)


class ResultList(SteadyOptionList):
    """The results' OptionList (SteadyOptionList: the view stays where it is as options are added)."""
