"""The footer: every key findable at every width. At 150 columns and more it is Textual's own (the keys
shown by default, the palette's key on the right); below, where the days fold away and fewer words fit, it
names first what a narrow reader needs (b for the days, o, [ and ], u), as many as fit, and always ends with
"? more keys" (the help screen lists every key)."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

WIDE = 150  # the reader's "-wide" breakpoint (reader.tui.app.ReaderApp.HORIZONTAL_BREAKPOINTS)
# What the footer names below WIDE, most needed first: (binding actions, the words shown). Two actions: one
# key for both ("[ ]").
NARROW_KEYS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("quit",), "Quit"),
    (("toggle_sidebar",), "Days"),
    (("open_arxiv",), "arXiv"),
    (("older_day", "newer_day"), "Day"),
    (("toggle_unread_only",), "Unread"),
    (("search",), "Search"),
    (("toggle_star",), "Star"),
    (("next_unread",), "Next unread"),
    (("copy_citation",), "Cite"),
    (("note",), "Note"),
)
MORE = "more keys"
PALETTE_CELLS = 12  # "▏^p palette" and its margin


def _cells(key_display: str, description: str) -> int:
    return len(key_display) + 2 + len(description) + 1  # " k " + "words " (FooterKey's padding)


class ReaderFooter(Footer):
    _composed_width = -1

    def compose(self) -> ComposeResult:
        width = self.app.size.width
        self._composed_width = width
        if width >= WIDE:
            yield from super().compose()
            return
        if not self._bindings_ready:
            return
        by_action = {}
        palette = None
        for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items():
            if key == self.app.COMMAND_PALETTE_BINDING:
                palette = (binding, enabled, tooltip)
            known = by_action.get(binding.action)
            if known is None or (binding.id and not known[0].id):  # the reader's own key before Textual's (^q)
                by_action[binding.action] = (binding, enabled, tooltip)
        help_key = by_action.get("help")
        more = _cells(self.app.get_key_display(help_key[0]), MORE) if help_key else 0
        show_palette = palette is not None and self.show_command_palette and width >= 80
        room = width - more - (PALETTE_CELLS if show_palette else 0)
        for actions, words in NARROW_KEYS:
            found = [by_action[a] for a in actions if a in by_action]
            if len(found) != len(actions):
                continue
            display = " ".join(self.app.get_key_display(b) for b, _, _ in found)
            cells = _cells(display, words)
            if cells > room:
                break
            room -= cells
            binding, enabled, tooltip = found[0]
            yield FooterKey(binding.key, display, words, binding.action, disabled=not enabled,
                            tooltip=tooltip or binding.tooltip or binding.description).data_bind(compact=Footer.compact)
        if help_key is not None:
            binding, enabled, _ = help_key
            yield FooterKey(binding.key, self.app.get_key_display(binding), MORE, binding.action, disabled=not enabled,
                            tooltip="Every key, with its binding id").data_bind(compact=Footer.compact)
        if show_palette:
            binding, enabled, tooltip = palette
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            classes="-command-palette", disabled=not enabled,
                            tooltip=binding.tooltip or binding.description)

    def on_resize(self, event: events.Resize) -> None:
        width = self.app.size.width
        if width != self._composed_width and (width < WIDE or self._composed_width < WIDE):
            self.call_after_refresh(self.recompose)
