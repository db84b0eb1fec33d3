"""`daily-papers [PATH ...]`: open the library (newest day first, the rest in a worker) and run the app."""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING

from reader import paths as app_paths
from reader.core.opening import default_library_paths, open_library, sample_notice
from reader.core.config import load_config
from reader.core.state import StateStore

if TYPE_CHECKING:
    import argparse


def settle_memory() -> None:
    """Once the first screen is shown: what start-up built (modules, classes, the newest day) lives as long
    as the process, so it is frozen out of the collector's scans, and collection (off since start-up, see
    reader.cli.run_tui) resumes for everything made from now on."""
    gc.freeze()
    gc.enable()


def settle_library() -> None:
    """Once the whole archive is read (and after a reload or a sync): its papers live as long as the library,
    so after one young-generation pass (the parser's garbage) they are frozen too. Without this a full
    collection walks them all every so often: a 40 ms pause that landed on a cursor move."""
    gc.collect(1)
    gc.freeze()


def launch(args: "argparse.Namespace") -> int:
    from reader.tui.app import make_app

    notices: list[str] = []
    targets = list(args.paths)
    given = list(targets)
    if targets:
        where = ", ".join(targets)
    else:
        default, bundled = default_library_paths()
        targets = [str(p) for p in default]
        where = str(app_paths.library_dir())
        notice = sample_notice() if bundled else None
        if notice:
            notices.append(notice[0].upper() + notice[1:])
    library = open_library(targets, load=False)
    library.load_newest()
    # Marks for the first screen are read without the lock (no filelock import before it); the app settles
    # the store under the lock right after.
    state = StateStore(app_paths.state_path(getattr(args, "state", None)), settle_later=True)
    config_path = app_paths.config_path()
    app = None
    try:
        app = make_app(library, state, config=load_config(config_path), config_path=config_path,
                       notices=notices, where=where, library_factory=lambda: open_library(given or None, load=False),
                       on_first_screen=settle_memory, on_library_loaded=settle_library)
        app.run()
    finally:
        gc.enable()  # whatever happened before the first screen
        state.close()  # (tries once more to save what could not be saved)
    if app.failure is not None:
        # An error ended the reader: reader.cli reports it as any command's (one line on stderr, exit code 1;
        # the traceback with --debug or DAILY_PAPERS_DEBUG=1).
        raise app.failure
    return report_unsaved(state, getattr(app, "marks_saved_to", None)) or app.return_code or 0


def report_unsaved(state: StateStore, saved_to=None) -> int:
    """The reader's exit code: 1, and one line on stderr, when changes to the marks were never saved."""
    from reader.core.sanitize import visible_line
    from reader.tui.screens.unsaved import changes_text

    count = len(state.unsaved_ids())
    if not count:
        return 0
    line = f"{changes_text(count)} not saved to {state.path}"
    if saved_to is not None:
        line += f"; every mark is in {saved_to} (daily-papers state import {saved_to} takes them back)"
    print(f"daily-papers: {visible_line(line)}", file=sys.stderr)
    return 1
