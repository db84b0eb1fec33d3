"""Run the reader (or the bare app) headless; print READY the moment the first screen is shown, then exit.

The parent measures from spawning the process to reading READY, so interpreter start and imports count.
"""

from __future__ import annotations

import os
import sys


async def _wait_reader(pilot) -> None:
    from reader.tui.widgets.detail import PaperDetail

    app = pilot.app
    while app.query_one(PaperDetail).paper is None:
        await pilot.pause(0.001)
    await pilot.pause()
    print("READY", flush=True)
    os._exit(0)  # do not wait for the worker still reading the rest of the archive


async def _wait_bare(pilot) -> None:
    await pilot.pause()
    print("READY", flush=True)
    os._exit(0)


def main() -> None:
    kind = sys.argv[1]
    if kind == "bare":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from bare_app import BareApp

        BareApp().run(headless=True, size=(160, 45), auto_pilot=_wait_bare)
        return
    import argparse

    import reader.tui.app as app_module
    from reader.tui import launch as launch_module

    original_run = app_module.ReaderApp.run

    def run_headless(self, *args, **kwargs):
        return original_run(self, headless=True, size=(160, 45), auto_pilot=_wait_reader)

    app_module.ReaderApp.run = run_headless
    launch_module.launch(argparse.Namespace(paths=[sys.argv[2]], state=None))


if __name__ == "__main__":
    main()
