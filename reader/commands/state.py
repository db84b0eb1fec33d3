"""mark, state export, state import: the reading state (read and starred marks) from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reader import paths as app_paths
from reader.commands.common import open_library, warn
from reader.core.parse import typed_arxiv_id
from reader.core.sanitize import visible_line
from reader.core.state import StateStore, export_data, marks_from_export
from reader.core.state_export import dump_export
from reader.core.words import count
from reader.errors import UsageError, UserError

ACTIONS = {"read": {"read": True}, "unread": {"read": False}, "star": {"starred": True},
           "unstar": {"starred": False}}
MARK_USAGE = "daily-papers mark (--read | --unread | --star | --unstar) [--state FILE] ARXIV_ID ... [PATH ...]"


def _add_state_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state", metavar="FILE",
                        help=f"the state file (default: ${app_paths.STATE_ENV}, else see 'daily-papers paths')")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "mark", help="mark papers read, unread, starred or unstarred",
        usage=MARK_USAGE,
        description="Mark papers by arXiv id. The ids must be in the library (default: yours; PATHs after the "
        "ids name other digest files or folders). Unknown ids are an error and nothing is written.",
    )
    action = p.add_mutually_exclusive_group(required=True)
    for name in ACTIONS:
        action.add_argument(f"--{name}", dest="action", action="store_const", const=name,
                            help=f"mark them {name}" + ("red" if name.endswith("star") else ""))
    _add_state_option(p)
    p.add_argument("items", nargs="+", metavar="ARXIV_ID", help="arXiv ids (or links), then optional PATHs")
    p.set_defaults(func=run_mark)

    p = subparsers.add_parser("state", help="export or import your read and starred marks (JSON)",
                              description="Back up or move your reading state.")
    sub = p.add_subparsers(dest="state_command", metavar="ACTION", required=True)
    e = sub.add_parser("export", help="write every mark as JSON (standard output, or -o FILE)",
                       description="Write every mark (with the time it changed) as JSON.")
    _add_state_option(e)
    e.add_argument("-o", "--output", metavar="FILE",
                   help="write to FILE instead of standard output ('-': standard output)")
    e.set_defaults(func=run_export)
    i = sub.add_parser("import", help="merge marks from an export: the newest change of each paper wins",
                       description="Merge marks from a 'state export' file (or a state file) into yours, paper "
                       "by paper: whichever change is newer wins. '-' reads standard input.")
    i.add_argument("file", metavar="FILE")
    _add_state_option(i)
    i.set_defaults(func=run_import)


def _open_store(args: argparse.Namespace) -> StateStore:
    store = StateStore(app_paths.state_path(args.state))
    if store.unreadable:  # (a FIFO, a device, a folder, a lock held too long): no change could be saved
        store.close()
        raise UserError(f"the reading state was not saved: {store.unreadable}")
    _print_notices(store)
    return store


def _print_notices(store: StateStore) -> None:
    for notice in store.notices:
        warn(notice)
    store.notices.clear()


def _require_saved(store: StateStore) -> None:
    if store.unsaved_ids():
        reason = store.notices[-1] if store.notices else str(store.path)
        raise UserError(f"the reading state was not saved: {reason}")


def split_ids_and_paths(items: list[str]) -> tuple[list[str], list[str]]:
    """arXiv ids (anything that reads as one and is not a file or folder here) and PATHs."""
    ids: list[str] = []
    paths: list[str] = []
    for item in items:
        found = typed_arxiv_id(item)
        if found is not None and not Path(item).exists():
            ids.append(found)
        else:
            paths.append(item)
    return list(dict.fromkeys(ids)), paths


def run_mark(args: argparse.Namespace) -> int:
    ids, paths = split_ids_and_paths(args.items)
    if not ids:
        raise UsageError(f"mark: no arXiv id given (usage: {MARK_USAGE})")
    library = open_library(paths)
    unknown = [i for i in ids if library.get(i) is None]
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise UserError(f"not in the library: {shown} (nothing was marked)")
    with _open_store(args) as store:
        store.update(ids, **ACTIONS[args.action])
        _require_saved(store)
        _print_notices(store)
    print(f"marked {count(len(ids), 'paper')} {args.action}" + ("red" if args.action.endswith("star") else ""))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from reader.commands.common import named_state_file, output_file, write_output_file

    target = output_file(args.output)
    named_state_file(args.state)
    with StateStore(app_paths.state_path(args.state)) as store:
        if store.unreadable:  # an export of the marks it could not read would be an empty backup
            raise UserError(f"{store.unreadable}; nothing was exported")
        _print_notices(store)
        marks = store.marks()
    text = dump_export(export_data(marks))
    if target:
        write_output_file(args.output, text)
        print(f"wrote {count(len(marks), 'mark')} to {visible_line(args.output)}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from reader.core.files import FileRefused, load_json, read_regular
    from reader.core.limits import MAX_STATE_BYTES

    source = "standard input" if args.file == "-" else visible_line(args.file)
    try:
        if args.file == "-":
            raw = sys.stdin.buffer.read(MAX_STATE_BYTES + 1)
            if len(raw) > MAX_STATE_BYTES:
                raise FileRefused(source, f"more than a state export may be ({MAX_STATE_BYTES // 2**20} MB)")
        else:  # never a FIFO that waits, a device that never ends, a file of gigabytes
            raw = read_regular(Path(args.file).expanduser(), MAX_STATE_BYTES, what="a state export")
    except FileRefused as exc:
        raise UserError(f"{exc}; nothing was imported") from None
    except OSError as exc:
        raise UserError(f"cannot read {source}: {exc.strerror or exc}") from None
    try:
        data = load_json(raw, encoding="utf-8-sig")
    except ValueError as exc:
        raise UserError(f"{source} is not valid JSON ({str(exc).splitlines()[0][:80]}); nothing was imported") \
            from None
    incoming = marks_from_export(data, source)
    with _open_store(args) as store:
        taken = store.merge(incoming)
        _require_saved(store)
        _print_notices(store)
    kept = len(incoming) - len(taken)
    print(f"imported {source}: {count(len(incoming), 'mark')}, {len(taken)} taken (newer), {kept} kept as "
          f"{'it was' if kept == 1 else 'they were'}")
    return 0
