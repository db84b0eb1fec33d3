"""A paper's full text, for `input: fulltext`: its arXiv PDF (kept in the cache folder) read with pypdf.

pypdf is the optional extra `daily-papers[fulltext]` (pure Python, well kept); without it, one line says how
to install it. A PDF is untrusted like any download: at most MAX_PDF_BYTES, read page by page only until the
text wanted is there (at most MAX_PAGES pages), and anything pypdf raises on a broken file is one line.
"""

from __future__ import annotations

import re
from pathlib import Path

from reader.core.sanitize import clean

MAX_PDF_BYTES = 50 * 1024 * 1024
MAX_PAGES = 200
INSTALL_HINT = "pip install 'daily-papers[fulltext]'"
_SAFE_ID = re.compile(r"[0-9]{4}\.[0-9]{4,5}(?:v[0-9]+)?|[a-z][a-z.\-]*/[0-9]{7}(?:v[0-9]+)?")


class FullTextError(Exception):
    """This paper's full text cannot be had (one line)."""


def pypdf_missing() -> str | None:
    """None when pypdf can be imported, else the one line to show."""
    try:
        import pypdf  # noqa: F401
    except ImportError:
        return f"input \"fulltext\" reads PDFs with pypdf, which is not installed: {INSTALL_HINT}"
    return None


def cache_file(cache_dir: Path, arxiv_id: str) -> Path:
    if not _SAFE_ID.fullmatch(arxiv_id):
        raise FullTextError(f"{arxiv_id!r} is not an arXiv id")
    return cache_dir / "pdf" / (arxiv_id.replace("/", "_") + ".pdf")


def fetch_pdf(http, arxiv_id: str, cache_dir: Path) -> bytes:
    """The PDF's bytes: from the cache folder, else downloaded (through `http`, whose base is the PDF
    endpoint) and kept there. Raises FullTextError or HttpError (one line)."""
    from reader.core.atomic import write_bytes_atomic

    path = cache_file(cache_dir, arxiv_id)
    try:
        data = path.read_bytes()
        if data.startswith(b"%PDF-"):
            return data
    except OSError:
        pass
    data = http.get(arxiv_id).content
    if not data.startswith(b"%PDF-"):
        raise FullTextError(f"{arxiv_id}: the PDF endpoint did not answer with a PDF")
    try:
        write_bytes_atomic(path, data)
    except OSError:
        pass  # an unwritable cache folder: the PDF is used without being kept
    return data


def pdf_text(data: bytes, limit: int) -> str:
    """The text of a PDF, cleaned (no control characters), whitespace collapsed per line, cut to `limit`
    characters. Raises FullTextError (one line) when pypdf cannot read it."""
    import io

    try:
        from pypdf import PdfReader
    except ImportError:
        raise FullTextError(pypdf_missing() or "pypdf cannot be imported") from None
    parts: list[str] = []
    size = 0
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf's own errors vary by version
                raise FullTextError("the PDF is encrypted") from None
        for number, page in enumerate(reader.pages):
            if number >= MAX_PAGES or size >= limit:
                break
            text = page.extract_text() or ""
            lines = [" ".join(line.split()) for line in clean(text).splitlines()]
            text = "\n".join(line for line in lines if line)
            parts.append(text)
            size += len(text) + 1
    except FullTextError:
        raise
    except RecursionError:
        raise FullTextError("the PDF is nested too deeply to read") from None
    except Exception as exc:  # noqa: BLE001 - a broken PDF can raise anything inside pypdf
        from reader.core.sanitize import visible_line

        message = str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__
        raise FullTextError(f"pypdf cannot read the PDF ({visible_line(message)})") from None
    text = "\n".join(p for p in parts if p).strip()
    if not text:
        raise FullTextError("the PDF holds no text (a scan?)")
    return text[:limit]


def default_cache_dir() -> Path:
    from reader import paths

    return paths.cache_dir()
