"""The citation formats: arXiv's BibTeX, APA 7, Markdown, RIS and the bare arXiv id."""

from __future__ import annotations

import re
from collections.abc import Iterable

from reader.core.cite.keys import bibtex_key, paper_year, unique_keys
from reader.core.cite.latex import escape_title, plain_title
from reader.core.cite.names import apa_authors, bibtex_authors, citation_authors, ris_name
from reader.core.model import Paper


FORMATS: tuple[str, ...] = ("bibtex", "apa", "markdown", "arxiv", "ris")
FORMAT_LABELS: dict[str, str] = {
    "bibtex": "BibTeX",
    "apa": "APA 7",
    "markdown": "Markdown",
    "arxiv": "arXiv id",
    "ris": "RIS (Zotero, Mendeley, EndNote)",
}

ARXIV_ABS = "https://arxiv.org/abs/"
ARXIV_DOI = "https://doi.org/10.48550/arXiv."


def abs_url(arxiv_id: str) -> str:
    return ARXIV_ABS + arxiv_id


def doi_url(arxiv_id: str) -> str:
    return ARXIV_DOI + arxiv_id



def format_bibtex(paper: Paper, key: str | None = None) -> str:
    """arXiv's own layout (@misc, title, author, year, eprint, archivePrefix, url); no primaryClass or doi,
    which the digests do not hold."""
    fields = [("title", escape_title(paper.title))]
    authors = bibtex_authors(paper)
    if authors:
        fields.append(("author", authors))
    year = paper_year(paper)
    if year:
        fields.append(("year", year))
    fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv"), ("url", abs_url(paper.arxiv_id))]
    body = "".join(f"      {name}={{{value}}},\n" for name, value in fields)
    return f"@misc{{{key or bibtex_key(paper)},\n{body}}}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def format_apa(paper: Paper) -> str:
    """APA 7 for an arXiv preprint: 'Surname, I., & Surname, I. (YYYY). Title. arXiv. https://doi.org/...'."""
    names, gap = citation_authors(paper)
    authors = apa_authors(names, gap)
    year = paper_year(paper) or "n.d."
    title = _sentence(plain_title(paper.title))
    if authors:
        return f"{authors} ({year}). {title} arXiv. {doi_url(paper.arxiv_id)}"
    return f"{title} ({year}). arXiv. {doi_url(paper.arxiv_id)}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def markdown_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def format_markdown(paper: Paper) -> str:
    """'[Title](https://arxiv.org/abs/ID), First Author et al., YYYY' (two authors: 'A and B')."""
    names, gap = citation_authors(paper)
    parts = [f"[{markdown_escape(plain_title(paper.title))}]({abs_url(paper.arxiv_id)})"]
    if names:
        if len(names) == 1 and gap is None:
            who = names[0]
        elif len(names) == 2 and gap is None:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        parts.append(markdown_escape(who))
    year = paper_year(paper)
    if year:
        parts.append(year)
    return ", ".join(parts)



def _ris_value(text: str) -> str:
    return " ".join(text.split())


def format_ris(paper: Paper) -> str:
    """One RIS record (journal-article type with 'arXiv' as the journal, as Google Scholar and ADS export
    arXiv preprints; Zotero, Mendeley and EndNote import it)."""
    names, _ = citation_authors(paper)
    lines = ["TY  - JOUR", f"TI  - {_ris_value(plain_title(paper.title))}"]
    lines += [f"AU  - {_ris_value(ris_name(n))}" for n in names]
    year = paper_year(paper)
    if year:
        lines.append(f"PY  - {year}")
    lines += [
        "T2  - arXiv",
        "JO  - arXiv",
        f"AN  - arXiv:{paper.arxiv_id}",
        f"UR  - {abs_url(paper.arxiv_id)}",
        "ER  - ",
    ]
    return "\n".join(lines)


def format_arxiv(paper: Paper) -> str:
    return f"arXiv:{paper.arxiv_id}"


def format_citation(paper: Paper, fmt: str = "bibtex", *, key: str | None = None) -> str:
    """One citation of `paper` in `fmt` (one of FORMATS), without a trailing newline."""
    if fmt == "bibtex":
        return format_bibtex(paper, key)
    if fmt == "apa":
        return format_apa(paper)
    if fmt == "markdown":
        return format_markdown(paper)
    if fmt == "arxiv":
        return format_arxiv(paper)
    if fmt == "ris":
        return format_ris(paper)
    raise ValueError(f"unknown citation format {fmt!r} (choose from {', '.join(FORMATS)})")


def unique_papers(papers: Iterable[Paper]) -> list[Paper]:
    """Each arXiv id once, at its first place in the list."""
    seen: set[str] = set()
    out: list[Paper] = []
    for paper in papers:
        if paper.arxiv_id not in seen:
            seen.add(paper.arxiv_id)
            out.append(paper)
    return out


def format_citations(papers: Iterable[Paper], fmt: str = "bibtex") -> str:
    """Many citations in `fmt`, each paper once, in the order given; BibTeX keys are made unique.

    BibTeX entries and RIS records are separated by a blank line, the one-line formats one per line.
    The text ends with a newline (it is empty when there are no papers).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown citation format {fmt!r} (choose from {', '.join(FORMATS)})")
    chosen = unique_papers(papers)
    if not chosen:
        return ""
    if fmt == "bibtex":
        keys = unique_keys(chosen)
        return "\n\n".join(format_bibtex(p, keys[p.arxiv_id]) for p in chosen) + "\n"
    separator = "\n\n" if fmt == "ris" else "\n"
    return separator.join(format_citation(p, fmt) for p in chosen) + "\n"
