"""The citation formats: arXiv's BibTeX, APA 7, Markdown, RIS and the bare arXiv id.

Each takes a Paper (cited from the digest alone) or a Citable (reader.core.cite.record: the paper with what
arXiv and Hugging Face say of it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reader.core.cite.keys import bibtex_key, unique_keys
from reader.core.cite.latex import escape_title, plain_title
from reader.core.cite.names import apa_authors, bibtex_authors, ris_name
from reader.core.cite.record import Citable, as_citable
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
ARXIV_DOI_PREFIX = "10.48550/arXiv."


def abs_url(arxiv_id: str) -> str:
    return ARXIV_ABS + arxiv_id


def doi_url(arxiv_id: str) -> str:
    return ARXIV_DOI + arxiv_id


# ---------------------------------------------------------------------------------------------------------
# BibTeX
# ---------------------------------------------------------------------------------------------------------
def format_bibtex(item: Paper | Citable, key: str | None = None) -> str:
    """arXiv's own entry (arxiv.org/bibtex/ID, arxiv-browse's arxiv_bibtex), line for line and space for
    space (its 'title' and 'url' lines end in a space). Where it differs, on purpose:

    - the title is escaped for pdfLaTeX and its capitalised words braced (arXiv copies its raw TeX);
    - names are BibTeX's 'von Last, Jr, First' where they have a suffix, and an accented letter where BibTeX
      abbreviates or sorts is a special character ('{\\\\'E}mile');
    - the key is ASCII (names.key_surname, keys.bibtex_key);
    - `doi` holds the bare DOI, which is what BibTeX styles and biblatex expect (arXiv writes a doi.org URL
      there); primaryClass, year and doi are left out when they are not known (arXiv writes 'unknown'), as is
      an empty author list.
    """
    cited = as_citable(item)
    lines = [f"@misc{{{key or bibtex_key(cited)},", f"      title={{{escape_title(cited.title)}}}, "]
    authors = bibtex_authors(cited)
    if authors:
        lines.append(f"      author={{{authors}}},")
    if cited.year:
        lines.append(f"      year={{{cited.year}}},")
    lines += [f"      eprint={{{cited.arxiv_id}}},", "      archivePrefix={arXiv},"]
    if cited.primary_class:
        lines.append(f"      primaryClass={{{cited.primary_class}}},")
    if cited.doi:
        lines.append(f"      doi={{{cited.doi}}},")
    lines += [f"      url={{{abs_url(cited.arxiv_id)}}}, ", "}"]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# APA 7
# ---------------------------------------------------------------------------------------------------------
# Words a Title Case title leaves in lower case; a title holding any other word that starts in lower case
# is taken to be in sentence case already, and its capitals are the author's (proper nouns: kept).
_MINOR = frozenset("""
a an and as at but by en for from if in into nor of off on onto or over per so than the to up upon via vs
vs. with within without is are be was were its it this that their our we
""".split())
_SEGMENT_END = (":", "?", "!", ".", "—", "–")


def _keeps_capitals(part: str) -> bool:
    """An acronym, a model name, a proper noun with an inner capital, or a letter with digits: as written."""
    letters = [ch for ch in part if ch.isalpha()]
    if not letters:
        return True
    if any(ch.isupper() for ch in letters[1:]):
        return True  # LLaMA, GPT, ViT, DeepSeek, iPhone, MoE
    if any(ch.isdigit() for ch in part):
        return True  # GPT4o, 3D, R1
    if part.rstrip(",;:.!?") == "A":
        return False  # the article
    first = next(i for i, ch in enumerate(part) if ch.isalpha())
    return part[first].isupper() and not part[first + 1:first + 2].isalpha()  # "Type I", "Plan B", "O(n)"


def _lower_word(word: str) -> str:
    return "-".join(part if _keeps_capitals(part) else part.lower() for part in word.split("-"))


def _capitalise(word: str) -> str:
    for i, ch in enumerate(word):
        if ch.isalpha():
            return word if not ch.islower() or _keeps_capitals(word) else word[:i] + ch.upper() + word[i + 1:]
    return word


def sentence_case(title: str) -> str:
    """APA's sentence case: 'Language Models Are Few-Shot Learners: A Survey of LLaMA' -> 'Language models
    are few-shot learners: A survey of LLaMA'. Acronyms, model names and names with inner capitals stay as
    written; the first word and the first word after a colon (or an end of sentence, or a dash) are
    capitalised. A title already in sentence case keeps its capitals (its proper nouns: 'Markov')."""
    words = title.split(" ")
    lowered_initials = [w for w in words[1:] if w[:1].isalpha() and w[:1].islower()
                        and w.lower().strip(",;:.!?") not in _MINOR]
    title_case = not lowered_initials
    out: list[str] = []
    start = True
    for word in words:
        if title_case and not start:
            word = _lower_word(word)
        elif start:
            word = _capitalise(_lower_word(word) if title_case else word)
        out.append(word)
        if any(ch.isalnum() for ch in word):
            start = word.endswith(_SEGMENT_END)
        elif word in ("—", "–", ":"):
            start = True
    return " ".join(out)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def format_apa(item: Paper | Citable) -> str:
    """APA 7 for an arXiv preprint: 'Surname, I., & Surname, I. (YYYY). Title in sentence case.
    arXiv:ID [Preprint]. https://doi.org/10.48550/arXiv.ID'."""
    cited = as_citable(item)
    authors = apa_authors(list(cited.authors), cited.complete)
    year = cited.year or "n.d."
    title = _sentence(sentence_case(plain_title(cited.title)))
    tail = f"arXiv:{cited.arxiv_id} [Preprint]. {doi_url(cited.arxiv_id)}"
    if authors:
        return f"{authors} ({year}). {title} {tail}"
    return f"{title} ({year}). {tail}"


# ---------------------------------------------------------------------------------------------------------
# Markdown, RIS, the arXiv id
# ---------------------------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def markdown_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def format_markdown(item: Paper | Citable) -> str:
    """'[Title](https://arxiv.org/abs/ID), First Author et al., YYYY' (two authors: 'A and B')."""
    cited = as_citable(item)
    names = cited.authors
    parts = [f"[{markdown_escape(plain_title(cited.title))}]({abs_url(cited.arxiv_id)})"]
    if names:
        if len(names) == 1 and cited.complete:
            who = names[0]
        elif len(names) == 2 and cited.complete:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        parts.append(markdown_escape(who))
    if cited.year:
        parts.append(cited.year)
    return ", ".join(parts)


def _ris_value(text: str) -> str:
    return " ".join(text.split())


def format_ris(item: Paper | Citable) -> str:
    """One RIS record (journal-article type with 'arXiv' as the journal, as Google Scholar and ADS export
    arXiv preprints; Zotero, Mendeley and EndNote import it): every author in order, the primary category
    as a keyword, the journal DOI (else arXiv's own), the journal reference and the comment as notes."""
    cited = as_citable(item)
    lines = ["TY  - JOUR", f"TI  - {_ris_value(plain_title(cited.title))}"]
    lines += [f"AU  - {_ris_value(ris_name(n))}" for n in cited.authors]
    if cited.year:
        lines.append(f"PY  - {cited.year}")
    lines += ["T2  - arXiv", "JO  - arXiv", f"AN  - arXiv:{cited.arxiv_id}"]
    if cited.primary_class:
        lines.append(f"KW  - {cited.primary_class}")
    lines.append(f"DO  - {cited.doi or ARXIV_DOI_PREFIX + cited.arxiv_id}")
    if cited.journal_ref:
        lines.append(f"N1  - Journal reference: {_ris_value(cited.journal_ref)}")
    if cited.comment:
        lines.append(f"N1  - Comment: {_ris_value(cited.comment)}")
    lines += [f"UR  - {abs_url(cited.arxiv_id)}", "ER  - "]
    return "\n".join(lines)


def format_arxiv(item: Paper | Citable) -> str:
    return f"arXiv:{item.arxiv_id}"


_FORMATTERS = {"apa": format_apa, "markdown": format_markdown, "arxiv": format_arxiv, "ris": format_ris}


def format_citation(item: Paper | Citable, fmt: str = "bibtex", *, key: str | None = None) -> str:
    """One citation in `fmt` (one of FORMATS), without a trailing newline."""
    if fmt == "bibtex":
        return format_bibtex(item, key)
    formatter = _FORMATTERS.get(fmt)
    if formatter is None:
        raise ValueError(f"unknown citation format {fmt!r} (choose from {', '.join(FORMATS)})")
    return formatter(item)


def unique_papers(papers: Iterable[Paper | Citable]) -> list:
    """Each arXiv id once, at its first place in the list."""
    seen: set[str] = set()
    out = []
    for paper in papers:
        if paper.arxiv_id not in seen:
            seen.add(paper.arxiv_id)
            out.append(paper)
    return out


def format_citations(papers: Iterable[Paper | Citable], fmt: str = "bibtex") -> str:
    """Many citations in `fmt`, each paper once, in the order given; BibTeX keys are made unique.

    BibTeX entries and RIS records are separated by a blank line, the one-line formats one per line.
    The text ends with a newline (it is empty when there are no papers).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown citation format {fmt!r} (choose from {', '.join(FORMATS)})")
    chosen = [as_citable(p) for p in unique_papers(papers)]
    if not chosen:
        return ""
    if fmt == "bibtex":
        keys = unique_keys(chosen)
        return "\n\n".join(format_bibtex(p, keys[p.arxiv_id]) for p in chosen) + "\n"
    separator = "\n\n" if fmt == "ris" else "\n"
    return separator.join(format_citation(p, fmt) for p in chosen) + "\n"
