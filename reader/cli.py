"""daily-papers: the command line. `daily-papers [PATH ...]` opens the reader; subcommands answer scripts.

Exit codes: 0 success (also when some files only gave warnings), 1 failure (and a search that matches
nothing, as grep), 2 usage error (a mistyped command too), 130 interrupted.
Errors are one line on stderr; --debug (or DAILY_PAPERS_DEBUG=1) shows the traceback for bug reports.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reader import __version__
from reader.errors import UserError
from reader.startup import COMMAND_NAMES, prepare_tui_process, simple_tui_args

if TYPE_CHECKING:
    import argparse

PROG = "daily-papers"
DEBUG_ENV = "DAILY_PAPERS_DEBUG"
# The module of reader.commands that registers each subcommand (reader.startup.COMMAND_NAMES names them): a
# command builds its own parser alone (the others' imports cost `daily-papers search` a third of its time).
# tests/system/test_cli.py checks it against the registered subcommands.
COMMAND_MODULES = {"cite": "cite", "dates": "reading", "enrich": "enrich", "export": "export", "import": "library",
                   "list": "reading", "mark": "state", "paths": "paths", "search": "reading", "show": "reading",
                   "similar": "reading", "state": "state", "summarize": "summarize", "sync": "library"}
# The commands whose usual command lines reader.commands.reading.simple_args reads without argparse.
SIMPLE_COMMANDS = frozenset({"dates", "list", "search"})


def _Parser(**kwargs) -> "argparse.ArgumentParser":
    """argparse that reports a usage error in one line (and exit code 2). argparse is imported here: the
    reader's usual start does without it (reader.startup.simple_tui_args)."""
    return _parser_class()(**kwargs)


@functools.cache
def _parser_class() -> type:
    import argparse

    class Parser(argparse.ArgumentParser):
        """Options may stand anywhere among a command's arguments (`cite ID --format apa PATH`): a command's
        own parser reads them intermixed (argparse's parse_intermixed_args); a parser of subcommands reads
        as usual, up to the subcommand."""

        _intermixing = False

        def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
            # "--" (everything after it is an argument, `search -- -x`) is read as it always was: Python
            # 3.11's intermixed parsing takes what follows it for options.
            if self._intermixing or any(action.nargs == argparse.PARSER for action in self._actions) \
                    or (args is not None and "--" in args):
                return super().parse_known_args(args, namespace)
            return self.parse_known_intermixed_args(args, namespace)

        def parse_known_intermixed_args(self, args=None, namespace=None):  # type: ignore[override]
            self._intermixing = True  # it calls parse_known_args itself, twice: those read as usual
            try:
                return super().parse_known_intermixed_args(args, namespace)
            finally:
                self._intermixing = False

        def error(self, message: str):  # type: ignore[override]
            from reader.core.sanitize import visible_line

            self.exit(2, f"{self.prog}: error: {visible_line(message)} (see: {self.prog} --help)\n")

    return Parser


def _add_debug(parser: "argparse.ArgumentParser") -> None:
    """--debug on every command, wherever it stands (main() reads it from the whole command line)."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                if "--debug" not in sub._option_string_actions:
                    sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                                     help="show tracebacks (also: DAILY_PAPERS_DEBUG=1)")
                _add_debug(sub)


def _command_modules(only: str | None = None):
    """Every module in reader.commands with a register(subparsers) function, in name order (`only`: the
    one that registers that command)."""
    import importlib

    if only is not None:
        return [importlib.import_module(f"reader.commands.{COMMAND_MODULES[only]}")]
    import pkgutil

    import reader.commands as package

    modules = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"reader.commands.{info.name}")
        if hasattr(module, "register"):
            modules.append(module)
    return modules


def _simple_command_args(command: str | None, argv: list[str]) -> "argparse.Namespace | None":
    """The command line of a command whose module reads its usual ones without argparse (dates, list and
    search: reader.commands.reading.simple_args), or None: argparse reads it."""
    if command not in SIMPLE_COMMANDS:
        return None
    from reader.commands import reading

    return reading.simple_args(argv)


def build_parser(only: str | None = None) -> tuple[argparse.ArgumentParser, set[str]]:
    """The command line's parser: every subcommand, or (`only`) the one about to run and those its module
    registers beside it."""
    parser = _Parser(
        prog=PROG,
        description="Read the Korean digests of Hugging Face Daily Papers. With no command, open the reader.",
        epilog="Run 'daily-papers COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks (also: DAILY_PAPERS_DEBUG=1)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_parser_class())
    for module in _command_modules(only):
        module.register(subparsers)
    _add_debug(parser)
    return parser, set(subparsers.choices)


def build_tui_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Open the reader on PATHs (default: your library).")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="digest files or folders")
    parser.add_argument("--state", metavar="FILE", help="the state file (read and starred marks)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks (also: DAILY_PAPERS_DEBUG=1)")
    return parser


def run_tui(args: argparse.Namespace) -> int:
    prepare_tui_process()
    try:
        from reader.tui.launch import launch
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("reader.tui"):
            print(f"{PROG}: the reader is not built yet; try '{PROG} dates' or '{PROG} --help'", file=sys.stderr)
            return 1
        raise
    return launch(args)


def _one_line(message: str) -> str:
    from reader.core.sanitize import visible_line

    return visible_line(message)


class _guarded_output:
    """While a subcommand runs, its stdout and stderr turn control characters into visible escapes
    (reader.core.sanitize.GuardedStream): a file name or an argument can never drive the terminal."""

    def __enter__(self) -> None:
        from reader.core.sanitize import GuardedStream

        self.saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = GuardedStream(sys.stdout), GuardedStream(sys.stderr)

    def __exit__(self, *exc: object) -> None:
        sys.stdout, sys.stderr = self.saved


def mistyped_command(word: str | None) -> str | None:
    """The command a first argument was probably meant to be ('lsit' -> 'list'): a word close to a command's
    name that names no file or folder here (then the reader would only say there is no such path)."""
    if not word or word.startswith("-") or "/" in word or os.sep in word or os.path.lexists(word):
        return None
    import difflib  # not on the reader's way to its first screen

    close = difflib.get_close_matches(word.lower(), sorted(COMMAND_NAMES), n=1, cutoff=0.6)
    return close[0] if close else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    try:
        first = next((a for a in argv if a != "--debug"), None)
        if first in COMMAND_NAMES or first in ("-h", "--help", "--version"):
            with _guarded_output():
                args = _simple_command_args(first, argv)
                if args is None:
                    parser, _ = build_parser(first if first in COMMAND_NAMES else None)
                    args = parser.parse_args(argv)
                try:
                    return int(args.func(args) or 0)
                finally:
                    from reader.commands.common import close_libraries

                    close_libraries()
        meant = mistyped_command(first)
        if meant is not None:
            print(f"{PROG}: error: {_one_line(repr(first))} is not a command, nor a file or folder: did you mean "
                  f"'{meant}'? (see: {PROG} --help)", file=sys.stderr)
            return 2
        return run_tui(simple_tui_args(argv) or build_tui_parser().parse_intermixed_args(argv))
    except UserError as exc:
        if debug:
            raise
        print(f"{PROG}: error: {_one_line(str(exc))}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of our output went away (| head): not an error of ours.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        if debug:
            raise
        print(
            f"{PROG}: internal error: {exc.__class__.__name__}: {_one_line(str(exc))} "
            f"(run with --debug or {DEBUG_ENV}=1 for details, and please report it)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
