"""The HTTP seam every source shares (reader.sources.http): retries, Retry-After, caps, pacing, secrets.

Every test talks to a real server on 127.0.0.1 (tests/hub_server.py, or a tiny one here); waits go through
an injected sleep and clock, so nothing here depends on the machine's speed.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hub_server import HubServer
from reader.sources.http import Http, HttpError, Pace, retry_after_seconds


class FakeClock:
    """time.monotonic and time.sleep for one test: sleeping moves the clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def hub_http(hub: HubServer, clock: FakeClock | None = None, **kw) -> Http:
    clock = clock or FakeClock()
    kw.setdefault("sleep", clock.sleep)
    return Http(hub.url, **kw)


def test_a_429_waits_what_retry_after_says_then_succeeds():
    clock = FakeClock()
    with HubServer() as hub:
        hub.fail("2024-08-07", 429, headers={"Retry-After": "7"})
        pace = Pace(per_window=100, clock=clock.clock, sleep=clock.sleep)
        http = hub_http(hub, clock, pace=pace)
        response = http.get("api/daily_papers", params={"date": "2024-08-07"})
    assert response.status == 200 and len(response.json()) == 12
    assert hub.day_requests() == ["2024-08-07", "2024-08-07"]
    assert sum(clock.sleeps) >= 7  # the second request waited for the time the server named


def test_a_429_holds_every_other_request_back_too():
    clock = FakeClock()
    pace = Pace(per_window=100, clock=clock.clock, sleep=clock.sleep)
    pace.acquire()
    pace.release()
    pace.hold(30)
    before = clock.now
    pace.acquire()
    pace.release()
    assert clock.now - before >= 30


def test_retry_after_as_an_http_date():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_a_retry_after_longer_than_allowed_is_one_line_not_a_long_wait():
    clock = FakeClock()
    with HubServer() as hub:
        hub.fail("2024-08-07", 429, headers={"Retry-After": "86400"})
        http = hub_http(hub, clock, max_retry_after=600)
        with pytest.raises(HttpError) as caught:
            http.get("api/daily_papers", params={"date": "2024-08-07"})
    assert caught.value.status == 429 and "429" in str(caught.value) and "\n" not in str(caught.value)
    assert sum(clock.sleeps) < 600


@pytest.mark.parametrize("fault", [500, 502, 503, "close", "cut"])
def test_server_failures_are_retried_with_backoff(fault):
    clock = FakeClock()
    with HubServer() as hub:
        hub.fail("2024-08-07", fault, times=2)
        http = hub_http(hub, clock, backoff=1.0)
        response = http.get("api/daily_papers", params={"date": "2024-08-07"})
    assert len(response.json()) == 12
    assert len(hub.day_requests()) == 3
    assert len(clock.sleeps) == 2 and clock.sleeps[1] > clock.sleeps[0] * 0.3  # backed off, jittered


def test_a_server_that_keeps_failing_gives_up_after_the_attempts_with_one_line():
    clock = FakeClock()
    with HubServer() as hub:
        hub.fail("2024-08-07", 503, times=10)
        http = hub_http(hub, clock, attempts=3)
        with pytest.raises(HttpError) as caught:
            http.get("api/daily_papers", params={"date": "2024-08-07"})
    assert caught.value.retryable and "503" in str(caught.value)
    assert len(hub.day_requests()) == 3


def test_a_client_error_is_answered_at_once():
    with HubServer() as hub:
        http = hub_http(hub)
        with pytest.raises(HttpError) as caught:
            http.get("api/daily_papers", params={"date": "not-a-date"})
    assert caught.value.status == 400 and not caught.value.retryable
    assert len(hub.requests) == 1


def test_a_server_that_never_answers_times_out():
    clock = FakeClock()
    with HubServer() as hub:
        hub.fail("2024-08-07", "hang", seconds=5, times=2)
        http = hub_http(hub, clock, timeout=0.3, connect_timeout=0.3, attempts=2)
        with pytest.raises(HttpError) as caught:
            http.get("api/daily_papers", params={"date": "2024-08-07"})
    assert "timeout" in str(caught.value) and caught.value.retryable


def test_an_html_error_page_is_not_json_in_one_line():
    with HubServer() as hub:
        hub.fail("2024-08-07", "html")
        response = hub_http(hub).get("api/daily_papers", params={"date": "2024-08-07"})
        with pytest.raises(HttpError) as caught:
            response.json()
    assert "not JSON" in str(caught.value) and "\n" not in str(caught.value)


def test_json_nested_too_deeply_is_a_one_line_error_not_a_recursion_error():
    with HubServer() as hub:
        hub.fail("2024-08-07", "json", body=b"[" * 100_000 + b"]" * 100_000)
        response = hub_http(hub).get("api/daily_papers", params={"date": "2024-08-07"})
        with pytest.raises(HttpError):
            response.json()


@pytest.mark.parametrize("fault", ["json", "nolength"])
def test_an_answer_over_the_size_cap_is_refused_without_reading_it_all(fault):
    with HubServer() as hub:
        hub.fail("2024-08-07", fault, body=b"[" + b'"x",' * 50_000 + b'"x"]')
        http = hub_http(hub, max_bytes=10_000)
        with pytest.raises(HttpError) as caught:
            http.get("api/daily_papers", params={"date": "2024-08-07"})
    assert "10,000 bytes" in str(caught.value)


def test_the_pace_keeps_the_window_and_the_concurrency():
    clock = FakeClock()
    pace = Pace(per_window=3, window=300, concurrent=2, clock=clock.clock, sleep=clock.sleep)
    starts = []
    for _ in range(7):
        pace.acquire()
        starts.append(clock.now)
        pace.release()
    # never more than 3 starts in any 300 s window
    for i, start in enumerate(starts):
        assert sum(1 for s in starts if start <= s < start + 300) <= 3, starts
    assert starts[3] - starts[0] >= 300


def test_the_pace_keeps_a_gap_between_requests():
    clock = FakeClock()
    pace = Pace(gap=3.0, concurrent=1, clock=clock.clock, sleep=clock.sleep)
    starts = []
    for _ in range(4):
        pace.acquire()
        starts.append(clock.now)
        pace.release()
    assert all(b - a >= 3.0 for a, b in zip(starts, starts[1:]))


def test_at_most_the_concurrency_runs_at_once():
    with HubServer(delay=0.05) as hub:
        http = Http(hub.url, pace=Pace(concurrent=2))
        threads = [threading.Thread(target=http.get, args=("api/daily_papers",),
                                    kwargs={"params": {"date": "2024-08-07"}}) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(hub.requests) == 8 and hub.max_concurrent <= 2


def test_requests_name_the_project_and_its_version():
    from reader import __version__

    with HubServer() as hub:
        hub_http(hub).get("api/daily_papers", params={"date": "2024-08-07"})
    agent = hub.requests[0][2]["user-agent"]
    assert agent.startswith(f"daily-papers/{__version__}")


class _Proxy:
    """A forward proxy on loopback that answers every request itself and records the request line (a client
    that goes through a proxy names the whole address there: GET http://host/path HTTP/1.1)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):  # noqa: N802
                outer.lines.append(self.requestline)
                body = b'{"through": "the proxy"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_requests_go_through_the_proxy_the_environment_names(monkeypatch):
    proxy = _Proxy()
    try:
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
            monkeypatch.delenv(name, raising=False)
        for name in ("HTTP_PROXY", "http_proxy"):
            monkeypatch.setenv(name, proxy.url)
        # .invalid never resolves (RFC 6761): only the proxy can answer, and nothing leaves the machine.
        with Http("http://papers.example.invalid/", attempts=1) as http:
            answer = http.get("api/daily_papers", params={"date": "2024-08-07"}).json()
    finally:
        proxy.close()
    assert answer == {"through": "the proxy"}
    assert proxy.lines == ["GET http://papers.example.invalid/api/daily_papers?date=2024-08-07 HTTP/1.1"]


class _Redirector:
    """A server that redirects every request to `target` and records what it received."""

    def __init__(self, target: str) -> None:
        self.seen: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):  # noqa: N802
                outer.seen.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(302)
                self.send_header("Location", target + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_token_goes_to_its_own_origin_only_even_through_a_redirect():
    secret = "hf_SECRETtoken123"
    with HubServer() as hub:
        front = _Redirector(hub.url)
        try:
            http = Http(front.url, token=secret)
            response = http.get("api/daily_papers", params={"date": "2024-08-07"})
        finally:
            front.close()
    assert response.status == 200
    assert front.seen[0]["authorization"] == f"Bearer {secret}"  # its own origin: sent
    assert "authorization" not in hub.requests[0][2]  # another origin (another port): never
    assert secret not in repr(http)


def test_no_error_message_holds_the_token_or_the_query():
    secret = "hf_SECRETtoken123"
    with HubServer() as hub:
        hub.fail("2024-08-07", 401)
        http = Http(hub.url, token=secret)
        with pytest.raises(HttpError) as caught:
            http.get("api/daily_papers", params={"date": "2024-08-07", "key": secret})
    assert secret not in str(caught.value) and "401" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is None or secret not in repr(caught.value.__context__)
