"""sync, import: filling the library folder (see 'daily-papers paths')."""

from __future__ import annotations

import argparse
import sys

from reader.commands.common import warn
from reader.core.importer import import_paths
from reader.core.sanitize import visible_line
from reader.core.words import count
from reader.core.sync import DEFAULT_SOURCE, sync


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sync", help="bring the public archive into your library (new days only after the first time)",
        description="Fetch the archive's digests (paper_logs/YYYY/MM/DD.md) into your library with git, and "
        "print one line: how many new days and papers. A failed sync changes nothing. Needs git.")
    p.add_argument("--source", metavar="URL", default=DEFAULT_SOURCE,
                   help=f"any git URL or file:// path holding paper_logs/ (default: {DEFAULT_SOURCE})")
    p.set_defaults(func=run_sync)

    p = subparsers.add_parser(
        "import", help="copy digest files or folders into your library",
        description="Copy digests (*.md named for their day: 2024/08/07.md, 2024-08-07.md) into your library, "
        "one file per day. A day already there is not doubled; other files are skipped with a warning.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="digest files or folders (searched recursively)")
    p.add_argument("--replace", action="store_true",
                   help="take the imported copy of a day the library holds differently (default: keep the library's)")
    p.set_defaults(func=run_import)


class _Progress:
    """Git's progress on one stderr line, rewritten in place; only when stderr is a terminal."""

    def __init__(self, stream) -> None:
        self.stream = getattr(stream, "unguarded", stream)  # its text is ours; its "\r" rewrites the line
        self.live = self.stream.isatty()
        self.width = 0

    def __call__(self, phase: str, fraction: float | None) -> None:
        if not self.live:
            return
        text = f"sync: {phase}" + ("" if fraction is None else f" {fraction:4.0%}")
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def close(self) -> None:
        if self.live and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def run_sync(args: argparse.Namespace) -> int:
    progress = _Progress(sys.stderr)
    try:
        result = sync(args.source, progress=progress)
    finally:
        progress.close()
    sys.stdout.write(result.summary() + "\n")
    return 0


def run_import(args: argparse.Namespace) -> int:
    result = import_paths(args.paths, replace=args.replace)
    for warning in result.warnings:
        warn(warning)
    out = sys.stdout
    for item in result.added:
        verb = "replaced" if item.replaced else "added"
        out.write(f"{verb} {item.date}  {count(item.papers, 'paper')}  ({visible_line(str(item.source))})\n")
    out.write(result.summary() + "\n")
    return 0
