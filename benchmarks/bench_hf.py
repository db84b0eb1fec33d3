"""Hugging Face days: a first sync of 560 days from a loopback Hub that adds 50 ms to every request, and an
up-to-date sync after it (issue: at most 20 s with the request cap raised, 4 at once, the floor being about
7 s; at most 3 requests when up to date).

    .venv/bin/python benchmarks/bench_hf.py      # prints the figures (benchmarks/run.py records them)
"""

from __future__ import annotations

import copy
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent))

from hub_server import HubServer, recorded_days  # noqa: E402

DAYS = 560
LATENCY = 0.05
WORKERS = 4
FIRST = date(2025, 5, 10)


def shifted_days(count: int = DAYS) -> dict[str, list]:
    """The recorded days served again under `count` consecutive dates, every paper with a distinct id."""
    recorded = list(recorded_days().values())
    days: dict[str, list] = {}
    serial = 0
    for n in range(count):
        day = FIRST + timedelta(days=n)
        items = copy.deepcopy(recorded[n % len(recorded)])
        for item in items:
            serial += 1
            item["paper"]["id"] = f"{day:%y%m}.{serial % 100000:05d}"
        days[day.isoformat()] = items
    return days


def serve(count: int, latency: float) -> None:
    """The Hub in a process of its own (as the real one is elsewhere): prints its URL, then serves; each
    line read on stdin is answered with how many requests it has had."""
    with HubServer(shifted_days(count), delay=latency) as hub:
        print(hub.url, flush=True)
        for _ in sys.stdin:
            print(len(hub.requests), flush=True)


def run(count: int = DAYS, latency: float = LATENCY) -> dict[str, float]:
    import os
    import subprocess

    from reader.core.metadata import MetadataStore
    from reader.sources.hf_sync import open_hub, sync_hf

    today = (FIRST + timedelta(days=count - 1)).isoformat()
    work = Path(tempfile.mkdtemp(prefix="bench-hf-"))
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(count), str(latency)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def served() -> int:
        server.stdin.write("\n")
        server.stdin.flush()
        return int(server.stdout.readline())

    try:
        os.environ["HF_ENDPOINT"] = server.stdout.readline().strip()
        store = MetadataStore(work / "metadata.sqlite3")
        http = open_hub(per_5min=100_000, workers=WORKERS)
        start = time.perf_counter()
        first = sync_hf(library=work / "library", store=store, http=http, today=today, workers=WORKERS)
        first_seconds = time.perf_counter() - start
        before = served()
        start = time.perf_counter()
        again = sync_hf(library=work / "library", store=store, http=http, today=today, workers=WORKERS)
        again_seconds = time.perf_counter() - start
        again_requests = served() - before
        http.close()
    finally:
        server.kill()
        server.wait()
    assert not first.failed and not again.failed, (first.failed[:3], again.failed[:3])
    return {"days": count, "first_seconds": first_seconds, "floor_seconds": count * latency / WORKERS,
            "papers": first.new_papers, "again_requests": again_requests, "again_seconds": again_seconds}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]), float(sys.argv[3]))
        raise SystemExit(0)
    figures = run()
    print(f"first sync: {figures['days']} days, {figures['papers']:,} papers in {figures['first_seconds']:.1f} s "
          f"(floor {figures['floor_seconds']:.1f} s; goal <= 20 s)")
    print(f"up-to-date sync: {figures['again_requests']} requests in {figures['again_seconds'] * 1000:.0f} ms (goal <= 3)")
