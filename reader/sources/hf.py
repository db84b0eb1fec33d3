"""Hugging Face's daily-papers API: one day's papers, with the metadata the archive lacks.

`GET {endpoint}/api/daily_papers?date=YYYY-MM-DD&limit=100&p=N` pages through a day (until a short page).
The endpoint is https://huggingface.co unless HF_ENDPOINT (the Hub client's own variable) or config says
otherwise; HF_TOKEN, when set, goes to that endpoint and nowhere else (reader.sources.http).

Everything the API says is untrusted: each item is checked field by field (types, sizes, ASCII arXiv ids,
http(s) links), its text cleaned as digest text is (reader.core.sanitize), and what does not fit is dropped
with a problem noted. An answer that is not a list of items at all (an HTML error page, a cut body) is an
HFFormatError: that day is skipped and tried again on the next sync.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from reader.core.metadata import HFPaper, record_from_fields, author_names
from reader.core.sanitize import clean_line

DEFAULT_ENDPOINT = "https://huggingface.co"
ENDPOINT_ENV = "HF_ENDPOINT"
TOKEN_ENV = "HF_TOKEN"
PAGE_SIZE = 100
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_PAGES = 20  # 2,000 papers a day: ten times the busiest day yet

class HFFormatError(Exception):
    """The answer is not the API's shape; the message is one line."""


def endpoint(config_value: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """HF_ENDPOINT, else config's hf_endpoint, else huggingface.co (the Hub client's order: its variable
    first)."""
    env = os.environ if environ is None else environ
    value = env.get(ENDPOINT_ENV) or config_value or DEFAULT_ENDPOINT
    return value.rstrip("/")


def token(environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    value = (env.get(TOKEN_ENV) or "").strip()
    return value or None


def paper_from_item(item: Any) -> tuple[HFPaper | None, str | None]:
    """One item of the API's list -> (the paper, None) or (None, why it was skipped)."""
    if not isinstance(item, dict):
        return None, "an item that is not an object"
    paper = item.get("paper")
    if not isinstance(paper, dict):
        return None, "an item without a paper"
    org = item.get("organization")
    if not isinstance(org, dict):
        org = paper.get("organization") if isinstance(paper.get("organization"), dict) else None
    org_name = (org.get("fullname") or org.get("name")) if isinstance(org, dict) else None
    summary = paper.get("summary") if isinstance(paper.get("summary"), str) else item.get("summary")
    authors = paper.get("authors")
    return record_from_fields({
        "arxiv_id": paper.get("id"),
        "title": paper.get("title") if isinstance(paper.get("title"), str) else item.get("title"),
        "authors": list(author_names(authors)),
        "upvotes": paper.get("upvotes"),
        "comments": item.get("numComments"),
        "abstract": summary,
        "ai_summary": paper.get("ai_summary"),
        "keywords": paper.get("ai_keywords") if isinstance(paper.get("ai_keywords"), list) else None,
        "github": paper.get("githubRepo"),
        "github_stars": paper.get("githubStars"),
        "project_page": paper.get("projectPage"),
        "organization": org_name,
        "published": paper.get("publishedAt"),
        "submitted": paper.get("submittedOnDailyAt"),
        "thumbnail": item.get("thumbnail"),
        "withdrawn": bool(paper.get("withdrawnAt")),
    })


def parse_page(data: Any) -> tuple[list[HFPaper], list[str]]:
    """A page of the API's answer -> (papers, problems). HFFormatError when it is not a list at all."""
    if not isinstance(data, list):
        kind = "an object" if isinstance(data, dict) else type(data).__name__
        detail = ""
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            detail = f": {clean_line(data['error'])[:120]}"
        raise HFFormatError(f"the answer is {kind}, not a list of papers{detail}")
    papers: list[HFPaper] = []
    problems: list[str] = []
    for item in data:
        paper, why = paper_from_item(item)
        if paper is None:
            problems.append(why or "an unreadable item")
        else:
            papers.append(paper)
    return papers, problems


class DayAnswer(NamedTuple):
    date: str
    papers: list[HFPaper]
    problems: list[str]  # items skipped (the day is kept, and fetched again next time)
    requests: int


def fetch_day(http, date: str) -> DayAnswer:
    """Every paper Hugging Face lists for `date`, paging with limit=100 until a short page. Raises
    HttpError (reader.sources.http) or HFFormatError; a paper met on two pages counts once."""
    if not _DATE.fullmatch(date):
        raise ValueError(f"not a date: {date!r}")
    papers: dict[str, HFPaper] = {}
    problems: list[str] = []
    requests = 0
    for page in range(MAX_PAGES):
        response = http.get("api/daily_papers", params={"date": date, "limit": PAGE_SIZE, "p": page})
        requests += 1
        try:
            found, skipped = parse_page(response.json())
        except HFFormatError as exc:
            raise HFFormatError(f"{date}: {exc}") from None
        problems.extend(f"{date}: {why}" for why in skipped)
        for paper in found:
            papers.setdefault(paper.arxiv_id, paper)
        if len(found) + len(skipped) < PAGE_SIZE:
            break
    return DayAnswer(date, list(papers.values()), problems, requests)
