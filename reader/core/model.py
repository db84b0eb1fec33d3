"""Paper, Day and Section: small frozen records. The arXiv id is the identity of a paper."""

from __future__ import annotations

from typing import Any, NamedTuple


def _frozen(message: str) -> Exception:
    """dataclasses.FrozenInstanceError, as a frozen dataclass raises (imported when raised: dataclasses and
    what it imports cost a command a sixth of its start; the reader loads it anyway, with Textual)."""
    from dataclasses import FrozenInstanceError

    return FrozenInstanceError(message)


class Section(NamedTuple):  # a tuple: a dataclass costs ~1 ms of the reader's start to define
    name: str
    markdown: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "markdown": self.markdown}


_PAPER_FIELDS = ("arxiv_id", "title", "url", "pdf_url", "thumbnail", "votes", "authors", "date", "sections",
                 "source", "line")
_COMPARED = 9  # source and line (where it was read) are not part of a paper's value


class Paper:
    """A frozen record (what @dataclass(frozen=True, slots=True) would make, written out: defining a
    dataclass costs about a millisecond of the reader's start, and this is on its path)."""

    __slots__ = _PAPER_FIELDS
    arxiv_id: str
    title: str
    url: str
    pdf_url: str
    thumbnail: str | None
    votes: int | None
    authors: tuple[str, ...]
    date: str
    sections: tuple[Section, ...]
    source: str
    line: int

    def __init__(self, arxiv_id: str, title: str, url: str, pdf_url: str, thumbnail: str | None, votes: int | None,
                 authors: tuple[str, ...], date: str, sections: tuple[Section, ...] = (), source: str = "",
                 line: int = 0) -> None:
        set_ = object.__setattr__
        set_(self, "arxiv_id", arxiv_id)
        set_(self, "title", title)
        set_(self, "url", url)
        set_(self, "pdf_url", pdf_url)
        set_(self, "thumbnail", thumbnail)
        set_(self, "votes", votes)
        set_(self, "authors", authors)
        set_(self, "date", date)
        set_(self, "sections", sections)
        set_(self, "source", source)
        set_(self, "line", line)

    def _value(self) -> tuple:
        return (self.arxiv_id, self.title, self.url, self.pdf_url, self.thumbnail, self.votes, self.authors,
                self.date, self.sections)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._value() == other._value()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._value())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in _PAPER_FIELDS)
        return f"Paper({fields})"

    def __setattr__(self, name: str, value: object) -> None:
        raise _frozen(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise _frozen(f"cannot delete field {name!r}")

    @property
    def hf_url(self) -> str:
        return f"https://huggingface.co/papers/{self.arxiv_id}"

    def section(self, name: str) -> Section | None:
        wanted = name.casefold()
        for section in self.sections:
            if section.name.casefold() == wanted:
                return section
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "arxiv_id": self.arxiv_id,
            "title": self.title,
            "url": self.url,
            "pdf_url": self.pdf_url,
            "thumbnail": self.thumbnail,
            "votes": self.votes,
            "authors": list(self.authors),
            "sections": [s.to_dict() for s in self.sections],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Paper":
        return cls(
            arxiv_id=data["arxiv_id"],
            title=data["title"],
            url=data["url"],
            pdf_url=data["pdf_url"],
            thumbnail=data.get("thumbnail"),
            votes=data.get("votes"),
            authors=tuple(data.get("authors") or ()),
            date=data["date"],
            sections=tuple(Section(s["name"], s["markdown"]) for s in data.get("sections") or ()),
            source=data.get("source", ""),
            line=data.get("line", 0),
        )


def vote_order(papers: list[Paper]) -> list[Paper]:
    """Votes descending, papers without votes last, ties in file order (sort is stable)."""
    return sorted(papers, key=lambda p: (p.votes is None, -(p.votes or 0)))


class Day:
    """A day's papers (a frozen record, as Paper)."""

    __slots__ = ("date", "papers")
    date: str
    papers: tuple[Paper, ...]

    def __init__(self, date: str, papers: tuple[Paper, ...]) -> None:
        object.__setattr__(self, "date", date)
        object.__setattr__(self, "papers", papers)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.date, self.papers) == (other.date, other.papers)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.date, self.papers))

    def __repr__(self) -> str:
        return f"Day(date={self.date!r}, papers={self.papers!r})"

    def __setattr__(self, name: str, value: object) -> None:
        raise _frozen(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise _frozen(f"cannot delete field {name!r}")

    def __len__(self) -> int:
        return len(self.papers)
