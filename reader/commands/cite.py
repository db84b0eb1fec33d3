"""cite: one paper's citation (BibTeX as arXiv gives it, APA 7, Markdown, RIS or the bare arXiv id)."""

from __future__ import annotations

import argparse
import sys

from reader.commands.common import (
    add_paths_argument, citations, open_library, open_metadata, parse_arxiv_id, read_config, require_paper,
    unverified_note,
)
from reader.core.cite import FORMATS, format_citation


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "cite",
        help="print a citation of one paper (BibTeX, APA, Markdown, arXiv id, RIS)",
        description="Print a citation of one paper. BibTeX follows arXiv's own export (key, title, "
        "authors, year, eprint, primaryClass, url) and builds with pdfLaTeX (utf8 input, T1 fonts). The "
        "authors and year are arXiv's or Hugging Face's where 'daily-papers enrich' or 'sync' fetched them; "
        "else the archive's list, and a warning says its order is unverified.",
    )
    p.add_argument("arxiv_id", type=parse_arxiv_id, metavar="ARXIV_ID", help="the paper (an id or an arXiv link)")
    add_paths_argument(p)
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="citation format (default: citation_format in config.json, else bibtex)")
    p.set_defaults(func=run_cite)


def run_cite(args: argparse.Namespace) -> int:
    fmt = args.format or read_config().citation_format
    library = open_library(args.paths)
    paper = require_paper(library, args.arxiv_id)
    with open_metadata() as store:
        (cited,) = citations([paper], store)
    sys.stdout.write(format_citation(cited, fmt) + "\n")
    note = unverified_note([cited], one=True) if fmt != "arxiv" else None
    if note:
        print(f"daily-papers: warning: {note}", file=sys.stderr)
    return 0
