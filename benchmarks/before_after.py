"""The first screen now against the reader of an earlier commit, in the same run (issue 18: "the first screen
no slower than today", today being the reader before its library index).

    .venv/bin/python benchmarks/before_after.py [--before COMMIT] [--repeats N]

The earlier reader is checked out with `git worktree` under benchmarks/.work/ (byte-compiled, as an install
leaves it) and run by the same Python with PYTHONPATH pointing at it. Each library (the bundled days, the
archive, ten times the archive) is measured in tmux, warm (each reader run twice first, in a home of its
own), the reader now, the reader before and a bare Textual app taking turns in rotating order, N rounds; each
ratio is the median of the rounds' ratios. Appends its table to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import corpus
import first_screen
from run import record

HERE = Path(__file__).resolve().parent
BEFORE_INDEX = "a820d65^"  # the commit before the library's index (a820d65: "The library's index (issue 18)")


def checkout(commit: str) -> Path:
    sha = subprocess.run(["git", "rev-parse", "--short", commit], cwd=HERE, capture_output=True, text=True,
                         check=True).stdout.strip()
    tree = corpus.WORK / f"before-{sha}"
    if not tree.is_dir():
        subprocess.run(["git", "worktree", "add", "--detach", "-f", str(tree), sha], cwd=HERE, check=True,
                       capture_output=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "reader")], check=True, env=env)
    return tree


def measure(library: Path, before: Path, repeats: int) -> dict[str, float]:
    title = first_screen.newest_top_title(library)
    envs = {kind: first_screen.env_with_home(Path(tempfile.mkdtemp(prefix=f"before-after-{kind}-")))
            for kind in ("now", "before", "bare")}
    for env in envs.values():
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    envs["before"]["PYTHONPATH"] = str(before)
    command = {"now": first_screen.reader_command(library), "before": first_screen.reader_command(library),
               "bare": first_screen.bare_command()}
    text = {"now": title, "before": title, "bare": first_screen.BARE_TEXT}
    for kind in ("now", "before"):
        for _ in range(2):
            first_screen.tmux_time(command[kind], text[kind], envs[kind])
    times: dict[str, list[float]] = {kind: [] for kind in command}
    orders = [("now", "before", "bare"), ("before", "bare", "now"), ("bare", "now", "before")]
    for i in range(repeats):
        for kind in orders[i % 3]:
            times[kind].append(first_screen.tmux_time(command[kind], text[kind], envs[kind]))

    def paired(a: str, b: str) -> float:
        return statistics.median(x / y for x, y in zip(times[a], times[b]))

    found = {f"{kind} ms": statistics.median(values) * 1000 for kind, values in times.items()}
    found.update({"now/before": paired("now", "before"), "now/bare": paired("now", "bare"),
                  "before/bare": paired("before", "bare")})
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE_INDEX, help=f"the earlier commit (default {BEFORE_INDEX})")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    before = checkout(args.before)
    rows = ["| library | now | before | bare app | now / before | now / bare | before / bare | no slower |",
            "|---|---|---|---|---|---|---|---|"]
    for name, library in (("bundled days", HERE.parent / "data"), ("the archive, 1x", corpus.real()),
                          ("10x", corpus.scaled(10))):
        found = measure(library, before, args.repeats)
        rows.append(f"| {name} | {found['now ms']:.1f} ms | {found['before ms']:.1f} ms | {found['bare ms']:.1f} ms "
                    f"| {found['now/before']:.3f}x | {found['now/bare']:.3f}x | {found['before/bare']:.3f}x "
                    f"| {'yes' if found['now/before'] <= 1.05 else 'NO'} |")
        print(rows[-1], flush=True)
    record("\n".join(rows), note=f"the first screen in tmux, warm, now against {args.before} "
                                  f"(benchmarks/before_after.py, {args.repeats} rounds; 'no slower': within 5%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
