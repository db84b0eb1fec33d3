"""What a citation is made of: one paper's title, authors, year, category and DOI, from the best source known.

The archive wrote each author list through a set from 2024-01-23 on, so its order is not the paper's (its
first author is wrong for most papers), and long lists hold a '+' where Hugging Face left names out. The
authors are therefore taken, in this order, from:

1. arXiv's metadata (`daily-papers enrich`, or the reader on `c`/`C`): authors, title, the latest version's
   year, the primary category, the journal DOI;
2. Hugging Face's (`daily-papers sync`): the authors in the paper's order;
3. the archive's list, only when nothing else is known: then the citation is `verified=False` and whoever
   shows it says so (UNVERIFIED). A placeholder ('+', '…', 'et al.', 'others') is never a name: it marks
   the list incomplete (`complete=False`: 'and others' in BibTeX, 'et al.' in APA).

Without arXiv's metadata the year is the one the id was issued in (2408.xxxxx -> 2024).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.core.cite.latex import clean_text
from reader.core.model import Paper

if TYPE_CHECKING:
    from reader.core.arxiv_record import ArxivRecord
    from reader.core.metadata import HFPaper, MetadataStore

ARXIV = "arxiv"
HUGGING_FACE = "huggingface"
ARCHIVE = "archive"
UNVERIFIED = "author order unverified: run `daily-papers enrich`"

# What lists write where names were left out: '+', '+12', '…', '...', 'et al.', 'others', '12 more'.
_PLACEHOLDER = re.compile(r"\+\s*[0-9]*|…|\.{2,}|et\.?\s+al\.?|(?:and\s+)?others|\+?[0-9]+\s+more(?:\s+authors?)?",
                          re.IGNORECASE)
_NEW_ID = re.compile(r"(?P<yy>[0-9]{2})(?P<mm>[0-9]{2})\.[0-9]{4,5}(?:v[0-9]+)?")
_OLD_ID = re.compile(r"[A-Za-z][A-Za-z.-]*/(?P<yy>[0-9]{2})(?P<mm>[0-9]{2})[0-9]{3}(?:v[0-9]+)?")


def arxiv_year(arxiv_id: str, fallback_date: str = "") -> str:
    """The year an arXiv id was issued: 2408.03326 -> 2024, hep-th/9901001 -> 1999, math/0211159 -> 2002.

    An id that is neither style takes the year of `fallback_date` (YYYY-MM-DD), else "".
    """
    m = _NEW_ID.fullmatch(arxiv_id) or _OLD_ID.fullmatch(arxiv_id)
    if m:
        yy = int(m["yy"])
        if m.re is _NEW_ID:
            return str(2000 + yy)
        return str(1900 + yy if yy >= 91 else 2000 + yy)  # the old scheme ran from 1991 to March 2007
    head = fallback_date[:4]
    return head if len(head) == 4 and head.isascii() and head.isdigit() else ""


def is_placeholder(name: str) -> bool:
    return bool(_PLACEHOLDER.fullmatch(name.strip()))


@dataclass(frozen=True, slots=True)
class Citable:
    """One paper as a citation sees it."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    complete: bool = True  # False: names are known to be left out of `authors`
    source: str = ARCHIVE  # where the authors come from: ARXIV, HUGGING_FACE or ARCHIVE
    year: str = ""
    primary_class: str | None = None
    doi: str | None = None  # the journal DOI (arXiv's own 10.48550/arXiv.ID is every paper's)
    journal_ref: str | None = None
    comment: str | None = None
    version: int | None = None  # arXiv's latest version, when known
    date: str = ""  # the digest's day

    @property
    def verified(self) -> bool:
        """The authors are the paper's, in its order (from arXiv or Hugging Face)."""
        return self.source != ARCHIVE


def archive_authors(raw: Iterable[str]) -> tuple[tuple[str, ...], bool]:
    """A digest's author list -> (the names, complete?). Blank names and placeholders are dropped (a
    placeholder marks the list incomplete), and so is a name repeated right after itself (a glitch of the
    source)."""
    names: list[str] = []
    complete = True
    for entry in raw:
        name = clean_text(entry)
        if not name:
            continue
        if is_placeholder(name):
            complete = False
            continue
        if names and names[-1] == name:
            continue
        names.append(name)
    return tuple(names), complete


def _clean_names(raw: Iterable[str]) -> tuple[str, ...]:
    return tuple(n for n in (clean_text(a) for a in raw) if n and not is_placeholder(n))


def citable(paper: Paper, hf: HFPaper | None = None, arxiv: ArxivRecord | None = None) -> Citable:
    """The citation of `paper`, from arXiv's record and Hugging Face's where given (see the module)."""
    arxiv_names = _clean_names(arxiv.authors) if arxiv is not None else ()
    hf_names = _clean_names(hf.authors) if hf is not None else ()
    if arxiv_names:
        authors, complete, source = arxiv_names, True, ARXIV
    elif hf_names:
        authors, complete, source = hf_names, True, HUGGING_FACE
    else:
        (authors, complete), source = archive_authors(paper.authors), ARCHIVE
    title = arxiv.title if arxiv is not None and arxiv.title else paper.title
    return Citable(
        arxiv_id=paper.arxiv_id,
        title=title,
        authors=authors,
        complete=complete,
        source=source,
        year=(arxiv.year if arxiv is not None else None) or arxiv_year(paper.arxiv_id, paper.date),
        primary_class=arxiv.primary_class if arxiv is not None else None,
        doi=arxiv.doi if arxiv is not None else None,
        journal_ref=arxiv.journal_ref if arxiv is not None else None,
        comment=arxiv.comment if arxiv is not None else None,
        version=arxiv.version if arxiv is not None else None,
        date=paper.date,
    )


def as_citable(item: Paper | Citable) -> Citable:
    return item if isinstance(item, Citable) else citable(item)


def from_store(papers: Iterable[Paper], store: MetadataStore | None) -> list[Citable]:
    """Each paper's citation with what the metadata store knows of it (many papers, two queries)."""
    papers = list(papers)
    if store is None:
        return [citable(p) for p in papers]
    ids = [p.arxiv_id for p in papers]
    hf = store.papers(ids)
    arxiv = store.arxiv_many(ids)
    out = []
    for paper in papers:
        entry = arxiv.get(paper.arxiv_id)
        out.append(citable(paper, hf.get(paper.arxiv_id), entry.record if entry is not None else None))
    return out
