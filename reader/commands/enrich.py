"""enrich: fetch arXiv's metadata (authors in order, versions' dates, category, DOI) for papers, so that their
citations are verified (reader.sources.arxiv)."""

from __future__ import annotations

import argparse
import sys
import time

from reader.commands.common import (MAX_WARNINGS, StatusLine, bar, open_library, open_metadata, parse_date,
                                    resolve_date)
from reader.errors import UsageError, UserError

USAGE = "daily-papers enrich [--starred | --date D | --all] [--refresh] [ARXIV_ID ...] [PATH ...]"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "enrich", help="fetch arXiv's metadata for citations (authors in order, year, category, DOI)",
        usage=USAGE,
        description="Ask arXiv's API for the metadata of papers (the library's, its starred ones, one day's, "
        "or the ARXIV_IDs given) and keep it in the data folder: citations then name the paper's authors in "
        "order, arXiv's year, category and DOI. arXiv's terms are kept: 100 papers a request, one request "
        "every 3 seconds, each paper asked once (and again after 30 days, for new versions). Only the ids "
        "are sent. Default: every paper of the library.")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--starred", action="store_true", help="the starred papers")
    which.add_argument("--date", type=parse_date, help="one day's papers (YYYY-MM-DD or 'latest')")
    which.add_argument("--all", action="store_true", help="every paper of the library (the default)")
    p.add_argument("--refresh", action="store_true", help="ask again for papers already known")
    p.add_argument("--state", metavar="FILE", help="the state file holding the stars (with --starred)")
    p.add_argument("items", nargs="*", metavar="ARXIV_ID", help="arXiv ids (or links), then optional PATHs")
    p.set_defaults(func=run_enrich)


class _Bar(StatusLine):
    """Papers done, and the time left at arXiv's pace."""

    def __call__(self, done: int, total: int) -> None:
        if not self.live or not total:
            return
        from reader.sources.arxiv import BATCH, GAP_SECONDS

        left = int(-(-(total - done) // BATCH) * GAP_SECONDS)
        self.show(f"arxiv {bar(done, total)} {done:,}/{total:,} papers · {left // 60}:{left % 60:02d} left")


def wanted_ids(args: argparse.Namespace) -> list[str]:
    from reader.commands.export import starred_ids
    from reader.commands.state import split_ids_and_paths

    ids, paths = split_ids_and_paths(args.items)
    if ids and (args.starred or args.date or args.all):
        raise UsageError(f"enrich: give ARXIV_IDs or --starred/--date/--all, not both (usage: {USAGE})")
    if ids:
        return ids
    library = open_library(paths)
    if args.date:
        day = library.day(resolve_date(library, args.date))
        papers = [p.arxiv_id for p in day.papers] if day else []
    else:
        papers = [p.arxiv_id for p in library.papers()]
    if args.starred:
        stars = starred_ids(args.state)
        papers = [i for i in papers if i in stars]
        if not papers:
            raise UserError("no starred papers in the library (star papers with 's' in the reader)")
    return list(dict.fromkeys(papers))


def run_enrich(args: argparse.Namespace) -> int:
    from reader import paths as app_paths
    from reader.core.config import load_config
    from reader.sources.arxiv import enrich, open_arxiv

    ids = wanted_ids(args)
    config = load_config(app_paths.config_path())
    bar = _Bar(sys.stderr)
    started = time.monotonic()
    with open_metadata(write=True) as store, open_arxiv(config.arxiv_api) as http:
        try:
            result = enrich(store, http, ids, refresh=args.refresh, progress=bar)
        finally:
            bar.close()
        notices = list(store.notices)
    problems = [*notices, *result.failed]
    if result.invalid:
        problems.append(f"{len(result.invalid)} ids are not arXiv ids arXiv's API takes: "
                        + ", ".join(result.invalid[:5]))
    if result.unsaved:
        problems.append("the metadata could not be saved: it was fetched for nothing (see the line above)")
    for line in problems[:MAX_WARNINGS]:
        print(f"daily-papers: warning: {line}", file=sys.stderr)
    if result.offline:
        sys.stdout.write(f"offline: {result.offline}; {result.summary()}\n")
        return 1
    elapsed = time.monotonic() - started
    sys.stdout.write(f"arxiv: {result.summary()} in {elapsed:.0f} s\n")
    return 1 if result.failed or result.unsaved else 0
