"""Korean summaries: 50 papers of Hugging Face days summarised by a loopback OpenAI-compatible model (its own
process) that takes 2 s to answer, 8 requests at once (issue 16: at most 15 s; the floor is 50 x 2 s / 8 =
12.5 s). Every paper is written into its digest as it is done, under the library lock, as in real use.

    .venv/bin/python benchmarks/bench_summarize.py      # prints the figure (benchmarks/run.py records it)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent))

PAPERS = 50
LATENCY = 2.0
CONCURRENCY = 8


def serve(latency: float) -> None:
    """The model in a process of its own: prints its URL, then serves until stdin closes."""
    from model_server import ModelServer

    with ModelServer(latency=latency) as model:
        print(model.url, flush=True)
        sys.stdin.read()


def library_of(count: int, work: Path):
    """`count` papers of the recorded Hugging Face days written as digests (several days, as a sync leaves
    them), with their metadata in a store."""
    from hub_server import recorded_days
    from reader.core.metadata import MetadataStore
    from reader.sources.hf import parse_page
    from reader.sources.hf_sync import write_day_digest

    library = work / "library"
    store = MetadataStore(work / "metadata.sqlite3")
    left = count
    for day, items in recorded_days().items():
        if day < "2026-08-01" or left <= 0:
            continue
        papers = parse_page(items)[0][:left]
        write_day_digest(library, day, papers)
        store.put_day(day, papers)
        left -= len(papers)
    return library, store


def run(count: int = PAPERS, latency: float = LATENCY, concurrency: int = CONCURRENCY) -> dict[str, float]:
    from reader.core.summarizer_config import summarizer_setting
    from reader.sources import summarize as engine

    work = Path(tempfile.mkdtemp(prefix="bench-summarize-"))
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(latency)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()
        library, store = library_of(count, work)
        targets = engine.select(library, store=store).targets
        store.close()
        assert len(targets) == count, len(targets)
        settings, problems = summarizer_setting({"base_url": url, "model": "test-model", "concurrency": concurrency},
                                                {})
        assert not problems, problems
        start = time.perf_counter()
        result = engine.summarize(targets, settings, library=library, key=None)
        seconds = time.perf_counter() - start
    finally:
        server.stdin.close()
        server.wait(10)
    assert not result.failed and result.fatal is None and len(result.done) == count, (result.failed[:3], result.fatal)
    return {"papers": count, "seconds": seconds, "floor_seconds": count * latency / concurrency,
            "latency": latency, "concurrency": concurrency, "tokens": result.tokens}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(float(sys.argv[2]))
        raise SystemExit(0)
    figures = run()
    print(json.dumps(figures))
    print(f"summarize: {figures['papers']} papers, {figures['latency']:g} s an answer, {figures['concurrency']} at "
          f"once: {figures['seconds']:.1f} s (floor {figures['floor_seconds']:.1f} s; goal <= 15 s)")
