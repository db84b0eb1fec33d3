"""Citations of a paper: arXiv-style BibTeX, APA 7, Markdown, RIS and the bare arXiv id.

Everything here is pure (no I/O, no terminal): `format_citation(paper, fmt)` gives one citation,
`format_citations(papers, fmt)` many at once (BibTeX keys made unique), `FORMATS` and `FORMAT_LABELS`
name the choices for a menu.

BibTeX output is written for pdfLaTeX with `\\usepackage[utf8]{inputenc}` and `\\usepackage[T1]{fontenc}`
and for classic 8-bit BibTeX with any standard style. The package holds, each in its own module:

- `latex`  (+ `tables`): titles and names as LaTeX, and LaTeX as plain text;
- `names`: how a name splits (BibTeX's First von Last Jr), and names for BibTeX, APA and RIS;
- `keys`:  arXiv's BibTeX keys;
- `record`: what a citation is made of (Citable), from arXiv's metadata, Hugging Face's or the archive's;
- `formats`: the formats themselves.
"""

from reader.core.cite.formats import (
    ARXIV_ABS,
    ARXIV_DOI,
    FORMAT_LABELS,
    FORMATS,
    abs_url,
    doi_url,
    format_apa,
    format_arxiv,
    format_bibtex,
    format_citation,
    format_citations,
    format_markdown,
    format_ris,
    markdown_escape,
    sentence_case,
    unique_papers,
)
from reader.core.cite.keys import ascii_fold, bibtex_key, paper_year, unique_keys
from reader.core.cite.latex import clean_text, escape_latex, escape_title, plain_title
from reader.core.cite.names import (
    APA_ELLIPSIS,
    APA_MAX_AUTHORS,
    GAP,
    Name,
    apa_authors,
    apa_name,
    bibtex_authors,
    bibtex_name,
    citation_authors,
    key_surname,
    ris_name,
    split_name,
)
from reader.core.cite.record import (
    ARCHIVE,
    ARXIV,
    HUGGING_FACE,
    UNVERIFIED,
    Citable,
    archive_authors,
    arxiv_year,
    as_citable,
    citable,
    from_store,
    is_placeholder,
)

__all__ = [
    "ARCHIVE", "ARXIV", "HUGGING_FACE", "UNVERIFIED", "Citable", "archive_authors", "as_citable", "citable",
    "from_store", "is_placeholder", "key_surname", "sentence_case",
    "APA_ELLIPSIS", "APA_MAX_AUTHORS", "ARXIV_ABS", "ARXIV_DOI", "FORMATS", "FORMAT_LABELS", "GAP", "Name",
    "abs_url", "apa_authors", "apa_name", "arxiv_year", "ascii_fold", "bibtex_authors", "bibtex_key",
    "bibtex_name", "citation_authors", "clean_text", "doi_url", "escape_latex", "escape_title", "format_apa",
    "format_arxiv", "format_bibtex", "format_citation", "format_citations", "format_markdown", "format_ris",
    "markdown_escape", "paper_year", "plain_title", "ris_name", "split_name", "unique_keys", "unique_papers",
]
