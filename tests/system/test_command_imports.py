"""What `daily-papers search WORD` and `daily-papers list` import once the library's index is fresh: only what
they use. Their fixed cost (Python's start, imports, reading the command line) is most of their time, and the
issue 18 goal is search within 3x `grep -ri` over the same folder; each module named here cost them
0.5-10 ms and is used by neither (benchmarks/bench_index.py measures the time itself)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from reader import paths

# dataclasses and inspect (the search language's Query), platformdirs and tempfile (the user's folders, found
# by reader.paths on Linux), argparse with gettext, locale and shutil (the usual command lines are read by
# reader.commands.reading.simple_args), calendar (a month's days: only for a date filter or a folder walk),
# textwrap (show), pkgutil (only for every subcommand's parser), and the parse cache (files the index reads).
NOT_IMPORTED = {"dataclasses", "inspect", "ast", "dis", "tokenize", "platformdirs", "tempfile", "random", "argparse",
                "gettext", "locale", "shutil", "calendar", "textwrap", "pkgutil", "reader.core.cache"}


def imported(*args: str) -> set[str]:
    """The modules a real `python -m reader ARGS` process imports (-X importtime names each), its run checked."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "reader", *args], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip()
    names = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", done.stderr, re.M))
    assert {"reader.cli", "sqlite3"} <= names  # (the listing is there, and the index answered)
    return names


@pytest.mark.skipif(sys.platform != "linux", reason="reader.paths asks platformdirs itself elsewhere")
@pytest.mark.parametrize("command", [["search", "transformer"], ["search", "LLaVA votes:>=3"], ["list"]])
def test_search_and_list_import_nothing_they_do_not_use(tmp_path, command):
    library = tmp_path / "library"
    shutil.copytree(paths.bundled_data_dir(), library)
    imported(*command, str(library))  # the index built from nothing (it reads and parses every file)
    unused = sorted(NOT_IMPORTED & imported(*command, str(library)))
    assert unused == []
