"""What to summarise: the papers of the Hugging Face days (in a range, or the ids given) without a Korean
summary, with their inputs (the metadata store's abstract and keywords where it knows the paper)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from reader.core.korean import has_korean_summary


class Target(NamedTuple):
    arxiv_id: str
    title: str
    date: str  # the first day holding it
    files: tuple[str, ...]  # every Hugging Face digest holding it
    abstract: str = ""
    keywords: tuple[str, ...] = ()


class Selection(NamedTuple):
    targets: list[Target]
    already: int  # papers in range that have a Korean summary (skipped; --force redoes them)
    unknown: list[str]  # ids asked for that no Hugging Face day holds
    warnings: list[str]


def hf_digests(library: Path) -> list[tuple[str, Path]]:
    """(date, path) of every Hugging Face digest in the library, oldest first."""
    from reader.sources.hf_sync import HF_FOLDER

    root = library / HF_FOLDER
    found = []
    if not root.is_dir():
        return found
    for year in sorted(root.iterdir()):
        if not (year.is_dir() and year.name.isdigit() and len(year.name) == 4):
            continue
        for month in sorted(year.iterdir()):
            if not (month.is_dir() and month.name.isdigit() and len(month.name) == 2):
                continue
            for day in sorted(month.glob("[0-9][0-9].md")):
                found.append((f"{year.name}-{month.name}-{day.stem}", day))
    return found


def _digest_inputs(paper) -> tuple[str, tuple[str, ...]]:
    from reader.core.text import plain_text

    abstract = paper.section("Abstract")
    keywords = paper.section("Keywords")
    text = " ".join(plain_text(abstract.markdown).split()) if abstract else ""
    words = tuple(w.strip() for w in plain_text(keywords.markdown).split(",") if w.strip()) if keywords else ()
    return text, words


def select(library: Path, *, date: str | None = None, since: str | None = None, until: str | None = None,
           ids: Iterable[str] = (), force: bool = False, store=None) -> Selection:
    """The papers to summarise: those of the Hugging Face days in range (or the ids given) without a Korean
    summary (with force: all of them). Inputs come from the metadata store where it knows the paper."""
    from reader.core.parse import read_file

    wanted = list(dict.fromkeys(ids))
    order: dict[str, Target] = {}
    seen: set[str] = set()
    already = 0
    warnings: list[str] = []
    for day, path in hf_digests(library):
        if date and day != date or since and day < since or until and day > until:
            continue
        parsed = read_file(path)
        warnings.extend(str(w) for w in parsed.warnings)
        for paper in parsed.papers:
            if wanted and paper.arxiv_id not in wanted:
                continue
            seen.add(paper.arxiv_id)
            if paper.arxiv_id in order:
                target = order[paper.arxiv_id]
                if str(path) not in target.files:
                    order[paper.arxiv_id] = target._replace(files=target.files + (str(path),))
                continue
            if not force and has_korean_summary(paper):
                already += 1
                continue
            abstract, keywords = _digest_inputs(paper)
            order[paper.arxiv_id] = Target(paper.arxiv_id, paper.title, paper.date, (str(path),), abstract, keywords)
    known = store.papers(order) if store is not None and order else {}
    targets = []
    for target in order.values():
        record = known.get(target.arxiv_id)
        if record is not None and record.abstract:
            target = target._replace(abstract=record.abstract, keywords=record.keywords or target.keywords)
        targets.append(target)
    return Selection(targets, already, [i for i in wanted if i not in seen], warnings)
