"""A loopback arXiv query API for tests: answers GET ?id_list=...&max_results=N in arXiv's Atom, from the real
responses recorded in ../shared/arxiv-api and from metadata a test gives, and can fail on request.

    with ArxivServer({"2401.00001": paper(...)}) as api:
        api.fail(503, headers={"Retry-After": "1"})   # the next request
        api.url                                       # http://127.0.0.1:PORT/api/query
        api.requests                                  # the id lists asked, in order

As arXiv does: entries in the order asked, elements of an entry in no fixed order (shuffled here), an id
arXiv does not know answered 200 without an entry, a malformed id answered 400 with an `Error` entry (the
recorded one, for that id).

Faults (each used once, in order): a status code (with headers and body), "hang" (never answer: for
timeouts), "close" (drop the connection), "html" (an HTML page, 200), "body" (this body, 200).
"""

from __future__ import annotations

import json
import random
import re
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

RECORDINGS = Path(__file__).resolve().parent.parent.parent / "shared" / "arxiv-api"
_VALID = re.compile(r"[0-9]{4}\.[0-9]{4,5}(v[0-9]+)?|[a-z][a-z\-]*(\.[A-Z]{2})?/[0-9]{7}(v[0-9]+)?")
_ENTRY = re.compile(r"<entry>.*?</entry>", re.S)
_ENTRY_ID = re.compile(r"<id>http://arxiv\.org/abs/([^<]+?)(v\d+)?</id>")

HEAD = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/loopback</id>
  <title>arXiv Query: id_list={ids}</title>
  <updated>2026-04-12T22:09:26Z</updated>
  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
"""


def recording(name_part: str) -> dict:
    """The recorded response whose file name holds `name_part` ({"url", "status_code", "body"})."""
    (path,) = [p for p in RECORDINGS.glob("*.json") if name_part in p.name]
    return json.loads(path.read_text(encoding="utf-8"))


def recorded_entries() -> dict[str, str]:
    """Every recorded entry, as arXiv wrote it, by bare id."""
    entries = {}
    for path in sorted(RECORDINGS.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))["body"]
        for entry in _ENTRY.findall(body):
            m = _ENTRY_ID.search(entry)
            if m:
                entries[m.group(1)] = "  " + entry
    return entries


def paper(title: str, authors: list[str], *, published: str = "2024-01-02T18:00:00Z", updated: str | None = None,
          version: int = 1, primary: str = "cs.CL", categories: tuple[str, ...] = (), doi: str | None = None,
          journal_ref: str | None = None, comment: str | None = None) -> dict:
    """Metadata for a generated entry."""
    return {"title": title, "authors": authors, "published": published, "updated": updated or published,
            "version": version, "primary": primary, "categories": categories or (primary,), "doi": doi,
            "journal_ref": journal_ref, "comment": comment}


def render_entry(arxiv_id: str, meta: dict, rng: random.Random) -> str:
    """An entry as arXiv writes one (title lines wrapped as its API wraps them), children shuffled."""
    v = f"{arxiv_id}v{meta['version']}"
    title = meta["title"]
    if len(title) > 60:  # the API folds long titles: a newline and two spaces
        cut = title.rfind(" ", 0, 60)
        title = title[:cut] + "\n  " + title[cut + 1:] if cut > 0 else title
    parts = [
        f"<id>http://arxiv.org/abs/{v}</id>",
        f"<title>{escape(title)}</title>",
        f"<updated>{meta['updated']}</updated>",
        f'<link href="https://arxiv.org/abs/{v}" rel="alternate" type="text/html"/>',
        f"<summary>An abstract of {escape(arxiv_id)}.</summary>",
        f"<published>{meta['published']}</published>",
        f"<arxiv:primary_category term={quoteattr(meta['primary'])}/>",
        *[f'<category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>' for c in meta["categories"]],
        *[f"<arxiv:{tag}>{escape(meta[key])}</arxiv:{tag}>"
          for tag, key in (("doi", "doi"), ("journal_ref", "journal_ref"), ("comment", "comment")) if meta.get(key)],
    ]
    authors = "".join(f"\n    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in meta["authors"])
    rng.shuffle(parts)
    position = rng.randrange(len(parts) + 1)  # the authors block lands anywhere too
    inner = "".join(f"\n    {p}" for p in parts[:position]) + authors + "".join(f"\n    {p}" for p in parts[position:])
    return f"  <entry>{inner}\n  </entry>"


class ArxivServer:
    def __init__(self, papers: dict[str, dict] | None = None, *, recorded: bool = True, seed: int = 17) -> None:
        self.entries = recorded_entries() if recorded else {}
        self.papers = dict(papers or {})
        self.rng = random.Random(seed)
        self.requests: list[list[str]] = []  # the ids of each request
        self.queries: list[dict[str, str]] = []
        self.headers: list[dict[str, str]] = []
        self._faults: deque = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.concurrent = 0
        self.max_concurrent = 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                with api._lock:
                    api.concurrent += 1
                    api.max_concurrent = max(api.max_concurrent, api.concurrent)
                try:
                    api._answer(self)
                finally:
                    with api._lock:
                        api.concurrent -= 1

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/query"

    def __enter__(self) -> "ArxivServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def fail(self, fault: int | str, *, headers: dict[str, str] | None = None, body: bytes = b"",
             times: int = 1) -> None:
        for _ in range(times):
            self._faults.append((fault, headers or {}, body))

    def feed(self, ids: list[str]) -> bytes:
        found = []
        for arxiv_id in ids:
            bare = re.sub(r"v\d+$", "", arxiv_id)
            if bare in self.papers:
                found.append(render_entry(bare, self.papers[bare], self.rng))
            elif bare in self.entries:
                found.append(self.entries[bare])
        head = HEAD.format(ids=escape(",".join(ids)), per_page=len(ids), total=len(found))
        return (head + "".join(e + "\n" for e in found) + "</feed>\n").encode("utf-8")

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        ids = [i for i in query.get("id_list", "").split(",") if i]
        with self._lock:
            self.requests.append(ids)
            self.queries.append(query)
            self.headers.append({k.lower(): v for k, v in handler.headers.items()})
            fault = self._faults.popleft() if self._faults else None
        if parts.path != "/api/query":
            return self._send(handler, 404, b"not found", "text/plain")
        if fault is not None:
            kind, headers, body = fault
            if isinstance(kind, int):
                return self._send(handler, kind, body or b"Service Unavailable", "text/plain", headers)
            if kind == "hang":
                self._release.wait(60)
                return None
            if kind == "close":
                handler.close_connection = True
                return None
            if kind == "html":
                return self._send(handler, 200, b"<!doctype html><html><body>busy</body></html>", "text/html")
            if kind == "body":
                return self._send(handler, 200, body)
        bad = next((i for i in ids if not _VALID.fullmatch(i)), None)
        if bad is not None:
            body = recording("id_abc_")["body"].replace("abc", escape(bad))
            return self._send(handler, 400, body.encode("utf-8"))
        return self._send(handler, 200, self.feed(ids))

    @staticmethod
    def _send(handler, status: int, body: bytes, content_type: str = "application/atom+xml; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
