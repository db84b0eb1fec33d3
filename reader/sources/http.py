"""The one HTTP seam every source goes through (Hugging Face, arXiv, the user's model server).

What it guarantees, whoever calls it:

- timeouts on connect and on every read; proxies from the environment (httpx's trust_env: HTTPS_PROXY,
  NO_PROXY ...); a polite User-Agent naming the project, its version and where it lives;
- retries: a 429 waits what its Retry-After says (and holds every other request to that host back as long),
  a 5xx, a timeout or a broken connection is retried with exponential backoff and jitter; anything else
  (400, 401, 404 ...) is answered at once;
- a response is read up to `max_bytes` and no further (a hostile or broken server cannot fill memory);
- a token is sent only to the origin it belongs to (scheme, host and port of `base_url`); redirects are
  followed by hand, and one that leaves that origin goes without it. No message this module makes holds a
  header, a token or a query string;
- pacing, when a Pace is given: at most N requests in any window of W seconds, at most K at once, at least
  S seconds between two requests (arXiv's terms);
- every wait goes through `sleep` and every time through `clock` (tests inject both), and a `cancel` event
  ends a wait at once.

httpx is imported on first use: never on the reader's way to its first screen.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from reader import __version__

USER_AGENT = f"daily-papers/{__version__} (terminal reader of Hugging Face Daily Papers; +https://pypi.org/project/daily-papers/)"
MAX_BYTES = 16 * 1024 * 1024
MAX_REDIRECTS = 5
OFFLINE_ATTEMPTS = 2
ERROR_BODY = 64 * 1024  # how much of an error answer's body an HttpError keeps


class HttpError(Exception):
    """A request that did not give a usable answer. str() is one line fit to show: the host and path, what
    went wrong; never a header, a token or a query string."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False,
                 retry_after: float | None = None, offline: bool = False, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        # An error answer's body (its first ERROR_BODY bytes), for services that explain there; never in the
        # message: the caller decides what of it to show.
        self.body = body
        self.retryable = retryable  # offline, a timeout, a 5xx: trying later may work
        self.retry_after = retry_after
        self.offline = offline  # the host could not be reached at all (no network, DNS, refused)


class Cancelled(HttpError):
    def __init__(self) -> None:
        super().__init__("cancelled")


class Response:
    __slots__ = ("status", "headers", "content", "url")

    def __init__(self, status: int, headers: Mapping[str, str], content: bytes, url: str) -> None:
        self.status = status
        self.headers = headers
        self.content = content
        self.url = url

    def json(self) -> Any:
        """The body as JSON; HttpError (one line) when it is not (an HTML error page, a cut body ...)."""
        from reader.core.files import load_json

        try:
            return load_json(self.content, encoding="utf-8-sig")
        except ValueError as exc:
            raise HttpError(f"{where(self.url)}: the answer is not JSON ({exc})") from None

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def where(url: str) -> str:
    """host/path of a URL, for messages: no scheme, credentials or query."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if parts.port:
        host += f":{parts.port}"
    return host + (parts.path or "/")


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds, or an HTTP date (RFC 9110); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class Pace:
    """At most `per_window` requests in any `window` seconds, at most `concurrent` at once, at least `gap`
    seconds between the starts of two requests; and, after a 429, none before the time it named.
    Thread-safe; `clock` and `sleep` are injected in tests."""

    def __init__(self, *, per_window: int | None = None, window: float = 300.0, concurrent: int = 4,
                 gap: float = 0.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_window = per_window
        self.window = window
        self.gap = gap
        self.clock = clock
        self.sleep = sleep
        self._slots = threading.BoundedSemaphore(max(1, concurrent))
        self._lock = threading.Lock()
        self._starts: deque[float] = deque()
        self._not_before = 0.0
        self.requests = 0  # how many were started (for summaries and benchmarks)

    def hold(self, seconds: float) -> None:
        """No request starts for `seconds` from now (a 429's Retry-After)."""
        with self._lock:
            self._not_before = max(self._not_before, self.clock() + seconds)

    def _wait_needed(self, now: float) -> float:
        wait = self._not_before - now
        if self._starts and self.gap:
            wait = max(wait, self._starts[-1] + self.gap - now)
        if self.per_window is not None:
            while self._starts and self._starts[0] <= now - self.window:
                self._starts.popleft()
            if len(self._starts) >= self.per_window:
                wait = max(wait, self._starts[0] + self.window - now)
        return wait

    def acquire(self, cancel: threading.Event | None = None) -> None:
        self._slots.acquire()
        try:
            while True:
                with self._lock:
                    now = self.clock()
                    wait = self._wait_needed(now)
                    if wait <= 0:
                        self._starts.append(now)
                        self.requests += 1
                        return
                _pause(wait, self.sleep, cancel)
        except BaseException:
            self._slots.release()
            raise

    def release(self) -> None:
        self._slots.release()


def _pause(seconds: float, sleep: Callable[[float], None], cancel: threading.Event | None) -> None:
    """Wait; a cancel event ends the wait at once (with the real clock) or right after it (an injected one)."""
    if cancel is not None and cancel.is_set():
        raise Cancelled()
    if cancel is not None and sleep is time.sleep:
        if cancel.wait(seconds):
            raise Cancelled()
        return
    sleep(seconds)
    if cancel is not None and cancel.is_set():
        raise Cancelled()


class Http:
    """A client for one service (its base_url). get()/post() return a Response whose status is < 400, or
    raise HttpError after the retries this service is given."""

    def __init__(self, base_url: str, *, token: str | None = None, timeout: float = 30.0,
                 connect_timeout: float = 10.0, attempts: int = 5, backoff: float = 1.0,
                 max_retry_after: float = 600.0, max_bytes: int = MAX_BYTES, pace: Pace | None = None,
                 sleep: Callable[[float], None] = time.sleep, cancel: threading.Event | None = None,
                 user_agent: str = USER_AGENT, transport: Any = None, what: str = "") -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self._origin = origin(self.base_url)
        self._token = token
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.max_bytes = max_bytes
        self.pace = pace
        self.sleep = sleep
        self.cancel = cancel
        self.what = what or where(self.base_url).rstrip("/")
        self._user_agent = user_agent
        self._transport = transport
        self._client: Any = None
        self._client_lock = threading.Lock()

    def __repr__(self) -> str:  # never the token
        return f"Http({self.base_url!r})"

    # -- the httpx client, made on first use ----------------------------------------------------------
    def _httpx(self):
        with self._client_lock:
            if self._client is None:
                import httpx

                self._client = httpx.Client(
                    timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout),
                    follow_redirects=False, trust_env=True, transport=self._transport,
                    headers={"User-Agent": self._user_agent, "Accept-Encoding": "gzip"},
                    limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
                )
            return self._client

    def close(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def __enter__(self) -> "Http":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ---------------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return urljoin(self.base_url, path.lstrip("/")) if not path.startswith(("http://", "https://")) else path

    def get(self, path: str, *, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None) -> Response:
        return self.request("GET", path, params=params, headers=headers)

    def post(self, path: str, *, json: Any = None, headers: Mapping[str, str] | None = None) -> Response:
        return self.request("POST", path, json=json, headers=headers)

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None,
                headers: Mapping[str, str] | None = None) -> Response:
        url = self.url(path)
        last: HttpError | None = None
        attempt = 0
        limited = 0
        while attempt < self.attempts:
            if self.cancel is not None and self.cancel.is_set():
                raise Cancelled()
            try:
                response = self._send_paced(method, url, params, json, headers)
            except HttpError as exc:
                if not exc.retryable:
                    raise
                last = exc
                attempt += 1
                if exc.offline and attempt >= min(self.attempts, OFFLINE_ATTEMPTS):
                    raise  # no network, no DNS, refused: a few quick tries say as much as many slow ones
                if attempt < self.attempts:
                    _pause(self._backoff(attempt), self.sleep, self.cancel)
                continue
            if response.status == 429:
                wait = retry_after_seconds(response.headers.get("retry-after"))
                limited += 1
                if wait is None:
                    wait = self._backoff(limited)
                if wait > self.max_retry_after or limited > self.attempts:
                    raise HttpError(f"{self.what} asks us to wait {wait:.0f} s (HTTP 429, rate limited); "
                                    "try again later", status=429, retryable=True, retry_after=wait)
                if self.pace is not None:
                    self.pace.hold(wait)
                    continue  # the pace makes every request wait, this one too
                _pause(wait, self.sleep, self.cancel)
                continue
            if response.status >= 500:
                last = HttpError(f"{where(url)}: HTTP {response.status} (the server failed)",
                                 status=response.status, retryable=True, body=response.content[:ERROR_BODY])
                attempt += 1
                if attempt < self.attempts:
                    _pause(self._backoff(attempt), self.sleep, self.cancel)
                continue
            if response.status >= 400:
                raise HttpError(f"{where(url)}: HTTP {response.status}{_reason(response.status)}",
                                status=response.status, body=response.content[:ERROR_BODY])
            return response
        assert last is not None
        raise last

    def _backoff(self, attempt: int) -> float:
        base = self.backoff * (2 ** (attempt - 1))
        return min(60.0, base * (0.5 + random.random()))

    def _send_paced(self, method, url, params, json, headers) -> Response:
        if self.pace is None:
            return self._send(method, url, params, json, headers)
        self.pace.acquire(self.cancel)
        try:
            return self._send(method, url, params, json, headers)
        finally:
            self.pace.release()

    def _send(self, method: str, url: str, params, json, headers) -> Response:
        import httpx

        client = self._httpx()
        hops = 0
        while True:
            extra = dict(headers or {})
            if self._token and origin(url) == self._origin:
                extra["Authorization"] = f"Bearer {self._token}"
            try:
                request = client.build_request(method, url, params=params, json=json, headers=extra)
                response = client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError) as exc:
                raise HttpError(f"{where(url)}: cannot connect ({_short(exc)})", retryable=True,
                                offline=True) from None
            except httpx.TimeoutException:
                raise HttpError(f"{where(url)}: no answer in time (timeout)", retryable=True) from None
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                raise HttpError(f"{where(url)}: the connection broke ({_short(exc)})", retryable=True) from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise HttpError(f"{where(url)}: not a usable address ({_short(exc)})") from None
            except httpx.HTTPError as exc:
                raise HttpError(f"{where(url)}: {_short(exc)}", retryable=True) from None
            try:
                if response.status_code in (301, 302, 303, 307, 308) and response.headers.get("location"):
                    hops += 1
                    if hops > MAX_REDIRECTS:
                        raise HttpError(f"{where(url)}: too many redirects")
                    url = urljoin(url, response.headers["location"])
                    if urlsplit(url).scheme not in ("http", "https"):
                        raise HttpError(f"{where(url)}: redirected to an address that is not http(s)")
                    params = None  # the Location holds the whole address
                    if response.status_code == 303:
                        method, json = "GET", None
                    continue
                content = self._read_capped(response, url)
                return Response(response.status_code, response.headers, content, url)
            finally:
                response.close()

    def _read_capped(self, response, url: str) -> bytes:
        import httpx

        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise HttpError(f"{where(url)}: the answer is {int(declared):,} bytes, more than the "
                            f"{self.max_bytes:,} bytes allowed")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise HttpError(f"{where(url)}: the answer is more than the {self.max_bytes:,} bytes allowed")
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise HttpError(f"{where(url)}: the answer stopped coming (timeout)", retryable=True) from None
        except httpx.HTTPError as exc:
            raise HttpError(f"{where(url)}: the answer was cut ({_short(exc)})", retryable=True) from None
        return b"".join(chunks)


_REASONS = {400: "bad request", 401: "unauthorized: check the key or token", 403: "forbidden",
            404: "not found", 408: "request timeout", 413: "request too large", 422: "not accepted"}


def _reason(status: int) -> str:
    reason = _REASONS.get(status)
    return f" ({reason})" if reason else ""


def _short(exc: BaseException) -> str:
    """An exception's message, one line, without anything that looks like a credential or a query."""
    from reader.core.sanitize import visible_line

    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    text = text.split("?", 1)[0]
    return visible_line(text)[:200]
