"""export: many papers at once, as JSON (other formats join here)."""

from __future__ import annotations

import argparse
import json
import sys

from reader.commands.common import add_paths_argument, open_library, parse_date, resolve_date

FORMATS = ("json",)


def register(subparsers) -> None:
    p = subparsers.add_parser("export", help="write papers out (JSON)",
                              description="Write every paper (or one day's) to standard output or a file.")
    add_paths_argument(p)
    p.add_argument("--format", choices=FORMATS, default="json", help="output format (default: json)")
    p.add_argument("--date", type=parse_date, help="only this day (YYYY-MM-DD or 'latest')")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=run_export)


def export_json(papers) -> str:
    return json.dumps({"papers": [p.to_dict() for p in papers]}, ensure_ascii=False, indent=1) + "\n"


def run_export(args: argparse.Namespace) -> int:
    library = open_library(args.paths)
    if args.date:
        day = library.day(resolve_date(library, args.date))
        papers = list(day.papers) if day else []
    else:
        papers = list(library.papers())
    text = export_json(papers)
    if args.output:
        from reader.core.atomic import write_text_atomic

        write_text_atomic(args.output, text)
        print(f"wrote {len(papers)} papers to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
