"""Run the reader (or the bare app) headless; print READY the moment a rendered frame holds its first screen.

The parent measures from spawning the process to reading READY, so interpreter start and imports count. The
hook is the same for both apps and mirrors the terminal measurement: every frame Textual composes is turned
into the text a terminal would receive (what the headless driver skips), and READY is printed once that text
holds the app's marker: the bare app's Static, or the newest day's top paper's title for the reader.

(Until 2026-11-22 READY came from a callback queued after the first refresh, which runs only once the app is
idle: it also counted work done after the first screen is shown, such as Textual's footer composing its keys,
which the terminal figure never saw.)
"""

from __future__ import annotations

import os
import sys


def _ready() -> None:
    print("READY", flush=True)
    os._exit(0)  # do not wait for the reader's worker still reading the rest of the archive


def _hook(app_class, marker: str) -> None:
    original = app_class._display

    def _display(self, screen, renderable):
        if renderable is not None and hasattr(renderable, "render_segments"):
            if marker in renderable.render_segments(self.console):
                _ready()
        return original(self, screen, renderable)

    app_class._display = _display


class _PatchReaderApp:
    """An import hook: once reader.tui.app is imported (by the reader's own start, in its own order), its
    app runs headless at 160x45 and reports READY. The reader starts exactly as `daily-papers PATH` does."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def find_spec(self, name, path=None, target=None):
        if name != "reader.tui.app":
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = spec.loader
        original_exec = loader.exec_module
        marker = self.marker

        def exec_module(module):
            original_exec(module)
            app_class = module.ReaderApp
            _hook(app_class, marker)
            original_run = app_class.run
            app_class.run = lambda self, *a, **k: original_run(self, headless=True, size=(160, 45))

        loader.exec_module = exec_module
        return spec


def main() -> None:
    kind = sys.argv[1]
    if kind == "bare":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from bare_app import BareApp

        _hook(BareApp, "bare textual app ready")
        BareApp().run(headless=True, size=(160, 45))
        return
    sys.meta_path.insert(0, _PatchReaderApp(sys.argv[3]))
    from reader.cli import main as reader_main

    reader_main([sys.argv[2]])


if __name__ == "__main__":
    main()
