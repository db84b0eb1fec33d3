"""Many papers at once: a .bib file, RIS, CSV, a Markdown reading list, JSON. Pure: text in, text out.

Papers are written in the order given (the library's: newest day first, by votes within a day). BibTeX
and RIS name each paper once (at its first place); CSV, JSON and the reading list keep every appearance,
since they carry the day.

Citations (BibTeX, RIS, the reading list's entries, CSV's authors, year, category and DOI) use what the
metadata store knows of each paper when one is given (reader.core.cite.record.from_store): arXiv's and
Hugging Face's authors in the paper's order; without it, the archive's list (its order unverified).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable

from reader.core.cite import Citable, abs_url, as_citable, format_citations, format_markdown, from_store
from reader.core.model import Paper

EXPORT_FORMATS: tuple[str, ...] = ("json", "bibtex", "ris", "csv", "markdown")
# File name endings -> format, so that `-o refs.bib` needs no --format.
EXTENSIONS: dict[str, str] = {
    ".json": "json",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".ris": "ris",
    ".csv": "csv",
    ".md": "markdown",
    ".markdown": "markdown",
}
CSV_COLUMNS: tuple[str, ...] = (
    "date", "arxiv_id", "title", "authors", "year", "votes", "url", "pdf_url", "hf_url", "whats_new",
    "primary_class", "doi", "authors_source", "authors_complete",
)
CSV_AUTHOR_SEPARATOR = "; "
WHATS_NEW = "What's New"
READING_LIST_TITLE = "Daily Papers: reading list"


def format_for_path(path: str) -> str | None:
    """The export format a file name asks for ('refs.bib' -> 'bibtex'), or None."""
    lowered = path.lower()
    for ending, fmt in EXTENSIONS.items():
        if lowered.endswith(ending):
            return fmt
    return None


def whats_new(paper: Paper) -> str:
    """The paper's What's New line (else the first paragraph of its Summary), as one line of Markdown."""
    section = paper.section(WHATS_NEW)
    if section is None or not section.markdown.strip():
        section = paper.section("Summary")
        if section is None:
            return ""
        text = section.markdown.strip().split("\n\n")[0]
    else:
        text = section.markdown
    return " ".join(text.split())


def export_json(papers: Iterable[Paper], citables: dict[str, Citable] | None = None) -> str:
    return json.dumps({"papers": [p.to_dict() for p in papers]}, ensure_ascii=False, indent=1) + "\n"


def export_bibtex(papers: Iterable[Paper], citables: dict[str, Citable] | None = None) -> str:
    return format_citations(_cited(papers, citables), "bibtex")


def export_ris(papers: Iterable[Paper], citables: dict[str, Citable] | None = None) -> str:
    return format_citations(_cited(papers, citables), "ris")


# A cell a spreadsheet would read as a formula (Excel, LibreOffice, Google Sheets: =, +, -, @, and a tab or a
# carriage return before them) gets a leading apostrophe, so that a digest can never run code there (OWASP's
# CSV injection rule); the apostrophe shows the text as typed.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell's value, with text that would start a formula neutralised."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cited(papers: Iterable[Paper], citables: dict[str, Citable] | None) -> list[Citable]:
    citables = citables or {}
    return [citables.get(p.arxiv_id) or as_citable(p) for p in papers]


def export_csv(papers: Iterable[Paper], citables: dict[str, Citable] | None = None) -> str:
    """RFC 4180 CSV with a header row (UTF-8, CRLF line ends, no byte-order mark); authors joined by '; ',
    in the paper's order where the metadata knows it (authors_source: arxiv, huggingface, or archive for
    the digest's own list), without placeholders ('+'): authors_complete is 'no' where names were left out.
    No cell starts a spreadsheet formula (see csv_cell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    citables = citables or {}
    for p in papers:
        cited = citables.get(p.arxiv_id)
        if cited is None or not cited.verified:
            cited = as_citable(p)  # the row's own day's list (two days of the archive may order it apart)
        writer.writerow(map(csv_cell, [
            p.date,
            p.arxiv_id,
            p.title,
            CSV_AUTHOR_SEPARATOR.join(cited.authors),
            cited.year,
            "" if p.votes is None else p.votes,
            abs_url(p.arxiv_id),
            p.pdf_url,
            p.hf_url,
            whats_new(p),
            cited.primary_class or "",
            cited.doi or "",
            cited.source,
            "yes" if cited.complete else "no",
        ]))
    return buffer.getvalue()


# -- the reading list's Markdown: digest text re-written from its syntax tree, so that nothing in it is raw
# HTML, a link that is not http(s) (javascript:, data:, file:, however it is spelled) or a remote image.
_MD_TEXT_SPECIAL = re.compile(r"([\\`*_\[\]<>&~|])")
# What would open a block of its own at the start of a list item's second line: a heading, a quote, a fence,
# a bullet, a numbered item, a rule or a setext underline. (HTML cannot: every "<" of the text is escaped.)
_BLOCK_START = re.compile(r"^(?:#{1,6}(?=\s|$)|>|`{3,}|~{3,}|[-+*](?=\s|$)|[0-9]{1,9}(?=[.)](?:\s|$))|[-*_=](?=[-*_=\s]*$))")
_EMPHASIS = {"emphasis": "*", "strong": "**", "strikethrough": "~~"}


def _md_text(text: str) -> str:
    """Plain text as Markdown that shows it as typed: every character Markdown or HTML could read as
    syntax is backslash-escaped (`<b>` stays the text <b>, `&lt;` the text &lt;)."""
    return _MD_TEXT_SPECIAL.sub(r"\\\1", text)


def _md_code(code: str) -> str:
    code = " ".join(code.split())
    fence = "`" * (max((len(run) for run in re.findall("`+", code)), default=0) + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{fence}{pad}{code}{pad}{fence}" if code else ""


def web_url(url: str) -> bool:
    """An http(s) link (the scheme as a browser reads it: case, leading spaces and controls aside)."""
    scheme = "".join(url.split()).partition(":")[0].lower()
    return scheme in ("http", "https") and "//" in url


def _md_url(url: str) -> str:
    """A link destination that stays one: spaces, angle brackets, parentheses and backslashes escaped."""
    from urllib.parse import quote

    return quote(url.strip(), safe="/:?#@!$&'*+,;=%~-._")


def _md_inline(tokens: list[dict], out: list[str], depth: int) -> None:
    from reader.core.limits import MAX_MARKDOWN_DEPTH
    from reader.core.text import flat_text

    for tok in tokens:
        kind = tok.get("type")
        children = tok.get("children")
        if depth > MAX_MARKDOWN_DEPTH:
            out.append(_md_text(flat_text(tok)))
        elif kind in ("text", "inline_html", "block_html"):
            out.append(_md_text(tok.get("raw", "")))
        elif kind == "codespan":
            out.append(_md_code(tok.get("raw", "")))
        elif kind in ("softbreak", "linebreak", "blank_line", "thematic_break"):
            out.append(" ")
        elif kind in _EMPHASIS and isinstance(children, list):
            inner: list[str] = []
            _md_inline(children, inner, depth + 1)
            text = "".join(inner)
            mark = _EMPHASIS[kind]
            out.append(f"{mark}{text}{mark}" if text.strip() and text == text.strip() else text)
        elif kind == "link" and isinstance(children, list):
            inner = []
            _md_inline(children, inner, depth + 1)
            text = "".join(inner)
            url = (tok.get("attrs") or {}).get("url") or ""
            if web_url(url) and text.strip():
                out.append(f"[{text}]({_md_url(url)})")
            else:  # javascript:, data:, mailto:, a relative link ...: its words only
                out.append(text)
        elif kind == "image":  # no remote image in a reading list: its description, as text
            out.append(_md_text(flat_text(children or [])))
        elif isinstance(children, list):  # paragraphs, lists, quotes, headings: their words, on one line
            _md_inline(children, out, depth + 1)
            out.append(" ")
        elif isinstance(tok.get("raw"), str):
            out.append(_md_text(tok["raw"]))


def safe_markdown_line(markdown: str) -> str:
    """Digest Markdown as one line of Markdown that keeps emphasis, code and http(s) links, and turns raw
    HTML into text, any other link into its words and an image into its description. The line cannot
    start a block of its own (a heading, a quote, a list) where it follows a list item's first line."""
    from reader.core.text import markdown_ast

    try:
        out: list[str] = []
        _md_inline(markdown_ast()(markdown), out, 0)
        line = " ".join("".join(out).split())
    except Exception:  # noqa: BLE001 - a parser bug: the text, shown as typed
        line = _md_text(" ".join(markdown.split()))
    return _BLOCK_START.sub(lambda m: m.group() + "\\" if m.group().isdigit() else "\\" + m.group(), line, count=1)


def export_markdown(papers: Iterable[Paper], citables: dict[str, Citable] | None = None,
                    title: str = READING_LIST_TITLE, notes: dict[str, str] | None = None) -> str:
    """A reading list: a heading per day (in the order the papers come), each paper's citation and its
    What's New line (no raw HTML, no link but http(s), no remote image: safe_markdown_line), then the
    user's note of it (`notes`: arXiv id -> text), each of its lines made safe the same way."""
    lines = [f"# {title}"]
    current_day: str | None = None
    count = 0
    citables = citables or {}
    for paper in papers:
        if paper.date != current_day:
            current_day = paper.date
            lines += ["", f"## {current_day}", ""]
        entry = f"- {format_markdown(citables.get(paper.arxiv_id) or paper)}"
        news = safe_markdown_line(whats_new(paper))
        if news:
            entry += f"  \n  {news}"
        note = [safe_markdown_line(line) for line in (notes or {}).get(paper.arxiv_id, "").splitlines()]
        note = [line for line in note if line]
        if note:
            entry += "  \n  *Note:* " + "  \n  ".join(note)
        lines.append(entry)
        count += 1
    if not count:
        lines += ["", "_No papers._"]
    return "\n".join(lines) + "\n"


def citables_for(papers: Iterable[Paper], store=None) -> dict[str, Citable]:
    """arXiv id -> its citation with what the metadata store (reader.core.metadata) knows of it."""
    unique: dict[str, Paper] = {}
    for paper in papers:
        unique.setdefault(paper.arxiv_id, paper)
    return {c.arxiv_id: c for c in from_store(unique.values(), store)}


def export_papers(papers: Iterable[Paper], fmt: str, store=None, notes: dict[str, str] | None = None) -> str:
    """Papers in one of EXPORT_FORMATS, with what `store` (a MetadataStore, if any) knows of each; the
    Markdown reading list with the user's notes (arXiv id -> text)."""
    exporters = {
        "json": export_json,
        "bibtex": export_bibtex,
        "ris": export_ris,
        "csv": export_csv,
        "markdown": export_markdown,
    }
    try:
        exporter = exporters[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})") from None
    papers = list(papers)
    citables = citables_for(papers, store) if fmt != "json" else None
    if fmt == "markdown":
        return export_markdown(papers, citables, notes=notes)
    return exporter(papers, citables)
