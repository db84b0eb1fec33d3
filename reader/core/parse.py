"""A digest file -> days -> papers.

Every format the daily_papers_ko archive has used parses here (see ../shared/corpus/README.md): plain bullet
summaries (2023-11), thumbnails / video links / votes / authors (from 2023-11-21), labelled sections with ** or
*** (from 2024-06-12 and 2024-10-18), authors and section texts as Python list literals, "Vote: -", a day header
written twice. The structure of a digest is line-shaped (one heading per paper, one "Key: value" line per
field, one labelled bullet per section), so it is read line by line: one pass, no backtracking, about 40x
faster than a full Markdown AST. Markdown inside a section is kept verbatim for the renderer; mistune turns it
into plain text where plain text is wanted (reader.core.text).

Nothing here raises on bad input: problems become ParseWarning(path, line, message) and everything readable
is kept.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

from reader.core.lazy_re import lazy
from reader.core.model import Paper, Section
from reader.core.sanitize import clean, clean_line

PARSER_VERSION = 2  # 2: ids, dates and votes are ASCII digits only; text NFC, made measurable

# Digits are ASCII ([0-9], never \d, which matches any script's digits: "٢٤٠٨.٠٧٢٤٦" is not an arXiv id).
_DAY = lazy(r"^##\s+Daily Papers\s*\(\s*([0-9]{4}-[0-9]{2}-[0-9]{2})\s*\)\s*$", re.IGNORECASE)
_HEADING = lazy(r"^(#{1,6})\s")
_PAPER = lazy(r"^###\s+\[(?P<title>.*)\]\((?P<url>[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)\s*$")
_PAPER_LOOSE = lazy(r"^###\s+\[")
_IMAGE = lazy(r"^!\[[^\]]*\]\(\s*<?(?P<url>[^)\s>]+)>?\s*\)\s*$")
_WATCH = lazy(r"^\[Watch Video\]\(?\s*(?P<url>https?://[^)\s]+)\)?\s*$", re.IGNORECASE)
_VIDEO_TAG = lazy(r"^\s*<(?:div|video)\b.*?\bsrc=[\"'](?P<url>[^\"']+)[\"']", re.IGNORECASE)
_HTML_LINE = lazy(r"^\s*</?(?:div|video|source)\b", re.IGNORECASE)
_VOTE = lazy(r"^Votes?\s*:\s*(?P<v>.*?)\s*$", re.IGNORECASE)
_AUTHORS = lazy(r"^Authors?\s*:\s*(?P<a>.*?)\s*$", re.IGNORECASE)
# "- **Label**: text", "- ***Label***: text", "- **Label:** text" (top level only: no indent).
_LABEL = lazy(
    r"^[-*+][ \t]+(?P<stars>\*{2,3})(?P<label>[^*\n]+?)(?P<inner>:?)(?P=stars)[ \t]*(?P<outer>:?)[ \t]*(?P<rest>.*)$"
)
_NEW_ID = lazy(r"(?P<id>[0-9]{4}\.[0-9]{4,5})(?:v[0-9]+)?")
_OLD_ID = lazy(r"(?P<id>[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/[0-9]{7})(?:v[0-9]+)?")
_ID_URL = lazy(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|huggingface\.co/papers/|^arxiv:)(?P<rest>[^\s?#]+)", re.IGNORECASE
)
_FILE_DATE = lazy(r"(?P<y>[0-9]{4})[-_/](?P<m>[0-9]{2})[-_/](?P<d>[0-9]{2})")


class ParseWarning(NamedTuple):  # a tuple: a dataclass costs ~1 ms of the reader's start to define
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        from reader.core.sanitize import visible_line  # a file name may hold a newline or an escape

        path = visible_line(self.path)
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.message}"


class ParsedFile(NamedTuple):
    """What one file gave: papers in file order (each carrying its date) and warnings."""

    path: str
    papers: list[Paper]
    warnings: list[ParseWarning]


def normalize_arxiv_id(text: str) -> str | None:
    """'2408.03326v2', 'https://arxiv.org/abs/2408.03326v2', 'hep-th/9901001' -> the bare id, or None.
    An id is ASCII: digits of another script (or full-width ones) make no id here (see typed_arxiv_id)."""
    text = text.strip()
    m = _ID_URL.search(text)
    candidate = m.group("rest") if m else text
    candidate = candidate.removesuffix(".pdf")
    for pattern in (_NEW_ID, _OLD_ID):
        found = pattern.fullmatch(candidate) or (pattern.match(candidate) if m else None)
        if found:
            return found.group("id")
    return None


def typed_arxiv_id(text: str) -> str | None:
    """An id as a person types it (a command-line argument, a search): NFKC-normalised first, so the
    full-width '２４０８.０７２４６' of a Korean input method is 2408.07246."""
    import unicodedata

    return normalize_arxiv_id(unicodedata.normalize("NFKC", text))


def date_from_path(path: str | Path) -> str | None:
    """YYYY/MM/DD.md, YYYY-MM-DD.md, ...: the date a file's name gives, if any (the last date in the last
    three parts of the path, extension dropped)."""
    from datetime import date as _date  # (imported when a file is read: the index answers without)

    text = os.fspath(path).replace(os.sep, "/")
    stem = text.rsplit(".", 1)[0] if "." in text.rsplit("/", 1)[-1] else text
    tail = "/".join(stem.rsplit("/", 3)[-3:])
    for m in reversed(list(_FILE_DATE.finditer(tail))):
        try:
            return _date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
        except ValueError:
            continue
    return None


def decode(data: bytes) -> tuple[str | None, str | None]:
    """Bytes -> (text, problem). UTF-8 (with or without BOM), then CP949; binary files are refused."""
    if b"\x00" in data[:8192]:
        return None, "binary file (NUL bytes), skipped"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949"), None
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), "not valid UTF-8 or CP949; undecodable bytes replaced"


def read_bytes_bounded(path: str | Path) -> tuple[bytes | None, str | None]:
    """A digest's bytes, or (None, why not). Only regular files (a FIFO would block, /dev/zero never ends)
    and at most MAX_DIGEST_BYTES: a bigger file is refused whole, never read into memory (reader.core.files,
    the one reader of every file)."""
    from reader.core.files import FileRefused, read_regular
    from reader.core.limits import MAX_DIGEST_BYTES, size_text

    try:
        return read_regular(path, MAX_DIGEST_BYTES, what="a digest"), None
    except FileRefused as exc:
        if exc.limit is None:
            return None, f"{exc.reason}; skipped"
        return None, (f"{size_text(max(exc.size or 0, MAX_DIGEST_BYTES + 1))} is more than a digest may be "
                      f"({size_text(MAX_DIGEST_BYTES)}); skipped: split it into days")
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc.__class__.__name__}"


def read_file(path: str | Path) -> ParsedFile:
    """Parse one digest file; never raises."""
    name = str(path)
    data, why = read_bytes_bounded(path)
    if data is None:
        return ParsedFile(name, [], [ParseWarning(name, 0, why or "cannot read")])
    return parse_bytes(data, path)


def parse_bytes(data: bytes, path: str | Path) -> ParsedFile:
    """What read_file gives for a file holding `data` (the library's index reads each file once: it hashes
    the bytes it parses)."""
    name = str(path)
    text, problem = decode(data)
    if text is None:
        return ParsedFile(name, [], [ParseWarning(name, 0, problem or "unreadable")])
    result = parse_text(text, name, default_date=date_from_path(path))
    if problem:
        result.warnings.insert(0, ParseWarning(name, 0, problem))
    return result


def _literal_list(text: str) -> list[str] | None:
    s = text.strip()
    if not (s.startswith("[") and s.endswith("]")):
        return None
    import ast  # only list-literal texts need it

    try:
        value = ast.literal_eval(s)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def parse_authors(text: str) -> tuple[str, ...]:
    items = _literal_list(text)
    if items is None:
        s = text.strip()
        if s.startswith("[") and s.endswith("]"):  # a list literal that does not evaluate: take it apart
            s = s[1:-1]
            items = [part.strip().strip("'\"") for part in s.split(",")]
        else:
            items = s.split(",")
    return tuple(name for name in (" ".join(i.split()) for i in items) if name)


def parse_votes(text: str) -> int | None:
    s = text.strip().replace(",", "")
    return int(s) if re.fullmatch(r"[+-]?[0-9]{1,9}", s) else None


def _section_markdown(first: str, more: list[str]) -> str:
    while more and not more[-1].strip():
        more.pop()
    if not more:
        items = _literal_list(first)
        if items is not None:
            return "\n".join(f"- {' '.join(item.split())}" for item in items)
        return first.strip()
    body = [first.strip()] if first.strip() else []
    return "\n".join(body + [line.rstrip() for line in more]).strip("\n")


def _split_sections(body: list[str]) -> tuple[Section, ...]:
    """Labelled top-level bullets start sections; everything after belongs to the last one."""
    sections: list[tuple[str, str, list[str]]] = []
    preamble: list[str] = []
    for line in body:
        m = _LABEL.match(line)
        if m and (m["inner"] or m["outer"]) and m["label"].strip():
            sections.append((" ".join(m["label"].split()), m["rest"], []))
        elif sections:
            sections[-1][2].append(line)
        else:
            preamble.append(line)
    out: list[Section] = []
    pre = "\n".join(preamble).strip("\n")
    if pre.strip():
        out.append(Section("Summary", _breaks(_section_markdown(pre, []) if "\n" not in pre else pre)))
    for name, first, more in sections:
        out.append(Section(name, _breaks(_section_markdown(first, more))))
    return tuple(out)


def _breaks(markdown: str) -> str:
    """U+2028 / U+2029 in a section (kept while the file was split into lines): a Markdown line break (two
    spaces and a newline), a new paragraph. (Titles, names and authors turn them into spaces.)"""
    if "\u2028" in markdown or "\u2029" in markdown:
        return markdown.replace("\u2028", "  \n").replace("\u2029", "\n\n")
    return markdown


class _Entry:
    __slots__ = ("title", "arxiv_id", "line", "date", "thumbnail", "votes", "authors", "body", "in_body")

    def __init__(self, title: str, arxiv_id: str, line: int, date: str | None) -> None:
        self.title = title
        self.arxiv_id = arxiv_id
        self.line = line
        self.date = date
        self.thumbnail: str | None = None
        self.votes: int | None = None
        self.authors: tuple[str, ...] = ()
        self.body: list[str] = []
        self.in_body = False


def _title(raw: str) -> str:
    # Markdown backslash escapes in a heading (\[, \_, \*) are written for the renderer, not the reader.
    title = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", raw) if "\\" in raw else raw
    return " ".join(clean_line(title).split())


def parse_text(text: str, path: str = "<text>", default_date: str | None = None) -> ParsedFile:
    """Parse digest text. default_date is used for papers that come before any day header."""
    from datetime import date as _date

    warnings: list[ParseWarning] = []
    papers: list[Paper] = []
    seen: set[tuple[str, str]] = set()
    # Line and paragraph separators stay until the file is split into lines: a title holding one must
    # not break its heading in two.
    text = clean(text.replace("\r\n", "\n").replace("\r", "\n"), separators=None)
    current_date = default_date
    entry: _Entry | None = None

    def finish() -> None:
        nonlocal entry
        e, entry = entry, None
        if e is None:
            return
        date = e.date
        if date is None:
            warnings.append(ParseWarning(path, e.line, f"paper {e.arxiv_id} has no date (no day header, no date in the file name); skipped"))
            return
        key = (date, e.arxiv_id)
        if key in seen:
            return
        seen.add(key)
        papers.append(
            Paper(
                arxiv_id=e.arxiv_id,
                title=e.title,
                url=f"https://arxiv.org/abs/{e.arxiv_id}",
                pdf_url=f"https://arxiv.org/pdf/{e.arxiv_id}",
                thumbnail=e.thumbnail,
                votes=e.votes,
                authors=e.authors,
                date=date,
                sections=_split_sections(e.body),
                source=path,
                line=e.line,
            )
        )

    for lineno, line in enumerate(text.split("\n"), start=1):
        if line.startswith("#"):
            if line.startswith("##") and (m := _DAY.match(line)):
                finish()
                current_date = m.group(1)
                try:
                    _date.fromisoformat(current_date)
                except ValueError:
                    warnings.append(ParseWarning(path, lineno, f"day header with an impossible date {current_date!r}"))
                    current_date = None
                continue
            if line.startswith("###") and _PAPER_LOOSE.match(line):
                finish()
                m = _PAPER.match(line)
                if not m:
                    warnings.append(ParseWarning(path, lineno, "paper heading without a (link): skipped"))
                    continue
                arxiv_id = normalize_arxiv_id(m["url"])
                if arxiv_id is None:
                    foreign = not m["url"].isascii() and any(c.isdigit() and not c.isascii() for c in m["url"])
                    why = " (its digits are not ASCII)" if foreign else ""
                    warnings.append(ParseWarning(path, lineno, f"paper link is not an arXiv link{why}: "
                                                 f"{m['url'][:80]!r}; skipped"))
                    continue
                title = _title(m["title"])
                if not title:
                    warnings.append(ParseWarning(path, lineno, f"paper {arxiv_id} has an empty title"))
                entry = _Entry(title or arxiv_id, arxiv_id, lineno, current_date)
                continue
            hm = _HEADING.match(line)
            if hm:
                finish()
                if len(hm.group(1)) <= 2:  # README prose, License, Citation, Star History ...: no day
                    current_date = None
                continue
        if entry is None:
            continue
        if not entry.in_body:
            stripped = line.strip()
            if not stripped:
                continue
            if m := _IMAGE.match(stripped):
                entry.thumbnail = entry.thumbnail or m["url"]
                continue
            if m := _WATCH.match(stripped):
                entry.thumbnail = entry.thumbnail or m["url"]
                continue
            if m := _VIDEO_TAG.match(stripped):
                entry.thumbnail = entry.thumbnail or m["url"]
                continue
            if _HTML_LINE.match(stripped):
                continue
            if m := _VOTE.match(stripped):
                entry.votes = parse_votes(m["v"])
                continue
            if m := _AUTHORS.match(stripped):
                entry.authors = parse_authors(m["a"])
                continue
            entry.in_body = True
        if _HTML_LINE.match(line) or _WATCH.match(line.strip()):
            continue
        entry.body.append(line)
    finish()
    return ParsedFile(path, papers, warnings)
