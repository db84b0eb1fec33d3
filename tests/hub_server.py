"""A loopback Hugging Face Hub for tests and benchmarks: answers GET /api/daily_papers as the real API does,
from the recorded responses in ../shared/hf-api (or days given), and can fail on request.

    with HubServer() as hub:                 # every recorded day
        hub.fail("2025-05-12", 429, headers={"Retry-After": "2"})   # the next request for that day
        hub.url                               # http://127.0.0.1:PORT
        hub.requests                          # what it received: (path, query dict, headers dict)

Faults (each used once, in order, for requests of that day; "*" for any day):
    status code (with headers and body), "html" (an HTML error page, 200), "cut" (a JSON body cut half way),
    "json" (this body, 200), "nolength" (this body, without a Content-Length),
    "slow" (answer after `seconds`), "hang" (never answer: for timeouts), "close" (drop the connection).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

RECORDINGS = Path(__file__).resolve().parent.parent.parent / "shared" / "hf-api" / "daily_papers"
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def recorded_days() -> dict[str, list]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(RECORDINGS.glob("*.json"))}


class HubServer:
    def __init__(self, days: dict[str, list] | None = None, *, delay: float = 0.0) -> None:
        self.days = recorded_days() if days is None else days
        self.delay = delay
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self._faults: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.concurrent = 0
        self.max_concurrent = 0
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                with hub._lock:
                    hub.concurrent += 1
                    hub.max_concurrent = max(hub.max_concurrent, hub.concurrent)
                try:
                    hub._answer(self)
                finally:
                    with hub._lock:
                        hub.concurrent -= 1

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "HubServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def fail(self, day: str, fault: int | str, *, headers: dict[str, str] | None = None, body: bytes = b"",
             seconds: float = 0.0, times: int = 1) -> None:
        for _ in range(times):
            self._faults[day].append((fault, headers or {}, body, seconds))

    def heal(self) -> None:
        """Forget every fault not used yet."""
        with self._lock:
            self._faults.clear()

    def day_requests(self) -> list[str]:
        return [q.get("date", "") for path, q, _ in self.requests if path == "/api/daily_papers"]

    # -- answering --------------------------------------------------------------------------------------
    def _fault_for(self, day: str):
        with self._lock:
            for key in (day, "*"):
                if self._faults[key]:
                    return self._faults[key].popleft()
        return None

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self._lock:
            self.requests.append((parts.path, query, {k.lower(): v for k, v in handler.headers.items()}))
        if self.delay:
            time.sleep(self.delay)
        if parts.path != "/api/daily_papers":
            return self._send(handler, 404, b'{"error":"Not Found"}')
        day = query.get("date", "")
        if not _DATE.match(day):
            return self._send(handler, 400, b'{"error":"Invalid date"}')
        fault = self._fault_for(day)
        if fault is not None:
            kind, headers, body, seconds = fault
            if isinstance(kind, int):
                return self._send(handler, kind, body or b'{"error":"failure"}', headers)
            if kind == "html":
                return self._send(handler, 200, b"<!doctype html><html><body>Service unavailable</body></html>",
                                  {"Content-Type": "text/html"})
            if kind == "cut":
                full = json.dumps(self._page(day, query)).encode()
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(full)))
                handler.end_headers()
                handler.wfile.write(full[: len(full) // 2])
                handler.wfile.flush()
                handler.close_connection = True
                return None
            if kind == "slow":
                time.sleep(seconds)
            if kind == "hang":
                self._release.wait(seconds or 30)
                return None
            if kind == "close":
                handler.close_connection = True
                return None
            if kind == "json":
                return self._send(handler, 200, body)
            if kind == "nolength":  # no Content-Length: the body ends when the connection closes
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Connection", "close")
                handler.end_headers()
                handler.wfile.write(body)
                handler.close_connection = True
                return None
        body = json.dumps(self._page(day, query)).encode()
        return self._send(handler, 200, body)

    def _page(self, day: str, query: dict[str, str]) -> list:
        items = self.days.get(day, [])
        try:
            limit = max(1, min(100, int(query.get("limit", "50"))))
            page = max(0, int(query.get("p", "0")))
        except ValueError:
            limit, page = 50, 0
        return items[page * limit:(page + 1) * limit]

    @staticmethod
    def _send(handler, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", (headers or {}).get("Content-Type", "application/json"))
        for key, value in (headers or {}).items():
            if key != "Content-Type":
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
