"""The reader's start-up tricks, in one place, each with the measurement that earned it.

`daily-papers [PATH ...]` must show its first screen within 1.3x of a bare Textual app's (benchmarks/run.py,
"first screen"). Everything here serves that figure and is used in this order:

1. COMMAND_NAMES / simple_tui_args (reader.cli.main): the usual command line is read without argparse and
   without building the subcommands' parsers (the usual `dates`, `list` and `search` lines too:
   reader.commands.reading.simple_args);
2. prepare_tui_process (reader.cli.run_tui, before Textual is imported): the cyclic collector off, the frame
   rate;
3. first_library / first_state (reader.tui.launch): only the newest day parsed, the marks read without the
   lock;
4. settle_memory (once the first frame is drawn) and settle_library (once the index took over): the
   collector back on, with what lives as long as the process frozen out of its scans.

And one for the commands: check_ahead (reader.__main__, before anything else is imported) starts the check of
a `dates`, `list` or `search` command's files in a helper process (reader.core.index.ahead), so that the
command's cost at ten times the archive stays within 1.3x of its cost at 1x (benchmarks/bench_index.py).

Other choices on the way to the first screen live where they act: mistune is imported on first need
(reader.tui.markdown renders plain sections without it), httpx on the first request (reader.sources.http),
the screens when first opened (reader.tui.app), the parse cache in the worker (reader.core.opening).

Importing this module costs nothing: what it needs is imported inside each function (a subcommand such as
`daily-papers dates` imports it too).
"""

from __future__ import annotations

import gc
import os
TYPE_CHECKING = False  # (typing's, without importing typing: check_ahead runs before anything is imported)
if TYPE_CHECKING:
    import argparse

    from reader.core.library import Library
    from reader.core.state import StateStore

# The subcommands' names, known without importing them: the reader's start (no command) must not pay for
# building every subcommand's parser (measured: build_parser() takes 133 ms, nearly all of it imports).
# tests/system/test_cli.py checks it against the registered subcommands.
COMMAND_NAMES = frozenset({"cite", "dates", "enrich", "export", "import", "list", "mark", "paths", "search", "show",
                           "similar", "state", "summarize", "sync"})


def check_ahead(argv: list[str]) -> None:
    """(reader.__main__, before anything else is imported) For the usual command lines of dates, list and
    search (those reader.commands.reading.simple_args reads), start the check of the library's files in a
    helper process (reader.core.index.ahead) while the command imports its modules: 2,390 files' stats at
    ten times the archive no longer come after the command's own work (measured: `daily-papers list` at 10x
    59 -> 52 ms, at 1x 46 ms either way). The index file is named here as the command will name it, with the
    standard library alone (reader.paths.xdg_dir: Linux's XDG folders; elsewhere no helper); if the command
    opens another index, or no helper can run, it checks the files itself, as before."""
    try:
        _check_ahead(argv)
    except Exception:  # noqa: BLE001 - (only ever time saved: the command checks the files itself)
        pass


def _check_ahead(argv: list[str]) -> None:
    words = [arg for arg in argv if arg != "--debug"]
    if not words or words[0] not in ("dates", "list", "search") or any(not arg or arg.startswith("-") for arg in words):
        return
    roots = words[2:] if words[0] == "search" else words[1:]
    if words[0] == "search" and len(words) < 2:
        return
    from reader import paths as app_paths
    from reader.core.index import ahead
    from reader.core.index.naming import index_name

    cache = app_paths.xdg_dir("cache")
    if cache is None:
        return
    if not roots:  # (reader.core.opening.default_library_paths: the user's library if it holds a digest)
        data = app_paths.xdg_dir("data")
        if data is None:
            return
        library = os.path.join(data, "library")
        roots = [library if _holds_digest(library) else app_paths.bundled("data")]
    ahead.start(os.path.join(cache, "index", index_name(roots)))


def _holds_digest(folder: str) -> bool:
    for _, dirs, names in os.walk(folder):
        if any(name.endswith(".md") for name in names + dirs):
            return True
    return False


def simple_tui_args(argv: list[str]) -> "argparse.Namespace | None":
    """The reader's usual command lines (PATHs, --state FILE, --debug) read without argparse, whose import
    the first screen would wait for (measured: 3 ms with Textual already imported); None for anything else
    (help, errors, --): argparse reads those (reader.cli.build_tui_parser), and tests/system/test_cli.py checks that
    both read the usual ones alike."""
    from types import SimpleNamespace

    paths: list[str] = []
    state = None
    debug = False
    args = iter(argv)
    for arg in args:
        if arg == "--debug":
            debug = True
        elif arg == "--state" or arg.startswith("--state="):
            value = arg.partition("=")[2] if "=" in arg else next(args, None)
            if not value or value.startswith("-") or state is not None:
                return None
            state = value
        elif arg.startswith("-") or not arg:
            return None
        else:
            paths.append(arg)
    return SimpleNamespace(paths=paths, state=state, debug=debug)  # type: ignore[return-value]


def prepare_tui_process() -> None:
    """What the reader's process sets before Textual is imported (Textual reads its settings then)."""
    # No cyclic garbage collection until the first screen is up (settle_memory turns it back on): a full
    # collection over Textual's freshly imported objects (about 37,000) cost 30 ms or more (31-77 ms measured
    # on the 2-core machine under load) in the middle of the first frame.
    gc.disable()
    # Textual paints at most TEXTUAL_FPS frames a second, on a fixed grid: a key that lands just after a
    # tick waits for the next one. At 60 a cursor move took two frames one time in ten (p90 26 ms, p95 31 ms
    # over 400 moves); at 120, p90 17 ms and p95 19 ms. Frames are only sent when something changed. The
    # user's own TEXTUAL_FPS wins.
    os.environ.setdefault("TEXTUAL_FPS", "120")


def first_library(targets: list[str]) -> "Library":
    """The library with only its newest day parsed (directly, without opening the library's index or the
    parse cache): the first screen shows that day, and the reader's worker opens the index right after it
    (reader.tui.loader), which then takes this library's place."""
    from reader.core.opening import open_library

    library = open_library(targets, load=False)
    library.load_newest()
    return library


def first_state(path: "os.PathLike[str] | str") -> "StateStore":
    """The reading marks for the first screen, read without the lock (StateStore settle_later): no filelock
    import before it (measured: 18 ms with Textual already imported; 10 ms when first measured). The app
    settles the store under the lock right after the first frame, and redraws any mark another process
    wrote in between; files that need repair get the locked load at once."""
    from reader.core.state import StateStore

    return StateStore(path, settle_later=True)


def settle_memory() -> None:
    """Once the first screen is shown: what start-up built (modules, classes, the newest day) lives as long
    as the process, so it is frozen out of the collector's scans, and collection (off since
    prepare_tui_process) resumes for everything made from now on."""
    gc.freeze()
    gc.enable()


def settle_library() -> None:
    """Once the whole archive is read (and after a reload or a sync): its papers live as long as the library,
    so after one young-generation pass (the parser's garbage) they are frozen too. Without this a full
    collection walks them all every so often: a 40 ms pause that landed on a cursor move."""
    gc.collect(1)
    gc.freeze()
