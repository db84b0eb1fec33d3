"""Run an app in a real terminal and log, inside it, when each key arrives and when each frame is written.

    key_probe.py LOG reader PATH          the reader, started as `daily-papers PATH` is
    key_probe.py LOG bare ID ...          the reference: a bare OptionList updating one Static

LOG gets one line per key received ("K <time>") and per frame written to the terminal ("W <time> <ids>",
the paper ids the frame holds, from IDS in the environment, comma-separated). The parent pairs each key with
the first frame holding the paper it moved to: the app's own key-to-redraw time, without the terminal's
parsing and the screen polling that the tmux figure also counts.
"""

from __future__ import annotations

import os
import sys
import time


def main() -> None:
    log = open(sys.argv[1], "w", buffering=1)
    ids = [i for i in os.environ.get("IDS", "").split(",") if i]
    if sys.argv[2] == "reader":  # the reader's own process settings come before Textual is imported
        from reader.startup import prepare_tui_process

        prepare_tui_process()
    from textual import events
    from textual.app import App
    from textual.drivers.linux_driver import LinuxDriver

    original_write = LinuxDriver.write

    def write(self, data: str) -> None:
        now = time.perf_counter()
        shown = [i for i in ids if i in data]
        if shown:
            log.write(f"W {now:.6f} {','.join(shown)}\n")
        return original_write(self, data)

    LinuxDriver.write = write
    original_on_event = App.on_event

    seen: list[events.Key] = []  # a key reaches the app twice (received, then bubbling back from the focus)

    async def on_event(self, event):
        if isinstance(event, events.Key) and event.key in ("j", "k") and not any(e is event for e in seen):
            log.write(f"K {time.perf_counter():.6f}\n")
            seen[:] = [*seen[-3:], event]
        return await original_on_event(self, event)

    App.on_event = on_event
    if sys.argv[2] == "bare":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from bare_list_app import BareListApp

        BareListApp(sys.argv[3:]).run()
    else:
        from reader.cli import main as reader_main

        raise SystemExit(reader_main(sys.argv[3:]))


if __name__ == "__main__":
    main()
