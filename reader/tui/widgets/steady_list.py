"""An OptionList that keeps its rendered rows when a resize leaves its width as it was."""

from __future__ import annotations

from textual import events
from textual.widgets import OptionList


class SteadyOptionList(OptionList):
    """Textual's OptionList drops every rendered row on each resize event, including the one every widget
    gets right after the first frame, which has just rendered those rows at that very width: the days and
    the papers were laid out twice before the reader settled. Rows depend on the width only (the height
    changes which rows show, not how they look), so they are kept unless the width changed."""

    _rows_width: int | None = None  # the width the cached rows were rendered at (None: nothing cached)

    def _clear_caches(self) -> None:
        self._rows_width = None
        super()._clear_caches()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme) -> None:
        # The rows' colours are theme variables ($reader-accent ...): a theme that leaves this list's own
        # styles as they were (ansi-dark to ansi-light: every background the terminal's default) would
        # otherwise keep the rows drawn in the old theme's colours.
        self._clear_caches()
        self.refresh()

    def render_lines(self, crop):
        if self._rows_width is None:
            self._rows_width = self.scrollable_content_region.width
        return super().render_lines(crop)

    def _on_resize(self, event: events.Resize) -> None:
        # Textual calls the handler of every class up the hierarchy, subclass first: prevent_default()
        # keeps OptionList's own (which drops the rows) from running.
        if self.scrollable_content_region.width == self._rows_width:
            event.prevent_default()
