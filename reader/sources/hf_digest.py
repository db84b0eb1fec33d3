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
