"""The reading-state store against plain TinyDB, at four years of reading (30,000 stored papers).

    .venv/bin/python benchmarks/bench_state.py              # 30,000 records (about a minute)
    .venv/bin/python benchmarks/bench_state.py --smoke      # 2,000 records, seconds
    .venv/bin/python benchmarks/bench_state.py --dir DIR    # measure on another disk (default: beside this file)

Each side runs in a fresh process (so load time and memory are its own). "Toggle persisted" is the time from
the call to its return, when the change is on disk: ours appends one fsync'd journal line under the file lock;
plain TinyDB (default JSONStorage) upserts, which re-reads and rewrites the whole file, and never fsyncs.
The goal (issue): a toggle persisted in under 10 ms at 30,000 papers. Figures go to standard output.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOAL_MS = 10.0


def rss_mib() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def ids_for(n: int) -> list[str]:
    return [f"{2101 + (i // 9000) // 12 * 100 + (i // 9000) % 12:04d}.{i % 9000 + 10000:05d}" for i in range(n)]


def docs_for(n: int) -> list[dict]:
    rng = random.Random(7)
    base = 1.6e9
    return [{"arxiv_id": arxiv_id, "read": rng.random() < 0.8, "starred": rng.random() < 0.05,
             "updated": base + i * 3000.0} for i, arxiv_id in enumerate(ids_for(n))]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


# -- children: one measurement each, in its own process ------------------------------------------------------
def child_ours(path: str, n: int, toggles: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from reader.core.state import StateStore  # noqa: E402

    before = rss_mib()
    t0 = time.perf_counter()
    store = StateStore(path)
    load = time.perf_counter() - t0
    after = rss_mib()
    assert len(store) == n and not store.notices, (len(store), store.notices)
    ids = ids_for(n)
    rng = random.Random(1)
    times = []
    for _ in range(toggles):
        arxiv_id = rng.choice(ids)
        t = time.perf_counter()
        store.set_read(arxiv_id, not store.is_read(arxiv_id))
        times.append(time.perf_counter() - t)
    day = [ids[rng.randrange(n)] for _ in range(30)]
    t = time.perf_counter()
    previous = store.snapshot(day)
    store.update(day, read=True)
    day_read = time.perf_counter() - t
    t = time.perf_counter()
    store.restore(previous)
    undo = time.perf_counter() - t
    t = time.perf_counter()
    for arxiv_id in ids[:1000]:
        store.is_read(arxiv_id)
    lookup = (time.perf_counter() - t) / 1000
    assert store._storage is not None
    with store._storage.lock:  # what every ~N toggles costs once (amortised in the figures above)
        t = time.perf_counter()
        store._compact_locked()
        compact = time.perf_counter() - t
    limit = store._storage.journal_limit()
    store.close()
    return {"load": load, "rss_before": before, "rss_after": after, "toggles": times, "day_read": day_read,
            "undo": undo, "lookup": lookup, "compact": compact, "journal_limit": limit,
            "file_bytes": os.path.getsize(path)}


def child_plain(path: str, n: int, toggles: int) -> dict:
    from tinydb import Query, TinyDB

    before = rss_mib()
    t0 = time.perf_counter()
    db = TinyDB(path)
    table = db.table("marks")
    marks = {doc["arxiv_id"]: doc for doc in table.all()}  # what a reader needs at start
    load = time.perf_counter() - t0
    after = rss_mib()
    assert len(marks) == n
    ids = ids_for(n)
    rng = random.Random(1)
    q = Query()
    times = []
    for _ in range(toggles):
        arxiv_id = rng.choice(ids)
        doc = dict(marks[arxiv_id], read=not marks[arxiv_id]["read"], updated=time.time())
        t = time.perf_counter()
        table.upsert(doc, q.arxiv_id == arxiv_id)
        times.append(time.perf_counter() - t)
        marks[arxiv_id] = doc
    day = [ids[rng.randrange(n)] for _ in range(30)]
    t = time.perf_counter()
    for arxiv_id in day:  # one upsert per paper: TinyDB has no multi-document upsert by different queries
        table.upsert(dict(marks[arxiv_id], read=True), q.arxiv_id == arxiv_id)
    day_read = time.perf_counter() - t
    t = time.perf_counter()
    lookups = 20
    for arxiv_id in ids[:lookups]:
        table.get(q.arxiv_id == arxiv_id)  # a query per row, as the first StateStore did
    lookup = (time.perf_counter() - t) / lookups
    db.close()
    return {"load": load, "rss_before": before, "rss_after": after, "toggles": times, "day_read": day_read,
            "undo": None, "lookup": lookup, "compact": None, "journal_limit": None,
            "file_bytes": os.path.getsize(path)}


# -- the parent ----------------------------------------------------------------------------------------------
def build(workdir: Path, n: int) -> tuple[Path, Path]:
    sys.path.insert(0, str(ROOT))
    from tinydb import TinyDB

    from reader.core.state_format import parse_doc
    from reader.core.state_storage import JournalStorage

    docs = docs_for(n)
    ours = workdir / "ours" / "state.json"
    ours.parent.mkdir(parents=True)
    storage = JournalStorage(ours)
    with storage.lock:
        storage.write_marks(parse_doc(doc) for doc in docs)  # type: ignore[misc]
    plain = workdir / "plain" / "db.json"
    plain.parent.mkdir(parents=True)
    db = TinyDB(plain)
    db.table("marks").insert_multiple(docs)
    db.close()
    return ours, plain


def run_child(kind: str, path: Path, n: int, toggles: int) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", kind, str(path), str(n), str(toggles)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"bench_state: the {kind} child failed:\n{result.stderr}")
    return json.loads(result.stdout)


def fs_type(path: Path) -> str:
    try:
        best = ""
        kind = "?"
        with open("/proc/mounts", encoding="utf-8") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) > 2 and str(path).startswith(parts[1]) and len(parts[1]) >= len(best):
                    best, kind = parts[1], parts[2]
        return kind
    except OSError:
        return "?"


def ms(seconds: float | None, digits: int = 2) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.{digits}f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", nargs=4, metavar=("KIND", "PATH", "N", "TOGGLES"), help=argparse.SUPPRESS)
    parser.add_argument("--records", type=int, default=30_000, help="stored papers (default: 30000)")
    parser.add_argument("--toggles", type=int, default=500, help="toggles timed for our store (default: 500)")
    parser.add_argument("--plain-toggles", type=int, default=30,
                        help="toggles timed for plain TinyDB (default: 30; each rewrites the whole file)")
    parser.add_argument("--runs", type=int, default=3, help="processes per side; loads are medians (default 3)")
    parser.add_argument("--dir", type=Path, default=HERE, help="where the files are made (default: here)")
    parser.add_argument("--smoke", action="store_true", help="2,000 records, few toggles: seconds")
    args = parser.parse_args(argv)
    if args.child:
        kind, path, n, toggles = args.child
        fn = child_ours if kind == "ours" else child_plain
        print(json.dumps(fn(path, int(n), int(toggles))))
        return 0
    if args.smoke:
        args.records, args.toggles, args.plain_toggles, args.runs = 2000, 50, 10, 1

    args.dir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=".bench-state-", dir=args.dir))
    try:
        t = time.perf_counter()
        ours_path, plain_path = build(workdir, args.records)
        built = time.perf_counter() - t
        ours = [run_child("ours", ours_path, args.records, args.toggles) for _ in range(args.runs)]
        plain = [run_child("plain", plain_path, args.records, args.plain_toggles) for _ in range(args.runs)]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    def med(runs: list[dict], key: str) -> float | None:
        values = [r[key] for r in runs if r[key] is not None]
        return statistics.median(values) if values else None

    def pooled(runs: list[dict]) -> list[float]:
        return [x for r in runs for x in r["toggles"]]

    ot, pt = pooled(ours), pooled(plain)
    rows = [
        ("toggle persisted, p50", ms(percentile(ot, 50)), ms(percentile(pt, 50), 1)),
        ("toggle persisted, p95", ms(percentile(ot, 95)), ms(percentile(pt, 95), 1)),
        ("toggle persisted, max", ms(max(ot)), ms(max(pt), 1)),
        ("mark a day read (30 papers)", ms(med(ours, "day_read")), ms(med(plain, "day_read"), 0) + " (30 upserts)"),
        ("undo that day", ms(med(ours, "undo")), "-"),
        ("look up one mark", f"{med(ours, 'lookup') * 1e6:.2f} us", ms(med(plain, "lookup"), 1) + " (a query)"),
        ("load every mark (median)", ms(med(ours, "load"), 1), ms(med(plain, "load"), 1)),
        ("RSS after load", f"{med(ours, 'rss_after'):.1f} MiB", f"{med(plain, 'rss_after'):.1f} MiB"),
        ("RSS added by loading", f"{med(ours, 'rss_after') - med(ours, 'rss_before'):.1f} MiB",
         f"{med(plain, 'rss_after') - med(plain, 'rss_before'):.1f} MiB"),
        ("file size", f"{ours[0]['file_bytes'] / 1e6:.2f} MB", f"{plain[0]['file_bytes'] / 1e6:.2f} MB"),
        ("compaction (once per journal limit)", ms(med(ours, "compact"), 1), "-"),
        ("fsync before returning", "yes (journal line)", "no"),
    ]
    width = max(len(r[0]) for r in rows) + 2
    col = max(len(r[1]) for r in rows + [("", "ours (journal + lock)")]) + 3
    out = sys.stdout
    limit_kib = ours[0]["journal_limit"] / 1024
    out.write(f"Reading state: {args.records:,} stored papers; {len(ot)} toggles (ours) and {len(pt)} "
              f"(plain TinyDB) over {args.runs} process(es); files on {args.dir} ({fs_type(args.dir)}); "
              f"Python {sys.version.split()[0]}\n\n")
    out.write(f"{'':<{width}}{'ours (journal + lock)':<{col}}plain TinyDB (JSONStorage upsert)\n")
    for name, a, b in rows:
        out.write(f"{name:<{width}}{a:<{col}}{b}\n")
    p95 = percentile(ot, 95) * 1000
    verdict = "met" if p95 < GOAL_MS else "NOT met"
    out.write(f"\ngoal: toggle persisted p95 < {GOAL_MS:.0f} ms at {args.records:,} papers: {verdict} "
              f"({p95:.2f} ms; plain TinyDB {percentile(pt, 95) * 1000:.0f} ms, "
              f"{percentile(pt, 95) / percentile(ot, 95):.0f}x slower)\n")
    out.write(f"compaction runs when the journal passes {limit_kib:.0f} KiB (about "
              f"{int(ours[0]['journal_limit'] / 95):,} toggles); building the files took {built:.1f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
