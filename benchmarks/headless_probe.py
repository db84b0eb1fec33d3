"""Run the reader (or the bare app) headless and print READY once the first screen is shown."""

from __future__ import annotations

import sys


async def _wait_reader(pilot) -> None:
    from reader.tui.widgets.detail import PaperDetail

    app = pilot.app
    while app.query_one(PaperDetail).paper is None:
        await pilot.pause(0.001)
    await pilot.pause()
    print("READY", flush=True)
    app.exit()


async def _wait_bare(pilot) -> None:
    await pilot.pause()
    print("READY", flush=True)
    pilot.app.exit()


def main() -> None:
    kind = sys.argv[1]
    if kind == "bare":
        sys.path.insert(0, __file__.rsplit("/", 1)[0])
        from bare_app import BareApp

        BareApp().run(headless=True, size=(160, 45), auto_pilot=_wait_bare)
        return
    from reader.tui import launch as launch_module

    library = sys.argv[2]
    original_run = None

    import reader.tui.app as app_module

    original_run = app_module.ReaderApp.run

    def run_headless(self, *args, **kwargs):
        return original_run(self, headless=True, size=(160, 45), auto_pilot=_wait_reader)

    app_module.ReaderApp.run = run_headless
    import argparse

    launch_module.launch(argparse.Namespace(paths=[library], state=None))


if __name__ == "__main__":
    main()
