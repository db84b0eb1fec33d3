"""dates, list, show, search: reading the library from the command line."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from reader.commands.common import (
    SimilarProgress,
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

if TYPE_CHECKING:
    import argparse


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

    p = subparsers.add_parser("search", help="find papers by words in titles, authors and summaries, best first",
                              description="Case-insensitive search in titles, keywords, authors and the Korean "
                              "summaries, best match first (the title counts most); every word and \"quoted "
                              "phrase\" must match. Filters: is:starred, is:unread, has:note, votes:>=N (>, <, "
                              "<=, =), date:YYYY[-MM[-DD]], since:DATE, until:DATE, author:\"Name\", lang:ko|en.")
    p.add_argument("query", metavar="QUERY")
    add_paths_argument(p)
    p.add_argument("--sort", choices=tuple(ORDER_WORDS), default="relevance",
                   help="best match first (default), newest first, or most votes first")
    shown = p.add_mutually_exclusive_group()
    shown.add_argument("--limit", type=_positive, default=SHOWN, metavar="N",
                       help=f"print the first N papers (default {SHOWN}; a line on stderr says how many more match)")
    shown.add_argument("--all", action="store_true", help="print every paper that matches")
    p.add_argument("--state", metavar="FILE", help="the state file (is:starred, is:unread; default: see "
                   "'daily-papers paths')")
    p.add_argument("--json", action="store_true", help="print JSON (a list of papers)")
    p.set_defaults(func=run_search)

    p = subparsers.add_parser("similar", help="the papers of the library most like one paper, with a score",
                              description="The papers most like ARXIV_ID (tf-idf over English terms and "
                              "Korean syllable pairs, cosine similarity), best first: 'SCORE  DATE  VOTES  "
                              "ARXIV_ID  TITLE'.")
    p.add_argument("arxiv_id", type=parse_arxiv_id, metavar="ARXIV_ID")
    add_paths_argument(p)
    p.add_argument("-n", type=_positive, default=10, metavar="N", help="how many papers (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON (a list of papers, each with its score)")
    p.set_defaults(func=run_similar)


SHOWN = 20  # search's results printed unless --limit or --all says otherwise
ORDER_WORDS = {"relevance": "best first", "date": "newest first", "votes": "most votes first"}


def simple_args(argv: list[str]) -> "argparse.Namespace | None":
    """The usual command lines of dates, list and search (`search QUERY [PATH ...]`: no option but --debug)
    read without argparse, as reader.startup.simple_tui_args reads the reader's: importing argparse, the
    gettext, locale and shutil it brings, and building the parser cost these commands about 10 ms. None for
    anything else (an option, help, --, an empty argument): argparse reads those, and tests/system/test_cli.py
    checks that both read the usual ones alike."""
    from types import SimpleNamespace

    words = [arg for arg in argv if arg != "--debug"]
    if not words or any(not arg or arg.startswith("-") for arg in words):
        return None
    command, rest = words[0], words[1:]
    fields: dict = {"debug": len(words) < len(argv), "command": command}
    if command == "dates":
        fields.update(func=run_dates, paths=rest)
    elif command == "list":
        fields.update(date=None, all=False, starred=False, unread=False, state=None, json=False, func=run_list,
                      paths=rest)
    elif command == "search" and rest:
        fields.update(sort="relevance", limit=SHOWN, all=False, state=None, json=False, func=run_search,
                      query=rest[0], paths=rest[1:])
    else:
        return None
    return SimpleNamespace(**fields)  # type: ignore[return-value]


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"a whole number of 1 or more, not {text!r}")
    return value


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
        import json

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
    import textwrap

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


def _marks(query, state: str | None):
    """The marks a query's filters need, from the state store (read once; nothing when none is needed)."""
    from reader.core.finding import Marks, marks_for

    if not query.needs_marks:
        return Marks()
    from reader import paths as app_paths
    from reader.commands.common import named_state_file
    from reader.core.state import StateStore

    named_state_file(state)
    store = StateStore(app_paths.state_path(state), settle_later=True)
    try:
        return marks_for(query, store)
    finally:
        store.close()


def run_search(args: argparse.Namespace) -> int:
    from reader.core import finding
    from reader.core.sanitize import visible_line
    from reader.errors import UsageError

    try:
        query = finding.parse(args.query)
    except finding.QueryError as exc:
        raise UsageError(f"search: {exc}") from None
    if query.empty():
        raise UsageError("search: give the words to find (every word must match)")
    marks = _marks(query, args.state)
    library = open_library(args.paths)
    limit = None if args.all else args.limit
    if args.json:
        results = finding.search(library, query, sort=args.sort, limit=limit or 10**9, marks=marks)
        papers: list = [hit.paper for hit in results.hits]
        total = results.total
    else:  # a line per paper: the index gives those fields alone, no summary is read
        papers, total = finding.listing(library, query, sort=args.sort, limit=limit, marks=marks)
    _print_papers(papers, args.json)
    if not papers:  # grep's convention: nothing found is exit 1 (and a line on stderr saying so)
        print(f"daily-papers: no paper matches '{visible_line(args.query)}'", file=sys.stderr)
        return 1
    if total > len(papers):  # ranked: the best come first, and the rest is one option away
        from reader.core.words import count

        print(f"daily-papers: {len(papers):,} of {count(total, 'paper')} shown, {ORDER_WORDS[args.sort]}; "
              f"--limit N or --all for more", file=sys.stderr)
    return 0


def run_similar(args: argparse.Namespace) -> int:
    from reader.core import finding
    from reader.errors import UserError

    library = open_library(args.paths)
    require_paper(library, args.arxiv_id)
    progress = SimilarProgress(sys.stderr)  # (on a terminal: weighing every paper the first time takes a while)
    try:
        found = finding.similar(library, args.arxiv_id, args.n, progress)
    finally:
        progress.close()
    if found is None:
        raise UserError(f"similar papers need the library's index, which cannot be used here "
                        f"(see the notice above); nothing is compared for {args.arxiv_id}")
    if args.json:
        import json

        json.dump([{**paper.to_dict(), "score": score} for paper, score in found], sys.stdout, ensure_ascii=False,
                  indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write("".join(f"{score:.3f}  {_line(paper)}\n" for paper, score in found))
    return 0
