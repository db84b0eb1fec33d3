"""The request: the system prompt, the paper as data, one model server (OpenAI-compatible chat completions)
through the HTTP seam (reader.sources.http), and what its refusals mean (one line each, the key never shown)."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from reader.core.summarizer_config import SummarizerSettings
from reader.sources.http import Cancelled, HttpError, where
from reader.sources.summarize.answer import answer_text, redact
from reader.sources.summarize.errors import Fatal, PaperFailed, SummarizeSetupError
from reader.sources.summarize.targets import Target

PROMPT_FILE = Path(__file__).with_name("summary_prompt.txt")
MAX_PROMPT_BYTES = 100_000
MAX_ANSWER_BYTES = 2 * 1024 * 1024
ATTEMPTS = 3  # a 5xx, a timeout or a broken connection is tried this many times
BACKOFF = 1.0
MAX_RETRY_AFTER = 300.0  # a 429 asking for longer stops the run


def load_prompt(settings: SummarizerSettings) -> str:
    path = Path(settings.prompt) if settings.prompt else PROMPT_FILE
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_PROMPT_BYTES + 1)
    except OSError as exc:
        raise SummarizeSetupError(f"cannot read the prompt file {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_PROMPT_BYTES:
        raise SummarizeSetupError(f"the prompt file {path} is over {MAX_PROMPT_BYTES:,} bytes")
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise SummarizeSetupError(f"the prompt file {path} is not UTF-8 text") from None
    if not text:
        raise SummarizeSetupError(f"the prompt file {path} is empty")
    return text


_PAPER_TAG = re.compile(r"<\s*/?\s*paper\s*>", re.IGNORECASE)


def paper_message(target: Target, text: str, *, fulltext: bool) -> str:
    """The user message: the paper as data between <paper> and </paper> (tags inside it defused)."""
    lines = [f"Title: {target.title}"]
    if target.keywords:
        lines.append(f"Keywords: {', '.join(target.keywords)}")
    lines += ["Full text:" if fulltext else "Abstract:", text]
    body = _PAPER_TAG.sub("(paper)", "\n".join(lines))
    return f"<paper>\n{body}\n</paper>"


def input_text(target: Target, settings: SummarizerSettings, pdf_http, cache_dir: Path | None) -> str:
    if settings.input == "fulltext":
        from reader.sources.fulltext import FullTextError, default_cache_dir, fetch_pdf, pdf_text

        try:
            data = fetch_pdf(pdf_http, target.arxiv_id, cache_dir or default_cache_dir())
            return pdf_text(data, settings.max_input_chars)
        except FullTextError as exc:
            raise PaperFailed(f"full text: {exc}") from None
        except Cancelled:
            raise
        except HttpError as exc:
            if exc.offline:
                raise Fatal(f"cannot reach the PDF endpoint ({exc})") from None
            raise PaperFailed(f"PDF: {exc}") from None
    if not target.abstract:
        raise PaperFailed("no abstract to summarise (input \"fulltext\" reads the PDF instead)")
    return target.abstract[: settings.max_input_chars]


def _server_message(exc: HttpError, key: str | None) -> str:
    """The error message the server put in its body (OpenAI's {"error": {"message": ...}} and its
    variants), redacted; "" when there is none."""
    from reader.core.files import load_json

    if not exc.body:
        return ""
    try:
        data = load_json(exc.body, encoding="utf-8-sig")
    except ValueError:
        return ""
    message = data.get("error") if isinstance(data, dict) else None
    if isinstance(message, dict):
        message = message.get("message")
    if not isinstance(message, str) and isinstance(data, dict):
        message = data.get("message") or data.get("detail")
    return redact(message, key) if isinstance(message, str) and message.strip() else ""


class Client:
    """One server, one model: sends a paper, returns (the answer's text, tokens used)."""

    def __init__(self, http, settings: SummarizerSettings, prompt: str, key: str | None) -> None:
        self.http = http
        self.settings = settings
        self.prompt = prompt
        self.key = key
        self.json_mode = True
        self._lock = threading.Lock()

    def ask(self, message: str) -> tuple[str, int]:
        body: dict[str, Any] = {"model": self.settings.model, "messages": [
            {"role": "system", "content": self.prompt}, {"role": "user", "content": message}]}
        json_mode = self.json_mode
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        try:
            response = self.http.post("chat/completions", json=body)
        except HttpError as exc:
            if json_mode and exc.status in (400, 422) and not isinstance(exc, Cancelled):
                del body["response_format"]  # a server without JSON output mode: ask for the JSON in the text
                try:
                    response = self.http.post("chat/completions", json=body)
                except HttpError as again:
                    raise self._failure(again) from None
                with self._lock:
                    self.json_mode = False
            else:
                raise self._failure(exc) from None
        try:
            data = response.json()
        except HttpError:
            raise PaperFailed("the model server's answer is not JSON (is base_url the /v1 root of an "
                              "OpenAI-compatible server?)") from None
        return answer_text(data, self.key)

    def _failure(self, exc: HttpError) -> Exception:
        if isinstance(exc, Cancelled):
            return exc
        settings = self.settings
        said = _server_message(exc, self.key)
        said = f": {said}" if said else ""
        host = where(settings.base_url)
        if exc.offline:
            return Fatal(f"cannot reach the model server at {host} ({_after_colon(str(exc))}): is it running, "
                         "and is summarizer.base_url right?")
        if exc.status == 401:
            if self.key:
                return Fatal(f"the model server refused the key in {settings.api_key_env} (HTTP 401){said}")
            return Fatal(f"the model server wants a key (HTTP 401): set {settings.api_key_env}, or "
                         "summarizer.api_key_env to the variable that holds it")
        if exc.status == 403:
            return Fatal(f"the model server refused access (HTTP 403){said}: check the key in "
                         f"{settings.api_key_env} and its access to {settings.model!r}")
        if exc.status == 404:
            return Fatal(f"the model server at {host} answered 404 (not found): no model {settings.model!r} "
                         f"there, or base_url is not its /v1 root{said}")
        if exc.status == 429:
            wait = f" for {exc.retry_after:.0f} s" if exc.retry_after else ""
            return Fatal(f"the model server is rate limiting us (HTTP 429, asking us to wait{wait}); "
                         "run again later, or lower summarizer.concurrency")
        if exc.status is not None and exc.status >= 500:
            return PaperFailed(f"the model server failed (HTTP {exc.status}){said}")
        if exc.status is not None:
            return PaperFailed(f"the model server refused the request (HTTP {exc.status}){said}")
        if "timeout" in str(exc):
            return PaperFailed(f"no answer within {settings.timeout:g} s (timeout; raise summarizer.timeout "
                               "for a slow model)")
        return PaperFailed(f"the model server: {_after_colon(str(exc))}")


def _after_colon(message: str) -> str:
    return message.split(": ", 1)[1] if ": " in message else message


def api_key(settings: SummarizerSettings, environ: Mapping[str, str] | None = None) -> str | None:
    """The key from the variable the setting names (stripped), None when unset. A key a header cannot carry
    is refused in one line that does not show it."""
    env = os.environ if environ is None else environ
    key = (env.get(settings.api_key_env) or "").strip()
    if not key:
        return None
    if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        raise SummarizeSetupError(f"the key in {settings.api_key_env} holds spaces, line breaks or non-ASCII "
                                  "characters, which no server accepts: check how it was set")
    return key


def open_model(settings: SummarizerSettings, key: str | None, *, cancel: threading.Event | None = None,
               sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
    from reader.sources.http import Http, Pace

    pace = Pace(concurrent=settings.concurrency, clock=clock, sleep=sleep)
    return Http(settings.base_url, token=key, timeout=settings.timeout, connect_timeout=min(10.0, settings.timeout),
                attempts=ATTEMPTS, backoff=BACKOFF, max_retry_after=MAX_RETRY_AFTER, max_bytes=MAX_ANSWER_BYTES,
                pace=pace, sleep=sleep, cancel=cancel, what="the model server")


def open_pdfs(settings: SummarizerSettings, *, cancel: threading.Event | None = None,
              sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
    """arXiv's PDFs: two at once, a second between two starts (arXiv asks robots to be gentle)."""
    from reader.sources.fulltext import MAX_PDF_BYTES
    from reader.sources.http import Http, Pace

    pace = Pace(concurrent=2, gap=1.0, clock=clock, sleep=sleep)
    return Http(settings.arxiv_pdf, timeout=60.0, max_bytes=MAX_PDF_BYTES, pace=pace, sleep=sleep, cancel=cancel,
                what="arXiv")
