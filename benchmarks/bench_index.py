"""The library's index (issue 18): what the commands cost at ten times the archive, beside their own cost at
1x and beside grep over the same folder, in the same run; the index built from nothing; peak memory.

Every figure is a real `python -m reader ...` process (as a user runs it), its output thrown away, with a warm
index (built by an earlier run). Runs are paired and back to back in alternating order, and a ratio is the
median of the pairs' ratios (this machine's speed drifts within seconds; a pair shares its moment).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
MEASURE_PEAK = HERE.parent / "tests" / "measure_peak.py"
sys.path.insert(0, str(HERE))
from first_screen import env_with_home  # noqa: E402 - the same home of temporary folders

NOTE = re.compile(r"daily-papers: [\d,]+ of [\d,]+ papers? shown, [a-z ]+; --limit N or --all for more\n")
WORDS = ["transformer", "llava", "토큰"]  # an English word, a model's name, a Korean word of two syllables


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    said = done.stderr.decode(errors="replace")
    if done.returncode not in (0, 1) or (said and not NOTE.fullmatch(said)):  # (grep and search: 1 is "nothing
        # found"; search's line saying how many more than the 20 printed match is no error)
        raise RuntimeError(f"{command}: exit {done.returncode}: {said[-500:]}")
    return seconds


def reader(*args: str) -> list[str]:
    return [PYTHON, "-m", "reader", *args]


def paired(first: list[str], second: list[str], env: dict[str, str], repeats: int,
           before: Callable[[], None] = lambda: None) -> tuple[list[float], list[float]]:
    """Each command `repeats` times, back to back in alternating order (after one untimed run of each);
    before() untimed before each run."""
    def one(command: list[str]) -> float:
        before()
        return timed(command, env)

    one(first)
    one(second)
    a, b = [], []
    for i in range(repeats):
        if i % 2:
            b.append(one(second))
            a.append(one(first))
        else:
            a.append(one(first))
            b.append(one(second))
    return a, b


def _each_index(home: Path, sql: str) -> Callable[[], None]:
    def change() -> None:
        for path in (home / "cache" / "daily-papers" / "index").glob("*"):
            if not path.name.endswith(("-wal", "-shm", ".lock")):
                con = sqlite3.connect(path)
                try:
                    con.execute(sql)
                    con.commit()
                finally:
                    con.close()

    return change


def drop_tiers(home: Path) -> Callable[[], None]:
    """What makes the next search weigh a heavy word whole, as its first search ever does: every index under
    `home` without its kept tiers (reader.core.finding.tiers)."""
    return _each_index(home, "DELETE FROM tiers")


def papers_changed(home: Path) -> Callable[[], None]:
    """What the next search of a heavy word finds after the papers changed and a command brought the index up
    to date: every index under `home` a generation on, its tiers of the papers before (carried over)."""
    return _each_index(home, "UPDATE meta SET value = value + 1 WHERE key = 'generation'")


def ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b))


def peak_mb(command_args: list[str], env: dict[str, str]) -> float:
    out = Path(tempfile.mkdtemp(prefix="bench-peak-")) / "peak"
    subprocess.run([PYTHON, str(MEASURE_PEAK), str(out), "-m", "reader", *command_args], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return int(out.read_text()) / 1024


def index_size_mb(home: Path) -> float:
    return sum(p.stat().st_size for p in (home / "cache" / "daily-papers" / "index").glob("*")) / 1e6


_WEIGH = ("import sys; from reader.core import finding; from reader.core.index import open_indexed; "
          "library = open_indexed([sys.argv[1]]); finding.refresh_similar(library); finding.refresh_tiers(library); "
          "library.close()")


def run(one: Path, ten: Path, repeats: int, words: list[str] = WORDS) -> dict:
    """Figures for `ten` (the big archive) against `one` (the archive): seconds, ratios, MB."""
    home = Path(tempfile.mkdtemp(prefix="bench-index-"))
    env = env_with_home(home)
    found: dict = {}
    try:
        start = time.perf_counter()
        timed(reader("dates", str(ten)), env)  # from nothing: every digest parsed and written
        found["build_seconds"] = time.perf_counter() - start
        found["index_mb"] = index_size_mb(home)
        start = time.perf_counter()
        timed(reader("dates", str(ten)), env)  # the same, the index fresh
        found["fresh_dates_seconds"] = time.perf_counter() - start
        timed(reader("dates", str(one)), env)
        big, small = paired(reader("list", str(ten)), reader("list", str(one)), env, repeats)
        found["list"] = (statistics.median(big), statistics.median(small), ratio(big, small))
        for word in words:
            big, small = paired(reader("search", word, str(ten)), reader("search", word, str(one)), env, repeats)
            ours, grep = paired(reader("search", word, str(ten)), ["grep", "-ri", word, str(ten)], env, repeats)
            found[f"search {word}"] = (statistics.median(big), statistics.median(small), ratio(big, small),
                                       statistics.median(ours), statistics.median(grep), ratio(ours, grep))
            # The first search of the word since the papers changed: its tier of the papers before carried over.
            big, small = paired(reader("search", word, str(ten)), reader("search", word, str(one)), env, repeats,
                                papers_changed(home))
            found[f"search {word} carried"] = (statistics.median(big), statistics.median(small), ratio(big, small))
            # The first search of the word ever (in this index): no tier (it weighs every match).
            big, small = paired(reader("search", word, str(ten)), reader("search", word, str(one)), env, repeats,
                                drop_tiers(home))
            found[f"search {word} first"] = (statistics.median(big), statistics.median(small), ratio(big, small))
            # every match printed (--all), as search did before it printed the best 20 by default
            big, small = paired(reader("search", "--all", word, str(ten)), reader("search", "--all", word, str(one)),
                                env, repeats)
            ours, grep = paired(reader("search", "--all", word, str(ten)), ["grep", "-ri", word, str(ten)], env,
                                repeats)
            found[f"search --all {word}"] = (statistics.median(big), statistics.median(small), ratio(big, small),
                                             statistics.median(ours), statistics.median(grep), ratio(ours, grep))
        found["peak list"] = peak_mb(["list", str(ten)], env)
        found["peak search"] = peak_mb(["search", words[0], str(ten)], env)
        # The same searches on the index as the reader's worker leaves it: similar papers, then the search tiers
        # weighed (reader.core.finding.tiers), as after a morning in the reader.
        for library in (ten, one):
            subprocess.run([sys.executable, "-c", _WEIGH, str(library)], env=env, check=True)
        for word in words:
            big, small = paired(reader("search", word, str(ten)), reader("search", word, str(one)), env, repeats)
            found[f"search {word} weighed"] = (statistics.median(big), statistics.median(small), ratio(big, small))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return found


if __name__ == "__main__":
    import corpus

    print(run(corpus.real(), corpus.scaled(10), 5))


# -- the reader on the index, in a real terminal ------------------------------------------------------------
QUERIES = ["transformer", "diffusion model", "언어 모델", "llava", "강화 학습", "video generation", "benchmark",
           "zero-shot", "kim", "메모리 효율"]  # (benchmarks/figures.py QUERIES: the searches of the old figure)


def expected_counts(library: Path, env: dict[str, str], queries: list[str]) -> dict[str, str]:
    """What the search screen's count line says for each query once the whole archive is searched."""
    import json

    script = ("import json, sys\nfrom reader.core.opening import open_library\nfrom reader.core.words import count\n"
              "lib = open_library([sys.argv[1]], load=True)\n"
              "print(json.dumps({q: count(lib.search_page(q, 1)[1], 'paper') for q in json.loads(sys.argv[2])}))\n")
    import json as _json

    out = subprocess.run([PYTHON, "-c", script, str(library), _json.dumps(queries)], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


class Terminal:
    """The reader (or any command) in a private tmux server, its screen polled every 5 ms."""

    def __init__(self, command: list[str], env: dict[str, str], size=(160, 45)) -> None:
        import shlex

        self.sock = Path(tempfile.mkdtemp(prefix="bench-tmux-")) / "sock"
        self.tmux = ["tmux", "-u", "-S", str(self.sock)]  # (-u: UTF-8, or Korean typed with send-keys is lost)
        env = {**env, "LANG": "C.UTF-8"}
        exports = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items() if k.startswith(("XDG_", "PATH", "HOME", "HF_")))
        shell = f"env -u COLUMNS -u LINES TERM=xterm-256color COLORTERM=truecolor {exports} {shlex.join(command)}; sleep 600"
        self.start = time.perf_counter()
        subprocess.run(self.tmux + ["-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", str(size[0]), "-y",
                                    str(size[1]), shell], check=True, env=env)

    def screen(self) -> str:
        return subprocess.run(self.tmux + ["capture-pane", "-p", "-t", "b"], capture_output=True, text=True).stdout

    def wait(self, text: str, *, absent: str | None = None, timeout: float = 120.0) -> float:
        """Seconds from start until `text` is on the screen (and `absent` is not)."""
        limit = time.perf_counter() + timeout
        while time.perf_counter() < limit:
            screen = self.screen()
            if text in screen and (absent is None or absent not in screen):
                return time.perf_counter() - self.start
            time.sleep(0.005)
        raise RuntimeError(f"{text!r} never appeared; last screen:\n{screen}")

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(self.tmux + ["send-keys", "-t", "b", *(["-l"] if literal else []), *keys], check=True,
                       env={**os.environ, "LANG": "C.UTF-8"})

    def wait_any(self, texts: list[str], timeout: float = 120.0) -> str:
        """The first of `texts` on the screen (waiting up to `timeout` seconds for one)."""
        limit = time.perf_counter() + timeout
        while True:
            screen = self.screen()
            found = next((text for text in texts if text in screen), None)
            if found is not None:
                return found
            if time.perf_counter() > limit:
                raise RuntimeError(f"none of {texts!r} appeared; last screen:\n{screen}")
            time.sleep(0.005)

    def close(self) -> None:
        subprocess.run(self.tmux + ["kill-server"], capture_output=True)
        shutil.rmtree(self.sock.parent, ignore_errors=True)


def quit_for_peak(term: "Terminal", peak: Path) -> None:
    """q, and the peak memory the reader writes as it quits (tests/measure_peak.py) waited for."""
    term.keys("q")
    limit = time.perf_counter() + 30
    while not peak.exists() and time.perf_counter() < limit:
        time.sleep(0.05)
    if not peak.exists():
        raise RuntimeError(f"the reader did not quit; last screen:\n{term.screen()}")


def reader_in_terminal(library: Path, env: dict[str, str], title: str, counts: dict[str, str]) -> dict:
    """The reader in tmux at 160x45 on `library` (its index warm): seconds to the first screen; seconds from
    the first screen until / finds what the whole archive holds (typed the moment the first screen is up,
    so the count line shows the full count once the index took over); then every query searched in turn;
    the peak resident memory of the whole session (VmHWM, written as the reader quits)."""
    peak = Path(tempfile.mkdtemp(prefix="bench-peak-")) / "peak"
    first_query = next(iter(counts))
    term = Terminal([PYTHON, str(MEASURE_PEAK), str(peak), "-m", "reader", str(library)], env)
    try:
        first = term.wait(title)
        term.keys("/")
        term.wait("Search every day")
        term.keys(first_query, literal=True)
        full = term.wait(f"{counts[first_query]} ", absent="still reading")
        for query in list(counts)[1:]:
            term.keys("C-u")
            # The box empty (its placeholder) and the count line with it: a count left from the previous
            # query (two queries can find as many papers) is never taken for this one's.
            term.wait("words to find", absent="(ctrl+s)")
            term.keys(query, literal=True)
            term.wait(f"{counts[query]} ")
        term.keys("Escape")
        term.wait(title, absent="Search every day")
        quit_for_peak(term, peak)
    finally:
        term.close()
    return {"first": first, "full": full - first, "peak_mb": int(peak.read_text()) / 1024}


def reader_run(ten: Path, repeats: int, queries: list[str] = QUERIES) -> dict:
    """The reader's figures at `ten`, its index built beforehand (by a first daily-papers dates): medians of
    `repeats` sessions (time to the full search, peak memory; the first screen is first_screen.py's)."""
    from first_screen import newest_top_title

    home = Path(tempfile.mkdtemp(prefix="bench-reader-"))
    env = env_with_home(home)
    try:
        timed(reader("dates", str(ten)), env)  # the index, warm
        counts = expected_counts(ten, env, queries)
        title = newest_top_title(ten)
        runs = [reader_in_terminal(ten, env, title, counts) for _ in range(repeats)]
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return {key: statistics.median(run[key] for run in runs) for key in ("first", "full", "peak_mb")} | {
        "max_full": max(run["full"] for run in runs), "max_peak_mb": max(run["peak_mb"] for run in runs)}


# -- the reader with similar papers: m on a few papers and For you, in a real terminal ------------------------
def reader_similar_session(library: Path, env: dict[str, str], title: str, papers: int = 4,
                           ready_timeout: float = 600.0) -> dict:
    """The reader in tmux at 160x45 on `library` (its index warm) under tests/measure_peak.py: each of the
    newest day's first `papers` papers starred and `m` pressed on it (its similar papers listed, then Esc),
    then the day list's For you opened (the newest days' unread papers ranked by the stars); the peak resident
    memory of the whole session (VmHWM, written as it quits). While similar papers are not ready (the reader
    weighs them in its worker after the first screen) `m` only says so: it is pressed again until the list
    comes. Returns the peak and the seconds from the first screen until the first list came."""
    peak = Path(tempfile.mkdtemp(prefix="bench-peak-")) / "peak"
    term = Terminal([PYTHON, str(MEASURE_PEAK), str(peak), "-m", "reader", str(library)], env)
    listed = "most alike first"
    answers = [listed, "no other paper of the library is like it"]  # (a small library: a paper alike to none)
    try:
        first = term.wait(title)
        ready = None
        for n in range(papers):
            if n:
                term.keys("j")
            term.keys("s")
            limit = time.perf_counter() + ready_timeout
            while True:
                term.keys("m")
                try:
                    term.wait_any(answers, timeout=2.0)
                    break
                except RuntimeError:
                    if time.perf_counter() > limit:
                        raise
            if ready is None:
                ready = time.perf_counter() - term.start - first
            term.keys("Escape")
            term.wait(title, absent="Papers like")
        term.keys("Escape")  # the papers -> the day list
        time.sleep(0.3)  # (an Escape and a key sent at once would be read as Alt+key)
        term.keys("k", "Enter")  # For you, the row above the newest day
        term.wait("For you: the newest days' unread papers")
        term.wait_any([listed, "none is like your stars yet"])
        term.keys("Escape")
        term.wait(title, absent="For you: the newest")
        quit_for_peak(term, peak)
    finally:
        term.close()
    return {"first": first, "ready": ready, "peak_mb": int(peak.read_text()) / 1024}


def reader_similar_run(ten: Path, repeats: int, weighed_before: bool) -> dict:
    """Peak memory of the reader at `ten` with similar papers used (reader_similar_session), each session in
    a home of its own (no stars yet) over the same warm index: with the similarity tables weighed beforehand
    (by `daily-papers similar`), or weighed by the reader's own worker in the session (the index built, its
    similarity tables not: the worker weighs every paper after the first screen, then m and For you)."""
    import sqlite3

    from first_screen import newest_top_title
    from reader.core.library import Library

    newest = Library.open([ten])
    newest.load_newest()
    some_id = newest.newest().papers[0].arxiv_id
    title = newest_top_title(ten)
    base = Path(tempfile.mkdtemp(prefix="bench-similar-"))
    runs = []
    try:
        built = env_with_home(base / "built")
        timed(reader("dates", str(ten)), built)  # the index, warm
        if weighed_before:
            start = time.perf_counter()
            timed(reader("similar", some_id, str(ten)), built)
            weighed = time.perf_counter() - start
        else:
            weighed = None
        for n in range(repeats):
            home = base / f"run{n}"
            shutil.copytree(base / "built" / "cache", home / "cache")  # a fresh copy: weighed from nothing each time
            env = env_with_home(home)
            runs.append(reader_similar_session(ten, env, title))
            if not weighed_before:
                index = next((home / "cache" / "daily-papers" / "index").glob("*.sqlite3"))
                with sqlite3.connect(index) as con:
                    done = con.execute("SELECT value FROM meta WHERE key = 'sim_n'").fetchone()
                assert done is not None and int(done[0]) > 0, "the reader's worker did not finish weighing"
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return {"peak_mb": statistics.median(r["peak_mb"] for r in runs), "max_peak_mb": max(r["peak_mb"] for r in runs),
            "ready": statistics.median(r["ready"] for r in runs), "weighed_cli": weighed}
