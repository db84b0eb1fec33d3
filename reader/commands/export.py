"""export: many papers at once, as JSON, BibTeX, RIS, CSV or a Markdown reading list."""

from __future__ import annotations

import argparse
import sys

from reader.commands.common import (
    UserError,
    add_paths_argument,
    citations,
    open_library,
    open_metadata,
    output_file,
    parse_date,
    resolve_date,
    unverified_note,
    write_output_file,
)
from reader.core.cite import unique_papers
from reader.core.exporters import EXPORT_FORMATS, export_json, export_papers, format_for_path
from reader.core.model import Paper
from reader.core.sanitize import visible_line
from reader.core.words import count

FORMATS = EXPORT_FORMATS
CITING_FORMATS = ("bibtex", "ris", "csv", "markdown")  # the ones that name authors
DEFAULT_FORMAT = "json"

__all__ = ["FORMATS", "export_json", "register", "run_export", "starred_ids"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export",
        help="write papers out (JSON, BibTeX, RIS, CSV, Markdown)",
        description="Write every paper (or one day's, or the starred ones) to standard output or a file: "
        "newest day first, by votes within a day. BibTeX and RIS name each paper once; a .bib file gets "
        "unique keys. Authors, year, category and DOI are arXiv's or Hugging Face's where 'daily-papers "
        "enrich' or 'sync' fetched them; a note says how many entries rest on the archive's list alone.",
    )
    add_paths_argument(p)
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: from the -o file name's ending, else json)")
    p.add_argument("--date", type=parse_date, help="only this day (YYYY-MM-DD or 'latest')")
    p.add_argument("--starred", action="store_true", help="only starred papers (each once, at its newest day)")
    p.add_argument("--state", metavar="FILE", help="the state file holding the stars (default: see 'daily-papers paths')")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output (a file is replaced whole, atomically, keeping its mode; a link is written through; '-' is standard output)")
    p.set_defaults(func=run_export)


def _notes(state: str | None) -> dict[str, str]:
    """The user's notes (reader.core.state_notes), for the Markdown reading list; none without a state."""
    from reader import paths as app_paths
    from reader.core.state import StateStore

    path = app_paths.state_path(state)
    if not path.exists() and not path.with_name(path.name + ".notes").exists():
        return {}
    return StateStore(path, settle_later=True).notes()


def starred_ids(state: str | None) -> set[str]:
    """The starred arXiv ids in the state file. A state file that does not exist yet holds no stars (and
    is not created); one named with --state must exist."""
    from reader import paths as app_paths
    from reader.core.state import StateStore

    path = app_paths.state_path(state)
    if not path.exists() and not any(path.parent.glob(path.name + ".*")):
        if state:
            raise UserError(f"no such state file: {state} (see 'daily-papers paths' for yours)")
        return set()
    try:
        store = StateStore(path)
    except OSError as exc:
        raise UserError(f"cannot read the state file {path}: {exc.strerror or exc}") from None
    try:
        return set(store.starred_ids())
    finally:
        store.close()


def select(library, args: argparse.Namespace) -> list[Paper]:
    if args.date:
        day = library.day(resolve_date(library, args.date))
        papers = list(day.papers) if day else []
    else:
        papers = list(library.papers())
    if args.starred:
        wanted = starred_ids(args.state)
        seen: set[str] = set()
        chosen = []
        for paper in papers:
            if paper.arxiv_id in wanted and paper.arxiv_id not in seen:
                seen.add(paper.arxiv_id)
                chosen.append(paper)
        if not chosen:
            where = f" on {args.date}" if args.date else ""
            raise UserError(f"no starred papers{where} in the library (star papers with 's' in the reader)")
        if not args.date:
            missing = len(wanted - seen)
            if missing:
                print(f"daily-papers: note: {count(missing, 'starred paper')} "
                      f"{'is' if missing == 1 else 'are'} not in this library", file=sys.stderr)
        papers = chosen
    return papers


def run_export(args: argparse.Namespace) -> int:
    target = output_file(args.output)  # before the work: a folder that is not there is an error at once
    fmt = args.format or (format_for_path(args.output) if target else None) or DEFAULT_FORMAT
    library = open_library(args.paths)
    papers = select(library, args)
    with open_metadata() as store:
        text = export_papers(papers, fmt, store, _notes(args.state) if fmt == "markdown" else None)
        note = unverified_note(citations(unique_papers(papers), store), enrich_command(args)) \
            if fmt in CITING_FORMATS else None
    if target:
        write_output_file(args.output, text)
        written = len(unique_papers(papers)) if fmt in ("bibtex", "ris") else len(papers)
        print(f"wrote {count(written, 'paper')} to {visible_line(args.output)} ({fmt})", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if note:
        print(f"daily-papers: note: {note}", file=sys.stderr)
    return 0


def enrich_command(args: argparse.Namespace) -> str:
    """The enrich command that verifies what this export holds."""
    which = "--starred" if args.starred else f"--date {args.date}" if args.date else "--all"
    return f"daily-papers enrich {which}"
