"""A loopback OpenAI-compatible model server for tests and benchmarks: POST /v1/chat/completions answers
with three Korean sections made from the paper's title (as JSON in JSON mode, else in a fenced block inside
prose), with `usage`; it records what it receives and can fail on request. Never a real model.

    with ModelServer(key="sk-test", latency=2.0) as model:   # a key required; 2 s per answer
        model.url                        # http://127.0.0.1:PORT/v1
        model.fail(429, headers={"Retry-After": "1"})        # the next request
        model.fail("content", body=b"...")                  # the next answer's text
        model.requests                   # (path, headers, body) of each request received

Faults (used once each, in order; `match` limits one to requests whose paper text holds it):
    an HTTP status (with headers and body), "hang" (never answer: for timeouts), "close" (drop the
    connection without an answer), "content" (answer with `body` as the message's text), "raw" (`body` as the
    whole 200 answer), "refusal" (a refusal as the OpenAI API gives one), "length" (a JSON answer cut off).
Without `json_mode`, a request asking for response_format is refused with a 400, as some servers do.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "test-model"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 would hold the 6th of many connections opened at once back


def korean_sections(title: str) -> dict[str, str]:
    return {
        "What's New": f"{title} 논문은 새로운 방법(method)을 제안합니다.",
        "Technical Details": f"{title}의 모델은 트랜스포머(Transformer) 구조를 사용합니다.",
        "Performance Highlights": f"{title}은 벤치마크(benchmark)에서 좋은 성능을 보였습니다.",
    }


class ModelServer:
    def __init__(self, *, key: str | None = None, models: tuple[str, ...] = (MODEL,), json_mode: bool = True,
                 latency: float = 0.0, answer=None) -> None:
        self.key = key
        self.models = models
        self.json_mode = json_mode
        self.latency = latency
        self.answer = answer or korean_sections  # title -> the sections (a dict), or a str: the whole text
        self.requests: list[tuple[str, dict[str, str], dict]] = []
        self._faults: deque = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.concurrent = 0
        self.max_concurrent = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall between

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                with server._lock:
                    server.concurrent += 1
                    server.max_concurrent = max(server.max_concurrent, server.concurrent)
                try:
                    server._answer(self)
                finally:
                    with server._lock:
                        server.concurrent -= 1

            def do_GET(self) -> None:  # noqa: N802
                server._send(self, 404, b'{"error": {"message": "not found"}}')

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        return self.root + "/v1"

    def __enter__(self) -> "ModelServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def fail(self, fault: int | str, *, headers: dict[str, str] | None = None, body: bytes = b"",
             seconds: float = 0.0, times: int = 1, match: str | None = None) -> None:
        with self._lock:
            for _ in range(times):
                self._faults.append((fault, headers or {}, body, seconds, match))

    def heal(self) -> None:
        with self._lock:
            self._faults.clear()

    def papers_asked(self) -> list[str]:
        """The titles of the papers in the requests received, in order."""
        return [_title(_user_text(body)) for path, _, body in self.requests if path.endswith("/chat/completions")]

    # -- answering --------------------------------------------------------------------------------------
    def _fault_for(self, text: str):
        with self._lock:
            for n, fault in enumerate(self._faults):
                if fault[4] is None or fault[4] in text:
                    del self._faults[n]
                    return fault
        return None

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.requests.append((handler.path, headers, body))
        if self.latency:
            self._release.wait(self.latency)
        if handler.path != "/v1/chat/completions":
            return self._send(handler, 404, b'{"error": {"message": "Not Found"}}')
        if self.key is not None and headers.get("authorization") != f"Bearer {self.key}":
            given = headers.get("authorization", "").removeprefix("Bearer ")
            message = f"Incorrect API key provided: {given}. You can find your API key in your account."
            return self._send(handler, 401, json.dumps({"error": {"message": message, "type": "invalid_request_error",
                                                                  "code": "invalid_api_key"}}).encode())
        if body.get("model") not in self.models:
            message = f"The model `{body.get('model')}` does not exist or you do not have access to it."
            return self._send(handler, 404, json.dumps({"error": {"message": message, "code": "model_not_found"}}).encode())
        text = _user_text(body)
        fault = self._fault_for(text)
        if fault is not None:
            kind, extra, fault_body, seconds, _ = fault
            if isinstance(kind, int):
                return self._send(handler, kind, fault_body or b'{"error": {"message": "failure"}}', extra)
            if kind == "hang":
                self._release.wait(seconds or 30)
                return None
            if kind == "close":
                handler.close_connection = True
                return None
            if kind == "raw":
                return self._send(handler, 200, fault_body, extra)
            if kind == "content":
                return self._complete(handler, body, fault_body.decode("utf-8"))
            if kind == "refusal":
                return self._complete(handler, body, None, refusal="I'm sorry, I cannot help with that request.")
            if kind == "length":
                full = json.dumps(korean_sections(_title(text)), ensure_ascii=False)
                return self._complete(handler, body, full[: len(full) // 2], finish="length")
        if "response_format" in body and not self.json_mode:
            return self._send(handler, 400, b'{"error": {"message": "response_format is not supported by this server"}}')
        made = self.answer(_title(text))
        if isinstance(made, str):
            content = made
        elif "response_format" in body:
            content = json.dumps(made, ensure_ascii=False)
        else:
            content = f"Here is the summary you asked for:\n```json\n{json.dumps(made, ensure_ascii=False, indent=2)}\n```\n"
        return self._complete(handler, body, content)

    def _complete(self, handler, request: dict, content: str | None, *, refusal: str | None = None,
                  finish: str = "stop") -> None:
        prompt = sum(len(m.get("content", "")) for m in request.get("messages", []) if isinstance(m, dict))
        completion = len(content or refusal or "")
        answer = {
            "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
            "model": request.get("model"),
            "choices": [{"index": 0, "finish_reason": finish,
                         "message": {"role": "assistant", "content": content, "refusal": refusal}}],
            "usage": {"prompt_tokens": prompt // 4, "completion_tokens": completion // 4,
                      "total_tokens": prompt // 4 + completion // 4},
        }
        return self._send(handler, 200, json.dumps(answer, ensure_ascii=False).encode())

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


def _user_text(body: dict) -> str:
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list):
        return ""
    return "\n".join(m.get("content", "") for m in messages if isinstance(m, dict) and m.get("role") == "user")


def _title(text: str) -> str:
    m = re.search(r"^Title: (.*)$", text, re.MULTILINE)
    return m.group(1) if m else ""
