"""sync, import: filling the library folder (see 'daily-papers paths')."""

from __future__ import annotations

import argparse
import sys

from reader.commands.common import MAX_WARNINGS, StatusLine, bar, time_left, warn
from reader.sources.importer import import_paths
from reader.core.sanitize import visible_line
from reader.core.words import count
from reader.sources.archive import DEFAULT_SOURCE, sync
from reader.errors import UsageError, UserError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sync", help="bring the public archive into your library (new days only after the first time)",
        description="Fetch the archive's digests (paper_logs/YYYY/MM/DD.md) into your library with git, and "
        "print one line: how many new days and papers. A failed sync changes nothing. Needs git.")
    p.add_argument("--source", metavar="URL",
                   help="any git URL or file:// path holding paper_logs/; remembered once a sync from it works "
                   "(sync_source in config.json): later syncs, and the reader's 'Sync archive', use it "
                   f"(default: the last one given, else {DEFAULT_SOURCE})")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--archive-only", action="store_true", help="only the Korean archive (git)")
    which.add_argument("--hf-only", action="store_true", help="only the days from Hugging Face's API")
    p.add_argument("--since", metavar="DATE", type=_day, help="first Hugging Face day (YYYY-MM-DD)")
    p.add_argument("--until", metavar="DATE", type=_day, help="last Hugging Face day (default: today, UTC)")
    p.add_argument("--refresh", action="store_true",
                   help="fetch every Hugging Face day in range again (default: new days and the last two)")
    p.set_defaults(func=run_sync)

    p = subparsers.add_parser(
        "import", help="copy digest files or folders into your library",
        description="Copy digests (*.md named for their day: 2024/08/07.md, 2024-08-07.md) into your library, "
        "one file per day. A day already there is not doubled; other files are skipped with a warning.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="digest files or folders (searched recursively)")
    p.add_argument("--replace", action="store_true",
                   help="take the imported copy of a day the library holds differently (default: keep the library's)")
    p.set_defaults(func=run_import)


class _Progress(StatusLine):
    """Git's progress."""

    def __call__(self, phase: str, fraction: float | None) -> None:
        if self.live:
            self.show(f"sync: {phase}" + ("" if fraction is None else f" {fraction:4.0%}"))


def _day(text: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


class _DaysProgress(_Progress):
    """Hugging Face days: a bar with days, papers and the time left."""

    def days(self, state) -> None:
        if not self.live or not state.days_total:
            return
        done, total = state.days_done, state.days_total
        self.show(f"hugging face {bar(done, total)} {done}/{total} days · {state.papers:,} papers"
                  f"{time_left(state.eta())}")


def run_sync(args: argparse.Namespace) -> int:
    from reader.core.config import load_config
    from reader import paths as app_paths

    if args.archive_only and (args.since or args.until or args.refresh):
        raise UsageError("--since, --until and --refresh are about Hugging Face days; drop --archive-only")
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    config = load_config(app_paths.config_path())
    source = args.source or config.sync_source or DEFAULT_SOURCE
    failed = 0
    if not args.hf_only:
        progress = _Progress(sys.stderr)
        try:
            try:
                result = sync(source, progress=progress)
            finally:
                progress.close()  # the progress line is gone before anything else is written
        except UserError as exc:
            if args.archive_only or getattr(exc, "library_unusable", False):
                raise  # (a library that cannot be used: the Hugging Face days could not be written either)
            print(f"daily-papers: error: archive: {exc}", file=sys.stderr)
            failed += 1
        else:
            if args.source and args.source != config.sync_source:
                _remember_source(args.source)
            for warning in result.warnings:  # days not copied, each naming its file
                print(f"daily-papers: warning: {warning}", file=sys.stderr)
            library = app_paths.library_dir()
            for rel in result.updated:  # nothing in the library is replaced without a line naming it
                print(f"daily-papers: note: {library / rel}: replaced by the archive's copy (they differed)",
                      file=sys.stderr)
            sys.stdout.write(("archive: " if not args.archive_only else "") + result.summary() + "\n")
    if not args.archive_only:
        from reader.sources.hf_sync import open_hub, sync_hf

        progress = _DaysProgress(sys.stderr)
        http = open_hub(endpoint_setting=config.hf_endpoint,
                        per_5min=config.hf_requests_per_5min)
        try:
            hf = sync_hf(http=http, since=args.since, until=args.until, refresh=args.refresh, progress=progress.days)
        finally:
            progress.close()
            http.close()
        for line in [*hf.warnings[:MAX_WARNINGS], *hf.failed]:
            print(f"daily-papers: warning: {line}", file=sys.stderr)
        sys.stdout.write("hugging face: " + hf.summary() + "\n")
        failed += bool(hf.failed or hf.offline)
    return 1 if failed else 0


def _remember_source(source: str) -> None:
    """A --source a sync worked from: the next syncs use it (config.json's sync_source, the other settings
    kept as they are). A config.json that cannot be written: one warning, the sync stands."""
    from reader import paths as app_paths
    from reader.core.config import save_setting

    try:
        save_setting(app_paths.config_path(), "sync_source", source)
    except (OSError, ValueError) as exc:
        warn(f"the source was not remembered for the next sync ({visible_line(str(exc))})")


def run_import(args: argparse.Namespace) -> int:
    result = import_paths(args.paths, replace=args.replace)
    for warning in result.warnings:
        warn(warning)
    out = sys.stdout
    for item in result.added:
        verb = "replaced" if item.replaced else "added"
        was = f"; it replaces {visible_line(str(item.removed))}" if item.removed else ""
        out.write(f"{verb} {item.date}  {count(item.papers, 'paper')}  ({visible_line(str(item.source))}{was})\n")
    out.write(result.summary() + "\n")
    return 0
