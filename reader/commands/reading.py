"""dates, list, show, search: reading the library from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from reader.commands.common import (
    add_paths_argument,
    open_library,
    parse_arxiv_id,
    parse_date,
    require_paper,
    resolve_date,
    warn,
)
from reader.core import limits
from reader.core.limits import cut, marker
from reader.core.library import Brief
from reader.core.model import Paper
from reader.core.text import plain_text


def register(subparsers) -> None:
    p = subparsers.add_parser("dates", help="one line per day, newest first: date and paper count",
                              description="Print one line per day, newest first: 'YYYY-MM-DD  N'.")
    add_paths_argument(p)
    p.set_defaults(func=run_dates)

    p = subparsers.add_parser("list", help="the papers of a day (default: the newest), by votes",
                              description="List papers by votes: 'DATE  VOTES  ARXIV_ID  TITLE'. "
                              "Default: the newest day.")
    add_paths_argument(p)
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--date", type=parse_date, help="the day to list (YYYY-MM-DD or 'latest')")
    scope.add_argument("--all", action="store_true", help="every day, newest first")
    p.add_argument("--starred", action="store_true", help="only starred papers (every day unless --date)")
    p.add_argument("--unread", action="store_true", help="only unread papers (every day unless --date)")
    p.add_argument("--state", metavar="FILE", help="the state file (default: see 'daily-papers paths')")
    p.add_argument("--json", action="store_true", help="print JSON (a list of papers)")
    p.set_defaults(func=run_list)

    p = subparsers.add_parser("show", help="one paper: title, authors, votes, link and summary",
                              description="Print one paper as plain text.")
    p.add_argument("arxiv_id", type=parse_arxiv_id, metavar="ARXIV_ID")
    add_paths_argument(p)
    p.set_defaults(func=run_show)

    p = subparsers.add_parser("search", help="find papers by words in titles, authors and summaries",
                              description="Case-insensitive search in titles, authors and the Korean "
                              "summaries; every word must match. The word has:note keeps only papers with a note "
                              "(e in the reader).")
    p.add_argument("query", metavar="QUERY")
    add_paths_argument(p)
    p.add_argument("--json", action="store_true", help="print JSON (a list of papers)")
    p.set_defaults(func=run_search)


def run_dates(args: argparse.Namespace) -> int:
    library = open_library(args.paths)
    out = sys.stdout
    for date, papers in library.day_counts():
        out.write(f"{date}  {papers}\n")
    return 0


def _line(paper: "Paper | Brief") -> str:
    votes = "-" if paper.votes is None else str(paper.votes)
    return f"{paper.date}  {votes:>4}  {paper.arxiv_id:<12}  {paper.title}"


def _print_papers(papers: "list[Paper] | list[Brief]", as_json: bool) -> None:
    if as_json:
        json.dump([p.to_dict() for p in papers], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    sys.stdout.write("".join([_line(paper) + "\n" for paper in papers]))  # one write: thousands of lines at 10x


def select_papers(library, args: argparse.Namespace) -> list[Paper]:
    starred, unread = getattr(args, "starred", False), getattr(args, "unread", False)
    if getattr(args, "all", False) or ((starred or unread) and not args.date):
        papers = list(library.papers())
    else:
        day = library.day(resolve_date(library, args.date or "latest"))
        papers = list(day.papers) if day else []
    if starred or unread:
        from reader import paths as app_paths
        from reader.commands.common import named_state_file
        from reader.core.state import StateStore

        named_state_file(getattr(args, "state", None))

        store = StateStore(app_paths.state_path(getattr(args, "state", None)))
        try:
            keep = store.starred_ids() if starred else None
            read = store.read_ids() if unread else set()
        finally:
            store.close()
        seen: set[str] = set()
        chosen = []
        for paper in papers:  # a paper on two days is listed once (its newest day) when filtering by state
            if paper.arxiv_id in seen or (keep is not None and paper.arxiv_id not in keep) or paper.arxiv_id in read:
                continue
            seen.add(paper.arxiv_id)
            chosen.append(paper)
        papers = chosen
    return papers


def run_list(args: argparse.Namespace) -> int:
    library = open_library(args.paths)
    _print_papers(select_papers(library, args), args.json)
    return 0


def _shown(text: str, limit: int) -> str:
    part, more = cut(text, limit)
    return part + (" " + marker(more) if more else "")


def format_paper(paper: Paper, width: int = 100) -> str:
    """The paper as plain text, cut where the reader cuts it (reader.core.limits; export has it whole)."""
    votes = "-" if paper.votes is None else str(paper.votes)
    lines = [_shown(paper.title, limits.SHOWN_TITLE_CHARS), ""]
    lines.append(f"arXiv:   {paper.arxiv_id}   {paper.url}")
    lines.append(f"Date:    {paper.date}   Votes: {votes}")
    if paper.authors:
        names = _shown(", ".join(paper.authors[:limits.SHOWN_AUTHORS]), limits.SHOWN_AUTHOR_CHARS)
        if len(paper.authors) > limits.SHOWN_AUTHORS:
            names += f", … +{len(paper.authors) - limits.SHOWN_AUTHORS:,} more"
        lines.extend(textwrap.wrap("Authors: " + names, width, subsequent_indent="         "))
    budget = limits.SHOWN_PAPER_CHARS
    for index, section in enumerate(paper.sections):
        if budget <= 0:
            lines.extend(["", marker(len(paper.sections) - index, "section")])
            break
        shown, more = cut(section.markdown, min(limits.SHOWN_SECTION_CHARS, budget))
        budget -= len(shown)
        lines.extend(["", f"## {_shown(section.name, limits.SHOWN_NAME_CHARS)}", plain_text(shown)])
        if more:
            lines.append(marker(more))
    return "\n".join(lines)


def run_show(args: argparse.Namespace) -> int:
    library = open_library(args.paths)
    paper = require_paper(library, args.arxiv_id)
    report = limits.cut_report(paper)
    if report:
        warn(report)
    sys.stdout.write(format_paper(paper) + "\n")
    return 0


def run_search(args: argparse.Namespace) -> int:
    from reader.core.library import search_terms
    from reader.core.sanitize import visible_line
    from reader.errors import UsageError

    if not search_terms(args.query):
        raise UsageError("search: give the words to find (every word must match)")
    from reader.core.state_notes import search_with_notes, split_has_note

    library = open_library(args.paths)
    if split_has_note(args.query)[1]:  # has:note: only papers with a note (reader.core.state_notes)
        from reader import paths as app_paths
        from reader.core.state import StateStore

        store = StateStore(app_paths.state_path(), settle_later=True)
        found = search_with_notes(library.search, store.notes(), library.get, args.query)
        papers = found if args.json else [Brief(p.date, p.votes, p.arxiv_id, p.title) for p in found]
    else:
        # Without --json a line per paper: the index gives those fields alone, no summary is read.
        papers = library.search(args.query) if args.json else library.search_brief(args.query)
    _print_papers(papers, args.json)
    if not papers:  # grep's convention: nothing found is exit 1 (and a line on stderr saying so)
        print(f"daily-papers: no paper matches '{visible_line(args.query)}'", file=sys.stderr)
        return 1
    return 0
