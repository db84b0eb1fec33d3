"""Every paper heading of the real archive becomes exactly one paper, read independently of the parser."""

from __future__ import annotations

import re
from collections import defaultdict

from reader.core.library import Library

HEADING = re.compile(r"^### \[(?P<title>.*)\]\((?P<url>.*)\)\s*$")
ID = re.compile(r"arxiv\.org/abs/(\d{4}\.\d{4,5})")


def expected_papers(corpus):
    """(date, id) -> (title, votes, author count), straight from the text with regular expressions."""
    out = {}
    headings = 0
    for path in sorted(corpus.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        date = None
        current = None
        for line in text.split("\n"):
            if m := re.match(r"^## Daily Papers \((\d{4}-\d{2}-\d{2})\)", line):
                date = m.group(1)
            elif line.startswith("### ["):
                headings += 1
                m = HEADING.match(line)
                current = (date, ID.search(m["url"]).group(1))
                out.setdefault(current, {"title": m["title"], "votes": None, "authors": 0})
            elif current and (m := re.match(r"^Vote: (\S+)", line)):
                out[current]["votes"] = int(m.group(1)) if m.group(1).isdigit() else None
            elif current and line.startswith("Authors: "):
                raw = line[len("Authors: "):].strip()
                out[current]["authors"] = raw.count("', '") + 1 if raw.startswith("['") else raw.count(", ") + 1
    return out, headings


def test_every_heading_is_one_paper(corpus):
    expected, headings = expected_papers(corpus)
    assert headings == 3273 and len(expected) == headings
    lib = Library.open([corpus]).load_all()
    assert lib.warnings == []
    papers = list(lib.papers())
    assert len(papers) == headings
    assert len(lib.dates()) == 239
    got = {(p.date, p.arxiv_id): p for p in papers}
    assert set(got) == set(expected)
    mismatches = []
    for key, want in expected.items():
        paper = got[key]
        title = " ".join(want["title"].replace("\\_", "_").split())
        if (paper.title, paper.votes, len(paper.authors)) != (title, want["votes"], want["authors"]):
            mismatches.append((key, paper.title, paper.votes, len(paper.authors), want))
    assert mismatches == []


def test_every_paper_has_sections_and_no_control_characters(corpus):
    lib = Library.open([corpus]).load_all()
    names = defaultdict(int)
    for paper in lib.papers():
        assert paper.sections, paper.arxiv_id
        for section in paper.sections:
            names[section.name] += 1
            assert section.markdown.strip(), (paper.arxiv_id, section.name)
            bad = [c for c in section.markdown + paper.title if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F]
            assert not bad, (paper.arxiv_id, bad)
            assert "<video" not in section.markdown and "Watch Video" not in section.markdown
    assert names["What's New"] > 1900 and names["Summary"] > 1200


def test_list_literal_sections_become_bullets(corpus):
    lib = Library.open([corpus / "2024" / "08" / "07.md"]).load_all()
    literal = [s for p in lib.papers() for s in p.sections if s.markdown.startswith("['")]
    assert literal == []
    bullets = [s for p in lib.papers() for s in p.sections if s.name == "Performance Highlights" and s.markdown.startswith("- ")]
    assert bullets
