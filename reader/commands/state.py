"""mark, state export, state import: the reading state (read and starred marks) from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reader import paths as app_paths
from reader.commands.common import open_library, parse_date, warn
from reader.core.atomic import write_text_atomic
from reader.core.limits import MAX_STATE_BYTES
from reader.core.parse import typed_arxiv_id
from reader.core.sanitize import visible_line
from reader.core.state import StateStore, export_data, marks_from_export
from reader.core.state_export import dump_export
from reader.core.state_notes import parse_notes
from reader.core.words import count
from reader.errors import UsageError, UserError

ACTIONS = {"read": {"read": True}, "unread": {"read": False}, "star": {"starred": True},
           "unstar": {"starred": False}}
MARK_USAGE = "daily-papers mark (--read | --unread | --star | --unstar) [--state FILE] ARXIV_ID ... [PATH ...]"
DAYS_USAGE = "daily-papers mark --read (--until D | --all) [--state FILE] [PATH ...]; daily-papers mark --undo"
UNDO_FORMAT = "daily-papers-mark-undo"


def _add_state_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state", metavar="FILE",
                        help=f"the state file (default: ${app_paths.STATE_ENV}, else see 'daily-papers paths')")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "mark", help="mark papers read, unread, starred or unstarred",
        usage=f"{MARK_USAGE}\n       {DAYS_USAGE}",
        description="Mark papers by arXiv id. The ids must be in the library (default: yours; PATHs after the "
        "ids name other digest files or folders). Unknown ids are an error and nothing is written. "
        "--read --until D marks every paper of every day up to D read (--all: of every day), in one write; "
        "--undo takes back the last of those (the papers it marked, but for those changed since).",
    )
    action = p.add_mutually_exclusive_group()
    for name in ACTIONS:
        action.add_argument(f"--{name}", dest="action", action="store_const", const=name,
                            help=f"mark them {name}" + ("red" if name.endswith("star") else ""))
    p.add_argument("--undo", action="store_true",
                   help="undo the last 'mark --read --until/--all' that marked any paper")
    days = p.add_mutually_exclusive_group()
    days.add_argument("--until", metavar="D", type=parse_date,
                      help="with --read: every paper of every day up to D (YYYY-MM-DD or 'latest'), D included")
    days.add_argument("--all", action="store_true", help="with --read: every paper of every day")
    _add_state_option(p)
    p.add_argument("items", nargs="*", metavar="ARXIV_ID", help="arXiv ids (or links), then optional PATHs")
    p.set_defaults(func=run_mark)

    p = subparsers.add_parser("state", help="export or import your read and starred marks and notes (JSON)",
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
    if args.undo:
        if args.action or args.items or args.until or args.all:
            raise UsageError(f"mark --undo takes no action, ids, paths, --until or --all (usage: {DAYS_USAGE})")
        return _run_undo(args)
    if args.action is None:
        raise UsageError("mark: one of the arguments --read --unread --star --unstar is required (or --undo) "
                         f"(usage: {MARK_USAGE})")
    if args.until or args.all:
        if args.action != "read":
            raise UsageError(f"--until and --all go with --read (usage: {DAYS_USAGE})")
        return _run_read_days(args)
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


def _undo_path(args: argparse.Namespace) -> Path:
    """Where 'mark --read --until/--all' leaves what --undo needs: beside the state file (the one a link
    points to, as the journal and the lock), private as it is."""
    state = app_paths.state_path(args.state)
    try:
        state = state.resolve()
    except OSError:
        pass
    return state.with_name(state.name + ".mark-undo")


def _run_read_days(args: argparse.Namespace) -> int:
    """mark --read --until D / --all: every paper of every day up to D read, in one write. A paper read
    already keeps its mark as it is (its time too), a star is never touched; what changed is kept for --undo."""
    ids, paths = split_ids_and_paths(args.items)
    if ids:
        raise UsageError(f"mark --read --until/--all takes PATHs, not ids (usage: {DAYS_USAGE})")
    library = open_library(paths)
    if not library.dates():
        raise UserError("the library holds no digests (nothing was marked)")
    until = None
    if args.until:
        until = library.dates()[0] if args.until == "latest" else args.until
        if until < library.dates()[-1]:
            raise UserError(f"no day up to {until}: the oldest is {library.dates()[-1]} (nothing was marked)")
    days = [day for day in library.days() if until is None or day.date <= until]
    wanted = list(dict.fromkeys(paper.arxiv_id for day in days for paper in day.papers))
    undo_path = _undo_path(args)
    with _open_store(args) as store:
        changed = store.update_undoable(wanted, read=True)
        _require_saved(store)
        stamped = store.snapshot(list(changed))
        _print_notices(store)
    if changed:
        record = {"format": UNDO_FORMAT, "read": True,
                  "marks": {arxiv_id: mark.updated for arxiv_id, mark in stamped.items()}}
        try:
            write_text_atomic(undo_path, json.dumps(record) + "\n", private=True)
            how = "; daily-papers mark --undo takes it back"
        except OSError as exc:
            how = f"; it cannot be undone ({visible_line(str(undo_path))}: {exc.strerror})"
    else:
        how = ""
    already = len(wanted) - len(changed)
    which = f"up to {until}" if until else "of every day"
    print(f"marked {count(len(changed), 'paper')} read ({which}: {count(len(days), 'day')}, "
          f"{count(len(wanted), 'paper')}, {already:,} read already){how}")
    return 0


def _run_undo(args: argparse.Namespace) -> int:
    """Unread again the papers the last 'mark --read --until/--all' marked, but for those whose mark changed
    since, here or in the reader (unread and read again, or starred: the file does not say which flag
    changed, so the newer mark stays whole). Stars are never touched."""
    from reader.core.files import load_json, read_regular

    undo_path = _undo_path(args)
    try:
        record = load_json(read_regular(undo_path, MAX_STATE_BYTES, what="an undo file"))
    except FileNotFoundError:
        raise UserError("nothing to undo: no 'mark --read --until/--all' since the last undo") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read {visible_line(str(undo_path))}: {exc}") from None
    marks = record.get("marks") if isinstance(record, dict) and record.get("format") == UNDO_FORMAT else None
    if not isinstance(marks, dict):
        raise UserError(f"{visible_line(str(undo_path))} is not what 'mark --read --until' leaves; nothing undone")
    with _open_store(args) as store:
        current = store.snapshot(list(marks))
        # Only the marks still as that command left them (read, at the time it wrote).
        ids = [i for i, mark in current.items() if mark.read and mark.updated == marks.get(i)]
        store.update(ids, read=False)
        _require_saved(store)
        _print_notices(store)
    try:
        undo_path.unlink()
    except OSError:
        pass
    kept = len(marks) - len(ids)
    print(f"marked {count(len(ids), 'paper')} unread again" + (f" ({kept:,} kept: changed since)" if kept else ""))
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
        notes = store.note_records()
        _print_notices(store)
    text = dump_export(export_data(marks, notes))
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
    try:
        notes = parse_notes(data["notes"], source) if isinstance(data, dict) and "notes" in data else {}
    except ValueError as exc:
        raise UserError(f"{exc}; nothing was imported") from None
    with _open_store(args) as store:
        taken = store.merge(incoming)
        notes_taken = store.merge_notes(notes)
        _require_saved(store)
        if store.unsaved_note_ids():
            raise UserError(f"the notes were not saved: {store.notices[-1] if store.notices else store.path}")
        _print_notices(store)
    kept = len(incoming) - len(taken)
    print(f"imported {source}: {count(len(incoming), 'mark')}, {len(taken)} taken (newer), {kept} kept as "
          f"{'it was' if kept == 1 else 'they were'}"
          + (f"; {count(len(notes), 'note')}, {len(notes_taken)} taken (newer)" if notes else ""))
    return 0
