"""What arXiv says of one paper (its query API's Atom entry), checked field by field.

An ArxivRecord is made from an API answer (reader.sources.arxiv) and kept in the metadata store
(reader.core.metadata); a record read back from disk is checked again, as the API's text was. Every text is
cleaned as digest text is (reader.core.sanitize) and cut to a size limit; an id, a category, a DOI or a date
that does not have its shape is dropped.

The query API gives the first version's date (`published`) and the latest version's (`updated`, with its
version number in the entry's id); arXiv's own BibTeX takes its year from the latest version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from reader.core.sanitize import clean_line

MAX_TITLE = 1_000
MAX_NAME = 200
MAX_AUTHORS = 2_000
MAX_NOTE = 1_000  # a journal reference, a comment
MAX_CATEGORIES = 20

NEW_ID = re.compile(r"[0-9]{4}\.[0-9]{4,5}")
OLD_ID = re.compile(r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/[0-9]{7}")
_CATEGORY = re.compile(r"[a-z][a-z\-]*(?:\.[A-Za-z\-]{1,10})?")
_DOI = re.compile(r"10\.[0-9]{4,9}/[^\s\"<>{}\\%#]{1,200}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def valid_id(arxiv_id: Any) -> bool:
    """A bare arXiv id (no version): 2408.03326 or hep-th/9901001."""
    return isinstance(arxiv_id, str) and bool(NEW_ID.fullmatch(arxiv_id) or OLD_ID.fullmatch(arxiv_id))


class ArxivRecord(NamedTuple):
    arxiv_id: str  # without its version
    title: str
    authors: tuple[str, ...]  # in the paper's order
    version: int = 1  # the latest version
    published: str | None = None  # YYYY-MM-DD: version 1
    updated: str | None = None  # YYYY-MM-DD: the latest version
    primary_class: str | None = None  # cs.CL
    categories: tuple[str, ...] = ()
    doi: str | None = None  # the journal DOI the authors gave (not arXiv's own 10.48550 one)
    journal_ref: str | None = None
    comment: str | None = None

    @property
    def year(self) -> str | None:
        """arXiv's year for a citation: the latest version's."""
        day = self.updated or self.published
        return day[:4] if day else None

    def to_dict(self) -> dict[str, Any]:
        data = self._asdict()
        data["authors"] = list(self.authors)
        data["categories"] = list(self.categories)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ArxivRecord | None:
        """A record as the store keeps it, or an entry's fields: checked again; None when unusable."""
        record, _ = record_from_fields(data)
        return record


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(clean_line(value).split())
    return text[:limit] if text else None


def _day(value: Any) -> str | None:
    if isinstance(value, str) and _DAY.match(value.strip()):
        return value.strip()[:10]
    return None


def _category(value: Any) -> str | None:
    if isinstance(value, str) and len(value) <= 30 and _CATEGORY.fullmatch(value.strip()):
        return value.strip()
    return None


def doi_of(value: Any) -> str | None:
    """The first DOI of arXiv's doi field (it may list several, separated by spaces), or None."""
    if not isinstance(value, str):
        return None
    for part in value.split():
        part = part.removeprefix("https://doi.org/").removeprefix("doi:")
        if _DOI.fullmatch(part):
            return part
    return None


def _names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(n for n in (_text(a, MAX_NAME) for a in value[:MAX_AUTHORS]) if n)


def record_from_fields(data: Mapping[str, Any]) -> tuple[ArxivRecord | None, str | None]:
    """(record, None), or (None, why it is unusable)."""
    arxiv_id = data.get("arxiv_id")
    if not valid_id(arxiv_id):
        return None, f"an entry without a valid arXiv id ({clean_line(str(arxiv_id))[:40]!r})"
    title = _text(data.get("title"), MAX_TITLE)
    if not title:
        return None, f"{arxiv_id} has no title"
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 1000:
        version = 1
    categories = data.get("categories")
    cats = tuple(dict.fromkeys(c for c in (_category(x) for x in (categories or ())[:MAX_CATEGORIES]) if c)) \
        if isinstance(categories, (list, tuple)) else ()
    return ArxivRecord(
        arxiv_id=arxiv_id,
        title=title,
        authors=_names(data.get("authors")),
        version=version,
        published=_day(data.get("published")),
        updated=_day(data.get("updated")),
        primary_class=_category(data.get("primary_class")),
        categories=cats,
        doi=doi_of(data.get("doi")),
        journal_ref=_text(data.get("journal_ref"), MAX_NOTE),
        comment=_text(data.get("comment"), MAX_NOTE),
    ), None
