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
        # Queued before whatever the app queues for after its first frame (the reader starts its workers
        # then): READY means the first frame, for both apps alike.
        self.call_after_refresh(_ready)
        original(self)

    app_class.on_mount = on_mount


class _PatchReaderApp:
    """An import hook: once reader.tui.app is imported (by the reader's own start, in its own order), its
    app runs headless at 160x45 and reports READY. The reader starts exactly as `daily-papers PATH` does."""

    def find_spec(self, name, path=None, target=None):
        if name != "reader.tui.app":
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = spec.loader
        original_exec = loader.exec_module

        def exec_module(module):
            original_exec(module)
            app_class = module.ReaderApp
            _hook(app_class)
            original_run = app_class.run
            app_class.run = lambda self, *a, **k: original_run(self, headless=True, size=(160, 45))

        loader.exec_module = exec_module
        return spec


def main() -> None:
    kind = sys.argv[1]
    if kind == "bare":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from bare_app import BareApp

        BareApp.on_mount = lambda self: None
        _hook(BareApp)
        BareApp().run(headless=True, size=(160, 45))
        return
    sys.meta_path.insert(0, _PatchReaderApp())
    from reader.cli import main as reader_main

    reader_main([sys.argv[2]])


if __name__ == "__main__":
    main()
