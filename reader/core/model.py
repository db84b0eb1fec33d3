"""Paper, Day and Section: small frozen records. The arXiv id is the identity of a paper."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Section(NamedTuple):  # a tuple: a dataclass costs ~1 ms of the reader's start to define
    name: str
    markdown: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "markdown": self.markdown}


@dataclass(frozen=True, slots=True)
class Paper:
    arxiv_id: str
    title: str
    url: str
    pdf_url: str
    thumbnail: str | None
    votes: int | None
    authors: tuple[str, ...]
    date: str
    sections: tuple[Section, ...] = ()
    source: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)

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


@dataclass(frozen=True, slots=True)
class Day:
    date: str
    papers: tuple[Paper, ...]

    def __len__(self) -> int:
        return len(self.papers)
