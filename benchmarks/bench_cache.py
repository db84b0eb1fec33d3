"""Cold parse vs the parse cache, over ../shared/corpus and over ten date-shifted copies of it.

    .venv/bin/python benchmarks/bench_cache.py [--repeat N]

For each archive: the whole library parsed (no cache), parsed while filling the cache (and saving it), and
read back from the cache (a second start); then the first screen (open + newest day) both ways. Each run is a
fresh process (timed inside it, without interpreter start-up); best of N, in milliseconds. The copies are generated under benchmarks/.work/ (git-ignored).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reader.core.cache import RACY_NS, ParseCache  # noqa: E402
from reader.core.library import Library  # noqa: E402

CORPUS = HERE.parent.parent / "shared" / "corpus" / "daily_papers_ko"
WORK = HERE / ".work"
_DAY = re.compile(r"(##\s+Daily Papers\s*\(\s*)(\d{4}-\d{2}-\d{2})")


def shifted_copies(copies: int) -> Path:
    """copies x the corpus, copy k moved k*500 days later (file names and day headers), built once."""
    root = WORK / f"x{copies}"
    marker = root / ".complete"
    if marker.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    for k in range(copies):
        shift = timedelta(days=500 * k)
        for src in sorted(CORPUS.rglob("*.md")):
            y, m, d = src.relative_to(CORPUS).with_suffix("").parts
            day = date(int(y), int(m), int(d)) + shift
            text = _DAY.sub(lambda mt: mt[1] + (date.fromisoformat(mt[2]) + shift).isoformat(),
                            src.read_text(encoding="utf-8"))
            dst = root / f"{day:%Y/%m/%d}.md"
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(text, encoding="utf-8")
    marker.touch()
    return root


def newest_mtime(root: Path) -> float:
    return max(p.stat().st_mtime for p in root.rglob("*.md"))


def run_one(mode: str, root: Path, store: Path) -> float:
    """One measurement in this (fresh) process: milliseconds."""
    start = time.perf_counter()
    if mode == "cold":
        Library.open([root]).load_all()
    elif mode == "fill":
        store.unlink(missing_ok=True)
        Library.open([root], cache=ParseCache(store)).load_all()  # parses, then saves the cache
    elif mode == "warm":
        cache = ParseCache(store)
        Library.open([root], cache=cache).load_all()
        if cache.misses:
            raise SystemExit(f"the cache missed {cache.misses} files")
    elif mode == "first-cold":
        Library.open([root]).load_newest()
    elif mode == "first-warm":
        Library.open([root], cache=ParseCache(store)).load_newest()
    return (time.perf_counter() - start) * 1000


def best(mode: str, root: Path, store: Path, repeat: int) -> float:
    """Best of `repeat` fresh processes (each a real start: nothing else in memory)."""
    times = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, __file__, "--one", mode, str(root), str(store)],
                              capture_output=True, text=True, check=True)
        times.append(float(done.stdout))
    return min(times)


def measure(name: str, root: Path, repeat: int) -> None:
    store = WORK / f"cache-{root.name}.jsonl"
    t_cold = best("cold", root, store, repeat)
    t_fill = best("fill", root, store, repeat)
    # Files changed within seconds of being cached are checked by hash once, later (see RACY_NS); settle
    # that as a real second start would have, so what follows measures the steady state.
    time.sleep(max(0.0, RACY_NS / 1e9 - (time.time() - newest_mtime(root))))
    Library.open([root], cache=ParseCache(store)).load_all()
    t_warm = best("warm", root, store, repeat)
    t_first_cold = best("first-cold", root, store, repeat)
    t_first_warm = best("first-warm", root, store, repeat)
    lib = Library.open([root], cache=ParseCache(store)).load_all()
    size = store.stat().st_size / 1e6
    print(f"{name}: {lib.files} files, {len(lib)} papers, cache file {size:.1f} MB")
    print(f"  whole library, parsed (no cache)       {t_cold:8.1f} ms")
    print(f"  whole library, parsed + cache saved    {t_fill:8.1f} ms")
    print(f"  whole library, from the cache          {t_warm:8.1f} ms   ({t_cold / t_warm:.1f}x faster)")
    print(f"  first screen (newest day), no cache    {t_first_cold:8.1f} ms")
    print(f"  first screen (newest day), cache       {t_first_warm:8.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--one", nargs=3, metavar=("MODE", "ROOT", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        mode, root, store = args.one
        print(f"{run_one(mode, Path(root), Path(store)):.3f}")
        return 0
    if not CORPUS.is_dir():
        print(f"missing {CORPUS}", file=sys.stderr)
        return 1
    WORK.mkdir(exist_ok=True)
    measure("corpus", CORPUS, args.repeat)
    measure(f"{args.copies}x corpus", shifted_copies(args.copies), max(1, args.repeat // 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
