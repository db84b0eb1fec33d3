"""`daily-papers` and `python -m reader`: the command line (reader.cli) is imported inside main(), so that a
^C while Python still imports it ends the command as one during it does (exit 130, no traceback)."""

import sys


def main() -> int:
    try:
        from reader.startup import check_ahead

        check_ahead(sys.argv[1:])  # (a command's check of its files, in a helper process, while it imports)
        from reader.cli import main as run

        return run()
    except KeyboardInterrupt:
        return 130
    finally:  # (a helper the command did not take, such as one whose command a ^C ended: none left behind)
        ahead = sys.modules.get("reader.core.index.ahead")
        if ahead is not None:
            ahead.forget()


if __name__ == "__main__":
    sys.exit(main())
