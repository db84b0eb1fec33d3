"""Korean summaries for the days from Hugging Face, written by the user's own model (any OpenAI-compatible
chat-completions server: OpenAI, Ollama, vLLM, LM Studio, llama.cpp's server).

For each paper of a Hugging Face day (library/huggingface/YYYY/MM/DD.md) that has no Korean summary yet:

1. its input: title, keywords and abstract (from the metadata store, else the digest's own English
   sections), or with `input: fulltext` the arXiv PDF's text (reader.sources.fulltext), cut to
   max_input_chars, put between <paper> and </paper> as data (the prompt says so);
2. one request to {base_url}/chat/completions with the system prompt (summary_prompt.txt in this package, or
   the user's own file), asking for a JSON object (JSON output mode where the server offers it: a server that
   refuses the parameter is asked again without it, and the JSON is then found in the text);
3. the answer is untrusted: it must hold the three sections as non-empty Korean text of a sane length; each
   is cleaned as digest text is (no control character, one line) or the paper is failed with the reason;
4. written at once into every Hugging Face digest holding the paper, above the English sections, in the
   archive's newest form (`- ***What's New***: ...`): the file is read, changed and replaced atomically
   under the library's lock (the one sync and import hold, for the few milliseconds of one write), so two
   summarisers, or a sync rewriting the day, never lose each other's writes; a kill -9 loses only the papers
   in flight, and the next run does only the rest.

Requests run on `concurrency` threads of their own; answers are checked there and written by the calling
thread, which reports through `progress` and stops at once when `cancel` is set (answers still in flight are
dropped, never written half). Nothing here prints or imports Textual: the CLI and the reader share it.

From the reader (a thread worker; every call here is Textual-free):

    settings, problems = read_summarizer_setting(paths.config_path())   # reader.core.summarizer_config
    check_ready(settings, problems)            # SummarizeSetupError: str(exc) is the one line to show
    targets = select(library_dir, date=day, store=store).targets       # or since=/until=/ids=
    result = summarize(targets, settings, library=library_dir, cancel=event,
                       progress=lambda state: app.call_from_thread(show, state))
    # state.last: the Outcome just finished (its arxiv_id, date, sections or reason) to refresh the pane;
    # result.summary() is the one line for a notification; result.fatal names what stopped the run.

The key (read from the environment variable the setting names) goes to base_url's origin only
(reader.sources.http), and into no message: what a server says back is shown only with anything that looks
like a key removed.
"""

from __future__ import annotations

import json
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from reader.core.korean import SUMMARY_SECTIONS, has_hangul, has_korean_summary
from reader.core.sanitize import clean_line, visible_line
from reader.core.summarizer_config import SummarizerSettings
from reader.errors import UserError
from reader.sources.http import Cancelled, HttpError, where

PROMPT_FILE = Path(__file__).with_name("summary_prompt.txt")
MAX_PROMPT_BYTES = 100_000
MAX_SECTION_CHARS = 3_000  # the archive's longest section is about 1,000
MAX_ANSWER_CHARS = 200_000  # an answer's text; the body itself is capped at MAX_ANSWER_BYTES
MAX_ANSWER_BYTES = 2 * 1024 * 1024
ATTEMPTS = 3  # a 5xx, a timeout or a broken connection is tried this many times
BACKOFF = 1.0
MAX_RETRY_AFTER = 300.0  # a 429 asking for longer stops the run
WRITE_WAIT = 600.0  # how long a finished summary waits for the library (a sync holds it while it runs)
_KEYS = {re.sub(r"[^a-z]", "", name.lower()): name for name in SUMMARY_SECTIONS}


class SummarizeSetupError(UserError):
    """Nothing can be summarised as things are (no model, a bad prompt file, pypdf missing ...): one line."""


class PaperFailed(Exception):
    """One paper could not be summarised (one line); the run goes on."""

    def __init__(self, message: str, tokens: int = 0) -> None:
        super().__init__(message)
        self.tokens = tokens


class Fatal(Exception):
    """The run cannot go on (the key refused, an unknown model, no server, a long rate limit): one line."""


# -- what to summarise ---------------------------------------------------------------------------------------
class Target(NamedTuple):
    arxiv_id: str
    title: str
    date: str  # the first day holding it
    files: tuple[str, ...]  # every Hugging Face digest holding it
    abstract: str = ""
    keywords: tuple[str, ...] = ()


class Selection(NamedTuple):
    targets: list[Target]
    already: int  # papers in range that have a Korean summary (skipped; --force redoes them)
    unknown: list[str]  # ids asked for that no Hugging Face day holds
    warnings: list[str]


def hf_digests(library: Path) -> list[tuple[str, Path]]:
    """(date, path) of every Hugging Face digest in the library, oldest first."""
    from reader.sources.hf_sync import HF_FOLDER

    root = library / HF_FOLDER
    found = []
    if not root.is_dir():
        return found
    for year in sorted(root.iterdir()):
        if not (year.is_dir() and year.name.isdigit() and len(year.name) == 4):
            continue
        for month in sorted(year.iterdir()):
            if not (month.is_dir() and month.name.isdigit() and len(month.name) == 2):
                continue
            for day in sorted(month.glob("[0-9][0-9].md")):
                found.append((f"{year.name}-{month.name}-{day.stem}", day))
    return found


def _digest_inputs(paper) -> tuple[str, tuple[str, ...]]:
    from reader.core.text import plain_text

    abstract = paper.section("Abstract")
    keywords = paper.section("Keywords")
    text = " ".join(plain_text(abstract.markdown).split()) if abstract else ""
    words = tuple(w.strip() for w in plain_text(keywords.markdown).split(",") if w.strip()) if keywords else ()
    return text, words


def select(library: Path, *, date: str | None = None, since: str | None = None, until: str | None = None,
           ids: Iterable[str] = (), force: bool = False, store=None) -> Selection:
    """The papers to summarise: those of the Hugging Face days in range (or the ids given) without a Korean
    summary (with force: all of them). Inputs come from the metadata store where it knows the paper."""
    from reader.core.parse import read_file

    wanted = list(dict.fromkeys(ids))
    order: dict[str, Target] = {}
    seen: set[str] = set()
    already = 0
    warnings: list[str] = []
    for day, path in hf_digests(library):
        if date and day != date or since and day < since or until and day > until:
            continue
        parsed = read_file(path)
        warnings.extend(str(w) for w in parsed.warnings)
        for paper in parsed.papers:
            if wanted and paper.arxiv_id not in wanted:
                continue
            seen.add(paper.arxiv_id)
            if paper.arxiv_id in order:
                target = order[paper.arxiv_id]
                if str(path) not in target.files:
                    order[paper.arxiv_id] = target._replace(files=target.files + (str(path),))
                continue
            if not force and has_korean_summary(paper):
                already += 1
                continue
            abstract, keywords = _digest_inputs(paper)
            order[paper.arxiv_id] = Target(paper.arxiv_id, paper.title, paper.date, (str(path),), abstract, keywords)
    known = store.papers(order) if store is not None and order else {}
    targets = []
    for target in order.values():
        record = known.get(target.arxiv_id)
        if record is not None and record.abstract:
            target = target._replace(abstract=record.abstract, keywords=record.keywords or target.keywords)
        targets.append(target)
    return Selection(targets, already, [i for i in wanted if i not in seen], warnings)


# -- the request ---------------------------------------------------------------------------------------------
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


def _input_text(target: Target, settings: SummarizerSettings, pdf_http, cache_dir: Path | None) -> str:
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


def redact(text: str, key: str | None) -> str:
    """Text a server sent back, fit to show: one line, cut, and nothing that looks like the key (the key
    itself, any 8 characters of it, anything shaped like a key or a bearer token)."""
    text = visible_line(" ".join(text.split()))[:300]
    if key:
        text = text.replace(key, "[redacted]")
        for start in range(0, max(0, len(key) - 7)):
            piece = key[start:start + 8]
            if piece in text:
                text = re.sub(r"[A-Za-z0-9_\-*.]*" + re.escape(piece) + r"[A-Za-z0-9_\-*.]*", "[redacted]", text)
    text = re.sub(r"(?i)\bbearer\s+[A-Za-z0-9_\-.~+/=*]+", "Bearer [redacted]", text)
    text = re.sub(r"(?i)\b(api[-_ ]?key|token|authorization|secret|password)(\s*[:=]\s*)[^\s,;]+", r"\1\2[redacted]", text)
    return re.sub(r"\b(?:sk|pk|rk|hf|gsk|xai|key)[-_][A-Za-z0-9_\-*.]{6,}", "[redacted]", text)


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


class _Client:
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


def answer_text(data: Any, key: str | None = None) -> tuple[str, int]:
    """A chat completion -> (its message's text, tokens used). PaperFailed when it holds no usable text."""
    tokens = usage_tokens(data)
    if not isinstance(data, dict):
        raise PaperFailed("the answer is not a chat completion", tokens)
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        error = data.get("error")
        said = error.get("message") if isinstance(error, dict) else error
        if isinstance(said, str) and said.strip():
            raise PaperFailed(f"the model server answered with an error: {redact(said, key)}", tokens)
        raise PaperFailed("the answer holds no choices (not a chat completion)", tokens)
    choice = choices[0]
    message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal.strip():
        raise PaperFailed(f"the model refused: {redact(refusal, key)[:120]}", tokens)
    if choice.get("finish_reason") == "content_filter":
        raise PaperFailed("the server's content filter stopped the answer", tokens)
    content = message.get("content")
    if isinstance(content, list):  # content parts
        content = "".join(part.get("text", "") for part in content
                          if isinstance(part, dict) and isinstance(part.get("text"), str))
    if not isinstance(content, str) or not content.strip():
        raise PaperFailed("the answer is empty", tokens)
    if choice.get("finish_reason") == "length":
        try:
            parse_sections(content)
        except PaperFailed:
            raise PaperFailed("the answer was cut off (the model's output limit)", tokens) from None
    return content, tokens


def usage_tokens(data: Any) -> int:
    usage = data.get("usage") if isinstance(data, dict) else None
    if not isinstance(usage, dict):
        return 0

    def count(name: str) -> int:
        value = usage.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9 else 0

    return count("total_tokens") or count("prompt_tokens") + count("completion_tokens")


# -- the answer ----------------------------------------------------------------------------------------------
def _json_objects(text: str):
    """Every JSON object in text, from its start or any '{' (at most 50 tried)."""
    decoder = json.JSONDecoder()
    tried = 0
    position = text.find("{")
    while position != -1 and tried < 50:
        tried += 1
        try:
            value, _ = decoder.raw_decode(text, position)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict):
            yield value
        position = text.find("{", position + 1)


def _sections_of(data: Mapping[str, Any]) -> dict[str, Any]:
    found = {_KEYS[k]: v for key, v in data.items() if isinstance(key, str)
             and (k := re.sub(r"[^a-z]", "", key.lower())) in _KEYS}
    if not found:  # one level down ({"summary": {...}})
        for value in data.values():
            if isinstance(value, dict):
                inner = {_KEYS[k]: v for key, v in value.items() if isinstance(key, str)
                         and (k := re.sub(r"[^a-z]", "", key.lower())) in _KEYS}
                if inner:
                    return inner
    return found


def parse_sections(content: str) -> list[tuple[str, str]]:
    """The model's answer -> [(section name, cleaned one-line text)] in the archive's order, or PaperFailed
    naming what is wrong. Extra keys are dropped; each section must be non-empty Korean text of at most
    MAX_SECTION_CHARS characters once cleaned (no control character or escape sequence, one line)."""
    if len(content) > MAX_ANSWER_CHARS:
        raise PaperFailed(f"the answer is {len(content):,} characters long (far more than three sections)")
    best: dict[str, Any] = {}
    for candidate in _json_objects(content):
        sections = _sections_of(candidate)
        if len(sections) > len(best):
            best = sections
        if len(best) == len(SUMMARY_SECTIONS):
            break
    if not best:
        start = visible_line(" ".join(content.split()))[:80]
        if "{" not in content:
            raise PaperFailed(f"the answer holds no JSON object (it begins {start!r})")
        raise PaperFailed(f"the answer holds none of the sections {', '.join(SUMMARY_SECTIONS)} "
                          f"(it begins {start!r})")
    missing = [name for name in SUMMARY_SECTIONS if name not in best]
    if missing:
        raise PaperFailed("the answer lacks " + ", ".join(f"'{m}'" for m in missing))
    out = []
    for name in SUMMARY_SECTIONS:
        value = best[name]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = " ".join(value)
        if not isinstance(value, str):
            raise PaperFailed(f"'{name}' is not text")
        if len(value) > MAX_ANSWER_CHARS:
            raise PaperFailed(f"'{name}' is {len(value):,} characters (at most {MAX_SECTION_CHARS:,})")
        text = " ".join(clean_line(value).split())
        if not text:
            raise PaperFailed(f"'{name}' is empty")
        if len(text) > MAX_SECTION_CHARS:
            raise PaperFailed(f"'{name}' is {len(text):,} characters (at most {MAX_SECTION_CHARS:,})")
        if not has_hangul(text):
            raise PaperFailed(f"'{name}' is not in Korean (it begins {visible_line(text[:60])!r})")
        out.append((name, text))
    return out


# -- writing -------------------------------------------------------------------------------------------------
def write_summary(library: Path, target: Target, sections: list[tuple[str, str]], *,
                  cancel: threading.Event | None = None, wait: float = WRITE_WAIT) -> None:
    """Write the sections into every digest holding the paper, each file replaced atomically, under the
    library's lock. PaperFailed (one line) when no digest holds it any more or the library is busy."""
    from reader.core.atomic import write_text_atomic
    from reader.core.library_lock import LibraryLockError, lock_library
    from reader.sources.hf_digest import with_korean

    try:
        lock = lock_library(library, wait=wait, cancel=cancel)
    except LibraryLockError as exc:
        raise PaperFailed(f"cannot write it: {exc}") from None
    written = 0
    try:
        for name in target.files:
            path = Path(name)
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue
            except (OSError, UnicodeDecodeError) as exc:
                raise PaperFailed(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
            changed = with_korean(text, target.arxiv_id, sections)
            if changed is None:
                continue
            try:
                if changed != text:
                    write_text_atomic(path, changed, exclusive=True)  # we hold the library's lock
            except OSError as exc:
                raise PaperFailed(f"cannot write {path}: {exc.strerror or exc}") from None
            written += 1
    finally:
        lock.release()
    if not written:
        raise PaperFailed("its Hugging Face day no longer holds it (a sync replaced the day?)")


# -- the run -------------------------------------------------------------------------------------------------
class Outcome(NamedTuple):
    arxiv_id: str
    date: str
    title: str
    sections: tuple[tuple[str, str], ...]  # empty when it failed
    reason: str | None  # why it failed
    tokens: int

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(slots=True)
class SummaryProgress:
    total: int = 0
    done: int = 0
    failed: int = 0
    tokens: int = 0
    last: Outcome | None = None  # the paper just finished (written, or failed)
    started: float = field(default_factory=time.monotonic)

    def eta(self, now: float | None = None) -> float | None:
        finished = self.done + self.failed
        if not finished:
            return None
        spent = (time.monotonic() if now is None else now) - self.started
        return spent / finished * (self.total - finished)


@dataclass(slots=True)
class SummaryResult:
    done: list[str] = field(default_factory=list)  # arXiv ids written
    failed: list[str] = field(default_factory=list)  # one line each: "id: why"
    tokens: int = 0
    requests: int = 0
    not_started: int = 0  # papers left for the next run (a fatal error or a cancel stopped it first)
    fatal: str | None = None
    cancelled: bool = False

    def summary(self) -> str:
        parts = [f"{_count(len(self.done), 'paper')} summarized"]
        if self.failed:
            parts.append(f"{len(self.failed):,} failed")
        if self.tokens:
            parts.append(f"{self.tokens:,} tokens")
        if self.not_started:
            parts.append(f"{_count(self.not_started, 'paper')} left for the next run")
        if self.cancelled:
            parts.append("stopped")
        line = ", ".join(parts)
        return f"{self.fatal}; {line}" if self.fatal else line


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


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


def check_ready(settings: SummarizerSettings, problems: Iterable[str] = (), *, config_path: str = "config.json") -> None:
    """Raise SummarizeSetupError (one line) unless these settings can summarise."""
    problems = list(problems)
    if problems:
        raise SummarizeSetupError(problems[0])
    if not settings.base_url:
        raise SummarizeSetupError("no usable summarizer.base_url")
    if not settings.model:
        raise SummarizeSetupError(f"no model to summarise with: add \"summarizer\": {{\"model\": \"...\"}} to "
                                  f"{config_path} (and \"base_url\" for a server other than OpenAI's)")
    if settings.input == "fulltext":
        from reader.sources.fulltext import pypdf_missing

        missing = pypdf_missing()
        if missing:
            raise SummarizeSetupError(missing)


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


class Request(NamedTuple):
    target: Target
    characters: int | None  # what would be sent (system prompt and paper), None when not known yet
    note: str


def dry_run(targets: list[Target], settings: SummarizerSettings, *, cache_dir: Path | None = None) -> list[Request]:
    """What each paper would send, without sending anything (nor downloading a PDF)."""
    prompt = load_prompt(settings)
    out = []
    for target in targets:
        if settings.input == "fulltext":
            from reader.sources.fulltext import FullTextError, cache_file, default_cache_dir, pdf_text

            try:
                data = cache_file(cache_dir or default_cache_dir(), target.arxiv_id).read_bytes()
                text = pdf_text(data, settings.max_input_chars)
            except (OSError, FullTextError):
                out.append(Request(target, None, f"full text: PDF not downloaded yet (at most "
                                                 f"{settings.max_input_chars:,} characters of it)"))
                continue
            note = "full text (PDF in the cache)"
        else:
            if not target.abstract:
                out.append(Request(target, None, "no abstract: would fail"))
                continue
            text, note = target.abstract[: settings.max_input_chars], "abstract"
        message = paper_message(target, text, fulltext=settings.input == "fulltext")
        out.append(Request(target, len(prompt) + len(message), note))
    return out


def summarize(targets: list[Target], settings: SummarizerSettings, *, library: Path, http=None, pdf_http=None,
              key: str | None = None, environ: Mapping[str, str] | None = None,
              progress: Callable[[SummaryProgress], None] | None = None, cancel: threading.Event | None = None,
              sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
              cache_dir: Path | None = None) -> SummaryResult:
    """Summarise `targets` and write each into its digests as it is done; see the module's docstring.
    Raises SummarizeSetupError (one line) before sending anything when it cannot start; otherwise returns a
    SummaryResult (one paper's failure, a fatal server error, a cancel: all in the result). Safe to call from
    a worker thread: `progress` is called on the calling thread."""
    check_ready(settings)
    prompt = load_prompt(settings)
    if key is None:
        key = api_key(settings, environ)
    own_http, own_pdf = http is None, pdf_http is None
    if http is None:
        http = open_model(settings, key, cancel=cancel, sleep=sleep, clock=clock)
    if pdf_http is None and settings.input == "fulltext":
        pdf_http = open_pdfs(settings, cancel=cancel, sleep=sleep, clock=clock)
    client = _Client(http, settings, prompt, key)
    result = SummaryResult()
    state = SummaryProgress(total=len(targets), started=clock())
    jobs: queue.SimpleQueue[Target] = queue.SimpleQueue()
    for target in targets:
        jobs.put(target)
    answers: queue.SimpleQueue[tuple[Target, Any]] = queue.SimpleQueue()
    stop = threading.Event()
    lock = threading.Lock()
    taken = [0]

    def work() -> None:
        while not stop.is_set() and not (cancel is not None and cancel.is_set()):
            with lock:
                try:
                    target = jobs.get_nowait()
                except queue.Empty:
                    return
                taken[0] += 1
            try:
                text = _input_text(target, settings, pdf_http, cache_dir)
                content, tokens = client.ask(paper_message(target, text, fulltext=settings.input == "fulltext"))
                try:
                    answers.put((target, (parse_sections(content), tokens)))
                except PaperFailed as exc:
                    exc.tokens = tokens
                    answers.put((target, exc))
            except BaseException as exc:  # noqa: BLE001 - every outcome goes back to the calling thread
                answers.put((target, exc))

    threads = [threading.Thread(target=work, name=f"summarize-{n}", daemon=True)
               for n in range(min(settings.concurrency, len(targets)))]
    received = 0
    if progress:
        progress(state)
    try:
        for thread in threads:
            thread.start()
        while True:
            if cancel is not None and cancel.is_set():
                result.cancelled = True
                break
            with lock:
                finished = all(not t.is_alive() for t in threads) and received >= taken[0]
            if finished and answers.empty():
                break
            try:
                target, answer = answers.get(timeout=0.05)
            except queue.Empty:
                continue
            received += 1
            outcome = _settle(target, answer, library, cancel, result, stop)
            if outcome is None:
                continue
            state.tokens = result.tokens
            state.done, state.failed = len(result.done), len(result.failed)
            state.last = outcome
            if progress:
                progress(state)
    finally:
        stop.set()
        result.requests = http.pace.requests if getattr(http, "pace", None) is not None else 0
        if own_http:
            http.close()
        if own_pdf and pdf_http is not None:
            pdf_http.close()
    result.not_started = len(targets) - len(result.done) - len(result.failed)
    return result


def _settle(target: Target, answer: Any, library: Path, cancel, result: SummaryResult,
            stop: threading.Event) -> Outcome | None:
    """One answer from a worker: written (or failed) and counted; None when it counts for nothing (a
    cancelled request, a fatal error already reported)."""
    if isinstance(answer, Cancelled):
        return None
    if isinstance(answer, Fatal):
        stop.set()
        if result.fatal is None:
            result.fatal = str(answer)
        return None
    if isinstance(answer, PaperFailed):
        result.tokens += answer.tokens
        result.failed.append(f"{target.arxiv_id}: {answer}")
        return Outcome(target.arxiv_id, target.date, target.title, (), str(answer), answer.tokens)
    if isinstance(answer, BaseException):
        raise answer  # a bug: the caller's last line of defence reports it
    sections, tokens = answer
    result.tokens += tokens
    try:
        write_summary(library, target, sections, cancel=cancel)
    except PaperFailed as exc:
        result.failed.append(f"{target.arxiv_id}: {exc}")
        return Outcome(target.arxiv_id, target.date, target.title, (), str(exc), tokens)
    result.done.append(target.arxiv_id)
    return Outcome(target.arxiv_id, target.date, target.title, tuple(sections), None, tokens)
