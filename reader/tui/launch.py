"""`daily-papers [PATH ...]`: open the library (the newest day from its file first; the library's index, brought
up to date in a worker, after the first screen) and run the app."""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING

from reader import paths as app_paths
from reader.core.config import load_config
from reader.core.opening import default_library_paths, open_library, sample_notice
from reader.core.state import StateStore
from reader.startup import first_library, first_state, settle_library, settle_memory

if TYPE_CHECKING:
    import argparse


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
    library = first_library(targets)  # the newest day only (reader.startup)
    state = first_state(app_paths.state_path(getattr(args, "state", None)))  # without the lock (reader.startup)
    config_path = app_paths.config_path()

    def indexed():  # the library backed by its index (R and a sync read it again the same way)
        return open_library(given or None, load=False, index=True)

    app = None
    try:
        app = make_app(library, state, config=load_config(config_path), config_path=config_path,
                       notices=notices, where=where,
                       library_factory=indexed, index_factory=indexed,
                       on_first_screen=settle_memory, on_library_loaded=settle_library,
                       sync_library=None if given else app_paths.library_dir())
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
