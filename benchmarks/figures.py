"""The in-process figures of the suite: search as you type, star toggles, export throughput, memory, CLI.

Each function returns plain numbers; benchmarks/run.py turns them into table rows.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
QUERIES = ["transformer", "diffusion model", "언어 모델", "llava", "강화 학습", "video generation", "benchmark",
           "zero-shot", "kim", "메모리 효율"]


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for var, name in (("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "config")):
        (home / name).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / name)
    return env


def search_keystrokes(library_path: Path, queries: list[str] = QUERIES, passes: int = 3) -> dict[str, list[float]]:
    """Seconds per keystroke for typing each query one character at a time in the search screen: from the
    query changed to its results in the list (the search in the screen's worker, SQL over the library's
    index as the reader asks it: the first page ranked with snippets and the count; the list replaced), in a
    headless reader: {the text typed so far: its seconds in each of `passes` passes}."""
    import asyncio

    from reader.core.index import open_indexed
    from reader.core.state import StateStore
    from reader.tui.app import make_app
    from reader.tui.screens.search import SearchScreen

    index = Path(tempfile.mkdtemp(prefix="bench-search-index-"))
    from reader.core import finding

    built = open_indexed([library_path], index).load_all()  # built once; the reader's index is warm
    finding.refresh_similar(built)  # and its similar papers weighed (else the reader's worker weighs them now),
    finding.refresh_tiers(built)  # then its heavy words' best papers, as the reader's worker leaves the index
    built.close()
    library = open_indexed([library_path], index).load_all()
    from reader.startup import settle_library

    # As the reader does once the archive is read (reader.tui.launch: on_library_loaded): what was read frozen
    # out of the collector's scans. Without it a full collection over the 10x library (80-240 ms measured)
    # landed in a keystroke or its frame now and then, which the reader never sees.
    settle_library()
    app = make_app(library, StateStore.in_memory())
    times: dict[str, list[float]] = {}

    async def drive() -> None:
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("slash")
            screen = app.screen
            assert isinstance(screen, SearchScreen)
            shown = asyncio.Event()
            show = screen._show

            def showing(*args, **kwargs):  # the results put in the list (or dropped: an older question's)
                show(*args, **kwargs)
                if screen._shown == screen._asked:
                    shown.set()

            screen._show = showing
            # One pass unmeasured first (the index's pages in the system's cache, as in a reader that has been
            # used: this host drops its cache now and then), then `passes` measured ones.
            for measured in [False] + [True] * passes:
                for query in queries:
                    for i in range(1, len(query) + 1):
                        shown.clear()
                        start = time.perf_counter()
                        screen.run_query(query[:i])  # asked in the screen's worker: the clock runs until its
                        if screen._shown != screen._asked:  # results are in the list (a space after a word
                            await shown.wait()  # asks nothing new: the results listed are its results)
                        if measured:
                            times.setdefault(query[:i], []).append(time.perf_counter() - start)
                        await pilot.pause()  # the frame drawn before the next key, as between a typist's keys
                    screen.run_query("")
                    await pilot.pause()

    asyncio.run(drive())
    return times


def mistune_mb_per_s(library_path: Path) -> float:
    import mistune

    texts = [p.read_text(encoding="utf-8") for p in sorted(library_path.rglob("*.md"))]
    size = sum(len(t.encode("utf-8")) for t in texts)
    markdown = mistune.create_markdown(renderer=None)
    start = time.perf_counter()
    for text in texts:
        markdown(text)
    return size / 1e6 / (time.perf_counter() - start)


def export_json(library_path: Path) -> tuple[float, float]:
    """(seconds, MB/s of digest text) for `daily-papers export --format json` over the archive, warm cache."""
    home = Path(tempfile.mkdtemp(prefix="bench-export-"))
    env = _env(home)
    size = sum(p.stat().st_size for p in library_path.rglob("*.md"))
    command = [PYTHON, "-m", "reader", "export", str(library_path), "--format", "json", "-o", str(home / "out.json")]
    subprocess.run(command, check=True, env=env, capture_output=True)  # fills the cache
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, capture_output=True)
    seconds = time.perf_counter() - start
    return seconds, size / 1e6 / seconds


def cli_seconds(args: list[str], library_path: Path, cold: bool) -> float:
    home = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    env = _env(home)
    command = [PYTHON, "-m", "reader", *args, str(library_path)]
    if not cold:
        subprocess.run(command, check=True, env=env, capture_output=True)
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def star_toggles(records: int, toggles: int) -> tuple[list[float], list[float]]:
    """(ours, plain TinyDB) seconds per star toggle persisted, at `records` stored papers, from
    benchmarks/bench_state.py (separate processes, as a person's reader would be)."""
    sys.path.insert(0, str(HERE))
    import bench_state

    workdir = Path(tempfile.mkdtemp(prefix="bench-state-"))
    ours, plain = bench_state.build(workdir, records)
    mine = bench_state.run_child("ours", ours, records, toggles)
    theirs = bench_state.run_child("plain", plain, records, max(5, toggles // 20))
    return mine["toggles"], theirs["toggles"]


def maxrss_self_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
