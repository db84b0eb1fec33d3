"""What the subcommands share: the PATH arguments, opening the library, printing warnings, dates."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reader import paths as app_paths
from reader.core import opening
from reader.core.lazy_re import lazy
from reader.core.library import Library
from reader.core.opening import default_library_paths, sample_notice
from reader.core.parse import typed_arxiv_id
from reader.core.sanitize import visible_line
from reader.core.words import count
from reader.errors import UsageError, UserError

if TYPE_CHECKING:
    import argparse

MAX_WARNINGS = 20


def add_paths_argument(parser: "argparse.ArgumentParser") -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="digest files or folders (searched recursively for *.md); default: your library, "
        "or the bundled sample days while it is empty",
    )


def open_library(paths: list[str] | None, *, load: bool = True, index: bool | None = None) -> Library:
    """The library at PATHs (reader.core.opening.open_library: through the library's index by default when
    load=True). With load=True (the subcommands) it is brought up to date, with a progress line on a
    terminal while many digests are read, and its notices and warnings go to stderr, before the first answer
    (the files may be checked beside the first question: Library.after_check); it is closed when the
    command is done (close_libraries). The subcommands say nothing about the sample days (their stderr is
    for warnings and one-line errors); the reader shows sample_notice()."""
    if not load:
        return opening.open_library(paths, load=False, index=index)
    progress = _ReadingProgress(sys.stderr)
    try:
        # (ahead: the files' identities are compared with the index's in a thread while the first question
        # runs; what loading says is said once that is done, before the answer is printed)
        library = opening.open_library(paths, load=True, index=index, progress=progress, ahead=True)
    except BaseException:
        progress.close()
        raise
    _opened.append(library)

    def checked() -> None:
        progress.close()
        print_notices(library)
        print_warnings(library)

    library.after_check(checked)
    return library


class StatusLine:
    """One stderr line rewritten in place (progress of a command), only when stderr is a terminal, and gone
    before anything else is written (close). Subclasses say what the line holds and call show(text)."""

    def __init__(self, stream) -> None:
        self.stream = getattr(stream, "unguarded", stream)  # its text is ours; its "\r" rewrites the line
        try:
            self.live = self.stream.isatty()
        except (AttributeError, ValueError):
            self.live = False
        self.width = 0

    def show(self, text: str) -> None:
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def close(self) -> None:
        if self.live and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def bar(done: int, total: int) -> str:
    """[####......] of 20 cells."""
    filled = int(20 * done / total)
    return f"[{'#' * filled}{'.' * (20 - filled)}]"


def time_left(seconds: float | None) -> str:
    """" · 1:05 left" ("" when not known yet)."""
    return "" if seconds is None else f" · {int(seconds) // 60}:{int(seconds) % 60:02d} left"


class _ReadingProgress(StatusLine):
    """'reading the library: 1,200/2,390 files' while many digests are read (the index built from nothing, or
    a library read without it)."""

    SHOWN_FROM = 200  # files: fewer are read in a blink

    def __call__(self, done: int, total: int) -> None:
        if not self.live or total < self.SHOWN_FROM or (done % 25 and done != total):
            return
        self.show(f"reading the library: {done:,}/{total:,} files")


class SimilarProgress(StatusLine):
    """'similar papers: counting terms 1,024/32,720', then 'weighing similar papers: 1,024/32,720' while
    `similar` brings the index's similarity tables up to date (the first time, or after many days changed)."""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.live:
            return
        what = "weighing similar papers" if stage == "weighing" else "similar papers: counting terms"
        self.show(f"{what}: {done:,}/{total:,}")


_opened: list[Library] = []


def close_libraries() -> None:
    """Close what the subcommands opened (the index's connections: its write-ahead log is folded into the
    file and removed as the last one closes), saying what went wrong with the index after loading (damage
    found by a question: the answers came from the digests). reader.cli calls it when a subcommand is done."""
    while _opened:
        library = _opened.pop()
        print_notices(library)
        library.close()
    from reader.core.index import ahead

    ahead.forget()  # (a helper no check took: reader.startup.check_ahead)


def print_notices(library: Library, stream=None) -> None:
    """The library's notices about its index (one line each; at most one there is) on stderr."""
    for notice in library.notices:
        warn(notice, stream)
    library.notices.clear()


def warn(message: object, stream=None) -> None:
    """One warning line on stderr: whatever a file name or a path in it holds (a newline, a control
    character) shows as a visible escape."""
    print(f"daily-papers: warning: {visible_line(str(message))}", file=stream or sys.stderr)


def read_config():
    """config.json (reader.core.config), each of its problems one warning on stderr."""
    from reader.core.config import load_config

    config = load_config(app_paths.config_path())
    for problem in config.problems:
        warn(problem)
    return config


def output_path(text: str) -> Path:
    """Where -o/--output writes: its folder must exist (a typo must not create folders)."""
    path = Path(text).expanduser()
    if not path.parent.is_dir():
        raise UserError(f"cannot write {text}: there is no folder {path.parent} (create it first, or leave out -o "
                        "to write to standard output)")
    if path.is_dir():
        raise UserError(f"cannot write {text}: it is a folder (give a file name)")
    return path


def output_file(text: str | None) -> Path | None:
    """-o/--output checked before the work: the file to write, or None for standard output (no -o, '-',
    /dev/stdout)."""
    from reader.core.atomic import is_standard_output

    if not text or is_standard_output(text):
        return None
    return output_path(text)


def write_output_file(text: str, data: str) -> None:
    """Write -o FILE (reader.core.atomic.write_output: a link written through, the mode kept, a FIFO or a
    terminal written directly); an error is one line."""
    from reader.core.atomic import write_output

    try:
        write_output(os.path.expanduser(text), data)
    except OSError as exc:
        raise UserError(f"cannot write {text}: {exc.strerror or exc}") from None


def named_state_file(state: str | None) -> None:
    """A state file named with --state must exist when it is only read (a typo must not read as 'no marks')."""
    if not state:
        return
    path = app_paths.state_path(state)
    if not path.exists() and not any(path.parent.glob(path.name + ".*")):
        raise UserError(f"no such state file: {state} (see 'daily-papers paths' for yours)")


def print_warnings(library: Library, stream=None) -> None:
    stream = stream or sys.stderr
    for warning in library.warnings[:MAX_WARNINGS]:
        warn(warning, stream)
    extra = len(library.warnings) - MAX_WARNINGS
    if extra > 0:
        warn(f"... and {count(extra, 'more warning')}", stream)
    library.warnings.clear()


_DATE = lazy(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: str) -> str:
    """argparse type for --date: YYYY-MM-DD (a real date) or 'latest'."""
    if text == "latest":
        return text
    if _DATE.fullmatch(text):
        from datetime import date as _date

        try:
            return _date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    import argparse

    raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD (or 'latest')")


def resolve_date(library: Library, wanted: str) -> str:
    if wanted == "latest":
        newest = library.newest_date()
        if newest is None:
            raise UserError("the library holds no digests")
        return newest
    dates = library.dates()
    if not dates:
        raise UserError("the library holds no digests")
    if wanted not in dates:
        older = [d for d in dates if d < wanted]
        newer = [d for d in dates if d > wanted]
        near = ", ".join(x for x in (older[:1] + newer[-1:]) if x)
        raise UserError(f"no digest for {wanted}" + (f" (nearest: {near})" if near else ""))
    return wanted


def parse_arxiv_id(text: str) -> str:
    """argparse type for an arXiv id: 2408.03326, 2408.03326v2, a link, hep-th/9901001 (NFKC-normalised
    first: full-width digits are typed digits)."""
    found = typed_arxiv_id(text)
    if found is None:
        import argparse

        raise argparse.ArgumentTypeError(f"{text!r} is not an arXiv id (like 2408.03326)")
    return found


def open_metadata(*, write: bool = False):
    """The metadata store (Hugging Face's and arXiv's records; reader.core.metadata) in the data folder.
    Read-only unless `write`: reading never creates it. Its notices go to stderr."""
    from reader.core.metadata import MetadataStore, default_path

    store = MetadataStore(default_path(), readonly=not write)
    for notice in store.notices:
        if write or "cannot be written" not in notice:
            print(f"daily-papers: warning: {notice}", file=sys.stderr)
    store.notices.clear()
    return store


def citations(papers, store) -> list:
    """Each paper's Citable with what the store knows of it (reader.core.cite.record)."""
    from reader.core.cite import from_store

    return from_store(papers, store)


def unverified_note(cited: list, how: str = "daily-papers enrich", *, one: bool = False) -> str | None:
    """One line naming how many citations rest on the archive's author list alone (`one`: about the one
    paper cited), or None."""
    unverified = [c for c in cited if not c.verified]
    if not unverified:
        return None
    if one:
        c = unverified[0]
        incomplete = "; names are missing from the list" if not c.complete else ""
        return f"{c.arxiv_id}: author order unverified{incomplete}: run `{how} {c.arxiv_id}`"
    verb = "is" if len(unverified) == 1 else "are"
    return (f"{len(unverified):,} of {count(len(cited), 'entry', 'entries')} {verb} unverified (author order from "
            f"the archive): run `{how}`")


def require_paper(library: Library, arxiv_id: str):
    paper = library.get(arxiv_id)
    if paper is None:
        raise UserError(f"no paper {arxiv_id} in the library (try: daily-papers search WORDS)")
    return paper


__all__ = [
    "UsageError",
    "UserError",
    "add_paths_argument",
    "citations",
    "default_library_paths",
    "named_state_file",
    "open_library",
    "open_metadata",
    "output_file",
    "output_path",
    "parse_arxiv_id",
    "parse_date",
    "print_notices",
    "print_warnings",
    "read_config",
    "warn",
    "require_paper",
    "resolve_date",
    "sample_notice",
    "unverified_note",
    "write_output_file",
]
