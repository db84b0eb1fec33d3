"""The run: requests on `concurrency` threads, answers checked there and written by the calling thread, which
reports progress and stops at once on a cancel (see reader.sources.summarize)."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from reader.core.summarizer_config import SummarizerSettings
from reader.sources.http import Cancelled
from reader.sources.summarize.answer import parse_sections
from reader.sources.summarize.errors import Fatal, PaperFailed, SummarizeSetupError
from reader.sources.summarize.request import (Client, api_key, input_text, load_prompt, open_model, open_pdfs,
                                              paper_message)
from reader.sources.summarize.targets import Target
from reader.sources.summarize.writing import write_summary


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
    client = Client(http, settings, prompt, key)
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
                text = input_text(target, settings, pdf_http, cache_dir)
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
