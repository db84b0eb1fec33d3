"""A one-line text box whose own editing keys take effect in the order they were typed.

Textual's Input inserts a printable key as soon as it receives it, but a key bound on the Input (ctrl+u,
backspace, the arrows, ctrl+w, ...) goes the long way: the key bubbles up to the app, which then runs the
binding. Keys typed faster than the screen answers (a fast typist, a machine busy with a search or the
index, a terminal over SSH delivering keys in a burst) then come apart: "kim", ctrl+u, "memory" left the
box empty, because the ctrl+u ran after "memory" was typed (Textual issue #6605). TextBox runs its own
bindings (with the user's keymap) the moment the key reaches it, as a printable key is.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class TextBox(Input):
    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable:
            bindings = self._bindings.copy()
            if self.app._keymap:
                bindings.apply_keymap(self.app._keymap)
            for binding in bindings.key_to_bindings.get(event.key, ()):
                if not binding.priority and await self.app.run_action(binding.action, self):
                    event.stop()  # done here: the app must not run it a second time
                    event.prevent_default()
                    return
        await super()._on_key(event)
