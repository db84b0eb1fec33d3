"""Run the reader (or the bare app) headless; print READY the moment its first frame is rendered, then exit.

The parent measures from spawning the process to reading READY, so interpreter start and imports count. The
hook is the same for both apps: the screen's first refresh after on_mount (for the reader, that frame holds
the newest day's top paper: on_mount shows it before the first refresh).
"""

from __future__ import annotations

import os
import sys


def _ready() -> None:
    print("READY", flush=True)
    os._exit(0)  # do not wait for the reader's worker still reading the rest of the archive


def _hook(app_class) -> None:
    original = app_class.on_mount

    def on_mount(self):
        original(self)
        self.call_after_refresh(_ready)

    app_class.on_mount = on_mount


def main() -> None:
    kind = sys.argv[1]
    if kind == "bare":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from bare_app import BareApp

        BareApp.on_mount = lambda self: None
        _hook(BareApp)
        BareApp().run(headless=True, size=(160, 45))
        return
    import argparse

    import reader.tui.app as app_module
    from reader.tui import launch as launch_module

    _hook(app_module.ReaderApp)
    original_run = app_module.ReaderApp.run
    app_module.ReaderApp.run = lambda self, *a, **k: original_run(self, headless=True, size=(160, 45))
    launch_module.launch(argparse.Namespace(paths=[sys.argv[2]], state=None))


if __name__ == "__main__":
    main()
