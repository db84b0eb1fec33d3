"""The library's index (issue 18): what the commands cost at ten times the archive, beside their own cost at
1x and beside grep over the same folder, in the same run; the index built from nothing; peak memory.

Every figure is a real `python -m reader ...` process (as a user runs it), its output thrown away, with a warm
index (built by an earlier run). Runs are paired and back to back in alternating order, and a ratio is the
median of the pairs' ratios (this machine's speed drifts within seconds; a pair shares its moment).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
MEASURE_PEAK = HERE.parent / "tests" / "measure_peak.py"
sys.path.insert(0, str(HERE))
from first_screen import env_with_home  # noqa: E402 - the same home of temporary folders

WORDS = ["transformer", "llava", "토큰"]  # an English word, a model's name, a Korean word of two syllables


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1) or done.stderr:  # (grep and search: 1 is "nothing found")
        raise RuntimeError(f"{command}: exit {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
    return seconds


def reader(*args: str) -> list[str]:
    return [PYTHON, "-m", "reader", *args]


def paired(first: list[str], second: list[str], env: dict[str, str], repeats: int) -> tuple[list[float], list[float]]:
    """Each command `repeats` times, back to back in alternating order (after one untimed run of each)."""
    timed(first, env)
    timed(second, env)
    a, b = [], []
    for i in range(repeats):
        if i % 2:
            b.append(timed(second, env))
            a.append(timed(first, env))
        else:
            a.append(timed(first, env))
            b.append(timed(second, env))
    return a, b


def ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b))


def peak_mb(command_args: list[str], env: dict[str, str]) -> float:
    out = Path(tempfile.mkdtemp(prefix="bench-peak-")) / "peak"
    subprocess.run([PYTHON, str(MEASURE_PEAK), str(out), "-m", "reader", *command_args], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return int(out.read_text()) / 1024


def index_size_mb(home: Path) -> float:
    return sum(p.stat().st_size for p in (home / "cache" / "daily-papers" / "index").glob("*")) / 1e6


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
        found["peak list"] = peak_mb(["list", str(ten)], env)
        found["peak search"] = peak_mb(["search", words[0], str(ten)], env)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return found


if __name__ == "__main__":
    import corpus

    print(run(corpus.real(), corpus.scaled(10), 5))
