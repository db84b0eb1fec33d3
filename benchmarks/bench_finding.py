"""Finding papers (issue 19): how good similar papers are, and what search and similar cost at ten times the
archive.

    .venv/bin/python benchmarks/bench_finding.py            # prints the figures, adds them to RESULTS.md
    .venv/bin/python benchmarks/bench_finding.py --smoke    # the quality figure and a few timings, nothing written

Quality (precision@5): the library is the recorded Hugging Face days (../shared/hf-api, written as the sync
writes them: huggingface/YYYY/MM/DD.md, abstract and keywords in the digest). For every paper whose metadata
has Hugging Face's keywords, the share of its 5 most similar papers (of the whole library) that share at
least one keyword with it (compared casefolded, whole). Beside it, in the same library and over the same
papers: 5 papers drawn at random, and a plain tf-idf (words of the title and the summary the digest holds:
the abstract; no stop words, no keywords), cosine over every paper. Then the same with the archive's days
in the library too (reported: its Korean papers have no keywords to share).

Speed, at ten times the archive with distinct ids (corpus.scaled(10)), in this process with the index warm:
a keystroke of search (each prefix of figures.QUERIES, as typed: the first page of 50 ranked results with
snippets and the count of all), a similar-papers query (200 papers drawn at random), and the one-off costs
(the index built, its similarity tables weighed from nothing, its heavy words' best papers weighed: the
index as the reader's worker leaves it, reader.core.finding.tiers).
"""

from __future__ import annotations

import json
import math
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
HF_DAYS = HERE.parent.parent / "shared" / "hf-api" / "daily_papers"

from figures import QUERIES  # noqa: E402


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def recorded_library(target: Path, archive: bool = False) -> tuple[Path, dict[str, set[str]]]:
    """The recorded days (as hf_digest writes them; with archive, beside the archive's days) under one
    folder; each recorded paper's keywords (casefolded)."""
    import shutil

    import corpus
    from reader.sources.hf import parse_page
    from reader.sources.hf_digest import render_day

    if archive:
        shutil.copytree(corpus.real(), target / "archive")
    keywords: dict[str, set[str]] = {}
    for path in sorted(HF_DAYS.glob("*.json")):
        date = path.stem
        papers, _ = parse_page(json.loads(path.read_text(encoding="utf-8")))
        for paper in papers:
            keywords[paper.arxiv_id] = {k.casefold() for k in paper.keywords}
        y, m, d = date.split("-")
        out = target / "huggingface" / y / m / f"{d}.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_day(date, papers), encoding="utf-8")
    return target, {k: v for k, v in keywords.items() if v}


_WORD = re.compile(r"\w+")


def plain_tfidf(library) -> dict[str, dict[str, float]]:
    """Every paper's vector of a plain tf-idf over the words of its title and summary."""
    from reader.core.finding.snippets import summary_text

    docs = {}
    for paper in library.papers():
        if paper.arxiv_id not in docs:
            docs[paper.arxiv_id] = Counter(_WORD.findall((paper.title + " " + summary_text(paper.sections)).lower()))
    df: Counter = Counter()
    for counts in docs.values():
        df.update(counts.keys())
    n = len(docs)
    vectors = {}
    for arxiv_id, counts in docs.items():
        vector = {t: (1 + math.log(c)) * math.log(n / df[t]) for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        vectors[arxiv_id] = {t: w / norm for t, w in vector.items()}
    return vectors


def precision(top: dict[str, list[str]], keywords: dict[str, set[str]]) -> float:
    hits = sum(1 for q, found in top.items() for other in found[:5] if keywords[q] & keywords.get(other, set()))
    return hits / (5 * len(top))


def quality(index_folder: Path, archive: bool = False, baseline: bool = True) -> dict:
    from reader.core import finding
    from reader.core.index import open_indexed

    work = Path(tempfile.mkdtemp(prefix="bench-finding-"))
    root, keywords = recorded_library(work / "library", archive)
    library = open_indexed([root], index_folder)
    library.load_all()
    start = time.perf_counter()
    finding.refresh_similar(library)
    weigh_1x = time.perf_counter() - start
    ids = sorted(keywords)
    ours = {q: [p.arxiv_id for p, _ in finding.similar(library, q, 5)] for q in ids}
    everyone = sorted(library.ids())
    draw = random.Random(19)
    chance = {q: draw.sample([i for i in everyone if i != q], 5) for q in ids}
    vectors = plain_tfidf(library) if baseline else {}
    plain = {}
    for q in ids if baseline else ():
        vq = vectors[q]
        scores = [(sum(w * vectors[o].get(t, 0.0) for t, w in vq.items()), o) for o in everyone if o != q]
        plain[q] = [o for _, o in sorted(scores, reverse=True)[:5]]
    library.close()
    return {"papers": len(everyone), "queries": len(ids), "ours": precision(ours, keywords),
            "random": precision(chance, keywords), "plain": precision(plain, keywords) if baseline else None,
            "weigh_1x": weigh_1x}


def speed(index_folder: Path, copies: int = 10, similar_queries: int = 200) -> dict:
    import corpus
    from reader.core import finding
    from reader.core.index import open_indexed

    folder = corpus.scaled(copies)
    start = time.perf_counter()
    library = open_indexed([folder], index_folder)
    library.load_all()
    build = time.perf_counter() - start
    start = time.perf_counter()
    finding.refresh_similar(library)
    weigh = time.perf_counter() - start
    start = time.perf_counter()
    finding.refresh_similar(library)
    fresh = time.perf_counter() - start
    start = time.perf_counter()
    finding.refresh_tiers(library)  # the heavy words' best papers, as the reader's worker weighs them next
    tiers = time.perf_counter() - start
    keystrokes = []
    for query in QUERIES:
        for i in range(1, len(query) + 1):
            start = time.perf_counter()
            finding.search(library, query[:i], limit=50)
            keystrokes.append(time.perf_counter() - start)
    ids = sorted(library.ids())
    draw = random.Random(5)
    similar = []
    for arxiv_id in draw.sample(ids, similar_queries):
        start = time.perf_counter()
        finding.similar(library, arxiv_id, 10)
        similar.append(time.perf_counter() - start)
    size = sum(p.stat().st_size for p in Path(index_folder).glob("*"))
    sim_rows = library.ask(lambda con, _: con.execute("SELECT count(*) FROM sim_postings").fetchone()[0], lambda _: 0)
    library.close()
    return {"papers": len(ids), "build": build, "weigh": weigh, "fresh": fresh, "tiers": tiers, "keystrokes": keystrokes,
            "similar": similar, "index_mb": size / 1e6, "postings": sim_rows}


def table(q: dict, both: dict, s: dict | None) -> str:
    rows = ["| figure | value | goal | reference | met |", "|---|---|---|---|---|"]
    rows.append(f"| similar papers, precision@5 over the {q['queries']} recorded papers with Hugging Face keywords "
                f"(library: the {q['papers']:,} papers of the recorded days) | {q['ours']:.3f} | >= 0.30 | random "
                f"{q['random']:.3f}; plain tf-idf over title + summary {q['plain']:.3f} | "
                f"{'yes' if q['ours'] >= 0.30 else 'NO'} |")
    rows.append(f"| the same, the library the archive + the recorded days ({both['papers']:,} papers: the archive's "
                f"Korean papers have no keywords, so each one among the 5 counts as a miss) | {both['ours']:.3f} | "
                f"report | random {both['random']:.3f} |  |")
    if s is not None:
        k, m = s["keystrokes"], s["similar"]
        rows.append(f"| search keystroke at 10x ({len(k)} keystrokes of figures.QUERIES, first page of 50 with "
                    f"snippets and the count; median {statistics.median(k) * 1000:.1f} ms) | p95 "
                    f"{p95(k) * 1000:.1f} ms | <= 50 ms |  | {'yes' if p95(k) <= 0.05 else 'NO'} |")
        rows.append(f"| similar papers at 10x ({len(m)} queries, 10 papers each; median "
                    f"{statistics.median(m) * 1000:.1f} ms) | p95 {p95(m) * 1000:.1f} ms | <= 50 ms |  | "
                    f"{'yes' if p95(m) <= 0.05 else 'NO'} |")
        rows.append(f"| 10x ({s['papers']:,} papers): index built from nothing / similarity weighed from nothing / "
                    f"refresh when fresh / search tiers weighed | {s['build']:.1f} s / {s['weigh']:.1f} s / "
                    f"{s['fresh'] * 1000:.1f} ms / {s['tiers']:.1f} s | report | 1x weighed in {q['weigh_1x']:.1f} s |  |")
        rows.append(f"| 10x index size (similarity: {s['postings']:,} postings) | {s['index_mb']:.0f} MB | report "
                    "|  |  |")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    smoke = "--smoke" in argv
    q = quality(Path(tempfile.mkdtemp(prefix="bench-finding-index-")))
    both = quality(Path(tempfile.mkdtemp(prefix="bench-finding-index-")), archive=True, baseline=False)
    s = None if smoke else speed(Path(tempfile.mkdtemp(prefix="bench-finding-index10-")))
    text = table(q, both, s)
    print(text)
    if not smoke:
        from run import record

        record(text, "benchmarks/bench_finding.py (issue 19)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
