"""summarize: Korean summaries for the Hugging Face days, written by your own model (reader.sources.summarize)."""

from __future__ import annotations

import argparse
import sys

from reader.commands.common import MAX_WARNINGS, StatusLine, bar, parse_arxiv_id, parse_date, time_left
from reader.errors import UsageError, UserError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "summarize", help="write Korean summaries of Hugging Face days with your own model",
        description="For every paper of the Hugging Face days in range that has no Korean summary yet, ask the "
        "model set in config.json (\"summarizer\": any OpenAI-compatible server) for What's New, Technical "
        "Details and Performance Highlights in Korean, and write them into that day's digest, one paper at a "
        "time (a stopped run loses only the papers in flight; the next one does the rest). The key is read "
        "from the environment variable summarizer.api_key_env names (default OPENAI_API_KEY).")
    p.add_argument("ids", nargs="*", metavar="ARXIV_ID", type=parse_arxiv_id,
                   help="only these papers (default: every Hugging Face day in range)")
    p.add_argument("--date", metavar="DATE", type=parse_date, help="one day (YYYY-MM-DD or 'latest')")
    p.add_argument("--since", metavar="DATE", type=_day, help="first day (YYYY-MM-DD)")
    p.add_argument("--until", metavar="DATE", type=_day, help="last day (YYYY-MM-DD)")
    p.add_argument("--force", action="store_true", help="summarize again papers that have a Korean summary")
    p.add_argument("--dry-run", action="store_true",
                   help="list what would be sent and how many characters; send nothing")
    p.set_defaults(func=run_summarize)


def _day(text: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


class _Bar(StatusLine):
    """Papers done, failures and tokens."""

    def __call__(self, state) -> None:
        if not self.live or not state.total:
            return
        finished = state.done + state.failed
        failed = f" · {state.failed:,} failed" if state.failed else ""
        self.show(f"summarize {bar(finished, state.total)} {state.done}/{state.total} papers{failed} · "
                  f"{state.tokens:,} tokens{time_left(state.eta())}")


def run_summarize(args: argparse.Namespace) -> int:
    from reader import paths as app_paths
    from reader.core.sanitize import clean_line
    from reader.core.summarizer_config import read_summarizer_setting
    from reader.sources import summarize as engine
    from reader.sources.http import where

    if args.ids and (args.date or args.since or args.until):
        raise UsageError("give arXiv ids or a range of days (--date, --since, --until), not both")
    if args.date and (args.since or args.until):
        raise UsageError("--date is one day; drop --since and --until (or --date)")
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    config = app_paths.config_path()
    settings, problems = read_summarizer_setting(config)
    if problems:
        raise UserError(problems[0])
    library = app_paths.library_dir()
    date = args.date
    if date == "latest":
        days = engine.hf_digests(library)
        if not days:
            raise UserError("the library holds no Hugging Face days (run 'daily-papers sync')")
        date = days[-1][0]
    if date and not any(day == date for day, _ in engine.hf_digests(library)):
        days = [day for day, _ in engine.hf_digests(library)]
        newest = f" (the newest: {days[-1]})" if days else " ('daily-papers sync' brings them)"
        raise UserError(f"the library holds no Hugging Face day {date}{newest}; only those days are summarized")
    store = _store()
    try:
        selection = engine.select(library, date=date, since=args.since, until=args.until, ids=args.ids,
                                  force=args.force, store=store)
    finally:
        if store is not None:
            store.close()
    for warning in selection.warnings[:MAX_WARNINGS]:
        print(f"daily-papers: warning: {warning}", file=sys.stderr)
    if selection.unknown:
        more = f" (and {len(selection.unknown) - 1} more)" if len(selection.unknown) > 1 else ""
        raise UserError(f"no Hugging Face day in the library holds {selection.unknown[0]}{more}: only those days "
                        "are summarized (the archive's days have its own summaries; 'daily-papers sync' brings "
                        "new days); nothing was sent")
    if not selection.targets:
        have = f" ({selection.already:,} have one; --force writes them again)" if selection.already else ""
        sys.stdout.write(f"nothing to summarize: no paper in range lacks a Korean summary{have}\n")
        return 0
    target = f"{where(settings.base_url).rstrip('/')} (model {settings.model or 'not set'})"
    if args.dry_run:
        total = 0
        for request in engine.dry_run(selection.targets, settings):
            size = f"{request.characters:>8,}" if request.characters is not None else "       ?"
            total += request.characters or 0
            title = clean_line(request.target.title)[:70]
            sys.stdout.write(f"{request.target.date}  {request.target.arxiv_id:<12} {size} chars  {title}  "
                             f"[{request.note}]\n")
        sys.stdout.write(f"{len(selection.targets):,} papers, {total:,} characters would go to {target}; "
                         "nothing was sent\n")
        return 0
    engine.check_ready(settings, config_path=str(config))
    bar = _Bar(sys.stderr)
    try:
        result = engine.summarize(selection.targets, settings, library=library, progress=bar)
    finally:
        bar.close()
    for line in result.failed[:MAX_WARNINGS]:
        print(f"daily-papers: warning: {line}", file=sys.stderr)
    if len(result.failed) > MAX_WARNINGS:
        print(f"daily-papers: warning: ... and {len(result.failed) - MAX_WARNINGS} more failed", file=sys.stderr)
    if result.fatal:
        print(f"daily-papers: error: {result.fatal}", file=sys.stderr)
    sys.stdout.write(result.summary().removeprefix(f"{result.fatal}; " if result.fatal else "") + "\n")
    return 1 if result.failed or result.fatal else 0


def _store():
    from reader.core.metadata import MetadataStore, default_path

    if not default_path().is_file():
        return None
    return MetadataStore(readonly=True)
