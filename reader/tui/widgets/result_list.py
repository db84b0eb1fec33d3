"""The search screen's list of results: replaced at each keystroke, so what a replacement costs is kept small.

A result's row (`Row`) is a Content of one or two lines that says its height without laying out its text
when the list does not wrap (the search list's style: nowrap, ellipsis). `ResultList.show_rows` replaces the
options like OptionList.set_options but keeps the drawn lines of the rows that stay the same at the same
place (the same Option objects: the screen hands them on), so a keystroke that leaves some rows as they were
draws only the others."""

from __future__ import annotations

from textual.content import Content
from textual.widgets.option_list import Option

from reader.tui.widgets.steady_list import SteadyOptionList


class Row(Content):
    """Content whose height, in a list that does not wrap, is its number of lines (each line is cut at the
    list's width: it never takes more), said without wrapping and cutting its text to find out."""

    def get_height(self, rules, width: int) -> int:
        if rules.get("text_wrap", "wrap") == "nowrap" and rules.get("text_overflow", "fold") != "fold":
            return self.plain.count("\n") + 1
        return super().get_height(rules, width)


class ResultList(SteadyOptionList):
    def show_rows(self, options: list[Option]) -> None:
        """The options in place of the listed ones (set_options), the cursor on none (as set_options leaves
        it), the drawn lines of an option that is at the same place as before kept (a row's drawn lines hold
        its index, for the mouse: kept only where it did not move)."""
        listed = self.options
        kept = {option for index, option in enumerate(options[:len(listed)]) if listed[index] is option}
        # OptionList's cache of drawn options, keyed (option, style, padding) (Textual 8; without it, or keyed
        # otherwise, every row is drawn anew as set_options would)
        cache = getattr(self, "_option_render_cache", None)
        drawn = [(key, cache.get(key)) for key in list(cache.keys())
                 if isinstance(key, tuple) and key and key[0] in kept] if kept and cache is not None else []
        self.set_options(options)
        for key, lines in drawn:
            if lines is not None:
                cache.set(key, lines)
