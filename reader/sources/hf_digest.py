"""A day from Hugging Face's API, written as a digest in the archive's own Markdown shape.

    ## Daily Papers (2026-08-03)

    ### [Title](https://arxiv.org/abs/2608.01234)

    ![](https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2608.01234.png)

    Vote: 58

    Authors: First Author, Second Author, ...

    - ***AI Summary***: ...            (Hugging Face's one-line summary, where it has one)
    - ***Abstract***: ...              (arXiv's abstract)
    - ***Keywords***: a, b, c
    - ***Links***: [Code](https://github.com/...) · [Project page](https://...)

so that everything the reader does with the archive's days (parse, cache, search, citations, exports, marks)
works on these unchanged; a Korean summary written later (the summarizer) goes above the English sections,
in the archive's newest form (`- ***What's New***: ...`). Texts are the metadata store's, already cleaned;
here they are only made safe for Markdown (one line each, the characters Markdown acts on escaped).
"""

from __future__ import annotations

import re

from reader.core.metadata import HFPaper

ENGLISH_SECTIONS = ("AI Summary", "Abstract", "Keywords", "Links")
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|])")
_TITLE = re.compile(r"([\\`*_\[\]|])")  # what reader.core.parse unescapes in a heading


def escape(text: str) -> str:
    """One line of plain text, safe inside Markdown: what Markdown would act on is backslash-escaped."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def escape_title(text: str) -> str:
    return _TITLE.sub(r"\\\1", " ".join(text.split()))


def _authors(names: tuple[str, ...]) -> str:
    if any("," in name for name in names):
        return repr([name for name in names])  # the archive's list-literal form, which keeps the commas
    return ", ".join(names)


def render_paper(paper: HFPaper, korean: list[tuple[str, str]] | None = None) -> str:
    lines = [f"### [{escape_title(paper.title)}](https://arxiv.org/abs/{paper.arxiv_id})", ""]
    if paper.thumbnail:
        lines += [f"![]({paper.thumbnail})", ""]
    if paper.upvotes is not None:
        lines += [f"Vote: {paper.upvotes}", ""]
    if paper.authors:
        lines += [f"Authors: {_authors(paper.authors)}", ""]
    bullets = [f"- ***{name}***: {text}" for name, text in korean or ()]
    if paper.ai_summary:
        bullets.append(f"- ***AI Summary***: {escape(paper.ai_summary)}")
    if paper.abstract:
        bullets.append(f"- ***Abstract***: {escape(paper.abstract)}")
    if paper.keywords:
        bullets.append(f"- ***Keywords***: {escape(', '.join(paper.keywords))}")
    links = []
    if paper.github:
        stars = f" (★ {paper.github_stars:,})" if paper.github_stars is not None else ""
        links.append(f"[Code]({paper.github}){stars}")
    if paper.project_page:
        links.append(f"[Project page]({paper.project_page})")
    if links:
        bullets.append(f"- ***Links***: {' · '.join(links)}")
    return "\n".join(lines + bullets) + "\n"


def render_day(date: str, papers: list[HFPaper]) -> str:
    """The digest of one day (papers in the API's order; the reader sorts by votes)."""
    parts = [f"## Daily Papers ({date})\n"]
    parts += [render_paper(paper) for paper in papers]
    return "\n".join(parts)


def with_korean(text: str, arxiv_id: str, korean: list[tuple[str, str]]) -> str | None:
    """The digest `text` with `arxiv_id`'s Korean sections replaced by `korean` ((name, one line of text),
    written in the archive's newest form above the English sections); every other line is kept as it was.
    None when the digest holds no such paper."""
    from reader.core.korean import SUMMARY_SECTIONS
    from reader.core.parse import _LABEL, _PAPER, normalize_arxiv_id

    replaced = set(SUMMARY_SECTIONS) | {name for name, _ in korean}
    new_lines = [f"- ***{name}***: {' '.join(body.split())}" for name, body in korean]
    lines = text.split("\n")
    found = False
    i = 0
    while i < len(lines):
        m = _PAPER.match(lines[i]) if lines[i].startswith("###") else None
        if not m or normalize_arxiv_id(m["url"]) != arxiv_id:
            i += 1
            continue
        found = True
        start = i + 1
        end = start
        while end < len(lines) and not _HEADING_LINE.match(lines[end]):
            end += 1
        block = lines[start:end]
        labels = [n for n, line in enumerate(block) if (lm := _LABEL.match(line)) and (lm["inner"] or lm["outer"])
                  and lm["label"].strip()]
        keep: list[str] = []
        drop_until = -1
        for n, line in enumerate(block):
            if n in labels:
                name = " ".join(_LABEL.match(line)["label"].split())
                if name in replaced:
                    following = [x for x in labels if x > n]
                    drop_until = following[0] if following else len(block)
                    while drop_until > n + 1 and not block[drop_until - 1].strip():
                        drop_until -= 1  # the blank lines closing the block stay
            if n < drop_until:
                continue
            keep.append(line)
        first_label = next((n for n, line in enumerate(keep) if (lm := _LABEL.match(line))
                            and (lm["inner"] or lm["outer"]) and lm["label"].strip()), None)
        if first_label is None:
            last = max((n for n, line in enumerate(keep) if line.strip()), default=-1)
            if last == -1:  # a heading with nothing under it
                keep[0:0] = [""]
                last = 0
            first_label = last + 1
            if keep[first_label - 1].strip():
                keep.insert(first_label, "")
                first_label += 1
        keep[first_label:first_label] = new_lines
        lines[start:end] = keep
        i = start + len(keep)
    return "\n".join(lines) if found else None


_HEADING_LINE = re.compile(r"^#{1,6}\s")
