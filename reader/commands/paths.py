"""paths: where the library, the reading state, the cache and the configuration live."""

from __future__ import annotations

import argparse
import sys

from reader import paths as app_paths
from reader.core.sanitize import visible_line


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "paths", help="where your library, reading state, cache and configuration live",
        description="Print one line each: 'library: PATH', 'state: PATH', 'cache: PATH', 'config: PATH'. "
        f"The state file can be moved (a synced folder, say) with --state or ${app_paths.STATE_ENV}.",
    )
    p.add_argument("--state", metavar="FILE", help="the state file to show (as other commands take it)")
    p.set_defaults(func=run_paths)


def run_paths(args: argparse.Namespace) -> int:
    out = sys.stdout
    for name, path in (("library", app_paths.library_dir()), ("state", app_paths.state_path(args.state)),
                       ("cache", app_paths.cache_dir()), ("config", app_paths.config_path())):
        out.write(f"{name}: {visible_line(str(path))}\n")
    return 0
